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

static void supervise_forward(struct modinit *m, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	char name[16];

	signal_name(sig, name, sizeof(name));
	/* A signal modinit raised on itself (SIGPIPE from a closed stderr,
	 * SIGXFSZ) is not the user's and must not reach the command. */
	if ((pid_t)si->ssi_pid == m->self && si->ssi_code == SI_USER) {
		log_msg(LOGL_DEBUG, "dropped %s raised by modinit itself", name);
		return;
	}
	if (m->sd.state == SD_RUNNING) {
		pid_t target = m->opts.group ? -m->reaper.main_pid : m->reaper.main_pid;

		if (kill(target, sig) < 0)
			log_msg(LOGL_DEBUG, "forwarding %s to %d: %s", name, (int)target, strerror(errno));
		else
			log_msg(LOGL_DEBUG, "forwarded %s to %s %d", name,
				m->opts.group ? "group" : "pid", (int)m->reaper.main_pid);
		return;
	}
	/* Shutting down: the main command is gone; what is left gets it. */
	if (shutdown_signal_all(m, sig) > 0)
		log_msg(LOGL_DEBUG, "forwarded %s to the remaining processes", name);
}

static void supervise_reap(struct modinit *m)
{
	bool was_running = !m->reaper.main_exited;
	int r = reap_children(&m->reaper);

	if (r < 0)
		log_msg(LOGL_ERROR, "waitpid: %s", strerror(-r));
	if (was_running && m->reaper.main_exited) {
		int status = m->reaper.main_status;
		char name[16];

		if (WIFSIGNALED(status))
			log_msg(LOGL_DEBUG, "main command (pid %d) killed by %s",
				(int)m->reaper.main_pid,
				signal_name(WTERMSIG(status), name, sizeof(name)));
		else
			log_msg(LOGL_DEBUG, "main command (pid %d) exited with %d",
				(int)m->reaper.main_pid, reap_exit_code(status));
		m->exit_code = reap_exit_code(status);
		if (!m->reaper.no_children)
			shutdown_begin(m, "main command exited");
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

int supervise_run(struct modinit *m)
{
	pid_t pid;
	int r, failures = 0;

	r = loop_init(&m->loop);
	if (r < 0) {
		log_msg(LOGL_ERROR, "cannot create the event loop: %s", strerror(-r));
		return EXIT_INTERNAL;
	}
	r = loop_watch_add(&m->loop, m->sigs.sfd, EPOLLIN, supervise_on_signalfd, m);
	if (r == 0)
		r = spawn_command(m->command, &m->sigs, isatty(STDIN_FILENO), &pid);
	if (r < 0) {
		log_msg(LOGL_ERROR, "cannot start '%s': %s", m->command[0], strerror(-r));
		loop_fini(&m->loop);
		return EXIT_INTERNAL;
	}
	m->reaper.main_pid = pid;
	log_msg(LOGL_DEBUG, "started '%s' as pid %d", m->command[0], (int)pid);
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
			loop_fini(&m->loop);
			return EXIT_INTERNAL;
		}
	}
	loop_fini(&m->loop);
	return m->exit_code;
}
