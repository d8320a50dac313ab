/* The event loop: one epoll, one timerfd driven by the timer heap, and fd
 * watches. With no timer armed epoll_wait blocks forever: an idle init never
 * wakes up. */
#ifndef MODINIT_LOOP_H
#define MODINIT_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "timer.h"

typedef void (*loop_io_cb)(void *arg, int fd, uint32_t events);

struct loop_watch;

struct loop {
	int epfd;
	int tfd;
	uint64_t armed; /* deadline the timerfd is set to, 0 = disarmed */
	struct timer_heap timers;
	struct loop_watch *watches;
	bool dispatching;
};

uint64_t loop_now_ms(void);
int loop_init(struct loop *l);
void loop_fini(struct loop *l);
/* Watch fd for events (EPOLLIN...). One watch per fd. 0 or -errno. */
int loop_watch_add(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *arg);
/* Stop watching fd; safe from inside a callback. 0 or -ENOENT. */
int loop_watch_del(struct loop *l, int fd);
/* Run cb once after delay_ms. 0 and *id (> 0), or -errno. */
int loop_timer_add(struct loop *l, uint64_t delay_ms, timer_cb cb, void *arg, uint64_t *id);
/* 0, or -ENOENT if it already fired or was cancelled. */
int loop_timer_cancel(struct loop *l, uint64_t id);
/* Wait for events (forever if no timer is pending) and dispatch them.
 * Returns the number of events handled, or -errno (EINTR is not an error). */
int loop_run_once(struct loop *l);

#endif
