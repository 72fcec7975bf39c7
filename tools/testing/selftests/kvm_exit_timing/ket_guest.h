/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' guests (ket_guest.c): each does exactly N of one kind of
 * exit between two syncs.
 */
#ifndef KET_GUEST_H
#define KET_GUEST_H

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

#define KET_N 500
#define KET_PIO_PORT 0x2000
#define KET_HALT_N 200
#define KET_TIMER_N 50

/* W_TLB: pages the guest has mapped but never touched, data and code. */
#define KET_TLB_PAGES 64
#define KET_TLB_DATA 0x40000000UL
#define KET_TLB_CODE 0x40400000UL

/* W_NESTED: a VMX or SVM instruction in the guest (VMPTRST, VMLOAD). */
enum ket_work { W_CPUID, W_PIO, W_MMIO, W_HCALL, W_TSCDL, W_ICR, W_SIGNAL,
	       W_NESTED, W_TLB, W_PFREAL, W_HALT, W_TIMER };

/*
 * The exit_reasons rows of this host's exits, named by the uapi tables
 * of its vendor (SVM_EXIT_REASONS, VMX_EXIT_REASONS).
 */
struct ket_names {
	const char *cpuid, *io, *hcall, *msr_write, *hlt, *irq_window;
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

struct ket_run {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[128];
	char vcpu_dir[160];
	uint64_t eois;		/* W_HALT, W_TIMER: the guest's EOI writes */
	struct ket_table classes, reasons, vcpu_classes;
};

/*
 * Creates a one-vCPU VM doing @n of @w, resets its tables after two
 * warm-up syncs, runs the work and parses the tables; the vCPU is then
 * inside the sync exit that ends the work (see ket_guest.c).  Failures
 * end the test process, as the KVM library's TEST_ASSERT() does.  The
 * VM is forgotten once attached (ket_forget()), unless kept.
 */
void ket_run_work(struct ket_run *r, enum ket_work w, uint64_t n);
void ket_run_work_kept(struct ket_run *r, enum ket_work w, uint64_t n);
/* A one-vCPU VM whose guest does @n of @w between syncs 1 and 2. */
struct kvm_vm *ket_vm_create_work(struct kvm_vcpu **vcpu, enum ket_work w,
				  uint64_t n);
/* Runs the vCPU to its next ucall: the sync's argument, ~0 when done. */
uint64_t run_to_ucall(struct kvm_vcpu *vcpu);
/* This host's reason names. */
const struct ket_names *ket_names(void);
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
/* Waits up to 3 s for @path to exist. */
bool wait_for_file(const char *path);

#endif
