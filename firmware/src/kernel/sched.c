/*
 * Threads and the cooperative scheduler.
 *
 * The kernel keeps one list of live threads and picks by scanning it: the demo never has more
 * than a handful of threads, and a scan keeps wait queues, the ready queue and timeouts as
 * plain fields of the thread (pended_on, state, deadline) with nothing to keep in sync.
 */
#include <string.h>
#include <zephyr/kernel.h>
#include <tandem/arch.h>
#include <tandem/kernel_internal.h>

struct k_thread *z_current;
struct k_thread z_main_thread;
static struct k_thread *z_threads;
static uint32_t z_seq;

static void z_link(struct k_thread *thread)
{
	thread->next = z_threads;
	z_threads = thread;
}

static void z_unlink(struct k_thread *thread)
{
	for (struct k_thread **pp = &z_threads; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == thread) {
			*pp = thread->next;
			thread->next = NULL;
			return;
		}
	}
}

static bool z_is_linked(struct k_thread *thread)
{
	for (struct k_thread *t = z_threads; t != NULL; t = t->next) {
		if (t == thread) {
			return true;
		}
	}
	return false;
}

/* a runs before b: higher priority, then whoever got in line first. */
static bool z_goes_first(const struct k_thread *a, const struct k_thread *b)
{
	if (a->prio != b->prio) {
		return a->prio < b->prio;
	}
	return (int32_t)(a->seq - b->seq) < 0;
}

static struct k_thread *z_next_ready(void)
{
	struct k_thread *best = NULL;

	for (struct k_thread *t = z_threads; t != NULL; t = t->next) {
		if (t->state == Z_THREAD_READY && (best == NULL || z_goes_first(t, best))) {
			best = t;
		}
	}
	return best;
}

struct k_thread *z_waitq_first(_wait_q_t *wait_q)
{
	struct k_thread *best = NULL;

	for (struct k_thread *t = z_threads; t != NULL; t = t->next) {
		if (t->state == Z_THREAD_PENDING && t->pended_on == wait_q &&
		    (best == NULL || z_goes_first(t, best))) {
			best = t;
		}
	}
	return best;
}

void z_ready_thread(struct k_thread *thread, int retval)
{
	thread->pended_on = NULL;
	thread->deadline = -1;
	thread->swap_retval = retval;
	thread->state = Z_THREAD_READY;
	thread->seq = ++z_seq;
}

struct k_thread *z_unpend_first(_wait_q_t *wait_q, int retval)
{
	struct k_thread *thread = z_waitq_first(wait_q);

	if (thread != NULL) {
		z_ready_thread(thread, retval);
	}
	return thread;
}

/* Nothing is ready. Wait for an interrupt to change that, or stop for good when no interrupt
 * ever can: the demo's only interrupt source is the tick, and it only wakes timed waits and
 * timers. Halting then is what keeps a deadlocked image silent and the emulator idle. */
static void z_idle(void)
{
	if (!z_timeouts_pending()) {
		arch_system_halt();
	}
	/* Zephyr's arch_cpu_idle sequence: an interrupt masked by BASEPRI would not end WFI, one
	 * masked only by PRIMASK does; it then runs at cpsie, with no window to miss it in. */
	__asm__ volatile("cpsid i\n\t"
			 "msr basepri, %0\n\t"
			 "isb\n\t"
			 "wfi\n\t"
			 "cpsie i\n\t"
			 "isb\n\t"
			 "msr basepri, %1\n\t"
			 "isb" ::"r"(0u),
			 "r"(Z_IRQ_LOCK_BASEPRI)
			 : "memory");
}

/* Runs the best ready thread; returns (with key restored) when the caller runs again. */
static int z_swap(unsigned int key)
{
	struct k_thread *old = z_current;
	struct k_thread *next;

	while ((next = z_next_ready()) == NULL) {
		z_idle();
	}
	if (next != old) {
		z_current = next;
		z_arm_context_switch(&old->sp, next->sp);
	}
	irq_unlock(key);
	return z_current->swap_retval;
}

void z_reschedule(unsigned int key)
{
	struct k_thread *next = z_next_ready();

	if (!k_is_in_isr() && next != NULL && next != z_current &&
	    (z_current->state != Z_THREAD_READY || next->prio < z_current->prio)) {
		(void)z_swap(key);
		return;
	}
	irq_unlock(key);
}

int z_pend_curr(unsigned int key, _wait_q_t *wait_q, k_timeout_t timeout)
{
	struct k_thread *self = z_current;

	self->state = Z_THREAD_PENDING;
	self->pended_on = wait_q;
	self->seq = ++z_seq;
	/* +1: the current tick is already partly over, and a timeout must never be short. */
	self->deadline = K_TIMEOUT_EQ(timeout, K_FOREVER) ? -1 : z_tick + timeout.ticks + 1;
	self->swap_retval = -EAGAIN;
	return z_swap(key);
}

/* New threads start here, from the frame k_thread_create() built, with interrupts locked
 * by whoever switched to them. */
static void z_thread_trampoline(void)
{
	struct k_thread *self = z_current;

	irq_unlock(0);
	self->entry(self->p1, self->p2, self->p3);
	k_thread_abort(self);
}

static void z_abort_locked(struct k_thread *thread)
{
	thread->state = Z_THREAD_DEAD;
	thread->pended_on = NULL;
	thread->deadline = -1;
	z_unlink(thread);
	while (z_unpend_first(&thread->join_q, 0) != NULL) {
	}
}

void z_sched_init(void)
{
	z_main_thread.prio = 0;
	z_main_thread.deadline = -1;
	z_main_thread.state = Z_THREAD_READY;
	strcpy(z_main_thread.name, "main");
	z_link(&z_main_thread);
	z_current = &z_main_thread;
}

k_tid_t k_thread_create(struct k_thread *thread, void *stack, size_t stack_size,
			k_thread_entry_t entry, void *p1, void *p2, void *p3, int prio,
			uint32_t options, k_timeout_t delay)
{
	unsigned int key = irq_lock();
	uint32_t *top = (uint32_t *)(((uintptr_t)stack + stack_size) & ~(uintptr_t)7);
	uint32_t *frame = top - 9; /* r4-r11 and the return address, see swap.S */

	ARG_UNUSED(options);
	if (z_is_linked(thread)) {
		z_abort_locked(thread);
	}
	memset(thread, 0, sizeof(*thread));
	for (int i = 0; i < 8; i++) {
		frame[i] = 0;
	}
	frame[8] = (uint32_t)(uintptr_t)z_thread_trampoline;
	thread->sp = frame;
	thread->entry = entry;
	thread->p1 = p1;
	thread->p2 = p2;
	thread->p3 = p3;
	thread->prio = prio;
	thread->deadline = -1;
	z_link(thread);

	if (K_TIMEOUT_EQ(delay, K_FOREVER)) {
		thread->state = Z_THREAD_SUSPENDED;
		irq_unlock(key);
	} else if (K_TIMEOUT_EQ(delay, K_NO_WAIT)) {
		z_ready_thread(thread, 0);
		z_reschedule(key);
	} else {
		thread->state = Z_THREAD_SLEEPING;
		thread->deadline = z_tick + delay.ticks + 1;
		irq_unlock(key);
	}
	return thread;
}

void k_thread_start(k_tid_t thread)
{
	unsigned int key = irq_lock();

	if (thread->state != Z_THREAD_SUSPENDED) {
		irq_unlock(key);
		return;
	}
	z_ready_thread(thread, 0);
	z_reschedule(key);
}

int k_thread_join(struct k_thread *thread, k_timeout_t timeout)
{
	unsigned int key = irq_lock();

	if (thread->state == Z_THREAD_DEAD) {
		irq_unlock(key);
		return 0;
	}
	if (thread == z_current) {
		irq_unlock(key);
		return -EDEADLK;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT)) {
		irq_unlock(key);
		return -EBUSY;
	}
	return z_pend_curr(key, &thread->join_q, timeout);
}

void k_thread_abort(k_tid_t thread)
{
	unsigned int key = irq_lock();

	if (thread->state == Z_THREAD_DEAD) {
		irq_unlock(key);
		return;
	}
	z_abort_locked(thread);
	if (thread == z_current) {
		(void)z_swap(key);
		/* A dead thread is never switched back to. */
		for (;;) {
		}
	}
	z_reschedule(key);
}

/* ztest calls this between tests so that a helper thread a failed test left behind cannot
 * run into the next test; Zephyr leaves that to each test, which the demo cannot rely on
 * when a test is cut short by a failed assertion. */
void z_abort_all_except(struct k_thread *keep)
{
	unsigned int key = irq_lock();
	struct k_thread *t = z_threads;

	while (t != NULL) {
		struct k_thread *next = t->next;

		if (t != keep && t != z_current) {
			z_abort_locked(t);
		}
		t = next;
	}
	irq_unlock(key);
}

int k_thread_name_set(k_tid_t thread, const char *name)
{
	strncpy(thread->name, name, sizeof(thread->name) - 1);
	thread->name[sizeof(thread->name) - 1] = '\0';
	return 0;
}

const char *k_thread_name_get(k_tid_t thread)
{
	return thread->name;
}

k_tid_t k_current_get(void)
{
	return z_current;
}

int k_thread_priority_get(k_tid_t thread)
{
	return thread->prio;
}

void k_thread_priority_set(k_tid_t thread, int prio)
{
	unsigned int key = irq_lock();

	thread->prio = prio;
	z_reschedule(key);
}

void k_yield(void)
{
	unsigned int key = irq_lock();

	z_current->seq = ++z_seq;
	(void)z_swap(key);
}

int32_t k_sleep(k_timeout_t timeout)
{
	unsigned int key;

	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT)) {
		k_yield();
		return 0;
	}
	key = irq_lock();
	if (K_TIMEOUT_EQ(timeout, K_FOREVER)) {
		z_current->state = Z_THREAD_SUSPENDED;
	} else {
		z_current->state = Z_THREAD_SLEEPING;
		z_current->deadline = z_tick + timeout.ticks + 1;
	}
	(void)z_swap(key);
	return 0;
}

int32_t k_msleep(int32_t ms)
{
	return k_sleep(K_MSEC(ms));
}

bool k_is_in_isr(void)
{
	return arch_ipsr() != 0;
}

/* Called by the tick: hands expired timed waits back to the scheduler. */
void z_sched_expire_timeouts(void)
{
	for (struct k_thread *t = z_threads; t != NULL; t = t->next) {
		if (t->deadline < 0 || z_tick < t->deadline) {
			continue;
		}
		if (t->state == Z_THREAD_PENDING) {
			z_ready_thread(t, -EAGAIN);
		} else if (t->state == Z_THREAD_SLEEPING) {
			z_ready_thread(t, 0);
		}
	}
}

bool z_sched_timeouts_pending(void)
{
	for (struct k_thread *t = z_threads; t != NULL; t = t->next) {
		if (t->deadline >= 0) {
			return true;
		}
	}
	return false;
}
