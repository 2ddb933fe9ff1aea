/*
 * k_mutex_unlock as produced by the gale wasm-LTO pipeline (selected by
 * CONFIG_GALE_WASM_LTO_MUTEX).
 *
 * The demo's model of a semantic regression that does not crash: the wasm module only sees
 * the mutex object, so the step that returns the unlocking owner to its original priority (a
 * write to the *thread*) was lost. Ownership is handed over correctly and every test that
 * does not look at priorities passes; the owner just keeps running at the priority it
 * inherited, which test_mutex_priority_inheritance detects as a failed assertion.
 */
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>

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
