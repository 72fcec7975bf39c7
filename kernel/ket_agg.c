// SPDX-License-Identifier: GPL-2.0
/*
 * Merging rows is exact: counts, sums and histogram buckets add, min and
 * max combine.  The standard deviation is derived from count, sum and
 * sum of squares without losing precision to 64-bit intermediates.
 */
#include "ket_agg.h"
#include "ket_u128.h"

#define KET_U128_MAX (~(__uint128_t)0)

void ket_agg_init(struct ket_agg *agg)
{
	memset(agg, 0, sizeof(*agg));
	agg->min = U64_MAX;
}

static __uint128_t ket_add_sat(__uint128_t a, __uint128_t b)
{
	return a + b < a ? KET_U128_MAX : a + b;
}

void ket_agg_add_row(struct ket_agg *agg, const struct ket_row *row)
{
	u64 count = ket_row_count(row);
	unsigned int i;

	if (!count)
		return;
	agg->count += count;
	agg->sum += row->sum;
	agg->sumsq = ket_add_sat(agg->sumsq, ket_row_sumsq(row));
	if (row->min < agg->min)
		agg->min = row->min;
	if (row->max > agg->max)
		agg->max = row->max;
	for (i = 0; i < KET_HIST_BUCKETS; i++)
		agg->hist[i] += row->hist[i];
}

/*
 * With n = count, S = sum, Q = sum of squares and S = q*n + r:
 *   n * var = Q - S^2/n = (Q - q^2*n - 2*q*r) - r^2/n
 * The bracket is exact in 128 bits (q^2*n <= S^2/n <= Q), and the last
 * term is below 1 ns^2 per sample, so var = floor(bracket / n) is off by
 * less than 1 ns^2.
 */
void ket_agg_summary(const struct ket_agg *agg, struct ket_summary *s)
{
	__uint128_t q, r, a, var;

	memset(s, 0, sizeof(*s));
	s->count = agg->count;
	s->sum = agg->sum;
	if (!agg->count)
		return;
	s->min = agg->min;
	s->max = agg->max;
	q = ket_u128_div(agg->sum, agg->count, &r);
	s->avg = (u64)q + (2 * r >= agg->count);
	if (agg->sumsq == KET_U128_MAX) {
		s->stddev = U64_MAX;	/* saturated: shown as such */
		return;
	}
	a = agg->sumsq - q * q * agg->count - 2 * q * r;
	var = ket_u128_div(a, agg->count, NULL);
	s->stddev = ket_u128_isqrt(var);
}

/* 100 * 100 * @part / @total, rounded to nearest: hundredths of a percent. */
u32 ket_share_x100(__uint128_t part, __uint128_t total)
{
	__uint128_t r, q;

	if (!total)
		return 0;
	q = ket_u128_div(part * 10000, total, &r);
	return (u32)q + (2 * r >= total);
}
