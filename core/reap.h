/* Reaping: the only place in modinit that calls waitpid. */
#ifndef MODINIT_REAP_H
#define MODINIT_REAP_H

#include <stdbool.h>
#include <sys/types.h>

/* Called for every reaped pid that is not the main child. Returns true when
 * the pid was a known helper (its owner was told), false for an orphan. */
typedef bool (*reap_other_cb)(void *arg, pid_t pid, int status);

struct reaper {
	pid_t main_pid;
	bool main_exited;
	int main_status;         /* raw wait status of the main child */
	bool no_children;        /* the last pass ended on ECHILD */
	bool warn_orphans;       /* -w: log every adopted zombie reaped */
	unsigned long orphans;   /* adopted zombies reaped so far */
	reap_other_cb other;
	void *other_arg;
};

/* waitpid(-1, WNOHANG) until 0 or ECHILD. Returns how many were reaped,
 * or -errno on an unexpected waitpid error. */
int reap_children(struct reaper *r);
/* The exit code a wait status stands for: the code, or 128+signal. */
int reap_exit_code(int status);

#endif
