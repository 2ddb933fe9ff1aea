/*
 * k_mutex_unlock as produced by the gale wasm-LTO pipeline (selected by
 * CONFIG_GALE_WASM_LTO_MUTEX).
 *
 * The demo's model of a semantic regression that does not crash: the wasm module only sees
 * the mutex object, so the step that returns the unlocking owner to its original priority (a
 * write to the *thread*) was lost. Ownership is handed over correctly and every test that
 * does not look at priorities passes; the owner just keeps running at the priority it
 * inherited, which test_mutex_priority_inheritance detects as a failed assertion.
 *
 * The module works on a copy of the mutex in its linear memory (wasm_memory.h): it costs more
 * instructions per unlock than the native function, and its out-of-bounds traps are paths no
 * test reaches.
 */
#include <stddef.h>
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>
#include "wasm_memory.h"

/* The module's answer: the unlock only dropped one level of a recursive lock. */
#define WASM_MUTEX_HELD 0
/* The last level went: the shim hands the mutex to a waiter or frees it. */
#define WASM_MUTEX_RELEASE 1

static struct wasm_memory mutex_memory = WASM_MEMORY_INIT;

/* The translated wasm function, named as gale's synth names them (synth_k_<primitive>_body). */
__attribute__((noinline)) int32_t synth_k_mutex_unlock_body(struct wasm_memory *m, uint32_t mutex, uint32_t current);
__attribute__((noinline)) int32_t synth_k_mutex_unlock_body(struct wasm_memory *m, uint32_t mutex, uint32_t current)
{
	uint32_t owner = wasm_load32(m, mutex + offsetof(struct k_mutex, owner));
	uint32_t count;

	if (owner == 0) {
		return -EINVAL;
	}
	if (owner != current) {
		return -EPERM;
	}
	count = wasm_load32(m, mutex + offsetof(struct k_mutex, lock_count));
	if (count > 1) {
		wasm_store32(m, mutex + offsetof(struct k_mutex, lock_count), count - 1);
		return WASM_MUTEX_HELD;
	}
	return WASM_MUTEX_RELEASE;
}

int k_mutex_unlock(struct k_mutex *mutex)
{
	unsigned int key = irq_lock();
	uint32_t frame = wasm_frame_push(&mutex_memory, sizeof(*mutex));
	struct k_thread *new_owner;
	int32_t rc;

	wasm_copy_in(&mutex_memory, frame, mutex, sizeof(*mutex));
	rc = synth_k_mutex_unlock_body(&mutex_memory, frame, (uint32_t)z_current);
	wasm_copy_out(&mutex_memory, frame, mutex, sizeof(*mutex));
	wasm_frame_pop(&mutex_memory, sizeof(*mutex));
	if (rc != WASM_MUTEX_RELEASE) {
		irq_unlock(key);
		return rc;
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
