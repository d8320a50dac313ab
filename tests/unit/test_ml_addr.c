/* modlib addr.c: numeric ADDRESS:PORT, http:// URLs, the loopback test. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../modules/lib/modlib.h"

static struct sockaddr_storage ss;
static socklen_t len;

static int parse(const char *text)
{
	memset(&ss, 0, sizeof(ss));
	len = 0;
	return ml_addr_parse(text, &ss, &len);
}

static void test_addr_ok(void **state)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;

	(void)state;
	assert_int_equal(parse("127.0.0.1:8080"), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(v4->sin_port), 8080);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(parse("10.1.2.3:1"), 0);
	assert_int_equal(ntohs(v4->sin_port), 1);
	assert_int_equal(parse("[::1]:65535"), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(v6->sin6_port), 65535);
	assert_true(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
}

static void test_addr_refused(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1", ":80", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:8x", "127.0.0.1: 80", "127.0.0.1:+80", "localhost:80", "[::1]",
		"[]:80", "300.0.0.1:80", "",
		/* inet_aton's short forms and zones are not numeric addresses here */
		"127.1:80", "0x7f.0.0.1:80", "[fe80::1%lo]:80",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i]) != -EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
}

static void test_loopback(void **state)
{
	static const struct {
		const char *addr;
		bool loopback;
	} cases[] = {
		{ "127.0.0.1:1", true },   { "127.255.1.2:1", true }, { "128.0.0.1:1", false },
		{ "0.0.0.0:1", false },    { "10.0.0.1:1", false },   { "[::1]:1", true },
		{ "[::]:1", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].addr), 0);
		if (ml_addr_is_loopback(&ss) != cases[i].loopback)
			fail_msg("%s: loopback should be %d", cases[i].addr, cases[i].loopback);
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_false(ml_addr_is_loopback(&ss));
}

static void test_url(void **state)
{
	struct ml_endpoint ep;
	char longhost[200];

	(void)state;
	assert_int_equal(ml_url_parse("http://127.0.0.1:8080/healthz?full=1", &ep), 0);
	assert_string_equal(ep.host, "127.0.0.1:8080");
	assert_string_equal(ep.path, "/healthz?full=1");
	assert_int_equal(ep.addr.ss_family, AF_INET);
	assert_int_equal(ml_url_parse("http://[::1]:81", &ep), 0);
	assert_string_equal(ep.host, "[::1]:81");
	assert_string_equal(ep.path, "/");
	assert_int_equal(ep.addr.ss_family, AF_INET6);
	assert_int_equal(ml_url_parse("https://127.0.0.1:443/", &ep), -EINVAL);
	assert_int_equal(ml_url_parse("http://127.0.0.1/", &ep), -EINVAL);     /* no port */
	assert_int_equal(ml_url_parse("http://example.com:80/", &ep), -EINVAL);
	assert_int_equal(ml_url_parse("http://127.0.0.1:80/a b", &ep), -EINVAL);
	assert_int_equal(ml_url_parse("http://127.0.0.1:80/a\r\nX: y", &ep), -EINVAL);
	memset(longhost, '1', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	memcpy(longhost, "http://", 7);
	assert_int_equal(ml_url_parse(longhost, &ep), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_ok),
		cmocka_unit_test(test_addr_refused),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
