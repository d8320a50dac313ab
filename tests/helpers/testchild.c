/* testchild: the workloads the integration tests run under modinit.
 *
 *   testchild ready FIFO            write "ready PID" to FIFO, then pause
 *                                   (no handler: default signal actions)
 *   testchild signals FIFO COUNT    catch every catchable signal but SIGCHLD,
 *                                   write "ready PID" then one line with the
 *                                   number of each signal received; exit 0
 *                                   after COUNT of them
 *   testchild ignore-term FIFO      ignore SIGTERM, write "ready PID", pause
 *   testchild orphans N             create N orphans by double fork, as fast
 *                                   as possible, then wait until no zombie is
 *                                   left in /proc (at most 30 s) and print
 *                                   "zombies=N"; exit 0 only when N is 0
 *   testchild sigstate              print the SigBlk and SigIgn lines of
 *                                   /proc/self/status
 *   testchild setsig [ignore=S,..] [block=S,..] -- CMD...
 *                                   set dispositions and mask, print the
 *                                   resulting sigstate on stderr, exec CMD
 *   testchild rtmin                 print SIGRTMIN
 *   testchild run CMD...            run CMD, wait for it and print how it
 *                                   ended: "exit N" or "signal N" (a shell's
 *                                   $? cannot tell 128+N from signal N)
 *   testchild forkloop FIFO N       ignore SIGTERM, start N children that
 *                                   pause, then 8 that fork without end
 *                                   (each new process pauses and ignores
 *                                   SIGTERM too; past 4 children a forker
 *                                   kills and reaps its oldest, so at most
 *                                   N+41 processes live), write "ready PID"
 *                                   and pause
 *   testchild thread-exit FIFO [ignore-term]
 *                                   end the main thread alone (pthread_exit)
 *                                   while another thread lives on: once the
 *                                   pid shows as a zombie, that thread writes
 *                                   "ready PID" and pauses
 *   testchild siginfo FIFO COUNT    like signals, but each line is
 *                                   "SIG CODE VALUE PID" from the siginfo
 *   testchild sigqueue PID SIG VALUE COUNT
 *                                   sigqueue SIG with VALUE to PID up to COUNT
 *                                   times (until EAGAIN), print how many
 *   testchild selfsig SIG CMD...    block SIG, tgkill it to this very thread,
 *                                   exec CMD with it still pending (what a
 *                                   runtime's own signal left behind looks
 *                                   like to the program it execs)
 *   testchild setuid UID            try setuid(UID): print "setuid: done"
 *                                   and exit 0, or the error and exit 1
 *
 * Everything a signal handler does is async-signal-safe (write(2) only). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zombies.h"

static int out_fd = -1;
static volatile sig_atomic_t remaining;

static void die(const char *what)
{
	fprintf(stderr, "testchild: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void put_line(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static int open_fifo(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die(path);
	return fd;
}

static void say_ready(int fd)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "ready %d\n", (int)getpid());
	put_line(fd, buf);
}

static void on_signal(int sig)
{
	char buf[16];
	int i = sizeof(buf) - 1, saved = errno;

	buf[i] = '\n';
	do {
		buf[--i] = (char)('0' + sig % 10);
		sig /= 10;
	} while (sig);
	(void)!write(out_fd, buf + i, sizeof(buf) - (size_t)i);
	remaining--;
	errno = saved;
}

/* "SIG CODE VALUE PID\n", with write(2) only. */
static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
	long v[4] = { sig, si->si_code, si->si_value.sival_int, si->si_pid };
	char buf[96];
	int i = sizeof(buf), saved = errno;

	(void)uc;
	buf[--i] = '\n';
	for (int k = 3; k >= 0; k--) {
		unsigned long u = v[k] < 0 ? (unsigned long)-v[k] : (unsigned long)v[k];

		do {
			buf[--i] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v[k] < 0)
			buf[--i] = '-';
		if (k > 0)
			buf[--i] = ' ';
	}
	(void)!write(out_fd, buf + i, sizeof(buf) - (size_t)i);
	remaining--;
	errno = saved;
}

static int cmd_signals(const char *fifo, int count, bool info)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t none;

	if (info) {
		sa.sa_sigaction = on_siginfo;
		sa.sa_flags = SA_SIGINFO;
	}

	out_fd = open_fifo(fifo);
	remaining = count;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD)
			continue;
		sigaddset(&sa.sa_mask, s); /* one handler at a time: lines never mix */
	}
	for (int s = 1; s < NSIG; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD)
			continue;
		sigaction(s, &sa, NULL); /* 32/33 are glibc's own: refused, fine */
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	say_ready(out_fd);
	while (remaining > 0)
		pause();
	return 0;
}

static __attribute__((noreturn)) void cmd_ready(const char *fifo, bool ignore_term)
{
	int fd = open_fifo(fifo);

	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	say_ready(fd);
	close(fd);
	for (;;)
		pause();
}

static int cmd_orphans(long n)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long z;

	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0) {
			/* The grandchild is orphaned at once: its parent exits
			 * first, so only the init can reap it. */
			if (fork() < 0)
				_exit(1);
			_exit(0);
		}
		if (waitpid(p, NULL, 0) < 0)
			die("waitpid");
	}
	/* Orphans end on their own; wait (bounded) for the init to reap them. */
	for (int t = 0; t < 3000 && (z = zombies_count()) > 0; t++)
		nanosleep(&tick, NULL);
	printf("zombies=%ld\n", z);
	return z == 0 ? 0 : 1;
}

static void print_sigstate(FILE *out)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, out);
	fclose(f);
	fflush(out);
}

static int parse_sigs(const char *list, sigset_t *set)
{
	char *copy = strdup(list), *save = NULL;

	sigemptyset(set);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int s = atoi(t);

		if (s <= 0 || s >= NSIG || sigaddset(set, s) < 0) {
			fprintf(stderr, "testchild: bad signal number %s\n", t);
			exit(99);
		}
	}
	free(copy);
	return 0;
}

static int cmd_setsig(int argc, char **argv)
{
	sigset_t ign, blk;
	int i = 0;

	sigemptyset(&ign);
	sigemptyset(&blk);
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strncmp(argv[i], "ignore=", 7) == 0)
			parse_sigs(argv[i] + 7, &ign);
		else if (strncmp(argv[i], "block=", 6) == 0)
			parse_sigs(argv[i] + 6, &blk);
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "testchild: setsig: no command\n");
		return 99;
	}
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&ign, s) == 1)
			signal(s, SIG_IGN);
	sigprocmask(SIG_SETMASK, &blk, NULL);
	print_sigstate(stderr);
	execvp(argv[i + 1], argv + i + 1);
	die(argv[i + 1]);
	return 99;
}

static int cmd_sigqueue(pid_t pid, int sig, int value, long count)
{
	union sigval v = { .sival_int = value };
	long n = 0;

	while (n < count && sigqueue(pid, sig, v) == 0)
		n++;
	if (n < count && errno != EAGAIN)
		die("sigqueue");
	printf("%ld\n", n);
	return 0;
}

static int cmd_selfsig(int sig, char **argv)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (syscall(SYS_tgkill, getpid(), gettid(), sig) < 0)
		die("tgkill");
	execvp(argv[0], argv);
	die(argv[0]);
	return 99;
}

static int cmd_run(char **argv)
{
	int status;
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		execvp(argv[0], argv);
		die(argv[0]);
	}
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFSIGNALED(status))
		printf("signal %d\n", WTERMSIG(status));
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}

static __attribute__((noreturn)) void pause_forever(void)
{
	for (;;)
		pause();
}

/* Fork pausing children without end, killing and reaping the oldest once
 * there are 4: the forks go on, the number of processes stays bounded. */
static __attribute__((noreturn)) void forkloop_one(void)
{
	struct timespec ms = { 0, 1000 * 1000 };
	pid_t kids[4] = { 0 };
	/* The lowest free pid for each child (needs root; best effort): those
	 * cmd_forkloop left free, which a /proc walk in pid order has passed
	 * long before it is over, as happens after the pid counter wraps. */
	int last = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);

	for (unsigned i = 0;; i++) {
		pid_t *slot = &kids[i % 4], p;

		if (last >= 0)
			(void)!pwrite(last, "1", 1, 0);
		p = fork();

		if (p == 0)
			pause_forever();
		if (p < 0) {
			nanosleep(&ms, NULL); /* at a pids limit: try again */
			continue;
		}
		if (*slot > 0) {
			kill(*slot, SIGKILL);
			waitpid(*slot, NULL, 0);
		}
		*slot = p;
	}
}

static void fork_or_die(void (*child)(void), int close_fd)
{
	pid_t p = fork();

	if (p < 0)
		die("fork");
	if (p == 0) {
		close(close_fd);
		child();
	}
}

static __attribute__((noreturn)) void exit_now(void)
{
	_exit(0);
}

/* 64 pids used and freed, n pausing children, then 8 forkers whose children
 * take the low pids again: a sweep that walks /proc in pid order misses the
 * children forked while it reads the others, and those forked while it
 * kills the n pausing ones before it reaches the forkers. */
static __attribute__((noreturn)) void cmd_forkloop(const char *fifo, long n)
{
	int fd = open_fifo(fifo);

	signal(SIGTERM, SIG_IGN);
	for (long i = 0; i < 64; i++)
		fork_or_die(exit_now, fd);
	while (wait(NULL) > 0)
		;
	for (long i = 0; i < n + 8; i++)
		fork_or_die(i < n ? pause_forever : forkloop_one, fd);
	say_ready(fd);
	close(fd);
	pause_forever();
}

static char leader_state(void)
{
	char buf[512], *p;
	FILE *f = fopen("/proc/self/stat", "r"); /* the leader's, from any thread */
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* The thread says ready only once the main thread has ended, so that the
 * test starts its shutdown with the pid already shown as a zombie. */
static void *thread_exit_wait(void *arg)
{
	struct timespec ms = { 0, 1000 * 1000 };
	int fd = (int)(long)arg;

	for (int i = 0; i < 10000 && leader_state() != 'Z'; i++)
		nanosleep(&ms, NULL);
	say_ready(fd);
	close(fd);
	pause_forever();
}

static __attribute__((noreturn)) void cmd_thread_exit(const char *fifo, bool ignore_term)
{
	pthread_t t;
	int fd = open_fifo(fifo);

	if (ignore_term)
		signal(SIGTERM, SIG_IGN);
	errno = pthread_create(&t, NULL, thread_exit_wait, (void *)(long)fd);
	if (errno)
		die("pthread_create");
	pthread_exit(NULL);
}

/* setuid UID: try to take uid UID (back): "setuid: done" and 0, or the
 * reason it was refused and 1. */
static int cmd_setuid(const char *uid)
{
	if (setuid((uid_t)atol(uid)) == 0) {
		puts("setuid: done");
		return 0;
	}
	printf("setuid: %s\n", strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "ready") == 0 && argc == 3)
		cmd_ready(argv[2], false);
	if (strcmp(cmd, "ignore-term") == 0 && argc == 3)
		cmd_ready(argv[2], true);
	if (strcmp(cmd, "signals") == 0 && argc == 4)
		return cmd_signals(argv[2], atoi(argv[3]), false);
	if (strcmp(cmd, "siginfo") == 0 && argc == 4)
		return cmd_signals(argv[2], atoi(argv[3]), true);
	if (strcmp(cmd, "sigqueue") == 0 && argc == 6)
		return cmd_sigqueue(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atol(argv[5]));
	if (strcmp(cmd, "selfsig") == 0 && argc > 3)
		return cmd_selfsig(atoi(argv[2]), argv + 3);
	if (strcmp(cmd, "orphans") == 0 && argc == 3)
		return cmd_orphans(atol(argv[2]));
	if (strcmp(cmd, "sigstate") == 0) {
		print_sigstate(stdout);
		return 0;
	}
	if (strcmp(cmd, "setsig") == 0)
		return cmd_setsig(argc - 2, argv + 2);
	if (strcmp(cmd, "rtmin") == 0) {
		printf("%d\n", SIGRTMIN);
		return 0;
	}
	if (strcmp(cmd, "run") == 0 && argc > 2)
		return cmd_run(argv + 2);
	if (strcmp(cmd, "forkloop") == 0 && argc == 4)
		cmd_forkloop(argv[2], atol(argv[3]));
	if (strcmp(cmd, "thread-exit") == 0 && (argc == 3 || argc == 4))
		cmd_thread_exit(argv[2], argc == 4 && strcmp(argv[3], "ignore-term") == 0);
	if (strcmp(cmd, "setuid") == 0 && argc == 3)
		return cmd_setuid(argv[2]);
	fprintf(stderr, "usage: testchild ready|ignore-term|signals|siginfo|orphans|sigstate|"
		"setsig|rtmin|run|sigqueue|selfsig|forkloop|thread-exit|setuid ...\n");
	return 99;
}
