// SPDX-License-Identifier: GPL-2.0
/*
 * top: each interval's exits (ket_interval.c), redrawn on a terminal,
 * else printed as blocks or JSON lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ket_calc.h"
#include "ket_interval.h"
#include "ket_term.h"
#include "ket_top.h"

static void top_json(FILE *f, const struct ket_top_opts *o,
		     const struct ket_label *l,
		     const struct ket_scope_stats *d,
		     const struct ket_scope_stats *total,
		     const struct ket_srow **rows, unsigned int nr,
		     struct ket_iv_vm **vms, unsigned int nr_vms, double secs)
{
	unsigned int i;

	fprintf(f, "{\"version\":%d,\"time\":%lld,\"interval_s\":%.3f,",
		KET_JSON_VERSION, (long long)time(NULL), secs);
	ket_json_scope(f, l);
	fprintf(f, ",\"kind\":\"%s\",\"exits\":%llu,\"rows\":[",
		o->reasons ? "reason" : "class",
		(unsigned long long)ket_kind_exits(d, o->reasons));
	for (i = 0; i < nr; i++) {
		const struct ket_srow *r = rows[i], *all = ket_find_row(total, r);

		fprintf(f, "%s{\"name\":", i ? "," : "");
		ket_json_string(f, r->name);
		fprintf(f, ",\"count\":%llu,\"rate_per_s\":%.1f,\"avg_ns\":%.1f,\"p99_ns\":%.1f,\"total\":%llu}",
			(unsigned long long)r->count, r->count / secs,
			ket_avg(r), ket_percentile(r, 99),
			(unsigned long long)(all ? all->count : r->count));
	}
	fprintf(f, "],\"vms\":[");
	for (i = 0; i < nr_vms; i++) {
		fprintf(f, "%s{\"name\":", i ? "," : "");
		ket_json_string(f, vms[i]->name);
		fprintf(f, ",\"guest\":");
		ket_json_string(f, vms[i]->guest);
		fprintf(f, ",\"id\":%llu,\"pid\":%d,\"state\":\"%s\",\"exits\":%llu}",
			(unsigned long long)vms[i]->id, vms[i]->pid,
			ket_iv_state_names[vms[i]->state],
			(unsigned long long)vms[i]->exits);
	}
	fprintf(f, "]}\n");
}

static void top_text(FILE *f, const struct ket_top_opts *o,
		     const struct ket_label *l,
		     const struct ket_scope_stats *d,
		     const struct ket_scope_stats *total,
		     const struct ket_srow **rows, unsigned int nr,
		     struct ket_iv_vm **vms, unsigned int nr_vms, double secs)
{
	uint64_t exits = ket_kind_exits(d, o->reasons);
	char when[32], avg[16], p99[16];
	time_t clock = time(NULL);
	unsigned int i;

	strftime(when, sizeof(when), "%F %T", localtime(&clock));
	fprintf(f, "--- %s  ", when);
	ket_scope_title(f, l);
	fprintf(f, "  interval %.2fs  %llu exits (%.0f/s)%s ---\n", secs,
		(unsigned long long)exits, exits / secs,
		ket_term_held() ? "  q quits" : "");
	fprintf(f, "%-24s %10s %10s %8s %8s %14s\n",
		o->reasons ? "REASON" : "CLASS", "EXITS", "EXITS/s", "AVG",
		"P99", "TOTAL");
	for (i = 0; i < nr; i++) {
		const struct ket_srow *r = rows[i], *all = ket_find_row(total, r);

		ket_human_ns(avg, sizeof(avg), ket_avg(r));
		ket_human_ns(p99, sizeof(p99), ket_percentile(r, 99));
		fprintf(f, "%-24s %10llu %10.0f %8s %8s %14llu\n", r->name,
			(unsigned long long)r->count, r->count / secs, avg, p99,
			(unsigned long long)(all ? all->count : r->count));
	}
	fprintf(f, "\n%-24s %-24s %10s %-8s %10s %10s\n", "VM", "GUEST", "PID",
		"STATE", "EXITS", "EXITS/s");
	for (i = 0; i < nr_vms; i++)
		fprintf(f, "%-24s %-24s %10d %-8s %10llu %10.0f\n", vms[i]->name,
			vms[i]->guest[0] ? vms[i]->guest : "-", vms[i]->pid,
			ket_iv_state_names[vms[i]->state],
			(unsigned long long)vms[i]->exits, vms[i]->exits / secs);
	fputc('\n', f);
}

/* The bytes of the first @cols characters (UTF-8) of @s's @len. */
static int cut_to(const char *s, size_t len, unsigned int cols)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && !cols--)
			break;
	return (int)i;
}

/*
 * @block to @f; on the terminal, cut to its size, so that the screen
 * never scrolls (the head of the block off it) and lines never wrap.
 */
static void top_put(FILE *f, const char *block)
{
	unsigned int rows, cols, n = 0, more = 0, total;
	size_t len = strlen(block);
	const char *p, *nl;
	char note[64];

	if (ket_term_held())
		fputs("\033[H\033[2J", f);
	if (ket_term_size(&rows, &cols)) {
		fputs(block, f);
		return;
	}
	/* Its blank lines at the end are no lines left out. */
	while (len && block[len - 1] == '\n')
		len--;
	for (p = block, total = 0; p < block + len; p++)
		total += *p == '\n';
	/* All of it if it fits, the last line unended: no scroll. */
	if (++total <= rows)
		rows++;
	for (p = block; p < block + len; p = nl + 1) {
		nl = memchr(p, '\n', block + len - p);
		if (!nl)
			nl = block + len;
		if (++n < rows)
			fprintf(f, "%.*s%s", cut_to(p, nl - p, cols), p,
				n < total ? "\n" : "");
		else
			more++;
	}
	if (more) {
		snprintf(note, sizeof(note),
			 "(%u more line%s: a taller window shows them)", more,
			 more == 1 ? "" : "s");
		fprintf(f, "%.*s", cut_to(note, strlen(note), cols), note);
	}
}

/* The interval's block: the VMs' deltas summed, their totals summed. */
static int top_show(FILE *f, const struct ket_top_opts *o,
		    const struct ket_intervals *t, double secs)
{
	const struct ket_srow **rows;
	FILE *screen = stdout;
	struct ket_iv_sum s;
	char *buf = NULL;
	unsigned int nr;
	size_t len = 0;

	if (ket_iv_sum(t, &s))
		return -ENOMEM;
	rows = calloc(s.delta.nr_rows + 1, sizeof(*rows));
	if (!rows) {
		ket_iv_sum_free(&s);
		return -ENOMEM;
	}
	nr = ket_rows_sorted(&s.delta, o->reasons, o->sort, rows);
	if (o->json) {
		top_json(f, o, &s.label, &s.delta, &s.total, rows, nr, s.vms,
			 s.nr_vms, secs);
	} else {
		screen = open_memstream(&buf, &len);
		if (screen) {
			top_text(screen, o, &s.label, &s.delta, &s.total, rows,
				 nr, s.vms, s.nr_vms, secs);
			fclose(screen);
		}
		if (buf)
			top_put(f, buf);
		free(buf);
	}
	fflush(f);
	free(rows);
	ket_iv_sum_free(&s);
	return screen ? 0 : -ENOMEM;
}

int ket_top(const struct ket_top_opts *o, char *err, size_t esz)
{
	struct ket_intervals t;
	struct timespec t0, t1;
	long it;
	int ret;

	ret = ket_iv_start(&t, &o->sel, o->reasons, err, esz);
	if (ret) {
		ket_iv_free(&t);
		return ret;
	}
	if (!o->json) {
		ket_term_init();
		ket_term_take();
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; !o->iterations || it < o->iterations; it++) {
		if (ket_term_wait((int)(o->interval * 1000)))
			break;
		ret = ket_iv_round(&t, err, esz);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!ret)
			ret = top_show(stdout, o, &t,
				       (t1.tv_sec - t0.tv_sec) +
					       (t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (ret == -ENOMEM)
			snprintf(err, esz, "out of memory");
		if (ret || (o->exit_with_vm && ket_iv_over(&t)))
			break;
		t0 = t1;
	}
	ket_term_give_back();
	ket_iv_free(&t);
	return ret;
}
