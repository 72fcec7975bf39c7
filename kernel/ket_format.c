// SPDX-License-Identifier: GPL-2.0
/*
 * Table and histogram text.  Columns are padded to their widest cell so
 * that they line up for people and split on white space for scripts.
 */
#include "ket_format.h"
#include "ket_u128.h"

#ifdef __KERNEL__
#include <linux/kernel.h>
#endif

void ket_buf_printf(struct ket_buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		return;
	}
	b->len += n;
}

static const char *const ket_table_header[] = {
	"type", "count", "min", "max", "avg", "stddev", "sum", "time%",
};

#define KET_COLS ARRAY_SIZE(ket_table_header)
#define KET_CELL (KET_U128_DIGITS + 2)

struct ket_cells {
	char c[KET_COLS][KET_CELL];
};

static void ket_row_cells(struct ket_cells *cells, const char *name,
			  const struct ket_agg *agg, __uint128_t total)
{
	struct ket_summary s;
	u32 share;

	ket_agg_summary(agg, &s);
	snprintf(cells->c[0], KET_CELL, "%s", name);
	ket_u128_str(cells->c[1], s.count);
	ket_u128_str(cells->c[2], s.min);
	ket_u128_str(cells->c[3], s.max);
	ket_u128_str(cells->c[4], s.avg);
	ket_u128_str(cells->c[5], s.stddev);
	ket_u128_str(cells->c[6], s.sum);
	share = ket_share_x100(s.sum, total);
	snprintf(cells->c[7], KET_CELL, "%u.%02u", share / 100, share % 100);
}

static void ket_print_cells(struct ket_buf *b, const char (*c)[KET_CELL],
			    const size_t *width)
{
	unsigned int i;

	ket_buf_printf(b, "%-*s", (int)width[0], c[0]);
	for (i = 1; i < KET_COLS; i++)
		ket_buf_printf(b, "  %*s", (int)width[i], c[i]);
	ket_buf_printf(b, "\n");
}

/*
 * @rows in display order, each with count > 0.  time% is each row's share
 * of the sum over all @rows, so a table's time% adds up to 100.
 */
void ket_format_table(struct ket_buf *b, const struct ket_table_row *rows,
		      unsigned int n)
{
	size_t width[KET_COLS];
	char header[KET_COLS][KET_CELL];
	struct ket_cells cells;
	__uint128_t total = 0;
	unsigned int i, j;

	for (i = 0; i < KET_COLS; i++) {
		snprintf(header[i], KET_CELL, "%s", ket_table_header[i]);
		width[i] = strlen(header[i]);
	}
	for (i = 0; i < n; i++)
		total += rows[i].agg->sum;
	/* Two passes: measure every cell, then print. */
	for (i = 0; i < n; i++) {
		ket_row_cells(&cells, rows[i].name, rows[i].agg, total);
		for (j = 0; j < KET_COLS; j++)
			if (strlen(cells.c[j]) > width[j])
				width[j] = strlen(cells.c[j]);
	}
	ket_print_cells(b, (const char (*)[KET_CELL])header, width);
	for (i = 0; i < n; i++) {
		ket_row_cells(&cells, rows[i].name, rows[i].agg, total);
		ket_print_cells(b, (const char (*)[KET_CELL])cells.c, width);
	}
}

/*
 * A power-of-two boundary in human units: ns below 1000, then us, ms and
 * sec, with three significant digits, truncated (1024 ns -> "1.02 us").
 */
int ket_format_duration(char *buf, size_t size, u64 ns)
{
	static const char *const units[] = { "ns", "us", "ms", "sec" };
	unsigned int u = 0;
	u64 div = 1, ip, rest;

	while (u < ARRAY_SIZE(units) - 1 && ns / div >= 1000) {
		div *= 1000;
		u++;
	}
	ip = ns / div;
	rest = ns % div;
	if (u == 0 || ip >= 100)
		return snprintf(buf, size, "%llu %s", (unsigned long long)ip,
				units[u]);
	if (ip >= 10)
		return snprintf(buf, size, "%llu.%01llu %s",
				(unsigned long long)ip,
				(unsigned long long)(rest / (div / 10)),
				units[u]);
	return snprintf(buf, size, "%llu.%02llu %s", (unsigned long long)ip,
			(unsigned long long)(rest / (div / 100)), units[u]);
}

/*
 * Per row, the buckets from the first to the last non-empty one, in the
 * layout of QEMU's postcopy latency distribution: "[ lo - hi ]: count".
 * Bucket k holds [lo, hi) = [2^(k-1), 2^k) ns, bucket 0 holds 0 ns, and
 * the last bucket has no upper bound.
 */
void ket_format_hist(struct ket_buf *b, const struct ket_table_row *rows,
		     unsigned int n)
{
	char lo[24], hi[24], cnt[KET_U128_DIGITS + 1];
	unsigned int i, k, first, last;

	for (i = 0; i < n; i++) {
		const struct ket_agg *agg = rows[i].agg;

		if (!agg->count)
			continue;
		first = KET_HIST_BUCKETS;
		last = 0;
		for (k = 0; k < KET_HIST_BUCKETS; k++) {
			if (!agg->hist[k])
				continue;
			if (first == KET_HIST_BUCKETS)
				first = k;
			last = k;
		}
		ket_u128_str(cnt, agg->count);
		ket_buf_printf(b, "%s%s: %s\n", b->len ? "\n" : "",
			       rows[i].name, cnt);
		for (k = first; k <= last; k++) {
			ket_format_duration(lo, sizeof(lo),
					    k ? 1ULL << (k - 1) : 0);
			if (k == KET_HIST_BUCKETS - 1)
				snprintf(hi, sizeof(hi), "inf");
			else
				ket_format_duration(hi, sizeof(hi), 1ULL << k);
			ket_u128_str(cnt, agg->hist[k]);
			ket_buf_printf(b, "  [ %8s - %8s ]: %10s\n", lo, hi, cnt);
		}
	}
}

void ket_format_vcpu_now(struct ket_buf *b, const struct ket_vcpu_now *now)
{
	ket_buf_printf(b,
		       "vcpu%u: entries %llu exits %llu untimed %llu clock_anomalies %llu unaccounted %llu\n",
		       now->id, (unsigned long long)now->entries,
		       (unsigned long long)now->exits,
		       (unsigned long long)now->untimed,
		       (unsigned long long)now->anomalies,
		       (unsigned long long)now->unaccounted);
	switch (now->phase) {
	case KET_PHASE_NEW:
		ket_buf_printf(b, "vcpu%u: not seen entering the guest yet\n",
			       now->id);
		break;
	case KET_PHASE_IN_GUEST:
		ket_buf_printf(b, "vcpu%u: in guest for %llu ns\n", now->id,
			       (unsigned long long)now->for_ns);
		break;
	case KET_PHASE_IN_EXIT:
	case KET_PHASE_IN_EXIT_RESOLVE:
		ket_buf_printf(b, "vcpu%u: in exit %s (%s) for %llu ns\n",
			       now->id, now->reason, now->class_name,
			       (unsigned long long)now->for_ns);
		break;
	case KET_PHASE_GONE:
		ket_buf_printf(b, "vcpu%u: VM exited\n", now->id);
		break;
	}
}
