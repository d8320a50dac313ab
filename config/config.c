/* The configuration file: libyaml's event stream turned into a plain tree of
 * struct modinit_node (every node marked with its 1-based line and column),
 * then the top-level keys checked and converted into struct config.
 *
 * Strict on purpose, because a typo in an init's config should stop the
 * container at once rather than change its behaviour quietly: unknown keys,
 * wrong types, duplicate keys, anchors and aliases (no "billion laughs"),
 * tags, directives, a second document, bytes that are not UTF-8, NUL
 * characters, null values and nesting deeper than CONFIG_MAX_DEPTH are all
 * errors, reported as one line "FILE:LINE:COL: message". */
#include "config.h" /* configure's: _GNU_SOURCE, for tdestroy(3) */
#ifndef PACKAGE_NAME
#error "config.h must be configure's header: nothing in config/ may shadow it"
#endif

#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "cfg.h"
#include "log.h"
#include "parse.h"

/* A config is a few kilobytes; anything much larger is a mistake. */
#define CONFIG_MAX_BYTES (1024 * 1024)

/* ------------------------------------------------------------------ */
/* Arena: every node, string and array of a document, freed at once.   */
/* ------------------------------------------------------------------ */

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct arena_block *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 8192 ? n : 8192;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void arena_free(struct arena *a)
{
	while (a && a->head) {
		struct arena_block *b = a->head;

		a->head = b->next;
		free(b);
	}
	free(a);
}

/* ------------------------------------------------------------------ */
/* YAML events to nodes                                                */
/* ------------------------------------------------------------------ */

struct cp {
	yaml_parser_t yp;
	struct arena *ar;
	const char *name;
	const char *buf;
	size_t len;
	char *err;
	size_t errlen;
	int depth;
};

static int cp_fail(struct cp *p, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int cp_fail(struct cp *p, unsigned line, unsigned col, const char *fmt, ...)
{
	struct modinit_node at = { .line = line, .column = col };
	va_list ap;

	va_start(ap, fmt);
	cfg_verror(p->err, p->errlen, p->name, &at, NULL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* libyaml marks are 0-based; ours are 1-based. */
static int cp_fail_at(struct cp *p, yaml_mark_t m, const char *fmt, const char *arg)
{
	return cp_fail(p, (unsigned)m.line + 1, (unsigned)m.column + 1, fmt, arg);
}

/* Reader errors (bad UTF-8, control characters) carry a byte offset only. */
static void cp_offset_mark(const struct cp *p, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < p->len; i++) {
		if (p->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)p->buf[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int cp_syntax(struct cp *p)
{
	const yaml_parser_t *y = &p->yp;
	const char *what = y->problem ? y->problem : "unreadable YAML";
	unsigned line, col;

	if (y->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (y->error == YAML_READER_ERROR) {
		cp_offset_mark(p, y->problem_offset, &line, &col);
		if (strstr(what, "UTF-8") || strstr(what, "UTF-16"))
			return cp_fail(p, line, col, "not valid UTF-8 (%s)", what);
		return cp_fail(p, line, col, "%s", what);
	}
	if (y->context)
		return cp_fail(p, (unsigned)y->problem_mark.line + 1,
			       (unsigned)y->problem_mark.column + 1, "syntax error: %s %s", what,
			       y->context);
	return cp_fail(p, (unsigned)y->problem_mark.line + 1, (unsigned)y->problem_mark.column + 1,
		       "syntax error: %s", what);
}

static int cp_next(struct cp *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&p->yp, ev))
		return cp_syntax(p);
	return 0;
}

/* Anchors, aliases and tags have no use in an init's config and make
 * documents that expand without bound; refuse them all. */
static int cp_check_props(struct cp *p, const yaml_event_t *ev, const yaml_char_t *anchor,
			  const yaml_char_t *tag, bool implicit)
{
	if (anchor)
		return cp_fail_at(p, ev->start_mark, "anchors are not allowed (&%s)",
				  (const char *)anchor);
	if (tag && !implicit)
		return cp_fail_at(p, ev->start_mark, "tags are not allowed (%s)", (const char *)tag);
	return 0;
}

static bool cp_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	       strcmp(v, "NULL") == 0;
}

static int cp_scalar(struct cp *p, const yaml_event_t *ev, struct modinit_node *n)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	int r = cp_check_props(p, ev, ev->data.scalar.anchor, ev->data.scalar.tag,
			       ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit);

	if (r < 0)
		return r;
	if (memchr(v, '\0', len))
		return cp_fail_at(p, ev->start_mark, "%s", "NUL characters are not allowed");
	if (cp_is_null(ev))
		return cp_fail_at(p, ev->start_mark,
				  "a value is missing (null); write \"%s\" for an empty string", "");
	n->type = MODINIT_NODE_SCALAR;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	n->value = arena_strndup(p->ar, v, len);
	return n->value ? 0 : -ENOMEM;
}

/* A growable array of nodes, copied into the arena once complete. */
struct vec {
	struct modinit_node *v;
	size_t n, cap;
};

static int vec_push(struct vec *x, const struct modinit_node *n)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 8;
		struct modinit_node *v = realloc(x->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = *n;
	return 0;
}

static const struct modinit_node *vec_seal(struct cp *p, const struct vec *x)
{
	struct modinit_node *v;

	if (x->n == 0)
		return NULL;
	v = arena_alloc(p->ar, x->n * sizeof(*v));
	if (v)
		memcpy(v, x->v, x->n * sizeof(*v));
	return v;
}

static int cp_node(struct cp *p, yaml_event_t *ev, struct modinit_node *n);

static int cp_enter(struct cp *p, const yaml_event_t *ev)
{
	if (++p->depth > CONFIG_MAX_DEPTH)
		return cp_fail(p, (unsigned)ev->start_mark.line + 1,
			       (unsigned)ev->start_mark.column + 1, "nesting deeper than %d levels",
			       CONFIG_MAX_DEPTH);
	return 0;
}

static int cp_sequence(struct cp *p, const yaml_event_t *start, struct modinit_node *n)
{
	struct vec items = { 0 };
	yaml_event_t ev;
	int r = cp_check_props(p, start, start->data.sequence_start.anchor,
			       start->data.sequence_start.tag, start->data.sequence_start.implicit);

	if (r == 0)
		r = cp_enter(p, start);
	while (r == 0 && (r = cp_next(p, &ev)) == 0) {
		struct modinit_node item = { 0 };

		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		r = cp_node(p, &ev, &item);
		yaml_event_delete(&ev);
		if (r == 0)
			r = vec_push(&items, &item);
	}
	if (r == 0) {
		n->type = MODINIT_NODE_LIST;
		n->count = items.n;
		n->items = vec_seal(p, &items);
		if (items.n && !n->items)
			r = -ENOMEM;
	}
	free(items.v);
	p->depth--;
	return r;
}

static int cp_key_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void cp_key_keep(void *key)
{
	(void)key; /* the strings live in the arena */
}

/* The key's text goes into seen, a balanced tree (tsearch) of the mapping's
 * keys so far: a 1 MiB file with 100k keys is checked in n log n, where a
 * scan of every earlier key took half a minute. Each key is checked as soon
 * as it is read, so the first duplicate in document order is the one
 * reported, before its value and anything after it. */
static int cp_key(struct cp *p, yaml_event_t *ev, const struct vec *keys, void **seen,
		  struct modinit_node *k)
{
	const char **slot;
	unsigned first = 0;
	int r;

	if (ev->type != YAML_SCALAR_EVENT)
		return cp_fail_at(p, ev->start_mark, "%s",
				  "keys must be plain strings, not lists or mappings");
	r = cp_scalar(p, ev, k);
	if (r < 0)
		return r;
	slot = tsearch(k->value, seen, cp_key_cmp);
	if (!slot)
		return -ENOMEM;
	if (*slot == k->value)
		return 0;
	/* The error path only: find where the first one was. */
	for (size_t i = 0; i < keys->n && !first; i++)
		if (keys->v[i].value == *slot)
			first = keys->v[i].line;
	return cp_fail(p, k->line, k->column, "duplicate key \"%s\" (first given at line %u)",
		       k->value, first);
}

static int cp_mapping(struct cp *p, const yaml_event_t *start, struct modinit_node *n)
{
	struct vec keys = { 0 }, values = { 0 };
	void *seen = NULL;
	yaml_event_t ev;
	int r = cp_check_props(p, start, start->data.mapping_start.anchor,
			       start->data.mapping_start.tag, start->data.mapping_start.implicit);

	if (r == 0)
		r = cp_enter(p, start);
	while (r == 0 && (r = cp_next(p, &ev)) == 0) {
		struct modinit_node k = { .line = (unsigned)ev.start_mark.line + 1,
					  .column = (unsigned)ev.start_mark.column + 1 };
		struct modinit_node v = { 0 };

		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		r = cp_key(p, &ev, &keys, &seen, &k);
		yaml_event_delete(&ev);
		if (r == 0)
			r = vec_push(&keys, &k);
		if (r == 0 && (r = cp_next(p, &ev)) == 0) {
			r = cp_node(p, &ev, &v);
			yaml_event_delete(&ev);
		}
		if (r == 0)
			r = vec_push(&values, &v);
	}
	if (r == 0) {
		n->type = MODINIT_NODE_MAP;
		n->count = keys.n;
		n->keys = vec_seal(p, &keys);
		n->items = vec_seal(p, &values);
		if (keys.n && (!n->keys || !n->items))
			r = -ENOMEM;
	}
	tdestroy(seen, cp_key_keep);
	free(keys.v);
	free(values.v);
	p->depth--;
	return r;
}

static int cp_node(struct cp *p, yaml_event_t *ev, struct modinit_node *n)
{
	n->line = (unsigned)ev->start_mark.line + 1;
	n->column = (unsigned)ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return cp_scalar(p, ev, n);
	case YAML_SEQUENCE_START_EVENT:
		return cp_sequence(p, ev, n);
	case YAML_MAPPING_START_EVENT:
		return cp_mapping(p, ev, n);
	case YAML_ALIAS_EVENT:
		return cp_fail_at(p, ev->start_mark, "aliases are not allowed (*%s)",
				  (const char *)ev->data.alias.anchor);
	default:
		return cp_fail_at(p, ev->start_mark, "%s", "unexpected YAML event");
	}
}

/* The root node of the one document, after DOCUMENT_START. */
static int cp_root(struct cp *p, const struct modinit_node **root)
{
	struct modinit_node *n = NULL;
	yaml_event_t ev;
	int r = cp_next(p, &ev);

	if (r < 0)
		return r;
	/* A document holding nothing but "---" is as empty as an empty file. */
	if (!(ev.type == YAML_SCALAR_EVENT && cp_is_null(&ev) && !ev.data.scalar.anchor &&
	      !ev.data.scalar.tag)) {
		n = arena_alloc(p->ar, sizeof(*n));
		r = n ? cp_node(p, &ev, memset(n, 0, sizeof(*n))) : -ENOMEM;
	}
	yaml_event_delete(&ev);
	*root = n;
	return r;
}

/* After STREAM_START: nothing (an empty file), or exactly one document. */
static int cp_document(struct cp *p, const struct modinit_node **root)
{
	yaml_event_t ev;
	int r = cp_next(p, &ev);

	if (r < 0)
		return r;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return 0;
	}
	if (ev.data.document_start.version_directive ||
	    ev.data.document_start.tag_directives.start)
		r = cp_fail_at(p, ev.start_mark, "%s", "directives (%YAML, %TAG) are not allowed");
	yaml_event_delete(&ev);
	if (r == 0)
		r = cp_root(p, root);
	if (r == 0 && (r = cp_next(p, &ev)) == 0) /* DOCUMENT_END */
		yaml_event_delete(&ev);
	if (r == 0 && (r = cp_next(p, &ev)) == 0) {
		if (ev.type != YAML_STREAM_END_EVENT)
			r = cp_fail_at(p, ev.start_mark, "%s",
				       "only one document is allowed (a second one starts here)");
		yaml_event_delete(&ev);
	}
	return r;
}

int cfg_parse_buffer(const char *name, const char *buf, size_t len, struct cfg_doc *doc,
		     char *err, size_t errlen)
{
	struct cp p = { .name = name, .buf = buf, .len = len, .err = err, .errlen = errlen };
	yaml_event_t ev;
	int r;

	memset(doc, 0, sizeof(*doc));
	p.ar = calloc(1, sizeof(*p.ar));
	if (!p.ar || !yaml_parser_initialize(&p.yp)) {
		free(p.ar);
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	/* UTF-8 only: without this libyaml would also accept UTF-16. */
	yaml_parser_set_encoding(&p.yp, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)buf, len);
	r = cp_next(&p, &ev); /* STREAM_START */
	if (r == 0) {
		yaml_event_delete(&ev);
		r = cp_document(&p, &doc->root);
	}
	yaml_parser_delete(&p.yp);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
	if (r < 0) {
		arena_free(p.ar);
		doc->root = NULL;
		return -EINVAL;
	}
	doc->mem = p.ar;
	return 0;
}

/* Open path for reading without ever blocking: O_NONBLOCK so that a FIFO
 * with no writer (or a device) cannot hold PID 1 in open(2), O_NOCTTY so
 * that a terminal never becomes ours. Only a regular file of at most
 * CONFIG_MAX_BYTES is accepted; its size is in *size. */
static int cfg_open(const char *path, size_t *size, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), fl;

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISREG(st.st_mode) ? "larger than 1 MiB, not a configuration"
					     : "not a regular file");
		close(fd);
		return -EINVAL;
	}
	/* A regular file: reads do not block; clear the flag all the same, so
	 * that a short read is never an EAGAIN. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	*size = (size_t)st.st_size;
	return fd;
}

static int cfg_read(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	size_t size = 0, got = 0;
	int fd = cfg_open(path, &size, err, errlen);
	char *buf;

	if (fd < 0)
		return fd;
	buf = malloc(size + 1);
	while (buf && got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		if (n > 0)
			got += (size_t)n;
	}
	close(fd);
	if (!buf || got != size) {
		snprintf(err, errlen, "%s: %s", path, buf ? "cannot read the whole file" : strerror(ENOMEM));
		free(buf);
		return buf ? -EIO : -ENOMEM;
	}
	*out = buf;
	*len = got;
	return 0;
}

int cfg_parse_file(const char *path, struct cfg_doc *doc, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(doc, 0, sizeof(*doc));
	r = cfg_read(path, &buf, &len, err, errlen);
	if (r < 0)
		return r;
	r = cfg_parse_buffer(path, buf, len, doc, err, errlen);
	free(buf);
	return r;
}

void cfg_doc_free(struct cfg_doc *doc)
{
	arena_free(doc->mem);
	doc->mem = NULL;
	doc->root = NULL;
}

/* ------------------------------------------------------------------ */
/* The top-level keys                                                  */
/* ------------------------------------------------------------------ */

struct ck {
	struct config *c;
	struct arena *ar;
	char *err;
	size_t errlen;
};

static int ck_fail(struct ck *k, const struct modinit_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ck_fail(struct ck *k, const struct modinit_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verror(k->err, k->errlen, k->c->file, n, NULL, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *ck_kind(const struct modinit_node *n)
{
	return n->type == MODINIT_NODE_MAP ? "a mapping" : "a list";
}

/* The scalar text of n, or an error naming key and what was expected. */
static int ck_scalar(struct ck *k, const char *key, const struct modinit_node *n,
		     const char *expected, const char **out)
{
	if (n->type != MODINIT_NODE_SCALAR)
		return ck_fail(k, n, "%s: expected %s, got %s", key, expected, ck_kind(n));
	*out = n->value;
	return 0;
}

static int ck_mode(struct ck *k, const struct modinit_node *n)
{
	const char *v = NULL;
	int r = ck_scalar(k, "mode", n, CFG_MODE_EXPECTED, &v);

	if (r < 0)
		return r;
	if (cfg_mode_parse(v, &k->c->mode) < 0)
		return ck_fail(k, n, "mode: expected %s, got \"%s\"", CFG_MODE_EXPECTED, v);
	k->c->mode_set = true;
	return 0;
}

/* A list of strings, NULL-terminated, in the arena. */
static int ck_strv(struct ck *k, const char *key, const struct modinit_node *n, char ***out)
{
	char **v = NULL;

	if (n->type != MODINIT_NODE_LIST)
		return ck_fail(k, n, "%s: expected a list of strings, got %s", key,
			       n->type == MODINIT_NODE_MAP ? "a mapping" : "a string");
	if (n->count == 0)
		return ck_fail(k, n, "%s: expected a list of strings, got an empty list", key);
	v = arena_alloc(k->ar, (n->count + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n->count; i++) {
		const struct modinit_node *it = &n->items[i];

		if (it->type != MODINIT_NODE_SCALAR)
			return ck_fail(k, it, "%s: item %zu: expected a string, got %s", key, i + 1,
				       ck_kind(it));
		if (!*it->value)
			return ck_fail(k, it, "%s: item %zu: expected a non-empty string", key, i + 1);
		v[i] = (char *)it->value;
	}
	v[n->count] = NULL;
	*out = v;
	return 0;
}

static int ck_command(struct ck *k, const struct modinit_node *n)
{
	return ck_strv(k, "command", n, &k->c->command);
}

static int ck_subreaper(struct ck *k, const struct modinit_node *n)
{
	const char *v = NULL;
	int r = ck_scalar(k, "subreaper", n, "auto, true or false", &v);

	if (r < 0)
		return r;
	if (strcmp(v, "auto") == 0)
		k->c->subreaper = CFG_AUTO;
	else if (strcmp(v, "true") == 0 && !n->quoted)
		k->c->subreaper = CFG_TRUE;
	else if (strcmp(v, "false") == 0 && !n->quoted)
		k->c->subreaper = CFG_FALSE;
	else
		return ck_fail(k, n, "subreaper: expected auto, true or false, got \"%s\"", v);
	return 0;
}

static int ck_abs_path(struct ck *k, const char *key, const struct modinit_node *n,
		       const char **out)
{
	const char *v = NULL;
	int r = ck_scalar(k, key, n, "an absolute path", &v);

	if (r < 0)
		return r;
	if (v[0] != '/')
		return ck_fail(k, n, "%s: expected an absolute path, got \"%s\"", key, v);
	*out = v;
	return 0;
}

static int ck_state_dir(struct ck *k, const struct modinit_node *n)
{
	return ck_abs_path(k, "state_dir", n, &k->c->state_dir);
}

static int ck_module_path(struct ck *k, const struct modinit_node *n)
{
	char **v = NULL;
	int r = ck_strv(k, "module_path", n, &v);

	for (size_t i = 0; r == 0 && v[i]; i++)
		if (v[i][0] != '/')
			return ck_fail(k, &n->items[i],
				       "module_path: item %zu: expected an absolute directory, got \"%s\"",
				       i + 1, v[i]);
	if (r == 0)
		k->c->module_path = (const char **)v;
	return r;
}

/* A mapping whose keys are all in allowed (NULL-terminated). */
static int ck_map(struct ck *k, const char *key, const struct modinit_node *n,
		  const char *const *allowed, const char *expected)
{
	if (n->type != MODINIT_NODE_MAP)
		return ck_fail(k, n, "%s: expected a mapping with %s, got %s", key, expected,
			       n->type == MODINIT_NODE_LIST ? "a list" : "a string");
	for (size_t i = 0; i < n->count; i++) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, n->keys[i].value) != 0)
			a++;
		if (!*a)
			return ck_fail(k, &n->keys[i], "%s: unknown key \"%s\" (expected %s)", key,
				       n->keys[i].value, expected);
	}
	return 0;
}

static int ck_shutdown(struct ck *k, const struct modinit_node *n)
{
	static const char *const keys[] = { "signal", "grace", NULL };
	int r = ck_map(k, "shutdown", n, keys, "signal or grace");

	for (size_t i = 0; r == 0 && i < n->count; i++) {
		const struct modinit_node *v = &n->items[i];
		const char *s = NULL;

		if (strcmp(n->keys[i].value, "signal") == 0) {
			r = ck_scalar(k, "shutdown.signal", v, "a signal like SIGTERM", &s);
			if (r == 0 && parse_signal(s, &k->c->stop_signal) < 0)
				r = ck_fail(k, v, "shutdown.signal: expected a signal like SIGTERM, got \"%s\"", s);
			k->c->stop_signal_set = r == 0;
		} else {
			r = ck_scalar(k, "shutdown.grace", v, "a duration like 5s", &s);
			if (r == 0 && parse_duration(s, &k->c->grace_ms) < 0)
				r = ck_fail(k, v, "shutdown.grace: expected a duration like 5s, got \"%s\"", s);
			k->c->grace_set = r == 0;
		}
	}
	return r;
}

static int ck_log(struct ck *k, const struct modinit_node *n)
{
	static const char *const keys[] = { "level", NULL };
	int r = ck_map(k, "log", n, keys, "level");

	for (size_t i = 0; r == 0 && i < n->count; i++) {
		const char *s = NULL;

		r = ck_scalar(k, "log.level", &n->items[i], LOG_LEVEL_EXPECTED, &s);
		if (r == 0 && log_parse_level(s, &k->c->log_level) < 0)
			r = ck_fail(k, &n->items[i], "log.level: expected %s, got \"%s\"",
				    LOG_LEVEL_EXPECTED, s);
		k->c->log_level_set = r == 0;
	}
	return r;
}

static const struct modinit_node *ck_find(const struct modinit_node *map, const char *key)
{
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i].value, key) == 0)
			return &map->items[i];
	return NULL;
}

/* One item of modules: exactly one of name: and path:; the other keys are
 * the module's options, checked against its schema once it is loaded. */
static int ck_module(struct ck *k, size_t i, const struct modinit_node *it, struct cfg_module *m)
{
	const struct modinit_node *name, *path;

	if (it->type != MODINIT_NODE_MAP)
		return ck_fail(k, it, "modules: item %zu: expected a mapping with name: or path:, got %s",
			       i + 1, it->type == MODINIT_NODE_LIST ? "a list" : "a string");
	name = ck_find(it, "name");
	path = ck_find(it, "path");
	if (name && path)
		return ck_fail(k, path, "modules: item %zu: give name: or path:, not both", i + 1);
	if (!name && !path)
		return ck_fail(k, it, "modules: item %zu: expected name: or path:", i + 1);
	if (name && (ck_scalar(k, "modules: name", name, "a module name", &m->name) < 0 ||
		     !cfg_module_name_ok(m->name)))
		return ck_fail(k, name,
			       "modules: item %zu: name: expected a module name (" CFG_MODULE_NAME_RULE
			       ", like signal-remap), got %s%s%s",
			       i + 1, name->type == MODINIT_NODE_SCALAR ? "\"" : "",
			       name->type == MODINIT_NODE_SCALAR ? name->value : ck_kind(name),
			       name->type == MODINIT_NODE_SCALAR ? "\"" : "");
	if (path && (ck_scalar(k, "modules: path", path, "a file", &m->path) < 0 || !*m->path))
		return ck_fail(k, path, "modules: item %zu: path: expected the module's file, got %s",
			       i + 1, path->type == MODINIT_NODE_SCALAR ? "\"\"" : ck_kind(path));
	/* A name without a slash would be searched for by dlopen (LD_LIBRARY_PATH
	 * first), and a relative one depends on the current directory. */
	if (path && m->path[0] != '/')
		return ck_fail(k, path, "modules: item %zu: path: expected an absolute path, got \"%s\"",
			       i + 1, m->path);
	m->node = it;
	return 0;
}

static int ck_modules(struct ck *k, const struct modinit_node *n)
{
	if (n->type != MODINIT_NODE_LIST)
		return ck_fail(k, n, "modules: expected a list of modules, got %s",
			       n->type == MODINIT_NODE_MAP ? "a mapping" : "a string");
	if (n->count == 0)
		return 0;
	k->c->modules = arena_alloc(k->ar, n->count * sizeof(*k->c->modules));
	if (!k->c->modules)
		return -ENOMEM;
	memset(k->c->modules, 0, n->count * sizeof(*k->c->modules));
	for (size_t i = 0; i < n->count; i++) {
		int r = ck_module(k, i, &n->items[i], &k->c->modules[i]);

		if (r < 0)
			return r;
	}
	k->c->module_count = n->count;
	return 0;
}

static const struct {
	const char *key;
	int (*check)(struct ck *k, const struct modinit_node *n);
} ck_keys[] = {
	{ "mode", ck_mode },
	{ "command", ck_command },
	{ "subreaper", ck_subreaper },
	{ "shutdown", ck_shutdown },
	{ "log", ck_log },
	{ "state_dir", ck_state_dir },
	{ "module_path", ck_module_path },
	{ "modules", ck_modules },
};

#define CK_KEYS_TEXT "mode, command, subreaper, shutdown, log, state_dir, module_path or modules"

static int ck_top(struct ck *k, const struct modinit_node *root)
{
	if (root->type != MODINIT_NODE_MAP)
		return ck_fail(k, root, "expected a mapping of settings (%s) at the top, got %s",
			       CK_KEYS_TEXT, root->type == MODINIT_NODE_LIST ? "a list" : "a string");
	for (size_t i = 0; i < root->count; i++) {
		size_t j = 0;
		int r;

		while (j < sizeof(ck_keys) / sizeof(ck_keys[0]) &&
		       strcmp(ck_keys[j].key, root->keys[i].value) != 0)
			j++;
		if (j == sizeof(ck_keys) / sizeof(ck_keys[0]))
			return ck_fail(k, &root->keys[i], "unknown key \"%s\" (expected %s)",
				       root->keys[i].value, CK_KEYS_TEXT);
		r = ck_keys[j].check(k, &root->items[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int config_check(struct config *c, const char *name, char *err, size_t errlen)
{
	struct ck k = { .c = c, .ar = c->doc.mem, .err = err, .errlen = errlen };
	int r;

	if (!c->doc.root)
		return 0;
	r = ck_top(&k, c->doc.root);
	if (r == -ENOMEM)
		snprintf(err, errlen, "%s: %s", name, strerror(ENOMEM));
	return r < 0 ? -EINVAL : 0;
}

int config_load(const char *path, struct config *c, char *err, size_t errlen)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->file = path;
	r = cfg_parse_file(path, &c->doc, err, errlen);
	return r < 0 ? r : config_check(c, path, err, errlen);
}

int config_load_buffer(const char *name, const char *buf, size_t len, struct config *c,
		       char *err, size_t errlen)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->file = name;
	r = cfg_parse_buffer(name, buf, len, &c->doc, err, errlen);
	return r < 0 ? r : config_check(c, name, err, errlen);
}

void config_free(struct config *c)
{
	cfg_doc_free(&c->doc);
	c->command = NULL;
	c->module_path = NULL;
	c->modules = NULL;
	c->module_count = 0;
}
