/* Lifecycle events to the modules, and the host services they call back. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg.h"
#include "loader.h"
#include "log.h"
#include "modinit.h"
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

static int host_spawn(const struct modinit_host *h, char *const argv[],
		      const struct modinit_spawn_opts *opts, modinit_exit_cb done, void *arg,
		      pid_t *pid)
{
	struct module *mod = host_mod(h);
	struct modinit_spawn_opts o;
	struct helper *hp;
	int r;

	if (!argv || !argv[0] || (!done && !mod->desc->on_child_exit))
		return -EINVAL;
	if (opts)
		loader_spawn_opts(mod, opts, &o);
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	r = spawn_helper(argv, opts ? &o : NULL, &mod->m->sigs, &hp->pid);
	if (r < 0) {
		free(hp);
		return r;
	}
	hp->owner = mod;
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

static int host_signal(const struct modinit_host *h, int target, int sig)
{
	struct modinit *m = host_mod(h)->m;
	pid_t main_pid = m->reaper.main_exited ? 0 : m->reaper.main_pid;

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
	struct modinit *m = mod->m;

	if ((exit_code < 0 && exit_code != MODINIT_EXIT_MAIN) || exit_code > 255)
		return -EINVAL;
	if (!m->exit_requested && exit_code != MODINIT_EXIT_MAIN) {
		m->exit_requested = true;
		m->exit_code = exit_code;
	}
	if (exit_code == MODINIT_EXIT_MAIN)
		log_msg(LOGL_INFO, "%s: shutdown requested: %s", mod->desc->name,
			reason ? reason : "no reason given");
	else
		log_msg(LOGL_INFO, "%s: shutdown requested (exit %d): %s", mod->desc->name,
			exit_code, reason ? reason : "no reason given");
	events_shutdown(m, MODINIT_SHUTDOWN_REQUESTED);
	shutdown_begin(m, "shutdown requested");
	/* With the main command already gone and nothing left to reap, no
	 * SIGCHLD will come to end the run: see now whether it is over. */
	shutdown_check_done(m);
	return 0;
}

static pid_t host_main_pid(const struct modinit_host *h)
{
	struct modinit *m = host_mod(h)->m;

	return m->reaper.main_exited ? 0 : m->reaper.main_pid;
}

static int host_publish_status(const struct modinit_host *h, const char *status)
{
	struct module *mod = host_mod(h);
	char *copy = strdup(status ? status : "");

	if (!copy)
		return -ENOMEM;
	free(mod->status);
	mod->status = copy;
	log_msg(LOGL_DEBUG, "%s: status: %s", mod->desc->name, copy);
	return 0;
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

static int host_restart_main(const struct modinit_host *h, uint64_t delay_ms)
{
	return restart_begin(host_mod(h)->m, delay_ms);
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
		free(h);
		return true;
	}
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_orphan))
			HOOK(mod, on_orphan)(mod->state, pid, status);
	}
	return false;
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

void events_shutdown(struct modinit *m, int reason)
{
	if (m->shutdown_notified)
		return;
	m->shutdown_notified = true;
	for (size_t i = 0; i < m->module_count; i++) {
		struct module *mod = &m->modules[i];

		if (HOOK(mod, on_shutdown))
			HOOK(mod, on_shutdown)(mod->state, reason);
	}
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
}
