/* A TCP connect or an HTTP GET that never blocks PID 1: a non-blocking
 * socket driven by the host's fd watch, bounded by a host timer. Enough
 * HTTP for a probe: one request, the answer read up to its status line. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "modlib.h"

static void net_event(void *arg, int fd, uint32_t events);

static void net_close(struct ml_net *n)
{
	ml_timer_cancel(&n->timer);
	ml_fd_close(n->host, &n->fd);
}

static void net_finish(struct ml_net *n, bool ok, int code, const char *error)
{
	net_close(n);
	n->out[n->len] = '\0';
	n->done(n->arg, ok, code, error ? error : "");
}

/* A failed call: "WHAT: strerror(e)". */
static void net_fail(struct ml_net *n, const char *what, int e)
{
	char why[96];

	snprintf(why, sizeof(why), "%s: %s", what, strerror(e));
	net_finish(n, false, -1, why);
}

static void net_timeout(void *arg)
{
	struct ml_net *n = arg;
	char why[64];

	snprintf(why, sizeof(why), "timed out after %llu ms", (unsigned long long)n->timeout_ms);
	net_finish(n, false, -1, why);
}

void ml_net_init(struct ml_net *n, const struct modinit_host *h, char *out, size_t cap,
		 ml_net_cb done, void *arg)
{
	*n = (struct ml_net){ .host = h, .fd = -1, .out = out, .cap = cap, .done = done,
			      .arg = arg };
	ml_timer_init(&n->timer, h, net_timeout, n);
	out[0] = '\0';
}

int ml_net_start(struct ml_net *n, const struct ml_endpoint *ep, bool http,
		 const char *user_agent, uint64_t timeout_ms)
{
	int r, fd = socket(ep->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* On loopback a refused connect often fails at once. */
	if (connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		r = -errno;
		close(fd);
		return r;
	}
	r = n->host->fd_watch(n->host, fd, EPOLLOUT, net_event, n);
	if (r < 0) {
		close(fd);
		return r;
	}
	n->fd = fd;
	n->http = http;
	n->sent = n->len = 0;
	n->out[0] = '\0';
	n->timeout_ms = timeout_ms;
	if (http)
		snprintf(n->req, sizeof(n->req),
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nConnection: close\r\n\r\n",
			 ep->path, ep->host, user_agent);
	else
		n->req[0] = '\0';
	ml_timer_arm(&n->timer, timeout_ms); /* refused: the probe is unbounded */
	return 0;
}

void ml_net_stop(struct ml_net *n)
{
	net_close(n);
}

/* "HTTP/1.x NNN": the status code, 0 for something else, -1 while the
 * line is incomplete. */
static int net_http_status(const char *buf, size_t len)
{
	int code;

	if (!memchr(buf, '\n', len))
		return -1;
	if (sscanf(buf, "HTTP/1.%*[01] %3d", &code) != 1)
		return 0;
	return code;
}

static void net_keep(struct ml_net *n, const char *buf, size_t len)
{
	size_t take = len < n->cap - n->len ? len : n->cap - n->len;

	memcpy(n->out + n->len, buf, take);
	n->len += take;
	n->out[n->len] = '\0';
}

/* Read the answer up to its status line. */
static void net_read(struct ml_net *n)
{
	char buf[1024], why[32];
	ssize_t got;
	int code;

	for (;;) {
		got = recv(n->fd, buf, sizeof(buf), 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (got < 0) {
			net_fail(n, "recv", errno);
			return;
		}
		net_keep(n, buf, (size_t)got);
		code = net_http_status(n->out, n->len);
		/* Done with a complete status line, or when no more can come. */
		if (code >= 0 || got == 0 || n->len == n->cap)
			break;
	}
	if (code <= 0) {
		net_finish(n, false, -1, "no HTTP status line in the answer");
	} else if (code >= 200 && code < 400) {
		net_finish(n, true, code, "");
	} else {
		snprintf(why, sizeof(why), "HTTP status %d", code);
		net_finish(n, false, code, why);
	}
}

/* Send the request, then wait for the answer. */
static void net_send(struct ml_net *n)
{
	size_t len = strlen(n->req);
	ssize_t sent = send(n->fd, n->req + n->sent, len - n->sent, MSG_NOSIGNAL);

	if (sent < 0 && errno != EAGAIN && errno != EINTR) {
		net_fail(n, "send", errno);
		return;
	}
	if (sent > 0)
		n->sent += (size_t)sent;
	if (n->sent == len) {
		n->host->fd_unwatch(n->host, n->fd);
		if (n->host->fd_watch(n->host, n->fd, EPOLLIN, net_event, n) < 0)
			net_finish(n, false, -1, "cannot watch the connection");
	}
}

static void net_event(void *arg, int fd, uint32_t events)
{
	struct ml_net *n = arg;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (n->sent == 0 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			net_fail(n, "connect", soerr);
			return;
		}
		if (!n->http) {
			net_finish(n, true, 0, "");
			return;
		}
	}
	if (n->sent < strlen(n->req))
		net_send(n);
	else
		net_read(n);
}
