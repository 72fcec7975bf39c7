/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top: the exits of each interval, per class or reason and per VM, live
 * on a terminal, or as blocks or JSON lines when piped.
 */
#ifndef KET_TOP_H
#define KET_TOP_H

#include <stddef.h>

#include "ket_output.h"
#include "ket_select.h"

struct ket_top_opts {
	struct ket_selector sel;	/* no exited VMs at the start */
	int reasons;
	enum ket_sort sort;
	double interval;		/* seconds */
	long iterations;		/* 0: until q or a signal */
	int json;
	int exit_with_vm;		/* with sel.vm: stop once it exits */
};

/* Runs until done; returns 0 or -errno with the reason in @err. */
int ket_top(const struct ket_top_opts *o, char *err, size_t esz);

#endif
