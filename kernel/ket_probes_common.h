/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kvm_entry probe's path, common to the architectures: it ends the
 * exit in progress, charging the guest run to TIMEINGUEST and the exit's
 * handling to its class and reason (ket_acct.h).  Each architecture's
 * probes file (arch/<arch>/ket_probes.c) includes it, once, after its
 * kvm_exit path and before its probes, so that the entry path and the
 * exit path are one translation unit: their functions stay static, and
 * the compiler sees their calls whole (inlining, tail calls, and the
 * registers each callee leaves alone), as it did when they were one
 * file.  Nothing here may sleep, lock, allocate or divide.
 *
 * What it uses of the architecture (ket_arch.h has the list):
 * ket_now(), ket_arch_put_since(), ket_arch_put_moved() and
 * ket_arch_snap() from its ket_arch_impl.h, ket_arch_outcome() from its
 * ket_exits_arch.h, and, defined by the including file before it:
 *
 * ket_arch_entry_kv(kv, vcpu)
 *	what an entry that is not the common one looks at first;
 * ket_arch_reentry(kv, vcpu, now)
 *	an entry with no kvm_exit since the previous entry;
 * ket_arch_resolve_detail(kv, vcpu)
 *	what of the exit to resolve is read at its entry rather than at
 *	the exit, into kv->detail.
 */
#ifndef KET_PROBES_COMMON_H
#define KET_PROBES_COMMON_H

#include "ket.h"

/* Classes that depend on what KVM did with the exit, and L2's exits. */
static noinline unsigned int ket_resolve(struct ket_vcpu *kv,
					 const struct kvm_vcpu *vcpu)
{
	struct ket_snap now;
	struct ket_outcome o;

	if (kv->acct.kind.cls == KET_RESOLVE_NESTED)
		return KVM_EXIT_TIMING_NESTED;
	ket_arch_resolve_detail(kv, vcpu);
	ket_arch_snap(&now, vcpu);
	ket_arch_outcome(&o, &kv->snap, &now);
	return ket_resolve_class(&ket_reasons, kv->acct.kind.reason, &kv->detail,
				 &o);
}

/*
 * The class the exit in progress ended in.  KVM counts a signal exit
 * after kvm_exit, and none of its counters moves while the guest runs,
 * so signal_exits against its value at the last entry tells.
 */
static __always_inline unsigned int ket_final_class(struct ket_vcpu *kv,
						    const struct kvm_vcpu *vcpu)
{
	u64 signals = vcpu->stat.signal_exits;

	if (unlikely(signals != kv->signal_exits)) {
		kv->signal_exits = signals;
		return KVM_EXIT_TIMING_SIGNAL;
	}
	if (unlikely(ket_acct_needs_resolve(&kv->acct)))
		return ket_resolve(kv, vcpu);
	return kv->acct.kind.cls;
}

/* Entries that end no exit: the vCPU's first, and fastpath re-entries. */
static noinline void ket_entry_other(struct ket_vcpu *kv,
				     struct kvm_vcpu *vcpu, u64 now)
{
	if (kv->acct.phase == KET_PHASE_IN_GUEST) {
		ket_arch_reentry(kv, vcpu, now);
		return;
	}
	kv->signal_exits = vcpu->stat.signal_exits;
	ket_acct_first_entry(&kv->acct, now);
}

/* Every entry but the common one (see ket_entry()), of a vCPU found. */
static noinline void ket_entry_kv(struct ket_vcpu *kv, struct kvm_vcpu *vcpu,
				  u64 now)
{
	ket_arch_entry_kv(kv, vcpu);
	raw_write_seqcount_begin(&kv->seq);
	if (likely(ket_acct_in_exit(&kv->acct)))
		ket_acct_entry(&kv->acct, now, ket_final_class(kv, vcpu),
			       &ket_tb);
	else
		ket_entry_other(kv, vcpu, now);
	raw_write_seqcount_end(&kv->seq);
}

/*
 * An entry of a vCPU not in this CPU's cache.  @vcpu second, where the
 * probe has it, as ket_entry_uncommon() has: the probe then keeps it in
 * place.
 */
static noinline void ket_entry_slow(u64 now, struct kvm_vcpu *vcpu)
{
	struct ket_vcpu *kv = ket_vcpu_lookup(vcpu, true);

	if (unlikely(!kv)) {
		ket_vcpu_miss(vcpu, false);
		return;
	}
	ket_entry_kv(kv, vcpu, now);
}

/* An exit whose class depends on what KVM did with it (MMIO, NPF...). */
static noinline void ket_entry_resolve(struct ket_vcpu *kv,
				       struct kvm_vcpu *vcpu, u64 now)
{
	raw_write_seqcount_begin(&kv->seq);
	ket_acct_entry(&kv->acct, now, ket_resolve(kv, vcpu), &ket_tb);
	raw_write_seqcount_end(&kv->seq);
}

/*
 * Whether the entry ending the exit stamped at @t_exit must look further
 * than the common entry.
 */
static __always_inline bool ket_entry_disturbed(const struct ket_vcpu *kv,
						const struct kvm_vcpu *vcpu,
						u64 t_exit)
{
	return ket_arch_put_since(kv, vcpu, t_exit) &&
	       ket_arch_put_moved(kv, vcpu);
}

/*
 * An exit of a final class whose guest run or handling is not short
 * (ket_acct_short()): 4.3 s or more, or negative.
 */
static noinline void ket_entry_long(struct ket_vcpu *kv, u64 now)
{
	raw_write_seqcount_begin(&kv->seq);
	ket_acct_entry(&kv->acct, now, kv->acct.kind.cls, &ket_tb);
	raw_write_seqcount_end(&kv->seq);
}

/*
 * An exit of a final class, stamped at @t_exit, ends at @now.  Long
 * intervals are handed on before the write section, as a tail call, so
 * that their 128-bit products take no register from this path.
 */
static __always_inline void ket_entry_final(struct ket_vcpu *kv, u64 t_exit,
					    u64 now)
{
	u64 run = t_exit - kv->acct.t_entry, d = now - t_exit;

	if (unlikely(!ket_acct_short(run, d, &ket_tb))) {
		ket_entry_long(kv, now);
		return;
	}
	raw_write_seqcount_begin(&kv->seq);
	ket_acct_end_short(&kv->acct, run, d, now, kv->acct.kind.cls, &ket_tb);
	raw_write_seqcount_end(&kv->seq);
}

/*
 * The entry after a put (an exit to userspace, or the vCPU rescheduled)
 * ending an exit of a final class: that of the common entry, unless
 * something else moved.  Apart, so that the common entry's tests take no
 * register of their own.
 */
static noinline void ket_entry_put(struct ket_vcpu *kv, struct kvm_vcpu *vcpu,
				   u64 now)
{
	if (unlikely(ket_arch_put_moved(kv, vcpu)))
		ket_entry_kv(kv, vcpu, now);
	else
		ket_entry_final(kv, kv->acct.t_exit, now);
}

/*
 * An entry of a vCPU found in this CPU's cache that ends no exit of a
 * final class (one to resolve, or none: a first entry, a re-entry):
 * apart, so that the common entry tests the phase once.
 */
static noinline void ket_entry_uncommon(struct ket_vcpu *kv,
					struct kvm_vcpu *vcpu, u64 now)
{
	if (ket_acct_needs_resolve(&kv->acct) &&
	    !ket_entry_disturbed(kv, vcpu, kv->acct.t_exit))
		ket_entry_resolve(kv, vcpu, now);
	else
		ket_entry_kv(kv, vcpu, now);
}

/*
 * The common entry: the vCPU found in this CPU's cache (so no reset
 * pending: see ket_vcpu_lookup()), an exit of a final class in progress
 * (KET_PHASE_IN_EXIT), no put since (so no signal, and the same TSC
 * ratio).  It calls nothing, so that it saves no register; anything else
 * is handed on, as a tail call.  @now: the timebase, as the probe read it
 * (ket_entry()).
 */
static __always_inline void ket_entry_at(struct kvm_vcpu *vcpu, u64 now)
{
	struct ket_vcpu *kv;
	u64 t_exit;

	kv = this_cpu_read(ket_cpu_kv);
	if (unlikely(kv->vcpu != vcpu)) {
		ket_entry_slow(now, vcpu);
		return;
	}
	t_exit = kv->acct.t_exit;
	if (unlikely(kv->acct.phase != KET_PHASE_IN_EXIT)) {
		ket_entry_uncommon(kv, vcpu, now);
		return;
	}
	if (unlikely(ket_arch_put_since(kv, vcpu, t_exit))) {
		ket_entry_put(kv, vcpu, now);
		return;
	}
	ket_entry_final(kv, t_exit, now);
}

/* The entry of @vcpu, at ket_now(). */
static __always_inline void ket_entry(struct kvm_vcpu *vcpu)
{
	ket_entry_at(vcpu, ket_now());
}

/*
 * Called by the vCPU thread inside its write section, when a probe looks
 * the vCPU up (ket_vcpu_lookup()), or by a reader once the vCPU is gone.
 */
void ket_apply_reset(struct ket_vcpu *kv)
{
	int req = atomic_read(&kv->reset_req);

	if (likely(req == kv->reset_done))
		return;
	ket_acct_reset(&kv->acct, ket_reasons.nr);
	atomic64_set(&kv->unaccounted, 0);
	WRITE_ONCE(kv->reset_done, req);
}

#endif /* KET_PROBES_COMMON_H */
