/* modinit's HTTP endpoint through the real host table (core/events.c) and
 * the real loop: endpoint_listen from init only, one per modinit whichever
 * module asks, the address rules and their messages, nothing bound in a dry
 * run; /healthz and /readyz answer from the health and readiness of every
 * module that published (the body is the asking module's detail), /status
 * with the status document; the core stops serving at shutdown. The HTTP
 * details (bad requests, limits, eviction) are tested through healthcheck
 * in test_mod_healthcheck. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "loader.h"
#include "modinit.h"

static const struct modinit_module mod_a = { MODINIT_MODULE_HEADER, .name = "a" };
static const struct modinit_module mod_b = { MODINIT_MODULE_HEADER, .name = "b" };

static struct {
	struct modinit m;
	struct module mods[2];
	const struct modinit_host *a, *b;
	char err[256];
} fx;

static int fx_setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.m.loop.epfd = fx.m.loop.tfd = -1;
	fx.mods[0].desc = &mod_a;
	fx.mods[1].desc = &mod_b;
	events_host_init(&fx.m, &fx.mods[0]);
	events_host_init(&fx.m, &fx.mods[1]);
	fx.m.modules = fx.mods;
	fx.m.module_count = 2;
	fx.m.lc.phase = LC_SETUP;
	fx.a = &fx.mods[0].host;
	fx.b = &fx.mods[1].host;
	return loop_init(&fx.m.loop);
}

static int fx_teardown(void **state)
{
	(void)state;
	events_fini(&fx.m);
	for (size_t i = 0; i < 2; i++) {
		free(fx.mods[i].detail);
		free(fx.mods[i].status);
	}
	loop_fini(&fx.m.loop);
	return 0;
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static bool port_free(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	close(fd);
	return ok;
}

static int listen_on(const struct modinit_host *h, int port, char *addr, size_t len)
{
	snprintf(addr, len, "127.0.0.1:%d", port);
	fx.err[0] = '\0';
	return h->endpoint_listen(h, addr, false, fx.err, sizeof(fx.err));
}

/* Send req, half-close, run the loop until modinit closed: the answer. */
static char *ask(int port, const char *req)
{
	static char buf[8192];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t got = 0;
	ssize_t n;

	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 50; i++) {
		/* Bounded: the connection's own 5 s timer wakes the loop too. */
		assert_true(loop_run_once(&fx.m.loop) >= 0);
		while ((n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT)) > 0)
			got += (size_t)n;
		if (n == 0)
			break;
	}
	assert_int_equal(n, 0);
	buf[got] = '\0';
	close(fd);
	return buf;
}

static const char *body_of(const char *answer)
{
	const char *b = strstr(answer, "\r\n\r\n");

	assert_non_null(b);
	return b + 4;
}

static void test_listen_rules(void **state)
{
	char addr[64], want[128];
	int port = free_port();

	(void)state;
	assert_int_equal(fx.a->endpoint_listen(fx.a, "127.0.0.1", false, fx.err, sizeof(fx.err)),
			 -EINVAL);
	assert_string_equal(fx.err,
			    "expected ADDRESS:PORT like 127.0.0.1:8081, got \"127.0.0.1\"");
	assert_int_equal(fx.a->endpoint_listen(fx.a, "0.0.0.0:8081", false, fx.err, sizeof(fx.err)),
			 -EPERM);
	assert_string_equal(fx.err, "0.0.0.0:8081 is not a loopback address");
	fx.m.lc.phase = LC_RUNNING; /* after init: refused, nothing bound */
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), -EAGAIN);
	assert_string_equal(fx.err, "the endpoint is set up from init only");
	assert_true(port_free(port));
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), 0);
	assert_false(port_free(port)); /* bound and listening before init returns */
	/* One endpoint per modinit, whichever module asks. */
	assert_int_equal(listen_on(fx.b, free_port(), addr, sizeof(addr)), -EBUSY);
	snprintf(want, sizeof(want), "modinit already serves its endpoint (a asked for "
		 "127.0.0.1:%d)", port);
	assert_string_equal(fx.err, want);
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), -EBUSY);
}

/* --check-config: the address is checked, nothing is bound, and a second
 * request is still refused. */
static void test_dry_run(void **state)
{
	char addr[64];
	int port = free_port();

	(void)state;
	fx.m.opts.action = CLI_CHECK_CONFIG;
	assert_int_equal(fx.a->endpoint_listen(fx.a, "10.0.0.1:80", false, fx.err, sizeof(fx.err)),
			 -EPERM);
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), 0);
	assert_true(port_free(port));
	assert_int_equal(listen_on(fx.b, port, addr, sizeof(addr)), -EBUSY);
}

static void test_health_of_every_module(void **state)
{
	char addr[64], *doc;
	int port = free_port();
	size_t len;

	(void)state;
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), 0);
	events_start(&fx.m);
	/* Nobody published: not healthy, a body of its own. */
	assert_string_equal(ask(port, "GET /healthz HTTP/1.1\r\n\r\n"),
			    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
			    "Content-Length: 35\r\nCache-Control: no-store\r\nConnection: close\r\n"
			    "\r\n{\"healthy\": false, \"ready\": false}\n");
	assert_int_equal(fx.a->publish_health(fx.a, MODINIT_HEALTH_HEALTHY, true, "{\"a\": 1}\n"), 0);
	assert_int_equal(fx.b->publish_health(fx.b, MODINIT_HEALTH_STARTING, true, "{\"b\": 1}\n"), 0);
	/* The worst health counts; the body is a's detail. */
	assert_memory_equal(ask(port, "GET /healthz HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 ", 13);
	assert_string_equal(body_of(ask(port, "GET /healthz HTTP/1.1\r\n\r\n")), "{\"a\": 1}\n");
	assert_int_equal(fx.b->publish_health(fx.b, MODINIT_HEALTH_HEALTHY, false, NULL), 0);
	assert_memory_equal(ask(port, "GET /healthz HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK\r\n", 17);
	assert_memory_equal(ask(port, "GET /readyz HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 ", 13);
	assert_int_equal(fx.b->publish_health(fx.b, MODINIT_HEALTH_HEALTHY, true, NULL), 0);
	assert_memory_equal(ask(port, "GET /readyz HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(fx.b->publish_health(fx.b, MODINIT_HEALTH_UNHEALTHY, true, NULL), 0);
	assert_memory_equal(ask(port, "GET /readyz HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 ", 13);
	/* /status: the document, as status_json gives it. */
	doc = fx.a->status_json(fx.a, &len);
	assert_non_null(doc);
	assert_string_equal(body_of(ask(port, "GET /status HTTP/1.1\r\n\r\n")), doc);
	free(doc);
}

/* The container is ending: no connection is served any more. */
static void test_stopped_at_shutdown(void **state)
{
	char addr[64];
	int port = free_port();

	(void)state;
	assert_int_equal(listen_on(fx.a, port, addr, sizeof(addr)), 0);
	events_start(&fx.m);
	assert_memory_equal(ask(port, "GET /healthz HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 ", 13);
	assert_non_null(fx.m.loop.watches);
	events_shutdown(&fx.m, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_null(fx.m.loop.watches);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_listen_rules, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_health_of_every_module, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stopped_at_shutdown, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
