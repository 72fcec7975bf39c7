// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the module's arm64 exit table and classes
 * (kernel/arch/arm64/ket_arm64_exits.c), built with arm64's
 * ket_exits_arch.h, and of ket_compat.h's plain-C arithmetic, which
 * arm64 runs (KET_COMPAT_PLAIN_C): the same sources the module builds.
 */
#include <stdlib.h>

#include "kselftest_harness.h"

#include "ket_acct.h"
#include "ket_exits.h"
#include "ket_stats_layout.h"

#define C(x) KVM_EXIT_TIMING_##x
#define EC(x) KET_A64_EC_##x

static struct ket_reason_table a64;

static unsigned int idx(const char *name)
{
	for (unsigned int i = 0; i < a64.nr; i++)
		if (!strcmp(a64.name[i], name))
			return i;
	return ~0u;
}

/* The ESR of a trap of class @ec with @iss. */
static u64 esr(unsigned int ec, u32 iss)
{
	return (u64)ec << 26 | 1ULL << 25 | iss;
}

/* The ISS of an MSR/MRS trap of the register (op0, op1, crn, crm, op2). */
static u32 sys(u32 op0, u32 op1, u32 crn, u32 crm, u32 op2)
{
	return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | crm << 1;
}

/* The code the kvm_exit probe makes of @ret and @esr_ec. */
TEST(arm64_codes)
{
	/* a trap: its class; anything else: 0x40 | type (esr_ec stale) */
	ASSERT_EQ(EC(DABT_LOW), ket_a64_code(KET_A64_TRAP, EC(DABT_LOW)));
	ASSERT_EQ(0x40, ket_a64_code(KET_A64_IRQ, EC(DABT_LOW)));
	ASSERT_EQ(0x41, ket_a64_code(KET_A64_EL1_SERROR, EC(HVC64)));
	ASSERT_EQ(0x43, ket_a64_code(KET_A64_IL, 0));
	/* an SError pending, or HYP_GONE: beyond the fast table */
	ASSERT_LE(0x100, ket_a64_code((int)(KET_A64_SERROR_PENDING | KET_A64_TRAP),
				      EC(HVC64)));
	ASSERT_LE(0x100, ket_a64_code((int)(KET_A64_SERROR_PENDING | KET_A64_IRQ), 0));
	ASSERT_LE(0x100, ket_a64_code(KET_A64_HYP_GONE, 0));
	/* which the slow path decodes without the SError bit */
	ASSERT_EQ(EC(HVC64),
		  ket_a64_code_slow((int)(KET_A64_SERROR_PENDING | KET_A64_TRAP),
				    EC(HVC64)));
	ASSERT_EQ(0x40, ket_a64_code_slow((int)(KET_A64_SERROR_PENDING |
						KET_A64_IRQ), EC(SYS64)));
	ASSERT_EQ(EC(SYS64), ket_a64_code_slow(KET_A64_TRAP, EC(SYS64)));
}

TEST(arm64_reason_table)
{
	static const u8 phases[] = {
		KET_PHASE_NEW, KET_PHASE_IN_GUEST, KET_PHASE_IN_EXIT,
		KET_PHASE_GONE, KET_PHASE_IN_EXIT_RESOLVE,
	};
	unsigned int n = 0, fast_ok = 0, n_fast = 0;
	struct ket_acct *a;
	u64 fast;

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	/* 42 exception classes, 4 types, unknown */
	ASSERT_EQ(47, a64.nr);
	ASSERT_STREQ("unknown", a64.name[a64.unknown]);
	ASSERT_EQ(a64.nr - 1, a64.unknown);
	/* perf kvm stat's names */
	ASSERT_EQ(idx("DABT_LOW"), ket_reason_index(&a64, 0x24));
	ASSERT_EQ(idx("IABT_LOW"), ket_reason_index(&a64, 0x20));
	ASSERT_EQ(idx("HVC64"), ket_reason_index(&a64, 0x16));
	ASSERT_EQ(idx("SMC64"), ket_reason_index(&a64, 0x17));
	ASSERT_EQ(idx("SYS64"), ket_reason_index(&a64, 0x18));
	ASSERT_EQ(idx("WFx"), ket_reason_index(&a64, 0x01));
	ASSERT_EQ(idx("IRQ"), ket_reason_index(&a64, 0x40));
	ASSERT_EQ(idx("SERROR"), ket_reason_index(&a64, 0x41));
	ASSERT_EQ(idx("ILLEGAL"), ket_reason_index(&a64, 0x43));
	ASSERT_EQ(idx("SERROR_EC"), ket_reason_index(&a64, 0x2f));
	ASSERT_EQ(idx("HYP_GONE"),
		  ket_reason_index(&a64, ket_a64_code(KET_A64_HYP_GONE, 0)));
	/* unallocated classes, and TRAP's own type, are unknown (OTHER) */
	ASSERT_EQ(a64.unknown, ket_reason_index(&a64, 0x02));
	ASSERT_EQ(a64.unknown, ket_reason_index(&a64, 0x3f));
	ASSERT_EQ(a64.unknown, ket_reason_index(&a64, 0x42));
	ASSERT_EQ(a64.unknown, ket_reason_index(&a64, 0xff));
	ASSERT_EQ(C(OTHER), a64.cls[a64.unknown]);
	/* no two rows share a name: the stats' descriptors are named by it */
	for (unsigned int i = 0; i < a64.nr; i++)
		for (unsigned int j = i + 1; j < a64.nr; j++)
			ASSERT_NE(0, strcmp(a64.name[i], a64.name[j]));
	/*
	 * The fast table, as x86's: its stamps pass the probe's one compare
	 * only for a final class and a vCPU in a guest run.
	 */
	a = calloc(1, ket_acct_size(a64.nr));
	ASSERT_NE(NULL, a);
	for (unsigned int code = 0; code < 0x100; code++) {
		unsigned int reason = a64.lo[code];

		ASSERT_TRUE(ket_exit_stamp_fast(&a64, code, &fast));
		for (unsigned int i = 0; i < ARRAY_SIZE(phases); i++) {
			a->phase = phases[i];
			fast_ok += ket_acct_fast_ok(a, fast);
		}
		if (reason == KET_NO_REASON) {
			ASSERT_EQ(KET_STAMP_SLOW, fast);
			continue;
		}
		n++;
		/* every class is final; three traps are stamped otherwise */
		ASSERT_TRUE(a64.cls[reason] < KET_RESOLVE_FIRST);
		if (code == EC(WFX) || code == EC(SYS64) ||
		    code == EC(DABT_LOW)) {
			ASSERT_EQ(KET_STAMP_SLOW, fast);
		} else {
			ASSERT_NE(KET_STAMP_SLOW, fast);
			n_fast++;
		}
	}
	for (unsigned int i = 0; i < a64.nr; i++)
		n -= a64.code[i] < 0x100;
	/* one phase passes each stamp of the table but those three */
	fast_ok -= n_fast;
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, fast_ok);
	ASSERT_FALSE(ket_exit_stamp_fast(&a64, ket_a64_code(KET_A64_HYP_GONE, 0),
					 &fast));
	free(a);
}

/* Documentation/kvm_exit_timing.rst, "Classes on arm64", row by row. */
TEST(arm64_base_classes)
{
	static const struct { u64 code; unsigned int cls; } want[] = {
		{ EC(UNKNOWN), C(EXCEPTION) },
		{ EC(WFX), C(HALT) },
		{ EC(CP15_32), C(EMULINST) },	{ EC(CP15_64), C(EMULINST) },
		{ EC(CP14_MR), C(EMULINST) },	{ EC(CP14_LS), C(EMULINST) },
		{ EC(CP14_64), C(EMULINST) },	{ EC(CP10_ID), C(EMULINST) },
		{ EC(FP_ASIMD), C(FP_UNAVAIL) }, { EC(SVE), C(FP_UNAVAIL) },
		{ EC(PAC), C(EXCEPTION) },
		{ EC(HVC32), C(HCALL) },	{ EC(HVC64), C(HCALL) },
		{ EC(SMC32), C(HCALL) },	{ EC(SMC64), C(HCALL) },
		{ EC(SYS64), C(EMULINST) },
		{ EC(ERET), C(NESTED) },
		{ EC(IABT_LOW), C(ITLBVIRT) },
		{ EC(DABT_LOW), C(MMIO) },
		{ EC(BREAKPT_LOW), C(DEBUG) },	{ EC(SOFTSTP_LOW), C(DEBUG) },
		{ EC(WATCHPT_LOW), C(DEBUG) },	{ EC(BKPT32), C(DEBUG) },
		{ EC(BRK64), C(DEBUG) },
		{ EC(SVC64), C(EXCEPTION) },	{ EC(ILL), C(EXCEPTION) },
		{ EC(DABT_CUR), C(EXCEPTION) },	{ EC(SERROR), C(EXCEPTION) },
		{ EC(SME), C(EXCEPTION) },	{ EC(BTI), C(EXCEPTION) },
		{ 0x40, C(EXTINT) },		{ 0x41, C(EXCEPTION) },
		{ 0x43, C(OTHER) },
		{ 0x40 | KET_A64_HYP_GONE, C(OTHER) },
		/* unallocated: a newer kernel's exit is OTHER until named */
		{ 0x02, C(OTHER) },		{ 0x1b, C(OTHER) },
		{ 0x3d, C(OTHER) },
	};

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(want[i].cls, ket_a64_base_class(want[i].code));
		if (want[i].cls != C(OTHER))
			ASSERT_EQ(want[i].cls,
				  a64.cls[ket_reason_index(&a64, want[i].code)]);
	}
	/* every named class is a class, never TIMEINGUEST */
	for (unsigned int i = 0; i < a64.nr; i++)
		ASSERT_TRUE(a64.cls[i] < C(TIMEINGUEST));
}

TEST(arm64_resolve)
{
	struct ket_exit_detail d = {
		.gicd_base = 0x08000000, .gicr_base = 0x080a0000,
	};
	struct ket_outcome o = {};
	unsigned int wfx, sys64, dabt, hvc;

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	wfx = ket_reason_index(&a64, EC(WFX));
	sys64 = ket_reason_index(&a64, EC(SYS64));
	dabt = ket_reason_index(&a64, EC(DABT_LOW));
	hvc = ket_reason_index(&a64, EC(HVC64));

	/* WFI and WFIT block: HALT; WFE and WFET yield: SPIN */
	d.esr = esr(EC(WFX), 0);
	ASSERT_EQ(C(HALT), ket_resolve_class(&a64, wfx, &d, &o));
	d.esr = esr(EC(WFX), 2);
	ASSERT_EQ(C(HALT), ket_resolve_class(&a64, wfx, &d, &o));
	d.esr = esr(EC(WFX), 1);
	ASSERT_EQ(C(SPIN), ket_resolve_class(&a64, wfx, &d, &o));
	d.esr = esr(EC(WFX), 3);
	ASSERT_EQ(C(SPIN), ket_resolve_class(&a64, wfx, &d, &o));

	/* SYS64: the EL1 timers DEC, the GIC CPU interface APIC */
	d.esr = esr(EC(SYS64), sys(3, 3, 14, 2, 1) | 1 << 5);	/* CNTP_CTL_EL0 */
	ASSERT_EQ(C(DEC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 3, 14, 2, 2));	/* CNTP_CVAL_EL0 */
	ASSERT_EQ(C(DEC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 3, 14, 3, 0) | 1);	/* CNTV_TVAL_EL0 */
	ASSERT_EQ(C(DEC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 3, 14, 0, 1) | 1);	/* CNTPCT_EL0 */
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 0, 12, 11, 5));	/* ICC_SGI1R_EL1 */
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 0, 12, 12, 1));	/* ICC_EOIR1_EL1 */
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 0, 4, 6, 0));	/* ICC_PMR_EL1 */
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 0, 12, 0, 0));	/* VBAR_EL1: no GIC */
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(3, 0, 0, 4, 0) | 1);	/* ID_AA64PFR0_EL1 */
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(1, 0, 7, 6, 2));	/* DC ISW */
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&a64, sys64, &d, &o));
	d.esr = esr(EC(SYS64), sys(2, 0, 0, 2, 4));	/* a debug register */
	ASSERT_EQ(C(EMULINST), ket_resolve_class(&a64, sys64, &d, &o));

	/* DABT_LOW: what KVM did with it, then where */
	d.esr = esr(EC(DABT_LOW), 0x46);
	d.ipa = 0x09000000;
	ASSERT_EQ(C(DTLBVIRT), ket_resolve_class(&a64, dabt, &d, &o));
	o.mmio_user = true;
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));
	o.mmio_user = false;
	o.mmio_kernel = true;	/* ioeventfd: MMIO */
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));
	d.ipa = 0x08000100;	/* the distributor */
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, dabt, &d, &o));
	d.ipa = 0x0800fffc;
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, dabt, &d, &o));
	d.ipa = 0x08010000;	/* past it */
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));
	d.ipa = 0x080b0080;	/* this vCPU's redistributor, SGI frame */
	ASSERT_EQ(C(APIC), ket_resolve_class(&a64, dabt, &d, &o));
	d.ipa = 0x080c0000;	/* the next vCPU's */
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));
	/* an in-kernel access with no vGIC placed is no vGIC access */
	d.gicd_base = KET_A64_ADDR_UNDEF;
	d.gicr_base = KET_A64_ADDR_UNDEF;
	d.ipa = 0x100;
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));
	/* a userspace access wins */
	o.mmio_user = true;
	ASSERT_EQ(C(MMIO), ket_resolve_class(&a64, dabt, &d, &o));

	/* an SError pending: EXCEPTION, whatever the reason */
	d.serror = true;
	ASSERT_EQ(C(EXCEPTION), ket_resolve_class(&a64, dabt, &d, &o));
	ASSERT_EQ(C(EXCEPTION), ket_resolve_class(&a64, hvc, &d, &o));
	ASSERT_EQ(C(EXCEPTION), ket_resolve_class(&a64, wfx, &d, &o));
	d.serror = false;
	/* a final class is left as it is */
	ASSERT_EQ(C(HCALL), ket_resolve_class(&a64, hvc, &d, &o));
}

/* Documentation's rule for a SYS64 trap, field by field. */
static unsigned int sys64_rule(u32 op0, u32 op1, u32 crn, u32 crm, u32 op2)
{
	if (op0 == 3 && op1 == 3 && crn == 14 && (crm == 2 || crm == 3) &&
	    op2 <= 2)
		return C(DEC);
	if (op0 == 3 && op1 == 0 && crn == 12 && crm >= 8 && crm <= 12)
		return C(APIC);
	if (op0 == 3 && op1 == 0 && crn == 4 && crm == 6 && op2 == 0)
		return C(APIC);
	return C(EMULINST);
}

/*
 * Every register a SYS64 trap can name, with every Rt and direction
 * (the whole ISS, 2^22): the exit probe's decode is the rule.  DEC: 2
 * CRm x 3 Op2, APIC: 5 CRm x 8 Op2 and ICC_PMR_EL1, each 64 times.
 */
TEST(arm64_sys64_every_register)
{
	unsigned int n[C(TIMEINGUEST)] = { 0 }, bad = 0;

	for (u32 iss = 0; iss < 1U << 22; iss++) {
		u32 op0 = iss >> 20 & 3, op2 = iss >> 17 & 7, op1 = iss >> 14 & 7;
		u32 crn = iss >> 10 & 0xf, crm = iss >> 1 & 0xf;
		unsigned int cls = ket_a64_syndrome_class(EC(SYS64),
							  esr(EC(SYS64), iss));

		/* the fields are sys()'s; the rest, Rt and the direction */
		bad += (sys(op0, op1, crn, crm, op2) | (iss & 0x3e1)) != iss;
		bad += cls != sys64_rule(op0, op1, crn, crm, op2);
		n[cls]++;
	}
	ASSERT_EQ(0, bad);
	ASSERT_EQ(384, n[C(DEC)]);
	ASSERT_EQ(2624, n[C(APIC)]);
	ASSERT_EQ((1U << 22) - 384 - 2624, n[C(EMULINST)]);
}

/* The counters' moves, from the exit's snapshot to the entry's. */
TEST(arm64_outcome)
{
	struct ket_snap then = { .mmio_user = 7, .mmio_kernel = 9 }, now = then;
	struct ket_outcome o;

	ket_arch_outcome(&o, &then, &now);
	ASSERT_FALSE(o.mmio_user);
	ASSERT_FALSE(o.mmio_kernel);
	now.mmio_kernel++;
	ket_arch_outcome(&o, &then, &now);
	ASSERT_FALSE(o.mmio_user);
	ASSERT_TRUE(o.mmio_kernel);
	now.mmio_user++;
	ket_arch_outcome(&o, &then, &now);
	ASSERT_TRUE(o.mmio_user);
}

/* A trap's exit at @t, stamped as the kvm_exit probe does. */
static void a64_trap_exit(struct ket_acct *a,
			  const struct ket_a64_trap_stamp *ts, u64 code, u64 e,
			  u64 t)
{
	ket_acct_store_exit(a, t, ket_a64_trap_stamp(&ts[code], code, e));
}

/*
 * The entry at @t that ends it, as the kvm_entry probe's: resolved if the
 * stamp says so (ket_final_class()), from @d and @o.
 */
static void a64_entry(struct ket_acct *a, const struct ket_exit_detail *d,
		      const struct ket_outcome *o,
		      const struct ket_timebase *tb, u64 t)
{
	unsigned int cls = a->kind.cls;

	if (ket_acct_needs_resolve(a))
		cls = ket_resolve_class(&a64, a->kind.reason, d, o);
	ket_acct_entry(a, t, cls, tb);
}

/* The exits' stamps and rows, through the accounting, as the probes do. */
TEST(arm64_accounting)
{
	struct ket_a64_trap_stamp ts[KET_A64_TYPE];
	struct ket_exit_detail d = {
		.gicd_base = KET_A64_ADDR_UNDEF, .gicr_base = KET_A64_ADDR_UNDEF,
	};
	struct ket_outcome o = {};
	unsigned int wfx, sys64, dabt;
	struct ket_timebase tb;
	struct ket_acct *a;
	u64 fast, t = 1000;

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	/* 25 MHz: 40 ns a tick */
	ket_timebase_init(&tb, (1000000000ULL << 32) / 25000000);
	a = calloc(1, ket_acct_size(a64.nr));
	ASSERT_NE(NULL, a);
	ket_acct_init(a, a64.nr);
	ket_acct_first_entry(a, t);
	/* HVC64, a final class: the fast path, 100 ticks in the guest */
	ASSERT_TRUE(ket_exit_stamp_fast(&a64, ket_a64_code(KET_A64_TRAP, EC(HVC64)),
					&fast));
	ASSERT_TRUE(ket_acct_fast_ok(a, fast));
	ket_acct_fast_exit(a, t + 100, fast);
	ASSERT_EQ(KET_PHASE_IN_EXIT, a->phase);
	ket_acct_entry(a, t + 150, a->kind.cls, &tb);
	ASSERT_EQ(1, ket_row_count(&a->rows[C(TIMEINGUEST)]));
	ASSERT_EQ(4000, a->rows[C(TIMEINGUEST)].sum);
	ASSERT_EQ(2000, a->rows[KET_REASON_ROW(ket_reason_index(&a64, EC(HVC64)))].sum);
	/*
	 * The traps the exit probe stamps from ket_a64_trap_stamps_init(),
	 * as it does (a64_trap_exit()), and their entries (a64_entry()).  A
	 * WFI, as its syndrome says, in HALT, WFx's class: its own row alone,
	 * as a final class's.
	 */
	ket_a64_trap_stamps_init(ts, &a64);
	wfx = ket_reason_index(&a64, EC(WFX));
	t += 150;
	ASSERT_TRUE(ket_exit_stamp_fast(&a64, EC(WFX), &fast));
	ASSERT_FALSE(ket_acct_fast_ok(a, fast));
	a64_trap_exit(a, ts, EC(WFX), esr(EC(WFX), 0), t + 10);
	ASSERT_EQ(KET_PHASE_IN_EXIT, a->phase);
	ASSERT_FALSE(ket_acct_needs_resolve(a));
	ASSERT_EQ(C(HALT), a->kind.cls);
	ASSERT_EQ(wfx, a->kind.reason);
	a64_entry(a, &d, &o, &tb, t + 1010);
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(wfx)]));
	ASSERT_EQ(40000, a->rows[KET_REASON_ROW(wfx)].sum);
	ASSERT_EQ(0, ket_row_count(&a->rows[C(HALT)]));
	ASSERT_EQ(0, ket_row_count(&a->rows[KET_MOVED_ROW(a64.nr, wfx)]));
	/* a WFE: resolved at the entry, SPIN's row and WFx's moved row */
	t += 1010;
	d.esr = esr(EC(WFX), 1);
	a64_trap_exit(a, ts, EC(WFX), d.esr, t + 10);
	ASSERT_EQ(KET_PHASE_IN_EXIT_RESOLVE, a->phase);
	ASSERT_TRUE(ket_acct_needs_resolve(a));
	a64_entry(a, &d, &o, &tb, t + 60);
	ASSERT_EQ(1, ket_row_count(&a->rows[C(SPIN)]));
	ASSERT_EQ(2000, a->rows[C(SPIN)].sum);
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_MOVED_ROW(a64.nr, wfx)]));
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(wfx)]));
	/* an ID register, EMULINST, SYS64's class: its own row */
	sys64 = ket_reason_index(&a64, EC(SYS64));
	t += 60;
	a64_trap_exit(a, ts, EC(SYS64),
		      esr(EC(SYS64), sys(3, 0, 0, 4, 0) | 1), t + 10);
	ASSERT_FALSE(ket_acct_needs_resolve(a));
	a64_entry(a, &d, &o, &tb, t + 20);
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(sys64)]));
	ASSERT_EQ(0, ket_row_count(&a->rows[C(EMULINST)]));
	/* CNTP_CTL_EL0: resolved, DEC's row and SYS64's moved row */
	t += 20;
	d.esr = esr(EC(SYS64), sys(3, 3, 14, 2, 1));
	a64_trap_exit(a, ts, EC(SYS64), d.esr, t + 10);
	ASSERT_TRUE(ket_acct_needs_resolve(a));
	a64_entry(a, &d, &o, &tb, t + 20);
	ASSERT_EQ(1, ket_row_count(&a->rows[C(DEC)]));
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_MOVED_ROW(a64.nr, sys64)]));
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(sys64)]));
	/*
	 * A data abort, always resolved: completed in userspace, MMIO, its
	 * class: its own row alone; on memory, DTLBVIRT: moved.
	 */
	dabt = ket_reason_index(&a64, EC(DABT_LOW));
	t += 20;
	d.esr = esr(EC(DABT_LOW), 0x46);
	a64_trap_exit(a, ts, EC(DABT_LOW), d.esr, t + 10);
	ASSERT_TRUE(ket_acct_needs_resolve(a));
	o.mmio_user = true;
	a64_entry(a, &d, &o, &tb, t + 20);
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(dabt)]));
	ASSERT_EQ(0, ket_row_count(&a->rows[C(MMIO)]));
	ASSERT_EQ(0, ket_row_count(&a->rows[KET_MOVED_ROW(a64.nr, dabt)]));
	t += 20;
	a64_trap_exit(a, ts, EC(DABT_LOW), d.esr, t + 10);
	o.mmio_user = false;
	a64_entry(a, &d, &o, &tb, t + 20);
	ASSERT_EQ(1, ket_row_count(&a->rows[C(DTLBVIRT)]));
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_MOVED_ROW(a64.nr, dabt)]));
	ASSERT_EQ(1, ket_row_count(&a->rows[KET_REASON_ROW(dabt)]));
	ASSERT_EQ(7, ket_acct_exits(a));
	free(a);
}

/* Which traps the exit probe stamps itself, and how. */
TEST(arm64_trap_stamps)
{
	static const struct { u64 code; unsigned int cls; bool home; } want[] = {
		{ EC(WFX), C(HALT), true },
		{ EC(SYS64), C(EMULINST), true },
		{ EC(DABT_LOW), C(MMIO), false },
	};
	struct ket_a64_trap_stamp ts[KET_A64_TYPE];
	unsigned int n = 0;
	u64 e;

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	ket_a64_trap_stamps_init(ts, &a64);
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
		struct ket_exit_kind k =
			ket_acct_kind(ket_reason_index(&a64, want[i].code),
				      want[i].cls);
		u64 stamp = ket_acct_stamp(k);

		ASSERT_EQ(KET_PHASE_IN_EXIT, ket_acct_stamp_phase(stamp));
		ASSERT_EQ(want[i].home ? stamp : 0, ts[want[i].code].home);
		ASSERT_EQ(stamp - KET_PHASE_IN_EXIT + KET_PHASE_IN_EXIT_RESOLVE,
			  ts[want[i].code].resolve);
	}
	for (unsigned int code = 0; code < KET_A64_TYPE; code++)
		n += ts[code].home || ts[code].resolve;
	ASSERT_EQ(ARRAY_SIZE(want), n);
	/* what the syndrome tells at the exit, for WFx and SYS64 */
	ASSERT_EQ(C(HALT), ket_a64_syndrome_class(EC(WFX), esr(EC(WFX), 2)));
	ASSERT_EQ(C(SPIN), ket_a64_syndrome_class(EC(WFX), esr(EC(WFX), 1)));
	e = esr(EC(SYS64), sys(3, 0, 0, 4, 0) | 1);	/* ID_AA64PFR0_EL1 */
	ASSERT_EQ(C(EMULINST), ket_a64_syndrome_class(EC(SYS64), e));
	e = esr(EC(SYS64), sys(3, 3, 14, 2, 1));	/* CNTP_CTL_EL0 */
	ASSERT_EQ(C(DEC), ket_a64_syndrome_class(EC(SYS64), e));
	e = esr(EC(SYS64), sys(3, 0, 12, 11, 5));	/* ICC_SGI1R_EL1 */
	ASSERT_EQ(C(APIC), ket_a64_syndrome_class(EC(SYS64), e));
}

/* Every row's descriptor names fit KVM's 48 bytes. */
TEST(arm64_stats_names)
{
	struct ket_stats_layout l;
	char *buf;

	ASSERT_EQ(0, ket_reason_table_init(&a64, KET_VENDOR_ARM64));
	ket_stats_layout_init(&l, KVM_EXIT_TIMING_NR_CLASSES + a64.nr);
	buf = calloc(1, l.size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ket_stats_write_meta(&l, &a64, "kvm-1/vcpu-0/exit_timing",
					  buf));
	free(buf);
}

/*
 * ket_compat.h's plain C (KET_COMPAT_PLAIN_C here), which arm64 runs,
 * against the 128-bit products it stands for.
 */
TEST(compat_plain_c)
{
	static const u64 v[] = {
		0, 1, 2, 3, 0xffffffff, 0x100000000ULL, 0x123456789abcdefULL,
		1ULL << 63, (1ULL << 63) - 1, ~0ULL - 1, ~0ULL,
		(1000000000ULL << 32) / 25000000, (1000000ULL << 32) / 3000000,
	};
	u64 x = 0x9e3779b97f4a7c15ULL;

	for (unsigned int i = 0; i < ARRAY_SIZE(v) + 200; i++) {
		u64 a = i < ARRAY_SIZE(v) ? v[i] : (x = x * 6364136223846793005ULL +
						   1442695040888963407ULL);

		for (unsigned int j = 0; j < ARRAY_SIZE(v); j++) {
			__uint128_t p = (__uint128_t)a * v[j], s;
			u64 lo = v[j], hi = v[ARRAY_SIZE(v) - 1 - j] >> 1;

			ASSERT_EQ((u64)(p >> 32), ket_mul_shr32(a, v[j]));
			s = ((__uint128_t)hi << 64 | lo) + (__uint128_t)a * a;
			ket_add_square(a, &lo, &hi);
			ASSERT_EQ((u64)s, lo);
			ASSERT_EQ((u64)(s >> 64), hi);
			lo = v[j];
			hi = 5;
			s = ((__uint128_t)hi << 64 | lo) + a;
			ket_add_u128(a, &lo, &hi);
			ASSERT_EQ((u64)s, lo);
			ASSERT_EQ((u64)(s >> 64), hi);
		}
	}
	/* the carry out of the low word */
	{
		u64 lo = ~0ULL, hi = 0;

		ket_add_u128(1, &lo, &hi);
		ASSERT_EQ(0, lo);
		ASSERT_EQ(1, hi);
	}
}

TEST_HARNESS_MAIN
