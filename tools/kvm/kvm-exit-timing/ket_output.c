// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ket_calc.h"
#include "ket_output.h"

const char *const ket_sort_names[KET_NR_SORTS] = {
	"name", "count", "time", "min", "avg", "p50", "p90", "p99", "p99.9",
	"max", "stddev",
};

static const double pcts[] = { 50, 90, 99, 99.9 };

struct ket_fig {
	const struct ket_srow *r;
	double v[KET_NR_SORTS];	/* by enum ket_sort; [NAME] unused */
};

static enum ket_sort sort_by;

static int fig_cmp(const void *a, const void *b)
{
	const struct ket_fig *x = a, *y = b;

	if (sort_by == KET_SORT_NAME)
		return strcmp(x->r->name, y->r->name);
	if (x->v[sort_by] != y->v[sort_by])
		return x->v[sort_by] < y->v[sort_by] ? 1 : -1;
	return strcmp(x->r->name, y->r->name);
}

/* The rows shown, with their figures, sorted; returns how many. */
static unsigned int figures(const struct ket_scope_stats *s, int reasons,
			    enum ket_sort by, struct ket_fig *out,
			    const struct ket_srow **guest)
{
	unsigned int i, j, n = 0;

	*guest = NULL;
	for (i = 0; i < s->nr_rows; i++) {
		const struct ket_srow *r = &s->rows[i];

		if (ket_row_is_guest(r)) {
			*guest = r;
			continue;
		}
		if (r->is_class == reasons || !r->count)
			continue;
		out[n].r = r;
		out[n].v[KET_SORT_COUNT] = r->count;
		out[n].v[KET_SORT_TIME] = r->time;
		out[n].v[KET_SORT_MIN] = r->min;
		out[n].v[KET_SORT_AVG] = ket_avg(r);
		for (j = 0; j < 4; j++)
			out[n].v[KET_SORT_P50 + j] = ket_percentile(r, pcts[j]);
		out[n].v[KET_SORT_MAX] = r->max;
		out[n].v[KET_SORT_STDDEV] = ket_stddev(r);
		n++;
	}
	sort_by = by;
	qsort(out, n, sizeof(*out), fig_cmp);
	return n;
}

unsigned int ket_rows_sorted(const struct ket_scope_stats *s, int reasons,
			     enum ket_sort by, const struct ket_srow **out)
{
	struct ket_fig *fig = calloc(s->nr_rows + 1, sizeof(*fig));
	const struct ket_srow *guest;
	unsigned int n, i;

	if (!fig)
		return 0;
	n = figures(s, reasons, by, fig, &guest);
	for (i = 0; i < n; i++)
		out[i] = fig[i].r;
	free(fig);
	return n;
}

static void totals(const struct ket_fig *f, unsigned int n, double *count,
		   double *time)
{
	unsigned int i;

	*count = 0;
	*time = 0;
	for (i = 0; i < n; i++) {
		*count += f[i].r->count;
		*time += f[i].r->time;
	}
}

void ket_scope_title(FILE *f, const struct ket_label *l)
{
	unsigned int i;

	if (l->nr_vms) {
		fprintf(f, "VMs");
		for (i = 0; i < l->nr_vms; i++)
			fprintf(f, "%s %s", i ? "," : "", l->vms[i]);
		if (l->vcpu >= 0)
			fprintf(f, ", vCPU %d each", l->vcpu);
		return;
	}
	if (!l->vm) {
		fprintf(f, "host");
		return;
	}
	fprintf(f, "VM %s (pid %d", l->vm, l->pid);
	if (l->guest && l->guest[0])
		fprintf(f, ", guest %s", l->guest);
	fputc(')', f);
	if (l->vcpu >= 0)
		fprintf(f, " vCPU %d", l->vcpu);
}

void ket_report_text(FILE *f, const struct ket_scope_stats *s,
		     const struct ket_label *l, int reasons, enum ket_sort by)
{
	static const char *const cols[] = { "MIN", "AVG", "P50", "P90", "P99",
					    "P99.9", "MAX", "STDDEV" };
	static const enum ket_sort colv[] = {
		KET_SORT_MIN, KET_SORT_AVG, KET_SORT_P50, KET_SORT_P90,
		KET_SORT_P99, KET_SORT_P999, KET_SORT_MAX, KET_SORT_STDDEV };
	struct ket_fig *fig = calloc(s->nr_rows + 1, sizeof(*fig));
	const struct ket_srow *guest;
	double count, time;
	unsigned int n, i, c;
	char buf[32];

	if (!fig)
		return;
	n = figures(s, reasons, by, fig, &guest);
	totals(fig, n, &count, &time);
	ket_scope_title(f, l);
	ket_human_ns(buf, sizeof(buf), time);
	fprintf(f, ": %.0f exits, handling %s", count, buf);
	if (guest && guest->count) {
		ket_human_ns(buf, sizeof(buf), guest->time);
		fprintf(f, ", in guest %s (%.1f%%)", buf,
			100.0 * guest->time / (guest->time + time));
	}
	fprintf(f, "\n\n%-24s %10s %7s %7s", reasons ? "REASON" : "CLASS",
		"COUNT", "COUNT%", "TIME%");
	for (c = 0; c < 8; c++)
		fprintf(f, " %8s", cols[c]);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%-24s %10llu %6.2f%% %6.2f%%", fig[i].r->name,
			(unsigned long long)fig[i].r->count,
			100.0 * fig[i].r->count / count,
			time ? 100.0 * fig[i].r->time / time : 0);
		for (c = 0; c < 8; c++) {
			ket_human_ns(buf, sizeof(buf), fig[i].v[colv[c]]);
			fprintf(f, " %8s", buf);
		}
		fputc('\n', f);
	}
	free(fig);
}

void ket_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void ket_json_scope(FILE *f, const struct ket_label *l)
{
	unsigned int i;

	fprintf(f, "\"scope\":{\"kind\":\"%s\"", l->scope);
	if (l->nr_vms) {
		fprintf(f, ",\"vms\":[");
		for (i = 0; i < l->nr_vms; i++) {
			if (i)
				fputc(',', f);
			ket_json_string(f, l->vms[i]);
		}
		fputc(']', f);
	}
	if (l->vm) {
		fprintf(f, ",\"vm\":");
		ket_json_string(f, l->vm);
		fprintf(f, ",\"pid\":%d", l->pid);
		if (l->guest && l->guest[0]) {
			fprintf(f, ",\"guest\":");
			ket_json_string(f, l->guest);
		}
	}
	if (l->vcpu >= 0)
		fprintf(f, ",\"vcpu\":%d", l->vcpu);
	fputc('}', f);
}

void ket_report_json(FILE *f, const struct ket_scope_stats *s,
		     const struct ket_label *l, int reasons, enum ket_sort by)
{
	struct ket_fig *fig = calloc(s->nr_rows + 1, sizeof(*fig));
	const struct ket_srow *guest;
	double count, time;
	unsigned int n, i;

	if (!fig)
		return;
	n = figures(s, reasons, by, fig, &guest);
	totals(fig, n, &count, &time);
	fprintf(f, "{\"version\":%d,", KET_JSON_VERSION);
	ket_json_scope(f, l);
	for (i = 0; i < KET_NR_COUNTERS; i++)
		fprintf(f, ",\"%s\":%llu", ket_counter_names[i],
			(unsigned long long)s->counters[i]);
	fprintf(f, ",\"guest\":{\"count\":%llu,\"time_ns\":%llu}",
		(unsigned long long)(guest ? guest->count : 0),
		(unsigned long long)(guest ? guest->time : 0));
	fprintf(f, ",\"kind\":\"%s\",\"rows\":[", reasons ? "reason" : "class");
	for (i = 0; i < n; i++) {
		const struct ket_fig *g = &fig[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		ket_json_string(f, g->r->name);
		fprintf(f, ",\"count\":%llu,\"count_pct\":%.4f,\"time_pct\":%.4f,\"time_ns\":%llu,\"min_ns\":%llu,\"avg_ns\":%.1f,\"p50_ns\":%.1f,\"p90_ns\":%.1f,\"p99_ns\":%.1f,\"p999_ns\":%.1f,\"max_ns\":%llu,\"stddev_ns\":%.1f}",
			(unsigned long long)g->r->count,
			100.0 * g->r->count / count,
			time ? 100.0 * g->r->time / time : 0.0,
			(unsigned long long)g->r->time,
			(unsigned long long)g->r->min, g->v[KET_SORT_AVG],
			g->v[KET_SORT_P50], g->v[KET_SORT_P90],
			g->v[KET_SORT_P99], g->v[KET_SORT_P999],
			(unsigned long long)g->r->max, g->v[KET_SORT_STDDEV]);
	}
	fprintf(f, "]}\n");
	free(fig);
}

/* Bucket @b's bounds in ns: [lo, hi); hi 0 for the open last bucket. */
static void bucket_bounds(unsigned int b, double *lo, double *hi)
{
	*lo = b ? ldexp(1, b - 1) : 0;
	*hi = b == KET_BUCKETS - 1 ? 0 : ldexp(1, b);
	if (!b)
		*hi = 1;
}

void ket_hist_text(FILE *f, const struct ket_srow *r,
		   const struct ket_label *l)
{
	unsigned int b, first = KET_BUCKETS, last = 0, w;
	uint64_t peak = 0;
	char lo_s[16], hi_s[16];
	double lo, hi;

	ket_scope_title(f, l);
	fprintf(f, ": %s, %llu exits\n", r->name, (unsigned long long)r->count);
	for (b = 0; b < KET_BUCKETS; b++) {
		if (!r->hist[b])
			continue;
		first = first < b ? first : b;
		last = b;
		peak = r->hist[b] > peak ? r->hist[b] : peak;
	}
	for (b = first; b <= last && first < KET_BUCKETS; b++) {
		bucket_bounds(b, &lo, &hi);
		ket_human_bound(lo_s, sizeof(lo_s), (uint64_t)lo);
		if (hi)
			ket_human_bound(hi_s, sizeof(hi_s), (uint64_t)hi);
		else
			snprintf(hi_s, sizeof(hi_s), "inf");
		w = (unsigned int)((r->hist[b] * 50 + peak - 1) / peak);
		fprintf(f, "[%7s, %7s) %10llu %6.2f%% |%-50.*s|\n", lo_s, hi_s,
			(unsigned long long)r->hist[b],
			100.0 * r->hist[b] / r->count, w,
			"##################################################");
	}
}

void ket_hist_json(FILE *f, const struct ket_srow *r,
		   const struct ket_label *l)
{
	unsigned int b, n = 0;
	double lo, hi;

	fprintf(f, "{\"version\":%d,", KET_JSON_VERSION);
	ket_json_scope(f, l);
	fprintf(f, ",\"kind\":\"%s\",\"name\":", r->is_class ? "class" : "reason");
	ket_json_string(f, r->name);
	fprintf(f, ",\"count\":%llu,\"buckets\":[", (unsigned long long)r->count);
	for (b = 0; b < KET_BUCKETS; b++) {
		if (!r->hist[b])
			continue;
		bucket_bounds(b, &lo, &hi);
		fprintf(f, "%s{\"lo_ns\":%.0f,\"hi_ns\":", n++ ? "," : "", lo);
		if (hi)
			fprintf(f, "%.0f", hi);
		else
			fprintf(f, "null");
		fprintf(f, ",\"count\":%llu}", (unsigned long long)r->hist[b]);
	}
	fprintf(f, "]}\n");
}
