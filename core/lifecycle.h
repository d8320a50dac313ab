/* The run's lifecycle: one state machine that owns the phases, the moves
 * between them and the exit code. It acts on the world only through an
 * ops table, so that a unit test can drive it with fake timers and a fake
 * process table (see docs/writing-modules.md for the diagram). */
#ifndef MODINIT_LIFECYCLE_H
#define MODINIT_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "reap.h"

enum lc_phase {
	LC_SETUP = 0,  /* config, modules' init, --check-config, mode exec */
	LC_STARTING,   /* the loop is up, on_start runs; no main command yet */
	LC_RUNNING,    /* the main command runs (or has exited: waiting for
			  the rest, or for the module that took its exit over) */
	LC_RESTARTING, /* a module asked for a restart: stop, delay, start */
	LC_STOPPING,   /* stop signal sent to what is left, grace timer armed */
	LC_KILLING,    /* grace over: SIGKILL again until nothing is left */
	LC_DONE,       /* nothing left: on_exit, fini */
};

/* Host services that touch processes (see lifecycle_allows). A service
 * added later that signals or starts processes gets its own entry here. */
enum lc_service {
	LC_SVC_SPAWN = 0,
	LC_SVC_SIGNAL,
	LC_SVC_SHUTDOWN,
	LC_SVC_RESTART,
	/* ABI 1.2: what the main command's start is made of */
	LC_SVC_MAIN_SETUP,    /* main_setenv, main_pass_fd: before it starts */
	LC_SVC_CREDENTIALS,   /* main_credentials: from init */
	LC_SVC_HOLD,          /* hold_start, hold_stop: from init */
	LC_SVC_RELEASE_START, /* release_start: while the start waits */
	LC_SVC_COUNT,
};

/* What the lifecycle asks of the rest of modinit; ctx is passed back. */
struct lifecycle_ops {
	/* Start the main command (on_spawn is dispatched there); restart says
	 * which attempt it is, for the message on failure. 0 or -errno. */
	int (*spawn_main)(void *ctx, bool restart);
	/* The main command's stop signal through the signal pipeline; true
	 * when the pipeline aimed it at every process. */
	bool (*stop_main)(void *ctx);
	/* sig to every process modinit answers for but itself (and but the
	 * main command when except_main): a count, or -errno. */
	long (*signal_all)(void *ctx, int sig, bool except_main);
	/* SIGKILL to the main command and its process group. */
	void (*kill_main)(void *ctx);
	/* Dispatch on_main_exit: the decision (enum modinit_main_exit). */
	int (*main_exit)(void *ctx, int status);
	/* Dispatch on_shutdown (enum modinit_shutdown_reason). */
	void (*on_shutdown)(void *ctx, int reason);
	int (*timer_add)(void *ctx, uint64_t delay_ms, void (*cb)(void *), void *arg,
			 uint64_t *id);
	void (*timer_cancel)(void *ctx, uint64_t id);
	/* The names of the modules still holding the stop, for the warning
	 * when the grace ends the hold (NULL: none given). */
	void (*stop_holders)(void *ctx, char *buf, size_t len);
	/* With end_with_main: the last signal, as the command ends (NULL:
	 * none). */
	void (*end_signal)(void *ctx);
};

struct lifecycle {
	enum lc_phase phase;
	const struct lifecycle_ops *ops;
	void *ctx;
	const struct reaper *procs; /* the main command's pid and status, and
				       whether any child is left */
	int stop_signal;
	uint64_t grace_ms;
	bool stop_received;   /* the stop signal reached modinit: no restart any
				 more, the command's end is the run's */
	bool main_handled;    /* a module took the main exit over: the run waits
				 for its restart or shutdown request */
	bool fatal;           /* modinit itself cannot go on: exit 70 */
	int requested_code;   /* the first request_shutdown's code, -1: none */
	uint64_t restart_delay_ms;
	uint64_t stop_timer;    /* STOPPING: grace; KILLING: the next sweep */
	uint64_t restart_timer; /* RESTARTING: grace, then the delay */
	/* Modules holding the start or the end (hold_start, hold_stop). */
	unsigned int start_holds, stop_holds;
	bool start_due;         /* every on_start ran: only holds keep the start */
	bool stop_held;         /* STOPPING, the sweep waits for the holders */
	bool main_stopped;      /* the held stop sent the command its signal */
	uint64_t hold_timer;    /* the held stop's grace */
	bool end_with_main;     /* the tini and dumb-init personalities: the
				   run ends with the main command, whatever is
				   left (set after lifecycle_init) */
};

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_ops *ops, void *ctx,
		    const struct reaper *procs, int stop_signal, uint64_t grace_ms);
/* May a module call service now? Outside these phases the host answers
 * -EAGAIN: before the loop runs nothing may touch processes (modinit's own
 * tree is not set up), and once the run is over nothing is left to touch. */
bool lifecycle_allows(enum lc_phase phase, enum lc_service service);
/* The same for this run: also request_shutdown while the start is held
 * (STARTING, after on_start: a pre-start hook failed). */
bool lifecycle_allows_now(const struct lifecycle *lc, enum lc_service service);
const char *lifecycle_phase_name(enum lc_phase phase);
/* SETUP -> STARTING: the loop is up, on_start is about to run. */
void lifecycle_starting(struct lifecycle *lc);
/* STARTING -> RUNNING: the first start of the main command, once every
 * on_start ran, or later, when the last module holding the start releases
 * it (nothing when the run ended meanwhile). 0 or -errno (then the run is
 * DONE, fatal). */
int lifecycle_spawn_first(struct lifecycle *lc);
/* hold_start and release_start (0, or the spawn's -errno as above). */
void lifecycle_hold_start(struct lifecycle *lc);
int lifecycle_release_start(struct lifecycle *lc);
/* hold_stop and release_stop: the last release of a held end starts the
 * leftover sweep. */
void lifecycle_hold_stop(struct lifecycle *lc);
void lifecycle_release_stop(struct lifecycle *lc);
/* The last reap pass saw the main command end. */
void lifecycle_main_exited(struct lifecycle *lc);
/* After each reap pass and each transition: DONE once nothing is left. */
void lifecycle_check_done(struct lifecycle *lc);
/* The stop signal, as received (before any rewrite). True when it ended
 * the run here (the main command was already down): not to be forwarded. */
bool lifecycle_stop_signal(struct lifecycle *lc, const char *name);
/* A module's request_shutdown (MODINIT_EXIT_MAIN: the command's status). */
void lifecycle_request_shutdown(struct lifecycle *lc, int exit_code);
/* A module's restart_main. 0, or -EBUSY when a restart or the end is
 * already under way, or after the stop signal. */
int lifecycle_restart(struct lifecycle *lc, uint64_t delay_ms);
/* modinit cannot go on (the loop failed): DONE, exit 70. */
void lifecycle_fail(struct lifecycle *lc);
/* The one place the exit code is decided (before on_exit may remap it). */
int lifecycle_exit_code(const struct lifecycle *lc);

#endif
