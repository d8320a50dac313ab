/* From a wait status to modinit's exit code: the code the command exited
 * with, 128+N if signal N killed it (a core dump changes nothing), then the
 * modules' on_exit rewrites, each kept only if it is 0..255. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
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

static void test_exit_codes(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++)
		assert_int_equal(reap_exit_code(EXITED(c)), c);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(reap_exit_code(KILLED(SIGHUP)), 129);
	assert_int_equal(reap_exit_code(KILLED(SIGINT)), 130);
	assert_int_equal(reap_exit_code(KILLED(SIGKILL)), 137);
	assert_int_equal(reap_exit_code(KILLED(SIGTERM)), 143);
	assert_int_equal(reap_exit_code(KILLED(64)), 192);
	for (int sig = 1; sig <= 64; sig++) {
		assert_int_equal(reap_exit_code(KILLED(sig)), 128 + sig);
		assert_int_equal(reap_exit_code(KILLED_CORE(sig)), 128 + sig);
	}
}

/* Statuses made by the kernel for real children, not by hand. */
static int real_status(void (*child)(int), int arg)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		child(arg);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void child_exit(int code)
{
	_exit(code);
}

static void child_raise(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

static void child_abort(int unused)
{
	struct rlimit rl = { 0, 0 };

	(void)unused;
	setrlimit(RLIMIT_CORE, &rl); /* no core file left behind */
	child_raise(SIGABRT);
}

static void test_real_children(void **state)
{
	static const int codes[] = { 0, 1, 2, 42, 126, 127, 128, 255 };
	static const int sigs[] = { SIGHUP, SIGINT, SIGKILL, SIGUSR1, SIGTERM, SIGALRM };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(reap_exit_code(real_status(child_exit, codes[i])), codes[i]);
	/* the kernel keeps the low 8 bits: 256 is 0, -1 is 255 */
	assert_int_equal(reap_exit_code(real_status(child_exit, 256)), 0);
	assert_int_equal(reap_exit_code(real_status(child_exit, 257)), 1);
	assert_int_equal(reap_exit_code(real_status(child_exit, -1)), 255);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		assert_int_equal(reap_exit_code(real_status(child_raise, sigs[i])), 128 + sigs[i]);
	assert_int_equal(reap_exit_code(real_status(child_raise, SIGRTMIN + 3)),
			 128 + SIGRTMIN + 3);
	assert_int_equal(reap_exit_code(real_status(child_abort, 0)), 134);
}

/* modinit never asks for stopped or continued children; if such a status
 * ever came, it is not an exit code of the command: 255, never 128+N. */
static void test_stopped_continued(void **state)
{
	int status;
	pid_t pid = fork();

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0) {
		child_raise(SIGSTOP);
		_exit(3);
	}
	assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(reap_exit_code(status), 255);
	assert_int_equal(kill(pid, SIGCONT), 0);
	assert_int_equal(waitpid(pid, &status, WCONTINUED), pid);
	if (WIFCONTINUED(status)) {
		assert_int_equal(reap_exit_code(status), 255);
		assert_int_equal(waitpid(pid, &status, 0), pid);
	}
	assert_int_equal(reap_exit_code(status), 3);
}

/* on_exit hooks run in config order on the code so far; a value outside
 * 0..255 is ignored and the previous one kept. */
static void exit_add(void *st, int *code)
{
	*code += *(int *)st;
}

static void test_on_exit_rewrites(void **state)
{
	static const struct modinit_module adder = {
		MODINIT_MODULE_HEADER,
		.name = "adder",
		.on_exit = exit_add,
	};
	static const struct modinit_module silent = { MODINIT_MODULE_HEADER, .name = "silent" };
	int plus_one = 1, minus_200 = -200, plus_300 = 300, minus_10 = -10;
	struct module mods[5];
	struct modinit m;
	int code;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(mods, 0, sizeof(mods));
	mods[0] = (struct module){ .desc = &adder, .state = &plus_one };
	mods[1] = (struct module){ .desc = &silent };
	mods[2] = (struct module){ .desc = &adder, .state = &minus_200 }; /* 144-200 < 0 */
	mods[3] = (struct module){ .desc = &adder, .state = &plus_300 };  /* 144+300 > 255 */
	mods[4] = (struct module){ .desc = &adder, .state = &minus_10 };
	m.modules = mods;
	m.module_count = 5;
	code = reap_exit_code(KILLED(SIGTERM));
	events_exit(&m, &code);
	assert_int_equal(code, 134); /* 143 +1, two ignored, -10 */

	m.module_count = 0; /* no module: the command's status as it is */
	code = reap_exit_code(EXITED(7));
	events_exit(&m, &code);
	assert_int_equal(code, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_real_children),
		cmocka_unit_test(test_stopped_continued),
		cmocka_unit_test(test_on_exit_rewrites),
	};

	log_set_level(LOGL_ERROR); /* the ignored codes are warnings */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
