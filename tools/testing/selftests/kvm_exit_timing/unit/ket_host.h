/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types and helpers kernel/ket_compat.h needs, for the host
 * unit tests, which compile the module's plain-C sources in userspace.
 */
#ifndef KET_HOST_H
#define KET_HOST_H

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int16_t s16;
typedef int64_t s64;

#define U64_MAX UINT64_MAX
#define U32_MAX UINT32_MAX
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define smp_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define __printf(a, b) __attribute__((format(printf, a, b)))

/*
 * As arch/x86/include/asm/bitops.h has it on x86-64, so that callgrind
 * counts the module's instructions (ket_hot_bench.c).
 */
static inline int fls64(u64 x)
{
#ifdef __x86_64__
	long bitpos = -1;

	asm("bsrq %1,%0" : "+r"(bitpos) : "rm"(x));
	return bitpos + 1;
#else
	return x ? 64 - __builtin_clzll(x) : 0;
#endif
}
/* As the kernel's on x86-64: the index of the last set bit of @x != 0. */
static inline unsigned long __fls(unsigned long x)
{
#ifdef __x86_64__
	asm("bsrq %1,%0" : "=r"(x) : "rm"(x));
	return x;
#else
	return 63 - __builtin_clzll(x);
#endif
}

#define div64_u64(a, b) ((u64)(a) / (u64)(b))
#define BIT_ULL(n) (1ULL << (n))

/* The kernel's: copies what fits, always terminated; -E2BIG if cut. */
static inline long strscpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size);

	if (!size)
		return -E2BIG;
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

#endif /* KET_HOST_H */
