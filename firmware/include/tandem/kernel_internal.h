/* Scheduler internals shared by the kernel objects (src/kernel). All of these expect
 * interrupts to be locked by the caller. */
#ifndef TANDEM_KERNEL_INTERNAL_H
#define TANDEM_KERNEL_INTERNAL_H

#include <zephyr/kernel.h>

enum z_thread_state {
	Z_THREAD_DEAD = 0,   /* zero so a never-created (zeroed) thread reads as dead */
	Z_THREAD_READY,
	Z_THREAD_PENDING,
	Z_THREAD_SLEEPING,
	Z_THREAD_SUSPENDED,
};

extern struct k_thread *z_current;
extern struct k_thread z_main_thread;
extern volatile int64_t z_tick;

/* Puts the current thread on wait_q (timeout may be K_FOREVER but not K_NO_WAIT), runs other
 * threads until it is woken, re-enables interrupts per key, and returns the wake-up value
 * (0, or -EAGAIN when the timeout expired). */
int z_pend_curr(unsigned int key, _wait_q_t *wait_q, k_timeout_t timeout);

/* Highest-priority (then longest-waiting) thread pending on wait_q, or NULL. */
struct k_thread *z_waitq_first(_wait_q_t *wait_q);
/* Removes z_waitq_first() from wait_q and makes it ready with swap_retval = retval. */
struct k_thread *z_unpend_first(_wait_q_t *wait_q, int retval);
void z_ready_thread(struct k_thread *thread, int retval);

/* Switches to a ready thread of higher priority than the current one, if there is one and
 * we are not in an interrupt; then restores key. */
void z_reschedule(unsigned int key);

/* Called from the SysTick handler: expires timed waits and timers. */
void z_timeout_announce(void);
/* True when a timed wait or a timer can still make something ready. */
bool z_timeouts_pending(void);

void z_kernel_init(void);
void z_sched_init(void);
void z_clock_init(void);
void z_fault_init(void);
void z_print_banner(void);

struct arch_esf;
__attribute__((noreturn)) void z_fatal_error(unsigned int reason, const struct arch_esf *esf,
					    bool in_isr);

#define LOG_ERR(fmt, ...) printk("E: " fmt "\n", ##__VA_ARGS__)

#endif
