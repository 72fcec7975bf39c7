/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ket_peer: the layout shared by the BPF program (ket_peer.bpf.c) and its
 * loader (ket_peer.c).  ket_peer is the "strongest peer" `make bench`
 * compares kvm_exit_timing against: what a careful engineer would write
 * today instead of the module, a libbpf CO-RE program on KVM's kvm_exit
 * and kvm_entry BTF tracepoints keeping, per vCPU and per exit reason,
 * what the module keeps (count, sum, min, max, sum of squares and a log2
 * histogram of the handling time, kvm_exit -> next kvm_entry).
 *
 * Rows: the statistics are one BPF array of KET_ROWS rows per vCPU slot,
 * element slot * KET_ROWS + row.  The row of an exit code is:
 *   codes 0x000-0x0ff (SVM codes, VMX basic reasons)  -> the code itself
 *   codes 0x400-0x41f (SVM NPF, AVIC, VMGEXIT)         -> 0x100 + code - 0x400
 *   SVM_EXIT_ERR (-1), or a VMX exit reason with bit 31 (failed VM entry)
 *                                                      -> KET_ROW_FAIL
 *   anything else (and exits whose code could not be read) -> KET_ROW_OTHER
 * Each row also records the code of its first exit, so that the loader
 * can print the real code of the last two rows.
 */
#ifndef KET_PEER_H
#define KET_PEER_H

#define KET_ROW_HI	0x100
#define KET_NR_HI	0x20
#define KET_ROW_FAIL	(KET_ROW_HI + KET_NR_HI)
#define KET_ROW_OTHER	(KET_ROW_FAIL + 1)
#define KET_ROWS	(KET_ROW_OTHER + 1)

/* Code recorded for an exit whose code the program could not read. */
#define KET_CODE_UNREAD	0xfffffffeU

/* Buckets: fls64(ns) (bucket 0 is 0 ns, bucket b is [2^(b-1), 2^b)). */
#define KET_HIST_BUCKETS 64

/* Slot of a vCPU beyond the --max-vcpus limit: its rows are not kept. */
#define KET_NO_SLOT	0x80000000U

#define KET_DEFAULT_VCPUS 8

struct ket_row {
	__u64 count;
	__u64 sum;
	__u64 min;
	__u64 max;
	__u64 sumsq_lo;		/* sum of ns^2, 128 bits */
	__u64 sumsq_hi;
	__u32 code;		/* code of the row's first exit */
	__u32 pad;
	__u64 hist[KET_HIST_BUCKETS];
};

/* Who a slot's vCPU is, written once when the slot is taken. */
struct ket_vcpu_info {
	__u64 vcpu;		/* struct kvm_vcpu *, its identity */
	__u64 kvm;		/* struct kvm *, the VM's */
	__u32 tgid;		/* the VMM process */
	__u32 tid;		/* the thread that first ran it */
	__s32 vcpu_id;
	__s32 vcpu_idx;
};

#endif /* KET_PEER_H */
