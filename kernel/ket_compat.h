/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accounting, classification and formatting code of kvm_exit_timing
 * is plain C with no kernel dependency, so that the host unit tests
 * (tools/testing/selftests/kvm_exit_timing/unit/) compile exactly the
 * source the module runs.  This header gives that code the handful of
 * kernel types and helpers it uses, from the kernel or from libc.
 */
#ifndef KET_COMPAT_H
#define KET_COMPAT_H

#ifdef __KERNEL__
#include <asm/barrier.h>
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "ket_host.h"	/* tools/testing/selftests/kvm_exit_timing/unit/ */
#endif

/*
 * On x86-64 the probes multiply with these rather than through
 * __uint128_t: a 128-bit temporary makes GCC realign the stack frame of
 * every function it appears in (the kernel's stack is only 8-byte
 * aligned), which costs the kvm_entry probe four instructions on every
 * exit.  Elsewhere (arm64, whose stack is 16-byte aligned, and the host
 * unit tests with KET_COMPAT_PLAIN_C, which test this variant) plain C
 * does: GCC makes MUL and UMULH of the 128-bit product on arm64.
 */
#if defined(__x86_64__) && !defined(KET_COMPAT_PLAIN_C)

/* (@a * @b) >> 32, the full 128-bit product taken: one MULQ, one SHRD. */
static __always_inline u64 ket_mul_shr32(u64 a, u64 b)
{
	u64 hi;

	asm("mulq %[b]\n\tshrdq $32, %[hi], %[a]"
	    : [a] "+a"(a), [hi] "=&d"(hi)
	    : [b] "rm"(b)
	    : "cc");
	return a;
}

/* @a squared, added to the 128-bit *@lo, *@hi: MULQ, ADD, ADC. */
static __always_inline void ket_add_square(u64 a, u64 *lo, u64 *hi)
{
	u64 h;

	asm("mulq %[a]\n\taddq %[a], %[lo]\n\tadcq %[h], %[hi]"
	    : [a] "+a"(a), [h] "=&d"(h), [lo] "+m"(*lo), [hi] "+m"(*hi)
	    :
	    : "cc");
}

/* @a added to the 128-bit *@lo, *@hi: ADD, ADC. */
static __always_inline void ket_add_u128(u64 a, u64 *lo, u64 *hi)
{
	asm("addq %[a], %[lo]\n\tadcq $0, %[hi]"
	    : [lo] "+m"(*lo), [hi] "+m"(*hi)
	    : [a] "r"(a)
	    : "cc");
}

#else

/* (@a * @b) >> 32, the full 128-bit product taken. */
static __always_inline u64 ket_mul_shr32(u64 a, u64 b)
{
	return (u64)(((__uint128_t)a * b) >> 32);
}

/* @a squared, added to the 128-bit *@lo, *@hi. */
static __always_inline void ket_add_square(u64 a, u64 *lo, u64 *hi)
{
	__uint128_t sum = ((__uint128_t)*hi << 64 | *lo) + (__uint128_t)a * a;

	*lo = (u64)sum;
	*hi = (u64)(sum >> 64);
}

/* @a added to the 128-bit *@lo, *@hi: the carry is the sum's wrap. */
static __always_inline void ket_add_u128(u64 a, u64 *lo, u64 *hi)
{
	u64 l = *lo + a;

	*hi += l < a;
	*lo = l;
}

#endif

#endif /* KET_COMPAT_H */
