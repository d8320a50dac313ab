/* Module options: each key of the module's config item is checked against
 * the module's schema and converted before the module's init sees it. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "parse.h"

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
	}
	return "?";
}

/* Convert scalar text; on error, "expected ..., got "text"" in why. */
static int opt_scalar(struct modinit_value *v, const char *text, bool quoted, char *why,
		      size_t len)
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
	default:
		snprintf(why, len, "expected a %s, got \"%s\"", loader_type_name(v->type), text);
		return -EINVAL;
	}
}

static int opt_strlist(struct module *mod, size_t idx, const struct modinit_node *n, char *why,
		       size_t len)
{
	const char **strv;

	if (n->type != MODINIT_NODE_LIST) {
		snprintf(why, len, "expected a list of strings");
		return -EINVAL;
	}
	strv = calloc(n->count + 1, sizeof(*strv));
	if (!strv)
		return -ENOMEM;
	for (size_t i = 0; i < n->count; i++) {
		if (n->items[i].type != MODINIT_NODE_SCALAR) {
			free(strv);
			snprintf(why, len, "expected a list of strings, item %zu is not a string", i + 1);
			return -EINVAL;
		}
		strv[i] = n->items[i].value;
	}
	mod->strvs[idx] = strv;
	mod->values[idx].strv = strv;
	mod->values[idx].count = n->count;
	return 0;
}

static int opt_node(struct module *mod, size_t idx, const struct modinit_node *n, char *why,
		    size_t len)
{
	struct modinit_value *v = &mod->values[idx];

	v->node = n;
	v->set = true;
	switch (v->type) {
	case MODINIT_OPT_STRING_LIST:
		return opt_strlist(mod, idx, n, why, len);
	case MODINIT_OPT_MAP:
		if (n->type == MODINIT_NODE_MAP)
			return 0;
		snprintf(why, len, "expected a mapping");
		return -EINVAL;
	case MODINIT_OPT_LIST:
		if (n->type == MODINIT_NODE_LIST)
			return 0;
		snprintf(why, len, "expected a list");
		return -EINVAL;
	default:
		if (n->type == MODINIT_NODE_SCALAR)
			return opt_scalar(v, n->value, n->quoted, why, len);
		snprintf(why, len, "expected a %s, got a %s", loader_type_name(v->type),
			 n->type == MODINIT_NODE_MAP ? "mapping" : "list");
		return -EINVAL;
	}
}

int loader_parse_node(enum modinit_opt_type type, const struct modinit_node *n,
		      struct modinit_value *out, char *why, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->node = n;
	if (type != MODINIT_OPT_STRING && type != MODINIT_OPT_BOOL && type != MODINIT_OPT_INT &&
	    type != MODINIT_OPT_DURATION && type != MODINIT_OPT_SIGNAL) {
		snprintf(why, len, "cannot convert a %s here", loader_type_name(type));
		return -EINVAL;
	}
	if (n->type != MODINIT_NODE_SCALAR) {
		snprintf(why, len, "expected a %s, got a %s", loader_type_name(type),
			 n->type == MODINIT_NODE_MAP ? "mapping" : "list");
		return -EINVAL;
	}
	out->set = true;
	return opt_scalar(out, n->value, n->quoted, why, len);
}

void loader_where(const char *cfgfile, const struct modinit_node *n, char *buf, size_t len)
{
	/* Line 0: the value came from a command-line shortcut. */
	if (n && n->line)
		snprintf(buf, len, "%s:%u:%u", cfgfile ? cfgfile : "config", n->line, n->column);
	else
		snprintf(buf, len, "command line");
}

static long opt_index(const struct modinit_module *d, const char *key)
{
	for (long i = 0; d->options && d->options[i].key; i++)
		if (strcmp(d->options[i].key, key) == 0)
			return i;
	return -1;
}

static void opt_unknown(const struct modinit_module *d, const char *key, char *why, size_t len)
{
	size_t used;

	if (!d->options || !d->options[0].key) {
		snprintf(why, len, "unknown option \"%s\" (this module takes none)", key);
		return;
	}
	used = (size_t)snprintf(why, len, "unknown option \"%s\" (expected one of:", key);
	for (size_t i = 0; d->options[i].key && used < len; i++)
		used += (size_t)snprintf(why + used, len - used, "%s %s", i ? "," : "",
					 d->options[i].key);
	if (used < len)
		snprintf(why + used, len - used, ")");
}

static int opt_alloc(struct module *mod)
{
	size_t n = 0;

	while (mod->desc->options && mod->desc->options[n].key)
		n++;
	mod->values = calloc(n + 1, sizeof(*mod->values));
	mod->strvs = calloc(n + 1, sizeof(*mod->strvs));
	if (!mod->values || !mod->strvs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		mod->values[i].key = mod->desc->options[i].key;
		mod->values[i].type = mod->desc->options[i].type;
	}
	mod->opts.count = n;
	mod->opts.values = mod->values;
	return 0;
}

/* Options the config left out: required ones are errors, defaults apply. */
static int opt_defaults(struct module *mod, char *why, size_t len)
{
	for (size_t i = 0; i < mod->opts.count; i++) {
		const struct modinit_option *o = &mod->desc->options[i];
		struct modinit_value *v = &mod->values[i];

		if (v->set)
			continue;
		if (o->required) {
			snprintf(why, len, "missing required option \"%s\"", o->key);
			return -EINVAL;
		}
		if (!o->default_value)
			continue;
		if (opt_scalar(v, o->default_value, false, why, len) < 0)
			return -EINVAL; /* the module's own bug, reported as such */
		v->set = v->from_default = true;
	}
	return 0;
}

int loader_options(struct module *mod, const char *cfgfile, const struct modinit_node *item,
		   char *err, size_t errlen)
{
	char why[512];
	int r = opt_alloc(mod);

	if (r < 0)
		return r;
	mod->opts.node = item;
	for (size_t i = 0; item && i < item->count; i++) {
		const struct modinit_node *k = &item->keys[i];
		long idx;

		if (strcmp(k->value, "name") == 0 || strcmp(k->value, "path") == 0)
			continue;
		idx = opt_index(mod->desc, k->value);
		if (idx < 0)
			opt_unknown(mod->desc, k->value, why, sizeof(why));
		else
			r = opt_node(mod, (size_t)idx, &item->items[i], why, sizeof(why));
		if (idx < 0 || r < 0) {
			const struct modinit_node *at = idx < 0 ? k : &item->items[i];

			char where[256];

			loader_where(cfgfile, at, where, sizeof(where));
			snprintf(err, errlen, "%s: %s: %s%s%s", where, mod->desc->name,
				 idx < 0 ? "" : k->value, idx < 0 ? "" : ": ", why);
			return r == -ENOMEM ? r : -EINVAL;
		}
	}
	r = opt_defaults(mod, why, sizeof(why));
	if (r < 0) {
		if (item && item->line)
			snprintf(err, errlen, "%s:%u:%u: %s: %s", cfgfile, item->line, item->column,
				 mod->desc->name, why);
		else
			snprintf(err, errlen, "%s: %s", mod->desc->name, why);
	}
	return r;
}
