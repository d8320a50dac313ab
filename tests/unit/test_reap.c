/* Reap bookkeeping with waitpid faked (-Wl,--wrap=waitpid): the main child's
 * status is kept, helpers go to their owner, orphans are counted, EINTR is
 * retried, 0 and ECHILD end a pass; and the status-to-exit-code mapping. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "log.h"
#include "reap.h"

/* Wait statuses as the kernel encodes them (see wait(2)). */
#define EXITED(code) (((code) & 0xff) << 8)
#define KILLED(sig) ((sig) & 0x7f)
#define KILLED_CORE(sig) (((sig) & 0x7f) | 0x80)

pid_t __wrap_waitpid(pid_t pid, int *status, int options);

/* Each call takes the next scripted (pid, status, errno) triple. */
pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
	pid_t ret;

	assert_int_equal(pid, -1);
	assert_int_equal(options, WNOHANG);
	ret = mock_type(pid_t);
	*status = mock_type(int);
	errno = mock_type(int);
	return ret;
}

static void script(pid_t ret, int status, int err)
{
	will_return(__wrap_waitpid, ret);
	will_return(__wrap_waitpid, status);
	will_return(__wrap_waitpid, err);
}

struct seen {
	int calls;
	pid_t pid[8];
	int status[8];
	pid_t helper; /* the pid the fake owner claims */
};

static bool other(void *arg, pid_t pid, int status)
{
	struct seen *s = arg;

	s->pid[s->calls] = pid;
	s->status[s->calls++] = status;
	return pid == s->helper;
}

static void test_main_child(void **state)
{
	struct seen s = { .helper = -5 };
	struct reaper r = { .main_pid = 100, .other = other, .other_arg = &s };

	(void)state;
	script(100, EXITED(3), 0);
	script(0, 0, 0);
	assert_int_equal(reap_children(&r), 1);
	assert_true(r.main_exited);
	assert_int_equal(r.main_status, EXITED(3));
	assert_int_equal(s.calls, 0);
	assert_int_equal(r.orphans, 0);
	assert_false(r.no_children);
}

static void test_helpers_and_orphans(void **state)
{
	struct seen s = { .helper = 201 };
	struct reaper r = { .main_pid = 100, .other = other, .other_arg = &s };

	(void)state;
	script(201, EXITED(0), 0);       /* a module's helper */
	script(300, KILLED(SIGKILL), 0); /* an orphan */
	script(-1, 0, EINTR);            /* interrupted: try again */
	script(301, EXITED(1), 0);       /* another orphan */
	script(-1, 0, ECHILD);           /* nothing left at all */
	assert_int_equal(reap_children(&r), 3);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.pid[0], 201);
	assert_int_equal(s.pid[1], 300);
	assert_int_equal(s.status[1], KILLED(SIGKILL));
	assert_int_equal(s.pid[2], 301);
	assert_int_equal(r.orphans, 2);
	assert_false(r.main_exited);
	assert_true(r.no_children);
}

/* Once the main child has been reaped, its pid, if reused by a later
 * process, is not mistaken for it again. */
static void test_main_reaped_once(void **state)
{
	struct seen s = { .helper = -5 };
	struct reaper r = { .main_pid = 100, .other = other, .other_arg = &s };

	(void)state;
	script(100, EXITED(7), 0);
	script(100, EXITED(9), 0);
	script(0, 0, 0);
	assert_int_equal(reap_children(&r), 2);
	assert_int_equal(r.main_status, EXITED(7));
	assert_int_equal(r.orphans, 1);
}

static void test_unexpected_error(void **state)
{
	struct reaper r = { .main_pid = 100 };

	(void)state;
	script(300, EXITED(0), 0);
	script(-1, 0, EINVAL);
	assert_int_equal(reap_children(&r), -EINVAL);
	assert_int_equal(r.orphans, 1);
}

static void test_exit_codes(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++)
		assert_int_equal(reap_exit_code(EXITED(c)), c);
	assert_int_equal(reap_exit_code(KILLED(SIGTERM)), 143);
	assert_int_equal(reap_exit_code(KILLED(SIGINT)), 130);
	assert_int_equal(reap_exit_code(KILLED(SIGKILL)), 137);
	assert_int_equal(reap_exit_code(KILLED_CORE(SIGSEGV)), 139); /* core flag ignored */
	assert_int_equal(reap_exit_code(KILLED(SIGRTMIN + 3)), 128 + SIGRTMIN + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_child),
		cmocka_unit_test(test_helpers_and_orphans),
		cmocka_unit_test(test_main_reaped_once),
		cmocka_unit_test(test_unexpected_error),
		cmocka_unit_test(test_exit_codes),
	};

	log_set_level(LOGL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
