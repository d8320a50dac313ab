/*
 * sidecar: a modinit module built out of tree against modinit.pc.
 *
 * It runs a second command next to the main one (a log shipper, a proxy),
 * starts it again when it ends, per its restart policy, and stops it when
 * the container ends:
 *
 *   modules:
 *     - path: /usr/local/lib/modinit/sidecar.so
 *       command: [/usr/bin/vector, --config, /etc/vector.toml]
 *       restart: on-failure      # always | on-failure | never
 *       backoff: 2s              # wait before starting it again
 *       stop_signal: SIGINT      # sent to its process group at shutdown
 *
 * The module never forks, waits or kills by itself: modinit spawns the
 * command (host->spawn, in a session of its own so that its whole group
 * can be signalled), reaps it and calls back, signals its group on the
 * module's behalf (host->signal_helper), and sends SIGKILL to whatever is
 * still there when the grace period is over.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <modinit/module.h>

/* In the order of sidecar_policies[]: the option's index. */
enum sidecar_restart {
	SIDECAR_ALWAYS,
	SIDECAR_ON_FAILURE,
	SIDECAR_NEVER,
};

static const char *const sidecar_policies[] = { "always", "on-failure", "never", NULL };

struct sidecar {
	const struct modinit_host *host;
	char **argv;         /* the command, NULL-terminated, owned */
	int restart;         /* enum sidecar_restart */
	uint64_t backoff_ms;
	int stop_signal;
	pid_t pid;           /* 0 when not running */
	uint64_t timer;      /* a pending start, 0 for none */
	bool stopping;       /* on_shutdown ran: nothing is started again */
};

static void sidecar_start(struct sidecar *s);

/* "exited with status 1" or "was killed by signal 9 (Killed)". */
static void sidecar_how(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

static void sidecar_timer_fired(void *arg)
{
	struct sidecar *s = arg;

	s->timer = 0;
	sidecar_start(s);
}

/* A start, or a retry after a failed one, backoff_ms from now. */
static void sidecar_schedule(struct sidecar *s)
{
	int r = s->host->timer_add(s->host, s->backoff_ms, sidecar_timer_fired, s, &s->timer);

	if (r < 0) {
		s->timer = 0;
		s->host->log(s->host, MODINIT_LOG_ERROR, "cannot arm the restart timer: %s",
			     strerror(-r));
	}
}

static bool sidecar_wants_restart(const struct sidecar *s, int status)
{
	if (s->restart == SIDECAR_ALWAYS)
		return true;
	if (s->restart == SIDECAR_NEVER)
		return false;
	return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

/* modinit reaped the command. While stopping, that is the end of it;
 * otherwise the policy decides. */
static void sidecar_done(void *arg, pid_t pid, int status)
{
	struct sidecar *s = arg;
	char how[96];

	s->pid = 0;
	sidecar_how(status, how, sizeof(how));
	if (s->stopping) {
		s->host->log(s->host, MODINIT_LOG_INFO, "'%s' (pid %d) %s", s->argv[0], (int)pid, how);
		return;
	}
	if (!sidecar_wants_restart(s, status)) {
		s->host->log(s->host, MODINIT_LOG_WARN, "'%s' (pid %d) %s: not started again (restart: %s)",
			     s->argv[0], (int)pid, how, sidecar_policies[s->restart]);
		s->host->publish_status(s->host, "stopped");
		return;
	}
	s->host->log(s->host, MODINIT_LOG_INFO, "'%s' (pid %d) %s: starting it again in %llu ms",
		     s->argv[0], (int)pid, how, (unsigned long long)s->backoff_ms);
	s->host->publish_status(s->host, "restarting");
	sidecar_schedule(s);
}

/* A session of its own: its process group is its own, so the stop signal
 * reaches what it started too, and a Ctrl-C on modinit's terminal does not. */
static void sidecar_start(struct sidecar *s)
{
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	char status[64];
	int r;

	if (s->stopping)
		return;
	o.new_session = true;
	r = s->host->spawn(s->host, s->argv, &o, sidecar_done, s, &s->pid);
	if (r < 0) {
		s->pid = 0;
		s->host->log(s->host, MODINIT_LOG_ERROR, "cannot start '%s': %s", s->argv[0],
			     strerror(-r));
		if (s->restart != SIDECAR_NEVER && r != -EAGAIN)
			sidecar_schedule(s);
		return;
	}
	snprintf(status, sizeof(status), "running, pid %d", (int)s->pid);
	s->host->publish_status(s->host, status);
}

static void sidecar_on_start(void *state)
{
	sidecar_start(state);
}

/* Called before modinit sends its own stop signal to the helpers: the
 * command gets its own stop signal first, to its whole group. modinit's
 * SIGKILL at the end of the grace period takes care of one that ignores it. */
static void sidecar_shutdown(void *state, int reason)
{
	struct sidecar *s = state;
	int r;

	(void)reason;
	s->stopping = true;
	if (s->timer) {
		s->host->timer_cancel(s->host, s->timer);
		s->timer = 0;
	}
	if (!s->pid)
		return;
	r = s->host->signal_helper(s->host, s->pid, s->stop_signal, true);
	if (r < 0)
		s->host->log(s->host, MODINIT_LOG_WARN, "cannot stop '%s' (pid %d): %s", s->argv[0],
			     (int)s->pid, strerror(-r));
	else
		s->host->publish_status(s->host, "stopping");
}

static void sidecar_free(struct sidecar *s)
{
	for (char **p = s->argv; p && *p; p++)
		free(*p);
	free(s->argv);
	free(s);
}

/* Own copies of the strings: spawn takes char *const[], the options are const. */
static int sidecar_argv(struct sidecar *s, const struct modinit_value *v, char *err, size_t errlen)
{
	if (v->count == 0)
		return s->host->error_at(s->host, v->node, err, errlen,
					 "command: expected at least the program to run");
	s->argv = calloc(v->count + 1, sizeof(*s->argv));
	if (!s->argv)
		return -ENOMEM;
	for (size_t i = 0; i < v->count; i++) {
		s->argv[i] = strdup(modinit_at(v->list, i)->str);
		if (!s->argv[i])
			return -ENOMEM;
	}
	return 0;
}

static int sidecar_init(const struct modinit_host *host, const struct modinit_options *opts,
			void **state, char *err, size_t errlen)
{
	struct sidecar *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->host = host;
	s->restart = (int)modinit_opt(opts, "restart")->index;
	s->backoff_ms = modinit_opt(opts, "backoff")->ms;
	s->stop_signal = modinit_opt(opts, "stop_signal")->signo;
	r = sidecar_argv(s, modinit_opt(opts, "command"), err, errlen);
	if (r < 0) {
		sidecar_free(s);
		return r;
	}
	*state = s;
	return 0;
}

/* Pending timers do not outlive the run, but cancelling costs nothing. */
static void sidecar_fini(void *state)
{
	struct sidecar *s = state;

	if (s->timer)
		s->host->timer_cancel(s->host, s->timer);
	sidecar_free(s);
}

static const struct modinit_option sidecar_options[] = {
	{ .key = "command", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_STRING,
	  .required = true, .help = "the command and its arguments (looked up in PATH)" },
	{ .key = "restart", .type = MODINIT_OPT_ENUM, .choices = sidecar_policies,
	  .default_value = "on-failure", .help = "when it is started again after it ended" },
	{ .key = "backoff", .type = MODINIT_OPT_DURATION, .default_value = "1s",
	  .help = "how long to wait before starting it again" },
	{ .key = "stop_signal", .type = MODINIT_OPT_SIGNAL, .default_value = "SIGTERM",
	  .help = "sent to its process group when the container ends" },
	{ .key = NULL },
};

MODINIT_MODULE_EXPORT const struct modinit_module modinit_module = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_LIVE,
	.name = "sidecar",
	.version = "1.0",
	.description = "example: runs and restarts a second command next to the main one",
	.options = sidecar_options,
	.init = sidecar_init,
	.on_start = sidecar_on_start,
	.on_shutdown = sidecar_shutdown,
	.fini = sidecar_fini,
};
