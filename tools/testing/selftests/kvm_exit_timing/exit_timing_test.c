// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_exit_timing selftests: guests that do exactly N of one kind of exit,
 * and exact assertions on the module's tables.  Run as root in a VM (or
 * host) with kvm and kvm_exit_timing loaded.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apic.h"
#include "kvm_util.h"
#include "processor.h"

/* The 6.1 KVM library has its own ASSERT_EQ; the harness's wins here. */
#undef ASSERT_EQ
#include "kselftest_harness.h"

#include "ket_util.h"

#define KET_N 500
#define KET_PIO_PORT 0x2000
#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL

enum ket_work { W_CPUID, W_PIO, W_MMIO, W_HCALL, W_TSCDL, W_ICR, W_SIGNAL,
	       W_VMLOAD, W_TLB, W_PFREAL, W_HALT };

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
#define KET_HALT_N 200

/* W_PFREAL: a guest-virtual page the guest's own page tables do not map. */
#define KET_UNMAPPED_GVA 0x50000000UL

/* W_TLB: pages the guest has mapped but never touched, data and code. */
#define KET_TLB_PAGES 64
#define KET_TLB_DATA 0x40000000UL
#define KET_TLB_CODE 0x40400000UL

/* x2APIC ICR: fixed IPI, vector 0xf0, to APIC ID 0x55, which no vCPU has. */
#define KET_ICR_NOBODY ((0x55ULL << 32) | 0xf0)

static int work;
static uint64_t work_n;
static uint64_t vmload_gpa;

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
	case W_HCALL: {
		uint64_t r = 0xdead;	/* no such hypercall */

		asm volatile("vmmcall" : "+a"(r) : : "memory");
		break;
	}
	case W_TSCDL:	/* 0 disarms the TSC-deadline timer */
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		break;
	case W_ICR:
		wrmsr(APIC_BASE_MSR + (APIC_ICR >> 4), KET_ICR_NOBODY);
		break;
	case W_VMLOAD:
		asm volatile("vmload %%rax"
			     : : "a"(vmload_gpa) : "memory");
		break;
	case W_TLB:
		*(volatile uint64_t *)(KET_TLB_DATA + (i + 1) * 4096) = i;
		((void (*)(void))(KET_TLB_CODE + (i + 1) * 4096))();
		break;
	case W_HALT:	/* halt until the timer fires; ket_timer() EOIs */
		x2apic_write_reg(KET_APIC_TMICT, KET_TIMER_NS);
		asm volatile("sti; hlt; cli" : : : "memory");
		break;
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

	if (work == W_ICR || work == W_HALT)
		x2apic_enable();
	if (work == W_HALT) {	/* one-shot APIC timer, divide by 1 */
		x2apic_write_reg(KET_APIC_TDCR, KET_TDCR_DIV1);
		x2apic_write_reg(KET_APIC_LVTT, KET_TIMER_VECTOR);
	}
	if (work == W_VMLOAD)
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

static uint64_t run_to_ucall(struct kvm_vcpu *vcpu)
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

static void ket_tlb_setup(struct kvm_vm *vm)
{
	vm_vaddr_t data, code;
	unsigned int i;

	data = vm_vaddr_alloc(vm, (KET_TLB_PAGES + 1) * 4096, KET_TLB_DATA);
	code = vm_vaddr_alloc(vm, (KET_TLB_PAGES + 1) * 4096, KET_TLB_CODE);
	TEST_ASSERT(data == KET_TLB_DATA && code == KET_TLB_CODE, "vaddr");
	/* "ret" at the start of each code page, written from the host. */
	for (i = 0; i <= KET_TLB_PAGES; i++)
		*(uint8_t *)addr_gva2hva(vm, code + i * 4096) = 0xc3;
}

/* kvm_amd's nested paging: NPF exits with it, #PF intercepts without. */
static bool ket_npt(void)
{
	char *v = ket_slurp("/sys/module/kvm_amd/parameters/npt");
	bool on = v && v[0] == 'Y';

	free(v);
	return on;
}

static bool wait_for_file(const char *path)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (!access(path, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

struct ket_run {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	char dir[128];
	char vcpu_dir[160];
	struct ket_table classes, reasons, vcpu_classes;
};

/*
 * Two warm-up syncs make sure the vCPU is attached and inside the second
 * sync's exit when the VM is reset; then the guest does @n of @w.  At the
 * read, the vCPU is inside the third sync's exit: accounted are the second
 * sync's exit (io, PIO), the @n exits, and any host interrupts.
 */
static void ket_run_work(struct __test_metadata *_metadata, struct ket_run *r,
			 enum ket_work w, uint64_t n)
{
	char path[256];
	const char *err;

	r->vm = vm_create_with_one_vcpu(&r->vcpu, guest_code);
	work = w;
	work_n = n;
	sync_global_to_guest(r->vm, work);
	sync_global_to_guest(r->vm, work_n);
	if (w == W_MMIO)
		virt_pg_map(r->vm, KET_MMIO_GVA, KET_MMIO_GPA);
	if (w == W_VMLOAD) {
		vmload_gpa = addr_gva2gpa(r->vm, vm_vaddr_alloc_page(r->vm));
		sync_global_to_guest(r->vm, vmload_gpa);
	}
	if (w == W_TLB)
		ket_tlb_setup(r->vm);
	if (w == W_SIGNAL)
		ket_signal_setup(r->vcpu);
	if (w == W_PFREAL || w == W_HALT) {
		vm_init_descriptor_tables(r->vm);
		vcpu_init_descriptor_tables(r->vcpu);
	}
	if (w == W_PFREAL)
		vm_install_exception_handler(r->vm, PF_VECTOR, ket_pf);
	if (w == W_HALT)
		vm_install_exception_handler(r->vm, KET_TIMER_VECTOR, ket_timer);
	ket_vm_dir(r->dir, sizeof(r->dir), r->vm->fd);
	snprintf(r->vcpu_dir, sizeof(r->vcpu_dir), "%s/vcpu0", r->dir);

	ASSERT_EQ(0, run_to_ucall(r->vcpu));
	snprintf(path, sizeof(path), "%s/exit_timing", r->vcpu_dir);
	ASSERT_TRUE(wait_for_file(path));
	ASSERT_EQ(1, run_to_ucall(r->vcpu));
	snprintf(path, sizeof(path), "%s/exit_timing", r->dir);
	ASSERT_EQ(0, ket_write_file(path, "c\n", 2, 0));
	ASSERT_EQ(2, run_to_ucall_sig(r->vcpu, w == W_SIGNAL));

	err = ket_parse_table(path, &r->classes);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	snprintf(path, sizeof(path), "%s/exit_reasons", r->dir);
	err = ket_parse_table(path, &r->reasons);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
	snprintf(path, sizeof(path), "%s/exit_timing", r->vcpu_dir);
	err = ket_parse_table(path, &r->vcpu_classes);
	ASSERT_EQ(NULL, err) TH_LOG("%s", err);
}

/* Properties every table must have, whatever the workload. */
static void ket_check_tables(struct __test_metadata *_metadata,
			     struct ket_run *r)
{
	const struct ket_table *t[] = { &r->classes, &r->reasons,
					&r->vcpu_classes };
	uint64_t exits = 0, guest;
	unsigned int i, j, pct;
	char path[256];

	for (i = 0; i < 3; i++) {
		pct = 0;
		ASSERT_GT(t[i]->nr, 0);
		/* TIMEINGUEST is the last row */
		ASSERT_EQ(0, strcmp(t[i]->rows[t[i]->nr - 1].name,
				    "TIMEINGUEST"));
		for (j = 0; j < t[i]->nr; j++) {
			const struct ket_trow *row = &t[i]->rows[j];

			ASSERT_GT(row->count, 0);
			ASSERT_LE(row->min, row->avg);
			ASSERT_LE(row->avg, row->max);
			ASSERT_LE((unsigned __int128)row->min * row->count,
				  row->sum);
			ASSERT_GE((unsigned __int128)row->max * row->count,
				  row->sum);
			pct += row->pct_x100;
		}
		/* Each share is rounded to 0.01%. */
		ASSERT_LE(pct, 10000 + t[i]->nr);
		ASSERT_GE(pct + t[i]->nr, 10000);
	}
	/* Histograms hold exactly the table's exits. */
	snprintf(path, sizeof(path), "%s/exit_histogram", r->dir);
	for (j = 0; j < r->classes.nr; j++)
		ASSERT_EQ(r->classes.rows[j].count,
			  ket_hist_total(path, r->classes.rows[j].name));
	/* Class and reason tables account the same exits. */
	for (j = 0; j < r->classes.nr - 1; j++)
		exits += r->classes.rows[j].count;
	guest = ket_count(&r->classes, "TIMEINGUEST");
	ASSERT_EQ(guest, ket_count(&r->reasons, "TIMEINGUEST"));
	for (j = 0, i = 0; j < r->reasons.nr - 1; j++)
		i += r->reasons.rows[j].count;
	ASSERT_EQ(exits, i);
	/* One vCPU: its own table is the VM's. */
	ASSERT_EQ(r->classes.nr, r->vcpu_classes.nr);
	/* The invariant: exits accounted == entries - 1. */
	ASSERT_EQ(1, r->classes.nr_vcpus);
	ASSERT_EQ(exits, r->classes.vcpus[0].exits);
	ASSERT_EQ(r->classes.vcpus[0].entries - 1, r->classes.vcpus[0].exits);
	ASSERT_EQ(0, r->classes.vcpus[0].anomalies);
	/*
	 * The reset was applied at the entry that completed the second sync:
	 * that exit is accounted, the guest run before it was wiped, and the
	 * guest run before the third sync is accounted: as many runs as exits.
	 */
	ASSERT_EQ(exits, guest);
	ASSERT_EQ(0, strncmp(r->classes.vcpus[0].now, "in exit io (PIO) for ",
			     21)) TH_LOG("now: %s", r->classes.vcpus[0].now);
}

/*
 * Runs @n of @w and asserts exactly @n_reason exits of @reason and @n_class
 * of @cls, then the properties every table has.
 */
static void ket_expect(struct __test_metadata *_metadata, enum ket_work w,
		       uint64_t n, const char *reason, uint64_t n_reason,
		       const char *cls, uint64_t n_class)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, w, n);
	ASSERT_EQ(n_reason, ket_count(&r.reasons, reason));
	ASSERT_EQ(n_class, ket_count(&r.classes, cls));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(cpuid_exact)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, W_CPUID, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.reasons, "cpuid"));
	ASSERT_EQ(KET_N, ket_count(&r.classes, "EMULINST"));
	ASSERT_EQ(1, ket_count(&r.reasons, "io"));
	ASSERT_EQ(1, ket_count(&r.classes, "PIO"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(pio_exact)
{
	ket_expect(_metadata, W_PIO, KET_N, "io", KET_N + 1, "PIO", KET_N + 1);
}

TEST(mmio_exact)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, W_MMIO, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "MMIO"));
	ASSERT_GE(ket_count(&r.reasons, ket_npt() ? "npf" : "PF_excp"), KET_N);
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(hcall_exact)
{
	ket_expect(_metadata, W_HCALL, KET_N, "hypercall", KET_N, "HCALL",
		   KET_N);
}

TEST(dec_tsc_deadline_exact)
{
	ket_expect(_metadata, W_TSCDL, KET_N, "msr", KET_N, "DEC", KET_N);
}

TEST(apic_x2apic_icr_exact)
{
	ket_expect(_metadata, W_ICR, KET_N, "msr", KET_N, "APIC", KET_N);
}

/* An exit whose handling returned to userspace for a signal is SIGNAL. */
TEST(signal_exact)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, W_SIGNAL, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "SIGNAL"));
	ASSERT_EQ(KET_N + 1, ket_count(&r.reasons, "io"));
	ASSERT_EQ(1, ket_count(&r.classes, "PIO"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(nested_vmload_exact)
{
	ket_expect(_metadata, W_VMLOAD, KET_N, "vmload", KET_N, "NESTED", KET_N);
}

/* First touch of a page: one NPF each, fetch or data. */
TEST(tlbvirt_exact)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, W_TLB, KET_TLB_PAGES);
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "ITLBVIRT"));
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "DTLBVIRT"));
	ASSERT_EQ(2 * KET_TLB_PAGES,
		  ket_count(&r.reasons, ket_npt() ? "npf" : "PF_excp"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/*
 * Each iteration arms the timer (x2APIC TMICT: DEC), halts until it fires
 * (HALT, the wait included) and EOIs in the handler (an x2APIC MSR: APIC).
 * Both MSR writes are "msr" exits.
 */
TEST(halt_exact)
{
	struct ket_run r;

	ket_run_work(_metadata, &r, W_HALT, KET_HALT_N);
	ASSERT_EQ(KET_HALT_N, ket_count(&r.reasons, "hlt"));
	ASSERT_EQ(KET_HALT_N, ket_count(&r.classes, "HALT"));
	ASSERT_EQ(KET_HALT_N, ket_count(&r.classes, "DEC"));
	ASSERT_EQ(2 * KET_HALT_N, ket_count(&r.reasons, "msr"));
	/*
	 * APIC: the N EOIs, plus an interrupt window (vintr) each time the
	 * timer fired while the guest had interrupts off.
	 */
	ASSERT_EQ(KET_HALT_N + ket_count(&r.reasons, "vintr"),
		  ket_count(&r.classes, "APIC"));
	ASSERT_GT(ket_row(&r.classes, "HALT")->min, 0);
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/*
 * Shadow paging (kvm_amd npt=0): KVM intercepts #PF and reflects to the
 * guest the faults of its own page tables.
 */
TEST(tlbreal_exact_shadow_paging)
{
	struct ket_run r;

	if (ket_npt())
		SKIP(return, "needs kvm_amd npt=0");
	ket_run_work(_metadata, &r, W_PFREAL, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "DTLBREAL"));
	ASSERT_EQ(KET_N, ket_count(&r.classes, "ITLBREAL"));
	ASSERT_EQ(2 * KET_N, ket_count(&r.reasons, "PF_excp"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/* Only "c" or "c\n" at offset 0 resets; anything else is EINVAL, no-op. */
TEST(bad_writes_change_nothing)
{
	static const char *const bad[] = { "x", "cc", "c\n\n", "C", "\n",
					   " c", "c ", "reset" };
	struct ket_table before, after;
	const char *files[] = { "exit_timing", "exit_reasons",
				"exit_histogram" };
	struct ket_run r;
	char path[256];
	unsigned int i, f;

	ket_run_work(_metadata, &r, W_CPUID, 10);
	snprintf(path, sizeof(path), "%s/exit_reasons", r.dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &before));
	for (f = 0; f < 3; f++) {
		snprintf(path, sizeof(path), "%s/%s", r.dir, files[f]);
		for (i = 0; i < ARRAY_SIZE(bad); i++)
			ASSERT_EQ(EINVAL, ket_write_file(path, bad[i],
							 strlen(bad[i]), 0));
		ASSERT_EQ(EINVAL, ket_write_file(path, "c", 1, 1));
		ASSERT_EQ(EINVAL, ket_write_file(path, "c", 0, 0));
	}
	snprintf(path, sizeof(path), "%s/exit_reasons", r.dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &after));
	ASSERT_EQ(0, memcmp(&before.rows, &after.rows, sizeof(before.rows)));
	/* A good write does reset: only the exit in flight remains. */
	ASSERT_EQ(0, ket_write_file(path, "c", 1, 0));
	ASSERT_EQ(NULL, ket_parse_table(path, &after));
	ASSERT_EQ(0, after.nr);
	kvm_vm_free(r.vm);
}

/* Files are root-only. */
TEST(files_are_root_only)
{
	const char *files[] = { "exit_timing", "exit_reasons",
				"exit_histogram" };
	struct ket_run r;
	struct stat st;
	char path[256];
	unsigned int f;

	ket_run_work(_metadata, &r, W_CPUID, 1);
	for (f = 0; f < 3; f++) {
		snprintf(path, sizeof(path), "%s/%s", r.dir, files[f]);
		ASSERT_EQ(0, stat(path, &st));
		ASSERT_EQ(0600, st.st_mode & 0777);
		snprintf(path, sizeof(path), "%s/%s", r.vcpu_dir, files[f]);
		ASSERT_EQ(0, stat(path, &st));
		ASSERT_EQ(0600, st.st_mode & 0777);
	}
	kvm_vm_free(r.vm);
}

/* After the VM exits, its final tables stay readable under exited/. */
TEST(exited_vm_is_retained)
{
	struct ket_table t, kept;
	char path[512], pattern[256];
	struct ket_run r;
	glob_t g;
	int i, fd, pid = getpid();

	ket_run_work(_metadata, &r, W_CPUID, 42);
	fd = r.vm->fd;
	snprintf(path, sizeof(path), "%s/exit_reasons", r.dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &t));
	kvm_vm_free(r.vm);
	snprintf(pattern, sizeof(pattern),
		 "/sys/kernel/debug/kvm_exit_timing/exited/%d-%d.*", pid, fd);
	for (i = 0; i < 300; i++) {
		if (!glob(pattern, 0, NULL, &g) && access(r.dir, F_OK))
			break;
		usleep(10000);
	}
	/* Released within about a second: KVM's directory is gone too. */
	ASSERT_LT(i, 300);
	ASSERT_NE(0, access(r.dir, F_OK));
	snprintf(path, sizeof(path), "%s/exit_reasons",
		 g.gl_pathv[g.gl_pathc - 1]);
	ASSERT_EQ(NULL, ket_parse_table(path, &kept));
	ASSERT_EQ(42, ket_count(&kept, "cpuid"));
	/* The sync exit that was in flight completed at teardown: not run. */
	ASSERT_EQ(ket_count(&t, "io"), ket_count(&kept, "io"));
	snprintf(path, sizeof(path), "%s/vcpu0/exit_timing",
		 g.gl_pathv[g.gl_pathc - 1]);
	ASSERT_EQ(NULL, ket_parse_table(path, &kept));
	ASSERT_EQ(0, strcmp(kept.vcpus[0].now, "VM exited"));
	globfree(&g);
}

TEST_HARNESS_MAIN
