// SPDX-License-Identifier: GPL-2.0
/*
 * x86's kvm_entry and kvm_exit probes: the only code that runs on every
 * exit.  They run in the vCPU thread with preemption disabled and must
 * not sleep, lock, allocate or divide; each instruction here is paid on
 * every exit of every VM (BENCHMARKS.md has the measured cost).  The
 * exit path is SVM's and VMX's, here; the entry path, which ends the exit,
 * is common to the architectures (ket_probes_common.h, included below).
 */
#include <linux/kvm_host.h>
#include <linux/tracepoint.h>
#include <asm/hypervisor.h>
#include <asm/irq_vectors.h>
#include <asm/mshyperv.h>
#include <asm/svm.h>
#include <asm/vmx.h>

#include "ket.h"

/*
 * kernel/Kbuild decides, from the kernel it builds against:
 * KET_KVM_ENTRY_ARGS, the number of arguments of kvm_entry (2 since 6.9
 * and in the 6.1.y/6.6.y backports, 1 before; the probe reads only @vcpu
 * either way), and KET_SVM_LATE_KVM_EXIT, set before 6.6, where SVM fires
 * kvm_exit from svm_handle_exit().
 */
#define KET_ENTRY_HAS_FORCE (KET_KVM_ENTRY_ARGS == 2)

/*
 * struct vcpu_svm (arch/x86/kvm/svm/svm.h) begins with the kvm_vcpu and
 * the pointer to the current VMCB: unchanged since 5.12.
 */
struct ket_svm_head {
	struct kvm_vcpu vcpu;
	struct vmcb *vmcb;
};

static __always_inline struct vmcb_control_area *
ket_svm_ctl(struct kvm_vcpu *vcpu)
{
	return &container_of(vcpu, struct ket_svm_head, vcpu)->vmcb->control;
}

/*
 * The 64-bit exit code, whether the VMCB splits it into exit_code and
 * exit_code_hi (up to 6.x) or not.  The kernel builds with
 * -fno-strict-aliasing.
 */
static __always_inline u64 ket_svm_code(const struct vmcb_control_area *c)
{
	BUILD_BUG_ON(offsetof(struct vmcb_control_area, exit_info_1) -
		     offsetof(struct vmcb_control_area, exit_code) != 8);
	return *(const u64 *)&c->exit_code;
}

/*
 * VMREAD of the current VMCS, which kvm_exit's caller (vmx_vcpu_run) has
 * loaded.  A failed VMREAD (no current VMCS, e.g. Hyper-V's enlightened
 * VMCS) returns ~0, which no exit reason or field uses.
 */
static __always_inline u64 ket_vmread(unsigned long field)
{
	unsigned long value;
#if defined(CONFIG_CC_HAS_ASM_GOTO_OUTPUT) && defined(asm_goto_output)
	/*
	 * As KVM's __vmcs_readl(): a branch, no flag to test after, through
	 * asm_goto_output() (GCC bug 113921: an asm goto with outputs not
	 * treated as volatile); kernels without it take the flag below.
	 */
	asm_goto_output("vmread %[field], %[value]\n\t"
			"jbe %l[fail]"
			: [value] "=r"(value)
			: [field] "r"(field)
			: "cc"
			: fail);
	return value;
fail:
	return ~0ULL;
#else
	bool fail;

	asm volatile("vmread %[field], %[value]\n\t"
		     "setbe %[fail]"
		     : [value] "=r"(value), [fail] "=qm"(fail)
		     : [field] "r"(field)
		     : "cc");
	return fail ? ~0ULL : value;
#endif
}

/*
 * The exit reason, for the kvm_exit probe's common path, with no flag to
 * test: a failed VMREAD leaves its destination as it was, and the
 * destination starts as the field's encoding, 0x4402, which is no basic
 * exit reason (all are below 0x100), so the common path hands it on
 * to ket_exit_vmx() like any other it cannot stamp; that one reads the
 * reason again, with ket_vmread(), to tell.
 */
static __always_inline u64 ket_vmread_exit_reason(void)
{
	unsigned long value = VM_EXIT_REASON;

	BUILD_BUG_ON(VM_EXIT_REASON < 0x100);
	asm volatile("vmread %[value], %[value]" : [value] "+r"(value) : : "cc");
	return value;
}

static bool ket_svm;

/* The exit needs more than its code to be classified: read it now. */
static noinline void ket_read_detail(struct ket_vcpu *kv,
				     struct kvm_vcpu *vcpu, u64 code)
{
	struct ket_exit_detail *d = &kv->detail;
	u64 apic = vcpu->arch.apic_base;

	d->msr = (u32)vcpu->arch.regs[VCPU_REGS_RCX];
	/* The APIC page is MMIO only while the APIC is on and in xAPIC mode. */
	d->apic_base = (apic & MSR_IA32_APICBASE_ENABLE) &&
				       !(apic & X2APIC_ENABLE) ?
			       apic & MSR_IA32_APICBASE_BASE :
			       0;
	if (ket_svm) {
		const struct vmcb_control_area *c = ket_svm_ctl(vcpu);

		d->info1 = c->exit_info_1;
		d->gpa = c->exit_info_2;
	} else {
		d->info1 = ket_vmread(EXIT_QUALIFICATION);
		d->intr_info = 0;
		d->gpa = 0;
		if (code == EXIT_REASON_EPT_VIOLATION)
			d->gpa = ket_vmread(GUEST_PHYSICAL_ADDRESS);
		if (code == EXIT_REASON_EXCEPTION_NMI ||
		    code == EXIT_REASON_EXTERNAL_INTERRUPT)
			d->intr_info = (u32)ket_vmread(VM_EXIT_INTR_INFO);
		/* For a #PF, the error code stands where SVM puts it. */
		if (code == EXIT_REASON_EXCEPTION_NMI &&
		    (d->intr_info & 0xff) == 14)
			d->info1 = ket_vmread(VM_EXIT_INTR_ERROR_CODE);
	}
	ket_arch_snap(&kv->snap, vcpu);
}

/* The current VMCB's exit code (VMX reads its own: see ket_exit()). */
static __always_inline u64 ket_svm_exit_code(struct kvm_vcpu *vcpu)
{
	return ket_svm_code(ket_svm_ctl(vcpu));
}

#ifdef KET_SVM_LATE_KVM_EXIT
/*
 * Whether the vCPU's L1 TSC runs at the host's rate; remembers the ratio
 * that does, so that the next test is one compare.  With TSC scaling on,
 * every exit and entry takes the slow path, and the exit reads its own
 * clock.
 */
static noinline bool ket_svm_unscaled(struct ket_vcpu *kv, u64 ratio)
{
	if (kvm_scale_tsc(1ULL << 40, ratio) != 1ULL << 40)
		return false;
	kv->tsc_fast_ratio = ratio;
	return true;
}

/*
 * The exit's timestamp.  Before 6.6, SVM fires kvm_exit from
 * svm_handle_exit(), after the fastpath and after host interrupts were
 * enabled and served: a timestamp taken there would charge the host's
 * interrupt handling to the exit.  KVM sampled the TSC right after the
 * run loop, with interrupts still off, in last_guest_tsc (L1 TSC units):
 * take that, converted back to host TSC, when the conversion is exact (no
 * TSC scaling: its callers test it first).  The sample is this guest
 * run's: KVM takes it after every run loop, and kvm_exit follows.  KVM
 * moves the TSC offset between the sample and this probe only if the
 * vCPU was rescheduled in between on a host whose TSC is unstable; the
 * time comes out shifted by the CPUs' TSC skew then, as any interval
 * across CPUs does there, and a negative interval is counted as an
 * anomaly, never accounted.
 */
static __always_inline u64 ket_svm_exit_tsc(const struct kvm_vcpu *vcpu)
{
	return vcpu->arch.last_guest_tsc - vcpu->arch.l1_tsc_offset;
}

/*
 * The exit fast path does not test the scaling: it finds only vCPUs in
 * its CPU's cache, and a scaled vCPU stays in none.  The ratio changes
 * only between KVM_RUNs, so the entry after a change follows a put and
 * sees it (ket_arch_put_moved()), and comes here first, from
 * ket_arch_entry_kv(); the vCPU then leaves every CPU's cache, and each
 * of its probes, having filled this CPU's entry in a lookup, empties it
 * again.
 * Returns whether the vCPU's TSC is scaled.
 */
static noinline bool ket_svm_scaling(struct ket_vcpu *kv,
				     const struct kvm_vcpu *vcpu)
{
	u64 ratio = vcpu->arch.l1_tsc_scaling_ratio;

	if (likely(ratio == kv->tsc_fast_ratio ||
		   ket_svm_unscaled(kv, ratio))) {
		kv->tsc_scaled = false;
		return false;
	}
	if (!kv->tsc_scaled) {
		kv->tsc_scaled = true;
		ket_vcpu_uncache(kv);
	}
	this_cpu_write(ket_cpu_kv, &ket_vcpu_none);
	return true;
}

static u64 ket_exit_time(struct ket_vcpu *kv, struct kvm_vcpu *vcpu, u64 now)
{
	if (ket_svm && !ket_svm_scaling(kv, vcpu))
		return ket_svm_exit_tsc(vcpu);
	return now;
}
#else
static bool ket_svm_scaling(struct ket_vcpu *kv, const struct kvm_vcpu *vcpu)
{
	return false;
}

static u64 ket_exit_time(struct ket_vcpu *kv, struct kvm_vcpu *vcpu, u64 now)
{
	return now;
}
#endif

/*
 * Stamps an exit whose kind the fast table cannot give alone: codes
 * beyond it, exits L2 took, and classes that need more of the exit, read
 * now.  @kv's guest run is in progress.
 */
static noinline void ket_exit_classify(struct ket_vcpu *kv,
				       struct kvm_vcpu *vcpu, u64 now, u64 code)
{
	unsigned int reason = ket_reason_index(&ket_reasons, code);
	unsigned int cls = ket_reasons.cls[reason];

	if (vcpu->arch.hflags & HF_GUEST_MASK)
		cls = KET_RESOLVE_NESTED;
	else if (cls >= KET_RESOLVE_FIRST)
		ket_read_detail(kv, vcpu, code);
	ket_acct_stamp_exit(&kv->acct, now, ket_acct_kind(reason, cls));
}

static void ket_vcpu_set_opaque(struct ket_vcpu *kv);

/*
 * A VMX exit of a vCPU whose reason ket_vmread_exit_reason() returned
 * @raw that the fast table cannot stamp: a reason with flags, a failed
 * entry or VMREAD, a code beyond the table, a class to resolve, or L2's.
 * A failed VMREAD makes the vCPU opaque (ket_vcpu_set_opaque()).  Apart
 * from ket_exit_classify(), so that SVM's exits pay nothing for it.
 */
static noinline void ket_exit_vmx(struct ket_vcpu *kv, struct kvm_vcpu *vcpu,
				  u64 now, u32 raw)
{
	u64 code;

	/* Failed, or read as the field's encoding: all ones if it failed. */
	if (raw == VM_EXIT_REASON)
		raw = (u32)ket_vmread(VM_EXIT_REASON);
	code = ket_vmx_code(raw);

	if (unlikely(code == KET_VMX_UNREADABLE))
		ket_vcpu_set_opaque(kv);
	ket_exit_classify(kv, vcpu, now, code);
}

/*
 * A kvm_exit the fast path could not time (see ket_exit()): a vCPU not in
 * this CPU's cache or met mid-run, or TSC scaling on late SVM.  @now is
 * the clock read at the probe's start; @vcpu second, where the probe has
 * it, as for ket_entry_slow().
 */
static noinline void ket_exit_slow(u64 now, struct kvm_vcpu *vcpu)
{
	/*
	 * Only where the exit probe compares the cached vCPU (late SVM) may
	 * it fill the cache: elsewhere only entry probes do (ket_exit()).
	 */
	struct ket_vcpu *kv = ket_vcpu_find(vcpu, KET_SVM_LATE && ket_svm);

	if (unlikely(!kv)) {
		ket_vcpu_miss(vcpu, true);
		return;
	}
	if (unlikely(!ket_acct_in_guest(&kv->acct)))
		return;
	if (ket_svm) {
		ket_exit_classify(kv, vcpu, ket_exit_time(kv, vcpu, now),
				  ket_svm_exit_code(vcpu));
		return;
	}
	if (kv->opaque) {
		ket_exit_classify(kv, vcpu, now, KET_VMX_UNREADABLE);
		return;
	}
	ket_exit_vmx(kv, vcpu, now, (u32)ket_vmread(VM_EXIT_REASON));
}

/*
 * A kvm_exit that the fast table cannot stamp: of a vCPU not in this
 * CPU's cache (@kv is another's, or none: see ket_exit()), or in no
 * timed guest run (met mid-run), or that needs its code decoded or more
 * of it read, or that L2 took.
 */
static noinline void ket_exit_uncommon(struct ket_vcpu *kv,
				       struct kvm_vcpu *vcpu, u64 now, u64 code)
{
	if (unlikely(kv->vcpu != vcpu)) {
		ket_exit_slow(now, vcpu);
		return;
	}
	if (unlikely(!ket_acct_in_guest(&kv->acct)))
		return;
	if (ket_svm)
		ket_exit_classify(kv, vcpu, now, code);
	else
		ket_exit_vmx(kv, vcpu, now, (u32)code);
}

/*
 * Only what cannot wait for the entry: the exit's time, its code, and
 * whether L2 took it.  The accounting is done at the next entry.  The
 * common exit (the vCPU in this CPU's cache, its guest run timed, a code
 * of the fast table with a final class, taken by L1) calls nothing, so
 * that it saves no register; anything else is handed on as a tail call.
 * One probe per vendor (@svm constant), and for VMX where a VMREAD may
 * trap (@evmcs: see ket_vmread_may_trap()), registered by
 * ket_probes_register().
 */
static __always_inline void ket_exit(struct kvm_vcpu *vcpu, bool svm,
				     bool evmcs)
{
	const bool late = KET_SVM_LATE && svm;
	struct ket_tsc tsc = { 0 };
	struct ket_vcpu *kv;
	u64 now, code, fast;

	/* Late SVM takes the exit's time from KVM, below. */
	if (!late)
		tsc = ket_now_halves();

	/*
	 * Where kvm_exit fires with interrupts masked since kvm_entry (VMX,
	 * SVM since 6.6), this CPU ran nothing between the vCPU's entry
	 * probe and this one, and the entry probe always leaves the vCPU's
	 * state or none in the cache (ket_vcpu_lookup()), which only entry
	 * probes fill there (ket_exit_slow()): whatever @kv is, it is not
	 * another vCPU's.  A guest run whose entry the probes did not see
	 * (the module loading meanwhile: the exit probe is registered first)
	 * began before any entry probe ran on this CPU, and finds the
	 * cache's first value, none.  None is in no phase a fast stamp
	 * passes.  Late SVM fires kvm_exit after interrupts, and preemption,
	 * are enabled again: the thread may have moved since its entry, or
	 * another run here.
	 */
	kv = this_cpu_read(ket_cpu_kv);
	if ((late || evmcs) && unlikely(kv->vcpu != vcpu)) {
		/* Never a VMREAD for none where it traps: see above. */
		ket_exit_slow(late ? ket_now() : ket_tsc_join(tsc), vcpu);
		return;
	}
	now = ket_tsc_join(tsc);
#ifdef KET_SVM_LATE_KVM_EXIT
	/* Cached, so not scaled: see ket_svm_scaling(). */
	if (late)
		now = ket_svm_exit_tsc(vcpu);
#endif
	/*
	 * VMX: the raw exit reason is below 0x100 only if it is a basic
	 * reason with no flag bit set, which is then its code; any other
	 * (flags, a failed entry or VMREAD) is handed on, to be decoded.
	 * One compare for both.  Then one compare tells that the code's
	 * class is final and that the vCPU is in a timed guest run.
	 */
	code = svm ? ket_svm_exit_code(vcpu) : ket_vmread_exit_reason();
	if (likely(ket_exit_stamp_fast(&ket_reasons, code, &fast) &&
		   ket_acct_fast_ok(&kv->acct, fast) &&
		   !(vcpu->arch.hflags & HF_GUEST_MASK))) {
		if (late)
			ket_acct_fast_exit(&kv->acct, now, fast);
		else
			ket_acct_fast_exit_tsc(&kv->acct, tsc, fast);
		return;
	}
	ket_exit_uncommon(kv, vcpu, now, code);
}

/*
 * The probes are notrace: the function tracer's call at the start of a
 * function is a NOP while unused, but still one instruction on every
 * exit.  The kvm_entry and kvm_exit tracepoints themselves show when the
 * probes run.
 */
static notrace void ket_exit_probe_svm(void *data, struct kvm_vcpu *vcpu,
				       u32 isa)
{
	ket_exit(vcpu, true, false);
}

static notrace void ket_exit_probe_vmx(void *data, struct kvm_vcpu *vcpu,
				       u32 isa)
{
	ket_exit(vcpu, false, false);
}

static notrace void ket_exit_probe_vmx_evmcs(void *data,
					     struct kvm_vcpu *vcpu, u32 isa)
{
	ket_exit(vcpu, false, true);
}

/*
 * Whether a VMREAD may trap: KVM nested on Hyper-V uses the enlightened
 * VMCS where Hyper-V recommends it, loads no VMCS, and each VMREAD fails
 * in a trap to Hyper-V (see ket_vcpu_set_opaque()).  There the VMX exit
 * probe compares the cached vCPU first, so that a vCPU not in the cache,
 * as such a vCPU never is, reads nothing.
 */
static bool ket_vmread_may_trap(void)
{
#if IS_ENABLED(CONFIG_HYPERV)
	return hypervisor_is_type(X86_HYPER_MS_HYPERV) &&
	       (ms_hyperv.hints & HV_X64_ENLIGHTENED_VMCS_RECOMMENDED);
#else
	return false;
#endif
}

/*
 * An entry with no kvm_exit since the previous one: an SVM fastpath
 * re-entry before 6.6 (see ket_acct_reentry()).  The VMCB still holds the
 * exit; nothing but the fastpath ran, so no outcome to look at.
 */
static void ket_arch_reentry(struct ket_vcpu *kv, struct kvm_vcpu *vcpu,
			     u64 now)
{
	static const struct ket_outcome none;
	unsigned int reason = ket_reasons.unknown, table_cls, cls;
	u64 code = 0;

	if (ket_svm) {
		code = ket_svm_exit_code(vcpu);
		reason = ket_reason_index(&ket_reasons, code);
	}
	table_cls = ket_reasons.cls[reason];
	cls = table_cls;
	if (cls >= KET_RESOLVE_FIRST) {
		ket_read_detail(kv, vcpu, code);
		cls = ket_resolve_class(&ket_reasons, reason, &kv->detail, &none);
	}
	ket_acct_reentry(&kv->acct, now, reason, table_cls, cls, &ket_tb);
}

/*
 * What an entry that is not the common one looks at first (before 6.6):
 * the TSC ratio the fast paths run with.
 */
static __always_inline void ket_arch_entry_kv(struct ket_vcpu *kv,
					      struct kvm_vcpu *vcpu)
{
	if (KET_SVM_LATE) {
		/* VMX's kvm_exit reads the TSC: any ratio will do. */
		if (ket_svm)
			ket_svm_scaling(kv, vcpu);
		else
			kv->tsc_fast_ratio = vcpu->arch.l1_tsc_scaling_ratio;
	}
}

/* x86 reads all it needs at the exit (ket_read_detail()). */
static __always_inline void ket_arch_resolve_detail(struct ket_vcpu *kv,
						    const struct kvm_vcpu *vcpu)
{
}

#include "ket_probes_common.h"

#if KET_ENTRY_HAS_FORCE
static notrace void ket_entry_probe(void *data, struct kvm_vcpu *vcpu,
				    bool force_immediate_exit)
{
	ket_entry(vcpu);
}
#else
static notrace void ket_entry_probe(void *data, struct kvm_vcpu *vcpu)
{
	ket_entry(vcpu);
}
#endif

/*
 * Whether @vcpu's exit reasons cannot be read with VMREAD ("opaque").
 * Its exits are then timed as every other, under the "unknown" reason
 * (class OTHER), and it is kept out of the per-CPU cache
 * (ket_vcpu_lookup()), so that only its slow paths, which test this, see
 * it; the common paths pay nothing for it (on VMX, the exit probe's
 * VMREAD, before the cache tells it has no vCPU, reads whatever VMCS is
 * current, and its value goes unused; where a VMREAD traps, the probe
 * looks at the cache first: ket_vmread_may_trap()).  Decided when the module attaches
 * the vCPU for a TDX guest's vCPU (6.16 and later): KVM fires kvm_exit
 * for it with its exit reason in the TDX module's reply, in no VMCS the
 * host has loaded, and a VMREAD would read whichever VMCS the CPU last
 * had.  See also ket_vcpu_set_opaque().
 */
bool ket_vcpu_opaque(const struct kvm_vcpu *vcpu)
{
#ifdef KVM_X86_TDX_VM
	if (!ket_svm && vcpu->kvm->arch.vm_type == KVM_X86_TDX_VM)
		return true;
#endif
	return false;
}

/*
 * A VMREAD of the exit reason failed: the CPU has no current VMCS.  So it
 * is when KVM runs nested on Hyper-V with the enlightened VMCS, which it
 * never loads with VMPTRLD; there each VMREAD traps to Hyper-V, too.  The
 * vCPU's first failure makes it opaque: its thread only writes the mark,
 * and reads it, in its probes.
 */
static noinline void ket_vcpu_set_opaque(struct ket_vcpu *kv)
{
	WRITE_ONCE(kv->opaque, true);
	ket_vcpu_uncache(kv);
}

/* The kvm_exit probe of this host's vendor, chosen at registration. */
static void (*ket_exit_probe)(void *data, struct kvm_vcpu *vcpu, u32 isa);

int ket_probes_register(void)
{
	int ret;

	BUILD_BUG_ON(LOCAL_TIMER_VECTOR != 0xec);
	ket_svm = ket_reasons.vendor == KET_VENDOR_SVM;
	if (ket_svm)
		ket_exit_probe = ket_exit_probe_svm;
	else if (ket_vmread_may_trap())
		ket_exit_probe = ket_exit_probe_vmx_evmcs;
	else
		ket_exit_probe = ket_exit_probe_vmx;
	ret = tracepoint_probe_register(&__tracepoint_kvm_exit, ket_exit_probe,
					NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(&__tracepoint_kvm_entry,
					ket_entry_probe, NULL);
	if (ret) {
		tracepoint_probe_unregister(&__tracepoint_kvm_exit,
					    ket_exit_probe, NULL);
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
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, ket_exit_probe,
				    NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_entry, ket_entry_probe,
				    NULL);
	tracepoint_synchronize_unregister();
}

const char *ket_probe_signature(void)
{
	return KET_ENTRY_HAS_FORCE ? "kvm_entry(vcpu, force_immediate_exit)" :
				     "kvm_entry(vcpu)";
}
