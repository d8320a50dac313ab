/* Signal set-up: everything but the synchronous faults is blocked and read
 * from one signalfd. The faults keep a handler: a real fault (or abort())
 * is a crash of modinit, while one sent by another process is written to a
 * self-pipe as a signalfd record, read by the same loop callback. The
 * inherited mask and dispositions are kept for the child. sigaction()
 * appears in this file only. */
#ifndef MODINIT_SIGNALS_H
#define MODINIT_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#define SIG_COUNT 65 /* signals 1..64 on Linux */

struct sig_state {
	sigset_t inherited_mask;
	bool inherited_ign[SIG_COUNT];
	int sfd;   /* the signalfd (-1 before sig_setup) */
	int pfd;   /* read end of the self-pipe (-1 before sig_setup_faults) */
	bool pid1; /* for the fault handler's choice of kill(-1) */
};

/* Save the inherited state, open the self-pipe and install the fault
 * handlers. Before any module code runs (a constructor runs at dlopen).
 * 0 or -errno. */
int sig_setup_faults(struct sig_state *s);
/* Block, reset inherited SIG_IGN (so those signals still reach the
 * signalfd and get forwarded) and open the signalfd. After
 * sig_setup_faults. 0 or -errno. */
int sig_setup(struct sig_state *s, bool pid1);
/* Queue signo as if sender had sent it (SI_USER): the loop reads it from
 * the self-pipe. 0, or -EAGAIN when the pipe is full (dropped, counted). */
int sig_inject(int signo, pid_t sender);
/* In the forked child, before execve: the inherited dispositions and mask. */
void sig_restore_child(const struct sig_state *s);
/* Read up to max records from the signalfd or the self-pipe in one read:
 * how many (0 if none pending), or -errno. Once nothing is pending, logs how
 * many signals a full self-pipe dropped since the last time. */
long sig_read_batch(int fd, struct signalfd_siginfo *si, size_t max);
/* The faults that stay unblocked. */
bool sig_is_fault(int sig);

#endif
