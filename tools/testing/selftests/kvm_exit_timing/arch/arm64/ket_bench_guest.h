/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make bench's loops on arm64 (ket_bench.c): a read of ID_AA64PFR0_EL1,
 * which KVM traps and emulates in the kernel (SYS64); an HVC that KVM
 * answers in the kernel too (HVC64); and the MMIO write every
 * architecture's loops have, which goes to the VMM (DABT_LOW).  No port
 * I/O on arm64.
 *
 * The clock is the generic timer's virtual counter, which KVM does not
 * trap, in the guest and in the VMM alike.  QEMU's -icount shift=0
 * advances it one nanosecond per emulated instruction, at CNTFRQ_EL0
 * ticks a second (62.5 MHz: 16 instructions a tick): the figures are in
 * nanoseconds, that is in instructions.
 */
#ifndef KET_BENCH_GUEST_H
#define KET_BENCH_GUEST_H

#include "ket_workload_guest.h"

/* The names of the workloads of those two exits. */
#define KET_BENCH_IN_KERNEL "sys64"
#define KET_BENCH_SECOND "hvc"

static inline void ket_bench_in_kernel(void)
{
	ket_guest_emulated();
}

static inline void ket_bench_second(void)
{
	ket_guest_hcall();
}

static inline uint64_t ket_bench_now(void)
{
	uint64_t t;

	/* The ISB: not read ahead of the loop it times. */
	asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
	return t;
}

/* In the VMM: counter ticks to nanoseconds. */
static inline uint64_t ket_bench_ticks(uint64_t t)
{
	uint64_t hz;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return (unsigned __int128)t * 1000000000 / hz;
}

#endif
