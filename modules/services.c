/* services: sidecar processes next to the main command (a log shipper,
 * cron, php-fpm beside nginx), each supervised on its own.
 *
 *   modules:
 *     - name: services
 *       services:
 *         - name: shipper
 *           command: [/usr/bin/vector, --config, /etc/vector.toml]
 *           env: {VECTOR_LOG: info}
 *           cwd: /var/lib/vector
 *           user: vector           # a name from the image's /etc/passwd, or a uid
 *           restart: always        # always | on-failure | never
 *           max_restarts: 10       # then it stays down (absent: no limit)
 *           backoff: 2s
 *           stop_signal: SIGINT
 *           grace: 5s
 *           required: true         # its end for good ends the container
 *           exit_code: 70          # ... with this code (absent: its status)
 *         - name: app
 *           command: [/usr/bin/app]
 *           notify: true           # ready when it sends READY=1 (sd_notify)
 *           ready_timeout: 30s     # not ready by then: SIGKILL, a failure
 *           after_ready: true      # starts once the one before is ready
 *       main_after_ready: true     # the main command waits for them all
 *
 * They start in the order listed, before the main command, each in a
 * session of its own (so a signal reaches all it started, and a Ctrl-C on
 * modinit's terminal does not); their output is modinit's. A service with
 * notify gets NOTIFY_SOCKET, one socket of the module's for them all: a
 * message counts for the service whose session the sender is in (the
 * kernel gives the sender's pid, getsid gives its session). A service
 * without notify is ready once started. after_ready holds a service's
 * first start until the one before it is ready or down for good;
 * main_after_ready holds the main command's start (hold_start) until
 * every service is one or the other. When the container ends the module
 * holds the stop (hold_stop): it waits for the main command to end, then
 * stops the services in reverse order, each with its stop signal to its
 * process group and, after its grace, SIGKILL; then modinit's own sweep
 * takes what is left. The module never
 * forks, waits or kills itself: the host spawns, reaps and signals. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modinit/module.h>

#include "lib/descriptor.h"
#include "lib/modlib.h"

#define SV_MAX 32
#define SV_GROUPS 64
#define SV_MIN_BACKOFF 100 /* ms: a service that fails at once must not spin PID 1 */
#define SV_BURST 8         /* notify messages read per wake-up */

enum sv_restart { SV_ALWAYS, SV_ON_FAILURE, SV_NEVER };
static const char *const sv_restart_names[] = { "always", "on-failure", "never", NULL };

enum sv_state { SV_WAITING, SV_STARTING, SV_RUNNING, SV_BACKOFF, SV_STOPPING, SV_DOWN };
static const char *const sv_state_names[] = { "waiting", "starting", "running", "restarting",
					      "stopping", "down" };

struct svs;

struct sv {
	struct svs *s;
	char name[64];
	char **argv, **env;    /* owned, NULL-terminated; env may be NULL */
	const char *cwd;       /* the option's string */
	bool set_ids;
	uid_t uid;
	gid_t gid;
	gid_t groups[SV_GROUPS];
	size_t ngroups;
	int restart;           /* enum sv_restart */
	long max_restarts;     /* -1: no limit */
	uint64_t backoff, grace;
	int stop_signal;
	bool required;
	int exit_code;         /* -1: the service's own status */
	bool notify;           /* ready when READY=1 comes from its session */
	bool after_ready;      /* first start once the one before is settled */
	uint64_t ready_timeout; /* 0: none */

	enum sv_state state;
	pid_t pid;             /* 0 when not running */
	long restarts;
	int last_status;       /* waitpid status; valid when ended */
	bool ended;            /* it ended at least once */
	bool was_ready;        /* ready at least once: the start order goes on */
	struct ml_timer timer; /* the backoff, then the grace while stopping */
	struct ml_timer ready_timer; /* ready_timeout, while starting */
};

struct svs {
	const struct modinit_host *host;
	struct sv svc[SV_MAX];
	size_t n;
	bool stopping;         /* on_shutdown ran: nothing starts again */
	bool sweeping;         /* the reverse-order stop has begun */
	bool holding;          /* hold_stop succeeded and is not released */
	size_t next_stop;      /* services [0, next_stop) are still to stop */
	size_t next_start;     /* services [next_start, n) never started yet */
	bool holding_start;    /* main_after_ready: the main command's start is held */
	int sock;              /* the notify socket; -1 without */
	char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 1]; /* NOTIFY_SOCKET */
};

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

/* The service's status as a shell reports it: the exit code, or 128 + the
 * signal that killed it. */
static int sv_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void sv_how(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
}

/* "NAME STATE (pid P, restarts R, last exit status S)" per service. */
static void sv_publish(struct svs *s)
{
	char line[SV_MAX * 112], how[40];
	size_t used = 0;

	line[0] = '\0';
	for (size_t i = 0; i < s->n && used < sizeof(line); i++) {
		const struct sv *v = &s->svc[i];
		int k;

		if (v->ended)
			sv_how(v->last_status, how, sizeof(how));
		k = snprintf(line + used, sizeof(line) - used, "%s%s %s (", i ? "; " : "", v->name,
			     sv_state_names[v->state]);
		if (k > 0 && v->pid)
			k += snprintf(line + used + k, sizeof(line) - used - (size_t)k, "pid %d, ",
				      (int)v->pid);
		if (k > 0 && (size_t)k < sizeof(line) - used)
			k += snprintf(line + used + k, sizeof(line) - used - (size_t)k,
				      "restarts %ld, last %s)", v->restarts, v->ended ? how : "none");
		if (k < 0)
			break;
		used += (size_t)k;
	}
	s->host->publish_status(s->host, line);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

static void sv_start(struct sv *v);
static void sv_stop_next(struct svs *s);
static void sv_progress(struct svs *s);

static void sv_set(struct sv *v, enum sv_state st)
{
	v->state = st;
	sv_publish(v->s);
}

static bool sv_wants_restart(const struct sv *v, int status)
{
	if (v->restart == SV_NEVER)
		return false;
	/* status < 0: it could not be started, a failure. */
	if (v->restart == SV_ON_FAILURE && status >= 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		return false;
	return v->max_restarts < 0 || v->restarts < v->max_restarts;
}

/* A required service is down for good: the container ends. */
static void sv_required_down(struct sv *v, const char *how)
{
	const struct modinit_host *h = v->s->host;
	int code = v->exit_code >= 0 ? v->exit_code : v->ended ? sv_code(v->last_status) : 1;
	char reason[128];

	snprintf(reason, sizeof(reason), "required service %s ended", v->name);
	h->log(h, MODINIT_LOG_WARN, "required service %s %s: ending the container with %d", v->name,
	       how, code);
	h->request_shutdown(h, code, reason);
}

/* It ended, or could not be started (status < 0): the policy decides. */
static void sv_down(struct sv *v, int status, const char *how)
{
	const struct modinit_host *h = v->s->host;

	if (!sv_wants_restart(v, status)) {
		h->log(h, MODINIT_LOG_WARN, "service %s %s: not started again (restart: %s, %ld restart%s)",
		       v->name, how, sv_restart_names[v->restart], v->restarts,
		       v->restarts == 1 ? "" : "s");
		sv_set(v, SV_DOWN);
		if (v->required)
			sv_required_down(v, how);
		return;
	}
	h->log(h, MODINIT_LOG_INFO, "service %s %s: starting it again in %llu ms", v->name, how,
	       (unsigned long long)v->backoff);
	if (ml_timer_arm(&v->timer, v->backoff) < 0) {
		h->log(h, MODINIT_LOG_ERROR, "service %s: cannot arm its restart timer", v->name);
		sv_set(v, SV_DOWN);
		return;
	}
	sv_set(v, SV_BACKOFF);
}

static void sv_exited(void *arg, pid_t pid, int status)
{
	struct sv *v = arg;
	const struct modinit_host *h = v->s->host;
	bool was_stopping = v->state == SV_STOPPING;
	char how[40];

	(void)pid;
	ml_timer_cancel(&v->ready_timer);
	v->pid = 0;
	v->ended = true;
	v->last_status = status;
	sv_how(status, how, sizeof(how));
	if (v->s->stopping) {
		ml_timer_cancel(&v->timer);
		h->log(h, MODINIT_LOG_INFO, "service %s %s (%s)", v->name,
		       was_stopping ? "stopped" : "ended", how);
		sv_set(v, SV_DOWN);
		if (was_stopping)
			sv_stop_next(v->s);
		return;
	}
	sv_down(v, status, how);
	sv_progress(v->s);
}

static void sv_restart_due(void *arg)
{
	struct sv *v = arg;

	if (v->s->stopping)
		return;
	v->restarts++;
	sv_start(v);
	sv_progress(v->s);
}

static void sv_start(struct sv *v)
{
	const struct modinit_host *h = v->s->host;
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	int r;

	o.new_session = true;
	o.env = v->env;
	o.cwd = v->cwd;
	if (v->set_ids) {
		o.set_uid = o.set_gid = true;
		o.uid = v->uid;
		o.gid = v->gid;
		o.groups = v->groups;
		o.ngroups = v->ngroups;
	}
	r = h->spawn(h, v->argv, &o, sv_exited, v, &v->pid);
	if (r < 0) {
		char how[64];

		v->pid = 0;
		snprintf(how, sizeof(how), "could not be started: %s", strerror(-r));
		h->log(h, MODINIT_LOG_ERROR, "service %s %s", v->name, how);
		sv_down(v, -1, how);
		return;
	}
	h->log(h, MODINIT_LOG_INFO, "service %s started (pid %d)", v->name, (int)v->pid);
	if (!v->notify) {
		v->was_ready = true;
		sv_set(v, SV_RUNNING);
		return;
	}
	if (v->ready_timeout && ml_timer_arm(&v->ready_timer, v->ready_timeout) < 0)
		h->log(h, MODINIT_LOG_ERROR, "service %s: cannot arm its ready timer", v->name);
	sv_set(v, SV_STARTING);
}

/* ------------------------------------------------------------------ */
/* Readiness and the start order                                       */
/* ------------------------------------------------------------------ */

/* Nothing more to wait for: it was ready once, or it is down for good. */
static bool sv_settled(const struct sv *v)
{
	return v->was_ready || v->state == SV_DOWN;
}

/* Start what may start now, in list order; once every service is settled,
 * the main command's start goes on. Called from the module's callbacks
 * only, never from inside sv_start. */
static void sv_progress(struct svs *s)
{
	const struct modinit_host *h = s->host;

	while (!s->stopping && s->next_start < s->n) {
		struct sv *v = &s->svc[s->next_start];
		const struct sv *p = s->next_start ? v - 1 : NULL;

		if (v->after_ready && p && !sv_settled(p))
			return;
		if (v->after_ready && p && !p->was_ready)
			h->log(h, MODINIT_LOG_WARN, "service %s starts although %s, which it waits for, is down",
			       v->name, p->name);
		s->next_start++;
		sv_start(v);
	}
	if (!s->holding_start || s->stopping)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (!sv_settled(&s->svc[i]))
			return;
	s->holding_start = false;
	h->log(h, MODINIT_LOG_INFO, "every service is ready: starting the main command");
	h->release_start(h);
}

static void sv_not_ready(void *arg)
{
	struct sv *v = arg;
	const struct modinit_host *h = v->s->host;

	h->log(h, MODINIT_LOG_WARN, "service %s is not ready %llu ms after its start: SIGKILL",
	       v->name, (unsigned long long)v->ready_timeout);
	/* Its reap counts as a failure, for its restart policy. */
	if (h->signal_helper(h, v->pid, SIGKILL, true) < 0)
		h->log(h, MODINIT_LOG_DEBUG, "service %s is gone already", v->name);
}

/* The notify service whose session pid is in: the service itself, or a
 * process it started (a new session would leave it). NULL: none. */
static struct sv *sv_of_sender(struct svs *s, pid_t pid)
{
	pid_t sid = pid > 0 ? getsid(pid) : -1;

	for (size_t i = 0; sid > 0 && i < s->n; i++)
		if (s->svc[i].notify && s->svc[i].pid == sid)
			return &s->svc[i];
	return NULL;
}

/* READY=1 among the message's lines counts; the rest is not ours to act on. */
static void sv_message(struct svs *s, pid_t pid, char *msg)
{
	const struct modinit_host *h = s->host;
	struct sv *v = sv_of_sender(s, pid);

	if (!v) {
		h->log(h, MODINIT_LOG_DEBUG, "ignored a message from pid %d: in no notify service's session",
		       (int)pid);
		return;
	}
	for (char *line = msg, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strcmp(line, "READY=1") == 0 && v->state == SV_STARTING) {
			ml_timer_cancel(&v->ready_timer);
			v->was_ready = true;
			h->log(h, MODINIT_LOG_INFO, "service %s is ready", v->name);
			sv_set(v, SV_RUNNING);
		}
	}
}

static void sv_socket_readable(void *arg, int fd, uint32_t events)
{
	struct svs *s = arg;
	char buf[ML_SDN_MSG + 1];
	int r = ML_SDN_TEXT;

	(void)fd;
	(void)events;
	/* Level-triggered: what is left after the burst wakes us again. */
	for (int i = 0; i < SV_BURST && r > 0; i++) {
		pid_t pid = 0;
		size_t len = 0;

		r = ml_sdn_recv(s->sock, buf, &pid, &len);
		if (r == ML_SDN_TEXT)
			sv_message(s, pid, buf);
		else if (r > 0)
			s->host->log(s->host, MODINIT_LOG_DEBUG,
				     "ignored a message of %zu bytes from pid %d: %s", len, (int)pid,
				     r == ML_SDN_LONG ? "too long" : "not text");
	}
	if (r < 0)
		s->host->log(s->host, MODINIT_LOG_WARN, "notify socket: %s", strerror(-r));
	sv_progress(s);
}

/* ------------------------------------------------------------------ */
/* Stopping, in reverse order                                          */
/* ------------------------------------------------------------------ */

static void sv_grace_over(void *arg)
{
	struct sv *v = arg;
	const struct modinit_host *h = v->s->host;

	h->log(h, MODINIT_LOG_WARN, "service %s still runs %llu ms after its stop signal: SIGKILL",
	       v->name, (unsigned long long)v->grace);
	if (h->signal_helper(h, v->pid, SIGKILL, true) < 0)
		sv_stop_next(v->s); /* already gone: its reap moves on too */
}

/* The stop signal to its group; 0, or -errno when it is not running. */
static int sv_stop_one(struct sv *v)
{
	const struct modinit_host *h = v->s->host;
	int r = h->signal_helper(h, v->pid, v->stop_signal, true);

	if (r < 0)
		return r;
	h->log(h, MODINIT_LOG_INFO, "stopping service %s (pid %d)", v->name, (int)v->pid);
	ml_timer_init(&v->timer, h, sv_grace_over, v);
	if (ml_timer_arm(&v->timer, v->grace) < 0)
		h->log(h, MODINIT_LOG_ERROR, "service %s: cannot arm its grace timer", v->name);
	sv_set(v, SV_STOPPING);
	return 0;
}

/* The next running service from the end of the list; none left: the
 * hold ends and modinit's sweep goes on. */
static void sv_stop_next(struct svs *s)
{
	while (s->next_stop > 0) {
		struct sv *v = &s->svc[--s->next_stop];

		if (v->pid && sv_stop_one(v) == 0)
			return;
	}
	if (s->holding) {
		s->holding = false;
		s->host->log(s->host, MODINIT_LOG_DEBUG, "every service is stopped");
		s->host->release_stop(s->host);
	}
}

static void sv_begin_stop(struct svs *s)
{
	if (s->sweeping)
		return;
	s->sweeping = true;
	s->next_stop = s->n;
	sv_stop_next(s);
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

static char **sv_strdupv(const struct modinit_value *v)
{
	char **out = calloc(v->count + 1, sizeof(*out));

	for (size_t i = 0; out && i < v->count; i++)
		if (!(out[i] = strdup(modinit_at(v->list, i)->str)))
			return out; /* freed by the caller, NULL-terminated */
	return out;
}

static void sv_freev(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static bool sv_env_has(const struct modinit_node *env, const char *key)
{
	for (size_t i = 0; env && i < env->count; i++)
		if (strcmp(env->keys[i].value, key) == 0)
			return true;
	return false;
}

static int sv_env_add(char **env, size_t *n, const char *key, const char *value)
{
	size_t len = strlen(key) + strlen(value) + 2;

	env[*n] = malloc(len);
	if (!env[*n])
		return -ENOMEM;
	snprintf(env[(*n)++], len, "%s=%s", key, value);
	return 0;
}

/* env: KEY: VALUE pairs, plus HOME, USER and LOGNAME for a user the
 * config did not set them for. */
static int sv_env(struct sv *v, const struct modinit_node *env, const struct ml_user *u,
		  char *err, size_t errlen)
{
	const struct modinit_host *h = v->s->host;
	static const char *const ukeys[] = { "HOME", "USER", "LOGNAME" };
	size_t n = 0, count = env ? env->count : 0;
	int r = 0;

	if (!count && !u && !v->notify)
		return 0;
	/* Room for NOTIFY_SOCKET, added once the socket is bound. */
	v->env = calloc(count + 5, sizeof(*v->env));
	if (!v->env)
		return -ENOMEM;
	for (size_t i = 0; i < count && r == 0; i++) {
		const char *k = env->keys[i].value;

		if (!*k || strchr(k, '='))
			return h->error_at(h, &env->keys[i], err, errlen,
					   "services: %s: env: \"%s\" is not a variable name", v->name, k);
		if (env->items[i].type != MODINIT_NODE_SCALAR)
			return h->error_at(h, &env->items[i], err, errlen,
					   "services: %s: env: %s: expected a string", v->name, k);
		if (v->notify && strcmp(k, "NOTIFY_SOCKET") == 0)
			return h->error_at(h, &env->keys[i], err, errlen,
					   "services: %s: env: NOTIFY_SOCKET is the module's with notify: true",
					   v->name);
		r = sv_env_add(v->env, &n, k, env->items[i].value);
	}
	for (size_t i = 0; u && i < 3 && r == 0; i++)
		if (!sv_env_has(env, ukeys[i]))
			r = sv_env_add(v->env, &n, ukeys[i], i ? u->name : u->home);
	return r;
}

static int sv_user(struct sv *v, const struct modinit_value *val, struct ml_user *u, char *err,
		   size_t errlen)
{
	const struct modinit_host *h = v->s->host;
	int r = ml_user_lookup("", val->str, u), n;

	if (r == -ENOENT)
		return h->error_at(h, val->node, err, errlen,
				   "services: %s: user: no user \"%s\" in /etc/passwd", v->name, val->str);
	if (r < 0)
		return h->error_at(h, val->node, err, errlen, "services: %s: user: %s: %s", v->name,
				   val->str, strerror(-r));
	n = ml_user_groups("", u->name, u->gid, v->groups, SV_GROUPS);
	if (n < 0)
		return h->error_at(h, val->node, err, errlen, "services: %s: user: groups: %s",
				   v->name, strerror(-n));
	v->ngroups = (size_t)n;
	v->set_ids = true;
	v->uid = u->uid;
	v->gid = u->gid;
	return 0;
}

static int sv_name(struct sv *v, const struct modinit_value *val, char *err, size_t errlen)
{
	const struct modinit_host *h = v->s->host;
	const char *p = val->str;

	if (!*p || strlen(p) >= sizeof(v->name) ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(p))
		return h->error_at(h, val->node, err, errlen,
				   "services: name: expected 1 to 63 of A-Z a-z 0-9 _ . -, got \"%s\"", p);
	for (struct sv *o = v->s->svc; o < v; o++)
		if (strcmp(o->name, p) == 0)
			return h->error_at(h, val->node, err, errlen,
					   "services: two services named \"%s\"", p);
	snprintf(v->name, sizeof(v->name), "%s", p);
	return 0;
}

/* The numbers, each checked against what makes sense. */
static int sv_limits(struct sv *v, const struct modinit_options *o, char *err, size_t errlen)
{
	const struct modinit_host *h = v->s->host;
	const struct modinit_value *max = modinit_opt(o, "max_restarts"),
				   *code = modinit_opt(o, "exit_code"),
				   *backoff = modinit_opt(o, "backoff");

	if (max->set && (max->integer < 0 || max->integer > 1000000))
		return h->error_at(h, max->node, err, errlen,
				   "services: %s: max_restarts: expected 0 to 1000000", v->name);
	if (code->set && (code->integer < 0 || code->integer > 255))
		return h->error_at(h, code->node, err, errlen,
				   "services: %s: exit_code: expected 0 to 255", v->name);
	if (backoff->ms < SV_MIN_BACKOFF)
		return h->error_at(h, backoff->node, err, errlen,
				   "services: %s: backoff: expected at least %dms", v->name,
				   SV_MIN_BACKOFF);
	v->max_restarts = max->set ? (long)max->integer : -1;
	v->exit_code = code->set ? (int)code->integer : -1;
	v->backoff = backoff->ms;
	return 0;
}

/* notify, ready_timeout and after_ready, which only make sense together
 * as documented. */
static int sv_readiness(struct sv *v, const struct modinit_options *o, char *err, size_t errlen)
{
	const struct modinit_host *h = v->s->host;
	const struct modinit_value *rt = modinit_opt(o, "ready_timeout"),
				   *after = modinit_opt(o, "after_ready");

	v->notify = modinit_opt(o, "notify")->boolean;
	v->after_ready = after->boolean;
	if (rt->set && !v->notify)
		return h->error_at(h, rt->node, err, errlen,
				   "services: %s: ready_timeout: needs notify: true", v->name);
	if (rt->set && rt->ms == 0)
		return h->error_at(h, rt->node, err, errlen,
				   "services: %s: ready_timeout: expected more than 0", v->name);
	if (v->after_ready && v == v->s->svc)
		return h->error_at(h, after->node, err, errlen,
				   "services: %s: after_ready: the first service has none before it",
				   v->name);
	v->ready_timeout = rt->set ? rt->ms : 0;
	return 0;
}

static int sv_parse(struct sv *v, const struct modinit_options *o, char *err, size_t errlen)
{
	const struct modinit_value *cmd = modinit_opt(o, "command"),
				   *user = modinit_opt(o, "user");
	struct ml_user u;
	int r;

	if ((r = sv_name(v, modinit_opt(o, "name"), err, errlen)) < 0)
		return r;
	if (cmd->count == 0)
		return v->s->host->error_at(v->s->host, cmd->node, err, errlen,
					    "services: %s: command: expected at least the program",
					    v->name);
	v->argv = sv_strdupv(cmd);
	if (!v->argv || !v->argv[cmd->count - 1])
		return -ENOMEM;
	if ((r = sv_limits(v, o, err, errlen)) < 0 || (r = sv_readiness(v, o, err, errlen)) < 0)
		return r;
	if (user->set && (r = sv_user(v, user, &u, err, errlen)) < 0)
		return r;
	if ((r = sv_env(v, modinit_opt(o, "env")->node, user->set ? &u : NULL, err, errlen)) < 0)
		return r;
	v->cwd = modinit_opt(o, "cwd")->set ? modinit_opt(o, "cwd")->str : NULL;
	v->restart = (int)modinit_opt(o, "restart")->index;
	v->stop_signal = modinit_opt(o, "stop_signal")->signo;
	v->grace = modinit_opt(o, "grace")->ms;
	v->required = modinit_opt(o, "required")->boolean;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */
/* ------------------------------------------------------------------ */

static void sv_free(struct svs *s)
{
	for (size_t i = 0; i < s->n; i++) {
		ml_timer_cancel(&s->svc[i].timer);
		ml_timer_cancel(&s->svc[i].ready_timer);
		sv_freev(s->svc[i].argv);
		sv_freev(s->svc[i].env);
	}
	ml_fd_close(s->host, &s->sock);
	free(s);
}

static int sv_init_all(struct svs *s, const struct modinit_value *list, char *err, size_t errlen)
{
	const struct modinit_host *h = s->host;

	if (list->count == 0 || list->count > SV_MAX)
		return h->error_at(h, list->node, err, errlen, "services: expected 1 to %d services",
				   SV_MAX);
	for (size_t i = 0; i < list->count; i++) {
		struct sv *v = &s->svc[i];
		int r;

		v->s = s;
		ml_timer_init(&v->timer, h, sv_restart_due, v);
		ml_timer_init(&v->ready_timer, h, sv_not_ready, v);
		s->n = i + 1;
		if ((r = sv_parse(v, modinit_at(list->list, i)->section, err, errlen)) < 0)
			return r;
	}
	return 0;
}

/* One socket for every notify service, its address in their env. Not in
 * a dry run: nothing starts. */
static int sv_socket(struct svs *s, char *err, size_t errlen)
{
	const struct modinit_host *h = s->host;
	struct sockaddr_un sa;
	socklen_t salen;
	bool any = false;
	int r;

	for (size_t i = 0; i < s->n; i++)
		any = any || s->svc[i].notify;
	if (!any || h->dry_run(h))
		return 0;
	ml_sdn_abstract(h, "modinit-services", &sa, &salen, s->address, sizeof(s->address));
	r = ml_sdn_bind(&s->sock, &sa, salen);
	if (r < 0) {
		snprintf(err, errlen, "services: cannot create the notify socket %s: %s", s->address,
			 strerror(-r));
		return r;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct sv *v = &s->svc[i];
		size_t n = 0;

		if (!v->notify)
			continue;
		while (v->env[n])
			n++;
		if ((r = sv_env_add(v->env, &n, "NOTIFY_SOCKET", s->address)) < 0)
			return r;
	}
	return 0;
}

static int sv_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	struct svs *s;
	bool hold_start = modinit_opt(opts, "main_after_ready")->boolean;
	int r;

	if (!MODINIT_HOST_HAS(host, hold_stop)) {
		snprintf(err, errlen, "this modinit lacks the 1.2 services services needs");
		return -ENOTSUP;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->sock = -1;
	r = sv_init_all(s, modinit_opt(opts, "services"), err, errlen);
	if (r == 0)
		r = sv_socket(s, err, errlen);
	if (r == 0 && (r = host->hold_stop(host)) < 0)
		snprintf(err, errlen, "cannot hold the stop: %s", strerror(-r));
	if (r == 0 && hold_start && (r = host->hold_start(host)) < 0) {
		snprintf(err, errlen, "cannot hold the start: %s", strerror(-r));
		host->release_stop(host);
	}
	if (r < 0) {
		sv_free(s);
		return r;
	}
	s->holding = true;
	s->holding_start = hold_start;
	*state = s;
	return 0;
}

static void sv_on_start(void *state)
{
	struct svs *s = state;
	const struct modinit_host *h = s->host;

	if (s->sock >= 0 && h->fd_watch(h, s->sock, EPOLLIN, sv_socket_readable, s) < 0)
		h->log(h, MODINIT_LOG_ERROR, "cannot watch the notify socket: no service becomes ready");
	sv_progress(s);
}

/* Nothing starts again; the services stop once the main command is gone
 * (it may still be writing what a log shipper ships). */
static void sv_on_shutdown(void *state, int reason)
{
	struct svs *s = state;

	(void)reason;
	s->stopping = true;
	for (size_t i = 0; i < s->n; i++) {
		struct sv *v = &s->svc[i];

		ml_timer_cancel(&v->ready_timer);
		if (v->state == SV_BACKOFF || v->state == SV_WAITING) {
			ml_timer_cancel(&v->timer);
			sv_set(v, SV_DOWN);
		}
	}
	if (s->host->main_pid(s->host) == 0)
		sv_begin_stop(s);
}

static void sv_on_reap(void *state, pid_t pid, int kind, int status)
{
	struct svs *s = state;

	(void)pid;
	(void)status;
	if (kind == MODINIT_REAP_MAIN && s->stopping)
		sv_begin_stop(s);
}

static void sv_fini(void *state)
{
	sv_free(state);
}

static const struct modinit_option sv_fields[] = {
	{ .key = "name", .type = MODINIT_OPT_STRING, .required = true,
	  .help = "the service's name, in log lines and the status" },
	{ .key = "command", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_STRING,
	  .required = true, .help = "the program and its arguments (looked up in PATH)" },
	{ .key = "env", .type = MODINIT_OPT_MAP, .help = "variables added to modinit's environment" },
	{ .key = "cwd", .type = MODINIT_OPT_PATH, .help = "its working directory" },
	{ .key = "user", .type = MODINIT_OPT_STRING,
	  .help = "run as this user (a name from /etc/passwd, or a uid)" },
	{ .key = "restart", .type = MODINIT_OPT_ENUM, .choices = sv_restart_names,
	  .default_value = "on-failure", .help = "when it is started again after it ended" },
	{ .key = "max_restarts", .type = MODINIT_OPT_INT,
	  .help = "at most this many restarts (absent: no limit)" },
	{ .key = "backoff", .type = MODINIT_OPT_DURATION, .default_value = "1s",
	  .help = "the wait before a restart (at least 100ms)" },
	{ .key = "stop_signal", .type = MODINIT_OPT_SIGNAL, .default_value = "SIGTERM",
	  .help = "sent to its process group when the container ends" },
	{ .key = "grace", .type = MODINIT_OPT_DURATION, .default_value = "5s",
	  .help = "then SIGKILL to its process group" },
	{ .key = "required", .type = MODINIT_OPT_BOOL, .default_value = "false",
	  .help = "its end for good (not started again) ends the container" },
	{ .key = "exit_code", .type = MODINIT_OPT_INT,
	  .help = "the container's exit code when this required service ended it (absent: its status)" },
	{ .key = "notify", .type = MODINIT_OPT_BOOL, .default_value = "false",
	  .help = "ready when it sends READY=1 to NOTIFY_SOCKET (else once started)" },
	{ .key = "ready_timeout", .type = MODINIT_OPT_DURATION,
	  .help = "with notify: not ready by then, SIGKILL to its group (a failure)" },
	{ .key = "after_ready", .type = MODINIT_OPT_BOOL, .default_value = "false",
	  .help = "its first start waits until the service before it is ready" },
	{ .key = NULL },
};

static const struct modinit_option sv_opts[] = {
	{ .key = "services", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = sv_fields, .required = true,
	  .help = "the services, started in this order, stopped in reverse" },
	{ .key = "main_after_ready", .type = MODINIT_OPT_BOOL, .default_value = "false",
	  .help = "the main command starts once every service is ready" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(services) = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_LIVE,
	.name = "services",
	.version = PACKAGE_VERSION,
	.description = "sidecar services next to the main command, started in order, stopped in reverse",
	.options = sv_opts,
	.init = sv_init,
	.on_start = sv_on_start,
	.on_shutdown = sv_on_shutdown,
	.fini = sv_fini,
	.on_reap = sv_on_reap,
};
