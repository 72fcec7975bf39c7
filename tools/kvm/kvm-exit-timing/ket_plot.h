/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot: a recording as an SVG picture (ket_plot.c): a latency heat map
 * per class or reason, and the share of handling time per class or
 * reason over time.
 */
#ifndef KET_PLOT_H
#define KET_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "ket_recording.h"

/* At most this many heat maps, the ones with the most handling time. */
#define KET_PLOT_MAX_MAPS 12

struct ket_plot_opts {
	int reasons;			/* reasons, not classes */
	const char *const *names;	/* these only, in this order */
	unsigned int nr_names;
};

/* The picture of @r into @f; 0, or -1 with the reason in @err. */
int ket_plot(FILE *f, const struct ket_recording *r,
	     const struct ket_plot_opts *o, char *err, size_t esz);

#endif
