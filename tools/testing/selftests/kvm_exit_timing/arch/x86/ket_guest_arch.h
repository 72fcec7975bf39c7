/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' guests on x86 (ket_guest_arch.c): CPUID, port I/O, MMIO,
 * hypercalls, the APIC and its timer, nested and paging instructions.
 * Included by ket_guest.h.
 */
#ifndef KET_GUEST_ARCH_H
#define KET_GUEST_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"

#include "ket_util.h"

/*
 * Where the KVM library's API differs between the kernels' versions: the
 * Makefile looks in its processor.h for what 6.1's has and later ones do
 * not (KET_LIB_*).
 */
static inline bool ket_intel(void)
{
#ifdef KET_LIB_IS_INTEL_CPU
	return is_intel_cpu();
#else
	return host_cpu_is_intel;	/* read by the library before main() */
#endif
}

/*
 * A VM's and vCPU's IDT and GDT, for a guest's exception handlers; newer
 * libraries set them up as they create each VM and vCPU.
 */
static inline void ket_init_descriptor_tables(struct kvm_vm *vm,
					      struct kvm_vcpu *vcpu)
{
#ifdef KET_LIB_INIT_DESCRIPTOR_TABLES
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
#endif
}

#define KET_PIO_PORT 0x2000
#define KET_HALT_N 200
#define KET_TIMER_N 50

/* W_NESTED: a VMX or SVM instruction in the guest (VMPTRST, VMLOAD). */
enum ket_work { W_CPUID, W_PIO, W_MMIO, W_HCALL, W_TSCDL, W_ICR, W_SIGNAL,
	       W_NESTED, W_TLB, W_PFREAL, W_HALT, W_TIMER };
#define W_EMUL W_CPUID
/* An exit KVM hands to the VMM, as the syncs: an OUT. */
#define W_USER W_PIO

/* The syncs are OUTs (to the library's port, W_PIO's to KET_PIO_PORT). */
#define KET_SYNC_CLASS "PIO"
#define KET_RET_INSN { 0xc3 }

/*
 * The exit_reasons rows of this host's exits, named by the uapi tables
 * of its vendor (SVM_EXIT_REASONS, VMX_EXIT_REASONS).
 */
struct ket_names {
	const char *emul;	/* CPUID */
	const char *sync;	/* port I/O: the syncs, W_PIO, W_SIGNAL */
	const char *hcall, *msr_write, *hlt, *irq_window;
	const char *pf;		/* an intercepted #PF (shadow paging) */
	const char *nested;	/* W_NESTED's instruction */
	const char *tdp[2];	/* a nested page fault's exits, or NULL */
};

/* In the guest: a hypercall, with the instruction of the host's vendor. */
static inline void ket_guest_hypercall(bool intel, uint64_t nr)
{
	if (intel)
		asm volatile("vmcall" : "+a"(nr) : : "memory");
	else
		asm volatile("vmmcall" : "+a"(nr) : : "memory");
}

/*
 * Two-dimensional paging (kvm_amd npt, kvm_intel ept): nested page faults
 * with it, intercepted #PFs without.
 */
bool ket_tdp(void);
/* Nested virtualization offered to guests (kvm_amd, kvm_intel nested). */
bool ket_nested(void);
/* Whether KVM emulates the guest's APIC timer with the VMX preemption timer. */
bool ket_preemption_timer(void);
/*
 * APICv or AVIC: the guest's EOIs and interrupt delivery take no exit,
 * and the APIC tests' counts do not apply.
 */
bool ket_apic_accelerated(void);
/* The exits of guest page faults KVM saw: nested page faults or #PFs. */
uint64_t ket_fault_exits(const struct ket_table *reasons);

#endif
