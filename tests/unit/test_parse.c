/* Signal, duration and number parsing, shared by the CLI and the config. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

static int sig_of(const char *s)
{
	int sig = -1;

	return parse_signal(s, &sig) == 0 ? sig : -1;
}

static void test_signal_names(void **state)
{
	(void)state;
	assert_int_equal(sig_of("SIGTERM"), SIGTERM);
	assert_int_equal(sig_of("TERM"), SIGTERM);
	assert_int_equal(sig_of("term"), SIGTERM);
	assert_int_equal(sig_of("SigHup"), SIGHUP);
	assert_int_equal(sig_of("15"), 15);
	assert_int_equal(sig_of("SIGWINCH"), SIGWINCH);
	assert_int_equal(sig_of("KILL"), SIGKILL);
	assert_int_equal(sig_of("SIGIO"), SIGIO);
	assert_int_equal(sig_of("64"), 64);
}

static void test_signal_realtime(void **state)
{
	(void)state;
	assert_int_equal(sig_of("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(sig_of("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(sig_of("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(sig_of("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(sig_of("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(sig_of("rtmax-2"), SIGRTMAX - 2);
	assert_int_equal(sig_of("SIGRTMIN+" "0"), SIGRTMIN);
	assert_int_equal(sig_of("RTMIN"), SIGRTMIN);
	assert_int_equal(sig_of("RTMAX"), SIGRTMAX);
	assert_int_equal(sig_of("sigrtmin+3"), SIGRTMIN + 3);
	/* the whole range from either end, and nothing past it */
	assert_int_equal(sig_of("SIGRTMIN+30"), 64);
	assert_int_equal(sig_of("SIGRTMAX-30"), 34);
	assert_int_equal(SIGRTMAX - SIGRTMIN, 30); /* glibc on Linux: 34..64 */
}

/* Aliases parse to the signal they stand for; names print canonically. */
static void test_signal_aliases(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(sig_of("IOT"), SIGABRT);
	assert_int_equal(sig_of("SIGCLD"), SIGCHLD);
	assert_int_equal(sig_of("POLL"), SIGIO);
	assert_string_equal(signal_name(SIGABRT, buf, sizeof(buf)), "SIGABRT");
	assert_string_equal(signal_name(SIGCHLD, buf, sizeof(buf)), "SIGCHLD");
	assert_string_equal(signal_name(SIGIO, buf, sizeof(buf)), "SIGIO");
}

/* A failed parse leaves the output alone: callers parse straight into
 * their settings. */
static void test_output_untouched(void **state)
{
	int sig = 77;
	uint64_t ms = 77;
	long v = 77;

	(void)state;
	assert_int_equal(parse_signal("SIGFOO", &sig), -EINVAL);
	assert_int_equal(parse_signal("SIGRTMIN+99", &sig), -EINVAL);
	assert_int_equal(parse_signal(NULL, &sig), -EINVAL);
	assert_int_equal(sig, 77);
	assert_int_equal(parse_duration("5x", &ms), -EINVAL);
	assert_int_equal(parse_duration("597h", &ms), -ERANGE);
	assert_int_equal(parse_duration(NULL, &ms), -EINVAL);
	assert_int_equal(ms, 77);
	assert_int_equal(parse_long("300", 0, 255, &v), -ERANGE);
	assert_int_equal(parse_long("x", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long(NULL, 0, 255, &v), -EINVAL);
	assert_int_equal(v, 77);
}

static void test_signal_rejects(void **state)
{
	static const char *const bad[] = {
		"", "0", "65", "-1", "15x", "x15", "SIGFOO", "SIG", "SIGTERM ", " TERM",
		"SIGRTMIN+99", "SIGRTMIN-1", "SIGRTMAX+1", "SIGRTMIN+", "SIGRTMIN3", "1e1",
		"SIGRTMIN+31", "SIGRTMAX-31", "RTMAX-", "SIGRTMAX+0", "SIGRTMIN-0", "SIGRTMIN+-1",
		"SIGRTMIN+ 1", "SIGRTMIN+1 ", "+15", "15 ", "SIGSIGTERM", "SIG15", "SIG+1",
		"99999999999999999999", "SIGRTMIN+99999999999999999999", "TERM\n",
	};
	int sig = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_signal(bad[i], &sig) != -EINVAL)
			fail_msg("\"%s\" was accepted as %d", bad[i], sig);
	}
}

/* The canonical names of the standard Linux signals, by number. */
static const char *const std_names[32] = {
	[1] = "SIGHUP",   [2] = "SIGINT",     [3] = "SIGQUIT",   [4] = "SIGILL",
	[5] = "SIGTRAP",  [6] = "SIGABRT",    [7] = "SIGBUS",    [8] = "SIGFPE",
	[9] = "SIGKILL",  [10] = "SIGUSR1",   [11] = "SIGSEGV",  [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM",   [15] = "SIGTERM",  [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT",   [19] = "SIGSTOP",  [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU",   [23] = "SIGURG",   [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF",  [28] = "SIGWINCH",
	[29] = "SIGIO",   [30] = "SIGPWR",    [31] = "SIGSYS",
};

/* Every signal 1..64 has a name; every name but those of the two signals
 * the C library keeps for itself parses back to the same number, and so
 * does the number itself. */
static void test_signal_roundtrip(void **state)
{
	char buf[16], num[8];

	(void)state;
	for (int s = 1; s <= 64; s++) {
		const char *name = signal_name(s, buf, sizeof(buf));

		snprintf(num, sizeof(num), "%d", s);
		if (sig_of(num) != s)
			fail_msg("\"%s\" parses to %d", num, sig_of(num));
		if (s < 32) {
			assert_string_equal(name, std_names[s]);
		} else if (s < SIGRTMIN) {
			char want[16];

			snprintf(want, sizeof(want), "SIG?%d", s);
			assert_string_equal(name, want);
			continue;
		} else if (s > SIGRTMIN) {
			char want[16];

			snprintf(want, sizeof(want), "SIGRTMIN+%d", s - 34);
			assert_string_equal(name, want);
		}
		if (sig_of(name) != s)
			fail_msg("signal %d is named \"%s\", which parses to %d", s, name, sig_of(name));
	}
	assert_string_equal(signal_name(SIGRTMIN, buf, sizeof(buf)), "SIGRTMIN");
	assert_string_equal(signal_name(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3");
	assert_string_equal(signal_name(0, buf, sizeof(buf)), "SIG?0");
	assert_string_equal(signal_name(65, buf, sizeof(buf)), "SIG?65");
	/* The fault handler's name: the same table, without "SIG". */
	for (int s = 1; s < 32; s++)
		assert_string_equal(signame_abbrev(s), std_names[s] + 3);
	assert_null(signame_abbrev(SIGRTMIN));
	assert_null(signame_abbrev(SIGRTMIN + 3));
	assert_null(signame_abbrev(0));
}

static uint64_t ms_of(const char *s, int *r)
{
	uint64_t ms = 424242;

	*r = parse_duration(s, &ms);
	return ms;
}

static void test_durations(void **state)
{
	int r;

	(void)state;
	assert_int_equal(ms_of("250ms", &r), 250);
	assert_int_equal(r, 0);
	assert_int_equal(ms_of("5s", &r), 5000);
	assert_int_equal(ms_of("2m", &r), 120000);
	assert_int_equal(ms_of("1h", &r), 3600000);
	assert_int_equal(ms_of("0s", &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(ms_of("0ms", &r), 0);
	assert_int_equal(ms_of("007s", &r), 7000);
	assert_int_equal(r, 0);
}

/* The cap is INT32_MAX milliseconds (about 24.8 days), in every unit. */
static void test_duration_limits(void **state)
{
	int r;

	(void)state;
	assert_int_equal(ms_of("2147483647ms", &r), 2147483647);
	assert_int_equal(r, 0);
	ms_of("2147483648ms", &r);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(ms_of("2147483s", &r), 2147483000);
	assert_int_equal(r, 0);
	ms_of("2147484s", &r);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(ms_of("35791m", &r), 2147460000);
	assert_int_equal(r, 0);
	ms_of("35792m", &r);
	assert_int_equal(r, -ERANGE);
	assert_int_equal(ms_of("596h", &r), 2145600000);
	assert_int_equal(r, 0);
	ms_of("597h", &r);
	assert_int_equal(r, -ERANGE);
	ms_of("18446744073709551615ms", &r); /* UINT64_MAX */
	assert_int_equal(r, -ERANGE);
	ms_of("18446744073709551616ms", &r); /* one more: strtoull overflows */
	assert_int_equal(r, -ERANGE);
}

static void test_duration_rejects(void **state)
{
	static const char *const bad[] = { "", "five", "5", "-1s", "5x", "s", "ms", "5 s",
					   "5S", "1.5s", "5sec", " 5s", "5s ", "0x10s", "+5s",
					   "5m5", "1h30m", "5MS", "5us", "5ns", "5d" };
	int r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t ms = ms_of(bad[i], &r);

		if (r != -EINVAL)
			fail_msg("\"%s\" gave %d (%llu ms)", bad[i], r, (unsigned long long)ms);
	}
	ms_of("99999999999999999999h", &r);
	assert_int_equal(r, -ERANGE);
	ms_of("9999999999999999h", &r);
	assert_int_equal(r, -ERANGE);
}

static void test_long(void **state)
{
	char buf[32];
	long v = 0;

	(void)state;
	assert_int_equal(parse_long("42", 0, 255, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(parse_long("256", 0, 255, &v), -ERANGE);
	assert_int_equal(parse_long("-1", 0, 255, &v), -ERANGE);
	assert_int_equal(parse_long("", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("12a", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("99999999999999999999999", 0, 255, &v), -ERANGE);
	assert_int_equal(parse_long("-99999999999999999999999", 0, 255, &v), -ERANGE);
	assert_int_equal(parse_long("0", 0, 255, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_long("255", 0, 255, &v), 0);
	assert_int_equal(v, 255);
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	assert_int_equal(parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	assert_true(v == LONG_MAX);
	snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	assert_int_equal(parse_long(buf, LONG_MIN, LONG_MAX, &v), 0);
	assert_true(v == LONG_MIN);
	snprintf(buf, sizeof(buf), "%lu", (unsigned long)LONG_MAX + 1);
	assert_int_equal(parse_long(buf, LONG_MIN, LONG_MAX, &v), -ERANGE);
	assert_int_equal(parse_long(" 5", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("5 ", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("0x10", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("1.0", 0, 255, &v), -EINVAL);
	assert_int_equal(parse_long("-", 0, 255, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_signal_realtime),
		cmocka_unit_test(test_signal_aliases),
		cmocka_unit_test(test_signal_rejects),
		cmocka_unit_test(test_signal_roundtrip),
		cmocka_unit_test(test_output_untouched),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_duration_limits),
		cmocka_unit_test(test_duration_rejects),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
