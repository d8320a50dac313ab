/* signal-remap: forward a signal as another one, drop it, send it to another
 * target, or hold it back for a while before forwarding it.
 *
 *   modules:
 *     - name: signal-remap
 *       map: {SIGTERM: SIGQUIT, SIGWINCH: ignore}
 *       target: group
 *       delay: {SIGTERM: 15s}
 *
 * The order, for a signal S reaching the module:
 *   1. delay is looked up by S as it arrived. If S has a delay, the module
 *      keeps S and arms one timer; S arriving again while that timer runs
 *      is dropped (logged), so a second TERM neither restarts nor doubles
 *      the wait. When the timer fires, steps 2 and 3 apply and the result
 *      is sent through the host.
 *   2. map: S becomes its mapped signal, or is dropped if mapped to ignore.
 *   3. target, when given, replaces where the signal goes; without it the
 *      target chosen before this module (the mode's) is kept.
 * Several modules compose in config order; this one sees the signal as the
 * modules before it left it. CLI: -r FROM:TO is a map entry. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modinit/module.h>

#include "lib/descriptor.h"

#include "signame.h"

#define SR_NSIG 65 /* signals 1..64 */
#define SR_IGNORE (-1)

struct sr_delay {
	uint64_t ms;     /* 0: no delay for this signal */
	uint64_t timer;  /* pending timer id, 0 if none */
	int target;      /* the target the held signal had */
};

struct sr;

struct sr_hold { /* a timer's argument: which signal of which instance */
	struct sr *sr;
	int signo;
};

struct sr {
	const struct modinit_host *host;
	int map[SR_NSIG];            /* 0: unchanged, SR_IGNORE, or a signal */
	struct sr_delay delay[SR_NSIG];
	struct sr_hold hold[SR_NSIG];
	int target;                  /* -1: keep the pipeline's target */
};

/* map and delay are mappings keyed by signals: the keys are data, not a
 * schema, so each key and value goes through the host's converter. */
static int sr_signal_key(struct sr *s, const struct modinit_node *key, const char *opt, int *sig,
			 char *err, size_t errlen)
{
	struct modinit_value v;

	if (s->host->parse_node(s->host, MODINIT_OPT_SIGNAL, key, opt, &v, err, errlen) < 0)
		return -EINVAL;
	if (v.signo == SIGKILL || v.signo == SIGSTOP || v.signo == SIGCHLD)
		return s->host->error_at(s->host, key, err, errlen,
					 "%s: %s cannot be remapped or delayed", opt, key->value);
	*sig = v.signo;
	return 0;
}

static int sr_parse_map(struct sr *s, const struct modinit_node *map, char *err, size_t errlen)
{
	for (size_t i = 0; map && i < map->count; i++) {
		const struct modinit_node *to = &map->items[i];
		struct modinit_value v;
		char what[80];
		int from;

		if (sr_signal_key(s, &map->keys[i], "map", &from, err, errlen) < 0)
			return -EINVAL;
		if (s->map[from])
			return s->host->error_at(s->host, &map->keys[i], err, errlen,
						 "map: %s is mapped twice", map->keys[i].value);
		if (to->type == MODINIT_NODE_SCALAR && strcmp(to->value, "ignore") == 0) {
			s->map[from] = SR_IGNORE;
			continue;
		}
		snprintf(what, sizeof(what), "map: %s", map->keys[i].value);
		if (to->type == MODINIT_NODE_SCALAR &&
		    s->host->parse_node(s->host, MODINIT_OPT_SIGNAL, to, what, &v, err, errlen) == 0) {
			s->map[from] = v.signo;
			continue;
		}
		return s->host->error_at(s->host, to, err, errlen,
					 "%s: expected a signal like SIGQUIT or ignore, got %s%s%s", what,
					 to->type == MODINIT_NODE_SCALAR ? "\"" : "",
					 to->type == MODINIT_NODE_SCALAR ? to->value
					 : to->type == MODINIT_NODE_MAP ? "a mapping" : "a list",
					 to->type == MODINIT_NODE_SCALAR ? "\"" : "");
	}
	return 0;
}

static int sr_parse_delay(struct sr *s, const struct modinit_node *map, char *err, size_t errlen)
{
	for (size_t i = 0; map && i < map->count; i++) {
		struct modinit_value v;
		char what[80];
		int sig;

		if (sr_signal_key(s, &map->keys[i], "delay", &sig, err, errlen) < 0)
			return -EINVAL;
		if (s->delay[sig].ms)
			return s->host->error_at(s->host, &map->keys[i], err, errlen,
						 "delay: %s is given twice", map->keys[i].value);
		snprintf(what, sizeof(what), "delay: %s", map->keys[i].value);
		if (s->host->parse_node(s->host, MODINIT_OPT_DURATION, &map->items[i], what, &v, err,
					errlen) < 0)
			return -EINVAL;
		if (v.ms == 0)
			return s->host->error_at(s->host, &map->items[i], err, errlen,
						 "%s: a delay must be longer than 0s", what);
		s->delay[sig].ms = v.ms;
	}
	return 0;
}

/* target: the schema checks the word; its index picks the target. */
static const char *const sr_targets[] = { "child", "group", "all", NULL };
static const int sr_target_of[] = { MODINIT_TARGET_MAIN, MODINIT_TARGET_GROUP,
				    MODINIT_TARGET_ALL };

static int sr_init(const struct modinit_host *host, const struct modinit_options *opts,
		   void **state, char *err, size_t errlen)
{
	struct sr *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->host = host;
	if (sr_parse_map(s, modinit_opt(opts, "map")->node, err, errlen) < 0 ||
	    sr_parse_delay(s, modinit_opt(opts, "delay")->node, err, errlen) < 0) {
		free(s);
		return -EINVAL;
	}
	/* Without target, the target chosen before this module is kept. */
	s->target = modinit_opt(opts, "target")->set
			    ? sr_target_of[modinit_opt(opts, "target")->index] : -1;
	for (int i = 0; i < SR_NSIG; i++)
		s->hold[i] = (struct sr_hold){ s, i };
	*state = s;
	return 0;
}

/* Steps 2 and 3: map, then target. false if the signal is dropped. */
static bool sr_apply(const struct sr *s, int *signo, int *target)
{
	int to = s->map[*signo];

	if (to == SR_IGNORE)
		return false;
	if (to)
		*signo = to;
	if (s->target >= 0)
		*target = s->target;
	return true;
}

static void sr_release(void *arg)
{
	struct sr_hold *h = arg;
	struct sr *s = h->sr;
	struct sr_delay *d = &s->delay[h->signo];
	int signo = h->signo, target = d->target;
	char name[32];

	d->timer = 0;
	if (!sr_apply(s, &signo, &target))
		return;
	s->host->log(s->host, MODINIT_LOG_INFO, "delay over: sending %s",
		     signal_name(signo, name, sizeof(name)));
	s->host->signal(s->host, target, signo);
}

static int sr_on_signal(void *state, struct modinit_signal *sig)
{
	struct sr *s = state;
	struct sr_delay *d;
	char name[32];

	if (sig->signo <= 0 || sig->signo >= SR_NSIG)
		return MODINIT_SIGNAL_PASS;
	d = &s->delay[sig->signo];
	if (d->ms && d->timer) {
		s->host->log(s->host, MODINIT_LOG_INFO, "%s again while it is held back: dropped",
			     signal_name(sig->signo, name, sizeof(name)));
		return MODINIT_SIGNAL_DROP;
	}
	if (d->ms) {
		d->target = sig->target;
		if (s->host->timer_add(s->host, d->ms, sr_release, &s->hold[sig->signo], &d->timer) == 0) {
			s->host->log(s->host, MODINIT_LOG_INFO, "%s held back for %llu ms",
				     signal_name(sig->signo, name, sizeof(name)), (unsigned long long)d->ms);
			return MODINIT_SIGNAL_CONSUMED;
		}
		/* No timer: forwarding now beats losing the signal. */
		s->host->log(s->host, MODINIT_LOG_WARN, "cannot hold %s back: forwarding it now",
			     signal_name(sig->signo, name, sizeof(name)));
		d->timer = 0;
	}
	return sr_apply(s, &sig->signo, &sig->target) ? MODINIT_SIGNAL_PASS : MODINIT_SIGNAL_DROP;
}

/* The container is ending: a held signal has nobody left to reach. */
static void sr_on_shutdown(void *state, int reason)
{
	struct sr *s = state;

	(void)reason;
	for (int i = 0; i < SR_NSIG; i++) {
		if (s->delay[i].timer) {
			s->host->timer_cancel(s->host, s->delay[i].timer);
			s->delay[i].timer = 0;
		}
	}
}

static void sr_fini(void *state)
{
	free(state);
}

static const struct modinit_option sr_options[] = {
	{ .key = "map", .type = MODINIT_OPT_MAP,
	  .help = "signal to signal or ignore, e.g. {SIGTERM: SIGQUIT, SIGWINCH: ignore}" },
	{ .key = "target", .type = MODINIT_OPT_ENUM, .choices = sr_targets,
	  .help = "child, group or all (default: the mode's target, the child in wait mode)" },
	{ .key = "delay", .type = MODINIT_OPT_MAP,
	  .help = "signal to duration, forwarded after it, e.g. {SIGTERM: 15s}" },
	{ .key = NULL },
};

MODINIT_DESCRIPTOR(signal_remap) = {
	MODINIT_MODULE_HEADER,
	.flags = MODINIT_FLAG_LIVE,
	.name = "signal-remap",
	.version = PACKAGE_VERSION,
	.description = "forward signals as others, drop them, or hold them back for a while",
	.options = sr_options,
	.init = sr_init,
	.on_signal = sr_on_signal,
	.on_shutdown = sr_on_shutdown,
	.fini = sr_fini,
};
