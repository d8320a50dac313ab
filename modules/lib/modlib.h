/* modlib: small helpers that modules share, compiled into each module that
 * uses them (never a shared library, never exported: the modules are built
 * with -fvisibility=hidden, so these symbols stay inside the .so).
 *
 * Everything here follows the module rules of <modinit/module.h>: nothing
 * blocks, no waitpid, no signal handlers; helpers that wait for something
 * do it through the host's timers and fd watches; errors are 0 or -errno.
 *
 *   json.c       JSON strings (UTF-8 checked) and RFC 3339 times
 *   addr.c       numeric ADDRESS:PORT and http:// URLs, the loopback test
 *   timer.c      a one-shot timer that can be cancelled and re-armed
 *   netclient.c  a non-blocking TCP connect or HTTP GET with a timeout
 *   probe.c      a helper process with its output captured and a timeout
 *   action.c     the actions on a failing main command (none, restart,
 *                exit:CODE, signal:SIG) and the restart policy
 *   passwd.c     user and group names from the image's /etc/passwd, /etc/group
 *   sdnotify.c   the receiving side of systemd's notify protocol
 */
#ifndef MODLIB_H
#define MODLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <modinit/module.h>

/* Stop watching *fd and close it; *fd becomes -1. Harmless when it is -1. */
static inline void ml_fd_close(const struct modinit_host *h, int *fd)
{
	if (*fd < 0)
		return;
	h->fd_unwatch(h, *fd);
	close(*fd);
	*fd = -1;
}

/* ---- json.c -------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 if none starts
 * there (overlong forms, surrogates and code points past U+10FFFF are not
 * valid). s must hold a complete sequence or a NUL before its end. */
size_t ml_utf8_len(const unsigned char *s);
/* s as a quoted JSON string; a byte that is not valid UTF-8 becomes U+FFFD. */
void ml_json_str(FILE *f, const char *s);
/* A CLOCK_REALTIME reading in ms as a quoted RFC 3339 UTC time with
 * milliseconds: "2026-01-05T10:00:01.100Z". */
void ml_json_time(FILE *f, int64_t wall_ms);

/* ---- addr.c -------------------------------------------------------- */

/* Where a TCP or HTTP client connects. */
struct ml_endpoint {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char host[160]; /* HOST:PORT as written: an HTTP Host header */
	char path[512]; /* the HTTP request target, "/" when the URL has none */
};

/* "HOST:PORT" or "[V6]:PORT" with a numeric address and port 1 to 65535
 * (no DNS: a name lookup would block). 0 or -EINVAL. */
int ml_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len);
/* 127.0.0.0/8 or ::1. */
bool ml_addr_is_loopback(const struct sockaddr_storage *ss);
/* "http://HOST:PORT[/PATH]" into ep (the path kept with its query; no
 * spaces or line breaks). 0 or -EINVAL. */
int ml_url_parse(const char *url, struct ml_endpoint *ep);

/* ---- timer.c ------------------------------------------------------- */

/* One pending call at most: arming it again replaces the pending call. */
struct ml_timer {
	const struct modinit_host *host;
	uint64_t id; /* the host's timer id; 0 when nothing is pending */
	modinit_timer_cb cb;
	void *arg;
};

void ml_timer_init(struct ml_timer *t, const struct modinit_host *h, modinit_timer_cb cb,
		   void *arg);
/* Cancel what is pending, then call cb(arg) once, delay_ms from now. When
 * the host refuses, nothing is pending. 0 or -errno. */
int ml_timer_arm(struct ml_timer *t, uint64_t delay_ms);
/* Nothing pending afterwards; harmless when nothing was. */
void ml_timer_cancel(struct ml_timer *t);
static inline bool ml_timer_pending(const struct ml_timer *t)
{
	return t->id != 0;
}
/* CLOCK_REALTIME in ms: for timestamps people read, never for timers. */
int64_t ml_wall_ms(void);

/* ---- netclient.c --------------------------------------------------- */

/* How a request ended. ok: connected (TCP), or an HTTP status 200 to 399.
 * code: the HTTP status, 0 for TCP, -1 when there is none. error: "" on
 * success, else one line: "connect: Connection refused", "HTTP status 503",
 * "timed out after 2000 ms"... The connection is closed before the call. */
typedef void (*ml_net_cb)(void *arg, bool ok, int code, const char *error);

struct ml_net {
	const struct modinit_host *host;
	int fd;         /* -1 when no request is under way */
	bool http;
	size_t sent;
	char req[768];
	char *out;      /* the answer's first bytes (HTTP), NUL-terminated */
	size_t cap, len;
	uint64_t timeout_ms;
	struct ml_timer timer;
	ml_net_cb done;
	void *arg;
};

/* out (cap + 1 bytes) receives the first cap bytes of an HTTP answer. */
void ml_net_init(struct ml_net *n, const struct modinit_host *h, char *out, size_t cap,
		 ml_net_cb done, void *arg);
/* Connect to ep without blocking; with http, send "GET ep->path" with
 * user_agent and read the answer up to its status line. done runs once,
 * later (never from here), unless ml_net_stop comes first. 0, or -errno
 * when the request could not start (a refused connect often fails here). */
int ml_net_start(struct ml_net *n, const struct ml_endpoint *ep, bool http,
		 const char *user_agent, uint64_t timeout_ms);
/* Drop the request under way, if any: done is not called. */
void ml_net_stop(struct ml_net *n);

/* ---- probe.c ------------------------------------------------------- */

/* A helper ended: its exit status, or 128 + the signal that killed it, or
 * -1 with timed_out when the timeout killed its process group. */
typedef void (*ml_probe_cb)(void *arg, int code, bool timed_out);

struct ml_probe {
	const struct modinit_host *host;
	pid_t pid;      /* 0 when none runs */
	int fd;         /* our end of its output pipe; -1 when closed */
	char *out;      /* its first cap bytes of stdout and stderr */
	size_t cap, len;
	struct ml_timer timer;
	ml_probe_cb done;
	void *arg;
};

/* out (cap + 1 bytes) receives the first cap bytes of the helper's output. */
void ml_probe_init(struct ml_probe *p, const struct modinit_host *h, char *out, size_t cap,
		   ml_probe_cb done, void *arg);
/* Spawn argv in a process group of its own, stdout and stderr into the
 * host's capture pipe (MODINIT_CAPTURE_STDOUT | _STDERR) read through an fd
 * watch (output past cap is read and dropped, so the helper never blocks
 * on a full pipe); after timeout_ms the whole group gets SIGKILL. done runs
 * once, later, unless ml_probe_stop comes first. 0 or -errno (the spawn
 * failed: nothing runs). */
int ml_probe_start(struct ml_probe *p, char *const argv[], uint64_t timeout_ms);
/* Kill the running helper's group (SIGKILL), stop reading, cancel the
 * timeout: done is not called. Harmless when nothing runs. */
void ml_probe_stop(struct ml_probe *p);

/* ---- passwd.c ------------------------------------------------------ */

/* One entry of ROOT/etc/passwd. */
struct ml_user {
	uid_t uid;
	gid_t gid;
	char name[64];
	char home[256];  /* "/" when the entry has none */
	char shell[256]; /* "" when the entry has none */
};

/* name_or_id: a user name, or a number (then the entry is optional: a uid
 * absent from passwd, or an image without the file, gets gid = uid, home
 * "/", name = the number, shell ""). Reads ROOT/etc/passwd (root "" or
 * NULL for /), no NSS: a static PID 1 has none, and the image's file is
 * what the command sees. A number names an entry by its uid, never by a
 * name made of digits. 0, -ENOENT unknown name, -EINVAL malformed (the
 * argument, the entry asked for, or a field too long for struct ml_user),
 * -errno for the file. Blocking reads: from init only. */
int ml_user_lookup(const char *root, const char *name_or_id, struct ml_user *out);
/* A group name or number -> gid, from ROOT/etc/group (a number is taken as
 * it is, without the file). 0, -ENOENT unknown name, -EINVAL malformed,
 * -errno for the file. */
int ml_group_lookup(const char *root, const char *name_or_id, gid_t *gid);
/* The supplementary groups of user name (every group in ROOT/etc/group
 * that lists it) plus gid, into groups (room for max): gid first, each gid
 * once. An image without the file gives gid alone. The count, or -errno
 * (-ERANGE when max is too small, -EINVAL for a bad name). */
int ml_user_groups(const char *root, const char *name, gid_t gid, gid_t *groups, size_t max);

/* ---- action.c ------------------------------------------------------ */

enum ml_action_kind { ML_ACTION_NONE, ML_ACTION_RESTART, ML_ACTION_EXIT, ML_ACTION_SIGNAL };

/* An action as the config wrote it: none, restart, exit:CODE, signal:SIG. */
struct ml_action {
	enum ml_action_kind kind;
	int arg;       /* EXIT: the code; SIGNAL: the signal */
	char text[32]; /* SIGNAL: the signal as written, for log lines */
};

/* The restart action's policy and its count: at most max restarts, the
 * delay doubling from backoff up to max_backoff, then the container ends
 * with exit_code. Several actions may share one. */
struct ml_restart {
	long max, count, exit_code;
	uint64_t backoff, max_backoff;
};

/* What ml_action_run did. */
enum ml_acted {
	ML_ACTED_NOTHING = 0, /* action none */
	ML_ACTED_SIGNALLED,   /* the signal was sent to the main command */
	ML_ACTED_RESTARTING,  /* restart_main accepted the restart */
	ML_ACTED_ENDING,      /* the container's end was requested */
	ML_ACTED_FAILED,      /* the host refused (logged) */
};

/* v->str (a STRING option; v->node places errors) into a. what names the
 * option in messages ("on_unhealthy"). 0 or -EINVAL with the message. */
int ml_action_parse(const struct modinit_host *h, const struct modinit_value *v,
		    const char *what, struct ml_action *a, char *err, size_t errlen);
/* The schema of the restart section {max, backoff, max_backoff,
 * exit_code}: declare the option MODINIT_OPT_SECTION with these fields. */
extern const struct modinit_option ml_restart_fields[];
/* That section (s NULL when the config has none) into r, defaults 5, 1s,
 * 30s and 1. 0 or -EINVAL with the message. */
int ml_restart_parse(const struct modinit_host *h, const struct modinit_options *s,
		     struct ml_restart *r, char *err, size_t errlen);
/* Take action a (restarts counted in rs) and log it with reason first;
 * an enum ml_acted. */
int ml_action_run(const struct modinit_host *h, const struct ml_action *a, struct ml_restart *rs,
		  const char *reason);

/* ---- sdnotify.c ---------------------------------------------------- */

#define ML_SDN_MSG 4096 /* bytes per message (systemd's limit is the datagram) */
#define ML_SDN_FDS 253  /* SCM_MAX_FD: descriptors a sender may attach */

/* What ml_sdn_recv read. */
enum { ML_SDN_NONE, ML_SDN_TEXT, ML_SDN_LONG, ML_SDN_BINARY };

/* A datagram socket (non-blocking, close-on-exec, SO_PASSCRED on) bound to
 * sa: *sock (-1 or a descriptor the caller closes, also on an error). 0
 * or -errno. */
int ml_sdn_bind(int *sock, const struct sockaddr_un *sa, socklen_t salen);
/* An abstract address "PREFIX-<16 random hex digits>" in sa, and the text
 * NOTIFY_SOCKET gives for it ("@PREFIX-...") in address (len bytes). */
void ml_sdn_abstract(const struct modinit_host *h, const char *prefix, struct sockaddr_un *sa,
		     socklen_t *salen, char *address, size_t len);
/* One datagram from sock into buf (ML_SDN_MSG + 1 bytes), every
 * descriptor attached to it closed: ML_SDN_NONE when none is waiting;
 * else *pid is its sender's (SCM_CREDENTIALS; 0 without) and *len its
 * length, and it is ML_SDN_TEXT (buf holds it, NUL-terminated),
 * ML_SDN_LONG (longer than ML_SDN_MSG) or ML_SDN_BINARY (a NUL inside).
 * -errno on an error. */
int ml_sdn_recv(int sock, char *buf, pid_t *pid, size_t *len);

#endif
