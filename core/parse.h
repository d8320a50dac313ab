/* Parsers shared by the CLI and the config: signals, durations, numbers. */
#ifndef MODINIT_PARSE_H
#define MODINIT_PARSE_H

#include <stdint.h>
#include <stddef.h>

#include "signame.h" /* signal_name, for the parse_signal callers */

/* "SIGTERM", "TERM", "15", "SIGRTMIN+3", "RTMAX-1" (case-insensitive
 * names). Returns 0 and sets *sig, or -EINVAL. */
int parse_signal(const char *s, int *sig);


/* "250ms", "5s", "2m", "1h" into milliseconds. A unit is required.
 * Returns 0, -EINVAL (not a duration) or -ERANGE (too large). */
int parse_duration(const char *s, uint64_t *ms);

/* A decimal integer in [min, max]; -EINVAL or -ERANGE otherwise. */
int parse_long(const char *s, long min, long max, long *out);

#endif
