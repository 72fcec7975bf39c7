/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 128-bit helpers for the reader side.  The kernel has no 128-bit
 * division, and sums of squares of nanoseconds need 128 bits (see
 * Documentation/kvm_exit_timing.rst, "Field widths").  None of this
 * runs in the probes.
 */
#ifndef KET_U128_H
#define KET_U128_H

#include "ket_compat.h"

/* Longest decimal rendering of a __uint128_t, without the terminator. */
#define KET_U128_DIGITS 39

__uint128_t ket_u128_div(__uint128_t n, __uint128_t d, __uint128_t *rem);
u64 ket_u128_isqrt(__uint128_t x);
int ket_u128_str(char *buf, __uint128_t v);

#endif /* KET_U128_H */
