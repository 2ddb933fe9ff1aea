/* Suite "peripheral": start a peripheral and wait on its ready flag the way a Zephyr driver does,
 * with no timeout. Where the emulator models the peripheral the flag rises and the case passes;
 * where it does not, the guest waits forever without printing, and tandem's reason for the hang
 * must name the address and the devicetree node the guest was stuck on.
 *
 * nucleo_g474re: the STM32G4 RNG (RM0440 26.7: CR at +0x0, RNGEN bit 2; SR at +0x4, DRDY bit 0;
 * DR at +0x8), started as Zephyr's entropy_stm32 starts it at boot. RCC AHB2ENR bit 26 (RNGEN)
 * clocks it.
 * qemu_cortex_m3: the LM3S6965 hibernation module (datasheet 7.6: HIBCTL at +0x10, WRC bit 31
 * "write complete", set by the hardware when a write to the module has finished). QEMU's
 * lm3s6965evb maps it as an unimplemented device that reads 0: WRC never rises. */
#include <stdint.h>
#include <zephyr/ztest.h>

#define REG32(a) (*(volatile uint32_t *)(a))

#if defined(CONFIG_BOARD_NUCLEO_G474RE)
#define RCC_AHB2ENR REG32(0x4002104Cu)
#define AHB2ENR_RNGEN (1u << 26)
#define RNG_CR REG32(0x50060800u)
#define RNG_SR REG32(0x50060804u)
#define RNG_DR REG32(0x50060808u)
#define CR_RNGEN (1u << 2)
#define SR_DRDY (1u << 0)
#define SR_SECS (1u << 2)

ZTEST(peripheral, test_ready_flag)
{
	RCC_AHB2ENR |= AHB2ENR_RNGEN;
	(void)RCC_AHB2ENR;
	RNG_CR |= CR_RNGEN;
	while (!(RNG_SR & SR_DRDY)) {
	}
	zassert_equal(RNG_SR & SR_SECS, 0u, "no seed error");
	uint32_t a = RNG_DR;
	while (!(RNG_SR & SR_DRDY)) {
	}
	uint32_t b = RNG_DR;
	zassert_not_equal(a, b, "two random words differ");
	/* 32 random bits per word: in 64 words bit 31 is set at least once (fails with p = 2^-64). */
	uint32_t any = 0;
	for (int i = 0; i < 64; i++) {
		while (!(RNG_SR & SR_DRDY)) {
		}
		any |= RNG_DR;
	}
	zassert_not_equal(any & 0x80000000u, 0u, "bit 31 of DR is random too");
}

/* IRQ 90 with the NVIC line left disabled: a ready word with IE set pends it (as on silicon, a
 * level interrupt pends whether or not it is enabled); with the RNG off it can be cleared. */
#define NVIC_ISPR2 REG32(0xE000E208u)
#define NVIC_ICPR2 REG32(0xE000E288u)
#define RNG_IRQ_BIT (1u << (90 - 64))
#define CR_IE (1u << 3)

ZTEST(peripheral, test_interrupt_follows_ready)
{
	RCC_AHB2ENR |= AHB2ENR_RNGEN;
	RNG_CR = CR_RNGEN;
	NVIC_ICPR2 = RNG_IRQ_BIT;
	zassert_equal(NVIC_ISPR2 & RNG_IRQ_BIT, 0u, "no interrupt while IE is clear");
	RNG_CR = CR_RNGEN | CR_IE;
	zassert_not_equal(NVIC_ISPR2 & RNG_IRQ_BIT, 0u, "a ready word with IE set pends IRQ 90");
	RNG_CR = CR_IE;
	NVIC_ICPR2 = RNG_IRQ_BIT;
	zassert_equal(NVIC_ISPR2 & RNG_IRQ_BIT, 0u, "with the RNG off the interrupt stays cleared");
	zassert_equal(RNG_DR, 0u, "a disabled RNG gives no data");
	RNG_CR = 0;
}
#else
#define HIB_CTL REG32(0x400FC010u)
#define HIBCTL_CLK32EN (1u << 6)
#define HIBCTL_WRC (1u << 31)

ZTEST(peripheral, test_ready_flag)
{
	HIB_CTL = HIBCTL_CLK32EN;
	while (!(HIB_CTL & HIBCTL_WRC)) {
	}
	zassert_true(HIB_CTL & HIBCTL_CLK32EN, "the oscillator enable reads back");
}
#endif

ZTEST_SUITE(peripheral, NULL, NULL, NULL, NULL, NULL);
