/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One row of exit statistics, and the code that adds a sample to it.
 * ket_row_add() runs in the kvm_entry/kvm_exit probes: no division, no
 * branch but the min/max compares, every field a plain add.
 */
#ifndef KET_ROW_H
#define KET_ROW_H

#include "ket_compat.h"
#include "../include/uapi/linux/kvm_exit_timing.h"

#define KET_HIST_BUCKETS KVM_EXIT_TIMING_HIST_BUCKETS

/*
 * Widths (Documentation/kvm_exit_timing.rst, "Field widths"): a vCPU that
 * runs for 100 years accumulates at most 3.2e18 ns < 2^62 in @sum, and
 * @sumsq is bounded by that times the longest exit, < 2^124.
 *
 * @min_inv holds ~min, so that an all-zero row (fresh or reset by
 * memset) has min == U64_MAX, and reset needs no per-row initialisation.
 */
struct ket_row {
	u64 count;
	u64 sum;
	u64 min_inv;
	u64 max;
	__uint128_t sumsq;
	u64 hist[KET_HIST_BUCKETS];
};

/*
 * KVM's LOG_HIST bucket of @ns: fls64(), clamped to the open top bucket,
 * which only exits of 68.7 s and more reach.
 */
static __always_inline unsigned int ket_bucket(u64 ns)
{
	if (unlikely(ns >> (KET_HIST_BUCKETS - 2)))
		return KET_HIST_BUCKETS - 1;
	return fls64(ns);
}

static __always_inline void ket_row_add(struct ket_row *row, u64 ns)
{
	row->count++;
	row->sum += ns;
	row->sumsq += (__uint128_t)ns * ns;
	if (~ns > row->min_inv)
		row->min_inv = ~ns;
	if (ns > row->max)
		row->max = ns;
	row->hist[ket_bucket(ns)]++;
}

static inline u64 ket_row_min(const struct ket_row *row)
{
	return ~row->min_inv;
}

#endif /* KET_ROW_H */
