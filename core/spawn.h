/* Starting processes: the main command, and helpers for modules. */
#ifndef MODINIT_SPAWN_H
#define MODINIT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"
#include "signals.h"

struct mainstart;

/* How the main command starts. */
struct spawn_main {
	enum cli_child child; /* its process group or session */
	bool tty;             /* stdin is a terminal: the command's group is
				 made its foreground one (CLI_CHILD_GROUP), or
				 its session takes it if free (CLI_CHILD_SESSION) */
	const char *dir;      /* chdir there first; NULL: modinit's own */
	const struct mainstart *mods; /* what modules asked for (ABI 1.2), or NULL */
};

/* Fork and exec argv (PATH search) as how says, with the inherited signal
 * state and, after the chdir, what how->mods holds (fds, ids, environment).
 * An exec failure is logged here, naming the command, and the child exits
 * 127 (not found) or 126 (found but not runnable); a directory it cannot
 * enter is logged too, and it exits 126.
 * Returns 0 and *pid, or -errno if fork failed. */
int spawn_command(char *const argv[], const struct sig_state *sigs, const struct spawn_main *how,
		  pid_t *pid);
struct modinit_spawn_opts;
/* Fork and exec a module's helper as opts say (see struct modinit_spawn_opts
 * in module.h: group or session, ids, directory, fds, capture, environment;
 * a timeout_ms gives it a group of its own, the caller arms the timer); no
 * terminal, the inherited signal state. A step that fails in the helper
 * writes "modinit: error: WHO: helper 'ARGV0': CALL: REASON" to stderr and
 * exits 126; an exec failure shows as 127/126. With opts->capture the
 * pipe's read end is in *capture_fd. 0 and *pid, or -errno if the pipe or
 * fork failed. */
/* no_new_privs: PR_SET_NO_NEW_PRIVS after the ids (main_credentials with
 * scope helpers). */
int spawn_helper(char *const argv[], const struct modinit_spawn_opts *opts,
		 const struct sig_state *sigs, const char *who, bool no_new_privs, int *capture_fd,
		 pid_t *pid);
/* The exit code an exec errno stands for: 127 for ENOENT/ENOTDIR, else 126. */
int spawn_exec_code(int err);

#endif
