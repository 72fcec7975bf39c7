// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' guests: exactly N of one kind of exit, and the host side
 * that runs them to a known point (see ket_run_work()).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int work;
static uint64_t work_n;
static uint64_t spin_tsc;	/* W_TIMER: 2 * KET_TIMER_LONG_NS in TSC ticks */
static bool intel;
static uint64_t vmload_gpa;
static vm_vaddr_t vmx_gva;	/* W_NESTED on VMX: the guest's vmx_pages */
static uint64_t guest_eois;	/* the guest's timer interrupts: ket_timer() */

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
	guest_eois++;
	x2apic_write_reg(APIC_EOI, 0);
}

/*
 * One unit of work @i; W_TLB touches data page i + 1 and runs code page
 * i + 1.  Not inlined: W_PFREAL's labels must exist once.
 */
static noinline void do_work(uint64_t i)
{
	switch (work) {
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

static void guest_code(void)
{
	uint64_t i;

	if (work == W_ICR || work == W_HALT || work == W_TIMER)
		x2apic_enable();
	if (work == W_HALT || work == W_TIMER) {	/* one-shot, divide by 1 */
		x2apic_write_reg(KET_APIC_TDCR, KET_TDCR_DIV1);
		x2apic_write_reg(KET_APIC_LVTT, KET_TIMER_VECTOR);
	}
	/*
	 * W_NESTED: SVM's VMLOAD needs EFER.SVME, VMX's VMPTRST to be in VMX
	 * operation (VMXON, an exit of its own, before the count starts).
	 */
	if (work == W_NESTED && intel)
		GUEST_ASSERT(prepare_for_vmx_operation((struct vmx_pages *)vmx_gva));
	if (work == W_NESTED && !intel)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/*
	 * W_TLB: touch page 0 of both regions through the same code as the
	 * loop, so that their guest page tables, and the switch's jump table,
	 * are mapped before the count starts.
	 */
	if (work == W_TLB || work == W_PFREAL)
		do_work(~0ULL);
	GUEST_SYNC(0);
	GUEST_SYNC(1);
	for (i = 0; i < work_n; i++)
		do_work(i);
	GUEST_SYNC(2);
	GUEST_DONE();
}

/*
 * Runs until the guest's next ucall; port I/O and MMIO exits are ignored.
 * With @signal, each exit to KET_PIO_PORT leaves SIGUSR1 pending: the next
 * KVM_RUN returns EINTR (a signal exit), the signal is consumed, and the
 * vCPU re-enters.
 */
static uint64_t run_to_ucall_sig(struct kvm_vcpu *vcpu, bool signal)
{
	struct ucall uc;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	for (;;) {
		/* _vcpu_run() of the 6.1 library retries on EINTR. */
		if (__vcpu_run(vcpu)) {
			TEST_ASSERT(errno == EINTR && signal, "KVM_RUN: %m");
			TEST_ASSERT(sigwaitinfo(&usr1, NULL) == SIGUSR1, "sigwait");
			continue;
		}
		assert_on_unhandled_exception(vcpu);
		if (signal && vcpu->run->exit_reason == KVM_EXIT_IO &&
		    vcpu->run->io.port == KET_PIO_PORT) {
			pthread_kill(pthread_self(), SIGUSR1);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			return uc.args[1];
		case UCALL_DONE:
			return ~0ULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			return ~0ULL;
		default:
			break;
		}
	}
}

uint64_t run_to_ucall(struct kvm_vcpu *vcpu)
{
	return run_to_ucall_sig(vcpu, false);
}

/* SIGUSR1 blocked in the thread, unblocked while in KVM_RUN. */
static void ket_signal_setup(struct kvm_vcpu *vcpu)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} mask = { .m.len = 8 };
	sigset_t usr1, cur;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	sigdelset(&cur, SIGUSR1);
	memcpy(mask.set, &cur, 8);
	/* The ioctl reads len, then the sigset that follows it. */
	vcpu_ioctl(vcpu, KVM_SET_SIGNAL_MASK, &mask.m);
}

/*
 * The TLB workload's data and code pages, in a memslot of their own:
 * newer KVM libraries take a vm_vaddr_alloc()'s pages in one physically
 * contiguous run from memslot 0, which they size for the test's code and
 * stacks only (6.12's has no 65 contiguous pages left there).
 */
#define KET_TLB_SLOT 10
#define KET_TLB_GPA 0x10000000UL

static void ket_tlb_setup(struct kvm_vm *vm)
{
	const unsigned int n = KET_TLB_PAGES + 1;
	unsigned int i;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, KET_TLB_GPA,
				    KET_TLB_SLOT, 2 * n, 0);
	for (i = 0; i < n; i++) {
		virt_pg_map(vm, KET_TLB_DATA + i * 4096, KET_TLB_GPA + i * 4096);
		virt_pg_map(vm, KET_TLB_CODE + i * 4096,
			    KET_TLB_GPA + (n + i) * 4096);
		/* "ret" at the start of each code page, written from the host. */
		*(uint8_t *)addr_gva2hva(vm, KET_TLB_CODE + i * 4096) = 0xc3;
	}
}

static const struct ket_names ket_svm_names = {
	.cpuid = "cpuid", .io = "io", .hcall = "hypercall", .msr_write = "msr",
	.hlt = "hlt", .irq_window = "vintr", .pf = "PF_excp",
	.nested = "vmload", .tdp = { "npf" },
};

/* KVM's MMIO SPTEs make an MMIO access's later exits EPT_MISCONFIG. */
static const struct ket_names ket_vmx_names = {
	.cpuid = "CPUID", .io = "IO_INSTRUCTION", .hcall = "VMCALL",
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

bool wait_for_file(const char *path)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (!access(path, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

/* A one-vCPU VM whose guest does @n of @w between its syncs 1 and 2. */
struct kvm_vm *ket_vm_create_work(struct kvm_vcpu **vcpu, enum ket_work w,
				  uint64_t n)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	work = w;
	work_n = n;
	intel = ket_intel();
	sync_global_to_guest(vm, work);
	sync_global_to_guest(vm, work_n);
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
	if (w == W_TLB)
		ket_tlb_setup(vm);
	if (w == W_SIGNAL)
		ket_signal_setup(*vcpu);
	if (w == W_PFREAL || w == W_HALT || w == W_TIMER)
		ket_init_descriptor_tables(vm, *vcpu);
	if (w == W_PFREAL)
		vm_install_exception_handler(vm, PF_VECTOR, ket_pf);
	if (w == W_HALT || w == W_TIMER)
		vm_install_exception_handler(vm, KET_TIMER_VECTOR, ket_timer);
	if (w == W_TIMER) {
		/* KVM_GET_TSC_KHZ returns the guest's TSC rate. */
		spin_tsc = (uint64_t)__vcpu_ioctl(*vcpu, KVM_GET_TSC_KHZ, NULL) *
			   2 * KET_TIMER_LONG_NS / 1000000;
		TEST_ASSERT(spin_tsc, "KVM_GET_TSC_KHZ");
		sync_global_to_guest(vm, spin_tsc);
	}
	return vm;
}

/*
 * Two warm-up syncs make sure the vCPU is attached and inside the second
 * sync's exit when the VM is reset; then the guest does @n of @w.  At the
 * read, the vCPU is inside the third sync's exit: accounted are the second
 * sync's exit (io, PIO), the @n exits, and any host interrupts.
 */
static void ket_run(struct ket_run *r, enum ket_work w, uint64_t n,
		    bool keep)
{
	char path[256];
	const char *err;
	int ret;

	r->vm = ket_vm_create_work(&r->vcpu, w, n);
	ket_vm_dir(r->dir, sizeof(r->dir), r->vm->fd);
	snprintf(r->vcpu_dir, sizeof(r->vcpu_dir), "%s/vcpu0", r->dir);

	TEST_ASSERT(run_to_ucall(r->vcpu) == 0, "first sync");
	snprintf(path, sizeof(path), "%s/exit_timing", r->vcpu_dir);
	TEST_ASSERT(wait_for_file(path), "no %s", path);
	ret = keep ? 0 : ket_forget(r->vm->fd);
	TEST_ASSERT(!ret, "forget: %s", strerror(ret));
	TEST_ASSERT(run_to_ucall(r->vcpu) == 1, "second sync");
	snprintf(path, sizeof(path), "%s/exit_timing", r->dir);
	TEST_ASSERT(!ket_write_file(path, "c\n", 2, 0), "reset %s", path);
	TEST_ASSERT(run_to_ucall_sig(r->vcpu, w == W_SIGNAL) == 2,
		    "third sync");
	sync_global_from_guest(r->vm, guest_eois);
	r->eois = guest_eois;

	err = ket_parse_table(path, &r->classes);
	TEST_ASSERT(!err, "%s", err);
	snprintf(path, sizeof(path), "%s/exit_reasons", r->dir);
	err = ket_parse_table(path, &r->reasons);
	TEST_ASSERT(!err, "%s", err);
	snprintf(path, sizeof(path), "%s/exit_timing", r->vcpu_dir);
	err = ket_parse_table(path, &r->vcpu_classes);
	TEST_ASSERT(!err, "%s", err);
}

void ket_run_work(struct ket_run *r, enum ket_work w, uint64_t n)
{
	ket_run(r, w, n, false);
}

void ket_run_work_kept(struct ket_run *r, enum ket_work w, uint64_t n)
{
	ket_run(r, w, n, true);
}
