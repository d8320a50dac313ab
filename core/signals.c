#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "signals.h"
#include "signame.h"

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };

/* What the fault handler needs: a handler gets no argument, so this is
 * file-scope, set once before the handlers are installed. */
static int sig_pipe_wr = -1;         /* write end of the self-pipe */
static pid_t sig_owner;              /* the modinit process (not a forked child) */
static atomic_uint sig_dropped;      /* records lost to a full self-pipe */
/* A stack overflow faults on the stack itself: the handler runs on its own. */
static char sig_altstack[64 * 1024];

bool sig_is_fault(int sig)
{
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (fault_signals[i] == sig)
			return true;
	return false;
}

/* A crash of modinit: the kernel raised it (si_code > 0: a real fault), or
 * modinit sent it to itself (abort()). kill, tkill and sigqueue from any
 * other process cannot forge si_code > 0 (see rt_sigqueueinfo(2)). */
static bool sig_is_crash(const siginfo_t *si)
{
	if (si->si_code > 0)
		return true;
	return (si->si_code == SI_TKILL || si->si_code == SI_USER) && si->si_pid == getpid();
}

/* Async-signal-safe only: one write, kill, getdents via
 * proc_kill_descendants_raw. */
static void sig_fatal(int sig)
{
	/* Every fault signal is in the table; the name stays short. */
	const char *name = signame_abbrev(sig) ? signame_abbrev(sig) : "?";
	static const char head[] = "modinit: error: fatal SIG";
	static const char tail[] = " inside modinit; killing every process and exiting with 70\n";
	char line[sizeof(head) + 8 + sizeof(tail)];
	size_t n = 0;

	/* One write, one line, through the same non-blocking way as the log:
	 * a stalled stderr must not turn a crash into a hang. */
	memcpy(line, head, sizeof(head) - 1);
	n += sizeof(head) - 1;
	memcpy(line + n, name, strlen(name));
	n += strlen(name);
	memcpy(line + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	log_write_raw(line, n);
	/* kill(-1) only inside our own PID namespace, where we are PID 1. */
	if (getpid() == 1)
		kill(-1, SIGKILL);
	else
		proc_kill_descendants_raw(SIGKILL);
	_exit(70);
}

/* Async-signal-safe: one write of a whole record (below PIPE_BUF: atomic). */
static int sig_pipe_put(const struct signalfd_siginfo *ssi)
{
	if (write(sig_pipe_wr, ssi, sizeof(*ssi)) != (ssize_t)sizeof(*ssi)) {
		atomic_fetch_add(&sig_dropped, 1);
		return -EAGAIN;
	}
	return 0;
}

/* A fault signal another process sent: handed to the loop as the signalfd
 * would have, so it goes through the same pipeline and gets forwarded. */
static void sig_queue(const siginfo_t *si)
{
	struct signalfd_siginfo ssi;

	memset(&ssi, 0, sizeof(ssi));
	ssi.ssi_signo = (uint32_t)si->si_signo;
	ssi.ssi_errno = si->si_errno;
	ssi.ssi_code = si->si_code;
	ssi.ssi_pid = (uint32_t)si->si_pid;
	ssi.ssi_uid = (uint32_t)si->si_uid;
	ssi.ssi_int = si->si_int;
	ssi.ssi_ptr = (uint64_t)(uintptr_t)si->si_ptr;
	sig_pipe_put(&ssi);
}

static void sig_fault_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl;
	int saved = errno;

	(void)uc;
	/* A child between fork and execve: the signal is its own; the default
	 * action is what it would get after execve anyway. */
	if (getpid() != sig_owner) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(sig, &dfl, NULL);
		if (!sig_is_crash(si))
			raise(sig);
		errno = saved;
		return;
	}
	if (sig_is_crash(si))
		sig_fatal(sig);
	sig_queue(si);
	errno = saved;
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

static int sig_install_faults(void)
{
	stack_t ss = { .ss_sp = sig_altstack, .ss_size = sizeof(sig_altstack) };
	struct sigaction sa;

	if (sigaltstack(&ss, NULL) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sig_fault_handler;
	/* No SA_RESETHAND: a fault signal sent by others is no reason to lose
	 * the handler. Everything masked while it runs; a real fault inside
	 * it is then fatal by the kernel's default action. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
		if (sigaction(fault_signals[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

int sig_setup_faults(struct sig_state *s)
{
	int pfd[2], r;

	r = sig_save_inherited(s);
	if (r < 0)
		return r;
	/* Non-blocking both ways: the handler never waits, the loop never
	 * waits either. */
	if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	s->pfd = pfd[0];
	sig_pipe_wr = pfd[1];
	sig_owner = getpid();
	return sig_install_faults();
}

int sig_setup(struct sig_state *s, bool pid1)
{
	struct sigaction sa;
	sigset_t all;

	s->pid1 = pid1;
	sigfillset(&all);
	/* A blocked synchronous fault kills with the default action: those stay
	 * unblocked, with the handler sig_setup_faults installed. */
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
	s->sfd = signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sfd < 0)
		return -errno;
	return 0;
}

int sig_inject(int signo, pid_t sender)
{
	struct signalfd_siginfo ssi;

	memset(&ssi, 0, sizeof(ssi));
	ssi.ssi_signo = (uint32_t)signo;
	ssi.ssi_code = SI_USER;
	ssi.ssi_pid = (uint32_t)sender;
	return sig_pipe_put(&ssi);
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

long sig_read_batch(int fd, struct signalfd_siginfo *si, size_t max)
{
	ssize_t n = read(fd, si, max * sizeof(*si));
	unsigned lost;

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	if (n < 0)
		n = 0;
	/* Both fds hand out whole records: a signalfd never splits one, and
	 * the self-pipe's writes are smaller than PIPE_BUF, hence atomic. */
	if (n % (ssize_t)sizeof(*si))
		return -EIO;
	n /= (ssize_t)sizeof(*si);
	/* Drained: the handler has room again, say what it could not keep. */
	if ((size_t)n < max && (lost = atomic_exchange(&sig_dropped, 0)))
		log_msg(LOGL_WARN, "signal pipe full: %u signal%s dropped", lost,
			lost == 1 ? "" : "s");
	return (long)n;
}
