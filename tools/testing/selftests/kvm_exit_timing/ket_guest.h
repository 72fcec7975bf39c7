/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' guests: each does exactly N of one kind of exit between
 * two syncs.  What every architecture shares is here and in ket_guest.c:
 * the guest's skeleton, the host's run loop and the reset protocol.  Each
 * architecture's work, exit names and VM setup are in
 * arch/<arch>/ket_guest_arch.h and ket_guest_arch.c.
 */
#ifndef KET_GUEST_H
#define KET_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"

#include "ket_util.h"

#define KET_N 500

/* W_TLB: pages the guest has mapped but never touched, data and code. */
#define KET_TLB_PAGES 64
#define KET_TLB_DATA 0x40000000UL
#define KET_TLB_CODE 0x40400000UL

/*
 * The architecture's enum ket_work, with W_EMUL (an instruction KVM
 * emulates in the kernel: one exit each, of class EMULINST), W_USER (one
 * exit to the VMM each, of the syncs' kind), W_HCALL, W_TLB and
 * W_SIGNAL; its struct ket_names, with emul (W_EMUL's exit reason) and
 * sync (a sync's, the library's ucall); KET_SYNC_CLASS, a sync's class
 * while it is in flight (the vCPU's "now" in the tables); and
 * KET_RET_INSN, the bytes of a return instruction (W_TLB's code).
 */
#include "ket_guest_arch.h"

struct ket_run {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[128];
	char vcpu_dir[160];
	uint64_t eois;		/* timer interrupts taken: ket_guest_eois */
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
/* Waits up to 3 s for @path to exist. */
bool wait_for_file(const char *path);

/* In the guest: the timer interrupts its handler took (and EOIed). */
extern uint64_t ket_guest_eois;

/*
 * Each architecture's part (arch/<arch>/ket_guest_arch.c).  In the guest:
 * the setup of work @w, before the syncs, and its unit @i (~0: a warm-up
 * the architecture may do in its setup).
 */
void ket_guest_setup(enum ket_work w);
void ket_guest_work(enum ket_work w, uint64_t i);
/* On the host: the VM's setup for @w, after its vCPU's creation. */
void ket_vm_setup(struct kvm_vm *vm, struct kvm_vcpu *vcpu, enum ket_work w);
/*
 * Whether the vCPU's exit to userspace is the work's own (W_SIGNAL's,
 * which then leaves a signal pending), not a ucall; the architecture
 * completes it if it must.
 */
bool ket_work_exit(struct kvm_vcpu *vcpu);
/* This host's reason names. */
const struct ket_names *ket_names(void);

#endif
