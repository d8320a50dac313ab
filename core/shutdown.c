/* Signalling what modinit answers for: the whole namespace as PID 1, its
 * own descendants otherwise, and never anything outside. The lifecycle
 * (core/lifecycle.c) decides when. */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include "modinit.h"
#include "proc.h"

long shutdown_signal_all(struct modinit *m, int sig)
{
	/* Descendants of pid 0 are every process on the machine. */
	if (m->self <= 0)
		return -EINVAL;
	if (m->pid1) {
		/* PID 1 of its own namespace: kill(-1) reaches everyone else in
		 * it and nothing outside (pid_namespaces(7)). */
		if (kill(-1, sig) == 0)
			return 1;
		return errno == ESRCH ? 0 : -errno;
	}
	/* Never kill(-1) outside our namespace: it would hit the host. */
	return proc_signal_descendants(m->self, sig);
}

long shutdown_signal_except(struct modinit *m, pid_t except, int sig)
{
	if (m->self <= 0)
		return -EINVAL;
	return proc_signal_except(m->self, m->pid1, except, sig);
}
