/* Module options: each key of the module's config item is checked against
 * the module's schema and converted before the module's init sees it.
 *
 * The schema and the values cross the ABI in arrays, so both are read and
 * written with the element sizes the module was built with (its descriptor
 * says, 1.0 sizes when it cannot): each schema entry is copied into a full
 * host struct (fields the module lacks are 0), values are converted into
 * host structs and only then copied out, value_size bytes each. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "loader.h"
#include "parse.h"

/* Sections inside sections: a schema that nests itself must end. */
#define OPT_MAX_DEPTH 8

const char *loader_type_name(enum modinit_opt_type t)
{
	switch (t) {
	case MODINIT_OPT_STRING: return "string";
	case MODINIT_OPT_BOOL: return "bool";
	case MODINIT_OPT_INT: return "integer";
	case MODINIT_OPT_DURATION: return "duration";
	case MODINIT_OPT_SIGNAL: return "signal";
	case MODINIT_OPT_STRING_LIST: return "list of strings";
	case MODINIT_OPT_MAP: return "mapping";
	case MODINIT_OPT_LIST: return "list";
	case MODINIT_OPT_ENUM: return "word";
	case MODINIT_OPT_PATH: return "absolute path";
	case MODINIT_OPT_LIST_OF: return "list";
	case MODINIT_OPT_SECTION: return "mapping";
	}
	return "?";
}

/* The plural, for "expected a list of ...". */
static const char *opt_plural(enum modinit_opt_type t)
{
	switch (t) {
	case MODINIT_OPT_STRING: return "strings";
	case MODINIT_OPT_BOOL: return "booleans";
	case MODINIT_OPT_INT: return "integers";
	case MODINIT_OPT_DURATION: return "durations";
	case MODINIT_OPT_SIGNAL: return "signals";
	case MODINIT_OPT_ENUM: return "words";
	case MODINIT_OPT_PATH: return "absolute paths";
	case MODINIT_OPT_SECTION: return "mappings";
	default: return "?";
	}
}

/* ------------------------------------------------------------------ */
/* Element sizes                                                       */
/* ------------------------------------------------------------------ */

/* Read only from a 1.1 descriptor that is long enough to hold them. */
static bool opt_desc_v11(const struct modinit_module *d)
{
	return d->abi_minor >= 1 && d->size >= LOADER_V11_DESC_SIZE;
}

size_t loader_option_size(const struct modinit_module *d)
{
	return opt_desc_v11(d) ? d->option_size : LOADER_V10_OPTION_SIZE;
}

size_t loader_value_size(const struct modinit_module *d)
{
	return opt_desc_v11(d) ? d->value_size : LOADER_V10_VALUE_SIZE;
}

/* Entry i of a schema esize bytes apart, copied whole: what the module's
 * ABI lacks reads as 0. false at the terminating entry (key NULL). */
static bool opt_entry(const struct modinit_option *base, size_t esize, size_t i,
		      struct modinit_option *out)
{
	memset(out, 0, sizeof(*out));
	if (!base)
		return false;
	memcpy(out, (const char *)base + i * esize, esize < sizeof(*out) ? esize : sizeof(*out));
	return out->key != NULL;
}

bool loader_option_get(const struct modinit_module *d, const struct modinit_option *schema,
		       size_t i, struct modinit_option *out)
{
	return opt_entry(schema, loader_option_size(d), i, out);
}

/* ------------------------------------------------------------------ */
/* Memory: everything a module's options need lives until its release   */
/* ------------------------------------------------------------------ */

struct opt_block {
	struct opt_block *next;
	alignas(max_align_t) unsigned char data[];
};

static void *opt_new(struct module *mod, size_t n)
{
	struct opt_block *b = calloc(1, sizeof(*b) + n);

	if (!b)
		return NULL;
	b->next = mod->opt_arena;
	mod->opt_arena = b;
	return b->data;
}

void loader_options_free(struct module *mod)
{
	struct opt_block *b = mod->opt_arena;

	while (b) {
		struct opt_block *next = b->next;

		free(b);
		b = next;
	}
	mod->opt_arena = NULL;
}

/* ------------------------------------------------------------------ */
/* Scalars                                                             */
/* ------------------------------------------------------------------ */

/* Word i of n onto buf at used, the way a list is said: "a, b or c".
 * Returns the new length (>= len once buf is full). */
static size_t opt_join(char *buf, size_t len, size_t used, size_t i, size_t n, const char *word)
{
	if (used >= len)
		return used;
	return used + (size_t)snprintf(buf + used, len - used, "%s%s",
				       i == 0 ? "" : i + 1 == n ? " or " : ", ", word);
}

/* "expected a, b or c, got "x"": the whole set of words, in order. */
static int opt_enum(struct modinit_value *v, const char *const *choices, const char *text,
		    char *why, size_t len)
{
	size_t n = 0, used;

	for (; choices && choices[n]; n++) {
		if (strcmp(choices[n], text) == 0) {
			v->index = n;
			return 0;
		}
	}
	used = (size_t)snprintf(why, len, "expected ");
	for (size_t i = 0; i < n; i++)
		used = opt_join(why, len, used, i, n, choices[i]);
	if (used < len)
		snprintf(why + used, len - used, ", got \"%s\"", text);
	return -EINVAL;
}

/* Convert scalar text; on error, "expected ..., got "text"" in why. */
static int opt_scalar(struct modinit_value *v, const struct modinit_option *spec,
		      const char *text, bool quoted, char *why, size_t len)
{
	long n;

	v->str = text;
	switch (v->type) {
	case MODINIT_OPT_STRING:
		return 0;
	case MODINIT_OPT_BOOL:
		/* Only true/false, and never a quoted "true": YAML 1.1's
		 * yes/no/on/off surprise people. */
		if (!quoted && (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)) {
			v->boolean = text[0] == 't';
			return 0;
		}
		snprintf(why, len, "expected true or false, got \"%s\"", text);
		return -EINVAL;
	case MODINIT_OPT_INT:
		if (parse_long(text, LONG_MIN, LONG_MAX, &n) == 0) {
			v->integer = n;
			return 0;
		}
		snprintf(why, len, "expected an integer, got \"%s\"", text);
		return -EINVAL;
	case MODINIT_OPT_DURATION:
		if (parse_duration(text, &v->ms) == 0)
			return 0;
		snprintf(why, len, "expected a duration like 5s, got \"%s\"", text);
		return -EINVAL;
	case MODINIT_OPT_SIGNAL:
		if (parse_signal(text, &v->signo) == 0)
			return 0;
		snprintf(why, len, "expected a signal like SIGTERM, got \"%s\"", text);
		return -EINVAL;
	case MODINIT_OPT_ENUM:
		return opt_enum(v, spec ? spec->choices : NULL, text, why, len);
	case MODINIT_OPT_PATH:
		if (text[0] == '/')
			return 0;
		snprintf(why, len, "expected an absolute path, got \"%s\"", text);
		return -EINVAL;
	default:
		snprintf(why, len, "expected a %s, got \"%s\"", loader_type_name(v->type), text);
		return -EINVAL;
	}
}

static bool opt_is_scalar(enum modinit_opt_type t)
{
	return t == MODINIT_OPT_STRING || t == MODINIT_OPT_BOOL || t == MODINIT_OPT_INT ||
	       t == MODINIT_OPT_DURATION || t == MODINIT_OPT_SIGNAL || t == MODINIT_OPT_ENUM ||
	       t == MODINIT_OPT_PATH;
}

int loader_parse_node(enum modinit_opt_type type, const struct modinit_node *n,
		      struct modinit_value *out, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->node = n;
	if (!opt_is_scalar(type) || type == MODINIT_OPT_ENUM) {
		snprintf(why, len, "cannot convert a %s here", loader_type_name(type));
		return -EINVAL;
	}
	if (n->type != MODINIT_NODE_SCALAR) {
		snprintf(why, len, "expected a %s, got a %s", loader_type_name(type),
			 n->type == MODINIT_NODE_MAP ? "mapping" : "list");
		return -EINVAL;
	}
	out->set = true;
	return opt_scalar(out, NULL, n->value, n->quoted, why, len);
}

/* ------------------------------------------------------------------ */
/* A config item against a schema                                      */
/* ------------------------------------------------------------------ */

/* One conversion: the module, where its config came from, and where the
 * one error line goes. */
struct opt_ctx {
	struct module *mod;
	const char *cfgfile;
	char *err;
	size_t errlen;
	size_t osize, vsize; /* the module's element sizes */
};

/* "FILE:LINE:COL: NAME: PREFIXmessage" about node n; -EINVAL. */
static int opt_fail(struct opt_ctx *c, const struct modinit_node *n, const char *prefix,
		    const char *why)
{
	return cfg_error(c->err, c->errlen, c->cfgfile, n, c->mod->desc->name, "%s%s", prefix, why);
}

static int opt_level(struct opt_ctx *c, const struct modinit_option *schema,
		     const struct modinit_node *map, const char *prefix, int depth,
		     const struct modinit_options **out);

/* Host-sized values out to the module: value_size bytes each, the fields
 * its ABI lacks left out. */
static const struct modinit_options *opt_export(struct opt_ctx *c, const struct modinit_value *v,
						size_t count, const struct modinit_node *node)
{
	struct modinit_options *o = opt_new(c->mod, sizeof(*o));
	char *vals = opt_new(c->mod, (count + 1) * c->vsize);
	size_t n = c->vsize < sizeof(*v) ? c->vsize : sizeof(*v);

	if (!o || !vals)
		return NULL;
	for (size_t i = 0; i < count; i++)
		memcpy(vals + i * c->vsize, &v[i], n);
	*o = (struct modinit_options){ .count = count, .values = (const void *)vals, .node = node,
				       .value_size = c->vsize };
	return o;
}

/* String-like items are also handed over as a NULL-terminated strv. */
static int opt_strv(struct opt_ctx *c, struct modinit_value *v, const struct modinit_value *items)
{
	const char **strv;

	if (v->type == MODINIT_OPT_LIST_OF) {
		enum modinit_opt_type t = items ? items[0].type : MODINIT_OPT_STRING;

		if (t != MODINIT_OPT_STRING && t != MODINIT_OPT_ENUM && t != MODINIT_OPT_PATH)
			return 0;
	}
	strv = opt_new(c->mod, (v->count + 1) * sizeof(*strv));
	if (!strv)
		return -ENOMEM;
	for (size_t i = 0; i < v->count; i++)
		strv[i] = items[i].str;
	v->strv = strv;
	return 0;
}

/* The spec of one item of a LIST_OF (a STRING_LIST holds strings). */
static void opt_item_spec(const struct modinit_option *spec, struct modinit_option *item)
{
	*item = *spec;
	item->type = spec->type == MODINIT_OPT_STRING_LIST ? MODINIT_OPT_STRING : spec->item_type;
	item->default_value = NULL;
	item->required = false;
}

static int opt_convert(struct opt_ctx *c, const struct modinit_option *spec,
		       const struct modinit_node *n, struct modinit_value *v, const char *prefix,
		       int depth);

/* The node of key in map, or NULL (also when map is no mapping). */
static const struct modinit_node *opt_find(const struct modinit_node *map, const char *key)
{
	for (size_t i = 0; map && map->type == MODINIT_NODE_MAP && i < map->count; i++)
		if (strcmp(map->keys[i].value, key) == 0)
			return &map->items[i];
	return NULL;
}

/* The name of item i of a list of sections by spec->name_key: its scalar
 * value, or NULL when it has none (the item is then "item N"). */
static const char *opt_item_name(const struct modinit_option *spec,
				 const struct modinit_node *nodes, size_t i)
{
	const struct modinit_node *n;

	if (!spec->name_key || spec->type != MODINIT_OPT_LIST_OF)
		return NULL;
	n = opt_find(&nodes[i], spec->name_key);
	return n && n->type == MODINIT_NODE_SCALAR ? n->value : NULL;
}

/* How item i is called in messages, "PREFIXweb: " or "PREFIXitem 2: ";
 * an empty name, or one an earlier item has, is an error (-EINVAL). */
static int opt_item_prefix(struct opt_ctx *c, const struct modinit_option *spec,
			   const struct modinit_node *nodes, size_t i, const char *prefix,
			   char *ip, size_t len)
{
	const char *name = opt_item_name(spec, nodes, i);
	const struct modinit_node *at = name ? opt_find(&nodes[i], spec->name_key) : NULL;
	char why[320];

	if (name && !*name) {
		snprintf(why, sizeof(why), "item %zu: %s: expected a name, got \"\"", i + 1,
			 spec->name_key);
		return opt_fail(c, at, prefix, why);
	}
	for (size_t j = 0; name && j < i; j++) {
		const char *other = opt_item_name(spec, nodes, j);

		if (other && strcmp(other, name) == 0) {
			snprintf(why, sizeof(why), "two items named \"%s\"", name);
			return opt_fail(c, at, prefix, why);
		}
	}
	if (name)
		snprintf(ip, len, "%s%s: ", prefix, name);
	else
		snprintf(ip, len, "%sitem %zu: ", prefix, i + 1);
	return 0;
}

/* The items of a list, from config nodes (texts NULL) or from the words
 * of a default (nodes NULL). */
static int opt_items(struct opt_ctx *c, const struct modinit_option *spec, struct modinit_value *v,
		     const struct modinit_node *nodes, char **texts, const char *prefix, int depth)
{
	struct modinit_option is;
	struct modinit_value *items = opt_new(c->mod, (v->count + 1) * sizeof(*items));
	char ip[256], why[512];

	if (!items)
		return -ENOMEM;
	opt_item_spec(spec, &is);
	for (size_t i = 0; i < v->count; i++) {
		int r;

		items[i] = (struct modinit_value){ .key = spec->key, .type = is.type, .set = true,
						   .from_default = v->from_default };
		if (nodes && spec->type == MODINIT_OPT_STRING_LIST &&
		    nodes[i].type != MODINIT_NODE_SCALAR) {
			snprintf(why, sizeof(why), "expected a list of strings, item %zu is not a string",
				 i + 1);
			return opt_fail(c, v->node, prefix, why);
		}
		if (texts) {
			snprintf(ip, sizeof(ip), "%sitem %zu: ", prefix, i + 1);
			r = opt_scalar(&items[i], &is, texts[i], false, why, sizeof(why));
		} else {
			r = opt_item_prefix(c, spec, nodes, i, prefix, ip, sizeof(ip));
			if (r == 0)
				r = opt_convert(c, &is, &nodes[i], &items[i], ip, depth);
		}
		if (r < 0 && texts)
			snprintf(c->err, c->errlen, "%s: %s%s", c->mod->desc->name, ip, why);
		if (r < 0)
			return r;
	}
	if (spec->type == MODINIT_OPT_LIST_OF) {
		v->list = opt_export(c, items, v->count, v->node);
		if (!v->list)
			return -ENOMEM;
	}
	return opt_strv(c, v, items);
}

static int opt_list(struct opt_ctx *c, const struct modinit_option *spec,
		    const struct modinit_node *n, struct modinit_value *v, const char *prefix,
		    int depth)
{
	char why[128];

	if (n->type != MODINIT_NODE_LIST) {
		snprintf(why, sizeof(why), "expected a list of %s",
			 opt_plural(spec->type == MODINIT_OPT_STRING_LIST ? MODINIT_OPT_STRING
									 : spec->item_type));
		return opt_fail(c, n, prefix, why);
	}
	v->count = n->count;
	return opt_items(c, spec, v, n->items, NULL, prefix, depth);
}

/* One config node as spec says, into v (host-sized). */
static int opt_convert(struct opt_ctx *c, const struct modinit_option *spec,
		       const struct modinit_node *n, struct modinit_value *v, const char *prefix,
		       int depth)
{
	char why[512];

	v->node = n;
	v->set = true;
	switch (v->type) {
	case MODINIT_OPT_STRING_LIST:
	case MODINIT_OPT_LIST_OF:
		return opt_list(c, spec, n, v, prefix, depth);
	case MODINIT_OPT_SECTION:
		if (n->type != MODINIT_NODE_MAP)
			return opt_fail(c, n, prefix, "expected a mapping");
		return opt_level(c, spec->fields, n, prefix, depth + 1, &v->section);
	case MODINIT_OPT_MAP:
		return n->type == MODINIT_NODE_MAP ? 0 : opt_fail(c, n, prefix, "expected a mapping");
	case MODINIT_OPT_LIST:
		return n->type == MODINIT_NODE_LIST ? 0 : opt_fail(c, n, prefix, "expected a list");
	default:
		if (n->type == MODINIT_NODE_SCALAR) {
			if (opt_scalar(v, spec, n->value, n->quoted, why, sizeof(why)) == 0)
				return 0;
		} else {
			snprintf(why, sizeof(why), "expected a %s, got a %s",
				 loader_type_name(v->type),
				 n->type == MODINIT_NODE_MAP ? "mapping" : "list");
		}
		return opt_fail(c, n, prefix, why);
	}
}

/* A list default is its items' texts separated by commas, e.g.
 * "SIGTERM, SIGINT" (spaces around items dropped; "" is an empty list). */
static int opt_split(struct module *mod, const char *text, char ***words, size_t *count)
{
	size_t n = 0, len = strlen(text);
	char *copy = opt_new(mod, len + 1), **w;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len + 1);
	w = opt_new(mod, (len + 2) * sizeof(*w)); /* at most one item per comma, plus one */
	if (!w)
		return -ENOMEM;
	for (char *p = copy; *p && p[strspn(p, " ")];) {
		char *end = p + strcspn(p, ",");
		char *stop = end;
		bool last = *end == '\0';

		p += strspn(p, " ");
		while (stop > p && stop[-1] == ' ')
			stop--;
		*stop = '\0';
		w[n++] = p;
		if (last)
			break;
		p = end + 1;
	}
	*words = w;
	*count = n;
	return 0;
}

/* A default for an option the config left out; the module's own bug when
 * it does not convert (loader_check_schema refuses that at load). */
static int opt_default(struct opt_ctx *c, const struct modinit_option *spec,
		       struct modinit_value *v, int depth)
{
	char prefix[256], why[512], **words;
	int r;

	v->set = v->from_default = true;
	snprintf(prefix, sizeof(prefix), "default of \"%s\": ", spec->key);
	if (spec->type != MODINIT_OPT_STRING_LIST && spec->type != MODINIT_OPT_LIST_OF) {
		if (opt_scalar(v, spec, spec->default_value, false, why, sizeof(why)) == 0)
			return 0;
		snprintf(c->err, c->errlen, "%s: %s%s", c->mod->desc->name, prefix, why);
		return -EINVAL;
	}
	r = opt_split(c->mod, spec->default_value, &words, &v->count);
	return r < 0 ? r : opt_items(c, spec, v, NULL, words, prefix, depth);
}

static long opt_index(const struct modinit_option *schema, size_t osize, const char *key)
{
	struct modinit_option o;

	for (size_t i = 0; opt_entry(schema, osize, i, &o); i++)
		if (strcmp(o.key, key) == 0)
			return (long)i;
	return -1;
}

/* The wording of the config's own keys: "unknown key "x" (expected a, b
 * or c)". */
static void opt_unknown(const struct modinit_option *schema, size_t osize, const char *key,
			char *why, size_t len)
{
	struct modinit_option o;
	size_t used, n = 0;

	while (opt_entry(schema, osize, n, &o))
		n++;
	if (n == 0) {
		snprintf(why, len, "unknown key \"%s\" (this module takes no options)", key);
		return;
	}
	used = (size_t)snprintf(why, len, "unknown key \"%s\" (expected ", key);
	for (size_t i = 0; i < n && opt_entry(schema, osize, i, &o); i++)
		used = opt_join(why, len, used, i, n, o.key);
	if (used < len)
		snprintf(why + used, len - used, ")");
}

/* Options the config left out: required ones are errors, defaults apply. */
static int opt_missing(struct opt_ctx *c, const struct modinit_option *schema,
		       struct modinit_value *v, const struct modinit_node *map,
		       const char *prefix, int depth)
{
	struct modinit_option o;
	char why[512];

	for (size_t i = 0; opt_entry(schema, c->osize, i, &o); i++) {
		if (v[i].set)
			continue;
		if (o.required) {
			snprintf(why, sizeof(why), "missing required option \"%s\"", o.key);
			if (depth > 0)
				return opt_fail(c, map, prefix, why);
			/* The item itself: a shortcut's has no position. */
			if (map && map->line)
				return opt_fail(c, map, "", why);
			snprintf(c->err, c->errlen, "%s: %s", c->mod->desc->name, why);
			return -EINVAL;
		}
		if (o.default_value) {
			int r = opt_default(c, &o, &v[i], depth);

			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* One mapping (the module's item, or a SECTION) against one schema level. */
static int opt_level(struct opt_ctx *c, const struct modinit_option *schema,
		     const struct modinit_node *map, const char *prefix, int depth,
		     const struct modinit_options **out)
{
	struct modinit_option o;
	struct modinit_value *v;
	size_t n = 0;
	char why[512], kp[256];
	int r;

	while (opt_entry(schema, c->osize, n, &o))
		n++;
	v = opt_new(c->mod, (n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; opt_entry(schema, c->osize, i, &o); i++)
		v[i] = (struct modinit_value){ .key = o.key, .type = o.type };
	for (size_t i = 0; map && i < map->count; i++) {
		const char *key = map->keys[i].value;
		long idx;

		/* modinit's own keys in every module item */
		if (depth == 0 && (strcmp(key, "name") == 0 || strcmp(key, "path") == 0))
			continue;
		idx = opt_index(schema, c->osize, key);
		if (idx < 0) {
			opt_unknown(schema, c->osize, key, why, sizeof(why));
			return opt_fail(c, &map->keys[i], prefix, why);
		}
		opt_entry(schema, c->osize, (size_t)idx, &o);
		snprintf(kp, sizeof(kp), "%s%s: ", prefix, key);
		r = opt_convert(c, &o, &map->items[i], &v[idx], kp, depth);
		if (r < 0)
			return r;
	}
	r = opt_missing(c, schema, v, map, prefix, depth);
	if (r < 0)
		return r;
	*out = opt_export(c, v, n, map);
	return *out ? 0 : -ENOMEM;
}

/* ------------------------------------------------------------------ */
/* The schema itself, checked when the module is loaded                */
/* ------------------------------------------------------------------ */

static bool opt_item_ok(enum modinit_opt_type t)
{
	return opt_is_scalar(t) || t == MODINIT_OPT_SECTION;
}

/* name_key names a string field of the items of a list of sections. */
static int opt_check_name_key(struct opt_ctx *c, const struct modinit_option *o, char *why,
			      size_t len)
{
	struct modinit_option f;
	long i;

	if (o->type != MODINIT_OPT_LIST_OF || o->item_type != MODINIT_OPT_SECTION) {
		snprintf(why, len, "name_key is only for a list of sections");
		return -EINVAL;
	}
	i = opt_index(o->fields, c->osize, o->name_key);
	if (i < 0 || !opt_entry(o->fields, c->osize, (size_t)i, &f) ||
	    f.type != MODINIT_OPT_STRING) {
		snprintf(why, len, "name_key \"%s\" is not a string field of its items",
			 o->name_key);
		return -EINVAL;
	}
	return 0;
}

/* What one entry needs besides its type: choices, fields, a default that
 * converts. why gets the reason. */
static int opt_check_entry(struct opt_ctx *c, const struct modinit_option *o, char *why,
			   size_t len)
{
	enum modinit_opt_type t = o->type == MODINIT_OPT_LIST_OF ? o->item_type : o->type;
	struct modinit_value v = { .key = o->key, .type = o->type };

	if (o->type == MODINIT_OPT_LIST_OF && !opt_item_ok(o->item_type)) {
		snprintf(why, len, "a list cannot hold items of type %d", (int)o->item_type);
		return -EINVAL;
	}
	if (t == MODINIT_OPT_ENUM && (!o->choices || !o->choices[0])) {
		snprintf(why, len, "an enumeration needs its choices");
		return -EINVAL;
	}
	if (t == MODINIT_OPT_SECTION && !o->fields) {
		snprintf(why, len, "a section needs its fields");
		return -EINVAL;
	}
	if (o->name_key && opt_check_name_key(c, o, why, len) < 0)
		return -EINVAL;
	if (!o->default_value)
		return 0;
	if (t == MODINIT_OPT_SECTION || o->type == MODINIT_OPT_MAP || o->type == MODINIT_OPT_LIST) {
		snprintf(why, len, "a %s cannot have a default", loader_type_name(o->type));
		return -EINVAL;
	}
	if (opt_default(c, o, &v, 0) == 0)
		return 0;
	snprintf(why, len, "%s", c->err);
	return -EINVAL;
}

static int opt_check_level(struct opt_ctx *c, const struct modinit_option *schema,
			   const char *path, int depth, char *why, size_t len);

/* One entry, its name as "section.key" in messages. */
static int opt_check_one(struct opt_ctx *c, const struct modinit_option *schema, size_t i,
			 const char *path, int depth, char *why, size_t len)
{
	struct modinit_option o;
	char name[256], reason[768];
	bool v11 = c->osize > LOADER_V10_OPTION_SIZE;

	opt_entry(schema, c->osize, i, &o);
	snprintf(name, sizeof(name), "%s%s", path, o.key);
	if (depth == 0 && (strcmp(o.key, "name") == 0 || strcmp(o.key, "path") == 0)) {
		snprintf(why, len, "option \"%s\" is reserved: modinit reads \"name\" and \"path\" "
			 "in every module item itself", o.key);
		return -EINVAL;
	}
	if (!o.key[0] || opt_index(schema, c->osize, o.key) != (long)i) {
		snprintf(why, len, "option \"%s\" is declared %s", name, o.key[0] ? "twice" : "empty");
		return -EINVAL;
	}
	if (o.type < MODINIT_OPT_STRING ||
	    o.type > (v11 ? MODINIT_OPT_SECTION : MODINIT_OPT_LIST)) {
		snprintf(why, len, "option \"%s\" has an unknown type (%d)", name, (int)o.type);
		return -EINVAL;
	}
	if (opt_check_entry(c, &o, reason, sizeof(reason)) < 0) {
		snprintf(why, len, "option \"%s\": %s", name, reason);
		return -EINVAL;
	}
	if (o.type != MODINIT_OPT_SECTION &&
	    !(o.type == MODINIT_OPT_LIST_OF && o.item_type == MODINIT_OPT_SECTION))
		return 0;
	if (depth + 1 >= OPT_MAX_DEPTH) {
		snprintf(why, len, "option \"%s\": sections nested deeper than %d", name,
			 OPT_MAX_DEPTH);
		return -EINVAL;
	}
	snprintf(name + strlen(name), sizeof(name) - strlen(name), ".");
	return opt_check_level(c, o.fields, name, depth + 1, why, len);
}

static int opt_check_level(struct opt_ctx *c, const struct modinit_option *schema,
			   const char *path, int depth, char *why, size_t len)
{
	struct modinit_option o;

	for (size_t i = 0; opt_entry(schema, c->osize, i, &o); i++)
		if (opt_check_one(c, schema, i, path, depth, why, len) < 0)
			return -EINVAL;
	return 0;
}

int loader_check_schema(const struct modinit_module *d, const char *file, char *err,
			size_t errlen)
{
	struct module scratch = { .desc = d };
	char cerr[512], why[1024];
	struct opt_ctx c = { &scratch, NULL, cerr, sizeof(cerr), loader_option_size(d),
			     loader_value_size(d) };
	int r = opt_check_level(&c, d->options, "", 0, why, sizeof(why));

	loader_options_free(&scratch);
	if (r < 0)
		snprintf(err, errlen, "%s: module \"%s\": %s", file, d->name, why);
	return r;
}

int loader_options(struct module *mod, const char *cfgfile, const struct modinit_node *item,
		   char *err, size_t errlen)
{
	struct opt_ctx c = { mod, cfgfile, err, errlen, loader_option_size(mod->desc),
			     loader_value_size(mod->desc) };
	const struct modinit_options *o;
	int r;

	if (!mod->file) { /* not through loader_open (the unit tests' fake host) */
		r = loader_check_schema(mod->desc, mod->desc->name, err, errlen);
		if (r < 0)
			return r;
	}
	r = opt_level(&c, mod->desc->options, item, "", 0, &o);
	if (r < 0)
		return r;
	mod->opts = *o;
	return 0;
}

/* ------------------------------------------------------------------ */
/* What crosses the boundary at run time                               */
/* ------------------------------------------------------------------ */

int loader_value_out(enum modinit_opt_type type, const struct modinit_node *n,
		     struct modinit_value *out, size_t out_size, char *why, size_t len)
{
	struct modinit_value v;
	int r;

	if (out_size < LOADER_V10_VALUE_SIZE) {
		snprintf(why, len, "the value buffer is too small (%zu bytes)", out_size);
		return -EINVAL;
	}
	r = loader_parse_node(type, n, &v, why, len);
	if (r == 0)
		memcpy(out, &v, out_size < sizeof(v) ? out_size : sizeof(v));
	return r;
}

void loader_spawn_opts(const struct module *mod, const struct modinit_spawn_opts *in,
		       struct modinit_spawn_opts *out)
{
	size_t n = LOADER_V10_SPAWN_SIZE;

	memset(out, 0, sizeof(*out));
	/* size exists only in what a 1.1 module hands over; 0 there means a
	 * zeroed struct that sets no 1.1 field. */
	if (mod->desc->abi_minor >= 1 && in->size > n)
		n = in->size < sizeof(*out) ? in->size : sizeof(*out);
	memcpy(out, in, n);
	out->size = sizeof(*out);
}

/* "a, b, c" into buf from used on: the choices or the field names. */
static void opt_words(const struct modinit_module *d, const struct modinit_option *o, char *buf,
		      size_t used, size_t len)
{
	struct modinit_option f;

	if (o->choices)
		for (size_t i = 0; o->choices[i] && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
						 o->choices[i]);
	else
		for (size_t i = 0; loader_option_get(d, o->fields, i, &f) && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
						 f.key);
}

void loader_type_describe(const struct modinit_module *d, const struct modinit_option *o,
			  char *buf, size_t len)
{
	enum modinit_opt_type t = o->type == MODINIT_OPT_LIST_OF ? o->item_type : o->type;
	size_t used;

	if (o->type == MODINIT_OPT_LIST_OF)
		used = (size_t)snprintf(buf, len, "list of %s%s", opt_plural(t),
					t == MODINIT_OPT_ENUM || t == MODINIT_OPT_SECTION ? ": " : "");
	else if (t == MODINIT_OPT_ENUM)
		used = (size_t)snprintf(buf, len, "one of: ");
	else if (t == MODINIT_OPT_SECTION)
		used = (size_t)snprintf(buf, len, "mapping: ");
	else
		used = (size_t)snprintf(buf, len, "%s", loader_type_name(t));
	if ((t == MODINIT_OPT_ENUM || t == MODINIT_OPT_SECTION) && used < len)
		opt_words(d, o, buf, used, len);
}
