/*
 * modinit/module.h - the whole module ABI of modinit.
 *
 * A module is one shared object that exports exactly one symbol: a const
 * `struct modinit_module` named `modinit_module` (MODINIT_MODULE_SYMBOL).
 * modinit checks its magic, ABI major/minor and size before it runs any of
 * the module's code, then calls the hooks below. Everything a module may ask
 * of modinit arrives as a const table of function pointers (struct
 * modinit_host) passed to init: a module links against no modinit symbol.
 *
 * Rules for module code (it runs inside PID 1):
 *  - never call waitpid/wait, never install signal handlers, never block
 *    (no sleeping, no blocking I/O: use host timers and fd watches; open
 *    what may be a pipe or FIFO O_NONBLOCK), never start threads, never
 *    call exit(); a SIGPIPE raised by a module's write is dropped by
 *    modinit (the write fails with EPIPE);
 *  - errors are 0 or a negative errno;
 *  - every pointer the host hands over stays valid until fini unless said
 *    otherwise.
 *
 * Build with -fvisibility=hidden and define the descriptor with
 * MODINIT_MODULE_EXPORT so that it is the only exported symbol.
 */
#ifndef MODINIT_MODULE_H
#define MODINIT_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** "MODI": first field of every descriptor; anything else is not a module. */
#define MODINIT_MODULE_MAGIC 0x4d4f4449u
/** Incompatible ABI changes bump the major: it must match exactly. */
#define MODINIT_ABI_MAJOR 1
/** Compatible additions (fields appended to the structs) bump the minor: a
 *  module built for a newer minor than the running modinit is refused, and
 *  a module built for an older minor runs unchanged: modinit never reads a
 *  field the module's own minor does not have, and lays out what it hands
 *  over (option values) with the element sizes the module was built with.
 *  1.1 adds: the descriptor's option_size and value_size, the option types
 *  ENUM, PATH, LIST_OF and SECTION (with choices, item_type and fields in
 *  struct modinit_option, index, list and section in struct modinit_value),
 *  modinit_options.value_size and modinit_at(), modinit_spawn_opts.size
 *  and MODINIT_SPAWN_OPTS_INIT with the spawn options env, env_replace,
 *  cwd, set_uid/uid, set_gid/gid, groups/ngroups, new_session, capture,
 *  capture_fd and timeout_ms, the host services state_write, dry_run,
 *  parse_value, signal_helper, last_main_pid, wall_ms, publish_health
 *  (enum modinit_health) and status_json, and the on_reap hook (enum
 *  modinit_reap_kind).
 *  1.2 adds: name_key in struct modinit_option (the items of a LIST_OF
 *  SECTION named by one of their keys in messages, and unique);
 *  struct modinit_creds and enum modinit_creds_scope, and the host
 *  services main_setenv, main_pass_fd, main_credentials, hold_start,
 *  release_start, hold_stop, release_stop and pid_in_main_tree (appended
 *  to struct modinit_host in that order). */
#define MODINIT_ABI_MINOR 2
/** The one symbol a module exports. */
#define MODINIT_MODULE_SYMBOL "modinit_module"
/** Put this before the descriptor's definition to export it. */
#define MODINIT_MODULE_EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------------ */
/* Configuration tree                                                  */
/* ------------------------------------------------------------------ */

/** Kind of a configuration node. */
enum modinit_node_type {
	MODINIT_NODE_SCALAR = 1, /**< a string, number, boolean... as text */
	MODINIT_NODE_LIST = 2,   /**< a YAML sequence */
	MODINIT_NODE_MAP = 3,    /**< a YAML mapping with unique scalar keys */
};

/**
 * One node of the parsed configuration, read-only. The YAML parser is not
 * part of the ABI: modules see only this plain tree.
 */
struct modinit_node {
	enum modinit_node_type type;
	unsigned int line;   /**< 1-based line in the configuration file */
	unsigned int column; /**< 1-based column */
	const char *value;   /**< SCALAR: its text (never NULL); else NULL */
	bool quoted;         /**< SCALAR: written in quotes ("5s", '5s') */
	size_t count;        /**< LIST: items; MAP: pairs; SCALAR: 0 */
	const struct modinit_node *items; /**< LIST: the items; MAP: the values */
	const struct modinit_node *keys;  /**< MAP: the keys (scalars), keys[i]
					       goes with items[i]; else NULL */
};

/* ------------------------------------------------------------------ */
/* Option schema                                                       */
/* ------------------------------------------------------------------ */

/** Type of a module option; modinit validates values before init. */
enum modinit_opt_type {
	MODINIT_OPT_STRING = 1,   /**< scalar, kept as text: value.str */
	MODINIT_OPT_BOOL,         /**< true or false only: value.boolean */
	MODINIT_OPT_INT,          /**< decimal integer: value.integer */
	MODINIT_OPT_DURATION,     /**< 250ms, 5s, 2m, 1h: value.ms */
	MODINIT_OPT_SIGNAL,       /**< SIGTERM, TERM, 15, SIGRTMIN+3: value.signo */
	MODINIT_OPT_STRING_LIST,  /**< list of scalars: value.strv / count */
	MODINIT_OPT_MAP,          /**< a mapping, checked by the module: node */
	MODINIT_OPT_LIST,         /**< a list, checked by the module: node */
	/* ABI 1.1 */
	MODINIT_OPT_ENUM,         /**< one word of the option's choices:
				       value.str, and value.index in choices */
	MODINIT_OPT_PATH,         /**< an absolute path: value.str */
	MODINIT_OPT_LIST_OF,      /**< a list whose items are all item_type:
				       value.list (read with modinit_at) and
				       value.count; string, enum and path items
				       also as value.strv (NULL-terminated).
				       value.node and value.list->node are
				       the YAML list; each item has its own
				       node, the list's item (NULL if from the
				       default): for SECTION items their
				       mapping, also item->section->node.
				       With name_key (1.2) the items are named
				       in messages */
	MODINIT_OPT_SECTION,      /**< a mapping checked against its own schema
				       (fields): value.section (modinit_opt) */
};

/** One entry of a module's option schema; the array ends with key NULL. */
struct modinit_option {
	const char *key;           /**< the YAML key under the module's item */
	enum modinit_opt_type type;
	const char *default_value; /**< text parsed as the config would be, or
				        NULL for none (MAP/LIST: always NULL) */
	const char *help;          /**< one line for --describe-module */
	bool required;             /**< missing from the config is an error */
	/* ABI 1.1: read only from modules built for 1.1 or later. */
	const char *const *choices; /**< ENUM, or LIST_OF ENUM: the allowed
				         words, NULL-terminated */
	enum modinit_opt_type item_type; /**< LIST_OF: the type of each item
					      (not LIST_OF, MAP, LIST or
					      STRING_LIST) */
	const struct modinit_option *fields; /**< SECTION, or LIST_OF SECTION:
						  the nested schema, ends with
						  key NULL */
	/* ABI 1.2: read only when the descriptor's option_size covers it. */
	const char *name_key; /**< LIST_OF SECTION: the key of fields (a
				   STRING field) whose value names each item
				   in messages: "checks: web: role: ..."
				   instead of "checks: item 1: role: ...".
				   Two items with the same name are refused
				   ("checks: two items named "web"", placed at
				   the second name), an empty name too. An
				   item without the key (unless the field is
				   required) is "item N". NULL: items are
				   numbered */
};

/** A validated option value, as init receives it. */
struct modinit_value {
	const char *key;
	enum modinit_opt_type type;
	bool set;       /**< given in the config, or a default applied */
	bool from_default;
	const struct modinit_node *node; /**< the config node; NULL if default */
	const char *str;                 /**< STRING (also the text of scalars) */
	bool boolean;                    /**< BOOL */
	long long integer;               /**< INT */
	uint64_t ms;                     /**< DURATION, milliseconds */
	int signo;                       /**< SIGNAL */
	const char *const *strv;         /**< STRING_LIST, count entries and a
					      NULL after them */
	size_t count;                    /**< STRING_LIST */
	/* ABI 1.1: present in values handed to modules built for 1.1 or later. */
	size_t index;                    /**< ENUM: position of str in choices */
	const struct modinit_options *list;    /**< LIST_OF: the items (each a
						    value of item_type, key the
						    option's); NULL if not set */
	const struct modinit_options *section; /**< SECTION: its options;
						    NULL if not set */
};

/** Every option of the schema, in schema order, set or not (also the
 *  items of a LIST_OF and the options of a SECTION). */
struct modinit_options {
	size_t count;
	const struct modinit_value *values; /**< read with modinit_at() */
	const struct modinit_node *node; /**< the module's whole config item
					      (the list or mapping for LIST_OF
					      and SECTION values) */
	/* ABI 1.1 */
	size_t value_size; /**< distance between two values: the
			        sizeof(struct modinit_value) the module was
			        built with, so that the struct can grow */
};

/** Value i of o (i < o->count). Strides by o->value_size, never by this
 *  header's sizeof, so a later modinit can hand over longer values. */
static inline const struct modinit_value *modinit_at(const struct modinit_options *o, size_t i)
{
	return (const struct modinit_value *)(const void *)((const char *)o->values +
							     i * o->value_size);
}

/** The value of option key (NULL if the schema has no such key). */
static inline const struct modinit_value *
modinit_opt(const struct modinit_options *o, const char *key)
{
	for (size_t i = 0; i < o->count; i++) {
		const char *a = modinit_at(o, i)->key, *b = key;

		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (*a == *b)
			return modinit_at(o, i);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Host services                                                       */
/* ------------------------------------------------------------------ */

/** Log levels for host->log; lines are prefixed with the module's name. */
enum modinit_log_level {
	MODINIT_LOG_ERROR = 0,
	MODINIT_LOG_WARN = 1,
	MODINIT_LOG_INFO = 2,
	MODINIT_LOG_DEBUG = 3,
};

/** Where a signal goes once the pipeline is through with it. */
enum modinit_target {
	MODINIT_TARGET_MAIN = 0, /**< the main command's pid (default) */
	MODINIT_TARGET_GROUP,    /**< the main command's process group */
	MODINIT_TARGET_ALL,      /**< every process but modinit: kill(-1) as
				      PID 1, its descendants otherwise */
};

/** A module's view of the container's health (publish_health). */
enum modinit_health {
	MODINIT_HEALTH_STARTING = 1, /**< not known yet (still starting) */
	MODINIT_HEALTH_HEALTHY,
	MODINIT_HEALTH_UNHEALTHY,
};

/** For request_shutdown: end with the main command's own status. */
#define MODINIT_EXIT_MAIN (-1)

typedef void (*modinit_timer_cb)(void *arg);
typedef void (*modinit_fd_cb)(void *arg, int fd, uint32_t events);
/** A helper's end: status as from waitpid (use the W* macros). */
typedef void (*modinit_exit_cb)(void *arg, pid_t pid, int status);

/** How host->spawn starts a helper. Start from MODINIT_SPAWN_OPTS_INIT,
 *  then set fields. */
struct modinit_spawn_opts {
	int stdin_fd;  /**< dup'ed onto 0 in the helper; -1: /dev/null */
	int stdout_fd; /**< onto 1; -1: modinit's own stdout */
	int stderr_fd; /**< onto 2; -1: modinit's own stderr */
	bool new_group; /**< own process group (so it can be killed whole) */
	/* ABI 1.1 */
	size_t size;   /**< sizeof(struct modinit_spawn_opts) as built: modinit
			    reads no field past it. 0 (a zeroed struct): the
			    1.0 fields only. Modules built for 1.0 have no size
			    and modinit reads only their 1.0 fields. */
	/* ABI 1.1, read only when size covers them. In the helper, between
	 * fork and exec, in this order: new session or group, supplementary
	 * groups, gid, uid, working directory, stdio, environment. A step
	 * that fails writes one line "modinit: error: NAME: helper 'ARGV0':
	 * CALL: REASON" to modinit's stderr and the helper exits 126. */
	char *const *env;  /**< "KEY=VALUE" strings, NULL-terminated, added to
			        modinit's environment (a KEY there is replaced);
			        NULL: modinit's environment as it is */
	bool env_replace;  /**< env is the helper's whole environment instead
			        (the command is still looked up in modinit's
			        PATH) */
	const char *cwd;   /**< working directory, entered after the ids are
			        dropped; NULL: modinit's */
	bool set_uid;      /**< setuid(uid): real, effective and saved */
	uid_t uid;
	bool set_gid;      /**< setgid(gid): real, effective and saved */
	gid_t gid;
	const gid_t *groups; /**< the supplementary groups (ngroups of them)
				  whenever set_uid or set_gid is set: none when
				  ngroups is 0, so a helper whose ids are
				  dropped never keeps modinit's groups */
	size_t ngroups;
	bool new_session;  /**< setsid(): a new session and process group */
	unsigned int capture; /**< MODINIT_CAPTURE_STDOUT and/or _STDERR: that
				   output goes into one pipe (stdout_fd /
				   stderr_fd are then ignored for it) */
	int *capture_fd;   /**< capture: where the host stores the pipe's read
			        end (O_NONBLOCK, O_CLOEXEC), the module's to
			        read with fd_watch and to close; -1 on failure */
	uint64_t timeout_ms; /**< > 0: if the helper still runs timeout_ms
				  after the spawn, SIGKILL to its whole process
				  group (the helper gets a group of its own, as
				  with new_group); its exit callback then sees
				  WTERMSIG(status) == SIGKILL */
};

/** modinit_spawn_opts.capture: which output goes into the capture pipe. */
enum modinit_capture {
	MODINIT_CAPTURE_STDOUT = 1u << 0,
	MODINIT_CAPTURE_STDERR = 1u << 1,
};

/** Defaults for spawn options: /dev/null in, modinit's stdout and stderr,
 *  same process group, modinit's environment, directory and ids, no
 *  capture, no timeout, and the size set. */
#define MODINIT_SPAWN_OPTS_INIT                                               \
	{ .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .new_group = false, \
	  .size = sizeof(struct modinit_spawn_opts) }

/** main_credentials: which processes start with the module's ids. */
enum modinit_creds_scope {
	MODINIT_CREDS_MAIN = 1u << 0,    /**< the main command (every start) */
	MODINIT_CREDS_HELPERS = 1u << 1, /**< every helper any module spawns
					      without ids of its own (no
					      set_uid, no set_gid) */
};

/** The ids main_credentials applies (ABI 1.2). */
struct modinit_creds {
	size_t size;            /**< sizeof(struct modinit_creds) as built */
	unsigned int scope;     /**< enum modinit_creds_scope bits */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;    /**< supplementary groups, copied by modinit */
	size_t ngroups;
	bool no_new_privs;      /**< PR_SET_NO_NEW_PRIVS after the drop */
};

/**
 * Services modinit offers a module. The table is const and owned by
 * modinit; pass the table itself back as the first argument.
 */
struct modinit_host {
	/** sizeof(struct modinit_host) of the running modinit. */
	size_t size;
	/** Log one line, "modinit: LEVEL: NAME: message", on stderr. */
	void (*log)(const struct modinit_host *h, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	/** Call cb(arg) once, delay_ms from now. 0 and *id (> 0), or -errno. */
	int (*timer_add)(const struct modinit_host *h, uint64_t delay_ms,
			 modinit_timer_cb cb, void *arg, uint64_t *id);
	/** Cancel a pending timer: 0, or -ENOENT if it already fired. A timer
	 *  still pending when the run ends never fires; cancelling it in fini
	 *  is allowed. */
	int (*timer_cancel)(const struct modinit_host *h, uint64_t id);
	/** Watch fd for epoll events (EPOLLIN, EPOLLOUT...); one watch per fd.
	 *  The fd stays the module's: unwatch before closing it. */
	int (*fd_watch)(const struct modinit_host *h, int fd, uint32_t events,
			modinit_fd_cb cb, void *arg);
	/** Stop watching fd. 0 or -ENOENT. */
	int (*fd_unwatch)(const struct modinit_host *h, int fd);
	/** Start a helper process (PATH search, modinit's environment unless
	 *  opts say otherwise: see struct modinit_spawn_opts). When it ends,
	 *  modinit reaps it and calls done(arg, pid, status), or the module's
	 *  on_child_exit hook when done is NULL. Exec failure shows as exit
	 *  status 127 (not found) or 126. The helper starts with the signal
	 *  mask and ignored signals modinit inherited, not modinit's own. Options that make no sense (see
	 *  env, groups, capture) give -EINVAL before anything is started.
	 *  -EAGAIN in init, under --check-config, in mode exec, once the grace
	 *  period is over, in on_exit and fini. A helper still running when
	 *  the container ends gets the stop signal once, after on_shutdown,
	 *  then SIGKILL when the grace period is over. 0 and *pid, or -errno. */
	int (*spawn)(const struct modinit_host *h, char *const argv[],
		     const struct modinit_spawn_opts *opts, modinit_exit_cb done,
		     void *arg, pid_t *pid);
	/** Send sig to the main command, its process group, or every process
	 *  (enum modinit_target): never anything outside modinit's own tree.
	 *  0 or -errno (-ESRCH: no main command; -EAGAIN in init, under
	 *  --check-config, in mode exec, in on_exit and fini). */
	int (*signal)(const struct modinit_host *h, int target, int sig);
	/** Ask modinit to end the container with exit_code (0..255), or with
	 *  the main command's own status when exit_code is MODINIT_EXIT_MAIN:
	 *  the shutdown sequence (stop signal to every process, grace, then
	 *  SIGKILL) follows. The first request's code wins. 0 or -errno
	 *  (-EAGAIN before the main command was started: init, on_start,
	 *  --check-config, mode exec; and in on_exit and fini). */
	int (*request_shutdown)(const struct modinit_host *h, int exit_code,
				const char *reason);
	/** The main command's pid, or 0 when none is running. */
	pid_t (*main_pid)(const struct modinit_host *h);
	/** Publish a one-line status for this module: modinit keeps it in
	 *  its status document (STATE_DIR/status, modinit --status), logged
	 *  at debug level. 0 or -errno. */
	int (*publish_status)(const struct modinit_host *h, const char *status);
	/** The state directory (state_dir, --state-dir), e.g. "/run/modinit".
	 *  Created (0755) on first call; NULL if it cannot be, or if it is not
	 *  safe: a symbolic link, owned by another user than root or modinit's
	 *  euid, or writable by group or others. Asked during init, a refusal
	 *  ends the setup (exit 78) before anything is spawned. Write files
	 *  there with state_write rather than through the path. */
	const char *(*state_dir)(const struct modinit_host *h);
	/** CLOCK_MONOTONIC in milliseconds, the clock timers use. */
	uint64_t (*now_ms)(const struct modinit_host *h);
	/** Restart the main command: its stop signal goes through the signal
	 *  pipeline (signal-remap applies), SIGKILL to its process group after
	 *  the grace period, then, delay_ms after it has exited, it is started
	 *  again (on_spawn runs with the new pid; on_main_exit does not run for
	 *  a restart). Also allowed after the command ended on its own when
	 *  this module answered MODINIT_MAIN_EXIT_HANDLED: it is then started
	 *  again after delay_ms. -EBUSY if a restart or the shutdown is
	 *  already under way, or after the stop signal; -EAGAIN where
	 *  request_shutdown is. 0 or -errno. */
	int (*restart_main)(const struct modinit_host *h, uint64_t delay_ms);
	/** Convert one scalar node of the module's own MAP or LIST options the
	 *  way the config converts a typed option (type: MODINIT_OPT_STRING,
	 *  _BOOL, _INT, _DURATION or _SIGNAL) into out->str, ->boolean,
	 *  ->integer, ->ms or ->signo. what names the value in messages (e.g.
	 *  "map: SIGTERM"). 0, or -EINVAL with a complete one-line message
	 *  "FILE:LINE:COL: NAME: WHAT: expected ..." in err, which init may
	 *  return as it is. */
	int (*parse_node)(const struct modinit_host *h, int type,
			  const struct modinit_node *node, const char *what,
			  struct modinit_value *out, char *err, size_t errlen);
	/** Write "FILE:LINE:COL: NAME: message" about node into err (a node
	 *  from the command line is "command line: NAME: message", a NULL
	 *  node, e.g. a value from a default, "FILE: NAME: message") and
	 *  return -EINVAL, for init to return: modinit then prints err as it
	 *  is. NAME is the descriptor's name. */
	int (*error_at)(const struct modinit_host *h, const struct modinit_node *node,
			char *err, size_t errlen, const char *fmt, ...)
		__attribute__((format(printf, 5, 6)));

	/* ---- ABI 1.1 ------------------------------------------------------ */
	/* A module built for 1.1 may run on a later host whose table is longer,
	 * never on an older one (it is refused): the services below are there
	 * for it. A module that also runs where they may be missing, or that
	 * calls a service added after its minor, tests with MODINIT_HOST_HAS. */

	/** Replace the file name (a plain name: no '/', no leading '.') in the
	 *  state directory with len bytes of data, atomically: readers see the
	 *  old content or the new, never half. The directory is checked as for
	 *  state_dir; the data goes to a new temporary file that is renamed over
	 *  name, so nothing planted there (a link, a FIFO) is followed or
	 *  opened. -EROFS in a dry run. 0 or -errno. Present when h->size
	 *  covers it (MODINIT_HOST_HAS(h, state_write)). */
	int (*state_write)(const struct modinit_host *h, const char *name, const void *data,
			   size_t len);
	/** true when modinit only checks the configuration (--check-config),
	 *  maybe next to a running modinit: init must then claim nothing that
	 *  one may hold (no bind, no file). Answers in init already. Present
	 *  when h->size covers it. */
	bool (*dry_run)(const struct modinit_host *h);
	/** parse_node's sized successor: converts one scalar node like a
	 *  typed option (STRING, BOOL, INT, DURATION, SIGNAL or PATH) and
	 *  writes at most out_size bytes of out (pass sizeof(*out)); bytes of
	 *  a longer value the caller does not know are never written. 0, or
	 *  -EINVAL with the message in err as parse_node writes it. (parse_node
	 *  itself writes the 1.0 fields of struct modinit_value only.) */
	int (*parse_value)(const struct modinit_host *h, int type,
			   const struct modinit_node *node, const char *what,
			   struct modinit_value *out, size_t out_size, char *err,
			   size_t errlen);
	/** Send sig (0..64; 0 only checks) to pid, a helper this module
	 *  spawned that has not been reaped yet (until it is, its pid cannot
	 *  be reused), or with group to its process group, so that what the
	 *  helper started goes too. The module never calls kill() itself.
	 *  -ESRCH for any pid that is not such a helper: the main command, an
	 *  adopted orphan, a helper already reaped (also inside its own exit
	 *  callback), pid <= 0; -EPERM for a live helper of another module;
	 *  -EINVAL for a bad sig, or group for a helper that has no group of
	 *  its own (started without new_group, new_session or timeout_ms: its
	 *  group is modinit's). -EAGAIN where signal is refused (see the
	 *  phases in writing-modules.md). 0 or -errno. Present when h->size
	 *  covers it. */
	int (*signal_helper)(const struct modinit_host *h, pid_t pid, int sig, bool group);
	/** The pid of the latest main command, running or not: unlike
	 *  main_pid it stays after the command ended, so on_main_exit,
	 *  on_shutdown and on_exit can tell which process it was (and a
	 *  restart's new pid replaces it). 0 before the first start. Present
	 *  when h->size covers it. */
	pid_t (*last_main_pid)(const struct modinit_host *h);
	/** CLOCK_REALTIME in milliseconds since the epoch: wall-clock time
	 *  for timestamps (it may jump; measure intervals with now_ms).
	 *  Present when h->size covers it. */
	uint64_t (*wall_ms)(const struct modinit_host *h);
	/** Publish this module's view of the container's health (enum
	 *  modinit_health) and readiness, with detail: a JSON text of the
	 *  module's own (or NULL), printed by modinit --health. modinit keeps
	 *  them in its status document (STATE_DIR/status): the container's
	 *  health is the worst of what the modules published (unhealthy, then
	 *  starting, then healthy), and it is ready when every module that
	 *  published is ready. The document is written only when what it says
	 *  changes, at most once per loop wake-up, never in a dry run. 0 or
	 *  -errno (-EINVAL for another health). Test with MODINIT_HOST_HAS. */
	int (*publish_health)(const struct modinit_host *h, int health, bool ready,
			      const char *detail);
	/** modinit's status document as it stands now (see publish_health;
	 *  the file modinit --status prints), as a NUL-terminated JSON text of
	 *  *len bytes (len may be NULL), malloc'd: the caller frees it. NULL
	 *  without memory. Test with MODINIT_HOST_HAS. */
	char *(*status_json)(const struct modinit_host *h, size_t *len);
	/** Ask modinit to serve its HTTP endpoint on addr, "ADDRESS:PORT"
	 *  (IPv4, or [IPv6]:PORT): GET /healthz answers 200 while the
	 *  container is healthy, /readyz while it is healthy and ready (503
	 *  otherwise; the body is this module's published detail), /status
	 *  the status document (see publish_health). Only a loopback address
	 *  unless public_ok. From init only: the socket is bound and listening
	 *  before init returns (nothing is bound in a dry run, the address is
	 *  still checked); connections are served once the loop runs, closed
	 *  when the container starts to stop. One endpoint per modinit.
	 *  0, or -errno with a message in err (no position, no module name:
	 *  place it with error_at): -EINVAL a malformed address, -EPERM not a
	 *  loopback address, -EBUSY already asked for (by any module),
	 *  -EAGAIN outside init, or bind's error. Test with MODINIT_HOST_HAS. */
	int (*endpoint_listen)(const struct modinit_host *h, const char *addr, bool public_ok,
			       char *err, size_t errlen);

	/* ---- ABI 1.2 ------------------------------------------------------ */
	/* A module built for 1.2 that may also be loaded where these are
	 * missing tests them with MODINIT_HOST_HAS. Each returns 0 or -errno,
	 * and -EAGAIN outside the phases it names (writing-modules.md). */

	/** Set (value != NULL) or remove (value == NULL) key in the main
	 *  command's environment, for its first start and every restart (and
	 *  for the command of mode exec); modinit's own environment and the
	 *  helpers' stay as they are. From init and on_start only (SETUP,
	 *  STARTING; a dry run changes nothing but answers 0). -EINVAL for an
	 *  empty key or one holding '='. A later call for the same key wins. */
	int (*main_setenv)(const struct modinit_host *h, const char *key, const char *value);
	/** The main command gets a copy of modinit's fd as target_fd
	 *  (3..1023), at every start (and in mode exec). modinit keeps fd: the
	 *  module owns it and closes it in fini; it should be O_CLOEXEC so
	 *  that helpers do not inherit it. -EINVAL for a bad target, -EBADF
	 *  for a closed fd, -EBUSY when another module already passes that
	 *  target (this module's own earlier fd for it is replaced).
	 *  From init and on_start only (SETUP, STARTING). */
	int (*main_pass_fd)(const struct modinit_host *h, int fd, int target_fd);
	/** Start the main command (scope MODINIT_CREDS_MAIN) and/or every
	 *  helper any module spawns without ids of its own (scope
	 *  MODINIT_CREDS_HELPERS) as creds say: in the child, between fork and
	 *  exec, setgroups, setgid, setuid (real, effective and saved), then
	 *  PR_SET_NO_NEW_PRIVS when asked. A step that fails writes one line
	 *  naming the call ("modinit: error: setgroups: Operation not
	 *  permitted" for the main command; a helper's line is spawn's) and
	 *  the child exits 126. modinit itself stays root, to reap and signal.
	 *  One module only: -EBUSY for a second caller. -EINVAL for no scope,
	 *  an unknown scope bit, a uid or gid of -1, ngroups without groups or
	 *  more than NGROUPS_MAX. From init only (SETUP). The module sets
	 *  HOME, USER and LOGNAME itself (main_setenv). */
	int (*main_credentials)(const struct modinit_host *h, const struct modinit_creds *creds);
	/** Hold the main command's start: after on_start, it is not started
	 *  until every module that held it called release_start. Meanwhile
	 *  the phase stays STARTING, and spawn, signal_helper and
	 *  request_shutdown work there (a pre-start hook is a helper). A
	 *  request_shutdown(code) while held ends the run without ever
	 *  starting the command, with exit code code (MODINIT_EXIT_MAIN: there
	 *  is no status to take, -EINVAL), after on_shutdown with
	 *  MODINIT_SHUTDOWN_REQUESTED and the stop signal, grace and SIGKILL
	 *  to the helpers left. The stop signal received while held ends it
	 *  the same way with 128 + that signal. Needs a running init: refused
	 *  with mode exec. From init only (SETUP); -EALREADY when this module
	 *  holds already. */
	int (*hold_start)(const struct modinit_host *h);
	/** Let the start go on: the command starts once no module holds it
	 *  (not before every on_start ran). -EALREADY when this module holds
	 *  nothing; -EAGAIN outside STARTING. */
	int (*release_start)(const struct modinit_host *h);
	/** Hold the end: when the run ends (the command exited, the stop
	 *  signal, a request), modinit stops the main command if it still
	 *  runs (its stop signal, as always) but sends nothing yet to the
	 *  other processes; it waits until every module that held the stop
	 *  called release_stop, or until the shutdown grace (shutdown.grace,
	 *  --grace) ran out, whichever comes first (a warning names the
	 *  modules that did not release). Then the leftover sweep runs as
	 *  always: the stop signal to what is left, the grace, SIGKILL. While
	 *  held the phase is STOPPING: spawn (post-stop hooks), signal_helper
	 *  and timers work; on_reap with MODINIT_REAP_MAIN tells the holder
	 *  that the command has ended. Needs a running init: refused with mode
	 *  exec. From init only (SETUP); -EALREADY when this module holds
	 *  already. */
	int (*hold_stop)(const struct modinit_host *h);
	/** Let the end go on (any phase: before the end, the hold is just
	 *  dropped). -EALREADY when this module holds nothing. */
	int (*release_stop)(const struct modinit_host *h);
	/** 1 when pid is the running main command or one of its descendants
	 *  (its /proc parent links lead to it), 0 when it is not or no main
	 *  command runs, -ESRCH when no process pid exists, -EINVAL for
	 *  pid <= 0. Every phase. For checking who sent a message (e.g. the
	 *  SCM_CREDENTIALS of a notify socket). */
	int (*pid_in_main_tree)(const struct modinit_host *h, pid_t pid);
};

/** true if the host table h has the service field: the table grows at its
 *  end, and a module may be loaded by an older modinit with a shorter one.
 *  True for every service of the module's own minor on a host that loaded
 *  it; test those added later before calling them. */
#define MODINIT_HOST_HAS(h, field) \
	((h)->size >= offsetof(struct modinit_host, field) + sizeof((h)->field))

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

/** What on_signal decided. */
enum modinit_signal_verdict {
	MODINIT_SIGNAL_PASS = 0, /**< go on: next module, then forward
				      (sig->signo/target may be rewritten) */
	MODINIT_SIGNAL_DROP,     /**< stop here: nothing is forwarded */
	MODINIT_SIGNAL_CONSUMED, /**< stop here: the module acted on it */
};

/** A signal travelling through the pipeline; hooks may rewrite it. */
struct modinit_signal {
	int signo;      /**< the signal; a hook may replace it */
	int target;     /**< enum modinit_target; a hook may change it */
	pid_t sender;   /**< sending pid as seen by modinit (0: outside) */
};

/** What follows the main command's exit (on_main_exit's answer). */
enum modinit_main_exit {
	MODINIT_MAIN_EXIT_DEFAULT = 0, /**< no opinion: the default mode ends
					    the container (stop signal, grace) */
	MODINIT_MAIN_EXIT_WAIT_ALL,    /**< keep running until every process
					    has exited, then end */
	MODINIT_MAIN_EXIT_HANDLED,     /**< the module takes over (e.g. starts
					    the command again); nothing ends */
};

/** Why the container is ending (on_shutdown). */
enum modinit_shutdown_reason {
	MODINIT_SHUTDOWN_MAIN_EXITED = 1, /**< the main command ended */
	MODINIT_SHUTDOWN_REQUESTED,       /**< a module asked for it */
	MODINIT_SHUTDOWN_FATAL,           /**< modinit cannot go on */
};

/** What on_reap's pid was. */
enum modinit_reap_kind {
	MODINIT_REAP_MAIN = 1, /**< the main command (also one being restarted) */
	MODINIT_REAP_HELPER,   /**< a helper, spawned by any module */
	MODINIT_REAP_ORPHAN,   /**< an adopted process */
};

/** Descriptor flags. */
enum modinit_module_flags {
	/** Implements `mode: exec`: modinit execve()s the command after
	 *  on_start instead of supervising it. */
	MODINIT_FLAG_EXEC = 1u << 0,
	/** Needs a running init even if it has no runtime hook (e.g. works
	 *  only with timers armed in on_start): refused with mode exec. */
	MODINIT_FLAG_LIVE = 1u << 1,
};

/**
 * The descriptor. Fill it with MODINIT_MODULE_HEADER, then name, version,
 * description, options and the hooks of interest (NULL: not interested).
 * Hooks run in the order the modules appear in the config.
 */
struct modinit_module {
	uint32_t magic;        /**< MODINIT_MODULE_MAGIC */
	uint16_t abi_major;    /**< MODINIT_ABI_MAJOR when built */
	uint16_t abi_minor;    /**< MODINIT_ABI_MINOR when built */
	uint32_t size;         /**< sizeof(struct modinit_module) when built */
	uint32_t flags;        /**< enum modinit_module_flags */
	const char *name;      /**< unique: [a-z0-9-], used in log lines */
	const char *version;   /**< the module's own version string */
	const char *description; /**< one line */
	const struct modinit_option *options; /**< schema, ends with key NULL;
						   NULL: takes no option */

	/** Setup. Options are validated against the schema. Store private
	 *  state in *state. Return 0, or -errno with a one-line message in
	 *  err (errlen bytes): modinit then exits 78 before spawning. A
	 *  message from error_at, parse_node or parse_value is printed as it
	 *  is; any other is placed at the module's item in the config,
	 *  "FILE:LINE:COL: NAME: " then err (strerror of the return when err
	 *  is empty), so it need not name the module. The host table stays
	 *  valid until fini. */
	int (*init)(const struct modinit_host *host,
		    const struct modinit_options *opts, void **state,
		    char *err, size_t errlen);
	/** Before the main command is spawned (also in exec mode, before
	 *  the execve). */
	void (*on_start)(void *state);
	/** The main command runs as pid (also after a restart). */
	void (*on_spawn)(void *state, pid_t pid);
	/** A signal reached modinit (not SIGCHLD). See modinit_signal_verdict. */
	int (*on_signal)(void *state, struct modinit_signal *sig);
	/** A helper this module spawned with done == NULL was reaped. */
	void (*on_child_exit)(void *state, pid_t pid, int status);
	/** An adopted process (not the main command, not a helper) was reaped. */
	void (*on_orphan)(void *state, pid_t pid, int status);
	/** The main command ended with status (waitpid status). Every module
	 *  is called, in config order (the mode's module first); the first
	 *  WAIT_ALL or HANDLED decides, any other answer counts as DEFAULT.
	 *  Not called when the command was stopped by restart_main. After the
	 *  stop signal reached modinit, HANDLED no longer keeps the run. Its pid: the host's
	 *  last_main_pid (1.1). */
	int (*on_main_exit)(void *state, int status);
	/** The container is about to end (enum modinit_shutdown_reason).
	 *  Called once, before modinit sends the stop signal to what is left
	 *  (helpers included): a helper spawned here gets it too. */
	void (*on_shutdown)(void *state, int reason);
	/** The final exit code; a module may rewrite *code (0..255). */
	void (*on_exit)(void *state, int *code);
	/** Last call: free the state. */
	void (*fini)(void *state);

	/* ABI 1.1: the element sizes the module was built with, so that the
	 * structs it shares in arrays can grow. MODINIT_MODULE_HEADER sets
	 * them; a 1.0 descriptor has neither (1.0 sizes are used). */
	uint32_t option_size;  /**< sizeof(struct modinit_option): the distance
				    between two entries of options (and fields) */
	uint32_t value_size;   /**< sizeof(struct modinit_value): how modinit
				    lays out the values init receives */
	/** An observer of every reaped process (enum modinit_reap_kind) with
	 *  its wait status, in every module that has it, after the hooks the
	 *  reap runs: a helper's done callback (or on_child_exit), on_orphan,
	 *  and for the main command on_main_exit (none during a restart) and,
	 *  when that exit ends the run, on_shutdown and the stop signal to
	 *  what is left. It decides nothing. ABI 1.1; read only when size
	 *  covers it. */
	void (*on_reap)(void *state, pid_t pid, int kind, int status);
};

/** The first fields of every descriptor. */
#define MODINIT_MODULE_HEADER                                                 \
	.magic = MODINIT_MODULE_MAGIC, .abi_major = MODINIT_ABI_MAJOR,        \
	.abi_minor = MODINIT_ABI_MINOR, .size = sizeof(struct modinit_module), \
	.option_size = sizeof(struct modinit_option),                         \
	.value_size = sizeof(struct modinit_value)

#ifdef __cplusplus
}
#endif

#endif /* MODINIT_MODULE_H */
