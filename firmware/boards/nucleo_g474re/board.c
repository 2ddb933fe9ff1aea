/*
 * nucleo_g474re: STM32G474RE brought up the way Zephyr's STM32 clock control does it for this
 * board's devicetree (zephyr-logs/nucleo_g474re/zephyr.dts): SYSCLK 170 MHz from the PLL on
 * the 24 MHz HSE (M=6, N=85, R=2; P=7, Q=2), AHB/APB1/APB2 /1, flash 4 wait states, Range 1
 * boost mode, and the AHB /2 "undershoot prevention" step while switching. Console on LPUART1
 * (PA2 TX, PA3 RX, AF12) at 115200 8N1, clocked from PCLK1.
 *
 * Every wait polls a ready flag, as Zephyr does; an emulator model must set them.
 */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/board.h>

#define RCC_BASE      0x40021000u
#define RCC_CR        REG32(RCC_BASE + 0x00u)
#define RCC_CFGR      REG32(RCC_BASE + 0x08u)
#define RCC_PLLCFGR   REG32(RCC_BASE + 0x0Cu)
#define RCC_AHB2ENR   REG32(RCC_BASE + 0x4Cu)
#define RCC_APB1ENR1  REG32(RCC_BASE + 0x58u)
#define RCC_APB1ENR2  REG32(RCC_BASE + 0x5Cu)
#define RCC_CCIPR     REG32(RCC_BASE + 0x88u)

#define CR_HSEON      (1u << 16)
#define CR_HSERDY     (1u << 17)
#define CR_PLLON      (1u << 24)
#define CR_PLLRDY     (1u << 25)
#define CFGR_SW_MASK  (3u << 0)
#define CFGR_SW_PLL   (3u << 0)
#define CFGR_SWS_MASK (3u << 2)
#define CFGR_SWS_PLL  (3u << 2)
#define CFGR_HPRE_MASK (0xfu << 4)
#define CFGR_HPRE_DIV2 (0x8u << 4)
#define AHB2ENR_GPIOAEN  (1u << 0)
#define APB1ENR1_PWREN   (1u << 28)
#define APB1ENR2_LPUART1EN (1u << 0)
#define CCIPR_LPUART1SEL_MASK (3u << 10) /* 00: PCLK1 */

/* PLLCFGR fields */
#define PLLSRC_HSE    (3u << 0)
#define PLLM(m)       (((m) - 1u) << 4)
#define PLLN(n)       ((n) << 8)
#define PLLPEN        (1u << 16)
#define PLLQEN        (1u << 20)
#define PLLQ(q)       ((((q) / 2u) - 1u) << 21)
#define PLLREN        (1u << 24)
#define PLLR(r)       ((((r) / 2u) - 1u) << 25)
#define PLLPDIV(p)    ((p) << 27)
#define PLLCFGR_170MHZ                                                                             \
	(PLLSRC_HSE | PLLM(6u) | PLLN(85u) | PLLPEN | PLLQEN | PLLQ(2u) | PLLREN | PLLR(2u) |      \
	 PLLPDIV(7u))
_Static_assert(PLLCFGR_170MHZ == 0x39115553u, "PLLCFGR differs from Zephyr's for this board");

#define FLASH_ACR     REG32(0x40022000u)
#define ACR_LATENCY_MASK 0xfu
#define ACR_LATENCY_4WS  4u
#define ACR_PRFTEN    (1u << 8)
#define ACR_ICEN      (1u << 9)
#define ACR_DCEN      (1u << 10)

#define PWR_SR2       REG32(0x40007014u)
#define PWR_CR5       REG32(0x40007080u)
#define SR2_VOSF      (1u << 10)
#define CR5_R1MODE    (1u << 8) /* 1: Range 1 normal, 0: boost (needed above 150 MHz) */

#define GPIOA_BASE    0x48000000u
#define GPIOA_MODER   REG32(GPIOA_BASE + 0x00u)
#define GPIOA_OSPEEDR REG32(GPIOA_BASE + 0x08u)
#define GPIOA_PUPDR   REG32(GPIOA_BASE + 0x0Cu)
#define GPIOA_AFRL    REG32(GPIOA_BASE + 0x20u)

#define LPUART1_BASE  0x40008000u
#define LPUART_CR1    REG32(LPUART1_BASE + 0x00u)
#define LPUART_CR2    REG32(LPUART1_BASE + 0x04u)
#define LPUART_CR3    REG32(LPUART1_BASE + 0x08u)
#define LPUART_BRR    REG32(LPUART1_BASE + 0x0Cu)
#define LPUART_ISR    REG32(LPUART1_BASE + 0x1Cu)
#define LPUART_TDR    REG32(LPUART1_BASE + 0x28u)
#define LPUART_PRESC  REG32(LPUART1_BASE + 0x2Cu)
#define CR1_UE        (1u << 0)
#define CR1_RE        (1u << 2)
#define CR1_TE        (1u << 3)
#define ISR_TXE       (1u << 7)
#define ISR_TEACK     (1u << 21)
#define ISR_REACK     (1u << 22)

#define PCLK1_HZ      CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC
#define CONSOLE_BAUD  115200u

/* Spins on the core alone: SysTick is not running yet. At most 170 cycles per microsecond,
 * and each iteration takes at least one, so this never waits too little. */
static void delay_cycles(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++) {
	}
}

void board_early_init(void)
{
	/* Voltage scaling first: 170 MHz is only allowed in Range 1 boost mode. */
	RCC_APB1ENR1 |= APB1ENR1_PWREN;
	(void)RCC_APB1ENR1;
	PWR_CR5 &= ~CR5_R1MODE;
	while (PWR_SR2 & SR2_VOSF) {
	}

	/* Going faster: raise the flash wait states before the clock, and check they took. */
	FLASH_ACR = (FLASH_ACR & ~ACR_LATENCY_MASK) | ACR_LATENCY_4WS | ACR_PRFTEN | ACR_ICEN |
		    ACR_DCEN;
	while ((FLASH_ACR & ACR_LATENCY_MASK) != ACR_LATENCY_4WS) {
	}

	RCC_CR |= CR_HSEON;
	while (!(RCC_CR & CR_HSERDY)) {
	}

	/* PLLCFGR may only be written while the PLL is off (it is, out of reset). */
	RCC_CR &= ~CR_PLLON;
	while (RCC_CR & CR_PLLRDY) {
	}
	RCC_PLLCFGR = PLLCFGR_170MHZ;
	RCC_CR |= CR_PLLON;
	while (!(RCC_CR & CR_PLLRDY)) {
	}

	/* Undershoot prevention (RM0440 6.1.5): a direct jump from 16 to 170 MHz can dip the
	 * core supply, so switch with HCLK halved and restore the divider after >= 1 us. */
	RCC_CFGR = (RCC_CFGR & ~CFGR_HPRE_MASK) | CFGR_HPRE_DIV2;
	RCC_CFGR = (RCC_CFGR & ~CFGR_SW_MASK) | CFGR_SW_PLL;
	while ((RCC_CFGR & CFGR_SWS_MASK) != CFGR_SWS_PLL) {
	}
	delay_cycles(170);
	RCC_CFGR &= ~CFGR_HPRE_MASK;
}

void board_console_init(void)
{
	RCC_AHB2ENR |= AHB2ENR_GPIOAEN;
	RCC_APB1ENR2 |= APB1ENR2_LPUART1EN;
	(void)RCC_APB1ENR2;
	RCC_CCIPR &= ~CCIPR_LPUART1SEL_MASK;

	/* PA2 (TX, pulled up like the board's pinctrl) and PA3 (RX): alternate function 12. */
	GPIOA_AFRL = (GPIOA_AFRL & ~(0xffu << 8)) | (12u << 8) | (12u << 12);
	GPIOA_OSPEEDR &= ~(0xfu << 4);
	GPIOA_PUPDR = (GPIOA_PUPDR & ~(0xfu << 4)) | (1u << 4);
	GPIOA_MODER = (GPIOA_MODER & ~(0xfu << 4)) | (2u << 4) | (2u << 6);

	/* BRR is written with the UART disabled; for the LPUART it is 256 * fck / baud. */
	LPUART_CR1 = 0;
	LPUART_CR2 = 0;
	LPUART_CR3 = 0;
	LPUART_PRESC = 0;
	LPUART_BRR = (uint32_t)(((uint64_t)PCLK1_HZ * 256u + CONSOLE_BAUD / 2) / CONSOLE_BAUD);
	LPUART_CR1 = CR1_TE | CR1_RE;
	LPUART_CR1 |= CR1_UE;
	/* The transmitter is only usable once it has acknowledged TE. */
	while (!(LPUART_ISR & ISR_TEACK)) {
	}
	while (!(LPUART_ISR & ISR_REACK)) {
	}
}

void board_console_putc(char c)
{
	while (!(LPUART_ISR & ISR_TXE)) {
	}
	LPUART_TDR = (uint8_t)c;
}
