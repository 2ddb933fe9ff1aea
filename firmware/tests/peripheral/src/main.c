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
