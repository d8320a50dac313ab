/* The status document: STATE_DIR/status, one JSON file owned by the core.
 * Modules publish into it (publish_status, publish_health); modinit
 * --status prints it and --health answers from it (core/query.c), so no
 * reader depends on a module's own files. It is rendered and written at
 * most once per loop wake-up, and only when what it says has changed: a
 * write is a new file exchanged with the old one (no forced flush, see
 * statedir.c), and PID 1 must not go to the disk on every probe. The
 * layout is fixed, one member group per line, for the reader:
 *
 *   {"writer": {"pid": 1, "start": 4242, "running": true},
 *     "phase": "running", "main_pid": 7,
 *     "health": "healthy", "ready": true,
 *     "modules": [
 *       {"name": "healthcheck", "health": "healthy", "ready": true, "status": "...", "detail": "..."}
 *     ]}
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "log.h"
#include "modinit.h"
#include "modules/lib/modlib.h"
#include "status.h"

int status_proc(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	bool got;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
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

void status_changed(struct modinit *m)
{
	m->status.wanted = true;
	m->status.dirty = true;
}

static const char *status_health_name(int health)
{
	static const char *const names[] = { "null", "\"starting\"", "\"healthy\"",
					     "\"unhealthy\"" };

	return health >= MODINIT_HEALTH_STARTING && health <= MODINIT_HEALTH_UNHEALTHY
		       ? names[health] : names[0];
}

/* The container's health: the worst that was published (unhealthy, then
 * starting, then healthy), 0 if nobody published; ready when every module
 * that published is. */
int status_overall(const struct modinit *m, bool *ready)
{
	static const int rank[] = { 0, 2, 1, 3 }; /* by enum modinit_health */
	int worst = 0;

	*ready = true;
	for (size_t i = 0; i < m->module_count; i++) {
		const struct module *mod = &m->modules[i];

		if (!mod->health)
			continue;
		*ready &= mod->ready;
		if (rank[mod->health] > rank[worst])
			worst = mod->health;
	}
	return worst;
}

static void status_str(FILE *f, const char *s)
{
	if (s)
		ml_json_str(f, s);
	else
		fputs("null", f);
}

static void status_module(FILE *f, const struct module *mod, bool last)
{
	fputs("    {\"name\": ", f);
	ml_json_str(f, mod->desc->name);
	fprintf(f, ", \"health\": %s, \"ready\": %s, \"status\": ", status_health_name(mod->health),
		mod->health ? (mod->ready ? "true" : "false") : "null");
	status_str(f, mod->status);
	fputs(", \"detail\": ", f);
	status_str(f, mod->detail);
	fputs(last ? "}\n" : "},\n", f);
}

static void status_render(const struct modinit *m, FILE *f, bool running, pid_t main_pid)
{
	bool ready;
	int health = status_overall(m, &ready);

	fprintf(f, "{\"writer\": {\"pid\": %d, \"start\": %llu, \"running\": %s},\n",
		(int)m->self, m->status.start, running ? "true" : "false");
	fprintf(f, "  \"phase\": \"%s\", \"main_pid\": ", lifecycle_phase_name(m->lc.phase));
	if (main_pid > 0)
		fprintf(f, "%d,\n", (int)main_pid);
	else
		fputs("null,\n", f);
	fprintf(f, "  \"health\": %s, \"ready\": %s,\n", status_health_name(health),
		health ? (ready ? "true" : "false") : "null");
	fputs("  \"modules\": [\n", f);
	for (size_t i = 0; i < m->module_count; i++)
		status_module(f, &m->modules[i], i + 1 == m->module_count);
	fputs("  ]}\n", f);
}

static pid_t status_main_pid(const struct modinit *m)
{
	return m->reaper.main_exited ? 0 : m->reaper.main_pid;
}

char *status_text(struct modinit *m, bool running, size_t *len)
{
	char *text = NULL, state;
	FILE *f;

	if (!m->status.start && status_proc(m->self, &state, &m->status.start) < 0)
		m->status.start = 0;
	f = open_memstream(&text, len);
	if (!f)
		return NULL;
	status_render(m, f, running, status_main_pid(m));
	if (fclose(f) == 0)
		return text;
	free(text);
	return NULL;
}

static void status_write(struct modinit *m, bool running)
{
	struct status_doc *d = &m->status;
	size_t len = 0;
	char *text;
	int r;

	d->dirty = false;
	d->phase = (int)m->lc.phase;
	d->main_pid = status_main_pid(m);
	text = status_text(m, running, &len);
	r = text ? statedir_open(&m->sdir, m->state_dir, true) : -ENOMEM;
	if (r == 0)
		r = statedir_write(&m->sdir, "status", text, len);
	free(text);
	/* Said once: the same failure would come back at every change. */
	if (r < 0 && !d->failed)
		log_msg(LOGL_WARN, "cannot write %s/status: %s", m->state_dir, strerror(-r));
	d->failed = r < 0;
	d->written |= r == 0;
}

void status_flush(struct modinit *m)
{
	struct status_doc *d = &m->status;

	if (!d->wanted || m->opts.action != CLI_RUN)
		return;
	if ((d->written || d->failed) && !d->dirty && d->phase == (int)m->lc.phase &&
	    d->main_pid == status_main_pid(m))
		return;
	status_write(m, true);
}

void status_finish(struct modinit *m)
{
	if (m->status.written && m->opts.action == CLI_RUN)
		status_write(m, false);
}
