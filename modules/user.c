/* user: run the main command (and/or the helpers) as another user.
 *
 *   modules:
 *     - name: user
 *       user: app                 # a name or a uid
 *       group: app                # default: the user's primary group
 *       groups: [video, 44]       # default: the user's groups in /etc/group
 *       no_new_privs: true
 *       apply_to: main            # main | helpers | both
 *
 * Names are looked up in the image's own /etc/passwd and /etc/group, read
 * as files (modules/lib/passwd.c): a static PID 1 has no NSS to ask, and
 * those files are what the command itself will see. Everything is decided
 * in init; the drop happens in the core's child between fork and exec
 * (main_credentials), so modinit itself stays root to reap and signal. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <modinit/module.h>

#include "lib/descriptor.h"
#include "lib/modlib.h"

/* The tree the names are read from: "" is the image itself. The unit
 * test compiles this file with USER_TEST_ROOT and points it at a fixture
 * tree. */
#ifdef USER_TEST_ROOT
extern const char *user_test_root;
#define USER_ROOT user_test_root
#else
#define USER_ROOT ""
#endif

/* More supplementary groups than a container user plausibly has; the
 * kernel's own limit (NGROUPS_MAX, 65536) would be a large stack. */
#define USER_MAX_GROUPS 256

enum user_scope { USER_MAIN, USER_HELPERS, USER_BOTH };

struct user_ids {
	struct ml_user pw;
	gid_t gid;
	gid_t groups[USER_MAX_GROUPS];
	size_t ngroups;
};

/* One name or number looked up, its failure placed at node. */
static int user_group(const struct modinit_host *h, const struct modinit_node *node,
		      const char *what, const char *name, gid_t *gid, char *err, size_t errlen)
{
	int r = ml_group_lookup(USER_ROOT, name, gid);

	if (r == -ENOENT)
		return h->error_at(h, node, err, errlen, "%s: unknown group \"%s\" (not in /etc/group)",
				   what, name);
	if (r < 0)
		return h->error_at(h, node, err, errlen, "%s: cannot look up group \"%s\": %s", what,
				   name, strerror(-r));
	return 0;
}

static int user_passwd(const struct modinit_host *h, const struct modinit_value *v,
		       struct ml_user *pw, char *err, size_t errlen)
{
	int r = ml_user_lookup(USER_ROOT, v->str, pw);

	if (r == -ENOENT)
		return h->error_at(h, v->node, err, errlen,
				   "user: unknown user \"%s\" (not in /etc/passwd)", v->str);
	if (r < 0)
		return h->error_at(h, v->node, err, errlen, "user: cannot look up user \"%s\": %s",
				   v->str, strerror(-r));
	return 0;
}

/* groups: the list as given (an empty list: none), or else every group of
 * /etc/group that lists the user, with the primary group first. */
static int user_groups(const struct modinit_host *h, const struct modinit_value *v,
		       struct user_ids *ids, char *err, size_t errlen)
{
	char what[48];
	int n;

	if (!v->list) {
		n = ml_user_groups(USER_ROOT, ids->pw.name, ids->gid, ids->groups, USER_MAX_GROUPS);
		if (n < 0)
			return h->error_at(h, NULL, err, errlen,
					   "groups: cannot read the groups of \"%s\": %s", ids->pw.name,
					   strerror(-n));
		ids->ngroups = (size_t)n;
		return 0;
	}
	if (v->list->count > USER_MAX_GROUPS)
		return h->error_at(h, v->list->node, err, errlen, "groups: more than %d groups",
				   USER_MAX_GROUPS);
	for (size_t i = 0; i < v->list->count; i++) {
		const struct modinit_value *item = modinit_at(v->list, i);

		snprintf(what, sizeof(what), "groups: item %zu", i + 1);
		if (user_group(h, item->node, what, item->str, &ids->groups[i], err, errlen) < 0)
			return -EINVAL;
	}
	ids->ngroups = v->list->count;
	return 0;
}

static int user_resolve(const struct modinit_host *h, const struct modinit_options *opts,
			struct user_ids *ids, char *err, size_t errlen)
{
	const struct modinit_value *group = modinit_opt(opts, "group");

	if (user_passwd(h, modinit_opt(opts, "user"), &ids->pw, err, errlen) < 0)
		return -EINVAL;
	ids->gid = ids->pw.gid;
	if (group->set && user_group(h, group->node, "group", group->str, &ids->gid, err,
				     errlen) < 0)
		return -EINVAL;
	return user_groups(h, modinit_opt(opts, "groups"), ids, err, errlen);
}

/* The login variables a program run as that user expects (login(1) sets
 * the same three). */
static int user_env(const struct modinit_host *h, const struct ml_user *pw)
{
	int r = h->main_setenv(h, "HOME", pw->home);

	if (r == 0)
		r = h->main_setenv(h, "USER", pw->name);
	if (r == 0)
		r = h->main_setenv(h, "LOGNAME", pw->name);
	return r;
}

static int user_apply(const struct modinit_host *h, const struct user_ids *ids,
		      enum user_scope scope, bool nnp, char *err, size_t errlen)
{
	struct modinit_creds c = {
		.size = sizeof(c),
		.scope = scope == USER_MAIN	  ? MODINIT_CREDS_MAIN
			 : scope == USER_HELPERS ? MODINIT_CREDS_HELPERS
						  : MODINIT_CREDS_MAIN | MODINIT_CREDS_HELPERS,
		.uid = ids->pw.uid,
		.gid = ids->gid,
		.groups = ids->groups,
		.ngroups = ids->ngroups,
		.no_new_privs = nnp,
	};
	int r = h->main_credentials(h, &c);

	if (r == -EBUSY) {
		snprintf(err, errlen, "another module already sets the ids the command runs as");
		return r;
	}
	if (r == 0 && scope != USER_HELPERS)
		r = user_env(h, &ids->pw);
	return r;
}

static int user_init(const struct modinit_host *host, const struct modinit_options *opts,
		     void **state, char *err, size_t errlen)
{
	struct user_ids *ids = calloc(1, sizeof(*ids));
	int r;

	if (!ids)
		return -ENOMEM;
	r = user_resolve(host, opts, ids, err, errlen);
	if (r == 0)
		r = user_apply(host, ids, (enum user_scope)modinit_opt(opts, "apply_to")->index,
			       modinit_opt(opts, "no_new_privs")->boolean, err, errlen);
	/* modinit copied what it keeps: nothing is needed after init. */
	free(ids);
	*state = NULL;
	return r;
}

static const char *const user_scopes[] = { "main", "helpers", "both", NULL };

static const struct modinit_option user_options[] = {
	{ .key = "user", .type = MODINIT_OPT_STRING, .required = true,
	  .help = "user name (from the image's /etc/passwd) or uid" },
	{ .key = "group", .type = MODINIT_OPT_STRING,
	  .help = "group name (from /etc/group) or gid; default: the user's primary group" },
	{ .key = "groups", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_STRING,
	  .help = "supplementary groups, names or gids ([] for none); default: every group "
		  "of /etc/group that lists the user" },
	{ .key = "no_new_privs", .type = MODINIT_OPT_BOOL, .default_value = "true",
	  .help = "set no_new_privs: setuid programs and file capabilities gain nothing" },
	{ .key = "apply_to", .type = MODINIT_OPT_ENUM, .choices = user_scopes,
	  .default_value = "main",
	  .help = "who drops to the user: the main command, the modules' helpers, or both" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(user) = {
	MODINIT_MODULE_HEADER,
	.name = "user",
	.version = PACKAGE_VERSION,
	.description = "run the main command (or the helpers) as a user of the image, modinit "
		       "staying root",
	.options = user_options,
	.init = user_init,
};
