/*
 * k_sem_give as produced by the gale wasm-LTO pipeline (selected by CONFIG_GALE_WASM_LTO_SEM).
 *
 * This is the demo's model of a miscompiled primitive. The wasm source guards the increment
 * with a checked add whose overflow branch is wasm `unreachable`; after translation to Thumb
 * that branch is a permanently-undefined instruction. The native kernel saturates at the
 * limit instead, so giving a semaphore that is already at its limit, which is legal in
 * Zephyr, becomes a UsageFault here. The harness uses it to exercise crash detection.
 *
 * The module works on a copy of the semaphore in its linear memory (wasm_memory.h): it costs
 * more instructions per give than the native function, and its out-of-bounds traps are paths
 * no test reaches.
 */
#include <stddef.h>
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>
#include "wasm_memory.h"

static struct wasm_memory sem_memory = WASM_MEMORY_INIT;

/* What wasm `unreachable` lowers to: UDF, which raises UsageFault (UNDEFINSTR). */
static inline __attribute__((always_inline)) void wasm_trap_unreachable(void)
{
	__asm__ volatile("udf #0" ::: "memory");
}

/*
 * The translated wasm function, named as gale's synth names them (synth_k_<primitive>_body):
 * its own function, as in a real wasm-LTO image, so a crash inside it is attributed to the module.
 */
__attribute__((noinline)) unsigned int synth_k_sem_give_body(unsigned int count, unsigned int limit);
__attribute__((noinline)) unsigned int synth_k_sem_give_body(unsigned int count, unsigned int limit)
{
	if (count == limit) {
		wasm_trap_unreachable();
	}
	return count + 1;
}

void k_sem_give(struct k_sem *sem)
{
	unsigned int key = irq_lock();
	uint32_t frame;
	uint32_t count;

	if (z_unpend_first(&sem->wait_q, 0) == NULL) {
		frame = wasm_frame_push(&sem_memory, sizeof(*sem));
		wasm_copy_in(&sem_memory, frame, sem, sizeof(*sem));
		count = synth_k_sem_give_body(wasm_load32(&sem_memory, frame + offsetof(struct k_sem, count)),
					      wasm_load32(&sem_memory, frame + offsetof(struct k_sem, limit)));
		wasm_store32(&sem_memory, frame + offsetof(struct k_sem, count), count);
		wasm_copy_out(&sem_memory, frame, sem, sizeof(*sem));
		wasm_frame_pop(&sem_memory, sizeof(*sem));
	}
	z_reschedule(key);
}
