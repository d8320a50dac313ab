/* The personalities: modinit started under the name tini (or docker-init)
 * or dumb-init, or with --compat=NAME as its first argument, takes that
 * tool's options and environment variables, mapped onto the native options
 * (struct cli_opts), and behaves as that tool does where images and scripts
 * can tell. The words it prints are modinit's own. See modinit(8),
 * PERSONALITIES. */
#ifndef MODINIT_COMPAT_H
#define MODINIT_COMPAT_H

#include <stddef.h>

#include "cli.h"

enum compat_who { COMPAT_NONE = 0, COMPAT_TINI, COMPAT_DUMB_INIT };

enum compat_action { COMPAT_RUN = 0, COMPAT_HELP, COMPAT_VERSION, COMPAT_LICENSE };

/* Both tools end a usage error with 1 (modinit itself: 64). */
#define COMPAT_EXIT_USAGE 1

/* The personality argv asks for: argv[0]'s base name, or a first argument
 * --compat=NAME (then *skip is 1: that argument is not the personality's).
 * 0, or -EINVAL for --compat with a NAME that is none (reason in err). */
int compat_pick(int argc, char *const argv[], enum compat_who *who, int *skip, char *err,
		size_t errlen);
/* The personality's options in argv (argv[0] its name) and its environment
 * variables, onto o as cli_parse would fill it. 0, or -EINVAL with the
 * reason in err (exit with COMPAT_EXIT_USAGE), or -ENOMEM. Call cli_free
 * afterwards, even on failure. */
int compat_parse(enum compat_who who, int argc, char **argv, struct cli_opts *o,
		 enum compat_action *action, char *err, size_t errlen);
/* Print the help, version or license summary on the stream the tool uses
 * for it; the exit status (0). */
int compat_print(enum compat_who who, enum compat_action action, const char *argv0);

#endif
