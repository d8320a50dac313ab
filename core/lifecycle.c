/* The run's lifecycle in one place: which phase it is in, what moves it on
 * (the main command's exit, the stop signal, a module's request, a timer),
 * and with which exit code it ends. Everything it does to processes goes
 * through lc->ops (core/supervise.c in modinit, fakes in the unit test). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include <modinit/module.h>

#include "lifecycle.h"
#include "log.h"
#include "modinit.h"
#include "parse.h"

/* Which phases each process-touching service is meaningful in. Signal and
 * spawn work from on_start on (helpers may run before the command) until
 * the last process is gone; a shutdown or a restart needs a command to end
 * or restart; restart_main answers -EBUSY itself once the end has begun. */
static const unsigned lc_allowed[LC_SVC_COUNT] = {
	[LC_SVC_SPAWN] = 1u << LC_STARTING | 1u << LC_RUNNING | 1u << LC_RESTARTING |
			 1u << LC_STOPPING,
	[LC_SVC_SIGNAL] = 1u << LC_STARTING | 1u << LC_RUNNING | 1u << LC_RESTARTING |
			  1u << LC_STOPPING | 1u << LC_KILLING,
	[LC_SVC_SHUTDOWN] = 1u << LC_RUNNING | 1u << LC_RESTARTING | 1u << LC_STOPPING |
			    1u << LC_KILLING,
	[LC_SVC_RESTART] = 1u << LC_RUNNING | 1u << LC_RESTARTING | 1u << LC_STOPPING |
			   1u << LC_KILLING,
	/* What the command starts with is settled before its first start;
	 * restarts reuse it. The ids and the holds shape the whole run, so
	 * they are asked for at setup, where a refusal can still end it. */
	[LC_SVC_MAIN_SETUP] = 1u << LC_SETUP | 1u << LC_STARTING,
	[LC_SVC_CREDENTIALS] = 1u << LC_SETUP,
	[LC_SVC_HOLD] = 1u << LC_SETUP,
	[LC_SVC_RELEASE_START] = 1u << LC_STARTING,
};

bool lifecycle_allows(enum lc_phase phase, enum lc_service service)
{
	if ((unsigned)service >= LC_SVC_COUNT || (unsigned)phase > LC_DONE)
		return false;
	return lc_allowed[service] & (1u << phase);
}

bool lifecycle_allows_now(const struct lifecycle *lc, enum lc_service service)
{
	/* A held start is a run without a command yet: a failed pre-start
	 * hook ends it. */
	if (service == LC_SVC_SHUTDOWN && lc->phase == LC_STARTING && lc->start_holds)
		return true;
	return lifecycle_allows(lc->phase, service);
}

const char *lifecycle_phase_name(enum lc_phase phase)
{
	static const char *const names[] = { "setup", "starting", "running", "restarting",
					     "stopping", "killing", "done" };

	return (unsigned)phase <= LC_DONE ? names[phase] : "?";
}

void lifecycle_init(struct lifecycle *lc, const struct lifecycle_ops *ops, void *ctx,
		    const struct reaper *procs, int stop_signal, uint64_t grace_ms)
{
	*lc = (struct lifecycle){ .phase = LC_SETUP, .ops = ops, .ctx = ctx, .procs = procs,
				  .stop_signal = stop_signal, .grace_ms = grace_ms,
				  .requested_code = -1 };
}

/* Started (a held start may end the run before) and not exited. */
static bool lc_main_up(const struct lifecycle *lc)
{
	return lc->procs->main_pid > 0 && !lc->procs->main_exited;
}

static void lc_cancel(struct lifecycle *lc, uint64_t *timer)
{
	if (*timer)
		lc->ops->timer_cancel(lc->ctx, *timer);
	*timer = 0;
}

void lifecycle_starting(struct lifecycle *lc)
{
	lc->phase = LC_STARTING;
}

/* RUNNING before the spawn: on_spawn runs in the phase it starts. */
static int lc_spawn(struct lifecycle *lc, bool restart)
{
	enum lc_phase was = lc->phase;
	int r;

	lc->phase = LC_RUNNING;
	lc->main_handled = false;
	r = lc->ops->spawn_main(lc->ctx, restart);
	if (r < 0)
		lc->phase = was;
	return r;
}

static int lc_start_now(struct lifecycle *lc)
{
	int r = lc_spawn(lc, false);

	if (r < 0)
		lifecycle_fail(lc);
	return r;
}

int lifecycle_spawn_first(struct lifecycle *lc)
{
	lc->start_due = true;
	/* A request or the stop signal during on_start ended the run. */
	if (lc->phase != LC_STARTING)
		return 0;
	if (lc->start_holds) {
		log_msg(LOGL_DEBUG, "start of the main command held by %u module%s",
			lc->start_holds, lc->start_holds == 1 ? "" : "s");
		return 0;
	}
	return lc_start_now(lc);
}

void lifecycle_hold_start(struct lifecycle *lc)
{
	lc->start_holds++;
}

int lifecycle_release_start(struct lifecycle *lc)
{
	if (lc->start_holds)
		lc->start_holds--;
	/* A release from on_start waits for the other modules' on_start. */
	if (lc->start_holds || !lc->start_due || lc->phase != LC_STARTING)
		return 0;
	log_msg(LOGL_DEBUG, "start of the main command released");
	return lc_start_now(lc);
}

void lifecycle_fail(struct lifecycle *lc)
{
	lc_cancel(lc, &lc->stop_timer);
	lc_cancel(lc, &lc->restart_timer);
	lc_cancel(lc, &lc->hold_timer);
	lc->stop_held = false;
	lc->fatal = true;
	lc->phase = LC_DONE;
}

/* How often SIGKILL is sent again while anything is left: short, since a
 * sweep only races with forks, and only while killing (never when idle). */
#define LC_SWEEP_MS 50

static void lc_resweep(void *arg);

/* KILLING: SIGKILL to everything left, then again on a timer for as long as
 * anything was: a process that forks while a sweep runs leaves children the
 * sweep never saw (as a subreaper the /proc walk is a snapshot), and as
 * orphans they come to us; the run only ends once they are gone too. */
static void lc_sweep(struct lifecycle *lc, bool first)
{
	long n = lc->ops->signal_all(lc->ctx, SIGKILL, false);
	int r;

	/* Once said is enough: the same error would come back every sweep. */
	if (n < 0)
		log_msg(first ? LOGL_ERROR : LOGL_DEBUG, "cannot kill the remaining processes: %s",
			strerror((int)-n));
	else if (n > 0 && first)
		log_msg(LOGL_WARN, "grace period of %llu ms over: sent SIGKILL to the remaining processes",
			(unsigned long long)lc->grace_ms);
	else if (n > 0)
		log_msg(LOGL_DEBUG, "sent SIGKILL again to what is left");
	if (n == 0)
		return; /* the last reaps end the run */
	/* After an error too: it may pass (EMFILE, ENOMEM). */
	r = lc->ops->timer_add(lc->ctx, LC_SWEEP_MS, lc_resweep, lc, &lc->stop_timer);
	if (r < 0)
		log_msg(LOGL_ERROR, "cannot arm the timer to kill again: %s", strerror(-r));
}

static void lc_resweep(void *arg)
{
	struct lifecycle *lc = arg;

	lc->stop_timer = 0;
	if (lc->phase == LC_KILLING)
		lc_sweep(lc, false);
}

/* STOPPING -> KILLING */
static void lc_grace_over(void *arg)
{
	struct lifecycle *lc = arg;

	lc->stop_timer = 0;
	if (lc->phase != LC_STOPPING)
		return;
	lc->phase = LC_KILLING;
	lc_sweep(lc, true);
}

/* The stop signal to everything left, once: the main command's through the
 * signal pipeline, and the others not again when the pipeline already aimed
 * it at every process (or they would get it twice, or the unmapped one
 * after the mapped one). */
static void lc_signal_stop(struct lifecycle *lc, const char *why)
{
	char name[16];
	long n;

	/* A held stop already sent the command its signal: not twice. */
	if (lc_main_up(lc) && lc->main_stopped)
		n = lc->ops->signal_all(lc->ctx, lc->stop_signal, true);
	else if (lc_main_up(lc))
		n = lc->ops->stop_main(lc->ctx) ? 0
		    : lc->ops->signal_all(lc->ctx, lc->stop_signal, true);
	else
		n = lc->ops->signal_all(lc->ctx, lc->stop_signal, false);
	if (n < 0)
		log_msg(LOGL_ERROR, "cannot signal the remaining processes: %s", strerror((int)-n));
	else if (n > 0)
		log_msg(LOGL_DEBUG, "%s: sent %s to the remaining processes", why,
			signal_name(lc->stop_signal, name, sizeof(name)));
}

/* The leftover sweep: the stop signal to what is left, then the grace. */
static void lc_sweep_start(struct lifecycle *lc, const char *why)
{
	int r;

	/* Nothing left to stop: the run ends with this reap pass. */
	if (!lc_main_up(lc) && lc->procs->no_children)
		return;
	lc_signal_stop(lc, why);
	r = lc->ops->timer_add(lc->ctx, lc->grace_ms, lc_grace_over, lc, &lc->stop_timer);
	if (r < 0) {
		/* Without a timer nothing would escalate: escalate now. */
		log_msg(LOGL_ERROR, "cannot arm the grace timer: %s", strerror(-r));
		lc_grace_over(lc);
	}
}

/* end_with_main: what is left is not waited for. As PID 1 the kernel
 * kills it as modinit exits; as a subreaper it goes on, adopted further
 * up, as it would under tini or dumb-init. */
static void lc_end_now(struct lifecycle *lc)
{
	if (lc->ops->end_signal)
		lc->ops->end_signal(lc->ctx);
	lc_cancel(lc, &lc->stop_timer);
	lc_cancel(lc, &lc->restart_timer);
	lc_cancel(lc, &lc->hold_timer);
	lc->phase = LC_DONE;
}

/* The last holder released the end, or the grace for it ran out. */
static void lc_hold_end(struct lifecycle *lc)
{
	if (!lc->stop_held)
		return;
	lc->stop_held = false;
	lc_cancel(lc, &lc->hold_timer);
	if (lc->end_with_main && !lc_main_up(lc)) {
		lc_end_now(lc);
		return;
	}
	lc_sweep_start(lc, "stop released");
	lifecycle_check_done(lc);
}

static void lc_hold_over(void *arg)
{
	struct lifecycle *lc = arg;
	char names[256] = "";

	lc->hold_timer = 0;
	if (lc->ops->stop_holders)
		lc->ops->stop_holders(lc->ctx, names, sizeof(names));
	log_msg(LOGL_WARN, "grace period of %llu ms over with the stop still held by %s: stopping what is left",
		(unsigned long long)lc->grace_ms, names[0] ? names : "a module");
	lc_hold_end(lc);
}

/* Held: only the main command gets its stop signal now; the rest (the
 * holders' post-stop helpers too) waits for the releases, within the
 * grace. false when no timer could bound the wait: sweep at once. */
static bool lc_hold(struct lifecycle *lc)
{
	int r;

	if (lc_main_up(lc)) {
		lc->ops->stop_main(lc->ctx);
		lc->main_stopped = true;
	}
	r = lc->ops->timer_add(lc->ctx, lc->grace_ms, lc_hold_over, lc, &lc->hold_timer);
	if (r < 0) {
		log_msg(LOGL_ERROR, "cannot arm the grace timer: %s", strerror(-r));
		return false;
	}
	log_msg(LOGL_DEBUG, "stop held by %u module%s", lc->stop_holds,
		lc->stop_holds == 1 ? "" : "s");
	lc->stop_held = true;
	return true;
}

/* RUNNING, RESTARTING or a held STARTING -> STOPPING. on_shutdown runs
 * first, in STOPPING: a helper it spawns is still there for the stop
 * signal that follows, and ends with the rest within the grace period. */
static void lc_stop(struct lifecycle *lc, int reason, const char *why)
{
	if (lc->phase != LC_RUNNING && lc->phase != LC_RESTARTING && lc->phase != LC_STARTING)
		return;
	lc->phase = LC_STOPPING;
	lc->ops->on_shutdown(lc->ctx, reason);
	if (lc->stop_holds && lc_hold(lc))
		return;
	lc_sweep_start(lc, why);
}

void lifecycle_hold_stop(struct lifecycle *lc)
{
	lc->stop_holds++;
}

void lifecycle_release_stop(struct lifecycle *lc)
{
	if (lc->stop_holds)
		lc->stop_holds--;
	if (!lc->stop_holds)
		lc_hold_end(lc);
}

void lifecycle_request_shutdown(struct lifecycle *lc, int exit_code)
{
	if (lc->requested_code < 0 && exit_code != MODINIT_EXIT_MAIN)
		lc->requested_code = exit_code;
	lc_stop(lc, MODINIT_SHUTDOWN_REQUESTED, "shutdown requested");
	/* With the main command already gone and nothing left to reap, no
	 * SIGCHLD will come to end the run: see now whether it is over. */
	lifecycle_check_done(lc);
}

void lifecycle_check_done(struct lifecycle *lc)
{
	if (lc->phase < LC_RUNNING || lc->phase == LC_DONE || lc->stop_held)
		return;
	if (lc_main_up(lc) || !lc->procs->no_children)
		return;
	/* Until a shutdown begins, a restart's gap or a module that took the
	 * main exit over keeps the run: the command will be back, or the
	 * module asks for the end. */
	if (lc->phase == LC_RESTARTING || (lc->phase == LC_RUNNING && lc->main_handled))
		return;
	lc_cancel(lc, &lc->stop_timer);
	lc_cancel(lc, &lc->restart_timer);
	lc_cancel(lc, &lc->hold_timer);
	lc->phase = LC_DONE;
}

int lifecycle_exit_code(const struct lifecycle *lc)
{
	if (lc->fatal)
		return EXIT_INTERNAL;
	if (lc->requested_code >= 0)
		return lc->requested_code;
	return reap_exit_code(lc->procs->main_status);
}

/* Restart grace over: the old command would not stop. Also after a
 * shutdown began meanwhile: it was due to die at this time anyway. */
static void lc_restart_kill(void *arg)
{
	struct lifecycle *lc = arg;

	lc->restart_timer = 0;
	if ((lc->phase != LC_RESTARTING && lc->phase != LC_STOPPING) || !lc_main_up(lc))
		return;
	log_msg(LOGL_WARN, "restart: main command (pid %d) still running after %llu ms: SIGKILL",
		(int)lc->procs->main_pid, (unsigned long long)lc->grace_ms);
	/* Its whole group: helpers of the old instance must not linger. */
	lc->ops->kill_main(lc->ctx);
}

/* The restart's delay is over: start the command again, unless the end
 * began meanwhile. */
static void lc_restart_spawn(void *arg)
{
	struct lifecycle *lc = arg;

	lc->restart_timer = 0;
	if (lc->phase != LC_RESTARTING) {
		/* The run may have been waiting only for this restart. */
		lifecycle_check_done(lc);
		return;
	}
	if (lc_spawn(lc, true) == 0)
		return;
	if (lc->requested_code < 0)
		lc->requested_code = EXIT_INTERNAL;
	lc_stop(lc, MODINIT_SHUTDOWN_FATAL, "restart failed");
	lifecycle_check_done(lc);
}

/* RESTARTING, the old command gone: wait the delay, then start it. */
static void lc_restart_wait(struct lifecycle *lc)
{
	int r;

	lc_cancel(lc, &lc->restart_timer);
	r = lc->ops->timer_add(lc->ctx, lc->restart_delay_ms, lc_restart_spawn, lc,
			       &lc->restart_timer);
	if (r < 0)
		lc_restart_spawn(lc);
}

int lifecycle_restart(struct lifecycle *lc, uint64_t delay_ms)
{
	int r;

	/* After a stop signal the user wants the container gone: a restart
	 * (say, of a command failing its check on its way out) would undo it. */
	if (lc->phase != LC_RUNNING || lc->stop_received)
		return -EBUSY;
	lc->phase = LC_RESTARTING;
	lc->restart_delay_ms = delay_ms;
	/* Already gone (a module answered HANDLED to its exit): just wait. */
	if (!lc_main_up(lc)) {
		lc->main_handled = false;
		lc_restart_wait(lc);
		return 0;
	}
	log_msg(LOGL_INFO, "restarting the main command (pid %d)", (int)lc->procs->main_pid);
	lc->ops->stop_main(lc->ctx);
	r = lc->ops->timer_add(lc->ctx, lc->grace_ms, lc_restart_kill, lc, &lc->restart_timer);
	if (r < 0)
		lc_restart_kill(lc);
	return 0;
}

static void lc_log_exit(const struct lifecycle *lc, int status)
{
	char name[16];

	if (WIFSIGNALED(status))
		log_msg(LOGL_DEBUG, "main command (pid %d) killed by %s", (int)lc->procs->main_pid,
			signal_name(WTERMSIG(status), name, sizeof(name)));
	else
		log_msg(LOGL_DEBUG, "main command (pid %d) exited with %d", (int)lc->procs->main_pid,
			reap_exit_code(status));
}

/* A module holding the stop (post-stop hooks) is still waited for,
 * within the grace: the leftovers are not. */
static void lc_end_with_main(struct lifecycle *lc)
{
	if (lc->phase == LC_RUNNING) {
		lc->phase = LC_STOPPING;
		lc->ops->on_shutdown(lc->ctx, MODINIT_SHUTDOWN_MAIN_EXITED);
		if (lc->stop_holds && lc_hold(lc))
			return;
	}
	if (!lc->stop_held)
		lc_end_now(lc);
}

/* The main command ended: a restart waits and starts it again; otherwise
 * the modules (the mode) decide what follows. */
void lifecycle_main_exited(struct lifecycle *lc)
{
	int status = lc->procs->main_status, decision;

	if (lc->phase == LC_RESTARTING && !lc->stop_received) {
		lc_restart_wait(lc);
		return;
	}
	/* A restart that a shutdown or the stop signal overtook is given up. */
	lc_cancel(lc, &lc->restart_timer);
	if (lc->phase == LC_RESTARTING)
		lc->phase = LC_RUNNING;
	lc_log_exit(lc, status);
	decision = lc->ops->main_exit(lc->ctx, status);
	if (decision == MODINIT_MAIN_EXIT_WAIT_ALL)
		return;
	/* A module took over: it restarts the command or ends the run. After
	 * a stop signal it could do neither (no restart then): the run ends. */
	if (decision == MODINIT_MAIN_EXIT_HANDLED && !lc->stop_received && lc->phase == LC_RUNNING) {
		lc->main_handled = true;
		return;
	}
	if (lc->end_with_main)
		lc_end_with_main(lc);
	else
		lc_stop(lc, MODINIT_SHUTDOWN_MAIN_EXITED, "main command exited");
}

/* The stop signal while the start is held: the command never starts,
 * the run ends with 128 + the signal, as if the command had died of it. */
static bool lc_stop_before_start(struct lifecycle *lc, const char *name)
{
	log_msg(LOGL_INFO, "%s before the main command started: ending the run", name);
	if (lc->requested_code < 0)
		lc->requested_code = 128 + lc->stop_signal;
	lc_stop(lc, MODINIT_SHUTDOWN_REQUESTED, "stop signal before the start");
	lifecycle_check_done(lc);
	return true;
}

bool lifecycle_stop_signal(struct lifecycle *lc, const char *name)
{
	bool restarting = lc->phase == LC_RESTARTING;

	lc->stop_received = true;
	if (lc->phase == LC_STARTING)
		return lc_stop_before_start(lc, name);
	if (!restarting && !(lc->phase == LC_RUNNING && lc->main_handled))
		return false;
	if (restarting)
		log_msg(LOGL_INFO, "%s during a restart: not restarting", name);
	else
		log_msg(LOGL_INFO, "%s after the main command exited: ending the run", name);
	/* Still stopping: the signal goes on to it and its exit ends the run;
	 * the restart's SIGKILL stays armed meanwhile. */
	if (lc_main_up(lc))
		return false;
	lc_cancel(lc, &lc->restart_timer);
	lc->main_handled = false;
	lc->phase = LC_RUNNING;
	lc_stop(lc, MODINIT_SHUTDOWN_MAIN_EXITED, "stop signal while the main command is down");
	lifecycle_check_done(lc);
	return true;
}
