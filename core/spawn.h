/* Starting processes: the main command, and helpers for modules. */
#ifndef MODINIT_SPAWN_H
#define MODINIT_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "signals.h"

/* What modules asked for every start of the main command (ABI 1.2:
 * main_setenv, main_pass_fd, main_credentials). Owners are opaque here. */
struct spawn_fd {
	int fd, target;
	const void *owner;
};

struct spawn_creds {
	bool set;
	unsigned int scope; /* enum modinit_creds_scope */
	uid_t uid;
	gid_t gid;
	gid_t *groups;      /* a copy, ngroups of them */
	size_t ngroups;
	bool no_new_privs;
	const void *owner;
};

struct spawn_main {
	char **env;         /* the command's whole environment, NULL-terminated,
			       once a module changed it; NULL: modinit's */
	struct spawn_fd *fds;
	size_t nfds;
	struct spawn_creds creds;
};

/* Set (value) or remove (NULL) key in sm->env, copying modinit's
 * environment first. 0 or -ENOMEM. */
int spawn_main_setenv(struct spawn_main *sm, const char *key, const char *value);
/* fd onto target at every start: -EBUSY when another owner has target
 * (the same owner's earlier fd for it is replaced), -ENOMEM. */
int spawn_main_pass_fd(struct spawn_main *sm, int fd, int target, const void *owner);
void spawn_main_free(struct spawn_main *sm);
/* In the main command's child, or in modinit itself for mode exec: the
 * passed fds, then the ids (setgroups, setgid, setuid, no_new_privs). A
 * step that fails writes "modinit: error: CALL: REASON" and exits 126.
 * *keep_fd (or -1) is moved out of the targets' way first. */
void spawn_main_apply(const struct spawn_main *sm, int *keep_fd);
/* The environment the main command gets. */
char *const *spawn_main_env(const struct spawn_main *sm);

/* Fork and exec argv (PATH search) in its own process group, as the
 * terminal's foreground group when tty_fg, with the inherited signal state
 * and what sm holds (NULL: nothing). An exec failure is logged here, naming
 * the command, and the child exits 127 (not found) or 126 (found but not
 * runnable). Returns 0 and *pid, or -errno if fork failed. */
int spawn_command(char *const argv[], const struct sig_state *sigs, bool tty_fg,
		  const struct spawn_main *sm, pid_t *pid);
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
