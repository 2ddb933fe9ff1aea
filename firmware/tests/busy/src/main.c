/* Suite "busy": CPU-bound work lasting about a second of emulation, like a real kernel suite's
 * stress loops. The benchmark uses it so that an image's run time, not the emulator's start-up,
 * dominates what is measured. CONFIG_BUSY_ROUNDS scales the work. */
#include <stdint.h>
#include <zephyr/ztest.h>

#ifndef CONFIG_BUSY_ROUNDS
#define CONFIG_BUSY_ROUNDS 40
#endif

static uint8_t block[4096];

/* Bitwise CRC-32: deliberately slow, so each round is real instruction work. */
static uint32_t crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++) {
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
		}
	}
	return ~crc;
}

static uint32_t churn(uint32_t rounds)
{
	uint32_t crc = 0;

	for (uint32_t r = 0; r < rounds; r++) {
		block[r % sizeof(block)] = (uint8_t)crc;
		crc = crc32(block, sizeof(block), crc);
	}
	return crc;
}

ZTEST(busy, test_busy_crc_first_half)
{
	zassert_not_equal(churn(CONFIG_BUSY_ROUNDS / 2), 0u, "crc of a changing block is not 0");
}

ZTEST(busy, test_busy_crc_second_half)
{
	zassert_not_equal(churn(CONFIG_BUSY_ROUNDS / 2), 0u, "crc of a changing block is not 0");
}

ZTEST(busy, test_busy_deterministic)
{
	for (uint32_t i = 0; i < sizeof(block); i++) {
		block[i] = 0;
	}
	uint32_t a = crc32(block, sizeof(block), 0);
	uint32_t b = crc32(block, sizeof(block), 0);

	zassert_equal(a, b, "the same input gives the same crc");
}

ZTEST_SUITE(busy, NULL, NULL, NULL, NULL, NULL);
