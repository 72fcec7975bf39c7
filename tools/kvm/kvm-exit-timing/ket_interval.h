/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intervals: each VM's exits between two reads, for top and record.
 * A VM is followed from read to read; what it contributes to an interval
 * is its own change only (ket_interval.c says how).
 */
#ifndef KET_INTERVAL_H
#define KET_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#include "ket_guest.h"
#include "ket_output.h"
#include "ket_select.h"

/* What happened to a VM in the interval. */
enum ket_iv_state {
	KET_IV_RUNNING, KET_IV_NEW, KET_IV_RESET, KET_IV_EXITED, KET_IV_GONE,
};

/* "running", "new", "reset", "exited", "gone" */
extern const char *const ket_iv_state_names[];

struct ket_iv_vm {
	uint64_t id;			/* the device's; 0 from debugfs */
	char name[80];			/* as listed while running */
	char record[80];		/* its exited record's, from debugfs */
	char guest[KET_GUEST_SIZE];	/* its guest's name, or "" */
	int pid;
	int hidden;			/* exited before the first read */
	int final;			/* exited or gone: no more intervals */
	int known;			/* @last holds a snapshot */
	int late;			/* listed, not read, at the baseline */
	int seen;			/* listed in this round */
	int shown;			/* in this interval */
	enum ket_iv_state state;	/* in this interval */
	struct ket_scope_stats last;	/* at the previous read */
	struct ket_scope_stats delta;	/* this interval's */
	uint64_t exits;			/* this interval's, of the kind asked */
};

struct ket_intervals {
	const struct ket_selector *sel;	/* the VMs followed */
	int reasons;			/* which kind ket_iv_vm.exits counts */
	struct ket_iv_vm *vms;
	unsigned int nr, cap;
	int baseline;			/* the first read: nothing shown */
};

/* One interval, summed over the VMs shown in it. */
struct ket_iv_sum {
	struct ket_scope_stats delta;	/* the interval's exits */
	struct ket_scope_stats total;	/* the same VMs' running totals */
	struct ket_label label;
	struct ket_iv_vm **vms;		/* shown, most exits first */
	unsigned int nr_vms;
	const char **names;		/* for the label */
};

/*
 * The first read, the baseline: the running VMs @sel names (each --vm
 * must name one), or all.  @reasons: ket_iv_vm.exits counts reasons.
 */
int ket_iv_start(struct ket_intervals *t, const struct ket_selector *sel,
		 int reasons, char *err, size_t esz);
/* The next read: the interval since the one before. */
int ket_iv_round(struct ket_intervals *t, char *err, size_t esz);
/* The interval's VMs and their sums; -ENOMEM.  Free with ket_iv_sum_free(). */
int ket_iv_sum(const struct ket_intervals *t, struct ket_iv_sum *s);
void ket_iv_sum_free(struct ket_iv_sum *s);
/* Has every VM followed exited (or none been found)? */
int ket_iv_over(const struct ket_intervals *t);
void ket_iv_free(struct ket_intervals *t);
/* The exits of @s counted in rows of one kind, TIMEINGUEST apart. */
uint64_t ket_kind_exits(const struct ket_scope_stats *s, int reasons);

#endif
