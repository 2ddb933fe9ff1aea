/* Cortex-M system registers and the kernel's private interfaces to the arch layer. */
#ifndef TANDEM_ARCH_H
#define TANDEM_ARCH_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* System Control Block */
#define SCB_ICSR   REG32(0xE000ED04u)
#define SCB_VTOR   REG32(0xE000ED08u)
#define SCB_CCR    REG32(0xE000ED14u)
#define SCB_SHPR2  REG32(0xE000ED1Cu)
#define SCB_SHPR3  REG32(0xE000ED20u)
#define SCB_SHCSR  REG32(0xE000ED24u)
#define SCB_CFSR   REG32(0xE000ED28u)
#define SCB_HFSR   REG32(0xE000ED2Cu)
#define SCB_MMFAR  REG32(0xE000ED34u)
#define SCB_BFAR   REG32(0xE000ED38u)

#define ICSR_PENDSVSET  (1u << 28)
#define ICSR_PENDSTSET  (1u << 26)
#define ICSR_PENDSTCLR  (1u << 25)
#define CCR_DIV_0_TRP   (1u << 4)
#define SHCSR_USGFAULTENA (1u << 18)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_MEMFAULTENA (1u << 16)

/* SysTick */
#define SYST_CSR   REG32(0xE000E010u)
#define SYST_RVR   REG32(0xE000E014u)
#define SYST_CVR   REG32(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)

/* The registers the core pushes on exception entry, in stack order. */
struct arch_esf {
	uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
};

static inline uint32_t arch_ipsr(void)
{
	uint32_t v;

	__asm__ volatile("mrs %0, ipsr" : "=r"(v));
	return v;
}

/* Saves the callee-saved registers on the current stack, stores SP in *save_sp, and resumes
 * the context whose SP is new_sp (swap.S). */
void z_arm_context_switch(uint32_t **save_sp, uint32_t *new_sp);

/* Sleeps forever with interrupts masked and the tick stopped, so an emulator idles instead of
 * spinning. */
__attribute__((noreturn)) void arch_system_halt(void);

#endif
