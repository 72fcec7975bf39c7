// SPDX-License-Identifier: GPL-2.0
/*
 * Layout of the binary statistics file: KVM's header, a
 * KVM_EXIT_TIMING_STATS_NAME_SIZE id string, the descriptors, then the data words,
 * exactly as KVM lays out the files KVM_GET_STATS_FD returns.
 */
#include "ket_stats_layout.h"

#define KET_DESC_FLAGS(type, unit)					\
	(KVM_STATS_TYPE_##type | KVM_STATS_UNIT_##unit | KVM_STATS_BASE_POW10)

static const struct {
	const char *name;
	u32 flags;
} ket_scope_stats[KET_NR_SCOPE_STATS] = {
	[KET_STAT_VCPUS] = { "vcpus", KET_DESC_FLAGS(INSTANT, NONE) },
	[KET_STAT_ENTRIES] = { "entries", KET_DESC_FLAGS(CUMULATIVE, NONE) },
	[KET_STAT_EXITS] = { "exits", KET_DESC_FLAGS(CUMULATIVE, NONE) },
	[KET_STAT_UNTIMED] = { "exits_untimed",
			       KET_DESC_FLAGS(CUMULATIVE, NONE) },
	[KET_STAT_UNACCOUNTED] = { "exits_unaccounted",
				   KET_DESC_FLAGS(CUMULATIVE, NONE) },
	[KET_STAT_ANOMALIES] = { "anomalies",
				 KET_DESC_FLAGS(CUMULATIVE, NONE) },
};

static const struct {
	const char *suffix;
	u32 flags;
	s16 exponent;
	u16 size;	/* words */
} ket_row_stats[KET_NR_ROW_STATS] = {
	[KET_STAT_COUNT] = { "count", KET_DESC_FLAGS(CUMULATIVE, NONE), 0, 1 },
	[KET_STAT_TIME] = { "time_ns", KET_DESC_FLAGS(CUMULATIVE, SECONDS),
			    -9, 1 },
	[KET_STAT_MIN] = { "min_ns", KET_DESC_FLAGS(INSTANT, SECONDS), -9, 1 },
	[KET_STAT_MAX] = { "max_ns", KET_DESC_FLAGS(PEAK, SECONDS), -9, 1 },
	[KET_STAT_SUMSQ] = { "sumsq_ns2", KET_DESC_FLAGS(CUMULATIVE, NONE),
			     0, 2 },
	[KET_STAT_HIST] = { "hist_ns", KET_DESC_FLAGS(LOG_HIST, SECONDS), -9,
			    KET_HIST_BUCKETS },
};

void ket_stats_layout_init(struct ket_stats_layout *l, unsigned int nr_rows)
{
	l->nr_rows = nr_rows;
	l->num_desc = KET_NR_SCOPE_STATS + nr_rows * KET_NR_ROW_STATS;
	/*
	 * Not sizeof: in newer kernels (6.12's uapi header has it) the
	 * kernel's view of the struct gives name[] KVM_STATS_NAME_SIZE
	 * bytes; userspace's, and the file's layout, a flexible array.
	 */
	l->desc_size = offsetof(struct kvm_stats_desc, name) +
		       KVM_EXIT_TIMING_STATS_NAME_SIZE;
	l->id_offset = sizeof(struct kvm_stats_header);
	l->desc_offset = l->id_offset + KVM_EXIT_TIMING_STATS_NAME_SIZE;
	l->data_offset = l->desc_offset + l->num_desc * l->desc_size;
	l->data_size = (KET_NR_SCOPE_STATS + nr_rows * KET_ROW_WORDS) *
		       sizeof(u64);
	l->size = l->data_offset + l->data_size;
}

static struct kvm_stats_desc *ket_desc(const struct ket_stats_layout *l,
				       void *buf, unsigned int i)
{
	return (struct kvm_stats_desc *)((char *)buf + l->desc_offset +
					 i * l->desc_size);
}

static const char *ket_row_kind(unsigned int row)
{
	return row < KVM_EXIT_TIMING_NR_CLASSES ? "class" : "reason";
}

static const char *ket_row_name(const struct ket_reason_table *t,
				unsigned int row)
{
	if (row < KVM_EXIT_TIMING_NR_CLASSES)
		return ket_class_names[row];
	return t->name[row - KVM_EXIT_TIMING_NR_CLASSES];
}

/*
 * Fills the header, id and descriptors of a zeroed buffer of
 * l->data_offset bytes.  -ENAMETOOLONG if a name does not fit KVM_EXIT_TIMING_STATS_NAME_SIZE.
 */
int ket_stats_write_meta(const struct ket_stats_layout *l,
			 const struct ket_reason_table *t, const char *id,
			 void *buf)
{
	struct kvm_stats_header *h = buf;
	struct kvm_stats_desc *d;
	unsigned int i, row, s;
	u32 offset;
	int n;

	h->flags = 0;
	h->name_size = KVM_EXIT_TIMING_STATS_NAME_SIZE;
	h->num_desc = l->num_desc;
	h->id_offset = l->id_offset;
	h->desc_offset = l->desc_offset;
	h->data_offset = l->data_offset;
	n = snprintf((char *)buf + l->id_offset, KVM_EXIT_TIMING_STATS_NAME_SIZE, "%s", id);
	if (n >= KVM_EXIT_TIMING_STATS_NAME_SIZE)
		return -ENAMETOOLONG;

	for (i = 0; i < KET_NR_SCOPE_STATS; i++) {
		d = ket_desc(l, buf, i);
		d->flags = ket_scope_stats[i].flags;
		d->size = 1;
		d->offset = i * sizeof(u64);
		snprintf(d->name, KVM_EXIT_TIMING_STATS_NAME_SIZE, "%s",
			 ket_scope_stats[i].name);
	}
	offset = KET_NR_SCOPE_STATS * sizeof(u64);
	for (row = 0; row < l->nr_rows; row++) {
		for (s = 0; s < KET_NR_ROW_STATS; s++) {
			d = ket_desc(l, buf, i++);
			d->flags = ket_row_stats[s].flags;
			d->exponent = ket_row_stats[s].exponent;
			d->size = ket_row_stats[s].size;
			d->offset = offset;
			d->bucket_size = 0;
			n = snprintf(d->name, KVM_EXIT_TIMING_STATS_NAME_SIZE, "%s_%s_%s",
				     ket_row_kind(row), ket_row_name(t, row),
				     ket_row_stats[s].suffix);
			if (n >= KVM_EXIT_TIMING_STATS_NAME_SIZE)
				return -ENAMETOOLONG;
			offset += d->size * sizeof(u64);
		}
	}
	return 0;
}

static u64 ket_clamp(__uint128_t v)
{
	return v > U64_MAX ? U64_MAX : (u64)v;
}

/* Fills the data block (l->data_size bytes) from per-row aggregates. */
void ket_stats_write_data(const struct ket_stats_layout *l, u64 *data,
			  const struct ket_agg *aggs,
			  const struct ket_stats_totals *tot)
{
	unsigned int row, b;

	data[KET_STAT_VCPUS] = tot->vcpus;
	data[KET_STAT_ENTRIES] = tot->entries;
	data[KET_STAT_EXITS] = tot->exits;
	data[KET_STAT_UNTIMED] = tot->untimed;
	data[KET_STAT_UNACCOUNTED] = tot->unaccounted;
	data[KET_STAT_ANOMALIES] = tot->anomalies;
	data += KET_NR_SCOPE_STATS;
	for (row = 0; row < l->nr_rows; row++, data += KET_ROW_WORDS) {
		const struct ket_agg *a = &aggs[row];

		data[0] = ket_clamp(a->count);
		data[1] = ket_clamp(a->sum);
		data[2] = a->count ? a->min : 0;
		data[3] = a->max;
		data[4] = (u64)a->sumsq;
		data[5] = (u64)(a->sumsq >> 64);
		for (b = 0; b < KET_HIST_BUCKETS; b++)
			data[6 + b] = ket_clamp(a->hist[b]);
	}
}
