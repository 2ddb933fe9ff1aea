/*
 * Mutexes with priority inheritance: while a higher-priority thread waits, the owner runs at
 * the waiter's priority, and gets its own back when it unlocks. k_mutex_unlock lives here
 * unless CONFIG_GALE_WASM_LTO_MUTEX takes it from mutex_wasm.c instead.
 */
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>

int k_mutex_init(struct k_mutex *mutex)
{
	mutex->owner = NULL;
	mutex->lock_count = 0;
	mutex->owner_orig_prio = 0;
	return 0;
}

/* The priority the owner deserves now: its own, or that of the best waiter if higher. */
static int owner_prio_with_waiters(struct k_mutex *mutex)
{
	struct k_thread *waiter = z_waitq_first(&mutex->wait_q);
	int prio = mutex->owner_orig_prio;

	if (waiter != NULL && waiter->prio < prio) {
		prio = waiter->prio;
	}
	return prio;
}

int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	unsigned int key = irq_lock();
	struct k_thread *self = z_current;
	int rc;

	if (mutex->lock_count == 0 || mutex->owner == self) {
		if (mutex->lock_count == 0) {
			mutex->owner_orig_prio = self->prio;
		}
		mutex->lock_count++;
		mutex->owner = self;
		irq_unlock(key);
		return 0;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT)) {
		irq_unlock(key);
		return -EBUSY;
	}

	if (self->prio < mutex->owner->prio) {
		mutex->owner->prio = self->prio;
	}
	rc = z_pend_curr(key, &mutex->wait_q, timeout);
	if (rc == 0) {
		return 0; /* the unlocker handed us the mutex */
	}

	/* Timed out: the boost we gave the owner may no longer be deserved. */
	key = irq_lock();
	if (mutex->owner != NULL) {
		mutex->owner->prio = owner_prio_with_waiters(mutex);
	}
	irq_unlock(key);
	return rc;
}

#if !defined(CONFIG_GALE_WASM_LTO_MUTEX)
int k_mutex_unlock(struct k_mutex *mutex)
{
	unsigned int key;
	struct k_thread *new_owner;

	if (mutex->owner == NULL) {
		return -EINVAL;
	}
	if (mutex->owner != z_current) {
		return -EPERM;
	}
	key = irq_lock();
	if (mutex->lock_count > 1) {
		mutex->lock_count--;
		irq_unlock(key);
		return 0;
	}

	/* Give up any inherited priority before handing over. */
	mutex->owner->prio = mutex->owner_orig_prio;

	new_owner = z_unpend_first(&mutex->wait_q, 0);
	mutex->owner = new_owner;
	if (new_owner != NULL) {
		mutex->lock_count = 1;
		mutex->owner_orig_prio = new_owner->prio;
	} else {
		mutex->lock_count = 0;
	}
	z_reschedule(key);
	return 0;
}
#endif
