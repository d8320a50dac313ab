/* modlib timer.c over the fake host's timers: one pending call at most,
 * re-arming replaces it, and a fired timer is no longer pending. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "../../modules/lib/modlib.h"
#include "fake_host.h"

static struct fake_host fh;
static struct ml_timer t;
static int fired;
static uint64_t rearm; /* the callback arms the timer again with this */

static void on_fire(void *arg)
{
	assert_ptr_equal(arg, &fired);
	assert_false(ml_timer_pending(&t)); /* forgotten before the call */
	fired++;
	if (rearm)
		assert_int_equal(ml_timer_arm(&t, rearm), 0);
}

static int setup(void **state)
{
	(void)state;
	fake_host_init(&fh, "timer");
	ml_timer_init(&t, &fh.host, on_fire, &fired);
	fired = 0;
	rearm = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_host_free(&fh);
	return 0;
}

static void test_fires_once(void **state)
{
	(void)state;
	assert_false(ml_timer_pending(&t));
	assert_int_equal(ml_timer_arm(&t, 500), 0);
	assert_true(ml_timer_pending(&t));
	fake_advance(&fh, 499);
	assert_int_equal(fired, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fired, 1);
	assert_false(ml_timer_pending(&t));
	assert_int_equal(fake_pending(&fh), 0);
	fake_advance(&fh, 10000);
	assert_int_equal(fired, 1);
}

static void test_rearm_replaces(void **state)
{
	(void)state;
	assert_int_equal(ml_timer_arm(&t, 500), 0);
	fake_advance(&fh, 400);
	assert_int_equal(ml_timer_arm(&t, 1000), 0);
	assert_int_equal(fake_pending(&fh), 1);
	assert_int_equal(fake_next_deadline(&fh), fh.now + 1000);
	fake_advance(&fh, 999);
	assert_int_equal(fired, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fired, 1);
}

static void test_cancel(void **state)
{
	(void)state;
	ml_timer_cancel(&t); /* nothing pending: harmless */
	assert_int_equal(ml_timer_arm(&t, 500), 0);
	ml_timer_cancel(&t);
	assert_false(ml_timer_pending(&t));
	assert_int_equal(fake_pending(&fh), 0);
	fake_advance(&fh, 1000);
	assert_int_equal(fired, 0);
}

static void test_rearm_from_callback(void **state)
{
	(void)state;
	rearm = 300;
	assert_int_equal(ml_timer_arm(&t, 100), 0);
	fake_advance(&fh, 100);
	assert_int_equal(fired, 1);
	assert_true(ml_timer_pending(&t));
	assert_int_equal(fake_pending(&fh), 1);
	rearm = 0;
	fake_advance(&fh, 300);
	assert_int_equal(fired, 2);
	assert_false(ml_timer_pending(&t));
}

static void test_host_refuses(void **state)
{
	(void)state;
	assert_int_equal(ml_timer_arm(&t, 100), 0);
	fh.timer_result = -ENOMEM;
	assert_int_equal(ml_timer_arm(&t, 200), -ENOMEM);
	assert_false(ml_timer_pending(&t));
	assert_int_equal(fake_pending(&fh), 0); /* the old one was cancelled */
}

static void test_wall_clock(void **state)
{
	struct timespec ts;
	int64_t a, b;

	(void)state;
	a = ml_wall_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	b = ml_wall_ms();
	assert_true(a <= (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	assert_true(b >= (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	assert_true(a > 1600000000000); /* in ms, not s */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fires_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wall_clock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
