#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"
#include "loader.h"
#include "parse.h"

/* The descriptor as ABI 1.0 defined it: anything smaller is truncated. */
#define DESC_MIN_SIZE (offsetof(struct modinit_module, fini) + sizeof(void (*)(void *)))

int loader_path_add(struct loader_path *p, const char *dir)
{
	const char **v = realloc(p->dirs, (p->count + 2) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	v[p->count++] = dir;
	v[p->count] = NULL;
	p->dirs = v;
	return 0;
}

void loader_path_free(struct loader_path *p)
{
	free(p->dirs);
	p->dirs = NULL;
	p->count = 0;
}

int loader_find(const struct loader_path *p, const char *name, char **file, char *err,
		size_t errlen)
{
	size_t used = 0;

	for (size_t i = 0; i < p->count; i++) {
		char *f;

		if (asprintf(&f, "%s/%s.so", p->dirs[i], name) < 0)
			return -ENOMEM;
		if (access(f, F_OK) == 0) {
			*file = f;
			return 0;
		}
		free(f);
	}
	used = (size_t)snprintf(err, errlen, "module \"%s\" not found (searched:", name);
	for (size_t i = 0; i < p->count && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, " %s", p->dirs[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, ")");
	return -ENOENT;
}

/* A module runs as PID 1: whoever can write it, or its directory, owns the
 * container. Only root or modinit's own user may own either. */
static int loader_check_owner(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "refusing %s %s: writable by group or others (mode %04o)",
			 what, path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "refusing %s %s: owned by uid %u, not root or modinit's user",
			 what, path, (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

static int loader_check_perms(const char *file, char *err, size_t errlen)
{
	char real[PATH_MAX], *slash;
	int r;

	if (!realpath(file, real)) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -errno;
	}
	r = loader_check_owner("module", real, err, errlen);
	if (r < 0)
		return r;
	slash = strrchr(real, '/');
	if (slash == real)
		slash[1] = '\0';
	else
		*slash = '\0';
	return loader_check_owner("module directory", real, err, errlen);
}

/* The version rules, applied to the header read from the file and again to
 * the one dlsym finds. */
static int loader_check_head(const char *file, const struct elf_desc_head *h, char *err,
			     size_t errlen)
{
	if (h->magic != MODINIT_MODULE_MAGIC) {
		snprintf(err, errlen, "%s: not a modinit module (wrong magic 0x%08x)", file, h->magic);
		return -ENOEXEC;
	}
	if (h->abi_major != MODINIT_ABI_MAJOR) {
		snprintf(err, errlen, "%s: built for module ABI %u.%u, modinit speaks %u.%u (major differs)",
			 file, h->abi_major, h->abi_minor, MODINIT_ABI_MAJOR, MODINIT_ABI_MINOR);
		return -EPROTO;
	}
	if (h->abi_minor > MODINIT_ABI_MINOR) {
		snprintf(err, errlen, "%s: built for module ABI %u.%u, newer than modinit's %u.%u",
			 file, h->abi_major, h->abi_minor, MODINIT_ABI_MAJOR, MODINIT_ABI_MINOR);
		return -EPROTO;
	}
	if (h->size < DESC_MIN_SIZE) {
		snprintf(err, errlen, "%s: module descriptor too small (%u bytes, need %zu)", file,
			 h->size, DESC_MIN_SIZE);
		return -EPROTO;
	}
	return 0;
}

static int loader_check_name(const char *file, const char *name, char *err, size_t errlen)
{
	if (!name || !*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name)) {
		snprintf(err, errlen, "%s: module name must be non-empty [a-z0-9-]", file);
		return -EINVAL;
	}
	return 0;
}

static int loader_dlopen(struct module *mod, const char *file, char *err, size_t errlen)
{
	const struct modinit_module *d;
	struct elf_desc_head h;
	int r;

	mod->dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!mod->dl) {
		snprintf(err, errlen, "%s: cannot load: %s", file, dlerror());
		return -ENOEXEC;
	}
	d = dlsym(mod->dl, MODINIT_MODULE_SYMBOL);
	if (!d) {
		snprintf(err, errlen, "%s: not a modinit module (no %s symbol)", file,
			 MODINIT_MODULE_SYMBOL);
		return -ENOEXEC;
	}
	h = (struct elf_desc_head){ d->magic, d->abi_major, d->abi_minor, d->size };
	r = loader_check_head(file, &h, err, errlen);
	if (r == 0)
		r = loader_check_name(file, d->name, err, errlen);
	mod->desc = d;
	return r;
}

int loader_open(struct module *mod, char *file, char *err, size_t errlen)
{
	struct elf_desc_head h;
	int r;

	mod->file = file;
	r = loader_check_perms(file, err, errlen);
	if (r < 0)
		return r;
	/* Before dlopen: constructors in the .so would run at load time. */
	r = elf_read_symbol_head(file, MODINIT_MODULE_SYMBOL, &h);
	if (r == -ENOENT) {
		snprintf(err, errlen, "%s: not a modinit module (no %s symbol)", file,
			 MODINIT_MODULE_SYMBOL);
		return -ENOEXEC;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: not a modinit module (%s)", file,
			 r == -ENOEXEC ? "not a shared object for this machine" : strerror(-r));
		return r;
	}
	r = loader_check_head(file, &h, err, errlen);
	if (r < 0)
		return r;
	return loader_dlopen(mod, file, err, errlen);
}

void loader_release(struct module *mod)
{
	for (size_t i = 0; mod->strvs && i < mod->opts.count; i++)
		free((void *)mod->strvs[i]);
	free(mod->strvs);
	free(mod->values);
	free(mod->file);
	free(mod->status);
	mod->strvs = NULL;
	mod->values = NULL;
	mod->file = NULL;
	mod->status = NULL;
}
