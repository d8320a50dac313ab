/* Finding, checking and loading modules (dlopen), and checking their
 * options against their schema. */
#ifndef MODINIT_LOADER_H
#define MODINIT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <modinit/module.h>

struct modinit;

/* One loaded module. The host table is per module, so host calls know
 * which module they come from (container_of on the table). */
struct module {
	struct modinit_host host; /* first: see events.c */
	struct modinit *m;
	const struct modinit_module *desc;
	void *dl;
	char *file;
	void *state;
	bool initialised;
	char *status;                     /* publish_status */
	struct modinit_value *values;     /* validated options */
	struct modinit_options opts;
	const char ***strvs;              /* STRING_LIST arrays to free */
	bool err_positioned;              /* init's err came from error_at */
};

/* The directories searched for `name:` modules, in order, NULL-terminated:
 * --module-path, then the config's module_path, then PKGLIBDIR. */
struct loader_path {
	const char **dirs;
	size_t count;
};

int loader_path_add(struct loader_path *p, const char *dir);
void loader_path_free(struct loader_path *p);

/* dir/base as a malloc'd absolute path (a relative dir is taken from the
 * current directory, whose ancestors loader_open then checks like any
 * other), or NULL. */
char *loader_join(const char *dir, const char *base);
/* Locate name.so on the path: 0 and a malloc'd *file, or -ENOENT with the
 * directories searched in err. */
int loader_find(const struct loader_path *p, const char *name, char **file, char *err,
		size_t errlen);
/* Open the absolute path once, walking it from / one component at a time
 * (symlinks followed, at most 40): every directory on the way and the file
 * must be owned by root or the euid and not writable by group or others,
 * and the file must be a regular file. Then the descriptor's
 * magic/major/minor/size are read from that descriptor, which dlopen loads
 * through /proc/self/fd (no second lookup of the path), and checked again.
 * 0 with mod->dl/desc/file set, or -errno with err. The file string is
 * taken over by mod. */
int loader_open(struct module *mod, char *file, char *err, size_t errlen);
/* Validate the module's config item against its schema into mod->opts.
 * item may be NULL (no options: defaults apply). 0, or -EINVAL with
 * "FILE:LINE:COL: NAME: message" in err. */
int loader_options(struct module *mod, const char *cfgfile, const struct modinit_node *item,
		   char *err, size_t errlen);
/* Free what loader_open/loader_options allocated; never dlclose while the
 * process runs (a module's code may still be referenced). */
void loader_release(struct module *mod);
/* The name of an option type, for messages and --describe-module. */
const char *loader_type_name(enum modinit_opt_type t);

/* A scalar node converted as a typed option would be; -EINVAL with
 * "expected ..., got ..." in why. */
int loader_parse_node(enum modinit_opt_type type, const struct modinit_node *n,
		      struct modinit_value *out, char *why, size_t len);
/* "FILE:LINE:COL" of a config node, or "command line" for line 0. */
void loader_where(const char *cfgfile, const struct modinit_node *n, char *buf, size_t len);

#endif
