/* Reap bookkeeping with waitpid faked (-Wl,--wrap=waitpid): the main child's
 * status is kept, helpers go to their owner, orphans are counted and
 * reported, EINTR is retried, 0 and ECHILD end a pass. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "loader.h"
#include "log.h"
#include "modinit.h"
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

/* A pass starts afresh: no_children tells how the last pass ended. */
static void test_no_children_per_pass(void **state)
{
	struct reaper r = { .main_pid = 100 };

	(void)state;
	script(-1, 0, ECHILD);
	assert_int_equal(reap_children(&r), 0);
	assert_true(r.no_children);
	script(0, 0, 0);
	assert_int_equal(reap_children(&r), 0);
	assert_false(r.no_children);
}

static void test_main_killed(void **state)
{
	struct reaper r = { .main_pid = 100 };

	(void)state;
	script(-1, 0, EINTR);
	script(-1, 0, EINTR);
	script(100, KILLED_CORE(SIGSEGV), 0);
	script(-1, 0, ECHILD);
	assert_int_equal(reap_children(&r), 1);
	assert_true(r.main_exited);
	assert_int_equal(r.main_status, KILLED_CORE(SIGSEGV));
	assert_int_equal(r.orphans, 0);
	assert_true(r.no_children);
}

/* Thousands of orphans in one pass (a fork bomb's leftovers). */
static void test_many_orphans(void **state)
{
	enum { N = 5000 };
	struct reaper r = { .main_pid = 100 };

	(void)state;
	for (int i = 0; i < N; i++)
		script(1000 + i, EXITED(i & 0xff), 0);
	script(0, 0, 0);
	assert_int_equal(reap_children(&r), N);
	assert_int_equal(r.orphans, N);
	script(2, EXITED(0), 0); /* counted across passes */
	script(0, 0, 0);
	assert_int_equal(reap_children(&r), 1);
	assert_int_equal(r.orphans, N + 1);
}

/* Run one reap pass with stderr captured into out. */
static int reap_capture(struct reaper *r, char *out, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO), ret;
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	ret = reap_children(r);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	return ret;
}

/* With -w every adopted zombie is logged with how it ended; the main child
 * and helpers are not orphans and are not logged. */
static void test_orphans_reported(void **state)
{
	struct seen s = { .helper = 201 };
	struct reaper r = { .main_pid = 100, .other = other, .other_arg = &s,
			    .warn_orphans = true };
	char out[1024];

	(void)state;
	log_set_level(LOGL_WARN);
	script(300, KILLED(SIGKILL), 0);
	script(201, EXITED(0), 0);
	script(100, EXITED(2), 0);
	script(301, EXITED(1), 0);
	script(302, KILLED(SIGRTMIN + 2), 0);
	script(0, 0, 0);
	assert_int_equal(reap_capture(&r, out, sizeof(out)), 5);
	assert_string_equal(out, "modinit: warning: reaped zombie pid 300 (killed by SIGKILL)\n"
				 "modinit: warning: reaped zombie pid 301 (exit 1)\n"
				 "modinit: warning: reaped zombie pid 302 (killed by SIGRTMIN+2)\n");
	assert_int_equal(r.orphans, 3);

	r.warn_orphans = false; /* without -w: counted, not logged */
	script(303, EXITED(0), 0);
	script(0, 0, 0);
	assert_int_equal(reap_capture(&r, out, sizeof(out)), 1);
	assert_string_equal(out, "");
	assert_int_equal(r.orphans, 4);
	log_set_level(LOGL_ERROR);
}

/* The real routing (events_reaped): a helper goes to its done callback, or
 * to its owner's on_child_exit, exactly once; anything else is an orphan
 * every module with on_orphan hears of, in config order. */
struct record {
	char what[16][24];
	int n;
};

static void rec(struct record *r, const char *hook, int tag, pid_t pid, int status)
{
	assert_true(r->n < 16);
	snprintf(r->what[r->n++], sizeof(r->what[0]), "%s%d:%d:%d", hook, tag, (int)pid,
		 status >> 8);
}

static struct record log_rec;

static void done_cb(void *arg, pid_t pid, int status)
{
	rec(&log_rec, "done", *(int *)arg, pid, status);
}

static void child_exit_hook(void *st, pid_t pid, int status)
{
	rec(&log_rec, "child", *(int *)st, pid, status);
}

static void orphan_hook(void *st, pid_t pid, int status)
{
	rec(&log_rec, "orphan", *(int *)st, pid, status);
}

static struct helper *helper_new(pid_t pid, struct module *owner,
				 void (*done)(void *, pid_t, int), void *arg,
				 struct helper *next)
{
	struct helper *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	*h = (struct helper){ .pid = pid, .owner = owner, .done = done, .arg = arg, .next = next };
	return h;
}

static void test_routing(void **state)
{
	static const struct modinit_module with_hooks = {
		MODINIT_MODULE_HEADER,
		.name = "a",
		.on_child_exit = child_exit_hook,
		.on_orphan = orphan_hook,
	};
	/* Built for an older minor whose struct ended before on_child_exit:
	 * the fields past its size are never read. */
	static const struct modinit_module older = {
		.magic = MODINIT_MODULE_MAGIC, .abi_major = MODINIT_ABI_MAJOR,
		.size = offsetof(struct modinit_module, on_child_exit),
		.name = "b",
		.on_child_exit = child_exit_hook,
		.on_orphan = orphan_hook,
	};
	static const struct modinit_module no_hooks = { MODINIT_MODULE_HEADER, .name = "c" };
	int tag[4] = { 0, 1, 2, 3 }, done_tag = 9;
	struct module mods[4];
	struct modinit m;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(mods, 0, sizeof(mods));
	mods[0] = (struct module){ .desc = &with_hooks, .state = &tag[0] };
	mods[1] = (struct module){ .desc = &older, .state = &tag[1] };
	mods[2] = (struct module){ .desc = &no_hooks, .state = &tag[2] };
	mods[3] = (struct module){ .desc = &with_hooks, .state = &tag[3] };
	m.modules = mods;
	m.module_count = 4;
	m.helpers = helper_new(201, &mods[0], done_cb, &done_tag, NULL);
	m.helpers = helper_new(202, &mods[3], NULL, NULL, m.helpers);
	m.helpers = helper_new(203, &mods[1], NULL, NULL, m.helpers);
	m.reaper = (struct reaper){ .main_pid = 100, .other = events_reaped, .other_arg = &m };
	memset(&log_rec, 0, sizeof(log_rec));

	script(202, EXITED(4), 0);  /* helper of mods[3], no done: its hook */
	script(300, EXITED(5), 0);  /* an orphan: modules 0 and 3 hear it */
	script(201, EXITED(6), 0);  /* helper with a done callback */
	script(100, EXITED(7), 0);  /* the main child: no hook at all */
	script(203, EXITED(8), 0);  /* helper of the older module: nobody */
	script(201, EXITED(9), 0);  /* pid 201 again: no longer a helper */
	script(-1, 0, ECHILD);
	assert_int_equal(reap_children(&m.reaper), 6);
	assert_int_equal(log_rec.n, 6);
	assert_string_equal(log_rec.what[0], "child3:202:4");
	assert_string_equal(log_rec.what[1], "orphan0:300:5");
	assert_string_equal(log_rec.what[2], "orphan3:300:5");
	assert_string_equal(log_rec.what[3], "done9:201:6");
	assert_string_equal(log_rec.what[4], "orphan0:201:9");
	assert_string_equal(log_rec.what[5], "orphan3:201:9");
	assert_null(m.helpers); /* every helper was freed once reaped */
	assert_true(m.reaper.main_exited);
	assert_int_equal(m.reaper.main_status, EXITED(7));
	assert_int_equal(m.reaper.orphans, 2);
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_child),
		cmocka_unit_test(test_helpers_and_orphans),
		cmocka_unit_test(test_main_reaped_once),
		cmocka_unit_test(test_unexpected_error),
		cmocka_unit_test(test_no_children_per_pass),
		cmocka_unit_test(test_main_killed),
		cmocka_unit_test(test_many_orphans),
		cmocka_unit_test(test_orphans_reported),
		cmocka_unit_test(test_routing),
	};

	log_set_level(LOGL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
