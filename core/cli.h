/* Command-line parsing, kept free of side effects so it can be unit tested. */
#ifndef MODINIT_CLI_H
#define MODINIT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_action {
	CLI_RUN = 0,
	CLI_HELP,
	CLI_VERSION,
	CLI_CHECK_CONFIG,
	CLI_LIST_MODULES,
	CLI_DESCRIBE_MODULE,
	CLI_HEALTH,
	CLI_STATUS,
};

#define CLI_MAX_MODULE_PATH 16
#define CLI_MAX_RULES 64

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
	const char *module_path[CLI_MAX_MODULE_PATH + 1]; /* --module-path */
	int module_path_count;
	const char *describe; /* --describe-module NAME */
	const char *mode;     /* -m, --mode: wait | wait-all-children | exec */
	const char *state_dir; /* --state-dir */
	bool health_ready;     /* --health=ready */
	/* -r FROM:TO, checked here, applied as signal-remap's map */
	const char *rewrite[CLI_MAX_RULES];
	int rewrite_count;
	/* -e CODE[:NEW], checked here, applied as exit-code's map */
	const char *remap_exit[CLI_MAX_RULES];
	int remap_exit_count;
	char **command;     /* NULL-terminated, points into argv */
	int command_argc;
};

/* Parse argv. Returns 0, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);
/* The --help text. */
void cli_usage(FILE *out);

#endif
