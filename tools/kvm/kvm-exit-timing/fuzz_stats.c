// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the binary statistics parser on arbitrary bytes.
 * Any input must parse or fail cleanly: no crash, no hang, no read out of
 * bounds (ASan), no undefined behaviour (UBSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ket_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ket_scope_stats s;
	char err[256];
	uint8_t *copy = malloc(size ? size : 1);

	/* An exact-size copy: ASan catches any read past the end. */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!ket_stats_parse(copy, size, &s, err, sizeof(err)))
		ket_stats_free(&s);
	free(copy);
	return 0;
}
