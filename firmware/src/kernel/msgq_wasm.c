/*
 * k_msgq_put as produced by the gale wasm-LTO pipeline (selected by CONFIG_GALE_WASM_LTO_MSGQ).
 *
 * The demo's model of a hang. The wasm build decides "full" from the ring indices alone, the
 * textbook ring buffer that keeps one slot empty, while this kernel's ring uses every slot
 * and counts them. So with max_msgs - 1 messages queued it believes the queue is full: with
 * K_NO_WAIT it refuses a message early, and with K_FOREVER the writer blocks waiting for a
 * reader that, in a single-threaded test, never comes. Nothing more is printed; the harness
 * must classify the silence.
 *
 * The module decides on a copy of the queue in its linear memory (wasm_memory.h): it costs more
 * instructions per put than the native function, and its out-of-bounds traps are paths no test
 * reaches.
 */
#include <stddef.h>
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>
#include "msgq_internal.h"
#include "wasm_memory.h"

static struct wasm_memory msgq_memory = WASM_MEMORY_INIT;

/* The translated wasm function (synth_k_<primitive>_body): 1 when the ring looks full. */
__attribute__((noinline)) int32_t synth_k_msgq_put_body(struct wasm_memory *m, uint32_t msgq);
__attribute__((noinline)) int32_t synth_k_msgq_put_body(struct wasm_memory *m, uint32_t msgq)
{
	uint32_t next = wasm_load32(m, msgq + offsetof(struct k_msgq, write_ptr)) +
			wasm_load32(m, msgq + offsetof(struct k_msgq, msg_size));

	if (next == wasm_load32(m, msgq + offsetof(struct k_msgq, buffer_end))) {
		next = wasm_load32(m, msgq + offsetof(struct k_msgq, buffer_start));
	}
	return next == wasm_load32(m, msgq + offsetof(struct k_msgq, read_ptr));
}

static bool wasm_ring_full(const struct k_msgq *msgq)
{
	uint32_t frame = wasm_frame_push(&msgq_memory, sizeof(*msgq));
	int32_t full;

	wasm_copy_in(&msgq_memory, frame, msgq, sizeof(*msgq));
	full = synth_k_msgq_put_body(&msgq_memory, frame);
	wasm_frame_pop(&msgq_memory, sizeof(*msgq));
	return full != 0;
}

int k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout)
{
	unsigned int key = irq_lock();

	if (z_msgq_hand_to_reader(msgq, data)) {
		z_reschedule(key);
		return 0;
	}
	if (!wasm_ring_full(msgq)) {
		z_msgq_ring_push(msgq, data);
		irq_unlock(key);
		return 0;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT) || k_is_in_isr()) {
		irq_unlock(key);
		return -ENOMSG;
	}
	z_current->swap_data = (void *)data;
	return z_pend_curr(key, &msgq->wait_q, timeout);
}
