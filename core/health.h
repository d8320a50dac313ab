#ifndef MODINIT_HEALTH_H
#define MODINIT_HEALTH_H

#include <stdbool.h>

/* Print the status kept in dir; 0 if healthy (or ready), else 1. */
int health_query(const char *dir, bool ready);

#endif
