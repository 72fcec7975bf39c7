/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A recording (the lines 'record' writes) read back, for plot.  Every
 * line is checked: a line that is JSON but not a version-1 interval is an
 * error with its number, never a guess; a line that is not JSON at all
 * (torn by a full disk) is skipped, and counted.
 */
#ifndef KET_RECORDING_H
#define KET_RECORDING_H

#include <stdint.h>
#include <stdio.h>

#include "ket_stats.h"

/* Counts above this are refused: sums of a few never wrap. */
#define KET_REC_MAX_COUNT INT64_MAX
/*
 * The shortest interval_s (record's resolution), the longest, and the
 * latest time (year 5138), accepted.
 */
#define KET_REC_MIN_INTERVAL 0.001
#define KET_REC_MAX_INTERVAL 86400.0
#define KET_REC_MAX_TIME 1e11

struct ket_rec_row {
	char name[KET_NAME_SIZE];
	int is_class;
	uint64_t count, time;		/* exits, ns of handling */
	uint64_t hist[KET_BUCKETS];
};

struct ket_rec_interval {
	double end, secs;		/* Unix time at its end; its length */
	uint64_t guest_time;		/* ns in the guest */
	unsigned long line;		/* in the file */
	unsigned int nr_rows;
	struct ket_rec_row *rows;	/* with a count, TIMEINGUEST apart */
};

struct ket_recording {
	struct ket_rec_interval *iv;	/* in time order */
	unsigned int nr, cap;
	unsigned long skipped;		/* lines that were not JSON */
	unsigned long first_skipped;
	char scope[256];		/* of the first line, as a title */
};

/* Reads every line of @f; 0, or -1 with the line and reason in @err. */
int ket_recording_read(FILE *f, struct ket_recording *r, char *err,
		       size_t esz);
void ket_recording_free(struct ket_recording *r);

#endif
