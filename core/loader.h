/* Finding, checking and loading modules (dlopen), and checking their
 * options against their schema. */
#ifndef MODINIT_LOADER_H
#define MODINIT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <modinit/module.h>

struct modinit;

/* The element sizes of ABI 1.0, which 1.1 structs begin with: a 1.0
 * module's schema entries and values are this far apart, and its spawn
 * options this long. A 1.1 descriptor is at least LOADER_V11_DESC_SIZE. */
#define LOADER_V10_OPTION_SIZE offsetof(struct modinit_option, choices)
/* A 1.1 schema entry ends before name_key (1.2). */
#define LOADER_V11_OPTION_SIZE offsetof(struct modinit_option, name_key)
#define LOADER_V10_VALUE_SIZE offsetof(struct modinit_value, index)
#define LOADER_V10_SPAWN_SIZE offsetof(struct modinit_spawn_opts, size)
#define LOADER_V11_DESC_SIZE (offsetof(struct modinit_module, value_size) + sizeof(uint32_t))

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
	int health;                       /* publish_health: enum
					     modinit_health, 0: none yet */
	bool ready;
	char *detail;                     /* publish_health's detail */
	struct modinit_options opts;      /* validated options */
	void *opt_arena;                  /* what opts points into */
	bool err_positioned;              /* init's err came from error_at */
	/* ABI 1.2 */
	bool holds_start, holds_stop;     /* hold_start / hold_stop, until
					     released */
	bool needs_live;                  /* it held the start or the stop:
					     refused with mode exec */
	bool builtin;                     /* compiled in: file is LOADER_BUILTIN_FILE */
};

/* What a built-in module shows where a loaded one shows its file. */
#define LOADER_BUILTIN_FILE "built-in"

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
/* The built-in module of that name, or NULL. */
const struct modinit_module *loader_builtin(const char *name);
/* mod as the built-in module d, its descriptor checked as loader_open
 * checks a loaded one. 0, or -errno with err. */
int loader_open_builtin(struct module *mod, const struct modinit_module *d, char *err,
			size_t errlen);
/* The module a config item names, in the documented order: a built-in
 * module of that name (name: only; path: always names a file), else, in a
 * modinit that can load .so files, the path: file or name.so on the search
 * path through loader_open. The static modinit refuses anything not built
 * in (-ENOTSUP, saying it needs the dynamic build). 0, or -errno with err. */
int loader_lookup(const struct loader_path *p, const char *name, const char *path,
		  struct module *mod, char *err, size_t errlen);
/* Validate the module's config item against its schema into mod->opts.
 * item may be NULL (no options: defaults apply). 0, or -EINVAL with
 * "FILE:LINE:COL: NAME: message" in err. */
int loader_options(struct module *mod, const char *cfgfile, const struct modinit_node *item,
		   char *err, size_t errlen);
/* The version rules, applied to the descriptor header read from the file
 * and again to the one dlsym finds: the magic, the same major, a minor no
 * newer than modinit's, and a size no smaller than a 1.0 descriptor. 0, or
 * -ENOEXEC/-EPROTO with "FILE: ..." in err. */
struct elf_desc_head;
int loader_check_head(const char *file, const struct elf_desc_head *h, char *err,
		      size_t errlen);
/* Free what loader_open/loader_options allocated; never dlclose while the
 * process runs (a module's code may still be referenced). */
void loader_release(struct module *mod);
/* The name of an option type, for messages and --describe-module. */
const char *loader_type_name(enum modinit_opt_type t);
/* An option's type for --describe-module: "list of durations", "one of:
 * child, group, all", "mapping: host, port". */
void loader_type_describe(const struct modinit_module *d, const struct modinit_option *o,
			  char *buf, size_t len);
/* The element sizes module d was built with: its descriptor's option_size
 * and value_size from 1.1 on, the 1.0 sizes before. */
size_t loader_option_size(const struct modinit_module *d);
size_t loader_value_size(const struct modinit_module *d);
/* Entry i of one of d's schemas (options, or a SECTION's fields), copied
 * into a full struct (fields d's ABI lacks are 0); false at its end. */
bool loader_option_get(const struct modinit_module *d, const struct modinit_option *schema,
		       size_t i, struct modinit_option *out);
/* The schema is the module's code: refuse a bad one at load, with "FILE:
 * module "NAME": why" in err (-EINVAL): a reserved key (name, path), a key
 * declared twice, an unknown type, an enumeration without choices, a
 * section without fields, a default that does not convert. */
int loader_check_schema(const struct modinit_module *d, const char *file, char *err,
			size_t errlen);
/* Free what loader_options allocated. */
void loader_options_free(struct module *mod);
/* parse_value: a scalar node converted, then at most out_size bytes of it
 * written to out (at least a 1.0 value: -EINVAL otherwise). */
int loader_value_out(enum modinit_opt_type type, const struct modinit_node *n,
		     struct modinit_value *out, size_t out_size, char *why, size_t len);
/* A module's spawn options as the host's struct, reading only the fields
 * the module's ABI has (1.0: no size; 1.1: up to its size). */
void loader_spawn_opts(const struct module *mod, const struct modinit_spawn_opts *in,
		       struct modinit_spawn_opts *out);

/* A scalar node converted as a typed option would be; -EINVAL with
 * "expected ..., got ..." in why. */
int loader_parse_node(enum modinit_opt_type type, const struct modinit_node *n,
		      struct modinit_value *out, char *why, size_t len);

#endif
