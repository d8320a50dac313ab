#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"
#include "modinit.h"
#include "parse.h"
#include "proc.h"

long shutdown_signal_all(struct modinit *m, int sig)
{
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

/* How often SIGKILL is sent again while anything is left: short, since a
 * sweep only races with forks, and only while killing (never when idle). */
#define SHUTDOWN_SWEEP_MS 50

static void shutdown_resweep(void *arg);

/* KILLING: SIGKILL to everything left, then again on a timer for as long as
 * anything was: a process that forks while a sweep runs leaves children the
 * sweep never saw (as a subreaper the /proc walk is a snapshot), and as
 * orphans they come to us; the run only ends once they are gone too. */
static void shutdown_sweep(struct modinit *m, bool first)
{
	long n = shutdown_signal_all(m, SIGKILL);
	int r;

	/* Once said is enough: the same error would come back every sweep. */
	if (n < 0)
		log_msg(first ? LOGL_ERROR : LOGL_DEBUG, "cannot kill the remaining processes: %s",
			strerror((int)-n));
	else if (n > 0 && first)
		log_msg(LOGL_WARN, "grace period of %llu ms over: sent SIGKILL to the remaining processes",
			(unsigned long long)m->sd.grace_ms);
	else if (n > 0)
		log_msg(LOGL_DEBUG, "sent SIGKILL again to what is left");
	if (n == 0)
		return; /* the last reaps end the run */
	/* After an error too: it may pass (EMFILE, ENOMEM). */
	r = loop_timer_add(&m->loop, SHUTDOWN_SWEEP_MS, shutdown_resweep, m, &m->sd.grace_timer);
	if (r < 0)
		log_msg(LOGL_ERROR, "cannot arm the timer to kill again: %s", strerror(-r));
}

/* In KILLING the grace timer's slot holds the sweep timer: shutdown_check_done
 * cancels it with the run's end. */
static void shutdown_resweep(void *arg)
{
	struct modinit *m = arg;

	m->sd.grace_timer = 0;
	if (m->sd.state == SD_KILLING)
		shutdown_sweep(m, false);
}

static void shutdown_grace_over(void *arg)
{
	struct modinit *m = arg;

	m->sd.grace_timer = 0;
	if (m->sd.state != SD_STOPPING)
		return;
	m->sd.state = SD_KILLING;
	shutdown_sweep(m, true);
}

/* The main command's stop signal goes through the signal pipeline, so that
 * signal-remap's rules (rewrite, delay) apply to it as to a `docker stop`.
 * True when the pipeline aimed it at every process (wait-all-children,
 * target: all): then it is already on its way to the others too. */
bool shutdown_stop_main(struct modinit *m, pid_t main_pid)
{
	struct modinit_signal s = { .signo = m->sd.stop_signal, .target = MODINIT_TARGET_MAIN,
				    .sender = m->self };

	if (!events_signal(m, &s))
		return s.target == MODINIT_TARGET_ALL;
	if (s.target == MODINIT_TARGET_ALL)
		shutdown_signal_all(m, s.signo);
	else if (kill(s.target == MODINIT_TARGET_GROUP ? -main_pid : main_pid, s.signo) < 0)
		log_msg(LOGL_DEBUG, "stop signal to %d: %s", (int)main_pid, strerror(errno));
	return s.target == MODINIT_TARGET_ALL;
}

void shutdown_begin(struct modinit *m, const char *reason)
{
	pid_t main_pid = m->reaper.main_exited ? 0 : m->reaper.main_pid;
	char name[16];
	long n;
	int r;

	if (m->sd.state != SD_RUNNING)
		return;
	m->sd.state = SD_STOPPING;
	if (main_pid) {
		/* Sending the others the stop signal again would make them get
		 * it twice (or the unmapped one after the mapped one). */
		n = shutdown_stop_main(m, main_pid) ? 0
		    : proc_signal_except(m->self, m->pid1, main_pid, m->sd.stop_signal);
	} else {
		n = shutdown_signal_all(m, m->sd.stop_signal);
	}
	if (n < 0)
		log_msg(LOGL_ERROR, "cannot signal the remaining processes: %s", strerror((int)-n));
	else if (n > 0)
		log_msg(LOGL_DEBUG, "%s: sent %s to the remaining processes", reason,
			signal_name(m->sd.stop_signal, name, sizeof(name)));
	r = loop_timer_add(&m->loop, m->sd.grace_ms, shutdown_grace_over, m, &m->sd.grace_timer);
	if (r < 0) {
		/* Without a timer nothing would escalate: escalate now. */
		log_msg(LOGL_ERROR, "cannot arm the grace timer: %s", strerror(-r));
		shutdown_grace_over(m);
	}
}

void shutdown_check_done(struct modinit *m)
{
	if (!m->reaper.main_exited || !m->reaper.no_children)
		return;
	/* Until a shutdown begins, a restart's gap or a module that took the
	 * main exit over keeps the run: the command will be back, or the
	 * module asks for the end. */
	if (m->sd.state == SD_RUNNING && (m->rs.active || m->main_handled))
		return;
	if (m->sd.grace_timer) {
		loop_timer_cancel(&m->loop, m->sd.grace_timer);
		m->sd.grace_timer = 0;
	}
	m->finished = true;
}
