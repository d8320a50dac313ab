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
	return cli_parse(argc, argv, &o, err, sizeof(err));
}

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
}

static void expect_bad(char **argv, const char *message)
{
	assert_int_equal(parse_args(argv), -EINVAL);
	assert_string_equal(err, message);
}

#define BAD(message, ...) expect_bad((char *[]){ "modinit", __VA_ARGS__, NULL }, message)

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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_repeatable),
		cmocka_unit_test(test_stop_at_command),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
