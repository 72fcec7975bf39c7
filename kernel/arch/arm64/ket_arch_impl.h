/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64's hot-path hooks (ket_arch.h lists them): static and always
 * inlined, so that the probes run them as their own code.
 */
#ifndef KET_ARCH_IMPL_H
#define KET_ARCH_IMPL_H

#include <linux/kvm_host.h>
#include <asm/arch_timer.h>

/*
 * The timebase of every probe and reader: the physical counter,
 * CNTPCT_EL0, one system-wide count at a constant rate (CNTFRQ_EL0, or
 * as ket_arch_init() measured it), converted to ns with ket_tb.  Not the
 * virtual counter: on nVHE hosts KVM loads the guest's offset into
 * CNTVOFF_EL2 while a vCPU is loaded, and the host's CNTVCT jumps by it
 * at every load and put.  An ISB, then MRS (or, on CPUs with ECV, the
 * self-synchronised CNTPCTSS_EL0, patched in by the kernel's
 * alternatives): as RDTSC, not ordered against later loads, which the
 * probes do not need.
 */
static __always_inline u64 ket_now(void)
{
	return arch_timer_read_cntpct_el0();
}

/*
 * ket_now() where a CPU's counter needs an erratum's workaround to be
 * read right (ket_a64_counter_wa): the kernel's own read, through the
 * workaround on the CPUs that have it.  The probes that read it are
 * other functions, chosen at registration, so that the common probes
 * neither test for it nor make the call that the workaround is.
 */
static __always_inline u64 ket_now_stable(void)
{
	return __arch_counter_get_cntpct_stable();
}

/* Whether a CPU's counter read takes an erratum workaround (ket_arch.c). */
extern bool ket_a64_counter_wa;

/* The time for readers, off the probes: read right on every CPU. */
static inline u64 ket_now_reader(void)
{
	return ket_a64_counter_wa ? ket_now_stable() : ket_now();
}

/*
 * Whether anything the common entry does not look at moved since the exit
 * stamped at @t_exit: on arm64 that is only a signal exit (there is no
 * TSC ratio, and no stamp of the vCPU's puts to test first), counted in
 * signal_exits from xfer_to_guest_mode_handle_work(), between the exit's
 * handling and the next entry.  One load and one compare, as x86's test
 * of last_host_tsc.
 */
static __always_inline bool ket_arch_put_since(const struct ket_vcpu *kv,
					       const struct kvm_vcpu *vcpu,
					       u64 t_exit)
{
	return vcpu->stat.signal_exits != kv->signal_exits;
}

static __always_inline bool ket_arch_put_moved(const struct ket_vcpu *kv,
					       const struct kvm_vcpu *vcpu)
{
	return vcpu->stat.signal_exits != kv->signal_exits;
}

/*
 * The MMIO counters: io_mem_abort() counts an access that userspace
 * completes in mmio_exit_user, one an in-kernel device (vGIC, ioeventfd)
 * took in mmio_exit_kernel; a stage-2 fault on memory moves neither.
 */
static __always_inline void ket_arch_snap(struct ket_snap *s,
					  const struct kvm_vcpu *vcpu)
{
	s->mmio_user = vcpu->stat.mmio_exit_user;
	s->mmio_kernel = vcpu->stat.mmio_exit_kernel;
}

#endif /* KET_ARCH_IMPL_H */
