/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Derived figures of a row: average, standard deviation, percentiles
 * from the log2 histogram, and the sums of rows over scopes.
 */
#ifndef KET_CALC_H
#define KET_CALC_H

#include "ket_stats.h"

/* @a + @b, or UINT64_MAX if that wraps: a sum of counts never goes back. */
uint64_t ket_sat_add(uint64_t a, uint64_t b);
/* Is @r the guest's run time (TIMEINGUEST), not an exit class? */
int ket_row_is_guest(const struct ket_srow *r);
/* Adds @src's values into @dst: sums, min of non-empty rows, max. */
void ket_row_merge(struct ket_srow *dst, const struct ket_srow *src);
/* The row of @s of @like's kind and name, or NULL. */
struct ket_srow *ket_find_row(const struct ket_scope_stats *s,
			      const struct ket_srow *like);
/* The rows of @src into @dst, matched by kind and name. */
int ket_scope_merge(struct ket_scope_stats *dst,
		    const struct ket_scope_stats *src);
/*
 * @dst holds a copy of @now; subtracts @then, row by row by name: the
 * exits of an interval.  min and max stay the running ones (they have no
 * per-interval value); percentiles of the delta come from its histogram.
 */
void ket_scope_delta(struct ket_scope_stats *dst,
		     const struct ket_scope_stats *now,
		     const struct ket_scope_stats *then);

double ket_avg(const struct ket_srow *r);
double ket_stddev(const struct ket_srow *r);
/*
 * The @p-th percentile (0 < p <= 100) in ns: the bucket holding the
 * observation of rank ceil(p% of count), then linear interpolation by
 * rank between the bucket's bounds, clamped to the row's min and max.
 */
double ket_percentile(const struct ket_srow *r, double p);
/* "123ns", "1.23us", "12.3ms", "1.50s": three significant digits. */
void ket_human_ns(char *buf, size_t size, double ns);
/*
 * A bucket bound, 2^b ns, as the module's debugfs histograms print it:
 * three significant digits, truncated ("16.3us" for 16384 ns).
 */
void ket_human_bound(char *buf, size_t size, uint64_t ns);

#endif
