/* The status document (STATE_DIR/status): one JSON file the core owns,
 * where the modules' publications (publish_status, publish_health) and
 * the run's phase are kept for modinit --status and --health. */
#ifndef MODINIT_STATUS_H
#define MODINIT_STATUS_H

#include <stdbool.h>
#include <sys/types.h>

struct modinit;

struct status_doc {
	bool wanted;   /* a module published something or asked for the
			  state directory: the document is worth writing */
	bool dirty;    /* a publication changed what it says */
	bool written;  /* written at least once: the end marks it stopped */
	bool failed;   /* the last write failed (and was logged) */
	int phase;     /* the lifecycle phase and main pid last written */
	pid_t main_pid;
	unsigned long long start; /* modinit's start time, see status_proc */
};

/* Field 3 (state) and 22 (start time, in clock ticks since boot) of
 * /proc/PID/stat: 0, or -errno when there is no such process. */
int status_proc(pid_t pid, char *state, unsigned long long *start);
/* The document as it stands, malloc'd (*len bytes, NUL-terminated), or
 * NULL without memory. */
char *status_text(struct modinit *m, bool running, size_t *len);
/* The container's health (enum modinit_health; 0 if no module published
 * one) and in *ready whether every module that published is ready. */
int status_overall(const struct modinit *m, bool *ready);
/* A module published something: written at the next status_flush. */
void status_changed(struct modinit *m);
/* Once per loop wake-up: write the document if what it says changed (a
 * publication, the phase, the main command's pid). Never in a dry run. */
void status_flush(struct modinit *m);
/* The run is over: a document written before is written once more, marked
 * stopped, so that nobody answers from it any more. */
void status_finish(struct modinit *m);

#endif
