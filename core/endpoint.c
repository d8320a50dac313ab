/* modinit's HTTP endpoint (see endpoint.h). At most EP_MAX_CONN clients at
 * a time, each with EP_TIMEOUT_MS to send its request and read the answer:
 * idle or slow clients give way to real probes, and none can hold PID 1. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "endpoint.h"
#include "modules/lib/modlib.h"

#define EP_MAX_CONN 16
#define EP_REQ_MAX 2048
#define EP_TIMEOUT_MS 5000

enum ep_state { EP_READ, EP_WRITE, EP_LINGER };

struct ep_conn {
	struct endpoint *ep;
	int fd;
	enum ep_state state;
	struct ml_timer timer;
	uint64_t seq;           /* accept order: the oldest is evicted first */
	char in[EP_REQ_MAX];
	size_t inlen;
	char *out;
	size_t outlen, outsent;
};

struct endpoint {
	const struct modinit_host *host;
	struct endpoint_src src;
	int fd;
	bool watched;
	char addr[128];
	struct ep_conn conns[EP_MAX_CONN];
	uint64_t accepted;      /* connections accepted so far */
};

static void ep_conn_close(struct ep_conn *k)
{
	const struct modinit_host *h;

	if (k->fd < 0) /* a free slot */
		return;
	h = k->ep->host;
	h->fd_unwatch(h, k->fd);
	close(k->fd);
	ml_timer_cancel(&k->timer);
	free(k->out);
	k->out = NULL;
	k->fd = -1;
}

static void ep_conn_timeout(void *arg)
{
	ep_conn_close(arg);
}

static void ep_conn_event(void *arg, int fd, uint32_t events);

static void ep_conn_rewatch(struct ep_conn *k, uint32_t events)
{
	const struct modinit_host *h = k->ep->host;

	h->fd_unwatch(h, k->fd);
	if (h->fd_watch(h, k->fd, events, ep_conn_event, k) < 0)
		ep_conn_close(k);
}

static void ep_reply(struct ep_conn *k, int code, const char *reason, const char *body)
{
	FILE *f = open_memstream(&k->out, &k->outlen);

	if (!f) {
		ep_conn_close(k);
		return;
	}
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
		code, reason, code == 200 || code == 503 ? "application/json" : "text/plain",
		strlen(body), body);
	if (fclose(f) != 0 || !k->out) {
		ep_conn_close(k);
		return;
	}
	k->state = EP_WRITE;
	k->outsent = 0;
	ep_conn_rewatch(k, EPOLLOUT);
}

/* "METHOD SP TARGET SP HTTP/1.x" with printable ASCII only: 0 and the
 * method and path (query cut off) in place, or -1 for a malformed line. */
static int ep_request_line(char *line, char **method, char **path)
{
	char *sp1 = strchr(line, ' '), *sp2, *q;

	for (const char *p = line; *p; p++)
		if (*p < 0x21 && *p != ' ')
			return -1;
	if (!sp1 || sp1 == line)
		return -1;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || sp2[1] == '\0' || strchr(sp2 + 1, ' '))
		return -1;
	if (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0)
		return -1;
	*sp1 = *sp2 = '\0';
	if (sp1[1] != '/')
		return -1;
	q = strchr(sp1 + 1, '?');
	if (q)
		*q = '\0';
	*method = line;
	*path = sp1 + 1;
	return 0;
}

static void ep_not_found(struct ep_conn *k)
{
	ep_reply(k, 404, "Not Found", "try /healthz, /readyz or /status\n");
}

/* /status: the whole status document, every module's publications. */
static void ep_document(struct ep_conn *k)
{
	const struct endpoint_src *s = &k->ep->src;
	char *doc = NULL;
	size_t len = 0;
	int r = s->document ? s->document(s->arg, &doc, &len) : -ENOENT;

	if (r == -ENOENT)
		ep_not_found(k);
	else if (r < 0 || !doc)
		ep_conn_close(k);
	else
		ep_reply(k, 200, "OK", doc);
	free(doc);
}

/* /healthz: 200 while the container is healthy; /readyz: 200 while it is
 * healthy and ready; else 503. The body is the detail of the module that
 * asked for the endpoint. */
static void ep_health(struct ep_conn *k, bool readyz)
{
	const struct endpoint_src *s = &k->ep->src;
	bool ready = false;
	bool up = s->health(s->arg, &ready) == MODINIT_HEALTH_HEALTHY;
	const char *body = s->detail ? s->detail(s->arg) : NULL;
	char dflt[64];

	if (!body) {
		snprintf(dflt, sizeof(dflt), "{\"healthy\": %s, \"ready\": %s}\n",
			 up ? "true" : "false", up && ready ? "true" : "false");
		body = dflt;
	}
	if (readyz ? up && ready : up)
		ep_reply(k, 200, "OK", body);
	else
		ep_reply(k, 503, "Service Unavailable", body);
}

static void ep_request(struct ep_conn *k)
{
	char *nl = memchr(k->in, '\n', k->inlen), *method, *path;

	*nl = '\0';
	if (nl > k->in && nl[-1] == '\r')
		nl[-1] = '\0';
	if (ep_request_line(k->in, &method, &path) < 0)
		ep_reply(k, 400, "Bad Request", "bad request\n");
	else if (strcmp(method, "GET") != 0)
		ep_reply(k, 405, "Method Not Allowed", "only GET\n");
	else if (strcmp(path, "/status") == 0)
		ep_document(k);
	else if (strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0)
		ep_health(k, path[1] == 'r');
	else
		ep_not_found(k);
}

/* Reading the request: answer once the headers are complete, 400 once the
 * buffer is full without them. */
static void ep_conn_read(struct ep_conn *k)
{
	ssize_t n = recv(k->fd, k->in + k->inlen, sizeof(k->in) - 1 - k->inlen, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ep_conn_close(k);
		return;
	}
	k->inlen += (size_t)n;
	k->in[k->inlen] = '\0';
	if (memmem(k->in, k->inlen, "\r\n\r\n", 4) || memmem(k->in, k->inlen, "\n\n", 2))
		ep_request(k);
	else if (k->inlen == sizeof(k->in) - 1)
		ep_reply(k, 400, "Bad Request", "request too large\n");
}

static void ep_conn_write(struct ep_conn *k)
{
	ssize_t n = send(k->fd, k->out + k->outsent, k->outlen - k->outsent, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		ep_conn_close(k);
		return;
	}
	k->outsent += (size_t)n;
	if (k->outsent < k->outlen)
		return;
	/* Closing with unread input would send a reset that can destroy the
	 * answer before the client reads it: half-close, then drain what the
	 * client still sends until it closes (or the timer). */
	shutdown(k->fd, SHUT_WR);
	k->state = EP_LINGER;
	ep_conn_rewatch(k, EPOLLIN);
}

static void ep_conn_event(void *arg, int fd, uint32_t events)
{
	struct ep_conn *k = arg;
	char sink[512];
	ssize_t n;

	(void)events;
	if (k->state == EP_READ) {
		ep_conn_read(k);
		return;
	}
	if (k->state == EP_WRITE) {
		ep_conn_write(k);
		return;
	}
	/* Lingering: a few reads per wakeup, so that a client that never stops
	 * sending cannot keep the loop here (level-triggered: we come back). */
	for (int i = 0; i < 8; i++) {
		n = recv(fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			ep_conn_close(k);
			return;
		}
		if (n < 0)
			return;
	}
}

/* A free slot, or else the one to give up: the oldest connection whose
 * request is still incomplete (idle or slow clients must not lock real
 * probes out), then the oldest that has its answer and only lingers. One
 * still being answered is kept. NULL if every slot is answering. */
static struct ep_conn *ep_conn_slot(struct endpoint *ep)
{
	struct ep_conn *read = NULL, *linger = NULL;

	for (size_t i = 0; i < EP_MAX_CONN; i++) {
		struct ep_conn *k = &ep->conns[i];

		if (k->fd < 0)
			return k;
		if (k->state == EP_READ && (!read || k->seq < read->seq))
			read = k;
		else if (k->state == EP_LINGER && (!linger || k->seq < linger->seq))
			linger = k;
	}
	if (!read)
		read = linger;
	if (read)
		ep_conn_close(read);
	return read;
}

static void ep_accept(void *arg, int fd, uint32_t events)
{
	struct endpoint *ep = arg;
	const struct modinit_host *h = ep->host;

	(void)events;
	for (int n = 0; n < EP_MAX_CONN; n++) { /* bounded: epoll calls again */
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ep_conn *k;

		if (c < 0)
			return;
		k = ep_conn_slot(ep);
		if (!k) { /* every slot is sending an answer: refuse */
			close(c);
			continue;
		}
		*k = (struct ep_conn){ .ep = ep, .fd = c, .seq = ++ep->accepted };
		ml_timer_init(&k->timer, h, ep_conn_timeout, k);
		if (h->fd_watch(h, c, EPOLLIN, ep_conn_event, k) < 0 ||
		    ml_timer_arm(&k->timer, EP_TIMEOUT_MS) < 0) {
			ep_conn_close(k);
			continue;
		}
		/* A real probe has usually sent its request by now: serve it
		 * before later connections can push it out. */
		ep_conn_read(k);
	}
}

/* bind and listen now, so that a port another program holds is a setup
 * error. No SO_REUSEPORT: it would let a program of the same uid share the
 * port unnoticed and answer half the probes. SO_REUSEADDR only allows a
 * restart over connections in TIME_WAIT; listening at once makes it refuse
 * any other socket bound there later. */
static int ep_bind(const struct sockaddr_storage *ss, socklen_t len)
{
	int one = 1, e, fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) == 0 && listen(fd, EP_MAX_CONN) == 0)
		return fd;
	e = errno;
	close(fd);
	return -e;
}

int endpoint_open(struct endpoint **out, const struct modinit_host *h,
		  const struct endpoint_src *src, const char *addr, bool public_ok, bool dry,
		  char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct endpoint *ep;
	int fd = -1;

	if (!addr || ml_addr_parse(addr, &ss, &len) < 0) {
		snprintf(err, errlen, "expected ADDRESS:PORT like 127.0.0.1:8081, got \"%s\"",
			 addr ? addr : "");
		return -EINVAL;
	}
	if (!public_ok && !ml_addr_is_loopback(&ss)) {
		snprintf(err, errlen, "%s is not a loopback address", addr);
		return -EPERM;
	}
	/* --check-config may run next to the modinit that serves the port. */
	if (!dry && (fd = ep_bind(&ss, len)) < 0) {
		snprintf(err, errlen, "cannot serve %s: %s", addr, strerror(-fd));
		return fd;
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	*ep = (struct endpoint){ .host = h, .src = *src, .fd = fd };
	snprintf(ep->addr, sizeof(ep->addr), "%s", addr);
	for (size_t i = 0; i < EP_MAX_CONN; i++)
		ep->conns[i].fd = -1;
	*out = ep;
	return 0;
}

void endpoint_serve(struct endpoint *ep)
{
	int r;

	if (!ep || ep->fd < 0 || ep->watched)
		return;
	r = ep->host->fd_watch(ep->host, ep->fd, EPOLLIN, ep_accept, ep);
	if (r < 0)
		ep->host->log(ep->host, MODINIT_LOG_ERROR, "cannot serve the health endpoint: %s",
			      strerror(-r));
	ep->watched = r == 0;
}

void endpoint_stop(struct endpoint *ep)
{
	if (!ep)
		return;
	for (size_t i = 0; i < EP_MAX_CONN; i++)
		ep_conn_close(&ep->conns[i]);
	if (ep->watched)
		ep->host->fd_unwatch(ep->host, ep->fd);
	ep->watched = false;
}

void endpoint_free(struct endpoint *ep)
{
	if (!ep)
		return;
	endpoint_stop(ep);
	if (ep->fd >= 0)
		close(ep->fd);
	free(ep);
}

const char *endpoint_addr(const struct endpoint *ep)
{
	return ep->addr;
}
