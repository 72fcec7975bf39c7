// SPDX-License-Identifier: GPL-2.0
/*
 * ket_peer.bpf.c: the "strongest peer" of kvm_exit_timing for `make bench`.
 *
 * What a careful engineer would write today instead of the module: a
 * compiled libbpf CO-RE program on KVM's kvm_exit and kvm_entry BTF
 * tracepoints that keeps, per vCPU and per exit reason, what the module
 * keeps: count, sum, min and max of the handling time (kvm_exit -> the
 * next kvm_entry of the same vCPU, bpf_ktime_get_ns()), the sum of its
 * squares (128 bits) and a 64-bucket log2 histogram (bucket = fls64(ns),
 * KVM's LOG_HIST convention).  No printk, no ring buffer, no loop.
 *
 * Hot path:
 *   kvm_exit:  one task-storage lookup (the vCPU is a thread: the exit in
 *              flight lives in the thread's storage), one compare against
 *              the vCPU the thread ran last, the exit code read through
 *              CO-RE (SVM: two probe reads, svm->vmcb then
 *              vmcb->control.exit_code; VMX: one, vmx->exit_reason.full),
 *              its row computed without a table, then the clock.
 *   kvm_entry: the clock, one task-storage lookup, one array lookup (the
 *              verifier inlines it: an add and a bounds check), then the
 *              row's updates.  No atomics: a vCPU runs on one thread at a
 *              time and its rows are its own.
 * A thread that runs a vCPU for the first time (or another vCPU than
 * last time) takes the slow path: a hash lookup vCPU -> slot, and a new
 * slot if the vCPU is new.
 *
 * Vendors: one object serves both.  kvm_exit is `kvm_exit(struct kvm_vcpu
 * *vcpu, u32 isa)` (isa 1 = VMX, 2 = SVM); struct vcpu_svm (kvm_amd's BTF)
 * and struct vcpu_vmx (kvm_intel's) both begin with the struct kvm_vcpu
 * the tracepoint passes.  Their local definitions below carry only the
 * fields read, with preserve_access_index: libbpf relocates the offsets
 * at load time against the running kernel's BTF (vmlinux, then module
 * BTF when vmlinux has no candidate), and bpf_core_type_exists() removes
 * the branch of the vendor that is absent.  The ___ket suffix keeps them
 * apart from vmlinux.h's types; CO-RE ignores it.
 *
 * SVM on 6.1 fires kvm_entry without kvm_exit on fastpath re-entries:
 * an entry with no exit in flight counts nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ket_peer.h"

char LICENSE[] SEC("license") = "GPL";

#define KET_ISA_VMX 1
#define KET_ISA_SVM 2

struct kvm___ket;

struct kvm_vcpu___ket {
	struct kvm___ket *kvm;
	int vcpu_id;
	int vcpu_idx;
} __attribute__((preserve_access_index));

/* arch/x86/include/asm/svm.h: u32 on 6.1 (exit_code_hi follows). */
struct vmcb_control_area___ket {
	__u32 exit_code;
} __attribute__((preserve_access_index));

struct vmcb___ket {
	struct vmcb_control_area___ket control;
} __attribute__((preserve_access_index));

/* arch/x86/kvm/svm/svm.h */
struct vcpu_svm___ket {
	struct kvm_vcpu___ket vcpu;
	struct vmcb___ket *vmcb;
} __attribute__((preserve_access_index));

/* arch/x86/kvm/vmx/vmx.h */
union vmx_exit_reason___ket {
	__u32 full;
} __attribute__((preserve_access_index));

struct vcpu_vmx___ket {
	struct kvm_vcpu___ket vcpu;
	union vmx_exit_reason___ket exit_reason;
} __attribute__((preserve_access_index));

/* Since 6.16 the exit reason is in the struct vcpu_vt shared with TDX. */
struct vcpu_vt___ket {
	union vmx_exit_reason___ket exit_reason;
} __attribute__((preserve_access_index));

struct vcpu_vmx___vt {
	struct kvm_vcpu___ket vcpu;
	struct vcpu_vt___ket vt;
} __attribute__((preserve_access_index));

/* The exit in flight, in the vCPU thread's storage. */
struct ket_inflight {
	__u64 ts;	/* kvm_exit's clock; 0: no exit in flight */
	__u64 vcpu;	/* the vCPU this thread ran last */
	__u32 base;	/* its slot * KET_ROWS, or KET_NO_SLOT */
	__u32 idx;	/* base + row of the exit in flight */
	__u32 code;	/* its code */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ket_inflight);
} inflight SEC(".maps");

/* max_entries are the loader's: --max-vcpus times KET_ROWS, etc. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KET_DEFAULT_VCPUS * KET_ROWS);
	__type(key, __u32);
	__type(value, struct ket_row);
} rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KET_DEFAULT_VCPUS);
	__type(key, __u64);		/* struct kvm_vcpu * */
	__type(value, __u32);		/* slot */
} vcpu_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KET_DEFAULT_VCPUS);
	__type(key, __u32);
	__type(value, struct ket_vcpu_info);
} vcpus SEC(".maps");

const volatile __u32 max_vcpus = KET_DEFAULT_VCPUS;

__u32 nr_slots;		/* slots handed out (may pass max_vcpus) */
__u64 dropped_vcpus;	/* vCPUs seen beyond max_vcpus */
__u32 isa_seen;		/* the last kvm_exit's isa argument */

/*
 * fls64() without a loop or a branch: six halving steps, each
 * s = ((x >> k) + 2^k - 1) >> k, which is 1 iff x >= 2^k (x < 2^2k there).
 */
static __always_inline __u64 ket_fls64(__u64 x)
{
	__u64 n, s;

	s = ((x >> 32) + 0xffffffffULL) >> 32;
	s <<= 5; x >>= s; n = s;
	s = ((x >> 16) + 0xffff) >> 16;
	s <<= 4; x >>= s; n += s;
	s = ((x >> 8) + 0xff) >> 8;
	s <<= 3; x >>= s; n += s;
	s = ((x >> 4) + 0xf) >> 4;
	s <<= 2; x >>= s; n += s;
	s = ((x >> 2) + 0x3) >> 2;
	s <<= 1; x >>= s; n += s;
	s = ((x >> 1) + 0x1) >> 1;
	x >>= s; n += s;
	return n + x;		/* x is 0 or 1 here */
}

/* fls64 clamped to the top bucket (64 -> 63), and bounded for the verifier. */
static __always_inline __u32 ket_bucket(__u64 ns)
{
	__u64 b = ket_fls64(ns);

	return (b - (b >> 6)) & (KET_HIST_BUCKETS - 1);
}

static __always_inline __u32 ket_svm_row(__u32 code)
{
	if (code < 0x100)
		return code;
	if (code - 0x400 < KET_NR_HI)
		return KET_ROW_HI + code - 0x400;
	if (code == 0xffffffffU)	/* SVM_EXIT_ERR */
		return KET_ROW_FAIL;
	return KET_ROW_OTHER;
}

/*
 * A thread runs a vCPU it did not run last: find the vCPU's slot, or give
 * it one.  A slot whose tgid or VM differs belongs to a vCPU that was
 * freed: its address was reused, the new vCPU gets a new slot.
 */
static __always_inline void ket_new_vcpu(struct ket_inflight *s,
					 struct kvm_vcpu___ket *vcpu)
{
	__u64 key = (__u64)vcpu;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 kvm = (__u64)BPF_CORE_READ(vcpu, kvm);
	struct ket_vcpu_info *info;
	__u32 *slot, n;

	s->vcpu = key;
	slot = bpf_map_lookup_elem(&vcpu_slot, &key);
	if (slot) {
		n = *slot;
		info = bpf_map_lookup_elem(&vcpus, &n);
		if (info && info->tgid == pid_tgid >> 32 && info->kvm == kvm) {
			s->base = n * KET_ROWS;
			return;
		}
	}
	n = __sync_fetch_and_add(&nr_slots, 1);
	info = bpf_map_lookup_elem(&vcpus, &n);
	if (n >= max_vcpus || !info) {
		__sync_fetch_and_add(&dropped_vcpus, 1);
		s->base = KET_NO_SLOT;
		return;
	}
	info->vcpu = key;
	info->kvm = kvm;
	info->tgid = pid_tgid >> 32;
	info->tid = (__u32)pid_tgid;
	info->vcpu_id = BPF_CORE_READ(vcpu, vcpu_id);
	info->vcpu_idx = BPF_CORE_READ(vcpu, vcpu_idx);
	bpf_map_update_elem(&vcpu_slot, &key, &n, BPF_ANY);
	s->base = n * KET_ROWS;
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(ket_exit, struct kvm_vcpu___ket *vcpu, __u32 isa)
{
	struct ket_inflight *s;
	__u32 code = KET_CODE_UNREAD, row = KET_ROW_OTHER;

	s = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	if (s->vcpu != (__u64)vcpu) {
		ket_new_vcpu(s, vcpu);
		isa_seen = isa;
	}

	if (bpf_core_type_exists(struct vcpu_svm___ket) && isa == KET_ISA_SVM) {
		struct vcpu_svm___ket *svm = (void *)vcpu -
			bpf_core_field_offset(struct vcpu_svm___ket, vcpu);

		code = BPF_CORE_READ(svm, vmcb, control.exit_code);
		row = ket_svm_row(code);
	} else if (bpf_core_type_exists(struct vcpu_vmx___ket) &&
		   isa == KET_ISA_VMX) {
		struct vcpu_vmx___ket *vmx = (void *)vcpu -
			bpf_core_field_offset(struct vcpu_vmx___ket, vcpu);
		__u32 full;

		if (bpf_core_field_exists(struct vcpu_vmx___ket, exit_reason))
			full = BPF_CORE_READ(vmx, exit_reason.full);
		else
			full = BPF_CORE_READ((struct vcpu_vmx___vt *)vmx,
					     vt.exit_reason.full);

		/*
		 * Bits 15:0 the basic reason; bit 31, a failed VM entry, its
		 * own row; the other flags (bus lock, enclave...) ignored.
		 */
		if (full & 0x80000000U) {
			code = full;
			row = KET_ROW_FAIL;
		} else {
			code = full & 0xffff;
			row = code < 0x100 ? code : KET_ROW_OTHER;
		}
	}

	s->idx = s->base + row;
	s->code = code;
	s->ts = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/kvm_entry")
int BPF_PROG(ket_entry)
{
	__u64 now = bpf_ktime_get_ns();
	struct ket_inflight *s;
	struct ket_row *r;
	__u64 d, sq_lo, sq_hi;

	s = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!s || !s->ts)
		return 0;
	d = now - s->ts;
	s->ts = 0;
	r = bpf_map_lookup_elem(&rows, &s->idx);
	if (!r)
		return 0;		/* a vCPU beyond --max-vcpus */

	if (r->count == 0) {
		r->code = s->code;
		r->min = d;
	} else if (d < r->min) {
		r->min = d;
	}
	if (d > r->max)
		r->max = d;
	r->count++;
	r->sum += d;

	if (!(d >> 32)) {
		sq_lo = d * d;
		sq_hi = 0;
	} else {
		/* d = h 2^32 + l: d^2 = h^2 2^64 + 2hl 2^32 + l^2 */
		__u64 h = d >> 32, l = d & 0xffffffffULL, m = h * l;

		sq_lo = l * l + (m << 33);
		sq_hi = h * h + (m >> 31) + (sq_lo < (m << 33));
	}
	r->sumsq_lo += sq_lo;
	r->sumsq_hi += sq_hi + (r->sumsq_lo < sq_lo);

	r->hist[ket_bucket(d)]++;
	return 0;
}
