/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit reasons, whatever the architecture: a dense index per reason for
 * the statistics rows, its name, and the class it lands in.  The codes,
 * names and classes are the architecture's (arch/<arch>/ket_exits_arch.h
 * and ket_<arch>_exits.c); the table and its lookups are common.  Plain
 * C, no kernel dependency: built into the module and into the host unit
 * tests.
 */
#ifndef KET_EXITS_H
#define KET_EXITS_H

#include "ket_compat.h"
#include "../include/uapi/linux/kvm_exit_timing.h"

/* Longest reason name kept, with its terminator (the uapi ones are < 32). */
#define KET_REASON_NAME_LEN 32
/* Dense reason indexes fit in a u8; 0xff means "not in the table". */
#define KET_MAX_REASONS 255
#define KET_NO_REASON 0xff

/*
 * Classes at or above KET_RESOLVE_FIRST are not final: the probe reads
 * more of the exit (an MSR index, a fault address, a syndrome...) and
 * ket_resolve_class() decides, partly from what KVM did with the exit.
 * Each architecture numbers its own from KET_RESOLVE_FIRST (enum
 * ket_resolve, in its ket_exits_arch.h).  An exit stamped with one is
 * resolved at the next entry; so is one stamped in its reason's own
 * class with ket_acct_resolve_stamp() (arm64's traps of more than one
 * class): the phase says which exits are, ket_acct_needs_resolve().
 */
enum {
	KET_RESOLVE_FIRST = 0x80,
	/* Never a reason's class: the code is not in the fast tables. */
	KET_RESOLVE_LOOKUP = 0xfd,
	/* Never in the table: the probe's mark of an exit L2 took. */
	KET_RESOLVE_NESTED = 0xfe,
};

/*
 * The architecture's vendors (enum ket_vendor), its KET_RESOLVE_* and
 * what resolving reads: struct ket_exit_detail (at the exit, or where
 * the architecture keeps it until then, at the entry), struct
 * ket_snap (KVM's counters, at the exit and the next entry) and struct
 * ket_outcome (what moved in between).
 */
#include "ket_exits_arch.h"

/*
 * An exit's reason (its dense row index) and its class: the reason's, or
 * the one it ended in, or a KET_RESOLVE_*.
 */
struct ket_exit_kind {
	u8 cls;		/* class or enum ket_resolve */
	u8 reason;
	/*
	 * Where the reason's row is in the statistics, so that the probe
	 * need not multiply to find it: ket_acct_kind() (ket_acct.h).
	 */
	u16 row;
};

struct ket_reason_table {
	enum ket_vendor vendor;
	unsigned int nr;		/* rows, "unknown" last */
	unsigned int unknown;		/* index of the "unknown" row */
	u8 lo[0x100];			/* codes 0x000-0x0ff */
	/*
	 * Their kinds as the kvm_exit probe finds and stores them
	 * (ket_acct_fast_stamp() in ket_acct.h): one load, one compare and
	 * one store.
	 */
	u64 stamp[0x100];
	u8 hi[0x100];			/* codes 0x400-0x4ff (SVM) */
	u64 code[KET_MAX_REASONS];	/* code of each row */
	/* class or enum ket_resolve; [KET_NO_REASON] is KET_RESOLVE_LOOKUP */
	u8 cls[KET_MAX_REASONS + 1];
	char name[KET_MAX_REASONS][KET_REASON_NAME_LEN];
};

/* Codes beyond the fast tables (SVM_EXIT_ERR, VMGEXIT codes, unknown). */
unsigned int ket_reason_index_slow(const struct ket_reason_table *t, u64 code);

/*
 * Hot path: dense row index of a raw exit code from the fast tables, or
 * KET_NO_REASON, whose class is KET_RESOLVE_LOOKUP.
 */
static __always_inline unsigned int
ket_reason_fast(const struct ket_reason_table *t, u64 code)
{
	if (likely(code < 0x100))
		return t->lo[code];
	if ((code >> 8) == 0x4)
		return t->hi[code & 0xff];
	return KET_NO_REASON;
}

/*
 * A fast stamp whose phase no vCPU is in (enum ket_phase): the fast
 * table's mark of an exit the kvm_exit probe cannot stamp alone.
 */
#define KET_STAMP_SLOW 0xffU

/*
 * Hotter path, for the kvm_exit probe: whether the fast table has a stamp
 * for @code (a code below 0x100), and its fast stamp in @fast: see
 * ket_acct_fast_stamp().
 */
static __always_inline bool ket_exit_stamp_fast(const struct ket_reason_table *t,
						u64 code, u64 *fast)
{
	if (unlikely(code >= ARRAY_SIZE(t->stamp)))
		return false;
	*fast = t->stamp[code];
	return true;
}

/* Dense row index of any raw exit code. */
static __always_inline unsigned int
ket_reason_index(const struct ket_reason_table *t, u64 code)
{
	unsigned int idx = ket_reason_fast(t, code);

	if (unlikely(idx == KET_NO_REASON))
		return ket_reason_index_slow(t, code);
	return idx;
}

/*
 * The architecture's: the table of @v's reasons and their classes, and
 * the class an exit of a reason to resolve ended in.
 */
int ket_reason_table_init(struct ket_reason_table *t, enum ket_vendor v);
unsigned int ket_resolve_class(const struct ket_reason_table *t,
			       unsigned int reason,
			       const struct ket_exit_detail *d,
			       const struct ket_outcome *o);

extern const char *const ket_class_names[KVM_EXIT_TIMING_NR_CLASSES];

/* A reason's code and name, as the tables list them. */
struct ket_name {
	u64 code;
	const char *name;
};

/*
 * For the architectures' ket_reason_table_init(): an empty table of
 * vendor @v, its reasons added one by one, then its "unknown" row.  The
 * caller makes sure that they fit, "unknown" included.
 */
void ket_reason_table_start(struct ket_reason_table *t, enum ket_vendor v);
void ket_add_reason(struct ket_reason_table *t, u64 code, const char *name,
		    unsigned int cls);
void ket_reason_table_finish(struct ket_reason_table *t);

#endif /* KET_EXITS_H */
