#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/cfg.h"
#include "parse.h"

enum { OPT_GRACE = 256, OPT_MODULE_PATH, OPT_CHECK_CONFIG, OPT_LIST_MODULES, OPT_DESCRIBE, OPT_STATE_DIR, OPT_HEALTH,
       OPT_STATUS, OPT_COMPAT };

/* '+': stop at the first non-option, so the command's own flags are left
 * alone even without "--". */
static const char short_opts[] = "+:sgp:wvqVhc:m:r:e:";

static const struct option long_opts[] = {
	{ "subreaper", no_argument, NULL, 's' },
	{ "group", no_argument, NULL, 'g' },
	{ "pdeathsig", required_argument, NULL, 'p' },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "warn-reap", no_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ "config", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "rewrite", required_argument, NULL, 'r' },
	{ "remap-exit", required_argument, NULL, 'e' },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "health", optional_argument, NULL, OPT_HEALTH },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "compat", required_argument, NULL, OPT_COMPAT },
	{ "module-path", required_argument, NULL, OPT_MODULE_PATH },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "list-modules", no_argument, NULL, OPT_LIST_MODULES },
	{ "describe-module", required_argument, NULL, OPT_DESCRIBE },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *out)
{
	fputs("Usage: modinit [OPTIONS] [--] COMMAND [ARG...]\n"
	      "Run COMMAND as the child of a container init: reap every zombie,\n"
	      "forward signals, and end with the command's exit status.\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE     read the YAML configuration FILE\n"
	      "                        (default: $MODINIT_CONFIG, else none)\n"
	      "  -m, --mode MODE       wait (default), wait-all-children or exec\n"
	      "  -r, --rewrite FROM:TO forward signal FROM as TO, or drop it with\n"
	      "                        TO=ignore (signal-remap; repeatable)\n"
	      "  -e, --remap-exit CODE[:NEW]\n"
	      "                        exit with NEW (default 0) instead of CODE\n"
	      "                        (exit-code; repeatable)\n"
	      "      --state-dir DIR   where modules keep state (default /run/modinit)\n"
	      "      --health[=ready]  print the health status kept in the state\n"
	      "                        directory; exit 0 if healthy (ready), else 1\n"
	      "      --status          print the status document kept in the state\n"
	      "                        directory; exit 0 if its modinit runs, else 1\n"
	      "      --module-path DIR search DIR for modules first (repeatable)\n"
	      "      --check-config    check the configuration, load and initialise\n"
	      "                        every module, then exit\n"
	      "      --list-modules    list the modules found on the search path\n"
	      "      --describe-module NAME\n"
	      "                        print a module's options and exit\n"
	      "  -s, --subreaper       register as child subreaper (automatic when\n"
	      "                        not PID 1)\n"
	      "  -g, --group           forward signals to the command's process group\n"
	      "  -p, --pdeathsig SIG   signal modinit receives when its parent dies\n"
	      "      --grace DURATION  time between the stop signal and SIGKILL for\n"
	      "                        the processes left at shutdown (default 5s)\n"
	      "  -w, --warn-reap       log every adopted zombie that is reaped\n"
	      "  -v, --verbose         more log output (repeatable)\n"
	      "  -q, --quiet           less log output (repeatable)\n"
	      "  -V, --version         print the version and exit\n"
	      "      --compat=NAME     as the first argument: take the options and\n"
	      "                        environment of tini or dumb-init (see modinit(8))\n"
	      "  -h, --help            print this help and exit\n"
	      "\n"
	      "Signals: SIGTERM, TERM, 15, SIGRTMIN+3. Durations: 250ms, 5s, 2m, 1h.\n"
	      "Exit status: the command's, or 128+N if signal N killed it; 127 if\n"
	      "the command is missing, 126 if it cannot be run; 64 usage error,\n"
	      "78 configuration error, 70 internal error.\n",
	      out);
}

static int cli_bad(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

static const char *cli_optname(int c, char *buf, size_t len)
{
	for (const struct option *o = long_opts; o->name; o++) {
		if (o->val == c) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	}
	snprintf(buf, len, "-%c", c);
	return buf;
}

/* FROM:TO, both signals, TO may be "ignore". */
static int cli_check_rewrite(const char *arg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	char from[32];
	int sig;

	if (!colon || (size_t)(colon - arg) >= sizeof(from))
		return cli_bad(err, errlen, "%s: expected FROM:TO like SIGTERM:SIGQUIT, got \"%s\"",
			       "--rewrite", arg);
	memcpy(from, arg, (size_t)(colon - arg));
	from[colon - arg] = '\0';
	if (parse_signal(from, &sig) < 0 || (strcmp(colon + 1, "ignore") != 0 &&
					     parse_signal(colon + 1, &sig) < 0))
		return cli_bad(err, errlen, "%s: expected FROM:TO like SIGTERM:SIGQUIT, got \"%s\"",
			       "--rewrite", arg);
	return 0;
}

/* CODE or CODE:NEW, both 0..255. */
static int cli_check_exit(const char *arg, char *err, size_t errlen)
{
	char buf[16];
	const char *colon = strchr(arg, ':');
	long v;

	if (strlen(arg) >= sizeof(buf))
		return cli_bad(err, errlen, "%s: expected CODE or CODE:NEW (0-255), got \"%s\"",
			       "--remap-exit", arg);
	strcpy(buf, arg);
	if (colon)
		buf[colon - arg] = '\0';
	if (parse_long(buf, 0, 255, &v) < 0 || (colon && parse_long(colon + 1, 0, 255, &v) < 0))
		return cli_bad(err, errlen, "%s: expected CODE or CODE:NEW (0-255), got \"%s\"",
			       "--remap-exit", arg);
	return 0;
}

/* No cap of its own: cli_parse made room for one rule per argument. */
static int cli_rule(const char **v, int *n, const char *arg)
{
	v[(*n)++] = arg;
	return 0;
}

int cli_start(struct cli_opts *o, int rules, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->grace_ms = CLI_DEFAULT_GRACE_MS;
	err[0] = '\0';
	optind = 0; /* glibc: full re-initialisation, so tests can call us twice */
	opterr = 0;
	/* calloc(0) may answer NULL: always room for one. */
	o->rewrite = calloc((size_t)rules + 1, sizeof(*o->rewrite));
	o->remap_exit = calloc((size_t)rules + 1, sizeof(*o->remap_exit));
	if (o->rewrite && o->remap_exit)
		return 0;
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -ENOMEM;
}

void cli_free(struct cli_opts *o)
{
	free(o->rewrite);
	free(o->remap_exit);
	free(o->mem);
	o->rewrite = o->remap_exit = NULL;
	o->mem = NULL;
	o->rewrite_count = o->remap_exit_count = 0;
}

static int cli_option(int c, struct cli_opts *o, char *err, size_t errlen)
{
	enum cfg_mode mode;

	switch (c) {
	case 's': o->subreaper = true; break;
	case 'g': o->group = true; break;
	case 'w': o->warn_reap = true; break;
	case 'v': o->verbosity++; break;
	case 'q': o->verbosity--; break;
	case 'c': o->config = optarg; break;
	case 'V': o->action = CLI_VERSION; break;
	case 'h': o->action = CLI_HELP; break;
	case 'p':
		if (parse_signal(optarg, &o->pdeathsig) < 0)
			return cli_bad(err, errlen, "%s: expected a signal like SIGTERM, got \"%s\"",
				       "--pdeathsig", optarg);
		break;
	case OPT_GRACE:
		if (parse_duration(optarg, &o->grace_ms) < 0)
			return cli_bad(err, errlen, "%s: expected a duration like 5s, got \"%s\"",
				       "--grace", optarg);
		o->grace_set = true;
		break;
	case OPT_MODULE_PATH:
		if (o->module_path_count == CLI_MAX_MODULE_PATH)
			return cli_bad(err, errlen, "%s: at most %s directories", "--module-path", "16");
		o->module_path[o->module_path_count++] = optarg;
		break;
	case 'm':
		if (cfg_mode_parse(optarg, &mode) < 0)
			return cli_bad(err, errlen, "%s: expected " CFG_MODE_EXPECTED ", got \"%s\"",
				       "--mode", optarg);
		o->mode = optarg;
		break;
	case 'r':
		if (cli_check_rewrite(optarg, err, errlen) < 0)
			return -EINVAL;
		return cli_rule(o->rewrite, &o->rewrite_count, optarg);
	case 'e':
		if (cli_check_exit(optarg, err, errlen) < 0)
			return -EINVAL;
		return cli_rule(o->remap_exit, &o->remap_exit_count, optarg);
	case OPT_STATE_DIR: o->state_dir = optarg; break;
	case OPT_HEALTH:
		if (optarg && strcmp(optarg, "ready") && strcmp(optarg, "live"))
			return cli_bad(err, errlen, "%s: expected ready or live, got \"%s\"", "--health",
				       optarg);
		o->action = CLI_HEALTH;
		o->health_ready = optarg && strcmp(optarg, "ready") == 0;
		break;
	case OPT_STATUS: o->action = CLI_STATUS; break;
	case OPT_COMPAT: /* main.c takes it as the first argument only */
		return cli_bad(err, errlen, "--compat=%s must be the first argument%s", optarg, "");
	case OPT_CHECK_CONFIG: o->action = CLI_CHECK_CONFIG; break;
	case OPT_LIST_MODULES: o->action = CLI_LIST_MODULES; break;
	case OPT_DESCRIBE:
		o->action = CLI_DESCRIBE_MODULE;
		o->describe = optarg;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* getopt's '?' covers three cases: an unknown long option (optopt 0), a
 * known long option given "=ARG" it does not take (optopt its value), and an
 * unknown letter. optind stays on a cluster like "-xs" until its last
 * letter, so argv[optind - 1] only names long options. */
static int cli_unknown(char **argv, char *err, size_t errlen)
{
	char name[64];

	if (optopt == 0) { /* an unknown or ambiguous long option */
		const char *arg = argv[optind - 1];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
		return cli_bad(err, errlen, "unknown option '%s'%s", name, " (see --help)");
	}
	if (optopt >= OPT_GRACE || (optopt != ':' && strchr(short_opts + 2, optopt)))
		return cli_bad(err, errlen, "option %s takes no argument%s",
			       cli_optname(optopt, name, sizeof(name)), "");
	snprintf(name, sizeof(name), "-%c", optopt);
	return cli_bad(err, errlen, "unknown option '%s'%s", name, " (see --help)");
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	int c;

	if (cli_start(o, argc, err, errlen) < 0)
		return -ENOMEM;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		char name[32];

		if (c == ':')
			return cli_bad(err, errlen, "option %s needs an argument%s",
				       cli_optname(optopt, name, sizeof(name)), "");
		if (c == '?')
			return cli_unknown(argv, err, errlen);
		if (cli_option(c, o, err, errlen) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		o->command = &argv[optind];
		o->command_argc = argc - optind;
	}
	/* "--health ready" would silently answer for liveness. */
	if (o->action == CLI_HEALTH && o->command)
		return cli_bad(err, errlen, "--health takes no command, got \"%s\" (for readiness: --health=ready)%s",
			       o->command[0], "");
	if (o->action == CLI_STATUS && o->command)
		return cli_bad(err, errlen, "--status takes no command, got \"%s\"%s", o->command[0], "");
	return 0;
}
