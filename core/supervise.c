#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "modinit.h"
#include "parse.h"
#include "spawn.h"

/* sigqueue()'s payload (SI_QUEUE, value, sender) reaches the command only if
 * the signal is queued again with that siginfo; kill() would send a bare
 * SI_USER from modinit. */
static int supervise_queue(pid_t pid, int signo, const struct signalfd_siginfo *si)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = signo;
	info.si_code = SI_QUEUE;
	info.si_pid = (pid_t)si->ssi_pid;
	info.si_uid = (uid_t)si->ssi_uid;
	/* The kernel filled ssi_ptr from the whole union: copy it back whole. */
	info.si_value.sival_ptr = (void *)(uintptr_t)si->ssi_ptr;
	if (syscall(SYS_rt_sigqueueinfo, pid, signo, &info) == 0)
		return 0;
	return kill(pid, signo);
}

static void supervise_deliver(struct modinit *m, const struct modinit_signal *s,
			      const struct signalfd_siginfo *si)
{
	pid_t main_pid = m->reaper.main_pid;
	char name[16];
	int r = 0;

	signal_name(s->signo, name, sizeof(name));
	/* Once shutting down the main command is gone: what is left gets it. */
	if (s->target == MODINIT_TARGET_ALL || m->lc.phase >= LC_STOPPING || m->reaper.main_exited) {
		long n = shutdown_signal_all(m, s->signo);

		if (n > 0)
			log_msg(LOGL_DEBUG, "forwarded %s to every remaining process", name);
		return;
	}
	/* A held start: no command yet, and kill(0) would be modinit's group. */
	if (main_pid <= 0) {
		log_msg(LOGL_DEBUG, "%s: no main command yet: not forwarded", name);
		return;
	}
	if (s->target == MODINIT_TARGET_GROUP)
		r = kill(-main_pid, s->signo);
	else if (si->ssi_code == SI_QUEUE)
		r = supervise_queue(main_pid, s->signo, si);
	else
		r = kill(main_pid, s->signo);
	if (r < 0)
		log_msg(LOGL_DEBUG, "forwarding %s to %d: %s", name, (int)main_pid, strerror(errno));
	else
		log_msg(LOGL_DEBUG, "forwarded %s to %s %d", name,
			s->target == MODINIT_TARGET_GROUP ? "group" : "pid", (int)main_pid);
}

/* Raised by modinit itself (SIGPIPE from a closed stderr, SIGXFSZ: SI_USER),
 * or left pending on its thread by the program that exec'd it (exec keeps
 * the pid and pending signals: SI_TKILL from modinit's own pid, e.g. a Go
 * runtime's preemption SIGURG): neither is the user's. */
static bool supervise_own_signal(const struct modinit *m, const struct signalfd_siginfo *si)
{
	char name[16];

	if ((pid_t)si->ssi_pid != m->self || (si->ssi_code != SI_USER && si->ssi_code != SI_TKILL))
		return false;
	signal_name((int)si->ssi_signo, name, sizeof(name));
	if (si->ssi_code == SI_USER)
		log_msg(LOGL_DEBUG, "dropped %s raised by modinit itself", name);
	else
		log_msg(LOGL_DEBUG, "dropped %s left pending by the process that exec'd modinit", name);
	return true;
}

/* dumb-init's job control: once the terminal's stop signals are passed on
 * (as SIGSTOP, by default), modinit stops too, so that the shell that
 * started it sees its job stopped and gives its prompt back. Its SIGCONT
 * (fg) goes on to the command as any other signal. The kernel does not
 * stop a PID 1 for a signal from its own namespace. */
static void supervise_job_stop(struct modinit *m, int signo)
{
	if (!m->opts.job_stop || (signo != SIGTSTP && signo != SIGTTIN && signo != SIGTTOU))
		return;
	if (m->pid1) {
		log_msg(LOGL_DEBUG, "PID 1 cannot be stopped: staying up");
		return;
	}
	log_msg(LOGL_DEBUG, "stopping modinit too, for the terminal's job control");
	kill(m->self, SIGSTOP);
}

static void supervise_forward(struct modinit *m, const struct signalfd_siginfo *si)
{
	struct modinit_signal s = {
		.signo = (int)si->ssi_signo,
		.target = m->opts.group ? MODINIT_TARGET_GROUP : MODINIT_TARGET_MAIN,
		.sender = (pid_t)si->ssi_pid,
	};
	/* Decided on the signal as received: signal-remap may turn the stop
	 * signal into another one (TERM into QUIT for nginx). */
	bool stop = s.signo == m->sd.stop_signal;
	char name[16];
	int verdict;

	if (supervise_own_signal(m, si))
		return;
	verdict = events_signal_verdict(m, &s);
	/* Dropped is as if never received; consumed (held back by a delay,
	 * or acted on) still tells what the user wants. */
	if (verdict != MODINIT_SIGNAL_DROP &&
	    !(stop && lifecycle_stop_signal(&m->lc, signal_name((int)si->ssi_signo, name,
								  sizeof(name)))) &&
	    verdict == MODINIT_SIGNAL_PASS)
		supervise_deliver(m, &s, si);
	/* After the forwarding, dropped or not, as dumb-init does. */
	supervise_job_stop(m, (int)si->ssi_signo);
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

		lifecycle_main_exited(&m->lc);
		events_reap_observe(m, pid, MODINIT_REAP_MAIN, status);
	}
	lifecycle_check_done(&m->lc);
}

/* At most this many signals per wake-up, then reap: draining the whole
 * queue first let a backlog of queued real-time signals (quadratic for the
 * kernel to hand out in some orders) hide the command's exit for seconds.
 * The lowest signal comes out first, so a pending SIGCHLD leads the batch;
 * the level-triggered loop comes back for the rest, timers in between. */
#define SUPERVISE_BATCH 64

static void supervise_on_signalfd(void *arg, int fd, uint32_t events)
{
	struct modinit *m = arg;
	struct signalfd_siginfo si[SUPERVISE_BATCH];
	long n = sig_read_batch(fd, si, SUPERVISE_BATCH);
	bool chld = false;

	(void)events;
	if (n < 0)
		log_msg(LOGL_ERROR, "reading signals: %s", strerror((int)-n));
	for (long i = 0; i < n && m->lc.phase != LC_DONE; i++) {
		if (si[i].ssi_signo == SIGCHLD)
			chld = true;
		else
			supervise_forward(m, &si[i]);
	}
	/* Reap even without a SIGCHLD in this batch: cheap, and it closes the
	 * window where a child died between two reads. */
	if (chld || m->reaper.main_exited)
		supervise_reap(m);
}

/* dumb-init's setsid mode: modinit lets go of its terminal so that the
 * command's new session can take it. A session leader letting go makes the
 * kernel send SIGHUP and SIGCONT to its group (tty_ioctl(4), TIOCNOTTY):
 * they come as sent by modinit itself, so supervise_own_signal drops them
 * and the command never sees them (dumb-init skips the first of each). */
static void supervise_release_tty(void)
{
	if (ioctl(STDIN_FILENO, TIOCNOTTY) == 0)
		log_msg(LOGL_DEBUG, "let go of the terminal for the command's session");
}

/* Once the command runs (in the directory modinit started in), modinit
 * moves to /: a long-lived PID 1 must not keep a volume busy. Restarts and
 * helpers still start in start_dir. */
static void supervise_leave_dir(struct modinit *m)
{
	if (!m->start_dir || m->left_dir)
		return;
	if (chdir("/") < 0) {
		log_msg(LOGL_DEBUG, "cannot change the directory to /: %s", strerror(errno));
		return;
	}
	m->left_dir = true;
}

/* Starts the main command; the lifecycle is in RUNNING already. */
static int supervise_spawn_main(void *ctx, bool restart)
{
	struct modinit *m = ctx;
	struct spawn_main how = { .child = m->opts.child, .tty = isatty(STDIN_FILENO),
				  .dir = m->left_dir ? m->start_dir : NULL, .mods = &m->mstart };
	pid_t pid;
	int r;

	if (how.child == CLI_CHILD_SESSION && how.tty && !restart)
		supervise_release_tty();
	r = spawn_command(m->command, &m->sigs, &how, &pid);
	if (r < 0) {
		log_msg(LOGL_ERROR, "%scannot start '%s': %s", restart ? "restart: " : "",
			m->command[0], strerror(-r));
		return r;
	}
	m->reaper.main_pid = pid;
	m->reaper.main_exited = false;
	log_msg(LOGL_DEBUG, "started '%s' as pid %d", m->command[0], (int)pid);
	supervise_leave_dir(m);
	events_spawn(m, pid);
	return 0;
}

/* The main command's stop signal goes through the signal pipeline, so that
 * signal-remap's rules (rewrite, delay) apply to it as to a `docker stop`.
 * True when the pipeline aimed it at every process (wait-all-children,
 * target: all): then it is already on its way to the others too. */
static bool supervise_stop_main(void *ctx)
{
	struct modinit *m = ctx;
	pid_t main_pid = m->reaper.main_pid;
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

/* end_signal as the command ends (dumb-init's SIGTERM), through the signal
 * pipeline, to what is left of the command's group. Never to the command
 * alone: it is reaped, its pid may be another process's already; a group
 * id is not reused while any member lives. */
static void supervise_end_signal(void *ctx)
{
	struct modinit *m = ctx;
	struct modinit_signal s = { .signo = m->opts.end_signal,
				    .target = m->opts.group ? MODINIT_TARGET_GROUP
							    : MODINIT_TARGET_MAIN,
				    .sender = m->self };
	char name[16];

	if (!s.signo || m->reaper.main_pid <= 0 || !events_signal(m, &s))
		return;
	signal_name(s.signo, name, sizeof(name));
	if (s.target == MODINIT_TARGET_ALL)
		shutdown_signal_all(m, s.signo);
	else if (s.target == MODINIT_TARGET_GROUP && kill(-m->reaper.main_pid, s.signo) == 0)
		log_msg(LOGL_DEBUG, "sent %s to what is left of group %d", name,
			(int)m->reaper.main_pid);
}

static long supervise_signal_all(void *ctx, int sig, bool except_main)
{
	struct modinit *m = ctx;

	if (except_main)
		return shutdown_signal_except(m, m->reaper.main_pid, sig);
	return shutdown_signal_all(m, sig);
}

static void supervise_kill_main(void *ctx)
{
	struct modinit *m = ctx;
	pid_t pid = m->reaper.main_pid;

	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static int supervise_main_exit(void *ctx, int status)
{
	return events_main_exit(ctx, status);
}

static void supervise_on_shutdown(void *ctx, int reason)
{
	events_shutdown(ctx, reason);
}

static int supervise_timer_add(void *ctx, uint64_t delay_ms, void (*cb)(void *), void *arg,
			       uint64_t *id)
{
	return loop_timer_add(&((struct modinit *)ctx)->loop, delay_ms, cb, arg, id);
}

static void supervise_timer_cancel(void *ctx, uint64_t id)
{
	loop_timer_cancel(&((struct modinit *)ctx)->loop, id);
}

static void supervise_stop_holders(void *ctx, char *buf, size_t len)
{
	events_stop_holders(ctx, buf, len);
}

static const struct lifecycle_ops supervise_ops = {
	.spawn_main = supervise_spawn_main,
	.stop_main = supervise_stop_main,
	.signal_all = supervise_signal_all,
	.kill_main = supervise_kill_main,
	.main_exit = supervise_main_exit,
	.on_shutdown = supervise_on_shutdown,
	.timer_add = supervise_timer_add,
	.timer_cancel = supervise_timer_cancel,
	.stop_holders = supervise_stop_holders,
	.end_signal = supervise_end_signal,
};

/* Runs the loop until the lifecycle is DONE. */
static void supervise_loop(struct modinit *m)
{
	int r, failures = 0;

	while (m->lc.phase != LC_DONE) {
		/* What this wake-up changed, written once before the next wait. */
		status_flush(m);
		r = loop_run_once(&m->loop);
		if (r >= 0) {
			failures = 0;
			continue;
		}
		log_msg(LOGL_ERROR, "event loop: %s", strerror(-r));
		/* A loop that cannot wait would spin: end the run cleanly. */
		if (++failures >= 3) {
			shutdown_signal_all(m, SIGKILL);
			lifecycle_fail(&m->lc);
		}
	}
}

int supervise_run(struct modinit *m)
{
	unsigned int start_holds = m->lc.start_holds, stop_holds = m->lc.stop_holds;
	int r;

	lifecycle_init(&m->lc, &supervise_ops, m, &m->reaper, m->sd.stop_signal, m->sd.grace_ms);
	/* The modules took their holds in init, before the lifecycle existed:
	 * a fresh one must keep them, or hold_start and hold_stop do nothing. */
	m->lc.start_holds = start_holds;
	m->lc.stop_holds = stop_holds;
	m->lc.end_with_main = m->opts.end_with_main;
	r = loop_watch_add(&m->loop, m->sigs.sfd, EPOLLIN, supervise_on_signalfd, m);
	/* Fault signals sent by others arrive on the self-pipe, as records of
	 * the same shape: the same callback reads them. */
	if (r == 0)
		r = loop_watch_add(&m->loop, m->sigs.pfd, EPOLLIN, supervise_on_signalfd, m);
	if (r < 0) {
		log_msg(LOGL_ERROR, "cannot start '%s': %s", m->command[0], strerror(-r));
		lifecycle_fail(&m->lc);
		return lifecycle_exit_code(&m->lc);
	}
	lifecycle_starting(&m->lc);
	events_start(m);
	if (lifecycle_spawn_first(&m->lc) == 0)
		supervise_loop(m);
	return lifecycle_exit_code(&m->lc);
}
