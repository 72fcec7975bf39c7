/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text rendering of the debugfs tables (Documentation/kvm_exit_timing.rst,
 * "debugfs files").  Plain C: the host unit tests check it byte for byte.
 */
#ifndef KET_FORMAT_H
#define KET_FORMAT_H

#include "ket_agg.h"

/* A growing text buffer; @overflow is set when @cap was too small. */
struct ket_buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

__printf(2, 3) void ket_buf_printf(struct ket_buf *b, const char *fmt, ...);

struct ket_table_row {
	const char *name;
	const struct ket_agg *agg;
};

/* What one vCPU is doing now, for the lines that end exit_timing. */
enum ket_phase {
	KET_PHASE_NEW,		/* attached, no guest entry seen yet */
	KET_PHASE_IN_GUEST,
	KET_PHASE_IN_EXIT,
	KET_PHASE_GONE,		/* the VM has exited */
	/*
	 * struct ket_acct's only, shown as KET_PHASE_IN_EXIT: in an exit
	 * whose class the next entry resolves (ket_acct_exit_phase(),
	 * ket_acct_resolve_stamp()).
	 */
	KET_PHASE_IN_EXIT_RESOLVE,
};

struct ket_vcpu_now {
	unsigned int id;
	enum ket_phase phase;
	const char *reason;	/* for KET_PHASE_IN_EXIT */
	const char *class_name;
	u64 for_ns;
	u64 entries;
	u64 exits;
	u64 anomalies;
	u64 untimed;
	u64 unaccounted;
};

void ket_format_table(struct ket_buf *b, const struct ket_table_row *rows,
		      unsigned int n);
void ket_format_hist(struct ket_buf *b, const struct ket_table_row *rows,
		     unsigned int n);
void ket_format_vcpu_now(struct ket_buf *b, const struct ket_vcpu_now *now);
int ket_format_duration(char *buf, size_t size, u64 ns);

#endif /* KET_FORMAT_H */
