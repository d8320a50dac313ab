/* Command-line parsing, kept free of side effects so it can be unit tested. */
#ifndef MODINIT_CLI_H
#define MODINIT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_action { CLI_RUN = 0, CLI_HELP, CLI_VERSION };

#define CLI_DEFAULT_GRACE_MS 5000u

struct cli_opts {
	enum cli_action action;
	bool subreaper;     /* -s */
	bool group;         /* -g */
	bool warn_reap;     /* -w */
	int pdeathsig;      /* -p, 0 = unset */
	uint64_t grace_ms;  /* --grace */
	bool grace_set;
	int verbosity;      /* +1 per -v, -1 per -q */
	const char *config; /* -c, --config */
	char **command;     /* NULL-terminated, points into argv */
	int command_argc;
};

/* Parse argv. Returns 0, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);
/* The --help text. */
void cli_usage(FILE *out);

#endif
