/*
 * qemu_cortex_m3: TI LM3S6965 as QEMU's lm3s6965evb emulates it. Console on UART0 (a PL011
 * variant), pins PA0/PA1, 115200 8N1.
 *
 * QEMU transmits whatever is written to UARTDR without any set-up; the initialisation below
 * is what the real part needs, so the image also says what it would do on silicon.
 */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/board.h>

#define SYSCTL_RCGC1 REG32(0x400FE104u)
#define SYSCTL_RCGC2 REG32(0x400FE108u)
#define RCGC1_UART0  (1u << 0)
#define RCGC2_GPIOA  (1u << 0)

#define GPIOA_AFSEL REG32(0x40004420u)
#define GPIOA_DEN   REG32(0x4000451Cu)
#define PA0_PA1     0x3u

#define UART0_BASE  0x4000C000u
#define UART0_DR    REG32(UART0_BASE + 0x000u)
#define UART0_FR    REG32(UART0_BASE + 0x018u)
#define UART0_IBRD  REG32(UART0_BASE + 0x024u)
#define UART0_FBRD  REG32(UART0_BASE + 0x028u)
#define UART0_LCRH  REG32(UART0_BASE + 0x02Cu)
#define UART0_CTL   REG32(UART0_BASE + 0x030u)
#define FR_TXFF     (1u << 5)
#define LCRH_FEN    (1u << 4)
#define LCRH_WLEN_8 (3u << 5)
#define CTL_UARTEN  (1u << 0)
#define CTL_TXE     (1u << 8)
#define CTL_RXE     (1u << 9)

#define CONSOLE_BAUD 115200u

void board_early_init(void)
{
	/* The part runs from its reset clock; CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC is Zephyr's
	 * value for this board. */
}

void board_console_init(void)
{
	/* Baud divisor = clock / (16 * baud), in 16.6 fixed point, rounded. */
	uint32_t div64 = (uint32_t)((CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC * 4ull + CONSOLE_BAUD / 2) /
				    CONSOLE_BAUD);

	SYSCTL_RCGC1 |= RCGC1_UART0;
	SYSCTL_RCGC2 |= RCGC2_GPIOA;
	/* The data sheet asks for a few clocks between gating a peripheral on and using it. */
	(void)SYSCTL_RCGC2;
	(void)SYSCTL_RCGC2;

	GPIOA_AFSEL |= PA0_PA1;
	GPIOA_DEN |= PA0_PA1;

	UART0_CTL = 0;
	UART0_IBRD = div64 >> 6;
	UART0_FBRD = div64 & 0x3fu;
	UART0_LCRH = LCRH_WLEN_8 | LCRH_FEN;
	UART0_CTL = CTL_UARTEN | CTL_TXE | CTL_RXE;
}

void board_console_putc(char c)
{
	while (UART0_FR & FR_TXFF) {
	}
	UART0_DR = (uint8_t)c;
}
