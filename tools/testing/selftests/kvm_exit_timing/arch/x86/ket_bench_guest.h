/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make bench's loops on x86 (ket_bench.c): CPUID, which KVM emulates in
 * the kernel; an OUT, which goes to the VMM (PIO); and the MMIO write
 * every architecture's loops have.  The clock is the TSC, which QEMU's
 * -icount shift=0 advances one tick per emulated instruction.
 */
#ifndef KET_BENCH_GUEST_H
#define KET_BENCH_GUEST_H

#include "ket_workload_guest.h"

/* The names of the workloads of those two exits. */
#define KET_BENCH_IN_KERNEL "cpuid"
#define KET_BENCH_SECOND "pio"

static inline void ket_bench_in_kernel(void)
{
	ket_guest_emulated();
}

static inline void ket_bench_second(void)
{
	ket_guest_port_io();
}

static inline uint64_t ket_bench_now(void)
{
	return rdtsc();
}

/* TSC ticks are the figures' unit. */
static inline uint64_t ket_bench_ticks(uint64_t t)
{
	return t;
}

/*
 * Bochs' clock (sync=none) is about one tick per instruction: calib's
 * loops do not exit, and run KET_CALIB_INSNS instructions each.
 */
#define KET_CALIB_INSNS 100000

static inline void ket_bench_calib(void)
{
	uint64_t k = KET_CALIB_INSNS / 2;

	asm volatile("1: dec %0\n\tjnz 1b" : "+r"(k) : : "cc");
}

#endif
