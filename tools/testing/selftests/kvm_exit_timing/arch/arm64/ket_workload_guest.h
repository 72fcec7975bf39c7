/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ket_workload's guest on arm64: a read of ID_AA64PFR0_EL1, which KVM
 * traps (HCR_EL2.TID3) and emulates (SYS64: EMULINST), and an HVC with
 * a function id SMCCC does not know (HVC64: HCALL; KVM answers
 * NOT_SUPPORTED in x0-x3).  No port I/O on arm64.  The MMIO write and
 * the syncs (the library's ucall, an MMIO write too) are DABT_LOW exits
 * to userspace: MMIO.
 */
#ifndef KET_WORKLOAD_GUEST_H
#define KET_WORKLOAD_GUEST_H

#include "kvm_util.h"
#include "processor.h"

/*
 * 6.1's library sets up the ucall's MMIO page only when told: an address
 * no memslot has, identity-mapped.
 */
static inline void ket_workload_setup(struct kvm_vm *vm)
{
	ucall_init(vm, NULL);
}

static inline void ket_guest_emulated(void)
{
	uint64_t v;

	asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(v));
}

static inline void ket_guest_port_io(void)
{
}

static inline void ket_guest_hcall(void)
{
	register uint64_t x0 asm("x0") = 0xdead;
	register uint64_t x1 asm("x1"), x2 asm("x2"), x3 asm("x3");

	asm volatile("hvc #0" : "+r"(x0), "=r"(x1), "=r"(x2), "=r"(x3)
		     : : "memory");
}

#endif
