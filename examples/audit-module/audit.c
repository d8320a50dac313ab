/*
 * audit: a modinit module built out of tree against modinit.pc.
 *
 * It appends one JSON object per lifecycle event, one line each, to the
 * file named by its `file` option, and only for the events listed in
 * `events` (all of them by default):
 *
 *   modules:
 *     - path: /usr/local/lib/modinit/audit.so
 *       file: /var/log/modinit-audit.jsonl
 *       events: [spawn, main-exit, reap, exit]
 *
 *   {"time":"2026-01-05T10:00:01.100Z","event":"spawn","pid":2}
 *
 * The file may be a FIFO read by a log shipper. PID 1 must never wait for
 * it, so it is opened O_NONBLOCK and a line that does not fit is dropped
 * and counted instead of waiting: the count is in the "exit" event and in
 * a warning at the end.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <modinit/module.h>

/* In the order of audit_events[]: an event's bit is 1 << its index. */
enum audit_event {
	AUDIT_START,
	AUDIT_SPAWN,
	AUDIT_SIGNAL,
	AUDIT_MAIN_EXIT,
	AUDIT_REAP,
	AUDIT_SHUTDOWN,
	AUDIT_EXIT,
};

static const char *const audit_events[] = {
	"start", "spawn", "signal", "main-exit", "reap", "shutdown", "exit", NULL,
};

struct audit {
	const struct modinit_host *host;
	const char *file; /* the option's text: valid until fini */
	int fd;           /* -1 in a dry run */
	unsigned int mask;
	unsigned long dropped;
};

/* "SIGUSR1"; real-time signals have no abbreviation of their own. */
static void audit_signame(int signo, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(signo);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else if (signo >= SIGRTMIN && signo <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", signo - SIGRTMIN);
	else
		snprintf(buf, len, "%d", signo);
}

/* ",\"code\":3" or ",\"signal\":\"SIGKILL\"": how a process ended. */
static void audit_status(int status, char *buf, size_t len)
{
	char name[24];

	if (WIFSIGNALED(status)) {
		audit_signame(WTERMSIG(status), name, sizeof(name));
		snprintf(buf, len, ",\"signal\":\"%s\"", name);
	} else {
		snprintf(buf, len, ",\"code\":%d", WEXITSTATUS(status));
	}
}

/* UTC with milliseconds, from the host's wall clock. gmtime_r, unlike
 * localtime_r, never reads a time-zone file. */
static void audit_time(const struct modinit_host *h, char *buf, size_t len)
{
	uint64_t ms = h->wall_ms(h);
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&sec, &tm))
		n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(ms % 1000));
}

/* Counts a line that was not written whole. The first one is logged: a
 * line per drop would flood stderr exactly when the reader is stuck. */
static void audit_drop(struct audit *a, int err)
{
	if (a->dropped++ == 0)
		a->host->log(a->host, MODINIT_LOG_WARN,
			     "%s: %s: events are dropped and counted until it can take them",
			     a->file, strerror(err));
}

/*
 * One event, one line, one write(2). Every string in it comes from a fixed
 * table of this file, so nothing needs JSON escaping. The line is far below
 * PIPE_BUF: a pipe takes it whole or, full, refuses it with EAGAIN, and
 * lines from one writer never interleave.
 */
static void audit_emit(struct audit *a, enum audit_event ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void audit_emit(struct audit *a, enum audit_event ev, const char *fmt, ...)
{
	char when[32], line[512];
	va_list ap;
	int n, m;

	if (a->fd < 0 || !(a->mask & (1u << ev)))
		return;
	audit_time(a->host, when, sizeof(when));
	n = snprintf(line, sizeof(line), "{\"time\":\"%s\",\"event\":\"%s\"", when,
		     audit_events[ev]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) > sizeof(line) - 3) {
		audit_drop(a, EOVERFLOW); /* a line cut short is no JSON */
		return;
	}
	n += m;
	line[n++] = '}';
	line[n++] = '\n';
	m = (int)write(a->fd, line, (size_t)n);
	if (m != n)
		audit_drop(a, m < 0 ? errno : EAGAIN);
}

/* The events option: a set of bits. Listing one twice is most likely a
 * typo for another, so it is an error at the item, like the host's own. */
static int audit_mask(struct audit *a, const struct modinit_value *v, char *err, size_t errlen)
{
	for (size_t i = 0; i < v->count; i++) {
		const struct modinit_value *item = modinit_at(v->list, i);
		unsigned int bit = 1u << item->index;

		if (a->mask & bit)
			return a->host->error_at(a->host, item->node, err, errlen,
						 "events: item %zu: \"%s\" is listed twice", i + 1,
						 item->str);
		a->mask |= bit;
	}
	return 0;
}

/* O_NOFOLLOW: PID 1 (root) must not be turned into writing through a
 * link someone planted; O_NONBLOCK: a FIFO without room must not stop it. */
static int audit_open(struct audit *a, char *err, size_t errlen)
{
	a->fd = open(a->file, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW,
		     0600);
	if (a->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s: %s", a->file, strerror(e));
		return -e;
	}
	return 0;
}

static int audit_init(const struct modinit_host *host, const struct modinit_options *opts,
		      void **state, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return -ENOMEM;
	a->host = host;
	a->fd = -1;
	a->file = modinit_opt(opts, "file")->str;
	r = audit_mask(a, modinit_opt(opts, "events"), err, errlen);
	/* --check-config may run next to the real modinit: create nothing. */
	if (r == 0 && !host->dry_run(host))
		r = audit_open(a, err, errlen);
	if (r < 0) {
		free(a);
		return r;
	}
	*state = a;
	return 0;
}

static void audit_start(void *state)
{
	audit_emit(state, AUDIT_START, "%s", "");
}

static void audit_spawn(void *state, pid_t pid)
{
	audit_emit(state, AUDIT_SPAWN, ",\"pid\":%d", (int)pid);
}

static int audit_signal(void *state, struct modinit_signal *sig)
{
	char name[24];

	audit_signame(sig->signo, name, sizeof(name));
	audit_emit(state, AUDIT_SIGNAL, ",\"signal\":\"%s\",\"sender\":%d", name, (int)sig->sender);
	return MODINIT_SIGNAL_PASS;
}

/* on_main_exit has no pid argument: last_main_pid still names the command
 * that ended (main_pid is already 0). */
static int audit_main_exit(void *state, int status)
{
	struct audit *a = state;
	char how[48];

	audit_status(status, how, sizeof(how));
	audit_emit(a, AUDIT_MAIN_EXIT, ",\"pid\":%d%s", (int)a->host->last_main_pid(a->host), how);
	return MODINIT_MAIN_EXIT_DEFAULT;
}

static void audit_reap(void *state, pid_t pid, int kind, int status)
{
	static const char *const kinds[] = { "?", "main", "helper", "orphan" };
	char how[48];

	audit_status(status, how, sizeof(how));
	audit_emit(state, AUDIT_REAP, ",\"pid\":%d,\"kind\":\"%s\"%s", (int)pid,
		   kind >= MODINIT_REAP_MAIN && kind <= MODINIT_REAP_ORPHAN ? kinds[kind] : "?", how);
}

static void audit_shutdown(void *state, int reason)
{
	static const char *const reasons[] = { "?", "main-exited", "requested", "fatal" };

	audit_emit(state, AUDIT_SHUTDOWN, ",\"reason\":\"%s\"",
		   reason >= MODINIT_SHUTDOWN_MAIN_EXITED && reason <= MODINIT_SHUTDOWN_FATAL ?
			   reasons[reason] : "?");
}

static void audit_exit(void *state, int *code)
{
	struct audit *a = state;

	audit_emit(a, AUDIT_EXIT, ",\"code\":%d,\"dropped\":%lu", *code, a->dropped);
}

static void audit_fini(void *state)
{
	struct audit *a = state;

	if (a->dropped)
		a->host->log(a->host, MODINIT_LOG_WARN, "%lu events dropped, not written to %s",
			     a->dropped, a->file);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

static const struct modinit_option audit_options[] = {
	{ .key = "file", .type = MODINIT_OPT_PATH, .required = true,
	  .help = "file the JSON lines are appended to (a FIFO is fine)" },
	{ .key = "events", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_ENUM,
	  .choices = audit_events,
	  .default_value = "start, spawn, signal, main-exit, reap, shutdown, exit",
	  .help = "the events recorded" },
	{ .key = NULL },
};

MODINIT_MODULE_EXPORT const struct modinit_module modinit_module = {
	MODINIT_MODULE_HEADER,
	.name = "audit",
	.version = "1.0",
	.description = "example: one JSON line per lifecycle event",
	.options = audit_options,
	.init = audit_init,
	.on_start = audit_start,
	.on_spawn = audit_spawn,
	.on_signal = audit_signal,
	.on_main_exit = audit_main_exit,
	.on_shutdown = audit_shutdown,
	.on_exit = audit_exit,
	.fini = audit_fini,
	.on_reap = audit_reap,
};
