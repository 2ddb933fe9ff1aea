/* Suite "sleep": long, silent guest sleeps, like Zephyr's kernel sleep and timer suites. It
 * passes when a harness counts its silence in guest time no shorter than the guest does, and
 * it must never be cut short by a silence limit longer than its longest sleep.
 * 50 s of guest time in all, 40 s of it silent: it passes under the default limits (60 s of
 * guest silence, 60 s of guest time in all). CONFIG_SLEEP_SPIN=y adds a case that spins
 * silently forever with the tick running: a hang whose guest clock keeps advancing (unlike a
 * deadlock, where it stops). */
#include <stdint.h>
#include <zephyr/ztest.h>

#ifndef CONFIG_SLEEP_LONG_MS
#define CONFIG_SLEEP_LONG_MS 40000
#endif

ZTEST(sleep, test_sleep_long_silent)
{
	int64_t before = k_uptime_get();

	k_msleep(CONFIG_SLEEP_LONG_MS);
	zassert_true(k_uptime_get() - before >= CONFIG_SLEEP_LONG_MS, "slept the whole time");
}

ZTEST(sleep, test_sleep_repeated)
{
	int64_t before = k_uptime_get();

	for (int i = 0; i < 4; i++) {
		k_msleep(CONFIG_SLEEP_LONG_MS / 16);
	}
	zassert_true(k_uptime_get() - before >= CONFIG_SLEEP_LONG_MS / 4, "four sixteenths");
}

#ifdef CONFIG_SLEEP_SPIN
ZTEST(sleep, test_sleep_spin_forever)
{
	volatile uint32_t spins = 0;

	/* Pure instruction work (no timer register reads, which QEMU's icount mode runs slowly). */
	for (;;) {
		spins++;
	}
}
#endif

ZTEST_SUITE(sleep, NULL, NULL, NULL, NULL, NULL);
