// SPDX-License-Identifier: GPL-2.0
/*
 * The binary statistics parser.  It trusts nothing in the file: it is
 * fuzzed (fuzz_stats.c) under ASan and UBSan.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "ket_stats.h"

const char *const ket_counter_names[KET_NR_COUNTERS] = {
	"vcpus", "entries", "exits", "exits_untimed", "exits_unaccounted",
	"anomalies",
};

/* Row stat suffixes, in the order of struct ket_srow's off[]. */
static const struct {
	const char *suffix;
	uint32_t flags;
	uint16_t size;
} row_stats[6] = {
	{ "_count", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE, 1 },
	{ "_time_ns", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS, 1 },
	{ "_min_ns", KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_SECONDS, 1 },
	{ "_max_ns", KVM_STATS_TYPE_PEAK | KVM_STATS_UNIT_SECONDS, 1 },
	{ "_sumsq_ns2", KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE, 2 },
	{ "_hist_ns", KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS,
	  KET_BUCKETS },
};

static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Finds or adds the row @kind/@name; NULL if @name is too long. */
static struct ket_srow *row_get(struct ket_scope_stats *s, int is_class,
				const char *name, size_t len)
{
	struct ket_srow *r;
	unsigned int i;

	if (!len || len >= KET_NAME_SIZE)
		return NULL;
	for (i = 0; i < s->nr_rows; i++) {
		r = &s->rows[i];
		if (r->is_class == is_class && strlen(r->name) == len &&
		    !memcmp(r->name, name, len))
			return r;
	}
	r = &s->rows[s->nr_rows++];
	memset(r, 0, sizeof(*r));
	memcpy(r->name, name, len);
	r->is_class = is_class;
	for (i = 0; i < 6; i++)
		r->off[i] = UINT32_MAX;
	return r;
}

/* @d's fields, and its NUL-terminated @name. */
static int parse_desc(struct ket_scope_stats *s, const struct kvm_stats_desc *d,
		      const char *name, char *err, size_t esz)
{
	const char *body;
	size_t len = strnlen(name, KET_NAME_SIZE), sl;
	struct ket_srow *r;
	unsigned int i;
	int is_class;

	if (d->offset % 8)
		return fail(err, esz, "stat %.*s: unaligned offset %u",
			    (int)len, name, d->offset);
	if ((uint64_t)d->offset / 8 + d->size > s->data_words)
		return fail(err, esz, "stat %.*s: beyond the data block",
			    (int)len, name);
	for (i = 0; i < KET_NR_COUNTERS; i++)
		if (!strcmp(name, ket_counter_names[i])) {
			if (d->size != 1)
				return fail(err, esz, "stat %s: size %u",
					    name, d->size);
			s->counter_off[i] = d->offset / 8;
			return 0;
		}
	if (!strncmp(name, "class_", 6))
		is_class = 1;
	else if (!strncmp(name, "reason_", 7))
		is_class = 0;
	else
		return 0;	/* a stat this tool does not know: ignored */
	body = name + (is_class ? 6 : 7);
	for (i = 0; i < 6; i++) {
		sl = strlen(row_stats[i].suffix);
		if (len - (body - name) > sl &&
		    !strcmp(name + len - sl, row_stats[i].suffix))
			break;
	}
	if (i == 6)
		return 0;
	if (d->size != row_stats[i].size ||
	    (d->flags & (KVM_STATS_TYPE_MASK | KVM_STATS_UNIT_MASK)) !=
		    row_stats[i].flags)
		return fail(err, esz, "stat %s: unexpected size or type", name);
	r = row_get(s, is_class, body, len - (body - name) - sl);
	if (!r)
		return fail(err, esz, "stat %s: bad name", name);
	if (r->off[i] != UINT32_MAX)
		return fail(err, esz, "stat %s: duplicate", name);
	r->off[i] = d->offset / 8;
	return 0;
}

int ket_stats_parse(const void *buf, size_t len, struct ket_scope_stats *s,
		    char *err, size_t esz)
{
	const unsigned char *p = buf;
	struct kvm_stats_header hdr, *h = &hdr;
	size_t dsz, descs_end;
	unsigned int i, j;

	memset(s, 0, sizeof(*s));
	if (len < sizeof(hdr))
		return fail(err, esz, "truncated header (%zu bytes)", len);
	memcpy(&hdr, buf, sizeof(hdr));
	if (h->flags || h->name_size != KET_NAME_SIZE)
		return fail(err, esz, "not kvm_exit_timing statistics (flags %u, name_size %u)",
			    h->flags, h->name_size);
	dsz = sizeof(struct kvm_stats_desc) + h->name_size;
	descs_end = (size_t)h->desc_offset + (size_t)h->num_desc * dsz;
	if (h->id_offset < sizeof(*h) ||
	    (size_t)h->id_offset + h->name_size > len ||
	    h->desc_offset % 8 || h->data_offset % 8 || !h->num_desc ||
	    h->num_desc > 1 << 20 || descs_end > h->data_offset ||
	    h->desc_offset < (size_t)h->id_offset + h->name_size ||
	    h->data_offset > len)
		return fail(err, esz, "bad header offsets or truncated file");
	memcpy(s->id, p + h->id_offset, KET_NAME_SIZE);
	s->id[KET_NAME_SIZE - 1] = '\0';
	s->data_offset = h->data_offset;
	s->data_words = (len - h->data_offset) / 8;
	s->rows = calloc(h->num_desc, sizeof(*s->rows));
	if (!s->rows)
		return fail(err, esz, "out of memory");
	for (i = 0; i < KET_NR_COUNTERS; i++)
		s->counter_off[i] = UINT32_MAX;
	for (i = 0; i < h->num_desc; i++) {
		struct kvm_stats_desc d;
		char name[KET_NAME_SIZE];

		memcpy(&d, p + h->desc_offset + i * dsz, sizeof(d));
		memcpy(name, p + h->desc_offset + i * dsz + sizeof(d),
		       KET_NAME_SIZE);
		if (!memchr(name, '\0', KET_NAME_SIZE)) {
			ket_stats_free(s);
			return fail(err, esz, "descriptor %u: name not terminated", i);
		}
		if (parse_desc(s, &d, name, err, esz)) {
			ket_stats_free(s);
			return -1;
		}
	}
	for (i = 0; i < KET_NR_COUNTERS; i++)
		if (s->counter_off[i] == UINT32_MAX) {
			ket_stats_free(s);
			return fail(err, esz, "no stat %s", ket_counter_names[i]);
		}
	for (i = 0; i < s->nr_rows; i++)
		for (j = 0; j < 6; j++)
			if (s->rows[i].off[j] == UINT32_MAX) {
				fail(err, esz, "row %s lacks %s", s->rows[i].name,
				     row_stats[j].suffix);
				ket_stats_free(s);
				return -1;
			}
	ket_stats_fill(s, (const uint64_t *)(p + h->data_offset));
	return 0;
}

void ket_stats_fill(struct ket_scope_stats *s, const uint64_t *data)
{
	unsigned int i, b;

	for (i = 0; i < KET_NR_COUNTERS; i++)
		memcpy(&s->counters[i], &data[s->counter_off[i]], 8);
	for (i = 0; i < s->nr_rows; i++) {
		struct ket_srow *r = &s->rows[i];
		uint64_t w[2];

		memcpy(&r->count, &data[r->off[0]], 8);
		memcpy(&r->time, &data[r->off[1]], 8);
		memcpy(&r->min, &data[r->off[2]], 8);
		memcpy(&r->max, &data[r->off[3]], 8);
		memcpy(w, &data[r->off[4]], 16);
		r->sumsq = (unsigned __int128)w[1] << 64 | w[0];
		for (b = 0; b < KET_BUCKETS; b++)
			memcpy(&r->hist[b], &data[r->off[5] + b], 8);
	}
}

void ket_stats_free(struct ket_scope_stats *s)
{
	free(s->rows);
	s->rows = NULL;
	s->nr_rows = 0;
}
