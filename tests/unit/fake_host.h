/* A fake host table for unit-testing a module without modinit's loop: a
 * clock the test moves, timers fired in deadline order, fd watches and
 * helper spawns the test completes by hand (with the capture pipe the real
 * host makes), and a record of every signal,
 * shutdown request, restart, status and log line the module asked for.
 *
 * What the module could tell apart from the real host is the same: the
 * arguments the real host refuses (-EINVAL, -ESRCH without a main command)
 * are refused here too, options reach init through modinit's own schema
 * checks (loader_options), and parse_node/error_at write the real messages.
 * The *_result fields make a service fail, to test the module's fallbacks.
 *
 * Typical use:
 *	struct fake_host fh;
 *	void *st;
 *	char err[512];
 *
 *	fake_host_init(&fh, "my-module");
 *	assert_int_equal(fake_init(&fh, &modinit_module,
 *				   fake_yaml("{name: my-module, every: 5s}"),
 *				   &st, err, sizeof(err)), 0);
 *	fake_advance(&fh, 5000);          (fires the module's timers)
 *	assert_string_equal(fake_last_log(&fh), "info: my-module: ...");
 *	modinit_module.fini(st);
 *	fake_host_free(&fh);
 *	fake_yaml_free();
 */
#ifndef FAKE_HOST_H
#define FAKE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <modinit/module.h>

struct endpoint;

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
	/* With opts.capture: the helper's end of the capture pipe (the module
	 * got the read end through capture_fd), for the test to write the
	 * helper's output to; closed when the helper exits. -1: none. */
	int capture_wr;
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
	const struct modinit_module *desc; /* set by fake_init */
	void *state;              /* what init stored, set by fake_init */
	void *opts_mod;           /* the validated options (fake_init) */
	uint64_t now;
	uint64_t next_id;
	struct fake_timer timers[FAKE_MAX];
	size_t ntimers;
	struct fake_spawn spawns[FAKE_MAX];
	size_t nspawns;
	struct fake_watch watches[FAKE_MAX];
	size_t nwatches;
	/* signal(): the calls the host accepted, in order. */
	int sig_target[FAKE_MAX], sig_signo[FAKE_MAX];
	size_t nsignals;
	int shutdown_code[FAKE_MAX];
	char shutdown_reason[FAKE_MAX][128];
	size_t nshutdowns;
	uint64_t restart_delay[FAKE_MAX];
	size_t nrestarts;
	/* Made to fail: a negative errno here is what the service returns
	 * (and nothing is recorded); 0, the default, lets it work. */
	int restart_result;
	int timer_result;
	int spawn_result;
	int signal_result;
	/* Log lines "LEVEL: NAME: message", LEVEL as modinit writes it
	 * (error, warning, info, debug). */
	char log[FAKE_MAX][256];
	size_t nlog;
	char status[512];         /* the last publish_status */
	/* publish_health: the last call's health (0: none yet), readiness and
	 * detail (a copy, NULL if none), and how many calls there were. */
	int health;
	bool ready;
	char *detail;
	size_t nhealth;
	const char *status_doc;   /* what status_json() returns a copy of;
				     NULL: "{}\n" */
	pid_t main_pid;           /* main_pid(); 100 by default, 0: none */
	const char *state_dir;    /* state_dir(), where state_write writes;
				     NULL by default (state_write: -ENOENT) */
	bool dry_run;             /* dry_run(); state_write then -EROFS */
	pid_t next_pid;           /* the next helper's pid (from 1000) */
	pid_t last_main_pid;      /* last_main_pid(); 100 by default */
	uint64_t wall;            /* wall_ms(); moves with fake_advance */
	/* signal_helper(): the calls the host accepted (a live helper of the
	 * module; group only for one spawned with a group of its own). */
	pid_t helper_sig_pid[FAKE_MAX];
	int helper_sig_signo[FAKE_MAX];
	bool helper_sig_group[FAKE_MAX];
	size_t nhelper_signals;
	/* endpoint_listen(): the core's endpoint on this host, served once
	 * the module's on_start ran (fake_init), stopped by the test
	 * (endpoint_stop) where modinit stops it at shutdown. */
	struct endpoint *ep;

	/* ---- ABI 1.2: the main command's start, holds, the main tree ----
	 * The services refuse what modinit refuses, with its errors, in the
	 * phase the test sets (fake_phase: SETUP until it is moved on). */
	int phase;                /* enum fake_phase */
	char *env_key[FAKE_MAX];  /* main_setenv, in call order (copies); */
	char *env_value[FAKE_MAX]; /* NULL: the key was removed */
	size_t nenv;
	int passfd_fd[FAKE_MAX], passfd_target[FAKE_MAX]; /* main_pass_fd */
	size_t npassfd;
	bool creds_set;           /* main_credentials: the accepted call, */
	struct modinit_creds creds; /* with groups copied into creds_groups */
	gid_t creds_groups[64];
	bool holds_start, holds_stop;         /* hold_*, until released */
	size_t nrelease_start, nrelease_stop; /* accepted releases */
	pid_t tree[FAKE_MAX];     /* pid_in_main_tree: 1 for these (and for
				     main_pid), 0 for any other pid */
	size_t ntree;
};

/* The phases the 1.2 services are gated by (as modinit's lc_phase). */
enum fake_phase {
	FAKE_SETUP = 0,
	FAKE_STARTING,
	FAKE_RUNNING,
	FAKE_STOPPING,
	FAKE_DONE,
};

/* ABI 1.2: the value main_setenv last gave key (NULL: never set, or
 * removed). */
const char *fake_env(const struct fake_host *fh, const char *key);

/* A fresh host for module_name: clock at 1000000 ms, wall clock at
 * 1700000000000 ms, main pid 100. */
void fake_host_init(struct fake_host *fh, const char *module_name);
/* Free the copies of spawn argvs and the validated options: after the
 * module's fini (the options must live as long as the module). */
void fake_host_free(struct fake_host *fh);
/* Unload a module that fake_init loaded: desc's fini for *state (when
 * init left one), then fake_host_free. *state is NULL afterwards; the YAML
 * nodes stay until fake_yaml_free. */
void fake_unload(struct fake_host *fh, const struct modinit_module *desc, void **state);
/* Move the clock by ms, firing due timers in deadline order (a timer armed
 * by a callback fires too if it falls inside the step). */
void fake_advance(struct fake_host *fh, uint64_t ms);
/* Pending timers, and the deadline of the earliest (UINT64_MAX if none). */
size_t fake_pending(const struct fake_host *fh);
uint64_t fake_next_deadline(const struct fake_host *fh);
/* End helper i (in spawn order) with a wait status: runs its done callback,
 * or the module's on_child_exit when it gave none, then its on_reap. */
void fake_spawn_exit(struct fake_host *fh, size_t i, int status);
/* The watch on fd, or NULL. */
struct fake_watch *fake_watch_of(struct fake_host *fh, int fd);
/* The last log line, or "". */
const char *fake_last_log(const struct fake_host *fh);
/* true if text is one of the log lines, whole. */
bool fake_logged(const struct fake_host *fh, const char *text);

/* A config tree from YAML text, parsed by modinit's own parser (so lines
 * and columns are real: the text is "test.yaml"). Trees live until
 * fake_yaml_free. NULL (and a failed test) on a syntax error. */
const struct modinit_node *fake_yaml(const char *text);
void fake_yaml_free(void);

/* The module item the command-line shortcuts make: rules as given to -r
 * (module "signal-remap") or -e ("exit-code"), NULL-terminated, merged over
 * yaml_item (the module's item as YAML, or NULL) exactly as modinit does.
 * Its nodes have line 0: messages about them say "command line". Lives
 * until fake_yaml_free. */
const struct modinit_node *fake_shortcut(const char *module, const char *yaml_item,
					 const char *const *rules);

/* Validate a module item (a mapping, or NULL) against desc's schema with
 * modinit's own checks and call init. Returns init's result, or -EINVAL
 * with modinit's message in err ("test.yaml:L:C: NAME: KEY: ...") when an
 * option does not pass the schema (init is then not called). */
int fake_init(struct fake_host *fh, const struct modinit_module *desc,
	      const struct modinit_node *item, void **state, char *err, size_t errlen);

#endif
