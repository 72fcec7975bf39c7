// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' guests on arm64: one unit of each work, its setup in the
 * guest and in the VM.  The exits are KVM's traps of the guest at EL1,
 * named by their exception class as perf names them.
 */
#include "arch_timer.h"
#include "gic.h"
#include "gic_v3.h"
#include "kvm_util.h"
#include "processor.h"
#include "vgic.h"

#include "ket_guest.h"

#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL

/* The vGICv3's distributor and redistributor, where QEMU's virt has them. */
#define KET_GICD_GPA 0x8000000UL
#define KET_GICR_GPA 0x80a0000UL
#define KET_GIC_NR_IRQS 64

/* An SMCCC function id that KVM does not know: it answers NOT_SUPPORTED. */
#define KET_HVC_UNKNOWN 0xdead

static uint32_t vtimer_irq;	/* the virtual timer's PPI */
uint64_t ket_halt_early;

/*
 * W_HALT's interrupt: ack, disarm the timer, which lowers its line, then
 * EOI; the vGIC's list registers take all three without an exit.
 */
static void ket_timer_irq(struct ex_regs *regs)
{
	uint32_t intid = gic_get_and_ack_irq();

	GUEST_ASSERT_1(intid == vtimer_irq, intid);
	timer_set_ctl(VIRTUAL, CTL_IMASK);
	gic_set_eoi(intid);
	ket_guest_eois++;
}

/*
 * One unit of work @i; W_TLB touches data page i + 1 and runs code page
 * i + 1.
 */
void ket_guest_work(enum ket_work w, uint64_t i)
{
	struct arm_smccc_res res;

	switch (w) {
	case W_SYSREG:	/* an ID register: HCR_EL2.TID3 traps it */
		(void)read_sysreg(id_aa64pfr0_el1);
		break;
	case W_MMIO:
	case W_SIGNAL:
		*(volatile uint32_t *)KET_MMIO_GVA = (uint32_t)i;
		break;
	case W_HCALL:
		smccc_hvc(KET_HVC_UNKNOWN, 0, 0, 0, 0, 0, 0, 0, &res);
		break;
	case W_TLB:
		*(volatile uint64_t *)(KET_TLB_DATA + (i + 1) * 4096) = i;
		((void (*)(void))(KET_TLB_CODE + (i + 1) * 4096))();
		break;
	case W_HALT: {
		uint64_t eois = READ_ONCE(ket_guest_eois);

		/*
		 * Interrupts stay masked until after the WFI, which a pending
		 * one wakes all the same: the interrupt cannot come between
		 * the check and the WFI and leave it waiting for good.  An
		 * interrupt already pending when the guest looks (the host
		 * held the vCPU for KET_HALT_MS) is counted, and no WFI
		 * done: it would not wait, and not trap.
		 */
		timer_set_next_cval_ms(VIRTUAL, KET_HALT_MS);
		timer_set_ctl(VIRTUAL, CTL_ENABLE);
		if (timer_get_ctl(VIRTUAL) & CTL_ISTATUS)
			ket_halt_early++;
		else
			asm volatile("wfi" : : : "memory");
		/*
		 * KVM may end the WFI's wait before the timer fires (a
		 * spurious wakeup): wait for the interrupt here, without
		 * another exit.
		 */
		local_irq_enable();
		while (READ_ONCE(ket_guest_eois) == eois)
			;
		local_irq_disable();
		break;
	}
	case W_PTIMER:
		(void)timer_get_ctl(PHYSICAL);
		break;
	case W_SGI:	/* SGI 0, target list empty and IRM 0: to no PE */
		write_sysreg_s(0, SYS_ICC_SGI1R_EL1);
		(void)readl_relaxed((void *)KET_GICD_GPA + GICD_TYPER);
		break;
	case W_BRK:
		asm volatile("brk #0" : : : "memory");
		break;
	}
}

void ket_guest_setup(enum ket_work w)
{
	if (w == W_HALT || w == W_SGI)
		gic_init(GIC_V3, 1, (void *)KET_GICD_GPA, (void *)KET_GICR_GPA);
	if (w == W_HALT) {
		local_irq_disable();
		gic_irq_enable(vtimer_irq);
	}
	/*
	 * One unit before the syncs, so that the code and data every unit
	 * touches (W_TLB: page 0 of both regions, and their guest page
	 * tables) are mapped at stage 2 before the count starts: no stage-2
	 * fault of its own in the count.
	 */
	ket_guest_work(w, ~0ULL);
	ket_guest_eois = 0;
	ket_halt_early = 0;
}

bool ket_work_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t pc;

	if (run->exit_reason == KVM_EXIT_DEBUG) {
		/* W_BRK's BRK64: KVM leaves the PC on it; step over it. */
		TEST_ASSERT((run->debug.arch.hsr >> ESR_EC_SHIFT &
			     ESR_EC_MASK) == ESR_EC_BRK_INS,
			    "debug exit, ESR 0x%x", run->debug.arch.hsr);
		vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), pc + 4);
		return true;
	}
	return run->exit_reason == KVM_EXIT_MMIO &&
	       run->mmio.phys_addr == KET_MMIO_GPA;
}

void ket_vm_setup(struct kvm_vm *vm, struct kvm_vcpu *vcpu, enum ket_work w)
{
	struct kvm_guest_debug debug = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	};
	int gic_fd;

	/*
	 * 6.1's library sets up the ucall's MMIO page only when told: an
	 * address no memslot has, identity-mapped.
	 */
	ucall_init(vm, NULL);
	if (w == W_MMIO || w == W_SIGNAL)
		virt_pg_map(vm, KET_MMIO_GVA, KET_MMIO_GPA);
	if (w == W_HALT || w == W_SGI) {
		gic_fd = vgic_v3_setup(vm, 1, KET_GIC_NR_IRQS, KET_GICD_GPA,
				       KET_GICR_GPA);
		TEST_ASSERT(gic_fd >= 0, "vgic_v3_setup: %d", gic_fd);
		/*
		 * The vGIC lives on in the VM; its device's fd would hold
		 * the VM, which kvm_vm_free() must destroy.
		 */
		close(gic_fd);
	}
	if (w == W_HALT) {
		vcpu_device_attr_get(vcpu, KVM_ARM_VCPU_TIMER_CTRL,
				     KVM_ARM_VCPU_TIMER_IRQ_VTIMER,
				     &vtimer_irq);
		sync_global_to_guest(vm, vtimer_irq);
		vm_init_descriptor_tables(vm);
		vcpu_init_descriptor_tables(vcpu);
		vm_install_exception_handler(vm, VECTOR_IRQ_CURRENT,
					     ket_timer_irq);
	}
	if (w == W_BRK)
		vcpu_guest_debug_set(vcpu, &debug);
}

static const struct ket_names ket_arm64_names = {
	.emul = "SYS64", .sync = "DABT_LOW",
};

const struct ket_names *ket_names(void)
{
	return &ket_arm64_names;
}
