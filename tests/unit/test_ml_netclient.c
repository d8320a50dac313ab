/* modlib netclient.c against real loopback servers, its fd watches driven
 * by poll here and its timeout by the fake host's clock: the exact request,
 * how each answer ends, the timeout, and a stop that reports nothing. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../modules/lib/modlib.h"
#include "fake_host.h"

static struct fake_host fh;
static struct ml_net net;
static char out[65];
static int ndone;
static bool done_ok;
static int done_code;
static char done_error[128];
static int lfd, port;

static void on_done(void *arg, bool ok, int code, const char *error)
{
	assert_ptr_equal(arg, &net);
	assert_int_equal(net.fd, -1); /* closed before the call */
	ndone++;
	done_ok = ok;
	done_code = code;
	snprintf(done_error, sizeof(done_error), "%s", error);
}

static int setup(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	(void)state;
	fake_host_init(&fh, "net");
	ml_net_init(&net, &fh.host, out, sizeof(out) - 1, on_done, &net);
	ndone = 0;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ml_net_stop(&net);
	if (lfd >= 0)
		close(lfd);
	fake_host_free(&fh);
	return 0;
}

static struct ml_endpoint target(const char *path)
{
	struct ml_endpoint ep;
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	assert_int_equal(ml_url_parse(url, &ep), 0);
	return ep;
}

/* One round of the loop: the live watch's callback if its fd is ready
 * within a second. */
static void pump(void)
{
	struct fake_watch *w = fake_watch_of(&fh, net.fd);
	struct pollfd p;

	if (!w)
		return;
	p = (struct pollfd){ .fd = w->fd, .events = (short)w->events };
	assert_true(poll(&p, 1, 1000) >= 0);
	if (p.revents)
		w->cb(w->arg, w->fd, (uint32_t)p.revents);
}

static void pump_until_done(void)
{
	for (int i = 0; i < 50 && ndone == 0; i++)
		pump();
	assert_int_equal(ndone, 1);
}

/* Accept the client once it has sent its whole request (its watch then
 * waits for the answer), and read that request. */
static int serve(char *req, size_t size)
{
	size_t len = 0;
	int c;

	for (int i = 0; i < 10 && !(fake_watch_of(&fh, net.fd)->events & POLLIN); i++)
		pump();
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(c >= 0);
	for (;;) {
		ssize_t n = recv(c, req + len, size - 1 - len, 0);

		if (n <= 0)
			fail_msg("the request ended early: \"%s\"", req);
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			return c;
	}
}

/* A whole HTTP exchange: the answer, then the server closes. */
static void http_answer(const char *answer)
{
	struct ml_endpoint ep = target("/");
	char req[1024];
	int c;

	ndone = 0;
	assert_int_equal(ml_net_start(&net, &ep, true, "ua", 5000), 0);
	c = serve(req, sizeof(req));
	assert_int_equal(send(c, answer, strlen(answer), MSG_NOSIGNAL), (ssize_t)strlen(answer));
	shutdown(c, SHUT_WR);
	pump_until_done();
	close(c);
}

static void test_tcp_connects(void **state)
{
	struct ml_endpoint ep = target("");

	(void)state;
	assert_int_equal(ml_net_start(&net, &ep, false, "ua", 1000), 0);
	assert_int_equal(fake_pending(&fh), 1); /* its timeout */
	pump_until_done();
	assert_true(done_ok);
	assert_int_equal(done_code, 0);
	assert_string_equal(done_error, "");
	assert_int_equal(fake_pending(&fh), 0);
	assert_null(fake_watch_of(&fh, net.fd));
}

static void test_tcp_refused(void **state)
{
	struct ml_endpoint ep = target("");
	int r;

	(void)state;
	close(lfd);
	lfd = -1;
	/* A refusal shows at connect or at the first event: the same words. */
	r = ml_net_start(&net, &ep, false, "ua", 1000);
	if (r == 0) {
		pump_until_done();
		assert_false(done_ok);
		assert_int_equal(done_code, -1);
		assert_string_equal(done_error, "connect: Connection refused");
	} else {
		assert_int_equal(r, -ECONNREFUSED);
		assert_int_equal(net.fd, -1);
		assert_int_equal(fake_pending(&fh), 0);
	}
}

static void test_http_request_and_answers(void **state)
{
	struct ml_endpoint ep = target("/healthz?full=1");
	char req[1024], want[256];
	int c;

	(void)state;
	assert_int_equal(ml_net_start(&net, &ep, true, "modinit-test", 5000), 0);
	c = serve(req, sizeof(req));
	snprintf(want, sizeof(want), "GET /healthz?full=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		 "User-Agent: modinit-test\r\nConnection: close\r\n\r\n", port);
	assert_string_equal(req, want);
	/* Done at the end of the status line, without waiting for the rest. */
	send(c, "HTTP/1.1 204 No Content\r\n", 25, MSG_NOSIGNAL);
	pump_until_done();
	close(c);
	assert_true(done_ok);
	assert_int_equal(done_code, 204);
	assert_string_equal(out, "HTTP/1.1 204 No Content\r\n");

	http_answer("HTTP/1.0 399 Whatever\r\n");
	assert_true(done_ok);
	assert_int_equal(done_code, 399);
	http_answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
	assert_false(done_ok);
	assert_int_equal(done_code, 503);
	assert_string_equal(done_error, "HTTP status 503");
	http_answer("HTTP/1.1 199 Early\r\n");
	assert_false(done_ok);
	assert_string_equal(done_error, "HTTP status 199");
	http_answer("hello\r\n");
	assert_int_equal(done_code, -1);
	assert_string_equal(done_error, "no HTTP status line in the answer");
	http_answer("HTTP/1.1 2"); /* closed before the line ended */
	assert_string_equal(done_error, "no HTTP status line in the answer");
	assert_string_equal(out, "HTTP/1.1 2");
}

/* The answer is kept up to cap bytes: a status line longer than that is
 * no status line. */
static void test_http_cap(void **state)
{
	char line[200];

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "HTTP/1.1 200 ", 13);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	http_answer(line);
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_memory_equal(out, line, sizeof(out) - 1);
	assert_string_equal(done_error, "no HTTP status line in the answer");
}

static void test_timeout_and_stop(void **state)
{
	struct ml_endpoint ep = target("/");
	char req[1024], b;
	int c;

	(void)state;
	assert_int_equal(ml_net_start(&net, &ep, true, "ua", 1500), 0);
	c = serve(req, sizeof(req));
	fake_advance(&fh, 1499);
	assert_int_equal(ndone, 0);
	fake_advance(&fh, 1);
	assert_int_equal(ndone, 1);
	assert_false(done_ok);
	assert_int_equal(done_code, -1);
	assert_string_equal(done_error, "timed out after 1500 ms");
	assert_int_equal(recv(c, &b, 1, 0), 0); /* the client closed its end */
	close(c);

	/* A stop: closed, nothing reported, nothing left armed. */
	assert_int_equal(ml_net_start(&net, &ep, true, "ua", 1500), 0);
	c = serve(req, sizeof(req));
	ml_net_stop(&net);
	assert_int_equal(net.fd, -1);
	assert_int_equal(fake_pending(&fh), 0);
	fake_advance(&fh, 5000);
	assert_int_equal(ndone, 1);
	assert_int_equal(recv(c, &b, 1, 0), 0);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_connects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_request_and_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_and_stop, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
