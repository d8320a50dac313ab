#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

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
