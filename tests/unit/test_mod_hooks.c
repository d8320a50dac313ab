/* hooks against the fake host: the pre-start hooks one after another with
 * the start held until the last succeeded, the first failure ending the
 * run with exit_code and a line naming the hook, the directory's
 * executable files in name order, the post-stop hooks after the main
 * command's reap with MODINIT_EXIT_STATUS and the stop held until the
 * last, and the errors of the options. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

#define EXITED(c) ((c) << 8)

static struct fake_host fh;
static void *st;
static char err[512];

static int start(const char *yaml)
{
	fake_host_init(&fh, "hooks");
	st = NULL;
	err[0] = '\0';
	return fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	fake_unload(&fh, &modinit_module, &st);
	fake_yaml_free();
	return 0;
}

/* The loop runs: on_start in STARTING, as modinit calls it. */
static void run_start(void)
{
	fh.phase = FAKE_STARTING;
	modinit_module.on_start(st);
}

static void assert_argv(size_t i, const char *a0, const char *a1)
{
	assert_true(i < fh.nspawns);
	assert_string_equal(fh.spawns[i].argv[0], a0);
	if (a1)
		assert_string_equal(fh.spawns[i].argv[1], a1);
	else
		assert_null(fh.spawns[i].argv[1]);
}

static void test_pre_start_in_order(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, pre_start: [[sh, -c, 'exit 0'], [true]], timeout: 2s}"),
			 0);
	assert_true(fh.holds_start);
	assert_false(fh.holds_stop); /* no post_stop: nothing held at the end */
	run_start();
	/* One at a time: the second waits for the first. */
	assert_int_equal(fh.nspawns, 1);
	assert_argv(0, "sh", "-c");
	assert_int_equal(fh.spawns[0].opts.timeout_ms, 2000);
	assert_null(fh.spawns[0].opts.env);
	fake_spawn_exit(&fh, 0, EXITED(0));
	assert_int_equal(fh.nspawns, 2);
	assert_argv(1, "true", NULL);
	assert_int_equal(fh.nrelease_start, 0);
	fake_spawn_exit(&fh, 1, EXITED(0));
	assert_int_equal(fh.nrelease_start, 1);
	assert_int_equal(fh.nshutdowns, 0);
}

/* The first failure ends the run: its code, one line naming the hook,
 * no later hook, no release; the stop is let go (no command ever ran). */
static void test_pre_start_failure(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, pre_start: [[migrate, --up], [never]], exit_code: 9,"
			       " post_stop: [[cleanup]]}"),
			 0);
	assert_true(fh.holds_stop);
	run_start();
	fake_spawn_exit(&fh, 0, EXITED(3));
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 9);
	assert_string_equal(fh.shutdown_reason[0], "a pre_start hook failed");
	assert_string_equal(fake_last_log(&fh),
			    "error: hooks: pre_start hook 'migrate' failed (exit status 3): not "
			    "starting the main command");
	assert_int_equal(fh.nspawns, 1);
	assert_int_equal(fh.nrelease_start, 0);
	fh.phase = FAKE_STOPPING;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	assert_int_equal(fh.nrelease_stop, 1);
	assert_int_equal(fh.nspawns, 1); /* no post_stop without a main command */
}

static void test_pre_start_killed(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, pre_start: [[slow]], timeout: 500ms}"), 0);
	run_start();
	/* Killed before its timeout: a signal, not a timeout. */
	fake_advance(&fh, 100);
	fake_spawn_exit(&fh, 0, SIGTERM);
	assert_string_equal(fake_last_log(&fh),
			    "error: hooks: pre_start hook 'slow' failed (killed by signal 15): not "
			    "starting the main command");
	assert_int_equal(fh.shutdown_code[0], 1); /* the default exit_code */
	teardown(NULL);
	/* The host's timeout killed it (SIGKILL once timeout_ms went by). */
	assert_int_equal(start("{name: hooks, pre_start: [[slow]], timeout: 500ms}"), 0);
	run_start();
	fake_advance(&fh, 500);
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_string_equal(fake_last_log(&fh),
			    "error: hooks: pre_start hook 'slow' failed (timed out after 500 ms): not "
			    "starting the main command");
}

/* The stop signal while a hook runs: modinit ends the run and stops the
 * hook with the rest; the module adds nothing. */
static void test_pre_start_stopped(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, pre_start: [[a], [b]]}"), 0);
	run_start();
	fh.phase = FAKE_STOPPING;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	fake_spawn_exit(&fh, 0, SIGTERM);
	assert_int_equal(fh.nshutdowns, 0);
	assert_int_equal(fh.nspawns, 1);
	assert_int_equal(fh.nlog, 0);
}

static void test_spawn_refused(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, pre_start: [[a]]}"), 0);
	fh.spawn_result = -ENOMEM;
	run_start();
	assert_int_equal(fh.nshutdowns, 1);
	assert_string_equal(fake_last_log(&fh),
			    "error: hooks: pre_start hook 'a' could not be started (Cannot allocate "
			    "memory): not starting the main command");
}

/* The main command ended the run: the post-stop hooks after its reap, in
 * order, with its status; a failure is a warning and the next one runs;
 * the stop is released after the last. */
static void test_post_stop(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, post_stop: [[one], [two, x]]}"), 0);
	assert_false(fh.holds_start);
	assert_true(fh.holds_stop);
	run_start();
	assert_int_equal(fh.nspawns, 0);
	fh.phase = FAKE_RUNNING;
	modinit_module.on_spawn(st, 100);
	fh.phase = FAKE_STOPPING;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_int_equal(fh.nspawns, 0); /* not before the command's reap */
	modinit_module.on_reap(st, 100, MODINIT_REAP_MAIN, SIGTERM);
	assert_int_equal(fh.nspawns, 1);
	assert_argv(0, "one", NULL);
	assert_string_equal(fh.spawns[0].opts.env[0], "MODINIT_EXIT_STATUS=143");
	assert_null(fh.spawns[0].opts.env[1]);
	fake_spawn_exit(&fh, 0, EXITED(2));
	assert_string_equal(fake_last_log(&fh), "warning: hooks: post_stop hook 'one' failed (exit status 2)");
	assert_int_equal(fh.nspawns, 2);
	assert_argv(1, "two", "x");
	assert_int_equal(fh.nrelease_stop, 0);
	fake_spawn_exit(&fh, 1, EXITED(0));
	assert_int_equal(fh.nrelease_stop, 1);
	assert_int_equal(fh.nshutdowns, 0);
}

/* A restart's reap is not the end; wait-all-children reaps the command
 * before the end: on_shutdown starts the hooks then. */
static void test_post_stop_reap_order(void **state)
{
	(void)state;
	assert_int_equal(start("{name: hooks, post_stop: [[one]]}"), 0);
	run_start();
	fh.phase = FAKE_RUNNING;
	modinit_module.on_spawn(st, 100);
	modinit_module.on_reap(st, 100, MODINIT_REAP_MAIN, EXITED(1));
	modinit_module.on_spawn(st, 101);
	assert_int_equal(fh.nspawns, 0);
	modinit_module.on_reap(st, 101, MODINIT_REAP_MAIN, EXITED(4));
	modinit_module.on_reap(st, 102, MODINIT_REAP_ORPHAN, EXITED(0));
	assert_int_equal(fh.nspawns, 0);
	fh.phase = FAKE_STOPPING;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_int_equal(fh.nspawns, 1);
	assert_string_equal(fh.spawns[0].opts.env[0], "MODINIT_EXIT_STATUS=4");
	fake_spawn_exit(&fh, 0, EXITED(0));
	assert_int_equal(fh.nrelease_stop, 1);
}

/* pre_start_dir: the executable regular files, in name order, after the
 * list; the rest is left alone. */
static void test_pre_start_dir(void **state)
{
	char dir[] = "/tmp/hooks-test.XXXXXX", path[256], yaml[512];
	static const char *const files[] = { "20-b", "10-a", "30-noexec", ".9-hidden" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, i == 2 ? 0644 : 0755);

		assert_true(fd >= 0);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/40-dir", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(yaml, sizeof(yaml), "{name: hooks, pre_start: [[first]], pre_start_dir: %s}", dir);
	assert_int_equal(start(yaml), 0);
	run_start();
	for (size_t i = 0; i < 3; i++)
		fake_spawn_exit(&fh, i, EXITED(0));
	assert_int_equal(fh.nspawns, 4);
	assert_argv(0, "first", NULL);
	snprintf(path, sizeof(path), "%s/.9-hidden", dir);
	assert_argv(1, path, NULL);
	snprintf(path, sizeof(path), "%s/10-a", dir);
	assert_argv(2, path, NULL);
	snprintf(path, sizeof(path), "%s/20-b", dir);
	assert_argv(3, path, NULL);
	fake_spawn_exit(&fh, 3, EXITED(0));
	assert_int_equal(fh.nrelease_start, 1);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/40-dir", dir);
	rmdir(path);
	rmdir(dir);
}

static void expect_error(const char *yaml, const char *message)
{
	assert_int_equal(start(yaml), -EINVAL);
	assert_null(st);
	assert_string_equal(err, message);
	assert_false(fh.holds_start);
	teardown(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{name: hooks, pre_start: [true]}",
		     "test.yaml:1:27: hooks: pre_start: item 1: expected a command, a non-empty list "
		     "of strings");
	expect_error("{name: hooks, post_stop: [[a], []]}",
		     "test.yaml:1:32: hooks: post_stop: item 2: expected a command, a non-empty list "
		     "of strings");
	expect_error("{name: hooks, pre_start: [[a, [b]]]}",
		     "test.yaml:1:31: hooks: pre_start: item 1: argument 2: expected a string");
	expect_error("{name: hooks, exit_code: 0}",
		     "test.yaml:1:26: hooks: exit_code: expected an exit code from 1 to 255, got 0");
	expect_error("{name: hooks, timeout: 0s}", "test.yaml:1:24: hooks: timeout: must be above zero");
	expect_error("{name: hooks, pre_start_dir: /nonexistent-hooks-dir}",
		     "test.yaml:1:30: hooks: pre_start_dir: /nonexistent-hooks-dir: No such file or "
		     "directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pre_start_in_order, teardown),
		cmocka_unit_test_teardown(test_pre_start_failure, teardown),
		cmocka_unit_test_teardown(test_pre_start_killed, teardown),
		cmocka_unit_test_teardown(test_pre_start_stopped, teardown),
		cmocka_unit_test_teardown(test_spawn_refused, teardown),
		cmocka_unit_test_teardown(test_post_stop, teardown),
		cmocka_unit_test_teardown(test_post_stop_reap_order, teardown),
		cmocka_unit_test_teardown(test_pre_start_dir, teardown),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
