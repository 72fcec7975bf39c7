// SPDX-License-Identifier: GPL-2.0
/*
 * x86 exit reasons and their classes.  The mapping is documented, reason
 * by reason, in Documentation/kvm_exit_timing.rst ("Classes on x86"); keep
 * the two in step.
 */
#include "ket_exits.h"

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kvm.h>
#include <asm/svm.h>
#include <asm/vmx.h>
#else
#include <errno.h>
#include <linux/kvm.h>	/* exception vectors, before the tables */
#include <asm/svm.h>
#include <asm/vmx.h>
#endif

#define C(x) KVM_EXIT_TIMING_##x

/* SVM_EXIT_ERR is -1: sign-extend it like the 64-bit VMCB exit code. */
static const struct ket_name svm_names[] = { SVM_EXIT_REASONS };

static const struct ket_name vmx_names[] = {
	VMX_EXIT_REASONS,
	VMX_EXIT_REASON_FLAGS,
};

/*
 * Codes the uapi headers define but VMX_EXIT_REASONS leaves out, so that
 * they get their own row rather than "unknown".
 */
static const struct ket_name vmx_extra_names[] = {
	{ 5, "IO_SMI" },
	{ 6, "OTHER_SMI" },
	{ 11, "GETSEC" },
	{ 17, "RSM" },
};

/* Vectors, as in <asm/trapnr.h>; the uapi tables already depend on them. */
#define KET_DB 1
#define KET_BP 3
#define KET_UD 6
#define KET_NM 7
#define KET_GP 13
#define KET_PF 14
/*
 * An SVM code past 6.1's uapi header: idle HLT, intercepted instead of
 * HLT since 6.15 on CPUs that have it.
 */
#define KET_SVM_EXIT_IDLE_HLT 0xa6

/* LOCAL_TIMER_VECTOR of <asm/irq_vectors.h>; checked at build time. */
#define KET_LOCAL_TIMER_VECTOR 0xec

unsigned int ket_svm_base_class(u64 code)
{
	/* 0x00-0x1f: CR reads and writes; CR8 is the APIC's TPR. */
	if (code <= 0x1f)
		return (code & 0xf) == 8 ? C(APIC) : C(EMULINST);
	/* 0x20-0x3f: DR reads and writes. */
	if (code <= 0x3f)
		return C(EMULINST);
	if (code <= SVM_EXIT_LAST_EXCP) {
		switch (code - SVM_EXIT_EXCP_BASE) {
		case KET_DB:
		case KET_BP:
			return C(DEBUG);
		case KET_NM:
			return C(FP_UNAVAIL);
		case KET_PF:
			return KET_RESOLVE_PF;
		case KET_UD:
		case KET_GP:
			return KET_RESOLVE_UD_GP;
		default:
			return C(EXCEPTION);
		}
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		return C(EXTINT);
	case SVM_EXIT_INIT:
	case SVM_EXIT_VINTR:
	case SVM_EXIT_CR8_WRITE_TRAP:	/* the TPR, as CR8 above */
	case SVM_EXIT_IRET:	/* intercepted only to open an NMI window */
	case SVM_EXIT_AVIC_INCOMPLETE_IPI:
	case SVM_EXIT_AVIC_UNACCELERATED_ACCESS:
		return C(APIC);
	case SVM_EXIT_SWINT:
	case SVM_EXIT_FERR_FREEZE:
		return C(EXCEPTION);
	case SVM_EXIT_PAUSE:
		return C(SPIN);
	case SVM_EXIT_HLT:
	case KET_SVM_EXIT_IDLE_HLT:
		return C(HALT);
	case SVM_EXIT_IOIO:
		return C(PIO);
	case SVM_EXIT_MSR:
		return KET_RESOLVE_MSR;
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMGEXIT:	/* SEV-ES guest-to-host call */
		return C(HCALL);
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		return C(NESTED);
	case SVM_EXIT_ICEBP:
		return C(DEBUG);
	case SVM_EXIT_NPF:
		return KET_RESOLVE_TDP_FAULT;
	/*
	 * Intercepted instructions KVM runs or emulates, and the CR write
	 * traps of SEV-ES guests: selective CR0 write, descriptor-table
	 * accesses, RDTSC, RDPMC, PUSHF, POPF, CPUID, RSM, INVD, INVLPG,
	 * TASK_SWITCH, RDTSCP, WBINVD, MONITOR, MWAIT(_COND), XSETBV,
	 * RDPRU, the EFER and CR write traps but CR8's, INVPCID.
	 */
	case SVM_EXIT_CR0_SEL_WRITE ... SVM_EXIT_RSM:
	case SVM_EXIT_INVD:
	case SVM_EXIT_INVLPG:
	case SVM_EXIT_TASK_SWITCH:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_WBINVD ... SVM_EXIT_CR7_WRITE_TRAP:
	case SVM_EXIT_CR9_WRITE_TRAP ... SVM_EXIT_CR15_WRITE_TRAP:
	case SVM_EXIT_INVPCID:
		return C(EMULINST);
	}
	/*
	 * shutdown, SVM_EXIT_ERR, bus lock (0xa5), and any code this table
	 * does not know: a newer kernel's exit is not an instruction KVM
	 * emulated until someone says so.
	 */
	return C(OTHER);
}

unsigned int ket_vmx_base_class(u64 code)
{
	switch (code) {
	case EXIT_REASON_EXCEPTION_NMI:
		return KET_RESOLVE_VMX_EXCP_NMI;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		return KET_RESOLVE_VMX_EXTINT;
	case 5:			/* I/O SMI */
	case 6:			/* other SMI */
		return C(EXTINT);
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
	case EXIT_REASON_EOI_INDUCED:
		return C(APIC);
	case EXIT_REASON_APIC_ACCESS:
	case EXIT_REASON_APIC_WRITE:
		return KET_RESOLVE_VMX_APIC;
	case EXIT_REASON_CR_ACCESS:
		return KET_RESOLVE_VMX_CR;
	case EXIT_REASON_HLT:
		return C(HALT);
	case EXIT_REASON_VMCALL:
		return C(HCALL);
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		return C(NESTED);
	case EXIT_REASON_IO_INSTRUCTION:
		return C(PIO);
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		return KET_RESOLVE_MSR;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		return C(DEBUG);
	case EXIT_REASON_PAUSE_INSTRUCTION:
		return C(SPIN);
	case EXIT_REASON_MCE_DURING_VMENTRY:
		return C(EXCEPTION);
	case EXIT_REASON_EPT_VIOLATION:
		return KET_RESOLVE_TDP_FAULT;
	case EXIT_REASON_EPT_MISCONFIG:	/* KVM's MMIO SPTEs */
		return C(MMIO);
	case EXIT_REASON_PREEMPTION_TIMER:
		return C(DEC);
	case EXIT_REASON_TASK_SWITCH:
	case EXIT_REASON_CPUID:
	case 11:		/* GETSEC */
	case EXIT_REASON_INVD:
	case EXIT_REASON_INVLPG:
	case EXIT_REASON_RDPMC:
	case EXIT_REASON_RDTSC:
	case 17:		/* RSM */
	case EXIT_REASON_DR_ACCESS:
	case EXIT_REASON_INVALID_STATE:	/* run through the emulator */
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_GDTR_IDTR:
	case EXIT_REASON_LDTR_TR:
	case EXIT_REASON_RDTSCP:
	case EXIT_REASON_WBINVD:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_RDRAND:
	case EXIT_REASON_INVPCID:
	case EXIT_REASON_ENCLS:
	case EXIT_REASON_RDSEED:
	case EXIT_REASON_XSAVES:
	case EXIT_REASON_XRSTORS:
	case EXIT_REASON_UMWAIT:
	case EXIT_REASON_TPAUSE:
		return C(EMULINST);
	}
	/* TRIPLE_FAULT, MSR_LOAD_FAIL, PML_FULL, BUS_LOCK, NOTIFY, failed entry */
	return C(OTHER);
}

/* The class of @code, a code of @v's. */
static unsigned int ket_x86_base_class(enum ket_vendor v, u64 code)
{
	return v == KET_VENDOR_SVM ? ket_svm_base_class(code) :
				     ket_vmx_base_class(code);
}

int ket_reason_table_init(struct ket_reason_table *t, enum ket_vendor v)
{
	const struct ket_name *names, *extra = NULL;
	unsigned int n, n_extra = 0, i;

	ket_reason_table_start(t, v);
	if (v == KET_VENDOR_SVM) {
		names = svm_names;
		n = ARRAY_SIZE(svm_names);
	} else {
		names = vmx_names;
		n = ARRAY_SIZE(vmx_names);
		extra = vmx_extra_names;
		n_extra = ARRAY_SIZE(vmx_extra_names);
	}
	if (n + n_extra + 1 > KET_MAX_REASONS)
		return -E2BIG;
	for (i = 0; i < n; i++)
		ket_add_reason(t, names[i].code, names[i].name,
			       ket_x86_base_class(v, names[i].code));
	for (i = 0; i < n_extra; i++)
		ket_add_reason(t, extra[i].code, extra[i].name,
			       ket_x86_base_class(v, extra[i].code));
	ket_reason_table_finish(t);
	return 0;
}

static_assert(KET_VMX_FAILED_VMENTRY == VMX_EXIT_REASONS_FAILED_VMENTRY);

static bool ket_apic_timer_offset(u32 offset)
{
	switch (offset) {
	case 0x320:	/* LVT timer */
	case 0x380:	/* initial count */
	case 0x390:	/* current count */
	case 0x3e0:	/* divide configuration */
		return true;
	}
	return false;
}

static unsigned int ket_msr_class(u32 msr)
{
	if (msr == 0x6e0)	/* IA32_TSC_DEADLINE */
		return C(DEC);
	if (msr >= 0x800 && msr <= 0x8ff)	/* x2APIC registers */
		return ket_apic_timer_offset((msr - 0x800) << 4) ? C(DEC) :
								     C(APIC);
	if (msr == 0x1b)	/* IA32_APIC_BASE */
		return C(APIC);
	return C(EMULINST);
}

/* Page-fault error code bits (SVM NPF and #PF): reserved, fetch. */
#define KET_PFERR_RSVD BIT_ULL(3)
#define KET_PFERR_FETCH BIT_ULL(4)
/* EPT violation qualification: the access was an instruction fetch. */
#define KET_EPT_FETCH BIT_ULL(2)

static unsigned int ket_tdp_fault_class(const struct ket_reason_table *t,
					const struct ket_exit_detail *d,
					const struct ket_outcome *o)
{
	bool fetch;

	if (o->hypercall)
		return C(HCALL);
	if (d->apic_base && (d->gpa >> 12) == (d->apic_base >> 12))
		return ket_apic_timer_offset(d->gpa & 0xff0) ? C(DEC) : C(APIC);
	if (t->vendor == KET_VENDOR_SVM) {
		if (o->mmio || (d->info1 & KET_PFERR_RSVD))
			return C(MMIO);
		fetch = d->info1 & KET_PFERR_FETCH;
	} else {
		if (o->mmio)
			return C(MMIO);
		fetch = d->info1 & KET_EPT_FETCH;
	}
	return fetch ? C(ITLBVIRT) : C(DTLBVIRT);
}

/* @errcode: the #PF error code (SVM exit_info_1, VMX interruption error). */
static unsigned int ket_pf_class(u64 errcode, const struct ket_outcome *o)
{
	bool fetch = errcode & KET_PFERR_FETCH;

	if (o->mmio || (errcode & KET_PFERR_RSVD))
		return C(MMIO);
	if (o->pf_guest)
		return fetch ? C(ITLBREAL) : C(DTLBREAL);
	return fetch ? C(ITLBVIRT) : C(DTLBVIRT);
}

static unsigned int ket_ud_gp_class(const struct ket_outcome *o)
{
	if (o->hypercall)	/* VMCALL on AMD, VMMCALL on Intel */
		return C(HCALL);
	if (o->emulated)
		return C(EMULINST);
	return C(EXCEPTION);
}

static unsigned int ket_vmx_excp_class(const struct ket_exit_detail *d,
				       const struct ket_outcome *o)
{
	unsigned int type = (d->intr_info >> 8) & 7, vector = d->intr_info & 0xff;

	if (type == 2)		/* NMI */
		return C(EXTINT);
	switch (vector) {
	case KET_DB:
	case KET_BP:
		return C(DEBUG);
	case KET_NM:
		return C(FP_UNAVAIL);
	case KET_PF:
		return ket_pf_class(d->info1, o);
	case KET_UD:
	case KET_GP:
		return ket_ud_gp_class(o);
	}
	return C(EXCEPTION);
}

unsigned int ket_resolve_class(const struct ket_reason_table *t,
			       unsigned int reason,
			       const struct ket_exit_detail *d,
			       const struct ket_outcome *o)
{
	switch (t->cls[reason]) {
	case KET_RESOLVE_MSR:
		return ket_msr_class(d->msr);
	case KET_RESOLVE_TDP_FAULT:
		return ket_tdp_fault_class(t, d, o);
	case KET_RESOLVE_PF:
		return ket_pf_class(d->info1, o);
	case KET_RESOLVE_UD_GP:
		return ket_ud_gp_class(o);
	case KET_RESOLVE_VMX_EXCP_NMI:
		return ket_vmx_excp_class(d, o);
	case KET_RESOLVE_VMX_EXTINT:
		/* Only the host's own timer is known to be a timer. */
		return (d->intr_info & 0xff) == KET_LOCAL_TIMER_VECTOR ?
			       C(DEC) : C(EXTINT);
	case KET_RESOLVE_VMX_APIC:
		return ket_apic_timer_offset(d->info1 & 0xff0) ? C(DEC) :
								 C(APIC);
	case KET_RESOLVE_VMX_CR:
		return (d->info1 & 0xf) == 8 ? C(APIC) : C(EMULINST);
	}
	return t->cls[reason];
}
