/* The tini and dumb-init personalities: their options and environment
 * variables, mapped onto the native options. Only the parsing lives here;
 * the behaviour is the native one, steered by the fields of struct cli_opts
 * the personalities set (child, end_with_main, end_signal, job_stop). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "core/version-id.h"
#include "log.h"
#include "parse.h"

/* dumb-init rewrites the classic signals only. */
#define COMPAT_MAXSIG 31
/* The longest rule text made here: "31:ignore". */
#define COMPAT_RULE_LEN 16

static const struct {
	const char *name;
	enum compat_who who;
} compat_names[] = {
	{ "tini", COMPAT_TINI },
	{ "docker-init", COMPAT_TINI }, /* the name Docker installs tini under */
	{ "dumb-init", COMPAT_DUMB_INIT },
};

static enum compat_who compat_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(compat_names) / sizeof(compat_names[0]); i++)
		if (strcmp(name, compat_names[i].name) == 0)
			return compat_names[i].who;
	return COMPAT_NONE;
}

int compat_pick(int argc, char *const argv[], enum compat_who *who, int *skip, char *err,
		size_t errlen)
{
	const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;

	*skip = 0;
	*who = argc > 0 && argv[0] ? compat_by_name(base ? base + 1 : argv[0]) : COMPAT_NONE;
	if (*who != COMPAT_NONE || argc < 2 || strncmp(argv[1], "--compat=", 9) != 0)
		return 0;
	*who = compat_by_name(argv[1] + 9);
	if (*who == COMPAT_NONE || strcmp(argv[1] + 9, "docker-init") == 0) {
		snprintf(err, errlen, "--compat: expected tini or dumb-init, got \"%s\"", argv[1] + 9);
		*who = COMPAT_NONE;
		return -EINVAL;
	}
	*skip = 1;
	return 0;
}

static int compat_bad(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -EINVAL;
}

/* Room for every rule this parse can make (one per argument, and three
 * defaults), their texts in one block in o->mem. */
static int compat_alloc(struct cli_opts *o, int argc, char *err, size_t errlen)
{
	if (cli_start(o, argc + 3, err, errlen) < 0)
		return -ENOMEM;
	o->mem = calloc((size_t)argc + 3, COMPAT_RULE_LEN);
	if (o->mem)
		return 0;
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -ENOMEM;
}

/* The i-th rule text of the block. */
static char *compat_text(struct cli_opts *o, int i)
{
	return (char *)o->mem + (size_t)i * COMPAT_RULE_LEN;
}

/* A log level as o->verbosity holds it: an offset from info. */
static int compat_level(int level)
{
	return level - LOGL_INFO;
}

/* ---- tini ---- */

/* -e CODE: the code ends the run as 0. A code given twice is one rule
 * (tini keeps a set); CODE is 0-255 in decimal. */
static int compat_tini_code(struct cli_opts *o, const char *arg, char *err, size_t errlen)
{
	long code;
	char *text;

	if (parse_long(arg, 0, 255, &code) < 0)
		return compat_bad(err, errlen, "-e: expected an exit code 0-255, got \"%s\"", arg);
	for (int i = 0; i < o->remap_exit_count; i++)
		if (atoi(o->remap_exit[i]) == code)
			return 0;
	text = compat_text(o, o->remap_exit_count);
	snprintf(text, COMPAT_RULE_LEN, "%ld:0", code);
	o->remap_exit[o->remap_exit_count++] = text;
	return 0;
}

static int compat_tini_option(int c, struct cli_opts *o, enum compat_action *action,
			      int *verbosity, char *err, size_t errlen)
{
	char name[4] = { '-', (char)optopt, '\0', '\0' };

	switch (c) {
	case 'h': *action = COMPAT_HELP; return 1;
	case 'l': *action = COMPAT_LICENSE; return 1;
	case 's': o->subreaper = true; return 0;
	case 'v': (*verbosity)++; return 0;
	case 'w': o->warn_reap = true; return 0;
	case 'g': o->group = true; return 0;
	case 'e': return compat_tini_code(o, optarg, err, errlen);
	case 'p':
		if (parse_signal(optarg, &o->pdeathsig) < 0)
			return compat_bad(err, errlen, "-p: expected a signal like SIGKILL, got \"%s\"",
					  optarg);
		return 0;
	case ':':
		return compat_bad(err, errlen, "option %s needs an argument (see -h)", name);
	default:
		return compat_bad(err, errlen, "unknown option '%s' (see -h)", name);
	}
}

/* tini's verbosity: 0 fatal errors only, 1 warnings (its default), 2 info,
 * 3 and more debug. TINI_VERBOSITY replaces what -v counted. */
static void compat_tini_env(struct cli_opts *o, int verbosity)
{
	static const int levels[] = { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };
	const char *v = getenv("TINI_VERBOSITY");

	/* Set at all, even empty, is "on" for these two. */
	if (getenv("TINI_SUBREAPER"))
		o->subreaper = true;
	if (getenv("TINI_KILL_PROCESS_GROUP"))
		o->group = true;
	if (v)
		verbosity = atoi(v);
	if (verbosity < 0)
		verbosity = 0;
	if (verbosity > 3)
		verbosity = 3;
	o->verbosity = compat_level(levels[verbosity]);
}

/* tini's getopt permutes: its options may come after the command's name,
 * and only "--" ends them (its documentation asks for "--"). */
static int compat_tini(int argc, char **argv, struct cli_opts *o, enum compat_action *action,
		       char *err, size_t errlen)
{
	int verbosity = 1, c, r;

	/* --version counts only as the one argument. */
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		*action = COMPAT_VERSION;
		return 0;
	}
	while ((c = getopt(argc, argv, ":hsp:vwgle:")) != -1) {
		r = compat_tini_option(c, o, action, &verbosity, err, errlen);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	compat_tini_env(o, verbosity);
	/* tini exits with the command, whatever is left. */
	o->end_with_main = true;
	return 0;
}

/* ---- dumb-init ---- */

/* One side of s:r: a number (or a name) 1-31; r may be 0, "do not forward". */
static int compat_dumb_signal(const char *s, bool zero_ok, int *sig)
{
	long n;

	if (zero_ok && strcmp(s, "0") == 0) {
		*sig = 0;
		return 0;
	}
	if (parse_long(s, 1, COMPAT_MAXSIG, &n) == 0) {
		*sig = (int)n;
		return 0;
	}
	return parse_signal(s, sig) == 0 && *sig <= COMPAT_MAXSIG ? 0 : -EINVAL;
}

/* The rule for signal s, or a new one: the last -r for a signal wins. */
static char *compat_dumb_slot(struct cli_opts *o, int s)
{
	for (int i = 0; i < o->rewrite_count; i++)
		if (atoi(o->rewrite[i]) == s)
			return (char *)o->rewrite[i];
	o->rewrite[o->rewrite_count] = compat_text(o, o->rewrite_count);
	return (char *)o->rewrite[o->rewrite_count++];
}

static void compat_dumb_rule(struct cli_opts *o, int s, int r)
{
	char *text = compat_dumb_slot(o, s);

	if (r == 0)
		snprintf(text, COMPAT_RULE_LEN, "%d:ignore", s);
	else
		snprintf(text, COMPAT_RULE_LEN, "%d:%d", s, r);
}

static int compat_dumb_rewrite(struct cli_opts *o, const char *arg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	char from[16];
	int s, r;

	if (!colon || (size_t)(colon - arg) >= sizeof(from))
		return compat_bad(err, errlen, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"%s\"",
				  arg);
	memcpy(from, arg, (size_t)(colon - arg));
	from[colon - arg] = '\0';
	if (compat_dumb_signal(from, false, &s) < 0 || compat_dumb_signal(colon + 1, true, &r) < 0)
		return compat_bad(err, errlen, "-r: expected s:r, signals 1-31 (r 0: not forwarded), got \"%s\"",
				  arg);
	/* These never reach the forwarding: a rule for them changes nothing. */
	if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
		compat_dumb_rule(o, s, r);
	return 0;
}

static const struct option compat_dumb_long[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "single-child", no_argument, NULL, 'c' },
	{ "rewrite", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int compat_dumb_option(int c, char **argv, struct cli_opts *o, enum compat_action *action,
			      bool *single, char *err, size_t errlen)
{
	char name[64];

	switch (c) {
	case 'h': *action = COMPAT_HELP; return 1;
	case 'V': *action = COMPAT_VERSION; return 1;
	case 'v': o->verbosity = compat_level(LOGL_DEBUG); return 0;
	case 'c': *single = true; return 0;
	case 'r': return compat_dumb_rewrite(o, optarg, err, errlen);
	}
	/* An unknown long option is the argument getopt just passed. */
	if (optopt)
		snprintf(name, sizeof(name), "-%c", optopt);
	else
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(argv[optind - 1], "="),
			 argv[optind - 1]);
	if (c == ':')
		return compat_bad(err, errlen, "option %s needs an argument (see --help)", name);
	return compat_bad(err, errlen, "unknown option '%s' (see --help)", name);
}

/* The environment, then the mode: in a session of its own the command gets
 * every signal as a group, and the terminal's stop signals become SIGSTOP
 * (a session without the terminal would ignore them) unless -r says
 * otherwise. */
static void compat_dumb_mode(struct cli_opts *o, bool single)
{
	static const int tty_stops[] = { SIGTSTP, SIGTTOU, SIGTTIN };
	const char *debug = getenv("DUMB_INIT_DEBUG"), *setsid = getenv("DUMB_INIT_SETSID");

	if (debug && strcmp(debug, "1") == 0)
		o->verbosity = compat_level(LOGL_DEBUG);
	if (setsid && strcmp(setsid, "0") == 0)
		single = true;
	o->child = single ? CLI_CHILD_SHARED : CLI_CHILD_SESSION;
	o->group = !single;
	for (size_t i = 0; !single && i < sizeof(tty_stops) / sizeof(tty_stops[0]); i++) {
		bool given = false;

		for (int k = 0; k < o->rewrite_count; k++)
			given = given || atoi(o->rewrite[k]) == tty_stops[i];
		if (!given)
			compat_dumb_rule(o, tty_stops[i], SIGSTOP);
	}
	/* As the command ends, SIGTERM (rewritten as any other) to its group. */
	o->end_with_main = true;
	o->end_signal = SIGTERM;
	o->job_stop = true;
}

static int compat_dumb(int argc, char **argv, struct cli_opts *o, enum compat_action *action,
		       char *err, size_t errlen)
{
	bool single = false;
	int c, r;

	/* Only errors, unless -v or DUMB_INIT_DEBUG=1. */
	o->verbosity = compat_level(LOGL_ERROR);
	while ((c = getopt_long(argc, argv, "+:hvVcr:", compat_dumb_long, NULL)) != -1) {
		r = compat_dumb_option(c, argv, o, action, &single, err, errlen);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	compat_dumb_mode(o, single);
	return 0;
}

int compat_parse(enum compat_who who, int argc, char **argv, struct cli_opts *o,
		 enum compat_action *action, char *err, size_t errlen)
{
	int r;

	*action = COMPAT_RUN;
	if (compat_alloc(o, argc, err, errlen) < 0)
		return -ENOMEM;
	r = who == COMPAT_TINI ? compat_tini(argc, argv, o, action, err, errlen)
			       : compat_dumb(argc, argv, o, action, err, errlen);
	if (r < 0 || *action != COMPAT_RUN)
		return r;
	if (optind >= argc)
		return compat_bad(err, errlen, "no command given (see %s)",
				  who == COMPAT_TINI ? "-h" : "--help");
	o->command = &argv[optind];
	o->command_argc = argc - optind;
	return 0;
}

/* ---- what -h, --version and -l print ---- */

static void compat_tini_help(FILE *out, const char *name)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] COMMAND [ARG...] | --version\n"
		"modinit %s in tini's clothes: run COMMAND as the child of a container\n"
		"init, reap every zombie, forward signals, and exit as COMMAND does.\n"
		"Options may follow COMMAND's name: end them with \"--\".\n"
		"\n"
		"  --version   print the version (alone) and exit\n"
		"  -h          print this help and exit\n"
		"  -s          register as a child subreaper\n"
		"  -p SIGNAL   the signal modinit receives when its parent dies\n"
		"  -v          more messages (repeatable, up to 3)\n"
		"  -w          a warning for every adopted zombie reaped\n"
		"  -g          forward signals to COMMAND's process group\n"
		"  -e CODE     exit with 0 when COMMAND exits with CODE (repeatable)\n"
		"  -l          print modinit's license summary and exit\n"
		"\n"
		"Environment: TINI_SUBREAPER (as -s), TINI_KILL_PROCESS_GROUP (as -g),\n"
		"TINI_VERBOSITY=N (0 errors only, 1 warnings (default), 2 info, 3 debug).\n"
		"The native interface: modinit --help; see modinit(8), PERSONALITIES.\n",
		name, PACKAGE_VERSION);
}

static void compat_dumb_help(FILE *out, const char *name)
{
	fprintf(out,
		"Usage: %s [OPTIONS] [--] COMMAND [ARG...]\n"
		"modinit %s in dumb-init's clothes: run COMMAND in a session of its own,\n"
		"forward every signal to its process group, reap every zombie, and exit\n"
		"as COMMAND does, with SIGTERM to what is left of its group.\n"
		"\n"
		"  -c, --single-child  COMMAND stays in modinit's process group and alone\n"
		"                      gets the signals\n"
		"  -r, --rewrite s:r   forward signal s (1-31) as r, or not at all with\n"
		"                      r=0 (repeatable)\n"
		"  -v, --verbose       debug messages on stderr\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Environment: DUMB_INIT_SETSID=0 (as -c), DUMB_INIT_DEBUG=1 (as -v).\n"
		"The native interface: modinit --help; see modinit(8), PERSONALITIES.\n",
		name, PACKAGE_VERSION);
}

int compat_print(enum compat_who who, enum compat_action action, const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	const char *name = base ? base + 1 : argv0 ? argv0 : PACKAGE_NAME;
	/* dumb-init prints its help and version on stderr, tini on stdout. */
	FILE *out = who == COMPAT_DUMB_INIT ? stderr : stdout;

	switch (action) {
	case COMPAT_HELP:
		if (who == COMPAT_TINI)
			compat_tini_help(out, name);
		else
			compat_dumb_help(out, name);
		break;
	case COMPAT_VERSION:
		/* " - git.ID": what Docker's `docker info` reads from
		 * `docker-init --version` (the text before " - " is free). */
		if (who == COMPAT_TINI)
			fprintf(out, "%s %s (tini personality) - git.%s\n", PACKAGE_NAME,
				PACKAGE_VERSION, MODINIT_GIT_ID);
		else
			fprintf(out, "%s %s (dumb-init personality)\n", PACKAGE_NAME, PACKAGE_VERSION);
		break;
	case COMPAT_LICENSE:
		fprintf(out, "%s %s (git %s), a container init with pluggable policies,\n"
			"started under tini's name. It is not tini: its copying terms are those\n"
			"of the modinit source it was built from.\n",
			PACKAGE_NAME, PACKAGE_VERSION, MODINIT_GIT_ID);
		break;
	case COMPAT_RUN:
		break;
	}
	fflush(out);
	return 0;
}
