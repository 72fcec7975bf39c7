/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record: each interval's exits as one JSON line (format in
 * kvm-exit-timing.1, "RECORDINGS"), for plot and for scripts.
 */
#ifndef KET_RECORD_H
#define KET_RECORD_H

#include <stddef.h>

#include "ket_select.h"

/* The "version" of each line; a reader refuses others. */
#define KET_RECORD_VERSION 1

struct ket_record_opts {
	struct ket_selector sel;	/* no exited VMs at the start */
	double interval;		/* seconds */
	long iterations;		/* 0: until SIGTERM or SIGINT */
	int exit_with_vm;		/* with sel.vm: stop once it exits */
	const char *output;		/* appended to; NULL: stdout */
};

/* Runs until done; returns 0 or -errno with the reason in @err. */
int ket_record(const struct ket_record_opts *o, char *err, size_t esz);

#endif
