#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "parse.h"

enum { OPT_GRACE = 256 };

/* '+': stop at the first non-option, so the command's own flags are left
 * alone even without "--". */
static const char short_opts[] = "+:sgp:wvqVhc:";

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

static int cli_option(int c, struct cli_opts *o, char *err, size_t errlen)
{
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
	default:
		return -EINVAL;
	}
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->grace_ms = CLI_DEFAULT_GRACE_MS;
	err[0] = '\0';
	optind = 0; /* glibc: full re-initialisation, so tests can call us twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		char name[32];

		if (c == ':')
			return cli_bad(err, errlen, "option %s needs an argument%s",
				       cli_optname(optopt, name, sizeof(name)), "");
		if (c == '?')
			return cli_bad(err, errlen, "unknown option '%s'%s", argv[optind - 1],
				       " (see --help)");
		if (cli_option(c, o, err, errlen) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		o->command = &argv[optind];
		o->command_argc = argc - optind;
	}
	return 0;
}
