/* Signalling what modinit answers for: the whole namespace as PID 1, its
 * own descendants otherwise, and never anything outside. The lifecycle
 * (core/lifecycle.c) decides when. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"
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

/* The main command's stop signal goes through the signal pipeline, so that
 * signal-remap's rules (rewrite, delay) apply to it as to a `docker stop`.
 * True when the pipeline aimed it at every process (wait-all-children,
 * target: all): then it is already on its way to the others too. */
bool shutdown_stop_main(struct modinit *m, pid_t main_pid)
{
	struct modinit_signal s = { .signo = m->sd.stop_signal, .target = MODINIT_TARGET_MAIN,
				    .sender = m->self };

	if (main_pid <= 0)
		return false; /* kill(0) would be modinit's own group */
	if (!events_signal(m, &s))
		return s.target == MODINIT_TARGET_ALL;
	if (s.target == MODINIT_TARGET_ALL)
		shutdown_signal_all(m, s.signo);
	else if (kill(s.target == MODINIT_TARGET_GROUP ? -main_pid : main_pid, s.signo) < 0)
		log_msg(LOGL_DEBUG, "stop signal to %d: %s", (int)main_pid, strerror(errno));
	return s.target == MODINIT_TARGET_ALL;
}
