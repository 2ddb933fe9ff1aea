/* Counting semaphores. k_sem_give lives here unless CONFIG_GALE_WASM_LTO_SEM takes it from
 * sem_wasm.c instead. */
#include <zephyr/kernel.h>
#include <tandem/kernel_internal.h>

int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	if (limit == 0 || initial_count > limit) {
		return -EINVAL;
	}
	sem->count = initial_count;
	sem->limit = limit;
	return 0;
}

int k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	unsigned int key = irq_lock();

	if (sem->count > 0) {
		sem->count--;
		irq_unlock(key);
		return 0;
	}
	if (K_TIMEOUT_EQ(timeout, K_NO_WAIT) || k_is_in_isr()) {
		irq_unlock(key);
		return -EBUSY;
	}
	return z_pend_curr(key, &sem->wait_q, timeout);
}

void k_sem_reset(struct k_sem *sem)
{
	unsigned int key = irq_lock();

	/* Waiters are released empty-handed, as in Zephyr. */
	while (z_unpend_first(&sem->wait_q, -EAGAIN) != NULL) {
	}
	sem->count = 0;
	z_reschedule(key);
}

unsigned int k_sem_count_get(struct k_sem *sem)
{
	return sem->count;
}

#if !defined(CONFIG_GALE_WASM_LTO_SEM)
void k_sem_give(struct k_sem *sem)
{
	unsigned int key = irq_lock();

	/* A waiter takes the unit directly; otherwise count, saturating at the limit. */
	if (z_unpend_first(&sem->wait_q, 0) == NULL) {
		sem->count += (sem->count != sem->limit) ? 1u : 0u;
	}
	z_reschedule(key);
}
#endif
