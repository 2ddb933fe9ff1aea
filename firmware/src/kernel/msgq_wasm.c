/*
 * k_msgq_put as produced by the gale wasm-LTO pipeline (selected by CONFIG_GALE_WASM_LTO_MSGQ).
 *
 * The demo's model of a hang. The wasm build decides "full" from the ring indices alone, the
 * textbook ring buffer that keeps one slot empty, while this kernel's ring uses every slot
 * and counts them. So with max_msgs - 1 messages queued it believes the queue is full: with
 * K_NO_WAIT it refuses a message early, and with K_FOREVER the writer blocks waiting for a
 * reader that, in a single-threaded test, never comes. Nothing more is printed; the harness
 * must classify the silence.
 */
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>
#include "msgq_internal.h"

static bool wasm_ring_full(const struct k_msgq *msgq)
{
	const char *next = msgq->write_ptr + msgq->msg_size;

	if (next == msgq->buffer_end) {
		next = msgq->buffer_start;
	}
	return next == msgq->read_ptr;
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
