/* signal-remap's logic against the fake host: map, ignore, target, delay
 * (one timer however many times the signal comes), the order of the steps,
 * and the errors for bad options. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

struct t {
	struct fake_host fh;
	void *state;
	char err[512];
};

static struct t T;

static int start(const char *yaml)
{
	fake_host_init(&T.fh, "signal-remap");
	T.state = NULL;
	T.err[0] = '\0';
	return fake_init(&T.fh, &modinit_module, fake_yaml(yaml), &T.state, T.err, sizeof(T.err));
}

static int teardown(void **state)
{
	(void)state;
	if (T.state)
		modinit_module.fini(T.state);
	T.state = NULL;
	fake_host_free(&T.fh);
	fake_yaml_free();
	return 0;
}

/* One signal through the module: the verdict, and the signal after it. */
static int send(int signo, int target, struct modinit_signal *out)
{
	*out = (struct modinit_signal){ .signo = signo, .target = target };
	return modinit_module.on_signal(T.state, out);
}

static void test_map(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, map: {SIGTERM: SIGQUIT, HUP: 10, SIGRTMIN+3: USR2}}"), 0);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGQUIT);
	assert_int_equal(s.target, MODINIT_TARGET_MAIN);
	assert_int_equal(send(SIGHUP, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGUSR1);
	assert_int_equal(send(SIGRTMIN + 3, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGUSR2);
	/* Not in the map: untouched. */
	assert_int_equal(send(SIGINT, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGINT);
	assert_int_equal(T.fh.nsignals, 0); /* the core forwards, not the module */
}

static void test_ignore(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, map: {WINCH: ignore}}"), 0);
	assert_int_equal(send(SIGWINCH, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_DROP);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGTERM);
}

/* Without target: the target set before the module (the mode's) stays. */
static void test_target(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, map: {TERM: QUIT}}"), 0);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_ALL, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.target, MODINIT_TARGET_ALL);
	teardown(NULL);
	assert_int_equal(start("{name: signal-remap, target: group}"), 0);
	assert_int_equal(send(SIGUSR1, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.signo, SIGUSR1);
	assert_int_equal(s.target, MODINIT_TARGET_GROUP);
	teardown(NULL);
	assert_int_equal(start("{name: signal-remap, target: all}"), 0);
	assert_int_equal(send(SIGUSR1, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.target, MODINIT_TARGET_ALL);
	teardown(NULL);
	assert_int_equal(start("{name: signal-remap, target: child}"), 0);
	assert_int_equal(send(SIGUSR1, MODINIT_TARGET_ALL, &s), MODINIT_SIGNAL_PASS);
	assert_int_equal(s.target, MODINIT_TARGET_MAIN);
}

/* delay: held back, one timer, a second TERM dropped, sent when it fires,
 * mapped and targeted at that moment. */
static void test_delay(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, map: {TERM: QUIT}, target: group, delay: {TERM: 15s}}"), 0);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_CONSUMED);
	assert_int_equal(fake_pending(&T.fh), 1);
	assert_int_equal(fake_next_deadline(&T.fh), T.fh.now + 15000);
	fake_advance(&T.fh, 5000);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_DROP);
	assert_int_equal(fake_pending(&T.fh), 1); /* no second timer */
	assert_string_equal(fake_last_log(&T.fh),
			    "info: signal-remap: SIGTERM again while it is held back: dropped");
	/* Other signals are not held. */
	assert_int_equal(send(SIGUSR1, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_PASS);
	fake_advance(&T.fh, 9999);
	assert_int_equal(T.fh.nsignals, 0);
	fake_advance(&T.fh, 1);
	assert_int_equal(T.fh.nsignals, 1);
	assert_int_equal(T.fh.sig_signo[0], SIGQUIT);
	assert_int_equal(T.fh.sig_target[0], MODINIT_TARGET_GROUP);
	/* Over: the next TERM starts a new delay. */
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_CONSUMED);
	assert_int_equal(fake_pending(&T.fh), 1);
}

/* The module names signals as the core and the config do (one function):
 * SIGRTMIN, not SIGRTMIN+0; SIGIO, not its alias SIGPOLL. */
static void test_log_names(void **state)
{
	const struct {
		int signo;
		const char *line;
	} cases[] = {
		{ SIGRTMIN, "info: signal-remap: SIGRTMIN again while it is held back: dropped" },
		{ SIGIO, "info: signal-remap: SIGIO again while it is held back: dropped" },
		{ 45, "info: signal-remap: SIGRTMIN+11 again while it is held back: dropped" },
	};
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, delay: {SIGRTMIN: 1s, SIGIO: 1s, 45: 1s}}"), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(send(cases[i].signo, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_CONSUMED);
		assert_int_equal(send(cases[i].signo, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_DROP);
		assert_string_equal(fake_last_log(&T.fh), cases[i].line);
	}
}

/* A held signal keeps the target it arrived with when no target is set. */
static void test_delay_keeps_target(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, delay: {SIGINT: 250ms}}"), 0);
	assert_int_equal(send(SIGINT, MODINIT_TARGET_ALL, &s), MODINIT_SIGNAL_CONSUMED);
	fake_advance(&T.fh, 250);
	assert_int_equal(T.fh.nsignals, 1);
	assert_int_equal(T.fh.sig_signo[0], SIGINT);
	assert_int_equal(T.fh.sig_target[0], MODINIT_TARGET_ALL);
}

/* A delayed signal mapped to ignore is held, then dropped. */
static void test_delay_then_ignore(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, map: {HUP: ignore}, delay: {HUP: 1s}}"), 0);
	assert_int_equal(send(SIGHUP, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_CONSUMED);
	fake_advance(&T.fh, 1000);
	assert_int_equal(T.fh.nsignals, 0);
}

/* Shutdown cancels what is held back. */
static void test_shutdown_cancels(void **state)
{
	struct modinit_signal s;

	(void)state;
	assert_int_equal(start("{name: signal-remap, delay: {TERM: 10s}}"), 0);
	assert_int_equal(send(SIGTERM, MODINIT_TARGET_MAIN, &s), MODINIT_SIGNAL_CONSUMED);
	modinit_module.on_shutdown(T.state, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_int_equal(fake_pending(&T.fh), 0);
	fake_advance(&T.fh, 20000);
	assert_int_equal(T.fh.nsignals, 0);
}

static void expect_error(const char *yaml, const char *message)
{
	assert_int_equal(start(yaml), -EINVAL);
	assert_null(T.state);
	assert_string_equal(T.err, message);
	teardown(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{name: signal-remap, map: {SIGFOO: TERM}}",
		     "test.yaml:1:28: signal-remap: map: expected a signal like SIGTERM, got \"SIGFOO\"");
	expect_error("{name: signal-remap, map: {TERM: QUITE}}",
		     "test.yaml:1:34: signal-remap: map: TERM: expected a signal like SIGQUIT or ignore, got \"QUITE\"");
	expect_error("{name: signal-remap, map: {TERM: [QUIT]}}",
		     "test.yaml:1:34: signal-remap: map: TERM: expected a signal like SIGQUIT or ignore, got a list");
	expect_error("{name: signal-remap, map: {TERM: QUIT, 15: HUP}}",
		     "test.yaml:1:40: signal-remap: map: 15 is mapped twice");
	expect_error("{name: signal-remap, map: {KILL: TERM}}",
		     "test.yaml:1:28: signal-remap: map: KILL cannot be remapped or delayed");
	expect_error("{name: signal-remap, target: everyone}",
		     "test.yaml:1:30: signal-remap: target: expected child, group or all, got \"everyone\"");
	expect_error("{name: signal-remap, delay: {TERM: soon}}",
		     "test.yaml:1:36: signal-remap: delay: TERM: expected a duration like 5s, got \"soon\"");
	expect_error("{name: signal-remap, delay: {TERM: 0s}}",
		     "test.yaml:1:36: signal-remap: delay: TERM: a delay must be longer than 0s");
	expect_error("{name: signal-remap, map: [TERM]}",
		     "test.yaml:1:27: signal-remap: map: expected a mapping");
}

/* The descriptor: needs a live init, so exec mode refuses it. */
static void test_descriptor(void **state)
{
	(void)state;
	assert_string_equal(modinit_module.name, "signal-remap");
	assert_true(modinit_module.flags & MODINIT_FLAG_LIVE);
	assert_int_equal(modinit_module.magic, MODINIT_MODULE_MAGIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_map, teardown),
		cmocka_unit_test_teardown(test_ignore, teardown),
		cmocka_unit_test_teardown(test_target, teardown),
		cmocka_unit_test_teardown(test_delay, teardown),
		cmocka_unit_test_teardown(test_delay_keeps_target, teardown),
		cmocka_unit_test_teardown(test_log_names, teardown),
		cmocka_unit_test_teardown(test_delay_then_ignore, teardown),
		cmocka_unit_test_teardown(test_shutdown_cancels, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test(test_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
