/* Fatal error reporting as Zephyr's kernel/fatal.c prints it, then halt (no fatal hook: the
 * demo, like a default ztest image, has nothing to recover into). */
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/kernel_internal.h>

static const char *reason_to_str(unsigned int reason)
{
	switch (reason) {
	case K_ERR_CPU_EXCEPTION:
		return "CPU exception";
	case K_ERR_SPURIOUS_IRQ:
		return "Unhandled interrupt";
	case K_ERR_STACK_CHK_FAIL:
		return "Stack overflow";
	case K_ERR_KERNEL_OOPS:
		return "Kernel oops";
	case K_ERR_KERNEL_PANIC:
		return "Kernel panic";
	default:
		return "Unknown error";
	}
}

void z_fatal_error(unsigned int reason, const struct arch_esf *esf, bool in_isr)
{
	struct k_thread *thread = z_current;
	const char *name = (thread != NULL && thread->name[0] != '\0') ? thread->name : "unknown";

	ARG_UNUSED(esf);
	LOG_ERR(">>> ZEPHYR FATAL ERROR %u: %s on CPU %d", reason, reason_to_str(reason), 0);
	if (in_isr) {
		LOG_ERR("Fault during interrupt handling");
	}
	LOG_ERR("Current thread: %p (%s)", (void *)thread, name);
	LOG_ERR("Halting system");
	arch_system_halt();
}
