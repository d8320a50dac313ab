/* modbench: the workloads and timers of the benchmark (bench/run.sh).
 *
 *   modbench launch N CMD...        run CMD N times in a row (fork, exec,
 *                                   wait); print the mean microseconds
 *   modbench launchmed N CMD...     the same, each launch timed on its own,
 *                                   CMD's stderr on /dev/null (an init not
 *                                   run as PID 1 may say so there); print
 *                                   the median microseconds
 *   modbench launcheach N CMD...    as launchmed, printing the microseconds
 *                                   of every launch, one per line (for runs
 *                                   interleaved with other commands)
 *   modbench orphans N              create N orphans by double fork as fast
 *                                   as possible; print "ms=T maxzombies=Z":
 *                                   T until every one has been reaped, Z the
 *                                   most zombies seen at once
 *   modbench sigchild SHM           the signal target: count SIGUSR1 and
 *                                   SIGRTMIN+1 in the shared file SHM
 *   modbench siglat PID SHM N       send SIGUSR1 to PID N times, each time
 *                                   waiting for the child's count to move;
 *                                   print "p50=.. p99=.." in microseconds;
 *                                   then queue 1000 SIGRTMIN+1 at once and
 *                                   print "rt=ARRIVED/1000"
 *   modbench shutdown CMD...        start CMD (an init as PID 1 through
 *                                   unshare), wait until its child runs,
 *                                   SIGTERM the init, print the microseconds
 *                                   until CMD has exited
 *
 * Times are CLOCK_MONOTONIC. Nothing here is part of modinit. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/helpers/zombies.h"

struct shm {
	volatile uint64_t usr1;  /* SIGUSR1 seen */
	volatile uint64_t rt;    /* SIGRTMIN+1 seen */
	volatile uint64_t ready;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what)
{
	fprintf(stderr, "modbench: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* quiet: the child's stderr on /dev/null. */
static pid_t run(char **argv, bool quiet)
{
	pid_t p = fork();
	int fd;

	if (p < 0)
		die("fork");
	if (p == 0) {
		if (quiet && (fd = open("/dev/null", O_WRONLY)) >= 0)
			dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	return p;
}

/* One launch of argv, waited for: 0 when it exited with 0. */
static int launch_once(char **argv, bool quiet)
{
	int status;

	if (waitpid(run(argv, quiet), &status, 0) < 0)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "modbench: %s failed (status %#x)\n", argv[0], status);
		return 1;
	}
	return 0;
}

static int cmd_launch(long n, char **argv)
{
	uint64_t t0 = now_us();

	for (long i = 0; i < n; i++)
		if (launch_once(argv, false))
			return 1;
	printf("%.1f\n", (double)(now_us() - t0) / (double)n);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Each launch timed on its own into t[0..n-1]: 0, or 1 if one failed. */
static int launch_times(long n, char **argv, uint64_t *t)
{
	uint64_t t0;

	for (long i = 0; i < n; i++) {
		t0 = now_us();
		if (launch_once(argv, true))
			return 1;
		t[i] = now_us() - t0;
	}
	return 0;
}

/* The median rather than the mean: one launch delayed by another job on
 * a busy machine moves a mean, not a median. each: every time instead. */
static int cmd_launchmed(long n, char **argv, bool each)
{
	uint64_t *t = n > 0 ? calloc((size_t)n, sizeof(*t)) : NULL;
	int r;

	if (!t)
		die("calloc");
	r = launch_times(n, argv, t);
	if (r == 0 && each) {
		for (long i = 0; i < n; i++)
			printf("%llu\n", (unsigned long long)t[i]);
	} else if (r == 0) {
		qsort(t, (size_t)n, sizeof(*t), cmp_u64);
		printf("%llu\n", (unsigned long long)(n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2));
	}
	free(t);
	return r;
}

static int cmd_orphans(long n)
{
	uint64_t t0 = now_us();
	long maxz = 0, z;

	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			die("fork");
		if (p == 0) {
			if (fork() < 0)
				_exit(1);
			_exit(0);
		}
		waitpid(p, NULL, 0);
		if (i % 1000 == 999 && (z = zombies_count()) > maxz)
			maxz = z;
	}
	while ((z = zombies_count()) > 0) {
		if (z > maxz)
			maxz = z;
		usleep(1000);
	}
	printf("ms=%.1f maxzombies=%ld\n", (double)(now_us() - t0) / 1000.0, maxz);
	return 0;
}

static struct shm *map_shm(const char *path, bool create)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	struct shm *s;

	if (fd < 0)
		die(path);
	if (create && ftruncate(fd, sizeof(struct shm)) < 0)
		die("ftruncate");
	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED)
		die("mmap");
	return s;
}

static struct shm *child_shm;

static void on_usr1(int sig)
{
	(void)sig;
	__atomic_add_fetch(&child_shm->usr1, 1, __ATOMIC_SEQ_CST);
}

static void on_rt(int sig)
{
	(void)sig;
	__atomic_add_fetch(&child_shm->rt, 1, __ATOMIC_SEQ_CST);
}

static __attribute__((noreturn)) void cmd_sigchild(const char *path)
{
	struct sigaction a = { .sa_handler = on_usr1 }, b = { .sa_handler = on_rt };
	sigset_t none;

	child_shm = map_shm(path, false);
	sigaction(SIGUSR1, &a, NULL);
	sigaction(SIGRTMIN + 1, &b, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_shm->ready = 1;
	for (;;)
		pause();
}

static int cmd_siglat(pid_t pid, const char *path, long n)
{
	struct shm *s = map_shm(path, false);
	uint64_t *lat = calloc((size_t)n, sizeof(*lat));
	uint64_t deadline;
	union sigval v = { 0 };

	if (!lat)
		die("calloc");
	for (int i = 0; i < 10000 && !s->ready; i++)
		usleep(1000);
	long got = 0, lost = 0;

	for (long i = 0; i < n; i++) {
		uint64_t before = s->usr1, t0 = now_us();

		kill(pid, SIGUSR1);
		while (s->usr1 == before && now_us() - t0 < 1000000)
			;
		if (s->usr1 == before)
			lost++; /* not seen within a second: counted, not timed */
		else
			lat[got++] = now_us() - t0;
	}
	if (got == 0) {
		fprintf(stderr, "modbench: no signal arrived\n");
		return 1;
	}
	qsort(lat, (size_t)got, sizeof(*lat), cmp_u64);
	printf("p50=%llu p99=%llu lost=%ld", (unsigned long long)lat[got / 2],
	       (unsigned long long)lat[(got * 99) / 100], lost);
	for (int i = 0; i < 1000; i++)
		if (sigqueue(pid, SIGRTMIN + 1, v) < 0)
			break;
	/* Give the last ones time to travel, then count. */
	deadline = now_us() + 2000000;
	while (s->rt < 1000 && now_us() < deadline)
		usleep(1000);
	printf(" rt=%llu/1000\n", (unsigned long long)s->rt);
	free(lat);
	return 0;
}

/* The pid of the first child of pid, or 0. */
static pid_t first_child(pid_t pid)
{
	char path[64], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

static int cmd_shutdown(char **argv)
{
	pid_t u = run(argv, false), init = 0, child = 0;
	uint64_t t0;
	int status;

	/* unshare -> the init (PID 1 inside) -> its child */
	for (int i = 0; i < 10000 && !child; i++) {
		if (!init)
			init = first_child(u);
		if (init)
			child = first_child(init);
		if (!child)
			usleep(500);
	}
	if (!child) {
		fprintf(stderr, "modbench: the init's child never started\n");
		return 1;
	}
	usleep(20000); /* let the child reach its steady state (exec done) */
	t0 = now_us();
	kill(init, SIGTERM);
	waitpid(u, &status, 0);
	printf("%llu\n", (unsigned long long)(now_us() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (strcmp(c, "launch") == 0 && argc > 3)
		return cmd_launch(atol(argv[2]), argv + 3);
	if (strcmp(c, "launchmed") == 0 && argc > 3)
		return cmd_launchmed(atol(argv[2]), argv + 3, false);
	if (strcmp(c, "launcheach") == 0 && argc > 3)
		return cmd_launchmed(atol(argv[2]), argv + 3, true);
	if (strcmp(c, "orphans") == 0 && argc == 3)
		return cmd_orphans(atol(argv[2]));
	if (strcmp(c, "sigchild") == 0 && argc == 3)
		cmd_sigchild(argv[2]);
	if (strcmp(c, "siglat") == 0 && argc == 5)
		return cmd_siglat((pid_t)atoi(argv[2]), argv[3], atol(argv[4]));
	if (strcmp(c, "shutdown") == 0 && argc > 2)
		return cmd_shutdown(argv + 2);
	fprintf(stderr, "usage: modbench launch|launchmed|launcheach|orphans|sigchild|siglat|shutdown ...\n");
	return 2;
}
