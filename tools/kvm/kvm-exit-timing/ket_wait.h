/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loops of the long-running commands (report --interval, record):
 * a fixed schedule, and signals taken only while waiting, so that none
 * is lost between two waits.
 */
#ifndef KET_WAIT_H
#define KET_WAIT_H

#include <signal.h>
#include <time.h>

/* @next (CLOCK_MONOTONIC) advanced by @secs, or now if that is past. */
void ket_wait_next(struct timespec *next, double secs);
/* Until @next or one of the signals @sigs (blocked): the signal, or 0. */
int ket_wait_until(const sigset_t *sigs, const struct timespec *next);

#endif
