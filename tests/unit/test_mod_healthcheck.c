/* healthcheck's state machine against the fake host and its clock: when
 * probes run, Docker's retries and start-period rules, the roles, each
 * action, timeouts, the status files, and the probes and endpoint over
 * real loopback sockets (driven by poll here instead of modinit's loop). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "endpoint.h"
#include "fake_host.h"

extern const struct modinit_module modinit_module;

#define EXITED(n) ((n) << 8)

static struct fake_host fh;
static void *st;
static char err[512];
static char dir[4096];

/* kill(2) is wrapped (-Wl,--wrap=kill): the module kills its probes'
 * process groups through the host (signal_helper), so a kill() of its own
 * is counted, and the fake pids must never reach the real kill. */
static size_t nkills;

int __wrap_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig)
{
	(void)pid;
	(void)sig;
	nkills++;
	return 0;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/hc-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	nkills = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_unload(&fh, &modinit_module, &st);
	fake_yaml_free();
	/* The module publishes through the host and writes no file of its own. */
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

/* Load the module with yaml (an item of the modules list), as modinit would. */
static int load(const char *yaml)
{
	fake_unload(&fh, &modinit_module, &st); /* a second configuration in the same test */
	fake_host_init(&fh, "healthcheck");
	fh.state_dir = dir;
	err[0] = '\0';
	return fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
}

/* load, then on_start and on_spawn as modinit runs them (the endpoint, if
 * the module asked for one, is served after on_start). */
static void start(const char *yaml)
{
	int r = load(yaml);

	if (r != 0)
		fail_msg("init: %d: %s", r, err);
	modinit_module.on_start(st);
	endpoint_serve(fh.ep);
	modinit_module.on_spawn(st, fh.main_pid);
}

static uint64_t next_in(void)
{
	uint64_t d = fake_next_deadline(&fh);

	return d == UINT64_MAX ? UINT64_MAX : d - fh.now;
}

static size_t live_watches(int except)
{
	size_t n = 0;

	for (size_t i = 0; i < fh.nwatches; i++)
		n += fh.watches[i].live && fh.watches[i].fd != except;
	return n;
}

static struct fake_watch *last_watch(void)
{
	for (size_t i = fh.nwatches; i-- > 0;)
		if (fh.watches[i].live)
			return &fh.watches[i];
	return NULL;
}

/* End the last exec probe: output written to the helper's end of its
 * capture pipe (the fake host keeps it), then the exit status. */
static void probe_exits(int status, const char *out, size_t len)
{
	struct fake_spawn *s = &fh.spawns[fh.nspawns - 1];

	assert_true(fh.nspawns > 0);
	if (len) {
		assert_non_null(last_watch());
		assert_true(s->capture_wr >= 0);
		assert_int_equal(write(s->capture_wr, out, len), (ssize_t)len);
	}
	fake_spawn_exit(&fh, fh.nspawns - 1, status);
}

static void probe_ok(void)
{
	probe_exits(EXITED(0), NULL, 0);
}

static void probe_fails(void)
{
	probe_exits(EXITED(1), NULL, 0);
}

/* The next probe is due in exactly ms: it has not started at ms - 1. */
static void expect_probe_in(uint64_t ms)
{
	size_t n = fh.nspawns;

	assert_int_equal(next_in(), ms);
	fake_advance(&fh, ms - 1);
	assert_int_equal(fh.nspawns, n);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nspawns, n + 1);
}

/* What the module last published through publish_health, as "STATUS
 * READINESS" ("healthy ready", "starting not-ready"...). */
static const char *published(void)
{
	static const char *const names[] = { "none", "starting", "healthy", "unhealthy" };
	static char buf[64];

	assert_true(fh.health >= 0 && fh.health <= MODINIT_HEALTH_UNHEALTHY);
	snprintf(buf, sizeof(buf), "%s %s", names[fh.health], fh.ready ? "ready" : "not-ready");
	return buf;
}

/* The published detail with every timestamp replaced by "T", so it
 * compares exactly. */
static char *json(void)
{
	static char buf[65536];
	char *s = buf, *p;

	assert_non_null(fh.detail);
	assert_true(strlen(fh.detail) < sizeof(buf));
	strcpy(buf, fh.detail);
	while ((p = strstr(s, "\"20"))) {
		/* "2026-11-23T02:29:02.221Z" is 26 characters with its quotes */
		assert_true(strlen(p) >= 26 && p[11] == 'T' && p[24] == 'Z' && p[25] == '"');
		p[0] = 'T';
		memmove(p + 1, p + 26, strlen(p + 26) + 1);
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* Timing                                                              */
/* ------------------------------------------------------------------ */

static void test_first_probe_after_one_interval(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [probe, --x], interval: 10s, timeout: 2s}]}");
	assert_int_equal(fake_pending(&fh), 1); /* one timer, nothing else */
	expect_probe_in(10000);
	assert_string_equal(fh.spawns[0].argv[0], "probe");
	assert_string_equal(fh.spawns[0].argv[1], "--x");
	assert_null(fh.spawns[0].argv[2]);
	assert_true(fh.spawns[0].opts.new_group);
	assert_int_equal(fh.spawns[0].opts.stdin_fd, -1);
	assert_int_equal(fh.spawns[0].opts.capture, MODINIT_CAPTURE_STDOUT | MODINIT_CAPTURE_STDERR);
	assert_true(fh.spawns[0].capture_wr >= 0);
	assert_int_equal(next_in(), 2000); /* its timeout */
	/* The next one an interval after this one ended, not after it began. */
	fake_advance(&fh, 700);
	probe_ok();
	assert_int_equal(fake_pending(&fh), 1);
	expect_probe_in(10000);
}

static void test_docker_defaults(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, tcp: '127.0.0.1:9'}]}");
	assert_int_equal(next_in(), 30000); /* interval 30s */
	start("{name: healthcheck, checks: [{name: a, exec: [p]}]}");
	expect_probe_in(30000);
	assert_int_equal(next_in(), 30000); /* timeout 30s */
	/* retries 3: unhealthy at the third failure, not before */
	probe_fails();
	expect_probe_in(30000);
	probe_fails();
	expect_probe_in(30000);
	assert_int_equal(fh.nlog, 0);
	probe_fails();
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a (liveness) is unhealthy: exit status 1");
}

/* start_interval while starting inside start_period; failures whose probe
 * began inside the period do not count; interval once it is over. */
static void test_start_period(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 10s, start_period: 5s,"
	      " start_interval: 1s, retries: 2}]}");
	for (int i = 0; i < 3; i++) { /* at 1s, 2s, 3s */
		expect_probe_in(1000);
		probe_fails();
	}
	expect_probe_in(1000); /* at 4s: runs 2 s, past the period's end */
	fake_advance(&fh, 2000);
	probe_fails();
	assert_string_equal(published(), "starting not-ready");
	assert_non_null(strstr(json(), "\"status\": \"starting\", \"failing_streak\": 0,"));
	/* At 6 s, outside the period: the interval, and failures count. */
	expect_probe_in(10000);
	probe_fails();
	assert_non_null(strstr(json(), "\"status\": \"starting\", \"failing_streak\": 1,"));
	assert_int_equal(fh.nlog, 0);
	expect_probe_in(10000);
	probe_fails();
	assert_non_null(strstr(json(), "\"status\": \"unhealthy\", \"failing_streak\": 2,"));
	assert_string_equal(published(), "unhealthy not-ready");
}

/* A probe that starts exactly when the period ends already counts. */
static void test_start_period_boundary(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 10s, start_period: 2s,"
	      " start_interval: 1s, retries: 1}]}");
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nlog, 0);
	expect_probe_in(1000); /* at 2 s == start_period */
	probe_fails();
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a (liveness) is unhealthy: exit status 1");
}

/* A success inside the start period ends it for this check: the interval
 * applies, and failures count at once (Docker). */
static void test_success_ends_start_period(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 10s, start_period: 60s,"
	      " start_interval: 1s, retries: 2}]}");
	expect_probe_in(1000);
	probe_ok();
	assert_string_equal(fake_last_log(&fh), "info: healthcheck: check a (liveness) is healthy");
	assert_string_equal(published(), "healthy ready");
	expect_probe_in(10000);
	probe_fails();
	assert_non_null(strstr(json(), "\"status\": \"healthy\", \"failing_streak\": 1,"));
	expect_probe_in(10000);
	probe_fails();
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a (liveness) is unhealthy: exit status 1");
}

static void test_retries_and_recovery(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 1s, retries: 3}]}");
	for (int i = 0; i < 2; i++) {
		expect_probe_in(1000);
		probe_ok();
	}
	assert_int_equal(fh.nlog, 1); /* healthy once: a change is one line */
	for (int i = 0; i < 2; i++) {
		expect_probe_in(1000);
		probe_fails();
	}
	assert_non_null(strstr(json(), "\"status\": \"healthy\", \"failing_streak\": 2,"));
	expect_probe_in(1000);
	probe_exits(EXITED(4), NULL, 0);
	assert_int_equal(fh.nlog, 2);
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a (liveness) is unhealthy: exit status 4");
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nlog, 2); /* still unhealthy: no new line */
	assert_non_null(strstr(json(), "\"status\": \"unhealthy\", \"failing_streak\": 4,"));
	/* One success is enough. */
	expect_probe_in(1000);
	probe_ok();
	assert_int_equal(fh.nlog, 3);
	assert_string_equal(fake_last_log(&fh), "info: healthcheck: check a (liveness) is healthy");
	assert_non_null(strstr(json(), "\"status\": \"healthy\", \"failing_streak\": 0,"));
	assert_int_equal(fh.nshutdowns + fh.nrestarts + fh.nsignals, 0); /* on_unhealthy: none */
}

/* A probe past its timeout fails, and its whole process group is killed;
 * its late exit changes nothing. */
static void test_exec_timeout(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 5s, timeout: 2s,"
	      " retries: 1}]}");
	expect_probe_in(5000);
	assert_int_equal(live_watches(-1), 1); /* its output pipe */
	fake_advance(&fh, 1999);
	assert_int_equal(fh.nhelper_signals, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], fh.spawns[0].pid);
	assert_true(fh.helper_sig_group[0]);
	assert_int_equal(fh.helper_sig_signo[0], SIGKILL);
	assert_int_equal(nkills, 0); /* through the host, never kill() itself */
	assert_int_equal(live_watches(-1), 0);
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check a (liveness) is "
						"unhealthy: timed out after 2000 ms");
	assert_non_null(strstr(json(), "\"duration_ms\": 2000, \"ok\": false, \"code\": -1, "
					"\"error\": \"timed out after 2000 ms\""));
	/* The next probe an interval after the timeout. */
	assert_int_equal(next_in(), 5000);
	fake_spawn_exit(&fh, 0, SIGKILL);
	assert_int_equal(fake_pending(&fh), 1);
	assert_non_null(strstr(json(), "\"failing_streak\": 1,"));
	expect_probe_in(5000);
	probe_ok();
	assert_non_null(strstr(json(), "\"status\": \"healthy\", \"failing_streak\": 0,"));
}

/* ------------------------------------------------------------------ */
/* Roles                                                               */
/* ------------------------------------------------------------------ */

static void test_readiness_only_published(void **state)
{
	(void)state;
	start("{name: healthcheck, on_unhealthy: 'exit:3', checks: ["
	      "{name: live, exec: [l], interval: 1s, retries: 1},"
	      "{name: ready, role: readiness, exec: [r], interval: 1s, retries: 1}]}");
	assert_string_equal(published(), "starting not-ready");
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nspawns, 2);
	assert_string_equal(fh.spawns[0].argv[0], "l");
	assert_string_equal(fh.spawns[1].argv[0], "r");
	fake_spawn_exit(&fh, 0, EXITED(0));
	fake_spawn_exit(&fh, 1, EXITED(1));
	assert_string_equal(published(), "healthy not-ready");
	assert_string_equal(fh.status, "healthy not-ready");
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check ready (readiness) is unhealthy: exit status 1");
	assert_int_equal(fh.nshutdowns, 0);
	assert_int_equal(fake_pending(&fh), 2);
	fake_advance(&fh, 1000);
	fake_spawn_exit(&fh, 3, EXITED(0));
	fake_spawn_exit(&fh, 2, EXITED(0));
	assert_string_equal(published(), "healthy ready");
	assert_string_equal(fh.status, "healthy ready");
}

static size_t spawns_of(const char *argv0)
{
	size_t n = 0;

	for (size_t i = 0; i < fh.nspawns; i++)
		n += strcmp(fh.spawns[i].argv[0], argv0) == 0;
	return n;
}

/* Liveness checks wait for every startup check; a passed startup check is
 * not probed again. */
static void test_startup_gates_liveness(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: ["
	      "{name: live, exec: [l], interval: 2s},"
	      "{name: boot, role: startup, exec: [b], interval: 1s, start_period: 3s,"
	      " start_interval: 500ms, retries: 2},"
	      "{name: boot2, role: startup, exec: [b2], interval: 1s}]}");
	assert_int_equal(fake_pending(&fh), 2); /* the startup checks only */
	expect_probe_in(500);
	assert_string_equal(fh.spawns[0].argv[0], "b");
	probe_fails();
	/* At 1 s both: b2 (armed first), then b. */
	fake_advance(&fh, 500);
	assert_int_equal(fh.nspawns, 3);
	assert_string_equal(fh.spawns[1].argv[0], "b2");
	assert_string_equal(fh.spawns[2].argv[0], "b");
	fake_spawn_exit(&fh, 1, EXITED(0));
	fake_spawn_exit(&fh, 2, EXITED(1));
	assert_string_equal(published(), "starting not-ready");
	assert_int_equal(fake_pending(&fh), 1); /* b2 is done for good */
	expect_probe_in(500);
	assert_string_equal(fh.spawns[3].argv[0], "b");
	probe_ok();
	assert_string_equal(fake_last_log(&fh), "info: healthcheck: check boot (startup) is healthy");
	assert_string_equal(published(), "starting not-ready");
	/* Now the liveness check, one interval later; no startup probe again. */
	assert_int_equal(fake_pending(&fh), 1);
	expect_probe_in(2000);
	assert_string_equal(fh.spawns[fh.nspawns - 1].argv[0], "l");
	probe_ok();
	assert_string_equal(published(), "healthy ready");
	expect_probe_in(2000);
	assert_string_equal(fh.spawns[fh.nspawns - 1].argv[0], "l");
	assert_int_equal(spawns_of("b"), 3);
	assert_int_equal(spawns_of("b2"), 1);
}

/* A startup check still failing after its start period is a liveness
 * failure: the action runs, and the liveness check never did. */
static void test_startup_failing_past_period(void **state)
{
	(void)state;
	start("{name: healthcheck, on_unhealthy: 'exit:4', checks: ["
	      "{name: live, exec: [l], interval: 1s},"
	      "{name: boot, role: startup, exec: [b], interval: 1s, start_period: 2s,"
	      " start_interval: 500ms, retries: 2}]}");
	for (int i = 0; i < 3; i++) { /* 0.5 s, 1 s, 1.5 s: in the period */
		expect_probe_in(500);
		probe_fails();
	}
	expect_probe_in(500); /* 2 s: counts */
	probe_fails();
	assert_int_equal(fh.nshutdowns, 0);
	expect_probe_in(1000); /* the interval now */
	probe_fails();
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 4);
	assert_string_equal(fh.shutdown_reason[0], "check boot is unhealthy");
	assert_int_equal(spawns_of("l"), 0);
	assert_string_equal(published(), "unhealthy not-ready");
	assert_int_equal(fake_pending(&fh), 0); /* the container is ending */
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

static void test_restart_backoff_and_max(void **state)
{
	static const uint64_t delays[] = { 1000, 2000, 3000 };

	(void)state;
	start("{name: healthcheck, on_unhealthy: restart, restart: {max: 3, backoff: 1s,"
	      " max_backoff: 3s, exit_code: 9}, checks: [{name: a, exec: [p], interval: 1s,"
	      " retries: 1}]}");
	for (size_t i = 0; i < 3; i++) {
		char line[200];

		expect_probe_in(1000);
		probe_ok();
		expect_probe_in(1000);
		probe_fails();
		assert_int_equal(fh.nrestarts, i + 1);
		assert_int_equal(fh.restart_delay[i], delays[i]);
		snprintf(line, sizeof(line),
			 "warning: healthcheck: check a is unhealthy: restarting the main command "
			 "(restart %zu of 3, %llu ms after it stops)",
			 i + 1, (unsigned long long)delays[i]);
		assert_string_equal(fake_last_log(&fh), line);
		/* Nothing is probed until the command runs again... */
		assert_int_equal(fake_pending(&fh), 0);
		fake_advance(&fh, 60000);
		/* ...and then every check starts over. */
		modinit_module.on_spawn(st, 200 + (pid_t)i);
		assert_string_equal(published(), "starting not-ready");
		assert_non_null(strstr(json(), "\"status\": \"starting\", \"failing_streak\": 0,"));
	}
	assert_non_null(strstr(json(), "\"restarts\": 3,"));
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nrestarts, 3);
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 9);
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check a is unhealthy after "
						"3 restarts: ending the container with 9");
	assert_int_equal(fake_pending(&fh), 0);
}

/* The default restart settings: doubling from 1 s, capped at 30 s, then
 * exit 1 after 5 restarts. */
static void test_restart_defaults(void **state)
{
	static const uint64_t delays[] = { 1000, 2000, 4000, 8000, 16000 };

	(void)state;
	start("{name: healthcheck, on_unhealthy: restart, checks: [{name: a, exec: [p],"
	      " interval: 1s, retries: 1}]}");
	for (size_t i = 0; i < 5; i++) {
		expect_probe_in(1000);
		probe_fails();
		assert_int_equal(fh.nrestarts, i + 1);
		assert_int_equal(fh.restart_delay[i], delays[i]);
		modinit_module.on_spawn(st, 300);
	}
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 1);
	start("{name: healthcheck, on_unhealthy: restart, restart: {max: 9, backoff: 10s,"
	      " max_backoff: 25s}, checks: [{name: a, exec: [p], interval: 1s, retries: 1}]}");
	for (size_t i = 0; i < 3; i++) {
		expect_probe_in(1000);
		probe_fails();
		modinit_module.on_spawn(st, 300);
	}
	assert_int_equal(fh.restart_delay[0], 10000);
	assert_int_equal(fh.restart_delay[1], 20000);
	assert_int_equal(fh.restart_delay[2], 25000);
}

/* A refused restart (e.g. the shutdown has begun) is logged; probing goes on. */
static void test_restart_refused(void **state)
{
	(void)state;
	start("{name: healthcheck, on_unhealthy: restart, checks: [{name: a, exec: [p],"
	      " interval: 1s, retries: 1}]}");
	fh.restart_result = -EBUSY;
	expect_probe_in(1000);
	probe_fails();
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check a is unhealthy: cannot "
						"restart the main command: Device or resource busy");
	assert_int_equal(fake_pending(&fh), 1);
	assert_non_null(strstr(json(), "\"restarts\": 0,"));
}

static void test_exit_action(void **state)
{
	(void)state;
	start("{name: healthcheck, on_unhealthy: 'exit:42', checks: [{name: a, exec: [p],"
	      " interval: 1s, retries: 2}]}");
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nshutdowns, 0);
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 42);
	assert_string_equal(fh.shutdown_reason[0], "check a is unhealthy");
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a is unhealthy: ending the container with 42");
	assert_int_equal(fake_pending(&fh), 0);
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	assert_int_equal(fake_pending(&fh), 0);
}

static void test_signal_action(void **state)
{
	(void)state;
	start("{name: healthcheck, on_unhealthy: 'signal:USR1', checks: [{name: a, exec: [p],"
	      " interval: 1s, retries: 1}]}");
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nsignals, 1);
	assert_int_equal(fh.sig_target[0], MODINIT_TARGET_MAIN);
	assert_int_equal(fh.sig_signo[0], SIGUSR1);
	assert_string_equal(fake_last_log(&fh),
			    "warning: healthcheck: check a is unhealthy: sent USR1 to the main command");
	/* Still unhealthy: no second signal; unhealthy again: one more. */
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nsignals, 1);
	expect_probe_in(1000);
	probe_ok();
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.nsignals, 2);
	assert_int_equal(fh.sig_signo[1], SIGUSR1);
	assert_int_equal(fh.nshutdowns + fh.nrestarts, 0);
	start("{name: healthcheck, on_unhealthy: 'signal:SIGRTMIN+2', checks: [{name: a,"
	      " exec: [p], interval: 1s, retries: 1}]}");
	expect_probe_in(1000);
	probe_fails();
	assert_int_equal(fh.sig_signo[0], SIGRTMIN + 2);
}

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

static void test_status_files(void **state)
{
	char big[5000];

	(void)state;
	start("{name: healthcheck, checks: [{name: \"w\\\"eb\", exec: [p], interval: 1s},"
	      " {name: r, role: readiness, tcp: '127.0.0.1:1', interval: 1h}]}");
	assert_string_equal(published(), "starting not-ready");
	assert_string_equal(json(),
			    "{\"status\": \"starting\", \"ready\": false, \"restarts\": 0, \"checks\": [\n"
			    "  {\"name\": \"w\\\"eb\", \"role\": \"liveness\", \"status\": \"starting\", "
			    "\"failing_streak\": 0, \"log\": []},\n"
			    "  {\"name\": \"r\", \"role\": \"readiness\", \"status\": \"starting\", "
			    "\"failing_streak\": 0, \"log\": []}]}\n");
	/* Output is kept, escaped, with invalid UTF-8 replaced. */
	expect_probe_in(1000);
	fake_advance(&fh, 25);
	probe_exits(EXITED(0), "ok \"x\"\t\\\n\x01 \xc3\xa9 \xff\xc3", 16);
	assert_string_equal(published(), "healthy not-ready");
	assert_string_equal(json(),
			    "{\"status\": \"healthy\", \"ready\": false, \"restarts\": 0, \"checks\": [\n"
			    "  {\"name\": \"w\\\"eb\", \"role\": \"liveness\", \"status\": \"healthy\", "
			    "\"failing_streak\": 0, \"log\": [\n"
			    "    {\"start\": T, \"end\": T, \"duration_ms\": 25, \"ok\": true, \"code\": 0, "
			    "\"error\": \"\", \"output\": \"ok \\\"x\\\"\\t\\\\\\n\\u0001 \xc3\xa9 "
			    "\\ufffd\\ufffd\"}]},\n"
			    "  {\"name\": \"r\", \"role\": \"readiness\", \"status\": \"starting\", "
			    "\"failing_streak\": 0, \"log\": []}]}\n");
	/* The last 5 results only, oldest first; output capped at 4 KiB. */
	for (int i = 1; i <= 6; i++) {
		expect_probe_in(1000);
		if (i == 6) {
			memset(big, 'x', sizeof(big));
			probe_exits(EXITED(0), big, sizeof(big));
		} else {
			probe_exits(EXITED(i), NULL, 0);
		}
	}
	{
		char *j = json(), *p;
		size_t n = 0;

		assert_null(strstr(j, "\"code\": 0, \"error\": \"\", \"output\": \"ok"));
		for (int i = 2; i <= 5; i++) {
			char want[96];

			snprintf(want, sizeof(want), "\"code\": %d, \"error\": \"exit status %d\"", i, i);
			assert_non_null(strstr(j, want));
		}
		assert_null(strstr(j, "\"code\": 1,"));
		p = strstr(j, "\"output\": \"xxx");
		assert_non_null(p);
		p += strlen("\"output\": \"");
		while (p[n] == 'x')
			n++;
		assert_int_equal(n, 4096);
		assert_non_null(strstr(j, "\"status\": \"healthy\", \"ready\": false"));
	}
}

static void test_shutdown_stops_everything(void **state)
{
	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 1s},"
	      " {name: b, exec: [q], interval: 5s}]}");
	expect_probe_in(1000);
	assert_int_equal(fake_pending(&fh), 2); /* a's timeout, b's probe */
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_MAIN_EXITED);
	assert_int_equal(fake_pending(&fh), 0);
	assert_int_equal(live_watches(-1), 0);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], fh.spawns[0].pid);
	assert_true(fh.helper_sig_group[0]);
	assert_int_equal(fh.helper_sig_signo[0], SIGKILL);
	assert_int_equal(nkills, 0);
	fake_spawn_exit(&fh, 0, SIGKILL);
	fake_advance(&fh, 60000);
	assert_int_equal(fh.nspawns, 1);
}

/* ------------------------------------------------------------------ */
/* tcp and http probes over loopback                                   */
/* ------------------------------------------------------------------ */

static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* One round of the event loop the fake host lacks: poll the module's
 * watches (waiting up to 2 s) and run the callbacks of the ready ones. */
static void pump_round(void)
{
	struct pollfd p[FAKE_MAX];
	size_t idx[FAKE_MAX], n = 0;

	for (size_t i = 0; i < fh.nwatches; i++) {
		if (!fh.watches[i].live)
			continue;
		p[n].fd = fh.watches[i].fd;
		p[n].events = (short)(((fh.watches[i].events & EPOLLIN) ? POLLIN : 0) |
				      ((fh.watches[i].events & EPOLLOUT) ? POLLOUT : 0));
		idx[n++] = i;
	}
	if (n == 0 || poll(p, n, 2000) <= 0)
		return;
	for (size_t k = 0; k < n; k++) {
		struct fake_watch *w = &fh.watches[idx[k]];
		uint32_t ev = 0;

		if (!p[k].revents || !w->live)
			continue;
		ev |= (p[k].revents & POLLIN) ? EPOLLIN : 0;
		ev |= (p[k].revents & POLLOUT) ? EPOLLOUT : 0;
		ev |= (p[k].revents & POLLERR) ? EPOLLERR : 0;
		ev |= (p[k].revents & POLLHUP) ? EPOLLHUP : 0;
		w->cb(w->arg, w->fd, ev);
	}
}

/* Run the loop until only `except` (or nothing) is watched. */
static void pump_until_idle(int except)
{
	for (int i = 0; i < 50 && live_watches(except) > 0; i++)
		pump_round();
	assert_int_equal(live_watches(except), 0);
}

static void test_tcp_probe(void **state)
{
	char yaml[256];
	int port, lfd = listener(&port);

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "{name: healthcheck, checks: [{name: db, tcp: '127.0.0.1:%d', interval: 1s,"
		 " retries: 1}]}", port);
	start(yaml);
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nspawns, 0);
	pump_until_idle(-1);
	assert_string_equal(fake_last_log(&fh), "info: healthcheck: check db (liveness) is healthy");
	assert_non_null(strstr(json(), "\"ok\": true, \"code\": 0, \"error\": \"\", \"output\": \"\"}"));
	/* Nobody listening any more: refused. */
	close(lfd);
	fake_advance(&fh, 1000);
	pump_until_idle(-1);
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check db (liveness) is "
						"unhealthy: connect: Connection refused");
	assert_int_equal(next_in(), 1000);
}

/* Run the loop until the probe has sent its whole request: it then waits
 * for the answer (its watch turns to EPOLLIN). */
static void pump_until_sent(void)
{
	for (int i = 0; i < 10 && last_watch() && !(last_watch()->events & EPOLLIN); i++)
		pump_round();
	assert_non_null(last_watch());
	assert_true(last_watch()->events & EPOLLIN);
}

/* Accept the probe's connection and read its whole request. */
static int serve_accept(int lfd, char *req, size_t size)
{
	size_t len = 0;
	int c;

	pump_until_sent();
	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(c >= 0);
	while (!strstr(req, "\r\n\r\n")) {
		ssize_t n = recv(c, req + len, size - 1 - len, 0);

		assert_true(n > 0);
		len += (size_t)n;
		req[len] = '\0';
	}
	return c;
}

static void http_round(int lfd, const char *answer, bool close_after)
{
	char req[1024] = "";
	int c;

	fake_advance(&fh, 1000);
	c = serve_accept(lfd, req, sizeof(req));
	assert_int_equal(send(c, answer, strlen(answer), MSG_NOSIGNAL), (ssize_t)strlen(answer));
	if (close_after)
		shutdown(c, SHUT_WR);
	pump_until_idle(-1);
	close(c);
}

static void test_http_probe(void **state)
{
	char yaml[256], req[1024] = "", want[512];
	int port, lfd = listener(&port), c;

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "{name: healthcheck, checks: [{name: web, http: 'http://127.0.0.1:%d/healthz?full=1',"
		 " interval: 1s, timeout: 3s, retries: 1}]}", port);
	start(yaml);
	fake_advance(&fh, 1000);
	/* The exact request. */
	c = serve_accept(lfd, req, sizeof(req));
	snprintf(want, sizeof(want),
		 "GET /healthz?full=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: "
		 "modinit-healthcheck\r\nConnection: close\r\n\r\n", port);
	assert_string_equal(req, want);
	send(c, "HTTP/1.1 204 No Content\r\n\r\n", 27, MSG_NOSIGNAL);
	pump_until_idle(-1);
	close(c);
	assert_string_equal(fake_last_log(&fh), "info: healthcheck: check web (liveness) is healthy");
	assert_non_null(strstr(json(), "\"ok\": true, \"code\": 204, \"error\": \"\", \"output\": "
					"\"HTTP/1.1 204 No Content\\r\\n"));

	http_round(lfd, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", false);
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check web (liveness) is "
						"unhealthy: HTTP status 503");
	assert_non_null(strstr(json(), "\"ok\": false, \"code\": 503, \"error\": \"HTTP status 503\""));
	http_round(lfd, "HTTP/1.0 399 Whatever\r\n", false);
	assert_non_null(strstr(json(), "\"ok\": true, \"code\": 399,"));
	http_round(lfd, "HTTP/1.1 400 Bad Request\r\n", false);
	assert_non_null(strstr(json(), "\"ok\": false, \"code\": 400,"));
	http_round(lfd, "HTTP/1.1 200 OK\r\n", false);
	assert_non_null(strstr(json(), "\"ok\": true, \"code\": 200,"));
	http_round(lfd, "hello\r\n", false);
	assert_non_null(strstr(json(), "\"ok\": false, \"code\": -1, \"error\": \"no HTTP status "
					"line in the answer\""));
	http_round(lfd, "HTTP/1.1 2", true); /* closed before the line ended */
	assert_non_null(strstr(json(), "\"ok\": false, \"code\": -1, \"error\": \"no HTTP status "
					"line in the answer\", \"output\": \"HTTP/1.1 2\"}"));
	close(lfd);
}

/* A server that takes the request and never answers: the timeout. */
static void test_http_timeout(void **state)
{
	char yaml[256], req[1024] = "";
	int port, lfd = listener(&port), c;

	(void)state;
	snprintf(yaml, sizeof(yaml),
		 "{name: healthcheck, checks: [{name: web, http: 'http://127.0.0.1:%d',"
		 " interval: 1s, timeout: 1500ms, retries: 1}]}", port);
	start(yaml);
	fake_advance(&fh, 1000);
	c = serve_accept(lfd, req, sizeof(req));
	assert_non_null(strstr(req, "GET / HTTP/1.1\r\n"));
	assert_int_equal(live_watches(-1), 1);
	fake_advance(&fh, 1500);
	assert_int_equal(live_watches(-1), 0);
	assert_string_equal(fake_last_log(&fh), "warning: healthcheck: check web (liveness) is "
						"unhealthy: timed out after 1500 ms");
	assert_int_equal(nkills, 0); /* no process to kill */
	{
		char b;

		assert_int_equal(recv(c, &b, 1, 0), 0); /* the probe closed its end */
	}
	close(c);
	close(lfd);
}

/* ------------------------------------------------------------------ */
/* The endpoint                                                        */
/* ------------------------------------------------------------------ */

static int free_port(void)
{
	int port, fd = listener(&port);

	close(fd);
	return port;
}

static int ep_port, ep_lfd;

static void ep_start(const char *checks)
{
	char yaml[512];

	ep_port = free_port();
	snprintf(yaml, sizeof(yaml), "{name: healthcheck, listen: '127.0.0.1:%d', checks: %s}",
		 ep_port, checks);
	start(yaml);
	assert_int_equal(live_watches(-1), 1);
	ep_lfd = last_watch()->fd;
}

static int ep_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ep_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Send req (len bytes), half-close, let the module work, return the answer. */
static char *ep_ask(const char *req, size_t len)
{
	static char buf[16384];
	size_t got = 0;
	ssize_t n;
	int fd = ep_connect();

	assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	shutdown(fd, SHUT_WR);
	pump_round(); /* accept */
	pump_until_idle(ep_lfd);
	while ((n = recv(fd, buf + got, sizeof(buf) - 1 - got, MSG_DONTWAIT)) > 0)
		got += (size_t)n;
	assert_int_equal(n, 0); /* the module closed it: all is here */
	buf[got] = '\0';
	close(fd);
	return buf;
}

static char *ep_get(const char *req)
{
	return ep_ask(req, strlen(req));
}

static void expect_answer(const char *answer, const char *head, const char *body)
{
	char want[256];
	const char *b = strstr(answer, "\r\n\r\n");

	snprintf(want, sizeof(want), "%sContent-Length: %zu\r\nCache-Control: no-store\r\n"
		 "Connection: close\r\n\r\n", head, strlen(body));
	assert_non_null(b);
	assert_memory_equal(answer, want, strlen(want));
	assert_string_equal(b + 4, body);
}

static void test_endpoint_status(void **state)
{
	char *a, *status;

	(void)state;
	ep_start("[{name: a, exec: [p], interval: 1s}, {name: r, role: readiness, exec: [q],"
		 " interval: 1s, retries: 1}]");
	status = strdup(fh.detail);
	a = ep_get("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
	expect_answer(a, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n",
		      status);
	free(status);
	fake_advance(&fh, 1000);
	fake_spawn_exit(&fh, 0, EXITED(0));
	fake_spawn_exit(&fh, 1, EXITED(2));
	status = strdup(fh.detail);
	a = ep_get("GET /healthz HTTP/1.1\r\n\r\n");
	expect_answer(a, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", status);
	a = ep_get("GET /readyz HTTP/1.1\r\n\r\n");
	expect_answer(a, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n",
		      status);
	free(status);
	fake_advance(&fh, 1000);
	fake_spawn_exit(&fh, 2, EXITED(0));
	fake_spawn_exit(&fh, 3, EXITED(0));
	a = ep_get("GET /readyz?verbose HTTP/1.0\n\n");
	assert_memory_equal(a, "HTTP/1.1 200 OK\r\n", 17);
}

static void test_endpoint_bad_requests(void **state)
{
	static const char *const bad[] = {
		"BLAH\r\n\r\n",
		"GET /healthz HTTP/2.0\r\n\r\n",
		"GET /healthz  HTTP/1.1\r\n\r\n",
		"GET healthz HTTP/1.1\r\n\r\n",
		"GET /health\x01z HTTP/1.1\r\n\r\n",
		"\r\n\r\n",
	};
	char big[3000];

	(void)state;
	ep_start("[{name: a, exec: [p], interval: 1s}]");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_answer(ep_get(bad[i]), "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n",
			      "bad request\n");
	expect_answer(ep_ask("GET /healthz\0 HTTP/1.1\r\n\r\n", 26),
		      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n", "bad request\n");
	expect_answer(ep_get("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
		      "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\n", "only GET\n");
	expect_answer(ep_get("GET /metrics HTTP/1.1\r\n\r\n"),
		      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n",
		      "try /healthz, /readyz or /status\n");
	/* Oversized: the answer arrives whole although the rest is unread. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "GET /", 5);
	expect_answer(ep_ask(big, sizeof(big)),
		      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n", "request too large\n");
	/* A client that half-closes before the headers end: no answer. */
	assert_string_equal(ep_get("GET /healthz HTTP/1.1\r\n"), "");
}

/* /status serves modinit's whole document (status_json), whatever the
 * checks say; a modinit without that service has no /status (404). */
static void test_endpoint_status_document(void **state)
{
	(void)state;
	ep_start("[{name: a, exec: [p], interval: 1s}]");
	fh.status_doc = "{\"writer\": {}, \"modules\": []}\n";
	expect_answer(ep_get("GET /status HTTP/1.1\r\n\r\n"),
		      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
		      "{\"writer\": {}, \"modules\": []}\n");
	fh.host.size = offsetof(struct modinit_host, status_json);
	expect_answer(ep_get("GET /status HTTP/1.1\r\n\r\n"),
		      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n",
		      "try /healthz, /readyz or /status\n");
}

/* At most 16 connections at a time: a 17th evicts the oldest one whose
 * request is incomplete, and is served; the others are closed 5 s after
 * they were accepted, however many bytes they drip meanwhile. */
static void test_endpoint_limits(void **state)
{
	struct timeval tv = { .tv_sec = 10 };
	static const char req[] = "GET /healthz HTTP/1.1\r\n\r\n";
	int fds[17];
	char b, a[14] = "";

	(void)state;
	ep_start("[{name: a, exec: [p], interval: 1h}]");
	for (int i = 0; i < 16; i++) {
		fds[i] = ep_connect();
		pump_round();
	}
	assert_int_equal(live_watches(ep_lfd), 16);
	fake_advance(&fh, 1000);
	assert_int_equal(send(fds[1], "G", 1, 0), 1);
	pump_round();
	fds[16] = ep_connect();
	setsockopt(fds[16], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(send(fds[16], req, strlen(req), 0), (ssize_t)strlen(req));
	pump_round(); /* accepted, read at once, answered when writable */
	pump_round();
	assert_int_equal(recv(fds[16], a, 13, MSG_WAITALL), 13);
	assert_string_equal(a, "HTTP/1.1 503 ");
	assert_int_equal(recv(fds[0], &b, 1, MSG_DONTWAIT), 0); /* the oldest gave way */
	assert_int_equal(live_watches(ep_lfd), 16);
	fake_advance(&fh, 3999);
	assert_int_equal(live_watches(ep_lfd), 16);
	assert_int_equal(recv(fds[1], &b, 1, MSG_DONTWAIT), -1);
	fake_advance(&fh, 1); /* 5 s since fds[1..15] were accepted */
	assert_int_equal(live_watches(ep_lfd), 1);
	fake_advance(&fh, 1000);
	assert_int_equal(live_watches(ep_lfd), 0);
	for (int i = 1; i < 16; i++)
		assert_int_equal(recv(fds[i], &b, 1, 0), 0);
	for (int i = 0; i < 17; i++)
		close(fds[i]);
	/* And it serves again. */
	assert_memory_equal(ep_get("GET /healthz HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 ", 13);
	/* modinit stops the endpoint after the modules' on_shutdown. */
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_MAIN_EXITED);
	endpoint_stop(fh.ep);
	assert_int_equal(live_watches(-1), 0);
	assert_int_equal(fake_pending(&fh), 0);
}

/* A port held by another socket, even one that allows SO_REUSEPORT, is an
 * error at init; a dry run binds nothing (the port stays free). */
static void test_listen_taken_and_dry_run(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char yaml[256], want[160];
	int one = 1, port, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	snprintf(yaml, sizeof(yaml), "{name: healthcheck, listen: '127.0.0.1:%d', checks: [{name: a,"
		 " exec: [x]}]}", ntohs(a.sin_port));
	assert_int_equal(load(yaml), -EINVAL);
	snprintf(want, sizeof(want), "test.yaml:1:29: healthcheck: listen: cannot serve "
		 "127.0.0.1:%d: Address already in use", ntohs(a.sin_port));
	assert_string_equal(err, want);
	close(fd);
	port = free_port();
	snprintf(yaml, sizeof(yaml), "{name: healthcheck, listen: '127.0.0.1:%d', checks: [{name: a,"
		 " exec: [x]}]}", port);
	fake_host_free(&fh);
	fake_host_init(&fh, "healthcheck");
	fh.dry_run = true;
	assert_int_equal(fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err)), 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons((uint16_t)port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	close(fd);
}

/* The status goes through the host: the summary line as the module's
 * status, and health, readiness and the JSON detail through publish_health,
 * once per change of what they say (a probe with the same outcome publishes
 * nothing); fini publishes nothing more (modinit marks its document). */
static void test_status_published(void **state)
{
	size_t n;

	(void)state;
	start("{name: healthcheck, checks: [{name: a, exec: [p], interval: 1s}]}");
	assert_int_equal(fh.nhealth, 1);
	assert_string_equal(published(), "starting not-ready");
	assert_string_equal(fh.status, "starting not-ready");
	assert_non_null(strstr(json(), "{\"status\": \"starting\", \"ready\": false, \"restarts\": 0,"));
	fake_advance(&fh, 1000);
	probe_ok();
	assert_int_equal(fh.nhealth, 2);
	assert_string_equal(published(), "healthy ready");
	assert_string_equal(fh.status, "healthy ready");
	n = fh.nhealth;
	fake_advance(&fh, 1000);
	probe_ok();
	assert_int_equal(fh.nhealth, n);
	modinit_module.fini(st);
	st = NULL;
	assert_int_equal(fh.nhealth, n);
}

/* A modinit without publish_health (a shorter host table): the summary
 * line is still published, and nothing else is called. */
static void test_status_older_host(void **state)
{
	(void)state;
	fake_host_free(&fh);
	fake_host_init(&fh, "healthcheck");
	fh.host.size = offsetof(struct modinit_host, publish_health);
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: healthcheck, checks: [{name: a, exec: [p]}]}"), &st,
				   err, sizeof(err)), 0);
	modinit_module.on_start(st);
	modinit_module.on_spawn(st, fh.main_pid);
	assert_string_equal(fh.status, "starting not-ready");
	assert_int_equal(fh.nhealth, 0);
}

/* ------------------------------------------------------------------ */
/* Configuration errors                                                */
/* ------------------------------------------------------------------ */

static void expect_error(const char *yaml, const char *msg)
{
	assert_int_equal(load(yaml), -EINVAL);
	assert_string_equal(err, msg);
	assert_null(st);
	fake_host_free(&fh);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_error("{name: healthcheck, checks: []}",
		     "test.yaml:1:29: healthcheck: checks: expected 1 to 16 checks");
	expect_error("{name: healthcheck, checks: [{name: a, tcp: '127.0.0.1:1', exec: [x]}]}",
		     "test.yaml:1:30: healthcheck: checks: a: give exactly one of http, tcp or exec");
	expect_error("{name: healthcheck, checks: [{name: a}]}",
		     "test.yaml:1:30: healthcheck: checks: a: give exactly one of http, tcp or exec");
	expect_error("{name: healthcheck, checks: [{exec: [x]}]}",
		     "test.yaml:1:30: healthcheck: checks: item 1: missing required option \"name\"");
	expect_error("{name: healthcheck, checks: [{name: '', exec: [x]}]}",
		     "test.yaml:1:37: healthcheck: checks: item 1: name: expected a name, got \"\"");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x]}, {name: a, exec: [y]}]}",
		     "test.yaml:1:59: healthcheck: checks: two items named \"a\"");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x], every: 1s}]}",
		     "test.yaml:1:51: healthcheck: checks: a: unknown key \"every\" (expected name, "
		     "role, http, tcp, exec, interval, timeout, start_period, start_interval or "
		     "retries)");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x], role: sidecar}]}",
		     "test.yaml:1:57: healthcheck: checks: a: role: expected liveness, readiness or "
		     "startup, got \"sidecar\"");
	expect_error("{name: healthcheck, checks: [{name: a, exec: x}]}",
		     "test.yaml:1:46: healthcheck: checks: a: exec: expected a list of strings");
	expect_error("{name: healthcheck, checks: [{name: a, exec: []}]}",
		     "test.yaml:1:46: healthcheck: checks: a: exec: expected a command as a list of "
		     "strings");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x, [y]]}]}",
		     "test.yaml:1:50: healthcheck: checks: a: exec: item 2: expected a string, got a "
		     "list");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x], timeout: soon}]}",
		     "test.yaml:1:60: healthcheck: checks: a: timeout: expected a duration like 5s, "
		     "got \"soon\"");
	expect_error("{name: healthcheck, checks: [{name: a, tcp: 'localhost:5432'}]}",
		     "test.yaml:1:45: healthcheck: checks: a: tcp: expected ADDRESS:PORT like "
		     "127.0.0.1:5432");
	expect_error("{name: healthcheck, checks: [{name: a, http: 'https://127.0.0.1/'}]}",
		     "test.yaml:1:46: healthcheck: checks: a: http: expected a URL like "
		     "http://127.0.0.1:8080/healthz");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x], retries: 0}]}",
		     "test.yaml:1:60: healthcheck: checks: a: retries: expected 1 to 1000");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x], interval: 0s}]}",
		     "test.yaml:1:30: healthcheck: checks: a: interval, timeout and start_interval "
		     "must be above 0");
	expect_error("{name: healthcheck, on_unhealthy: reboot, checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:35: healthcheck: on_unhealthy: expected none, restart, exit:CODE or "
		     "signal:SIGNAL, got \"reboot\"");
	expect_error("{name: healthcheck, on_unhealthy: 'exit:256', checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:35: healthcheck: on_unhealthy: expected exit:CODE with CODE 0 to "
		     "255, got \"exit:256\"");
	expect_error("{name: healthcheck, restart: {max: 1, tries: 2}, checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:39: healthcheck: restart: unknown key \"tries\" (expected max, "
		     "backoff, max_backoff or exit_code)");
	expect_error("{name: healthcheck, restart: {exit_code: 256}, checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:42: healthcheck: restart: exit_code: out of range");
	expect_error("{name: healthcheck, restart: {backoff: 1}, checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:40: healthcheck: restart: backoff: expected a duration like 5s, "
		     "got \"1\"");
	expect_error("{name: healthcheck, checks: [{name: a, exec: [x]}], restart: [1]}",
		     "test.yaml:1:62: healthcheck: restart: expected a mapping");
	expect_error("{name: healthcheck, listen: '0.0.0.0:8081', checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:29: healthcheck: listen: 0.0.0.0:8081 is not a loopback address; "
		     "set listen_public: true to serve it");
	expect_error("{name: healthcheck, listen: '127.0.0.1', checks: [{name: a, exec: [x]}]}",
		     "test.yaml:1:29: healthcheck: listen: expected ADDRESS:PORT like 127.0.0.1:8081, "
		     "got \"127.0.0.1\"");
}

/* A public address is served when explicitly allowed; [::1] is loopback. */
static void test_listen_rules(void **state)
{
	char yaml[256];

	(void)state;
	snprintf(yaml, sizeof(yaml), "{name: healthcheck, listen: '0.0.0.0:%d', listen_public: true,"
		 " checks: [{name: a, exec: [x]}]}", free_port());
	assert_int_equal(load(yaml), 0);
	modinit_module.fini(st);
	st = NULL;
	fake_host_free(&fh);
	snprintf(yaml, sizeof(yaml), "{name: healthcheck, listen: '[::1]:%d', checks: [{name: a,"
		 " exec: [x]}]}", free_port());
	if (load(yaml) != 0)
		assert_non_null(strstr(err, "cannot serve")); /* a host without IPv6 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_probe_after_one_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_period_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_success_ends_start_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retries_and_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readiness_only_published, setup, teardown),
		cmocka_unit_test_setup_teardown(test_startup_gates_liveness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_startup_failing_past_period, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_backoff_and_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_stops_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_endpoint_status_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_taken_and_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_published, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_older_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
