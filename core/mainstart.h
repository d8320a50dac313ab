/* What modules ask for the main command's start (ABI 1.2), kept until it
 * starts and applied in its child (see mainstart.c). */
#ifndef MODINIT_MAINSTART_H
#define MODINIT_MAINSTART_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What modules asked for every start of the main command (ABI 1.2:
 * main_setenv, main_pass_fd, main_credentials). Owners are opaque here. */
struct mainstart_fd {
	int fd, target;
	const void *owner;
};

struct mainstart_creds {
	bool set;
	unsigned int scope; /* enum modinit_creds_scope */
	uid_t uid;
	gid_t gid;
	gid_t *groups;      /* a copy, ngroups of them */
	size_t ngroups;
	bool no_new_privs;
	const void *owner;
};

struct mainstart {
	char **env;         /* the command's whole environment, NULL-terminated,
			       once a module changed it; NULL: modinit's */
	struct mainstart_fd *fds;
	size_t nfds;
	struct mainstart_creds creds;
};

/* Set (value) or remove (NULL) key in sm->env, copying modinit's
 * environment first. 0 or -ENOMEM. */
int mainstart_setenv(struct mainstart *sm, const char *key, const char *value);
/* fd onto target at every start: -EBUSY when another owner has target
 * (the same owner's earlier fd for it is replaced), -ENOMEM. */
int mainstart_pass_fd(struct mainstart *sm, int fd, int target, const void *owner);
void mainstart_free(struct mainstart *sm);
/* In the main command's child, or in modinit itself for mode exec: the
 * passed fds, then the ids (setgroups, setgid, setuid, no_new_privs). A
 * step that fails writes "modinit: error: CALL: REASON" and exits 126.
 * *keep_fd (or -1) is moved out of the targets' way first. */
void mainstart_apply(const struct mainstart *sm, int *keep_fd);
/* The environment the main command gets. */
char *const *mainstart_env(const struct mainstart *sm);

#endif
