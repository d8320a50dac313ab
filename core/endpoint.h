/* modinit's HTTP endpoint: GET /healthz and /readyz answer from the health
 * and readiness the modules published, GET /status with the status
 * document. One per run, asked for by a module (endpoint_listen service).
 * It runs on a module's host table (its fd watches and timers), so that a
 * unit test can drive it with a fake host. */
#ifndef MODINIT_ENDPOINT_H
#define MODINIT_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include <modinit/module.h>

/* What the endpoint serves; read at each request. */
struct endpoint_src {
	/* enum modinit_health (0: nobody published yet) and readiness */
	int (*health)(void *arg, bool *ready);
	/* the body of /healthz and /readyz: JSON, or NULL */
	const char *(*detail)(void *arg);
	/* /status: 0 and a malloc'd text, -ENOENT (no document: 404) or
	 * -ENOMEM */
	int (*document)(void *arg, char **text, size_t *len);
	void *arg;
};

struct endpoint;

/* Check addr ("ADDRESS:PORT"), then bind and listen at once, unless dry
 * (then nothing is claimed). 0 and *out, or -errno with a message in err:
 * -EINVAL a malformed address, -EPERM not loopback while !public_ok, or
 * bind's error. */
int endpoint_open(struct endpoint **out, const struct modinit_host *h,
		  const struct endpoint_src *src, const char *addr, bool public_ok, bool dry,
		  char *err, size_t errlen);
/* The loop runs: accept connections. Logs a failure. */
void endpoint_serve(struct endpoint *ep);
/* Shutdown: close every connection, accept no more. Idempotent. */
void endpoint_stop(struct endpoint *ep);
/* Stop, close the socket, free. NULL is fine. */
void endpoint_free(struct endpoint *ep);
/* The address as it was asked for. */
const char *endpoint_addr(const struct endpoint *ep);

#endif
