/*
 * mps2_an521: Arm MPS2+ AN521 (SSE-200, Cortex-M33 + FPU) as QEMU's mps2-an521 emulates it.
 * Console on UART0, a CMSDK APB UART, at its secure alias; 115200 8N1.
 */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/board.h>

/* Coprocessor access: CP10 and CP11 (the FPU) full access. */
#define SCB_CPACR     REG32(0xE000ED88u)
#define CPACR_CP10_11 (0xFu << 20)
/* FP context control: automatic and lazy state preservation off. The demo kernel switches
 * threads with basic exception frames only, so no frame may grow an FP extension. */
#define FPU_FPCCR     REG32(0xE000EF34u)
#define FPCCR_ASPEN   (1u << 31)
#define FPCCR_LSPEN   (1u << 30)

#define UART0_BASE     0x50200000u
#define UART0_DATA     REG32(UART0_BASE + 0x000u)
#define UART0_STATE    REG32(UART0_BASE + 0x004u)
#define UART0_CTRL     REG32(UART0_BASE + 0x008u)
#define UART0_BAUDDIV  REG32(UART0_BASE + 0x010u)
#define STATE_TX_FULL  (1u << 0)
#define CTRL_TX_EN     (1u << 0)
#define CTRL_RX_EN     (1u << 1)

#define CONSOLE_BAUD 115200u

void board_early_init(void)
{
	SCB_CPACR |= CPACR_CP10_11;
	FPU_FPCCR &= ~(FPCCR_ASPEN | FPCCR_LSPEN);
	__asm__ volatile("dsb\n\tisb" ::: "memory");
}

void board_console_init(void)
{
	/* The CMSDK UART divides the peripheral clock by BAUDDIV (at least 16). */
	UART0_BAUDDIV = CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC / CONSOLE_BAUD;
	UART0_CTRL = CTRL_TX_EN | CTRL_RX_EN;
}

void board_console_putc(char c)
{
	while (UART0_STATE & STATE_TX_FULL) {
	}
	UART0_DATA = (uint8_t)c;
}
