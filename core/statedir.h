/* The state directory (state_dir, --state-dir): trusted only when nobody
 * but root or modinit's own euid could have put anything in it, and then
 * used through one directory fd, never through its path again. */
#ifndef MODINIT_STATEDIR_H
#define MODINIT_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

struct statedir {
	int fd;           /* the directory, valid when opened */
	bool opened;
	int error;        /* 0, or the -errno of a refused or failed open */
	bool setup_over;  /* later failures are logged, not kept for setup */
	bool logged;      /* the failure was logged once already */
	char why[640];    /* the one line that explains error */
};

/* Open path (mkdir 0755 first when create), refusing a symbolic link, a
 * non-directory, another owner than root or the euid, and a mode writable
 * by group or others. Idempotent: a later call gives the first answer.
 * 0 or -errno (then s->why says why). A zeroed struct is a valid start. */
int statedir_open(struct statedir *s, const char *path, bool create);
/* Setup is over: 0 if nothing was refused during it, else the -errno with
 * the line in err (main exits 78 with it). Later failures are logged. */
int statedir_setup_end(struct statedir *s, char *err, size_t errlen);
/* Replace name (a plain file name, not starting with '.') with len bytes
 * of data, atomically: a new file beside it, exchanged with the old one
 * (renameat2 RENAME_EXCHANGE: no forced flush), the old one removed. Never
 * follows or opens what is already there. 0 or -errno. */
int statedir_write(const struct statedir *s, const char *name, const void *data, size_t len);
/* name opened for reading when it is a regular file: never follows a link
 * and never blocks on a FIFO. The fd, or -errno (-EINVAL: not regular). */
int statedir_open_file(const struct statedir *s, const char *name);
void statedir_close(struct statedir *s);

#endif
