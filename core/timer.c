#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "timer.h"

/* Ids grow monotonically, so (deadline, id) is a total order that keeps
 * timers with the same deadline in the order they were added. */
static bool entry_before(const struct timer_entry *a, const struct timer_entry *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->id < b->id;
}

static void swap_entries(struct timer_heap *h, size_t a, size_t b)
{
	struct timer_entry t = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = t;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!entry_before(&h->v[i], &h->v[parent]))
			break;
		swap_entries(h, i, parent);
		i = parent;
	}
}

static void sift_down(struct timer_heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->n && entry_before(&h->v[l], &h->v[m]))
			m = l;
		if (r < h->n && entry_before(&h->v[r], &h->v[m]))
			m = r;
		if (m == i)
			break;
		swap_entries(h, i, m);
		i = m;
	}
}

void timer_heap_init(struct timer_heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
	h->next_id = 1;
}

void timer_heap_free(struct timer_heap *h)
{
	free(h->v);
	timer_heap_init(h);
}

int timer_heap_push(struct timer_heap *h, uint64_t deadline, timer_cb cb, void *arg,
		    uint64_t *id)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 8;
		struct timer_entry *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	h->v[h->n] = (struct timer_entry){ deadline, h->next_id++, cb, arg };
	if (id)
		*id = h->v[h->n].id;
	sift_up(h, h->n++);
	return 0;
}

static void remove_at(struct timer_heap *h, size_t i)
{
	h->n--;
	if (i == h->n)
		return;
	h->v[i] = h->v[h->n];
	sift_up(h, i);
	sift_down(h, i);
}

bool timer_heap_cancel(struct timer_heap *h, uint64_t id)
{
	/* Linear: an init holds a handful of timers, never thousands. */
	for (size_t i = 0; i < h->n; i++) {
		if (h->v[i].id == id) {
			remove_at(h, i);
			return true;
		}
	}
	return false;
}

const struct timer_entry *timer_heap_top(const struct timer_heap *h)
{
	return h->n ? &h->v[0] : NULL;
}

bool timer_heap_pop_expired(struct timer_heap *h, uint64_t now, struct timer_entry *out)
{
	if (!h->n || h->v[0].deadline > now)
		return false;
	*out = h->v[0];
	remove_at(h, 0);
	return true;
}
