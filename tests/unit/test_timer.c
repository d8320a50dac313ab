/* The timer heap behind the loop's one timerfd. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "timer.h"

static void nop(void *arg)
{
	(void)arg;
}

/* Pop everything due at now into ids[]; returns how many. */
static size_t drain(struct timer_heap *h, uint64_t now, uint64_t *ids, size_t max)
{
	struct timer_entry e;
	size_t n = 0;

	while (n < max && timer_heap_pop_expired(h, now, &e))
		ids[n++] = e.id;
	return n;
}

static void test_empty(void **state)
{
	struct timer_heap h;
	struct timer_entry e;

	(void)state;
	timer_heap_init(&h);
	assert_null(timer_heap_top(&h));
	assert_false(timer_heap_pop_expired(&h, UINT64_MAX, &e));
	assert_false(timer_heap_cancel(&h, 1));
	timer_heap_free(&h);
}

static void test_order(void **state)
{
	static const uint64_t deadlines[] = { 50, 10, 40, 20, 30 };
	uint64_t id[5], got[5];
	struct timer_heap h;

	(void)state;
	timer_heap_init(&h);
	for (int i = 0; i < 5; i++)
		assert_int_equal(timer_heap_push(&h, deadlines[i], nop, NULL, &id[i]), 0);
	assert_int_equal(timer_heap_top(&h)->deadline, 10);
	assert_int_equal(drain(&h, 5, got, 5), 0); /* nothing due yet */
	assert_int_equal(drain(&h, 25, got, 5), 2);
	assert_int_equal(got[0], id[1]);
	assert_int_equal(got[1], id[3]);
	assert_int_equal(drain(&h, 1000, got, 5), 3);
	assert_int_equal(got[0], id[4]);
	assert_int_equal(got[1], id[2]);
	assert_int_equal(got[2], id[0]);
	assert_null(timer_heap_top(&h));
	timer_heap_free(&h);
}

static void test_equal_deadlines_fifo(void **state)
{
	uint64_t id[4], got[4];
	struct timer_heap h;

	(void)state;
	timer_heap_init(&h);
	for (int i = 0; i < 4; i++)
		timer_heap_push(&h, 100, nop, NULL, &id[i]);
	assert_int_equal(drain(&h, 100, got, 4), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(got[i], id[i]);
	timer_heap_free(&h);
}

static void test_cancel(void **state)
{
	uint64_t id[6], got[6];
	struct timer_heap h;

	(void)state;
	timer_heap_init(&h);
	for (int i = 0; i < 6; i++)
		timer_heap_push(&h, (uint64_t)(i + 1) * 10, nop, NULL, &id[i]);
	assert_true(timer_heap_cancel(&h, id[0]));  /* the head */
	assert_true(timer_heap_cancel(&h, id[3]));  /* the middle */
	assert_true(timer_heap_cancel(&h, id[5]));  /* the last */
	assert_false(timer_heap_cancel(&h, id[3])); /* already gone */
	assert_int_equal(timer_heap_top(&h)->id, id[1]);
	assert_int_equal(drain(&h, 1000, got, 6), 3);
	assert_int_equal(got[0], id[1]);
	assert_int_equal(got[1], id[2]);
	assert_int_equal(got[2], id[4]);
	assert_false(timer_heap_cancel(&h, id[1])); /* fired: not pending */
	timer_heap_free(&h);
}

/* Ids stay unique even after timers come and go. */
static void test_ids_unique(void **state)
{
	struct timer_heap h;
	uint64_t a, b, c;

	(void)state;
	timer_heap_init(&h);
	timer_heap_push(&h, 1, nop, NULL, &a);
	timer_heap_cancel(&h, a);
	timer_heap_push(&h, 1, nop, NULL, &b);
	timer_heap_push(&h, 1, nop, NULL, &c);
	assert_true(a > 0 && b > 0 && c > 0);
	assert_true(a != b && b != c && a != c);
	timer_heap_free(&h);
}

/* Re-arming a timer is cancel + push: the new deadline decides its place,
 * whether it moves earlier or later than the others. */
static void test_rearm(void **state)
{
	uint64_t a, b, c, got[3];
	struct timer_heap h;

	(void)state;
	timer_heap_init(&h);
	timer_heap_push(&h, 100, nop, NULL, &a);
	timer_heap_push(&h, 200, nop, NULL, &b);
	timer_heap_push(&h, 300, nop, NULL, &c);
	assert_true(timer_heap_cancel(&h, c)); /* c moves to the front */
	timer_heap_push(&h, 50, nop, NULL, &c);
	assert_int_equal(timer_heap_top(&h)->id, c);
	assert_int_equal(timer_heap_top(&h)->deadline, 50);
	assert_true(timer_heap_cancel(&h, c)); /* and to the back */
	timer_heap_push(&h, 500, nop, NULL, &c);
	assert_true(timer_heap_cancel(&h, a)); /* a after b */
	timer_heap_push(&h, 250, nop, NULL, &a);
	assert_int_equal(drain(&h, 1000, got, 3), 3);
	assert_int_equal(got[0], b);
	assert_int_equal(got[1], a);
	assert_int_equal(got[2], c);
	assert_null(timer_heap_top(&h));
	timer_heap_free(&h);
}

/* A periodic timer pushes itself again when it fires, as a callback does
 * from inside the loop's pass; two periods interleave correctly. */
static void test_periodic(void **state)
{
	static const uint64_t want_deadline[] = { 30, 50, 60, 90, 100, 120, 150, 150 };
	/* At 150 both are due: the 50 ms one was re-armed first (at 100). */
	static const uint64_t want_which[] = { 0, 1, 0, 0, 1, 0, 1, 0 };
	static const uint64_t period[2] = { 30, 50 };
	uint64_t which[2] = { 0, 1 };
	struct timer_heap h;
	struct timer_entry e;
	size_t n = 0;

	(void)state;
	timer_heap_init(&h);
	timer_heap_push(&h, period[0], nop, &which[0], NULL);
	timer_heap_push(&h, period[1], nop, &which[1], NULL);
	while (n < sizeof(want_deadline) / sizeof(want_deadline[0])) {
		uint64_t k;

		assert_true(timer_heap_pop_expired(&h, UINT64_MAX, &e));
		assert_int_equal(e.deadline, want_deadline[n]);
		k = *(uint64_t *)e.arg;
		assert_int_equal(k, want_which[n]);
		assert_int_equal(timer_heap_push(&h, e.deadline + period[k], nop, e.arg, NULL), 0);
		n++;
	}
	assert_int_equal(timer_heap_top(&h)->deadline, 180);
	timer_heap_free(&h);
}

/* What is pushed while expired timers are being drained runs in the same
 * drain if it is already due, and not before its time otherwise. */
static void test_push_while_draining(void **state)
{
	struct timer_heap h;
	struct timer_entry e;
	uint64_t first, due, later;

	(void)state;
	timer_heap_init(&h);
	timer_heap_push(&h, 10, nop, NULL, &first);
	assert_true(timer_heap_pop_expired(&h, 20, &e));
	assert_int_equal(e.id, first);
	timer_heap_push(&h, 20, nop, NULL, &due);
	timer_heap_push(&h, 21, nop, NULL, &later);
	assert_true(timer_heap_pop_expired(&h, 20, &e));
	assert_int_equal(e.id, due);
	assert_false(timer_heap_pop_expired(&h, 20, &e));
	assert_int_equal(timer_heap_top(&h)->id, later);
	timer_heap_free(&h);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Many random deadlines with random cancellations come out sorted. */
static void test_many(void **state)
{
	enum { N = 2000 };
	uint64_t *dl = malloc(N * sizeof(*dl)), *ids = malloc(N * sizeof(*ids));
	uint64_t *want = malloc(N * sizeof(*want));
	struct timer_heap h;
	struct timer_entry e;
	size_t nwant = 0, popped = 0;
	uint64_t last = 0;

	(void)state;
	srand(7);
	timer_heap_init(&h);
	for (int i = 0; i < N; i++) {
		dl[i] = (uint64_t)(rand() % 100000);
		assert_int_equal(timer_heap_push(&h, dl[i], nop, &dl[i], &ids[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		if (i % 3 == 0)
			assert_true(timer_heap_cancel(&h, ids[i]));
		else
			want[nwant++] = dl[i];
	}
	qsort(want, nwant, sizeof(*want), cmp_u64);
	while (timer_heap_pop_expired(&h, UINT64_MAX, &e)) {
		assert_true(e.deadline >= last);
		assert_int_equal(e.deadline, want[popped]);
		assert_int_equal(*(uint64_t *)e.arg, e.deadline);
		last = e.deadline;
		popped++;
	}
	assert_int_equal(popped, nwant);
	timer_heap_free(&h);
	free(dl);
	free(ids);
	free(want);
}

/* 1000 random deadlines, many of them equal, cancelled in random order:
 * what is left pops sorted by deadline, equal ones in insertion order. */
static void test_random_cancel(void **state)
{
	enum { N = 1000 };
	struct timer_heap h;
	struct timer_entry e, prev = { 0 };
	uint64_t ids[N], dl[N];
	int order[N];
	size_t left = N, popped = 0;

	(void)state;
	srand(11);
	timer_heap_init(&h);
	for (int i = 0; i < N; i++) {
		dl[i] = 1000 + (uint64_t)(rand() % 64);
		assert_int_equal(timer_heap_push(&h, dl[i], nop, NULL, &ids[i]), 0);
		order[i] = i;
	}
	for (int i = N - 1; i > 0; i--) { /* Fisher-Yates */
		int j = rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < N / 2; i++) {
		assert_true(timer_heap_cancel(&h, ids[order[i]]));
		left--;
	}
	for (int i = 0; i < N / 2; i++)
		assert_false(timer_heap_cancel(&h, ids[order[i]]));
	assert_int_equal(h.n, left);
	while (timer_heap_pop_expired(&h, UINT64_MAX, &e)) {
		if (popped > 0) {
			assert_true(e.deadline >= prev.deadline);
			if (e.deadline == prev.deadline)
				assert_true(e.id > prev.id);
		}
		for (int i = 0; i < N; i++)
			if (ids[i] == e.id)
				assert_int_equal(dl[i], e.deadline);
		prev = e;
		popped++;
	}
	assert_int_equal(popped, N / 2);
	assert_null(timer_heap_top(&h));
	timer_heap_free(&h);
}

/* The loop's timerfd follows the heap: armed at the earliest deadline,
 * disarmed when nothing is pending, so an idle init never wakes. */
static bool timerfd_armed(int tfd)
{
	struct itimerspec its;

	assert_int_equal(timerfd_gettime(tfd, &its), 0);
	return its.it_value.tv_sec != 0 || its.it_value.tv_nsec != 0;
}

static void count_cb(void *arg)
{
	(*(int *)arg)++;
}

static void test_loop_arming(void **state)
{
	struct loop l;
	uint64_t a, b;
	int fired = 0;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(l.armed, 0);
	assert_false(timerfd_armed(l.tfd));
	assert_int_equal(loop_timer_add(&l, 3600000, count_cb, &fired, &a), 0);
	assert_int_equal(l.armed, timer_heap_top(&l.timers)->deadline);
	assert_true(timerfd_armed(l.tfd));
	assert_int_equal(loop_timer_add(&l, 7200000, count_cb, &fired, &b), 0);
	assert_int_equal(timer_heap_top(&l.timers)->id, a);
	assert_int_equal(l.armed, timer_heap_top(&l.timers)->deadline);
	assert_int_equal(loop_timer_cancel(&l, a), 0);
	assert_int_equal(timer_heap_top(&l.timers)->id, b);
	assert_int_equal(l.armed, timer_heap_top(&l.timers)->deadline);
	assert_int_equal(loop_timer_cancel(&l, b), 0);
	assert_int_equal(l.armed, 0);
	assert_false(timerfd_armed(l.tfd));
	assert_int_equal(loop_timer_cancel(&l, b), -ENOENT);
	assert_int_equal(fired, 0);
	loop_fini(&l);
}

struct rearm_ctx {
	struct loop *l;
	int fired;
	uint64_t next;
};

static void rearm_cb(void *arg)
{
	struct rearm_ctx *c = arg;

	c->fired++;
	assert_int_equal(loop_timer_add(c->l, 3600000, rearm_cb, c, &c->next), 0);
}

static void pipe_cb(void *arg, int fd, uint32_t events)
{
	char byte;

	(void)events;
	assert_int_equal(read(fd, &byte, 1), 1);
	(*(int *)arg)++;
}

/* A due timer fires from loop_run_once; one its callback adds is armed
 * before the loop sleeps again. */
static void test_loop_fire_and_rearm(void **state)
{
	struct loop l;
	struct rearm_ctx c = { .l = &l };
	int fds[2], reads = 0;

	(void)state;
	assert_int_equal(loop_init(&l), 0);
	assert_int_equal(loop_timer_add(&l, 0, rearm_cb, &c, NULL), 0);
	while (c.fired == 0)
		assert_true(loop_run_once(&l) >= 0);
	assert_int_equal(c.fired, 1);
	assert_int_equal(timer_heap_top(&l.timers)->id, c.next);
	/* Wake the loop with a pipe: it re-arms for the new timer first. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(loop_watch_add(&l, fds[0], EPOLLIN, pipe_cb, &reads), 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	assert_int_equal(loop_run_once(&l), 1);
	assert_int_equal(reads, 1);
	assert_int_equal(c.fired, 1);
	assert_int_equal(l.armed, timer_heap_top(&l.timers)->deadline);
	assert_true(timerfd_armed(l.tfd));
	loop_fini(&l);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_equal_deadlines_fifo),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_rearm),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_push_while_draining),
		cmocka_unit_test(test_random_cancel),
		cmocka_unit_test(test_loop_arming),
		cmocka_unit_test(test_loop_fire_and_rearm),
	};

	/* A hang guard, not a timing check: nothing here sleeps for long. */
	alarm(60);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
