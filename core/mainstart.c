/* What modules ask for the main command's start (ABI 1.2): its
 * environment (main_setenv), the fds it gets (main_pass_fd) and the ids it
 * runs as (main_credentials), kept here and applied in the child between
 * fork and exec (or by modinit itself right before mode exec's execve). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <modinit/module.h>

#include "log.h"
#include "mainstart.h"

/* Where the fds are parked before they go onto their targets: above every
 * target (3..1023), so that no parked copy is overwritten by a dup2. */
#define MAINSTART_PARK 1024

static int ms_env_copy(struct mainstart *sm)
{
	size_t n = 0;

	while (environ[n])
		n++;
	sm->env = calloc(n + 1, sizeof(*sm->env));
	if (!sm->env)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		sm->env[i] = strdup(environ[i]);
		if (!sm->env[i])
			return -ENOMEM; /* mainstart_free frees the part made */
	}
	return 0;
}

/* The index of key's entry in sm->env, or the count (the NULL's slot). */
static size_t ms_env_find(const struct mainstart *sm, const char *key, size_t *count)
{
	size_t klen = strlen(key), i, found = SIZE_MAX;

	for (i = 0; sm->env[i]; i++)
		if (found == SIZE_MAX && strncmp(sm->env[i], key, klen) == 0 &&
		    sm->env[i][klen] == '=')
			found = i;
	*count = i;
	return found == SIZE_MAX ? i : found;
}

int mainstart_setenv(struct mainstart *sm, const char *key, const char *value)
{
	size_t n, i;
	char *entry = NULL, **grown;

	if (!sm->env && ms_env_copy(sm) < 0)
		return -ENOMEM;
	i = ms_env_find(sm, key, &n);
	if (value && asprintf(&entry, "%s=%s", key, value) < 0)
		return -ENOMEM;
	if (i < n) {
		free(sm->env[i]);
		/* Removed: the last entry takes its place. */
		sm->env[i] = entry ? entry : sm->env[n - 1];
		if (!entry)
			sm->env[n - 1] = NULL;
		return 0;
	}
	if (!entry)
		return 0;
	grown = realloc(sm->env, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(entry);
		return -ENOMEM;
	}
	sm->env = grown;
	sm->env[n] = entry;
	sm->env[n + 1] = NULL;
	return 0;
}

int mainstart_pass_fd(struct mainstart *sm, int fd, int target, const void *owner)
{
	struct mainstart_fd *grown;

	for (size_t i = 0; i < sm->nfds; i++) {
		if (sm->fds[i].target != target)
			continue;
		if (sm->fds[i].owner != owner)
			return -EBUSY;
		sm->fds[i].fd = fd;
		return 0;
	}
	grown = realloc(sm->fds, (sm->nfds + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	sm->fds = grown;
	sm->fds[sm->nfds++] = (struct mainstart_fd){ .fd = fd, .target = target, .owner = owner };
	return 0;
}

void mainstart_free(struct mainstart *sm)
{
	for (size_t i = 0; sm->env && sm->env[i]; i++)
		free(sm->env[i]);
	free(sm->env);
	free(sm->fds);
	free(sm->creds.groups);
	*sm = (struct mainstart){ 0 };
}

char *const *mainstart_env(const struct mainstart *sm)
{
	return sm && sm->env ? sm->env : environ;
}

/* In the child: one line naming the step, and 126 ("found but could not
 * be run"), as for a helper. */
static void ms_fail(const char *call, int err)
{
	log_msg(LOGL_ERROR, "%s: %s", call, strerror(err));
	_exit(126);
}

/* Every fd parked above the targets first, then onto its target: a
 * target may be another entry's fd (or the exec error pipe). The parked
 * copies are close-on-exec; dup2 leaves the target without it. */
static void ms_fds(const struct mainstart *sm, int *keep_fd)
{
	int parked[sm->nfds ? sm->nfds : 1];
	char call[48];

	if (*keep_fd >= 0 && sm->nfds) {
		int moved = fcntl(*keep_fd, F_DUPFD_CLOEXEC, MAINSTART_PARK);

		if (moved >= 0) {
			close(*keep_fd);
			*keep_fd = moved;
		}
	}
	for (size_t i = 0; i < sm->nfds; i++) {
		parked[i] = fcntl(sm->fds[i].fd, F_DUPFD_CLOEXEC, MAINSTART_PARK);
		snprintf(call, sizeof(call), "fd %d", sm->fds[i].fd);
		if (parked[i] < 0)
			ms_fail(call, errno);
	}
	for (size_t i = 0; i < sm->nfds; i++) {
		snprintf(call, sizeof(call), "dup2(%d, %d)", sm->fds[i].fd, sm->fds[i].target);
		if (dup2(parked[i], sm->fds[i].target) < 0)
			ms_fail(call, errno);
	}
}

/* Groups, gid, uid, in that order: once the uid is dropped the others
 * could no longer be changed; no_new_privs last, so that nothing the
 * command execs can gain privileges back (setuid binaries, file caps). */
static void ms_ids(const struct mainstart_creds *c)
{
	if (setgroups(c->ngroups, c->groups) < 0)
		ms_fail("setgroups", errno);
	if (setresgid(c->gid, c->gid, c->gid) < 0)
		ms_fail("setgid", errno);
	if (setresuid(c->uid, c->uid, c->uid) < 0)
		ms_fail("setuid", errno);
	if (c->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		ms_fail("prctl(PR_SET_NO_NEW_PRIVS)", errno);
}

void mainstart_apply(const struct mainstart *sm, int *keep_fd)
{
	int none = -1;

	if (!sm)
		return;
	ms_fds(sm, keep_fd ? keep_fd : &none);
	if (sm->creds.set && (sm->creds.scope & MODINIT_CREDS_MAIN))
		ms_ids(&sm->creds);
}
