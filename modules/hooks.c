/* hooks: commands run before the main command starts and after it ended.
 *
 *   modules:
 *     - name: hooks
 *       pre_start:
 *         - [/usr/local/bin/migrate, --wait]
 *       pre_start_dir: /etc/init.d/pre-start
 *       post_stop:
 *         - [sh, -c, 'echo "ended with $MODINIT_EXIT_STATUS" >>/var/log/runs']
 *       timeout: 30s
 *       exit_code: 1
 *
 * The pre-start hooks (the list, then the directory's executable files in
 * name order) run one after another while the module holds the start; the
 * first that fails ends the run with exit_code and the main command never
 * starts. The post-stop hooks run one after another once the main command
 * has ended, while the module holds the stop (so within the grace), with
 * MODINIT_EXIT_STATUS in their environment. Every hook is a helper spawned
 * through the host: modinit reaps it, and kills its group after timeout. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modinit/module.h>

#include "lib/descriptor.h"

/* One command: argv owned here (spawn takes char *const []). */
struct hk_cmd {
	char **argv;
};

struct hk_list {
	struct hk_cmd *cmds;
	size_t count;
};

struct hooks {
	const struct modinit_host *host;
	struct hk_list pre, post;
	uint64_t timeout_ms;
	int exit_code;
	size_t next;          /* the next hook of the list being run */
	uint64_t started_ms;  /* when the running hook was spawned */
	bool main_started;    /* on_spawn came: there is an end to follow */
	bool main_ended;      /* and its reap, with main_status */
	int main_status;
	bool ending;          /* on_shutdown came */
	bool post_running;    /* the post-stop hooks have been started */
	char status_env[40];  /* "MODINIT_EXIT_STATUS=N" */
	char *post_env[2];
};

static void hk_list_free(struct hk_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		for (size_t j = 0; l->cmds[i].argv && l->cmds[i].argv[j]; j++)
			free(l->cmds[i].argv[j]);
		free(l->cmds[i].argv);
	}
	free(l->cmds);
	*l = (struct hk_list){ 0 };
}

/* Append a command; argv is copied (NULL-terminated, count entries). */
static int hk_list_add(struct hk_list *l, const char *const *argv, size_t count)
{
	struct hk_cmd *grown = realloc(l->cmds, (l->count + 1) * sizeof(*grown));
	char **copy;

	if (!grown)
		return -ENOMEM;
	l->cmds = grown;
	copy = calloc(count + 1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	l->cmds[l->count++].argv = copy;
	for (size_t i = 0; i < count; i++) {
		copy[i] = strdup(argv[i]);
		if (!copy[i])
			return -ENOMEM; /* hk_list_free frees the part made */
	}
	return 0;
}

/* One item of pre_start or post_stop: a non-empty list of strings. */
static int hk_command(struct hooks *hk, struct hk_list *l, const struct modinit_node *n,
		      const char *what, char *err, size_t errlen)
{
	const char *argv[64];

	if (n->type != MODINIT_NODE_LIST || n->count == 0)
		return hk->host->error_at(hk->host, n, err, errlen,
					  "%s: expected a command, a non-empty list of strings", what);
	if (n->count >= sizeof(argv) / sizeof(argv[0]))
		return hk->host->error_at(hk->host, n, err, errlen, "%s: more than %zu arguments",
					  what, sizeof(argv) / sizeof(argv[0]) - 1);
	for (size_t i = 0; i < n->count; i++) {
		if (n->items[i].type != MODINIT_NODE_SCALAR)
			return hk->host->error_at(hk->host, &n->items[i], err, errlen,
						  "%s: argument %zu: expected a string", what, i + 1);
		argv[i] = n->items[i].value;
	}
	return hk_list_add(l, argv, n->count);
}

static int hk_commands(struct hooks *hk, struct hk_list *l, const struct modinit_value *v,
		       char *err, size_t errlen)
{
	char what[48];
	int r;

	for (size_t i = 0; v->node && i < v->node->count; i++) {
		snprintf(what, sizeof(what), "%s: item %zu", v->key, i + 1);
		r = hk_command(hk, l, &v->node->items[i], what, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int hk_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's executable regular files, in strcmp order (not the
 * locale's: the order must not change with LANG). */
static int hk_dir_files(const char *dir, char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **grown;
	struct stat sb;
	int fd;

	if (!d)
		return -errno;
	fd = dirfd(d);
	while ((e = readdir(d))) {
		if (fstatat(fd, e->d_name, &sb, 0) < 0 || !S_ISREG(sb.st_mode) ||
		    !(sb.st_mode & 0111))
			continue;
		grown = realloc(*names, (*count + 1) * sizeof(*grown));
		if (!grown || !(grown[*count] = strdup(e->d_name))) {
			*names = grown ? grown : *names;
			closedir(d);
			return -ENOMEM;
		}
		*names = grown;
		(*count)++;
	}
	closedir(d);
	qsort(*names, *count, sizeof(**names), hk_name_cmp);
	return 0;
}

/* Read at setup (init), where a blocking readdir is fine: what the
 * directory holds then is what runs. */
static int hk_dir(struct hooks *hk, const struct modinit_value *v, char *err, size_t errlen)
{
	char **names = NULL, path[4096];
	const char *argv[1] = { path };
	size_t count = 0;
	int r;

	if (!v->set)
		return 0;
	r = hk_dir_files(v->str, &names, &count);
	if (r < 0)
		r = hk->host->error_at(hk->host, v->node, err, errlen, "pre_start_dir: %s: %s", v->str,
				       strerror(-r));
	for (size_t i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", v->str, names[i]);
		if (r == 0)
			r = hk_list_add(&hk->pre, argv, 1);
		free(names[i]);
	}
	free(names);
	return r;
}

/* "exit status 3", "killed by signal 9", or "timed out after N ms". */
static void hk_describe(const struct hooks *hk, int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WTERMSIG(status) == SIGKILL &&
		 hk->host->now_ms(hk->host) - hk->started_ms >= hk->timeout_ms)
		snprintf(buf, len, "timed out after %llu ms", (unsigned long long)hk->timeout_ms);
	else
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
}

static int hk_spawn(struct hooks *hk, const struct hk_cmd *c, bool post, modinit_exit_cb done)
{
	struct modinit_spawn_opts o = MODINIT_SPAWN_OPTS_INIT;
	pid_t pid;

	o.timeout_ms = hk->timeout_ms;
	if (post)
		o.env = hk->post_env;
	hk->started_ms = hk->host->now_ms(hk->host);
	return hk->host->spawn(hk->host, c->argv, &o, done, hk, &pid);
}

static void hk_pre_done(void *arg, pid_t pid, int status);

/* The next pre-start hook, or the start released after the last. */
static void hk_pre_next(struct hooks *hk)
{
	const struct modinit_host *h = hk->host;
	const char *name;
	int r;

	if (hk->ending)
		return;
	if (hk->next == hk->pre.count) {
		h->release_start(h);
		return;
	}
	name = hk->pre.cmds[hk->next].argv[0];
	r = hk_spawn(hk, &hk->pre.cmds[hk->next], false, hk_pre_done);
	if (r < 0) {
		h->log(h, MODINIT_LOG_ERROR, "pre_start hook '%s' could not be started (%s): not starting the main command",
		       name, strerror(-r));
		h->request_shutdown(h, hk->exit_code, "a pre_start hook failed");
	}
}

static void hk_pre_done(void *arg, pid_t pid, int status)
{
	struct hooks *hk = arg;
	const struct modinit_host *h = hk->host;
	char why[64];

	(void)pid;
	/* The run is ending already (the stop signal): the hook was stopped
	 * with the rest, nothing more to say or start. */
	if (hk->ending)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		hk->next++;
		hk_pre_next(hk);
		return;
	}
	hk_describe(hk, status, why, sizeof(why));
	h->log(h, MODINIT_LOG_ERROR, "pre_start hook '%s' failed (%s): not starting the main command",
	       hk->pre.cmds[hk->next].argv[0], why);
	h->request_shutdown(h, hk->exit_code, "a pre_start hook failed");
}

static void hk_post_done(void *arg, pid_t pid, int status);

/* The next post-stop hook; a failure is logged and the next one runs.
 * After the last, the end goes on. */
static void hk_post_next(struct hooks *hk)
{
	const struct modinit_host *h = hk->host;
	int r;

	for (; hk->next < hk->post.count; hk->next++) {
		r = hk_spawn(hk, &hk->post.cmds[hk->next], true, hk_post_done);
		if (r == 0)
			return;
		h->log(h, MODINIT_LOG_WARN, "post_stop hook '%s' could not be started: %s",
		       hk->post.cmds[hk->next].argv[0], strerror(-r));
	}
	h->release_stop(h);
}

static void hk_post_done(void *arg, pid_t pid, int status)
{
	struct hooks *hk = arg;
	char why[64];

	(void)pid;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		hk_describe(hk, status, why, sizeof(why));
		hk->host->log(hk->host, MODINIT_LOG_WARN, "post_stop hook '%s' failed (%s)",
			      hk->post.cmds[hk->next].argv[0], why);
	}
	hk->next++;
	hk_post_next(hk);
}

/* The main command's end as an exit status, 128 + N for signal N. */
static void hk_post_start(struct hooks *hk, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	hk->post_running = true;
	snprintf(hk->status_env, sizeof(hk->status_env), "MODINIT_EXIT_STATUS=%d", code);
	hk->post_env[0] = hk->status_env;
	hk->next = 0;
	hk_post_next(hk);
}

static int hk_setup(struct hooks *hk, const struct modinit_options *opts, char *err,
		    size_t errlen)
{
	const struct modinit_host *h = hk->host;
	const struct modinit_value *code = modinit_opt(opts, "exit_code");
	int r;

	hk->timeout_ms = modinit_opt(opts, "timeout")->ms;
	if (hk->timeout_ms == 0)
		return h->error_at(h, modinit_opt(opts, "timeout")->node, err, errlen,
				   "timeout: must be above zero");
	if (code->integer < 1 || code->integer > 255)
		return h->error_at(h, code->node, err, errlen,
				   "exit_code: expected an exit code from 1 to 255, got %lld",
				   code->integer);
	hk->exit_code = (int)code->integer;
	r = hk_commands(hk, &hk->pre, modinit_opt(opts, "pre_start"), err, errlen);
	if (r == 0)
		r = hk_dir(hk, modinit_opt(opts, "pre_start_dir"), err, errlen);
	if (r == 0)
		r = hk_commands(hk, &hk->post, modinit_opt(opts, "post_stop"), err, errlen);
	/* Nothing to wait for is no hold: the run goes as without the module. */
	if (r == 0 && hk->pre.count)
		r = h->hold_start(h);
	if (r == 0 && hk->post.count)
		r = h->hold_stop(h);
	return r;
}

static void hk_fini(void *state)
{
	struct hooks *hk = state;

	hk_list_free(&hk->pre);
	hk_list_free(&hk->post);
	free(hk);
}

static int hk_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	struct hooks *hk = calloc(1, sizeof(*hk));
	int r;

	if (!hk)
		return -ENOMEM;
	hk->host = host;
	r = hk_setup(hk, opts, err, errlen);
	if (r < 0) {
		hk_fini(hk);
		return r;
	}
	*state = hk;
	return 0;
}

static void hk_on_start(void *state)
{
	struct hooks *hk = state;

	hk->next = 0;
	if (hk->pre.count)
		hk_pre_next(hk);
}

static void hk_on_spawn(void *state, pid_t pid)
{
	struct hooks *hk = state;

	(void)pid;
	hk->main_started = true;
	hk->main_ended = false; /* started again */
}

/* A run that ends before the main command ever started (a pre-start hook
 * failed, the stop signal came first) has no end to follow: the stop is
 * let go at once. */
static void hk_on_shutdown(void *state, int reason)
{
	struct hooks *hk = state;

	(void)reason;
	hk->ending = true;
	if (!hk->post.count)
		return;
	if (!hk->main_started)
		hk->host->release_stop(hk->host);
	else if (hk->main_ended)
		hk_post_start(hk, hk->main_status); /* wait-all-children: reaped before */
}

/* The main command's reap comes after on_shutdown when its exit ends the
 * run; an exit before it (a restart, or wait-all-children still waiting)
 * is kept for on_shutdown. */
static void hk_on_reap(void *state, pid_t pid, int kind, int status)
{
	struct hooks *hk = state;

	(void)pid;
	if (kind != MODINIT_REAP_MAIN)
		return;
	hk->main_ended = true;
	hk->main_status = status;
	if (hk->ending && !hk->post_running && hk->post.count)
		hk_post_start(hk, status);
}

static const struct modinit_option hk_options[] = {
	{ .key = "pre_start", .type = MODINIT_OPT_LIST,
	  .help = "commands (each a list of strings) run one after another before the main command" },
	{ .key = "pre_start_dir", .type = MODINIT_OPT_PATH,
	  .help = "a directory whose executable files run after pre_start, in name order" },
	{ .key = "post_stop", .type = MODINIT_OPT_LIST,
	  .help = "commands run one after another once the main command ended, with "
		  "MODINIT_EXIT_STATUS" },
	{ .key = "timeout", .type = MODINIT_OPT_DURATION, .default_value = "30s",
	  .help = "how long one hook may run before its process group is killed" },
	{ .key = "exit_code", .type = MODINIT_OPT_INT, .default_value = "1",
	  .help = "the container's exit status when a pre_start hook fails (1 to 255)" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(hooks) = {
	MODINIT_MODULE_HEADER,
	.name = "hooks",
	.version = PACKAGE_VERSION,
	.description = "run commands before the main command starts and after it ended",
	.options = hk_options,
	.init = hk_init,
	.on_start = hk_on_start,
	.on_spawn = hk_on_spawn,
	.on_shutdown = hk_on_shutdown,
	.on_reap = hk_on_reap,
	.fini = hk_fini,
};
