/* Run a helper the way a health probe runs: in its own process group so a
 * timeout can kill everything it started, its output captured through the
 * host's capture pipe, which PID 1 reads without blocking, its end
 * reported once. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modlib.h"

/* Read what is there. The first cap bytes are kept; the rest is read and
 * dropped so that the helper never blocks on a full pipe. */
static void probe_read(struct ml_probe *p)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(p->fd, buf, sizeof(buf))) > 0) {
		size_t take = (size_t)n < p->cap - p->len ? (size_t)n : p->cap - p->len;

		memcpy(p->out + p->len, buf, take);
		p->len += take;
	}
	p->out[p->len] = '\0';
	if (n == 0) /* every writer is gone: nothing more to watch */
		ml_fd_close(p->host, &p->fd);
}

static void probe_output(void *arg, int fd, uint32_t events)
{
	struct ml_probe *p = arg;

	(void)fd;
	(void)events;
	probe_read(p);
}

/* Stop reading and timing; the pid is forgotten, so a late exit of this
 * helper is ignored. */
static void probe_close(struct ml_probe *p)
{
	ml_timer_cancel(&p->timer);
	ml_fd_close(p->host, &p->fd);
	p->pid = 0;
}

static void probe_exit(void *arg, pid_t pid, int status)
{
	struct ml_probe *p = arg;

	if (pid != p->pid)
		return; /* killed by its timeout or a stop: already reported */
	if (p->fd >= 0)
		probe_read(p); /* what it wrote just before it ended */
	probe_close(p);
	p->done(p->arg, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), false);
}

/* SIGKILL to the helper's whole group (a shell's children would outlive
 * it alone), through the host: the helper is not reaped yet, so its pid is
 * still its own. */
static void probe_kill(struct ml_probe *p)
{
	const struct modinit_host *h = p->host;

	if (p->pid > 0 && h->signal_helper(h, p->pid, SIGKILL, true) < 0)
		h->log(h, MODINIT_LOG_ERROR, "cannot kill probe %d", (int)p->pid);
}

static void probe_timeout(void *arg)
{
	struct ml_probe *p = arg;

	probe_kill(p);
	probe_close(p);
	p->done(p->arg, -1, true);
}

void ml_probe_init(struct ml_probe *p, const struct modinit_host *h, char *out, size_t cap,
		   ml_probe_cb done, void *arg)
{
	*p = (struct ml_probe){ .host = h, .fd = -1, .out = out, .cap = cap, .done = done,
				.arg = arg };
	ml_timer_init(&p->timer, h, probe_timeout, p);
	out[0] = '\0';
}

int ml_probe_start(struct ml_probe *p, char *const argv[], uint64_t timeout_ms)
{
	const struct modinit_host *h = p->host;
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	int r;

	p->len = 0;
	p->out[0] = '\0';
	o.new_group = true; /* a timeout kills all it started */
	/* The host's capture pipe: its read end never blocks PID 1, the
	 * helper's end is an ordinary blocking pipe, as programs expect. */
	o.capture = MODINIT_CAPTURE_STDOUT | MODINIT_CAPTURE_STDERR;
	o.capture_fd = &p->fd;
	r = h->spawn(h, argv, &o, probe_exit, p, &p->pid);
	if (r < 0) {
		p->pid = 0;
		p->fd = -1; /* a refusal before the pipe leaves it as it was */
		return r;
	}
	/* Unwatched, the output is lost but the helper still runs and ends. */
	if (p->fd >= 0 && h->fd_watch(h, p->fd, EPOLLIN, probe_output, p) < 0) {
		close(p->fd);
		p->fd = -1;
	}
	ml_timer_arm(&p->timer, timeout_ms); /* refused: the helper is unbounded */
	return 0;
}

void ml_probe_stop(struct ml_probe *p)
{
	probe_kill(p);
	probe_close(p);
}
