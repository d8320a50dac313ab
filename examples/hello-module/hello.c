/*
 * hello: a minimal modinit module built out of tree against modinit.pc.
 *
 * It appends one line per lifecycle event to the file named by its `file`
 * option, so you can watch what modinit tells a module and when:
 *
 *   modules:
 *     - path: /usr/local/lib/modinit/hello.so
 *       file: /tmp/hello.events
 *       greeting: hi
 *
 * Writing to a regular file does not block in any way that matters to an
 * init; a module that talks to a pipe or a socket would use the host's fd
 * watches instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modinit/module.h>

struct hello {
	const struct modinit_host *host;
	int fd;
	const char *greeting;
};

/* One event, one line, one write(2): lines never interleave. */
static void hello_note(struct hello *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hello_note(struct hello *h, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(h->fd, line, (size_t)n) < 0)
		h->host->log(h->host, MODINIT_LOG_WARN, "cannot record an event: %s",
			     strerror(errno));
}

static int hello_init(const struct modinit_host *host, const struct modinit_options *opts,
		      void **state, char *err, size_t errlen)
{
	const char *file = modinit_opt(opts, "file")->str;
	struct hello *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->host = host;
	h->greeting = modinit_opt(opts, "greeting")->str;
	h->fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (h->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s: %s", file, strerror(e));
		free(h);
		return -e;
	}
	host->log(host, MODINIT_LOG_INFO, "%s, recording events to %s", h->greeting, file);
	hello_note(h, "init");
	*state = h;
	return 0;
}

static void hello_start(void *state)
{
	hello_note(state, "start");
}

static void hello_spawn(void *state, pid_t pid)
{
	struct hello *h = state;

	hello_note(h, "spawn pid=%d main_pid=%d", (int)pid, (int)h->host->main_pid(h->host));
}

static int hello_signal(void *state, struct modinit_signal *sig)
{
	hello_note(state, "signal %s", strsignal(sig->signo));
	return MODINIT_SIGNAL_PASS;
}

static void hello_orphan(void *state, pid_t pid, int status)
{
	(void)pid;
	hello_note(state, "orphan exited=%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int hello_main_exit(void *state, int status)
{
	if (WIFSIGNALED(status))
		hello_note(state, "main-exit signal=%d", WTERMSIG(status));
	else
		hello_note(state, "main-exit code=%d", WEXITSTATUS(status));
	return MODINIT_MAIN_EXIT_DEFAULT;
}

static void hello_shutdown(void *state, int reason)
{
	hello_note(state, "shutdown reason=%d", reason);
}

static void hello_exit(void *state, int *code)
{
	hello_note(state, "exit code=%d", *code);
}

static void hello_fini(void *state)
{
	struct hello *h = state;

	hello_note(h, "fini %s", h->greeting);
	close(h->fd);
	free(h);
}

/* Designated initializers: struct modinit_option grows at its end with
 * each ABI minor, and fields left out are zero. */
static const struct modinit_option hello_options[] = {
	{ .key = "file", .type = MODINIT_OPT_STRING, .required = true,
	  .help = "file the events are appended to" },
	{ .key = "greeting", .type = MODINIT_OPT_STRING, .default_value = "hello",
	  .help = "word logged at start" },
	{ .key = NULL },
};

MODINIT_MODULE_EXPORT const struct modinit_module modinit_module = {
	MODINIT_MODULE_HEADER,
	.name = "hello",
	.version = "1.0",
	.description = "example: records every event it receives to a file",
	.options = hello_options,
	.init = hello_init,
	.on_start = hello_start,
	.on_spawn = hello_spawn,
	.on_signal = hello_signal,
	.on_orphan = hello_orphan,
	.on_main_exit = hello_main_exit,
	.on_shutdown = hello_shutdown,
	.on_exit = hello_exit,
	.fini = hello_fini,
};
