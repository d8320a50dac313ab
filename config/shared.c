/* What the config shares with the command line, the loader and the host
 * services, in a file of its own so that none of them needs libyaml: the
 * position in front of every error line, the names of the modes, and what
 * a module name may be. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"

int cfg_verror(char *err, size_t errlen, const char *file, const struct modinit_node *at,
	       const char *who, const char *fmt, va_list ap)
{
	int n;

	if (at && at->line)
		n = snprintf(err, errlen, "%s:%u:%u: ", file ? file : "config", at->line, at->column);
	else if (at)
		n = snprintf(err, errlen, "command line: "); /* a -r/-e shortcut's item */
	else
		n = snprintf(err, errlen, "%s%s", file ? file : "", file ? ": " : "");
	if (n >= 0 && (size_t)n < errlen && who)
		n += snprintf(err + n, errlen - (size_t)n, "%s: ", who);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	return -EINVAL;
}

int cfg_error(char *err, size_t errlen, const char *file, const struct modinit_node *at,
	      const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verror(err, errlen, file, at, who, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *const cfg_mode_names[] = { "wait", "wait-all-children", "exec" };

const char *cfg_mode_name(enum cfg_mode mode)
{
	return cfg_mode_names[mode];
}

int cfg_mode_parse(const char *s, enum cfg_mode *mode)
{
	for (size_t i = 0; i < sizeof(cfg_mode_names) / sizeof(cfg_mode_names[0]); i++) {
		if (strcmp(s, cfg_mode_names[i]) == 0) {
			*mode = (enum cfg_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool cfg_module_name_ok(const char *name)
{
	return name && *name &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(name);
}
