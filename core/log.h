/* One log API for the core: stderr only, "modinit: LEVEL: message". */
#ifndef MODINIT_LOG_H
#define MODINIT_LOG_H

#include <stdarg.h>

enum log_level { LOGL_ERROR = 0, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

/* Clamp and set the threshold; messages above it are dropped. */
void log_set_level(int level);
int log_get_level(void);
/* Parse "error", "warn", "info", "debug"; -EINVAL otherwise. */
int log_parse_level(const char *s, int *level);
const char *log_level_name(int level);

/* Both preserve errno, so "log_msg(...); return -errno;" is safe. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* prefix may be NULL; used for module lines ("modinit: info: NAME: ..."). */
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
