#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "shortcuts.h"

static void *sc_alloc(struct shortcuts *s, size_t size)
{
	void **v = realloc(s->blocks, (s->nblocks + 1) * sizeof(*v));
	void *p;

	if (!v)
		return NULL;
	s->blocks = v;
	p = calloc(1, size ? size : 1);
	if (p)
		s->blocks[s->nblocks++] = p;
	return p;
}

/* Scalars built here carry line 0: "from the command line". */
static void sc_scalar(struct modinit_node *n, const char *text)
{
	*n = (struct modinit_node){ .type = MODINIT_NODE_SCALAR, .value = text };
}

typedef bool (*sc_same_key)(const char *a, const char *b);

static bool sc_same_signal(const char *a, const char *b)
{
	int x, y;

	return parse_signal(a, &x) == 0 && parse_signal(b, &y) == 0 && x == y;
}

static bool sc_same_code(const char *a, const char *b)
{
	long x, y;

	return parse_long(a, 0, 255, &x) == 0 && parse_long(b, 0, 255, &y) == 0 && x == y;
}

/* The CLI rules "KEY:VALUE" (VALUE defaulting to dflt) over old's pairs. */
static struct modinit_node *sc_map(struct shortcuts *s, const struct modinit_node *old,
				   const char *const *rules, int n, const char *dflt,
				   sc_same_key same)
{
	size_t oldn = old && old->type == MODINIT_NODE_MAP ? old->count : 0, k = 0;
	struct modinit_node *map = sc_alloc(s, sizeof(*map));
	struct modinit_node *keys = sc_alloc(s, (oldn + (size_t)n) * sizeof(*keys));
	struct modinit_node *vals = sc_alloc(s, (oldn + (size_t)n) * sizeof(*vals));

	if (!map || !keys || !vals)
		return NULL;
	for (size_t i = 0; i < oldn; i++) {
		bool overridden = false;

		for (int r = 0; r < n && !overridden; r++) {
			char *key = sc_alloc(s, strlen(rules[r]) + 1);

			if (!key)
				return NULL;
			strcpy(key, rules[r]);
			if (strchr(key, ':'))
				*strchr(key, ':') = '\0';
			overridden = same(old->keys[i].value, key);
		}
		if (!overridden) {
			keys[k] = old->keys[i];
			vals[k++] = old->items[i];
		}
	}
	for (int r = 0; r < n; r++) {
		char *key = sc_alloc(s, strlen(rules[r]) + 1);
		char *colon;

		if (!key)
			return NULL;
		strcpy(key, rules[r]);
		colon = strchr(key, ':');
		if (colon)
			*colon = '\0';
		sc_scalar(&keys[k], key);
		sc_scalar(&vals[k++], colon ? colon + 1 : dflt);
	}
	*map = (struct modinit_node){ .type = MODINIT_NODE_MAP, .count = k, .keys = keys,
				      .items = vals };
	return map;
}

/* A copy of item (or a new {name: NAME}) whose "map" is replaced. */
static const struct modinit_node *sc_item(struct shortcuts *s, const struct modinit_node *item,
					  const char *name, const char *const *rules, int n,
					  const char *dflt, sc_same_key same)
{
	size_t oldn = item ? item->count : 0, k = 0;
	const struct modinit_node *oldmap = NULL;
	struct modinit_node *it = sc_alloc(s, sizeof(*it));
	struct modinit_node *keys = sc_alloc(s, (oldn + 2) * sizeof(*keys));
	struct modinit_node *vals = sc_alloc(s, (oldn + 2) * sizeof(*vals));
	struct modinit_node *map;

	if (!it || !keys || !vals)
		return NULL;
	for (size_t i = 0; i < oldn; i++) {
		if (strcmp(item->keys[i].value, "map") == 0) {
			oldmap = &item->items[i];
			continue;
		}
		keys[k] = item->keys[i];
		vals[k++] = item->items[i];
	}
	if (!item) {
		sc_scalar(&keys[k], "name");
		sc_scalar(&vals[k++], name);
	}
	map = sc_map(s, oldmap, rules, n, dflt, same);
	if (!map)
		return NULL;
	sc_scalar(&keys[k], "map");
	vals[k++] = *map;
	*it = item ? *item : (struct modinit_node){ .type = MODINIT_NODE_MAP };
	it->count = k;
	it->keys = keys;
	it->items = vals;
	return it;
}

static int sc_apply(struct shortcuts *s, const char *name, const char *const *rules, int n,
		    const char *dflt, sc_same_key same)
{
	struct cfg_module *target = NULL;

	if (!n)
		return 0;
	for (size_t i = 0; i < s->count; i++)
		if (s->modules[i].name && strcmp(s->modules[i].name, name) == 0)
			target = &s->modules[i];
	if (!target) {
		target = &s->modules[s->count++];
		*target = (struct cfg_module){ .name = name };
	}
	target->node = sc_item(s, target->node, name, rules, n, dflt, same);
	return target->node ? 0 : -ENOMEM;
}

int shortcuts_build(const struct cli_opts *o, const struct config *c, struct shortcuts *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->modules = sc_alloc(s, (c->module_count + 2) * sizeof(*s->modules));
	if (!s->modules)
		return -ENOMEM;
	if (c->module_count)
		memcpy(s->modules, c->modules, c->module_count * sizeof(*s->modules));
	s->count = c->module_count;
	r = sc_apply(s, "signal-remap", o->rewrite, o->rewrite_count, "ignore", sc_same_signal);
	if (r == 0)
		r = sc_apply(s, "exit-code", o->remap_exit, o->remap_exit_count, "0", sc_same_code);
	return r;
}

void shortcuts_free(struct shortcuts *s)
{
	for (size_t i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	memset(s, 0, sizeof(*s));
}
