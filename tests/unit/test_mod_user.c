/* user against the fake host and the fixture image tree tests/fixtures/root:
 * names and numbers resolved from its passwd and group files, the ids
 * handed to main_credentials with the scope asked for, HOME, USER and
 * LOGNAME through main_setenv, and the errors placed at the option. */
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

/* Where user.c reads passwd and group (compiled with USER_TEST_ROOT). */
const char *user_test_root;
static char root[4096];

static struct fake_host fh;
static void *st;
static char err[512];

static int group_setup(void **state)
{
	const char *src = getenv("MODINIT_SRCDIR");

	(void)state;
	snprintf(root, sizeof(root), "%s/tests/fixtures/root", src ? src : ".");
	user_test_root = root;
	return access(root, R_OK) == 0 ? 0 : -1;
}

static int start(const char *yaml)
{
	fake_host_init(&fh, "user");
	st = NULL;
	err[0] = '\0';
	return fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	fake_host_free(&fh);
	fake_yaml_free();
	return 0;
}

static void assert_groups(const gid_t *want, size_t n)
{
	assert_int_equal(fh.creds.ngroups, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fh.creds.groups[i], want[i]);
}

/* A name: the entry's ids, its groups from /etc/group (primary first),
 * no_new_privs and the main command by default, the login variables. */
static void test_by_name(void **state)
{
	static const gid_t groups[] = { 1000, 100, 33, 44, 50 };

	(void)state;
	assert_int_equal(start("{name: user, user: app}"), 0);
	assert_true(fh.creds_set);
	assert_int_equal(fh.creds.size, sizeof(struct modinit_creds));
	assert_int_equal(fh.creds.scope, MODINIT_CREDS_MAIN);
	assert_int_equal(fh.creds.uid, 1000);
	assert_int_equal(fh.creds.gid, 1000);
	assert_groups(groups, 5);
	assert_true(fh.creds.no_new_privs);
	assert_string_equal(fake_env(&fh, "HOME"), "/home/app");
	assert_string_equal(fake_env(&fh, "USER"), "app");
	assert_string_equal(fake_env(&fh, "LOGNAME"), "app");
	assert_int_equal(fh.nenv, 3);
	assert_false(fh.holds_start);
	assert_false(fh.holds_stop);
}

/* group and groups given: names and numbers, exactly the list; [] is no
 * supplementary group at all. */
static void test_group_and_groups(void **state)
{
	static const gid_t groups[] = { 44, 29, 4242 };

	(void)state;
	assert_int_equal(start("{name: user, user: app, group: users, groups: [video, audio, 4242],"
			       " no_new_privs: false}"),
			 0);
	assert_int_equal(fh.creds.gid, 100);
	assert_groups(groups, 3);
	assert_false(fh.creds.no_new_privs);
	teardown(NULL);
	assert_int_equal(start("{name: user, user: www, group: 7, groups: []}"), 0);
	assert_int_equal(fh.creds.uid, 33);
	assert_int_equal(fh.creds.gid, 7);
	assert_int_equal(fh.creds.ngroups, 0);
	assert_string_equal(fake_env(&fh, "HOME"), "/var/www");
}

/* A uid: its entry when there is one, else gid = uid, home /, the number
 * as the name; the default groups then hold the gid alone. */
static void test_by_uid(void **state)
{
	static const gid_t app_groups[] = { 1000, 100, 33, 44, 50 };
	static const gid_t alone[] = { 4321 };

	(void)state;
	assert_int_equal(start("{name: user, user: 1000}"), 0);
	assert_int_equal(fh.creds.uid, 1000);
	assert_groups(app_groups, 5);
	assert_string_equal(fake_env(&fh, "USER"), "app");
	teardown(NULL);
	assert_int_equal(start("{name: user, user: 4321}"), 0);
	assert_int_equal(fh.creds.uid, 4321);
	assert_int_equal(fh.creds.gid, 4321);
	assert_groups(alone, 1);
	assert_string_equal(fake_env(&fh, "HOME"), "/");
	assert_string_equal(fake_env(&fh, "USER"), "4321");
	assert_string_equal(fake_env(&fh, "LOGNAME"), "4321");
}

static void test_apply_to(void **state)
{
	(void)state;
	assert_int_equal(start("{name: user, user: app, apply_to: both}"), 0);
	assert_int_equal(fh.creds.scope, MODINIT_CREDS_MAIN | MODINIT_CREDS_HELPERS);
	assert_string_equal(fake_env(&fh, "USER"), "app");
	teardown(NULL);
	/* Only the helpers drop: the command keeps modinit's environment. */
	assert_int_equal(start("{name: user, user: app, apply_to: helpers}"), 0);
	assert_int_equal(fh.creds.scope, MODINIT_CREDS_HELPERS);
	assert_int_equal(fh.nenv, 0);
}

static void expect_error(const char *yaml, const char *message)
{
	assert_int_equal(start(yaml), -EINVAL);
	assert_string_equal(err, message);
	assert_false(fh.creds_set);
	assert_int_equal(fh.nenv, 0);
	teardown(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{name: user, user: nobody-here}",
		     "test.yaml:1:20: user: user: unknown user \"nobody-here\" (not in /etc/passwd)");
	expect_error("{name: user, user: app, group: wheel}",
		     "test.yaml:1:32: user: group: unknown group \"wheel\" (not in /etc/group)");
	expect_error("{name: user, user: app, groups: [video, nogroup]}",
		     "test.yaml:1:41: user: groups: item 2: unknown group \"nogroup\" (not in "
		     "/etc/group)");
	/* A malformed entry (uid "12x") is refused, not guessed at. */
	expect_error("{name: user, user: broken}",
		     "test.yaml:1:20: user: user: cannot look up user \"broken\": Invalid argument");
	expect_error("{name: user}", "test.yaml:1:1: user: missing required option \"user\"");
	expect_error("{name: user, user: app, apply_to: all}",
		     "test.yaml:1:35: user: apply_to: expected main, helpers or both, got \"all\"");
}

/* One module sets the ids: a second is refused, placed at its item. */
static void test_busy(void **state)
{
	(void)state;
	fake_host_init(&fh, "user");
	fh.creds_set = true;
	err[0] = '\0';
	assert_int_equal(fake_init(&fh, &modinit_module, fake_yaml("{name: user, user: app}"), &st,
				   err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "another module already sets the ids the command runs as");
	assert_int_equal(fh.nenv, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_by_name, teardown),
		cmocka_unit_test_teardown(test_group_and_groups, teardown),
		cmocka_unit_test_teardown(test_by_uid, teardown),
		cmocka_unit_test_teardown(test_apply_to, teardown),
		cmocka_unit_test(test_errors),
		cmocka_unit_test_teardown(test_busy, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
