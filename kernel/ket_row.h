/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One row of exit statistics, and the code that adds a sample to it.
 * ket_row_add_short() runs in the kvm_entry probe: no division, no branch
 * but the min/max compares, every field a plain add.
 */
#ifndef KET_ROW_H
#define KET_ROW_H

#include "ket_compat.h"
#include "../include/uapi/linux/kvm_exit_timing.h"

#define KET_HIST_BUCKETS KVM_EXIT_TIMING_HIST_BUCKETS

/*
 * Widths (Documentation/kvm_exit_timing.rst, "Field widths"): a vCPU that
 * runs for 100 years accumulates at most 3.2e18 ns < 2^62 in @sum, and
 * the sum of squares is bounded by that times the longest exit, < 2^124:
 * 128 bits, kept as two words for ket_add_square().
 *
 * No count is stored: every sample lands in exactly one histogram bucket,
 * so the count is the histogram's total (ket_row_count()), one add fewer
 * per sample.  @min is U64_MAX while the row is empty (ket_row_init()).
 */
struct ket_row {
	u64 sum;
	u64 min;
	u64 max;
	u64 sumsq_lo;
	u64 sumsq_hi;
	u64 hist[KET_HIST_BUCKETS];
};

/* Intervals of 2^KET_NS_TOP_BITS ns (68.7 s) and more: the top bucket. */
#define KET_NS_TOP_BITS (KET_HIST_BUCKETS - 2)

/*
 * The probes' intervals, those below 2^KET_NS_SHORT_BITS ns (4.3 s): their
 * square fits in 64 bits and their fls64() is below the open top bucket,
 * so that ket_row_add_short() takes them with one IMUL and no clamp.
 */
#define KET_NS_SHORT_BITS 32
static_assert(KET_NS_SHORT_BITS < KET_NS_TOP_BITS);

/* fls64(@ns) for @ns < 2^63 in one BSR: 2 * @ns + 1 is never 0. */
static __always_inline unsigned long ket_fls64_short(u64 ns)
{
	return __fls(2 * ns + 1);
}

/*
 * KVM's LOG_HIST bucket of @ns: fls64(), clamped to the open top bucket,
 * which only exits of 68.7 s and more reach.
 */
static __always_inline unsigned int ket_bucket(u64 ns)
{
	if (unlikely(ns >> KET_NS_TOP_BITS))
		return KET_HIST_BUCKETS - 1;
	return ket_fls64_short(ns);
}

/* The sample's sum, min and max; its square and bucket are the callers'. */
static __always_inline void ket_row_add_range(struct ket_row *row, u64 ns)
{
	row->sum += ns;
	if (ns < row->min)
		row->min = ns;
	if (ns > row->max)
		row->max = ns;
}

static __always_inline void ket_row_add(struct ket_row *row, u64 ns)
{
	ket_row_add_range(row, ns);
	ket_add_square(ns, &row->sumsq_lo, &row->sumsq_hi);
	row->hist[ket_bucket(ns)]++;
}

/*
 * ket_row_add() of an @ns below 2^KET_NS_SHORT_BITS, the probes' case.
 * The square last, so that it may take @ns's register.
 */
static __always_inline void ket_row_add_short(struct ket_row *row, u64 ns)
{
	ket_row_add_range(row, ns);
	row->hist[ket_fls64_short(ns)]++;
	ket_add_u128(ns * ns, &row->sumsq_lo, &row->sumsq_hi);
}

static inline void ket_row_init(struct ket_row *row)
{
	memset(row, 0, sizeof(*row));
	row->min = U64_MAX;
}

static inline __uint128_t ket_row_sumsq(const struct ket_row *row)
{
	return (__uint128_t)row->sumsq_hi << 64 | row->sumsq_lo;
}

static inline u64 ket_row_count(const struct ket_row *row)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < KET_HIST_BUCKETS; i++)
		n += row->hist[i];
	return n;
}

#endif /* KET_ROW_H */
