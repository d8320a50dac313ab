#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <modinit/module.h>

#include "log.h"
#include "spawn.h"

int spawn_exec_code(int err)
{
	return (err == ENOENT || err == ENOTDIR) ? 127 : 126;
}

/* In the child: never returns. */
static void spawn_child(char *const argv[], const struct sig_state *sigs, bool tty_fg,
			int errfd)
{
	int err;

	/* setpgid in the child too: whichever of parent and child runs first,
	 * the group exists before tcsetpgrp and before exec (tcsetpgrp(3)). */
	setpgid(0, 0);
	/* Still fully blocked here, so the background tcsetpgrp raises no
	 * SIGTTOU; a terminal that is not ours just stays as it was. */
	if (tty_fg)
		tcsetpgrp(STDIN_FILENO, getpid());
	sig_restore_child(sigs);
	execvp(argv[0], argv);
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* the parent then sees EOF and reports nothing more */
	}
	_exit(spawn_exec_code(err));
}

int spawn_command(char *const argv[], const struct sig_state *sigs, bool tty_fg, pid_t *pid)
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
		spawn_child(argv, sigs, tty_fg, pfd[1]);
	}
	close(pfd[1]);
	setpgid(child, child); /* see spawn_child; EACCES after exec is fine */
	do {
		n = read(pfd[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == (ssize_t)sizeof(err))
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

int spawn_helper(char *const argv[], const struct modinit_spawn_opts *opts,
		 const struct sig_state *sigs, pid_t *pid)
{
	struct modinit_spawn_opts none = { .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 };
	pid_t child;

	if (!opts)
		opts = &none;
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		if (opts->new_group)
			setpgid(0, 0);
		spawn_dup(opts->stdin_fd, STDIN_FILENO, true);
		spawn_dup(opts->stdout_fd, STDOUT_FILENO, false);
		spawn_dup(opts->stderr_fd, STDERR_FILENO, false);
		sig_restore_child(sigs);
		execvp(argv[0], argv);
		_exit(spawn_exec_code(errno));
	}
	if (opts->new_group)
		setpgid(child, child);
	*pid = child;
	return 0;
}
