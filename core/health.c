/* modinit --health: answer a runtime's health probe from the status the
 * healthcheck module keeps in the state directory. Two files:
 *   health       "STATUS READINESS" ("healthy ready", "starting not-ready",
 *                "unhealthy not-ready"...), then whose status it is:
 *                "pid PID start TICKS" while that modinit runs, "stopped"
 *                once its run has ended
 *   health.json  the full status, printed for humans and probes
 * Both are replaced atomically by the module, so a reader never sees half.
 * The directory gets the same trust check as when modinit writes it, and
 * only regular files are read (a FIFO there must not hang the probe). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "log.h"
#include "modinit.h"
#include "statedir.h"

static void health_print_json(const struct statedir *s)
{
	char buf[4096];
	ssize_t n;
	int fd = statedir_open_file(s, "health.json");

	if (fd < 0)
		return;
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
}

/* Field 3 (state) and 22 (start time, in clock ticks since boot) of
 * /proc/PID/stat: 0, or -errno when there is no such process. */
static int health_proc(int pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	bool got;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	got = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!got)
		return -ESRCH;
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %c", state) != 1)
		return -EINVAL;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start) != 1)
		return -EINVAL;
	return 0;
}

/* The status is only worth something while the modinit that wrote it runs:
 * the same pid with the same start time (a recycled pid has another). */
static int health_owner_alive(const char *dir, const char *owner)
{
	unsigned long long want, start;
	char state;
	int pid;

	if (strcmp(owner, "stopped") == 0) {
		log_msg(LOGL_ERROR, "no running modinit owns %s/health (it has stopped)", dir);
		return -1;
	}
	if (sscanf(owner, "pid %d start %llu", &pid, &want) != 2 || pid <= 0) {
		log_msg(LOGL_ERROR, "%s/health: not a health status", dir);
		return -1;
	}
	if (health_proc(pid, &state, &start) < 0 || state == 'Z' || state == 'X') {
		log_msg(LOGL_ERROR, "no running modinit owns %s/health (pid %d is gone)", dir, pid);
		return -1;
	}
	if (start != want) {
		log_msg(LOGL_ERROR, "no running modinit owns %s/health (pid %d is another process)",
			dir, pid);
		return -1;
	}
	return 0;
}

/* The health file's text into buf: 0, or the exit code with the line said. */
static int health_read(const struct statedir *s, const char *dir, char *buf, size_t len)
{
	int fd = statedir_open_file(s, "health");
	ssize_t n;

	if (fd == -EINVAL) {
		log_msg(LOGL_ERROR, "%s/health: not a regular file", dir);
		return 1;
	}
	if (fd < 0) {
		log_msg(LOGL_ERROR, "no health status in %s: %s", dir, strerror(-fd));
		return 1;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return 0;
}

static int health_check(const struct statedir *s, const char *dir, bool ready)
{
	char buf[256], status[32] = "", readiness[32] = "", *owner;
	int code = health_read(s, dir, buf, sizeof(buf));

	if (code)
		return code;
	owner = strchr(buf, '\n');
	if (sscanf(buf, "%31s %31s", status, readiness) != 2 || !owner) {
		log_msg(LOGL_ERROR, "%s/health: not a health status", dir);
		return 1;
	}
	owner++;
	owner[strcspn(owner, "\n")] = '\0';
	if (health_owner_alive(dir, owner) < 0)
		return 1;
	health_print_json(s);
	if (ready)
		return strcmp(readiness, "ready") == 0 ? 0 : 1;
	return strcmp(status, "healthy") == 0 ? 0 : 1;
}

int health_query(const char *dir, bool ready)
{
	struct statedir s = { 0 };
	int r = statedir_open(&s, dir, false), code;

	if (r == -ENOENT) {
		log_msg(LOGL_ERROR, "no health status in %s: %s", dir, strerror(-r));
		return 1;
	}
	if (r < 0) {
		log_msg(LOGL_ERROR, "%s", s.why);
		return EXIT_CONFIG;
	}
	code = health_check(&s, dir, ready);
	statedir_close(&s);
	return code;
}
