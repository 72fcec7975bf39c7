/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ket_workload's guest on x86: CPUID (EMULINST), an OUT (PIO) and a
 * hypercall (HCALL: VMMCALL on AMD, VMCALL on Intel), besides the MMIO
 * write and the syncs (port I/O) every architecture's loop has.
 */
#ifndef KET_WORKLOAD_GUEST_H
#define KET_WORKLOAD_GUEST_H

#include "ket_guest.h"

static bool intel;

static inline void ket_workload_setup(struct kvm_vm *vm)
{
	intel = ket_intel();
	sync_global_to_guest(vm, intel);
}

static inline void ket_guest_emulated(void)
{
	uint32_t a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static inline void ket_guest_port_io(void)
{
	asm volatile("outb %%al, %%dx" : : "a"(0), "d"(KET_PIO_PORT));
}

static inline void ket_guest_hcall(void)
{
	ket_guest_hypercall(intel, 0xdead);	/* no such hypercall */
}

#endif
