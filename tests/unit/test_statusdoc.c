/* The status document (core/status.c) through the real host table, in a
 * real state directory, and read back by modinit --status and --health
 * (core/query.c): written only when a module published something or asked
 * for the directory, never in a dry run, once per change of what it says;
 * the worst published health and the readiness of all; a stopped document
 * and a writer that is gone are not answered from. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "loader.h"
#include "log.h"
#include "modinit.h"
#include "query.h"
#include "status.h"

static const struct modinit_module mod_a = { MODINIT_MODULE_HEADER, .name = "a" };
static const struct modinit_module mod_b = { MODINIT_MODULE_HEADER, .name = "b" };

static struct {
	struct modinit m;
	struct module mods[2];
	char dir[4096];
	char path[4200];
} fx;

static const struct modinit_host *host(int i)
{
	return &fx.mods[i].host;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "%s/statusdoc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fx.dir));
	chmod(fx.dir, 0755);
	snprintf(fx.path, sizeof(fx.path), "%s/status", fx.dir);
	fx.m.loop.epfd = fx.m.loop.tfd = -1;
	fx.mods[0].desc = &mod_a;
	fx.mods[1].desc = &mod_b;
	for (int i = 0; i < 2; i++)
		events_host_init(&fx.m, &fx.mods[i]);
	fx.m.modules = fx.mods;
	fx.m.module_count = 2;
	fx.m.self = getpid();
	fx.m.state_dir = fx.dir;
	fx.m.opts.action = CLI_RUN;
	fx.m.reaper.main_pid = 100;
	fx.m.lc.phase = LC_RUNNING;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		loader_release(&fx.mods[i]);
	statedir_close(&fx.m.sdir);
	unlink(fx.path);
	assert_int_equal(rmdir(fx.dir), 0); /* no temporary file left behind */
	return 0;
}

/* The document's inode: each write is a new file; 0 when there is none. */
static ino_t doc_inode(void)
{
	struct stat st;

	return stat(fx.path, &st) == 0 ? st.st_ino : 0;
}

static char *slurp(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* What fn(dir) printed on stdout, and its exit code in *code. */
static char *captured(int (*fn)(const char *), const char *dir, int *code)
{
	char out[4300];
	int fd, saved = dup(STDOUT_FILENO);

	snprintf(out, sizeof(out), "%s/.out", fx.dir);
	fflush(stdout);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	*code = fn(dir);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	{
		char *s = slurp(out);

		unlink(out);
		return s;
	}
}

static int health_live(const char *dir)
{
	return query_health(dir, false);
}

static int health_ready(const char *dir)
{
	return query_health(dir, true);
}

/* fn(dir) prints exactly printed and exits code. */
static void expect_out(int (*fn)(const char *), const char *printed, int code)
{
	int got;

	assert_string_equal(captured(fn, fx.dir, &got), printed);
	assert_int_equal(got, code);
}

static unsigned long long my_start(void)
{
	unsigned long long start = 0;
	char state;

	assert_int_equal(status_proc(getpid(), &state, &start), 0);
	return start;
}

static void test_only_when_wanted(void **state)
{
	(void)state;
	status_flush(&fx.m);
	assert_int_equal(doc_inode(), 0);
	/* Asking for the directory is enough: the module keeps state there. */
	assert_non_null(host(0)->state_dir(host(0)));
	status_flush(&fx.m);
	assert_true(doc_inode() != 0);
}

static void test_never_in_a_dry_run(void **state)
{
	(void)state;
	fx.m.opts.action = CLI_CHECK_CONFIG;
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true, NULL), 0);
	assert_int_equal(host(1)->publish_status(host(1), "up"), 0);
	status_flush(&fx.m);
	status_finish(&fx.m);
	assert_int_equal(doc_inode(), 0);
}

/* The whole document, exactly: the writer, the phase, the main pid, the
 * overall health, and each module's publications (null where none). */
static void test_document(void **state)
{
	char want[2048];

	(void)state;
	assert_int_equal(host(0)->publish_status(host(0), "serving \"x\""), 0);
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true,
						 "{\"k\": \"v\"}\n"), 0);
	status_flush(&fx.m);
	snprintf(want, sizeof(want),
		 "{\"writer\": {\"pid\": %d, \"start\": %llu, \"running\": true},\n"
		 "  \"phase\": \"running\", \"main_pid\": 100,\n"
		 "  \"health\": \"healthy\", \"ready\": true,\n"
		 "  \"modules\": [\n"
		 "    {\"name\": \"a\", \"health\": \"healthy\", \"ready\": true, \"status\": "
		 "\"serving \\\"x\\\"\", \"detail\": \"{\\\"k\\\": \\\"v\\\"}\\n\"},\n"
		 "    {\"name\": \"b\", \"health\": null, \"ready\": null, \"status\": null, "
		 "\"detail\": null}\n"
		 "  ]}\n",
		 (int)getpid(), my_start());
	assert_string_equal(slurp(fx.path), want);
	/* status_json: the same document, live, for a module to serve. */
	{
		size_t len = 0;
		char *live = host(1)->status_json(host(1), &len);

		assert_string_equal(live, want);
		assert_int_equal(len, strlen(want));
		free(live);
	}
	/* The end: the same document, stopped, in the phase it ended in. */
	fx.m.lc.phase = LC_DONE;
	fx.m.reaper.main_exited = true;
	status_finish(&fx.m);
	assert_non_null(strstr(slurp(fx.path), "\"running\": false},\n"
					       "  \"phase\": \"done\", \"main_pid\": null,\n"));
}

/* One write per change of what the document says, none otherwise. */
static void test_once_per_change(void **state)
{
	ino_t ino;

	(void)state;
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_STARTING, false, "{}"), 0);
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, false, "{}"), 0);
	assert_int_equal(host(0)->publish_status(host(0), "up"), 0);
	status_flush(&fx.m);
	ino = doc_inode();
	assert_true(ino != 0);
	status_flush(&fx.m);
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, false, "{}"), 0);
	assert_int_equal(host(0)->publish_status(host(0), "up"), 0);
	status_flush(&fx.m);
	status_flush(&fx.m);
	assert_int_equal(doc_inode(), ino); /* the same file: never rewritten */
	assert_int_equal(host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true, "{}"), 0);
	status_flush(&fx.m);
	assert_true(doc_inode() != ino);
	ino = doc_inode();
	fx.m.lc.phase = LC_STOPPING;
	status_flush(&fx.m);
	assert_true(doc_inode() != ino);
	ino = doc_inode();
	fx.m.reaper.main_exited = true;
	status_flush(&fx.m);
	assert_true(doc_inode() != ino);
	assert_int_equal(host(0)->publish_health(host(0), 0, true, NULL), -EINVAL);
	assert_int_equal(host(0)->publish_health(host(0), 4, true, NULL), -EINVAL);
}

/* The document's health line is line; --health prints printed and exits
 * live, --health=ready exits ready. */
static void expect_answers(const char *line, const char *printed, int live, int ready)
{
	status_flush(&fx.m);
	assert_non_null(strstr(slurp(fx.path), line));
	expect_out(health_live, printed, live);
	expect_out(health_ready, printed, ready);
}

/* The worst health wins; ready only when every publisher is. */
static void test_overall(void **state)
{
	(void)state;
	host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true, "A\n");
	expect_answers("\n  \"health\": \"healthy\", \"ready\": true,\n", "A\n", 0, 0);
	host(1)->publish_health(host(1), MODINIT_HEALTH_STARTING, false, "B\n");
	expect_answers("\n  \"health\": \"starting\", \"ready\": false,\n", "A\nB\n", 1, 1);
	host(1)->publish_health(host(1), MODINIT_HEALTH_UNHEALTHY, true, NULL);
	host(0)->publish_health(host(0), MODINIT_HEALTH_STARTING, true, "A\n");
	expect_answers("\n  \"health\": \"unhealthy\", \"ready\": true,\n", "A\n", 1, 0);
}

/* --health prints each detail as it was published, byte for byte. */
static void test_detail_round_trip(void **state)
{
	static const char detail[] = "{\"q\": \"\\\"x\\\"\"}\n\ttab \\ \xc3\xa9 \xe2\x82\xac \x01 /\r\n";
	(void)state;
	host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true, detail);
	status_flush(&fx.m);
	expect_out(health_live, detail, 0);
}

/* --status prints the document, and answers 0 only while its writer runs;
 * --health answers nothing from a stopped document or a dead writer. */
static void test_writer_checks(void **state)
{
	char doc[4096];
	pid_t dead;
	int code;

	(void)state;
	status_flush(&fx.m); /* nothing published: no document */
	expect_out(query_status, "", 1);
	host(1)->publish_status(host(1), "b's line");
	status_flush(&fx.m);
	snprintf(doc, sizeof(doc), "%s", slurp(fx.path));
	expect_out(query_status, doc, 0);
	/* Nobody published a health. */
	expect_out(health_live, "", 1);
	host(0)->publish_health(host(0), MODINIT_HEALTH_HEALTHY, true, "A\n");
	status_finish(&fx.m);
	snprintf(doc, sizeof(doc), "%s", slurp(fx.path));
	expect_out(query_status, doc, 1);
	expect_out(health_live, "", 1);
	/* A writer that is gone: a reaped child's pid. */
	dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	fx.m.self = dead;
	fx.m.status.start = 0;
	status_changed(&fx.m);
	status_flush(&fx.m);
	expect_out(health_live, "", 1);
	captured(query_status, fx.dir, &code);
	assert_int_equal(code, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_when_wanted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_in_a_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once_per_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
