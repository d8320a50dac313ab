/* What a module does when the main command is found wanting (a failing
 * liveness check, a watchdog that was not fed, a command that never became
 * ready): nothing, restart it, end the container with a code, or send it a
 * signal. One parser and one runner, so that every module that offers
 * these actions writes them, and logs them, the same way. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modlib.h"

static int action_exit(const struct modinit_host *h, const struct modinit_value *v,
		       const char *what, struct ml_action *a, char *err, size_t errlen)
{
	const char *s = v->str;
	char *end;
	long code = strtol(s + 5, &end, 10);

	if (!s[5] || *end || code < 0 || code > 255)
		return h->error_at(h, v->node, err, errlen,
				   "%s: expected exit:CODE with CODE 0 to 255, got \"%s\"", what, s);
	a->kind = ML_ACTION_EXIT;
	a->arg = (int)code;
	return 0;
}

/* The signal is parsed as the config parses one, placed at the option. */
static int action_signal(const struct modinit_host *h, const struct modinit_value *v,
			 const char *what, struct ml_action *a, char *err, size_t errlen)
{
	const char *s = v->str;
	struct modinit_node sn = { .type = MODINIT_NODE_SCALAR, .value = s + 7,
				   .line = v->node ? v->node->line : 0,
				   .column = v->node ? v->node->column : 0 };
	struct modinit_value sv;

	if (h->parse_node(h, MODINIT_OPT_SIGNAL, &sn, what, &sv, err, errlen) < 0)
		return -EINVAL;
	a->kind = ML_ACTION_SIGNAL;
	a->arg = sv.signo;
	snprintf(a->text, sizeof(a->text), "%s", s + 7);
	return 0;
}

int ml_action_parse(const struct modinit_host *h, const struct modinit_value *v,
		    const char *what, struct ml_action *a, char *err, size_t errlen)
{
	const char *s = v->str;

	*a = (struct ml_action){ .kind = ML_ACTION_NONE };
	if (strcmp(s, "none") == 0)
		return 0;
	if (strcmp(s, "restart") == 0) {
		a->kind = ML_ACTION_RESTART;
		return 0;
	}
	if (strncmp(s, "exit:", 5) == 0)
		return action_exit(h, v, what, a, err, errlen);
	if (strncmp(s, "signal:", 7) == 0)
		return action_signal(h, v, what, a, err, errlen);
	return h->error_at(h, v->node, err, errlen,
			   "%s: expected none, restart, exit:CODE or signal:SIGNAL, got \"%s\"",
			   what, s);
}

const struct modinit_option ml_restart_fields[] = {
	{ .key = "max", .type = MODINIT_OPT_INT, .help = "restarts at most (5)" },
	{ .key = "backoff", .type = MODINIT_OPT_DURATION, .help = "the first restart's delay (1s)" },
	{ .key = "max_backoff", .type = MODINIT_OPT_DURATION,
	  .help = "the delay doubles up to this (30s)" },
	{ .key = "exit_code", .type = MODINIT_OPT_INT,
	  .help = "the container's code after max restarts (1)" },
	{ .key = NULL },
};

/* An integer field within 0..max; absent (or the section absent): kept. */
static int restart_int(const struct modinit_host *h, const struct modinit_options *s,
		       const char *key, long long max, long *out, char *err, size_t errlen)
{
	const struct modinit_value *v = s ? modinit_opt(s, key) : NULL;

	if (!v || !v->set)
		return 0;
	if (v->integer < 0 || v->integer > max)
		return h->error_at(h, v->node, err, errlen, "restart: %s: out of range", key);
	*out = (long)v->integer;
	return 0;
}

static void restart_ms(const struct modinit_options *s, const char *key, uint64_t *out)
{
	const struct modinit_value *v = s ? modinit_opt(s, key) : NULL;

	if (v && v->set)
		*out = v->ms;
}

/* The defaults live here, not in the schema: the section may be left out
 * whole, and a section has no default. */
int ml_restart_parse(const struct modinit_host *h, const struct modinit_options *s,
		     struct ml_restart *r, char *err, size_t errlen)
{
	*r = (struct ml_restart){ .max = 5, .exit_code = 1, .backoff = 1000, .max_backoff = 30000 };
	if (restart_int(h, s, "max", 1000000, &r->max, err, errlen) < 0 ||
	    restart_int(h, s, "exit_code", 255, &r->exit_code, err, errlen) < 0)
		return -EINVAL;
	restart_ms(s, "backoff", &r->backoff);
	restart_ms(s, "max_backoff", &r->max_backoff);
	if (r->max_backoff < r->backoff)
		r->max_backoff = r->backoff;
	return 0;
}

/* The delay doubles with each restart up to max_backoff; past max
 * restarts the container ends with exit_code. */
static int action_restart(const struct modinit_host *h, struct ml_restart *rs, const char *reason)
{
	uint64_t delay = rs->backoff;
	int r;

	if (rs->count >= rs->max) {
		h->log(h, MODINIT_LOG_WARN, "%s after %ld restarts: ending the container with %ld",
		       reason, rs->count, rs->exit_code);
		h->request_shutdown(h, (int)rs->exit_code, reason);
		return ML_ACTED_ENDING;
	}
	for (long i = 0; i < rs->count && delay < rs->max_backoff; i++)
		delay *= 2;
	if (delay > rs->max_backoff)
		delay = rs->max_backoff;
	r = h->restart_main(h, delay);
	if (r < 0) {
		h->log(h, MODINIT_LOG_WARN, "%s: cannot restart the main command: %s", reason,
		       strerror(-r));
		return ML_ACTED_FAILED;
	}
	rs->count++;
	h->log(h, MODINIT_LOG_WARN,
	       "%s: restarting the main command (restart %ld of %ld, %llu ms after it stops)",
	       reason, rs->count, rs->max, (unsigned long long)delay);
	return ML_ACTED_RESTARTING;
}

int ml_action_run(const struct modinit_host *h, const struct ml_action *a, struct ml_restart *rs,
		  const char *reason)
{
	int r;

	switch (a->kind) {
	case ML_ACTION_NONE:
		break;
	case ML_ACTION_EXIT:
		h->log(h, MODINIT_LOG_WARN, "%s: ending the container with %d", reason, a->arg);
		h->request_shutdown(h, a->arg, reason);
		return ML_ACTED_ENDING;
	case ML_ACTION_SIGNAL:
		r = h->signal(h, MODINIT_TARGET_MAIN, a->arg);
		if (r < 0) {
			h->log(h, MODINIT_LOG_WARN, "%s: cannot send %s to the main command: %s",
			       reason, a->text, strerror(-r));
			return ML_ACTED_FAILED;
		}
		h->log(h, MODINIT_LOG_WARN, "%s: sent %s to the main command", reason, a->text);
		return ML_ACTED_SIGNALLED;
	case ML_ACTION_RESTART:
		return action_restart(h, rs, reason);
	}
	return ML_ACTED_NOTHING;
}
