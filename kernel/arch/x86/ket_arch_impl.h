/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86's hot-path hooks (ket_arch.h lists them): static and always
 * inlined, so that the probes run them as their own code.
 */
#ifndef KET_ARCH_IMPL_H
#define KET_ARCH_IMPL_H

#include <linux/kvm_host.h>
#include <asm/msr.h>

/* kernel/Kbuild: before 6.6, SVM fires kvm_exit from svm_handle_exit(). */
#ifdef KET_SVM_LATE_KVM_EXIT
#define KET_SVM_LATE true
#else
#define KET_SVM_LATE false
#endif

/*
 * Exported by kvm.ko (EXPORT_TRACEPOINT_SYMBOL_GPL) and declared in its
 * private trace.h, which the kernel headers do not ship.
 */
extern struct tracepoint __tracepoint_kvm_entry;
extern struct tracepoint __tracepoint_kvm_exit;

/*
 * The timebase of every probe and reader: the TSC, synchronized across
 * CPUs on the hosts KVM runs on; converted to ns with ket_tb.
 */
static __always_inline u64 ket_now(void)
{
	return rdtsc();
}

/* The time for readers, off the probes: the same TSC. */
static inline u64 ket_now_reader(void)
{
	return ket_now();
}

/*
 * ket_now() as RDTSC leaves it, in halves: the kvm_exit probe stores them
 * so (ket_acct_fast_exit_tsc()), one instruction fewer than joining them
 * first, and joins them only on the paths that need the value.
 */
static __always_inline struct ket_tsc ket_now_halves(void)
{
	struct ket_tsc t;

	asm volatile("rdtsc" : "=a"(t.lo), "=d"(t.hi));
	return t;
}

/*
 * Whether the vCPU was put (scheduled out, or back to userspace) since the
 * exit in progress: kvm_arch_vcpu_put() stamps last_host_tsc, in host TSC
 * as t_exit is, on every put (6.1 to 7.2).  A KVM_RUN that returns to
 * userspace puts the vCPU, so an entry that follows no put follows no
 * signal exit (signal_exits moved only then) and no change of TSC scaling
 * (a vCPU ioctl, between KVM_RUNs): the common entry need not look at
 * either.  A put counts even if it was not the vCPU thread's (another
 * thread's vCPU ioctl): the entry then just takes the longer path.  No
 * put runs while the probe does: both hold the vCPU's mutex (KVM_RUN's).
 */
static __always_inline bool ket_arch_put_since(const struct ket_vcpu *kv,
					       const struct kvm_vcpu *vcpu,
					       u64 t_exit)
{
	return vcpu->arch.last_host_tsc > t_exit;
}

/*
 * After a put: whether what the common entry does not look at moved since
 * the last entry: signal_exits, or (before 6.6) the TSC ratio, from the
 * one the fast paths run with (1.0 on SVM, see ket_svm_scaling(); the
 * last seen on VMX).
 */
static __always_inline bool ket_arch_put_moved(const struct ket_vcpu *kv,
					       const struct kvm_vcpu *vcpu)
{
	return vcpu->stat.signal_exits != kv->signal_exits ||
	       (KET_SVM_LATE &&
		vcpu->arch.l1_tsc_scaling_ratio != kv->tsc_fast_ratio);
}

static __always_inline void ket_arch_snap(struct ket_snap *s,
					  const struct kvm_vcpu *vcpu)
{
	s->hypercalls = vcpu->stat.hypercalls;
	s->insn_emulation = vcpu->stat.insn_emulation;
	s->mmio = vcpu->stat.mmio_exits + vcpu->stat.pf_mmio_spte_created;
	s->pf_guest = vcpu->stat.pf_guest;
}

#endif /* KET_ARCH_IMPL_H */
