/* The 1.1 and 1.2 host services through the real host table (core/events.c), with
 * kill faked (-Wl,--wrap=kill): signal_helper reaches only the calling
 * module's live helpers, spawn refuses options that make no sense before it
 * forks, on_reap is dispatched after the other hooks and never to a module
 * whose descriptor ends before it, last_main_pid outlives the command, and
 * a helper's timeout kills its group. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_host.h"
#include "loader.h"
#include "log.h"
#include "modinit.h"
#include "reap.h"

int __wrap_kill(pid_t pid, int sig);
int __real_kill(pid_t pid, int sig);

/* Every kill() the core makes; real ones only when asked (the timeout test
 * has a real child), else ESRCH for the groups in no_group. */
static struct {
	pid_t pid[16];
	int sig[16];
	size_t n;
	bool real;
	pid_t no_group;
} kills;

int __wrap_kill(pid_t pid, int sig)
{
	assert_true(kills.n < 16);
	kills.pid[kills.n] = pid;
	kills.sig[kills.n++] = sig;
	if (kills.real)
		return __real_kill(pid, sig);
	if (kills.no_group && pid == -kills.no_group) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

static struct {
	char what[16][48];
	size_t n;
} rec;

static void rec_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void rec_add(const char *fmt, ...)
{
	va_list ap;

	assert_true(rec.n < 16);
	va_start(ap, fmt);
	vsnprintf(rec.what[rec.n++], sizeof(rec.what[0]), fmt, ap);
	va_end(ap);
}

static void child_exit_hook(void *state, pid_t pid, int status)
{
	rec_add("child%d:%d:%d", *(int *)state, (int)pid, WEXITSTATUS(status));
}

static void orphan_hook(void *state, pid_t pid, int status)
{
	rec_add("orphan%d:%d:%d", *(int *)state, (int)pid, WEXITSTATUS(status));
}

static void reap_hook(void *state, pid_t pid, int kind, int status)
{
	rec_add("reap%d:%d:%d:%d", *(int *)state, kind, (int)pid, WEXITSTATUS(status));
}

static const struct modinit_module mod_hooks = {
	MODINIT_MODULE_HEADER,
	.name = "a",
	.on_child_exit = child_exit_hook,
	.on_orphan = orphan_hook,
	.on_reap = reap_hook,
};

/* A 1.1 descriptor from before on_reap: its on_reap field is past its
 * size and holds a pointer that would crash if called. */
static const struct modinit_module mod_early = {
	.magic = MODINIT_MODULE_MAGIC, .abi_major = MODINIT_ABI_MAJOR,
	.abi_minor = MODINIT_ABI_MINOR, .size = offsetof(struct modinit_module, on_reap),
	.name = "b",
	.on_child_exit = child_exit_hook,
	.on_reap = (void (*)(void *, pid_t, int, int))(uintptr_t)0xa5a5a5a5a5a5a5a5ull,
};

struct fixture {
	struct modinit m;
	struct module mods[2];
	int tags[2];
};

static struct fixture fx;

static void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	memset(&kills, 0, sizeof(kills));
	memset(&rec, 0, sizeof(rec));
	fx.m.loop.epfd = fx.m.loop.tfd = -1;
	fx.tags[0] = 0;
	fx.tags[1] = 1;
	fx.mods[0].desc = &mod_hooks;
	fx.mods[1].desc = &mod_early;
	fx.mods[0].state = &fx.tags[0];
	fx.mods[1].state = &fx.tags[1];
	events_host_init(&fx.m, &fx.mods[0]);
	events_host_init(&fx.m, &fx.mods[1]);
	fx.m.modules = fx.mods;
	fx.m.module_count = 2;
	fx.m.reaper = (struct reaper){ .main_pid = 100, .other = events_reaped, .other_arg = &fx.m };
	/* The services act on processes only while the run is under way. */
	fx.m.lc.phase = LC_RUNNING;
}

static void fx_helper(pid_t pid, struct module *owner, bool group)
{
	struct helper *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	*h = (struct helper){ .pid = pid, .owner = owner, .group = group, .next = fx.m.helpers };
	fx.m.helpers = h;
}

static void test_signal_helper(void **state)
{
	const struct modinit_host *a = &fx.mods[0].host, *b = &fx.mods[1].host;

	(void)state;
	fx_setup();
	fx_helper(201, &fx.mods[0], false);
	fx_helper(202, &fx.mods[0], true);
	fx_helper(301, &fx.mods[1], true);
	/* Refused, and nothing is signalled. */
	fx.m.lc.phase = LC_SETUP; /* init, --check-config, mode exec */
	assert_int_equal(a->signal_helper(a, 201, SIGTERM, false), -EAGAIN);
	fx.m.lc.phase = LC_DONE; /* on_exit, fini */
	assert_int_equal(a->signal_helper(a, 201, SIGTERM, false), -EAGAIN);
	fx.m.lc.phase = LC_RUNNING;
	assert_int_equal(a->signal_helper(a, 100, SIGTERM, false), -ESRCH); /* main */
	assert_int_equal(a->signal_helper(a, 999, SIGTERM, false), -ESRCH); /* orphan */
	assert_int_equal(a->signal_helper(a, 0, SIGTERM, false), -ESRCH);
	assert_int_equal(a->signal_helper(a, -1, SIGTERM, true), -ESRCH);
	assert_int_equal(a->signal_helper(a, 301, SIGTERM, false), -EPERM); /* b's */
	assert_int_equal(b->signal_helper(b, 201, SIGTERM, false), -EPERM); /* a's */
	assert_int_equal(a->signal_helper(a, 201, 65, false), -EINVAL);
	assert_int_equal(a->signal_helper(a, 201, -1, false), -EINVAL);
	assert_int_equal(a->signal_helper(a, 201, SIGTERM, true), -EINVAL); /* no group */
	assert_int_equal(kills.n, 0);
	/* Accepted: the helper, its group, the other module's own helper. */
	assert_int_equal(a->signal_helper(a, 201, SIGTERM, false), 0);
	assert_int_equal(a->signal_helper(a, 202, SIGUSR1, true), 0);
	assert_int_equal(b->signal_helper(b, 301, 0, false), 0);
	assert_int_equal(kills.n, 3);
	assert_int_equal(kills.pid[0], 201);
	assert_int_equal(kills.sig[0], SIGTERM);
	assert_int_equal(kills.pid[1], -202);
	assert_int_equal(kills.sig[1], SIGUSR1);
	assert_int_equal(kills.pid[2], 301);
	/* A group not made yet (setsid still to come): the helper alone. */
	kills.no_group = 202;
	assert_int_equal(a->signal_helper(a, 202, SIGTERM, true), 0);
	assert_int_equal(kills.n, 5);
	assert_int_equal(kills.pid[3], -202);
	assert_int_equal(kills.pid[4], 202);
	/* Once reaped, the pid is nobody's helper any more. */
	fx.m.reaper.main_exited = true; /* the main child is not what is reaped */
	assert_true(events_reaped(&fx.m, 201, 0));
	assert_int_equal(a->signal_helper(a, 201, SIGTERM, false), -ESRCH);
	assert_int_equal(kills.n, 5);
	events_fini(&fx.m);
}

static void test_spawn_refused(void **state)
{
	static char *const bad_env[] = { "FOO=1", "BAR", NULL };
	static char *const empty_key[] = { "=1", NULL };
	char *argv[] = { "true", NULL };
	const struct modinit_host *a;
	struct modinit_spawn_opts o;
	int cap = 5;
	pid_t pid = 0;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	o = (struct modinit_spawn_opts)MODINIT_SPAWN_OPTS_INIT;
	o.capture = MODINIT_CAPTURE_STDOUT; /* but nowhere to put the read end */
	assert_int_equal(a->spawn(a, argv, &o, NULL, NULL, &pid), -EINVAL);
	o.capture_fd = &cap;
	o.capture = 4;
	assert_int_equal(a->spawn(a, argv, &o, NULL, NULL, &pid), -EINVAL);
	assert_int_equal(cap, -1); /* told: no pipe */
	o = (struct modinit_spawn_opts)MODINIT_SPAWN_OPTS_INIT;
	o.env = bad_env;
	assert_int_equal(a->spawn(a, argv, &o, NULL, NULL, &pid), -EINVAL);
	o.env = empty_key;
	assert_int_equal(a->spawn(a, argv, &o, NULL, NULL, &pid), -EINVAL);
	o = (struct modinit_spawn_opts)MODINIT_SPAWN_OPTS_INIT;
	o.set_uid = true;
	o.ngroups = 2; /* and groups NULL */
	assert_int_equal(a->spawn(a, argv, &o, NULL, NULL, &pid), -EINVAL);
	assert_int_equal(pid, 0);
	assert_null(fx.m.helpers);
}

static void test_on_reap_order(void **state)
{
	/* hook or on_reap, module, [kind,] pid, exit code */
	static const char *const want[] = {
		"child1:301:3", "reap0:2:301:3",   /* b's helper: b's hook, a's on_reap */
		"orphan0:400:4", "reap0:3:400:4",  /* an orphan */
		"child0:201:5", "reap0:2:201:5",   /* a's helper */
		"reap0:1:100:6",                   /* the main command */
	};

	(void)state;
	fx_setup();
	fx_helper(201, &fx.mods[0], false);
	fx_helper(301, &fx.mods[1], false);
	assert_true(events_reaped(&fx.m, 301, 3 << 8));
	assert_false(events_reaped(&fx.m, 400, 4 << 8));
	assert_true(events_reaped(&fx.m, 201, 5 << 8));
	events_reap_observe(&fx.m, 100, MODINIT_REAP_MAIN, 6 << 8);
	/* The early module's hooks run; its on_reap (past its size) never. */
	assert_int_equal(rec.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < rec.n; i++)
		assert_string_equal(rec.what[i], want[i]);
}

static void test_pids_and_clocks(void **state)
{
	const struct modinit_host *a;
	struct timespec ts;
	uint64_t before, wall, after;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	assert_true(MODINIT_HOST_HAS(a, wall_ms));
	assert_int_equal(a->main_pid(a), 100);
	assert_int_equal(a->last_main_pid(a), 100);
	fx.m.reaper.main_exited = true;
	assert_int_equal(a->main_pid(a), 0);
	assert_int_equal(a->last_main_pid(a), 100);
	clock_gettime(CLOCK_REALTIME, &ts);
	before = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	wall = a->wall_ms(a);
	clock_gettime(CLOCK_REALTIME, &ts);
	after = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	assert_true(before <= wall && wall <= after);
}

static void done_cb(void *arg, pid_t pid, int status)
{
	(void)pid;
	*(int *)arg = status;
}

/* A real helper that outlives its timeout: SIGKILL to its group from the
 * loop's timer; its capture pipe's read end never blocks. */
static void test_timeout(void **state)
{
	char *argv[] = { "sleep", "1000", NULL };
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	const struct modinit_host *a;
	int cap = -1, status = -1, fl;
	pid_t pid = 0, got;
	char c;

	(void)state;
	fx_setup();
	assert_int_equal(loop_init(&fx.m.loop), 0);
	kills.real = true;
	a = &fx.mods[0].host;
	o.timeout_ms = 1;
	o.capture = MODINIT_CAPTURE_STDOUT;
	o.capture_fd = &cap;
	assert_int_equal(a->spawn(a, argv, &o, done_cb, &status, &pid), 0);
	assert_true(pid > 0 && cap >= 0);
	fl = fcntl(cap, F_GETFL);
	assert_true(fl & O_NONBLOCK);
	assert_true(fcntl(cap, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(cap, &c, 1), -1);
	assert_int_equal(errno, EAGAIN);
	while (kills.n == 0)
		assert_true(loop_run_once(&fx.m.loop) >= 0);
	assert_int_equal(kills.pid[0], -pid);
	assert_int_equal(kills.sig[0], SIGKILL);
	do {
		got = waitpid(pid, &status, 0);
	} while (got < 0 && errno == EINTR);
	assert_int_equal(got, pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(read(cap, &c, 1), 0); /* its end closed with it */
	assert_true(events_reaped(&fx.m, pid, status));
	close(cap);
	loop_fini(&fx.m.loop);
}

static void fake_done(void *arg, pid_t pid, int status)
{
	(void)arg;
	(void)pid;
	(void)status;
}

/* The fake host keeps the real host's rules, and a table cut where 1.1
 * ended before these services lacks them for MODINIT_HOST_HAS. */
static void test_fake_host(void **state)
{
	char *argv[] = { "true", NULL };
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	struct fake_host fh;
	pid_t p1, p2;

	(void)state;
	fake_host_init(&fh, "f");
	assert_int_equal(fh.host.spawn(&fh.host, argv, NULL, fake_done, NULL, &p1), 0);
	o.new_session = true;
	assert_int_equal(fh.host.spawn(&fh.host, argv, &o, fake_done, NULL, &p2), 0);
	assert_int_equal(fh.host.signal_helper(&fh.host, 100, SIGTERM, false), -ESRCH);
	assert_int_equal(fh.host.signal_helper(&fh.host, p1, SIGTERM, true), -EINVAL);
	assert_int_equal(fh.host.signal_helper(&fh.host, p1, 65, false), -EINVAL);
	assert_int_equal(fh.host.signal_helper(&fh.host, p2, SIGTERM, true), 0);
	assert_int_equal(fh.nhelper_signals, 1);
	assert_int_equal(fh.helper_sig_pid[0], p2);
	assert_true(fh.helper_sig_group[0]);
	fake_spawn_exit(&fh, 1, 0);
	assert_int_equal(fh.host.signal_helper(&fh.host, p2, SIGTERM, true), -ESRCH);
	assert_int_equal(fh.host.last_main_pid(&fh.host), 100);
	assert_int_equal(fh.host.wall_ms(&fh.host), 1700000000000ull);
	fake_advance(&fh, 1500);
	assert_int_equal(fh.host.wall_ms(&fh.host), 1700000001500ull);
	assert_true(MODINIT_HOST_HAS(&fh.host, wall_ms));
	fh.host.size = offsetof(struct modinit_host, signal_helper);
	assert_false(MODINIT_HOST_HAS(&fh.host, signal_helper));
	assert_false(MODINIT_HOST_HAS(&fh.host, wall_ms));
	assert_true(MODINIT_HOST_HAS(&fh.host, parse_value));
	fake_host_free(&fh);
}

/* ---- ABI 1.2 through the real host table ---- */

static const char *main_env_get(const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; fx.m.mstart.env && fx.m.mstart.env[i]; i++)
		if (strncmp(fx.m.mstart.env[i], key, n) == 0 && fx.m.mstart.env[i][n] == '=')
			return fx.m.mstart.env[i] + n + 1;
	return NULL;
}

static void test_main_setenv(void **state)
{
	const struct modinit_host *a;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	assert_int_equal(setenv("MODINIT_T_INHERITED", "1", 1), 0);
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(a->main_setenv(a, "", "x"), -EINVAL);
	assert_int_equal(a->main_setenv(a, "A=B", "x"), -EINVAL);
	assert_int_equal(a->main_setenv(a, NULL, "x"), -EINVAL);
	assert_null(fx.m.mstart.env); /* nothing copied for a refusal */
	assert_int_equal(a->main_setenv(a, "MODINIT_T_KEY", "one"), 0);
	assert_string_equal(main_env_get("MODINIT_T_KEY"), "one");
	/* The command's copy starts from modinit's environment... */
	assert_string_equal(main_env_get("MODINIT_T_INHERITED"), "1");
	fx.m.lc.phase = LC_STARTING;
	assert_int_equal(a->main_setenv(a, "MODINIT_T_KEY", "two=2"), 0);
	assert_string_equal(main_env_get("MODINIT_T_KEY"), "two=2");
	assert_int_equal(a->main_setenv(a, "MODINIT_T_INHERITED", NULL), 0);
	assert_null(main_env_get("MODINIT_T_INHERITED"));
	assert_int_equal(a->main_setenv(a, "MODINIT_T_ABSENT", NULL), 0);
	/* ...and never changes it. */
	assert_null(getenv("MODINIT_T_KEY"));
	assert_string_equal(getenv("MODINIT_T_INHERITED"), "1");
	assert_true(mainstart_env(&fx.m.mstart) == (char *const *)fx.m.mstart.env);
	for (int p = LC_RUNNING; p <= LC_DONE; p++) {
		fx.m.lc.phase = (enum lc_phase)p;
		assert_int_equal(a->main_setenv(a, "MODINIT_T_KEY", "late"), -EAGAIN);
	}
	assert_string_equal(main_env_get("MODINIT_T_KEY"), "two=2");
	unsetenv("MODINIT_T_INHERITED");
	mainstart_free(&fx.m.mstart);
	assert_true(mainstart_env(&fx.m.mstart) == (char *const *)environ);
}

static void test_main_pass_fd(void **state)
{
	const struct modinit_host *a, *b;
	int fds[2];

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	b = &fx.mods[1].host;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(a->main_pass_fd(a, fds[0], 2), -EINVAL);
	assert_int_equal(a->main_pass_fd(a, fds[0], 1024), -EINVAL);
	assert_int_equal(a->main_pass_fd(a, 1000, 5), -EBADF);
	assert_int_equal(a->main_pass_fd(a, -1, 5), -EBADF);
	assert_int_equal(a->main_pass_fd(a, fds[0], 5), 0);
	assert_int_equal(b->main_pass_fd(b, fds[1], 5), -EBUSY);
	fx.m.lc.phase = LC_STARTING;
	assert_int_equal(a->main_pass_fd(a, fds[1], 5), 0); /* its own: replaced */
	assert_int_equal(b->main_pass_fd(b, fds[0], 1023), 0);
	assert_int_equal(fx.m.mstart.nfds, 2);
	assert_int_equal(fx.m.mstart.fds[0].fd, fds[1]);
	assert_int_equal(fx.m.mstart.fds[0].target, 5);
	assert_int_equal(fx.m.mstart.fds[1].target, 1023);
	fx.m.lc.phase = LC_RUNNING;
	assert_int_equal(a->main_pass_fd(a, fds[0], 6), -EAGAIN);
	assert_int_equal(fx.m.mstart.nfds, 2);
	mainstart_free(&fx.m.mstart);
	close(fds[0]);
	close(fds[1]);
}

static void test_main_credentials(void **state)
{
	gid_t groups[] = { 20, 30 };
	struct modinit_creds c = { .size = sizeof(c), .scope = MODINIT_CREDS_MAIN, .uid = 1000,
				   .gid = 1000, .groups = groups, .ngroups = 2,
				   .no_new_privs = true };
	struct modinit_creds bad;
	const struct modinit_host *a, *b;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	b = &fx.mods[1].host;
	for (int p = LC_STARTING; p <= LC_DONE; p++) {
		fx.m.lc.phase = (enum lc_phase)p;
		assert_int_equal(a->main_credentials(a, &c), -EAGAIN);
	}
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(a->main_credentials(a, NULL), -EINVAL);
	bad = c;
	bad.size = offsetof(struct modinit_creds, no_new_privs);
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	bad = c;
	bad.scope = 0;
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	bad.scope = 1u << 2;
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	bad = c;
	bad.uid = (uid_t)-1;
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	bad = c;
	bad.gid = (gid_t)-1;
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	bad = c;
	bad.groups = NULL;
	assert_int_equal(a->main_credentials(a, &bad), -EINVAL);
	assert_false(fx.m.mstart.creds.set);
	assert_int_equal(a->main_credentials(a, &c), 0);
	groups[0] = 99; /* copied: the module's array may go */
	assert_true(fx.m.mstart.creds.set);
	assert_int_equal(fx.m.mstart.creds.uid, 1000);
	assert_int_equal(fx.m.mstart.creds.ngroups, 2);
	assert_int_equal(fx.m.mstart.creds.groups[0], 20);
	assert_int_equal(fx.m.mstart.creds.groups[1], 30);
	assert_true(fx.m.mstart.creds.no_new_privs);
	assert_int_equal(b->main_credentials(b, &c), -EBUSY);
	assert_int_equal(a->main_credentials(a, &c), -EBUSY);
	mainstart_free(&fx.m.mstart);
}

static void test_holds(void **state)
{
	const struct modinit_host *a, *b;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	b = &fx.mods[1].host;
	fx.m.lc.phase = LC_STARTING;
	assert_int_equal(a->hold_start(a), -EAGAIN);
	assert_int_equal(a->hold_stop(a), -EAGAIN);
	assert_int_equal(a->release_start(a), -EALREADY);
	assert_int_equal(a->release_stop(a), -EALREADY);
	/* Without a hold, a request from on_start is refused. */
	assert_int_equal(a->request_shutdown(a, 1, "x"), -EAGAIN);
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(a->hold_start(a), 0);
	assert_int_equal(a->hold_start(a), -EALREADY);
	assert_int_equal(a->hold_stop(a), 0);
	assert_int_equal(a->hold_stop(a), -EALREADY);
	assert_true(fx.mods[0].needs_live);
	assert_false(fx.mods[1].needs_live);
	assert_int_equal(fx.m.lc.start_holds, 1);
	assert_int_equal(fx.m.lc.stop_holds, 1);
	assert_int_equal(a->release_start(a), -EAGAIN); /* not from init */
	fx.m.lc.phase = LC_STARTING;
	/* Held: the command has no status to end with. */
	assert_int_equal(a->request_shutdown(a, MODINIT_EXIT_MAIN, "x"), -EINVAL);
	assert_int_equal(b->release_start(b), -EALREADY);
	assert_int_equal(a->release_start(a), 0);
	assert_int_equal(fx.m.lc.start_holds, 0);
	assert_int_equal(a->release_start(a), -EALREADY);
	char names[64];

	events_stop_holders(&fx.m, names, sizeof(names));
	assert_string_equal(names, "a");
	assert_int_equal(b->release_stop(b), -EALREADY);
	assert_int_equal(a->release_stop(a), 0);
	assert_int_equal(fx.m.lc.stop_holds, 0);
	assert_int_equal(a->release_stop(a), -EALREADY);
	events_stop_holders(&fx.m, names, sizeof(names));
	assert_string_equal(names, "");
}

static void test_pid_in_main_tree(void **state)
{
	const struct modinit_host *a;
	int hold[2];
	pid_t child, gone;
	char c;

	(void)state;
	fx_setup();
	a = &fx.mods[0].host;
	fx.m.reaper.main_pid = getpid(); /* this test is the "main command" */
	assert_int_equal(pipe(hold), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(hold[1]);
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 1); /* until the parent closes */
	}
	close(hold[0]);
	gone = fork();
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	assert_int_equal(waitpid(gone, NULL, 0), gone);
	assert_int_equal(a->pid_in_main_tree(a, 0), -EINVAL);
	assert_int_equal(a->pid_in_main_tree(a, -5), -EINVAL);
	assert_int_equal(a->pid_in_main_tree(a, getpid()), 1);
	assert_int_equal(a->pid_in_main_tree(a, child), 1);
	assert_int_equal(a->pid_in_main_tree(a, getppid()), 0);
	assert_int_equal(a->pid_in_main_tree(a, 1), 0);
	assert_int_equal(a->pid_in_main_tree(a, gone), -ESRCH);
	/* The command ended: nothing is in its tree. */
	fx.m.reaper.main_exited = true;
	assert_int_equal(a->pid_in_main_tree(a, child), 0);
	fx.m.reaper.main_exited = false;
	fx.m.reaper.main_pid = child; /* its parent (us) is not below it */
	assert_int_equal(a->pid_in_main_tree(a, getpid()), 0);
	/* Every phase. */
	fx.m.lc.phase = LC_SETUP;
	assert_int_equal(a->pid_in_main_tree(a, child), 1);
	close(hold[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_helper),
		cmocka_unit_test(test_spawn_refused),
		cmocka_unit_test(test_on_reap_order),
		cmocka_unit_test(test_pids_and_clocks),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_fake_host),
		cmocka_unit_test(test_main_setenv),
		cmocka_unit_test(test_main_pass_fd),
		cmocka_unit_test(test_main_credentials),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_pid_in_main_tree),
	};

	log_set_level(LOGL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
