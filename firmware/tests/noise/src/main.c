/* Suite "noise": a console full of garbage, for testing whoever reads it. Between a normal ztest
 * start and a normal ztest end it writes CONFIG_NOISE_RANDOM_BYTES bytes from a xorshift PRNG
 * straight to the UART (no "\n" -> "\r\n": every byte value appears, control characters, invalid
 * UTF-8 and markup-looking bytes included), then one line of CONFIG_NOISE_LONG_LINE_BYTES
 * printable bytes without a newline; a line a report must escape comes before and after. */
#include <stdint.h>
#include <zephyr/ztest.h>
#include <tandem/board.h>

#ifndef CONFIG_NOISE_RANDOM_BYTES
#define CONFIG_NOISE_RANDOM_BYTES 1048576
#endif
#ifndef CONFIG_NOISE_LONG_LINE_BYTES
#define CONFIG_NOISE_LONG_LINE_BYTES 1048576
#endif

/* Lines a report must escape: markup, an entity, a CDATA end, terminal colour codes. */
#define HOSTILE "<script>alert('uart')</script><img src=x onerror=alert(1)>&amp; ]]> \x1b[31mred\x1b[0m\n"

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

ZTEST(noise, test_noise_console)
{
	uint32_t state = 0x2545f491u;
	uint32_t word = 0;

	printk("noise: %u random bytes, then a line of %u bytes\n", (unsigned)CONFIG_NOISE_RANDOM_BYTES,
	       (unsigned)CONFIG_NOISE_LONG_LINE_BYTES);
	/* First too: a report quotes the head and the tail of a long log. */
	printk(HOSTILE);
	for (uint32_t i = 0; i < CONFIG_NOISE_RANDOM_BYTES; i++) {
		if ((i & 3u) == 0) {
			word = xorshift32(&state);
		}
		board_console_putc((char)(word & 0xffu));
		word >>= 8;
	}
	printk("\n" HOSTILE);
	for (uint32_t i = 0; i < CONFIG_NOISE_LONG_LINE_BYTES; i++) {
		board_console_putc((char)('A' + (xorshift32(&state) % 26u)));
	}
	printk("\n");
	zassert_true(state != 0, "xorshift never reaches 0");
}

ZTEST_SUITE(noise, NULL, NULL, NULL, NULL, NULL);
