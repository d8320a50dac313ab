#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

struct loop_watch {
	int fd;
	bool dead;
	loop_io_cb cb;
	void *arg;
	struct loop_watch *next;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Point the timerfd at the heap's earliest deadline, or disarm it. */
static int loop_rearm(struct loop *l)
{
	const struct timer_entry *top = timer_heap_top(&l->timers);
	struct itimerspec its;
	uint64_t want = top ? top->deadline : 0;

	if (want == l->armed)
		return 0;
	memset(&its, 0, sizeof(its));
	if (want) {
		/* Deadline 0 would disarm: the monotonic clock is never 0 here. */
		its.it_value.tv_sec = (time_t)(want / 1000);
		its.it_value.tv_nsec = (long)(want % 1000) * 1000000L;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->armed = want;
	return 0;
}

static void loop_fire_timers(struct loop *l)
{
	struct timer_entry e;
	uint64_t expirations;
	uint64_t now = loop_now_ms();

	if (read(l->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_msg(LOGL_WARN, "timerfd read: %s", strerror(errno));
	l->armed = 0;
	/* Callbacks may add timers; those due now also run in this pass. */
	while (timer_heap_pop_expired(&l->timers, now, &e))
		e.cb(e.arg);
}

int loop_init(struct loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	memset(l, 0, sizeof(*l));
	timer_heap_init(&l->timers);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0) {
		int err = -errno;

		close(l->epfd);
		return err;
	}
	/* data.ptr NULL marks the timerfd; every other fd has a watch. */
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
		int err = -errno;

		close(l->tfd);
		close(l->epfd);
		return err;
	}
	return 0;
}

static void loop_prune(struct loop *l)
{
	struct loop_watch **pp = &l->watches;

	while (*pp) {
		struct loop_watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

void loop_fini(struct loop *l)
{
	for (struct loop_watch *w = l->watches; w; w = w->next)
		w->dead = true;
	loop_prune(l);
	timer_heap_free(&l->timers);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->tfd = l->epfd = -1;
}

int loop_watch_add(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_watch *w;

	for (w = l->watches; w; w = w->next)
		if (w->fd == fd && !w->dead)
			return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct loop_watch){ .fd = fd, .cb = cb, .arg = arg, .next = l->watches };
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	l->watches = w;
	return 0;
}

int loop_watch_del(struct loop *l, int fd)
{
	for (struct loop_watch *w = l->watches; w; w = w->next) {
		if (w->fd == fd && !w->dead) {
			/* The fd may already be closed: epoll forgot it then. */
			epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
			/* Freed after the dispatch round: an event for it may be
			 * pending in the array epoll_wait just filled. */
			w->dead = true;
			if (!l->dispatching)
				loop_prune(l);
			return 0;
		}
	}
	return -ENOENT;
}

int loop_timer_add(struct loop *l, uint64_t delay_ms, timer_cb cb, void *arg, uint64_t *id)
{
	int r = timer_heap_push(&l->timers, loop_now_ms() + delay_ms, cb, arg, id);

	if (r < 0)
		return r;
	if (!l->dispatching)
		return loop_rearm(l);
	return 0;
}

int loop_timer_cancel(struct loop *l, uint64_t id)
{
	if (!timer_heap_cancel(&l->timers, id))
		return -ENOENT;
	if (!l->dispatching)
		return loop_rearm(l);
	return 0;
}

int loop_run_once(struct loop *l)
{
	struct epoll_event evs[16];
	int n, r;

	r = loop_rearm(l);
	if (r < 0)
		log_msg(LOGL_ERROR, "cannot arm the timer: %s", strerror(-r));
	/* No timeout: the timerfd is the only clock, so idle means asleep. */
	n = epoll_wait(l->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), -1);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching = true;
	for (int i = 0; i < n; i++) {
		struct loop_watch *w = evs[i].data.ptr;

		if (!w)
			loop_fire_timers(l);
		else if (!w->dead)
			w->cb(w->arg, w->fd, evs[i].events);
	}
	l->dispatching = false;
	loop_prune(l);
	return n;
}
