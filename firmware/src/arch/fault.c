/*
 * Fault reporting in the format of Zephyr's arch/arm/core/cortex_m/fault.c and
 * arch/arm/core/fatal.c (CONFIG_FAULT_DUMP=2, minimal logging), so that a harness parsing
 * real Zephyr crashes parses these too.
 */
#include <stdint.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/kernel_internal.h>

/* CFSR bits */
#define MMFSR_IACCVIOL  (1u << 0)
#define MMFSR_DACCVIOL  (1u << 1)
#define MMFSR_MUNSTKERR (1u << 3)
#define MMFSR_MSTKERR   (1u << 4)
#define MMFSR_MLSPERR   (1u << 5)
#define MMFSR_MMARVALID (1u << 7)
#define BFSR_IBUSERR    (1u << 8)
#define BFSR_PRECISERR  (1u << 9)
#define BFSR_IMPRECISERR (1u << 10)
#define BFSR_UNSTKERR   (1u << 11)
#define BFSR_STKERR     (1u << 12)
#define BFSR_LSPERR     (1u << 13)
#define BFSR_BFARVALID  (1u << 15)
#define UFSR_UNDEFINSTR (1u << 16)
#define UFSR_INVSTATE   (1u << 17)
#define UFSR_INVPC      (1u << 18)
#define UFSR_NOCP       (1u << 19)
#define UFSR_UNALIGNED  (1u << 24)
#define UFSR_DIVBYZERO  (1u << 25)
#define HFSR_VECTTBL    (1u << 1)
#define HFSR_FORCED     (1u << 30)
#define HFSR_DEBUGEVT   (1u << 31)

#define EXC_RETURN_SPSEL_PROCESS (1u << 2)
#define EXC_RETURN_MODE_THREAD   (1u << 3)

void z_fault_init(void)
{
	/* Without these enables every fault escalates to HardFault and the dump could not say
	 * "USAGE FAULT". Division by zero traps, as Zephyr configures it. */
	SCB_SHCSR |= SHCSR_USGFAULTENA | SHCSR_BUSFAULTENA | SHCSR_MEMFAULTENA;
	SCB_CCR |= CCR_DIV_0_TRP;
	/* PendSV and SysTick at the lowest priority so faults and SVC always preempt them. */
	SCB_SHPR3 = (SCB_SHPR3 & 0x0000ffffu) | 0xffff0000u;
}

static void mem_manage_fault(uint32_t cfsr)
{
	LOG_ERR("***** MPU FAULT *****");
	if (cfsr & MMFSR_MSTKERR) {
		LOG_ERR("  Stacking error (context area might be not valid)");
	}
	if (cfsr & MMFSR_MUNSTKERR) {
		LOG_ERR("  Unstacking error");
	}
	if (cfsr & MMFSR_DACCVIOL) {
		LOG_ERR("  Data Access Violation");
		if (cfsr & MMFSR_MMARVALID) {
			LOG_ERR("  MMFAR Address: 0x%x", (unsigned int)SCB_MMFAR);
		}
	}
	if (cfsr & MMFSR_IACCVIOL) {
		LOG_ERR("  Instruction Access Violation");
	}
	if (cfsr & MMFSR_MLSPERR) {
		LOG_ERR("  Floating-point lazy state preservation error");
	}
}

static void bus_fault(uint32_t cfsr)
{
	LOG_ERR("***** BUS FAULT *****");
	if (cfsr & BFSR_STKERR) {
		LOG_ERR("  Stacking error");
	}
	if (cfsr & BFSR_UNSTKERR) {
		LOG_ERR("  Unstacking error");
	}
	if (cfsr & BFSR_PRECISERR) {
		LOG_ERR("  Precise data bus error");
		if (cfsr & BFSR_BFARVALID) {
			LOG_ERR("  BFAR Address: 0x%x", (unsigned int)SCB_BFAR);
		}
	}
	if (cfsr & BFSR_IMPRECISERR) {
		LOG_ERR("  Imprecise data bus error");
	}
	if (cfsr & BFSR_IBUSERR) {
		LOG_ERR("  Instruction bus error");
	}
	if (cfsr & BFSR_LSPERR) {
		LOG_ERR("  Floating-point lazy state preservation error");
	}
}

static void usage_fault(uint32_t cfsr)
{
	LOG_ERR("***** USAGE FAULT *****");
	if (cfsr & UFSR_DIVBYZERO) {
		LOG_ERR("  Division by zero");
	}
	if (cfsr & UFSR_UNALIGNED) {
		LOG_ERR("  Unaligned memory access");
	}
	if (cfsr & UFSR_NOCP) {
		LOG_ERR("  No coprocessor instructions");
	}
	if (cfsr & UFSR_INVPC) {
		LOG_ERR("  Illegal load of EXC_RETURN into PC");
	}
	if (cfsr & UFSR_INVSTATE) {
		LOG_ERR("  Illegal use of the EPSR");
	}
	if (cfsr & UFSR_UNDEFINSTR) {
		LOG_ERR("  Attempt to execute undefined instruction");
	}
}

static void hard_fault(uint32_t cfsr)
{
	uint32_t hfsr = SCB_HFSR;

	LOG_ERR("***** HARD FAULT *****");
	if (hfsr & HFSR_VECTTBL) {
		LOG_ERR("  Bus fault on vector table read");
	} else if (hfsr & HFSR_DEBUGEVT) {
		LOG_ERR("  Debug event");
	} else if (hfsr & HFSR_FORCED) {
		/* An escalated fault: report the configurable fault that caused it. */
		LOG_ERR("  Fault escalation (see below)");
		if (cfsr & 0xffu) {
			mem_manage_fault(cfsr);
		} else if (cfsr & 0xff00u) {
			bus_fault(cfsr);
		} else if (cfsr & 0xffff0000u) {
			usage_fault(cfsr);
		}
	}
}

static void esf_dump(const struct arch_esf *esf)
{
	LOG_ERR("r0/a1:  0x%08x  r1/a2:  0x%08x  r2/a3:  0x%08x", (unsigned int)esf->r0,
		(unsigned int)esf->r1, (unsigned int)esf->r2);
	LOG_ERR("r3/a4:  0x%08x r12/ip:  0x%08x r14/lr:  0x%08x", (unsigned int)esf->r3,
		(unsigned int)esf->r12, (unsigned int)esf->lr);
	LOG_ERR(" xpsr:  0x%08x", (unsigned int)esf->xpsr);
	LOG_ERR("Faulting instruction address (r15/pc): 0x%08x", (unsigned int)esf->pc);
}

void z_arm_fault(const struct arch_esf *esf, uint32_t exc_return);
void z_arm_fault(const struct arch_esf *esf, uint32_t exc_return)
{
	uint32_t exc = arch_ipsr() & 0x1ffu;
	uint32_t cfsr = SCB_CFSR;
	unsigned int reason = K_ERR_CPU_EXCEPTION;

	switch (exc) {
	case 3:
		hard_fault(cfsr);
		break;
	case 4:
		mem_manage_fault(cfsr);
		break;
	case 5:
		bus_fault(cfsr);
		break;
	case 6:
		usage_fault(cfsr);
		break;
	case 12:
		LOG_ERR("***** Debug monitor exception *****");
		break;
	default:
		if (exc < 16) {
			LOG_ERR("***** Reserved Exception ( %u) *****", (unsigned int)exc);
		} else {
			LOG_ERR("***** Spurious interrupt (IRQ %u) *****", (unsigned int)(exc - 16));
			reason = K_ERR_SPURIOUS_IRQ;
		}
		break;
	}
	/* Write-one-to-clear, so a debugger attached later sees only this fault's cause. */
	SCB_CFSR = cfsr;

	esf_dump(esf);
	z_fatal_error(reason, esf, (exc_return & EXC_RETURN_MODE_THREAD) == 0);
}

void z_arm_svc_handler(const struct arch_esf *esf, uint32_t exc_return);
void z_arm_svc_handler(const struct arch_esf *esf, uint32_t exc_return)
{
	/* The SVC immediate sits in the low byte of the instruction before the stacked PC. */
	uint8_t svc_number = *((const uint8_t *)(uintptr_t)esf->pc - 2);

	if (svc_number == 2) {
		esf_dump(esf);
		z_fatal_error(esf->r0, esf, (exc_return & EXC_RETURN_MODE_THREAD) == 0);
	}
	LOG_ERR("***** Reserved Exception ( %u) *****", 11u);
	esf_dump(esf);
	z_fatal_error(K_ERR_CPU_EXCEPTION, esf, (exc_return & EXC_RETURN_MODE_THREAD) == 0);
}

__attribute__((noreturn)) void arch_system_halt(void)
{
	__asm__ volatile("cpsid i" ::: "memory");
	/* A pending tick would end every WFI at once: stop the timer and drop what is pending. */
	SYST_CSR = 0;
	SCB_ICSR = ICSR_PENDSTCLR | (1u << 27) /* PENDSVCLR */;
	for (;;) {
		__asm__ volatile("wfi");
	}
}
