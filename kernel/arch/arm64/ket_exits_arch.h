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

/* arm64's classes to resolve (see KET_RESOLVE_FIRST). */
enum ket_resolve {
	KET_RESOLVE_A64_WFX = KET_RESOLVE_FIRST, /* WFI or WFE: the ESR says */
	KET_RESOLVE_A64_SYS64,	/* MSR/MRS trap: by register, in the ESR */
	KET_RESOLVE_A64_DABT,	/* stage-2 data abort: MMIO, vGIC or fault */
	/*
	 * Never a reason's class: the probe's mark of an exit with an
	 * SError pending, which KVM does not handle (handle_exit()).
	 */
	KET_RESOLVE_A64_SERROR,
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

/* The class of a named code, or a KET_RESOLVE_*; exposed for the tests. */
unsigned int ket_a64_base_class(u64 code);

#endif /* KET_EXITS_ARCH_H */
