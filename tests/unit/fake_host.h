/* A fake host table for unit-testing a module without modinit: a clock the
 * test moves, timers fired in deadline order, fd watches and helper spawns
 * the test completes by hand, and a record of every signal, shutdown
 * request, restart, status and log line the module asked for. */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <modinit/module.h>

#define FAKE_MAX 256

struct fake_timer {
	uint64_t id, deadline;
	modinit_timer_cb cb;
	void *arg;
	bool live;
};

struct fake_spawn {
	char *argv[16];
	struct modinit_spawn_opts opts;
	modinit_exit_cb done;
	void *arg;
	pid_t pid;
	bool live;
};

struct fake_watch {
	int fd;
	uint32_t events;
	modinit_fd_cb cb;
	void *arg;
	bool live;
};

struct fake_host {
	struct modinit_host host; /* first: modules get &fh->host */
	const char *name;         /* the module's name, for log lines */
	const char *config_file;  /* for error_at; default "test.yaml" */
	uint64_t now;
	uint64_t next_id;
	struct fake_timer timers[FAKE_MAX];
	size_t ntimers;
	struct fake_spawn spawns[FAKE_MAX];
	size_t nspawns;
	struct fake_watch watches[FAKE_MAX];
	size_t nwatches;
	int sig_target[FAKE_MAX], sig_signo[FAKE_MAX];
	size_t nsignals;
	int shutdown_code[FAKE_MAX];
	char shutdown_reason[FAKE_MAX][128];
	size_t nshutdowns;
	uint64_t restart_delay[FAKE_MAX];
	size_t nrestarts;
	int restart_result; /* what restart_main returns (0 by default) */
	char log[FAKE_MAX][256];
	size_t nlog;
	char status[512];
	pid_t main_pid;
	const char *state_dir;
	pid_t next_pid;
};

void fake_host_init(struct fake_host *fh, const char *module_name);
void fake_host_free(struct fake_host *fh);
/* Move the clock by ms, firing due timers in deadline order (a timer armed
 * by a callback fires too if it falls inside the step). */
void fake_advance(struct fake_host *fh, uint64_t ms);
/* Pending timers, and the deadline of the earliest (UINT64_MAX if none). */
size_t fake_pending(const struct fake_host *fh);
uint64_t fake_next_deadline(const struct fake_host *fh);
/* End helper i (in spawn order) with a wait status: runs its callback. */
void fake_spawn_exit(struct fake_host *fh, size_t i, int status);
/* The watch on fd, or NULL. */
struct fake_watch *fake_watch_of(struct fake_host *fh, int fd);
/* The last log line, or "". */
const char *fake_last_log(const struct fake_host *fh);

/* A config tree from YAML text, parsed by modinit's own parser (so lines
 * and columns are real: the text is "test.yaml"). Trees live until
 * fake_yaml_free. NULL (and a failed test) on a syntax error. */
const struct modinit_node *fake_yaml(const char *text);
void fake_yaml_free(void);

/* Validate a module item (a mapping, or NULL) against desc's schema the way
 * modinit does and call init. Returns init's result (or -EINVAL for an
 * option error, with the message in err). */
int fake_init(struct fake_host *fh, const struct modinit_module *desc,
	      const struct modinit_node *item, void **state, char *err, size_t errlen);

#endif
