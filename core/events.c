/* Lifecycle events to the modules, and the host services they call back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/cfg.h"
#include "endpoint.h"
#include "loader.h"
#include "log.h"
#include "modinit.h"
#include "proc.h"
#include "spawn.h"

/* The host table is the first member of struct module. */
static struct module *host_mod(const struct modinit_host *h)
{
	return (struct module *)(void *)h;
}

static void host_log(const struct modinit_host *h, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, host_mod(h)->desc->name, fmt, ap);
	va_end(ap);
}

static int host_timer_add(const struct modinit_host *h, uint64_t delay_ms, modinit_timer_cb cb,
			  void *arg, uint64_t *id)
{
	if (!cb)
		return -EINVAL;
	return loop_timer_add(&host_mod(h)->m->loop, delay_ms, cb, arg, id);
}

static int host_timer_cancel(const struct modinit_host *h, uint64_t id)
{
	return loop_timer_cancel(&host_mod(h)->m->loop, id);
}

static int host_fd_watch(const struct modinit_host *h, int fd, uint32_t events, modinit_fd_cb cb,
			 void *arg)
{
	if (!cb || fd < 0)
		return -EINVAL;
	return loop_watch_add(&host_mod(h)->m->loop, fd, events, cb, arg);
}

static int host_fd_unwatch(const struct modinit_host *h, int fd)
{
	return loop_watch_del(&host_mod(h)->m->loop, fd);
}

/* What the helper cannot report itself: arguments that make no sense. */
static int host_spawn_check(const struct modinit_spawn_opts *o)
{
	if ((o->capture & ~(unsigned)(MODINIT_CAPTURE_STDOUT | MODINIT_CAPTURE_STDERR)) ||
	    (o->capture && !o->capture_fd) || (o->ngroups && !o->groups))
		return -EINVAL;
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (o->env[i][0] == '=' || !strchr(o->env[i], '='))
			return -EINVAL;
	return 0;
}

/* Signal a live helper, or its group. A group not there yet is a new
 * session the helper has not made (setsid runs before its exec): it is
 * then still alone, so the helper itself is the whole of it. */
static int host_helper_kill(const struct helper *hp, int sig, bool group)
{
	if (group && kill(-hp->pid, sig) == 0)
		return 0;
	if (group && errno != ESRCH)
		return -errno;
	return kill(hp->pid, sig) < 0 ? -errno : 0;
}

/* The helper is still in the list, so not reaped: its pid is still its. */
static void host_helper_timeout(void *arg)
{
	struct helper *hp = arg;
	int r;

	hp->timer = 0;
	log_msg(LOGL_WARN, "%s: helper '%s' (pid %d) still running after %llu ms: SIGKILL to its process group",
		hp->owner->desc->name, hp->argv0, (int)hp->pid, (unsigned long long)hp->timeout_ms);
	r = host_helper_kill(hp, SIGKILL, true);
	if (r < 0)
		log_msg(LOGL_ERROR, "%s: cannot kill helper %d: %s", hp->owner->desc->name,
			(int)hp->pid, strerror(-r));
}

static void helper_free(struct modinit *m, struct helper *hp)
{
	if (hp->timer)
		loop_timer_cancel(&m->loop, hp->timer);
	free(hp);
}

/* The helper's record, with its timeout armed before the fork: a helper
 * that outlives its timeout must never be left without one. */
static struct helper *host_helper_new(struct module *mod, const struct modinit_spawn_opts *o,
				      char *const argv[], int *err)
{
	struct helper *hp = calloc(1, sizeof(*hp));

	*err = -ENOMEM;
	if (!hp)
		return NULL;
	hp->owner = mod;
	hp->group = o->new_group || o->new_session || o->timeout_ms;
	hp->timeout_ms = o->timeout_ms;
	snprintf(hp->argv0, sizeof(hp->argv0), "%s", argv[0]);
	*err = o->timeout_ms ? loop_timer_add(&mod->m->loop, o->timeout_ms, host_helper_timeout, hp,
					      &hp->timer)
			     : 0;
	if (*err == 0)
		return hp;
	free(hp);
	return NULL;
}

/* At the top of every host service that touches processes: outside the
 * phases where it means something (lifecycle_allows) it is refused with
 * -EAGAIN and no side effect. Before the loop runs modinit's tree is not
 * set up (init, --check-config, mode exec); once the run is over nothing is
 * left to act on (on_exit, fini). */
static int host_guard(const struct modinit_host *h, enum lc_service service, const char *what)
{
	struct module *mod = host_mod(h);
	enum lc_phase phase = mod->m->lc.phase;

	if (lifecycle_allows_now(&mod->m->lc, service))
		return 0;
	log_msg(LOGL_DEBUG, "%s: %s refused while %s", mod->desc->name, what,
		lifecycle_phase_name(phase));
	return -EAGAIN;
}

/* main_credentials with scope helpers: a helper spawned without ids of
 * its own gets the module's. true when no_new_privs comes with them. */
static bool host_helper_creds(const struct modinit *m, struct modinit_spawn_opts *o)
{
	const struct mainstart_creds *c = &m->mstart.creds;

	if (!c->set || !(c->scope & MODINIT_CREDS_HELPERS) || o->set_uid || o->set_gid)
		return false;
	o->set_uid = o->set_gid = true;
	o->uid = c->uid;
	o->gid = c->gid;
	o->groups = c->groups;
	o->ngroups = c->ngroups;
	return c->no_new_privs;
}

/* Once modinit has left its start directory (supervise.c), a helper still
 * starts there, and a relative cwd is still taken from there. */
static void host_spawn_dir(const struct modinit *m, struct modinit_spawn_opts *o, char *buf,
			   size_t len)
{
	if (!m->left_dir || (o->cwd && o->cwd[0] == '/'))
		return;
	if (!o->cwd) {
		o->cwd = m->start_dir;
		return;
	}
	snprintf(buf, len, "%s/%s", m->start_dir, o->cwd);
	o->cwd = buf;
}

static int host_spawn(const struct modinit_host *h, char *const argv[],
		      const struct modinit_spawn_opts *opts, modinit_exit_cb done, void *arg,
		      pid_t *pid)
{
	struct module *mod = host_mod(h);
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	struct helper *hp;
	char dir[PATH_MAX];
	int r = host_guard(h, LC_SVC_SPAWN, "spawn"), cap = -1;

	if (r < 0)
		return r;
	if (!argv || !argv[0] || (!done && !mod->desc->on_child_exit))
		return -EINVAL;
	if (opts)
		loader_spawn_opts(mod, opts, &o);
	host_spawn_dir(mod->m, &o, dir, sizeof(dir));
	r = host_spawn_check(&o);
	hp = r < 0 ? NULL : host_helper_new(mod, &o, argv, &r);
	if (hp)
		r = spawn_helper(argv, &o, &mod->m->sigs, mod->desc->name,
				 host_helper_creds(mod->m, &o), &cap, &hp->pid);
	if (o.capture && o.capture_fd)
		*o.capture_fd = cap;
	if (r < 0) {
		if (hp)
			helper_free(mod->m, hp);
		return r;
	}
	hp->done = done;
	hp->arg = arg;
	hp->next = mod->m->helpers;
	mod->m->helpers = hp;
	/* There is a child again: the last reap pass's ECHILD is stale. */
	mod->m->reaper.no_children = false;
	if (pid)
		*pid = hp->pid;
	return 0;
}

/* Only a live helper of this module: the list holds helpers until they
 * are reaped, so no pid in it can have been reused. */
static int host_signal_helper(const struct modinit_host *h, pid_t pid, int sig, bool group)
{
	struct module *mod = host_mod(h);
	struct helper *hp = mod->m->helpers;
	int r = host_guard(h, LC_SVC_SIGNAL, "signal_helper");

	if (r < 0)
		return r;
	if (sig < 0 || sig >= SIG_COUNT)
		return -EINVAL;
	while (pid > 0 && hp && hp->pid != pid)
		hp = hp->next;
	if (pid <= 0 || !hp)
		return -ESRCH;
	if (hp->owner != mod)
		return -EPERM;
	if (group && !hp->group)
		return -EINVAL;
	return host_helper_kill(hp, sig, group);
}

static int host_signal(const struct modinit_host *h, int target, int sig)
{
	struct modinit *m = host_mod(h)->m;
	pid_t main_pid = m->reaper.main_exited ? 0 : m->reaper.main_pid;
	int r = host_guard(h, LC_SVC_SIGNAL, "signal");

	if (r < 0)
		return r;
	if (sig < 0 || sig >= SIG_COUNT)
		return -EINVAL;
	switch (target) {
	case MODINIT_TARGET_MAIN:
	case MODINIT_TARGET_GROUP:
		if (!main_pid)
			return -ESRCH;
		return kill(target == MODINIT_TARGET_MAIN ? main_pid : -main_pid, sig) < 0 ? -errno : 0;
	case MODINIT_TARGET_ALL: {
		long n = shutdown_signal_all(m, sig);

		return n < 0 ? (int)n : 0;
	}
	default:
		return -EINVAL;
	}
}

static int host_request_shutdown(const struct modinit_host *h, int exit_code, const char *reason)
{
	struct module *mod = host_mod(h);
	int r = host_guard(h, LC_SVC_SHUTDOWN, "request_shutdown");

	if (r < 0)
		return r;
	if ((exit_code < 0 && exit_code != MODINIT_EXIT_MAIN) || exit_code > 255)
		return -EINVAL;
	/* A held start ends before the command ever ran: it has no status. */
	if (exit_code == MODINIT_EXIT_MAIN && mod->m->lc.phase == LC_STARTING)
		return -EINVAL;
	if (exit_code == MODINIT_EXIT_MAIN)
		log_msg(LOGL_INFO, "%s: shutdown requested: %s", mod->desc->name,
			reason ? reason : "no reason given");
	else
		log_msg(LOGL_INFO, "%s: shutdown requested (exit %d): %s", mod->desc->name,
			exit_code, reason ? reason : "no reason given");
	lifecycle_request_shutdown(&mod->m->lc, exit_code);
	return 0;
}

static pid_t host_main_pid(const struct modinit_host *h)
{
	struct modinit *m = host_mod(h)->m;

	return m->reaper.main_exited ? 0 : m->reaper.main_pid;
}

/* *slot becomes a copy of text (NULL: none): 1 when that changed it, 0
 * when it said so already, or -ENOMEM. */
static int host_keep(char **slot, const char *text)
{
	char *copy = NULL;

	if (text ? (*slot && strcmp(*slot, text) == 0) : !*slot)
		return 0;
	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 1;
}

static int host_publish_status(const struct modinit_host *h, const char *status)
{
	struct module *mod = host_mod(h);
	int r = host_keep(&mod->status, status ? status : "");

	if (r <= 0)
		return r;
	/* A multi-line status (a JSON text) would break the log's lines. */
	if (strchr(mod->status, '\n'))
		log_msg(LOGL_DEBUG, "%s: status: %zu bytes", mod->desc->name, strlen(mod->status));
	else
		log_msg(LOGL_DEBUG, "%s: status: %s", mod->desc->name, mod->status);
	status_changed(mod->m);
	return 0;
}

static int host_publish_health(const struct modinit_host *h, int health, bool ready,
			       const char *detail)
{
	struct module *mod = host_mod(h);
	int r;

	if (health < MODINIT_HEALTH_STARTING || health > MODINIT_HEALTH_UNHEALTHY)
		return -EINVAL;
	r = host_keep(&mod->detail, detail);
	if (r < 0)
		return r;
	if (r == 0 && mod->health == health && mod->ready == ready)
		return 0;
	mod->health = health;
	mod->ready = ready;
	status_changed(mod->m);
	return 0;
}

static char *host_status_json(const struct modinit_host *h, size_t *len)
{
	size_t n;

	return status_text(host_mod(h)->m, true, len ? len : &n);
}

static int host_ep_health(void *arg, bool *ready)
{
	return status_overall(arg, ready);
}

static const char *host_ep_detail(void *arg)
{
	struct modinit *m = arg;

	return m->ep_owner->detail;
}

static int host_ep_document(void *arg, char **text, size_t *len)
{
	*text = status_text(arg, true, len);
	return *text ? 0 : -ENOMEM;
}

static bool host_dry_run(const struct modinit_host *h);

/* From init only: the address is claimed at setup, so that a port another
 * program holds ends the setup (78) before anything is spawned. */
static int host_endpoint_listen(const struct modinit_host *h, const char *addr, bool public_ok,
				char *err, size_t errlen)
{
	struct module *mod = host_mod(h);
	struct modinit *m = mod->m;
	const struct endpoint_src src = { .health = host_ep_health, .detail = host_ep_detail,
					  .document = host_ep_document, .arg = m };
	int r;

	if (m->lc.phase != LC_SETUP) {
		snprintf(err, errlen, "the endpoint is set up from init only");
		return -EAGAIN;
	}
	if (m->ep_owner) {
		snprintf(err, errlen, "modinit already serves its endpoint (%s asked for %s)",
			 m->ep_owner->desc->name, endpoint_addr(m->ep));
		return -EBUSY;
	}
	r = endpoint_open(&m->ep, h, &src, addr, public_ok, host_dry_run(h), err, errlen);
	if (r == 0)
		m->ep_owner = mod;
	return r;
}

/* --check-config: the modules are set up only to be checked, maybe next
 * to a running modinit whose port and files they must leave alone. */
static bool host_dry_run(const struct modinit_host *h)
{
	return host_mod(h)->m->opts.action == CLI_CHECK_CONFIG;
}

/* Checked (and created) on first use: refused during setup, main exits 78
 * before anything is spawned. */
static const char *host_state_dir(const struct modinit_host *h)
{
	struct modinit *m = host_mod(h)->m;
	bool dry = host_dry_run(h);
	int r = statedir_open(&m->sdir, m->state_dir, !dry);

	/* The module keeps state there: so does the core (status.c). */
	m->status.wanted = true;

	/* A dry run creates nothing: a directory still to be made is fine. */
	if (r == -ENOENT && dry) {
		m->sdir.error = 0;
		return m->state_dir;
	}
	return r < 0 ? NULL : m->state_dir;
}

static int host_state_write(const struct modinit_host *h, const char *name, const void *data,
			    size_t len)
{
	struct modinit *m = host_mod(h)->m;

	if (host_dry_run(h))
		return -EROFS;
	if (!host_state_dir(h))
		return m->sdir.error ? m->sdir.error : -ENOENT;
	return statedir_write(&m->sdir, name, data, len);
}

static uint64_t host_now_ms(const struct modinit_host *h)
{
	(void)h;
	return loop_now_ms();
}

static uint64_t host_wall_ms(const struct modinit_host *h)
{
	struct timespec ts;

	(void)h;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* main_pid stays set after the command ended; a restart replaces it. */
static pid_t host_last_main_pid(const struct modinit_host *h)
{
	return host_mod(h)->m->reaper.main_pid;
}

static int host_restart_main(const struct modinit_host *h, uint64_t delay_ms)
{
	int r = host_guard(h, LC_SVC_RESTART, "restart_main");

	return r < 0 ? r : lifecycle_restart(&host_mod(h)->m->lc, delay_ms);
}

static int host_error_vat(const struct modinit_host *h, const struct modinit_node *node,
			  char *err, size_t errlen, const char *fmt, va_list ap)
{
	struct module *mod = host_mod(h);

	mod->err_positioned = true;
	return cfg_verror(err, errlen, mod->m->config_file, node, mod->desc->name, fmt, ap);
}

static int host_error_at(const struct modinit_host *h, const struct modinit_node *node,
			 char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = host_error_vat(h, node, err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* Writes the 1.0 fields of out only, for every module: a 1.0 module's
 * struct modinit_value ends there. */
static int host_parse_node(const struct modinit_host *h, int type, const struct modinit_node *node,
			   const char *what, struct modinit_value *out, char *err, size_t errlen)
{
	return h->parse_value(h, type, node, what, out, LOADER_V10_VALUE_SIZE, err, errlen);
}

static int host_parse_value(const struct modinit_host *h, int type,
			    const struct modinit_node *node, const char *what,
			    struct modinit_value *out, size_t out_size, char *err, size_t errlen)
{
	char why[512];

	if (!node || !out)
		return -EINVAL;
	if (loader_value_out((enum modinit_opt_type)type, node, out, out_size, why, sizeof(why)) == 0)
		return 0;
	return host_error_at(h, node, err, errlen, "%s: %s", what, why);
}

/* ---- ABI 1.2: the main command's start, and holding start and end ---- */

static int host_main_setenv(const struct modinit_host *h, const char *key, const char *value)
{
	int r = host_guard(h, LC_SVC_MAIN_SETUP, "main_setenv");

	if (r < 0)
		return r;
	if (!key || !*key || strchr(key, '='))
		return -EINVAL;
	return mainstart_setenv(&host_mod(h)->m->mstart, key, value);
}

static int host_main_pass_fd(const struct modinit_host *h, int fd, int target_fd)
{
	struct module *mod = host_mod(h);
	int r = host_guard(h, LC_SVC_MAIN_SETUP, "main_pass_fd");

	if (r < 0)
		return r;
	if (target_fd < 3 || target_fd > 1023)
		return -EINVAL;
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	return mainstart_pass_fd(&mod->m->mstart, fd, target_fd, mod);
}

/* The ids as the module's struct has them: a creds struct shorter than
 * 1.2's lacks fields this modinit would have to guess. */
static int host_creds_check(const struct modinit_creds *c)
{
	const unsigned int scopes = MODINIT_CREDS_MAIN | MODINIT_CREDS_HELPERS;

	if (!c || c->size < offsetof(struct modinit_creds, no_new_privs) + sizeof(bool))
		return -EINVAL;
	if (!c->scope || (c->scope & ~scopes) || c->uid == (uid_t)-1 || c->gid == (gid_t)-1)
		return -EINVAL;
	if ((c->ngroups && !c->groups) || c->ngroups > NGROUPS_MAX)
		return -EINVAL;
	return 0;
}

static int host_main_credentials(const struct modinit_host *h, const struct modinit_creds *c)
{
	struct module *mod = host_mod(h);
	struct mainstart_creds *mine = &mod->m->mstart.creds;
	int r = host_guard(h, LC_SVC_CREDENTIALS, "main_credentials");

	if (r < 0 || (r = host_creds_check(c)) < 0)
		return r;
	if (mine->set)
		return -EBUSY;
	mine->groups = c->ngroups ? malloc(c->ngroups * sizeof(gid_t)) : NULL;
	if (c->ngroups && !mine->groups)
		return -ENOMEM;
	if (c->ngroups)
		memcpy(mine->groups, c->groups, c->ngroups * sizeof(gid_t));
	mine->ngroups = c->ngroups;
	mine->uid = c->uid;
	mine->gid = c->gid;
	mine->scope = c->scope;
	mine->no_new_privs = c->no_new_privs;
	mine->owner = mod;
	mine->set = true;
	log_msg(LOGL_DEBUG, "%s: %s%s%s run as uid %u, gid %u, %zu group%s", mod->desc->name,
		c->scope & MODINIT_CREDS_MAIN ? "the main command" : "",
		c->scope == (MODINIT_CREDS_MAIN | MODINIT_CREDS_HELPERS) ? " and " : "",
		c->scope & MODINIT_CREDS_HELPERS ? "helpers" : "", (unsigned)c->uid,
		(unsigned)c->gid, c->ngroups, c->ngroups == 1 ? "" : "s");
	return 0;
}

/* hold_start and hold_stop: from init, so that mode exec can still refuse
 * them (setup_check_exec) before anything runs. */
static int host_hold(const struct modinit_host *h, bool stop)
{
	struct module *mod = host_mod(h);
	bool *held = stop ? &mod->holds_stop : &mod->holds_start;
	int r = host_guard(h, LC_SVC_HOLD, stop ? "hold_stop" : "hold_start");

	if (r < 0)
		return r;
	if (*held)
		return -EALREADY;
	*held = true;
	mod->needs_live = true;
	if (stop)
		lifecycle_hold_stop(&mod->m->lc);
	else
		lifecycle_hold_start(&mod->m->lc);
	return 0;
}

static int host_hold_start(const struct modinit_host *h)
{
	return host_hold(h, false);
}

static int host_hold_stop(const struct modinit_host *h)
{
	return host_hold(h, true);
}

static int host_release_start(const struct modinit_host *h)
{
	struct module *mod = host_mod(h);
	int r;

	if (!mod->holds_start)
		return -EALREADY;
	r = host_guard(h, LC_SVC_RELEASE_START, "release_start");
	if (r < 0)
		return r;
	mod->holds_start = false;
	log_msg(LOGL_DEBUG, "%s: released the start", mod->desc->name);
	lifecycle_release_start(&mod->m->lc);
	return 0;
}

static int host_release_stop(const struct modinit_host *h)
{
	struct module *mod = host_mod(h);

	if (!mod->holds_stop)
		return -EALREADY;
	mod->holds_stop = false;
	log_msg(LOGL_DEBUG, "%s: released the stop", mod->desc->name);
	lifecycle_release_stop(&mod->m->lc);
	return 0;
}

/* Up the parent links from pid; a chain longer than any real one (a
 * loop seen while processes come and go) counts as outside. */
static int host_pid_in_main_tree(const struct modinit_host *h, pid_t pid)
{
	const struct modinit *m = host_mod(h)->m;
	pid_t main_pid = m->reaper.main_exited ? 0 : m->reaper.main_pid;

	if (pid <= 0)
		return -EINVAL;
	if (main_pid <= 0)
		return 0;
	for (int depth = 0; depth < 65536; depth++) {
		pid_t ppid;

		if (pid == main_pid)
			return 1;
		if (pid <= 1 || pid == m->self)
			return 0;
		if (proc_parent(pid, &ppid) < 0)
			return depth == 0 ? -ESRCH : 0;
		pid = ppid;
	}
	return 0;
}

void events_stop_holders(const struct modinit *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->module_count && used < len; i++) {
		int n;

		if (!m->modules[i].holds_stop)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     m->modules[i].desc->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void events_host_init(struct modinit *m, struct module *mod)
{
	mod->m = m;
	mod->host = (struct modinit_host){
		.size = sizeof(struct modinit_host),
		.log = host_log,
		.timer_add = host_timer_add,
		.timer_cancel = host_timer_cancel,
		.fd_watch = host_fd_watch,
		.fd_unwatch = host_fd_unwatch,
		.spawn = host_spawn,
		.signal = host_signal,
		.request_shutdown = host_request_shutdown,
		.main_pid = host_main_pid,
		.publish_status = host_publish_status,
		.state_dir = host_state_dir,
		.now_ms = host_now_ms,
		.restart_main = host_restart_main,
		.parse_node = host_parse_node,
		.error_at = host_error_at,
		.state_write = host_state_write,
		.dry_run = host_dry_run,
		.parse_value = host_parse_value,
		.signal_helper = host_signal_helper,
		.last_main_pid = host_last_main_pid,
		.wall_ms = host_wall_ms,
		.publish_health = host_publish_health,
		.status_json = host_status_json,
		.endpoint_listen = host_endpoint_listen,
		.main_setenv = host_main_setenv,
		.main_pass_fd = host_main_pass_fd,
		.main_credentials = host_main_credentials,
		.hold_start = host_hold_start,
		.release_start = host_release_start,
		.hold_stop = host_hold_stop,
		.release_stop = host_release_stop,
		.pid_in_main_tree = host_pid_in_main_tree,
	};
}

/* Hook access guarded by the descriptor's size: a module built for an
 * older minor has a shorter struct and no field past its end. */
#define HOOK(mod, name)                                                          \
	((mod)->desc->size >= offsetof(struct modinit_module, name) + sizeof(void *) \
		 ? (mod)->desc->name : NULL)

void events_start(struct modinit *m)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_start))
			HOOK(mod, on_start)(mod->state);
	}
	/* The loop is up: connections are accepted from now on (unless a
	 * held start already ended the run in an on_start). */
	if (m->lc.phase < LC_STOPPING)
		endpoint_serve(m->ep);
}

void events_spawn(struct modinit *m, pid_t pid)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_spawn))
			HOOK(mod, on_spawn)(mod->state, pid);
	}
}

int events_signal_verdict(struct modinit *m, struct modinit_signal *sig)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];
		int verdict;

		if (!HOOK(mod, on_signal))
			continue;
		verdict = HOOK(mod, on_signal)(mod->state, sig);
		if (verdict == MODINIT_SIGNAL_DROP || verdict == MODINIT_SIGNAL_CONSUMED) {
			log_msg(LOGL_DEBUG, "%s: %s signal %d", mod->desc->name,
				verdict == MODINIT_SIGNAL_DROP ? "dropped" : "consumed", sig->signo);
			return verdict;
		}
		if (sig->signo <= 0 || sig->signo >= SIG_COUNT) {
			log_msg(LOGL_WARN, "%s: rewrote a signal to invalid %d; dropped",
				mod->desc->name, sig->signo);
			return MODINIT_SIGNAL_DROP;
		}
	}
	return MODINIT_SIGNAL_PASS;
}

bool events_signal(struct modinit *m, struct modinit_signal *sig)
{
	return events_signal_verdict(m, sig) == MODINIT_SIGNAL_PASS;
}

bool events_reaped(void *arg, pid_t pid, int status)
{
	struct modinit *m = arg;
	struct helper **pp = &m->helpers;

	for (; *pp; pp = &(*pp)->next) {
		struct helper *h = *pp;

		if (h->pid != pid)
			continue;
		*pp = h->next;
		if (h->done)
			h->done(h->arg, pid, status);
		else if (HOOK(h->owner, on_child_exit))
			HOOK(h->owner, on_child_exit)(h->owner->state, pid, status);
		helper_free(m, h);
		events_reap_observe(m, pid, MODINIT_REAP_HELPER, status);
		return true;
	}
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_orphan))
			HOOK(mod, on_orphan)(mod->state, pid, status);
	}
	events_reap_observe(m, pid, MODINIT_REAP_ORPHAN, status);
	return false;
}

void events_reap_observe(struct modinit *m, pid_t pid, int kind, int status)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_reap))
			HOOK(mod, on_reap)(mod->state, pid, kind, status);
	}
}

int events_main_exit(struct modinit *m, int status)
{
	int decision = MODINIT_MAIN_EXIT_DEFAULT;

	/* Every module hears of it; the first one with an opinion decides. */
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];
		int r;

		if (!HOOK(mod, on_main_exit))
			continue;
		r = HOOK(mod, on_main_exit)(mod->state, status);
		if (decision == MODINIT_MAIN_EXIT_DEFAULT &&
		    (r == MODINIT_MAIN_EXIT_WAIT_ALL || r == MODINIT_MAIN_EXIT_HANDLED))
			decision = r;
	}
	return decision;
}

/* Once per run: the lifecycle dispatches it on entering STOPPING. */
void events_shutdown(struct modinit *m, int reason)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_shutdown))
			HOOK(mod, on_shutdown)(mod->state, reason);
	}
	/* Nothing more to answer: the container is ending. */
	endpoint_stop(m->ep);
}

void events_exit(struct modinit *m, int *code)
{
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];
		int c = *code;

		if (!HOOK(mod, on_exit))
			continue;
		HOOK(mod, on_exit)(mod->state, &c);
		if (c < 0 || c > 255) {
			log_msg(LOGL_WARN, "%s: ignored exit code %d (not 0..255)", mod->desc->name, c);
			continue;
		}
		*code = c;
	}
}

void events_fini(struct modinit *m)
{
	/* Before the modules: its watches and timers are its owner's. */
	endpoint_free(m->ep);
	m->ep = NULL;
	m->ep_owner = NULL;
	/* Reverse order: a later module may depend on an earlier one. */
	for (size_t i = m->module_count; i-- > 0;) {
		struct module *mod = &m->modules[i];

		if (mod->initialised && HOOK(mod, fini))
			HOOK(mod, fini)(mod->state);
		mod->initialised = false;
	}
	while (m->helpers) {
		struct helper *h = m->helpers;

		m->helpers = h->next;
		free(h);
	}
	mainstart_free(&m->mstart);
}
