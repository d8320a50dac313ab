/* The state directory. A directory another user can write to lets that
 * user plant a symlink where root is about to write (root then overwrites
 * the target) or a FIFO where PID 1 opens a file (PID 1 then blocks and
 * reaps nothing): so the directory is checked once, through an fd opened
 * without following links, and every name in it is used relative to that
 * fd with O_NOFOLLOW, O_EXCL and O_NONBLOCK. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "statedir.h"
#include "trust.h"

#define STATEDIR_NAME_MAX 200

__attribute__((format(printf, 3, 4)))
static int statedir_fail(struct statedir *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->error = -err;
	return s->error;
}

/* A directory, and trust.h's rule (owner root or our euid, no write bit
 * for group or others), with the state directory's own words. */
static int statedir_trust(struct statedir *s, const char *path, const struct stat *st)
{
	unsigned int f = trust_faults(st);
	uid_t me = geteuid();

	if (!S_ISDIR(st->st_mode))
		return statedir_fail(s, ENOTDIR, "unsafe state directory %s: not a directory", path);
	if (f & TRUST_FOREIGN_OWNER) {
		if (me == 0)
			return statedir_fail(s, EPERM,
					     "unsafe state directory %s: owned by uid %u (expected root)",
					     path, (unsigned)st->st_uid);
		return statedir_fail(s, EPERM,
				     "unsafe state directory %s: owned by uid %u (expected root or uid %u)",
				     path, (unsigned)st->st_uid, (unsigned)me);
	}
	if (f & TRUST_SHARED_WRITE)
		return statedir_fail(s, EPERM,
				     "unsafe state directory %s: writable by group or others (mode %04o)",
				     path, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* O_DIRECTORY | O_NOFOLLOW on a symlink fails with ENOTDIR (or ELOOP):
 * lstat only to say which it was. */
static int statedir_open_failed(struct statedir *s, const char *path, int err)
{
	struct stat st;

	if ((err == ENOTDIR || err == ELOOP) && lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return statedir_fail(s, ELOOP, "unsafe state directory %s: a symbolic link",
					     path);
		return statedir_fail(s, ENOTDIR, "unsafe state directory %s: not a directory", path);
	}
	return statedir_fail(s, err, "cannot open state directory %s: %s", path, strerror(err));
}

static int statedir_do_open(struct statedir *s, const char *path, bool create)
{
	struct stat st;
	int fd, r;

	if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
		return statedir_fail(s, errno, "cannot create state directory %s: %s", path,
				     strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return statedir_open_failed(s, path, errno);
	if (fstat(fd, &st) < 0)
		r = statedir_fail(s, errno, "cannot open state directory %s: %s", path,
				  strerror(errno));
	else
		r = statedir_trust(s, path, &st);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->fd = fd;
	s->opened = true;
	return 0;
}

int statedir_open(struct statedir *s, const char *path, bool create)
{
	if (s->opened)
		return 0;
	if (!s->error)
		statedir_do_open(s, path, create);
	/* Once the loop runs nobody can exit for us: say it once. */
	if (s->error && s->setup_over && !s->logged) {
		log_msg(LOGL_ERROR, "%s", s->why);
		s->logged = true;
	}
	return s->error;
}

int statedir_setup_end(struct statedir *s, char *err, size_t errlen)
{
	s->setup_over = true;
	if (!s->error)
		return 0;
	snprintf(err, errlen, "%s", s->why);
	return s->error;
}

/* A name of our own: no path, and no leading dot (the temporary names). */
static bool statedir_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 0 && n <= STATEDIR_NAME_MAX && name[0] != '.' && !strchr(name, '/');
}

/* The temporary file, created new: O_EXCL never opens what is there. A
 * leftover of an interrupted write (or anything else) at that name is
 * unlinked, which removes the name itself, never what a link points to. */
static int statedir_create(int dfd, const char *tmp)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	int fd = openat(dfd, tmp, flags, 0644);

	if (fd < 0 && errno == EEXIST) {
		if (unlinkat(dfd, tmp, 0) < 0)
			return -errno;
		fd = openat(dfd, tmp, flags, 0644);
	}
	return fd < 0 ? -errno : fd;
}

static int statedir_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Put tmp in place of name. A rename over an existing file makes ext4
 * write the new file's data out at once (its auto_da_alloc heuristic): a
 * disk flush inside PID 1 on every status change. Exchanging the two names
 * does not, and readers still see the old file or the new one, whole; the
 * old one, now under tmp, is then removed. A first write, or a file system
 * without RENAME_EXCHANGE, takes a plain rename. */
static int statedir_replace(int dfd, const char *tmp, const char *name)
{
	if (renameat2(dfd, tmp, dfd, name, RENAME_EXCHANGE) == 0) {
		/* A leftover under tmp would be removed before the next write. */
		unlinkat(dfd, tmp, 0);
		return 0;
	}
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return -errno;
	return renameat(dfd, tmp, dfd, name) < 0 ? -errno : 0;
}

int statedir_write(const struct statedir *s, const char *name, const void *data, size_t len)
{
	char tmp[STATEDIR_NAME_MAX + 8];
	int fd, r;

	if (!statedir_name_ok(name) || (!data && len))
		return -EINVAL;
	if (!s->opened)
		return s->error ? s->error : -EBADF;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = statedir_create(s->fd, tmp);
	if (fd < 0)
		return fd;
	r = statedir_write_all(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = statedir_replace(s->fd, tmp, name);
	if (r < 0)
		unlinkat(s->fd, tmp, 0);
	return r;
}

int statedir_open_file(const struct statedir *s, const char *name)
{
	struct stat st;
	int fd;

	if (!s->opened)
		return s->error ? s->error : -EBADF;
	fd = openat(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

void statedir_close(struct statedir *s)
{
	if (s->opened)
		close(s->fd);
	s->opened = false;
}
