/*
 * Message queues: fixed-size messages in a ring buffer of max_msgs slots, all of them usable
 * (used_msgs tells full from empty). Readers block while it is empty, writers while it is
 * full; both wait on the same queue since they never wait at the same time. k_msgq_put lives
 * here unless CONFIG_GALE_WASM_LTO_MSGQ takes it from msgq_wasm.c instead.
 */
#include <string.h>
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>
#include "msgq_internal.h"

void k_msgq_init(struct k_msgq *msgq, char *buffer, size_t msg_size, uint32_t max_msgs)
{
	msgq->msg_size = msg_size;
	msgq->max_msgs = max_msgs;
	msgq->buffer_start = buffer;
	msgq->buffer_end = buffer + msg_size * max_msgs;
	msgq->read_ptr = buffer;
	msgq->write_ptr = buffer;
	msgq->used_msgs = 0;
}

void z_msgq_ring_push(struct k_msgq *msgq, const void *data)
{
	memcpy(msgq->write_ptr, data, msgq->msg_size);
	msgq->write_ptr += msgq->msg_size;
	if (msgq->write_ptr == msgq->buffer_end) {
		msgq->write_ptr = msgq->buffer_start;
	}
	msgq->used_msgs++;
}

void z_msgq_ring_pop(struct k_msgq *msgq, void *data)
{
	memcpy(data, msgq->read_ptr, msgq->msg_size);
	msgq->read_ptr += msgq->msg_size;
	if (msgq->read_ptr == msgq->buffer_end) {
		msgq->read_ptr = msgq->buffer_start;
	}
	msgq->used_msgs--;
}

bool z_msgq_hand_to_reader(struct k_msgq *msgq, const void *data)
{
	/* Anyone waiting on a queue that holds nothing is a reader. */
	struct k_thread *reader = msgq->used_msgs == 0 ? z_waitq_first(&msgq->wait_q) : NULL;

	if (reader == NULL) {
		return false;
	}
	memcpy(reader->swap_data, data, msgq->msg_size);
	z_ready_thread(reader, 0);
	return true;
}

#if !defined(CONFIG_GALE_WASM_LTO_MSGQ)
int k_msgq_put(struct k_msgq *msgq, const void *data, k_timeout_t timeout)
{
	unsigned int key = irq_lock();

	if (z_msgq_hand_to_reader(msgq, data)) {
		z_reschedule(key);
		return 0;
	}
	if (msgq->used_msgs < msgq->max_msgs) {
		z_msgq_ring_push(msgq, data);
		irq_unlock(key);
		return 0;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT) || k_is_in_isr()) {
		irq_unlock(key);
		return -ENOMSG;
	}
	/* The reader that frees a slot copies our message in and wakes us. */
	z_current->swap_data = (void *)data;
	return z_pend_curr(key, &msgq->wait_q, timeout);
}
#endif

int k_msgq_get(struct k_msgq *msgq, void *data, k_timeout_t timeout)
{
	unsigned int key = irq_lock();
	struct k_thread *writer;

	if (msgq->used_msgs > 0) {
		z_msgq_ring_pop(msgq, data);
		/* A slot is free now: the longest-waiting writer gets it. */
		writer = z_waitq_first(&msgq->wait_q);
		if (writer != NULL) {
			z_msgq_ring_push(msgq, writer->swap_data);
			z_ready_thread(writer, 0);
		}
		z_reschedule(key);
		return 0;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT) || k_is_in_isr()) {
		irq_unlock(key);
		return -ENOMSG;
	}
	z_current->swap_data = data;
	return z_pend_curr(key, &msgq->wait_q, timeout);
}

void k_msgq_purge(struct k_msgq *msgq)
{
	unsigned int key = irq_lock();

	/* Blocked writers lose their message, as in Zephyr. */
	while (z_unpend_first(&msgq->wait_q, -ENOMSG) != NULL) {
	}
	msgq->used_msgs = 0;
	msgq->read_ptr = msgq->write_ptr;
	z_reschedule(key);
}

uint32_t k_msgq_num_used_get(struct k_msgq *msgq)
{
	return msgq->used_msgs;
}

uint32_t k_msgq_num_free_get(struct k_msgq *msgq)
{
	return msgq->max_msgs - msgq->used_msgs;
}
