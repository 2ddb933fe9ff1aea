/* Suite "basic": a few checks that use no kernel object with a wasm-LTO variant, so its output
 * is the same whichever CONFIG_GALE_WASM_LTO_* switches are set. */
#include <stdio.h>
#include <string.h>
#include <zephyr/ztest.h>

ZTEST(basic, test_basic_arith)
{
	volatile uint64_t big = 0x123456789abcdefull;
	volatile int32_t negative = -7;

#if defined(CONFIG_TANDEM_DEMO_FLAKY)
	static int attempts;

	zassert_true(++attempts > 1, "fails on its first attempt only");
#endif
	/* 64-bit division and modulo go through libgcc helpers on Cortex-M. */
	zassert_equal(big / 1000u, 81985529216486ull, "64-bit division");
	zassert_equal(big % 1000u, 895u, "64-bit modulo");
	zassert_equal(negative / 2, -3, "division rounds toward zero");
}

ZTEST(basic, test_basic_sleep)
{
	int64_t start = k_uptime_get();

	k_msleep(2);
	zassert_true(k_uptime_get() - start >= 2, "slept less than 2 ms");
}

ZTEST(basic, test_basic_string)
{
	char buf[16];

	strcpy(buf, "tandem");
	zassert_equal(strlen(buf), 6u, "strlen");
	zassert_mem_equal(buf, "tandem", 7, "copied string differs");
	zassert_not_null(strchr(buf, 'd'));
}

ZTEST_SUITE(basic, NULL, NULL, NULL, NULL, NULL);
