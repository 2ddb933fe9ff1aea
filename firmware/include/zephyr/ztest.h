/*
 * A ztest work-alike: the registration macros, assertions and console output of Zephyr's
 * ztest (new API, 3.5), enough for the demo test apps. Each test runs in its own thread,
 * named after the test, like Zephyr's ztest_thread.
 */
#ifndef TANDEM_ZEPHYR_ZTEST_H
#define TANDEM_ZEPHYR_ZTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <zephyr/kernel.h>

struct ztest_unit_test_stats {
	uint32_t run_count;
	uint32_t skip_count;
	uint32_t fail_count;
	uint32_t pass_count;
	uint32_t duration_worst_ms;
};

struct ztest_suite_stats {
	uint32_t run_count;
	uint32_t skip_count;
	uint32_t fail_count;
};

struct ztest_unit_test {
	const char *test_suite_name;
	const char *name;
	void (*test)(void *data);
	uint32_t thread_options;
	struct ztest_unit_test_stats *stats;
};

typedef void *(*ztest_suite_setup_t)(void);
typedef void (*ztest_suite_before_t)(void *fixture);
typedef void (*ztest_suite_after_t)(void *fixture);
typedef void (*ztest_suite_teardown_t)(void *fixture);
typedef bool (*ztest_suite_predicate_t)(const void *global_state);

struct ztest_suite_node {
	const char *name;
	ztest_suite_setup_t setup;
	ztest_suite_before_t before;
	ztest_suite_after_t after;
	ztest_suite_teardown_t teardown;
	ztest_suite_predicate_t predicate;
	struct ztest_suite_stats *stats;
};

/* The section names carry the suite and test names so that the linker's SORT_BY_NAME
 * (src/arch/common.ld) reproduces Zephyr's alphabetical order. */
#define ZTEST_SUITE(SUITE_NAME, PREDICATE, setup_fn, before_fn, after_fn, teardown_fn)             \
	static struct ztest_suite_stats z_ztest_suite_stats_##SUITE_NAME;                           \
	static const struct ztest_suite_node z_ztest_suite_node_##SUITE_NAME                         \
		__attribute__((used, aligned(4), section(".tandem_ztest_suite." #SUITE_NAME))) = { \
			.name = #SUITE_NAME,                                                        \
			.setup = (setup_fn),                                                        \
			.before = (before_fn),                                                      \
			.after = (after_fn),                                                        \
			.teardown = (teardown_fn),                                                  \
			.predicate = (PREDICATE),                                                   \
			.stats = &z_ztest_suite_stats_##SUITE_NAME,                                 \
	}

#define Z_ZTEST_REGISTER(suite, fn, wrapper)                                                       \
	static struct ztest_unit_test_stats z_ztest_unit_test_stats_##suite##_##fn;                 \
	static const struct ztest_unit_test z_ztest_unit_test__##suite##__##fn                        \
		__attribute__((used, aligned(4),                                                    \
			       section(".tandem_ztest_test." #suite "." #fn))) = {                  \
			.test_suite_name = #suite,                                                  \
			.name = #fn,                                                                \
			.test = (wrapper),                                                          \
			.thread_options = 0,                                                        \
			.stats = &z_ztest_unit_test_stats_##suite##_##fn,                           \
	}

/* The body is named <suite>_<test>, so __func__ in an assertion message reads like Zephyr's. */
#define ZTEST(suite, fn)                                                                           \
	static void suite##_##fn(void);                                                            \
	static void z_ztest_wrapper_##suite##_##fn(void *data)                                     \
	{                                                                                          \
		ARG_UNUSED(data);                                                                  \
		suite##_##fn();                                                                    \
	}                                                                                          \
	Z_ZTEST_REGISTER(suite, fn, z_ztest_wrapper_##suite##_##fn);                                \
	static void suite##_##fn(void)

/* As ZTEST, with the suite's fixture (what setup returned) as `fixture`. */
#define ZTEST_F(suite, fn)                                                                         \
	static void suite##_##fn(struct suite##_fixture *fixture);                                 \
	static void z_ztest_wrapper_##suite##_##fn(void *data)                                     \
	{                                                                                          \
		suite##_##fn((struct suite##_fixture *)data);                                      \
	}                                                                                          \
	Z_ZTEST_REGISTER(suite, fn, z_ztest_wrapper_##suite##_##fn);                                \
	static void suite##_##fn(struct suite##_fixture *fixture)

void ztest_test_fail(void);
void ztest_test_pass(void);
void ztest_test_skip(void);

enum z_check_kind { Z_CHECK_ASSERT, Z_CHECK_ASSUME, Z_CHECK_EXPECT };

/* Reports a failed check (and, per kind, ends the test as FAIL or SKIP, or marks it failed
 * and lets it go on). msg may be "" for no message: Zephyr then prints the default message
 * without parentheses. Returns cond. */
bool z_ztest_check(enum z_check_kind kind, bool cond, const char *default_msg, const char *file,
		   int line, const char *func, const char *msg, ...)
	__attribute__((format(printf, 7, 8)));

/* `"" __VA_ARGS__` makes the message optional; it must be a string literal when given. */
#define Z_CHECK(kind, cond, default_msg, ...)                                                      \
	z_ztest_check(kind, (cond), default_msg, __FILE__, __LINE__, __func__, "" __VA_ARGS__)

#define zassert(cond, default_msg, ...) (void)Z_CHECK(Z_CHECK_ASSERT, cond, default_msg, __VA_ARGS__)
#define zassume(cond, default_msg, ...) (void)Z_CHECK(Z_CHECK_ASSUME, cond, default_msg, __VA_ARGS__)
#define zexpect(cond, default_msg, ...) (void)Z_CHECK(Z_CHECK_EXPECT, cond, default_msg, __VA_ARGS__)

#define zassert_unreachable(...) zassert(0, "Reached unreachable code", __VA_ARGS__)
#define zassert_true(cond, ...) zassert(cond, #cond " is false", __VA_ARGS__)
#define zassert_false(cond, ...) zassert(!(cond), #cond " is true", __VA_ARGS__)
#define zassert_ok(cond, ...) zassert(!(cond), #cond " is non-zero", __VA_ARGS__)
#define zassert_is_null(ptr, ...) zassert((ptr) == NULL, #ptr " is not NULL", __VA_ARGS__)
#define zassert_not_null(ptr, ...) zassert((ptr) != NULL, #ptr " is NULL", __VA_ARGS__)
#define zassert_equal(a, b, ...) zassert((a) == (b), #a " not equal to " #b, __VA_ARGS__)
#define zassert_not_equal(a, b, ...) zassert((a) != (b), #a " equal to " #b, __VA_ARGS__)
#define zassert_mem_equal(buf, exp, size, ...)                                                     \
	zassert(memcmp(buf, exp, size) == 0, #buf " not equal to " #exp, __VA_ARGS__)

#define zassume_true(cond, ...) zassume(cond, #cond " is false", __VA_ARGS__)
#define zassume_false(cond, ...) zassume(!(cond), #cond " is true", __VA_ARGS__)
#define zassume_equal(a, b, ...) zassume((a) == (b), #a " not equal to " #b, __VA_ARGS__)

#define zexpect_true(cond, ...) zexpect(cond, #cond " is false", __VA_ARGS__)
#define zexpect_false(cond, ...) zexpect(!(cond), #cond " is true", __VA_ARGS__)
#define zexpect_equal(a, b, ...) zexpect((a) == (b), #a " not equal to " #b, __VA_ARGS__)

#endif
