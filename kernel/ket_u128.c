// SPDX-License-Identifier: GPL-2.0
/*
 * 128-bit division, square root and decimal formatting, by shifts and
 * subtractions: slow but exact, and only used when a table is read.
 */
#include "ket_u128.h"

/* Quotient of @n / @d (0 when @d is 0), remainder in *@rem if non-NULL. */
__uint128_t ket_u128_div(__uint128_t n, __uint128_t d, __uint128_t *rem)
{
	__uint128_t q = 0, r = 0;
	int i;

	if (!d) {
		if (rem)
			*rem = 0;
		return 0;
	}
	if (!(n >> 64) && !(d >> 64)) {
		u64 a = (u64)n, b = (u64)d;

		q = a / b;
		r = a % b;
	} else {
		for (i = 127; i >= 0; i--) {
			r = (r << 1) | ((n >> i) & 1);
			if (r >= d) {
				r -= d;
				q |= (__uint128_t)1 << i;
			}
		}
	}
	if (rem)
		*rem = r;
	return q;
}

/* floor(sqrt(@x)); the result of a 128-bit input always fits 64 bits. */
u64 ket_u128_isqrt(__uint128_t x)
{
	__uint128_t res = 0, bit = (__uint128_t)1 << 126;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (u64)res;
}

/* Writes @v in decimal into @buf (KET_U128_DIGITS + 1 bytes); returns length. */
int ket_u128_str(char *buf, __uint128_t v)
{
	char tmp[KET_U128_DIGITS];
	__uint128_t r;
	int n = 0, i;
	u64 w;

	/* No 128-bit division by 10 in the kernel: peel digits off by hand. */
	while (v >> 64) {
		v = ket_u128_div(v, 10, &r);
		tmp[n++] = '0' + (char)r;
	}
	w = (u64)v;
	do {
		tmp[n++] = '0' + (char)(w % 10);
		w /= 10;
	} while (w);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}
