/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reader-side aggregation of rows (all vCPUs of a VM, or one vCPU) and
 * the derived figures the tables print: avg, stddev, time%.
 */
#ifndef KET_AGG_H
#define KET_AGG_H

#include "ket_row.h"

/*
 * Sums over vCPUs outgrow 64 bits long before a single vCPU does (256
 * vCPUs for 2.3 years exceed 2^64 ns), so aggregates are 128-bit.
 */
struct ket_agg {
	__uint128_t count;
	__uint128_t sum;
	__uint128_t sumsq;	/* saturates at the 128-bit maximum */
	u64 min;	/* U64_MAX when count is 0 */
	u64 max;
	__uint128_t hist[KET_HIST_BUCKETS];
};

struct ket_summary {
	__uint128_t count;
	__uint128_t sum;
	u64 min;
	u64 max;
	u64 avg;	/* sum / count, rounded to nearest */
	u64 stddev;	/* population standard deviation, truncated */
};

void ket_agg_init(struct ket_agg *agg);
void ket_agg_add_row(struct ket_agg *agg, const struct ket_row *row);
void ket_agg_summary(const struct ket_agg *agg, struct ket_summary *s);
u32 ket_share_x100(__uint128_t part, __uint128_t total);

#endif /* KET_AGG_H */
