// SPDX-License-Identifier: GPL-2.0
/*
 * Each interval's exits are taken per VM: a VM's rows now minus the same
 * VM's rows at the previous read, or all of them if the VM is new or
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

#include "ket_calc.h"
#include "ket_interval.h"

const char *const ket_iv_state_names[] = {
	"running", "new", "reset", "exited", "gone",
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

uint64_t ket_kind_exits(const struct ket_scope_stats *s, int reasons)
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
static struct ket_iv_vm *iv_find(struct ket_intervals *t,
				 const struct ket_vm_info *v)
{
	char name[80];
	unsigned int i;

	if (v->exited && !v->id)
		record_vm_name(v->name, name, sizeof(name));
	for (i = 0; i < t->nr; i++) {
		struct ket_iv_vm *tv = &t->vms[i];

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
		struct ket_iv_vm *tv = &t->vms[i];

		if (!tv->final && !strcmp(tv->name, name)) {
			snprintf(tv->record, sizeof(tv->record), "%s", v->name);
			return tv;
		}
	}
	return NULL;
}

static struct ket_iv_vm *iv_add(struct ket_intervals *t,
				const struct ket_vm_info *v)
{
	struct ket_iv_vm *tv;

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
	tv->state = KET_IV_NEW;
	return tv;
}

/* @tv's figures now, from VM @v; a VM gone meanwhile is left for later. */
static int iv_read(struct ket_intervals *t, struct ket_iv_vm *tv,
		   struct ket_selection *sel, const struct ket_vm_info *v,
		   char *err, size_t esz)
{
	const struct ket_scope_stats *now;
	int ret;

	ret = ket_select_add(sel, v, t->sel->vcpu, err, esz);
	/*
	 * Listed, then gone before its read (it exited meanwhile): no
	 * change this round.  Its exit is the next round's, matched to the
	 * record it leaves and taken from @last, so that none of its exits
	 * is lost or counted twice.
	 */
	if (ret == -ENOENT || ret == -EIO) {
		ket_stats_free(&tv->delta);
		memset(&tv->delta, 0, sizeof(tv->delta));
		tv->state = KET_IV_RUNNING;
		tv->exits = 0;
		tv->seen = 1;
		tv->shown = tv->known && !t->baseline;
		/* Its first read, when it comes, is its baseline. */
		if (t->baseline)
			tv->late = 1;
		return 0;
	}
	if (ret)
		return ret;
	now = &sel->scopes[sel->nr - 1].s;
	scope_copy(&tv->delta, now);
	if (!tv->known) {
		/* All its exits are the interval's, but at the baseline. */
		tv->state = t->baseline || tv->late ? KET_IV_RUNNING :
						       KET_IV_NEW;
	} else if (went_back(now, &tv->last)) {
		/* Its exits since the reset: all it has. */
		tv->state = KET_IV_RESET;
	} else {
		tv->state = KET_IV_RUNNING;
		ket_scope_delta(&tv->delta, now, &tv->last);
	}
	tv->known = 1;
	tv->seen = 1;
	if (v->exited) {
		tv->state = KET_IV_EXITED;
		tv->final = 1;
	}
	scope_copy(&tv->last, now);
	if (!v->exited)
		snprintf(tv->guest, sizeof(tv->guest), "%s", ket_vm_guest(v));
	tv->exits = ket_kind_exits(&tv->delta, t->reasons);
	tv->shown = !t->baseline && !tv->late;
	tv->late = 0;
	return 0;
}

/*
 * Whether VM @v, which no entry follows, is one to follow: a running VM
 * that --vm names (any without), or after the baseline an exited one
 * never seen, which came and went within the interval.
 */
static int iv_wanted(const struct ket_intervals *t,
		     const struct ket_vm_info *v)
{
	const struct ket_selector *s = t->sel;

	if (v->exited && t->baseline)
		return 0;
	if (s->nr_vm && !ket_selects(s, v))
		return 0;
	return s->vcpu < 0 || ket_vm_has_vcpu(v, s->vcpu);
}

/* Entries whose record is no longer listed, and not shown now, go. */
static void iv_prune(struct ket_intervals *t)
{
	unsigned int i = 0;

	while (i < t->nr) {
		struct ket_iv_vm *tv = &t->vms[i];

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
int ket_iv_round(struct ket_intervals *t, char *err, size_t esz)
{
	struct ket_selection sel;
	unsigned int i, pass;
	struct ket_iv_vm *tv;
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
		ret = ket_select_check(t->sel, sel.vms, sel.nr_vms, 1, err,
				       esz);
	/* Exited records first: a running VM may reuse an exited one's name. */
	for (pass = 0; pass < 2 && !ret; pass++) {
		for (i = 0; i < sel.nr_vms && !ret; i++) {
			const struct ket_vm_info *v = &sel.vms[i];

			if (v->exited != !pass)
				continue;
			tv = iv_find(t, v);
			if (tv && tv->final) {
				tv->seen = 1;
				continue;
			}
			if (!tv && t->baseline && v->exited) {
				/* Exited before top began: never shown. */
				tv = iv_add(t, v);
				if (tv)
					tv->hidden = tv->final = tv->seen = 1;
			} else if (!tv && iv_wanted(t, v)) {
				tv = iv_add(t, v);
				if (tv)
					ret = iv_read(t, tv, &sel, v, err, esz);
			} else if (tv) {
				ret = iv_read(t, tv, &sel, v, err, esz);
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
	/*
	 * Followed, not listed: gone unseen (dropped as it exited).  One
	 * never read (listed, gone before its read) was never shown: it
	 * leaves without a word.
	 */
	for (i = 0; i < t->nr && !t->baseline; i++) {
		tv = &t->vms[i];
		if (tv->final || tv->seen)
			continue;
		tv->final = 1;
		tv->shown = tv->known;
		tv->state = KET_IV_GONE;
		tv->exits = 0;
		ket_stats_free(&tv->delta);
	}
	iv_prune(t);
	return 0;
}

static int vm_cmp(const void *a, const void *b)
{
	const struct ket_iv_vm *x = *(const struct ket_iv_vm *const *)a;
	const struct ket_iv_vm *y = *(const struct ket_iv_vm *const *)b;

	if (x->exits != y->exits)
		return x->exits < y->exits ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The interval's VMs, most exits first, into @out; how many. */
static unsigned int iv_shown(const struct ket_intervals *t,
			     struct ket_iv_vm **out)
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
static void iv_label(const struct ket_intervals *t, struct ket_label *l,
		     struct ket_iv_vm **vms, unsigned int nr_vms,
		     const char **names)
{
	const struct ket_selector *s = t->sel;
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

int ket_iv_sum(const struct ket_intervals *t, struct ket_iv_sum *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->vms = calloc(t->nr + 1, sizeof(*s->vms));
	if (!s->vms)
		return -ENOMEM;
	s->nr_vms = iv_shown(t, s->vms);
	s->names = calloc(s->nr_vms + 1, sizeof(*s->names));
	if (!s->names)
		goto nomem;
	iv_label(t, &s->label, s->vms, s->nr_vms, s->names);
	for (i = 0; i < s->nr_vms; i++)
		if (ket_scope_merge(&s->delta, &s->vms[i]->delta) ||
		    ket_scope_merge(&s->total, &s->vms[i]->last))
			goto nomem;
	return 0;
nomem:
	ket_iv_sum_free(s);
	return -ENOMEM;
}

void ket_iv_sum_free(struct ket_iv_sum *s)
{
	ket_stats_free(&s->delta);
	ket_stats_free(&s->total);
	free(s->names);
	free(s->vms);
	memset(s, 0, sizeof(*s));
}

int ket_iv_start(struct ket_intervals *t, const struct ket_selector *sel,
		 int reasons, char *err, size_t esz)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->sel = sel;
	t->reasons = reasons;
	t->baseline = 1;
	ret = ket_iv_round(t, err, esz);
	t->baseline = 0;
	return ret;
}

/* Has every VM followed exited (or none been found)? */
int ket_iv_over(const struct ket_intervals *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (!t->vms[i].final)
			return 0;
	return 1;
}

void ket_iv_free(struct ket_intervals *t)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		ket_stats_free(&t->vms[i].last);
		ket_stats_free(&t->vms[i].delta);
	}
	free(t->vms);
}

