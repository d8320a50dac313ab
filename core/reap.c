#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "parse.h"
#include "reap.h"

int reap_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255; /* no other status reaches us without WUNTRACED */
}

static void reap_one(struct reaper *r, pid_t pid, int status)
{
	if (pid == r->main_pid && !r->main_exited) {
		r->main_exited = true;
		r->main_status = status;
		return;
	}
	if (r->other && r->other(r->other_arg, pid, status))
		return;
	r->orphans++;
	if (r->warn_orphans) {
		char name[16];

		if (WIFSIGNALED(status))
			log_msg(LOGL_WARN, "reaped zombie pid %d (killed by %s)", (int)pid,
				signal_name(WTERMSIG(status), name, sizeof(name)));
		else
			log_msg(LOGL_WARN, "reaped zombie pid %d (exit %d)", (int)pid,
				reap_exit_code(status));
	}
}

int reap_children(struct reaper *r)
{
	int count = 0;

	r->no_children = false;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid == 0)
			return count;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				r->no_children = true;
				return count;
			}
			return -errno;
		}
		reap_one(r, pid, status);
		count++;
	}
}
