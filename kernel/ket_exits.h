/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 exit reasons: names from the kernel's uapi tables (SVM_EXIT_REASONS,
 * VMX_EXIT_REASONS), a dense index per reason for the statistics rows, and
 * the class each reason lands in.  Plain C, no kernel dependency: built
 * into the module and into the host unit tests.
 */
#ifndef KET_EXITS_H
#define KET_EXITS_H

#include "ket_compat.h"
#include "../include/uapi/linux/kvm_exit_timing.h"

enum ket_vendor {
	KET_VENDOR_SVM,
	KET_VENDOR_VMX,
};

/* Longest reason name kept, with its terminator (the uapi ones are < 32). */
#define KET_REASON_NAME_LEN 32
/* Dense reason indexes fit in a u8; 0xff means "not in the table". */
#define KET_MAX_REASONS 255
#define KET_NO_REASON 0xff

/*
 * Classes at or above KET_RESOLVE_FIRST are not final: the probe reads
 * more of the exit (MSR index, fault address, interrupt information) and
 * ket_resolve_class() decides, partly from what KVM did with the exit.
 */
enum ket_resolve {
	KET_RESOLVE_FIRST = 0x80,
	KET_RESOLVE_MSR = KET_RESOLVE_FIRST,	/* by MSR index */
	KET_RESOLVE_TDP_FAULT,	/* NPF / EPT violation: MMIO, APIC or TLB */
	KET_RESOLVE_PF,		/* intercepted #PF (shadow paging) */
	KET_RESOLVE_UD_GP,	/* #UD / #GP: hypercall, emulation or not */
	KET_RESOLVE_VMX_EXCP_NMI, /* VMX exception or NMI, by vector */
	KET_RESOLVE_VMX_EXTINT,	/* VMX external interrupt, by vector */
	KET_RESOLVE_VMX_APIC,	/* VMX APIC access/write, by offset */
	KET_RESOLVE_VMX_CR,	/* VMX CR access: CR8 is the TPR */
	/* Never a reason's class: the code is not in the fast tables. */
	KET_RESOLVE_LOOKUP = 0xfd,
	/* Never in the table: the probe's mark of an exit L2 took. */
	KET_RESOLVE_NESTED = 0xfe,
};

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

int ket_reason_table_init(struct ket_reason_table *t, enum ket_vendor v);
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

unsigned int ket_resolve_class(const struct ket_reason_table *t,
			       unsigned int reason,
			       const struct ket_exit_detail *d,
			       const struct ket_outcome *o);

extern const char *const ket_class_names[KVM_EXIT_TIMING_NR_CLASSES];

#endif /* KET_EXITS_H */
