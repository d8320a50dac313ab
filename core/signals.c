#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "signals.h"

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

bool sig_is_fault(int sig)
{
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (fault_signals[i] == sig)
			return true;
	return false;
}

static void fault_write(const char *s)
{
	if (write(STDERR_FILENO, s, strlen(s)) < 0) {
		/* nowhere left to report it */
	}
}

/* Async-signal-safe only: write, kill, getdents via proc_kill_descendants_raw. */
static void fault_handler(int sig)
{
	const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS"
			 : sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL"
			 : sig == SIGABRT ? "SIGABRT" : sig == SIGTRAP ? "SIGTRAP" : "SIGSYS";

	fault_write("modinit: error: fatal ");
	fault_write(name);
	fault_write(" inside modinit; killing every process and exiting with 70\n");
	/* kill(-1) only inside our own PID namespace, where we are PID 1. */
	if (getpid() == 1)
		kill(-1, SIGKILL);
	else
		proc_kill_descendants_raw(SIGKILL);
	_exit(70);
}

static int sig_save_inherited(struct sig_state *s)
{
	if (sigprocmask(SIG_SETMASK, NULL, &s->inherited_mask) < 0)
		return -errno;
	for (int sig = 1; sig < SIG_COUNT; sig++) {
		struct sigaction sa;

		s->inherited_ign[sig] = false;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &sa) < 0)
			continue; /* glibc reserves 32 and 33 */
		s->inherited_ign[sig] = sa.sa_handler == SIG_IGN;
	}
	return 0;
}

int sig_setup(struct sig_state *s, bool pid1)
{
	struct sigaction sa;
	sigset_t all;
	int r;

	r = sig_save_inherited(s);
	if (r < 0)
		return r;
	s->pid1 = pid1;
	sigfillset(&all);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		sigdelset(&all, fault_signals[i]);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return -errno;
	/* An ignored signal is discarded even while blocked: reset to default
	 * (harmless, since it stays blocked) so the signalfd sees it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < SIG_COUNT; sig++)
		if (s->inherited_ign[sig] && !sig_is_fault(sig))
			sigaction(sig, &sa, NULL);
	sa.sa_handler = fault_handler;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (sigaction(fault_signals[i], &sa, NULL) < 0)
			return -errno;
	s->sfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sfd < 0)
		return -errno;
	return 0;
}

void sig_restore_child(const struct sig_state *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	for (int sig = 1; sig < SIG_COUNT; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Handlers do not survive execve anyway; only IGN/DFL matter. */
		sa.sa_handler = s->inherited_ign[sig] ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &s->inherited_mask, NULL);
}

int sig_read(int sfd, struct signalfd_siginfo *si)
{
	ssize_t n = read(sfd, si, sizeof(*si));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n != (ssize_t)sizeof(*si))
		return -EIO;
	return 1;
}
