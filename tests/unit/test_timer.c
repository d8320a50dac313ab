/* The timer heap behind the loop's one timerfd. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_equal_deadlines_fifo),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_ids_unique),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
