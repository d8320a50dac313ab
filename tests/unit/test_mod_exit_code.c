/* exit-code's logic against the fake host: the map applies to the final
 * status, other codes pass unchanged, bad options are refused. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

static struct fake_host fh;
static void *st;
static char err[512];

static int start(const char *yaml)
{
	fake_host_init(&fh, "exit-code");
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

static int final(int code)
{
	modinit_module.on_exit(st, &code);
	return code;
}

static void test_map(void **state)
{
	(void)state;
	assert_int_equal(start("{name: exit-code, map: {143: 0, 130: 0, 1: 2, 0: 7}}"), 0);
	assert_int_equal(final(143), 0);
	assert_int_equal(final(130), 0);
	assert_int_equal(final(1), 2);
	assert_int_equal(final(0), 7);
	assert_int_equal(final(2), 2);
	assert_int_equal(final(255), 255);
	assert_string_equal(fake_last_log(&fh), "info: exit-code: exit status 0 becomes 7");
}

/* One step only: 1 -> 2 does not go on to 2's own mapping. */
static void test_no_chain(void **state)
{
	(void)state;
	assert_int_equal(start("{name: exit-code, map: {1: 2, 2: 3}}"), 0);
	assert_int_equal(final(1), 2);
	assert_int_equal(final(2), 3);
}

static void expect_error(const char *yaml, const char *message)
{
	assert_int_equal(start(yaml), -EINVAL);
	assert_null(st);
	assert_string_equal(err, message);
	teardown(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{name: exit-code, map: {256: 0}}",
		     "test.yaml:1:25: exit-code: map: expected an exit code from 0 to 255, got 256");
	expect_error("{name: exit-code, map: {143: -1}}",
		     "test.yaml:1:30: exit-code: map: 143: expected an exit code from 0 to 255, got -1");
	expect_error("{name: exit-code, map: {x: 0}}",
		     "test.yaml:1:25: exit-code: map: expected an integer, got \"x\"");
	expect_error("{name: exit-code, map: {143: 0, 0143: 1}}",
		     "test.yaml:1:33: exit-code: map: 143 is mapped twice");
	expect_error("{name: exit-code}", "test.yaml:1:1: exit-code: missing required option \"map\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_map, teardown),
		cmocka_unit_test_teardown(test_no_chain, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
