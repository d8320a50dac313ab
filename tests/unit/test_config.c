/* The configuration loader against golden fixtures in tests/fixtures/config:
 * every bad-NAME.yaml must fail with exactly the line in bad-NAME.err, and
 * every good-NAME.yaml must load into exactly the dump in good-NAME.out (the
 * settings, then the marked tree). One TAP line per fixture. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../config/cfg.h"

static const char *fixture_dir(void)
{
	static char dir[4096];
	const char *src = getenv("MODINIT_SRCDIR");

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/config", src ? src : ".");
	return dir;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + len, 1, 4096, f);

		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* A growing text buffer for dumps. */
struct out {
	char *s;
	size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	if (o->len + (size_t)n + 1 > o->cap) {
		o->cap = (o->len + (size_t)n + 1) * 2;
		o->s = realloc(o->s, o->cap);
		assert_non_null(o->s);
	}
	va_start(ap, fmt);
	vsnprintf(o->s + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

/* Text with newlines written as \n, so one value stays on one line. */
static void out_text(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			outf(o, "\\n");
		else
			outf(o, "%c", *s);
	}
}

static void out_strv(struct out *o, const char *key, char *const *v)
{
	outf(o, "%s=", key);
	if (!v)
		outf(o, "-");
	for (size_t i = 0; v && v[i]; i++) {
		outf(o, "%s", i ? "|" : "");
		out_text(o, v[i]);
	}
	outf(o, "\n");
}

static void out_tree(struct out *o, const struct modinit_node *n, int depth)
{
	for (int i = 0; i < depth; i++)
		outf(o, " ");
	switch (n->type) {
	case MODINIT_NODE_SCALAR:
		outf(o, "scalar ");
		out_text(o, n->value);
		outf(o, " %u:%u %s\n", n->line, n->column, n->quoted ? "quoted" : "plain");
		break;
	case MODINIT_NODE_LIST:
		outf(o, "list %u:%u\n", n->line, n->column);
		for (size_t i = 0; i < n->count; i++)
			out_tree(o, &n->items[i], depth + 1);
		break;
	case MODINIT_NODE_MAP:
		outf(o, "map %u:%u\n", n->line, n->column);
		for (size_t i = 0; i < n->count; i++) {
			for (int d = 0; d <= depth; d++)
				outf(o, " ");
			outf(o, "key %s %u:%u\n", n->keys[i].value, n->keys[i].line, n->keys[i].column);
			out_tree(o, &n->items[i], depth + 2);
		}
		break;
	}
}

static void out_config(struct out *o, const struct config *c, bool tree)
{
	static const char *const modes[] = { "wait", "wait-all-children", "exec" };
	static const char *const tri[] = { "auto", "true", "false" };

	outf(o, "mode=%s\n", c->mode_set ? modes[c->mode] : "-");
	out_strv(o, "command", c->command);
	outf(o, "subreaper=%s\n", tri[c->subreaper]);
	if (c->stop_signal_set)
		outf(o, "stop_signal=%d\n", c->stop_signal);
	else
		outf(o, "stop_signal=-\n");
	if (c->grace_set)
		outf(o, "grace_ms=%llu\n", (unsigned long long)c->grace_ms);
	else
		outf(o, "grace_ms=-\n");
	if (c->log_level_set)
		outf(o, "log_level=%d\n", c->log_level);
	else
		outf(o, "log_level=-\n");
	outf(o, "state_dir=%s\n", c->state_dir ? c->state_dir : "-");
	out_strv(o, "module_path", (char *const *)c->module_path);
	for (size_t i = 0; i < c->module_count; i++)
		outf(o, "module name=%s path=%s at=%u:%u\n",
		     c->modules[i].name ? c->modules[i].name : "-",
		     c->modules[i].path ? c->modules[i].path : "-", c->modules[i].node->line,
		     c->modules[i].node->column);
	if (!tree)
		return;
	outf(o, "tree:%s\n", c->doc.root ? "" : " none");
	if (c->doc.root)
		out_tree(o, c->doc.root, 0);
}

/* The fixture's base name (without .yaml) is the test's state. */
static void test_bad(void **state)
{
	const char *base = *state;
	char yaml[512], errf[512], err[1024];
	struct config c;
	char *expected;
	int r;

	snprintf(yaml, sizeof(yaml), "%s.yaml", base);
	snprintf(errf, sizeof(errf), "%s.err", base);
	expected = slurp(errf);
	assert_non_null(expected);
	expected[strcspn(expected, "\n")] = '\0';
	err[0] = '\0';
	r = config_load(yaml, &c, err, sizeof(err));
	config_free(&c);
	assert_int_equal(r, -EINVAL);
	assert_string_equal(err, expected);
	free(expected);
}

static void test_good(void **state)
{
	const char *base = *state;
	char yaml[512], outfile[512], err[1024] = "";
	struct out o = { 0 };
	struct config c;
	char *expected;
	int r;

	snprintf(yaml, sizeof(yaml), "%s.yaml", base);
	snprintf(outfile, sizeof(outfile), "%s.out", base);
	expected = slurp(outfile);
	assert_non_null(expected);
	r = config_load(yaml, &c, err, sizeof(err));
	if (r < 0)
		fail_msg("%s", err);
	out_config(&o, &c, strstr(expected, "\ntree:") != NULL);
	config_free(&c);
	assert_string_equal(o.s, expected);
	free(o.s);
	free(expected);
}

static void test_missing_file(void **state)
{
	char err[256];
	struct config c;

	(void)state;
	assert_int_equal(config_load("no-such-file.yaml", &c, err, sizeof(err)), -ENOENT);
	config_free(&c);
	assert_string_equal(err, "no-such-file.yaml: No such file or directory");
}

static void test_directory(void **state)
{
	char err[256];
	struct config c;

	(void)state;
	assert_int_equal(config_load(".", &c, err, sizeof(err)), -EINVAL);
	config_free(&c);
	assert_string_equal(err, ".: not a regular file");
}

/* The buffer entry point: the name given is the one in messages, and an
 * empty buffer is an empty document. */
static void test_buffer(void **state)
{
	static const char text[] = "a: [b, {c: d}]\n";
	struct cfg_doc doc;
	char err[256];

	(void)state;
	assert_int_equal(cfg_parse_buffer("mem", "", 0, &doc, err, sizeof(err)), 0);
	assert_null(doc.root);
	cfg_doc_free(&doc);
	assert_int_equal(cfg_parse_buffer("mem", text, sizeof(text) - 1, &doc, err, sizeof(err)), 0);
	assert_non_null(doc.root);
	assert_int_equal(doc.root->type, MODINIT_NODE_MAP);
	assert_int_equal(doc.root->count, 1);
	assert_int_equal(doc.root->items[0].type, MODINIT_NODE_LIST);
	assert_int_equal(doc.root->items[0].count, 2);
	assert_string_equal(doc.root->items[0].items[1].keys[0].value, "c");
	assert_int_equal(doc.root->items[0].items[1].keys[0].column, 9);
	cfg_doc_free(&doc);
	assert_int_equal(cfg_parse_buffer("mem", "a: 1\na: 2\n", 10, &doc, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "mem:2:1: duplicate key \"a\" (first given at line 1)");
	cfg_doc_free(&doc);
}

/* The error message is cut to the buffer, never overflows it. */
static void test_small_err(void **state)
{
	struct cfg_doc doc;
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(cfg_parse_buffer("file.yaml", "a: [", 4, &doc, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	cfg_doc_free(&doc);
}

/* cfg_error is where every error line gets its position: the config's
 * own checks, module options, error_at and the loader's lines. */
static void test_where(void **state)
{
	const struct modinit_node at = { .line = 3, .column = 7 }, shortcut = { .line = 0 };
	char err[64], tiny[6];

	(void)state;
	assert_int_equal(cfg_error(err, sizeof(err), "f.yaml", &at, "mod", "bad %d", 5), -EINVAL);
	assert_string_equal(err, "f.yaml:3:7: mod: bad 5");
	cfg_error(err, sizeof(err), "f.yaml", &at, NULL, "bad");
	assert_string_equal(err, "f.yaml:3:7: bad");
	cfg_error(err, sizeof(err), NULL, &at, "mod", "bad");
	assert_string_equal(err, "config:3:7: mod: bad");
	cfg_error(err, sizeof(err), "f.yaml", &shortcut, "mod", "bad");
	assert_string_equal(err, "command line: mod: bad");
	cfg_error(err, sizeof(err), "f.yaml", NULL, NULL, "bad");
	assert_string_equal(err, "f.yaml: bad");
	cfg_error(err, sizeof(err), NULL, NULL, "mod", "bad");
	assert_string_equal(err, "mod: bad");
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(cfg_error(tiny, sizeof(tiny), "f.yaml", &at, "mod", "bad"), -EINVAL);
	assert_string_equal(tiny, "f.yam");
}

/* --mode, mode: and the mode's module all read one table. */
static void test_mode_names(void **state)
{
	static const char *const names[] = { "wait", "wait-all-children", "exec" };
	enum cfg_mode mode;

	(void)state;
	for (int i = CFG_MODE_WAIT; i <= CFG_MODE_EXEC; i++) {
		mode = (enum cfg_mode)((i + 1) % 3);
		assert_int_equal(cfg_mode_parse(names[i], &mode), 0);
		assert_int_equal(mode, i);
		assert_string_equal(cfg_mode_name(i), names[i]);
	}
	mode = CFG_MODE_EXEC;
	assert_int_equal(cfg_mode_parse("wait_all_children", &mode), -EINVAL);
	assert_int_equal(cfg_mode_parse("Wait", &mode), -EINVAL);
	assert_int_equal(mode, CFG_MODE_EXEC);
}

/* With several duplicates, the first in document order is reported, as
 * soon as its key is read: before its value and before any later key. */
static void test_dup_order(void **state)
{
	static const char *const cases[][2] = {
		{ "a: 1\nb: 1\nb: 2\na: 2\n", "mem:3:1: duplicate key \"b\" (first given at line 2)" },
		{ "a: 1\nx: {b: 1, b: 2}\na: 2\n", "mem:2:11: duplicate key \"b\" (first given at line 2)" },
		{ "a: 1\na: {b: 1, b: 2}\n", "mem:2:1: duplicate key \"a\" (first given at line 1)" },
		{ "a: 1\nb: 2\nc: 3\nb: 4\nc: 5\nb: 6\n",
		  "mem:4:1: duplicate key \"b\" (first given at line 2)" },
		{ "{x: 1, y: 2, x: 3}\n", "mem:1:14: duplicate key \"x\" (first given at line 1)" },
	};
	struct cfg_doc doc;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(cfg_parse_buffer("mem", cases[i][0], strlen(cases[i][0]), &doc, err,
						  sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i][1]);
		cfg_doc_free(&doc);
	}
}

/* "k00000: 1\n" ... for n keys (10 bytes each: 100k keys are just under the
 * 1 MiB a file may have), then "k<dup>: 2\n" when dup >= 0. */
static char *many_keys(long n, long dup, size_t *len)
{
	char *buf = malloc((size_t)n * 10 + 16);
	size_t off = 0;

	assert_non_null(buf);
	for (long i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "k%05ld: 1\n", i);
	if (dup >= 0)
		off += (size_t)sprintf(buf + off, "k%05ld: 2\n", dup);
	*len = off;
	return buf;
}

/* CPU time of one parse, in ns: other processes on the machine do not count. */
static long long parse_cpu_ns(const char *buf, size_t len, int expect)
{
	struct timespec a, b;
	struct cfg_doc doc;
	char err[256];

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	assert_int_equal(cfg_parse_buffer("mem", buf, len, &doc, err, sizeof(err)), expect);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	cfg_doc_free(&doc);
	return (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
}

/* The duplicate-key check must not be quadratic: ten times the keys may
 * cost about ten times the time (n log n: a bit more), far from the hundred
 * times of a scan of every earlier key. The best of three runs each, as CPU
 * time, keeps a loaded machine out of the ratio. */
static void test_many_keys(void **state)
{
	size_t small_len, big_len;
	char *small = many_keys(10000, -1, &small_len), *big = many_keys(100000, -1, &big_len);
	long long t_small = -1, t_big = -1;

	(void)state;
	for (int i = 0; i < 3; i++) {
		long long s = parse_cpu_ns(small, small_len, 0), b = parse_cpu_ns(big, big_len, 0);

		t_small = t_small < 0 || s < t_small ? s : t_small;
		t_big = t_big < 0 || b < t_big ? b : t_big;
	}
	print_message("# 10k keys: %lld us, 100k keys: %lld us\n", t_small / 1000, t_big / 1000);
	assert_true(t_big < 40 * t_small);
	free(small);
	free(big);
}

/* A duplicate after 100k keys is found, with the first one's line. */
static void test_many_keys_dup(void **state)
{
	size_t len;
	char *buf = many_keys(100000, 5, &len);
	struct cfg_doc doc;
	char err[256];

	(void)state;
	assert_int_equal(cfg_parse_buffer("mem", buf, len, &doc, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem:100001:1: duplicate key \"k00005\" (first given at line 6)");
	cfg_doc_free(&doc);
	free(buf);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool has_prefix_suffix(const char *s, const char *pre, const char *suf)
{
	size_t ls = strlen(s), lp = strlen(pre), lx = strlen(suf);

	return ls > lp + lx && strncmp(s, pre, lp) == 0 && strcmp(s + ls - lx, suf) == 0;
}

int main(void)
{
	struct dirent **ents;
	struct CMUnitTest *tests;
	size_t nt = 0, bad = 0;
	int n, rc;

	if (chdir(fixture_dir()) < 0) {
		printf("Bail out! cannot enter %s: %s\n", fixture_dir(), strerror(errno));
		return 1;
	}
	n = scandir(".", &ents, NULL, by_name);
	if (n < 0) {
		printf("Bail out! cannot list %s\n", fixture_dir());
		return 1;
	}
	tests = calloc((size_t)n + 16, sizeof(*tests));
	assert_non_null(tests);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		bool is_bad = has_prefix_suffix(name, "bad-", ".yaml");

		if (is_bad || has_prefix_suffix(name, "good-", ".yaml")) {
			char *base = strndup(name, strlen(name) - 5);

			tests[nt++] = (struct CMUnitTest){ .name = base,
							   .test_func = is_bad ? test_bad : test_good,
							   .initial_state = base };
			bad += is_bad;
		}
		free(ents[i]);
	}
	free(ents);
	tests[nt++] = (struct CMUnitTest){ .name = "missing file", .test_func = test_missing_file };
	tests[nt++] = (struct CMUnitTest){ .name = "directory", .test_func = test_directory };
	tests[nt++] = (struct CMUnitTest){ .name = "buffer", .test_func = test_buffer };
	tests[nt++] = (struct CMUnitTest){ .name = "small error buffer", .test_func = test_small_err };
	tests[nt++] = (struct CMUnitTest){ .name = "error position", .test_func = test_where };
	tests[nt++] = (struct CMUnitTest){ .name = "mode names", .test_func = test_mode_names };
	tests[nt++] = (struct CMUnitTest){ .name = "duplicate order", .test_func = test_dup_order };
	tests[nt++] = (struct CMUnitTest){ .name = "100k keys", .test_func = test_many_keys };
	tests[nt++] = (struct CMUnitTest){ .name = "100k keys, duplicate", .test_func = test_many_keys_dup };
	if (bad < 30) {
		printf("Bail out! only %zu bad-*.yaml fixtures found in %s\n", bad, fixture_dir());
		return 1;
	}
	rc = _cmocka_run_group_tests("config", tests, nt, NULL, NULL);
	for (size_t i = 0; i < nt; i++)
		if (tests[i].initial_state)
			free(tests[i].initial_state);
	free(tests);
	return rc;
}
