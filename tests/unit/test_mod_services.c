/* services against the fake host: the start in list order with each
 * service's own spawn options, the restart policies and their limit, a
 * required service ending the container, the stop held until the main
 * command is gone and then done in reverse order with each service's own
 * stop signal and grace, the published status, and the configuration
 * errors; readiness: the start order held by after_ready until the
 * service before is ready (READY=1 from its session) or down for good,
 * the main command's start held by main_after_ready, ready_timeout's
 * SIGKILL. kill() is wrapped: the module must signal through the host;
 * getsid() is wrapped: the sessions of the fake services are made up. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

static struct fake_host fh;
static void *st;
static char err[512];
static int nkills;

int __wrap_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig)
{
	(void)pid;
	(void)sig;
	nkills++;
	return 0;
}

/* The session getsid() gives for this process, the sender of the test's
 * messages: a fake service's pid makes it one of that service's. */
static pid_t sender_sid;

pid_t __wrap_getsid(pid_t pid);
pid_t __wrap_getsid(pid_t pid)
{
	if (pid == getpid())
		return sender_sid;
	errno = ESRCH;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	nkills = 0;
	sender_sid = 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_unload(&fh, &modinit_module, &st);
	fake_yaml_free();
	assert_int_equal(nkills, 0);
	return 0;
}

static int load(const char *yaml)
{
	fake_unload(&fh, &modinit_module, &st);
	fake_host_init(&fh, "services");
	err[0] = '\0';
	return fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
}

/* Loaded and started: the services run, the main command does too. */
static void start(const char *yaml)
{
	int r = load(yaml);

	if (r != 0)
		fail_msg("init: %d: %s", r, err);
	assert_true(fh.holds_stop);
	fh.phase = FAKE_STARTING;
	modinit_module.on_start(st);
	fh.phase = FAKE_RUNNING;
}

static const char *env_of(const struct fake_spawn *s, const char *key)
{
	size_t klen = strlen(key);

	for (char *const *e = s->opts.env; e && *e; e++)
		if (strncmp(*e, key, klen) == 0 && (*e)[klen] == '=')
			return *e + klen + 1;
	return NULL;
}

/* The main command ended: what modinit tells a holder of the stop. */
static void main_ended(int status)
{
	fh.main_pid = 0;
	modinit_module.on_reap(st, fh.last_main_pid, MODINIT_REAP_MAIN, status);
}

static const char two[] =
	"{name: services, services: ["
	"{name: db, command: [pg, -D, /data], env: {PGPORT: '5433'}, cwd: /data,"
	" stop_signal: SIGINT, grace: 3s},"
	"{name: shipper, command: [vector], restart: always, backoff: 2s, grace: 1s}]}";

static void test_start_in_order(void **state)
{
	(void)state;
	start(two);
	assert_int_equal(fh.nspawns, 2);
	assert_string_equal(fh.spawns[0].argv[0], "pg");
	assert_string_equal(fh.spawns[0].argv[2], "/data");
	assert_null(fh.spawns[0].argv[3]);
	assert_string_equal(fh.spawns[1].argv[0], "vector");
	/* A session of its own: its group is what its stop signal reaches. */
	assert_true(fh.spawns[0].opts.new_session);
	assert_true(fh.spawns[1].opts.new_session);
	assert_string_equal(env_of(&fh.spawns[0], "PGPORT"), "5433");
	assert_null(fh.spawns[1].opts.env);
	assert_string_equal(fh.spawns[0].opts.cwd, "/data");
	assert_null(fh.spawns[1].opts.cwd);
	assert_false(fh.spawns[0].opts.set_uid);
	/* Output is modinit's: nothing captured, nothing redirected. */
	assert_int_equal(fh.spawns[0].opts.capture, 0);
	assert_int_equal(fh.spawns[0].opts.stdout_fd, -1);
	assert_int_equal(fh.spawns[0].opts.stderr_fd, -1);
	assert_string_equal(fh.log[0], "info: services: service db started (pid 1000)");
	assert_string_equal(fh.log[1], "info: services: service shipper started (pid 1001)");
	assert_string_equal(fh.status, "db running (pid 1000, restarts 0, last none); "
				       "shipper running (pid 1001, restarts 0, last none)");
	assert_int_equal(fake_pending(&fh), 0); /* nothing due: nothing armed */
}

/* on-failure (the default): a failure restarts after the backoff, a clean
 * exit does not. always: a clean exit restarts too. */
static void test_restart_policies(void **state)
{
	(void)state;
	start(two);
	fake_spawn_exit(&fh, 0, 1 << 8); /* db: exit status 1 */
	assert_string_equal(fake_last_log(&fh),
			    "info: services: service db exit status 1: starting it again in 1000 ms");
	assert_string_equal(fh.status, "db restarting (restarts 0, last exit status 1); "
				       "shipper running (pid 1001, restarts 0, last none)");
	fake_advance(&fh, 999);
	assert_int_equal(fh.nspawns, 2);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nspawns, 3);
	assert_string_equal(fh.spawns[2].argv[0], "pg");
	assert_string_equal(fh.status, "db running (pid 1002, restarts 1, last exit status 1); "
				       "shipper running (pid 1001, restarts 0, last none)");
	fake_spawn_exit(&fh, 2, 0); /* db: exit status 0, on-failure: down */
	assert_string_equal(fake_last_log(&fh),
			    "warning: services: service db exit status 0: not started again "
			    "(restart: on-failure, 1 restart)");
	fake_spawn_exit(&fh, 1, 0); /* shipper: always */
	assert_string_equal(fake_last_log(&fh), "info: services: service shipper exit status 0: "
						"starting it again in 2000 ms");
	fake_advance(&fh, 2000);
	assert_int_equal(fh.nspawns, 4);
	fake_spawn_exit(&fh, 3, SIGSEGV); /* killed by a signal */
	assert_string_equal(fake_last_log(&fh), "info: services: service shipper killed by signal "
						"11: starting it again in 2000 ms");
	assert_string_equal(fh.status, "db down (restarts 1, last exit status 0); "
				       "shipper restarting (restarts 1, last killed by signal 11)");
	assert_int_equal(fh.nshutdowns, 0); /* neither is required */
}

/* max_restarts, never, and a start that fails (counted as a failure). */
static void test_limits(void **state)
{
	(void)state;
	start("{name: services, services: [{name: a, command: [a], max_restarts: 1, backoff: 100ms},"
	      "{name: b, command: [b], restart: never}]}");
	fake_spawn_exit(&fh, 1, 0);
	assert_string_equal(fake_last_log(&fh), "warning: services: service b exit status 0: not "
						"started again (restart: never, 0 restarts)");
	fake_spawn_exit(&fh, 0, 2 << 8);
	fake_advance(&fh, 100);
	assert_int_equal(fh.nspawns, 3);
	fake_spawn_exit(&fh, 2, 2 << 8);
	assert_string_equal(fake_last_log(&fh), "warning: services: service a exit status 2: not "
						"started again (restart: on-failure, 1 restart)");
	assert_int_equal(fake_pending(&fh), 0);

	start("{name: services, services: [{name: a, command: [a], max_restarts: 1}]}");
	fh.spawn_result = -EMFILE;
	fake_spawn_exit(&fh, 0, 1 << 8);
	fake_advance(&fh, 1000);
	assert_string_equal(fh.log[fh.nlog - 2],
			    "error: services: service a could not be started: Too many open files");
	assert_string_equal(fake_last_log(&fh),
			    "warning: services: service a could not be started: Too many open "
			    "files: not started again (restart: on-failure, 1 restart)");
	assert_string_equal(fh.status, "a down (restarts 1, last exit status 1)");
}

/* A required service down for good ends the container: with its own
 * status, or with exit_code when given. */
static void test_required(void **state)
{
	(void)state;
	start("{name: services, services: [{name: db, command: [pg], required: true,"
	      " restart: never}]}");
	fake_spawn_exit(&fh, 0, 3 << 8);
	assert_string_equal(fake_last_log(&fh), "warning: services: required service db exit "
						"status 3: ending the container with 3");
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 3);
	assert_string_equal(fh.shutdown_reason[0], "required service db ended");

	start("{name: services, services: [{name: db, command: [pg], required: true,"
	      " max_restarts: 1, exit_code: 70}]}");
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_int_equal(fh.nshutdowns, 0); /* one restart first */
	fake_advance(&fh, 1000);
	fake_spawn_exit(&fh, 1, SIGKILL);
	assert_string_equal(fake_last_log(&fh), "warning: services: required service db killed "
						"by signal 9: ending the container with 70");
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 70);

	/* Killed with no exit_code: 128 + the signal, as a shell says. */
	start("{name: services, services: [{name: db, command: [pg], required: true,"
	      " restart: never}]}");
	fake_spawn_exit(&fh, 0, SIGTERM);
	assert_int_equal(fh.shutdown_code[0], 128 + SIGTERM);
}

/* The end: nothing is signalled while the main command runs; once it is
 * gone, the services stop last first, each with its own signal to its
 * group, the next one only after the previous was reaped. */
static void test_stop_reverse(void **state)
{
	(void)state;
	start(two);
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	fh.phase = FAKE_STOPPING;
	assert_int_equal(fh.nhelper_signals, 0);
	assert_true(fh.holds_stop);
	main_ended(0);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], 1001);
	assert_int_equal(fh.helper_sig_signo[0], SIGTERM);
	assert_true(fh.helper_sig_group[0]);
	assert_string_equal(fake_last_log(&fh), "info: services: stopping service shipper (pid 1001)");
	assert_string_equal(fh.status, "db running (pid 1000, restarts 0, last none); "
				       "shipper stopping (pid 1001, restarts 0, last none)");
	assert_int_equal(fake_next_deadline(&fh), fh.now + 1000); /* shipper's grace */
	fake_spawn_exit(&fh, 1, SIGTERM);
	assert_string_equal(fh.log[fh.nlog - 2],
			    "info: services: service shipper stopped (killed by signal 15)");
	assert_int_equal(fh.nhelper_signals, 2);
	assert_int_equal(fh.helper_sig_pid[1], 1000);
	assert_int_equal(fh.helper_sig_signo[1], SIGINT);
	assert_true(fh.helper_sig_group[1]);
	assert_true(fh.holds_stop);
	/* db ignores SIGINT: SIGKILL to its group after its own grace. */
	fake_advance(&fh, 2999);
	assert_int_equal(fh.nhelper_signals, 2);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nhelper_signals, 3);
	assert_int_equal(fh.helper_sig_signo[2], SIGKILL);
	assert_true(fh.helper_sig_group[2]);
	assert_string_equal(fake_last_log(&fh), "warning: services: service db still runs 3000 ms "
						"after its stop signal: SIGKILL");
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_false(fh.holds_stop);
	assert_int_equal(fh.nrelease_stop, 1);
	assert_int_equal(fake_pending(&fh), 0);
	assert_int_equal(fh.nspawns, 2); /* nothing started again */
	assert_string_equal(fh.status, "db down (restarts 0, last killed by signal 9); "
				       "shipper down (restarts 0, last killed by signal 15)");
	assert_int_equal(fh.nshutdowns, 0); /* the main command's status stays */
}

/* Ended already when the run ends: the stop begins at once; a service
 * waiting for its restart is not started again; one already down is
 * skipped. */
static void test_stop_main_gone(void **state)
{
	(void)state;
	start("{name: services, services: [{name: a, command: [a]}, {name: b, command: [b]},"
	      "{name: c, command: [c], restart: never}]}");
	fake_spawn_exit(&fh, 1, 1 << 8); /* b: waits for its restart */
	fake_spawn_exit(&fh, 2, 0);      /* c: down */
	fh.main_pid = 0;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], 1000);
	assert_int_equal(fake_pending(&fh), 1); /* a's grace; b's restart cancelled */
	modinit_module.on_reap(st, fh.last_main_pid, MODINIT_REAP_MAIN, 0); /* no second start */
	assert_int_equal(fh.nhelper_signals, 1);
	fake_spawn_exit(&fh, 0, 0);
	assert_false(fh.holds_stop);
	fake_advance(&fh, 10000);
	assert_int_equal(fh.nspawns, 3);
	assert_string_equal(fh.status, "a down (restarts 0, last exit status 0); "
				       "b down (restarts 0, last exit status 1); "
				       "c down (restarts 0, last exit status 0)");
}

/* A service that ends by itself while the stop waits for the main command
 * is not restarted, and is not signalled later. */
static void test_ends_while_stopping(void **state)
{
	(void)state;
	start(two);
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	fake_spawn_exit(&fh, 1, 0);
	assert_string_equal(fh.log[fh.nlog - 1],
			    "info: services: service shipper ended (exit status 0)");
	main_ended(0);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], 1000);
	fake_spawn_exit(&fh, 0, 0);
	assert_false(fh.holds_stop);
	assert_int_equal(fh.nspawns, 2);
}

/* A restart of the main command (its reap outside the end) stops nothing. */
static void test_main_restart(void **state)
{
	(void)state;
	start(two);
	modinit_module.on_reap(st, 100, MODINIT_REAP_MAIN, 1 << 8);
	modinit_module.on_reap(st, 4242, MODINIT_REAP_ORPHAN, 0);
	assert_int_equal(fh.nhelper_signals, 0);
	assert_true(fh.holds_stop);
}

/* user: a uid needs no passwd entry (gid = uid, HOME /); the module sets
 * HOME, USER and LOGNAME unless env does. */
static void test_user(void **state)
{
	const struct fake_spawn *s;

	(void)state;
	start("{name: services, services: [{name: a, command: [a], user: '4242',"
	      " env: {HOME: /srv}}]}");
	s = &fh.spawns[0];
	assert_true(s->opts.set_uid);
	assert_true(s->opts.set_gid);
	assert_int_equal(s->opts.uid, 4242);
	assert_int_equal(s->opts.gid, 4242);
	assert_int_equal(s->opts.ngroups, 1);
	assert_int_equal(s->opts.groups[0], 4242);
	assert_string_equal(env_of(s, "HOME"), "/srv");
	assert_string_equal(env_of(s, "USER"), "4242");
	assert_string_equal(env_of(s, "LOGNAME"), "4242");
}

/* ---- readiness ---- */

/* Started and held as modinit does: the phase stays STARTING while the
 * main command's start is held. */
static void start_held(const char *yaml)
{
	start(yaml);
	fh.phase = FAKE_STARTING;
}

/* msg to the socket in the environment of the service spawned as i, from
 * a sender in session sid; then the module reads it, as after a wake-up. */
static void notify(size_t i, pid_t sid, const char *msg)
{
	const char *address = env_of(&fh.spawns[i], "NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fake_watch *w;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_non_null(address);
	assert_int_equal(address[0], '@');
	assert_true(fd >= 0);
	memcpy(sa.sun_path + 1, address + 1, strlen(address) - 1);
	assert_int_equal(sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa,
				(socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(address))),
			 (ssize_t)strlen(msg));
	close(fd);
	assert_int_equal(fh.nwatches, 1);
	w = &fh.watches[0];
	assert_true(w->live);
	sender_sid = sid;
	w->cb(w->arg, w->fd, EPOLLIN);
}

static const char chain[] =
	"{name: services, main_after_ready: true, services: ["
	"{name: db, command: [pg], notify: true, ready_timeout: 5s},"
	"{name: app, command: [app], after_ready: true},"
	"{name: cron, command: [cron]}]}";

/* app waits for db's READY=1, and cron, listed after app, with it; the
 * main command's start is released once all three are ready. Only db
 * gets NOTIFY_SOCKET. */
static void test_after_ready(void **state)
{
	char line[128];

	(void)state;
	start_held(chain);
	assert_true(fh.holds_start);
	assert_int_equal(fh.nspawns, 1);
	assert_string_equal(fh.spawns[0].argv[0], "pg");
	assert_int_equal(strncmp(env_of(&fh.spawns[0], "NOTIFY_SOCKET"), "@modinit-services-", 18),
			 0);
	assert_int_equal(strlen(env_of(&fh.spawns[0], "NOTIFY_SOCKET")), 18 + 16);
	assert_string_equal(fh.status, "db starting (pid 1000, restarts 0, last none); "
				       "app waiting (restarts 0, last none); "
				       "cron waiting (restarts 0, last none)");
	assert_int_equal(fake_pending(&fh), 1); /* the ready timeout */

	/* Not READY=1, or not from db's session: nothing moves. */
	notify(0, 1000, "STATUS=loading\nREADY=0");
	notify(0, 4242, "READY=1");
	snprintf(line, sizeof(line),
		 "debug: services: ignored a message from pid %d: in no notify service's session",
		 (int)getpid());
	assert_true(fake_logged(&fh, line));
	assert_int_equal(fh.nspawns, 1);
	assert_true(fh.holds_start);

	notify(0, 1000, "STATUS=up\nREADY=1");
	assert_true(fake_logged(&fh, "info: services: service db is ready"));
	assert_int_equal(fh.nspawns, 3);
	assert_string_equal(fh.spawns[1].argv[0], "app");
	assert_string_equal(fh.spawns[2].argv[0], "cron");
	assert_null(fh.spawns[1].opts.env);
	assert_false(fh.holds_start);
	assert_int_equal(fh.nrelease_start, 1);
	assert_string_equal(fake_last_log(&fh),
			    "info: services: every service is ready: starting the main command");
	assert_string_equal(fh.status, "db running (pid 1000, restarts 0, last none); "
				       "app running (pid 1001, restarts 0, last none); "
				       "cron running (pid 1002, restarts 0, last none)");
	assert_int_equal(fake_pending(&fh), 0);

	/* Ready once: a second READY=1 changes nothing. */
	notify(0, 1000, "READY=1");
	assert_int_equal(fh.nrelease_start, 1);
	assert_int_equal(fh.nspawns, 3);
}

/* Not ready within ready_timeout: SIGKILL to its group, a failure its
 * restart policy answers; the restarted db must be ready again before
 * the order goes on. */
static void test_ready_timeout(void **state)
{
	(void)state;
	start_held(chain);
	fake_advance(&fh, 4999);
	assert_int_equal(fh.nhelper_signals, 0);
	fake_advance(&fh, 1);
	assert_string_equal(fake_last_log(&fh),
			    "warning: services: service db is not ready 5000 ms after its start: SIGKILL");
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], 1000);
	assert_int_equal(fh.helper_sig_signo[0], SIGKILL);
	assert_true(fh.helper_sig_group[0]);
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_string_equal(fake_last_log(&fh),
			    "info: services: service db killed by signal 9: starting it again in 1000 ms");
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nspawns, 2);
	assert_string_equal(fh.spawns[1].argv[0], "pg");
	assert_true(fh.holds_start);
	/* The old session is gone: only the new one counts. */
	notify(1, 1000, "READY=1");
	assert_int_equal(fh.nspawns, 2);
	notify(1, 1001, "READY=1");
	assert_int_equal(fh.nspawns, 4);
	assert_false(fh.holds_start);
}

/* The service waited for is down for good before it was ready: the next
 * starts anyway, with a warning; the main command's start is released. */
static void test_after_ready_down(void **state)
{
	(void)state;
	start_held("{name: services, main_after_ready: true, services: ["
		   "{name: db, command: [pg], notify: true, restart: never},"
		   "{name: app, command: [app], after_ready: true}]}");
	assert_int_equal(fake_pending(&fh), 0); /* no ready_timeout: none armed */
	fake_spawn_exit(&fh, 0, 1 << 8);
	assert_true(fake_logged(&fh, "warning: services: service app starts although db, which it waits "
			   "for, is down"));
	assert_int_equal(fh.nspawns, 2);
	assert_false(fh.holds_start);
	assert_int_equal(fh.nrelease_start, 1);
}

/* The end while held: nothing more starts, the ready timer goes, the
 * start is not released (modinit ends a held run itself). */
static void test_shutdown_while_held(void **state)
{
	(void)state;
	start_held(chain);
	fh.main_pid = 0;
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	assert_int_equal(fh.nhelper_signals, 1); /* db's stop signal */
	assert_int_equal(fake_pending(&fh), 1);  /* its grace, not the ready timeout */
	fake_spawn_exit(&fh, 0, SIGTERM);
	assert_int_equal(fh.nspawns, 1);
	assert_int_equal(fh.nrelease_start, 0);
	assert_false(fh.holds_stop);
	assert_string_equal(fh.status, "db down (restarts 0, last killed by signal 15); "
				       "app down (restarts 0, last none); "
				       "cron down (restarts 0, last none)");
}

/* Without main_after_ready the main command's start is not held, and a
 * dry run binds no socket. */
static void test_no_hold(void **state)
{
	(void)state;
	start("{name: services, services: [{name: db, command: [pg], notify: true}]}");
	assert_false(fh.holds_start);
	assert_int_equal(fh.nwatches, 1);
	fake_unload(&fh, &modinit_module, &st);
	fake_host_init(&fh, "services");
	fh.dry_run = true;
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: services, main_after_ready: true, services: "
					     "[{name: db, command: [pg], notify: true}]}"),
				   &st, err, sizeof(err)),
			 0);
	assert_int_equal(fh.nwatches, 0);
}

static void expect_error(const char *yaml, const char *msg)
{
	assert_int_equal(load(yaml), -EINVAL);
	assert_string_equal(err, msg);
	assert_null(st);
	assert_false(fh.holds_stop);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_error("{name: services, services: []}",
		     "test.yaml:1:28: services: services: expected 1 to 32 services");
	expect_error("{name: services, services: [{name: 'a b', command: [x]}]}",
		     "test.yaml:1:36: services: services: name: expected 1 to 63 of A-Z a-z 0-9 "
		     "_ . -, got \"a b\"");
	expect_error("{name: services, services: [{name: a, command: [x]}, {name: a, command: [y]}]}",
		     "test.yaml:1:61: services: services: two services named \"a\"");
	expect_error("{name: services, services: [{name: a, command: []}]}",
		     "test.yaml:1:48: services: services: a: command: expected at least the program");
	expect_error("{name: services, services: [{name: a, command: [x], backoff: 10ms}]}",
		     "test.yaml:1:62: services: services: a: backoff: expected at least 100ms");
	expect_error("{name: services, services: [{name: a, command: [x], max_restarts: -1}]}",
		     "test.yaml:1:67: services: services: a: max_restarts: expected 0 to 1000000");
	expect_error("{name: services, services: [{name: a, command: [x], exit_code: 256}]}",
		     "test.yaml:1:64: services: services: a: exit_code: expected 0 to 255");
	expect_error("{name: services, services: [{name: a, command: [x], env: {'A=B': c}}]}",
		     "test.yaml:1:59: services: services: a: env: \"A=B\" is not a variable name");
	expect_error("{name: services, services: [{name: a, command: [x], env: {A: [c]}}]}",
		     "test.yaml:1:62: services: services: a: env: A: expected a string");
	expect_error("{name: services, services: [{name: a, command: [x], user: nobody-here-x}]}",
		     "test.yaml:1:59: services: services: a: user: no user \"nobody-here-x\" in "
		     "/etc/passwd");
	expect_error("{name: services, services: [{name: a, command: [x], restart: sometimes}]}",
		     "test.yaml:1:62: services: services: item 1: restart: expected always, "
		     "on-failure or never, got \"sometimes\"");
	expect_error("{name: services, services: [{name: a, command: [x], ready_timeout: 5s}]}",
		     "test.yaml:1:68: services: services: a: ready_timeout: needs notify: true");
	expect_error("{name: services, services: [{name: a, command: [x], notify: true,"
		     " ready_timeout: 0s}]}",
		     "test.yaml:1:82: services: services: a: ready_timeout: expected more than 0");
	expect_error("{name: services, services: [{name: a, command: [x], after_ready: true}]}",
		     "test.yaml:1:66: services: services: a: after_ready: the first service has "
		     "none before it");
	expect_error("{name: services, services: [{name: a, command: [x], notify: true,"
		     " env: {NOTIFY_SOCKET: /x}}]}",
		     "test.yaml:1:73: services: services: a: env: NOTIFY_SOCKET is the module's "
		     "with notify: true");
}

/* hold_stop as modinit answers in mode exec or outside init. */
static int refused_hold(const struct modinit_host *h)
{
	(void)h;
	return -EAGAIN;
}

static void test_host_refuses(void **state)
{
	(void)state;
	fake_host_init(&fh, "services");
	fh.host.size = offsetof(struct modinit_host, main_setenv);
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: services, services: [{name: a, command: [a]}]}"),
				   &st, err, sizeof(err)),
			 -ENOTSUP);
	assert_string_equal(err, "this modinit lacks the 1.2 services services needs");
	fake_host_free(&fh);

	fake_host_init(&fh, "services");
	fh.host.hold_stop = refused_hold;
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: services, services: [{name: a, command: [a]}]}"),
				   &st, err, sizeof(err)),
			 -EAGAIN);
	assert_string_equal(err, "cannot hold the stop: Resource temporarily unavailable");
	assert_null(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_main_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ends_while_stopping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_main_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_ready_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_while_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_refuses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
