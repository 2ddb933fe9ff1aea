/* The SysTick time base, uptime and cycle counters, timers and irq_offload. */
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/kernel_internal.h>

#define CYC_PER_TICK (CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC / CONFIG_SYS_CLOCK_TICKS_PER_SEC)
_Static_assert(CYC_PER_TICK >= 2 && CYC_PER_TICK <= 0x1000000, "tick does not fit SysTick");

void z_sched_expire_timeouts(void);
bool z_sched_timeouts_pending(void);

volatile int64_t z_tick;
static struct k_timer *z_timers;

void z_clock_init(void)
{
	SYST_CSR = 0;
	SYST_RVR = CYC_PER_TICK - 1;
	SYST_CVR = 0;
	/* CLKSOURCE=processor clock: the reference clock is board-specific (and absent on
	 * QEMU's lm3s6965evb). */
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void z_arm_systick(void)
{
	z_tick++;
	z_timeout_announce();
}

void z_timeout_announce(void)
{
	struct k_timer *timer = z_timers;

	z_sched_expire_timeouts();
	while (timer != NULL) {
		struct k_timer *next = timer->next;

		if (timer->deadline >= 0 && z_tick >= timer->deadline) {
			if (timer->period > 0) {
				timer->deadline += timer->period;
			} else {
				k_timer_stop(timer);
			}
			if (timer->expiry_fn != NULL) {
				timer->expiry_fn(timer);
			}
		}
		timer = next;
	}
}

bool z_timeouts_pending(void)
{
	return z_timers != NULL || z_sched_timeouts_pending();
}

int64_t k_uptime_get(void)
{
	unsigned int key = irq_lock();
	int64_t ticks = z_tick;

	irq_unlock(key);
	return ticks * 1000 / CONFIG_SYS_CLOCK_TICKS_PER_SEC;
}

uint32_t k_uptime_get_32(void)
{
	return (uint32_t)k_uptime_get();
}

uint64_t k_cycle_get_64(void)
{
	unsigned int key = irq_lock();
	uint32_t val = SYST_CVR;
	uint64_t ticks = (uint64_t)z_tick;

	/* The counter wrapped but the tick interrupt has not run (we hold it off): count that
	 * tick here, and re-read the counter so it belongs to the new period. */
	if (SCB_ICSR & ICSR_PENDSTSET) {
		val = SYST_CVR;
		ticks++;
	}
	irq_unlock(key);
	return ticks * CYC_PER_TICK + (CYC_PER_TICK - 1 - val);
}

uint32_t k_cycle_get_32(void)
{
	return (uint32_t)k_cycle_get_64();
}

uint32_t k_cyc_to_ms_ceil32(uint32_t cycles)
{
	return (uint32_t)(((uint64_t)cycles * 1000 + CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC - 1) /
			  CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC);
}

void k_busy_wait(uint32_t usec)
{
	uint64_t start = k_cycle_get_64();
	uint64_t cycles = (uint64_t)usec * CONFIG_SYS_CLOCK_HW_CYCLES_PER_SEC / 1000000u;

	while (k_cycle_get_64() - start < cycles) {
	}
}

void k_timer_init(struct k_timer *timer, k_timer_expiry_t expiry_fn, void *unused_stop_fn)
{
	ARG_UNUSED(unused_stop_fn);
	k_timer_stop(timer);
	timer->expiry_fn = expiry_fn;
	timer->user_data = NULL;
}

void k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period)
{
	unsigned int key = irq_lock();

	k_timer_stop(timer);
	timer->deadline = z_tick + duration.ticks + 1;
	timer->period = (K_TIMEOUT_EQ(period, K_FOREVER) || period.ticks <= 0) ? 0 : period.ticks;
	timer->next = z_timers;
	z_timers = timer;
	irq_unlock(key);
}

void k_timer_stop(struct k_timer *timer)
{
	unsigned int key = irq_lock();

	for (struct k_timer **pp = &z_timers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == timer) {
			*pp = timer->next;
			break;
		}
	}
	timer->next = NULL;
	timer->deadline = -1;
	irq_unlock(key);
}

void z_timers_stop_all(void)
{
	unsigned int key = irq_lock();

	while (z_timers != NULL) {
		k_timer_stop(z_timers);
	}
	irq_unlock(key);
}

static irq_offload_routine_t offload_routine;
static const void *offload_param;

void z_arm_pendsv(void)
{
	if (offload_routine != NULL) {
		offload_routine(offload_param);
		offload_routine = NULL;
	}
}

void irq_offload(irq_offload_routine_t routine, const void *parameter)
{
	offload_routine = routine;
	offload_param = parameter;
	SCB_ICSR = ICSR_PENDSVSET;
	/* The exception is taken here, once the write has reached the SCB. */
	__asm__ volatile("dsb\n\tisb" ::: "memory");
}
