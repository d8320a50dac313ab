/* Command-line parsing: every option, the stop at the first non-option, and
 * the one-line reasons for bad input. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static struct cli_opts o;
static char err[256];

/* Parse a NULL-terminated list of arguments after "modinit". */
#define PARSE(...) parse_args((char *[]){ "modinit", __VA_ARGS__, NULL })

static int parse_args(char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	cli_free(&o);
	return cli_parse(argc, argv, &o, err, sizeof(err));
}

static void expect_bad(char **argv, const char *message)
{
	assert_int_equal(parse_args(argv), -EINVAL);
	assert_string_equal(err, message);
}

#define BAD(message, ...) expect_bad((char *[]){ "modinit", __VA_ARGS__, NULL }, message)

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(PARSE("app"), 0);
	assert_int_equal(o.action, CLI_RUN);
	assert_false(o.subreaper);
	assert_false(o.group);
	assert_false(o.warn_reap);
	assert_int_equal(o.pdeathsig, 0);
	assert_int_equal(o.grace_ms, 5000);
	assert_false(o.grace_set);
	assert_null(o.config);
	assert_null(o.mode);
	assert_int_equal(o.command_argc, 1);
	assert_string_equal(o.command[0], "app");
	assert_null(o.command[1]);
}

static void test_flags(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-s", "-g", "-w", "-v", "-v", "-q", "-v", "--", "app", "x"), 0);
	assert_true(o.subreaper);
	assert_true(o.group);
	assert_true(o.warn_reap);
	assert_int_equal(o.verbosity, 2);
	assert_int_equal(o.command_argc, 2);
	assert_string_equal(o.command[1], "x");
	assert_int_equal(PARSE("--subreaper", "--group", "--warn-reap", "--quiet", "app"), 0);
	assert_true(o.subreaper && o.group && o.warn_reap);
	assert_int_equal(o.verbosity, -1);
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-p", "SIGUSR1", "--grace", "250ms", "-c", "/etc/i.yaml", "-m",
			       "wait-all-children", "--state-dir", "/run/x", "app"),
			 0);
	assert_int_equal(o.pdeathsig, SIGUSR1);
	assert_int_equal(o.grace_ms, 250);
	assert_true(o.grace_set);
	assert_string_equal(o.config, "/etc/i.yaml");
	assert_string_equal(o.mode, "wait-all-children");
	assert_string_equal(o.state_dir, "/run/x");
	assert_int_equal(PARSE("--pdeathsig=KILL", "--grace=2m", "--config=c.yaml", "--mode=exec", "app"), 0);
	assert_int_equal(o.pdeathsig, SIGKILL);
	assert_int_equal(o.grace_ms, 120000);
	assert_string_equal(o.mode, "exec");
}

static void test_repeatable(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-r", "TERM:QUIT", "--rewrite", "WINCH:ignore", "-e", "143", "-e",
			       "1:2", "--module-path", "/a", "--module-path", "/b", "app"),
			 0);
	assert_int_equal(o.rewrite_count, 2);
	assert_string_equal(o.rewrite[0], "TERM:QUIT");
	assert_string_equal(o.rewrite[1], "WINCH:ignore");
	assert_int_equal(o.remap_exit_count, 2);
	assert_string_equal(o.remap_exit[0], "143");
	assert_string_equal(o.remap_exit[1], "1:2");
	assert_int_equal(o.module_path_count, 2);
	assert_string_equal(o.module_path[1], "/b");
}

/* '+': the first non-option ends modinit's options; the rest is the
 * command's, even when it looks like modinit's own flags. */
static void test_stop_at_command(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-s", "sh", "-c", "echo", "-g", "--grace", "x"), 0);
	assert_true(o.subreaper);
	assert_false(o.group);
	assert_false(o.grace_set);
	assert_int_equal(o.command_argc, 6);
	assert_string_equal(o.command[0], "sh");
	assert_string_equal(o.command[3], "-g");
	assert_int_equal(PARSE("--", "-v"), 0);
	assert_string_equal(o.command[0], "-v");
	assert_int_equal(o.verbosity, 0);
}

/* No command is not cli_parse's error: --help and friends need none; the
 * caller refuses a run without one. */
static void test_no_command(void **state)
{
	(void)state;
	assert_int_equal(parse_args((char *[]){ "modinit", NULL }), 0);
	assert_int_equal(o.action, CLI_RUN);
	assert_null(o.command);
	assert_int_equal(o.command_argc, 0);
	assert_int_equal(PARSE("-s", "--"), 0);
	assert_true(o.subreaper);
	assert_null(o.command);
	assert_int_equal(o.command_argc, 0);
	/* only the first "--" is modinit's */
	assert_int_equal(PARSE("--", "--", "x"), 0);
	assert_int_equal(o.command_argc, 2);
	assert_string_equal(o.command[0], "--");
	assert_string_equal(o.command[1], "x");
	/* a lone "-" is an operand: the command */
	assert_int_equal(PARSE("-", "x"), 0);
	assert_string_equal(o.command[0], "-");
}

/* Short flags cluster, and a value may be glued to its letter. */
static void test_clusters(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-sgw", "-vvq", "-pTERM", "app"), 0);
	assert_true(o.subreaper && o.group && o.warn_reap);
	assert_int_equal(o.verbosity, 1);
	assert_int_equal(o.pdeathsig, SIGTERM);
	assert_int_equal(PARSE("-sp", "9", "-cfile.yaml", "-mexec", "app"), 0);
	assert_true(o.subreaper);
	assert_int_equal(o.pdeathsig, SIGKILL);
	assert_string_equal(o.config, "file.yaml");
	assert_string_equal(o.mode, "exec");
	/* unambiguous prefixes of long options are accepted */
	assert_int_equal(PARSE("--sub", "--grac=1s", "app"), 0);
	assert_true(o.subreaper);
	assert_int_equal(o.grace_ms, 1000);
}

static void test_signal_and_grace_values(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-p", "SIGRTMIN+3", "app"), 0);
	assert_int_equal(o.pdeathsig, SIGRTMIN + 3);
	assert_int_equal(PARSE("-p", "hup", "app"), 0);
	assert_int_equal(o.pdeathsig, SIGHUP);
	assert_int_equal(PARSE("-p", "64", "app"), 0);
	assert_int_equal(o.pdeathsig, 64);
	assert_int_equal(PARSE("--grace", "0s", "app"), 0);
	assert_int_equal(o.grace_ms, 0);
	assert_true(o.grace_set);
	assert_int_equal(PARSE("--grace", "1h", "app"), 0);
	assert_int_equal(o.grace_ms, 3600000);
	/* the last one wins */
	assert_int_equal(PARSE("--grace", "1s", "--grace", "3s", "-p", "INT", "-p", "QUIT", "app"), 0);
	assert_int_equal(o.grace_ms, 3000);
	assert_int_equal(o.pdeathsig, SIGQUIT);
}

/* --module-path takes exactly its capacity; -r and -e have no cap of
 * their own (tini takes every exit code). */
static void test_limits(void **state)
{
	static char *argv[2 * 1000 + 4];
	int n;

	(void)state;
	n = 0;
	argv[n++] = "modinit";
	for (int i = 0; i < CLI_MAX_MODULE_PATH; i++) {
		argv[n++] = "--module-path";
		argv[n++] = "/d";
	}
	argv[n++] = "app";
	argv[n] = NULL;
	assert_int_equal(parse_args(argv), 0);
	assert_int_equal(o.module_path_count, 16);
	assert_null(o.module_path[16]); /* NULL-terminated */
	argv[n - 1] = "--module-path";
	argv[n++] = "/d";
	argv[n] = NULL;
	expect_bad(argv, "--module-path: at most 16 directories");

	n = 0;
	argv[n++] = "modinit";
	for (int i = 0; i < 1000; i++) {
		argv[n++] = "-r";
		argv[n++] = "USR1:USR2";
	}
	argv[n] = NULL;
	assert_int_equal(parse_args(argv), 0);
	assert_int_equal(o.rewrite_count, 1000);
	assert_string_equal(o.rewrite[999], "USR1:USR2");

	n = 0;
	argv[n++] = "modinit";
	for (int i = 0; i < 1000; i++) {
		argv[n++] = "-e";
		argv[n++] = "1:0";
	}
	argv[n] = NULL;
	assert_int_equal(parse_args(argv), 0);
	assert_int_equal(o.remap_exit_count, 1000);
}

/* -r and -e accept every well-formed rule, and keep the text for later. */
static void test_rule_forms(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-r", "SIGRTMIN+3:SIGUSR1", "-r", "15:ignore", "-r", "hup:term",
			       "-e", "0", "-e", "255:0", "-e", "143:0", "app"),
			 0);
	assert_int_equal(o.rewrite_count, 3);
	assert_string_equal(o.rewrite[0], "SIGRTMIN+3:SIGUSR1");
	assert_string_equal(o.rewrite[1], "15:ignore");
	assert_string_equal(o.rewrite[2], "hup:term");
	assert_int_equal(o.remap_exit_count, 3);
	assert_string_equal(o.remap_exit[1], "255:0");
	assert_string_equal(o.remap_exit[2], "143:0");
}

static void test_actions(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-V"), 0);
	assert_int_equal(o.action, CLI_VERSION);
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(o.action, CLI_HELP);
	assert_int_equal(PARSE("--check-config"), 0);
	assert_int_equal(o.action, CLI_CHECK_CONFIG);
	assert_int_equal(PARSE("--list-modules"), 0);
	assert_int_equal(o.action, CLI_LIST_MODULES);
	assert_int_equal(PARSE("--describe-module", "exec"), 0);
	assert_int_equal(o.action, CLI_DESCRIBE_MODULE);
	assert_string_equal(o.describe, "exec");
	assert_int_equal(PARSE("--health"), 0);
	assert_int_equal(o.action, CLI_HEALTH);
	assert_false(o.health_ready);
	assert_int_equal(PARSE("--health=ready"), 0);
	assert_int_equal(o.action, CLI_HEALTH);
	assert_true(o.health_ready);
	assert_int_equal(PARSE("--health=live"), 0);
	assert_int_equal(o.action, CLI_HEALTH);
	assert_false(o.health_ready);
	assert_int_equal(PARSE("-h"), 0);
	assert_int_equal(o.action, CLI_HELP);
	assert_int_equal(PARSE("--version"), 0);
	assert_int_equal(o.action, CLI_VERSION);
	assert_int_equal(PARSE("--state-dir=/s", "--health"), 0);
	assert_string_equal(o.state_dir, "/s");
	assert_int_equal(o.action, CLI_HEALTH);
	assert_int_equal(PARSE("--status", "--state-dir", "/t"), 0);
	assert_int_equal(o.action, CLI_STATUS);
	assert_string_equal(o.state_dir, "/t");
}

static void test_errors(void **state)
{
	(void)state;
	BAD("unknown option '--bogus' (see --help)", "--bogus", "app");
	BAD("unknown option '-x' (see --help)", "-x", "app");
	BAD("option --grace needs an argument", "--grace");
	BAD("option --pdeathsig needs an argument", "-p"); /* named by its long form */
	BAD("--grace: expected a duration like 5s, got \"five\"", "--grace", "five", "app");
	BAD("--grace: expected a duration like 5s, got \"5\"", "--grace", "5", "app");
	BAD("--pdeathsig: expected a signal like SIGTERM, got \"SIGNOPE\"", "-p", "SIGNOPE", "app");
	BAD("--mode: expected wait, wait-all-children or exec, got \"all\"", "-m", "all", "app");
	BAD("--rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \"TERM\"", "-r", "TERM", "app");
	BAD("--rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \"TERM:NOPE\"", "-r",
	    "TERM:NOPE", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"256\"", "-e", "256", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"1:x\"", "-e", "1:x", "app");
	BAD("--health: expected ready or live, got \"maybe\"", "--health=maybe");
	BAD("--health takes no command, got \"ready\" (for readiness: --health=ready)", "--health",
	    "ready");
	BAD("--health: expected ready or live, got \"\"", "--health=");
	BAD("--status takes no command, got \"app\"", "--status", "app");
	BAD("option --status takes no argument", "--status=x");
	/* an unknown letter is named as such, wherever it sits in a cluster */
	BAD("unknown option '-x' (see --help)", "-xs", "app");
	BAD("unknown option '-x' (see --help)", "-sx", "app");
	BAD("unknown option '--bogus' (see --help)", "--bogus=1", "app");
	BAD("unknown option '--gr' (see --help)", "--gr=1s", "app"); /* grace or group */
	BAD("option --group takes no argument", "--group=1", "app");
	BAD("option --check-config takes no argument", "--check-config=yes");
	BAD("option --config needs an argument", "-c");
	BAD("option --describe-module needs an argument", "--describe-module");
	BAD("option --module-path needs an argument", "--module-path");
	BAD("option --rewrite needs an argument", "-s", "-r");
	BAD("--grace: expected a duration like 5s, got \"\"", "--grace=", "app");
	BAD("--grace: expected a duration like 5s, got \"597h\"", "--grace", "597h", "app");
	BAD("--grace: expected a duration like 5s, got \"-1s\"", "--grace", "-1s", "app");
	BAD("--pdeathsig: expected a signal like SIGTERM, got \"0\"", "-p", "0", "app");
	BAD("--pdeathsig: expected a signal like SIGTERM, got \"65\"", "-p65", "app");
	BAD("--mode: expected wait, wait-all-children or exec, got \"\"", "--mode=", "app");
	BAD("--rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \":TERM\"", "-r", ":TERM", "app");
	BAD("--rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \"TERM:\"", "-r", "TERM:", "app");
	BAD("--rewrite: expected FROM:TO like SIGTERM:SIGQUIT, got \"ignore:TERM\"", "-r",
	    "ignore:TERM", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"-1\"", "-e", "-1", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"1:\"", "-e", "1:", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \":1\"", "-e", ":1", "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"1:2:3\"", "-e", "1:2:3",
	    "app");
	BAD("--remap-exit: expected CODE or CODE:NEW (0-255), got \"0000000000000001\"", "-e",
	    "0000000000000001", "app");
}

/* Each message is one line: the caller prints it as it is. */
static void test_error_is_one_line(void **state)
{
	(void)state;
	BAD("unknown option '-x' (see --help)", "-x");
	assert_null(strchr(err, '\n'));
	assert_int_equal(PARSE("app"), 0);
	assert_string_equal(err, ""); /* cleared on success */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_repeatable),
		cmocka_unit_test(test_stop_at_command),
		cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_clusters),
		cmocka_unit_test(test_signal_and_grace_values),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rule_forms),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_is_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
