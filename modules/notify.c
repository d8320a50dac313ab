/* notify: the main command says itself when it is ready, and proves it is
 * alive, the way systemd's services and s6's do.
 *
 *   modules:
 *     - name: notify
 *       socket: state            # state | abstract | none: NOTIFY_SOCKET
 *       notification_fd: 3       # s6: a newline on fd 3 means ready
 *       ready_timeout: 30s       # not ready by then: on_ready_timeout
 *       on_ready_timeout: restart
 *       watchdog: 10s            # WATCHDOG=1 at least this often
 *       on_watchdog: restart     # none | restart | exit:CODE | signal:SIG
 *       restart: {max: 5, backoff: 1s, max_backoff: 30s, exit_code: 1}
 *
 * systemd's protocol (sd_notify(3)): a datagram socket whose address the
 * command finds in NOTIFY_SOCKET, one message per datagram, KEY=VALUE
 * lines. Only a sender inside the main command's tree counts: the kernel
 * attaches each sender's credentials (SO_PASSCRED), and modinit walks the
 * process tree from that pid (pid_in_main_tree). s6's protocol
 * (notification-fd): the write end of a pipe on a descriptor the command
 * was told about; a newline there means ready.
 *
 * Nothing here blocks: both descriptors are non-blocking and read through
 * fd watches, at most NT_BURST messages per wake-up and ML_SDN_MSG bytes per
 * message; the only timers are the ready timeout and the watchdog, armed
 * only when configured, so a modinit with nothing due stays asleep. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <modinit/module.h>

#include "lib/descriptor.h"
#include "lib/modlib.h"

#define NT_BURST 8      /* messages read per wake-up: a flood cannot hold PID 1 */
#define NT_TEXT 200     /* STATUS= text kept */

enum nt_socket { NT_SOCK_STATE, NT_SOCK_ABSTRACT, NT_SOCK_NONE };
static const char *const nt_socket_names[] = { "state", "abstract", "none", NULL };

struct nt {
	const struct modinit_host *host;
	int sock;                /* the notify socket; -1 without */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* a state socket's */
	char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 1]; /* NOTIFY_SOCKET */
	int pipe_r, pipe_w;      /* notification_fd: our end, the command's */
	int notification_fd;     /* 0: none */
	uint64_t ready_timeout;  /* 0: none */
	uint64_t watchdog;       /* configured, 0: off */
	uint64_t wd_ms;          /* in force: WATCHDOG_USEC= may change it */
	struct ml_action on_ready_timeout, on_watchdog;
	struct ml_restart restart; /* both actions share it */
	struct ml_timer ready_timer, wd_timer;
	pid_t pid;               /* the main command watched; 0 when none runs */
	bool ready, stopping, late, ended;
	char text[NT_TEXT];      /* the last STATUS= */
	char published[NT_TEXT + 160]; /* what was published last */
};

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

static const char *nt_state(const struct nt *n)
{
	if (!n->pid)
		return "not running";
	if (n->late)
		return "watchdog timeout";
	if (n->stopping)
		return "stopping";
	return n->ready ? "ready" : "starting";
}

/* Starting until the first READY=1, unhealthy while the watchdog went
 * unfed, healthy otherwise; ready only while READY=1 stands. */
static int nt_health(const struct nt *n)
{
	if (n->pid && n->late)
		return MODINIT_HEALTH_UNHEALTHY;
	if (n->pid && (n->ready || n->stopping))
		return MODINIT_HEALTH_HEALTHY;
	return MODINIT_HEALTH_STARTING;
}

static void nt_detail(const struct nt *n, FILE *f)
{
	fprintf(f, "{\"state\": \"%s\", \"ready\": %s, \"pid\": %d, \"status\": ", nt_state(n),
		n->ready ? "true" : "false", (int)n->pid);
	ml_json_str(f, n->text);
	fprintf(f, ", \"watchdog_ms\": %llu, \"restarts\": %ld}\n", (unsigned long long)n->wd_ms,
		n->restart.count);
}

/* Published only when it changes: each change is a rewrite of modinit's
 * status document. */
static void nt_publish(struct nt *n)
{
	const struct modinit_host *h = n->host;
	char line[sizeof(n->published)], *json = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(line, sizeof(line), "%s%s%s (watchdog %llu ms, restarts %ld)", nt_state(n),
		 n->text[0] ? ": " : "", n->text, (unsigned long long)n->wd_ms, n->restart.count);
	if (strcmp(line, n->published) == 0)
		return;
	snprintf(n->published, sizeof(n->published), "%s", line);
	h->publish_status(h, line);
	f = open_memstream(&json, &len);
	if (!f)
		return;
	nt_detail(n, f);
	if (fclose(f) == 0)
		h->publish_health(h, nt_health(n), n->ready, json);
	free(json);
}

/* ------------------------------------------------------------------ */
/* Readiness, watchdog, actions                                        */
/* ------------------------------------------------------------------ */

static void nt_act(struct nt *n, const struct ml_action *a, const char *reason)
{
	if (n->ended)
		return;
	if (ml_action_run(n->host, a, &n->restart, reason) == ML_ACTED_ENDING)
		n->ended = true;
}

static void nt_set_ready(struct nt *n, bool ready, const char *how)
{
	if (ready == n->ready)
		return;
	n->ready = ready;
	if (ready) {
		ml_timer_cancel(&n->ready_timer);
		n->stopping = false;
		n->host->log(n->host, MODINIT_LOG_INFO, "the main command (pid %d) is ready (%s)",
			     (int)n->pid, how);
	}
}

static void nt_ready_timeout(void *arg)
{
	struct nt *n = arg;
	char reason[96];

	if (n->ready || !n->pid)
		return;
	snprintf(reason, sizeof(reason), "the main command is not ready after %llu ms",
		 (unsigned long long)n->ready_timeout);
	if (n->on_ready_timeout.kind == ML_ACTION_NONE)
		n->host->log(n->host, MODINIT_LOG_WARN, "%s", reason);
	nt_act(n, &n->on_ready_timeout, reason);
}

static void nt_watchdog_arm(struct nt *n)
{
	if (n->wd_ms && n->pid && !n->ended && ml_timer_arm(&n->wd_timer, n->wd_ms) < 0)
		n->host->log(n->host, MODINIT_LOG_ERROR, "cannot arm the watchdog timer");
}

static void nt_watchdog_expired(void *arg)
{
	struct nt *n = arg;
	char reason[96];

	if (!n->pid)
		return;
	n->late = true;
	snprintf(reason, sizeof(reason), "watchdog: no WATCHDOG=1 for %llu ms",
		 (unsigned long long)n->wd_ms);
	if (n->on_watchdog.kind == ML_ACTION_NONE)
		n->host->log(n->host, MODINIT_LOG_WARN, "%s", reason);
	nt_publish(n);
	nt_act(n, &n->on_watchdog, reason);
}

static void nt_watchdog_ping(struct nt *n)
{
	if (n->late)
		n->host->log(n->host, MODINIT_LOG_INFO, "watchdog: fed again");
	n->late = false;
	nt_watchdog_arm(n);
}

/* WATCHDOG_USEC=N: the command changes its own interval (sd_notify(3)). */
static void nt_watchdog_usec(struct nt *n, const char *v)
{
	char *end;
	unsigned long long us;

	errno = 0;
	us = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || us == 0) {
		n->host->log(n->host, MODINIT_LOG_DEBUG, "ignored WATCHDOG_USEC=%s", v);
		return;
	}
	n->wd_ms = us / 1000 + (us % 1000 != 0);
	n->host->log(n->host, MODINIT_LOG_INFO, "watchdog: every %llu ms",
		     (unsigned long long)n->wd_ms);
	nt_watchdog_ping(n);
}

/* Printable text only: STATUS= ends up in log lines and the document. */
static void nt_set_text(struct nt *n, const char *v)
{
	size_t i = 0;

	for (; v[i] && i + 1 < sizeof(n->text); i++)
		n->text[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i];
	n->text[i] = '\0';
	n->host->log(n->host, MODINIT_LOG_DEBUG, "status: %s", n->text);
}

/* One KEY=VALUE line of a message from the command's tree. */
static void nt_assignment(struct nt *n, const char *line)
{
	if (strcmp(line, "READY=1") == 0) {
		nt_set_ready(n, true, "READY=1");
	} else if (strncmp(line, "STATUS=", 7) == 0) {
		nt_set_text(n, line + 7);
	} else if (strcmp(line, "STOPPING=1") == 0 || strcmp(line, "RELOADING=1") == 0) {
		nt_set_ready(n, false, NULL);
		n->stopping = line[0] == 'S';
		n->host->log(n->host, MODINIT_LOG_INFO, "the main command is %s",
			     n->stopping ? "stopping" : "reloading");
	} else if (strcmp(line, "WATCHDOG=1") == 0) {
		nt_watchdog_ping(n);
	} else if (strcmp(line, "WATCHDOG=trigger") == 0) {
		if (n->wd_ms)
			nt_watchdog_expired(n);
	} else if (strncmp(line, "WATCHDOG_USEC=", 14) == 0) {
		nt_watchdog_usec(n, line + 14);
	} else if (*line) {
		n->host->log(n->host, MODINIT_LOG_DEBUG, "ignored \"%.60s\"", line);
	}
}

static void nt_message(struct nt *n, char *msg)
{
	for (char *line = msg, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		nt_assignment(n, line);
	}
	nt_publish(n);
}

/* ------------------------------------------------------------------ */
/* The socket                                                          */
/* ------------------------------------------------------------------ */

/* 1 when pid may speak for the main command. */
static bool nt_sender_ok(struct nt *n, pid_t pid)
{
	int r = pid > 0 && n->pid ? n->host->pid_in_main_tree(n->host, pid) : 0;

	if (r != 1)
		n->host->log(n->host, MODINIT_LOG_DEBUG,
			     "ignored a message from pid %d: not in the main command's tree", (int)pid);
	return r == 1;
}

/* One datagram: 1 if one was read, 0 when none is left, -errno. */
static int nt_recv_one(struct nt *n, char *buf)
{
	pid_t pid = 0;
	size_t len = 0;
	int r = ml_sdn_recv(n->sock, buf, &pid, &len);

	if (r == ML_SDN_LONG)
		n->host->log(n->host, MODINIT_LOG_DEBUG,
			     "ignored a message of %zu bytes from pid %d: longer than %d", len,
			     (int)pid, ML_SDN_MSG);
	else if (r == ML_SDN_BINARY)
		n->host->log(n->host, MODINIT_LOG_DEBUG, "ignored a binary message from pid %d",
			     (int)pid);
	else if (r == ML_SDN_TEXT && nt_sender_ok(n, pid))
		nt_message(n, buf);
	return r < 0 ? r : r != ML_SDN_NONE;
}

static void nt_socket_readable(void *arg, int fd, uint32_t events)
{
	struct nt *n = arg;
	char buf[ML_SDN_MSG + 1];
	int r = 1;

	(void)fd;
	(void)events;
	/* Level-triggered: what is left after the burst wakes us again. */
	for (int i = 0; i < NT_BURST && r == 1; i++)
		r = nt_recv_one(n, buf);
	if (r < 0)
		n->host->log(n->host, MODINIT_LOG_WARN, "notify socket: %s", strerror(-r));
}

/* The address to bind, and NOTIFY_SOCKET's text for it. */
static int nt_address(struct nt *n, int mode, struct sockaddr_un *sa, socklen_t *salen)
{
	const char *dir;

	if (mode == NT_SOCK_ABSTRACT) {
		ml_sdn_abstract(n->host, "modinit-notify", sa, salen, n->address,
				sizeof(n->address));
		return 0;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	dir = n->host->state_dir(n->host);
	if (!dir)
		return -ENOENT;
	if ((size_t)snprintf(n->path, sizeof(n->path), "%s/notify", dir) >= sizeof(n->path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, n->path, strlen(n->path));
	*salen = (socklen_t)sizeof(*sa);
	snprintf(n->address, sizeof(n->address), "%s", n->path);
	return 0;
}

/* Bound, credentials on, and writable by the command whatever its user:
 * who may speak is decided by the credentials, not the file mode. */
static int nt_bind(struct nt *n, int mode)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int r = nt_address(n, mode, &sa, &salen);

	if (r < 0)
		return r;
	/* The state directory is modinit's: what is there is a stale socket. */
	if (mode == NT_SOCK_STATE && unlink(n->path) < 0 && errno != ENOENT)
		return -errno;
	r = ml_sdn_bind(&n->sock, &sa, salen);
	if (r < 0) {
		n->path[0] = '\0';
		return r;
	}
	if (mode == NT_SOCK_STATE && chmod(n->path, 0666) < 0)
		return -errno;
	return 0;
}

static int nt_socket(struct nt *n, int mode, const struct modinit_value *v, char *err,
		     size_t errlen)
{
	const struct modinit_host *h = n->host;
	int r;

	if (mode == NT_SOCK_NONE)
		return 0;
	if (h->dry_run(h)) /* a running modinit may own the state socket */
		return 0;
	r = nt_bind(n, mode);
	if (r == -ENAMETOOLONG)
		return h->error_at(h, v->node, err, errlen,
				   "socket: %s/notify is too long for a socket; use socket: abstract",
				   h->state_dir(h));
	if (r < 0)
		return h->error_at(h, v->node, err, errlen, "socket: cannot create %s: %s",
				   n->address[0] ? n->address : "the socket", strerror(-r));
	r = h->main_setenv(h, "NOTIFY_SOCKET", n->address);
	if (r < 0)
		return h->error_at(h, v->node, err, errlen, "socket: %s", strerror(-r));
	return 0;
}

/* ------------------------------------------------------------------ */
/* notification_fd (s6)                                                */
/* ------------------------------------------------------------------ */

/* A newline anywhere means ready; the rest is read and dropped. */
static void nt_pipe_readable(void *arg, int fd, uint32_t events)
{
	struct nt *n = arg;
	char buf[512];
	bool newline = false;
	ssize_t len = 1;

	(void)events;
	for (int i = 0; i < NT_BURST && len > 0; i++) {
		len = read(fd, buf, sizeof(buf));
		if (len > 0 && memchr(buf, '\n', (size_t)len))
			newline = true;
	}
	if (newline && n->pid && !n->ready) {
		nt_set_ready(n, true, "notification_fd");
		nt_publish(n);
	}
}

/* Our end non-blocking, the command's end as programs expect it: blocking.
 * We keep the write end: every restart gets it again, and the read end
 * never sees an end of file. */
static int nt_pipe(struct nt *n, const struct modinit_value *v, char *err, size_t errlen)
{
	const struct modinit_host *h = n->host;
	int fds[2], r;

	if (!n->notification_fd || h->dry_run(h))
		return 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	n->pipe_r = fds[0];
	n->pipe_w = fds[1];
	if (fcntl(n->pipe_r, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	r = h->main_pass_fd(h, n->pipe_w, n->notification_fd);
	if (r == -EBUSY)
		return h->error_at(h, v->node, err, errlen,
				   "notification_fd: another module already passes fd %d",
				   n->notification_fd);
	if (r < 0)
		return h->error_at(h, v->node, err, errlen, "notification_fd: %s", strerror(-r));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Options and hooks                                                   */
/* ------------------------------------------------------------------ */

static void nt_free(struct nt *n)
{
	ml_timer_cancel(&n->ready_timer);
	ml_timer_cancel(&n->wd_timer);
	ml_fd_close(n->host, &n->sock);
	ml_fd_close(n->host, &n->pipe_r);
	if (n->pipe_w >= 0)
		close(n->pipe_w);
	if (n->path[0])
		unlink(n->path);
	free(n);
}

static int nt_actions(struct nt *n, const struct modinit_options *opts, char *err, size_t errlen)
{
	const struct modinit_host *h = n->host;

	if (ml_action_parse(h, modinit_opt(opts, "on_ready_timeout"), "on_ready_timeout",
			    &n->on_ready_timeout, err, errlen) < 0 ||
	    ml_action_parse(h, modinit_opt(opts, "on_watchdog"), "on_watchdog", &n->on_watchdog,
			    err, errlen) < 0 ||
	    ml_restart_parse(h, modinit_opt(opts, "restart")->section, &n->restart, err, errlen) < 0)
		return -EINVAL;
	return 0;
}

/* The 1.2 services this module cannot work without. */
static bool nt_host_ok(const struct modinit_host *h)
{
	return MODINIT_HOST_HAS(h, main_setenv) && MODINIT_HOST_HAS(h, main_pass_fd) &&
	       MODINIT_HOST_HAS(h, pid_in_main_tree);
}

static int nt_options(struct nt *n, const struct modinit_options *opts, char *err, size_t errlen)
{
	const struct modinit_host *h = n->host;
	const struct modinit_value *fd = modinit_opt(opts, "notification_fd");
	const struct modinit_value *sock = modinit_opt(opts, "socket");
	char usec[32];
	int r;

	if (fd->set && (fd->integer < 3 || fd->integer > 1023))
		return h->error_at(h, fd->node, err, errlen,
				   "notification_fd: expected 3 to 1023, got %lld", fd->integer);
	n->notification_fd = fd->set ? (int)fd->integer : 0;
	n->ready_timeout = modinit_opt(opts, "ready_timeout")->ms;
	n->watchdog = n->wd_ms = modinit_opt(opts, "watchdog")->ms;
	if ((r = nt_actions(n, opts, err, errlen)) < 0)
		return r;
	if (sock->index == NT_SOCK_NONE && !n->notification_fd)
		return h->error_at(h, sock->node, err, errlen,
				   "socket: none needs notification_fd: nothing could say ready");
	if (n->watchdog) {
		snprintf(usec, sizeof(usec), "%llu", (unsigned long long)n->watchdog * 1000);
		if ((r = h->main_setenv(h, "WATCHDOG_USEC", usec)) < 0)
			return r;
	}
	if ((r = nt_socket(n, (int)sock->index, sock, err, errlen)) < 0)
		return r;
	return nt_pipe(n, fd, err, errlen);
}

static int nt_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	struct nt *n;
	int r;

	if (!nt_host_ok(host)) {
		snprintf(err, errlen, "this modinit lacks the 1.2 services notify needs");
		return -ENOTSUP;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = (struct nt){ .host = host, .sock = -1, .pipe_r = -1, .pipe_w = -1 };
	ml_timer_init(&n->ready_timer, host, nt_ready_timeout, n);
	ml_timer_init(&n->wd_timer, host, nt_watchdog_expired, n);
	r = nt_options(n, opts, err, errlen);
	if (r < 0) {
		nt_free(n);
		return r;
	}
	*state = n;
	return 0;
}

/* The loop runs from here on: init could open the descriptors, not watch
 * them. */
static void nt_on_start(void *state)
{
	struct nt *n = state;
	const struct modinit_host *h = n->host;

	if (n->sock >= 0 && h->fd_watch(h, n->sock, EPOLLIN, nt_socket_readable, n) < 0)
		h->log(h, MODINIT_LOG_ERROR, "cannot watch the notify socket: messages are lost");
	if (n->pipe_r >= 0 && h->fd_watch(h, n->pipe_r, EPOLLIN, nt_pipe_readable, n) < 0)
		h->log(h, MODINIT_LOG_ERROR, "cannot watch notification_fd: readiness is lost");
}

/* Every start, the first and each restart, begins unready. */
static void nt_on_spawn(void *state, pid_t pid)
{
	struct nt *n = state;

	n->pid = pid;
	n->ready = n->stopping = n->late = false;
	n->text[0] = '\0';
	n->wd_ms = n->watchdog;
	if (n->ready_timeout && !n->ended && ml_timer_arm(&n->ready_timer, n->ready_timeout) < 0)
		n->host->log(n->host, MODINIT_LOG_ERROR, "cannot arm the ready timeout");
	nt_watchdog_arm(n);
	nt_publish(n);
}

static void nt_on_reap(void *state, pid_t pid, int kind, int status)
{
	struct nt *n = state;

	(void)status;
	if (kind != MODINIT_REAP_MAIN || pid != n->pid)
		return;
	n->pid = 0;
	n->ready = false;
	ml_timer_cancel(&n->ready_timer);
	ml_timer_cancel(&n->wd_timer);
	nt_publish(n);
}

static void nt_on_shutdown(void *state, int reason)
{
	struct nt *n = state;

	(void)reason;
	n->ended = true;
	ml_timer_cancel(&n->ready_timer);
	ml_timer_cancel(&n->wd_timer);
	if (n->ready) {
		n->ready = false;
		nt_publish(n);
	}
}

static void nt_fini(void *state)
{
	nt_free(state);
}

static const struct modinit_option nt_opts[] = {
	{ .key = "socket", .type = MODINIT_OPT_ENUM, .choices = nt_socket_names,
	  .default_value = "state",
	  .help = "NOTIFY_SOCKET: state (STATE_DIR/notify), abstract, or none" },
	{ .key = "notification_fd", .type = MODINIT_OPT_INT,
	  .help = "s6 readiness: the command writes a newline on this fd (3 to 1023) when ready" },
	{ .key = "ready_timeout", .type = MODINIT_OPT_DURATION, .default_value = "0s",
	  .help = "not ready this long after a start: on_ready_timeout (0s: no limit)" },
	{ .key = "on_ready_timeout", .type = MODINIT_OPT_STRING, .default_value = "restart",
	  .help = "none, restart, exit:CODE or signal:SIGNAL" },
	{ .key = "watchdog", .type = MODINIT_OPT_DURATION, .default_value = "0s",
	  .help = "WATCHDOG=1 expected at least this often (WATCHDOG_USEC); 0s: off" },
	{ .key = "on_watchdog", .type = MODINIT_OPT_STRING, .default_value = "restart",
	  .help = "none, restart, exit:CODE or signal:SIGNAL, when the watchdog runs out" },
	{ .key = "restart", .type = MODINIT_OPT_SECTION, .fields = ml_restart_fields,
	  .help = "{max: 5, backoff: 1s, max_backoff: 30s, exit_code: 1} for the restart action" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(notify) = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_LIVE,
	.name = "notify",
	.version = PACKAGE_VERSION,
	.description = "readiness and watchdog from the command: NOTIFY_SOCKET and notification_fd",
	.options = nt_opts,
	.init = nt_init,
	.on_start = nt_on_start,
	.on_spawn = nt_on_spawn,
	.on_shutdown = nt_on_shutdown,
	.fini = nt_fini,
	.on_reap = nt_on_reap,
};
