/* Addresses given in a module's options. Numeric only: a name would need
 * DNS, and a lookup blocks PID 1. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modlib.h"

/* inet_pton, not getaddrinfo: even with AI_NUMERICHOST, getaddrinfo is
 * NSS code, which a static modinit does not have. A "%zone" suffix is not
 * taken (it would need if_nametoindex's interface names). */
static int ml_addr_numeric(const char *h, uint16_t port, struct sockaddr_storage *ss,
			   socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, h, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

int ml_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char buf[160];
	const char *colon = strrchr(text, ':');
	char *h = buf, *end;
	long port;

	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, (size_t)(colon - text));
	buf[colon - text] = '\0';
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	/* Digits only: strtol alone would take " 80" and "+80". */
	port = strtol(colon + 1, &end, 10);
	if (strspn(colon + 1, "0123456789") != strlen(colon + 1) || !colon[1] || *end ||
	    port < 1 || port > 65535)
		return -EINVAL;
	return ml_addr_numeric(h, (uint16_t)port, ss, len);
}

bool ml_addr_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return false;
}

int ml_url_parse(const char *url, struct ml_endpoint *ep)
{
	const char *rest, *slash;
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		return -EINVAL;
	rest = url + 7;
	slash = strchr(rest, '/');
	if (!slash)
		slash = rest + strlen(rest);
	n = (size_t)(slash - rest);
	if (n >= sizeof(ep->host))
		return -EINVAL;
	memcpy(ep->host, rest, n);
	ep->host[n] = '\0';
	if (ml_addr_parse(ep->host, &ep->addr, &ep->addrlen) < 0)
		return -EINVAL;
	if (strlen(*slash ? slash : "/") >= sizeof(ep->path))
		return -EINVAL;
	strcpy(ep->path, *slash ? slash : "/");
	/* The path goes into the request line as it is. */
	if (strpbrk(ep->path, " \r\n"))
		return -EINVAL;
	return 0;
}
