/* See fake_host.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../config/cfg.h"
#include "cli.h"
#include "endpoint.h"
#include "fake_host.h"
#include "loader.h"
#include "shortcuts.h"
#include "signals.h"

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

	if (!cb)
		return -EINVAL;
	if (fh->timer_result < 0)
		return fh->timer_result;
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

	if (!cb || fd < 0)
		return -EINVAL;
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

/* The capture pipe as modinit makes it: the read end O_NONBLOCK for the
 * module, both ends O_CLOEXEC; *capture_fd is -1 when it fails. */
static int fh_capture(const struct modinit_spawn_opts *o, int *wr)
{
	int fds[2], r;

	*wr = -1;
	if (!o || !o->capture)
		return 0;
	*o->capture_fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	*o->capture_fd = fds[0];
	*wr = fds[1];
	return 0;
}

static int fh_spawn(const struct modinit_host *h, char *const argv[],
		    const struct modinit_spawn_opts *opts, modinit_exit_cb done, void *arg,
		    pid_t *pid)
{
	struct fake_host *fh = fh_of(h);
	struct fake_spawn *s;

	int wr, r;

	if (!argv || !argv[0] || (!done && !(fh->desc && fh->desc->on_child_exit)))
		return -EINVAL;
	/* the real host's checks of capture */
	if (opts && ((opts->capture & ~(unsigned)(MODINIT_CAPTURE_STDOUT | MODINIT_CAPTURE_STDERR)) ||
		     (opts->capture && !opts->capture_fd)))
		return -EINVAL;
	if (fh->spawn_result < 0)
		return fh->spawn_result;
	assert_true(fh->nspawns < FAKE_MAX);
	if ((r = fh_capture(opts, &wr)) < 0)
		return r;
	s = &fh->spawns[fh->nspawns++];
	memset(s, 0, sizeof(*s));
	s->capture_wr = wr;
	for (int i = 0; argv[i]; i++) {
		assert_true(i < 15); /* argv[15] stays the NULL end */
		s->argv[i] = strdup(argv[i]);
		assert_non_null(s->argv[i]);
	}
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

	if (sig < 0 || sig >= SIG_COUNT || target < MODINIT_TARGET_MAIN || target > MODINIT_TARGET_ALL)
		return -EINVAL;
	if (target != MODINIT_TARGET_ALL && fh->main_pid == 0)
		return -ESRCH;
	if (fh->signal_result < 0)
		return fh->signal_result;
	assert_true(fh->nsignals < FAKE_MAX);
	fh->sig_target[fh->nsignals] = target;
	fh->sig_signo[fh->nsignals++] = sig;
	return 0;
}

static int fh_request_shutdown(const struct modinit_host *h, int code, const char *reason)
{
	struct fake_host *fh = fh_of(h);

	if ((code < 0 && code != MODINIT_EXIT_MAIN) || code > 255)
		return -EINVAL;
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

static int fh_publish_health(const struct modinit_host *h, int health, bool ready,
			     const char *detail)
{
	struct fake_host *fh = fh_of(h);

	if (health < MODINIT_HEALTH_STARTING || health > MODINIT_HEALTH_UNHEALTHY)
		return -EINVAL;
	free(fh->detail);
	fh->detail = detail ? strdup(detail) : NULL;
	fh->health = health;
	fh->ready = ready;
	fh->nhealth++;
	return 0;
}

static char *fh_status_json(const struct modinit_host *h, size_t *len)
{
	const char *doc = fh_of(h)->status_doc ? fh_of(h)->status_doc : "{}\n";

	if (len)
		*len = strlen(doc);
	return strdup(doc);
}

/* The endpoint is the core's own (core/endpoint.c), answering from what
 * the module published here; the fake keeps it in fh->ep. */
static int fh_ep_health(void *arg, bool *ready)
{
	struct fake_host *fh = arg;

	*ready = fh->ready;
	return fh->health;
}

static const char *fh_ep_detail(void *arg)
{
	return ((struct fake_host *)arg)->detail;
}

/* No /status from a host table without status_json, like an older host. */
static int fh_ep_document(void *arg, char **text, size_t *len)
{
	struct fake_host *fh = arg;

	if (!MODINIT_HOST_HAS(&fh->host, status_json))
		return -ENOENT;
	*text = fh_status_json(&fh->host, len);
	return *text ? 0 : -ENOMEM;
}

static int fh_endpoint_listen(const struct modinit_host *h, const char *addr, bool public_ok,
			      char *err, size_t errlen)
{
	struct fake_host *fh = fh_of(h);
	const struct endpoint_src src = { .health = fh_ep_health, .detail = fh_ep_detail,
					  .document = fh_ep_document, .arg = fh };

	if (fh->ep) {
		snprintf(err, errlen, "already served");
		return -EBUSY;
	}
	return endpoint_open(&fh->ep, h, &src, addr, public_ok, fh->dry_run, err, errlen);
}

static const char *fh_state_dir(const struct modinit_host *h)
{
	return fh_of(h)->state_dir;
}

/* The real host's contract, simply: a plain name, replaced atomically in
 * state_dir; refused in a dry run. */
static int fh_state_write(const struct modinit_host *h, const char *name, const void *data,
			  size_t len)
{
	struct fake_host *fh = fh_of(h);
	char tmp[4200], path[4200];
	FILE *f;

	if (fh->dry_run)
		return -EROFS;
	if (!fh->state_dir)
		return -ENOENT;
	if (!name || !*name || name[0] == '.' || strchr(name, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", fh->state_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", fh->state_dir, name);
	f = fopen(tmp, "wxe");
	if (!f)
		return -errno;
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

static bool fh_dry_run(const struct modinit_host *h)
{
	return fh_of(h)->dry_run;
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

/* The real host's rules: only a live helper this module spawned, and its
 * group only when it has one. */
static int fh_signal_helper(const struct modinit_host *h, pid_t pid, int sig, bool group)
{
	struct fake_host *fh = fh_of(h);
	struct fake_spawn *s = NULL;

	if (sig < 0 || sig >= SIG_COUNT)
		return -EINVAL;
	for (size_t i = 0; i < fh->nspawns && pid > 0; i++)
		if (fh->spawns[i].live && fh->spawns[i].pid == pid)
			s = &fh->spawns[i];
	if (!s)
		return -ESRCH;
	if (group && !s->opts.new_group && !s->opts.new_session && !s->opts.timeout_ms)
		return -EINVAL;
	if (fh->signal_result < 0)
		return fh->signal_result;
	assert_true(fh->nhelper_signals < FAKE_MAX);
	fh->helper_sig_pid[fh->nhelper_signals] = pid;
	fh->helper_sig_signo[fh->nhelper_signals] = sig;
	fh->helper_sig_group[fh->nhelper_signals++] = group;
	return 0;
}

static pid_t fh_last_main_pid(const struct modinit_host *h)
{
	return fh_of(h)->last_main_pid;
}

static uint64_t fh_wall_ms(const struct modinit_host *h)
{
	return fh_of(h)->wall;
}

static int fh_error_vat(const struct modinit_host *h, const struct modinit_node *node, char *err,
			size_t errlen, const char *fmt, va_list ap)
{
	struct fake_host *fh = fh_of(h);

	return cfg_verror(err, errlen, fh->config_file, node, fh->name, fmt, ap);
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

/* parse_value as modinit has it: at most out_size bytes written. */
static int fh_parse_value(const struct modinit_host *h, int type, const struct modinit_node *node,
			  const char *what, struct modinit_value *out, size_t out_size, char *err,
			  size_t errlen)
{
	char why[256];

	if (loader_value_out((enum modinit_opt_type)type, node, out, out_size, why,
			     sizeof(why)) == 0)
		return 0;
	return fh_error_at(h, node, err, errlen, "%s: %s", what, why);
}

/* ---- ABI 1.2: main_setenv ... pid_in_main_tree (the phase gates and
 * errors of core/events.c and core/lifecycle.c) ---- */

static int fh_main_setenv(const struct modinit_host *h, const char *key, const char *value)
{
	struct fake_host *fh = fh_of(h);

	if (fh->phase != FAKE_SETUP && fh->phase != FAKE_STARTING)
		return -EAGAIN;
	if (!key || !*key || strchr(key, '='))
		return -EINVAL;
	assert_true(fh->nenv < FAKE_MAX);
	fh->env_key[fh->nenv] = strdup(key);
	fh->env_value[fh->nenv++] = value ? strdup(value) : NULL;
	return 0;
}

static int fh_main_pass_fd(const struct modinit_host *h, int fd, int target)
{
	struct fake_host *fh = fh_of(h);

	if (fh->phase != FAKE_SETUP && fh->phase != FAKE_STARTING)
		return -EAGAIN;
	if (target < 3 || target > 1023)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;
	assert_true(fh->npassfd < FAKE_MAX);
	fh->passfd_fd[fh->npassfd] = fd;
	fh->passfd_target[fh->npassfd++] = target;
	return 0;
}

static int fh_main_credentials(const struct modinit_host *h, const struct modinit_creds *c)
{
	struct fake_host *fh = fh_of(h);
	const unsigned int scopes = MODINIT_CREDS_MAIN | MODINIT_CREDS_HELPERS;

	if (fh->phase != FAKE_SETUP)
		return -EAGAIN;
	if (!c || c->size < offsetof(struct modinit_creds, no_new_privs) + sizeof(bool) ||
	    !c->scope || (c->scope & ~scopes) || c->uid == (uid_t)-1 || c->gid == (gid_t)-1 ||
	    (c->ngroups && !c->groups))
		return -EINVAL;
	if (fh->creds_set)
		return -EBUSY;
	assert_true(c->ngroups <= sizeof(fh->creds_groups) / sizeof(fh->creds_groups[0]));
	fh->creds = *c;
	if (c->ngroups)
		memcpy(fh->creds_groups, c->groups, c->ngroups * sizeof(gid_t));
	fh->creds.groups = fh->creds_groups;
	fh->creds_set = true;
	return 0;
}

static int fh_hold(struct fake_host *fh, bool *held)
{
	if (fh->phase != FAKE_SETUP)
		return -EAGAIN;
	if (*held)
		return -EALREADY;
	*held = true;
	return 0;
}

static int fh_hold_start(const struct modinit_host *h)
{
	return fh_hold(fh_of(h), &fh_of(h)->holds_start);
}

static int fh_hold_stop(const struct modinit_host *h)
{
	return fh_hold(fh_of(h), &fh_of(h)->holds_stop);
}

static int fh_release_start(const struct modinit_host *h)
{
	struct fake_host *fh = fh_of(h);

	if (!fh->holds_start)
		return -EALREADY;
	if (fh->phase != FAKE_STARTING)
		return -EAGAIN;
	fh->holds_start = false;
	fh->nrelease_start++;
	return 0;
}

static int fh_release_stop(const struct modinit_host *h)
{
	struct fake_host *fh = fh_of(h);

	if (!fh->holds_stop)
		return -EALREADY;
	fh->holds_stop = false;
	fh->nrelease_stop++;
	return 0;
}

static int fh_pid_in_main_tree(const struct modinit_host *h, pid_t pid)
{
	struct fake_host *fh = fh_of(h);

	if (pid <= 0)
		return -EINVAL;
	if (fh->main_pid <= 0)
		return 0;
	if (pid == fh->main_pid)
		return 1;
	for (size_t i = 0; i < fh->ntree; i++)
		if (fh->tree[i] == pid)
			return 1;
	return 0;
}

const char *fake_env(const struct fake_host *fh, const char *key)
{
	for (size_t i = fh->nenv; i-- > 0;)
		if (strcmp(fh->env_key[i], key) == 0)
			return fh->env_value[i];
	return NULL;
}

static void fh_free_12(struct fake_host *fh)
{
	for (size_t i = 0; i < fh->nenv; i++) {
		free(fh->env_key[i]);
		free(fh->env_value[i]);
	}
	fh->nenv = 0;
}

/* ---- end of the ABI 1.2 block ---- */

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
		.state_write = fh_state_write,
		.dry_run = fh_dry_run,
		.parse_value = fh_parse_value,
		.signal_helper = fh_signal_helper,
		.last_main_pid = fh_last_main_pid,
		.wall_ms = fh_wall_ms,
		.publish_health = fh_publish_health,
		.status_json = fh_status_json,
		.endpoint_listen = fh_endpoint_listen,
		/* ABI 1.2 */
		.main_setenv = fh_main_setenv,
		.main_pass_fd = fh_main_pass_fd,
		.main_credentials = fh_main_credentials,
		.hold_start = fh_hold_start,
		.release_start = fh_release_start,
		.hold_stop = fh_hold_stop,
		.release_stop = fh_release_stop,
		.pid_in_main_tree = fh_pid_in_main_tree,
	};
	fh->name = module_name;
	fh->config_file = "test.yaml";
	fh->now = 1000000;
	fh->main_pid = 100;
	fh->last_main_pid = 100;
	fh->wall = 1700000000000ull;
	fh->next_pid = 1000;
}

void fake_host_free(struct fake_host *fh)
{
	endpoint_free(fh->ep);
	fh->ep = NULL;
	for (size_t i = 0; i < fh->nspawns; i++) {
		for (int a = 0; fh->spawns[i].argv[a]; a++)
			free(fh->spawns[i].argv[a]);
		if (fh->spawns[i].capture_wr >= 0)
			close(fh->spawns[i].capture_wr);
	}
	fh->nspawns = 0;
	fh_free_12(fh); /* ABI 1.2 */
	free(fh->detail);
	fh->detail = NULL;
	if (fh->opts_mod) {
		loader_release(fh->opts_mod);
		free(fh->opts_mod);
		fh->opts_mod = NULL;
	}
}

void fake_unload(struct fake_host *fh, const struct modinit_module *desc, void **state)
{
	if (*state)
		desc->fini(*state);
	*state = NULL;
	fake_host_free(fh);
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
		if (t->deadline > fh->now) {
			fh->wall += t->deadline - fh->now;
			fh->now = t->deadline;
		}
		t->live = false;
		t->cb(t->arg);
	}
	fh->wall += end - fh->now;
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
	/* An ended helper's end of the pipe is closed: what it wrote is left. */
	if (s->capture_wr >= 0) {
		close(s->capture_wr);
		s->capture_wr = -1;
	}
	if (s->done)
		s->done(s->arg, s->pid, status);
	else
		fh->desc->on_child_exit(fh->state, s->pid, status);
	if (fh->desc && fh->desc->size >= offsetof(struct modinit_module, on_reap) + sizeof(void *) &&
	    fh->desc->on_reap)
		fh->desc->on_reap(fh->state, s->pid, MODINIT_REAP_HELPER, status);
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

bool fake_logged(const struct fake_host *fh, const char *text)
{
	for (size_t i = 0; i < fh->nlog; i++)
		if (strcmp(fh->log[i], text) == 0)
			return true;
	return false;
}

/* Everything fake_yaml and fake_shortcut made, freed by fake_yaml_free. */
static struct cfg_doc docs[64];
static size_t ndocs;
static struct shortcuts cuts[64];
static size_t ncuts;

const struct modinit_node *fake_yaml(const char *text)
{
	char err[256];

	assert_true(ndocs < 64);
	if (cfg_parse_buffer("test.yaml", text, strlen(text), &docs[ndocs], err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return docs[ndocs++].root;
}

const struct modinit_node *fake_shortcut(const char *module, const char *yaml_item,
					 const char *const *rules)
{
	bool remap = strcmp(module, "signal-remap") == 0;
	struct cfg_module item = { .name = module };
	struct config c = { .modules = &item, .module_count = 0 };
	static const char *lists[64][2][64]; /* each shortcut's rule lists */
	struct cli_opts o;
	struct shortcuts *s;

	assert_true(remap || strcmp(module, "exit-code") == 0);
	assert_true(ncuts < 64);
	memset(&o, 0, sizeof(o));
	o.rewrite = lists[ncuts][0];
	o.remap_exit = lists[ncuts][1];
	for (; rules && *rules; rules++) {
		assert_true((remap ? o.rewrite_count : o.remap_exit_count) < 64);
		if (remap)
			o.rewrite[o.rewrite_count++] = *rules;
		else
			o.remap_exit[o.remap_exit_count++] = *rules;
	}
	if (yaml_item) {
		item.node = fake_yaml(yaml_item);
		c.module_count = 1;
	}
	s = &cuts[ncuts++];
	assert_int_equal(shortcuts_build(&o, &c, s), 0);
	for (size_t i = 0; i < s->count; i++)
		if (s->modules[i].name && strcmp(s->modules[i].name, module) == 0)
			return s->modules[i].node;
	return NULL; /* no rule and no item */
}

void fake_yaml_free(void)
{
	while (ncuts > 0)
		shortcuts_free(&cuts[--ncuts]);
	while (ndocs > 0)
		cfg_doc_free(&docs[--ndocs]);
}

/* modinit's own option checks (core/options.c), then init. */
int fake_init(struct fake_host *fh, const struct modinit_module *desc,
	      const struct modinit_node *item, void **state, char *err, size_t errlen)
{
	struct module *mod;
	int r;

	assert_null(fh->opts_mod); /* one module per fake host */
	mod = calloc(1, sizeof(*mod));
	assert_non_null(mod);
	mod->desc = desc;
	fh->opts_mod = mod;
	fh->desc = desc;
	r = loader_options(mod, fh->config_file, item, err, errlen);
	if (r < 0)
		return r;
	r = desc->init(&fh->host, &mod->opts, state, err, errlen);
	if (r == 0)
		fh->state = *state;
	return r;
}
