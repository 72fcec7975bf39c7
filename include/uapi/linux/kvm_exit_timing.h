/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvm_exit_timing: per-vCPU timing of KVM guest exits.
 *
 * This header is the module's ABI with userspace: the class numbering and
 * names used by the debugfs tables and the binary statistics, and the
 * geometry of the latency histograms.  See
 * Documentation/kvm_exit_timing.rst for the file formats.
 */
#ifndef _UAPI_LINUX_KVM_EXIT_TIMING_H
#define _UAPI_LINUX_KVM_EXIT_TIMING_H

/*
 * Exit classes.  Every accounted exit lands in exactly one class;
 * KVM_EXIT_TIMING_TIMEINGUEST accounts the guest run that preceded it.
 * The values are stable: new classes are only ever added before
 * KVM_EXIT_TIMING_TIMEINGUEST, which stays last in tables.
 */
enum kvm_exit_timing_class {
	KVM_EXIT_TIMING_EMULINST,
	KVM_EXIT_TIMING_ITLBVIRT,
	KVM_EXIT_TIMING_DTLBVIRT,
	KVM_EXIT_TIMING_ITLBREAL,
	KVM_EXIT_TIMING_DTLBREAL,
	KVM_EXIT_TIMING_MMIO,
	KVM_EXIT_TIMING_PIO,
	KVM_EXIT_TIMING_DEC,
	KVM_EXIT_TIMING_EXTINT,
	KVM_EXIT_TIMING_HALT,
	KVM_EXIT_TIMING_HCALL,
	KVM_EXIT_TIMING_SIGNAL,
	KVM_EXIT_TIMING_APIC,
	KVM_EXIT_TIMING_SPIN,
	KVM_EXIT_TIMING_DEBUG,
	KVM_EXIT_TIMING_FP_UNAVAIL,
	KVM_EXIT_TIMING_EXCEPTION,
	KVM_EXIT_TIMING_NESTED,
	KVM_EXIT_TIMING_OTHER,
	KVM_EXIT_TIMING_TIMEINGUEST,
	KVM_EXIT_TIMING_NR_CLASSES,
};

/*
 * Class names, as the tables print them, are the enumerator names without
 * the KVM_EXIT_TIMING_ prefix: "EMULINST", ..., "TIMEINGUEST".
 */

/*
 * Latency histograms use KVM's LOG_HIST convention: bucket index is
 * fls64(ns), so bucket 0 holds 0 ns and bucket k (k >= 1) holds
 * [2^(k-1), 2^k) ns.  The last bucket is open-ended: it holds
 * 2^(KVM_EXIT_TIMING_HIST_BUCKETS - 2) ns (68.7 s) and beyond.
 */
#define KVM_EXIT_TIMING_HIST_BUCKETS	38

#endif /* _UAPI_LINUX_KVM_EXIT_TIMING_H */
