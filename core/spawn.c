#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <modinit/module.h>

#include "log.h"
#include "mainstart.h"
#include "spawn.h"

int spawn_exec_code(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

/* In the child: its place among the process groups and sessions. */
static void spawn_place(const struct spawn_main *how)
{
	switch (how->child) {
	case CLI_CHILD_SESSION:
		/* Without force (0): a terminal that another session holds is
		 * never stolen, the command then runs without one. */
		if (setsid() >= 0 && how->tty)
			ioctl(STDIN_FILENO, TIOCSCTTY, 0);
		break;
	case CLI_CHILD_SHARED:
		break;
	case CLI_CHILD_GROUP:
	default:
		/* setpgid in the child too: whichever of parent and child runs
		 * first, the group exists before tcsetpgrp and before exec
		 * (tcsetpgrp(3)). */
		setpgid(0, 0);
		/* Still fully blocked here, so the background tcsetpgrp raises no
		 * SIGTTOU; a terminal that is not ours just stays as it was. */
		if (how->tty)
			tcsetpgrp(STDIN_FILENO, getpid());
		break;
	}
}

/* In the child: never returns. The parent reads a failure from errfd:
 * errno of the exec, or minus errno of the chdir. */
static void spawn_child(char *const argv[], const struct sig_state *sigs,
			const struct spawn_main *how, int errfd)
{
	int err;

	spawn_place(how);
	if (how->dir && chdir(how->dir) < 0) {
		err = -errno;
		if (write(errfd, &err, sizeof(err)) < 0) {
			/* the parent then sees EOF and reports nothing more */
		}
		_exit(126);
	}
	/* The modules' fds and ids (main_pass_fd, main_credentials), after the
	 * chdir: a restart enters the directory a first start inherits, whatever
	 * the new ids may enter. */
	mainstart_apply(how->mods, &errfd);
	sig_restore_child(sigs);
	/* Looked up in modinit's PATH, as for helpers. */
	execvpe(argv[0], argv, (char **)mainstart_env(how->mods));
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* the parent then sees EOF and reports nothing more */
	}
	_exit(spawn_exec_code(err));
}

int spawn_command(char *const argv[], const struct sig_state *sigs, const struct spawn_main *how,
		  pid_t *pid)
{
	int pfd[2], err = 0;
	ssize_t n;
	pid_t child;

	/* CLOEXEC pipe: EOF on exec success, an errno on failure. */
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (child == 0) {
		close(pfd[0]);
		spawn_child(argv, sigs, how, pfd[1]);
	}
	close(pfd[1]);
	if (how->child == CLI_CHILD_GROUP)
		setpgid(child, child); /* see spawn_place; EACCES after exec is fine */
	do {
		n = read(pfd[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err) && err < 0)
		log_msg(LOGL_ERROR, "cannot enter '%s' to run '%s': %s", how->dir, argv[0],
			strerror(-err));
	else if (n == (ssize_t)sizeof(err))
		log_msg(LOGL_ERROR, "cannot run '%s': %s", argv[0], strerror(err));
	*pid = child;
	return 0;
}

/* Put fd on target in the child; -1 keeps modinit's own (or /dev/null). */
static void spawn_dup(int fd, int target, bool devnull)
{
	if (fd < 0 && devnull)
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && fd != target)
		dup2(fd, target);
	else if (fd == target)
		fcntl(fd, F_SETFD, 0); /* keep it across exec */
}

/* In the helper: one line naming the step that failed, then 126, the
 * status of "found but could not be run". fd 2 is still modinit's stderr
 * (stdio is set up last), and the line is one write so it cannot
 * interleave with modinit's own. */
static void spawn_fail(const char *who, const char *argv0, const char *call, int err)
{
	char buf[PATH_MAX + 512]; /* a chdir names a whole path */
	int n = snprintf(buf, sizeof(buf), "modinit: error: %s: helper '%s': %s: %s\n", who, argv0,
			 call, strerror(err));

	if (n < 0)
		_exit(126);
	if ((size_t)n >= sizeof(buf)) {
		n = (int)sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
	_exit(126);
}

/* Groups, then gid, then uid: once the uid is dropped the others could no
 * longer be changed. Supplementary groups are always set with the ids, so
 * a dropped helper never keeps modinit's (root's) groups. */
static void spawn_ids(const struct modinit_spawn_opts *o, const char *who, const char *argv0)
{
	char call[64];

	if (!o->set_uid && !o->set_gid)
		return;
	if (setgroups(o->ngroups, o->groups) < 0)
		spawn_fail(who, argv0, "setgroups", errno);
	snprintf(call, sizeof(call), "setresgid(%u)", (unsigned)o->gid);
	if (o->set_gid && setresgid(o->gid, o->gid, o->gid) < 0)
		spawn_fail(who, argv0, call, errno);
	snprintf(call, sizeof(call), "setresuid(%u)", (unsigned)o->uid);
	if (o->set_uid && setresuid(o->uid, o->uid, o->uid) < 0)
		spawn_fail(who, argv0, call, errno);
}

static bool spawn_same_key(const char *a, const char *b)
{
	while (*a && *a != '=' && *a == *b) {
		a++;
		b++;
	}
	return *a == '=' && *b == '=';
}

/* The helper's environment: env added to modinit's (replacing the same
 * keys), or env alone. In the child, so the array is never freed. */
static char *const *spawn_env(const struct modinit_spawn_opts *o, const char *who,
			      const char *argv0)
{
	size_t n = 0, k = 0, add = 0;
	char **out;

	if (!o->env || o->env_replace)
		return o->env ? o->env : environ;
	while (environ[n])
		n++;
	while (o->env[add])
		add++;
	out = calloc(n + add + 1, sizeof(*out));
	if (!out)
		spawn_fail(who, argv0, "environment", ENOMEM);
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;

		for (size_t j = 0; j < add && !replaced; j++)
			replaced = spawn_same_key(environ[i], o->env[j]);
		if (!replaced)
			out[k++] = environ[i];
	}
	for (size_t j = 0; j < add; j++)
		out[k++] = o->env[j];
	return out;
}

/* In the helper: never returns. The order is the header's (module.h). */
static void spawn_helper_child(char *const argv[], const struct modinit_spawn_opts *o,
			       const struct sig_state *sigs, const char *who, bool nnp,
			       int capture_wr)
{
	char *const *envp;
	char call[PATH_MAX + 8];
	int err;

	if (o->new_session && setsid() < 0)
		spawn_fail(who, argv[0], "setsid", errno);
	else if (!o->new_session && (o->new_group || o->timeout_ms))
		setpgid(0, 0);
	spawn_ids(o, who, argv[0]);
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		spawn_fail(who, argv[0], "prctl(PR_SET_NO_NEW_PRIVS)", errno);
	snprintf(call, sizeof(call), "chdir(%s)", o->cwd ? o->cwd : "");
	if (o->cwd && chdir(o->cwd) < 0)
		spawn_fail(who, argv[0], call, errno);
	spawn_dup(o->stdin_fd, STDIN_FILENO, true);
	spawn_dup(o->capture & MODINIT_CAPTURE_STDOUT ? capture_wr : o->stdout_fd, STDOUT_FILENO,
		  false);
	spawn_dup(o->capture & MODINIT_CAPTURE_STDERR ? capture_wr : o->stderr_fd, STDERR_FILENO,
		  false);
	sig_restore_child(sigs);
	/* execvpe looks the command up in modinit's own PATH, whatever the
	 * helper's environment says. */
	envp = spawn_env(o, who, argv[0]);
	execvpe(argv[0], argv, envp);
	err = errno;
	/* Freed so that a leak checker following the helper sees no leak. */
	if (envp != environ && envp != o->env)
		free((void *)envp);
	_exit(spawn_exec_code(err));
}

/* The capture pipe: the helper's end blocks as a normal stdout does, the
 * read end never blocks PID 1; both close on exec. */
static int spawn_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	return 0;
}

int spawn_helper(char *const argv[], const struct modinit_spawn_opts *opts,
		 const struct sig_state *sigs, const char *who, bool no_new_privs, int *capture_fd,
		 pid_t *pid)
{
	struct modinit_spawn_opts none = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	int cap[2] = { -1, -1 }, r;
	pid_t child;

	if (!opts)
		opts = &none;
	if (opts->capture && (r = spawn_pipe(cap)) < 0)
		return r;
	child = fork();
	if (child < 0) {
		r = -errno;
		if (opts->capture) {
			close(cap[0]);
			close(cap[1]);
		}
		return r;
	}
	if (child == 0)
		spawn_helper_child(argv, opts, sigs, who, no_new_privs, cap[1]);
	/* Not for a new session: a group leader could no longer setsid. */
	if (!opts->new_session && (opts->new_group || opts->timeout_ms))
		setpgid(child, child);
	if (opts->capture) {
		close(cap[1]);
		*capture_fd = cap[0];
	}
	*pid = child;
	return 0;
}
