/* One log API for the core: stderr only, "modinit: LEVEL: message". Writing
 * never blocks: a line that does not fit in a stalled stderr is dropped and
 * counted, and a note with the count precedes the next line that fits. */
#ifndef MODINIT_LOG_H
#define MODINIT_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOGL_ERROR = 0, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

/* Set up the non-blocking way to stderr (a separate O_NONBLOCK description
 * of a pipe or terminal, MSG_DONTWAIT for a socket, a regular file as is).
 * First thing in main: the fault handler writes through it too. */
void log_open(void);
/* Try once more to report dropped lines (at exit). */
void log_close(void);
/* Async-signal-safe: write buf as is, without waiting. 0 or -errno
 * (-EAGAIN: stderr is full). For the fault handler. */
int log_write_raw(const char *buf, size_t len);

/* Clamp and set the threshold; messages above it are dropped. */
void log_set_level(int level);
int log_get_level(void);
/* The words a config or option gives a level by; log_parse_level also takes
 * the names log lines print ("warning"). */
#define LOG_LEVEL_EXPECTED "error, warn, info or debug"
/* 0 and *level, or -EINVAL for any other word. */
int log_parse_level(const char *s, int *level);
/* The name log lines print: "error", "warning", "info", "debug". */
const char *log_level_name(int level);

/* Both preserve errno, so "log_msg(...); return -errno;" is safe. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* prefix may be NULL; used for module lines ("modinit: info: NAME: ..."). */
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
