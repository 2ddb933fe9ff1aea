/* printk: formatted output to the console UART, Zephyr's printk subset. */
#ifndef TANDEM_ZEPHYR_SYS_PRINTK_H
#define TANDEM_ZEPHYR_SYS_PRINTK_H

#include <stdarg.h>

/* Conversions: %d %i %u %x %X %o %c %s %p %%; flags '-' '0' '+' ' '; width and precision
 * (also '*'); length modifiers hh h l ll z j t. Each '\n' leaves the UART as "\r\n". */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
