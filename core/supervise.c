#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "modinit.h"
#include "parse.h"
#include "spawn.h"

static void supervise_deliver(struct modinit *m, const struct modinit_signal *s)
{
	pid_t main_pid = m->reaper.main_pid;
	char name[16];
	int r = 0;

	signal_name(s->signo, name, sizeof(name));
	/* The stop signal during a restart ends the run instead. */
	if (m->rs.active && s->signo == m->sd.stop_signal) {
		restart_cancel(m);
		log_msg(LOGL_INFO, "%s during a restart: not restarting", name);
		if (m->reaper.main_exited) {
			if (!m->exit_requested)
				m->exit_code = reap_exit_code(m->reaper.main_status);
			events_shutdown(m, MODINIT_SHUTDOWN_MAIN_EXITED);
			shutdown_begin(m, "stop signal during a restart");
			shutdown_check_done(m);
			return;
		}
	}
	/* Once shutting down the main command is gone: what is left gets it. */
	if (s->target == MODINIT_TARGET_ALL || m->sd.state != SD_RUNNING || m->reaper.main_exited) {
		long n = shutdown_signal_all(m, s->signo);

		if (n > 0)
			log_msg(LOGL_DEBUG, "forwarded %s to every remaining process", name);
		return;
	}
	if (s->target == MODINIT_TARGET_GROUP)
		r = kill(-main_pid, s->signo);
	else
		r = kill(main_pid, s->signo);
	if (r < 0)
		log_msg(LOGL_DEBUG, "forwarding %s to %d: %s", name, (int)main_pid, strerror(errno));
	else
		log_msg(LOGL_DEBUG, "forwarded %s to %s %d", name,
			s->target == MODINIT_TARGET_GROUP ? "group" : "pid", (int)main_pid);
}

static void supervise_forward(struct modinit *m, const struct signalfd_siginfo *si)
{
	struct modinit_signal s = {
		.signo = (int)si->ssi_signo,
		.target = m->opts.group ? MODINIT_TARGET_GROUP : MODINIT_TARGET_MAIN,
		.sender = (pid_t)si->ssi_pid,
	};
	char name[16];

	/* A signal modinit raised on itself (SIGPIPE from a closed stderr,
	 * SIGXFSZ) is not the user's and must not reach the command. */
	if ((pid_t)si->ssi_pid == m->self && si->ssi_code == SI_USER) {
		log_msg(LOGL_DEBUG, "dropped %s raised by modinit itself",
			signal_name(s.signo, name, sizeof(name)));
		return;
	}
	if (events_signal(m, &s))
		supervise_deliver(m, &s);
}

static void supervise_log_exit(const struct modinit *m, int status)
{
	char name[16];

	if (WIFSIGNALED(status))
		log_msg(LOGL_DEBUG, "main command (pid %d) killed by %s", (int)m->reaper.main_pid,
			signal_name(WTERMSIG(status), name, sizeof(name)));
	else
		log_msg(LOGL_DEBUG, "main command (pid %d) exited with %d", (int)m->reaper.main_pid,
			reap_exit_code(status));
}

/* The main command ended: the modules (the mode) decide what follows. */
static void supervise_main_exited(struct modinit *m)
{
	int status = m->reaper.main_status;
	int decision;

	supervise_log_exit(m, status);
	if (!m->exit_requested)
		m->exit_code = reap_exit_code(status);
	decision = events_main_exit(m, status);
	if (decision == MODINIT_MAIN_EXIT_WAIT_ALL) {
		m->wait_all = true;
		return;
	}
	/* A module took over: it restarts the command or ends the run. */
	if (decision == MODINIT_MAIN_EXIT_HANDLED)
		return;
	events_shutdown(m, MODINIT_SHUTDOWN_MAIN_EXITED);
	if (!m->reaper.no_children)
		shutdown_begin(m, "main command exited");
}

static void supervise_reap(struct modinit *m)
{
	bool was_running = !m->reaper.main_exited;
	int r = reap_children(&m->reaper);

	if (r < 0)
		log_msg(LOGL_ERROR, "waitpid: %s", strerror(-r));
	if (was_running && m->reaper.main_exited) {
		pid_t pid = m->reaper.main_pid;
		int status = m->reaper.main_status;

		if (m->rs.active)
			restart_main_exited(m);
		else
			supervise_main_exited(m);
		events_reap_observe(m, pid, MODINIT_REAP_MAIN, status);
	}
	shutdown_check_done(m);
}

static void supervise_on_signalfd(void *arg, int fd, uint32_t events)
{
	struct modinit *m = arg;
	struct signalfd_siginfo si;
	bool chld = false;
	int r;

	(void)events;
	while ((r = sig_read(fd, &si)) > 0) {
		if (si.ssi_signo == SIGCHLD)
			chld = true;
		else
			supervise_forward(m, &si);
	}
	if (r < 0)
		log_msg(LOGL_ERROR, "reading signals: %s", strerror(-r));
	/* Reap even without a SIGCHLD in this batch: cheap, and it closes the
	 * window where a child died between two reads. */
	if (chld || m->reaper.main_exited)
		supervise_reap(m);
}

int supervise_spawn_main(struct modinit *m)
{
	pid_t pid;
	int r = spawn_command(m->command, &m->sigs, isatty(STDIN_FILENO), &pid);

	if (r < 0)
		return r;
	m->reaper.main_pid = pid;
	m->reaper.main_exited = false;
	log_msg(LOGL_DEBUG, "started '%s' as pid %d", m->command[0], (int)pid);
	events_spawn(m, pid);
	return 0;
}

int supervise_run(struct modinit *m)
{
	int r, failures = 0;

	r = loop_watch_add(&m->loop, m->sigs.sfd, EPOLLIN, supervise_on_signalfd, m);
	if (r == 0)
		events_start(m);
	if (r == 0)
		r = supervise_spawn_main(m);
	if (r < 0) {
		log_msg(LOGL_ERROR, "cannot start '%s': %s", m->command[0], strerror(-r));
		return EXIT_INTERNAL;
	}
	while (!m->finished) {
		r = loop_run_once(&m->loop);
		if (r >= 0) {
			failures = 0;
			continue;
		}
		log_msg(LOGL_ERROR, "event loop: %s", strerror(-r));
		/* A loop that cannot wait would spin: end the run cleanly. */
		if (++failures >= 3) {
			shutdown_signal_all(m, SIGKILL);
			return EXIT_INTERNAL;
		}
	}
	return m->exit_code;
}
