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

#define CLI_DEFAULT_GRACE_MS 5000u

/* Where the command runs, relative to modinit. */
enum cli_child {
	CLI_CHILD_GROUP = 0, /* a process group of its own, the terminal's
				foreground (native, tini) */
	CLI_CHILD_SESSION,   /* a session of its own, with the terminal when no
				other session holds it (dumb-init) */
	CLI_CHILD_SHARED,    /* modinit's own group (dumb-init -c) */
};

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
	/* -r FROM:TO, checked here, applied as signal-remap's map. As many as
	 * given: room for one per argument is allocated (cli_free). */
	const char **rewrite;
	int rewrite_count;
	/* -e CODE[:NEW], checked here, applied as exit-code's map; the same */
	const char **remap_exit;
	int remap_exit_count;
	char **command;     /* NULL-terminated, points into argv */
	int command_argc;
	/* What the personalities (core/compat.c) change; native defaults 0. */
	enum cli_child child;
	bool end_with_main; /* the run ends when the command does, leaving
			       the other processes as they are */
	int end_signal;     /* with end_with_main: sent through the signal
			       pipeline to the command's group as it ends */
	bool job_stop;      /* once SIGTSTP, SIGTTIN or SIGTTOU is forwarded,
			       modinit stops itself (not as PID 1) */
	void *mem;          /* rule texts a personality made (cli_free) */
};

/* Parse argv. Returns 0, or -EINVAL with a one-line reason in err
 * (-ENOMEM: no room for the rule lists). Call cli_free afterwards, even
 * on failure. */
int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);
/* For a parser of argv: o reset to the defaults, with room for that many
 * rules in each list, and getopt reset. 0, or -ENOMEM (said in err). */
int cli_start(struct cli_opts *o, int rules, char *err, size_t errlen);
void cli_free(struct cli_opts *o);
/* The --help text. */
void cli_usage(FILE *out);

#endif
