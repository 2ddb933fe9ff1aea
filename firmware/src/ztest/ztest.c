/*
 * The ztest runner: runs every registered suite and test, in Zephyr's order and with Zephyr's
 * console output (subsys/testsuite ztest.c and tc_util.h, 3.5), then prints the summary and
 * the PROJECT EXECUTION verdict. It provides main(), as Zephyr's ztest does.
 */
#include <stdarg.h>
#include <zephyr/ztest.h>
#include <tandem/kernel_internal.h>

#define PRINT_LINE printk("===================================================================\n")

#define TC_PASS 0
#define TC_FAIL 1
#define TC_SKIP 2

#define Z_STR2(x) #x
#define Z_STR(x) Z_STR2(x)

void z_abort_all_except(struct k_thread *keep);
void z_timers_stop_all(void);

extern const struct ztest_suite_node _ztest_suite_node_list_start[];
extern const struct ztest_suite_node _ztest_suite_node_list_end[];
extern const struct ztest_unit_test _ztest_unit_test_list_start[];
extern const struct ztest_unit_test _ztest_unit_test_list_end[];

enum ztest_phase { PHASE_SETUP, PHASE_BEFORE, PHASE_TEST, PHASE_AFTER, PHASE_TEARDOWN, PHASE_FRAMEWORK };

enum ztest_result {
	RESULT_PENDING,
	RESULT_PASS,
	RESULT_FAIL,
	RESULT_SKIP,
	RESULT_SUITE_SKIP,
	RESULT_SUITE_FAIL,
};

static enum ztest_phase phase = PHASE_FRAMEWORK;
static enum ztest_result test_result;
/* 0 ok, 1 a test failed (or an assumption did), 2 critical error. */
static int test_status;
static bool failed_expectation;

#if defined(CONFIG_ZTEST_FAIL_FAST)
#define IS_FAIL_FAST 1
#else
#define IS_FAIL_FAST 0
#endif

static struct k_thread ztest_thread;
K_THREAD_STACK_DEFINE(ztest_thread_stack, CONFIG_ZTEST_STACK_SIZE);

static const char *result_str(int result)
{
	switch (result) {
	case TC_PASS:
		return "PASS";
	case TC_FAIL:
		return "FAIL";
	case TC_SKIP:
		return "SKIP";
	default:
		return "?";
	}
}

static const char *phase_name(enum ztest_phase p)
{
	switch (p) {
	case PHASE_SETUP:
		return "setup";
	case PHASE_BEFORE:
		return "before";
	case PHASE_TEST:
		return "test";
	case PHASE_AFTER:
		return "after";
	case PHASE_TEARDOWN:
		return "teardown";
	case PHASE_FRAMEWORK:
		return "framework";
	default:
		return "(unknown)";
	}
}

/* Ends the test thread, and the helper thread that reported, if that is another one. */
static void test_finalize(void)
{
	k_thread_abort(&ztest_thread);
	k_thread_abort(k_current_get());
}

void ztest_test_fail(void)
{
	switch (phase) {
	case PHASE_SETUP:
		test_result = RESULT_SUITE_FAIL;
		break;
	case PHASE_BEFORE:
	case PHASE_TEST:
		test_result = RESULT_FAIL;
		test_finalize();
		break;
	default:
		printk(" ERROR: cannot fail in test phase '%s()', bailing\n", phase_name(phase));
		test_status = 2;
		break;
	}
}

void ztest_test_pass(void)
{
	if (phase == PHASE_TEST) {
		test_result = RESULT_PASS;
		test_finalize();
		return;
	}
	printk(" ERROR: cannot pass in test phase '%s()', bailing\n", phase_name(phase));
	test_status = 2;
	if (phase == PHASE_BEFORE) {
		test_finalize();
	}
}

void ztest_test_skip(void)
{
	switch (phase) {
	case PHASE_SETUP:
		test_result = RESULT_SUITE_SKIP;
		break;
	case PHASE_BEFORE:
	case PHASE_TEST:
		test_result = RESULT_SKIP;
		test_finalize();
		break;
	default:
		printk(" ERROR: cannot skip in test phase '%s()', bailing\n", phase_name(phase));
		test_status = 2;
		break;
	}
}

bool z_ztest_check(enum z_check_kind kind, bool cond, const char *default_msg, const char *file,
		   int line, const char *func, const char *msg, ...)
{
	static const char *const what[] = {"Assertion", "Assumption", "Expectation"};

	if (cond) {
#if CONFIG_ZTEST_ASSERT_VERBOSE == 2
		printk("\n   %s succeeded at %s:%d (%s)\n", what[kind], file, line, func);
#endif
		return true;
	}

#if CONFIG_ZTEST_ASSERT_VERBOSE == 0
	ARG_UNUSED(default_msg);
	ARG_UNUSED(func);
	ARG_UNUSED(msg);
	printk("\n    %s failed at %s:%d\n", what[kind], file, line);
#else
	va_list ap;

	/* Zephyr wraps the default message in parentheses only when a message follows. */
	printk(msg[0] != '\0' ? "\n    %s failed at %s:%d: %s: (%s)\n"
			      : "\n    %s failed at %s:%d: %s: %s\n",
	       what[kind], file, line, func, default_msg);
	va_start(ap, msg);
	vprintk(msg, ap);
	va_end(ap);
	printk("\n");
#endif

	switch (kind) {
	case Z_CHECK_ASSERT:
		ztest_test_fail();
		break;
	case Z_CHECK_ASSUME:
#if defined(CONFIG_ZTEST_FAIL_ON_ASSUME)
		if (test_status == 0) {
			test_status = 1;
		}
#endif
		ztest_test_skip();
		break;
	case Z_CHECK_EXPECT:
		failed_expectation = true;
		break;
	}
	return false;
}

static const struct ztest_unit_test *next_test(const char *suite, const struct ztest_unit_test *prev)
{
	const struct ztest_unit_test *test =
		(prev == NULL) ? _ztest_unit_test_list_start : prev + 1;

	for (; test < _ztest_unit_test_list_end; ++test) {
		if (strcmp(suite, test->test_suite_name) == 0) {
			return test;
		}
	}
	return NULL;
}

static void test_cb(void *a, void *b, void *c)
{
	const struct ztest_suite_node *suite = a;
	const struct ztest_unit_test *test = b;

	test_result = RESULT_PENDING;
	if (suite->before != NULL) {
		suite->before(c);
	}
	phase = PHASE_TEST;
	test->test(c);
	if (failed_expectation) {
		failed_expectation = false;
		ztest_test_fail();
	}
	test_result = RESULT_PASS;
}

static int run_test(const struct ztest_suite_node *suite, const struct ztest_unit_test *test,
		    void *data)
{
	int ret = TC_PASS;
	uint32_t start;
	uint32_t duration_ms;

#if defined(CONFIG_ZTEST_VERBOSE_OUTPUT)
	printk("START - %s\n", test->name);
#endif
	phase = PHASE_BEFORE;
	failed_expectation = false;

	/* Like Zephyr, the duration covers thread start-up, before, the test and after. */
	start = k_cycle_get_32();
	k_thread_create(&ztest_thread, ztest_thread_stack, K_THREAD_STACK_SIZEOF(ztest_thread_stack),
			test_cb, (void *)suite, (void *)test, data, CONFIG_ZTEST_THREAD_PRIORITY, 0,
			K_FOREVER);
	k_thread_name_set(&ztest_thread, test->name);
	if (test_result != RESULT_SUITE_SKIP && test_result != RESULT_SUITE_FAIL) {
		k_thread_start(&ztest_thread);
		k_thread_join(&ztest_thread, K_FOREVER);
	}

	phase = PHASE_AFTER;
	if (suite->after != NULL) {
		suite->after(data);
	}
	duration_ms = k_cyc_to_ms_ceil32(k_cycle_get_32() - start);
	if (duration_ms > test->stats->duration_worst_ms) {
		test->stats->duration_worst_ms = duration_ms;
	}
	phase = PHASE_FRAMEWORK;

	if (test_result == RESULT_FAIL || test_result == RESULT_SUITE_FAIL) {
		ret = TC_FAIL;
	} else if (test_result == RESULT_SKIP || test_result == RESULT_SUITE_SKIP) {
		ret = TC_SKIP;
	}

	k_thread_abort(&ztest_thread);
	z_abort_all_except(&z_main_thread);
	z_timers_stop_all();

#if defined(CONFIG_ZTEST_VERBOSE_OUTPUT)
	printk(" %s - %s in %u.%03u seconds\n", result_str(ret), test->name,
	       (unsigned int)(duration_ms / 1000), (unsigned int)(duration_ms % 1000));
	PRINT_LINE;
#endif
	return ret;
}

static int run_suite(const struct ztest_suite_node *suite)
{
	const struct ztest_unit_test *test = NULL;
	void *data = NULL;
	int fail = 0;

	printk("Running TESTSUITE %s\n", suite->name);
	PRINT_LINE;
	test_result = RESULT_PENDING;
	phase = PHASE_SETUP;
	if (suite->setup != NULL) {
		data = suite->setup();
	}

	while ((test = next_test(suite->name, test)) != NULL) {
		int rc;

		test->stats->run_count++;
		rc = run_test(suite, test, data);
		if (rc == TC_PASS) {
			test->stats->pass_count++;
		} else if (rc == TC_SKIP) {
			test->stats->skip_count++;
		} else {
			test->stats->fail_count++;
			fail++;
		}
#if defined(CONFIG_ZTEST_FAIL_FAST)
		if (fail) {
			break;
		}
#endif
		if (test_status == 2) {
			break;
		}
	}
	if (test_status == 0 && fail != 0) {
		test_status = 1;
	}

	if (fail > 0) {
		printk("TESTSUITE %s failed.\n", suite->name);
	} else {
		printk("TESTSUITE %s succeeded\n", suite->name);
	}
	phase = PHASE_TEARDOWN;
	if (suite->teardown != NULL) {
		suite->teardown(data);
	}
	phase = PHASE_FRAMEWORK;
	return fail;
}

#if defined(CONFIG_ZTEST_SUMMARY)
#define TC_FLAKY 3

static int test_outcome(const struct ztest_unit_test *test)
{
	/* A test that never ran (run_count 0) counts as skipped, as in Zephyr. */
	if (test->stats->skip_count == test->stats->run_count) {
		return TC_SKIP;
	}
	if (test->stats->pass_count == test->stats->run_count) {
		return TC_PASS;
	}
	/* Repeated (CONFIG_ZTEST_REPEAT) and passed some of the time: Zephyr calls it flaky. */
	if (test->stats->pass_count > 0) {
		return TC_FLAKY;
	}
	return TC_FAIL;
}

static void show_suite_summary(const struct ztest_suite_node *suite)
{
	const struct ztest_unit_test *test = NULL;
	int pass = 0, fail = 0, skip = 0, total = 0;
	int major = 0, minor = 0;
	int result;
	unsigned int duration_ms = 0;

	while ((test = next_test(suite->name, test)) != NULL) {
		int outcome = test_outcome(test);

		total++;
		duration_ms += test->stats->duration_worst_ms;
		if (outcome == TC_SKIP) {
			skip++;
		} else if (outcome == TC_PASS || outcome == TC_FLAKY) {
			pass++;
		} else {
			fail++;
		}
	}

	if (skip == total) {
		result = TC_SKIP;
	} else {
		/* Pass rate over the tests that were not skipped, in thousandths of a percent,
		 * then rounded to two decimals. */
		int rate = pass * 100000 / (total - skip);

		result = fail > 0 ? TC_FAIL : TC_PASS;
		major = rate / 1000;
		minor = (rate % 1000) / 10;
		if (rate % 10 >= 5) {
			minor++;
		}
	}

	printk("SUITE %s - %3d.%02d%% [%s]: pass = %d, fail = %d, skip = %d, total = %d"
	       " duration = %u.%03u seconds\n",
	       result_str(result), major, minor, suite->name, pass, fail, skip, total,
	       duration_ms / 1000, duration_ms % 1000);

#if defined(CONFIG_ZTEST_VERBOSE_SUMMARY)
	test = NULL;
	while ((test = next_test(suite->name, test)) != NULL) {
		if (test_outcome(test) == TC_FLAKY) {
			printk(" - FLAKY - [%s.%s] - (Failed %d of %d attempts) - duration = %u.%03u seconds\n",
			       test->test_suite_name, test->name, (int)test->stats->fail_count,
			       (int)test->stats->run_count,
			       (unsigned int)(test->stats->duration_worst_ms / 1000),
			       (unsigned int)(test->stats->duration_worst_ms % 1000));
			continue;
		}
		printk(" - %s - [%s.%s] duration = %u.%03u seconds\n", result_str(test_outcome(test)),
		       test->test_suite_name, test->name,
		       (unsigned int)(test->stats->duration_worst_ms / 1000),
		       (unsigned int)(test->stats->duration_worst_ms % 1000));
	}
	printk("\n");
#endif
}
#endif

#if defined(CONFIG_ZTEST_REPEAT)
#define SUITE_REPEAT CONFIG_ZTEST_SUITE_REPEAT_COUNT
#else
#define SUITE_REPEAT 1
#endif

static void run_all_suites(void)
{
	for (const struct ztest_unit_test *test = _ztest_unit_test_list_start;
	     test < _ztest_unit_test_list_end; ++test) {
		memset(test->stats, 0, sizeof(*test->stats));
	}
	/* CONFIG_ZTEST_REPEAT runs every suite again; the stats add up across the attempts. */
	for (int round = 0; round < SUITE_REPEAT; round++) {
		for (const struct ztest_suite_node *suite = _ztest_suite_node_list_start;
		     suite < _ztest_suite_node_list_end; ++suite) {
			if (suite->predicate == NULL || suite->predicate(NULL)) {
				int fail = run_suite(suite);

				suite->stats->run_count++;
				suite->stats->fail_count += (fail != 0) ? 1 : 0;
			} else {
				suite->stats->skip_count++;
			}
			if (test_status == 2 || (test_status == 1 && IS_FAIL_FAST)) {
				break;
			}
		}
	}

#if defined(CONFIG_ZTEST_SUMMARY)
	printk("\n------ TESTSUITE SUMMARY START ------\n\n");
	for (const struct ztest_suite_node *suite = _ztest_suite_node_list_start;
	     suite < _ztest_suite_node_list_end; ++suite) {
		show_suite_summary(suite);
	}
	printk("------ TESTSUITE SUMMARY END ------\n\n");
#endif
}

static void verify_all_suites_ran(void)
{
#if defined(CONFIG_ZTEST_VERIFY_RUN_ALL)
	bool all_ran = true;

	for (const struct ztest_suite_node *suite = _ztest_suite_node_list_start;
	     suite < _ztest_suite_node_list_end; ++suite) {
		if (suite->stats->run_count < 1) {
			printk("ERROR: Test suite '%s' did not run.\n", suite->name);
			all_ran = false;
		}
	}
	for (const struct ztest_unit_test *test = _ztest_unit_test_list_start;
	     test < _ztest_unit_test_list_end; ++test) {
		bool found = false;

		for (const struct ztest_suite_node *suite = _ztest_suite_node_list_start;
		     suite < _ztest_suite_node_list_end; ++suite) {
			found = found || strcmp(suite->name, test->test_suite_name) == 0;
		}
		if (!found) {
			printk("ERROR: Test '%s' assigned to test suite '%s' which doesn't exist\n",
			       test->name, test->test_suite_name);
			all_ran = false;
		}
	}
	if (!all_ran && test_status == 0) {
		test_status = 1;
	}
#endif
	for (const struct ztest_unit_test *test = _ztest_unit_test_list_start;
	     test < _ztest_unit_test_list_end; ++test) {
		const struct ztest_unit_test_stats *s = test->stats;

		if (s->fail_count + s->pass_count + s->skip_count != s->run_count) {
			printk("Bad stats for %s.%s\n", test->test_suite_name, test->name);
			test_status = 1;
		}
	}
}

static void end_report(void)
{
	PRINT_LINE;
#if defined(TC_RUNID)
	printk("RunID: " Z_STR(TC_RUNID) "\n");
#endif
	printk("PROJECT EXECUTION %s\n", test_status == 0 ? "SUCCESSFUL" : "FAILED");
}

int main(void)
{
	run_all_suites();
	verify_all_suites_ran();
#if defined(CONFIG_TANDEM_DEMO_HANG_AT_END)
	/* A teardown that never returns: every case has passed, the verdict line never comes. */
	k_sleep(K_FOREVER);
#endif
	end_report();
	return 0;
}
