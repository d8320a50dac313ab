/* modinit --health: answer a runtime's health probe from the status the
 * healthcheck module keeps in the state directory. Two files:
 *   health       one line "STATUS READINESS" ("healthy ready",
 *                "starting not-ready", "unhealthy not-ready"...)
 *   health.json  the full status, printed for humans and probes
 * Both are replaced atomically by the module, so a reader never sees half. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "log.h"

static void health_print_json(const char *dir)
{
	char path[4096], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/health.json", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
}

int health_query(const char *dir, bool ready)
{
	char path[4096], status[32] = "", readiness[32] = "";
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/health", dir);
	f = fopen(path, "re");
	if (!f) {
		log_msg(LOGL_ERROR, "no health status in %s: %s", dir, strerror(errno));
		return 1;
	}
	n = fscanf(f, "%31s %31s", status, readiness);
	fclose(f);
	if (n != 2) {
		log_msg(LOGL_ERROR, "%s: not a health status", path);
		return 1;
	}
	health_print_json(dir);
	if (ready)
		return strcmp(readiness, "ready") == 0 ? 0 : 1;
	return strcmp(status, "healthy") == 0 ? 0 : 1;
}
