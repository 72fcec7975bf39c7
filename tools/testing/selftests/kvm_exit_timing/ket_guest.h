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
#include "ket_util.h"

#define KET_N 500
#define KET_PIO_PORT 0x2000
#define KET_HALT_N 200

/* W_TLB: pages the guest has mapped but never touched, data and code. */
#define KET_TLB_PAGES 64
#define KET_TLB_DATA 0x40000000UL
#define KET_TLB_CODE 0x40400000UL

enum ket_work { W_CPUID, W_PIO, W_MMIO, W_HCALL, W_TSCDL, W_ICR, W_SIGNAL,
	       W_VMLOAD, W_TLB, W_PFREAL, W_HALT };

struct ket_run {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[128];
	char vcpu_dir[160];
	struct ket_table classes, reasons, vcpu_classes;
};

/*
 * Creates a one-vCPU VM doing @n of @w, resets its tables after two
 * warm-up syncs, runs the work and parses the tables; the vCPU is then
 * inside the sync exit that ends the work (see ket_guest.c).  Failures
 * end the test process, as the KVM library's TEST_ASSERT() does.
 */
void ket_run_work(struct ket_run *r, enum ket_work w, uint64_t n);
/* A one-vCPU VM whose guest does @n of @w between syncs 1 and 2. */
struct kvm_vm *ket_vm_create_work(struct kvm_vcpu **vcpu, enum ket_work w,
				  uint64_t n);
/* Runs the vCPU to its next ucall: the sync's argument, ~0 when done. */
uint64_t run_to_ucall(struct kvm_vcpu *vcpu);
/* kvm_amd's nested paging: NPF exits with it, #PF intercepts without. */
bool ket_npt(void);
/* Waits up to 3 s for @path to exist. */
bool wait_for_file(const char *path);

#endif
