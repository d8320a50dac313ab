/* See fake_host.h. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../config/config.h"
#include "fake_host.h"
#include "loader.h"

static struct fake_host *fh_of(const struct modinit_host *h)
{
	return (struct fake_host *)h; /* host is the first member */
}

static void fh_log(const struct modinit_host *h, int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	struct fake_host *fh = fh_of(h);
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	assert_true(fh->nlog < FAKE_MAX);
	snprintf(fh->log[fh->nlog++], sizeof(fh->log[0]), "%s: %s: %s",
		 level >= 0 && level <= 3 ? names[level] : "?", fh->name, msg);
}

static int fh_timer_add(const struct modinit_host *h, uint64_t delay_ms, modinit_timer_cb cb,
			void *arg, uint64_t *id)
{
	struct fake_host *fh = fh_of(h);
	struct fake_timer *t;

	assert_true(fh->ntimers < FAKE_MAX);
	t = &fh->timers[fh->ntimers++];
	*t = (struct fake_timer){ .id = ++fh->next_id, .deadline = fh->now + delay_ms, .cb = cb,
				  .arg = arg, .live = true };
	*id = t->id;
	return 0;
}

static int fh_timer_cancel(const struct modinit_host *h, uint64_t id)
{
	struct fake_host *fh = fh_of(h);

	for (size_t i = 0; i < fh->ntimers; i++) {
		if (fh->timers[i].id == id && fh->timers[i].live) {
			fh->timers[i].live = false;
			return 0;
		}
	}
	return -ENOENT;
}

static int fh_fd_watch(const struct modinit_host *h, int fd, uint32_t events, modinit_fd_cb cb,
		       void *arg)
{
	struct fake_host *fh = fh_of(h);

	if (fake_watch_of(fh, fd))
		return -EEXIST;
	assert_true(fh->nwatches < FAKE_MAX);
	fh->watches[fh->nwatches++] =
		(struct fake_watch){ .fd = fd, .events = events, .cb = cb, .arg = arg, .live = true };
	return 0;
}

static int fh_fd_unwatch(const struct modinit_host *h, int fd)
{
	struct fake_watch *w = fake_watch_of(fh_of(h), fd);

	if (!w)
		return -ENOENT;
	w->live = false;
	return 0;
}

static int fh_spawn(const struct modinit_host *h, char *const argv[],
		    const struct modinit_spawn_opts *opts, modinit_exit_cb done, void *arg,
		    pid_t *pid)
{
	struct fake_host *fh = fh_of(h);
	struct fake_spawn *s;

	assert_true(fh->nspawns < FAKE_MAX);
	s = &fh->spawns[fh->nspawns++];
	memset(s, 0, sizeof(*s));
	for (int i = 0; argv[i] && i < 15; i++)
		s->argv[i] = strdup(argv[i]);
	if (opts)
		s->opts = *opts;
	s->done = done;
	s->arg = arg;
	s->pid = fh->next_pid++;
	s->live = true;
	*pid = s->pid;
	return 0;
}

static int fh_signal(const struct modinit_host *h, int target, int sig)
{
	struct fake_host *fh = fh_of(h);

	assert_true(fh->nsignals < FAKE_MAX);
	fh->sig_target[fh->nsignals] = target;
	fh->sig_signo[fh->nsignals++] = sig;
	return 0;
}

static int fh_request_shutdown(const struct modinit_host *h, int code, const char *reason)
{
	struct fake_host *fh = fh_of(h);

	assert_true(fh->nshutdowns < FAKE_MAX);
	fh->shutdown_code[fh->nshutdowns] = code;
	snprintf(fh->shutdown_reason[fh->nshutdowns++], sizeof(fh->shutdown_reason[0]), "%s",
		 reason ? reason : "");
	return 0;
}

static pid_t fh_main_pid(const struct modinit_host *h)
{
	return fh_of(h)->main_pid;
}

static int fh_publish_status(const struct modinit_host *h, const char *status)
{
	snprintf(fh_of(h)->status, sizeof(fh_of(h)->status), "%s", status);
	return 0;
}

static const char *fh_state_dir(const struct modinit_host *h)
{
	return fh_of(h)->state_dir;
}

static uint64_t fh_now_ms(const struct modinit_host *h)
{
	return fh_of(h)->now;
}

static int fh_restart_main(const struct modinit_host *h, uint64_t delay_ms)
{
	struct fake_host *fh = fh_of(h);

	if (fh->restart_result < 0)
		return fh->restart_result;
	assert_true(fh->nrestarts < FAKE_MAX);
	fh->restart_delay[fh->nrestarts++] = delay_ms;
	return 0;
}

static int fh_error_vat(const struct modinit_host *h, const struct modinit_node *node, char *err,
			size_t errlen, const char *fmt, va_list ap)
{
	struct fake_host *fh = fh_of(h);
	char where[256];
	int n;

	loader_where(fh->config_file, node, where, sizeof(where));
	n = snprintf(err, errlen, "%s: %s: ", where, fh->name);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	return -EINVAL;
}

static int fh_error_at(const struct modinit_host *h, const struct modinit_node *node, char *err,
		       size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fh_error_vat(h, node, err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static int fh_parse_node(const struct modinit_host *h, int type, const struct modinit_node *node,
			 const char *what, struct modinit_value *out, char *err, size_t errlen)
{
	char why[256];

	if (loader_parse_node((enum modinit_opt_type)type, node, out, why, sizeof(why)) == 0)
		return 0;
	return fh_error_at(h, node, err, errlen, "%s: %s", what, why);
}

void fake_host_init(struct fake_host *fh, const char *module_name)
{
	memset(fh, 0, sizeof(*fh));
	fh->host = (struct modinit_host){
		.size = sizeof(struct modinit_host),
		.log = fh_log,
		.timer_add = fh_timer_add,
		.timer_cancel = fh_timer_cancel,
		.fd_watch = fh_fd_watch,
		.fd_unwatch = fh_fd_unwatch,
		.spawn = fh_spawn,
		.signal = fh_signal,
		.request_shutdown = fh_request_shutdown,
		.main_pid = fh_main_pid,
		.publish_status = fh_publish_status,
		.state_dir = fh_state_dir,
		.now_ms = fh_now_ms,
		.restart_main = fh_restart_main,
		.parse_node = fh_parse_node,
		.error_at = fh_error_at,
	};
	fh->name = module_name;
	fh->config_file = "test.yaml";
	fh->now = 1000000;
	fh->main_pid = 100;
	fh->next_pid = 1000;
}

void fake_host_free(struct fake_host *fh)
{
	for (size_t i = 0; i < fh->nspawns; i++)
		for (int a = 0; fh->spawns[i].argv[a]; a++)
			free(fh->spawns[i].argv[a]);
	fh->nspawns = 0;
}

static struct fake_timer *fake_earliest(struct fake_host *fh)
{
	struct fake_timer *best = NULL;

	for (size_t i = 0; i < fh->ntimers; i++) {
		struct fake_timer *t = &fh->timers[i];

		/* Equal deadlines fire in the order they were armed. */
		if (t->live && (!best || t->deadline < best->deadline))
			best = t;
	}
	return best;
}

void fake_advance(struct fake_host *fh, uint64_t ms)
{
	uint64_t end = fh->now + ms;
	struct fake_timer *t;

	while ((t = fake_earliest(fh)) && t->deadline <= end) {
		if (t->deadline > fh->now)
			fh->now = t->deadline;
		t->live = false;
		t->cb(t->arg);
	}
	fh->now = end;
}

size_t fake_pending(const struct fake_host *fh)
{
	size_t n = 0;

	for (size_t i = 0; i < fh->ntimers; i++)
		n += fh->timers[i].live;
	return n;
}

uint64_t fake_next_deadline(const struct fake_host *fh)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < fh->ntimers; i++)
		if (fh->timers[i].live && fh->timers[i].deadline < best)
			best = fh->timers[i].deadline;
	return best;
}

void fake_spawn_exit(struct fake_host *fh, size_t i, int status)
{
	struct fake_spawn *s = &fh->spawns[i];

	assert_true(i < fh->nspawns);
	assert_true(s->live);
	s->live = false;
	if (s->done)
		s->done(s->arg, s->pid, status);
}

struct fake_watch *fake_watch_of(struct fake_host *fh, int fd)
{
	for (size_t i = 0; i < fh->nwatches; i++)
		if (fh->watches[i].live && fh->watches[i].fd == fd)
			return &fh->watches[i];
	return NULL;
}

const char *fake_last_log(const struct fake_host *fh)
{
	return fh->nlog ? fh->log[fh->nlog - 1] : "";
}

static struct cfg_doc docs[64];
static size_t ndocs;

const struct modinit_node *fake_yaml(const char *text)
{
	char err[256];

	assert_true(ndocs < 64);
	if (cfg_parse_buffer("test.yaml", text, strlen(text), &docs[ndocs], err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return docs[ndocs++].root;
}

void fake_yaml_free(void)
{
	while (ndocs > 0)
		cfg_doc_free(&docs[--ndocs]);
}

/* The schema checks modinit does before init, for the test's item. */
struct fake_opts {
	struct modinit_value values[32];
	const char *strv[32][33];
	struct modinit_options opts;
};

static int fake_option(struct fake_host *fh, struct modinit_value *v, const char *const *strvbuf,
		       const struct modinit_node *n, char *err, size_t errlen)
{
	const char **strv = (const char **)strvbuf;

	switch (v->type) {
	case MODINIT_OPT_MAP:
	case MODINIT_OPT_LIST:
		if (n->type != (v->type == MODINIT_OPT_MAP ? MODINIT_NODE_MAP : MODINIT_NODE_LIST))
			return fh_error_at(&fh->host, n, err, errlen, "%s: expected a %s", v->key,
					   v->type == MODINIT_OPT_MAP ? "mapping" : "list");
		v->node = n;
		v->set = true;
		return 0;
	case MODINIT_OPT_STRING_LIST:
		if (n->type != MODINIT_NODE_LIST || n->count > 32)
			return fh_error_at(&fh->host, n, err, errlen, "%s: expected a list of strings",
					   v->key);
		for (size_t i = 0; i < n->count; i++)
			strv[i] = n->items[i].value;
		strv[n->count] = NULL;
		v->strv = strv;
		v->count = n->count;
		v->node = n;
		v->set = true;
		return 0;
	default: {
		const char *key = v->key;
		enum modinit_opt_type type = v->type;
		int r = fh_parse_node(&fh->host, type, n, key, v, err, errlen);

		v->key = key;
		return r;
	}
	}
}

int fake_init(struct fake_host *fh, const struct modinit_module *desc,
	      const struct modinit_node *item, void **state, char *err, size_t errlen)
{
	static struct fake_opts fo;
	size_t n = 0;

	memset(&fo, 0, sizeof(fo));
	for (; desc->options && desc->options[n].key; n++) {
		fo.values[n].key = desc->options[n].key;
		fo.values[n].type = desc->options[n].type;
	}
	for (size_t i = 0; item && i < item->count; i++) {
		const char *k = item->keys[i].value;
		size_t j = 0;

		if (strcmp(k, "name") == 0 || strcmp(k, "path") == 0)
			continue;
		while (j < n && strcmp(desc->options[j].key, k) != 0)
			j++;
		if (j == n)
			return fh_error_at(&fh->host, &item->keys[i], err, errlen,
					   "unknown option \"%s\"", k);
		if (fake_option(fh, &fo.values[j], fo.strv[j], &item->items[i], err, errlen) < 0)
			return -EINVAL;
	}
	for (size_t j = 0; j < n; j++) {
		struct modinit_value *v = &fo.values[j];

		if (!v->set && desc->options[j].required)
			return fh_error_at(&fh->host, item, err, errlen, "missing required option \"%s\"",
					   v->key);
		if (!v->set && desc->options[j].default_value) {
			char why[256];
			struct modinit_node d = { .type = MODINIT_NODE_SCALAR,
						  .value = desc->options[j].default_value };
			const char *key = v->key;

			assert_int_equal(loader_parse_node(v->type, &d, v, why, sizeof(why)), 0);
			v->key = key;
			v->node = NULL;
			v->from_default = true;
		}
	}
	fo.opts = (struct modinit_options){ .count = n, .values = fo.values, .node = item };
	return desc->init(&fh->host, &fo.opts, state, err, errlen);
}
