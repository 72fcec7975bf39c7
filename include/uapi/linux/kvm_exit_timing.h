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

#include <linux/ioctl.h>
#include <linux/types.h>

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

/*
 * Binary statistics: a file in KVM's binary stats format (struct
 * kvm_stats_header and struct kvm_stats_desc of <linux/kvm.h>, as
 * KVM_GET_STATS_FD returns).  Per row (each class, then each exit reason
 * of the host's vendor) six descriptors, named
 * "class_<CLASS>_<stat>" or "reason_<reason>_<stat>":
 *
 *   _count      CUMULATIVE, NONE             exits (guest runs for TIMEINGUEST)
 *   _time_ns    CUMULATIVE, SECONDS, 10^-9   sum of durations
 *   _min_ns     INSTANT,    SECONDS, 10^-9   shortest; 0 while _count is 0
 *   _max_ns     PEAK,       SECONDS, 10^-9   longest
 *   _sumsq_ns2  CUMULATIVE, NONE, size 2     sum of squared ns, 128 bits:
 *                                            [0] low, [1] high 64 bits
 *   _hist_ns    LOG_HIST,   SECONDS, 10^-9   KVM_EXIT_TIMING_HIST_BUCKETS
 *
 * preceded by the scope's own counters: "vcpus" (INSTANT), "entries",
 * "exits", "exits_untimed", "exits_unaccounted", "anomalies".  The id
 * string is "kvm-<pid>/exit_timing" or "kvm-<pid>/vcpu-<id>/exit_timing".
 * Documentation/kvm_exit_timing.rst, "Binary statistics", has the rest.
 *
 * Such a file is opened as exit_timing.stats in a VM's or vCPU's debugfs
 * directory, or obtained from the /dev/kvm_exit_timing ioctls below.
 */
#define KVM_EXIT_TIMING_DEVICE		"/dev/kvm_exit_timing"

/* The header's name_size: the id's and each descriptor's name room. */
#define KVM_EXIT_TIMING_STATS_NAME_SIZE	48

/* struct kvm_exit_timing_vm.flags */
#define KVM_EXIT_TIMING_VM_EXITED	0x1	/* final tables */

#define KVM_EXIT_TIMING_VM_NAME_SIZE	48

/* One VM being timed, or an exited one whose tables are kept. */
struct kvm_exit_timing_vm {
	__u64 id;		/* never reused while the module is loaded */
	__s32 pid;		/* in the caller's pid namespace; 0 if none */
	__u32 flags;		/* KVM_EXIT_TIMING_VM_* */
	__u32 nr_vcpus;
	__u32 pad;		/* 0 */
	char name[KVM_EXIT_TIMING_VM_NAME_SIZE]; /* KVM's "<pid>-<fd>" */
};

/*
 * Who may do what: Documentation/kvm_exit_timing.rst, "Where the fd
 * comes from".  In short, a VM is named by the caller's fd of it
 * (@vm_fd), which anyone holding one may do, or by its id (@vm_fd
 * KVM_EXIT_TIMING_BY_ID), which takes a device fd opened with CAP_PERFMON
 * or CAP_SYS_ADMIN, as KVM_EXIT_TIMING_LIST_VMS does.  RESET and FORGET
 * take a device fd open for writing, and to name a VM by id one opened
 * with CAP_SYS_ADMIN.
 */

/*
 * KVM_EXIT_TIMING_LIST_VMS: @nr in, the room at @vms; out, the number of
 * VMs.  If that is more than the room, the call fails with E2BIG and
 * copies nothing but @nr.
 */
struct kvm_exit_timing_vm_list {
	__u32 nr;
	__u32 flags;		/* 0 */
	__u64 vms;		/* struct kvm_exit_timing_vm[nr] */
};

/* @vm_fd: the VM is named by @vm_id. */
#define KVM_EXIT_TIMING_BY_ID		(-1)
/* @vcpu_id: the whole VM. */
#define KVM_EXIT_TIMING_VM_SCOPE	(-1)

/* A VM, by fd or id, or one of its vCPUs. */
struct kvm_exit_timing_scope {
	__u64 vm_id;		/* with @vm_fd KVM_EXIT_TIMING_BY_ID; else 0 */
	__s32 vm_fd;		/* the caller's fd of the VM (KVM_CREATE_VM) */
	__s32 vcpu_id;		/* or KVM_EXIT_TIMING_VM_SCOPE */
	__u32 flags;		/* 0 */
	__u32 pad;		/* 0 */
};

/*
 * KVM_EXIT_TIMING_LIST_VCPUS: the vCPU ids of the VM @vm names (its
 * @vcpu_id KVM_EXIT_TIMING_VM_SCOPE), like LIST_VMS.
 */
struct kvm_exit_timing_vcpu_list {
	struct kvm_exit_timing_scope vm;
	__u32 nr;
	__u32 pad;		/* 0 */
	__u64 ids;		/* __u32[nr] */
};

/* Not 0xB8, which is <linux/mshv.h>'s. */
#define KVM_EXIT_TIMING_IO	0xC4

/* Returns 0. */
#define KVM_EXIT_TIMING_LIST_VMS \
	_IOWR(KVM_EXIT_TIMING_IO, 0x00, struct kvm_exit_timing_vm_list)
#define KVM_EXIT_TIMING_LIST_VCPUS \
	_IOWR(KVM_EXIT_TIMING_IO, 0x01, struct kvm_exit_timing_vcpu_list)
/* Returns a new read-only binary statistics fd (O_CLOEXEC). */
#define KVM_EXIT_TIMING_GET_STATS_FD \
	_IOW(KVM_EXIT_TIMING_IO, 0x02, struct kvm_exit_timing_scope)
/* Zeroes the scope's statistics, as writing "c" to its tables does. */
#define KVM_EXIT_TIMING_RESET \
	_IOW(KVM_EXIT_TIMING_IO, 0x03, struct kvm_exit_timing_scope)
/*
 * The VM's tables (@vcpu_id KVM_EXIT_TIMING_VM_SCOPE) are not kept once
 * it exits; if it has, they are dropped now.  Stats fds open on it keep
 * reading them.  Takes what RESET takes.
 */
#define KVM_EXIT_TIMING_FORGET \
	_IOW(KVM_EXIT_TIMING_IO, 0x04, struct kvm_exit_timing_scope)

#endif /* _UAPI_LINUX_KVM_EXIT_TIMING_H */
