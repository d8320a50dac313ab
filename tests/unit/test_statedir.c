/* The state directory's writer: a file replaced whole, the old one gone,
 * nothing left under the temporary name, a planted link never followed;
 * and the owner and mode rule it shares with the module loader (trust.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "statedir.h"
#include "trust.h"

static char dir[256];

static int td_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/statedir.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(dir) && chmod(dir, 0755) == 0 ? 0 : -1;
}

static int td_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_file(const char *name, char *buf, size_t len)
{
	char path[300];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static ino_t inode_of(const char *name)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

static bool exists(const char *name)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void test_replace(void **state)
{
	struct statedir s = { 0 };
	char buf[64];
	ino_t first;

	(void)state;
	assert_int_equal(statedir_open(&s, dir, false), 0);
	assert_int_equal(statedir_write(&s, "health", "one\n", 4), 0);
	first = inode_of("health");
	assert_int_equal(statedir_write(&s, "health", "two two\n", 8), 0);
	read_file("health", buf, sizeof(buf));
	assert_string_equal(buf, "two two\n");
	assert_true(inode_of("health") != first); /* a new file, not rewritten in place */
	assert_false(exists(".health.tmp"));      /* the old one is gone */
	statedir_close(&s);
}

static void test_planted_link(void **state)
{
	struct statedir s = { 0 };
	char target[300], link[300], buf[64];
	FILE *f;

	(void)state;
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/status", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(statedir_open(&s, dir, false), 0);
	assert_int_equal(statedir_write(&s, "status", "new\n", 4), 0);
	read_file("target", buf, sizeof(buf));
	assert_string_equal(buf, "precious\n"); /* never written through */
	read_file("status", buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_false(exists(".status.tmp"));
	statedir_close(&s);
}

/* Owner root or the euid; no write bit for group or others, sticky or not. */
static void test_trust_faults(void **state)
{
	uid_t me = geteuid(), other = me == 1 ? 2 : 1;
	struct stat st = { .st_uid = 0, .st_mode = S_IFDIR | 0755 };

	(void)state;
	assert_int_equal(trust_faults(&st), 0);
	st.st_uid = me;
	assert_int_equal(trust_faults(&st), 0);
	st.st_mode = S_IFREG | 0644;
	assert_int_equal(trust_faults(&st), 0);
	st.st_uid = other;
	assert_int_equal(trust_faults(&st), TRUST_FOREIGN_OWNER);
	st.st_uid = me;
	st.st_mode = S_IFDIR | 0775;
	assert_int_equal(trust_faults(&st), TRUST_SHARED_WRITE);
	st.st_mode = S_IFDIR | 01757;
	assert_int_equal(trust_faults(&st), TRUST_SHARED_WRITE);
	st.st_mode = S_IFDIR | 04755; /* setuid is no write bit */
	assert_int_equal(trust_faults(&st), 0);
	st.st_uid = other;
	st.st_mode = S_IFDIR | 0777;
	assert_int_equal(trust_faults(&st), TRUST_FOREIGN_OWNER | TRUST_SHARED_WRITE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replace, td_setup, td_teardown),
		cmocka_unit_test_setup_teardown(test_planted_link, td_setup, td_teardown),
		cmocka_unit_test(test_trust_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
