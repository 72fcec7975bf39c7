/* SPDX-License-Identifier: GPL-2.0 */
/* The Prometheus text exposition format (ket_prom.c). */
#ifndef KET_PROM_H
#define KET_PROM_H

#include <stdio.h>
#include <time.h>

#include "ket_output.h"

/*
 * Every family, each over the @n scopes @s (VMs, or vCPUs) labelled @l,
 * then kvm_exit_timing_up 1 and the time @when they were read.
 */
void ket_prom(FILE *f, struct ket_scope_stats *const *s,
	      const struct ket_label *l, unsigned int n, time_t when);
/* kvm_exit_timing_up @up and the time @when of the attempt alone. */
void ket_prom_status(FILE *f, int up, time_t when);

#endif
