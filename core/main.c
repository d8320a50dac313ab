#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "modinit.h"
#include "parse.h"
#include "query.h"
#include "setup.h"
#include "shortcuts.h"
#include "spawn.h"

#define DEFAULT_STATE_DIR "/run/modinit"

/* exit() is called from this file only: setup is the only phase that may
 * die (see DESIGN.md, Process model). */
static void die(int code, const char *fmt, const char *arg)
{
	log_msg(LOGL_ERROR, fmt, arg);
	exit(code);
}

static void setup_process(struct modinit *m, enum cfg_tristate subreaper)
{
	bool want = m->opts.subreaper || subreaper == CFG_TRUE ||
		    (!m->pid1 && subreaper == CFG_AUTO);

	if (want) {
		/* Orphans of our subtree come back to us, as they would to PID 1. */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			die(EXIT_INTERNAL, "cannot become a child subreaper: %s", strerror(errno));
		if (!m->pid1 && !m->opts.subreaper && subreaper == CFG_AUTO)
			log_msg(LOGL_INFO, "not PID 1: registered as a child subreaper");
	}
}

/* -p: the kernel sends the signal only for a death after the prctl, so a
 * parent that died since modinit started (ppid, read first thing) is
 * treated as if the signal had come. A PID 1 whose parent is outside its
 * namespace sees ppid 0 throughout and relies on the prctl alone. */
static void setup_pdeathsig(struct modinit *m, pid_t ppid)
{
	int sig = m->opts.pdeathsig;
	char name[16];

	if (prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0) < 0)
		die(EXIT_INTERNAL, "cannot set the parent-death signal: %s", strerror(errno));
	if (getppid() == ppid)
		return;
	log_msg(LOGL_INFO, "parent (pid %d) exited before the parent-death signal was set: acting on %s",
		(int)ppid, signal_name(sig, name, sizeof(name)));
	if (sig_inject(sig, ppid) < 0)
		die(EXIT_INTERNAL, "cannot queue the parent-death signal: %s", strerror(EAGAIN));
}

/* Before the config and the modules: signals that arrive during setup
 * (the parent-death signal, a stop request) wait in the signalfd instead
 * of killing or missing a half set-up init. */
static void setup_signals(struct modinit *m, pid_t ppid)
{
	int r;

	r = sig_setup(&m->sigs, m->pid1);
	if (r < 0)
		die(EXIT_INTERNAL, "cannot set up signal handling: %s", strerror(-r));
	if (m->opts.pdeathsig)
		setup_pdeathsig(m, ppid);
}

/* The file gives defaults; flags on the command line win. */
static void apply_config(struct modinit *m, const struct config *c)
{
	int level = c->log_level_set ? c->log_level : LOGL_INFO;

	log_set_level(level + m->opts.verbosity);
	m->command = m->opts.command ? m->opts.command : c->command;
	m->sd.stop_signal = c->stop_signal_set ? c->stop_signal : SIGTERM;
	m->sd.grace_ms = (m->opts.grace_set || !c->grace_set) ? m->opts.grace_ms : c->grace_ms;
	m->state_dir = m->opts.state_dir ? m->opts.state_dir
		     : c->state_dir ? c->state_dir : DEFAULT_STATE_DIR;
	m->reaper.warn_orphans = m->opts.warn_reap;
	m->reaper.other = events_reaped;
	m->reaper.other_arg = m;
}

static void load_config(struct modinit *m, struct config *c)
{
	const char *env = getenv("MODINIT_CONFIG");
	char err[1024];

	m->config_file = m->opts.config ? m->opts.config : (env && *env ? env : NULL);
	if (!m->config_file)
		return;
	if (config_load(m->config_file, c, err, sizeof(err)) < 0) {
		config_free(c);
		die(EXIT_CONFIG, "%s", err);
	}
}

static int run_info_action(struct modinit *m, const struct loader_path *p)
{
	if (m->opts.action == CLI_LIST_MODULES)
		return setup_list_modules(p);
	return setup_describe_module(p, m->opts.describe);
}

static enum cfg_mode mode_of(const struct modinit *m, const struct config *c)
{
	enum cfg_mode mode = c->mode;

	/* --mode was checked by the CLI: a failure leaves the file's mode. */
	if (m->opts.mode)
		cfg_mode_parse(m->opts.mode, &mode);
	return mode;
}

static void load_modules(struct modinit *m, struct config *c, struct loader_path *p,
			 struct shortcuts *sc)
{
	char err[1024];

	if (shortcuts_build(&m->opts, c, sc) < 0)
		die(EXIT_INTERNAL, "%s", strerror(ENOMEM));
	if (setup_modules(m, c, mode_of(m, c), sc->modules, sc->count, p, err, sizeof(err)) == 0 &&
	    statedir_setup_end(&m->sdir, err, sizeof(err)) == 0)
		return;
	events_fini(m);
	setup_release(m);
	shortcuts_free(sc);
	loader_path_free(p);
	config_free(c);
	die(EXIT_CONFIG, "%s", err);
}

static int check_config_summary(const struct modinit *m)
{
	printf("%s: OK, %zu module%s", m->config_file ? m->config_file : "(no config)",
	       m->module_count, m->module_count == 1 ? "" : "s");
	for (size_t i = 0; i < m->module_count; i++)
		printf("%s%s", i ? ", " : ": ", m->modules[i].desc->name);
	printf("\n");
	return 0;
}

static bool exec_mode(const struct modinit *m)
{
	for (size_t i = 0; i < m->module_count; i++)
		if (m->modules[i].desc->flags & MODINIT_FLAG_EXEC)
			return true;
	return false;
}

/* mode exec: the command replaces modinit, once the modules are set up. */
static int run_exec(struct modinit *m)
{
	int err;

	events_start(m);
	log_msg(LOGL_DEBUG, "exec mode: replacing modinit with '%s'", m->command[0]);
	/* What modules asked for the command (environment, fds, ids): as a
	 * supervised command gets it, a failed step exits 126. */
	mainstart_apply(&m->mstart, NULL);
	/* The command gets the mask and dispositions modinit was started with. */
	sig_restore_child(&m->sigs);
	execvpe(m->command[0], m->command, (char **)mainstart_env(&m->mstart));
	err = errno;
	log_msg(LOGL_ERROR, "cannot run '%s': %s", m->command[0], strerror(err));
	return spawn_exec_code(err);
}

static int run(struct modinit *m, struct config *c)
{
	int r, code;

	r = loop_init(&m->loop);
	if (r < 0)
		die(EXIT_INTERNAL, "cannot create the event loop: %s", strerror(-r));
	if (exec_mode(m))
		return run_exec(m);

	setup_process(m, c->subreaper);
	code = supervise_run(m);
	events_exit(m, &code);
	return code;
}

/* The native options, or a personality's (core/compat.c): 0 to go on, or
 * 1 + the exit status once -h, --version and the like have done it all. */
static int parse_options(struct modinit *m, int argc, char **argv)
{
	enum compat_who who;
	enum compat_action act;
	char err[256];
	int skip, r;

	if (compat_pick(argc, argv, &who, &skip, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "%s", err);
	if (who == COMPAT_NONE) {
		r = cli_parse(argc, argv, &m->opts, err, sizeof(err));
		if (r < 0)
			die(r == -ENOMEM ? EXIT_INTERNAL : EXIT_USAGE, "%s", err);
		if (m->opts.action == CLI_HELP)
			cli_usage(stdout);
		else if (m->opts.action == CLI_VERSION)
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return m->opts.action == CLI_HELP || m->opts.action == CLI_VERSION;
	}
	/* "--compat=NAME" gives way to the name, as if started under it. */
	argv[skip] = argv[0];
	r = compat_parse(who, argc - skip, argv + skip, &m->opts, &act, err, sizeof(err));
	if (r < 0)
		die(r == -ENOMEM ? EXIT_INTERNAL : COMPAT_EXIT_USAGE, "%s", err);
	return act == COMPAT_RUN ? 0 : 1 + compat_print(who, act, argv[0]);
}

/* Where modinit was started: the command's working directory, kept as a
 * path for restarts and helpers once modinit itself has moved to / (see
 * supervise.c). A relative state directory is made absolute while it can
 * be. NULL when the directory has no name any more: then modinit stays. */
static void setup_start_dir(struct modinit *m)
{
	char *abs;

	m->start_dir = getcwd(NULL, 0);
	if (!m->start_dir || m->state_dir[0] == '/')
		return;
	abs = malloc(strlen(m->start_dir) + strlen(m->state_dir) + 2);
	if (!abs)
		die(EXIT_INTERNAL, "%s", strerror(ENOMEM));
	sprintf(abs, "%s/%s", m->start_dir, m->state_dir);
	m->state_dir = m->state_dir_buf = abs;
}

int main(int argc, char **argv)
{
	struct modinit m;
	struct config c;
	struct loader_path path = { 0 };
	struct shortcuts sc = { 0 };
	pid_t ppid = getppid(); /* first: see setup_pdeathsig */
	int code, r;

	log_open();
	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	m.loop.epfd = m.loop.tfd = -1; /* loop_fini before loop_init is a no-op */
	m.sigs.sfd = m.sigs.pfd = -1;
	/* Known before any module code runs: a service that signals "every
	 * process" walks the descendants of self, and of pid 0 that would be
	 * the whole machine (see core/shutdown.c). */
	m.self = getpid();
	m.pid1 = m.self == 1;
	/* A fault from here on (a module's constructor or init included) is
	 * reported and exits 70 (see DESIGN.md, Process model). */
	r = sig_setup_faults(&m.sigs);
	if (r < 0)
		die(EXIT_INTERNAL, "cannot set up signal handling: %s", strerror(-r));
	r = parse_options(&m, argc, argv);
	if (r > 0) {
		cli_free(&m.opts);
		return r - 1;
	}
	log_set_level(LOGL_INFO + m.opts.verbosity);
	if (m.opts.action == CLI_RUN)
		setup_signals(&m, ppid);
	load_config(&m, &c);
	apply_config(&m, &c);
	if (m.opts.action == CLI_RUN && !m.command)
		die(EXIT_USAGE, "%s", "no command given (see --help)");
	if (m.opts.action == CLI_RUN)
		setup_start_dir(&m);
	if (setup_module_path(&m, &c, &path) < 0)
		die(EXIT_INTERNAL, "%s", strerror(ENOMEM));
	if (m.opts.action == CLI_HEALTH) {
		code = query_health(m.state_dir, m.opts.health_ready);
	} else if (m.opts.action == CLI_STATUS) {
		code = query_status(m.state_dir);
	} else if (m.opts.action == CLI_LIST_MODULES || m.opts.action == CLI_DESCRIBE_MODULE) {
		code = run_info_action(&m, &path);
	} else {
		load_modules(&m, &c, &path, &sc);
		code = m.opts.action == CLI_CHECK_CONFIG ? check_config_summary(&m) : run(&m, &c);
		events_fini(&m);
		/* After fini, so that the last write holds what fini published. */
		status_finish(&m);
		setup_release(&m);
		statedir_close(&m.sdir);
	}
	loop_fini(&m.loop);
	shortcuts_free(&sc);
	loader_path_free(&path);
	config_free(&c);
	cli_free(&m.opts);
	free(m.start_dir);
	free(m.state_dir_buf);
	log_close();
	return code;
}
