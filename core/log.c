#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"

/* The only file-scope mutable state in the core (see STYLE.md): the level,
 * and where lines go, which the fault handler needs without an argument. */
static int log_level = LOGL_INFO;

/* How a line reaches stderr without ever waiting for its reader. */
enum log_how {
	LOG_PLAIN,  /* a regular file (or not set up yet): it never stalls */
	LOG_SEND,   /* a socket: send(MSG_DONTWAIT) */
	LOG_NOWAIT, /* pwritev2(RWF_NOWAIT) on the shared description */
	LOG_POLL,   /* last resort: write only when poll() says there is room */
};

static struct {
	int fd;                 /* -1: stderr is closed, lines go nowhere */
	enum log_how how;
	unsigned long dropped;  /* lines lost to a full stderr, not yet reported */
	int reopen_err;         /* why stderr could not be reopened (LOG_NOWAIT) */
	bool fallback_said;     /* the LOG_POLL warning was written */
} log_out = { .fd = STDERR_FILENO, .how = LOG_PLAIN };

/* By enum log_level: the name log lines print, and the short word a config
 * gives (LOG_LEVEL_EXPECTED). */
static const struct {
	const char *name, *word;
} log_levels[] = { { "error", "error" }, { "warning", "warn" }, { "info", "info" },
		   { "debug", "debug" } };

void log_set_level(int level)
{
	if (level < LOGL_ERROR)
		level = LOGL_ERROR;
	if (level > LOGL_DEBUG)
		level = LOGL_DEBUG;
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

const char *log_level_name(int level)
{
	if (level < LOGL_ERROR || level > LOGL_DEBUG)
		return "?";
	return log_levels[level].name;
}

int log_parse_level(const char *s, int *level)
{
	for (int i = 0; i <= LOGL_DEBUG; i++) {
		if (strcmp(s, log_levels[i].word) == 0 || strcmp(s, log_levels[i].name) == 0) {
			*level = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A pipe or terminal: a new open file description of the same file can be
 * O_NONBLOCK without touching the one the command shares with us. */
static int log_reopen(const struct stat *st)
{
	struct stat st2;
	int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st2) < 0 || st2.st_dev != st->st_dev || st2.st_ino != st->st_ino) {
		close(fd);
		return -ENXIO;
	}
	return fd;
}

void log_open(void)
{
	struct stat st;
	int fd;

	if (fstat(STDERR_FILENO, &st) < 0) {
		log_out.fd = -1;
		return;
	}
	if (S_ISREG(st.st_mode))
		return;
	if (S_ISSOCK(st.st_mode)) {
		log_out.how = LOG_SEND;
		return;
	}
	fd = log_reopen(&st);
	if (fd >= 0) {
		log_out.fd = fd;
		return;
	}
	/* e.g. EACCES: a pipe created by another user (a container runtime) */
	log_out.how = LOG_NOWAIT;
	log_out.reopen_err = -fd;
}

/* Async-signal-safe; EAGAIN when the reader is behind. */
static ssize_t log_write_how(const char *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct pollfd pfd = { .fd = log_out.fd, .events = POLLOUT };
	ssize_t n;

	switch (log_out.how) {
	case LOG_SEND:
		return send(log_out.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	case LOG_NOWAIT:
		n = pwritev2(log_out.fd, &iov, 1, -1, RWF_NOWAIT);
		if (n >= 0 || errno != EOPNOTSUPP)
			return n;
		/* The kernel cannot do it for this file: fall back, and say so
		 * (once, by the next line that gets through). */
		log_out.how = LOG_POLL;
		/* fall through */
	case LOG_POLL:
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT)) {
			errno = EAGAIN;
			return -1;
		}
		/* fall through */
	case LOG_PLAIN:
		break;
	}
	return write(log_out.fd, buf, len);
}

int log_write_raw(const char *buf, size_t len)
{
	int saved = errno, r = 0;

	if (log_out.fd < 0)
		return -EBADF;
	if (log_write_how(buf, len) < 0)
		r = -errno;
	errno = saved;
	return r;
}

/* Before the next line: how many were lost while stderr was full. 0 when
 * it got through (or nothing was lost), -EAGAIN when still full. */
static int log_note_dropped(void)
{
	char note[96];
	int n;

	if (!log_out.dropped)
		return 0;
	n = snprintf(note, sizeof(note), "modinit: warning: stderr was full: %lu log lines dropped\n",
		     log_out.dropped);
	if (log_write_raw(note, (size_t)n) == -EAGAIN)
		return -EAGAIN;
	log_out.dropped = 0;
	return 0;
}

/* The fallback is no secret: one line, the first time it is used. */
static void log_note_fallback(void)
{
	char note[160];
	int n;

	if (log_out.how != LOG_POLL || log_out.fallback_said)
		return;
	log_out.fallback_said = true;
	n = snprintf(note, sizeof(note),
		     "modinit: warning: stderr cannot be written without blocking (%s); "
		     "a stalled reader can delay modinit\n", strerror(log_out.reopen_err));
	log_write_raw(note, (size_t)n);
}

/* Never waits: a line that does not fit now is dropped and counted. */
static void log_emit(const char *line, size_t len)
{
	if (log_note_dropped() < 0 || log_write_raw(line, len) == -EAGAIN) {
		log_out.dropped++;
		return;
	}
	log_note_fallback();
}

void log_close(void)
{
	log_note_dropped();
}

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;
	int n;

	if (level > log_level)
		return;
	/* Format into one buffer and write once, so lines from modinit and its
	 * children never interleave mid-line on a shared stderr. */
	n = snprintf(buf, sizeof(buf), "modinit: %s: %s%s", log_level_name(level),
		     prefix ? prefix : "", prefix ? ": " : "");
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(buf))
		vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	n = (int)strlen(buf);
	if (n >= (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	log_emit(buf, (size_t)n);
	errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, NULL, fmt, ap);
	va_end(ap);
}
