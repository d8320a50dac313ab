/* modinit --status and --health: answers from the status document the
 * core keeps in the state directory (core/status.c), never from a module's
 * own files. The directory gets the same trust check as when modinit
 * writes it, only a regular file is read (a FIFO there must not hang the
 * probe), and the document is only worth something while the modinit that
 * wrote it runs: the same pid with the same start time (a recycled pid has
 * another). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "modinit.h"
#include "query.h"
#include "statedir.h"
#include "status.h"

struct query {
	const char *dir;
	const char *what; /* "status" or "health status", for the lines */
	char *text;       /* the document */
	int pid;          /* its writer */
	unsigned long long start;
	bool running;
};

/* The document into q->text: 0, or the exit code with the line said. */
static int query_read(const struct statedir *s, struct query *q)
{
	int fd = statedir_open_file(s, "status");
	size_t cap = 0;
	FILE *f;

	if (fd == -EINVAL) {
		log_msg(LOGL_ERROR, "%s/status: not a regular file", q->dir);
		return 1;
	}
	if (fd < 0) {
		log_msg(LOGL_ERROR, "no %s in %s: %s", q->what, q->dir, strerror(-fd));
		return 1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return 1;
	}
	/* Up to a NUL, which the document never holds: the whole file. */
	if (getdelim(&q->text, &cap, '\0', f) < 0) {
		free(q->text);
		q->text = NULL;
	}
	fclose(f);
	return 0;
}

/* Its first line names the writer (see status.c). */
static int query_writer(struct query *q)
{
	char running[8] = "";

	if (!q->text ||
	    sscanf(q->text, "{\"writer\": {\"pid\": %d, \"start\": %llu, \"running\": %7[a-z]}",
		   &q->pid, &q->start, running) != 3 || q->pid <= 0) {
		log_msg(LOGL_ERROR, "%s/status: not a status document", q->dir);
		return 1;
	}
	q->running = strcmp(running, "true") == 0;
	return 0;
}

static int query_alive(const struct query *q)
{
	unsigned long long start;
	char state;

	if (!q->running) {
		log_msg(LOGL_ERROR, "no running modinit owns %s/status (it has stopped)", q->dir);
		return 1;
	}
	if (status_proc(q->pid, &state, &start) < 0 || state == 'Z' || state == 'X') {
		log_msg(LOGL_ERROR, "no running modinit owns %s/status (pid %d is gone)", q->dir,
			q->pid);
		return 1;
	}
	if (start != q->start) {
		log_msg(LOGL_ERROR, "no running modinit owns %s/status (pid %d is another process)",
			q->dir, q->pid);
		return 1;
	}
	return 0;
}

/* Open, check and read: 0, or the exit code with the line said. */
static int query_load(struct statedir *s, struct query *q)
{
	int r = statedir_open(s, q->dir, false);

	if (r == -ENOENT) {
		log_msg(LOGL_ERROR, "no %s in %s: %s", q->what, q->dir, strerror(-r));
		return 1;
	}
	if (r < 0) {
		log_msg(LOGL_ERROR, "%s", s->why);
		return EXIT_CONFIG;
	}
	r = query_read(s, q);
	statedir_close(s);
	return r ? r : query_writer(q);
}

int query_status(const char *dir)
{
	struct statedir s = { 0 };
	struct query q = { .dir = dir, .what = "status" };
	int code = query_load(&s, &q);

	if (code == 0) {
		fputs(q.text, stdout);
		fflush(stdout);
		code = query_alive(&q);
	}
	free(q.text);
	return code;
}

/* One code point as UTF-8 (the writer escapes only ASCII and U+FFFD). */
static void query_put_utf8(unsigned cp)
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		putchar((int)cp);
	} else if (cp < 0x800) {
		putchar((int)(0xc0 | cp >> 6));
		putchar((int)(0x80 | (cp & 0x3f)));
	} else {
		putchar((int)(0xe0 | cp >> 12));
		putchar((int)(0x80 | ((cp >> 6) & 0x3f)));
		putchar((int)(0x80 | (cp & 0x3f)));
	}
}

/* Print the JSON string whose text starts at p (after its opening quote). */
static void query_print_str(const char *p)
{
	for (; *p && *p != '"'; p++) {
		char hex[5] = "";

		if (*p != '\\') {
			putchar(*p);
			continue;
		}
		switch (*++p) {
		case 'n': putchar('\n'); break;
		case 'r': putchar('\r'); break;
		case 't': putchar('\t'); break;
		case 'b': putchar('\b'); break;
		case 'f': putchar('\f'); break;
		case 'u':
			for (int i = 0; i < 4; i++)
				if (!isxdigit((unsigned char)p[1 + i]))
					return;
			memcpy(hex, p + 1, 4);
			query_put_utf8((unsigned)strtoul(hex, NULL, 16));
			p += 4;
			break;
		case '\0': return;
		default: putchar(*p); break; /* \" \\ \/ */
		}
	}
}

/* The detail of each module that published one, in config order. */
static void query_print_details(const char *text)
{
	static const char mod[] = "\n    {\"name\": ", key[] = ", \"detail\": \"";

	for (const char *p = strstr(text, mod); p; p = strstr(p + 1, mod)) {
		const char *end = strchr(p + 1, '\n'), *d = strstr(p, key);

		if (d && (!end || d < end))
			query_print_str(d + strlen(key));
	}
	fflush(stdout);
}

static int query_answer(const struct query *q, bool ready)
{
	const char *line = strstr(q->text, "\n  \"health\": ");
	char health[16] = "", readiness[8] = "";

	if (!line || sscanf(line, "\n  \"health\": %15[^,], \"ready\": %7[a-z],", health,
			    readiness) != 2) {
		log_msg(LOGL_ERROR, "%s/status: not a status document", q->dir);
		return 1;
	}
	if (strcmp(health, "null") == 0) {
		log_msg(LOGL_ERROR, "no health status in %s: no module has published one", q->dir);
		return 1;
	}
	query_print_details(q->text);
	if (ready)
		return strcmp(readiness, "true") == 0 ? 0 : 1;
	return strcmp(health, "\"healthy\"") == 0 ? 0 : 1;
}

int query_health(const char *dir, bool ready)
{
	struct statedir s = { 0 };
	struct query q = { .dir = dir, .what = "health status" };
	int code = query_load(&s, &q);

	if (code == 0)
		code = query_alive(&q);
	if (code == 0)
		code = query_answer(&q, ready);
	free(q.text);
	return code;
}
