/*
 * Suites "mutex_api" and "mutex_api_1cpu": mutexes and priority inheritance. With
 * CONFIG_GALE_WASM_LTO_MUTEX the wasm-LTO k_mutex_unlock leaves the owner at its inherited
 * priority, so test_mutex_priority_inheritance fails its assertion; everything else passes.
 *
 * The test thread starts at priority -1 (CONFIG_ZTEST_THREAD_PRIORITY); helpers are created
 * at higher or lower priorities to decide who runs first, since the kernel is cooperative.
 */
#include <zephyr/ztest.h>

#define STACK_SIZE 1024
#define PRIO_OWNER 10
#define PRIO_WAITER 5

static struct k_mutex mutex;
static struct k_sem release;
static struct k_thread helper;
static K_THREAD_STACK_DEFINE(helper_stack, STACK_SIZE);
static volatile int helper_rc;
static volatile int helper_prio_seen;

/* Takes the mutex and holds it until `release` is given. */
static void hold_mutex(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	helper_rc = k_mutex_lock(&mutex, K_FOREVER);
	k_sem_take(&release, K_FOREVER);
	k_mutex_unlock(&mutex);
}

static void try_lock(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	helper_rc = k_mutex_lock(&mutex, K_NO_WAIT);
	if (helper_rc == 0) {
		k_mutex_unlock(&mutex);
	}
}

static void start_holder(int prio)
{
	k_mutex_init(&mutex);
	k_sem_init(&release, 0, 1);
	helper_rc = 1;
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), hold_mutex,
			NULL, NULL, NULL, prio, 0, K_NO_WAIT);
	/* A lower-priority holder needs the CPU once to take the mutex. */
	while (helper_rc == 1) {
		k_msleep(1);
	}
	zassert_ok(helper_rc, "holder could not lock");
}

static void stop_holder(void)
{
	k_sem_give(&release);
	k_thread_join(&helper, K_FOREVER);
}

ZTEST(mutex_api, test_mutex_lock_no_wait_busy)
{
	start_holder(-5);
	zassert_equal(k_mutex_lock(&mutex, K_NO_WAIT), -EBUSY, "locked a mutex another thread holds");
	stop_holder();
	zassert_ok(k_mutex_lock(&mutex, K_NO_WAIT), "mutex still held after the holder left");
	zassert_ok(k_mutex_unlock(&mutex));
}

ZTEST(mutex_api, test_mutex_lock_unlock)
{
	zassert_ok(k_mutex_init(&mutex));
	zassert_ok(k_mutex_lock(&mutex, K_FOREVER));
	zassert_ok(k_mutex_unlock(&mutex));
	zassert_equal(k_mutex_unlock(&mutex), -EINVAL, "unlocked an unlocked mutex");
}

ZTEST(mutex_api, test_mutex_recursive)
{
	zassert_ok(k_mutex_init(&mutex));
	for (int i = 0; i < 3; i++) {
		zassert_ok(k_mutex_lock(&mutex, K_NO_WAIT), "recursive lock %d", i);
	}
	zassert_equal(mutex.lock_count, 3u, "lock count");

	/* Still held after two of three unlocks: another thread cannot get it. */
	zassert_ok(k_mutex_unlock(&mutex));
	zassert_ok(k_mutex_unlock(&mutex));
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), try_lock, NULL,
			NULL, NULL, -5, 0, K_NO_WAIT);
	zassert_equal(helper_rc, -EBUSY, "other thread locked a held mutex");

	zassert_ok(k_mutex_unlock(&mutex));
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), try_lock, NULL,
			NULL, NULL, -5, 0, K_NO_WAIT);
	zassert_ok(helper_rc, "mutex not free after the last unlock");
}

ZTEST_SUITE(mutex_api, NULL, NULL, NULL, NULL, NULL);

ZTEST(mutex_api_1cpu, test_mutex_lock_timeout)
{
	int64_t start;

	start_holder(PRIO_OWNER);
	start = k_uptime_get();
	zassert_equal(k_mutex_lock(&mutex, K_MSEC(5)), -EAGAIN, "lock did not time out");
	zassert_true(k_uptime_get() - start >= 5, "timed out early");
	/* The holder was boosted while we waited; the boost must end with the wait. */
	zassert_equal(k_thread_priority_get(&helper), PRIO_OWNER, "holder kept the boost");
	stop_holder();
}

/* Blocks on the mutex the test thread holds, then records what it saw once it got it. */
static void wait_for_mutex(void *p1, void *p2, void *p3)
{
	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	helper_rc = k_mutex_lock(&mutex, K_FOREVER);
	helper_prio_seen = k_thread_priority_get(k_current_get());
	k_mutex_unlock(&mutex);
}

ZTEST(mutex_api_1cpu, test_mutex_priority_inheritance)
{
	int owner_prio;

	zassert_ok(k_mutex_init(&mutex));
	k_thread_priority_set(k_current_get(), PRIO_OWNER);
	zassert_ok(k_mutex_lock(&mutex, K_FOREVER));

	/* The waiter outranks us: it runs at once, blocks on the mutex, and lends us its
	 * priority. */
	helper_rc = 1;
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), wait_for_mutex,
			NULL, NULL, NULL, PRIO_WAITER, 0, K_NO_WAIT);
	zassert_equal(helper_rc, 1, "waiter got a held mutex");
	owner_prio = k_thread_priority_get(k_current_get());
	zassert_equal(owner_prio, PRIO_WAITER, "owner runs at %d while a priority %d thread waits",
		      owner_prio, PRIO_WAITER);

	/* Unlocking hands the mutex over, drops us back to our own priority, and so lets the
	 * waiter run to completion before we continue. */
	zassert_ok(k_mutex_unlock(&mutex));
	owner_prio = k_thread_priority_get(k_current_get());
	zassert_equal(owner_prio, PRIO_OWNER, "owner still at priority %d after unlock, expected %d",
		      owner_prio, PRIO_OWNER);
	zassert_ok(helper_rc, "waiter did not get the mutex");
	zassert_equal(helper_prio_seen, PRIO_WAITER, "waiter ran at %d", helper_prio_seen);
	k_thread_join(&helper, K_FOREVER);
}

ZTEST(mutex_api_1cpu, test_mutex_unlock_not_owner)
{
	start_holder(-5);
	zassert_equal(k_mutex_unlock(&mutex), -EPERM, "unlocked a mutex another thread holds");
	stop_holder();
}

ZTEST_SUITE(mutex_api_1cpu, NULL, NULL, NULL, NULL, NULL);
