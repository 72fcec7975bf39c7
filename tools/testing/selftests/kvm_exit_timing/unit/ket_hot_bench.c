// SPDX-License-Identifier: GPL-2.0
/*
 * The accounting hot path alone, as the probes run it for one exit: the
 * exit (guest run charged, reason looked up), then the next entry (the
 * exit's duration charged to its class and reason).  Same source as the
 * module.  Run under valgrind --tool=callgrind --toggle-collect=ket_hot_exit:
 * instructions per call of ket_hot_exit() are instructions per exit, with
 * no VM, deterministic (tools/testing/hot_path_check.sh).
 */
#include <stdio.h>
#include <stdlib.h>

#include "ket_acct.h"
#include "ket_exits.h"

#define KET_HOT_EXITS 100000

static struct ket_reason_table svm;
static struct ket_timebase tb;	/* as the module's, for a 2 GHz TSC */

/* noinline: the unit callgrind counts. */
__attribute__((noinline)) void ket_hot_exit(struct ket_acct *a, u64 t,
					     u64 code);

__attribute__((noinline)) void ket_hot_exit(struct ket_acct *a, u64 t,
					     u64 code)
{
	u64 fast;

	/* What the probes' fast paths do; ket_probes.c adds the lookups. */
	if (ket_exit_stamp_fast(&svm, code, &fast) && ket_acct_fast_ok(a, fast))
		ket_acct_fast_exit(a, t, fast);
	ket_acct_entry(a, t + 1500 + (t & 1023), a->kind.cls, &tb);
}

int main(void)
{
	struct ket_acct *a;
	u64 t = 1000000, i;

	if (ket_reason_table_init(&svm, KET_VENDOR_SVM))
		return 1;
	ket_timebase_init(&tb, 1ULL << 31);
	a = calloc(1, ket_acct_size(svm.nr));
	if (!a)
		return 1;
	ket_acct_init(a, svm.nr);
	ket_acct_first_entry(a, t);
	for (i = 0; i < KET_HOT_EXITS; i++) {
		t += 3000 + (i * 7919 & 4095);
		ket_hot_exit(a, t, 0x72);	/* cpuid */
		t += 3000;
	}
	printf("ket_hot_bench: %llu exits, %llu accounted\n",
	       (unsigned long long)KET_HOT_EXITS,
	       (unsigned long long)ket_acct_exits(a));
	return ket_acct_exits(a) != KET_HOT_EXITS;
}
