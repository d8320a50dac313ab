/* /proc walks, for the subreaper case where kill(-1) is not ours to use. */
#ifndef MODINIT_PROC_H
#define MODINIT_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Every live descendant of root: not a zombie, or a zombie thread-group
 * leader whose other threads still run (it never ends unless signalled).
 * *out is malloc'd (free it); returns the count, or -errno. */
long proc_descendants(pid_t root, pid_t **out);
/* Signal every live descendant of root; returns how many were signalled. */
long proc_signal_descendants(pid_t root, int sig);
/* Signal every live process but self and except: every process of the
 * namespace when everything, else the descendants of self. Returns how
 * many were signalled, or -errno. */
long proc_signal_except(pid_t self, bool everything, pid_t except, int sig);
/* The parent of pid (zombies too): 0, or -errno (-ENOENT: no such pid). */
int proc_parent(pid_t pid, pid_t *ppid);
/* Async-signal-safe (no malloc, no stdio): SIGKILL our children again and
 * again until none is left, catching grandchildren as they are re-parented
 * to us. For the fault handler only. */
void proc_kill_descendants_raw(int sig);

#endif
