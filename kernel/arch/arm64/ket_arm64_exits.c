// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 exit reasons and their classes: exception classes (the ESR's EC)
 * of trap exits, the other exit types by type.  The mapping is
 * documented, reason by reason, in Documentation/kvm_exit_timing.rst
 * ("Classes on arm64"); keep the two in step.
 */
#include "ket_exits.h"
#include "ket_acct.h"	/* ket_acct_stamp(): the trap stamps */

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <asm/esr.h>
#include <asm/kvm_asm.h>
#include <asm/virt.h>
#else
#include <errno.h>
#endif

#define C(x) KVM_EXIT_TIMING_##x
#define EC(x) KET_A64_EC_##x

/*
 * perf kvm stat's names: the exit type for exits that are no trap
 * (kvm_arm_exception_type, with perf's ILLEGAL, which the kernel's table
 * lacks), the exception class for traps (kvm_arm_exception_class).
 * Classes perf does not list get their <asm/esr.h> name (ILL, BTI,
 * SVC32, HVC32, SMC32, ERET, FPAC, SME).  The class SERROR (0x2f) is
 * SERROR_EC, so that no two rows share the type SERROR's name.
 */
static const struct ket_name ket_a64_names[] = {
	{ EC(UNKNOWN), "UNKNOWN" },
	{ EC(WFX), "WFx" },
	{ EC(CP15_32), "CP15_32" },
	{ EC(CP15_64), "CP15_64" },
	{ EC(CP14_MR), "CP14_MR" },
	{ EC(CP14_LS), "CP14_LS" },
	{ EC(FP_ASIMD), "FP_ASIMD" },
	{ EC(CP10_ID), "CP10_ID" },
	{ EC(PAC), "PAC" },
	{ EC(CP14_64), "CP14_64" },
	{ EC(BTI), "BTI" },
	{ EC(ILL), "ILL" },
	{ EC(SVC32), "SVC32" },
	{ EC(HVC32), "HVC32" },
	{ EC(SMC32), "SMC32" },
	{ EC(SVC64), "SVC64" },
	{ EC(HVC64), "HVC64" },
	{ EC(SMC64), "SMC64" },
	{ EC(SYS64), "SYS64" },
	{ EC(SVE), "SVE" },
	{ EC(ERET), "ERET" },
	{ EC(FPAC), "FPAC" },
	{ EC(SME), "SME" },
	{ EC(IMP_DEF), "IMP_DEF" },
	{ EC(IABT_LOW), "IABT_LOW" },
	{ EC(IABT_CUR), "IABT_CUR" },
	{ EC(PC_ALIGN), "PC_ALIGN" },
	{ EC(DABT_LOW), "DABT_LOW" },
	{ EC(DABT_CUR), "DABT_CUR" },
	{ EC(SP_ALIGN), "SP_ALIGN" },
	{ EC(FP_EXC32), "FP_EXC32" },
	{ EC(FP_EXC64), "FP_EXC64" },
	{ EC(SERROR), "SERROR_EC" },
	{ EC(BREAKPT_LOW), "BREAKPT_LOW" },
	{ EC(BREAKPT_CUR), "BREAKPT_CUR" },
	{ EC(SOFTSTP_LOW), "SOFTSTP_LOW" },
	{ EC(SOFTSTP_CUR), "SOFTSTP_CUR" },
	{ EC(WATCHPT_LOW), "WATCHPT_LOW" },
	{ EC(WATCHPT_CUR), "WATCHPT_CUR" },
	{ EC(BKPT32), "BKPT32" },
	{ EC(VECTOR32), "VECTOR32" },
	{ EC(BRK64), "BRK64" },
	{ KET_A64_TYPE | KET_A64_IRQ, "IRQ" },
	{ KET_A64_TYPE | KET_A64_EL1_SERROR, "SERROR" },
	{ KET_A64_TYPE | KET_A64_IL, "ILLEGAL" },
	/* Beyond the fast table: the slow lookup finds it. */
	{ KET_A64_TYPE | KET_A64_HYP_GONE, "HYP_GONE" },
};

unsigned int ket_a64_base_class(u64 code)
{
	switch (code) {
	/* WFI; WFE is SPIN (ket_a64_syndrome_class()) */
	case EC(WFX):
		return C(HALT);
	/* AArch32 guests' coprocessor and system register accesses */
	case EC(CP15_32):
	case EC(CP15_64):
	case EC(CP14_MR):
	case EC(CP14_LS):
	case EC(CP14_64):
	case EC(CP10_ID):
		return C(EMULINST);
	/* on hosts without FP or SVE; EL2 switches the state otherwise */
	case EC(FP_ASIMD):
	case EC(SVE):
		return C(FP_UNAVAIL);
	case EC(HVC32):
	case EC(HVC64):
	case EC(SMC32):
	case EC(SMC64):
		return C(HCALL);
	/* but the timers' registers (DEC) and the GIC's (APIC) */
	case EC(SYS64):
		return C(EMULINST);
	case EC(ERET):		/* nested virtualization only (6.8+) */
		return C(NESTED);
	case EC(IABT_LOW):
		return C(ITLBVIRT);
	/* or APIC, or DTLBVIRT: ket_a64_dabt_class() */
	case EC(DABT_LOW):
		return C(MMIO);
	/* trapped only while userspace debugs the guest */
	case EC(BREAKPT_LOW):
	case EC(SOFTSTP_LOW):
	case EC(WATCHPT_LOW):
	case EC(BKPT32):
	case EC(BRK64):
		return C(DEBUG);
	/*
	 * Classes KVM injects an UNDEF for (kvm_handle_unknown_ec(),
	 * kvm_handle_ptrauth()), most never routed to EL2 at all: seeing
	 * one is an anomaly.
	 */
	case EC(UNKNOWN):
	case EC(PAC):
	case EC(BTI):
	case EC(ILL):
	case EC(SVC32):
	case EC(SVC64):
	case EC(FPAC):
	case EC(SME):
	case EC(IMP_DEF):
	case EC(IABT_CUR):
	case EC(PC_ALIGN):
	case EC(DABT_CUR):
	case EC(SP_ALIGN):
	case EC(FP_EXC32):
	case EC(FP_EXC64):
	case EC(SERROR):
	case EC(BREAKPT_CUR):
	case EC(SOFTSTP_CUR):
	case EC(WATCHPT_CUR):
	case EC(VECTOR32):
		return C(EXCEPTION);
	case KET_A64_TYPE | KET_A64_IRQ:
		return C(EXTINT);
	case KET_A64_TYPE | KET_A64_EL1_SERROR:	/* a vSError injected */
		return C(EXCEPTION);
	}
	/*
	 * ILLEGAL and HYP_GONE (KVM_EXIT_FAIL_ENTRY), and any code this
	 * table does not know: a newer kernel's exit is not classed until
	 * someone says what it is.
	 */
	return C(OTHER);
}

int ket_reason_table_init(struct ket_reason_table *t, enum ket_vendor v)
{
	unsigned int i;

	if (ARRAY_SIZE(ket_a64_names) + 1 > KET_MAX_REASONS)
		return -E2BIG;
	ket_reason_table_start(t, v);
	for (i = 0; i < ARRAY_SIZE(ket_a64_names); i++)
		ket_add_reason(t, ket_a64_names[i].code, ket_a64_names[i].name,
			       ket_a64_base_class(ket_a64_names[i].code));
	ket_reason_table_finish(t);
	/*
	 * Not all their exits end in their class: the kvm_exit probe
	 * stamps them otherwise (struct ket_a64_trap_stamp).
	 */
	t->stamp[EC(WFX)] = KET_STAMP_SLOW;
	t->stamp[EC(SYS64)] = KET_STAMP_SLOW;
	t->stamp[EC(DABT_LOW)] = KET_STAMP_SLOW;
	return 0;
}

/* The vGIC's registers: the distributor's 64K, a redistributor's 128K. */
#define KET_A64_GICD_SIZE 0x10000
#define KET_A64_GICR_SIZE 0x20000

static bool ket_a64_in(u64 ipa, u64 base, u64 size)
{
	return base != KET_A64_ADDR_UNDEF && ipa >= base && ipa - base < size;
}

/*
 * A stage-2 data abort is MMIO if KVM completed an MMIO access for it
 * (mmio_exit_user or mmio_exit_kernel moved); one that an in-kernel
 * device took, at the vGIC's distributor or this vCPU's redistributor,
 * is the interrupt controller's, APIC.  Otherwise KVM mapped the page:
 * faulted in, copied on write, write-protected for dirty logging, or
 * marked young.
 */
static unsigned int ket_a64_dabt_class(const struct ket_exit_detail *d,
				       const struct ket_outcome *o)
{
	if (o->mmio_user)
		return C(MMIO);
	if (o->mmio_kernel)
		return ket_a64_in(d->ipa, d->gicd_base, KET_A64_GICD_SIZE) ||
		       ket_a64_in(d->ipa, d->gicr_base, KET_A64_GICR_SIZE) ?
			       C(APIC) : C(MMIO);
	return C(DTLBVIRT);
}

unsigned int ket_resolve_class(const struct ket_reason_table *t,
			       unsigned int reason,
			       const struct ket_exit_detail *d,
			       const struct ket_outcome *o)
{
	u64 code = t->code[reason];

	/*
	 * KVM injected the SError (handle_exit_early()) and left the trap
	 * unhandled: the guest takes it, or runs the instruction again.
	 */
	if (d->serror)
		return C(EXCEPTION);
	switch (code) {
	case EC(WFX):
	case EC(SYS64):
		return ket_a64_syndrome_class(code, d->esr);
	case EC(DABT_LOW):
		return ket_a64_dabt_class(d, o);
	}
	return t->cls[reason];
}

static_assert(KET_STAMP_KIND_SHIFT == 16 &&
	      offsetof(struct ket_exit_kind, cls) == 0);

void ket_a64_trap_stamps_init(struct ket_a64_trap_stamp *s,
			      const struct ket_reason_table *t)
{
	unsigned int code, reason;
	struct ket_exit_kind kind;

	for (code = 0; code < KET_A64_TYPE; code++) {
		memset(&s[code], 0, sizeof(s[code]));
		if (code != EC(WFX) && code != EC(SYS64) &&
		    code != EC(DABT_LOW))
			continue;
		reason = ket_reason_index(t, code);
		kind = ket_acct_kind(reason, t->cls[reason]);
		s[code].resolve = ket_acct_resolve_stamp(kind);
		if (code != EC(DABT_LOW))
			s[code].home = ket_acct_stamp(kind);
	}
}

#ifdef __KERNEL__
#define KET_A64_SAME_EC(x) static_assert(EC(x) == ESR_ELx_EC_##x)
KET_A64_SAME_EC(UNKNOWN);
static_assert(EC(WFX) == ESR_ELx_EC_WFx);
KET_A64_SAME_EC(CP15_32);
KET_A64_SAME_EC(CP15_64);
KET_A64_SAME_EC(CP14_MR);
KET_A64_SAME_EC(CP14_LS);
KET_A64_SAME_EC(FP_ASIMD);
KET_A64_SAME_EC(CP10_ID);
KET_A64_SAME_EC(PAC);
KET_A64_SAME_EC(CP14_64);
KET_A64_SAME_EC(BTI);
KET_A64_SAME_EC(ILL);
KET_A64_SAME_EC(SVC32);
KET_A64_SAME_EC(HVC32);
KET_A64_SAME_EC(SMC32);
KET_A64_SAME_EC(SVC64);
KET_A64_SAME_EC(HVC64);
KET_A64_SAME_EC(SMC64);
KET_A64_SAME_EC(SYS64);
KET_A64_SAME_EC(SVE);
KET_A64_SAME_EC(ERET);
KET_A64_SAME_EC(FPAC);
KET_A64_SAME_EC(SME);
KET_A64_SAME_EC(IMP_DEF);
KET_A64_SAME_EC(IABT_LOW);
KET_A64_SAME_EC(IABT_CUR);
KET_A64_SAME_EC(PC_ALIGN);
KET_A64_SAME_EC(DABT_LOW);
KET_A64_SAME_EC(DABT_CUR);
KET_A64_SAME_EC(SP_ALIGN);
KET_A64_SAME_EC(FP_EXC32);
KET_A64_SAME_EC(FP_EXC64);
KET_A64_SAME_EC(SERROR);
KET_A64_SAME_EC(BREAKPT_LOW);
KET_A64_SAME_EC(BREAKPT_CUR);
KET_A64_SAME_EC(SOFTSTP_LOW);
KET_A64_SAME_EC(SOFTSTP_CUR);
KET_A64_SAME_EC(WATCHPT_LOW);
KET_A64_SAME_EC(WATCHPT_CUR);
KET_A64_SAME_EC(BKPT32);
KET_A64_SAME_EC(VECTOR32);
KET_A64_SAME_EC(BRK64);

static_assert(KET_A64_IRQ == ARM_EXCEPTION_IRQ);
static_assert(KET_A64_EL1_SERROR == ARM_EXCEPTION_EL1_SERROR);
static_assert(KET_A64_TRAP == ARM_EXCEPTION_TRAP);
static_assert(KET_A64_IL == ARM_EXCEPTION_IL);
static_assert(KET_A64_HYP_GONE == ARM_EXCEPTION_HYP_GONE);
static_assert(KET_A64_SERROR_PENDING == 1U << ARM_EXIT_WITH_SERROR_BIT);
/* The types' codes follow the classes', in the fast table. */
static_assert(ESR_ELx_EC_MAX < KET_A64_TYPE &&
	      (KET_A64_TYPE | ARM_EXCEPTION_IL) < 0x100);

static_assert(KET_A64_SYS_OP0(ESR_ELx_SYS64_ISS_OP0_MASK) == 3 &&
	      KET_A64_SYS_OP1(ESR_ELx_SYS64_ISS_OP1_MASK) == 7 &&
	      KET_A64_SYS_OP2(ESR_ELx_SYS64_ISS_OP2_MASK) == 7 &&
	      KET_A64_SYS_CRN(ESR_ELx_SYS64_ISS_CRN_MASK) == 0xf &&
	      KET_A64_SYS_CRM(ESR_ELx_SYS64_ISS_CRM_MASK) == 0xf);
static_assert(ESR_ELx_WFx_ISS_WFE == KET_A64_WFX_WFE);
#endif
