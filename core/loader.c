#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "config/cfg.h"
#include "elfsym.h"
#include "loader.h"
#include "parse.h"
#include "trust.h"

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

char *loader_join(const char *dir, const char *base)
{
	char cwd[PATH_MAX], *f = NULL;

	if (dir[0] == '/') {
		if (asprintf(&f, "%s/%s", dir, base) < 0)
			return NULL;
	} else if (getcwd(cwd, sizeof(cwd))) {
		if (asprintf(&f, "%s/%s/%s", cwd, dir, base) < 0)
			return NULL;
	}
	return f;
}

int loader_find(const struct loader_path *p, const char *name, char **file, char *err,
		size_t errlen)
{
	size_t used = 0;
	char *base;

	if (asprintf(&base, "%s.so", name) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->count; i++) {
		char *f = loader_join(p->dirs[i], base);

		if (!f) {
			int e = errno;

			snprintf(err, errlen, "%s: %s", p->dirs[i], strerror(e));
			free(base);
			return -e;
		}
		/* Only picks the directory: loader_open checks what it opens. */
		if (access(f, F_OK) == 0) {
			free(base);
			*file = f;
			return 0;
		}
		free(f);
	}
	free(base);
	used = (size_t)snprintf(err, errlen, "module \"%s\" not found (searched:", name);
	for (size_t i = 0; i < p->count && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, " %s", p->dirs[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, ")");
	return -ENOENT;
}

/* A module runs as PID 1: whoever can write it, or any directory above it,
 * owns the container. Only root or modinit's own user may own either, and
 * a sticky directory (/tmp) is refused too: others could have planted in it. */
static int loader_check_owner(const char *what, const char *path, const struct stat *st,
			      char *err, size_t errlen)
{
	unsigned int f = trust_faults(st);

	if (f & TRUST_SHARED_WRITE) {
		snprintf(err, errlen, "refusing %s %s: writable by group or others (mode %04o)",
			 what, *path ? path : "/", (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	if (f & TRUST_FOREIGN_OWNER) {
		snprintf(err, errlen, "refusing %s %s: owned by uid %u, not root or modinit's user",
			 what, *path ? path : "/", (unsigned)st->st_uid);
		return -EPERM;
	}
	return 0;
}

static const char *loader_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a file";
}

/* The walk from / to the module, one component at a time, each opened
 * O_PATH | O_NOFOLLOW relative to the directory fd checked before it: no
 * name is ever looked up twice, so what is checked is what is used. */
struct loader_walk {
	const char *file;     /* as given, for errors that are no refusal */
	char shown[PATH_MAX]; /* the physical path walked so far ("" is /) */
	char rest[PATH_MAX];  /* what is left to walk */
	int dirfd;
	int links;
};

/* Start (again) at /: for the path itself and for absolute link targets. */
static int loader_walk_root(struct loader_walk *w, char *err, size_t errlen)
{
	struct stat st;

	if (w->dirfd >= 0)
		close(w->dirfd);
	w->shown[0] = '\0';
	w->dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0 || fstat(w->dirfd, &st) < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", w->file, strerror(e));
		return -e;
	}
	return loader_check_owner("module directory", w->shown, &st, err, errlen);
}

/* Take the next component off w->rest into comp; false when none is left. */
static bool loader_walk_next(struct loader_walk *w, char *comp, size_t len, bool *last)
{
	const char *p = w->rest + strspn(w->rest, "/");
	size_t n = strcspn(p, "/");

	if (n == 0)
		return false;
	snprintf(comp, len, "%.*s", (int)n, p);
	memmove(w->rest, p + n, strlen(p + n) + 1);
	*last = w->rest[strspn(w->rest, "/")] == '\0';
	return true;
}

/* The physical path follows the walk: ".." drops the last component. */
static int loader_walk_show(struct loader_walk *w, const char *comp)
{
	size_t used = strlen(w->shown);
	char *slash;

	if (strcmp(comp, "..") == 0) {
		slash = strrchr(w->shown, '/');
		if (slash)
			*slash = '\0';
		return 0;
	}
	if (used + 1 + strlen(comp) >= sizeof(w->shown))
		return -ENAMETOOLONG;
	snprintf(w->shown + used, sizeof(w->shown) - used, "/%s", comp);
	return 0;
}

/* A symlink: its target, read through its own fd, goes in front of what is
 * left, walked from / or from the directory holding the link. That
 * directory was checked, so only a trusted user could have made the link. */
static int loader_walk_link(struct loader_walk *w, int fd, char *err, size_t errlen)
{
	char target[PATH_MAX], *slash;
	ssize_t n;

	if (++w->links > 40) {
		snprintf(err, errlen, "%s: %s", w->file, strerror(ELOOP));
		return -ELOOP;
	}
	n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0 || (size_t)n + 1 + strlen(w->rest) >= sizeof(w->rest)) {
		int e = n < 0 ? errno : ENAMETOOLONG;

		snprintf(err, errlen, "%s: %s", w->file, strerror(e));
		return -e;
	}
	memmove(w->rest + n + 1, w->rest, strlen(w->rest) + 1);
	memcpy(w->rest, target, (size_t)n);
	w->rest[n] = '/';
	slash = strrchr(w->shown, '/');
	if (slash)
		*slash = '\0'; /* the link's name is not part of the physical path */
	return target[0] == '/' ? loader_walk_root(w, err, errlen) : 0;
}

/* One component: 0 to go on, 1 when *out holds the checked module. */
static int loader_walk_step(struct loader_walk *w, const char *comp, bool last, int *out,
			    char *err, size_t errlen)
{
	struct stat st;
	int fd = openat(w->dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC), r;

	r = fd < 0 || fstat(fd, &st) < 0 ? -errno : loader_walk_show(w, comp);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", w->file, strerror(-r));
	} else if (S_ISLNK(st.st_mode)) {
		r = loader_walk_link(w, fd, err, errlen);
	} else if (last && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "refusing module %s: not a regular file (%s)", w->shown,
			 loader_kind(st.st_mode));
		r = -EINVAL;
	} else if (last) {
		r = loader_check_owner("module", w->shown, &st, err, errlen);
		if (r == 0) {
			*out = fd;
			return 1;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", w->file, strerror(ENOTDIR));
		r = -ENOTDIR;
	} else {
		r = loader_check_owner("module directory", w->shown, &st, err, errlen);
		if (r == 0) {
			close(w->dirfd);
			w->dirfd = fd;
			return 0;
		}
	}
	if (fd >= 0)
		close(fd);
	return r;
}

/* An O_PATH fd on the module file, every directory on the way checked.
 * Symlinks are followed (at most 40), each target walked the same way. */
static int loader_walk_open(const char *file, int *out, char *err, size_t errlen)
{
	struct loader_walk w = { .file = file, .dirfd = -1 };
	char comp[PATH_MAX];
	bool last;
	int r = 0;

	if (file[0] != '/' || strlen(file) >= sizeof(w.rest)) {
		r = file[0] != '/' ? -EINVAL : -ENAMETOOLONG;
		snprintf(err, errlen, "%s: %s", file,
			 r == -EINVAL ? "not an absolute path" : strerror(-r));
		return r;
	}
	strcpy(w.rest, file);
	r = loader_walk_root(&w, err, errlen);
	while (r == 0 && loader_walk_next(&w, comp, sizeof(comp), &last))
		r = loader_walk_step(&w, comp, last, out, err, errlen);
	if (r == 0) { /* the path ended on a directory ("/", "dir/.") */
		snprintf(err, errlen, "refusing module %s: not a regular file (a directory)",
			 *w.shown ? w.shown : "/");
		r = -EINVAL;
	}
	if (w.dirfd >= 0)
		close(w.dirfd);
	return r < 0 ? r : 0;
}

/* dlopen takes a name: /proc/self/fd/N names the very file the walk checked,
 * with no second lookup of its path. Without /proc there is no such name,
 * and falling back to the path would undo the checks: refuse. The device
 * and inode must match, should /proc be another namespace's. */
static int loader_reopen(const char *file, int pathfd, int *fd, char *err, size_t errlen)
{
	char proc[64];
	struct stat a, b;
	int e;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	*fd = open(proc, O_RDONLY | O_CLOEXEC);
	e = errno;
	if (*fd >= 0 && fstat(*fd, &b) == 0 && fstat(pathfd, &a) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return 0;
	if (*fd < 0 && e != ENOENT) {
		snprintf(err, errlen, "%s: %s", file, strerror(e));
		return -e;
	}
	if (*fd >= 0)
		close(*fd);
	snprintf(err, errlen,
		 "refusing module %s: cannot reopen it through /proc/self/fd (is /proc mounted?)",
		 file);
	return -ENOENT;
}

int loader_check_head(const char *file, const struct elf_desc_head *h, char *err,
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
	if (h->size < (h->abi_minor >= 1 ? LOADER_V11_DESC_SIZE : DESC_MIN_SIZE)) {
		snprintf(err, errlen, "%s: module descriptor too small (%u bytes, need %zu)", file,
			 h->size, h->abi_minor >= 1 ? LOADER_V11_DESC_SIZE : DESC_MIN_SIZE);
		return -EPROTO;
	}
	return 0;
}

/* A 1.1 descriptor's element sizes: no smaller than 1.0's, no larger than
 * this modinit's (a module of this minor or older cannot have more). */
static int loader_check_sizes(const char *file, const struct modinit_module *d, char *err,
			      size_t errlen)
{
	size_t os = loader_option_size(d), vs = loader_value_size(d);

	if (os < LOADER_V10_OPTION_SIZE || os > sizeof(struct modinit_option) ||
	    vs < LOADER_V10_VALUE_SIZE || vs > sizeof(struct modinit_value)) {
		snprintf(err, errlen,
			 "%s: module descriptor: option_size %zu or value_size %zu out of range "
			 "(%zu..%zu, %zu..%zu)", file, os, vs, LOADER_V10_OPTION_SIZE,
			 sizeof(struct modinit_option), LOADER_V10_VALUE_SIZE,
			 sizeof(struct modinit_value));
		return -EPROTO;
	}
	return 0;
}

static int loader_check_name(const char *file, const char *name, char *err, size_t errlen)
{
	if (!cfg_module_name_ok(name)) {
		snprintf(err, errlen, "%s: module name must be non-empty " CFG_MODULE_NAME_RULE, file);
		return -EINVAL;
	}
	return 0;
}

/* Every rule a descriptor must pass, whether dlsym found it or it is built in. */
static int loader_check_desc(const char *file, const struct modinit_module *d, char *err,
			     size_t errlen)
{
	struct elf_desc_head h = { d->magic, d->abi_major, d->abi_minor, d->size };
	int r = loader_check_head(file, &h, err, errlen);

	if (r == 0)
		r = loader_check_name(file, d->name, err, errlen);
	if (r == 0)
		r = loader_check_sizes(file, d, err, errlen);
	if (r == 0)
		r = loader_check_schema(d, file, err, errlen);
	return r;
}

static int loader_dlopen(struct module *mod, int fd, char *err, size_t errlen)
{
	const char *file = mod->file;
	const struct modinit_module *d;
	char name[64], why[512];

	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	mod->dl = loader_dl_open(name, why, sizeof(why));
	if (!mod->dl) {
		snprintf(err, errlen, "%s: cannot load: %s", file, why);
		return -ENOEXEC;
	}
	d = loader_dl_sym(mod->dl, MODINIT_MODULE_SYMBOL);
	if (!d) {
		snprintf(err, errlen, "%s: not a modinit module (no %s symbol)", file,
			 MODINIT_MODULE_SYMBOL);
		return -ENOEXEC;
	}
	mod->desc = d;
	return loader_check_desc(file, d, err, errlen);
}

/* The descriptor read from the file, then dlopen, both through fd. */
static int loader_load_fd(struct module *mod, int fd, char *err, size_t errlen)
{
	const char *file = mod->file;
	struct elf_desc_head h;
	int r;

	/* Before dlopen: constructors in the .so would run at load time. */
	r = elf_read_symbol_head(fd, MODINIT_MODULE_SYMBOL, &h);
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
	return loader_dlopen(mod, fd, err, errlen);
}

int loader_open(struct module *mod, char *file, char *err, size_t errlen)
{
	int pathfd, fd, r;

	mod->file = file;
	r = loader_walk_open(file, &pathfd, err, errlen);
	if (r < 0)
		return r;
	r = loader_reopen(file, pathfd, &fd, err, errlen);
	close(pathfd);
	if (r < 0)
		return r;
	r = loader_load_fd(mod, fd, err, errlen);
	/* Once loaded, the fd stays open as long as the module (for good):
	 * the dynamic linker knows it as /proc/self/fd/N and would hand it back
	 * for a later dlopen of that name, were N reused for another file. */
	if (!mod->dl)
		close(fd);
	return r;
}

const struct modinit_module *loader_builtin(const char *name)
{
	for (size_t i = 0; builtin_modules[i]; i++)
		if (strcmp(builtin_modules[i]->name, name) == 0)
			return builtin_modules[i];
	return NULL;
}

/* A built-in module passes the checks a loaded one does: its descriptor
 * is the same source, and a schema error must not depend on the build. */
int loader_open_builtin(struct module *mod, const struct modinit_module *d, char *err,
			size_t errlen)
{
	mod->file = strdup(LOADER_BUILTIN_FILE);
	if (!mod->file)
		return -ENOMEM;
	mod->builtin = true;
	mod->desc = d;
	return loader_check_desc(mod->file, d, err, errlen);
}

int loader_lookup(const struct loader_path *p, const char *name, const char *path,
		  struct module *mod, char *err, size_t errlen)
{
	const struct modinit_module *d = path ? NULL : loader_builtin(name);
	char *file;
	int r;

	if (d)
		return loader_open_builtin(mod, d, err, errlen);
	if (!loader_dl_available) {
		snprintf(err, errlen, path ? "%s: not built into this static modinit: %s"
			 : "module \"%s\" is not built into this static modinit: %s",
			 path ? path : name, "loading .so modules needs the dynamic build");
		return -ENOTSUP;
	}
	if (path) {
		file = strdup(path);
		if (!file)
			return -ENOMEM;
	} else {
		r = loader_find(p, name, &file, err, errlen);
		if (r < 0)
			return r;
	}
	return loader_open(mod, file, err, errlen);
}

void loader_release(struct module *mod)
{
	loader_options_free(mod);
	free(mod->file);
	free(mod->status);
	free(mod->detail);
	mod->file = NULL;
	mod->status = NULL;
	mod->detail = NULL;
}
