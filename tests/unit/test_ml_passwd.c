/* modlib passwd.c: names from a fixture image's /etc/passwd and /etc/group
 * (tests/fixtures/root), never from the host's. */
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

#include "../../modules/lib/modlib.h"

static char root[4096];

static int setup_group(void **state)
{
	const char *src = getenv("MODINIT_SRCDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/tests/fixtures/root", src ? src : ".");
	return access(root, R_OK) == 0 ? 0 : -1;
}

static void test_user_by_name(void **state)
{
	struct ml_user u;

	(void)state;
	assert_int_equal(ml_user_lookup(root, "app", &u), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_string_equal(u.name, "app");
	assert_string_equal(u.home, "/home/app");
	assert_string_equal(u.shell, "/bin/bash");
	assert_int_equal(ml_user_lookup(root, "root", &u), 0);
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.home, "/root");
	/* An empty home is "/", an empty shell stays empty. */
	assert_int_equal(ml_user_lookup(root, "nohome", &u), 0);
	assert_int_equal(u.uid, 1001);
	assert_int_equal(u.gid, 100);
	assert_string_equal(u.home, "/");
	assert_int_equal(ml_user_lookup(root, "www", &u), 0);
	assert_string_equal(u.shell, "");
}

static void test_user_by_id(void **state)
{
	struct ml_user u;

	(void)state;
	/* A number finds the entry with that uid... */
	assert_int_equal(ml_user_lookup(root, "33", &u), 0);
	assert_string_equal(u.name, "www");
	assert_int_equal(u.gid, 33);
	assert_string_equal(u.home, "/var/www");
	/* ...never a name made of digits (2000's uid is 2001). */
	assert_int_equal(ml_user_lookup(root, "2000", &u), 0);
	assert_int_equal(u.uid, 2000);
	assert_string_equal(u.name, "2000");
	assert_string_equal(u.home, "/");
	assert_int_equal(ml_user_lookup(root, "2001", &u), 0);
	assert_string_equal(u.home, "/home/2000");
	/* Absent from the file: gid = uid, home "/", the number as name. */
	assert_int_equal(ml_user_lookup(root, "4321", &u), 0);
	assert_int_equal(u.uid, 4321);
	assert_int_equal(u.gid, 4321);
	assert_string_equal(u.name, "4321");
	assert_string_equal(u.home, "/");
	assert_string_equal(u.shell, "");
}

static void test_user_errors(void **state)
{
	struct ml_user u;

	(void)state;
	assert_int_equal(ml_user_lookup(root, "nobody-here", &u), -ENOENT);
	/* Comment, NIS and blank lines are no entries. */
	assert_int_equal(ml_user_lookup(root, "+nis", &u), -ENOENT);
	assert_int_equal(ml_user_lookup(root, "# a comment line", &u), -ENOENT);
	/* The entry asked for is broken: a guess would be worse. */
	assert_int_equal(ml_user_lookup(root, "broken", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "short", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "a:b", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "12ab", &u), -EINVAL);
	/* (uid_t)-1 is no uid, and anything past it overflows. */
	assert_int_equal(ml_user_lookup(root, "4294967295", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "99999999999999999999", &u), -EINVAL);
	assert_int_equal(ml_user_lookup(root, "4294967294", &u), 0);
	assert_int_equal(u.uid, 4294967294u);
}

static void test_user_no_file(void **state)
{
	char none[4200];
	struct ml_user u;

	(void)state;
	snprintf(none, sizeof(none), "%s/does-not-exist", root);
	assert_int_equal(ml_user_lookup(none, "app", &u), -ENOENT);
	/* A bare uid needs no file (a distroless image has none). */
	assert_int_equal(ml_user_lookup(none, "1000", &u), 0);
	assert_int_equal(u.gid, 1000);
	/* Another error of the file is reported, even for a number. */
	snprintf(none, sizeof(none), "%s/etc/passwd", root);
	assert_int_equal(ml_user_lookup(none, "1000", &u), -ENOTDIR);
}

static void test_group_lookup(void **state)
{
	gid_t g = 0;

	(void)state;
	assert_int_equal(ml_group_lookup(root, "users", &g), 0);
	assert_int_equal(g, 100);
	assert_int_equal(ml_group_lookup(root, "video", &g), 0);
	assert_int_equal(g, 44);
	assert_int_equal(ml_group_lookup(root, "4242", &g), 0);
	assert_int_equal(g, 4242);
	assert_int_equal(ml_group_lookup(root, "nogroup-here", &g), -ENOENT);
	assert_int_equal(ml_group_lookup(root, "badgid", &g), -EINVAL);
	assert_int_equal(ml_group_lookup(root, "toolong", &g), -EINVAL);
	assert_int_equal(ml_group_lookup(root, "", &g), -EINVAL);
	assert_int_equal(ml_group_lookup(root, "4294967295", &g), -EINVAL);
}

static void test_user_groups(void **state)
{
	gid_t g[16];
	int n;

	(void)state;
	/* gid first, then the file's order; badgid lists app but its gid is
	 * broken: skipped, and staff's good line after it still counts. */
	n = ml_user_groups(root, "app", 1000, g, 16);
	assert_int_equal(n, 5);
	assert_int_equal(g[0], 1000);
	assert_int_equal(g[1], 100);
	assert_int_equal(g[2], 33);
	assert_int_equal(g[3], 44);
	assert_int_equal(g[4], 50);
	/* The primary group listed again is there once. */
	n = ml_user_groups(root, "nohome", 100, g, 16);
	assert_int_equal(n, 2);
	assert_int_equal(g[0], 100);
	assert_int_equal(g[1], 44);
	/* A member name is matched whole: "ww" is not "www". */
	assert_int_equal(ml_user_groups(root, "ww", 7, g, 16), 1);
	assert_int_equal(g[0], 7);
	assert_int_equal(ml_user_groups(root, "www", 33, g, 16), 2);
	assert_int_equal(g[1], 29);
	assert_int_equal(ml_user_groups(root, "app", 1000, g, 4), -ERANGE);
	assert_int_equal(ml_user_groups(root, "app", 1000, g, 0), -ERANGE);
	assert_int_equal(ml_user_groups(root, "", 1000, g, 4), -EINVAL);
}

static void test_user_groups_no_file(void **state)
{
	char none[4200];
	gid_t g[4];

	(void)state;
	snprintf(none, sizeof(none), "%s/does-not-exist", root);
	assert_int_equal(ml_user_groups(none, "app", 1000, g, 4), 1);
	assert_int_equal(g[0], 1000);
	assert_int_equal(ml_group_lookup(none, "users", g), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_by_name),
		cmocka_unit_test(test_user_by_id),
		cmocka_unit_test(test_user_errors),
		cmocka_unit_test(test_user_no_file),
		cmocka_unit_test(test_group_lookup),
		cmocka_unit_test(test_user_groups),
		cmocka_unit_test(test_user_groups_no_file),
	};

	return cmocka_run_group_tests(tests, setup_group, NULL);
}
