/*
 * Suite "msgq_api": message queues. With CONFIG_GALE_WASM_LTO_MSGQ the wasm-LTO k_msgq_put
 * takes a queue holding max_msgs - 1 messages for full, so test_msgq_put_until_full blocks
 * forever in its last K_FOREVER put: the image goes silent after that test's START line.
 */
#include <zephyr/ztest.h>

#define STACK_SIZE 1024
#define SLOTS 4

static char ring[8 * sizeof(uint32_t)];
static struct k_msgq msgq;
static struct k_thread helper;
static K_THREAD_STACK_DEFINE(helper_stack, STACK_SIZE);
static volatile int helper_rc;
static volatile uint32_t helper_msg;

ZTEST(msgq_api, test_msgq_get_empty_timeout)
{
	uint32_t msg;
	int64_t start = k_uptime_get();

	k_msgq_init(&msgq, ring, sizeof(uint32_t), SLOTS);
	zassert_equal(k_msgq_get(&msgq, &msg, K_MSEC(5)), -EAGAIN, "get from an empty queue");
	zassert_true(k_uptime_get() - start >= 5, "timed out early");
}

static void get_forever(void *p1, void *p2, void *p3)
{
	uint32_t msg = 0;

	ARG_UNUSED(p1);
	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	helper_rc = k_msgq_get(&msgq, &msg, K_FOREVER);
	helper_msg = msg;
}

ZTEST(msgq_api, test_msgq_put_get_fifo)
{
	uint32_t msg;

	k_msgq_init(&msgq, ring, sizeof(uint32_t), 8);
	for (uint32_t i = 1; i <= 3; i++) {
		zassert_ok(k_msgq_put(&msgq, &i, K_NO_WAIT), "put %u", (unsigned int)i);
	}
	zassert_equal(k_msgq_num_used_get(&msgq), 3u, "used slots");
	for (uint32_t i = 1; i <= 3; i++) {
		zassert_ok(k_msgq_get(&msgq, &msg, K_NO_WAIT));
		zassert_equal(msg, i, "out of order: got %u", (unsigned int)msg);
	}

	/* A reader already blocked on the empty queue gets the message directly. */
	helper_rc = 1;
	k_thread_create(&helper, helper_stack, K_THREAD_STACK_SIZEOF(helper_stack), get_forever,
			NULL, NULL, NULL, -5, 0, K_NO_WAIT);
	msg = 0xc0ffee;
	zassert_ok(k_msgq_put(&msgq, &msg, K_NO_WAIT));
	k_thread_join(&helper, K_FOREVER);
	zassert_ok(helper_rc, "blocked reader");
	zassert_equal(helper_msg, 0xc0ffeeu, "blocked reader got 0x%x", (unsigned int)helper_msg);
	zassert_equal(k_msgq_num_used_get(&msgq), 0u, "message left in the queue");
}

ZTEST(msgq_api, test_msgq_put_until_full)
{
	uint32_t msg;

	k_msgq_init(&msgq, ring, sizeof(uint32_t), SLOTS);
	printk("filling all %d slots with K_FOREVER puts\n", SLOTS);
	/* There is room for each of these, so K_FOREVER must not block. */
	for (uint32_t i = 0; i < SLOTS; i++) {
		zassert_ok(k_msgq_put(&msgq, &i, K_FOREVER), "put %u", (unsigned int)i);
	}
	zassert_equal(k_msgq_num_free_get(&msgq), 0u, "free slots in a full queue");
	msg = 99;
	zassert_equal(k_msgq_put(&msgq, &msg, K_NO_WAIT), -ENOMSG, "put into a full queue");
	for (uint32_t i = 0; i < SLOTS; i++) {
		zassert_ok(k_msgq_get(&msgq, &msg, K_NO_WAIT));
		zassert_equal(msg, i, "out of order: got %u", (unsigned int)msg);
	}
}

ZTEST(msgq_api, test_msgq_ring_wraparound)
{
	k_msgq_init(&msgq, ring, sizeof(uint32_t), SLOTS);
	/* Two in, two out, ten times: both ring pointers wrap several times. */
	for (uint32_t round = 0; round < 10; round++) {
		uint32_t in[2] = {round * 2, round * 2 + 1};
		uint32_t out;

		zassert_ok(k_msgq_put(&msgq, &in[0], K_NO_WAIT));
		zassert_ok(k_msgq_put(&msgq, &in[1], K_NO_WAIT));
		for (int i = 0; i < 2; i++) {
			zassert_ok(k_msgq_get(&msgq, &out, K_NO_WAIT));
			zassert_equal(out, in[i], "round %u: got %u", (unsigned int)round,
				      (unsigned int)out);
		}
	}
	zassert_equal(k_msgq_num_used_get(&msgq), 0u, "queue not empty");
}

ZTEST_SUITE(msgq_api, NULL, NULL, NULL, NULL, NULL);
