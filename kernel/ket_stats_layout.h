/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binary statistics file, in KVM's stats format (struct
 * kvm_stats_header, struct kvm_stats_desc): its layout, descriptors and
 * data words.  Plain C: the host unit tests check it byte for byte, and
 * Documentation/kvm_exit_timing.rst ("Binary statistics") describes it.
 */
#ifndef KET_STATS_LAYOUT_H
#define KET_STATS_LAYOUT_H

#include <linux/kvm.h>

#include "ket_agg.h"
#include "ket_exits.h"

/* The scope's own counters, at the start of the data block. */
enum ket_scope_stat {
	KET_STAT_VCPUS,
	KET_STAT_ENTRIES,
	KET_STAT_EXITS,
	KET_STAT_UNTIMED,
	KET_STAT_UNACCOUNTED,
	KET_STAT_ANOMALIES,
	KET_NR_SCOPE_STATS,
};

/* Each row's descriptors, in this order, each row's words contiguous. */
enum ket_row_stat {
	KET_STAT_COUNT,
	KET_STAT_TIME,
	KET_STAT_MIN,
	KET_STAT_MAX,
	KET_STAT_SUMSQ,
	KET_STAT_HIST,
	KET_NR_ROW_STATS,
};

/* count, time, min, max, sumsq (2 words), hist */
#define KET_ROW_WORDS (4 + 2 + KET_HIST_BUCKETS)

struct ket_stats_totals {
	u64 vcpus;
	u64 entries;
	u64 exits;
	u64 untimed;
	u64 unaccounted;
	u64 anomalies;
};

/* Offsets in bytes from the start of the file, as in the header. */
struct ket_stats_layout {
	u32 nr_rows;		/* classes, then the vendor's reasons */
	u32 num_desc;
	u32 desc_size;		/* sizeof(struct kvm_stats_desc) + name */
	u32 id_offset;
	u32 desc_offset;
	u32 data_offset;
	u32 data_size;
	u32 size;		/* the whole file */
};

void ket_stats_layout_init(struct ket_stats_layout *l, unsigned int nr_rows);
int ket_stats_write_meta(const struct ket_stats_layout *l,
			 const struct ket_reason_table *t, const char *id,
			 void *buf);
void ket_stats_write_data(const struct ket_stats_layout *l, u64 *data,
			  const struct ket_agg *aggs,
			  const struct ket_stats_totals *tot);

#endif /* KET_STATS_LAYOUT_H */
