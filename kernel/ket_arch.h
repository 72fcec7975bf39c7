/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each architecture gives the common code: the seam between
 * kernel/ and kernel/arch/<arch>/, as the kvm_arch_*() functions are
 * KVM's.  ket.h includes it once struct ket_vcpu is defined.
 *
 * The probes' hot paths call only static __always_inline functions of the
 * architecture, from arch/<arch>/ket_arch_impl.h, so that no call and no
 * function pointer comes between them and the architecture:
 *
 * u64 ket_now(void)
 *	The timebase of every probe and reader: a 64-bit counter that is
 *	synchronised across CPUs and runs at a constant rate, converted to
 *	ns with ket_tb (x86: the TSC; arm64: CNTPCT_EL0).
 * bool ket_arch_put_since(kv, vcpu, t_exit)
 *	At an entry ending the exit stamped at @t_exit: whether anything
 *	the common entry does not look at (a signal, x86's TSC ratio) may
 *	have moved since; cheap, and may say yes for nothing.
 * bool ket_arch_put_moved(kv, vcpu)
 *	Once it said yes: whether something did move.
 * void ket_arch_snap(struct ket_snap *s, const struct kvm_vcpu *vcpu)
 *	KVM's counters that resolving a class compares, read at the exit
 *	and at the next entry.
 *
 * Plain C, in arch/<arch>/ket_exits_arch.h, so that the host unit tests
 * build it: enum ket_vendor, the architecture's KET_RESOLVE_* classes,
 * struct ket_exit_detail, struct ket_snap, struct ket_outcome and
 * ket_arch_outcome() (which counters moved between two snaps).
 *
 * Static in arch/<arch>/ket_probes.c, defined before it includes the
 * common entry path (ket_probes_common.h has the list): the hooks of the
 * entry's slow paths that need the exit path's own state.
 *
 * Out of line, in arch/<arch>/: the rest, below, and the reason table,
 * ket_reason_table_init() and ket_resolve_class() (ket_exits.h).
 */
#ifndef KET_ARCH_H
#define KET_ARCH_H

#include "ket_arch_impl.h"

/*
 * At module init (ket_arch.c): which vendor's exits this host has, and
 * its timebase's conversion to ns; -ENODEV if none can be timed here.
 */
int ket_arch_init(enum ket_vendor *vendor, struct ket_timebase *tb);

/*
 * The status file's first lines: vendor, vendor_module, and what the
 * timebase is.
 */
void ket_arch_status(struct ket_buf *b);

/*
 * The module that holds KVM's code for @vendor (ket_vendor.c watches it
 * come and go), or NULL if KVM is built into the kernel.
 */
const char *ket_arch_vendor_name(enum ket_vendor vendor);

/*
 * ket_probes.c: attach the probes, exit probe first; detach them, exit
 * probe first, and wait until none runs; the kvm_entry prototype the
 * probe was built for, for the status file.
 */
int ket_probes_register(void);
void ket_probes_unregister(void);
const char *ket_probe_signature(void);

/*
 * Whether @vcpu's exit reasons cannot be read by the host; its exits are
 * then all "unknown", and it never enters the per-CPU cache.
 */
bool ket_vcpu_opaque(const struct kvm_vcpu *vcpu);

#endif /* KET_ARCH_H */
