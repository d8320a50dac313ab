/* The option schema (core/options.c) and the ABI rules around it: each
 * type with its values and its exact error line, list defaults, sections,
 * the schema checks done at load, the version rule, and the element sizes
 * a 1.0 module is served with (abi10.c is built against the frozen 1.0
 * header). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi10.h"
#include "abi11.h"
#include "elfsym.h"
#include "fake_host.h"
#include "loader.h"

static const char *const modes[] = { "fast", "slow", "auto", NULL };

static const struct modinit_option server_fields[] = {
	{ .key = "host", .type = MODINIT_OPT_STRING, .required = true },
	{ .key = "port", .type = MODINIT_OPT_INT, .default_value = "80" },
	{ .key = NULL },
};

static const struct modinit_option schema[] = {
	{ .key = "mode", .type = MODINIT_OPT_ENUM, .choices = modes, .default_value = "auto" },
	{ .key = "root", .type = MODINIT_OPT_PATH },
	{ .key = "waits", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_DURATION },
	{ .key = "sigs", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SIGNAL,
	  .default_value = "SIGTERM, SIGINT" },
	{ .key = "words", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_ENUM,
	  .choices = modes },
	{ .key = "names", .type = MODINIT_OPT_STRING_LIST, .default_value = "a, b c" },
	{ .key = "server", .type = MODINIT_OPT_SECTION, .fields = server_fields },
	{ .key = "backends", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = server_fields },
	{ .key = NULL },
};

static struct modinit_module desc = { MODINIT_MODULE_HEADER, .name = "t", .options = schema };

static struct module mod;
static char err[512];

/* Validate a YAML item against desc: loader_options' result. */
static int opts_of(const struct modinit_module *d, const char *yaml)
{
	loader_options_free(&mod);
	memset(&mod, 0, sizeof(mod));
	mod.desc = d;
	err[0] = '\0';
	return loader_options(&mod, "test.yaml", yaml ? fake_yaml(yaml) : NULL, err, sizeof(err));
}

static void expect_error(const char *yaml, const char *line)
{
	assert_int_equal(opts_of(&desc, yaml), -EINVAL);
	assert_string_equal(err, line);
}

static int teardown(void **state)
{
	(void)state;
	loader_options_free(&mod);
	fake_yaml_free();
	return 0;
}

static void test_enum(void **state)
{
	const struct modinit_value *v;

	(void)state;
	assert_int_equal(opts_of(&desc, "{mode: slow}"), 0);
	v = modinit_opt(&mod.opts, "mode");
	assert_string_equal(v->str, "slow");
	assert_int_equal(v->index, 1);
	assert_int_equal(opts_of(&desc, NULL), 0);
	v = modinit_opt(&mod.opts, "mode");
	assert_true(v->from_default);
	assert_int_equal(v->index, 2);
	expect_error("{mode: quick}",
		     "test.yaml:1:8: t: mode: expected fast, slow or auto, got \"quick\"");
	expect_error("{mode: [fast]}", "test.yaml:1:8: t: mode: expected a word, got a list");
}

static void test_path(void **state)
{
	(void)state;
	assert_int_equal(opts_of(&desc, "{root: /srv/data}"), 0);
	assert_string_equal(modinit_opt(&mod.opts, "root")->str, "/srv/data");
	expect_error("{root: srv/data}",
		     "test.yaml:1:8: t: root: expected an absolute path, got \"srv/data\"");
	expect_error("{root: ''}", "test.yaml:1:8: t: root: expected an absolute path, got \"\"");
}

static void test_list_of(void **state)
{
	const struct modinit_value *v;

	(void)state;
	assert_int_equal(opts_of(&desc, "{waits: [1s, 250ms], words: [fast, auto]}"), 0);
	v = modinit_opt(&mod.opts, "waits");
	assert_int_equal(v->count, 2);
	assert_int_equal(v->list->count, 2);
	assert_int_equal(modinit_at(v->list, 0)->ms, 1000);
	assert_int_equal(modinit_at(v->list, 1)->ms, 250);
	assert_ptr_equal(v->list->node, v->node);
	v = modinit_opt(&mod.opts, "words");
	assert_int_equal(modinit_at(v->list, 1)->index, 2);
	assert_string_equal(v->strv[0], "fast");
	assert_null(v->strv[2]);
	expect_error("{waits: [1s, soon]}",
		     "test.yaml:1:14: t: waits: item 2: expected a duration like 5s, got \"soon\"");
	expect_error("{waits: 1s}", "test.yaml:1:9: t: waits: expected a list of durations");
	expect_error("{words: [fast, quick]}",
		     "test.yaml:1:16: t: words: item 2: expected fast, slow or auto, got \"quick\"");
	expect_error("{waits: [[1s]]}",
		     "test.yaml:1:10: t: waits: item 1: expected a duration, got a list");
}

/* Defaults of list options: the items' words separated by commas. */
static void test_list_defaults(void **state)
{
	const struct modinit_value *v;

	(void)state;
	assert_int_equal(opts_of(&desc, NULL), 0);
	v = modinit_opt(&mod.opts, "sigs");
	assert_true(v->set && v->from_default);
	assert_null(v->node);
	assert_int_equal(v->count, 2);
	assert_int_equal(modinit_at(v->list, 0)->signo, SIGTERM);
	assert_int_equal(modinit_at(v->list, 1)->signo, SIGINT);
	v = modinit_opt(&mod.opts, "names");
	assert_int_equal(v->count, 2);
	assert_string_equal(v->strv[0], "a");
	assert_string_equal(v->strv[1], "b c");
	assert_false(modinit_opt(&mod.opts, "waits")->set);
	assert_null(modinit_opt(&mod.opts, "waits")->list);
	assert_int_equal(opts_of(&desc, "{sigs: [SIGUSR1]}"), 0);
	assert_int_equal(modinit_opt(&mod.opts, "sigs")->count, 1);
	assert_false(modinit_opt(&mod.opts, "sigs")->from_default);
}

/* Splitting a default: empty items count, spaces around items do not. */
static void test_list_default_words(void **state)
{
	static const struct modinit_option s[] = {
		{ .key = "e", .type = MODINIT_OPT_STRING_LIST, .default_value = "" },
		{ .key = "c", .type = MODINIT_OPT_STRING_LIST, .default_value = ",,,,," },
		{ .key = "t", .type = MODINIT_OPT_STRING_LIST, .default_value = " x ,y, " },
		{ .key = NULL },
	};
	struct modinit_module d = { MODINIT_MODULE_HEADER, .name = "t", .options = s };
	const struct modinit_value *v;

	(void)state;
	assert_int_equal(opts_of(&d, NULL), 0);
	v = modinit_opt(&mod.opts, "e");
	assert_true(v->set);
	assert_int_equal(v->count, 0);
	assert_null(v->strv[0]);
	assert_int_equal(modinit_opt(&mod.opts, "c")->count, 5);
	v = modinit_opt(&mod.opts, "t");
	assert_int_equal(v->count, 2);
	assert_string_equal(v->strv[0], "x");
	assert_string_equal(v->strv[1], "y");
}

static void test_section(void **state)
{
	const struct modinit_value *v;
	const struct modinit_options *s;

	(void)state;
	assert_int_equal(opts_of(&desc, "{server: {host: db}}"), 0);
	v = modinit_opt(&mod.opts, "server");
	s = v->section;
	assert_string_equal(modinit_opt(s, "host")->str, "db");
	assert_int_equal(modinit_opt(s, "port")->integer, 80);
	assert_true(modinit_opt(s, "port")->from_default);
	assert_ptr_equal(s->node, v->node);
	assert_int_equal(opts_of(&desc, NULL), 0);
	assert_null(modinit_opt(&mod.opts, "server")->section);
	expect_error("{server: {host: db, port: x}}",
		     "test.yaml:1:27: t: server: port: expected an integer, got \"x\"");
	expect_error("{server: {host: db, prot: 1}}",
		     "test.yaml:1:21: t: server: unknown key \"prot\" (expected host or port)");
	expect_error("{server: {port: 1}}",
		     "test.yaml:1:10: t: server: missing required option \"host\"");
	expect_error("{server: db}", "test.yaml:1:10: t: server: expected a mapping");
	/* a nested mapping may use the keys modinit keeps in module items */
	assert_int_equal(opts_of(&desc, "{backends: [{host: a}, {host: b, port: 8080}]}"), 0);
	v = modinit_opt(&mod.opts, "backends");
	assert_int_equal(modinit_opt(modinit_at(v->list, 1)->section, "port")->integer, 8080);
	expect_error("{backends: [{host: a}, {port: 1}]}",
		     "test.yaml:1:24: t: backends: item 2: missing required option \"host\"");
}

/* ABI 1.2: the items of a list of sections named by one of their keys. */
static const struct modinit_option check_fields[] = {
	{ .key = "name", .type = MODINIT_OPT_STRING, .required = true },
	{ .key = "every", .type = MODINIT_OPT_DURATION, .default_value = "1s" },
	{ .key = "kind", .type = MODINIT_OPT_ENUM, .choices = modes },
	{ .key = NULL },
};

static const struct modinit_option loose_fields[] = {
	{ .key = "name", .type = MODINIT_OPT_STRING },
	{ .key = "n", .type = MODINIT_OPT_INT },
	{ .key = NULL },
};

static const struct modinit_option named_schema[] = {
	{ .key = "checks", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = check_fields, .name_key = "name" },
	{ .key = "loose", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = loose_fields, .name_key = "name" },
	{ .key = NULL },
};

static struct modinit_module named_desc = { MODINIT_MODULE_HEADER, .name = "t",
					    .options = named_schema };

static void expect_named_error(const char *yaml, const char *line)
{
	assert_int_equal(opts_of(&named_desc, yaml), -EINVAL);
	assert_string_equal(err, line);
}

static void test_name_key(void **state)
{
	const struct modinit_value *v;

	(void)state;
	assert_int_equal(opts_of(&named_desc, "{checks: [{name: web, every: 2s}, {name: db}]}"), 0);
	v = modinit_opt(&mod.opts, "checks");
	assert_int_equal(v->count, 2);
	assert_string_equal(modinit_opt(modinit_at(v->list, 0)->section, "name")->str, "web");
	assert_int_equal(modinit_opt(modinit_at(v->list, 0)->section, "every")->ms, 2000);
	assert_int_equal(modinit_opt(modinit_at(v->list, 1)->section, "every")->ms, 1000);
	/* the item's name, wherever the key stands in it */
	expect_named_error("{checks: [{name: web, every: soon}]}",
			   "test.yaml:1:30: t: checks: web: every: expected a duration like 5s, "
			   "got \"soon\"");
	expect_named_error("{checks: [{every: soon, name: web}]}",
			   "test.yaml:1:19: t: checks: web: every: expected a duration like 5s, "
			   "got \"soon\"");
	expect_named_error("{checks: [{name: web, evry: 1s}]}",
			   "test.yaml:1:23: t: checks: web: unknown key \"evry\" (expected name, "
			   "every or kind)");
	expect_named_error("{checks: [{name: web, kind: odd}]}",
			   "test.yaml:1:29: t: checks: web: kind: expected fast, slow or auto, got "
			   "\"odd\"");
	/* two items of one name: at the second name */
	expect_named_error("{checks: [{name: a}, {name: a}]}",
			   "test.yaml:1:29: t: checks: two items named \"a\"");
	expect_named_error("{checks: [{name: a}, {name: b}, {name: b}]}",
			   "test.yaml:1:40: t: checks: two items named \"b\"");
	/* no usable name: the item's number */
	expect_named_error("{checks: [{every: 1s}]}",
			   "test.yaml:1:11: t: checks: item 1: missing required option \"name\"");
	expect_named_error("{checks: [{name: ''}]}",
			   "test.yaml:1:18: t: checks: item 1: name: expected a name, got \"\"");
	expect_named_error("{checks: [{name: a}, {name: [x]}]}",
			   "test.yaml:1:29: t: checks: item 2: name: expected a string, got a list");
	expect_named_error("{checks: [web]}", "test.yaml:1:11: t: checks: item 1: expected a mapping");
	/* a name that is not required names the items that have it */
	expect_named_error("{loose: [{n: 1}, {name: b, n: x}]}",
			   "test.yaml:1:31: t: loose: b: n: expected an integer, got \"x\"");
	expect_named_error("{loose: [{name: b}, {n: x}]}",
			   "test.yaml:1:25: t: loose: item 2: n: expected an integer, got \"x\"");
	assert_int_equal(opts_of(&named_desc, "{loose: [{n: 1}, {n: 2}]}"), 0);
}

/* A 1.1 module's schema has no name_key: its entries are 1.1's size apart,
 * its items are numbered, two equal fields are no names. */
static void test_abi11_schema(void **state)
{
	(void)state;
	assert_int_equal(loader_check_schema(&abi11_desc, "old11.so", err, sizeof(err)), 0);
	assert_int_equal(opts_of(&abi11_desc, "{backends: [{host: a}, {host: a}], mode: slow}"), 0);
	assert_int_equal(modinit_opt(&mod.opts, "backends")->count, 2);
	assert_int_equal(modinit_opt(&mod.opts, "mode")->index, 1);
	assert_int_equal(opts_of(&abi11_desc, "{backends: [{host: a}, {host: a, port: x}]}"),
			 -EINVAL);
	assert_string_equal(err, "test.yaml:1:40: old11: backends: item 2: port: expected an "
				 "integer, got \"x\"");
}

static void test_unknown_key(void **state)
{
	static const struct modinit_option one[] = {
		{ .key = "only", .type = MODINIT_OPT_STRING }, { .key = NULL } };
	struct modinit_module none = { MODINIT_MODULE_HEADER, .name = "t" };
	struct modinit_module d = { MODINIT_MODULE_HEADER, .name = "t", .options = one };

	(void)state;
	assert_int_equal(opts_of(&none, "{x: 1}"), -EINVAL);
	assert_string_equal(err, "test.yaml:1:2: t: unknown key \"x\" (this module takes no options)");
	assert_int_equal(opts_of(&d, "{x: 1}"), -EINVAL);
	assert_string_equal(err, "test.yaml:1:2: t: unknown key \"x\" (expected only)");
	expect_error("{mdoe: fast}", "test.yaml:1:2: t: unknown key \"mdoe\" (expected mode, root, "
				      "waits, sigs, words, names, server or backends)");
}

static void schema_error(const struct modinit_option *s, const char *why)
{
	struct modinit_module d = { MODINIT_MODULE_HEADER, .name = "t", .options = s };
	char line[512];

	assert_int_equal(loader_check_schema(&d, "t.so", err, sizeof(err)), -EINVAL);
	snprintf(line, sizeof(line), "t.so: module \"t\": %s", why);
	assert_string_equal(err, line);
}

static void test_schema_checks(void **state)
{
	static const struct modinit_option named[] = { { .key = "name" }, { .key = NULL } };
	static const struct modinit_option pathed[] = {
		{ .key = "x", .type = MODINIT_OPT_STRING },
		{ .key = "path", .type = MODINIT_OPT_PATH },
		{ .key = NULL },
	};
	static const struct modinit_option twice[] = {
		{ .key = "x", .type = MODINIT_OPT_STRING },
		{ .key = "x", .type = MODINIT_OPT_INT },
		{ .key = NULL },
	};
	static const struct modinit_option no_choices[] = {
		{ .key = "m", .type = MODINIT_OPT_ENUM }, { .key = NULL } };
	static const struct modinit_option no_fields[] = {
		{ .key = "s", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION },
		{ .key = NULL } };
	static const struct modinit_option bad_default[] = {
		{ .key = "d", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_DURATION,
		  .default_value = "1s, never" },
		{ .key = NULL } };
	static const struct modinit_option nested_bad[] = {
		{ .key = "s", .type = MODINIT_OPT_SECTION, .fields = no_choices },
		{ .key = NULL } };
	static const struct modinit_option unknown[] = {
		{ .key = "u", .type = 99 }, { .key = NULL } };
	static const struct modinit_option name_on_strings[] = {
		{ .key = "x", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_STRING,
		  .name_key = "name" },
		{ .key = NULL } };
	static const struct modinit_option name_missing[] = {
		{ .key = "y", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
		  .fields = loose_fields, .name_key = "id" },
		{ .key = NULL } };
	static const struct modinit_option name_not_string[] = {
		{ .key = "z", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
		  .fields = loose_fields, .name_key = "n" },
		{ .key = NULL } };

	(void)state;
	schema_error(named, "option \"name\" is reserved: modinit reads \"name\" and \"path\" in "
			    "every module item itself");
	schema_error(pathed, "option \"path\" is reserved: modinit reads \"name\" and \"path\" in "
			     "every module item itself");
	schema_error(twice, "option \"x\" is declared twice");
	schema_error(no_choices, "option \"m\": an enumeration needs its choices");
	schema_error(no_fields, "option \"s\": a section needs its fields");
	schema_error(bad_default, "option \"d\": t: default of \"d\": item 2: expected a duration "
				  "like 5s, got \"never\"");
	schema_error(nested_bad, "option \"s.m\": an enumeration needs its choices");
	schema_error(unknown, "option \"u\" has an unknown type (99)");
	schema_error(name_on_strings, "option \"x\": name_key is only for a list of sections");
	schema_error(name_missing, "option \"y\": name_key \"id\" is not a string field of its items");
	schema_error(name_not_string, "option \"z\": name_key \"n\" is not a string field of its "
				      "items");
	assert_int_equal(loader_check_schema(&named_desc, "t.so", err, sizeof(err)), 0);
	assert_int_equal(loader_check_schema(&desc, "t.so", err, sizeof(err)), 0);
}

/* A module built for a newer minor than modinit's is refused, older ones
 * load; a 1.1 descriptor must hold the 1.1 fields. */
static void test_version_rule(void **state)
{
	struct elf_desc_head h = { MODINIT_MODULE_MAGIC, 1, 3, sizeof(struct modinit_module) };
	char line[256];

	(void)state;
	assert_int_equal(MODINIT_ABI_MINOR, 2);
	h.abi_minor = 3;
	assert_int_equal(loader_check_head("m.so", &h, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "m.so: built for module ABI 1.3, newer than modinit's 1.2");
	h.abi_minor = 2;
	assert_int_equal(loader_check_head("m.so", &h, err, sizeof(err)), 0);
	h.abi_minor = 1;
	assert_int_equal(loader_check_head("m.so", &h, err, sizeof(err)), 0);
	h.abi_minor = 0;
	h.size = (uint32_t)abi10_desc_size;
	assert_int_equal(loader_check_head("m.so", &h, err, sizeof(err)), 0);
	h.abi_minor = 1;
	assert_int_equal(loader_check_head("m.so", &h, err, sizeof(err)), -EPROTO);
	snprintf(line, sizeof(line), "m.so: module descriptor too small (%zu bytes, need %zu)",
		 abi10_desc_size, LOADER_V11_DESC_SIZE);
	assert_string_equal(err, line);
}

/* 1.1 only appends: the 1.0 sizes are where the 1.1 fields begin. */
static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(LOADER_V10_OPTION_SIZE, abi10_option_size);
	assert_int_equal(LOADER_V10_VALUE_SIZE, abi10_value_size);
	assert_int_equal(LOADER_V10_SPAWN_SIZE, abi10_spawn_size);
	/* 1.2 appended name_key to the 1.1 schema entry, nothing else */
	assert_int_equal(LOADER_V11_OPTION_SIZE, abi11_option_size);
	assert_int_equal(abi11_value_size, sizeof(struct modinit_value));
	assert_int_equal(loader_option_size(&abi11_desc), abi11_option_size);
	assert_int_equal(offsetof(struct modinit_module, option_size), abi10_desc_size);
	/* the first service 1.1 added */
	assert_int_equal(offsetof(struct modinit_host, state_write), abi10_host_size);
	assert_int_equal(loader_option_size(&abi10_desc), abi10_option_size);
	assert_int_equal(loader_value_size(&abi10_desc), abi10_value_size);
	assert_int_equal(loader_option_size(&desc), sizeof(struct modinit_option));
	assert_int_equal(loader_value_size(&desc), sizeof(struct modinit_value));
}

/* A 1.0 module's values are laid out 1.0's way: its own modinit_opt finds
 * them. */
static void test_abi10_values(void **state)
{
	(void)state;
	assert_int_equal(opts_of(&abi10_desc, "{word: hi, args: [x, y, z], stop: SIGUSR2}"), 0);
	assert_int_equal(mod.opts.value_size, abi10_value_size);
	assert_int_equal(abi10_integer(&mod.opts, "count"), 5);
	assert_string_equal(abi10_str(&mod.opts, "word"), "hi");
	assert_int_equal(abi10_count(&mod.opts, "args"), 3);
	assert_int_equal(abi10_signo(&mod.opts, "stop"), SIGUSR2);
}

/* parse_value writes at most out_size bytes; parse_node's size is 1.0's. */
static void test_parse_value_size(void **state)
{
	struct {
		struct modinit_value v;
		unsigned char after[16];
	} box;
	const struct modinit_node *n = fake_yaml("[5s]");
	char why[256];

	(void)state;
	memset(&box, 0xa5, sizeof(box));
	assert_int_equal(loader_value_out(MODINIT_OPT_DURATION, &n->items[0], &box.v,
					  LOADER_V10_VALUE_SIZE, why, sizeof(why)), 0);
	assert_int_equal(box.v.ms, 5000);
	assert_int_equal(((unsigned char *)&box.v)[LOADER_V10_VALUE_SIZE], 0xa5);
	assert_int_equal(loader_value_out(MODINIT_OPT_DURATION, &n->items[0], &box.v,
					  sizeof(box.v), why, sizeof(why)), 0);
	assert_int_equal(box.v.index, 0);
	assert_int_equal(box.after[0], 0xa5);
	assert_int_equal(loader_value_out(MODINIT_OPT_DURATION, &n->items[0], &box.v, 8, why,
					  sizeof(why)), -EINVAL);
	assert_string_equal(why, "the value buffer is too small (8 bytes)");
}

/* The host table: parse_value is there, and MODINIT_HOST_HAS follows the
 * table's size. */
static void test_host_has(void **state)
{
	const struct modinit_node *n = fake_yaml("[/x, y]");
	struct fake_host fh;
	struct modinit_value v;

	(void)state;
	fake_host_init(&fh, "t");
	assert_true(MODINIT_HOST_HAS(&fh.host, parse_value));
	assert_int_equal(fh.host.parse_value(&fh.host, MODINIT_OPT_PATH, &n->items[0], "dir", &v,
					     sizeof(v), err, sizeof(err)), 0);
	assert_string_equal(v.str, "/x");
	assert_int_equal(fh.host.parse_value(&fh.host, MODINIT_OPT_PATH, &n->items[1], "dir", &v,
					     sizeof(v), err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "test.yaml:1:6: t: dir: expected an absolute path, got \"y\"");
	fh.host.size = abi10_host_size; /* a 1.0 host's table */
	assert_false(MODINIT_HOST_HAS(&fh.host, parse_value));
	assert_false(MODINIT_HOST_HAS(&fh.host, state_write));
	assert_true(MODINIT_HOST_HAS(&fh.host, error_at));
	fake_host_free(&fh);
}

/* Spawn options: a 1.0 module's size is never read, a 1.1 one's bounds
 * what is read. */
static void test_spawn_opts(void **state)
{
	struct module m10 = { .desc = &abi10_desc }, m11 = { .desc = &desc };
	struct modinit_spawn_opts in, out, *old = malloc(abi10_spawn_size);

	(void)state;
	/* A 1.0 module's struct ends before size: any read past it is an
	 * invalid read under valgrind or AddressSanitizer. */
	assert_non_null(old);
	memset(&in, 0xa5, sizeof(in));
	in.stdin_fd = 3;
	in.stdout_fd = 4;
	in.stderr_fd = 5;
	in.new_group = true;
	memcpy(old, &in, abi10_spawn_size);
	loader_spawn_opts(&m10, old, &out);
	free(old);
	assert_int_equal(out.stdin_fd, 3);
	assert_true(out.new_group);
	assert_int_equal(out.size, sizeof(out));
	in.size = 0; /* a zeroed 1.1 struct that never set size */
	loader_spawn_opts(&m11, &in, &out);
	assert_int_equal(out.stderr_fd, 5);
	in = (struct modinit_spawn_opts)MODINIT_SPAWN_OPTS_INIT;
	loader_spawn_opts(&m11, &in, &out);
	assert_int_equal(out.stdin_fd, -1);
	assert_int_equal(out.size, sizeof(out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_enum, teardown),
		cmocka_unit_test_teardown(test_path, teardown),
		cmocka_unit_test_teardown(test_list_of, teardown),
		cmocka_unit_test_teardown(test_list_defaults, teardown),
		cmocka_unit_test_teardown(test_list_default_words, teardown),
		cmocka_unit_test_teardown(test_section, teardown),
		cmocka_unit_test_teardown(test_name_key, teardown),
		cmocka_unit_test_teardown(test_abi11_schema, teardown),
		cmocka_unit_test_teardown(test_unknown_key, teardown),
		cmocka_unit_test_teardown(test_schema_checks, teardown),
		cmocka_unit_test_teardown(test_version_rule, teardown),
		cmocka_unit_test_teardown(test_sizes, teardown),
		cmocka_unit_test_teardown(test_abi10_values, teardown),
		cmocka_unit_test_teardown(test_parse_value_size, teardown),
		cmocka_unit_test_teardown(test_spawn_opts, teardown),
		cmocka_unit_test_teardown(test_host_has, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
