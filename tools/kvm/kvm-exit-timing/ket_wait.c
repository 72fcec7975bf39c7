// SPDX-License-Identifier: GPL-2.0
/*
 * Waits of the long-running commands.  The schedule is kept from one
 * interval to the next, so that the intervals do not drift by the time
 * each read takes; one that ends late starts the next from now.
 */
#include <errno.h>

#include "ket_wait.h"

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

void ket_wait_next(struct timespec *next, double secs)
{
	struct timespec now;

	next->tv_sec += (time_t)secs;
	next->tv_nsec += (long)((secs - (time_t)secs) * 1e9);
	if (next->tv_nsec >= 1000000000) {
		next->tv_sec++;
		next->tv_nsec -= 1000000000;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (before(next, &now))
		*next = now;
}

int ket_wait_until(const sigset_t *sigs, const struct timespec *next)
{
	struct timespec now, left;
	int sig;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!before(&now, next))
			return 0;
		left.tv_sec = next->tv_sec - now.tv_sec;
		left.tv_nsec = next->tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
		sig = sigtimedwait(sigs, NULL, &left);
		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
	}
}
