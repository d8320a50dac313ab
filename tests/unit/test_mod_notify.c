/* notify against the fake host: the socket and what it tells the command
 * (NOTIFY_SOCKET, WATCHDOG_USEC), messages over a real datagram socket
 * with the kernel's credentials, senders outside the main command's tree,
 * the s6 pipe, the ready timeout and the watchdog with their actions, and
 * that nothing is armed when nothing is due. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_host.h"

extern const struct modinit_module modinit_module;

static struct fake_host fh;
static void *st;
static char err[512];
static char dir[4096];
static char line[512];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/nt-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_unload(&fh, &modinit_module, &st);
	fake_yaml_free();
	/* fini removed the socket: the directory is empty again. */
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

static int load(const char *yaml)
{
	fake_unload(&fh, &modinit_module, &st);
	fake_host_init(&fh, "notify");
	fh.state_dir = dir;
	fh.main_pid = fh.last_main_pid = getpid(); /* the test sends as the command */
	err[0] = '\0';
	return fake_init(&fh, &modinit_module, fake_yaml(yaml), &st, err, sizeof(err));
}

static void start(const char *yaml)
{
	int r = load(yaml);

	if (r != 0)
		fail_msg("init: %d: %s", r, err);
	/* modinit's loop does not exist during init: nothing is watched yet. */
	assert_int_equal(fh.nwatches, 0);
	modinit_module.on_start(st);
	modinit_module.on_spawn(st, fh.main_pid);
}

/* The module's only fd watch of a kind: the socket, or the pipe. */
static struct fake_watch *the_watch(void)
{
	struct fake_watch *w = NULL;

	for (size_t i = 0; i < fh.nwatches; i++)
		if (fh.watches[i].live) {
			assert_null(w);
			w = &fh.watches[i];
		}
	assert_non_null(w);
	return w;
}

/* What the loop does when the watched fd is readable. */
static void readable(void)
{
	struct fake_watch *w = the_watch();

	w->cb(w->arg, w->fd, EPOLLIN);
}

static void send_to(const char *address, const void *msg, size_t len, int attach_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen = sizeof(sa);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl = { .buf = { 0 } }; /* the padding after the fd is sent too */
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (address[0] == '@') {
		memcpy(sa.sun_path + 1, address + 1, strlen(address) - 1);
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(address));
	} else {
		memcpy(sa.sun_path, address, strlen(address));
	}
	mh.msg_namelen = salen;
	if (attach_fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &attach_fd, sizeof(int));
	}
	assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)len);
	close(fd);
}

static void say(const char *msg)
{
	send_to(fake_env(&fh, "NOTIFY_SOCKET"), msg, strlen(msg), -1);
}

static const char *with_pid(const char *fmt)
{
	snprintf(line, sizeof(line), fmt, (int)getpid());
	return line;
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_socket_and_ready(void **state)
{
	char path[4200];
	struct stat sb;

	(void)state;
	start("{name: notify}");
	snprintf(path, sizeof(path), "%s/notify", dir);
	assert_string_equal(fake_env(&fh, "NOTIFY_SOCKET"), path);
	assert_null(fake_env(&fh, "WATCHDOG_USEC")); /* no watchdog asked */
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0666); /* any user may send; creds decide */
	/* Started, not ready yet. */
	assert_int_equal(fh.health, MODINIT_HEALTH_STARTING);
	assert_false(fh.ready);
	assert_string_equal(fh.status, "starting (watchdog 0 ms, restarts 0)");
	assert_int_equal(fake_pending(&fh), 0); /* nothing due: nothing armed */

	say("STATUS=warming up");
	readable();
	assert_string_equal(fh.status, "starting: warming up (watchdog 0 ms, restarts 0)");
	assert_false(fh.ready);
	say("READY=1\nSTATUS=Serving on :8080");
	readable();
	assert_true(fh.ready);
	assert_int_equal(fh.health, MODINIT_HEALTH_HEALTHY);
	assert_string_equal(fh.status, "ready: Serving on :8080 (watchdog 0 ms, restarts 0)");
	assert_true(fake_logged(&fh, with_pid("info: notify: the main command (pid %d) is ready "
					      "(READY=1)")));
	snprintf(line, sizeof(line),
		 "{\"state\": \"ready\", \"ready\": true, \"pid\": %d, \"status\": \"Serving on "
		 ":8080\", \"watchdog_ms\": 0, \"restarts\": 0}\n",
		 (int)getpid());
	assert_string_equal(fh.detail, line);
	assert_int_equal(fake_pending(&fh), 0);

	/* The same again changes nothing: no new publication. */
	size_t n = fh.nhealth;

	say("READY=1\nSTATUS=Serving on :8080");
	readable();
	assert_int_equal(fh.nhealth, n);

	say("STOPPING=1");
	readable();
	assert_false(fh.ready);
	assert_int_equal(fh.health, MODINIT_HEALTH_HEALTHY);
	assert_string_equal(fh.status, "stopping: Serving on :8080 (watchdog 0 ms, restarts 0)");
	assert_string_equal(fake_last_log(&fh), "info: notify: the main command is stopping");
}

/* A pid outside the tree is ignored with a debug line; a descendant counts. */
static void test_outside_tree(void **state)
{
	(void)state;
	start("{name: notify}");
	fh.main_pid = 1; /* the command is someone else now: we are outside */
	say("READY=1");
	readable();
	assert_false(fh.ready);
	assert_string_equal(fake_last_log(&fh),
			    with_pid("debug: notify: ignored a message from pid %d: not in the "
				     "main command's tree"));
	fh.tree[fh.ntree++] = getpid(); /* now a descendant of it */
	say("READY=1");
	readable();
	assert_true(fh.ready);
}

/* No main command running (reaped): nothing is accepted, not even from it. */
static void test_reaped(void **state)
{
	(void)state;
	start("{name: notify}");
	say("READY=1");
	readable();
	assert_true(fh.ready);
	modinit_module.on_reap(st, getpid(), MODINIT_REAP_MAIN, 0);
	assert_false(fh.ready);
	assert_string_equal(fh.status, "not running (watchdog 0 ms, restarts 0)");
	assert_int_equal(fh.health, MODINIT_HEALTH_STARTING);
	say("READY=1");
	readable();
	assert_false(fh.ready);
	/* A restart begins unready again. */
	modinit_module.on_spawn(st, getpid());
	assert_string_equal(fh.status, "starting (watchdog 0 ms, restarts 0)");
}

static void test_abstract(void **state)
{
	const char *a;

	(void)state;
	start("{name: notify, socket: abstract}");
	a = fake_env(&fh, "NOTIFY_SOCKET");
	assert_non_null(a);
	assert_int_equal(strncmp(a, "@modinit-notify-", 16), 0);
	assert_int_equal(strlen(a), 16 + 16);
	say("READY=1");
	readable();
	assert_true(fh.ready);
}

/* Attached descriptors are closed; a message past the limit and a binary
 * one are dropped whole. */
static void test_hostile_messages(void **state)
{
	char big[5000];
	size_t before;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	(void)state;
	start("{name: notify}");
	before = open_fds();
	send_to(fake_env(&fh, "NOTIFY_SOCKET"), "STATUS=x", 8, fd);
	readable();
	assert_int_equal(open_fds(), before);
	assert_string_equal(fh.status, "starting: x (watchdog 0 ms, restarts 0)");
	close(fd);

	memset(big, 'a', sizeof(big));
	memcpy(big, "READY=1\n", 8);
	send_to(fake_env(&fh, "NOTIFY_SOCKET"), big, sizeof(big), -1);
	readable();
	assert_false(fh.ready);
	assert_string_equal(fake_last_log(&fh),
			    with_pid("debug: notify: ignored a message of 5000 bytes from pid %d: "
				     "longer than 4096"));
	send_to(fake_env(&fh, "NOTIFY_SOCKET"), "READY=1\0x", 9, -1);
	readable();
	assert_false(fh.ready);
	assert_string_equal(fake_last_log(&fh),
			    with_pid("debug: notify: ignored a binary message from pid %d"));
	/* Control characters in STATUS= do not reach the log or the document. */
	say("STATUS=a\tb\033c");
	readable();
	assert_string_equal(fh.status, "starting: a b c (watchdog 0 ms, restarts 0)");
}

/* At most 8 messages per wake-up; the rest waits for the next one. Ten
 * fit in the queue (net.unix.max_dgram_qlen is 10 by default; a sender
 * waits, or fails with EAGAIN, beyond it). */
static void test_burst(void **state)
{
	char msg[32];

	(void)state;
	start("{name: notify}");
	for (int i = 1; i <= 10; i++) {
		snprintf(msg, sizeof(msg), "STATUS=%d", i);
		say(msg);
	}
	readable();
	assert_string_equal(fh.status, "starting: 8 (watchdog 0 ms, restarts 0)");
	readable();
	assert_string_equal(fh.status, "starting: 10 (watchdog 0 ms, restarts 0)");
}

static void test_notification_fd(void **state)
{
	(void)state;
	start("{name: notify, socket: none, notification_fd: 5}");
	assert_null(fake_env(&fh, "NOTIFY_SOCKET"));
	assert_int_equal(fh.npassfd, 1);
	assert_int_equal(fh.passfd_target[0], 5);
	/* The command's end blocks as programs expect; it is close-on-exec in
	 * modinit (the host dup2s it for the command only). */
	assert_int_equal(fcntl(fh.passfd_fd[0], F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fh.passfd_fd[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fh.passfd_fd[0], "almost", 6), 6);
	readable();
	assert_false(fh.ready);
	assert_int_equal(write(fh.passfd_fd[0], "\n", 1), 1);
	readable();
	assert_true(fh.ready);
	assert_true(fake_logged(&fh, with_pid("info: notify: the main command (pid %d) is ready "
					      "(notification_fd)")));
	/* Read empty: nothing blocks, nothing changes. */
	readable();
	assert_true(fh.ready);
}

static void test_ready_timeout(void **state)
{
	(void)state;
	start("{name: notify, ready_timeout: 2s, on_ready_timeout: 'exit:3'}");
	assert_int_equal(fake_pending(&fh), 1);
	fake_advance(&fh, 1999);
	assert_int_equal(fh.nshutdowns, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 3);
	assert_string_equal(fake_last_log(&fh), "warning: notify: the main command is not ready "
						"after 2000 ms: ending the container with 3");

	/* Ready in time: the timeout is gone. */
	start("{name: notify, ready_timeout: 2s}");
	say("READY=1");
	readable();
	assert_int_equal(fake_pending(&fh), 0);
	fake_advance(&fh, 5000);
	assert_int_equal(fh.nshutdowns + fh.nrestarts, 0);
}

/* The default action restarts, and the restart starts the clock again. */
static void test_ready_timeout_restart(void **state)
{
	(void)state;
	start("{name: notify, ready_timeout: 1s, restart: {max: 1, backoff: 250ms, exit_code: 9}}");
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nrestarts, 1);
	assert_int_equal(fh.restart_delay[0], 250);
	assert_string_equal(fake_last_log(&fh),
			    "warning: notify: the main command is not ready after 1000 ms: "
			    "restarting the main command (restart 1 of 1, 250 ms after it stops)");
	modinit_module.on_reap(st, fh.main_pid, MODINIT_REAP_MAIN, 15);
	assert_int_equal(fake_pending(&fh), 0);
	modinit_module.on_spawn(st, fh.main_pid);
	assert_string_equal(fh.status, "starting (watchdog 0 ms, restarts 1)");
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nrestarts, 1);
	assert_int_equal(fh.nshutdowns, 1);
	assert_int_equal(fh.shutdown_code[0], 9);
	assert_string_equal(fake_last_log(&fh), "warning: notify: the main command is not ready "
						"after 1000 ms after 1 restarts: ending the "
						"container with 9");
}

static void test_watchdog(void **state)
{
	(void)state;
	start("{name: notify, watchdog: 1s, on_watchdog: 'signal:SIGABRT'}");
	assert_string_equal(fake_env(&fh, "WATCHDOG_USEC"), "1000000");
	assert_int_equal(fake_next_deadline(&fh) - fh.now, 1000);
	fake_advance(&fh, 900);
	say("WATCHDOG=1");
	readable();
	assert_int_equal(fake_next_deadline(&fh) - fh.now, 1000); /* fed: a full interval */
	fake_advance(&fh, 999);
	assert_int_equal(fh.nsignals, 0);
	fake_advance(&fh, 1);
	assert_int_equal(fh.nsignals, 1);
	assert_int_equal(fh.sig_signo[0], SIGABRT);
	assert_int_equal(fh.sig_target[0], MODINIT_TARGET_MAIN);
	assert_string_equal(fake_last_log(&fh), "warning: notify: watchdog: no WATCHDOG=1 for "
						"1000 ms: sent SIGABRT to the main command");
	assert_int_equal(fh.health, MODINIT_HEALTH_UNHEALTHY);
	assert_string_equal(fh.status, "watchdog timeout (watchdog 1000 ms, restarts 0)");
	assert_int_equal(fake_pending(&fh), 0); /* once per missed interval, not a tick */
	say("WATCHDOG=1\nREADY=1");
	readable();
	assert_int_equal(fh.health, MODINIT_HEALTH_HEALTHY);
	assert_true(fake_logged(&fh, "info: notify: watchdog: fed again"));
	/* The command shortens its own interval. */
	say("WATCHDOG_USEC=500000");
	readable();
	assert_int_equal(fake_next_deadline(&fh) - fh.now, 500);
	assert_string_equal(fh.status, "ready (watchdog 500 ms, restarts 0)");
	say("WATCHDOG_USEC=soon");
	readable();
	assert_string_equal(fake_last_log(&fh), "debug: notify: ignored WATCHDOG_USEC=soon");
	/* WATCHDOG=trigger: at once. */
	say("WATCHDOG=trigger");
	readable();
	assert_int_equal(fh.nsignals, 2);
}

static void test_watchdog_restart_and_shutdown(void **state)
{
	(void)state;
	start("{name: notify, watchdog: 1s}");
	fake_advance(&fh, 1000);
	assert_int_equal(fh.nrestarts, 1);
	assert_string_equal(fake_last_log(&fh),
			    "warning: notify: watchdog: no WATCHDOG=1 for 1000 ms: restarting the "
			    "main command (restart 1 of 5, 1000 ms after it stops)");
	modinit_module.on_reap(st, fh.main_pid, MODINIT_REAP_MAIN, 9);
	modinit_module.on_spawn(st, fh.main_pid);
	assert_int_equal(fake_pending(&fh), 1);
	modinit_module.on_shutdown(st, MODINIT_SHUTDOWN_REQUESTED);
	assert_int_equal(fake_pending(&fh), 0);
	fake_advance(&fh, 10000);
	assert_int_equal(fh.nrestarts, 1);
}

static void test_dry_run(void **state)
{
	(void)state;
	fake_host_init(&fh, "notify");
	fh.state_dir = dir;
	fh.dry_run = true;
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: notify, notification_fd: 4}"), &st, err,
				   sizeof(err)),
			 0);
	assert_int_equal(fh.nwatches, 0);
	assert_int_equal(fh.npassfd, 0);
}

static void expect_error(const char *yaml, const char *msg)
{
	assert_int_equal(load(yaml), -EINVAL);
	assert_string_equal(err, msg);
	assert_null(st);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_error("{name: notify, notification_fd: 2}",
		     "test.yaml:1:33: notify: notification_fd: expected 3 to 1023, got 2");
	expect_error("{name: notify, socket: none}",
		     "test.yaml:1:24: notify: socket: none needs notification_fd: nothing could say "
		     "ready");
	expect_error("{name: notify, on_watchdog: reboot}",
		     "test.yaml:1:29: notify: on_watchdog: expected none, restart, exit:CODE or "
		     "signal:SIGNAL, got \"reboot\"");
	expect_error("{name: notify, on_ready_timeout: 'exit:300'}",
		     "test.yaml:1:34: notify: on_ready_timeout: expected exit:CODE with CODE 0 to "
		     "255, got \"exit:300\"");
	expect_error("{name: notify, restart: {tries: 3}}",
		     "test.yaml:1:26: notify: restart: unknown key \"tries\" (expected max, backoff, "
		     "max_backoff or exit_code)");
	expect_error("{name: notify, socket: udp}",
		     "test.yaml:1:24: notify: socket: expected state, abstract or none, got \"udp\"");
}

/* main_pass_fd as modinit answers when another module passes that fd. */
static int busy_pass_fd(const struct modinit_host *h, int fd, int target_fd)
{
	(void)h;
	(void)fd;
	(void)target_fd;
	return -EBUSY;
}

/* The pass of the s6 fd taken by another module: a message at the option. */
static void test_fd_taken(void **state)
{
	(void)state;
	fake_host_init(&fh, "notify");
	fh.state_dir = dir;
	fh.host.main_pass_fd = busy_pass_fd;
	assert_int_equal(fake_init(&fh, &modinit_module,
				   fake_yaml("{name: notify, notification_fd: 4}"), &st, err,
				   sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "test.yaml:1:33: notify: notification_fd: another module already "
				 "passes fd 4");
}

/* A 1.1 host has no main_setenv: refused at setup with a clear line. */
static void test_older_host(void **state)
{
	(void)state;
	fake_host_init(&fh, "notify");
	fh.state_dir = dir;
	fh.host.size = offsetof(struct modinit_host, main_setenv);
	assert_int_equal(fake_init(&fh, &modinit_module, fake_yaml("{name: notify}"), &st, err,
				   sizeof(err)),
			 -ENOTSUP);
	assert_string_equal(err, "this modinit lacks the 1.2 services notify needs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_and_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abstract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notification_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ready_timeout_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_restart_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_host, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
