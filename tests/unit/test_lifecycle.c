/* The lifecycle state machine with fake processes and timers: every
 * transition, the exit-code decision, the stop signal in each phase, the
 * phase table of the host services; and, with kill faked
 * (-Wl,--wrap=kill), that no signal leaves modinit's own tree. No root. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lifecycle.h"
#include "log.h"
#include "modinit.h"
#include "proc.h"

#define EXITED(code) (((code) & 0xff) << 8)
#define KILLED(sig) ((sig) & 0x7f)

/* ---- the fake world: one main command, other processes as a count ---- */

#define FAKE_TIMERS 8

struct fake {
	struct reaper procs;
	struct lifecycle lc;
	char calls[1024];       /* what the lifecycle did, one word each */
	int spawn_result;
	bool stop_aims_all;     /* the pipeline turned the stop into "all" */
	int decision;           /* on_main_exit's answer */
	int others;             /* live processes besides the main command */
	struct { void (*cb)(void *); void *arg; uint64_t ms; } timers[FAKE_TIMERS + 1];
	uint64_t next_id;
};

static struct fake F;

static void fake_call(const char *fmt, ...)
{
	size_t n = strlen(F.calls);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(F.calls + n, sizeof(F.calls) - n, fmt, ap);
	va_end(ap);
	n = strlen(F.calls);
	snprintf(F.calls + n, sizeof(F.calls) - n, " ");
}

static int fake_spawn(void *ctx, bool restart)
{
	(void)ctx;
	fake_call("spawn%s", restart ? "-again" : "");
	if (F.spawn_result < 0)
		return F.spawn_result;
	F.procs.main_pid++;
	F.procs.main_exited = false;
	F.procs.no_children = false;
	return 0;
}

static bool fake_stop_main(void *ctx)
{
	(void)ctx;
	fake_call("stop-main");
	return F.stop_aims_all;
}

static long fake_signal_all(void *ctx, int sig, bool except_main)
{
	(void)ctx;
	fake_call("%s%d", except_main ? "others:" : "all:", sig);
	return F.others + (except_main || F.procs.main_exited ? 0 : 1);
}

static void fake_kill_main(void *ctx)
{
	(void)ctx;
	fake_call("kill-main");
}

static int fake_main_exit(void *ctx, int status)
{
	(void)ctx;
	fake_call("on_main_exit:%d", status);
	return F.decision;
}

static void fake_on_shutdown(void *ctx, int reason)
{
	(void)ctx;
	fake_call("on_shutdown:%d", reason);
}

static int fake_timer_add(void *ctx, uint64_t ms, void (*cb)(void *), void *arg, uint64_t *id)
{
	(void)ctx;
	assert_true(F.next_id < FAKE_TIMERS);
	*id = ++F.next_id;
	F.timers[*id].cb = cb;
	F.timers[*id].arg = arg;
	F.timers[*id].ms = ms;
	fake_call("timer%llu:%llu", (unsigned long long)*id, (unsigned long long)ms);
	return 0;
}

static void fake_timer_cancel(void *ctx, uint64_t id)
{
	(void)ctx;
	F.timers[id].cb = NULL;
	fake_call("cancel%llu", (unsigned long long)id);
}

static const struct lifecycle_ops fake_ops = {
	.spawn_main = fake_spawn, .stop_main = fake_stop_main, .signal_all = fake_signal_all,
	.kill_main = fake_kill_main, .main_exit = fake_main_exit,
	.on_shutdown = fake_on_shutdown, .timer_add = fake_timer_add,
	.timer_cancel = fake_timer_cancel,
};

/* A running command (pid 100), with `others` other processes. */
static void fake_running(int others)
{
	memset(&F, 0, sizeof(F));
	F.procs.main_pid = 99;
	F.others = others;
	lifecycle_init(&F.lc, &fake_ops, &F, &F.procs, SIGTERM, 5000);
	assert_int_equal(F.lc.phase, LC_SETUP);
	lifecycle_starting(&F.lc);
	assert_int_equal(F.lc.phase, LC_STARTING);
	assert_int_equal(lifecycle_spawn_first(&F.lc), 0);
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_int_equal(F.procs.main_pid, 100);
	F.calls[0] = '\0';
}

static void fire(uint64_t id)
{
	void (*cb)(void *) = F.timers[id].cb;

	assert_non_null(cb);
	F.timers[id].cb = NULL;
	cb(F.timers[id].arg);
}

/* The reaper saw the main command end (and maybe every other process). */
static void main_ends(int status, bool last)
{
	F.procs.main_exited = true;
	F.procs.main_status = status;
	F.procs.no_children = last;
	if (last)
		F.others = 0;
	lifecycle_main_exited(&F.lc);
	lifecycle_check_done(&F.lc);
}

static void others_end(void)
{
	F.others = 0;
	F.procs.no_children = true;
	lifecycle_check_done(&F.lc);
}

/* ---- transitions ---- */

static void test_exit_alone(void **state)
{
	(void)state;
	fake_running(0);
	main_ends(EXITED(3), true);
	assert_string_equal(F.calls, "on_main_exit:768 on_shutdown:1 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 3);
}

static void test_exit_then_grace_then_kill(void **state)
{
	(void)state;
	fake_running(2);
	main_ends(KILLED(SIGSEGV), false);
	assert_string_equal(F.calls, "on_main_exit:11 on_shutdown:1 all:15 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	F.calls[0] = '\0';
	fire(1);
	assert_int_equal(F.lc.phase, LC_KILLING);
	assert_string_equal(F.calls, "all:9 timer2:50 ");
	F.calls[0] = '\0';
	fire(2); /* still something left: again */
	assert_string_equal(F.calls, "all:9 timer3:50 ");
	others_end();
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_null(F.timers[3].cb);
	assert_int_equal(lifecycle_exit_code(&F.lc), 128 + SIGSEGV);
}

static void test_wait_all(void **state)
{
	(void)state;
	fake_running(1);
	F.decision = MODINIT_MAIN_EXIT_WAIT_ALL;
	main_ends(EXITED(4), false);
	assert_string_equal(F.calls, "on_main_exit:1024 ");
	assert_int_equal(F.lc.phase, LC_RUNNING);
	others_end();
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 4);
}

static void test_request_shutdown(void **state)
{
	(void)state;
	fake_running(1);
	lifecycle_request_shutdown(&F.lc, 9);
	assert_string_equal(F.calls, "on_shutdown:2 stop-main others:15 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	/* A second request changes nothing, not even the code. */
	F.calls[0] = '\0';
	lifecycle_request_shutdown(&F.lc, 10);
	assert_string_equal(F.calls, "");
	main_ends(EXITED(0), true);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 9);
}

/* The pipeline aimed the stop signal at every process: the others are not
 * sent it a second time. */
static void test_stop_once(void **state)
{
	(void)state;
	fake_running(3);
	F.stop_aims_all = true;
	lifecycle_request_shutdown(&F.lc, MODINIT_EXIT_MAIN);
	assert_string_equal(F.calls, "on_shutdown:2 stop-main timer1:5000 ");
	main_ends(EXITED(6), true);
	assert_int_equal(lifecycle_exit_code(&F.lc), 6);
}

static void test_restart(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 250), 0);
	assert_int_equal(F.lc.phase, LC_RESTARTING);
	assert_int_equal(lifecycle_restart(&F.lc, 250), -EBUSY);
	assert_string_equal(F.calls, "stop-main timer1:5000 ");
	F.calls[0] = '\0';
	main_ends(KILLED(SIGTERM), true);
	/* No on_main_exit for a restart; the run is not over. */
	assert_string_equal(F.calls, "cancel1 timer2:250 ");
	assert_int_equal(F.lc.phase, LC_RESTARTING);
	F.calls[0] = '\0';
	fire(2);
	assert_string_equal(F.calls, "spawn-again ");
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_int_equal(F.procs.main_pid, 101);
}

static void test_restart_grace_over(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 0), 0);
	F.calls[0] = '\0';
	fire(1);
	assert_string_equal(F.calls, "kill-main ");
}

static void test_restart_fails(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 0), 0);
	main_ends(KILLED(SIGTERM), true);
	F.calls[0] = '\0';
	F.spawn_result = -EAGAIN;
	fire(2);
	assert_string_equal(F.calls, "spawn-again on_shutdown:3 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), EXIT_INTERNAL);
}

/* A shutdown asked for while a restart waits out its delay ends the run
 * now, with the status of the command the restart stopped. */
static void test_request_in_backoff(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 1000), 0);
	main_ends(KILLED(SIGTERM), true);
	F.calls[0] = '\0';
	lifecycle_request_shutdown(&F.lc, MODINIT_EXIT_MAIN);
	assert_string_equal(F.calls, "on_shutdown:2 cancel2 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 128 + SIGTERM);
}

static void test_handled(void **state)
{
	(void)state;
	fake_running(0);
	F.decision = MODINIT_MAIN_EXIT_HANDLED;
	main_ends(EXITED(2), true);
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_true(F.lc.main_handled);
	/* The module restarts it: the delay only, no stop. */
	F.calls[0] = '\0';
	assert_int_equal(lifecycle_restart(&F.lc, 10), 0);
	assert_string_equal(F.calls, "timer1:10 ");
	fire(1);
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_false(F.lc.main_handled);
	/* ... or ends the run, with the command's status. */
	F.decision = MODINIT_MAIN_EXIT_HANDLED;
	main_ends(EXITED(5), true);
	lifecycle_request_shutdown(&F.lc, MODINIT_EXIT_MAIN);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 5);
}

static void test_first_spawn_fails(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.spawn_result = -ENOMEM;
	lifecycle_init(&F.lc, &fake_ops, &F, &F.procs, SIGTERM, 5000);
	lifecycle_starting(&F.lc);
	assert_int_equal(lifecycle_spawn_first(&F.lc), -ENOMEM);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), EXIT_INTERNAL);
}

static void test_fail_wins(void **state)
{
	(void)state;
	fake_running(1);
	lifecycle_request_shutdown(&F.lc, 4);
	lifecycle_fail(&F.lc);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), EXIT_INTERNAL);
}

/* ---- the stop signal in each phase ---- */

static void test_stop_running(void **state)
{
	(void)state;
	fake_running(0);
	/* Forwarded as any signal: the command's exit ends the run. */
	assert_false(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_string_equal(F.calls, "");
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_int_equal(lifecycle_restart(&F.lc, 0), -EBUSY);
}

static void test_stop_restarting_main_up(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 1000), 0);
	F.calls[0] = '\0';
	assert_false(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_string_equal(F.calls, ""); /* the restart's SIGKILL stays armed */
	assert_int_equal(F.lc.phase, LC_RESTARTING);
	main_ends(KILLED(SIGQUIT), true);
	assert_string_equal(F.calls, "cancel1 on_main_exit:3 on_shutdown:1 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 128 + SIGQUIT);
}

static void test_stop_restart_backoff(void **state)
{
	(void)state;
	fake_running(0);
	assert_int_equal(lifecycle_restart(&F.lc, 1000), 0);
	main_ends(KILLED(SIGQUIT), true);
	F.calls[0] = '\0';
	assert_true(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_string_equal(F.calls, "cancel2 on_shutdown:1 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 128 + SIGQUIT);
}

static void test_stop_handled(void **state)
{
	(void)state;
	fake_running(1);
	F.decision = MODINIT_MAIN_EXIT_HANDLED;
	main_ends(EXITED(8), false);
	F.calls[0] = '\0';
	assert_true(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_string_equal(F.calls, "on_shutdown:1 all:15 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	others_end();
	assert_int_equal(lifecycle_exit_code(&F.lc), 8);
}

static void test_stop_stopping_killing(void **state)
{
	(void)state;
	fake_running(1);
	lifecycle_request_shutdown(&F.lc, 1);
	F.calls[0] = '\0';
	assert_false(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_int_equal(F.lc.phase, LC_STOPPING);
	fire(1);
	F.calls[0] = '\0';
	assert_false(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_int_equal(F.lc.phase, LC_KILLING);
	assert_string_equal(F.calls, "");
	assert_int_equal(lifecycle_restart(&F.lc, 0), -EBUSY);
}

/* A HANDLED answer after the stop signal cannot keep the run. */
static void test_handled_after_stop(void **state)
{
	(void)state;
	fake_running(0);
	F.decision = MODINIT_MAIN_EXIT_HANDLED;
	lifecycle_stop_signal(&F.lc, "SIGTERM");
	main_ends(EXITED(1), true);
	assert_int_equal(F.lc.phase, LC_DONE);
}

/* ---- the phase table ---- */

static void test_allows(void **state)
{
	/* spawn, signal, shutdown, restart, then (1.2) main_setenv and
	 * main_pass_fd, main_credentials, the holds, release_start, per
	 * phase: 1 allowed. */
	static const char *const want[] = {
		[LC_SETUP] = "00001110", [LC_STARTING] = "11001001",
		[LC_RUNNING] = "11110000", [LC_RESTARTING] = "11110000",
		[LC_STOPPING] = "11110000", [LC_KILLING] = "01110000",
		[LC_DONE] = "00000000",
	};

	(void)state;
	for (int p = LC_SETUP; p <= LC_DONE; p++) {
		char got[LC_SVC_COUNT + 1] = { 0 };

		for (int s = 0; s < LC_SVC_COUNT; s++)
			got[s] = lifecycle_allows((enum lc_phase)p, (enum lc_service)s) ? '1' : '0';
		assert_string_equal(got, want[p]);
	}
	assert_false(lifecycle_allows(LC_RUNNING, LC_SVC_COUNT));
	assert_string_equal(lifecycle_phase_name(LC_KILLING), "killing");
}

/* ---- ABI 1.2: holding the start and the stop ---- */

/* on_start ran with `holds` modules holding the start; no command yet
 * (pid 0, as in modinit before the first start), `others` helpers. */
static void fake_held(unsigned int holds, int others)
{
	memset(&F, 0, sizeof(F));
	F.others = others;
	F.procs.no_children = others == 0;
	lifecycle_init(&F.lc, &fake_ops, &F, &F.procs, SIGTERM, 5000);
	for (unsigned int i = 0; i < holds; i++)
		lifecycle_hold_start(&F.lc);
	lifecycle_starting(&F.lc);
	assert_int_equal(lifecycle_spawn_first(&F.lc), 0);
}

static void test_hold_start(void **state)
{
	(void)state;
	fake_held(2, 1);
	assert_int_equal(F.lc.phase, LC_STARTING);
	assert_string_equal(F.calls, "");
	/* Not before the last holder lets go. */
	assert_int_equal(lifecycle_release_start(&F.lc), 0);
	assert_string_equal(F.calls, "");
	assert_int_equal(lifecycle_release_start(&F.lc), 0);
	assert_string_equal(F.calls, "spawn ");
	assert_int_equal(F.lc.phase, LC_RUNNING);
	assert_int_equal(F.procs.main_pid, 1);
	/* A failed start after the release ends the run as a failed start. */
	fake_held(1, 0);
	F.spawn_result = -ENOENT;
	assert_int_equal(lifecycle_release_start(&F.lc), -ENOENT);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 70);
}

/* A release from an on_start: the command waits for every on_start. */
static void test_release_in_on_start(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	lifecycle_init(&F.lc, &fake_ops, &F, &F.procs, SIGTERM, 5000);
	lifecycle_hold_start(&F.lc);
	lifecycle_starting(&F.lc);
	assert_int_equal(lifecycle_release_start(&F.lc), 0);
	assert_string_equal(F.calls, "");
	assert_int_equal(F.lc.phase, LC_STARTING);
	assert_int_equal(lifecycle_spawn_first(&F.lc), 0);
	assert_string_equal(F.calls, "spawn ");
	assert_int_equal(F.lc.phase, LC_RUNNING);
}

/* A pre-start hook failed: the run ends with the module's code, the
 * command never started, the helpers left get the stop signal. */
static void test_held_start_shutdown(void **state)
{
	(void)state;
	fake_held(1, 0);
	assert_true(lifecycle_allows_now(&F.lc, LC_SVC_SHUTDOWN));
	assert_false(lifecycle_allows_now(&F.lc, LC_SVC_RESTART));
	lifecycle_request_shutdown(&F.lc, 3);
	assert_string_equal(F.calls, "on_shutdown:2 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 3);
	/* With a helper still there: the sweep as ever. */
	fake_held(1, 1);
	lifecycle_request_shutdown(&F.lc, 4);
	assert_string_equal(F.calls, "on_shutdown:2 all:15 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	/* A release now starts nothing. */
	assert_int_equal(lifecycle_release_start(&F.lc), 0);
	others_end();
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 4);
	assert_null(strstr(F.calls, "spawn"));
	/* Without a hold, STARTING refuses the request (on_start). */
	fake_held(0, 0);
	F.lc.phase = LC_STARTING;
	assert_false(lifecycle_allows_now(&F.lc, LC_SVC_SHUTDOWN));
}

static void test_held_start_stop_signal(void **state)
{
	(void)state;
	fake_held(1, 1);
	assert_true(lifecycle_stop_signal(&F.lc, "SIGTERM"));
	assert_string_equal(F.calls, "on_shutdown:2 all:15 timer1:5000 ");
	others_end();
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 128 + SIGTERM);
	/* A request's code, asked before, stays. */
	fake_held(1, 0);
	lifecycle_request_shutdown(&F.lc, 5);
	assert_int_equal(lifecycle_exit_code(&F.lc), 5);
}

/* The command ended on its own: nothing is signalled until the holder
 * releases, then the sweep runs as without a hold. */
static void test_hold_stop_release(void **state)
{
	(void)state;
	fake_running(1);
	lifecycle_hold_stop(&F.lc);
	main_ends(EXITED(2), false);
	assert_string_equal(F.calls, "on_main_exit:512 on_shutdown:1 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	/* Even with nothing left the run waits for the holder (a post-stop
	 * hook is about to start). */
	others_end();
	assert_int_equal(F.lc.phase, LC_STOPPING);
	F.calls[0] = '\0';
	F.others = 1; /* the hook */
	F.procs.no_children = false;
	lifecycle_release_stop(&F.lc);
	assert_string_equal(F.calls, "cancel1 all:15 timer2:5000 ");
	others_end();
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 2);
	/* Released with nothing left: done at once. */
	fake_running(0);
	lifecycle_hold_stop(&F.lc);
	main_ends(EXITED(0), true);
	assert_int_equal(F.lc.phase, LC_STOPPING);
	lifecycle_release_stop(&F.lc);
	assert_int_equal(F.lc.phase, LC_DONE);
}

/* A request while the command runs: it alone gets the stop signal; the
 * holder outlives the grace: the sweep spares the command (it has had its
 * signal) and escalates as ever. */
static void test_hold_stop_grace(void **state)
{
	(void)state;
	fake_running(2);
	lifecycle_hold_stop(&F.lc);
	lifecycle_hold_stop(&F.lc);
	lifecycle_request_shutdown(&F.lc, 7);
	assert_string_equal(F.calls, "on_shutdown:2 stop-main timer1:5000 ");
	F.calls[0] = '\0';
	lifecycle_release_stop(&F.lc); /* one of two */
	assert_string_equal(F.calls, "");
	fire(1);
	assert_string_equal(F.calls, "others:15 timer2:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	F.calls[0] = '\0';
	fire(2);
	assert_int_equal(F.lc.phase, LC_KILLING);
	assert_string_equal(F.calls, "all:9 timer3:50 ");
	/* The late release changes nothing any more. */
	lifecycle_release_stop(&F.lc);
	main_ends(KILLED(SIGKILL), true);
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 7);
}

/* Released before the end: the end is not held. */
static void test_hold_stop_dropped(void **state)
{
	(void)state;
	fake_running(1);
	lifecycle_hold_stop(&F.lc);
	lifecycle_release_stop(&F.lc);
	main_ends(EXITED(0), false);
	assert_string_equal(F.calls, "on_main_exit:0 on_shutdown:1 all:15 timer1:5000 ");
}

/* The tini and dumb-init personalities end with the command, whatever is
 * left: a holder is still waited for (its post-stop hook), the leftovers
 * are never signalled. */
static void test_hold_stop_end_with_main(void **state)
{
	(void)state;
	fake_running(1);
	F.lc.end_with_main = true;
	lifecycle_hold_stop(&F.lc);
	main_ends(EXITED(3), false);
	assert_string_equal(F.calls, "on_main_exit:768 on_shutdown:1 timer1:5000 ");
	assert_int_equal(F.lc.phase, LC_STOPPING);
	F.calls[0] = '\0';
	lifecycle_release_stop(&F.lc);
	assert_string_equal(F.calls, "cancel1 ");
	assert_int_equal(F.lc.phase, LC_DONE);
	assert_int_equal(lifecycle_exit_code(&F.lc), 3);
	/* The grace ends the wait the same way. */
	fake_running(1);
	F.lc.end_with_main = true;
	lifecycle_hold_stop(&F.lc);
	main_ends(EXITED(0), false);
	F.calls[0] = '\0';
	fire(1);
	assert_string_equal(F.calls, "");
	assert_int_equal(F.lc.phase, LC_DONE);
}

/* ---- kill faked: nothing outside modinit's tree ---- */

int __real_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig);

static pid_t killed[64];
static int nkilled;

int __wrap_kill(pid_t pid, int sig)
{
	if (nkilled < 64)
		killed[nkilled++] = pid;
	return __real_kill(pid, sig);
}

static void test_no_walk_from_zero(void **state)
{
	struct modinit m;
	pid_t *pids = NULL;

	(void)state;
	memset(&m, 0, sizeof(m));
	nkilled = 0;
	/* self not known (0): refused before any /proc walk or kill. */
	assert_int_equal(shutdown_signal_all(&m, 0), -EINVAL);
	assert_int_equal(shutdown_signal_except(&m, 1, 0), -EINVAL);
	assert_int_equal(proc_signal_descendants(0, 0), -EINVAL);
	assert_int_equal(proc_signal_except(0, false, 1, 0), -EINVAL);
	assert_int_equal(proc_signal_except(0, true, 1, 0), -EINVAL);
	assert_int_equal(proc_descendants(0, &pids), -EINVAL);
	assert_null(pids);
	assert_int_equal(nkilled, 0);
}

/* Not PID 1: "every process" is our own descendants, nothing else. */
static void test_only_descendants(void **state)
{
	struct modinit m;
	int p[2];
	pid_t child;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c;

		close(p[1]);
		_exit(read(p[0], &c, 1) < 0 ? 1 : 0);
	}
	close(p[0]);
	memset(&m, 0, sizeof(m));
	m.self = getpid();
	nkilled = 0;
	assert_int_equal(shutdown_signal_all(&m, 0), 1);
	assert_int_equal(nkilled, 1);
	assert_int_equal(killed[0], child);
	nkilled = 0;
	assert_int_equal(shutdown_signal_except(&m, child, 0), 0);
	assert_int_equal(nkilled, 0);
	close(p[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_alone),
		cmocka_unit_test(test_exit_then_grace_then_kill),
		cmocka_unit_test(test_wait_all),
		cmocka_unit_test(test_request_shutdown),
		cmocka_unit_test(test_stop_once),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_restart_grace_over),
		cmocka_unit_test(test_restart_fails),
		cmocka_unit_test(test_request_in_backoff),
		cmocka_unit_test(test_handled),
		cmocka_unit_test(test_first_spawn_fails),
		cmocka_unit_test(test_fail_wins),
		cmocka_unit_test(test_stop_running),
		cmocka_unit_test(test_stop_restarting_main_up),
		cmocka_unit_test(test_stop_restart_backoff),
		cmocka_unit_test(test_stop_handled),
		cmocka_unit_test(test_stop_stopping_killing),
		cmocka_unit_test(test_handled_after_stop),
		cmocka_unit_test(test_allows),
		cmocka_unit_test(test_hold_start),
		cmocka_unit_test(test_release_in_on_start),
		cmocka_unit_test(test_held_start_shutdown),
		cmocka_unit_test(test_held_start_stop_signal),
		cmocka_unit_test(test_hold_stop_release),
		cmocka_unit_test(test_hold_stop_grace),
		cmocka_unit_test(test_hold_stop_dropped),
		cmocka_unit_test(test_hold_stop_end_with_main),
		cmocka_unit_test(test_no_walk_from_zero),
		cmocka_unit_test(test_only_descendants),
	};

	log_set_level(LOGL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
