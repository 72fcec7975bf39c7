// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ket_calc.h"

uint64_t ket_sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

int ket_row_is_guest(const struct ket_srow *r)
{
	return r->is_class && !strcmp(r->name, "TIMEINGUEST");
}

void ket_row_merge(struct ket_srow *dst, const struct ket_srow *src)
{
	unsigned int b;

	if (src->count && (!dst->count || src->min < dst->min))
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count = ket_sat_add(dst->count, src->count);
	dst->time = ket_sat_add(dst->time, src->time);
	dst->sumsq = dst->sumsq + src->sumsq < dst->sumsq ?
			     ~(unsigned __int128)0 : dst->sumsq + src->sumsq;
	for (b = 0; b < KET_BUCKETS; b++)
		dst->hist[b] = ket_sat_add(dst->hist[b], src->hist[b]);
}

struct ket_srow *ket_find_row(const struct ket_scope_stats *s,
			      const struct ket_srow *like)
{
	unsigned int i;

	for (i = 0; i < s->nr_rows; i++)
		if (s->rows[i].is_class == like->is_class &&
		    !strcmp(s->rows[i].name, like->name))
			return &s->rows[i];
	return NULL;
}

int ket_scope_merge(struct ket_scope_stats *dst,
		    const struct ket_scope_stats *src)
{
	struct ket_srow *r, *rows;
	unsigned int i;

	for (i = 0; i < KET_NR_COUNTERS; i++)
		dst->counters[i] = ket_sat_add(dst->counters[i], src->counters[i]);
	for (i = 0; i < src->nr_rows; i++) {
		r = ket_find_row(dst, &src->rows[i]);
		if (!r) {
			rows = realloc(dst->rows,
				       (dst->nr_rows + 1) * sizeof(*rows));
			if (!rows)
				return -1;
			dst->rows = rows;
			r = &rows[dst->nr_rows++];
			*r = src->rows[i];
			continue;
		}
		ket_row_merge(r, &src->rows[i]);
	}
	return 0;
}

void ket_scope_delta(struct ket_scope_stats *dst,
		     const struct ket_scope_stats *now,
		     const struct ket_scope_stats *then)
{
	const struct ket_srow *t;
	unsigned int i, b;

	for (i = 0; i < KET_NR_COUNTERS; i++)
		dst->counters[i] = now->counters[i] >= then->counters[i] ?
			now->counters[i] - then->counters[i] : now->counters[i];
	for (i = 0; i < dst->nr_rows; i++) {
		struct ket_srow *d = &dst->rows[i];

		t = ket_find_row(then, d);
		/* New, or reset in between: the interval is all it has. */
		if (!t || d->count < t->count)
			continue;
		d->count -= t->count;
		d->time -= t->time;
		d->sumsq -= t->sumsq;
		for (b = 0; b < KET_BUCKETS; b++)
			d->hist[b] -= t->hist[b];
		if (!d->count)
			d->min = d->max = 0;
	}
}

double ket_avg(const struct ket_srow *r)
{
	return r->count ? (double)r->time / r->count : 0;
}

double ket_stddev(const struct ket_srow *r)
{
	long double n = r->count, mean, var;

	if (!r->count)
		return 0;
	mean = (long double)r->time / n;
	var = (long double)r->sumsq / n - mean * mean;
	return var > 0 ? (double)sqrtl(var) : 0;
}

double ket_percentile(const struct ket_srow *r, double p)
{
	uint64_t rank, cum = 0;
	double lo, hi, v;
	unsigned int b;

	if (!r->count)
		return 0;
	rank = (uint64_t)ceill((long double)r->count * p / 100);
	if (rank < 1)
		rank = 1;
	if (rank > r->count)
		rank = r->count;
	for (b = 0; b < KET_BUCKETS; b++) {
		if (cum + r->hist[b] >= rank)
			break;
		cum += r->hist[b];
	}
	if (b == KET_BUCKETS)	/* histogram and count disagree */
		return r->max;
	lo = b ? ldexp(1, b - 1) : 0;
	hi = b ? ldexp(1, b) - 1 : 0;
	if (b == KET_BUCKETS - 1)
		hi = r->max;
	v = lo + (hi - lo) * (double)(rank - cum) / r->hist[b];
	if (v < r->min)
		v = r->min;
	if (v > r->max)
		v = r->max;
	return v;
}

void ket_human_bound(char *buf, size_t size, uint64_t ns)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };
	uint64_t div = 1, ip, rest;
	unsigned int u = 0;

	while (u < 3 && ns / div >= 1000) {
		div *= 1000;
		u++;
	}
	ip = ns / div;
	rest = ns % div;
	if (!u || ip >= 100)
		snprintf(buf, size, "%llu%s", (unsigned long long)ip, units[u]);
	else if (ip >= 10)
		snprintf(buf, size, "%llu.%01llu%s", (unsigned long long)ip,
			 (unsigned long long)(rest / (div / 10)), units[u]);
	else
		snprintf(buf, size, "%llu.%02llu%s", (unsigned long long)ip,
			 (unsigned long long)(rest / (div / 100)), units[u]);
}

void ket_human_ns(char *buf, size_t size, double ns)
{
	static const struct {
		double div;
		const char *unit;
	} units[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };
	unsigned int i;
	double v;

	for (i = 0; i < 3; i++) {
		if (ns < units[i].div)
			continue;
		v = ns / units[i].div;
		snprintf(buf, size, v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" :
			 "%.0f%s", v, units[i].unit);
		return;
	}
	snprintf(buf, size, "%.0fns", ns);
}
