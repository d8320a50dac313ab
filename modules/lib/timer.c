/* A timer a module re-arms often (the next probe, a timeout): the host's
 * timers are one-shot, so this keeps the pending id and forgets it when
 * the call fires, so that a later cancel never names a reused id. */
#include "config.h"

#include <time.h>

#include "modlib.h"

static void timer_fire(void *arg)
{
	struct ml_timer *t = arg;

	t->id = 0; /* before the call: it may arm the timer again */
	t->cb(t->arg);
}

void ml_timer_init(struct ml_timer *t, const struct modinit_host *h, modinit_timer_cb cb,
		   void *arg)
{
	*t = (struct ml_timer){ .host = h, .cb = cb, .arg = arg };
}

int ml_timer_arm(struct ml_timer *t, uint64_t delay_ms)
{
	int r;

	ml_timer_cancel(t);
	r = t->host->timer_add(t->host, delay_ms, timer_fire, t, &t->id);
	if (r < 0)
		t->id = 0;
	return r;
}

void ml_timer_cancel(struct ml_timer *t)
{
	if (t->id)
		t->host->timer_cancel(t->host, t->id);
	t->id = 0;
}

int64_t ml_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
