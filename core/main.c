#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "modinit.h"
#include "parse.h"

/* exit() is called from this file only: setup is the only phase that may
 * die (see DESIGN.md, Process model). */
static void die(int code, const char *fmt, const char *arg)
{
	log_msg(LOGL_ERROR, fmt, arg);
	exit(code);
}

static void setup_process(struct modinit *m)
{
	if (!m->pid1 || m->opts.subreaper) {
		/* Orphans of our subtree come back to us, as they would to PID 1. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			die(EXIT_INTERNAL, "cannot become a child subreaper: %s", strerror(errno));
		if (!m->pid1)
			log_msg(LOGL_INFO, "not PID 1: registered as a child subreaper");
	}
	if (m->opts.pdeathsig &&
	    prctl(PR_SET_PDEATHSIG, (unsigned long)m->opts.pdeathsig, 0, 0, 0) < 0)
		die(EXIT_INTERNAL, "cannot set the parent-death signal: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct modinit m;
	char err[256];
	int r;

	memset(&m, 0, sizeof(m));
	if (cli_parse(argc, argv, &m.opts, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "%s", err);
	if (m.opts.action == CLI_HELP) {
		cli_usage(stdout);
		return 0;
	}
	if (m.opts.action == CLI_VERSION) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	log_set_level(LOGL_INFO + m.opts.verbosity);
	m.command = m.opts.command;
	if (!m.command)
		die(EXIT_USAGE, "%s", "no command given (see --help)");
	m.self = getpid();
	m.pid1 = m.self == 1;
	m.sd.stop_signal = SIGTERM;
	m.sd.grace_ms = m.opts.grace_ms;
	m.reaper.warn_orphans = m.opts.warn_reap;
	setup_process(&m);
	r = sig_setup(&m.sigs, m.pid1);
	if (r < 0)
		die(EXIT_INTERNAL, "cannot set up signal handling: %s", strerror(-r));
	return supervise_run(&m);
}
