/* The personality parsers: how tini's and dumb-init's options and
 * environment variables map onto the native options, and the one-line
 * reasons for bad input. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "log.h"

static struct cli_opts o;
static enum compat_action act;
static char err[256];

static int parse_as(enum compat_who who, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	cli_free(&o);
	return compat_parse(who, argc, argv, &o, &act, err, sizeof(err));
}

#define TINI(...) parse_as(COMPAT_TINI, (char *[]){ "tini", __VA_ARGS__, NULL })
#define DUMB(...) parse_as(COMPAT_DUMB_INIT, (char *[]){ "dumb-init", __VA_ARGS__, NULL })

static int setup(void **state)
{
	(void)state;
	unsetenv("TINI_SUBREAPER");
	unsetenv("TINI_KILL_PROCESS_GROUP");
	unsetenv("TINI_VERBOSITY");
	unsetenv("DUMB_INIT_SETSID");
	unsetenv("DUMB_INIT_DEBUG");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cli_free(&o);
	return 0;
}

static void test_pick(void **state)
{
	enum compat_who who;
	int skip;

	(void)state;
	assert_int_equal(compat_pick(2, (char *[]){ "/sbin/tini", "x", NULL }, &who, &skip, err,
				     sizeof(err)), 0);
	assert_int_equal(who, COMPAT_TINI);
	assert_int_equal(skip, 0);
	assert_int_equal(compat_pick(1, (char *[]){ "/usr/libexec/docker/docker-init", NULL }, &who,
				     &skip, err, sizeof(err)), 0);
	assert_int_equal(who, COMPAT_TINI);
	assert_int_equal(compat_pick(1, (char *[]){ "dumb-init", NULL }, &who, &skip, err,
				     sizeof(err)), 0);
	assert_int_equal(who, COMPAT_DUMB_INIT);
	assert_int_equal(compat_pick(3, (char *[]){ "/init", "--compat=dumb-init", "x", NULL }, &who,
				     &skip, err, sizeof(err)), 0);
	assert_int_equal(who, COMPAT_DUMB_INIT);
	assert_int_equal(skip, 1);
	/* the native name, and --compat anywhere but first, are native */
	assert_int_equal(compat_pick(3, (char *[]){ "modinit", "-v", "--compat=tini", NULL }, &who,
				     &skip, err, sizeof(err)), 0);
	assert_int_equal(who, COMPAT_NONE);
	assert_int_equal(compat_pick(2, (char *[]){ "modinit", "--compat=runit", NULL }, &who,
				     &skip, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--compat: expected tini or dumb-init, got \"runit\"");
}

static void test_tini_defaults(void **state)
{
	(void)state;
	assert_int_equal(TINI("--", "app", "-x"), 0);
	assert_int_equal(act, COMPAT_RUN);
	assert_int_equal(o.command_argc, 2);
	assert_string_equal(o.command[0], "app");
	assert_string_equal(o.command[1], "-x");
	assert_false(o.subreaper);
	assert_false(o.group);
	assert_true(o.end_with_main);
	assert_int_equal(o.end_signal, 0);
	assert_int_equal(o.child, CLI_CHILD_GROUP);
	assert_false(o.job_stop);
	/* tini's default verbosity 1: warnings */
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_WARN);
	assert_int_equal(o.remap_exit_count, 0);
	assert_int_equal(o.rewrite_count, 0);
}

static void test_tini_flags(void **state)
{
	(void)state;
	assert_int_equal(TINI("-s", "-g", "-w", "-p", "SIGKILL", "-vv", "-e", "143", "-e", "3",
			      "-e", "143", "--", "app"), 0);
	assert_true(o.subreaper);
	assert_true(o.group);
	assert_true(o.warn_reap);
	assert_int_equal(o.pdeathsig, SIGKILL);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_DEBUG);
	/* a code given twice is one rule */
	assert_int_equal(o.remap_exit_count, 2);
	assert_string_equal(o.remap_exit[0], "143:0");
	assert_string_equal(o.remap_exit[1], "3:0");
	/* getopt permutes, as tini's does: options after the command's name */
	assert_int_equal(TINI("app", "-s"), 0);
	assert_true(o.subreaper);
	assert_int_equal(o.command_argc, 1);
}

/* Every code 0..255 once: no cap but the codes themselves. */
static void test_tini_all_codes(void **state)
{
	char *argv[2 * 256 + 4], codes[256][4];
	int n = 0;

	(void)state;
	argv[n++] = "tini";
	for (int i = 0; i < 256; i++) {
		snprintf(codes[i], sizeof(codes[i]), "%d", i);
		argv[n++] = "-e";
		argv[n++] = codes[i];
	}
	argv[n++] = "--";
	argv[n++] = "app";
	argv[n] = NULL;
	assert_int_equal(parse_as(COMPAT_TINI, argv), 0);
	assert_int_equal(o.remap_exit_count, 256);
	assert_string_equal(o.remap_exit[255], "255:0");
}

static void test_tini_env(void **state)
{
	(void)state;
	setenv("TINI_SUBREAPER", "", 1);
	setenv("TINI_KILL_PROCESS_GROUP", "1", 1);
	setenv("TINI_VERBOSITY", "0", 1);
	/* TINI_VERBOSITY replaces what -v counted */
	assert_int_equal(TINI("-vvv", "app"), 0);
	assert_true(o.subreaper);
	assert_true(o.group);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_ERROR);
	setenv("TINI_VERBOSITY", "2", 1);
	assert_int_equal(TINI("app"), 0);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_INFO);
	setenv("TINI_VERBOSITY", "9", 1);
	assert_int_equal(TINI("app"), 0);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_DEBUG);
}

static void test_tini_actions(void **state)
{
	(void)state;
	assert_int_equal(TINI("--version"), 0);
	assert_int_equal(act, COMPAT_VERSION);
	assert_int_equal(TINI("-h"), 0);
	assert_int_equal(act, COMPAT_HELP);
	assert_int_equal(TINI("-l", "app"), 0);
	assert_int_equal(act, COMPAT_LICENSE);
	/* --version only alone, as tini */
	assert_int_equal(TINI("--version", "app"), -EINVAL);
	assert_string_equal(err, "unknown option '--' (see -h)");
}

static void test_tini_bad(void **state)
{
	(void)state;
	assert_int_equal(parse_as(COMPAT_TINI, (char *[]){ "tini", NULL }), -EINVAL);
	assert_string_equal(err, "no command given (see -h)");
	assert_int_equal(TINI("-e", "256", "app"), -EINVAL);
	assert_string_equal(err, "-e: expected an exit code 0-255, got \"256\"");
	assert_int_equal(TINI("-e", "1x", "app"), -EINVAL);
	assert_string_equal(err, "-e: expected an exit code 0-255, got \"1x\"");
	assert_int_equal(TINI("-p", "SIGNOPE", "app"), -EINVAL);
	assert_string_equal(err, "-p: expected a signal like SIGKILL, got \"SIGNOPE\"");
	assert_int_equal(TINI("-x", "app"), -EINVAL);
	assert_string_equal(err, "unknown option '-x' (see -h)");
	assert_int_equal(TINI("app", "-e"), -EINVAL);
	assert_string_equal(err, "option -e needs an argument (see -h)");
}

static void test_dumb_defaults(void **state)
{
	(void)state;
	assert_int_equal(DUMB("app", "-v"), 0);
	assert_int_equal(act, COMPAT_RUN);
	/* options stop at the command */
	assert_int_equal(o.command_argc, 2);
	assert_string_equal(o.command[1], "-v");
	assert_int_equal(o.child, CLI_CHILD_SESSION);
	assert_true(o.group);
	assert_true(o.end_with_main);
	assert_int_equal(o.end_signal, SIGTERM);
	assert_true(o.job_stop);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_ERROR);
	/* the terminal's stop signals become SIGSTOP */
	assert_int_equal(o.rewrite_count, 3);
	assert_string_equal(o.rewrite[0], "20:19");
	assert_string_equal(o.rewrite[1], "22:19");
	assert_string_equal(o.rewrite[2], "21:19");
}

static void test_dumb_single(void **state)
{
	(void)state;
	assert_int_equal(DUMB("-c", "app"), 0);
	assert_int_equal(o.child, CLI_CHILD_SHARED);
	assert_false(o.group);
	assert_true(o.job_stop);
	assert_int_equal(o.rewrite_count, 0);
	assert_int_equal(DUMB("--single-child", "--", "app"), 0);
	assert_int_equal(o.child, CLI_CHILD_SHARED);
	setenv("DUMB_INIT_SETSID", "0", 1);
	assert_int_equal(DUMB("app"), 0);
	assert_int_equal(o.child, CLI_CHILD_SHARED);
	setenv("DUMB_INIT_SETSID", "1", 1);
	assert_int_equal(DUMB("app"), 0);
	assert_int_equal(o.child, CLI_CHILD_SESSION);
}

static void test_dumb_rewrite(void **state)
{
	(void)state;
	assert_int_equal(DUMB("-r", "15:2", "--rewrite", "2:0", "-r", "15:3", "-r", "20:1",
			      "-r", "9:1", "-r", "SIGUSR1:USR2", "app"), 0);
	/* the last rule for a signal wins; KILL's changes nothing; one given
	 * for a stop signal replaces its SIGSTOP */
	assert_int_equal(o.rewrite_count, 6);
	assert_string_equal(o.rewrite[0], "15:3");
	assert_string_equal(o.rewrite[1], "2:ignore");
	assert_string_equal(o.rewrite[2], "20:1");
	assert_string_equal(o.rewrite[3], "10:12");
	assert_string_equal(o.rewrite[4], "22:19");
	assert_string_equal(o.rewrite[5], "21:19");
	assert_int_equal(DUMB("-r", "1:31", "-r", "31:1", "-c", "app"), 0);
	assert_int_equal(o.rewrite_count, 2);
	assert_string_equal(o.rewrite[0], "1:31");
	assert_string_equal(o.rewrite[1], "31:1");
}

/* As many -r as given, the same signal or not. */
static void test_dumb_many(void **state)
{
	char *argv[2 * 1000 + 3];
	int n = 0;

	(void)state;
	argv[n++] = "dumb-init";
	for (int i = 0; i < 1000; i++) {
		argv[n++] = "-r";
		argv[n++] = i % 2 ? "10:12" : "12:10";
	}
	argv[n++] = "app";
	argv[n] = NULL;
	assert_int_equal(parse_as(COMPAT_DUMB_INIT, argv), 0);
	assert_int_equal(o.rewrite_count, 5);
	assert_string_equal(o.rewrite[0], "12:10");
	assert_string_equal(o.rewrite[1], "10:12");
}

static void test_dumb_env_actions(void **state)
{
	(void)state;
	setenv("DUMB_INIT_DEBUG", "1", 1);
	assert_int_equal(DUMB("app"), 0);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_DEBUG);
	setenv("DUMB_INIT_DEBUG", "yes", 1);
	assert_int_equal(DUMB("app"), 0);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_ERROR);
	assert_int_equal(DUMB("--verbose", "app"), 0);
	assert_int_equal(LOGL_INFO + o.verbosity, LOGL_DEBUG);
	assert_int_equal(DUMB("-V"), 0);
	assert_int_equal(act, COMPAT_VERSION);
	assert_int_equal(DUMB("--version"), 0);
	assert_int_equal(act, COMPAT_VERSION);
	assert_int_equal(DUMB("--help"), 0);
	assert_int_equal(act, COMPAT_HELP);
}

static void test_dumb_bad(void **state)
{
	(void)state;
	assert_int_equal(parse_as(COMPAT_DUMB_INIT, (char *[]){ "dumb-init", NULL }), -EINVAL);
	assert_string_equal(err, "no command given (see --help)");
	assert_int_equal(DUMB("-r", "32:1", "app"), -EINVAL);
	assert_string_equal(err, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"32:1\"");
	assert_int_equal(DUMB("-r", "0:1", "app"), -EINVAL);
	assert_string_equal(err, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"0:1\"");
	assert_int_equal(DUMB("-r", "15", "app"), -EINVAL);
	assert_string_equal(err, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"15\"");
	assert_int_equal(DUMB("-r", "15:x", "app"), -EINVAL);
	assert_string_equal(err, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"15:x\"");
	assert_int_equal(DUMB("--bogus", "app"), -EINVAL);
	assert_string_equal(err, "unknown option '--bogus' (see --help)");
	assert_int_equal(DUMB("-x", "app"), -EINVAL);
	assert_string_equal(err, "unknown option '-x' (see --help)");
	assert_int_equal(DUMB("-r"), -EINVAL);
	assert_string_equal(err, "option -r needs an argument (see --help)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_all_codes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tini_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_env_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dumb_bad, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
