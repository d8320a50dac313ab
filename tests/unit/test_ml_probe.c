/* modlib probe.c against the fake host: how the helper is spawned, its
 * output captured (and capped), its end reported once, a timeout that kills
 * its whole group, and a stop. kill is wrapped: fake pids are not real, and
 * the runner must not call it (it goes through signal_helper). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../modules/lib/modlib.h"
#include "fake_host.h"

#define EXITED(n) ((n) << 8)

static struct fake_host fh;
static struct ml_probe probe;
static char out[11];
static int ndone, done_code;
static bool done_timed_out;
static size_t nkills;

/* The runner signals through the host: a kill() of its own is counted. */
int __wrap_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig)
{
	(void)pid;
	(void)sig;
	nkills++;
	return 0;
}

static void on_done(void *arg, int code, bool timed_out)
{
	assert_ptr_equal(arg, &probe);
	assert_int_equal(probe.pid, 0);
	assert_int_equal(probe.fd, -1);
	ndone++;
	done_code = code;
	done_timed_out = timed_out;
}

static char *argv[] = { "probe", "--x", NULL };

static int setup(void **state)
{
	(void)state;
	fake_host_init(&fh, "probe");
	ml_probe_init(&probe, &fh.host, out, sizeof(out) - 1, on_done, &probe);
	ndone = 0;
	nkills = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ml_probe_stop(&probe);
	fake_host_free(&fh);
	return 0;
}

/* A copy of the helper's end of the capture pipe, which the fake host
 * keeps (and closes when the helper exits), as the helper's stdout. */
static int helper_end(void)
{
	int fd;

	assert_true(fh.nspawns > 0);
	fd = dup(fh.spawns[fh.nspawns - 1].capture_wr);
	assert_true(fd >= 0);
	return fd;
}

static void helper_writes(const char *text)
{
	int fd = helper_end();

	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_spawn_and_exit(void **state)
{
	struct fake_spawn *s = &fh.spawns[0];

	(void)state;
	assert_int_equal(ml_probe_start(&probe, argv, 2000), 0);
	assert_int_equal(fh.nspawns, 1);
	assert_string_equal(s->argv[0], "probe");
	assert_string_equal(s->argv[1], "--x");
	assert_true(s->opts.new_group);
	assert_int_equal(s->opts.stdin_fd, -1);
	/* stdout and stderr into the host's one capture pipe */
	assert_int_equal(s->opts.capture, MODINIT_CAPTURE_STDOUT | MODINIT_CAPTURE_STDERR);
	assert_ptr_equal(s->opts.capture_fd, &probe.fd);
	assert_int_equal(s->opts.stdout_fd, -1);
	assert_int_equal(s->opts.stderr_fd, -1);
	assert_true(s->capture_wr >= 0);
	assert_true(fcntl(probe.fd, F_GETFL) & O_NONBLOCK); /* PID 1 never blocks on it */
	assert_int_equal(s->opts.size, sizeof(struct modinit_spawn_opts));
	assert_int_equal(probe.pid, s->pid);
	assert_non_null(fake_watch_of(&fh, probe.fd));
	assert_int_equal(fake_next_deadline(&fh), fh.now + 2000);
	/* Output read as it comes (the helper's end held open meanwhile), and
	 * what is left at the end. */
	{
		int w = helper_end();

		assert_int_equal(write(w, "hello ", 6), 6);
		fake_watch_of(&fh, probe.fd)->cb(&probe, probe.fd, 1);
		assert_string_equal(out, "hello ");
		assert_non_null(fake_watch_of(&fh, probe.fd)); /* a writer is left */
		assert_int_equal(write(w, "world", 5), 5);
		close(w);
	}
	fake_spawn_exit(&fh, 0, EXITED(3));
	assert_int_equal(ndone, 1);
	assert_int_equal(done_code, 3);
	assert_false(done_timed_out);
	assert_string_equal(out, "hello worl"); /* the first 10 bytes */
	assert_int_equal(fake_pending(&fh), 0);
	assert_int_equal(nkills, 0);
}

static void test_killed_by_signal(void **state)
{
	(void)state;
	assert_int_equal(ml_probe_start(&probe, argv, 2000), 0);
	fake_spawn_exit(&fh, 0, SIGTERM);
	assert_int_equal(ndone, 1);
	assert_int_equal(done_code, 128 + SIGTERM);
	assert_string_equal(out, "");
	/* A second run starts with empty output. */
	assert_int_equal(ml_probe_start(&probe, argv, 2000), 0);
	helper_writes("again");
	fake_spawn_exit(&fh, 1, EXITED(0));
	assert_int_equal(done_code, 0);
	assert_string_equal(out, "again");
}

static void test_timeout_kills_group(void **state)
{
	(void)state;
	assert_int_equal(ml_probe_start(&probe, argv, 2000), 0);
	fake_advance(&fh, 1999);
	assert_int_equal(fh.nhelper_signals, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], fh.spawns[0].pid);
	assert_true(fh.helper_sig_group[0]);
	assert_int_equal(fh.helper_sig_signo[0], SIGKILL);
	assert_int_equal(nkills, 0); /* through the host, never kill() itself */
	assert_int_equal(ndone, 1);
	assert_int_equal(done_code, -1);
	assert_true(done_timed_out);
	/* Its exit, reaped later, is not a second end. */
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_int_equal(ndone, 1);
}

static void test_stop(void **state)
{
	(void)state;
	assert_int_equal(ml_probe_start(&probe, argv, 2000), 0);
	ml_probe_stop(&probe);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], fh.spawns[0].pid);
	assert_true(fh.helper_sig_group[0]);
	assert_int_equal(fh.helper_sig_signo[0], SIGKILL);
	assert_int_equal(nkills, 0);
	assert_int_equal(fake_pending(&fh), 0);
	assert_int_equal(probe.fd, -1);
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_int_equal(ndone, 0);
	ml_probe_stop(&probe); /* nothing runs: no kill */
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(nkills, 0);
}

static void test_spawn_refused(void **state)
{
	int before = dup(0), after;

	(void)state;
	close(before);
	fh.spawn_result = -EAGAIN;
	assert_int_equal(ml_probe_start(&probe, argv, 2000), -EAGAIN);
	assert_int_equal(probe.pid, 0);
	assert_int_equal(probe.fd, -1);
	assert_int_equal(fake_pending(&fh), 0);
	after = dup(0); /* the lowest free fd: both pipe ends were closed */
	close(after);
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_spawn_and_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_by_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spawn_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
