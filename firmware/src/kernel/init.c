/* Kernel start-up: board, faults, scheduler, tick, then the main thread. */
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/board.h>
#include <tandem/kernel_internal.h>

int main(void);
void z_arm_enter_main_thread(uint32_t *psp_top, void (*entry)(void));

K_THREAD_STACK_DEFINE(z_main_stack, CONFIG_MAIN_STACK_SIZE);

void z_print_banner(void)
{
#if defined(CONFIG_BOOT_BANNER)
	printk("*** " CONFIG_BOOT_BANNER_STRING " " TANDEM_BUILD_VERSION " ***\n");
#endif
}

static void bg_thread_main(void)
{
	z_print_banner();
	(void)main();
	/* As in Zephyr, returning from main() only ends the main thread. */
	k_thread_abort(&z_main_thread);
}

void z_kernel_init(void)
{
	board_early_init();
	board_console_init();
	z_fault_init();
	z_sched_init();
	z_clock_init();
	z_arm_enter_main_thread((uint32_t *)&z_main_stack[ARRAY_SIZE(z_main_stack)], bg_thread_main);
	for (;;) {
	}
}
