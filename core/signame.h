/* Signal names, shared by the core and the modules (see signame.c). */
#ifndef MODINIT_SIGNAME_H
#define MODINIT_SIGNAME_H

#include <stddef.h>

/* A standard signal's name without "SIG" ("TERM", "term", "CLD"): 0 and
 * *sig, or -EINVAL. Real-time signals are parse_signal's. */
int signame_lookup(const char *abbrev, int *sig);

/* The canonical name without "SIG" ("SEGV"), or NULL for a real-time or
 * unknown signal. Async-signal-safe: the fault handler uses it. */
const char *signame_abbrev(int sig);

/* Canonical name of a signal: "SIGTERM", "SIGRTMIN", "SIGRTMIN+3"; "SIG?NN"
 * if unknown. buf must hold at least 16 bytes; returns buf. */
const char *signal_name(int sig, char *buf, size_t len);

#endif
