/* A module built for ABI 1.2 tests for a 1.2 service before calling it:
 * the abi12 fixture (tests/fixtures/modules/abicheck.c built against the
 * current header) on a host table as long as 1.1's, then on a whole one. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

/* Init the fixture on fh with a fresh file; the file's text in out. */
static int run_init(struct fake_host *fh, char *out, size_t len)
{
	char path[] = "/tmp/test_abi12.XXXXXX", yaml[256], err[512] = "";
	void *st = NULL;
	int fd = mkstemp(path), r;
	ssize_t n;

	assert_true(fd >= 0);
	snprintf(yaml, sizeof(yaml), "{name: abi12, file: %s}", path);
	r = fake_init(fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
	assert_string_equal(err, "");
	n = read(fd, out, len - 1);
	assert_true(n > 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	if (r == 0)
		modinit_module.fini(st);
	return r;
}

static void test_short_host_table(void **state)
{
	struct fake_host fh;
	char text[2048];

	(void)state;
	fake_host_init(&fh, "abi12");
	/* What a host without the 1.2 services would hand over. */
	fh.host.size = offsetof(struct modinit_host, main_setenv);
	assert_int_equal(run_init(&fh, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nmain_setenv absent\n"));
	assert_int_equal(fh.nenv, 0);
	/* One byte short of the pointer is still without it. */
	fake_host_free(&fh);
	fake_host_init(&fh, "abi12");
	fh.host.size = offsetof(struct modinit_host, main_setenv) + sizeof(void *) - 1;
	assert_int_equal(run_init(&fh, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nmain_setenv absent\n"));
	fake_host_free(&fh);
	fake_yaml_free();
}

static void test_whole_host_table(void **state)
{
	struct fake_host fh;
	char text[2048];

	(void)state;
	fake_host_init(&fh, "abi12");
	assert_int_equal(run_init(&fh, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "\nmain_setenv 0\n"));
	assert_string_equal(fake_env(&fh, "MODINIT_ABI12"), "yes");
	fake_host_free(&fh);
	fake_yaml_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_host_table),
		cmocka_unit_test(test_whole_host_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
