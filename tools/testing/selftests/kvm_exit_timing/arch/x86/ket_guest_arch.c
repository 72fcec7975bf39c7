// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' guests on x86: one unit of each work, its setup in the
 * guest and in the VM, and the exit names of the host's vendor.
 */
#include <stdio.h>
#include <stdlib.h>

#include "apic.h"
#include "kvm_util.h"
#include "processor.h"
#include "vmx.h"

#include "ket_guest.h"
#include "ket_util.h"

#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL

/*
 * W_HALT: the guest's APIC timer, one-shot (TSC-deadline mode is not in
 * the default guest CPUID), and the registers 6.1's apic.h lacks.
 */
#define KET_TIMER_VECTOR 0x40
#define KET_APIC_LVTT 0x320
#define KET_APIC_TMICT 0x380
#define KET_APIC_TDCR 0x3e0
#define KET_TDCR_DIV1 0xb
/*
 * 1 ms at KVM's 1 GHz APIC bus.  Long enough that the timer practically
 * never fires before the guest halts: in the rig (no nrip-save), a timer
 * that fired with interrupts off just before "sti; hlt" was seen to leave
 * the vCPU halted for good.
 */
#define KET_TIMER_NS 1000000
/*
 * W_TIMER: the timer expires while the guest spins with interrupts off,
 * KET_TIMER_LONG_NS after it is armed; the spin lasts twice that, by
 * the guest's TSC, from the arm's return, so that the timer has always
 * expired before the guest enables interrupts, even if the host delays
 * the vCPU meanwhile.
 */
#define KET_TIMER_LONG_NS 20000000

/* W_PFREAL: a guest-virtual page the guest's own page tables do not map. */
#define KET_UNMAPPED_GVA 0x50000000UL

/* x2APIC ICR: fixed IPI, vector 0xf0, to APIC ID 0x55, which no vCPU has. */
#define KET_ICR_NOBODY ((0x55ULL << 32) | 0xf0)

static uint64_t spin_tsc;	/* W_TIMER: 2 * KET_TIMER_LONG_NS in TSC ticks */
static bool intel;
static uint64_t vmload_gpa;
static vm_vaddr_t vmx_gva;	/* W_NESTED on VMX: the guest's vmx_pages */

extern char ket_pf_read[], ket_pf_read_done[], ket_pf_fetch_done[];

/* The guest's #PF handler: resume after the faulting read or jump. */
static void ket_pf(struct ex_regs *regs)
{
	if (regs->rip == (uint64_t)ket_pf_read)
		regs->rip = (uint64_t)ket_pf_read_done;
	else if (regs->rip == KET_UNMAPPED_GVA)
		regs->rip = (uint64_t)ket_pf_fetch_done;
	else
		GUEST_ASSERT(0);
}

static void ket_timer(struct ex_regs *regs)
{
	ket_guest_eois++;
	x2apic_write_reg(APIC_EOI, 0);
}

/*
 * One unit of work @i; W_TLB touches data page i + 1 and runs code page
 * i + 1.  Not inlined: W_PFREAL's labels must exist once.
 */
noinline void ket_guest_work(enum ket_work w, uint64_t i)
{
	switch (w) {
	case W_CPUID: {
		uint32_t a = 0, b, c = 0, d;

		asm volatile("cpuid"
			     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		break;
	}
	case W_PIO:
	case W_SIGNAL:
		asm volatile("outb %%al, %%dx"
			     : : "a"(0), "d"(KET_PIO_PORT));
		break;
	case W_MMIO:
		*(volatile uint32_t *)KET_MMIO_GVA = (uint32_t)i;
		break;
	case W_HCALL:
		ket_guest_hypercall(intel, 0xdead);	/* no such hypercall */
		break;
	case W_TSCDL:	/* 0 disarms the TSC-deadline timer */
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		break;
	case W_ICR:
		wrmsr(APIC_BASE_MSR + (APIC_ICR >> 4), KET_ICR_NOBODY);
		break;
	case W_NESTED:
		if (intel) {
			uint64_t vmcs;

			asm volatile("vmptrst %0" : "=m"(vmcs) : : "cc");
		} else {
			asm volatile("vmload %%rax"
				     : : "a"(vmload_gpa) : "memory");
		}
		break;
	case W_TLB:
		*(volatile uint64_t *)(KET_TLB_DATA + (i + 1) * 4096) = i;
		((void (*)(void))(KET_TLB_CODE + (i + 1) * 4096))();
		break;
	case W_HALT:	/* halt until the timer fires; ket_timer() EOIs */
		x2apic_write_reg(KET_APIC_TMICT, KET_TIMER_NS);
		asm volatile("sti; hlt; cli" : : : "memory");
		break;
	case W_TIMER: {	/* see KET_TIMER_LONG_NS; ket_timer() EOIs */
		uint64_t t0;

		/* KVM sets the deadline as it handles the write: t0 after. */
		x2apic_write_reg(KET_APIC_TMICT, KET_TIMER_LONG_NS);
		t0 = rdtsc();
		/* No PAUSE: pause-loop exiting would add exits. */
		while (rdtsc() - t0 < spin_tsc)
			;
		asm volatile("sti; nop; cli" : : : "memory");
		break;
	}
	case W_PFREAL:	/* a #PF on a read, then on a fetch: see ket_pf() */
		asm volatile("ket_pf_read: movb (%0), %%al\n\t"
			     "ket_pf_read_done:"
			     : : "r"(KET_UNMAPPED_GVA) : "rax", "memory");
		asm volatile("jmp *%0\n\t"
			     "ket_pf_fetch_done:"
			     : : "r"(KET_UNMAPPED_GVA) : "memory");
		break;
	}
}

void ket_guest_setup(enum ket_work w)
{
	if (w == W_ICR || w == W_HALT || w == W_TIMER)
		x2apic_enable();
	if (w == W_HALT || w == W_TIMER) {	/* one-shot, divide by 1 */
		x2apic_write_reg(KET_APIC_TDCR, KET_TDCR_DIV1);
		x2apic_write_reg(KET_APIC_LVTT, KET_TIMER_VECTOR);
	}
	/*
	 * W_NESTED: SVM's VMLOAD needs EFER.SVME, VMX's VMPTRST to be in VMX
	 * operation (VMXON, an exit of its own, before the count starts).
	 */
	if (w == W_NESTED && intel)
		GUEST_ASSERT(prepare_for_vmx_operation((struct vmx_pages *)vmx_gva));
	if (w == W_NESTED && !intel)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/*
	 * W_TLB: touch page 0 of both regions through the same code as the
	 * loop, so that their guest page tables, and the switch's jump table,
	 * are mapped before the count starts.
	 */
	if (w == W_TLB || w == W_PFREAL)
		ket_guest_work(w, ~0ULL);
}

bool ket_work_exit(struct kvm_vcpu *vcpu)
{
	return vcpu->run->exit_reason == KVM_EXIT_IO &&
	       vcpu->run->io.port == KET_PIO_PORT;
}

void ket_vm_setup(struct kvm_vm *vm, struct kvm_vcpu *vcpu, enum ket_work w)
{
	intel = ket_intel();
	sync_global_to_guest(vm, intel);
	if (w == W_MMIO)
		virt_pg_map(vm, KET_MMIO_GVA, KET_MMIO_GPA);
	if (w == W_NESTED && intel) {
		vcpu_alloc_vmx(vm, &vmx_gva);
		sync_global_to_guest(vm, vmx_gva);
	} else if (w == W_NESTED) {
		vmload_gpa = addr_gva2gpa(vm, vm_vaddr_alloc_page(vm));
		sync_global_to_guest(vm, vmload_gpa);
	}
	if (w == W_PFREAL || w == W_HALT || w == W_TIMER)
		ket_init_descriptor_tables(vm, vcpu);
	if (w == W_PFREAL)
		vm_install_exception_handler(vm, PF_VECTOR, ket_pf);
	if (w == W_HALT || w == W_TIMER)
		vm_install_exception_handler(vm, KET_TIMER_VECTOR, ket_timer);
	if (w == W_TIMER) {
		/* KVM_GET_TSC_KHZ returns the guest's TSC rate. */
		spin_tsc = (uint64_t)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL) *
			   2 * KET_TIMER_LONG_NS / 1000000;
		TEST_ASSERT(spin_tsc, "KVM_GET_TSC_KHZ");
		sync_global_to_guest(vm, spin_tsc);
	}
}

static const struct ket_names ket_svm_names = {
	.emul = "cpuid", .sync = "io", .hcall = "hypercall", .msr_write = "msr",
	.hlt = "hlt", .irq_window = "vintr", .pf = "PF_excp",
	.nested = "vmload", .tdp = { "npf" },
};

/* KVM's MMIO SPTEs make an MMIO access's later exits EPT_MISCONFIG. */
static const struct ket_names ket_vmx_names = {
	.emul = "CPUID", .sync = "IO_INSTRUCTION", .hcall = "VMCALL",
	.msr_write = "MSR_WRITE", .hlt = "HLT",
	.irq_window = "INTERRUPT_WINDOW", .pf = "EXCEPTION_NMI",
	.nested = "VMPTRST", .tdp = { "EPT_VIOLATION", "EPT_MISCONFIG" },
};

const struct ket_names *ket_names(void)
{
	return ket_intel() ? &ket_vmx_names : &ket_svm_names;
}

/* Whether the vendor module's boolean parameter @name is on. */
static bool ket_vendor_param(const char *name)
{
	char path[96];
	char *v;
	bool on;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 ket_intel() ? "kvm_intel" : "kvm_amd", name);
	v = ket_slurp(path);
	on = v && (v[0] == 'Y' || v[0] == '1');
	free(v);
	return on;
}

bool ket_tdp(void)
{
	return ket_vendor_param(ket_intel() ? "ept" : "npt");
}

bool ket_nested(void)
{
	return ket_vendor_param("nested");
}

bool ket_preemption_timer(void)
{
	return ket_intel() && ket_vendor_param("preemption_timer");
}

bool ket_apic_accelerated(void)
{
	return ket_vendor_param(ket_intel() ? "enable_apicv" : "avic");
}

uint64_t ket_fault_exits(const struct ket_table *reasons)
{
	const struct ket_names *n = ket_names();

	if (!ket_tdp())
		return ket_count(reasons, n->pf);
	return ket_count(reasons, n->tdp[0]) +
	       (n->tdp[1] ? ket_count(reasons, n->tdp[1]) : 0);
}
