// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format (0.0.4), for node_exporter's
 * textfile collector.  Families, labels and buckets are documented in
 * kvm-exit-timing.1, PROMETHEUS.
 *
 * The module's bucket b >= 1 holds [2^(b-1), 2^b) ns of integer
 * nanoseconds, so its exact inclusive bound is 2^b - 1 ns: that is the
 * le printed, as an exact decimal.  Every series of a family has the
 * same bounds, so that sum by (le) adds like with like; the bounds that
 * real exits (or guest runs) never reach are left out, their counts
 * being in the next bucket kept (cumulative) or in +Inf.
 */
#include <stdint.h>
#include <string.h>

#include "ket_calc.h"
#include "ket_prom.h"

/* Exits: 127 ns to 8.59 s; guest runs: 1.02 us to 68.7 s. */
#define KET_PROM_EXIT_FIRST 7
#define KET_PROM_EXIT_LAST 33
#define KET_PROM_GUEST_FIRST 10
#define KET_PROM_GUEST_LAST 36

/* @ns nanoseconds as exact decimal seconds. */
static void prom_seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%09llu", (unsigned long long)(ns / 1000000000),
		(unsigned long long)(ns % 1000000000));
}

/* A label value, escaped as the exposition format wants. */
static void prom_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void prom_labels(FILE *f, const struct ket_label *l)
{
	fprintf(f, "vm=");
	prom_value(f, l->vm);
	fprintf(f, ",pid=\"%d\"", l->pid);
	if (l->guest && l->guest[0]) {
		fprintf(f, ",name=");
		prom_value(f, l->guest);
	}
	if (l->vcpu >= 0)
		fprintf(f, ",vcpu=\"%d\"", l->vcpu);
}

/* metric{labels[,key="name"] */
static void prom_series(FILE *f, const char *metric, const char *suffix,
			const struct ket_label *l, const char *key,
			const char *name)
{
	fprintf(f, "%s%s{", metric, suffix);
	prom_labels(f, l);
	if (key) {
		fprintf(f, ",%s=", key);
		prom_value(f, name);
	}
}

/* One histogram: buckets @first to @last, then +Inf, _sum and _count. */
static void prom_hist(FILE *f, const char *metric, const char *key,
		      const struct ket_srow *r, const struct ket_label *l,
		      unsigned int first, unsigned int last)
{
	uint64_t cum = 0;
	unsigned int b;

	for (b = 0; b < KET_BUCKETS; b++) {
		cum += r->hist[b];
		if (b < first || b > last)
			continue;
		prom_series(f, metric, "_bucket", l, key, r->name);
		fprintf(f, ",le=\"");
		prom_seconds(f, (1ULL << b) - 1);
		fprintf(f, "\"} %llu\n", (unsigned long long)cum);
	}
	prom_series(f, metric, "_bucket", l, key, r->name);
	fprintf(f, ",le=\"+Inf\"} %llu\n", (unsigned long long)r->count);
	prom_series(f, metric, "_sum", l, key, r->name);
	fprintf(f, "} ");
	prom_seconds(f, r->time);
	fputc('\n', f);
	prom_series(f, metric, "_count", l, key, r->name);
	fprintf(f, "} %llu\n", (unsigned long long)r->count);
}

enum { ROWS_CLASS, ROWS_REASON, ROWS_GUEST };

static const struct {
	const char *metric;
	const char *type;
	const char *help;
	int counter;		/* enum ket_counter, or -1 */
	int rows;		/* ROWS_*, for histograms */
} families[] = {
	{ "kvm_exit_timing_class_seconds", "histogram",
	  "Time KVM took to handle guest exits, by class.", -1, ROWS_CLASS },
	{ "kvm_exit_timing_reason_seconds", "histogram",
	  "Time KVM took to handle guest exits, by hardware exit reason.",
	  -1, ROWS_REASON },
	{ "kvm_exit_timing_guest_seconds", "histogram",
	  "Time guests ran between an entry and the next exit.", -1,
	  ROWS_GUEST },
	{ "kvm_exit_timing_exits_unaccounted_total", "counter",
	  "Exits before the vCPU was attached, not timed.",
	  KET_C_UNACCOUNTED, 0 },
	{ "kvm_exit_timing_exits_untimed_total", "counter",
	  "Exits re-entered without a kvm_exit event, counted with 0 ns.",
	  KET_C_UNTIMED, 0 },
	{ "kvm_exit_timing_clock_anomalies_total", "counter",
	  "Negative time deltas, never accounted.", KET_C_ANOMALIES, 0 },
};

static void prom_family(FILE *f, unsigned int k,
			struct ket_scope_stats *const *s,
			const struct ket_label *l, unsigned int n)
{
	unsigned int i, r;

	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[k].metric,
		families[k].help, families[k].metric, families[k].type);
	for (i = 0; i < n; i++) {
		if (families[k].counter >= 0) {
			prom_series(f, families[k].metric, "", &l[i], NULL,
				    NULL);
			fprintf(f, "} %llu\n", (unsigned long long)
				s[i]->counters[families[k].counter]);
			continue;
		}
		for (r = 0; r < s[i]->nr_rows; r++) {
			const struct ket_srow *row = &s[i]->rows[r];

			if (!row->count)
				continue;
			switch (families[k].rows) {
			case ROWS_CLASS:
				if (row->is_class && !ket_row_is_guest(row))
					prom_hist(f, families[k].metric,
						  "class", row, &l[i],
						  KET_PROM_EXIT_FIRST,
						  KET_PROM_EXIT_LAST);
				break;
			case ROWS_REASON:
				if (!row->is_class)
					prom_hist(f, families[k].metric,
						  "reason", row, &l[i],
						  KET_PROM_EXIT_FIRST,
						  KET_PROM_EXIT_LAST);
				break;
			case ROWS_GUEST:
				if (ket_row_is_guest(row))
					prom_hist(f, families[k].metric, NULL,
						  row, &l[i],
						  KET_PROM_GUEST_FIRST,
						  KET_PROM_GUEST_LAST);
				break;
			}
		}
	}
}

void ket_prom_status(FILE *f, int up, time_t when)
{
	fprintf(f, "# HELP kvm_exit_timing_up Whether the statistics could be read.\n"
		"# TYPE kvm_exit_timing_up gauge\nkvm_exit_timing_up %d\n"
		"# HELP kvm_exit_timing_read_timestamp_seconds When they were read (or tried).\n"
		"# TYPE kvm_exit_timing_read_timestamp_seconds gauge\n"
		"kvm_exit_timing_read_timestamp_seconds %lld\n",
		up, (long long)when);
}

void ket_prom(FILE *f, struct ket_scope_stats *const *s,
	      const struct ket_label *l, unsigned int n, time_t when)
{
	unsigned int k;

	for (k = 0; k < sizeof(families) / sizeof(families[0]); k++)
		prom_family(f, k, s, l, n);
	ket_prom_status(f, 1, when);
}
