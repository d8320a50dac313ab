/* modinit --status and --health: answers read from the status document
 * (core/status.c) in the state directory. */
#ifndef MODINIT_QUERY_H
#define MODINIT_QUERY_H

#include <stdbool.h>

/* Print the document kept in dir; 0 while the modinit that wrote it runs,
 * else 1 (78: an unsafe directory). */
int query_status(const char *dir);
/* Print the health details the modules published; 0 if the container is
 * healthy (or ready), else 1 (78: an unsafe directory). */
int query_health(const char *dir, bool ready);

#endif
