/* The state of one modinit run, passed down explicitly (no globals). */
#ifndef MODINIT_STATE_H
#define MODINIT_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <modinit/module.h>

#include "cli.h"
#include "lifecycle.h"
#include "loop.h"
#include "mainstart.h"
#include "reap.h"
#include "signals.h"
#include "spawn.h"
#include "statedir.h"
#include "status.h"

/* Exit statuses of modinit itself (sysexits.h values). */
enum {
	EXIT_USAGE = 64,    /* EX_USAGE */
	EXIT_INTERNAL = 70, /* EX_SOFTWARE */
	EXIT_CONFIG = 78,   /* EX_CONFIG */
};

/* How the run ends: from the config and the command line. */
struct shutdown {
	int stop_signal;
	uint64_t grace_ms;
};

/* A process a module started through the host; the core reaps it. */
struct helper {
	pid_t pid;
	struct module *owner;
	void (*done)(void *arg, pid_t pid, int status);
	void *arg;
	struct helper *next;
	bool group;          /* leads a process group of its own */
	uint64_t timeout_ms; /* spawn option timeout_ms, 0: none */
	uint64_t timer;      /* its timeout timer, 0: none pending */
	char argv0[64];      /* for log lines */
};

struct module;
struct endpoint;

struct modinit {
	struct cli_opts opts;
	const char *config_file;  /* NULL: no config */
	const char *state_dir;
	struct statedir sdir;     /* state_dir, once a module asked for it */
	struct status_doc status; /* STATE_DIR/status, see status.c */
	struct module *modules;
	size_t module_count;
	struct helper *helpers;
	char **command;
	bool pid1;
	pid_t self;
	struct loop loop;
	struct sig_state sigs;
	struct reaper reaper;
	struct shutdown sd;
	struct lifecycle lc;      /* the phase, and everything that decides how
				     and with which code the run ends */
	struct endpoint *ep;      /* the HTTP endpoint a module asked for */
	struct module *ep_owner;
	struct mainstart mstart;  /* the modules' environment, fds and ids for
				     the main command (ABI 1.2) */
	char *start_dir;          /* the working directory modinit started in
				     (NULL: unknown, modinit stays there) */
	bool left_dir;            /* modinit has moved to / since: commands
				     and helpers start in start_dir */
	char *state_dir_buf;      /* state_dir made absolute, if it was not */
};

/* shutdown.c */
/* Signal every process modinit answers for but itself: the whole namespace
 * as PID 1 (kill(-1)), its descendants otherwise. Returns how many were
 * signalled (PID 1: 1 if any, 0 if none), or -errno (-EINVAL while modinit
 * does not know its own pid). */
long shutdown_signal_all(struct modinit *m, int sig);
/* The same, sparing the process except. */
long shutdown_signal_except(struct modinit *m, pid_t except, int sig);

/* events.c: dispatch to the modules, in config order */
void events_host_init(struct modinit *m, struct module *mod);
void events_start(struct modinit *m);
void events_spawn(struct modinit *m, pid_t pid);
/* The pipeline's verdict (MODINIT_SIGNAL_*; a rewrite to an invalid signal
 * counts as DROP); the final signal and target are in *sig. */
int events_signal_verdict(struct modinit *m, struct modinit_signal *sig);
/* Returns false when the signal was dropped or consumed; else the final
 * signal and target are in *sig. */
bool events_signal(struct modinit *m, struct modinit_signal *sig);
/* true if pid was a helper (its owner was told). */
bool events_reaped(void *arg, pid_t pid, int status);
int events_main_exit(struct modinit *m, int status);
/* on_reap to every module that has it (kind: enum modinit_reap_kind),
 * after the hooks of that reap. */
void events_reap_observe(struct modinit *m, pid_t pid, int kind, int status);
void events_shutdown(struct modinit *m, int reason);
/* The names of the modules still holding the stop ("a, b"), into buf. */
void events_stop_holders(const struct modinit *m, char *buf, size_t len);
void events_exit(struct modinit *m, int *code);
void events_fini(struct modinit *m);

/* supervise.c */
/* Start the main command and run the loop until the run is over; returns the
 * exit code. */
int supervise_run(struct modinit *m);

#endif
