/* What a board provides to the runtime (boards/<board>/board.c). */
#ifndef TANDEM_BOARD_H
#define TANDEM_BOARD_H

/* Clocks and anything else that must run before the console is used. */
void board_early_init(void);
/* Brings up the console UART. */
void board_console_init(void);
/* Blocking write of one byte to the console UART; safe in any context, including faults. */
void board_console_putc(char c);

#endif
