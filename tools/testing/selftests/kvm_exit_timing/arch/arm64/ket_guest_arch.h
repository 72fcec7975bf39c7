/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' guests on arm64 (ket_guest_arch.c): trapped system
 * register accesses, MMIO, HVCs, stage-2 faults, WFI on the virtual
 * timer, the vGICv3 and software breakpoints.  Included by ket_guest.h.
 */
#ifndef KET_GUEST_ARCH_H
#define KET_GUEST_ARCH_H

#include <stdint.h>

/* W_HALT: timer interrupts, each KET_HALT_MS after its arm. */
#define KET_HALT_N 100
#define KET_HALT_MS 5

/*
 * W_SYSREG: a read of ID_AA64PFR0_EL1 (SYS64, EMULINST).  W_PTIMER: a read
 * of the EL1 physical timer's CNTP_CTL_EL0 (SYS64, DEC where KVM traps it).
 * W_SGI: a write of ICC_SGI1R_EL1 to no vCPU (SYS64) and a read of the
 * vGIC distributor's GICD_TYPER (DABT_LOW in the kernel): both APIC.
 * W_BRK: BRK #0, which exits to userspace with guest debugging on
 * (BRK64, DEBUG).  W_MMIO, W_SIGNAL: a store to an IPA that no memslot
 * and no in-kernel device has (DABT_LOW to userspace, MMIO).
 */
enum ket_work { W_SYSREG, W_MMIO, W_HCALL, W_TLB, W_HALT, W_PTIMER, W_SGI,
		W_BRK, W_SIGNAL };
#define W_EMUL W_SYSREG
/* An exit KVM hands to the VMM, as the syncs: an MMIO store. */
#define W_USER W_MMIO

/*
 * The library's ucall is an MMIO store: DABT_LOW to userspace, MMIO once
 * accounted.  In flight, its class is "?": a DABT_LOW's depends on what
 * KVM does with it (the MMIO counters at the next entry).
 */
#define KET_SYNC_CLASS "?"
#define KET_RET_INSN { 0xc0, 0x03, 0x5f, 0xd6 }	/* ret: 0xd65f03c0 */

/* perf's names for the exceptions' classes: all fixed on arm64. */
struct ket_names {
	const char *emul, *sync;
};

/*
 * W_HALT, in the guest: the timer interrupts that were pending before the
 * guest's WFI (the host delayed it KET_HALT_MS), which therefore did not
 * wait: no WFx exit for them.
 */
extern uint64_t ket_halt_early;

#endif
