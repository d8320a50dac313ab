/* Signal set-up: everything but the synchronous faults is blocked and read
 * from one signalfd; the inherited mask and dispositions are kept for the
 * child. sigaction() appears in this file only. */
#ifndef MODINIT_SIGNALS_H
#define MODINIT_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>

#define SIG_COUNT 65 /* signals 1..64 on Linux */

struct sig_state {
	sigset_t inherited_mask;
	bool inherited_ign[SIG_COUNT];
	int sfd;
	bool pid1; /* for the fault handler's choice of kill(-1) */
};

/* Save the inherited state, block, reset inherited SIG_IGN (so those signals
 * still reach the signalfd and get forwarded), open the signalfd and install
 * the fault handlers. 0 or -errno. */
int sig_setup(struct sig_state *s, bool pid1);
/* In the forked child, before execve: the inherited dispositions and mask. */
void sig_restore_child(const struct sig_state *s);
/* Read one pending signal: 1 and *si filled, 0 if none pending, -errno. */
int sig_read(int sfd, struct signalfd_siginfo *si);
/* The faults that stay unblocked and end modinit with status 70. */
bool sig_is_fault(int sig);

#endif
