/* Signal, duration and number parsing, shared by the CLI and the config. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
}

static void test_signal_rejects(void **state)
{
	static const char *const bad[] = {
		"", "0", "65", "-1", "15x", "x15", "SIGFOO", "SIG", "SIGTERM ", " TERM",
		"SIGRTMIN+99", "SIGRTMIN-1", "SIGRTMAX+1", "SIGRTMIN+", "SIGRTMIN3", "1e1",
	};
	int sig = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse_signal(bad[i], &sig) != -EINVAL)
			fail_msg("\"%s\" was accepted as %d", bad[i], sig);
	}
}

/* Every valid signal number has a name that parses back to it. */
static void test_signal_roundtrip(void **state)
{
	char buf[16];

	(void)state;
	for (int s = 1; s <= SIGRTMAX; s++) {
		const char *name = signal_name(s, buf, sizeof(buf));

		if (s >= 32 && s < SIGRTMIN)
			continue; /* reserved by the C library, no name */
		if (sig_of(name) != s)
			fail_msg("signal %d is named \"%s\", which parses to %d", s, name, sig_of(name));
	}
	assert_string_equal(signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	assert_string_equal(signal_name(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3");
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
}

static void test_duration_rejects(void **state)
{
	static const char *const bad[] = { "", "five", "5", "-1s", "5x", "s", "ms", "5 s",
					   "5S", "1.5s", "5sec", " 5s", "5s ", "0x10s" };
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_signal_realtime),
		cmocka_unit_test(test_signal_rejects),
		cmocka_unit_test(test_signal_roundtrip),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_duration_rejects),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
