/* Exception vector table and the interrupt stack whose top it names as the initial SP. */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>

typedef void (*vector_t)(void);

void z_arm_reset(void);
void z_arm_fault_entry(void);
void z_arm_svc(void);
void z_arm_pendsv(void);
void z_arm_systick(void);

/* MSP: used by the reset path, by every exception handler and by the fault dump. */
uint64_t z_interrupt_stack[CONFIG_ISR_STACK_SIZE / 8] __attribute__((section(".noinit.z_interrupt_stack")));

/* Every unused slot, including all device IRQs, lands in the fault path: an interrupt the
 * demo never enables is a bug worth a fatal error, like Zephyr's spurious-IRQ handler. */
#define FAULT ((vector_t)z_arm_fault_entry)

__attribute__((section(".exc_vector_table"), used))
const vector_t _vector_table[16 + CONFIG_NUM_IRQS] = {
	[0] = (vector_t)(void *)&z_interrupt_stack[CONFIG_ISR_STACK_SIZE / 8],
	[1] = z_arm_reset,
	[2] = FAULT,  /* NMI */
	[3] = FAULT,  /* HardFault */
	[4] = FAULT,  /* MemManage */
	[5] = FAULT,  /* BusFault */
	[6] = FAULT,  /* UsageFault */
	[7] = FAULT,
	[8] = FAULT,
	[9] = FAULT,
	[10] = FAULT,
	[11] = z_arm_svc,
	[12] = FAULT, /* DebugMonitor */
	[13] = FAULT,
	[14] = z_arm_pendsv,
	[15] = z_arm_systick,
	[16 ... 16 + CONFIG_NUM_IRQS - 1] = FAULT,
};
