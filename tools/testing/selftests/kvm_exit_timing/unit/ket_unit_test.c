// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the module's plain-C parts, compiled from the very
 * sources the module builds (kernel/ket_*.c): accounting, widths,
 * classification, formatting.  No VM needed.
 */
#include <stdlib.h>

#include "kselftest_harness.h"

#include "ket_acct.h"
#include "ket_agg.h"
#include "ket_format.h"
#include "ket_stats_layout.h"
/* The command-line tool's parser and figures, on the module's bytes. */
#include "../../../../kvm/kvm-exit-timing/ket_calc.h"
#include "../../../../kvm/kvm-exit-timing/ket_stats.h"
#include "ket_u128.h"
#include "ket_exits.h"

#define C(x) KVM_EXIT_TIMING_##x
#define NS_100_YEARS 3155760000000000000ULL

TEST(bucket_boundaries)
{
	ASSERT_EQ(0, ket_bucket(0));
	ASSERT_EQ(1, ket_bucket(1));
	ASSERT_EQ(2, ket_bucket(2));
	ASSERT_EQ(2, ket_bucket(3));
	ASSERT_EQ(3, ket_bucket(4));
	ASSERT_EQ(9, ket_bucket(256));
	ASSERT_EQ(9, ket_bucket(511));
	ASSERT_EQ(10, ket_bucket(512));
	ASSERT_EQ(36, ket_bucket((1ULL << 36) - 1));
	/* 68.7 s and beyond: the open-ended top bucket */
	ASSERT_EQ(37, ket_bucket(1ULL << 36));
	ASSERT_EQ(37, ket_bucket(~0ULL));
	ASSERT_EQ(38, KET_HIST_BUCKETS);
	/* The probes' bucket of a short interval is fls64() too. */
	for (int i = 0; i < 36; i++) {
		ASSERT_EQ(fls64((1ULL << i) - 1), ket_fls64_short((1ULL << i) - 1));
		ASSERT_EQ(i + 1, ket_fls64_short(1ULL << i));
	}
	ASSERT_EQ(63, ket_fls64_short(1ULL << 62));
}

/*
 * An interval below short_cycles converts with a 64-bit product, to less
 * than 2^32 ns, the same as through the 128-bit one; short_cycles itself
 * does not fit in 64 bits (so the bound is exact); and no negative
 * interval is ever short.
 */
TEST(timebase_short_cycles)
{
	static const u64 mults[] = {
		32, 1ULL << 31, (1000000ULL << 32) / 3000000, 1ULL << 32,
		(1ULL << 32) + 1, 1ULL << 40, 0xffffffffffffULL,
	};
	struct ket_timebase tb;
	u64 last;

	for (unsigned int i = 0; i < ARRAY_SIZE(mults); i++) {
		ket_timebase_init(&tb, mults[i]);
		ASSERT_EQ(mults[i], tb.mult);
		ASSERT_LE(tb.short_cycles, 1ULL << 63);
		last = tb.short_cycles - 1;
		ASSERT_TRUE((__uint128_t)last * tb.mult <= U64_MAX);
		ASSERT_TRUE((__uint128_t)tb.short_cycles * tb.mult > U64_MAX);
		ASSERT_EQ(ket_to_ns(last, tb.mult),
			  ket_to_ns_short(last, tb.mult));
		ASSERT_LT(ket_to_ns_short(last, tb.mult), 1ULL << 32);
	}
	/* A TSC slower than 2^31 ns per unit: no bound above 2^63. */
	ket_timebase_init(&tb, 1);
	ASSERT_EQ(1ULL << 63, tb.short_cycles);
	ket_timebase_init(&tb, 0);
	ASSERT_EQ(1ULL << 63, tb.short_cycles);
}

TEST(row_add_and_summary)
{
	static const u64 v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct ket_row row = {};
	struct ket_summary s;
	struct ket_agg agg;
	unsigned int i;

	ket_row_init(&row);
	ASSERT_EQ(~0ULL, row.min);
	ASSERT_EQ(0, ket_row_count(&row));
	for (i = 0; i < 8; i++)
		ket_row_add(&row, v[i]);
	ASSERT_EQ(8, ket_row_count(&row));
	ASSERT_EQ(40, row.sum);
	ASSERT_EQ(2, row.min);
	ASSERT_EQ(9, row.max);
	ASSERT_EQ(232, row.sumsq_lo);
	ASSERT_EQ(0, row.sumsq_hi);
	ASSERT_EQ(1, row.hist[2]);	/* 2 */
	ASSERT_EQ(6, row.hist[3]);	/* 4, 5, 7 */
	ASSERT_EQ(1, row.hist[4]);	/* 9 */
	ket_agg_init(&agg);
	ket_agg_add_row(&agg, &row);
	ket_agg_summary(&agg, &s);
	ASSERT_EQ(5, s.avg);
	ASSERT_EQ(2, s.stddev);	/* the textbook example: sigma = 2 */
	/* avg rounds to nearest: 1 and 2 -> 1.5 -> 2 */
	ket_row_init(&row);
	ket_row_add(&row, 1);
	ket_row_add(&row, 2);
	ket_agg_init(&agg);
	ket_agg_add_row(&agg, &row);
	ket_agg_summary(&agg, &s);
	ASSERT_EQ(2, s.avg);
	ASSERT_EQ(0, s.stddev);	/* sqrt(0.25) truncated */
}

/* A vCPU that ran 100 years, one exit lasting all of it. */
TEST(widths_hold_100_years)
{
	struct ket_row row = {};
	struct ket_summary s;
	struct ket_agg agg;
	char buf[KET_U128_DIGITS + 1];

	ket_row_init(&row);
	ket_row_add(&row, NS_100_YEARS);
	ASSERT_EQ(NS_100_YEARS, row.sum);
	ASSERT_TRUE(ket_row_sumsq(&row) ==
		    (__uint128_t)NS_100_YEARS * NS_100_YEARS);
	ASSERT_EQ(1, row.hist[37]);
	/* 16 such vCPUs summed: 128-bit sums do not wrap. */
	ket_agg_init(&agg);
	for (int i = 0; i < 16; i++)
		ket_agg_add_row(&agg, &row);
	ket_u128_str(buf, agg.sum);
	ASSERT_STREQ("50492160000000000000", buf);
	ket_agg_summary(&agg, &s);
	ASSERT_EQ(NS_100_YEARS, s.avg);
	ASSERT_EQ(0, s.stddev);
	/* Beyond 2^128 ns^2 the aggregate saturates and says so. */
	for (int i = 0; i < 64; i++)
		ket_agg_add_row(&agg, &row);
	ket_agg_summary(&agg, &s);
	ASSERT_EQ(~0ULL, s.stddev);
}

TEST(u128_helpers)
{
	__uint128_t r, big = ((__uint128_t)1 << 127) + 12345;
	char buf[KET_U128_DIGITS + 1];

	ket_u128_str(buf, ~(__uint128_t)0);
	ASSERT_STREQ("340282366920938463463374607431768211455", buf);
	ket_u128_str(buf, 0);
	ASSERT_STREQ("0", buf);
	ASSERT_TRUE(ket_u128_div(big, 10, &r) == big / 10);
	ASSERT_TRUE(r == big % 10);
	ASSERT_TRUE(ket_u128_div(5, 0, &r) == 0);
	ASSERT_EQ(0xffffffffffffffffULL, ket_u128_isqrt(~(__uint128_t)0));
	ASSERT_EQ(3, ket_u128_isqrt(15));
	ASSERT_EQ(4, ket_u128_isqrt(16));
	ASSERT_EQ(2500, ket_share_x100(1, 4));
	ASSERT_EQ(3333, ket_share_x100(1, 3));
	ASSERT_EQ(6667, ket_share_x100(2, 3));
	ASSERT_EQ(0, ket_share_x100(1, 0));
}

TEST(duration_units)
{
	static const struct {
		u64 ns;
		const char *s;
	} c[] = {
		{ 0, "0 ns" },		{ 1, "1 ns" },
		{ 512, "512 ns" },	{ 1024, "1.02 us" },
		{ 16384, "16.3 us" },	{ 131072, "131 us" },
		{ 1048576, "1.04 ms" },	{ 1ULL << 30, "1.07 sec" },
		{ 1ULL << 36, "68.7 sec" }, { 1ULL << 40, "1099 sec" },
	};
	char buf[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		ket_format_duration(buf, sizeof(buf), c[i].ns);
		ASSERT_STREQ(c[i].s, buf);
	}
}

/*
 * One rule for bucket bounds: the tool's hist labels (ket_human_bound())
 * read as the module's debugfs histograms (ket_format_duration()), but
 * for the space and "sec".
 */
TEST(bucket_bounds_agree)
{
	char k[32], t[32], *s, *d;
	unsigned int b;

	for (b = 0; b < 40; b++) {
		ket_format_duration(k, sizeof(k), 1ULL << b);
		for (s = d = k; *s; s++)
			if (*s != ' ')
				*d++ = *s;
		*d = '\0';
		if (!strcmp(d - 3, "sec"))
			d[-2] = '\0';
		ket_human_bound(t, sizeof(t), 1ULL << b);
		ASSERT_STREQ(k, t);
	}
}

static char out[8192];

TEST(table_format_exact)
{
	struct ket_buf b = { .p = out, .cap = sizeof(out) };
	struct ket_row r1 = {}, r2 = {};
	struct ket_agg a1, a2;
	struct ket_table_row rows[2];

	ket_row_init(&r1);
	ket_row_init(&r2);
	ket_row_add(&r1, 100);
	ket_row_add(&r1, 300);
	ket_row_add(&r2, 1600);
	ket_agg_init(&a1);
	ket_agg_init(&a2);
	ket_agg_add_row(&a1, &r1);
	ket_agg_add_row(&a2, &r2);
	rows[0] = (struct ket_table_row){ "EMULINST", &a1 };
	rows[1] = (struct ket_table_row){ "TIMEINGUEST", &a2 };
	ket_format_table(&b, rows, 2);
	ASSERT_FALSE(b.overflow);
	ASSERT_STREQ("type         count   min   max   avg  stddev   sum  time%\n"
		      "EMULINST         2   100   300   200     100   400  20.00\n"
		      "TIMEINGUEST      1  1600  1600  1600       0  1600  80.00\n",
		      out);
	/* An empty table is its header. */
	b.len = 0;
	ket_format_table(&b, rows, 0);
	ASSERT_STREQ("type  count  min  max  avg  stddev  sum  time%\n", out);
}

TEST(histogram_format_exact)
{
	struct ket_buf b = { .p = out, .cap = sizeof(out) };
	struct ket_row r = {};
	struct ket_agg a;
	struct ket_table_row row = { "HALT", &a };

	ket_row_init(&r);
	ket_row_add(&r, 300);
	ket_row_add(&r, 1500);
	ket_row_add(&r, 100ULL << 30);
	ket_agg_init(&a);
	ket_agg_add_row(&a, &r);
	ket_format_hist(&b, &row, 1);
	ASSERT_FALSE(b.overflow);
	ASSERT_EQ(0, strncmp(out,
			     "HALT: 3\n"
			     "  [   256 ns -   512 ns ]:          1\n"
			     "  [   512 ns -  1.02 us ]:          0\n"
			     "  [  1.02 us -  2.04 us ]:          1\n"
			     "  [  2.04 us -  4.09 us ]:          0\n", 150));
	ASSERT_NE(NULL, strstr(out, "  [ 68.7 sec -      inf ]:          1\n"));
	/* The title, then every bucket from the first (9) to the last (37). */
	int lines = 0;

	for (char *p = out; *p; p++)
		lines += *p == '\n';
	ASSERT_EQ(1 + 37 - 9 + 1, lines);
}

static struct ket_acct *acct_new(unsigned int nr)
{
	return calloc(1, ket_acct_size(nr));
}

/* Every exit accounted is in exactly one of its reason's two rows. */
static u64 acct_reason_samples(const struct ket_acct *a)
{
	u64 n = 0;

	for (unsigned int r = 0; r < a->nr_reasons; r++)
		n += ket_row_count(&a->rows[KET_REASON_ROW(r)]) +
		     ket_row_count(&a->rows[KET_MOVED_ROW(a->nr_reasons, r)]);
	return n;
}

TEST(acct_invariant_and_phases)
{
	struct ket_acct *a = acct_new(4);
	struct ket_timebase tb;
	u8 table_cls[4] = { C(EMULINST), C(HALT), C(PIO), KET_RESOLVE_MSR };
	const struct ket_exit_kind kind2 = ket_acct_kind(2, C(PIO));
	unsigned int to, also;
	u64 t = 1000;
	int i;

	ket_timebase_init(&tb, 1ULL << 32);	/* 1 unit = 1 ns */
	ket_acct_init(a, 4);
	/* Attached mid-exit: the first event is an exit, skipped. */
	ASSERT_FALSE(ket_acct_in_guest(a));
	ASSERT_EQ(KET_PHASE_NEW, a->phase);
	ket_acct_first_entry(a, t += 10);
	/* Reason 2 ending in its own class, PIO: its first row only. */
	for (i = 0; i < 100; i++) {
		ASSERT_TRUE(ket_acct_in_guest(a));
		ket_acct_stamp_exit(a, t += 50, kind2);
		ket_acct_entry(a, t += 7, C(PIO), &tb);
	}
	ASSERT_EQ(101, ket_acct_entries(a));
	ASSERT_EQ(100, ket_acct_exits(a));
	ASSERT_EQ(ket_acct_entries(a) - 1, ket_acct_exits(a));
	ASSERT_EQ(acct_reason_samples(a), ket_acct_exits(a));
	ASSERT_EQ(0, ket_row_count(&a->rows[C(PIO)]));
	ASSERT_EQ(100, ket_row_count(&a->rows[KET_REASON_ROW(2)]));
	ASSERT_EQ(700, a->rows[KET_REASON_ROW(2)].sum);
	ASSERT_EQ(0, ket_row_count(&a->rows[KET_MOVED_ROW(4, 2)]));
	ASSERT_EQ(5000, a->rows[KET_GUEST_ROW].sum);
	/* Reason 2 ending as SIGNAL: the class row and its moved row. */
	ASSERT_TRUE(ket_acct_in_guest(a));
	ket_acct_stamp_exit(a, t += 50, kind2);
	ket_acct_entry(a, t += 9, C(SIGNAL), &tb);
	ASSERT_EQ(1, ket_row_count(&a->rows[C(SIGNAL)]));
	ASSERT_EQ(9, a->rows[KET_MOVED_ROW(4, 2)].sum);
	ASSERT_EQ(100, ket_row_count(&a->rows[KET_REASON_ROW(2)]));
	/* The readers' view: a reason's first row also makes its class. */
	ket_acct_view(KET_REASON_ROW(2), 4, table_cls, &to, &also);
	ASSERT_EQ(KET_REASON_ROW(2), to);
	ASSERT_EQ(C(PIO), also);
	ket_acct_view(KET_MOVED_ROW(4, 2), 4, table_cls, &to, &also);
	ASSERT_EQ(KET_REASON_ROW(2), to);
	ASSERT_EQ(~0U, also);
	ket_acct_view(KET_REASON_ROW(3), 4, table_cls, &to, &also);
	ASSERT_EQ(~0U, also);	/* resolved reasons own no class */
	ket_acct_view(C(SIGNAL), 4, table_cls, &to, &also);
	ASSERT_EQ(C(SIGNAL), to);
	ASSERT_EQ(~0U, also);
	/* A fastpath re-entry: counted, 0 ns, its time in the guest's. */
	ket_acct_reentry(a, t += 80, 3, table_cls[3], C(DEC), &tb);
	ASSERT_EQ(ket_acct_entries(a) - 1, ket_acct_exits(a));
	ASSERT_EQ(acct_reason_samples(a), ket_acct_exits(a));
	ASSERT_EQ(1, a->untimed);
	ASSERT_EQ(0, a->rows[C(DEC)].max);
	ASSERT_EQ(1, a->rows[C(DEC)].hist[0]);
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_MOVED_ROW(4, 3)]));
	ASSERT_EQ(5130, a->rows[KET_GUEST_ROW].sum);
	/*
	 * A clock going backwards is counted, never accounted: a guest run
	 * ending before it began, then an exit ending before it began.
	 */
	ASSERT_TRUE(ket_acct_in_guest(a));
	ket_acct_stamp_exit(a, t - 5000, kind2);
	ket_acct_entry(a, t + 10, C(PIO), &tb);
	ASSERT_EQ(1, a->anomalies);
	ASSERT_EQ(5130, a->rows[KET_GUEST_ROW].sum);
	ASSERT_EQ(101, ket_row_count(&a->rows[KET_REASON_ROW(2)]));
	ASSERT_EQ(5010, a->rows[KET_REASON_ROW(2)].max);
	ASSERT_TRUE(ket_acct_in_guest(a));
	ket_acct_stamp_exit(a, t += 20, kind2);
	ket_acct_entry(a, t - 1, C(PIO), &tb);
	ASSERT_EQ(2, a->anomalies);
	ASSERT_EQ(5140, a->rows[KET_GUEST_ROW].sum);
	ASSERT_EQ(101, ket_row_count(&a->rows[KET_REASON_ROW(2)]));
	ASSERT_EQ(105, ket_acct_entries(a));
	ASSERT_EQ(ket_acct_entries(a) - 2, ket_acct_exits(a));
	ASSERT_EQ(acct_reason_samples(a), ket_acct_exits(a));
	/* Reset keeps the cycle in flight: the invariant still holds. */
	ket_acct_reset(a, 4);
	ASSERT_EQ(0, ket_row_count(&a->rows[KET_REASON_ROW(2)]));
	ASSERT_EQ(0, ket_row_count(&a->rows[KET_MOVED_ROW(4, 3)]));
	ASSERT_EQ(~0ULL, a->rows[KET_REASON_ROW(2)].min);
	ASSERT_EQ(1, ket_acct_entries(a));
	ASSERT_EQ(0, ket_acct_exits(a));
	ASSERT_TRUE(ket_acct_in_guest(a));
	ket_acct_stamp_exit(a, t += 10, kind2);
	ket_acct_entry(a, t + 3, C(PIO), &tb);
	ASSERT_EQ(3, a->rows[KET_REASON_ROW(2)].min);
	ASSERT_EQ(2, ket_acct_entries(a));
	ASSERT_EQ(ket_acct_entries(a) - 1, ket_acct_exits(a));
	ASSERT_EQ(acct_reason_samples(a), ket_acct_exits(a));
	free(a);
}

/*
 * Guest runs and exits of 68.7 s and more land in the open top bucket;
 * from 2^32 ns (4.3 s), the probes' long path takes them, and its sums
 * match the fast path's at the boundary.
 */
TEST(acct_long_intervals)
{
	const struct ket_exit_kind kind2 = ket_acct_kind(2, C(PIO));
	struct ket_acct *a = acct_new(4);
	struct ket_row *guest, *row;
	struct ket_timebase tb;
	u64 t = 1000;

	ket_timebase_init(&tb, 1ULL << 32);	/* 1 unit = 1 ns */
	ASSERT_EQ(1ULL << 32, tb.short_cycles);
	ket_acct_init(a, 4);
	guest = &a->rows[KET_GUEST_ROW];
	row = &a->rows[KET_REASON_ROW(2)];
	ket_acct_first_entry(a, t);
	/* A long guest run, a short exit. */
	ket_acct_stamp_exit(a, t += 1ULL << 36, kind2);
	ket_acct_entry(a, t += 5, C(PIO), &tb);
	ASSERT_EQ(1, guest->hist[KET_HIST_BUCKETS - 1]);
	ASSERT_EQ(1ULL << 36, guest->max);
	ASSERT_EQ(1, row->hist[3]);
	/* A short guest run, a long exit. */
	ket_acct_stamp_exit(a, t += 3, kind2);
	ket_acct_entry(a, t += 100ULL << 36, C(PIO), &tb);
	ASSERT_EQ(1, guest->hist[2]);
	ASSERT_EQ(1, row->hist[KET_HIST_BUCKETS - 1]);
	ASSERT_EQ(100ULL << 36, row->max);
	ASSERT_EQ((100ULL << 36) + 5, row->sum);
	/* Just short of the top bucket, on the long path. */
	ket_acct_stamp_exit(a, t += (1ULL << 36) - 1, kind2);
	ket_acct_entry(a, t += (1ULL << 36) - 1, C(PIO), &tb);
	ASSERT_EQ(1, guest->hist[KET_HIST_BUCKETS - 2]);
	ASSERT_EQ(1, row->hist[KET_HIST_BUCKETS - 2]);
	ASSERT_EQ(3, ket_acct_exits(a));
	ASSERT_EQ(4, ket_acct_entries(a));
	ket_acct_reset(a, 4);
	/* 2^32 - 1 ns on the fast path, 2^32 on the long: squares exact. */
	ket_acct_stamp_exit(a, t += (1ULL << 32) - 1, kind2);
	ket_acct_entry(a, t += 1ULL << 32, C(PIO), &tb);
	ASSERT_EQ(1, guest->hist[32]);
	ASSERT_EQ(1, row->hist[33]);
	ket_acct_stamp_exit(a, t += 1ULL << 32, kind2);
	ket_acct_entry(a, t += (1ULL << 32) - 1, C(PIO), &tb);
	ASSERT_EQ(1, guest->hist[33]);
	ASSERT_EQ(1, row->hist[32]);
	ASSERT_EQ((2ULL << 32) - 1, guest->sum);
	ASSERT_EQ((1ULL << 32) - 1, guest->min);
	ASSERT_EQ(1ULL << 32, guest->max);
	ASSERT_TRUE(ket_row_sumsq(guest) ==
		    ((__uint128_t)1 << 64) +
			    (__uint128_t)((1ULL << 32) - 1) * ((1ULL << 32) - 1));
	ASSERT_TRUE(ket_row_sumsq(guest) == ket_row_sumsq(row));
	ASSERT_EQ(guest->sum, row->sum);
	ASSERT_EQ(2, ket_acct_exits(a));
	ASSERT_EQ(acct_reason_samples(a), ket_acct_exits(a));
	ASSERT_EQ(0, a->anomalies);
	free(a);
}

TEST(ns_conversion)
{
	/* 3 GHz: mult = 10^6 << 32 / 3000000 kHz */
	u64 mult = (1000000ULL << 32) / 3000000;

	ASSERT_EQ(333, ket_to_ns(1000, mult));
	ASSERT_EQ(999999999, ket_to_ns(3000000000ULL, mult) + 0);
}

static struct ket_reason_table svm, vmx;

/* Each TEST runs in its own child: build the tables in each. */
static void tables_init(void)
{
	ket_reason_table_init(&svm, KET_VENDOR_SVM);
	ket_reason_table_init(&vmx, KET_VENDOR_VMX);
}

static unsigned int idx(struct ket_reason_table *t, const char *name)
{
	for (unsigned int i = 0; i < t->nr; i++)
		if (!strcmp(t->name[i], name))
			return i;
	return ~0u;
}

TEST(reason_tables)
{
	ASSERT_EQ(0, ket_reason_table_init(&svm, KET_VENDOR_SVM));
	ASSERT_EQ(0, ket_reason_table_init(&vmx, KET_VENDOR_VMX));
	/* uapi names, spaces made underscores */
	ASSERT_EQ(idx(&svm, "io"), ket_reason_index(&svm, 0x7b));
	ASSERT_EQ(idx(&svm, "npf"), ket_reason_index(&svm, 0x400));
	ASSERT_EQ(idx(&svm, "UD_excp"), ket_reason_index(&svm, 0x46));
	ASSERT_EQ(idx(&svm, "invalid_guest_state"), ket_reason_index(&svm, ~0ULL));
	ASSERT_EQ(svm.unknown, ket_reason_index(&svm, 0xff));
	ASSERT_EQ(svm.unknown, ket_reason_index(&svm, 0x4ff));
	ASSERT_STREQ("unknown", svm.name[svm.unknown]);
	/* VMX flag bits above 15 never make a bogus reason */
	ASSERT_EQ(idx(&vmx, "CPUID"), ket_reason_index(&vmx, ket_vmx_code(0x08000000 | 10)));
	ASSERT_EQ(idx(&vmx, "FAILED_VMENTRY"),
		  ket_reason_index(&vmx, ket_vmx_code(0x80000021)));
	ASSERT_EQ(idx(&vmx, "OTHER_SMI"), ket_reason_index(&vmx, 6));
	ASSERT_EQ(vmx.unknown, ket_reason_index(&vmx, 77));	/* TDCALL */
	/*
	 * The fast table's kinds lead the probes to each reason's row.  Its
	 * stamps pass the probe's one compare only for a final class and a
	 * vCPU in a guest run, and stored a phase on they set the kind and
	 * KET_PHASE_IN_EXIT; the other classes' stamps, through the slow
	 * path, set KET_PHASE_IN_EXIT_RESOLVE.
	 */
	static const u8 phases[] = {
		KET_PHASE_NEW, KET_PHASE_IN_GUEST, KET_PHASE_IN_EXIT,
		KET_PHASE_GONE, KET_PHASE_IN_EXIT_RESOLVE,
	};
	u64 fast;

	for (unsigned int v = 0; v < 2; v++) {
		struct ket_reason_table *t = v ? &vmx : &svm;
		struct ket_acct *a = calloc(1, ket_acct_size(t->nr));
		unsigned int n = 0, fast_ok = 0;

		ASSERT_NE(NULL, a);
		for (unsigned int code = 0; code < 0x100; code++) {
			unsigned int reason = t->lo[code];
			struct ket_exit_kind k;

			ASSERT_TRUE(ket_exit_stamp_fast(t, code, &fast));
			for (unsigned int i = 0; i < ARRAY_SIZE(phases); i++) {
				a->phase = phases[i];
				fast_ok += ket_acct_fast_ok(a, fast);
				ASSERT_EQ(ket_acct_fast_ok(a, fast),
					  phases[i] == KET_PHASE_IN_GUEST &&
						  fast != KET_STAMP_SLOW);
			}
			if (reason == KET_NO_REASON) {
				ASSERT_EQ(KET_STAMP_SLOW, fast);
				continue;
			}
			n++;
			k = ket_acct_kind(reason, t->cls[reason]);
			ASSERT_EQ(&a->rows[KET_REASON_ROW(reason)],
				  ket_acct_row(a, k));
			if (k.cls >= KET_RESOLVE_FIRST) {
				ASSERT_EQ(KET_STAMP_SLOW, fast);
				ket_acct_stamp_exit(a, 5, k);
				ASSERT_EQ(KET_PHASE_IN_EXIT_RESOLVE, a->phase);
			} else {
				a->phase = KET_PHASE_IN_GUEST;
				ket_acct_fast_exit(a, 5, fast);
				ASSERT_EQ(KET_PHASE_IN_EXIT, a->phase);
			}
			/* on x86 the mark is the class: the entry resolves it */
			ASSERT_EQ(k.cls >= KET_RESOLVE_FIRST,
				  ket_acct_needs_resolve(a));
			ASSERT_EQ(k.reason, a->kind.reason);
			ASSERT_EQ(k.cls, a->kind.cls);
			ASSERT_EQ(k.row, a->kind.row);
			ASSERT_EQ(5, a->t_exit);
		}
		/* ... of every reason below 0x100 */
		for (unsigned int i = 0; i < t->nr; i++)
			n -= t->code[i] < 0x100;
		ASSERT_EQ(0, n);
		/* each final class below 0x100 passes, from one phase only */
		for (unsigned int i = 0; i < t->nr; i++)
			fast_ok -= t->code[i] < 0x100 &&
				   t->cls[i] < KET_RESOLVE_FIRST;
		ASSERT_EQ(0, fast_ok);
		free(a);
	}
	ASSERT_EQ(C(OTHER), vmx.cls[vmx.unknown]);
	ASSERT_FALSE(ket_exit_stamp_fast(&svm, 0x400, &fast));	/* npf */
}

TEST(fast_exit_tsc)
{
	/* RDTSC's halves, stored apart, are the exit's 64-bit time */
	struct ket_acct a = { 0 };
	struct ket_tsc tsc = { .lo = 0x89abcdef, .hi = 0x01234567 };

	a.phase = KET_PHASE_IN_GUEST;
	ket_acct_fast_exit_tsc(&a, tsc, 7ULL << KET_STAMP_KIND_SHIFT |
						KET_PHASE_IN_GUEST);
	ASSERT_EQ(0x0123456789abcdefULL, a.t_exit);
	ASSERT_EQ(0x0123456789abcdefULL, ket_tsc_join(tsc));
	ASSERT_EQ(KET_PHASE_IN_EXIT, a.phase);
	ASSERT_EQ(7, a.stamp >> KET_STAMP_KIND_SHIFT);
}

TEST(classes)
{
	struct ket_exit_detail d = {};
	struct ket_outcome o = {};
	unsigned int npf, pf, msr, ud;

	tables_init();
	npf = ket_reason_index(&svm, 0x400);
	pf = ket_reason_index(&svm, 0x4e);
	msr = ket_reason_index(&svm, 0x7c);
	ud = ket_reason_index(&svm, 0x46);

	ASSERT_EQ(C(EMULINST), svm.cls[ket_reason_index(&svm, 0x72)]);
	ASSERT_EQ(C(PIO), svm.cls[ket_reason_index(&svm, 0x7b)]);
	ASSERT_EQ(C(HALT), svm.cls[ket_reason_index(&svm, 0x78)]);
	ASSERT_EQ(C(HCALL), svm.cls[ket_reason_index(&svm, 0x81)]);
	ASSERT_EQ(C(NESTED), svm.cls[ket_reason_index(&svm, 0x82)]);
	ASSERT_EQ(C(SPIN), svm.cls[ket_reason_index(&svm, 0x77)]);
	ASSERT_EQ(C(EXTINT), svm.cls[ket_reason_index(&svm, 0x60)]);
	ASSERT_EQ(C(APIC), svm.cls[ket_reason_index(&svm, 0x18)]);
	ASSERT_EQ(C(FP_UNAVAIL), svm.cls[ket_reason_index(&svm, 0x47)]);
	ASSERT_EQ(C(DEBUG), svm.cls[ket_reason_index(&svm, 0x41)]);
	/* NPF: fetch, data, MMIO by reserved bit or new MMIO SPTE, APIC page */
	d.info1 = 0x100000014;
	ASSERT_EQ(C(ITLBVIRT), ket_resolve_class(&svm, npf, &d, &o));
	d.info1 = 0x100000006;
	ASSERT_EQ(C(DTLBVIRT), ket_resolve_class(&svm, npf, &d, &o));
	o.mmio = true;
	ASSERT_EQ(C(MMIO), ket_resolve_class(&svm, npf, &d, &o));
	o.mmio = false;
	d.info1 = 0x10000000e;
	ASSERT_EQ(C(MMIO), ket_resolve_class(&svm, npf, &d, &o));
	d.apic_base = 0xfee00000;
	d.gpa = 0xfee00380;
	ASSERT_EQ(C(DEC), ket_resolve_class(&svm, npf, &d, &o));
	d.gpa = 0xfee00300;
	ASSERT_EQ(C(APIC), ket_resolve_class(&svm, npf, &d, &o));
	/* Shadow #PF: reflected (REAL) or fixed (VIRT) */
	d = (struct ket_exit_detail){ .info1 = 0x10 };
	o.pf_guest = true;
	ASSERT_EQ(C(ITLBREAL), ket_resolve_class(&svm, pf, &d, &o));
	d.info1 = 0x2;
	ASSERT_EQ(C(DTLBREAL), ket_resolve_class(&svm, pf, &d, &o));
	o.pf_guest = false;
	ASSERT_EQ(C(DTLBVIRT), ket_resolve_class(&svm, pf, &d, &o));
	/* MSRs */
	d.msr = 0x6e0;
	ASSERT_EQ(C(DEC), ket_resolve_class(&svm, msr, &d, &o));
	d.msr = 0x830;
	ASSERT_EQ(C(APIC), ket_resolve_class(&svm, msr, &d, &o));
	d.msr = 0x838;
	ASSERT_EQ(C(DEC), ket_resolve_class(&svm, msr, &d, &o));
	d.msr = 0xc0000080;
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&svm, msr, &d, &o));
	/* #UD: VMCALL on AMD is a hypercall; emulated otherwise */
	o.hypercall = true;
	ASSERT_EQ(C(HCALL), ket_resolve_class(&svm, ud, &d, &o));
	o.hypercall = false;
	o.emulated = true;
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&svm, ud, &d, &o));
	o.emulated = false;
	ASSERT_EQ(C(EXCEPTION), ket_resolve_class(&svm, ud, &d, &o));
	/* VMX: timer interrupt, preemption timer, EPT */
	d.intr_info = 0x800000ec;
	ASSERT_EQ(C(DEC), ket_resolve_class(&vmx, ket_reason_index(&vmx, 1), &d, &o));
	d.intr_info = 0x80000030;
	ASSERT_EQ(C(EXTINT), ket_resolve_class(&vmx, ket_reason_index(&vmx, 1), &d, &o));
	ASSERT_EQ(C(DEC), vmx.cls[ket_reason_index(&vmx, 52)]);
	ASSERT_EQ(C(MMIO), vmx.cls[ket_reason_index(&vmx, 49)]);
	d = (struct ket_exit_detail){ .info1 = 0x4 };
	ASSERT_EQ(C(ITLBVIRT), ket_resolve_class(&vmx, ket_reason_index(&vmx, 48), &d, &o));
	d.info1 = 0x2;
	ASSERT_EQ(C(DTLBVIRT), ket_resolve_class(&vmx, ket_reason_index(&vmx, 48), &d, &o));
	/* every class table entry is a class or a resolver */
	for (unsigned int i = 0; i < svm.nr; i++)
		ASSERT_TRUE(svm.cls[i] < C(TIMEINGUEST) || svm.cls[i] >= KET_RESOLVE_FIRST);
	for (unsigned int i = 0; i < vmx.nr; i++)
		ASSERT_TRUE(vmx.cls[i] < C(TIMEINGUEST) || vmx.cls[i] >= KET_RESOLVE_FIRST);
}

/*
 * Codes a host can produce that the tables must not misfile: a failed
 * VMREAD, SVM's idle HLT and bus lock, and codes the tables do not name.
 */
TEST(decode_edges)
{
	unsigned int code;
	u64 fast;

	tables_init();
	/* A failed VMREAD (all ones) is unknown, never a failed VM entry. */
	ASSERT_EQ(KET_VMX_UNREADABLE, ket_vmx_code(U32_MAX));
	ASSERT_EQ(vmx.unknown, ket_reason_index(&vmx, ket_vmx_code(U32_MAX)));
	ASSERT_EQ(C(OTHER), vmx.cls[ket_reason_index(&vmx, ket_vmx_code(U32_MAX))]);
	ASSERT_FALSE(ket_exit_stamp_fast(&vmx, KET_VMX_UNREADABLE, &fast));
	/* A failed VMREAD leaves the probe's VM_EXIT_REASON: not stamped. */
	ASSERT_FALSE(ket_exit_stamp_fast(&vmx, 0x4402, &fast));
	ASSERT_EQ(KET_VMX_FAILED_VMENTRY, ket_vmx_code(0x80000021));
	ASSERT_EQ(KET_VMX_FAILED_VMENTRY, ket_vmx_code(0xfffe0021));
	ASSERT_EQ(0xffff, ket_vmx_code(0x7fffffff));
	/* SVM idle HLT (6.15+) is HALT; bus lock is OTHER, on both vendors */
	ASSERT_EQ(C(HALT), ket_svm_base_class(0xa6));
	ASSERT_EQ(C(OTHER), ket_svm_base_class(0xa5));
	ASSERT_EQ(C(OTHER), ket_vmx_base_class(74));	/* BUS_LOCK */
	/* Codes no table names: OTHER, never EMULINST */
	for (code = 0xa0; code < 0x100; code++)
		if (code != 0xa2 && code != 0xa6)	/* invpcid, idle-halt */
			ASSERT_EQ(C(OTHER), ket_svm_base_class(code));
	ASSERT_EQ(C(OTHER), ket_svm_base_class(0x7f));	/* shutdown */
	ASSERT_EQ(C(OTHER), ket_svm_base_class(0x4ff));
	ASSERT_EQ(C(OTHER), ket_vmx_base_class(77));	/* TDCALL */
	ASSERT_EQ(C(OTHER), ket_vmx_base_class(0xffff));
	/* The instructions KVM emulates stay EMULINST */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x65));	/* cr0_sel_write */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x72));	/* cpuid */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x73));	/* rsm */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x89));	/* wbinvd */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x8d));	/* xsetbv */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x9f));	/* cr15 trap */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0xa2));	/* invpcid */
	ASSERT_EQ(C(APIC), ket_svm_base_class(0x74));	/* iret */
	ASSERT_EQ(C(APIC), ket_svm_base_class(0x98));	/* write_cr8_trap */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x97));	/* cr7 trap */
	ASSERT_EQ(C(EMULINST), ket_svm_base_class(0x99));	/* cr9 trap */
	/* An unnamed code's row, through the fast table: unknown, OTHER */
	if (svm.lo[0xa6] == KET_NO_REASON) {
		ASSERT_EQ(svm.unknown, ket_reason_index(&svm, 0xa6));
		ASSERT_TRUE(ket_exit_stamp_fast(&svm, 0xa6, &fast));
		ASSERT_EQ(KET_STAMP_SLOW, fast);
	} else {
		ASSERT_EQ(C(HALT), svm.cls[svm.lo[0xa6]]);
	}
}

/* The binary stats file: KVM's layout, byte for byte. */
TEST(stats_layout_exact)
{
	struct ket_stats_totals tot = { 1, 11, 10, 0, 3, 0 };
	struct ket_stats_layout l;
	struct kvm_stats_header *h;
	struct kvm_stats_desc *d;
	unsigned int rows, i;
	struct ket_agg *aggs;
	u64 *data;
	char *buf;

	ASSERT_EQ(0, ket_reason_table_init(&svm, KET_VENDOR_SVM));
	ASSERT_EQ(0, ket_reason_table_init(&vmx, KET_VENDOR_VMX));
	rows = KVM_EXIT_TIMING_NR_CLASSES + svm.nr;
	ket_stats_layout_init(&l, rows);
	ASSERT_EQ(6 + 6 * rows, l.num_desc);
	ASSERT_EQ(64, l.desc_size);	/* 16 + the 48-byte name */
	ASSERT_EQ(24, l.id_offset);
	ASSERT_EQ(72, l.desc_offset);
	ASSERT_EQ(72 + 64 * l.num_desc, l.data_offset);
	ASSERT_EQ((6 + rows * 44) * 8, l.data_size);
	ASSERT_EQ(l.data_offset + l.data_size, l.size);

	buf = calloc(1, l.size);
	ASSERT_EQ(0, ket_stats_write_meta(&l, &svm, "kvm-42/exit_timing", buf));
	h = (void *)buf;
	ASSERT_EQ(0, h->flags);
	ASSERT_EQ(48, h->name_size);
	ASSERT_EQ(l.num_desc, h->num_desc);
	ASSERT_EQ(24, h->id_offset);
	ASSERT_EQ(72, h->desc_offset);
	ASSERT_EQ(l.data_offset, h->data_offset);
	ASSERT_STREQ("kvm-42/exit_timing", buf + 24);
	d = (void *)(buf + 72);
	ASSERT_STREQ("vcpus", d->name);
	ASSERT_EQ(KVM_STATS_TYPE_INSTANT, d->flags);
	d = (void *)(buf + 72 + 5 * 64);
	ASSERT_STREQ("anomalies", d->name);
	ASSERT_EQ(40, d->offset);
	/* Row 0 (EMULINST): count at word 6, its histogram at word 12. */
	d = (void *)(buf + 72 + 6 * 64);
	ASSERT_STREQ("class_EMULINST_count", d->name);
	ASSERT_EQ(48, d->offset);
	ASSERT_EQ(1, d->size);
	ASSERT_EQ(0, d->exponent);
	d = (void *)(buf + 72 + 10 * 64);
	ASSERT_STREQ("class_EMULINST_sumsq_ns2", d->name);
	ASSERT_EQ(2, d->size);
	ASSERT_EQ(80, d->offset);
	d = (void *)(buf + 72 + 11 * 64);
	ASSERT_STREQ("class_EMULINST_hist_ns", d->name);
	ASSERT_EQ(KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS |
		  KVM_STATS_BASE_POW10, d->flags);
	ASSERT_EQ(-9, d->exponent);
	ASSERT_EQ(38, d->size);
	ASSERT_EQ(0, d->bucket_size);
	ASSERT_EQ(96, d->offset);
	/* The first reason row follows TIMEINGUEST. */
	d = (void *)(buf + 72 + (6 + 6 * KVM_EXIT_TIMING_NR_CLASSES) * 64);
	ASSERT_EQ(0, strncmp(d->name, "reason_", 7));
	ASSERT_EQ((6 + 44 * KVM_EXIT_TIMING_NR_CLASSES) * 8, d->offset);
	d = (void *)(buf + 72 + (l.num_desc - 1) * 64);
	ASSERT_STREQ("reason_unknown_hist_ns", d->name);
	/* Bytes after each name's terminator are zero. */
	for (i = strlen(d->name); i < 48; i++)
		ASSERT_EQ(0, d->name[i]);
	/* Every VMX name fits, as every SVM one did. */
	ket_stats_layout_init(&l, KVM_EXIT_TIMING_NR_CLASSES + vmx.nr);
	free(buf);
	buf = calloc(1, l.size);
	ASSERT_EQ(0, ket_stats_write_meta(&l, &vmx, "kvm-1/vcpu-0/exit_timing",
					  buf));
	/* An id that does not fit is refused. */
	ASSERT_EQ(-ENAMETOOLONG,
		  ket_stats_write_meta(&l, &vmx,
				       "kvm-1234567890123/vcpu-1234567890123/exit_timing",
				       buf));

	/* Data words: counters, then each row; min 0 while empty. */
	aggs = calloc(rows, sizeof(*aggs));
	for (i = 0; i < rows; i++)
		ket_agg_init(&aggs[i]);
	ket_agg_add_row(&aggs[0], &(struct ket_row){
		.sum = 300, .min = 100, .max = 200,
		.sumsq_lo = 5, .sumsq_hi = 1, .hist = { [7] = 1, [8] = 1 } });
	ket_stats_layout_init(&l, rows);
	data = calloc(1, l.data_size);
	ket_stats_write_data(&l, data, aggs, &tot);
	ASSERT_EQ(1, data[0]);
	ASSERT_EQ(11, data[1]);
	ASSERT_EQ(10, data[2]);
	ASSERT_EQ(3, data[4]);
	ASSERT_EQ(2, data[6]);
	ASSERT_EQ(300, data[7]);
	ASSERT_EQ(100, data[8]);
	ASSERT_EQ(200, data[9]);
	ASSERT_EQ(5, data[10]);
	ASSERT_EQ(1, data[11]);
	ASSERT_EQ(1, data[12 + 7]);
	ASSERT_EQ(1, data[12 + 8]);
	ASSERT_EQ(0, data[6 + 44 + 2]);	/* row 1's min, no exits */
	free(data);
	free(aggs);
	free(buf);
}

/* A VM's file as the module writes it: two rows with exits. */
static char *module_image(struct ket_stats_layout *l)
{
	struct ket_stats_totals tot = { 2, 1001, 1000, 0, 7, 0 };
	struct ket_agg *aggs;
	unsigned int rows, i;
	char *buf;

	ket_reason_table_init(&svm, KET_VENDOR_SVM);
	rows = KVM_EXIT_TIMING_NR_CLASSES + svm.nr;
	aggs = calloc(rows, sizeof(*aggs));
	ket_stats_layout_init(l, rows);
	buf = calloc(1, l->size);
	ket_stats_write_meta(l, &svm, "kvm-7/exit_timing", buf);
	for (i = 0; i < rows; i++)
		ket_agg_init(&aggs[i]);
	/* EMULINST: 100 exits, 10 in [512, 1024) ns ... 90 in [1024, 2048) */
	ket_agg_add_row(&aggs[0], &(struct ket_row){
		.sum = 130000, .min = 600, .max = 2000,
		.sumsq_lo = 180000000, .hist = { [10] = 10, [11] = 90 } });
	ket_agg_add_row(&aggs[KVM_EXIT_TIMING_NR_CLASSES + 3], &(struct ket_row){
		.sum = 5, .min = 5, .max = 5, .sumsq_lo = 25,
		.hist = { [3] = 1 } });
	ket_stats_write_data(l, (u64 *)(buf + l->data_offset), aggs, &tot);
	free(aggs);
	return buf;
}

/* The tool reads exactly what the module writes. */
TEST(tool_parses_module_image)
{
	struct ket_scope_stats s;
	struct ket_stats_layout l;
	const struct ket_srow *r;
	char err[256], *buf = module_image(&l), *dir;
	size_t len;
	FILE *f;

	ASSERT_EQ(0, ket_stats_parse(buf, l.size, &s, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_STREQ("kvm-7/exit_timing", s.id);
	ASSERT_EQ(KVM_EXIT_TIMING_NR_CLASSES + svm.nr, s.nr_rows);
	ASSERT_EQ(1000, s.counters[KET_C_EXITS]);
	ASSERT_EQ(7, s.counters[KET_C_UNACCOUNTED]);
	r = &s.rows[0];
	ASSERT_STREQ("EMULINST", r->name);
	ASSERT_EQ(1, r->is_class);
	ASSERT_EQ(100, r->count);
	ASSERT_EQ(130000, r->time);
	ASSERT_EQ(600, r->min);
	ASSERT_EQ(2000, r->max);
	ASSERT_TRUE(r->sumsq == 180000000);
	ASSERT_EQ(90, r->hist[11]);
	ASSERT_STREQ(svm.name[3], s.rows[KVM_EXIT_TIMING_NR_CLASSES + 3].name);
	ASSERT_EQ(0, s.rows[KVM_EXIT_TIMING_NR_CLASSES + 3].is_class);
	/*
	 * Percentiles: rank 50 is the 40th of the 90 in [1024, 2047]:
	 * 1024 + 1023 * 40 / 90 = 1478.67; p10 the last of [512, 1023].
	 */
	ASSERT_EQ(147867, (long)(ket_percentile(r, 50) * 100 + 0.5));
	ASSERT_EQ(1023, (long)ket_percentile(r, 10));
	ASSERT_EQ(2000, (long)ket_percentile(r, 100));	/* clamped to max */
	ASSERT_EQ(1300, (long)ket_avg(r));
	ASSERT_EQ(332, (long)(ket_stddev(r) + 0.5));	/* sqrt(1.8e6 - 1300^2) */
	ket_stats_free(&s);

	/* Every truncation fails cleanly, with a reason. */
	for (len = 0; len < l.size; len += len < 200 ? 1 : 997) {
		err[0] = 0;
		ASSERT_EQ(-1, ket_stats_parse(buf, len, &s, err, sizeof(err)));
		ASSERT_NE(0, err[0]);
	}
	/* A descriptor pointing past the data, a foreign header. */
	((struct kvm_stats_desc *)(buf + l.desc_offset + 7 * l.desc_size))->offset =
		l.data_size;
	ASSERT_EQ(-1, ket_stats_parse(buf, l.size, &s, err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "beyond the data"));
	((struct kvm_stats_header *)buf)->name_size = 32;
	ASSERT_EQ(-1, ket_stats_parse(buf, l.size, &s, err, sizeof(err)));
	free(buf);

	/* The fuzzer's seed: a real image (make check sets the directory). */
	dir = getenv("KET_SEED_DIR");
	if (dir) {
		char path[512];

		buf = module_image(&l);
		snprintf(path, sizeof(path), "%s/svm_vm.stats", dir);
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		ASSERT_EQ(l.size, fwrite(buf, 1, l.size, f));
		fclose(f);
		free(buf);
	}
}

TEST_HARNESS_MAIN
