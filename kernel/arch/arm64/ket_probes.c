// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's kvm_entry and kvm_exit probes: the only code that runs on every
 * exit.  They run in the vCPU thread with preemption disabled and must
 * not sleep, lock, allocate or divide.  The exit path is arm64's, here;
 * the entry path, which ends the exit, is common to the architectures
 * (ket_probes_common.h, included below).
 *
 * Where the probes fire (kvm_arch_vcpu_ioctl_run(), 6.1): kvm_entry
 * with interrupts and preemption off, just before the world switch;
 * kvm_exit after it, with interrupts back on but preemption still off,
 * and before KVM handles the exit (handle_exit_early(), handle_exit()).
 * Neither passes the vCPU: kvm_get_running_vcpu() gives it.
 */
#include <linux/kvm_host.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/kvm_emulate.h>
#include <kvm/arm_vgic.h>

#include "ket.h"

/*
 * What classifies an exit to resolve beyond its code, but KVM's
 * counters, is read at its entry: the vCPU's fault registers
 * (vcpu->arch.fault: syndrome, fault addresses) are written at EL2 only,
 * between kvm_entry and kvm_exit, and hold the exit's until the guest
 * runs again (KVM's own MMIO completion reads them at the next KVM_RUN);
 * the vGIC's regions are placed before the first run.  The exit of an
 * exit to resolve reads only what KVM changes while it handles the exit:
 * the MMIO counters (ket_arch_snap()), and whether an SError was
 * pending.  (The exit of a WFx or SYS64 trap reads the syndrome itself,
 * to tell whether it needs resolving at all: ket_exit_trap().)
 */
static __always_inline void ket_arch_resolve_detail(struct ket_vcpu *kv,
						    const struct kvm_vcpu *vcpu)
{
	struct ket_exit_detail *d = &kv->detail;

	d->esr = kvm_vcpu_get_esr(vcpu);
	if (ESR_ELx_EC(d->esr) != ESR_ELx_EC_DABT_LOW)
		return;
	/* HPFAR has the IPA's 4K page; the VA's offset in it is the IPA's. */
	d->ipa = kvm_vcpu_get_fault_ipa(vcpu) |
		 (kvm_vcpu_get_hfar(vcpu) & 0xfff);
	/*
	 * Without an in-kernel vGIC the bases were never set (0, not
	 * VGIC_ADDR_UNDEF): no address is the vGIC's.  A GICv2 has no
	 * redistributor (its rd_iodev stays 0).
	 */
	if (irqchip_in_kernel(vcpu->kvm)) {
		d->gicd_base = vcpu->kvm->arch.vgic.vgic_dist_base;
		d->gicr_base = vcpu->kvm->arch.vgic.vgic_model ==
					       KVM_DEV_TYPE_ARM_VGIC_V3 ?
				       vcpu->arch.vgic_cpu.rd_iodev.base_addr :
				       KET_A64_ADDR_UNDEF;
	} else {
		d->gicd_base = KET_A64_ADDR_UNDEF;
		d->gicr_base = KET_A64_ADDR_UNDEF;
	}
}

/*
 * The stamps of the traps whose exits do not all end in their reason's
 * class (WFx, SYS64, DABT_LOW), by exception class: see struct
 * ket_a64_trap_stamp.  Built before the probes are registered, read-only
 * after.
 */
static struct ket_a64_trap_stamp ket_a64_trap_stamps[KET_A64_TYPE] __read_mostly;

/*
 * Stamps an exit of @s's trap, of the running @vcpu, @kv's and in a timed
 * guest run, with no SError pending.  The syndrome of a WFx or SYS64
 * trap is KVM's copy of ESR_EL2, written at EL2 before kvm_exit fires
 * (the tracepoint's own esr_ec is read from it).  For what resolving the
 * others reads here and at the entry, see ket_arch_resolve_detail().
 */
static __always_inline void ket_exit_trap(struct ket_vcpu *kv,
					  const struct kvm_vcpu *vcpu, u64 now,
					  u64 code,
					  const struct ket_a64_trap_stamp *s)
{
	u64 stamp = ket_a64_trap_stamp(s, code, kvm_vcpu_get_esr(vcpu));

	if (stamp == s->home) {
		ket_acct_store_exit(&kv->acct, now, stamp);
		return;
	}
	kv->detail.serror = false;
	ket_arch_snap(&kv->snap, vcpu);
	ket_acct_store_exit(&kv->acct, now, stamp);
}

/*
 * Stamps an exit whose kind the fast table cannot give alone: codes
 * beyond it (an SError pending, HYP_GONE), and the traps of
 * ket_a64_trap_stamps[] of a vCPU that ket_exit_uncommon() could not
 * take.  @kv's guest run is in progress.
 */
static noinline void ket_exit_classify(struct ket_vcpu *kv,
				       struct kvm_vcpu *vcpu, u64 now, int ret,
				       unsigned int esr_ec)
{
	u64 code = ket_a64_code_slow(ret, esr_ec);
	unsigned int reason = ket_reason_index(&ket_reasons, code);

	/* Whatever the reason's class, KVM leaves such an exit unhandled. */
	if (unlikely((u32)ret & KET_A64_SERROR_PENDING)) {
		kv->detail.serror = true;
		ket_arch_snap(&kv->snap, vcpu);
		ket_acct_stamp_exit(&kv->acct, now,
				    ket_acct_kind(reason,
						  KET_RESOLVE_A64_SERROR));
		return;
	}
	if (code < ARRAY_SIZE(ket_a64_trap_stamps) &&
	    ket_a64_trap_stamps[code].resolve) {
		ket_exit_trap(kv, vcpu, now, code, &ket_a64_trap_stamps[code]);
		return;
	}
	ket_acct_stamp_exit(&kv->acct, now,
			    ket_acct_kind(reason, ket_reasons.cls[reason]));
}

/*
 * A kvm_exit that no table can stamp: of a vCPU not in this CPU's cache
 * (@kv is none: see ket_exit()), or in no timed guest run (met mid-run),
 * or whose code needs decoding (an SError pending, HYP_GONE).
 */
static noinline void ket_exit_slow(struct ket_vcpu *kv, u64 now, int ret,
				   unsigned int esr_ec)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();

	/* Never inside KVM_RUN (see ket_entry_probe()); no state is NULL's. */
	if (unlikely(!vcpu))
		return;
	if (unlikely(kv->vcpu != vcpu)) {
		/* Only entry probes fill the cache: see ket_exit(). */
		kv = ket_vcpu_lookup(vcpu, false);
		if (unlikely(!kv)) {
			ket_vcpu_miss(vcpu, true);
			return;
		}
	}
	if (unlikely(!ket_acct_in_guest(&kv->acct)))
		return;
	ket_exit_classify(kv, vcpu, now, ret, esr_ec);
}

/*
 * A kvm_exit that the fast table cannot stamp: most often a trap of
 * ket_a64_trap_stamps[] (system register, WFx and MMIO traps are),
 * stamped here if the vCPU is in a timed guest run (@kv is then its own,
 * and its vCPU the running one: see ket_exit()).  It calls nothing but,
 * for anything else, ket_exit_slow(): no register to save on its own
 * path.  notrace, as the probes are: no ftrace NOPs.
 */
static notrace noinline void ket_exit_uncommon(struct ket_vcpu *kv, u64 now,
					       int ret, unsigned int esr_ec)
{
	u64 code = ket_a64_code(ret, esr_ec);
	const struct ket_a64_trap_stamp *s;

	if (unlikely(code >= ARRAY_SIZE(ket_a64_trap_stamps) ||
		     !ket_acct_in_guest(&kv->acct))) {
		ket_exit_slow(kv, now, ret, esr_ec);
		return;
	}
	s = &ket_a64_trap_stamps[code];
	if (unlikely(!s->resolve)) {
		ket_exit_slow(kv, now, ret, esr_ec);
		return;
	}
	ket_exit_trap(kv, kv->vcpu, now, code, s);
}

/*
 * this_cpu_read(ket_cpu_kv), for the kvm_exit probe's fast path.  The
 * kernel's read of the per-CPU offset takes a stack slot as an input to
 * its asm, so that barrier() orders it for callers that may migrate; that
 * makes GCC set the probe's stack frame up before it, on every exit,
 * where without it only the calls of the uncommon exits need one (five
 * instructions: PACIASP, the frame record's store and load, AUTIASP).
 * The probe runs with preemption off, on one CPU: the offset register
 * alone will do, read as the kernel reads it (TPIDR_EL2 on VHE hosts).
 */
static __always_inline struct ket_vcpu *ket_exit_cpu_kv(void)
{
	unsigned long off;

	asm volatile(ALTERNATIVE("mrs %0, tpidr_el1", "mrs %0, tpidr_el2",
				 ARM64_HAS_VIRT_HOST_EXTN)
		     : "=r"(off));
	return READ_ONCE(*SHIFT_PERCPU_PTR(&ket_cpu_kv, off));
}

/*
 * Only what cannot wait for the entry: the exit's time and its code.
 * The accounting is done at the next entry.  The common exit (the vCPU
 * in this CPU's cache, its guest run timed, a code of the fast table
 * with a final class) calls nothing, not even for the vCPU, so that it
 * saves no register; anything else is handed on to ket_exit_uncommon(),
 * whose call alone sets a stack frame up.
 *
 * Preemption is off from before kvm_entry until after kvm_exit, and
 * neither fires in interrupt context, so this CPU ran no other vCPU's
 * probe since this vCPU's entry probe, which always leaves the vCPU's
 * state or none in the cache (ket_vcpu_lookup()); only entry probes
 * fill it (ket_exit_uncommon()): whatever @kv is, it is not another
 * vCPU's.  The interrupts taken since (kvm_exit fires with them on, and
 * an IRQ exit's are taken before it) only ever empty the cache.  A guest
 * run whose entry the probes did not see (the module loading meanwhile:
 * the exit probe is registered first) began before any entry probe ran
 * on this CPU, and finds the cache's first value, none, which is in no
 * phase a fast stamp passes.  One probe per counter read (@stable:
 * ket_now_stable()), chosen at registration.
 */
static __always_inline void ket_exit(int ret, unsigned int esr_ec,
				     bool stable)
{
	u64 now = stable ? ket_now_stable() : ket_now();
	u64 code = ket_a64_code(ret, esr_ec), fast;
	struct ket_vcpu *kv = ket_exit_cpu_kv();

	if (likely(ket_exit_stamp_fast(&ket_reasons, code, &fast) &&
		   ket_acct_fast_ok(&kv->acct, fast))) {
		ket_acct_fast_exit(&kv->acct, now, fast);
		return;
	}
	ket_exit_uncommon(kv, now, ret, esr_ec);
}

/*
 * The probes are notrace: the function tracer's call at the start of a
 * function is a NOP while unused, but still one instruction on every
 * exit.  Their prototypes are the tracepoints' (arch/arm64/kvm/
 * trace_arm.h), exactly: tracepoint_probe_register() checks none.
 */
static notrace void ket_exit_probe(void *data, int ret, unsigned int esr_ec,
				   unsigned long vcpu_pc)
{
	ket_exit(ret, esr_ec, false);
}

static notrace void ket_exit_probe_stable(void *data, int ret,
					  unsigned int esr_ec,
					  unsigned long vcpu_pc)
{
	ket_exit(ret, esr_ec, true);
}

/* No nested virtualization, so no re-entry: nothing to look at first. */
static __always_inline void ket_arch_entry_kv(struct ket_vcpu *kv,
					      struct kvm_vcpu *vcpu)
{
}

/*
 * An entry with no kvm_exit since the previous one.  arm64 fires both
 * around every world switch, so none is expected; one would be counted,
 * as VMX's, in the "unknown" row with no handling time, and in untimed.
 */
static void ket_arch_reentry(struct ket_vcpu *kv, struct kvm_vcpu *vcpu,
			     u64 now)
{
	unsigned int reason = ket_reasons.unknown;

	ket_acct_reentry(&kv->acct, now, reason, ket_reasons.cls[reason],
			 ket_reasons.cls[reason], &ket_tb);
}

#include "ket_probes_common.h"

/*
 * The vCPU is the running one: kvm_entry fires inside KVM_RUN, the vCPU
 * loaded (vcpu_load()) and preemption off, so kvm_running_vcpu is set and
 * stays so.  The call (exported, out of line) comes before the counter
 * read, so that nothing stays live across it.
 */
static notrace void ket_entry_probe(void *data, unsigned long vcpu_pc)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();

	/*
	 * Never NULL there; if it were, the empty cache entry (whose vCPU
	 * is NULL) would match it.
	 */
	if (likely(vcpu))
		ket_entry(vcpu);
}

static notrace void ket_entry_probe_stable(void *data, unsigned long vcpu_pc)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();

	if (likely(vcpu))
		ket_entry_at(vcpu, ket_now_stable());
}

/* arm64 6.1 has no vCPU whose exits the host cannot read. */
bool ket_vcpu_opaque(const struct kvm_vcpu *vcpu)
{
	return false;
}

/*
 * arm64's tracepoints are in the kernel (KVM is not a module there) and
 * not exported: found by name.  for_each_kernel_tracepoint() sees only
 * the kernel's own, which is enough while arm64's KVM cannot be built as
 * a module.
 */
static struct tracepoint *ket_tp_entry, *ket_tp_exit;

static void ket_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kvm_entry"))
		ket_tp_entry = tp;
	else if (!strcmp(tp->name, "kvm_exit"))
		ket_tp_exit = tp;
}

/* The probes chosen at registration: see ket_now_stable(). */
static void (*ket_exit_probe_fn)(void *data, int ret, unsigned int esr_ec,
				 unsigned long vcpu_pc);
static void (*ket_entry_probe_fn)(void *data, unsigned long vcpu_pc);

int ket_probes_register(void)
{
	int ret;

	for_each_kernel_tracepoint(ket_find_tracepoint, NULL);
	if (!ket_tp_entry || !ket_tp_exit)
		return -ENOENT;
	ket_a64_trap_stamps_init(ket_a64_trap_stamps, &ket_reasons);
	ket_exit_probe_fn = ket_a64_counter_wa ? ket_exit_probe_stable :
						 ket_exit_probe;
	ket_entry_probe_fn = ket_a64_counter_wa ? ket_entry_probe_stable :
						  ket_entry_probe;
	ret = tracepoint_probe_register(ket_tp_exit, ket_exit_probe_fn, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(ket_tp_entry, ket_entry_probe_fn, NULL);
	if (ret) {
		tracepoint_probe_unregister(ket_tp_exit, ket_exit_probe_fn,
					    NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

/*
 * On return no probe runs, nor will again.  The exit probe goes first, as
 * it came first: it never runs without the entry probe's cache behind it
 * (ket_exit()).
 */
void ket_probes_unregister(void)
{
	tracepoint_probe_unregister(ket_tp_exit, ket_exit_probe_fn, NULL);
	tracepoint_probe_unregister(ket_tp_entry, ket_entry_probe_fn, NULL);
	tracepoint_synchronize_unregister();
}

const char *ket_probe_signature(void)
{
	return "kvm_entry(vcpu_pc)";
}
