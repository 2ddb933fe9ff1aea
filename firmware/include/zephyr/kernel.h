/*
 * The tandem demo kernel: a cooperative, single-core subset of Zephyr's kernel API, just big
 * enough for the demo test suites. Threads are real (own stacks, context switches) but are
 * switched only when the running thread blocks, yields, or readies a higher-priority thread;
 * interrupts never preempt a thread, they only make threads ready. Lower numbers are higher
 * priorities, as in Zephyr.
 */
#ifndef TANDEM_ZEPHYR_KERNEL_H
#define TANDEM_ZEPHYR_KERNEL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/sys/printk.h>

#define ARG_UNUSED(x) ((void)(x))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- time ---------------------------------------------------------------------------------- */

typedef struct {
	int32_t ticks;
} k_timeout_t;

#define Z_TICKS_FOREVER (-1)
#define K_NO_WAIT ((k_timeout_t){0})
#define K_FOREVER ((k_timeout_t){Z_TICKS_FOREVER})
/* Rounds up so that a timeout never expires early. */
#define K_MSEC(ms)                                                                                 \
	((k_timeout_t){(int32_t)(((int64_t)(ms) * CONFIG_SYS_CLOCK_TICKS_PER_SEC + 999) / 1000)})
#define K_SECONDS(s) K_MSEC((s) * 1000)
#define K_TIMEOUT_EQ(a, b) ((a).ticks == (b).ticks)

int64_t k_uptime_get(void);
uint32_t k_uptime_get_32(void);
uint32_t k_cycle_get_32(void);
uint64_t k_cycle_get_64(void);
uint32_t k_cyc_to_ms_ceil32(uint32_t cycles);
void k_busy_wait(uint32_t usec);

/* ---- interrupts ---------------------------------------------------------------------------- */

/* Locking masks interrupts through BASEPRI, not PRIMASK, as Zephyr does on ARMv7-M: a fault
 * inside a locked region must still be taken as itself (a UsageFault with PRIMASK set would
 * escalate to HardFault), and SVC (k_oops) must still work. Faults and SVC keep priority 0;
 * every interrupt the demo uses runs at the lowest priority. */
#define Z_IRQ_LOCK_BASEPRI 0x20u

static inline unsigned int irq_lock(void)
{
	unsigned int key;

	__asm__ volatile("mrs %0, basepri\n\t"
			 "msr basepri_max, %1\n\t"
			 "isb"
			 : "=&r"(key)
			 : "r"(Z_IRQ_LOCK_BASEPRI)
			 : "memory");
	return key;
}

static inline void irq_unlock(unsigned int key)
{
	__asm__ volatile("msr basepri, %0\n\t"
			 "isb" ::"r"(key)
			 : "memory");
}

bool k_is_in_isr(void);

typedef void (*irq_offload_routine_t)(const void *parameter);
/* Runs routine in exception context (PendSV) and returns once it has run, like Zephyr's. */
void irq_offload(irq_offload_routine_t routine, const void *parameter);

/* ---- threads ------------------------------------------------------------------------------- */

typedef struct {
	uint8_t unused;
} _wait_q_t;

typedef void (*k_thread_entry_t)(void *p1, void *p2, void *p3);

struct k_thread {
	uint32_t *sp;             /* saved by the context switch */
	struct k_thread *next;    /* kernel's list of live threads */
	_wait_q_t *pended_on;     /* wait queue, while pending */
	int64_t deadline;         /* tick of a timed wait or sleep, or -1 */
	uint32_t seq;             /* orders equal priorities first-come first-served */
	int prio;                 /* current priority, possibly boosted by a mutex */
	int swap_retval;          /* what the blocking call returns once the thread runs again */
	void *swap_data;          /* message buffer while pending on a msgq */
	uint8_t state;
	k_thread_entry_t entry;
	void *p1, *p2, *p3;
	_wait_q_t join_q;
	char name[CONFIG_THREAD_MAX_NAME_LEN];
};

typedef struct k_thread *k_tid_t;

/* Stacks are 8-byte aligned as AAPCS wants at public interfaces. */
#define K_THREAD_STACK_DEFINE(sym, size)                                                           \
	uint64_t sym[((size) + 7) / 8] __attribute__((section(".noinit." #sym)))
#define K_THREAD_STACK_SIZEOF(sym) sizeof(sym)

k_tid_t k_thread_create(struct k_thread *thread, void *stack, size_t stack_size,
			k_thread_entry_t entry, void *p1, void *p2, void *p3, int prio,
			uint32_t options, k_timeout_t delay);
void k_thread_start(k_tid_t thread);
int k_thread_join(struct k_thread *thread, k_timeout_t timeout);
void k_thread_abort(k_tid_t thread);
int k_thread_name_set(k_tid_t thread, const char *name);
const char *k_thread_name_get(k_tid_t thread);
k_tid_t k_current_get(void);
int k_thread_priority_get(k_tid_t thread);
void k_thread_priority_set(k_tid_t thread, int prio);
void k_yield(void);
int32_t k_sleep(k_timeout_t timeout);
int32_t k_msleep(int32_t ms);

/* ---- fatal errors -------------------------------------------------------------------------- */

enum k_fatal_error_reason {
	K_ERR_CPU_EXCEPTION,
	K_ERR_SPURIOUS_IRQ,
	K_ERR_STACK_CHK_FAIL,
	K_ERR_KERNEL_OOPS,
	K_ERR_KERNEL_PANIC,
};

/* Raised through SVC, like Zephyr's ARCH_EXCEPT, so the dump shows the caller's registers. */
#define k_oops() __asm__ volatile("mov r0, %0\n\tsvc #2" ::"i"(K_ERR_KERNEL_OOPS) : "r0", "memory")
#define k_panic()                                                                                  \
	__asm__ volatile("mov r0, %0\n\tsvc #2" ::"i"(K_ERR_KERNEL_PANIC) : "r0", "memory")

/* ---- timers -------------------------------------------------------------------------------- */

struct k_timer;
typedef void (*k_timer_expiry_t)(struct k_timer *timer);

struct k_timer {
	struct k_timer *next;
	k_timer_expiry_t expiry_fn;   /* runs in the SysTick interrupt */
	int64_t deadline;             /* -1 while stopped */
	int32_t period;
	void *user_data;
};

void k_timer_init(struct k_timer *timer, k_timer_expiry_t expiry_fn, void *unused_stop_fn);
void k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period);
void k_timer_stop(struct k_timer *timer);

/* ---- semaphores ---------------------------------------------------------------------------- */

struct k_sem {
	_wait_q_t wait_q;
	unsigned int count;
	unsigned int limit;
};

#define K_SEM_MAX_LIMIT 0xffffffffu

int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit);
int k_sem_take(struct k_sem *sem, k_timeout_t timeout);
void k_sem_give(struct k_sem *sem);
void k_sem_reset(struct k_sem *sem);
unsigned int k_sem_count_get(struct k_sem *sem);

/* ---- mutexes ------------------------------------------------------------------------------- */

struct k_mutex {
	_wait_q_t wait_q;
	struct k_thread *owner;
	uint32_t lock_count;
	int owner_orig_prio;
};

int k_mutex_init(struct k_mutex *mutex);
int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout);
int k_mutex_unlock(struct k_mutex *mutex);

/* ---- message queues ------------------------------------------------------------------------ */

struct k_msgq {
	_wait_q_t wait_q;
	size_t msg_size;
	uint32_t max_msgs;
	char *buffer_start;
	char *buffer_end;
	char *read_ptr;
	char *write_ptr;
	uint32_t used_msgs;
};

void k_msgq_init(struct k_msgq *msgq, char *buffer, size_t msg_size, uint32_t max_msgs);
int k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout);
int k_msgq_get(struct k_msgq *msgq, void *data, k_timeout_t timeout);
void k_msgq_purge(struct k_msgq *msgq);
uint32_t k_msgq_num_used_get(struct k_msgq *msgq);
uint32_t k_msgq_num_free_get(struct k_msgq *msgq);

#endif
