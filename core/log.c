#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* The only file-scope mutable state in the core (see STYLE.md). */
static int log_level = LOGL_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_set_level(int level)
{
	if (level < LOGL_ERROR)
		level = LOGL_ERROR;
	if (level > LOGL_DEBUG)
		level = LOGL_DEBUG;
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

const char *log_level_name(int level)
{
	if (level < LOGL_ERROR || level > LOGL_DEBUG)
		return "?";
	return level_names[level];
}

int log_parse_level(const char *s, int *level)
{
	static const char *const accepted[] = { "error", "warn", "info", "debug" };

	for (int i = 0; i <= LOGL_DEBUG; i++) {
		if (strcmp(s, accepted[i]) == 0 || strcmp(s, level_names[i]) == 0) {
			*level = i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;
	int n;

	if (level > log_level)
		return;
	/* Format into one buffer and write once, so lines from modinit and its
	 * children never interleave mid-line on a shared stderr. */
	n = snprintf(buf, sizeof(buf), "modinit: %s: %s%s", log_level_name(level),
		     prefix ? prefix : "", prefix ? ": " : "");
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(buf))
		vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	n = (int)strlen(buf);
	if (n >= (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, NULL, fmt, ap);
	va_end(ap);
}
