/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64's side of the exit reasons (ket_exits.h includes it): how the
 * kvm_exit probe's arguments make a code, what resolving a class reads,
 * and the exception classes the tables name.  Plain C, no kernel
 * dependency: built into the module and into the host unit tests;
 * ket_arm64_exits.c checks the constants against the kernel's headers.
 */
#ifndef KET_EXITS_ARCH_H
#define KET_EXITS_ARCH_H

enum ket_vendor {
	KET_VENDOR_ARM64,
};

/*
 * arm64's mark of an exit to resolve that is no reason's (see
 * KET_RESOLVE_FIRST): an exit with an SError pending, which KVM does not
 * handle (handle_exit()).  The reasons whose exits do not all end in
 * their class (WFx, SYS64, DABT_LOW) have a class of their own, where
 * most of their exits end, and are stamped by the kvm_exit probe from
 * struct ket_a64_trap_stamp instead.
 */
enum ket_resolve {
	KET_RESOLVE_A64_SERROR = KET_RESOLVE_FIRST,
};

/*
 * Details of an exit that needs resolving: whether an SError was pending,
 * read at the exit; the rest at the entry that ends it
 * (ket_arch_resolve_detail()), as KVM keeps them until the guest runs
 * again.
 */
struct ket_exit_detail {
	u64 esr;	/* ESR_EL2 as KVM saved it */
	u64 ipa;	/* a data abort's IPA: HPFAR's page, FAR's offset */
	u64 gicd_base;	/* the vGIC distributor's IPA, or KET_A64_ADDR_UNDEF */
	u64 gicr_base;	/* this vCPU's redistributor's, or KET_A64_ADDR_UNDEF */
	bool serror;	/* an SError was pending at the exit */
};

/*
 * What KVM's counters said at an exit that needs them to be classified;
 * compared at the next entry.
 */
struct ket_snap {
	u64 mmio_user;		/* vcpu->stat.mmio_exit_user */
	u64 mmio_kernel;	/* vcpu->stat.mmio_exit_kernel */
};

/* What KVM did between the exit and the next entry. */
struct ket_outcome {
	bool mmio_user;		/* an MMIO access completed in userspace */
	bool mmio_kernel;	/* one an in-kernel device took (vGIC...) */
};

static __always_inline void ket_arch_outcome(struct ket_outcome *o,
					     const struct ket_snap *then,
					     const struct ket_snap *now)
{
	o->mmio_user = now->mmio_user != then->mmio_user;
	o->mmio_kernel = now->mmio_kernel != then->mmio_kernel;
}

/* ARM_EXCEPTION_* of <asm/kvm_asm.h>: the exit's type, kvm_exit's @ret. */
#define KET_A64_IRQ 0
#define KET_A64_EL1_SERROR 1
#define KET_A64_TRAP 2
#define KET_A64_IL 3
#define KET_A64_HYP_GONE 0xbadca11	/* HVC_STUB_ERR */
#define KET_A64_SERROR_PENDING 0x80000000U	/* ARM_EXIT_WITH_SERROR_BIT */

/*
 * The code of the exit kvm_exit reports with @ret and @esr_ec: for a trap,
 * the ESR's exception class (0x00-0x3f); otherwise 0x40 | the type, as
 * @esr_ec is then the last trap's.  A raw compare, so that a trap with an
 * SError pending (bit 31 of @ret) and HYP_GONE come out beyond the fast
 * table, for the slow path to decode (ket_a64_code_slow()).
 */
#define KET_A64_TYPE 0x40

static __always_inline u64 ket_a64_code(int ret, unsigned int esr_ec)
{
	return ret == KET_A64_TRAP ? esr_ec : KET_A64_TYPE | (u32)ret;
}

/* The code of any exit, whether an SError was pending or not. */
static inline u64 ket_a64_code_slow(int ret, unsigned int esr_ec)
{
	return ket_a64_code((int)((u32)ret & ~KET_A64_SERROR_PENDING), esr_ec);
}

/*
 * A vGIC region not placed (yet): VGIC_ADDR_UNDEF, (-1) in KVM's private
 * arch/arm64/kvm/vgic/vgic.h, stored in a phys_addr_t.
 */
#define KET_A64_ADDR_UNDEF U64_MAX

/*
 * ESR_ELx_EC_* of <asm/esr.h>: the exception classes, with perf's
 * names.  Unallocated classes are not listed; those the Arm ARM reserves
 * for exceptions taken at EL2 itself (the *_CUR ones) are, so that one
 * seen is named, not lost.
 */
enum {
	KET_A64_EC_UNKNOWN = 0x00,
	KET_A64_EC_WFX = 0x01,
	KET_A64_EC_CP15_32 = 0x03,
	KET_A64_EC_CP15_64 = 0x04,
	KET_A64_EC_CP14_MR = 0x05,
	KET_A64_EC_CP14_LS = 0x06,
	KET_A64_EC_FP_ASIMD = 0x07,
	KET_A64_EC_CP10_ID = 0x08,
	KET_A64_EC_PAC = 0x09,
	KET_A64_EC_CP14_64 = 0x0c,
	KET_A64_EC_BTI = 0x0d,
	KET_A64_EC_ILL = 0x0e,
	KET_A64_EC_SVC32 = 0x11,
	KET_A64_EC_HVC32 = 0x12,
	KET_A64_EC_SMC32 = 0x13,
	KET_A64_EC_SVC64 = 0x15,
	KET_A64_EC_HVC64 = 0x16,
	KET_A64_EC_SMC64 = 0x17,
	KET_A64_EC_SYS64 = 0x18,
	KET_A64_EC_SVE = 0x19,
	KET_A64_EC_ERET = 0x1a,
	KET_A64_EC_FPAC = 0x1c,
	KET_A64_EC_SME = 0x1d,
	KET_A64_EC_IMP_DEF = 0x1f,
	KET_A64_EC_IABT_LOW = 0x20,
	KET_A64_EC_IABT_CUR = 0x21,
	KET_A64_EC_PC_ALIGN = 0x22,
	KET_A64_EC_DABT_LOW = 0x24,
	KET_A64_EC_DABT_CUR = 0x25,
	KET_A64_EC_SP_ALIGN = 0x26,
	KET_A64_EC_FP_EXC32 = 0x28,
	KET_A64_EC_FP_EXC64 = 0x2c,
	KET_A64_EC_SERROR = 0x2f,
	KET_A64_EC_BREAKPT_LOW = 0x30,
	KET_A64_EC_BREAKPT_CUR = 0x31,
	KET_A64_EC_SOFTSTP_LOW = 0x32,
	KET_A64_EC_SOFTSTP_CUR = 0x33,
	KET_A64_EC_WATCHPT_LOW = 0x34,
	KET_A64_EC_WATCHPT_CUR = 0x35,
	KET_A64_EC_BKPT32 = 0x38,
	KET_A64_EC_VECTOR32 = 0x3a,
	KET_A64_EC_BRK64 = 0x3c,
};

/* The class of a named code, the reason's; exposed for the tests. */
unsigned int ket_a64_base_class(u64 code);

/*
 * The traps whose exits do not all end in their reason's class: WFx and
 * SYS64, whose syndrome (ESR_EL2, which KVM keeps in vcpu->arch.fault)
 * tells the class at the exit, and DABT_LOW, whose class depends on what
 * KVM does with it and is resolved at the next entry.  The fast table
 * leaves them to the kvm_exit probe's ket_exit_uncommon(), which stamps
 * an exit of theirs with @home, a final class's stamp, if its syndrome
 * says it ends in the reason's class (ket_a64_syndrome_class()); and with
 * @resolve, the same kind in KET_PHASE_IN_EXIT_RESOLVE, if it does not
 * or cannot tell (for DABT_LOW, @home is 0).  The entry then charges an
 * exit that ends in the reason's class to one row, the reason's own, as
 * any final class's (ket_acct.h).  @resolve is 0 for the other codes.
 */
struct ket_a64_trap_stamp {
	u64 home;
	u64 resolve;
};

/*
 * The class in a stamp: struct ket_exit_kind's first byte, from bit
 * KET_STAMP_KIND_SHIFT of ket_acct.h (ket_arm64_exits.c asserts it).
 */
#define KET_A64_STAMP_CLS(stamp) ((u8)((stamp) >> 16))

/* Filled in for codes 0 to KET_A64_TYPE - 1, from @t's reasons. */
struct ket_reason_table;
void ket_a64_trap_stamps_init(struct ket_a64_trap_stamp *s,
			      const struct ket_reason_table *t);

/* ISS of an MSR/MRS trap: the register (Op0, Op1, CRn, CRm, Op2). */
#define KET_A64_SYS_OP0(esr) (((esr) >> 20) & 3)
#define KET_A64_SYS_OP2(esr) (((esr) >> 17) & 7)
#define KET_A64_SYS_OP1(esr) (((esr) >> 14) & 7)
#define KET_A64_SYS_CRN(esr) (((esr) >> 10) & 0xf)
#define KET_A64_SYS_CRM(esr) (((esr) >> 1) & 0xf)
/* Op0, Op1 and CRn in place: one mask and compare per register group. */
#define KET_A64_SYS_GROUP(op0, op1, crn) \
	((u64)(op0) << 20 | (u64)(op1) << 14 | (u64)(crn) << 10)

/*
 * The class of an MSR/MRS trap, by register, as x86's MSR exits are
 * classed: the EL1 physical and virtual timers' CTL, CVAL and TVAL
 * (Op0 3, Op1 3, CRn 14, CRm 2 or 3: trapped where KVM emulates the
 * timer, as the physical one on nVHE hosts) are the guest's timer, DEC;
 * the GICv3 CPU interface (ICC_*: Op0 3, Op1 0, CRn 12, CRm 8-12, and
 * ICC_PMR_EL1), guest IPIs (ICC_SGI1R_EL1) first, is APIC; any other
 * register (ID registers, PMU, debug, set/way cache maintenance...) is
 * EMULINST.  The kvm_exit probe runs it on every SYS64 exit: one mask
 * and three compares send the other registers' groups to EMULINST.
 */
static inline unsigned int ket_a64_sys64_class(u64 esr)
{
	unsigned int crm = KET_A64_SYS_CRM(esr), op2 = KET_A64_SYS_OP2(esr);

	switch (esr & KET_A64_SYS_GROUP(3, 7, 0xf)) {
	case KET_A64_SYS_GROUP(3, 3, 14):	/* the generic timer's */
		if ((crm == 2 || crm == 3) && op2 <= 2)
			return KVM_EXIT_TIMING_DEC;
		break;
	case KET_A64_SYS_GROUP(3, 0, 12):	/* ICC_*, VBAR_EL1... */
		if (crm >= 8 && crm <= 12)
			return KVM_EXIT_TIMING_APIC;
		break;
	case KET_A64_SYS_GROUP(3, 0, 4):	/* ICC_PMR_EL1, SPSR_EL1... */
		if (crm == 6 && op2 == 0)
			return KVM_EXIT_TIMING_APIC;
		break;
	}
	return KVM_EXIT_TIMING_EMULINST;
}

/* ESR_ELx_WFx_ISS_WFE: WFE (or WFET) rather than WFI (or WFIT). */
#define KET_A64_WFX_WFE 0x1

/*
 * The class of a WFx or SYS64 trap (@code), from its syndrome @esr.  WFI
 * blocks the vCPU (kvm_vcpu_wfi()): HALT; WFE yields it: SPIN.
 */
static inline unsigned int ket_a64_syndrome_class(u64 code, u64 esr)
{
	if (code == KET_A64_EC_WFX)
		return esr & KET_A64_WFX_WFE ? KVM_EXIT_TIMING_SPIN :
					       KVM_EXIT_TIMING_HALT;
	return ket_a64_sys64_class(esr);
}

/*
 * The stamp of an exit of trap @code (one of struct ket_a64_trap_stamp's,
 * @s) whose syndrome is @esr: @s->home if it ends in its reason's own
 * class, which the syndrome of a WFx or SYS64 trap tells; @s->resolve
 * otherwise, and for a data abort.
 */
static inline u64 ket_a64_trap_stamp(const struct ket_a64_trap_stamp *s,
				     u64 code, u64 esr)
{
	if (s->home && ket_a64_syndrome_class(code, esr) ==
			       KET_A64_STAMP_CLS(s->home))
		return s->home;
	return s->resolve;
}

#endif /* KET_EXITS_ARCH_H */
