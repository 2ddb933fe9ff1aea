/* Reset: C runtime set-up, then into the kernel. */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/kernel_internal.h>

extern uint32_t __data_start[], __data_end[], __data_load_start[];
extern uint32_t __bss_start[], __bss_end[];
extern const void *_vector_table[];

void z_arm_reset(void)
{
	/* Plain loops, not memcpy/memset: nothing of the C runtime may be assumed yet. */
	const uint32_t *src = __data_load_start;

	for (uint32_t *dst = __data_start; dst < __data_end;) {
		*dst++ = *src++;
	}
	for (uint32_t *dst = __bss_start; dst < __bss_end;) {
		*dst++ = 0;
	}

	/* A debugger or boot ROM may have left VTOR elsewhere (the STM32 aliases flash at 0). */
	SCB_VTOR = (uint32_t)(uintptr_t)_vector_table;
	__asm__ volatile("dsb\n\tisb" ::: "memory");

	z_kernel_init();
}
