// SPDX-License-Identifier: GPL-2.0
/*
 * Each interval's exits are taken per VM: a VM's rows now minus the same
 * VM's rows at the previous interval, or all of them if the VM is new or
 * was reset in between, so that a VM that appears, exits or is reset
 * changes the interval by its own exits only; the host's line is the sum
 * of the VMs'.
 *
 * VMs are followed by the device's id.  From debugfs, by name: a running
 * VM "P-F" that goes is the exited record "P-F.N" that appears for the
 * first time, matched before the running VMs of the round, so that a new
 * VM that reuses the name "P-F" is a new VM.  A VM that came and went
 * within one interval is a record never seen before: new, and exited.
 * An entry is dropped once its record is no longer listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ket_calc.h"
#include "ket_guest.h"
#include "ket_term.h"
#include "ket_top.h"

enum top_state { TOP_RUNNING, TOP_NEW, TOP_RESET, TOP_EXITED, TOP_GONE };

static const char *const top_state_names[] = {
	"running", "new", "reset", "exited", "gone",
};

struct top_vm {
	uint64_t id;			/* the device's; 0 from debugfs */
	char name[80];			/* as listed while running */
	char record[80];		/* its exited record's, from debugfs */
	char guest[KET_GUEST_SIZE];	/* its guest's name, or "" */
	int pid;
	int hidden;			/* exited before top began */
	int final;			/* exited or gone: no more intervals */
	int known;			/* @last holds a snapshot */
	int seen;			/* listed in this round */
	int shown;			/* in this interval */
	enum top_state state;		/* in this interval */
	struct ket_scope_stats last;	/* at the previous interval */
	struct ket_scope_stats delta;	/* this interval's */
	uint64_t exits;			/* this interval's, of the kind shown */
};

struct top {
	const struct ket_top_opts *o;
	struct top_vm *vms;
	unsigned int nr, cap;
	int baseline;			/* the first round: nothing shown */
};

static void scope_copy(struct ket_scope_stats *dst,
		       const struct ket_scope_stats *src)
{
	ket_stats_free(dst);
	memset(dst, 0, sizeof(*dst));
	if (ket_scope_merge(dst, src))
		ket_stats_free(dst);
}

/* Did any count go back since @then: a reset in between? */
static int went_back(const struct ket_scope_stats *now,
		     const struct ket_scope_stats *then)
{
	const struct ket_srow *t;
	unsigned int i;

	if (now->counters[KET_C_EXITS] < then->counters[KET_C_EXITS])
		return 1;
	for (i = 0; i < now->nr_rows; i++) {
		t = ket_find_row(then, &now->rows[i]);
		if (t && now->rows[i].count < t->count)
			return 1;
	}
	return 0;
}

static uint64_t kind_exits(const struct ket_scope_stats *s, int reasons)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < s->nr_rows; i++)
		if (s->rows[i].is_class != reasons &&
		    strcmp(s->rows[i].name, "TIMEINGUEST"))
			n += s->rows[i].count;
	return n;
}

/* "P-F" of the exited record "P-F.N" into @out. */
static void record_vm_name(const char *record, char *out, size_t size)
{
	const char *dot = strrchr(record, '.');

	snprintf(out, size, "%.*s", dot ? (int)(dot - record) :
		 (int)strlen(record), record);
}

/* The entry of listed VM @v, if followed or known. */
static struct top_vm *top_find(struct top *t, const struct ket_vm_info *v)
{
	char name[80];
	unsigned int i;

	if (v->exited && !v->id)
		record_vm_name(v->name, name, sizeof(name));
	for (i = 0; i < t->nr; i++) {
		struct top_vm *tv = &t->vms[i];

		if (v->id) {
			if (tv->id == v->id)
				return tv;
		} else if (v->exited) {
			if (!strcmp(tv->record, v->name))
				return tv;
		} else if (!tv->final && !strcmp(tv->name, v->name)) {
			return tv;
		}
	}
	/* A record seen for the first time: the exit of a VM followed. */
	for (i = 0; v->exited && !v->id && i < t->nr; i++) {
		struct top_vm *tv = &t->vms[i];

		if (!tv->final && !strcmp(tv->name, name)) {
			snprintf(tv->record, sizeof(tv->record), "%s", v->name);
			return tv;
		}
	}
	return NULL;
}

static struct top_vm *top_add(struct top *t, const struct ket_vm_info *v)
{
	struct top_vm *tv;

	if (t->nr == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 16;

		tv = realloc(t->vms, cap * sizeof(*tv));
		if (!tv)
			return NULL;
		t->vms = tv;
		t->cap = cap;
	}
	tv = &t->vms[t->nr++];
	memset(tv, 0, sizeof(*tv));
	tv->id = v->id;
	tv->pid = v->pid;
	if (v->exited && !v->id) {
		record_vm_name(v->name, tv->name, sizeof(tv->name));
		snprintf(tv->record, sizeof(tv->record), "%s", v->name);
	} else {
		snprintf(tv->name, sizeof(tv->name), "%s", v->name);
	}
	tv->state = TOP_NEW;
	return tv;
}

/* @tv's figures now, from VM @v; a VM gone meanwhile is left for later. */
static int top_read(struct top *t, struct top_vm *tv,
		    struct ket_selection *sel, const struct ket_vm_info *v,
		    char *err, size_t esz)
{
	const struct ket_scope_stats *now;
	int ret;

	ret = ket_select_add(sel, v, t->o->sel.vcpu, err, esz);
	/* Removed while read (debugfs): as if not listed. */
	if (ret == -ENOENT || ret == -EIO)
		return 0;
	if (ret)
		return ret;
	now = &sel->scopes[sel->nr - 1].s;
	scope_copy(&tv->delta, now);
	if (!tv->known) {
		/* All its exits are the interval's, but at the baseline. */
		tv->state = t->baseline ? TOP_RUNNING : TOP_NEW;
	} else if (went_back(now, &tv->last)) {
		/* Its exits since the reset: all it has. */
		tv->state = TOP_RESET;
	} else {
		tv->state = TOP_RUNNING;
		ket_scope_delta(&tv->delta, now, &tv->last);
	}
	tv->known = 1;
	tv->seen = 1;
	if (v->exited) {
		tv->state = TOP_EXITED;
		tv->final = 1;
	}
	scope_copy(&tv->last, now);
	if (!v->exited)
		snprintf(tv->guest, sizeof(tv->guest), "%s", ket_vm_guest(v));
	tv->exits = kind_exits(&tv->delta, t->o->reasons);
	tv->shown = !t->baseline;
	return 0;
}

/*
 * Whether VM @v, which no entry follows, is one to follow: a running VM
 * that --vm names (any without), or after the baseline an exited one
 * never seen, which came and went within the interval.
 */
static int top_wanted(const struct top *t, const struct ket_vm_info *v)
{
	const struct ket_selector *s = &t->o->sel;

	if (v->exited && t->baseline)
		return 0;
	if (s->nr_vm && !ket_selects(s, v))
		return 0;
	return s->vcpu < 0 || ket_vm_has_vcpu(v, s->vcpu);
}

/* Entries whose record is no longer listed, and not shown now, go. */
static void top_prune(struct top *t)
{
	unsigned int i = 0;

	while (i < t->nr) {
		struct top_vm *tv = &t->vms[i];

		if (!tv->final || tv->seen || tv->shown) {
			i++;
			continue;
		}
		ket_stats_free(&tv->last);
		ket_stats_free(&tv->delta);
		*tv = t->vms[--t->nr];
	}
}

/* One round: every VM listed now, matched with the entries. */
static int top_round(struct top *t, char *err, size_t esz)
{
	struct ket_selection sel;
	unsigned int i, pass;
	struct top_vm *tv;
	int ret;

	for (i = 0; i < t->nr; i++) {
		tv = &t->vms[i];
		tv->seen = tv->shown = 0;
		/* Shown for the last time: only its keys are kept. */
		if (tv->final) {
			ket_stats_free(&tv->last);
			ket_stats_free(&tv->delta);
		}
	}
	ret = ket_select_vms(&sel, err, esz);
	/* At the baseline, each --vm names a running VM. */
	if (!ret && t->baseline)
		ret = ket_select_check(&t->o->sel, sel.vms, sel.nr_vms, 1, err,
				       esz);
	/* Exited records first: a running VM may reuse an exited one's name. */
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (i = 0; i < sel.nr_vms && !ret; i++) {
			const struct ket_vm_info *v = &sel.vms[i];

			if (v->exited != !pass)
				continue;
			tv = top_find(t, v);
			if (tv && tv->final) {
				tv->seen = 1;
				continue;
			}
			if (!tv && t->baseline && v->exited) {
				/* Exited before top began: never shown. */
				tv = top_add(t, v);
				if (tv)
					tv->hidden = tv->final = tv->seen = 1;
			} else if (!tv && top_wanted(t, v)) {
				tv = top_add(t, v);
				if (tv)
					ret = top_read(t, tv, &sel, v, err, esz);
			} else if (tv) {
				ret = top_read(t, tv, &sel, v, err, esz);
			} else {
				continue;
			}
			if (!tv && !ret) {
				snprintf(err, esz, "out of memory");
				ret = -ENOMEM;
			}
		}
	}
	ket_selection_free(&sel);
	if (ret)
		return ret;
	/* Followed, not listed: gone unseen (dropped as it exited). */
	for (i = 0; i < t->nr && !t->baseline; i++) {
		tv = &t->vms[i];
		if (tv->final || tv->seen)
			continue;
		tv->final = tv->shown = 1;
		tv->state = TOP_GONE;
		tv->exits = 0;
		ket_stats_free(&tv->delta);
	}
	top_prune(t);
	return 0;
}

static int vm_cmp(const void *a, const void *b)
{
	const struct top_vm *x = *(const struct top_vm *const *)a;
	const struct top_vm *y = *(const struct top_vm *const *)b;

	if (x->exits != y->exits)
		return x->exits < y->exits ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The interval's VMs, most exits first, into @out; how many. */
static unsigned int top_shown(const struct top *t, struct top_vm **out)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nr; i++)
		if (t->vms[i].shown)
			out[n++] = &t->vms[i];
	qsort(out, n, sizeof(*out), vm_cmp);
	return n;
}

/*
 * The host's label, or with --vm the VM's shown (or its vCPU's), or
 * "vms" and the names of those shown, into @names (room for @nr_vms),
 * or the names given if none is.
 */
static void top_label(const struct top *t, struct ket_label *l,
		      struct top_vm **vms, unsigned int nr_vms,
		      const char **names)
{
	const struct ket_selector *s = &t->o->sel;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->scope = "host";
	l->vcpu = -1;
	if (!s->nr_vm)
		return;
	if (nr_vms == 1) {
		l->scope = s->vcpu < 0 ? "vm" : "vcpu";
		l->vm = vms[0]->name;
		l->guest = vms[0]->guest;
		l->pid = vms[0]->pid;
		l->vcpu = s->vcpu;
		return;
	}
	for (i = 0; i < nr_vms; i++)
		names[i] = vms[i]->name;
	l->scope = "vms";
	l->vms = nr_vms ? names : s->vm;
	l->nr_vms = nr_vms ? nr_vms : s->nr_vm;
	l->vcpu = s->vcpu;
}

static void top_json(FILE *f, const struct top *t, const struct ket_label *l,
		     const struct ket_scope_stats *d,
		     const struct ket_scope_stats *total,
		     const struct ket_srow **rows, unsigned int nr,
		     struct top_vm **vms, unsigned int nr_vms, double secs)
{
	const struct ket_top_opts *o = t->o;
	unsigned int i;

	fprintf(f, "{\"time\":%lld,\"interval_s\":%.3f,", (long long)time(NULL),
		secs);
	ket_json_scope(f, l);
	fprintf(f, ",\"kind\":\"%s\",\"exits\":%llu,\"rows\":[",
		o->reasons ? "reason" : "class",
		(unsigned long long)kind_exits(d, o->reasons));
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
			top_state_names[vms[i]->state],
			(unsigned long long)vms[i]->exits);
	}
	fprintf(f, "]}\n");
}

static void top_text(FILE *f, const struct top *t, const struct ket_label *l,
		     const struct ket_scope_stats *d,
		     const struct ket_scope_stats *total,
		     const struct ket_srow **rows, unsigned int nr,
		     struct top_vm **vms, unsigned int nr_vms, double secs)
{
	uint64_t exits = kind_exits(d, t->o->reasons);
	char when[32], avg[16], p99[16];
	time_t clock = time(NULL);
	unsigned int i;

	strftime(when, sizeof(when), "%F %T", localtime(&clock));
	if (ket_term_held())
		fprintf(f, "\033[H\033[2J");
	fprintf(f, "--- %s  ", when);
	ket_scope_title(f, l);
	fprintf(f, "  interval %.2fs  %llu exits (%.0f/s)%s ---\n", secs,
		(unsigned long long)exits, exits / secs,
		ket_term_held() ? "  q quits" : "");
	fprintf(f, "%-24s %10s %10s %8s %8s %14s\n",
		t->o->reasons ? "REASON" : "CLASS", "EXITS", "EXITS/s", "AVG",
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
			top_state_names[vms[i]->state],
			(unsigned long long)vms[i]->exits, vms[i]->exits / secs);
	fputc('\n', f);
}

/* The interval's block: the VMs' deltas summed, their totals summed. */
static int top_show(FILE *f, const struct top *t, double secs)
{
	struct ket_scope_stats d = { 0 }, total = { 0 };
	const struct ket_srow **rows = NULL;
	const char **names = NULL;
	struct ket_label l;
	struct top_vm **vms;
	unsigned int i, nr, nr_vms;
	int ret = -ENOMEM;

	vms = calloc(t->nr + 1, sizeof(*vms));
	if (!vms)
		return ret;
	nr_vms = top_shown(t, vms);
	names = calloc(nr_vms + 1, sizeof(*names));
	if (!names)
		goto out;
	top_label(t, &l, vms, nr_vms, names);
	for (i = 0; i < nr_vms; i++)
		if (ket_scope_merge(&d, &vms[i]->delta) ||
		    ket_scope_merge(&total, &vms[i]->last))
			goto out;
	rows = calloc(d.nr_rows + 1, sizeof(*rows));
	if (!rows)
		goto out;
	nr = ket_rows_sorted(&d, t->o->reasons, t->o->sort, rows);
	if (t->o->json)
		top_json(f, t, &l, &d, &total, rows, nr, vms, nr_vms, secs);
	else
		top_text(f, t, &l, &d, &total, rows, nr, vms, nr_vms, secs);
	fflush(f);
	ret = 0;
out:
	free(rows);
	free(names);
	free(vms);
	ket_stats_free(&d);
	ket_stats_free(&total);
	return ret;
}

/* Has every VM followed exited (or none been found)? */
static int top_vms_over(const struct top *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (!t->vms[i].final)
			return 0;
	return 1;
}

static void top_free(struct top *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		ket_stats_free(&t->vms[i].last);
		ket_stats_free(&t->vms[i].delta);
	}
	free(t->vms);
}

int ket_top(const struct ket_top_opts *o, char *err, size_t esz)
{
	struct top t = { .o = o, .baseline = 1 };
	struct timespec t0, t1;
	long it;
	int ret;

	ret = top_round(&t, err, esz);
	if (ret) {
		top_free(&t);
		return ret;
	}
	t.baseline = 0;
	if (!o->json) {
		ket_term_init();
		ket_term_take();
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; !o->iterations || it < o->iterations; it++) {
		if (ket_term_wait((int)(o->interval * 1000)))
			break;
		ret = top_round(&t, err, esz);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!ret)
			ret = top_show(stdout, &t,
				       (t1.tv_sec - t0.tv_sec) +
					       (t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (ret == -ENOMEM)
			snprintf(err, esz, "out of memory");
		if (ret || (o->exit_with_vm && top_vms_over(&t)))
			break;
		t0 = t1;
	}
	ket_term_give_back();
	top_free(&t);
	return ret;
}
