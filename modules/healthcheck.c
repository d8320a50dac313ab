/* healthcheck: Docker's HEALTHCHECK semantics inside the container, with the
 * actions Docker never took, and probes for Kubernetes.
 *
 *   modules:
 *     - name: healthcheck
 *       checks:
 *         - name: web
 *           role: liveness            # liveness | readiness | startup
 *           http: http://127.0.0.1:8080/healthz   # or tcp: or exec: [...]
 *           interval: 10s
 *           timeout: 2s
 *           start_period: 30s
 *           start_interval: 1s
 *           retries: 3
 *       on_unhealthy: restart         # none | restart | exit:CODE | signal:SIG
 *       restart: {max: 5, backoff: 1s, max_backoff: 30s, exit_code: 1}
 *       listen: 127.0.0.1:8081        # modinit's endpoint: GET /healthz,
 *                                     # /readyz and /status
 *
 * Everything runs from host timers and fd watches: nothing blocks PID 1,
 * and between probes the module arms at most one timer per check. The
 * status goes to modinit's status document through the host (the summary
 * line through publish_status; the health, readiness and the JSON detail
 * through publish_health, for modinit --health), each only when what it
 * says changes. The probe
 * runner, the TCP/HTTP client, timers, JSON and addresses come from modlib
 * (modules/lib). See docs/healthcheck.md. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modinit/module.h>

#include "lib/descriptor.h"
#include "lib/modlib.h"

#define HC_MAX_CHECKS 16
#define HC_HISTORY 5
#define HC_OUTPUT 4096

enum hc_role { HC_LIVENESS, HC_READINESS, HC_STARTUP };
enum hc_kind { HC_EXEC, HC_TCP, HC_HTTP };
enum hc_status { HC_STARTING, HC_HEALTHY, HC_UNHEALTHY };

static const char *const hc_status_names[] = { "starting", "healthy", "unhealthy" };
/* Also the schema's choices for role: its index is the enum hc_role. */
static const char *const hc_role_names[] = { "liveness", "readiness", "startup", NULL };

struct hc_result {
	uint64_t start, end;   /* host clock, ms */
	int64_t wall_start, wall_end; /* CLOCK_REALTIME, ms: for people */
	int code;              /* exit code or HTTP status; -1 if none */
	bool ok;
	char error[96];
	char output[HC_OUTPUT + 1];
};

struct hc;

struct hc_check {
	struct hc *hc;
	char name[64];
	enum hc_role role;
	enum hc_kind kind;
	const char *const *argv; /* exec: the option's own words */
	struct ml_endpoint ep;  /* tcp, http */
	uint64_t interval, timeout, start_period, start_interval;
	long retries;

	enum hc_status status;
	bool passed;            /* startup: has succeeded once */
	long streak;            /* consecutive failures that counted */
	struct ml_timer next;   /* the next probe */
	bool running;
	/* the probe under way; its output goes to cur.output */
	struct hc_result cur;
	struct ml_probe probe;  /* exec */
	struct ml_net net;      /* tcp, http */
	/* the last results, oldest first */
	struct hc_result history[HC_HISTORY];
	size_t nhistory;
};

struct hc {
	const struct modinit_host *host;
	struct hc_check checks[HC_MAX_CHECKS];
	size_t nchecks;
	struct ml_action action; /* on_unhealthy */
	struct ml_restart restart;
	uint64_t started;       /* when the main command (re)started */
	bool stopping;          /* shutdown, or the action already taken */
	bool restarting;
	char last_summary[64];
	char last_key[HC_MAX_CHECKS * 160]; /* what was published (hc_state_key) */
	bool published;         /* the health was published once */
};

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/* The schema (at the end) converts every key; what is left here are the
 * rules it cannot say: one probe per check, ranges, the action's form. */

static void hc_probe(void *arg);
static void hc_exec_done(void *arg, int code, bool timed_out);
static void hc_net_done(void *arg, bool ok, int code, const char *error);

static void hc_check_init(struct hc_check *c)
{
	const struct modinit_host *h = c->hc->host;

	ml_timer_init(&c->next, h, hc_probe, c);
	ml_probe_init(&c->probe, h, c->cur.output, HC_OUTPUT, hc_exec_done, c);
	ml_net_init(&c->net, h, c->cur.output, HC_OUTPUT, hc_net_done, c);
}

static int hc_probe_kind(struct hc *hc, struct hc_check *c, const struct modinit_options *s,
			 char *err, size_t errlen)
{
	const struct modinit_value *ex = modinit_opt(s, "exec"), *tcp = modinit_opt(s, "tcp"),
				   *http = modinit_opt(s, "http");
	const struct modinit_host *h = hc->host;

	if (ex->set + tcp->set + http->set != 1)
		return h->error_at(h, s->node, err, errlen,
				   "checks: %s: give exactly one of http, tcp or exec", c->name);
	if (ex->set) {
		c->kind = HC_EXEC;
		c->argv = ex->strv;
		if (ex->count == 0)
			return h->error_at(h, ex->node, err, errlen,
					   "checks: %s: exec: expected a command as a list of strings",
					   c->name);
		return 0;
	}
	if (tcp->set) {
		c->kind = HC_TCP;
		if (ml_addr_parse(tcp->str, &c->ep.addr, &c->ep.addrlen) < 0)
			return h->error_at(h, tcp->node, err, errlen,
					   "checks: %s: tcp: expected ADDRESS:PORT like 127.0.0.1:5432",
					   c->name);
		return 0;
	}
	c->kind = HC_HTTP;
	if (ml_url_parse(http->str, &c->ep) < 0)
		return h->error_at(h, http->node, err, errlen,
				   "checks: %s: http: expected a URL like http://127.0.0.1:8080/healthz",
				   c->name);
	return 0;
}

/* One item of checks, already converted; Docker's defaults are the
 * schema's. */
static int hc_parse_check(struct hc *hc, struct hc_check *c, const struct modinit_options *s,
			  char *err, size_t errlen)
{
	const struct modinit_host *h = hc->host;
	const struct modinit_value *retries = modinit_opt(s, "retries");
	int r;

	c->hc = hc;
	hc_check_init(c);
	snprintf(c->name, sizeof(c->name), "%s", modinit_opt(s, "name")->str);
	c->role = (enum hc_role)modinit_opt(s, "role")->index;
	if ((r = hc_probe_kind(hc, c, s, err, errlen)) < 0)
		return r;
	c->interval = modinit_opt(s, "interval")->ms;
	c->timeout = modinit_opt(s, "timeout")->ms;
	c->start_period = modinit_opt(s, "start_period")->ms;
	c->start_interval = modinit_opt(s, "start_interval")->ms;
	if (c->interval == 0 || c->timeout == 0 || c->start_interval == 0)
		return h->error_at(h, s->node, err, errlen,
				   "checks: %s: interval, timeout and start_interval must be above 0",
				   c->name);
	if (retries->integer < 1 || retries->integer > 1000)
		return h->error_at(h, retries->node, err, errlen,
				   "checks: %s: retries: expected 1 to 1000", c->name);
	c->retries = (long)retries->integer;
	return 0;
}

/* The endpoint is modinit's: it answers from what this module publishes. */
static int hc_listen(struct hc *hc, const struct modinit_options *opts, char *err, size_t errlen)
{
	const struct modinit_value *v = modinit_opt(opts, "listen");
	const struct modinit_host *h = hc->host;
	char msg[256];
	int r;

	if (!v->set)
		return 0;
	if (!MODINIT_HOST_HAS(h, endpoint_listen))
		return h->error_at(h, v->node, err, errlen, "listen: this modinit has no endpoint");
	r = h->endpoint_listen(h, v->str, modinit_opt(opts, "listen_public")->boolean, msg,
			       sizeof(msg));
	if (r < 0)
		return h->error_at(h, v->node, err, errlen, "listen: %s%s", msg,
				   r == -EPERM ? "; set listen_public: true to serve it" : "");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

/* Overall: unhealthy if a liveness or startup check is; starting if one is
 * still starting; else healthy. Ready: healthy overall and every readiness
 * check healthy. */
static enum hc_status hc_overall(const struct hc *hc, bool *ready)
{
	enum hc_status s = HC_HEALTHY;

	*ready = true;
	for (size_t i = 0; i < hc->nchecks; i++) {
		const struct hc_check *c = &hc->checks[i];

		if (c->role == HC_READINESS) {
			*ready &= c->status == HC_HEALTHY;
			continue;
		}
		if (c->role == HC_STARTUP && c->passed)
			continue;
		if (c->status == HC_UNHEALTHY)
			s = HC_UNHEALTHY;
		else if (c->status == HC_STARTING && s != HC_UNHEALTHY)
			s = HC_STARTING;
	}
	*ready &= s == HC_HEALTHY;
	return s;
}

static void hc_json(const struct hc *hc, FILE *f)
{
	bool ready;
	enum hc_status s = hc_overall(hc, &ready);

	fprintf(f, "{\"status\": \"%s\", \"ready\": %s, \"restarts\": %ld, \"checks\": [",
		hc_status_names[s], ready ? "true" : "false", hc->restart.count);
	for (size_t i = 0; i < hc->nchecks; i++) {
		const struct hc_check *c = &hc->checks[i];

		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		ml_json_str(f, c->name);
		fprintf(f, ", \"role\": \"%s\", \"status\": \"%s\", \"failing_streak\": %ld, \"log\": [",
			hc_role_names[c->role], hc_status_names[c->status], c->streak);
		for (size_t k = 0; k < c->nhistory; k++) {
			const struct hc_result *r = &c->history[k];

			fprintf(f, "%s\n    {\"start\": ", k ? "," : "");
			ml_json_time(f, r->wall_start);
			fputs(", \"end\": ", f);
			ml_json_time(f, r->wall_end);
			fprintf(f, ", \"duration_ms\": %llu, \"ok\": %s, \"code\": %d, \"error\": ",
				(unsigned long long)(r->end - r->start), r->ok ? "true" : "false", r->code);
			ml_json_str(f, r->error);
			fputs(", \"output\": ", f);
			ml_json_str(f, r->output);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

/* "STATUS READINESS", the first line of the health file. */
static void hc_summary(const struct hc *hc, char *buf, size_t len)
{
	bool ready;
	enum hc_status s = hc_overall(hc, &ready);

	snprintf(buf, len, "%s %s", hc_status_names[s], ready ? "ready" : "not-ready");
}

/* What the status files say, without the times and outputs of the log:
 * the overall status and restarts, and per check its status, its failing
 * streak and how its last probe ended. A probe that changes none of these
 * changes nothing worth a write. */
static void hc_state_key(const struct hc *hc, char *key, size_t len)
{
	bool ready;
	enum hc_status s = hc_overall(hc, &ready);
	size_t n = (size_t)snprintf(key, len, "%d %d %ld", (int)s, ready, hc->restart.count);

	for (size_t i = 0; i < hc->nchecks && n < len; i++) {
		const struct hc_check *c = &hc->checks[i];
		const struct hc_result *r = c->nhistory ? &c->history[c->nhistory - 1] : NULL;

		n += (size_t)snprintf(key + n, len - n, "|%d %ld %d %d %s", (int)c->status, c->streak,
				      r ? r->ok : -1, r ? r->code : 0, r ? r->error : "");
	}
}

/* Published once per change of what it says: the detail is a whole JSON
 * text to render, and each change makes modinit rewrite its document. */
static void hc_publish(struct hc *hc)
{
	static const int health[] = { [HC_STARTING] = MODINIT_HEALTH_STARTING,
				       [HC_HEALTHY] = MODINIT_HEALTH_HEALTHY,
				       [HC_UNHEALTHY] = MODINIT_HEALTH_UNHEALTHY };
	const struct modinit_host *h = hc->host;
	char *json = NULL, summary[64], key[sizeof(hc->last_key)];
	size_t jlen = 0;
	bool ready;
	enum hc_status s;
	FILE *f;

	hc_summary(hc, summary, sizeof(summary));
	if (strcmp(summary, hc->last_summary) != 0) {
		h->publish_status(h, summary);
		snprintf(hc->last_summary, sizeof(hc->last_summary), "%s", summary);
	}
	hc_state_key(hc, key, sizeof(key));
	/* An older modinit has no health to publish to (nor --health). */
	if ((hc->published && strcmp(key, hc->last_key) == 0) || !MODINIT_HOST_HAS(h, publish_health))
		return;
	f = open_memstream(&json, &jlen);
	if (!f)
		return;
	hc_json(hc, f);
	s = hc_overall(hc, &ready);
	if (fclose(f) == 0 && h->publish_health(h, health[s], ready, json) == 0) {
		snprintf(hc->last_key, sizeof(hc->last_key), "%s", key);
		hc->published = true;
	}
	free(json);
}

/* ------------------------------------------------------------------ */
/* Probes                                                              */
/* ------------------------------------------------------------------ */

static void hc_schedule(struct hc_check *c, uint64_t delay);
static void hc_start_all(struct hc *hc);

static bool hc_startup_done(const struct hc *hc)
{
	for (size_t i = 0; i < hc->nchecks; i++)
		if (hc->checks[i].role == HC_STARTUP && !hc->checks[i].passed)
			return false;
	return true;
}

static bool hc_in_start_period(const struct hc_check *c, uint64_t when)
{
	return when < c->hc->started + c->start_period;
}

static uint64_t hc_now(const struct hc *hc)
{
	return hc->host->now_ms(hc->host);
}

static void hc_stop_probe(struct hc_check *c);

static void hc_act(struct hc *hc, const struct hc_check *c)
{
	char reason[128];

	if (hc->action.kind == ML_ACTION_RESTART && hc->restarting)
		return;
	snprintf(reason, sizeof(reason), "check %s is unhealthy", c->name);
	switch (ml_action_run(hc->host, &hc->action, &hc->restart, reason)) {
	case ML_ACTED_ENDING:
		hc->stopping = true;
		break;
	case ML_ACTED_RESTARTING:
		hc->restarting = true;
		/* Nothing to probe until it runs again: on_spawn starts over. */
		for (size_t i = 0; i < hc->nchecks; i++)
			hc_stop_probe(&hc->checks[i]);
		break;
	default:
		break;
	}
}

/* Docker: start_interval between probes while the check is starting inside
 * the start period, interval otherwise. */
static uint64_t hc_next_delay(const struct hc_check *c)
{
	if (c->status == HC_STARTING && hc_in_start_period(c, hc_now(c->hc)))
		return c->start_interval;
	return c->interval;
}

static void hc_set_status(struct hc_check *c, enum hc_status s, const char *why)
{
	if (c->status == s)
		return;
	c->status = s;
	c->hc->host->log(c->hc->host, s == HC_UNHEALTHY ? MODINIT_LOG_WARN : MODINIT_LOG_INFO,
			 "check %s (%s) is %s%s%s", c->name, hc_role_names[c->role], hc_status_names[s],
			 why && *why ? ": " : "", why ? why : "");
}

/* A probe ended: record it, apply Docker's rules, schedule the next one. */
static void hc_finish(struct hc_check *c, bool ok, int code, const char *error)
{
	struct hc *hc = c->hc;
	bool counts;

	c->running = false;
	c->cur.end = hc_now(hc);
	c->cur.wall_end = ml_wall_ms();
	c->cur.ok = ok;
	c->cur.code = code;
	snprintf(c->cur.error, sizeof(c->cur.error), "%s", error ? error : "");
	if (c->nhistory == HC_HISTORY)
		memmove(c->history, c->history + 1, (HC_HISTORY - 1) * sizeof(c->history[0]));
	else
		c->nhistory++;
	c->history[c->nhistory - 1] = c->cur;

	if (ok) {
		c->streak = 0;
		hc_set_status(c, HC_HEALTHY, NULL);
		if (c->role == HC_STARTUP && !c->passed) {
			c->passed = true;
			if (hc_startup_done(hc))
				hc_start_all(hc);
		}
	} else {
		/* Docker: a failure inside the start period, while the check has
		 * never succeeded, does not count. */
		counts = !(c->status == HC_STARTING && hc_in_start_period(c, c->cur.start));
		if (counts && ++c->streak >= c->retries && c->status != HC_UNHEALTHY) {
			hc_set_status(c, HC_UNHEALTHY, error);
			if (c->role != HC_READINESS && !hc->stopping)
				hc_act(hc, c);
		}
	}
	hc_publish(hc);
	if (!hc->stopping && !hc->restarting && !(c->role == HC_STARTUP && c->passed))
		hc_schedule(c, hc_next_delay(c));
}

static void hc_exec_done(void *arg, int code, bool timed_out)
{
	struct hc_check *c = arg;
	char why[64] = "";

	if (timed_out)
		snprintf(why, sizeof(why), "timed out after %llu ms", (unsigned long long)c->timeout);
	else if (code != 0)
		snprintf(why, sizeof(why), "exit status %d", code);
	hc_finish(c, !timed_out && code == 0, code, why);
}

static void hc_net_done(void *arg, bool ok, int code, const char *error)
{
	hc_finish(arg, ok, code, error);
}

static void hc_probe(void *arg)
{
	struct hc_check *c = arg;
	const struct modinit_host *h = c->hc->host;
	char why[96];
	int r;

	if (c->running || c->hc->stopping)
		return;
	memset(&c->cur, 0, sizeof(c->cur));
	c->cur.start = h->now_ms(h);
	c->cur.wall_start = ml_wall_ms();
	c->running = true;
	if (c->kind == HC_EXEC)
		r = ml_probe_start(&c->probe, (char *const *)c->argv, c->timeout);
	else
		r = ml_net_start(&c->net, &c->ep, c->kind == HC_HTTP, "modinit-healthcheck", c->timeout);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s: %s", c->kind == HC_EXEC ? "spawn" : "connect",
			 strerror(-r));
		hc_finish(c, false, -1, why);
	}
}

static void hc_schedule(struct hc_check *c, uint64_t delay)
{
	const struct modinit_host *h = c->hc->host;

	if (ml_timer_arm(&c->next, delay) < 0)
		h->log(h, MODINIT_LOG_ERROR, "check %s: cannot arm its timer", c->name);
}

/* Schedule the first probe of every check allowed to run: startup and
 * readiness checks at once, liveness checks once startup is done. */
static void hc_start_all(struct hc *hc)
{
	bool live_ok = hc_startup_done(hc);

	for (size_t i = 0; i < hc->nchecks; i++) {
		struct hc_check *c = &hc->checks[i];

		if (c->running || ml_timer_pending(&c->next) || (c->role == HC_STARTUP && c->passed))
			continue;
		if (c->role == HC_LIVENESS && !live_ok)
			continue;
		hc_schedule(c, hc_next_delay(c));
	}
}

/* A startup check still failing when its start period is over counts as a
 * liveness failure: its failures count from then on (hc_finish). */

static void hc_stop_probe(struct hc_check *c)
{
	ml_timer_cancel(&c->next);
	ml_probe_stop(&c->probe);
	ml_net_stop(&c->net);
	c->running = false;
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */
/* ------------------------------------------------------------------ */

static int hc_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	const struct modinit_value *checks = modinit_opt(opts, "checks");
	struct hc *hc = calloc(1, sizeof(*hc));
	int r = 0;

	if (!hc)
		return -ENOMEM;
	hc->host = host;
	/* modinit keeps the published health in the state directory, for
	 * --health: asked now so that an unsafe directory ends the setup (78). */
	host->state_dir(host);
	if (checks->count == 0 || checks->count > HC_MAX_CHECKS)
		r = host->error_at(host, checks->node, err, errlen, "checks: expected 1 to %d checks",
				   HC_MAX_CHECKS);
	for (size_t i = 0; r == 0 && i < checks->count; i++) {
		r = hc_parse_check(hc, &hc->checks[i], modinit_at(checks->list, i)->section, err,
				   errlen);
		hc->nchecks = i + 1;
	}
	if (r == 0)
		r = ml_action_parse(host, modinit_opt(opts, "on_unhealthy"), "on_unhealthy",
				    &hc->action, err, errlen);
	if (r == 0)
		r = ml_restart_parse(host, modinit_opt(opts, "restart")->section, &hc->restart, err,
				     errlen);
	if (r == 0)
		r = hc_listen(hc, opts, err, errlen);
	if (r < 0) {
		free(hc);
		return r;
	}
	*state = hc;
	return 0;
}

static void hc_on_start(void *state)
{
	struct hc *hc = state;

	hc->started = hc->host->now_ms(hc->host);
	hc_start_all(hc);
}

/* The main command (re)started: after a restart every check starts over,
 * with its start period counted from now. */
static void hc_on_spawn(void *state, pid_t pid)
{
	struct hc *hc = state;

	(void)pid;
	/* The first status is published once the command runs: modinit writes
	 * it after the start, which need not wait for the disk. */
	if (!hc->restarting) {
		if (!hc->published)
			hc_publish(hc);
		return;
	}
	hc->restarting = false;
	hc->started = hc->host->now_ms(hc->host);
	for (size_t i = 0; i < hc->nchecks; i++) {
		struct hc_check *c = &hc->checks[i];

		hc_stop_probe(c);
		c->status = HC_STARTING;
		c->streak = 0;
		c->passed = false;
	}
	hc_publish(hc);
	hc_start_all(hc);
}

static void hc_on_shutdown(void *state, int reason)
{
	struct hc *hc = state;

	(void)reason;
	hc->stopping = true;
	for (size_t i = 0; i < hc->nchecks; i++)
		hc_stop_probe(&hc->checks[i]);
}

static void hc_fini(void *state)
{
	struct hc *hc = state;

	hc_on_shutdown(hc, MODINIT_SHUTDOWN_FATAL); /* idempotent */
	free(hc);
}

/* A check, with Docker's defaults (docs/healthcheck.md says what each
 * key means: --describe-module lists the keys of a section only). */
static const struct modinit_option hc_check_fields[] = {
	{ .key = "name", .type = MODINIT_OPT_STRING, .required = true },
	{ .key = "role", .type = MODINIT_OPT_ENUM, .choices = hc_role_names,
	  .default_value = "liveness" },
	{ .key = "http", .type = MODINIT_OPT_STRING },
	{ .key = "tcp", .type = MODINIT_OPT_STRING },
	{ .key = "exec", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_STRING },
	{ .key = "interval", .type = MODINIT_OPT_DURATION, .default_value = "30s" },
	{ .key = "timeout", .type = MODINIT_OPT_DURATION, .default_value = "30s" },
	{ .key = "start_period", .type = MODINIT_OPT_DURATION, .default_value = "0s" },
	{ .key = "start_interval", .type = MODINIT_OPT_DURATION, .default_value = "5s" },
	{ .key = "retries", .type = MODINIT_OPT_INT, .default_value = "3" },
	{ .key = NULL },
};

static const struct modinit_option hc_options[] = {
	{ .key = "checks", .type = MODINIT_OPT_LIST_OF, .item_type = MODINIT_OPT_SECTION,
	  .fields = hc_check_fields, .name_key = "name", .required = true,
	  .help = "the checks: [{name: web, http: http://127.0.0.1:8080/healthz, interval: 10s}]" },
	{ .key = "on_unhealthy", .type = MODINIT_OPT_STRING, .default_value = "none",
	  .help = "none, restart, exit:CODE or signal:SIGNAL, when a liveness check is unhealthy" },
	{ .key = "restart", .type = MODINIT_OPT_SECTION, .fields = ml_restart_fields,
	  .help = "{max: 5, backoff: 1s, max_backoff: 30s, exit_code: 1} for on_unhealthy: restart" },
	{ .key = "listen", .type = MODINIT_OPT_STRING,
	  .help = "ADDRESS:PORT serving GET /healthz, /readyz and /status, e.g. 127.0.0.1:8081" },
	{ .key = "listen_public", .type = MODINIT_OPT_BOOL, .default_value = "false",
	  .help = "allow listen on an address that is not loopback" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(healthcheck) = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_LIVE,
	.name = "healthcheck",
	.version = PACKAGE_VERSION,
	.description = "health checks (exec, tcp, http) with actions, a published status and an endpoint",
	.options = hc_options,
	.init = hc_init,
	.on_start = hc_on_start,
	.on_spawn = hc_on_spawn,
	.on_shutdown = hc_on_shutdown,
	.fini = hc_fini,
};
