/*
 * printk: a small printf-style formatter writing straight to the console UART.
 * Own implementation rather than newlib's printf: no heap, no reentrancy structures, usable
 * from the fault handler, and the output bytes are fully under our control.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/sys/printk.h>
#include <tandem/board.h>

/* Zephyr's UART console turns "\n" into "\r\n"; the harness expects exactly that. */
static void console_out(char c)
{
	if (c == '\n') {
		board_console_putc('\r');
	}
	board_console_putc(c);
}

struct spec {
	bool left;
	bool zero;
	bool plus;
	bool space;
	int width;
	int precision; /* -1: none */
};

static void out_repeat(char c, int n)
{
	while (n-- > 0) {
		console_out(c);
	}
}

static void out_str(const struct spec *sp, const char *s)
{
	int len = 0;

	if (s == NULL) {
		s = "(null)";
	}
	while (s[len] != '\0' && (sp->precision < 0 || len < sp->precision)) {
		len++;
	}
	if (!sp->left) {
		out_repeat(' ', sp->width - len);
	}
	for (int i = 0; i < len; i++) {
		console_out(s[i]);
	}
	if (sp->left) {
		out_repeat(' ', sp->width - len);
	}
}

static void out_num(const struct spec *sp, uint64_t value, bool negative, unsigned int base,
		    bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0;
	int plen = 0;
	char sign = 0;
	int zeros;
	int total;

	/* 32-bit division where possible: the 64-bit helper is slow on a Cortex-M3. */
	if (value <= UINT32_MAX) {
		uint32_t v = (uint32_t)value;

		do {
			buf[n++] = digits[v % base];
			v /= base;
		} while (v != 0);
	} else {
		do {
			buf[n++] = digits[value % base];
			value /= base;
		} while (value != 0);
	}
	if (sp->precision == 0 && n == 1 && buf[0] == '0') {
		n = 0;
	}

	if (negative) {
		sign = '-';
	} else if (sp->plus) {
		sign = '+';
	} else if (sp->space) {
		sign = ' ';
	}
	while (prefix != NULL && prefix[plen] != '\0') {
		plen++;
	}

	zeros = (sp->precision > n) ? sp->precision - n : 0;
	total = (sign ? 1 : 0) + plen + zeros + n;
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}

	if (!sp->left) {
		out_repeat(' ', sp->width - total);
	}
	if (sign) {
		console_out(sign);
	}
	for (int i = 0; i < plen; i++) {
		console_out(prefix[i]);
	}
	out_repeat('0', zeros);
	while (n > 0) {
		console_out(buf[--n]);
	}
	if (sp->left) {
		out_repeat(' ', sp->width - total);
	}
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

void vprintk(const char *fmt, va_list ap)
{
	while (*fmt != '\0') {
		struct spec sp = {.precision = -1};
		enum length len = LEN_INT;
		bool alt = false;
		char c = *fmt++;

		if (c != '%') {
			console_out(c);
			continue;
		}

		for (;; fmt++) {
			if (*fmt == '-') {
				sp.left = true;
			} else if (*fmt == '0') {
				sp.zero = true;
			} else if (*fmt == '+') {
				sp.plus = true;
			} else if (*fmt == ' ') {
				sp.space = true;
			} else if (*fmt == '#') {
				alt = true;
			} else {
				break;
			}
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9') {
				sp.width = sp.width * 10 + (*fmt++ - '0');
			}
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = 0;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9') {
					sp.precision = sp.precision * 10 + (*fmt++ - '0');
				}
			}
		}
		if (*fmt == 'h') {
			fmt++;
			len = LEN_SHORT;
			if (*fmt == 'h') {
				fmt++;
				len = LEN_CHAR;
			}
		} else if (*fmt == 'l') {
			fmt++;
			len = LEN_LONG;
			if (*fmt == 'l') {
				fmt++;
				len = LEN_LLONG;
			}
		} else if (*fmt == 'z' || *fmt == 't') {
			fmt++;
			len = LEN_SIZE;
		} else if (*fmt == 'j') {
			fmt++;
			len = LEN_LLONG;
		}

		c = *fmt;
		if (c == '\0') {
			break;
		}
		fmt++;

		switch (c) {
		case 'd':
		case 'i': {
			int64_t v;

			if (len == LEN_LLONG) {
				v = va_arg(ap, long long);
			} else if (len == LEN_LONG) {
				v = va_arg(ap, long);
			} else {
				v = va_arg(ap, int);
				if (len == LEN_SHORT) {
					v = (short)v;
				} else if (len == LEN_CHAR) {
					v = (signed char)v;
				}
			}
			out_num(&sp, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false,
				NULL);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			unsigned int base = (c == 'u') ? 10 : (c == 'o') ? 8 : 16;
			const char *prefix = NULL;

			if (len == LEN_LLONG) {
				v = va_arg(ap, unsigned long long);
			} else if (len == LEN_LONG) {
				v = va_arg(ap, unsigned long);
			} else {
				v = va_arg(ap, unsigned int);
				if (len == LEN_SHORT) {
					v = (unsigned short)v;
				} else if (len == LEN_CHAR) {
					v = (unsigned char)v;
				}
			}
			if (alt && v != 0) {
				prefix = (c == 'x') ? "0x" : (c == 'X') ? "0X" : (c == 'o') ? "0" : NULL;
			}
			out_num(&sp, v, false, base, c == 'X', prefix);
			break;
		}
		case 'p':
			/* Zephyr prints pointers as 0x plus the hex digits, without padding. */
			out_num(&sp, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
			break;
		case 'c': {
			char ch = (char)va_arg(ap, int);

			if (!sp.left) {
				out_repeat(' ', sp.width - 1);
			}
			console_out(ch);
			if (sp.left) {
				out_repeat(' ', sp.width - 1);
			}
			break;
		}
		case 's':
			out_str(&sp, va_arg(ap, const char *));
			break;
		case '%':
			console_out('%');
			break;
		default:
			/* Unknown conversion: show it rather than guess at its argument. */
			console_out('%');
			console_out(c);
			break;
		}
	}
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
