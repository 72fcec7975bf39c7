/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-vCPU accounting state machine, driven by the kvm_entry and
 * kvm_exit probes.  A cycle is entry -> exit -> next entry: the exit only
 * stamps its time; the next entry charges the guest run (entry -> exit)
 * to TIMEINGUEST and the exit's handling (exit -> next entry) to its
 * class and reason rows, so that every row describes completed exits
 * only, and rows are charged at kvm_entry only.
 *
 * Only the vCPU's own thread calls these, with preemption disabled: no
 * atomics, no locks.  Readers are kept consistent by the caller's
 * seqcount, and see the exit's stamp through its release store
 * (ket_acct_store_exit()).  Plain C, unit-tested on the host.
 *
 * Rows, so that the common exit updates one row, not two: the classes,
 * then per exit reason a row for the exits that ended in the reason's own
 * class (its class in the reason table), then per reason a row for the
 * exits that ended in another class (resolved from what KVM did, or a
 * signal or nested exit), which also go to that class's row.  Readers
 * merge them into the class and reason views (ket_acct_view()): a class
 * is its row plus the first rows of the reasons it owns; a reason is its
 * two rows.
 */
#ifndef KET_ACCT_H
#define KET_ACCT_H

#include "ket_format.h"
#include "ket_row.h"
#include "ket_exits.h"

#define KET_GUEST_ROW KVM_EXIT_TIMING_TIMEINGUEST
/* In struct ket_acct's rows and in the readers' view alike. */
#define KET_REASON_ROW(r) (KVM_EXIT_TIMING_NR_CLASSES + (r))
/* struct ket_acct's rows only: exits of reason @r in another class. */
#define KET_MOVED_ROW(nr, r) (KVM_EXIT_TIMING_NR_CLASSES + (nr) + (r))

/* A 64-bit timebase value in halves, as RDTSC returns them. */
struct ket_tsc {
	u32 lo;
	u32 hi;
};

static __always_inline u64 ket_tsc_join(struct ket_tsc t)
{
	return (u64)t.hi << 32 | t.lo;
}

struct ket_acct {
	u64 t_entry;		/* timebase at the last entry */
	union {
		u64 t_exit;	/* timebase at the last exit */
		struct ket_tsc t_exit_tsc;	/* the same, in halves */
	};
	union {
		struct {
			u8 phase;	/* enum ket_phase */
			/* the exit in progress: reason, class or KET_RESOLVE_* */
			struct ket_exit_kind kind;
		};
		/* both, as kvm_exit stores them: ket_acct_stamp() */
		u64 stamp;
	};
	u32 nr_reasons;
	/*
	 * Since attach or reset, entries that timed no guest run, and
	 * entries that ended no exit: see ket_acct_entries().
	 */
	u64 unrun;
	u64 unended;
	u64 untimed;		/* exits: re-entries with no kvm_exit */
	u64 anomalies;		/* negative deltas, never accounted */
	/* classes (TIMEINGUEST included), then two rows per exit reason */
	struct ket_row rows[];
};

/* Where reason @reason's first row is in struct ket_acct's rows, in u64s. */
#define KET_ROW_WORD(reason) \
	(KET_REASON_ROW(reason) * sizeof(struct ket_row) / sizeof(u64))

/* struct ket_exit_kind's row is a u16. */
static_assert(KET_ROW_WORD(KET_MAX_REASONS) <= 0xffff);

/* The kind of an exit of reason @reason, in class @cls. */
static __always_inline struct ket_exit_kind ket_acct_kind(unsigned int reason,
							  unsigned int cls)
{
	return (struct ket_exit_kind){ .cls = cls, .reason = reason,
				       .row = KET_ROW_WORD(reason) };
}

/* The row of reason @kind.reason in @a: ket_acct_kind() found it. */
static __always_inline struct ket_row *ket_acct_row(struct ket_acct *a,
						    struct ket_exit_kind kind)
{
	return (struct ket_row *)((u64 *)a->rows + kind.row);
}

/*
 * The timebase: its units to ns, ns = (delta * @mult) >> 32, through a
 * 128-bit product so that no delta overflows it; and the intervals that
 * the probes' fast path takes, those below @short_cycles: neither
 * negative (>= 2^63 as a u64) nor so long that delta * @mult overflows 64
 * bits, so that one compare tells, and one IMUL converts
 * (ket_to_ns_short()) to less than 2^KET_NS_SHORT_BITS ns.
 */
struct ket_timebase {
	u64 mult;
	u64 short_cycles;
};

static __always_inline u64 ket_to_ns(u64 delta, u64 mult)
{
	return ket_mul_shr32(delta, mult);
}

/* ket_to_ns() of a @delta below short_cycles. */
static __always_inline u64 ket_to_ns_short(u64 delta, u64 mult)
{
	return (delta * mult) >> 32;
}

/* The largest short delta is U64_MAX / @mult, and at most 2^63 - 1. */
static inline void ket_timebase_init(struct ket_timebase *tb, u64 mult)
{
	u64 max = mult ? div64_u64(U64_MAX, mult) : U64_MAX;

	tb->mult = mult;
	tb->short_cycles = max >> 63 ? 1ULL << 63 : max + 1;
}

/*
 * Entries since attach or reset.  Every entry times the guest run before
 * it, in TIMEINGUEST, but the first of a cycle and those whose run came
 * out negative (@unrun), so that the common entry counts nothing.
 */
static inline u64 ket_acct_entries(const struct ket_acct *a)
{
	return ket_row_count(&a->rows[KET_GUEST_ROW]) + a->unrun;
}

/*
 * Exits accounted.  Every entry ends one, but the first of a cycle and
 * those whose exit came out negative (@unended).
 */
static inline u64 ket_acct_exits(const struct ket_acct *a)
{
	return ket_acct_entries(a) - a->unended;
}

static __always_inline void ket_acct_first_entry(struct ket_acct *a, u64 now)
{
	a->unrun++;
	a->unended++;
	a->t_entry = now;
	a->phase = KET_PHASE_IN_GUEST;
}

/* The phase an exit of @kind puts its vCPU in. */
static __always_inline unsigned int ket_acct_exit_phase(struct ket_exit_kind kind)
{
	/*
	 * A class to resolve gets a phase of its own, so that the entry's one
	 * test of the phase also tells that the class is final.
	 */
	return kind.cls < KET_RESOLVE_FIRST ? KET_PHASE_IN_EXIT :
					      KET_PHASE_IN_EXIT_RESOLVE;
}

/*
 * The phase and kind of an exit of @kind as one word, laid out as struct
 * ket_acct's stamp: the phase in the low byte, the kind from the third
 * (x86 is little-endian, and arm64 too where Kconfig allows the module).
 * The fast table holds them ready for the kvm_exit probe, which stores
 * both at once (ket_acct_store_exit()).
 */
#define KET_STAMP_KIND_SHIFT 16
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
static_assert(offsetof(struct ket_acct, phase) ==
	      offsetof(struct ket_acct, stamp));
static_assert(offsetof(struct ket_acct, kind) ==
	      offsetof(struct ket_acct, stamp) + KET_STAMP_KIND_SHIFT / 8);
static_assert(sizeof(struct ket_exit_kind) == sizeof(u32));

static inline u64 ket_acct_stamp_in(struct ket_exit_kind kind,
				    unsigned int phase)
{
	u32 k;

	memcpy(&k, &kind, sizeof(k));
	return (u64)k << KET_STAMP_KIND_SHIFT | phase;
}

static inline u64 ket_acct_stamp(struct ket_exit_kind kind)
{
	return ket_acct_stamp_in(kind, ket_acct_exit_phase(kind));
}

/*
 * The stamp of an exit of @kind whose class the next entry resolves,
 * whatever @kind.cls: an architecture's exits of a reason whose class
 * may not be theirs (arm64's struct ket_a64_trap_stamp).  The entry
 * charges one that ends in @kind.cls to its reason's row alone.
 */
static inline u64 ket_acct_resolve_stamp(struct ket_exit_kind kind)
{
	return ket_acct_stamp_in(kind, KET_PHASE_IN_EXIT_RESOLVE);
}

/*
 * The fast table's form of the stamp of an exit of @kind
 * (ket_reason_table's stamp[]): the vCPU's stamp the exit finds, with the
 * phase the fast path needs (in a guest run) and the kind it stores.  The
 * kvm_exit probe compares that phase with the vCPU's, one compare for
 * both tests, and stores the word a phase on (ket_acct_fast_exit()).  An
 * exit whose class is to be resolved gets a phase no vCPU is in, so that
 * the compare sends it on.
 */
static_assert(KET_PHASE_IN_EXIT - KET_PHASE_IN_GUEST == 1);
static_assert(KET_PHASE_IN_EXIT_RESOLVE < KET_STAMP_SLOW);

static inline u64 ket_acct_fast_stamp(struct ket_exit_kind kind)
{
	if (ket_acct_exit_phase(kind) != KET_PHASE_IN_EXIT)
		return KET_STAMP_SLOW;
	/* The phase before the exit, KET_PHASE_IN_GUEST: see the asserts. */
	return ket_acct_stamp(kind) - 1;
}

/* The phase in @stamp, a word of ket_acct_stamp(). */
static __always_inline unsigned int ket_acct_stamp_phase(u64 stamp)
{
	return (u8)stamp;
}

/* The kind in @stamp, a word of ket_acct_stamp(). */
static inline struct ket_exit_kind ket_acct_stamp_kind(u64 stamp)
{
	u32 k = stamp >> KET_STAMP_KIND_SHIFT;
	struct ket_exit_kind kind;

	memcpy(&kind, &k, sizeof(kind));
	return kind;
}

/*
 * kvm_exit ending the guest run in progress, at @now: @stamp is
 * ket_acct_stamp() of its kind (reason, and the class the reason table
 * gives or a KET_RESOLVE_*), or ket_acct_resolve_stamp().  Stamp the exit, nothing more; the entry
 * that ends it charges the guest run and the handling together
 * (ket_acct_entry()), so that this probe stays short.  It writes no row,
 * so it takes no seqcount: the phase goes last, in the stamp, with
 * release semantics, and a reader that sees it sees the rest
 * (ket_vcpu_read()); the next write to the rest is the next exit's,
 * after an entry, which makes the reader retry.
 */
static __always_inline void ket_acct_store_exit(struct ket_acct *a, u64 now,
						u64 stamp)
{
	WRITE_ONCE(a->t_exit, now);
	/* Last: pairs with the readers' smp_load_acquire() of the stamp. */
	smp_store_release(&a->stamp, stamp);
}

/*
 * Whether the fast table's @fast (ket_acct_fast_stamp()) can be stored as
 * it is, a phase on: the exit's class is final and the vCPU is in a guest
 * run.
 */
static __always_inline bool ket_acct_fast_ok(const struct ket_acct *a,
					     u64 fast)
{
	return (u8)fast == a->phase;
}

/* The exit stamped from the fast table, once ket_acct_fast_ok(). */
static __always_inline void ket_acct_fast_exit(struct ket_acct *a, u64 now,
					       u64 fast)
{
	ket_acct_store_exit(a, now, fast + 1);
}

/* The same, at a time in halves, which a reader sees whole (see above). */
static __always_inline void ket_acct_fast_exit_tsc(struct ket_acct *a,
						   struct ket_tsc now, u64 fast)
{
	WRITE_ONCE(a->t_exit_tsc.lo, now.lo);
	WRITE_ONCE(a->t_exit_tsc.hi, now.hi);
	/* Last, as in ket_acct_store_exit() */
	smp_store_release(&a->stamp, fast + 1);
}

static __always_inline void ket_acct_stamp_exit(struct ket_acct *a, u64 now,
						struct ket_exit_kind kind)
{
	ket_acct_store_exit(a, now, ket_acct_stamp(kind));
}

/*
 * Whether the exit in progress is one whose class the next entry
 * resolves: its phase says, whatever its kind's class (an architecture's
 * mark, KET_RESOLVE_*, or the reason's own class: see
 * ket_acct_resolve_stamp()).
 */
static __always_inline bool ket_acct_needs_resolve(const struct ket_acct *a)
{
	return a->phase == KET_PHASE_IN_EXIT_RESOLVE;
}

/* Whether an exit is in progress, which the next kvm_entry ends. */
static __always_inline bool ket_acct_in_exit(const struct ket_acct *a)
{
	return a->phase == KET_PHASE_IN_EXIT ||
	       a->phase == KET_PHASE_IN_EXIT_RESOLVE;
}

/*
 * Whether a guest run is being timed, which a kvm_exit ends: not before
 * the first entry seen (module loaded or vCPU attached mid-run), whose
 * incomplete cycle is skipped, never charged.
 */
static __always_inline bool ket_acct_in_guest(const struct ket_acct *a)
{
	return a->phase == KET_PHASE_IN_GUEST;
}

/* ket_row_add(), or ket_row_add_short() if @ns is known to be short. */
static __always_inline void ket_acct_add(struct ket_row *row, u64 ns,
					 bool short_ns)
{
	if (short_ns)
		ket_row_add_short(row, ns);
	else
		ket_row_add(row, ns);
}

/*
 * The exit in progress, of reason @kind.reason whose class is @kind.cls in
 * the reason table and whose row is @row (ket_acct_row()), took @ns and
 * ended in class @cls.
 */
static __always_inline void ket_acct_charge(struct ket_acct *a,
					    struct ket_exit_kind kind,
					    struct ket_row *row,
					    unsigned int cls, u64 ns,
					    bool short_ns)
{
	if (likely(cls == kind.cls)) {
		ket_acct_add(row, ns, short_ns);
	} else {
		ket_acct_add(&a->rows[cls], ns, short_ns);
		ket_acct_add(&a->rows[KET_MOVED_ROW(a->nr_reasons, kind.reason)],
			     ns, short_ns);
	}
}

/*
 * ket_acct_entry() of intervals that are not both short: one may be
 * negative (a timebase going backwards), counted but never accounted, or
 * reach the open top bucket.
 */
static __always_inline void ket_acct_entry_long(struct ket_acct *a,
						u64 run, u64 d,
						struct ket_exit_kind kind,
						unsigned int cls, u64 mult)
{
	if (likely((s64)run >= 0)) {
		ket_row_add(&a->rows[KET_GUEST_ROW], ket_to_ns(run, mult));
	} else {
		a->anomalies++;
		a->unrun++;
	}
	if (likely((s64)d >= 0)) {
		ket_acct_charge(a, kind, ket_acct_row(a, kind), cls,
				ket_to_ns(d, mult), false);
	} else {
		a->anomalies++;
		a->unended++;
	}
}

/* The next guest run begins at @now. */
static __always_inline void ket_acct_enter(struct ket_acct *a, u64 now)
{
	a->t_entry = now;
	a->phase = KET_PHASE_IN_GUEST;
}

/*
 * Whether an entry's guest run and exit handling are both short, so that
 * ket_acct_end_short() takes them.
 */
static __always_inline bool ket_acct_short(u64 run, u64 d,
					   const struct ket_timebase *tb)
{
	return (run | d) < tb->short_cycles;
}

/*
 * kvm_entry after kvm_exit: the guest run (last entry -> exit), @run,
 * goes to TIMEINGUEST, the exit's handling (exit -> @now), @d, to class
 * @cls; both short.  The probes' fast path.
 */
static __always_inline void ket_acct_end_short(struct ket_acct *a, u64 run,
					       u64 d, u64 now, unsigned int cls,
					       const struct ket_timebase *tb)
{
	/* Read before the rows are written, which the compiler cannot see past. */
	struct ket_exit_kind kind = a->kind;
	/* Found first, GCC keeps the row in a register of its own. */
	struct ket_row *row = ket_acct_row(a, kind);

	ket_row_add_short(&a->rows[KET_GUEST_ROW],
			  ket_to_ns_short(run, tb->mult));
	ket_acct_charge(a, kind, row, cls, ket_to_ns_short(d, tb->mult), true);
	ket_acct_enter(a, now);
}

/* Any kvm_entry after kvm_exit: ket_acct_end_short(), or the long path. */
static __always_inline void ket_acct_entry(struct ket_acct *a, u64 now,
					   unsigned int cls,
					   const struct ket_timebase *tb)
{
	u64 run = a->t_exit - a->t_entry, d = now - a->t_exit;
	struct ket_exit_kind kind = a->kind;

	if (likely(ket_acct_short(run, d, tb))) {
		ket_acct_end_short(a, run, d, now, cls, tb);
		return;
	}
	ket_acct_entry_long(a, run, d, kind, cls, tb->mult);
	ket_acct_enter(a, now);
}

/*
 * kvm_entry with no kvm_exit since the last entry: on SVM before 6.6,
 * kvm_exit fires outside the fastpath loop, so an exit that the fastpath
 * handled and re-entered has no exit timestamp.  It is still counted in
 * its real reason and class, with 0 ns handling (bucket 0); the whole
 * interval goes to TIMEINGUEST.  @table_cls is the reason's class in the
 * reason table, @cls the class it ended in.
 */
static __always_inline void ket_acct_reentry(struct ket_acct *a, u64 now,
					     unsigned int reason,
					     unsigned int table_cls,
					     unsigned int cls,
					     const struct ket_timebase *tb)
{
	u64 d = now - a->t_entry;

	if (unlikely((s64)d < 0)) {
		a->anomalies++;
		a->unrun++;
	} else {
		ket_row_add(&a->rows[KET_GUEST_ROW], ket_to_ns(d, tb->mult));
	}
	a->kind = ket_acct_kind(reason, table_cls);
	ket_acct_charge(a, a->kind, ket_acct_row(a, a->kind), cls, 0, true);
	a->untimed++;
	a->t_entry = now;
}

static inline unsigned int ket_acct_rows(unsigned int nr_reasons)
{
	return KVM_EXIT_TIMING_NR_CLASSES + 2 * nr_reasons;
}

static inline size_t ket_acct_size(unsigned int nr_reasons)
{
	return sizeof(struct ket_acct) +
	       ket_acct_rows(nr_reasons) * sizeof(struct ket_row);
}

static inline void ket_acct_rows_init(struct ket_acct *a,
				      unsigned int nr_reasons)
{
	unsigned int i;

	for (i = 0; i < ket_acct_rows(nr_reasons); i++)
		ket_row_init(&a->rows[i]);
}

/* @a is zeroed memory of ket_acct_size(@nr_reasons) bytes. */
static inline void ket_acct_init(struct ket_acct *a, unsigned int nr_reasons)
{
	a->nr_reasons = nr_reasons;
	ket_acct_rows_init(a, nr_reasons);
}

/*
 * Where the readers' view (classes, then reasons) takes row @i from:
 * *@to, and *@also unless it is ~0 (a reason's first row also makes its
 * class, @table_cls being the reason table's classes).
 */
static inline void ket_acct_view(unsigned int i, unsigned int nr_reasons,
				 const u8 *table_cls, unsigned int *to,
				 unsigned int *also)
{
	unsigned int r;

	*to = i;
	*also = ~0U;
	if (i < KVM_EXIT_TIMING_NR_CLASSES)
		return;
	r = i - KVM_EXIT_TIMING_NR_CLASSES;
	if (r >= nr_reasons) {
		*to = KET_REASON_ROW(r - nr_reasons);
		return;
	}
	if (table_cls[r] < KVM_EXIT_TIMING_NR_CLASSES)
		*also = table_cls[r];
}

/*
 * Zero the statistics, keep the cycle in progress.  The entry that began
 * it still counts, so that exits == entries - 1 holds after a reset too.
 */
static inline void ket_acct_reset(struct ket_acct *a, unsigned int nr_reasons)
{
	ket_acct_rows_init(a, nr_reasons);
	a->unrun = a->phase == KET_PHASE_NEW ? 0 : 1;
	a->unended = a->unrun;
	a->untimed = 0;
	a->anomalies = 0;
}

#endif /* KET_ACCT_H */
