#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

struct proc_ent {
	pid_t pid, ppid;
	signed char state; /* -1 unknown, 0 not a descendant, 1 descendant */
};

/* Parse "pid (comm) S ppid ..." from a stat line; comm may hold ") ".
 * *alive: not a zombie, or a zombie thread-group leader that still has live
 * threads (its main thread called pthread_exit): such a process never goes
 * away unless signalled, and kill(pid) reaches its whole thread group. Its
 * num_threads (field 20) still counts the live threads; a real zombie's is 1. */
static int proc_parse_stat(const char *buf, bool *alive, pid_t *ppid)
{
	const char *p = strrchr(buf, ')');
	long v = 0;
	char state;

	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -EINVAL;
	state = p[2];
	p += 4;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		v = v * 10 + (*p++ - '0');
	*ppid = (pid_t)v;
	*alive = state != 'Z';
	if (*alive)
		return 0;
	/* From the end of ppid (field 4), 16 spaces on is num_threads. */
	for (int field = 4; field < 20 && *p; p++)
		if (*p == ' ')
			field++;
	for (v = 0; isdigit((unsigned char)*p);)
		v = v * 10 + (*p++ - '0');
	*alive = v > 1;
	return 0;
}

/* open/read/close only: shared by the normal walk and the fault handler. */
static int proc_read_stat(pid_t pid, bool *alive, pid_t *ppid)
{
	char path[32], buf[512];
	int fd, i = 0;
	ssize_t n;
	char digits[16];
	unsigned int u = (unsigned int)pid;

	/* Hand-rolled "/proc/%d/stat": snprintf is not async-signal-safe. */
	do {
		digits[i++] = (char)('0' + u % 10);
		u /= 10;
	} while (u && i < (int)sizeof(digits));
	memcpy(path, "/proc/", 6);
	for (int k = 0; k < i; k++)
		path[6 + k] = digits[i - 1 - k];
	memcpy(path + 6 + i, "/stat", 6);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return proc_parse_stat(buf, alive, ppid);
}

int proc_parent(pid_t pid, pid_t *ppid)
{
	bool alive;

	return proc_read_stat(pid, &alive, ppid);
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_ent *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* All live processes with their parent, sorted by pid (see proc_parse_stat). */
static long proc_snapshot(struct proc_ent **out)
{
	DIR *d = opendir("/proc");
	struct proc_ent *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		bool alive;
		pid_t ppid;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (proc_read_stat((pid_t)pid, &alive, &ppid) < 0 || !alive)
			continue;
		if (n == cap) {
			struct proc_ent *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (struct proc_ent){ (pid_t)pid, ppid, -1 };
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_pid);
	*out = v;
	return (long)n;
}

static struct proc_ent *proc_find(struct proc_ent *v, long n, pid_t pid)
{
	struct proc_ent key = { .pid = pid };

	return bsearch(&key, v, (size_t)n, sizeof(*v), cmp_pid);
}

/* Walk up from e until the answer is known, then mark the whole chain. */
static void proc_resolve(struct proc_ent *v, long n, struct proc_ent *e, pid_t root)
{
	struct proc_ent *cur = e;
	signed char answer = 0;

	for (long steps = 0; steps <= n; steps++) {
		struct proc_ent *parent;

		if (cur->state >= 0) {
			answer = cur->state;
			break;
		}
		if (cur->ppid == root) {
			answer = 1;
			break;
		}
		parent = proc_find(v, n, cur->ppid);
		if (!parent || cur->ppid <= 0 || parent == cur)
			break;
		cur = parent;
	}
	for (cur = e; cur && cur->state < 0;) {
		cur->state = answer;
		cur = cur->ppid == root ? NULL : proc_find(v, n, cur->ppid);
	}
}

long proc_descendants(pid_t root, pid_t **out)
{
	struct proc_ent *v = NULL;
	long n, k = 0;
	pid_t *res;

	/* Every process descends from pid 0: a walk from there (a self not
	 * known yet) would reach the whole machine. */
	if (root <= 0)
		return -EINVAL;
	n = proc_snapshot(&v);
	if (n < 0)
		return n;
	res = malloc(((size_t)n + 1) * sizeof(*res));
	if (!res) {
		free(v);
		return -ENOMEM;
	}
	for (long i = 0; i < n; i++) {
		if (v[i].pid == root)
			v[i].state = 0;
	}
	for (long i = 0; i < n; i++) {
		proc_resolve(v, n, &v[i], root);
		if (v[i].state == 1)
			res[k++] = v[i].pid;
	}
	free(v);
	*out = res;
	return k;
}

long proc_signal_descendants(pid_t root, int sig)
{
	pid_t *pids;
	long n = proc_descendants(root, &pids), sent = 0;

	if (n < 0)
		return n;
	for (long i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			sent++;
	free(pids);
	return sent;
}

long proc_signal_except(pid_t self, bool everything, pid_t except, int sig)
{
	struct proc_ent *v = NULL;
	pid_t *pids = NULL;
	long n, sent = 0;

	if (self <= 0)
		return -EINVAL;
	if (everything) {
		n = proc_snapshot(&v);
		for (long i = 0; i < n; i++)
			if (v[i].pid != self && v[i].pid != except && kill(v[i].pid, sig) == 0)
				sent++;
		free(v);
		return n < 0 ? n : sent;
	}
	n = proc_descendants(self, &pids);
	for (long i = 0; i < n; i++)
		if (pids[i] != except && kill(pids[i], sig) == 0)
			sent++;
	free(pids);
	return n < 0 ? n : sent;
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* One pass over /proc: signal every live child of self; returns how many. */
static int proc_kill_children_pass(pid_t self, int sig)
{
	char buf[4096];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;
	long n;

	if (fd < 0)
		return 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			long pid = 0;
			bool alive;
			pid_t ppid;
			const char *c = de->d_name;

			off += de->d_reclen;
			while (*c >= '0' && *c <= '9')
				pid = pid * 10 + (*c++ - '0');
			if (*c || pid <= 0)
				continue;
			if (proc_read_stat((pid_t)pid, &alive, &ppid) == 0 && ppid == self && alive &&
			    kill((pid_t)pid, sig) == 0)
				found++;
		}
	}
	close(fd);
	return found;
}

void proc_kill_descendants_raw(int sig)
{
	pid_t self = getpid();
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	/* Bounded: about two seconds of passes, then give up and exit. */
	for (int pass = 0; pass < 200; pass++) {
		if (proc_kill_children_pass(self, sig) == 0)
			return;
		nanosleep(&ts, NULL);
	}
}
