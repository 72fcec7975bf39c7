/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rendering: tables and bars for people, JSON for scripts, the Prometheus
 * text exposition format for monitoring (formats in kvm-exit-timing.1).
 */
#ifndef KET_OUTPUT_H
#define KET_OUTPUT_H

#include <stdio.h>

#include "ket_stats.h"

/*
 * The "version" of every --json object: raised by a change that would
 * break a reader (a field removed or changed), not by a field added.
 */
#define KET_JSON_VERSION 1

enum ket_sort {
	KET_SORT_NAME, KET_SORT_COUNT, KET_SORT_TIME, KET_SORT_MIN,
	KET_SORT_AVG, KET_SORT_P50, KET_SORT_P90, KET_SORT_P99,
	KET_SORT_P999, KET_SORT_MAX, KET_SORT_STDDEV, KET_NR_SORTS,
};

extern const char *const ket_sort_names[KET_NR_SORTS];

struct ket_label {
	const char *scope;	/* "host", "vm", "vcpu", "vms" */
	const char *vm;		/* NULL for the host and "vms" */
	const char *const *vms;	/* "vms": their names */
	unsigned int nr_vms;
	const char *guest;	/* the VM's guest name; NULL or "" if none */
	int pid;
	int vcpu;		/* -1: none */
};

/* Rows of one kind with a non-zero count, TIMEINGUEST apart, sorted. */
void ket_report_text(FILE *f, const struct ket_scope_stats *s,
		     const struct ket_label *l, int reasons, enum ket_sort by);
void ket_report_json(FILE *f, const struct ket_scope_stats *s,
		     const struct ket_label *l, int reasons, enum ket_sort by);
void ket_hist_text(FILE *f, const struct ket_srow *r,
		   const struct ket_label *l);
void ket_hist_json(FILE *f, const struct ket_srow *r,
		   const struct ket_label *l);
void ket_json_string(FILE *f, const char *s);
/* "scope":{"kind":...} for a JSON object; "host", "VM 123-4 (pid 123)"... */
void ket_json_scope(FILE *f, const struct ket_label *l);
void ket_scope_title(FILE *f, const struct ket_label *l);
/*
 * The rows of @s that a report shows (of one kind, with a count,
 * TIMEINGUEST apart) into @out, room for s->nr_rows, sorted by @by;
 * returns how many (0 also when out of memory).
 */
unsigned int ket_rows_sorted(const struct ket_scope_stats *s, int reasons,
			     enum ket_sort by, const struct ket_srow **out);

#endif
