/* A binary min-heap of deadlines; the loop arms one timerfd with its top. */
#ifndef MODINIT_TIMER_H
#define MODINIT_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*timer_cb)(void *arg);

struct timer_entry {
	uint64_t deadline; /* CLOCK_MONOTONIC, milliseconds */
	uint64_t id;       /* > 0, unique for the heap's life */
	timer_cb cb;
	void *arg;
};

struct timer_heap {
	struct timer_entry *v;
	size_t n, cap;
	uint64_t next_id;
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
/* 0 and *id set, or -ENOMEM. Equal deadlines fire in insertion order. */
int timer_heap_push(struct timer_heap *h, uint64_t deadline, timer_cb cb, void *arg,
		    uint64_t *id);
/* true if the timer was pending and is now gone. */
bool timer_heap_cancel(struct timer_heap *h, uint64_t id);
/* The earliest entry, or NULL when empty. */
const struct timer_entry *timer_heap_top(const struct timer_heap *h);
/* Remove the earliest entry if its deadline is <= now; true if one was. */
bool timer_heap_pop_expired(struct timer_heap *h, uint64_t now, struct timer_entry *out);

#endif
