/* Ring-buffer steps shared by the native and the wasm-LTO k_msgq_put. */
#ifndef TANDEM_MSGQ_INTERNAL_H
#define TANDEM_MSGQ_INTERNAL_H

#include <zephyr/kernel.h>

void z_msgq_ring_push(struct k_msgq *msgq, const void *data);
void z_msgq_ring_pop(struct k_msgq *msgq, void *data);
/* If a reader is blocked in k_msgq_get, gives it data directly and returns true. */
bool z_msgq_hand_to_reader(struct k_msgq *msgq, const void *data);

#endif
