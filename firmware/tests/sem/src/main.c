/*
 * Suite "sem_api": counting semaphores. With CONFIG_GALE_WASM_LTO_SEM the wasm-LTO k_sem_give
 * traps in test_sem_limit_saturates (UsageFault, then the system halts), so the tests after it
 * never run.
 */
#include <zephyr/ztest.h>

#define STACK_SIZE 1024

static struct k_sem sem;
static struct k_thread helper;
static K_THREAD_STACK_DEFINE(helper_stack, STACK_SIZE);
static struct k_timer timer;
static volatile int helper_rc;
static volatile bool gave_in_isr;

/* No assertions in here: failing a test from an interrupt could not end the test thread. */
static void give_from_isr(const void *arg)
{
	gave_in_isr = k_is_in_isr();
	k_sem_give((struct k_sem *)arg);
}

static void give_on_expiry(struct k_timer *t)
{
	k_sem_give(t->user_data);
}

ZTEST(sem_api, test_sem_give_from_isr)
{
	int64_t start;

	zassert_ok(k_sem_init(&sem, 0, 10));
	irq_offload(give_from_isr, &sem);
	zassert_true(gave_in_isr, "offloaded routine did not run in an ISR");
	zassert_equal(k_sem_count_get(&sem), 1u, "give from ISR was lost");
	zassert_ok(k_sem_take(&sem, K_NO_WAIT));

	/* A thread blocked on the semaphore is woken by a give from the tick interrupt. */
	k_timer_init(&timer, give_on_expiry, NULL);
	timer.user_data = &sem;
	start = k_uptime_get();
	k_timer_start(&timer, K_MSEC(2), K_NO_WAIT);
	zassert_ok(k_sem_take(&sem, K_FOREVER));
	zassert_true(k_uptime_get() - start >= 2, "woken before the timer expired");
}

ZTEST(sem_api, test_sem_give_take)
{
	zassert_ok(k_sem_init(&sem, 0, 5));
	for (int i = 0; i < 3; i++) {
		k_sem_give(&sem);
	}
	zassert_equal(k_sem_count_get(&sem), 3u, "count after three gives");
	for (int i = 0; i < 3; i++) {
		zassert_ok(k_sem_take(&sem, K_NO_WAIT), "take %d failed", i);
	}
	zassert_equal(k_sem_count_get(&sem), 0u, "count after three takes");
	zassert_equal(k_sem_init(&sem, 2, 1), -EINVAL, "initial count above the limit accepted");
}

ZTEST(sem_api, test_sem_limit_saturates)
{
	zassert_ok(k_sem_init(&sem, 2, 3));
	k_sem_give(&sem);
	zassert_equal(k_sem_count_get(&sem), 3u, "count below the limit");
	/* Legal in Zephyr: the count stays at the limit. */
	printk("giving a semaphore already at its limit (%u)\n", k_sem_count_get(&sem));
	k_sem_give(&sem);
	zassert_equal(k_sem_count_get(&sem), 3u, "count went past the limit");
}

ZTEST(sem_api, test_sem_multicore_give)
{
	/* Needs a second CPU to give while this one takes; the demo boards have one. */
	ztest_test_skip();
}

static void take_forever(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	helper_rc = k_sem_take(p1, K_FOREVER);
}

ZTEST(sem_api, test_sem_reset)
{
	zassert_ok(k_sem_init(&sem, 0, 5));
	k_sem_give(&sem);
	k_sem_give(&sem);
	k_sem_reset(&sem);
	zassert_equal(k_sem_count_get(&sem), 0u, "reset left a count");

	/* A waiter is released with -EAGAIN. The helper outranks us, so it runs (and blocks)
	 * as soon as it is created. */
	helper_rc = 1;
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), take_forever,
			&sem, NULL, NULL, -5, 0, K_NO_WAIT);
	zassert_equal(helper_rc, 1, "helper did not block");
	k_sem_reset(&sem);
	k_thread_join(&helper, K_FOREVER);
	zassert_equal(helper_rc, -EAGAIN, "waiter got %d from a reset", helper_rc);
}

ZTEST(sem_api, test_sem_take_no_wait_fail)
{
	zassert_ok(k_sem_init(&sem, 0, 1));
	zassert_equal(k_sem_take(&sem, K_NO_WAIT), -EBUSY, "take from an empty semaphore");
}

ZTEST(sem_api, test_sem_take_timeout)
{
	int64_t start = k_uptime_get();

	zassert_ok(k_sem_init(&sem, 0, 1));
	zassert_equal(k_sem_take(&sem, K_MSEC(5)), -EAGAIN, "take did not time out");
	zassert_true(k_uptime_get() - start >= 5, "timed out early");
}

ZTEST_SUITE(sem_api, NULL, NULL, NULL, NULL, NULL);
