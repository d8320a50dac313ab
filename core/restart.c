/* Restarting the main command on a module's request (e.g. a failing health
 * check): stop it as a shutdown would, wait, start it again. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "log.h"
#include "modinit.h"

static void restart_grace_over(void *arg)
{
	struct modinit *m = arg;
	pid_t pid = m->reaper.main_pid;

	m->rs.timer = 0;
	if (!m->rs.active || m->rs.waiting || m->reaper.main_exited)
		return;
	log_msg(LOGL_WARN, "restart: main command (pid %d) still running after %llu ms: SIGKILL",
		(int)pid, (unsigned long long)m->sd.grace_ms);
	/* Its whole group: helpers of the old instance must not linger. */
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

int restart_begin(struct modinit *m, uint64_t delay_ms)
{
	int r;

	/* After a stop signal the user wants the container gone: a restart
	 * (say, of a command failing its check on its way out) would undo it. */
	if (m->sd.state != SD_RUNNING || m->rs.active || m->stop_received)
		return -EBUSY;
	m->rs = (struct restart){ .active = true, .delay_ms = delay_ms };
	/* Already gone (a module answered HANDLED to its exit): just wait. */
	if (m->reaper.main_exited) {
		restart_main_exited(m);
		return 0;
	}
	log_msg(LOGL_INFO, "restarting the main command (pid %d)", (int)m->reaper.main_pid);
	shutdown_stop_main(m, m->reaper.main_pid);
	r = loop_timer_add(&m->loop, m->sd.grace_ms, restart_grace_over, m, &m->rs.timer);
	if (r < 0)
		restart_grace_over(m);
	return 0;
}

static void restart_spawn(void *arg)
{
	struct modinit *m = arg;
	int r;

	m->rs.timer = 0;
	if (!restart_pending(m)) {
		/* The run may have been waiting only for this restart. */
		shutdown_check_done(m);
		return;
	}
	m->rs.active = m->rs.waiting = false;
	r = supervise_spawn_main(m);
	if (r == 0)
		return;
	log_msg(LOGL_ERROR, "restart: cannot start '%s': %s", m->command[0], strerror(-r));
	if (!m->exit_requested) {
		m->exit_requested = true;
		m->exit_code = EXIT_INTERNAL;
	}
	events_shutdown(m, MODINIT_SHUTDOWN_FATAL);
	shutdown_begin(m, "restart failed");
	shutdown_check_done(m);
}

void restart_main_exited(struct modinit *m)
{
	int r;

	if (m->rs.timer)
		loop_timer_cancel(&m->loop, m->rs.timer);
	m->rs.waiting = true;
	r = loop_timer_add(&m->loop, m->rs.delay_ms, restart_spawn, m, &m->rs.timer);
	if (r < 0)
		restart_spawn(m);
}

void restart_cancel(struct modinit *m)
{
	if (m->rs.timer)
		loop_timer_cancel(&m->loop, m->rs.timer);
	m->rs = (struct restart){ 0 };
}

bool restart_pending(struct modinit *m)
{
	if (m->rs.active && (m->sd.state != SD_RUNNING || m->stop_received))
		restart_cancel(m);
	return m->rs.active;
}
