/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of kvm_exit_timing's binary statistics (KVM's stats format, as
 * Documentation/kvm_exit_timing.rst "Binary statistics" lays it out) into
 * rows.  Every offset and size in the file is checked against the
 * buffer: a truncated or malformed file is an error, never a crash.
 */
#ifndef KET_STATS_H
#define KET_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm_exit_timing.h>

#define KET_NAME_SIZE KVM_EXIT_TIMING_STATS_NAME_SIZE
#define KET_BUCKETS KVM_EXIT_TIMING_HIST_BUCKETS

enum ket_counter {
	KET_C_VCPUS,
	KET_C_ENTRIES,
	KET_C_EXITS,
	KET_C_UNTIMED,
	KET_C_UNACCOUNTED,
	KET_C_ANOMALIES,
	KET_NR_COUNTERS,
};

extern const char *const ket_counter_names[KET_NR_COUNTERS];

struct ket_srow {
	char name[KET_NAME_SIZE];	/* "EMULINST", "cpuid", ... */
	int is_class;
	uint64_t count, time, min, max;
	unsigned __int128 sumsq;
	uint64_t hist[KET_BUCKETS];
	/* Word offsets of each field in the data block, for live rereads. */
	uint32_t off[6];
};

struct ket_scope_stats {
	char id[KET_NAME_SIZE];
	uint64_t counters[KET_NR_COUNTERS];
	uint32_t counter_off[KET_NR_COUNTERS];
	unsigned int nr_rows;
	struct ket_srow *rows;
	uint32_t data_offset;	/* bytes */
	uint32_t data_words;
};

/*
 * Parses the file image @buf of @len bytes.  Returns 0, or -1 with a
 * reason in @err (of @err_size bytes).  Free with ket_stats_free().
 */
int ket_stats_parse(const void *buf, size_t len, struct ket_scope_stats *s,
		    char *err, size_t err_size);
/* Refills the values from a new data block of s->data_words words. */
void ket_stats_fill(struct ket_scope_stats *s, const uint64_t *data);
void ket_stats_free(struct ket_scope_stats *s);

#endif
