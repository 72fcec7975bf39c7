/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86's side of the exit reasons (ket_exits.h includes it): SVM and VMX
 * codes, what resolving a class reads, and the VMX decode the kvm_exit
 * probe shares with the tables.  Plain C, no kernel dependency: built
 * into the module and into the host unit tests.
 */
#ifndef KET_EXITS_ARCH_H
#define KET_EXITS_ARCH_H

enum ket_vendor {
	KET_VENDOR_SVM,
	KET_VENDOR_VMX,
};

/* x86's classes to resolve (see KET_RESOLVE_FIRST). */
enum ket_resolve {
	KET_RESOLVE_MSR = KET_RESOLVE_FIRST,	/* by MSR index */
	KET_RESOLVE_TDP_FAULT,	/* NPF / EPT violation: MMIO, APIC or TLB */
	KET_RESOLVE_PF,		/* intercepted #PF (shadow paging) */
	KET_RESOLVE_UD_GP,	/* #UD / #GP: hypercall, emulation or not */
	KET_RESOLVE_VMX_EXCP_NMI, /* VMX exception or NMI, by vector */
	KET_RESOLVE_VMX_EXTINT,	/* VMX external interrupt, by vector */
	KET_RESOLVE_VMX_APIC,	/* VMX APIC access/write, by offset */
	KET_RESOLVE_VMX_CR,	/* VMX CR access: CR8 is the TPR */
};

/* What KVM did between the exit and the next entry. */
struct ket_outcome {
	bool hypercall;		/* vcpu->stat.hypercalls moved */
	bool emulated;		/* vcpu->stat.insn_emulation moved */
	bool mmio;		/* mmio_exits or pf_mmio_spte_created moved */
	bool pf_guest;		/* pf_guest moved: fault reflected to guest */
};

/* Details read at the exit, only for reasons that need resolving. */
struct ket_exit_detail {
	u64 info1;	/* SVM exit_info_1 / VMX exit qualification */
	u64 gpa;	/* faulting guest-physical address */
	u32 msr;	/* ECX of an MSR exit */
	u32 intr_info;	/* VMX VM-exit interruption information */
	u64 apic_base;	/* guest APIC base (page address) */
};

/*
 * What KVM's counters said at an exit that needs them to be classified;
 * compared at the next entry.
 */
struct ket_snap {
	u64 hypercalls;
	u64 insn_emulation;
	u64 mmio;		/* mmio_exits + pf_mmio_spte_created */
	u64 pf_guest;
};

/* Which of the counters moved from @then to @now. */
static __always_inline void ket_arch_outcome(struct ket_outcome *o,
					     const struct ket_snap *then,
					     const struct ket_snap *now)
{
	o->hypercall = now->hypercalls != then->hypercalls;
	o->emulated = now->insn_emulation != then->insn_emulation;
	o->mmio = now->mmio != then->mmio;
	o->pf_guest = now->pf_guest != then->pf_guest;
}

/* VMX_EXIT_REASONS_FAILED_VMENTRY of <asm/vmx.h>; checked at build time. */
#define KET_VMX_FAILED_VMENTRY 0x80000000U
/*
 * The code of a VMX exit whose reason could not be read: a failed VMREAD
 * (no current VMCS), or a vCPU whose exits are not in a VMCS the host
 * can read (ket_vcpu_opaque()).  No VMX code: its row is "unknown".
 */
#define KET_VMX_UNREADABLE U64_MAX

/*
 * The 64-bit code VMX reports for a full 32-bit exit reason: bits 15:0
 * are the basic reason; bit 31 (failed VM entry) gets its own row; the
 * other flag bits (27 enclave mode, ...) are ignored so that they never
 * create a bogus reason.  A failed VMREAD gives all ones, which no exit
 * reason is (bit 16 is always 0): that is no failed VM entry.
 */
static __always_inline u64 ket_vmx_code(u32 exit_reason)
{
	if (unlikely(exit_reason & KET_VMX_FAILED_VMENTRY))
		return exit_reason == U32_MAX ? KET_VMX_UNREADABLE :
						KET_VMX_FAILED_VMENTRY;
	return exit_reason & 0xffff;
}

/* The class of a named code, or a KET_RESOLVE_*; exposed for the tests. */
unsigned int ket_svm_base_class(u64 code);
unsigned int ket_vmx_base_class(u64 code);

#endif /* KET_EXITS_ARCH_H */
