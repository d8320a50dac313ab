/* The state of one modinit run, passed down explicitly (no globals). */
#ifndef MODINIT_STATE_H
#define MODINIT_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <modinit/module.h>

#include "cli.h"
#include "loop.h"
#include "reap.h"
#include "signals.h"
#include "statedir.h"

/* Exit statuses of modinit itself (sysexits.h values). */
enum {
	EXIT_USAGE = 64,    /* EX_USAGE */
	EXIT_INTERNAL = 70, /* EX_SOFTWARE */
	EXIT_CONFIG = 78,   /* EX_CONFIG */
};

enum shutdown_state {
	SD_RUNNING = 0, /* the main command runs */
	SD_STOPPING,    /* stop signal sent to what is left, grace timer armed */
	SD_KILLING,     /* grace over: SIGKILL sent, waiting for the last reaps */
};

struct shutdown {
	enum shutdown_state state;
	int stop_signal;
	uint64_t grace_ms;
	uint64_t grace_timer; /* 0 = none */
};

/* A process a module started through the host; the core reaps it. */
struct helper {
	pid_t pid;
	struct module *owner;
	void (*done)(void *arg, pid_t pid, int status);
	void *arg;
	struct helper *next;
};

struct module;

struct modinit {
	struct cli_opts opts;
	const char *config_file;  /* NULL: no config */
	const char *state_dir;
	struct statedir sdir;     /* state_dir, once a module asked for it */
	struct module *modules;
	size_t module_count;
	struct helper *helpers;
	bool exit_requested;      /* a module asked to end with exit_code */
	bool wait_all;            /* a module answered WAIT_ALL (not read: not
				     starting the shutdown is all it takes) */
	bool shutdown_notified;   /* on_shutdown was dispatched */
	bool stop_received;       /* the stop signal reached modinit: no restart
				     any more, the command's end is the run's */
	bool main_handled;        /* a module took the main exit over: the run
				     waits for its restart or shutdown request */
	char **command;
	bool pid1;
	pid_t self;
	struct loop loop;
	struct sig_state sigs;
	struct reaper reaper;
	struct shutdown sd;
	struct restart {
		bool active;       /* a module asked for a restart */
		bool waiting;      /* the old command is gone, delay running */
		uint64_t delay_ms;
		uint64_t timer;    /* grace, then delay */
	} rs;
	bool finished;
	int exit_code;
};

/* shutdown.c */
/* Signal every process modinit answers for but itself: the whole namespace
 * as PID 1 (kill(-1)), its descendants otherwise. Returns how many were
 * signalled (PID 1: 1 if any, 0 if none), or -errno. */
long shutdown_signal_all(struct modinit *m, int sig);
/* RUNNING -> STOPPING: stop signal to every remaining process, grace armed. */
void shutdown_begin(struct modinit *m, const char *reason);
/* The main command's stop signal, through the signal pipeline; true when
 * it was aimed at every process. */
bool shutdown_stop_main(struct modinit *m, pid_t main_pid);
/* Called after each reap pass: finishes the run once nothing is left. */
void shutdown_check_done(struct modinit *m);

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
void events_shutdown(struct modinit *m, int reason);
void events_exit(struct modinit *m, int *code);
void events_fini(struct modinit *m);

/* restart.c */
/* host->restart_main: stop the main command, then start it again. */
int restart_begin(struct modinit *m, uint64_t delay_ms);
/* The main command exited during a restart: wait, then start it again. */
void restart_main_exited(struct modinit *m);
/* Give up the restart (its timers too). */
void restart_cancel(struct modinit *m);
/* Is a restart under way and still wanted? A shutdown or a received stop
 * signal cancels it here. */
bool restart_pending(struct modinit *m);

/* supervise.c */
/* Start the main command (also the first time). 0 or -errno. */
int supervise_spawn_main(struct modinit *m);
/* Start the main command and run the loop until the run is over; returns the
 * exit code. */
int supervise_run(struct modinit *m);

#endif
