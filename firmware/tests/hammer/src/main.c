/* Suite "hammer": a guest that writes to addresses with no model, millions of times, and then
 * passes. What every such write costs is what the emulator (and the harness counting them) spends
 * on it; tandem's tests and benchmark measure that against the same loop writing to RAM.
 *
 * Two addresses, one after the other, as a deadlocked Zephyr 3.3.99 poll image on nucleo_g474re
 * wrote zeros to 0x0 and 0x4 in a loop: no two writes in a row are the same, so Renode's folding
 * of repeated log lines does not apply.
 *
 * CONFIG_HAMMER_ADDRESS: the first of the two words (default 0x50000000: ADC1 on nucleo_g474re,
 * which the board does not model, see boards/README.md; outside every region of QEMU's
 * lm3s6965evb). 0x0 is the poll image's address: the boot memory alias of the G474.
 * CONFIG_HAMMER_WRITES: writes in all (default 10 000 000). CONFIG_HAMMER_RAM=y writes to a RAM
 * word instead, the same loop with nothing unmodelled: the baseline of the measurement.
 * CONFIG_HAMMER_FOREVER=y never stops writing, without a word on the console: the poll image's
 * hang, which only a time limit ends.
 *
 * On nucleo_g474re a first case checks the boot memory alias at 0x0 as RM0440 describes it: main
 * flash read through it, a store changing nothing and setting FLASH_SR.PGSERR. */
#include <stdint.h>
#include <zephyr/ztest.h>

#ifndef CONFIG_HAMMER_WRITES
#define CONFIG_HAMMER_WRITES 10000000
#endif

#ifndef CONFIG_HAMMER_ADDRESS
#define CONFIG_HAMMER_ADDRESS 0x50000000
#endif

#define REG32(a) (*(volatile uint32_t *)(a))

static volatile uint32_t ram_words[2];

/* A pointer the optimiser cannot see through: a store to address 0 would be compiled as a trap. */
static volatile uint32_t *at(uintptr_t address)
{
	__asm__ volatile("" : "+r"(address));
	return (volatile uint32_t *)address;
}

#if defined(CONFIG_BOARD_NUCLEO_G474RE)
#define FLASH_SR REG32(0x40022010u)
#define SR_PGSERR (1u << 7)

ZTEST(hammer, test_boot_alias)
{
	volatile uint32_t *alias = at(0x0);
	volatile uint32_t *flash = at(0x08000000u);
	const uint32_t sp = flash[0];

	zassert_not_equal(sp, 0u, "the image's vector table starts flash");
	zassert_equal(alias[0], sp, "0x0 reads the initial SP in flash");
	zassert_equal(alias[1], flash[1], "0x4 reads the reset vector");
	FLASH_SR = SR_PGSERR;
	zassert_equal(FLASH_SR & SR_PGSERR, 0u, "no programming sequence error yet");
	alias[0] = 0;
	zassert_equal(alias[0], sp, "a store through the alias changes nothing");
	zassert_equal(flash[0], sp, "nor flash itself");
	zassert_not_equal(FLASH_SR & SR_PGSERR, 0u, "a store without PG is a programming sequence error");
	FLASH_SR = SR_PGSERR;
	zassert_equal(FLASH_SR & SR_PGSERR, 0u, "PGSERR clears on writing 1");
}
#endif

ZTEST(hammer, test_hammer_writes)
{
#if defined(CONFIG_HAMMER_RAM)
	volatile uint32_t *target = ram_words;
#else
	volatile uint32_t *target = at(CONFIG_HAMMER_ADDRESS);
#endif
#if defined(CONFIG_HAMMER_FOREVER)
	for (;;) {
		target[0] = 0;
		target[1] = 0;
	}
#endif
	for (uint32_t i = 0; i < CONFIG_HAMMER_WRITES / 2; i++) {
		target[0] = 0;
		target[1] = 0;
	}
	zassert_true(true, "the writes returned");
}

ZTEST_SUITE(hammer, NULL, NULL, NULL, NULL, NULL);
