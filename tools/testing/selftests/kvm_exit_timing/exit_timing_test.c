// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_exit_timing selftests: guests that do exactly N of one kind of exit,
 * and exact assertions on the module's tables.  Run as root in a VM (or
 * host) with kvm and kvm_exit_timing loaded.  Each architecture has its
 * own exact tests; the tables' properties, their files and their
 * lifecycle are tested the same on each.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

/* The 6.1 KVM library has its own ASSERT_EQ; the harness's wins here. */
#undef ASSERT_EQ
#include "kselftest_harness.h"

#include "ket_guest.h"
#include "ket_util.h"

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
	snprintf(path, sizeof(path), "in exit %s (%s) for ", ket_names()->sync,
		 KET_SYNC_CLASS);
	ASSERT_EQ(0, strncmp(r->classes.vcpus[0].now, path, strlen(path)))
		TH_LOG("now: %s", r->classes.vcpus[0].now);
}

#ifdef __aarch64__
/*
 * arm64: every exit of a test is accounted for: the @n of the work and
 * its syncs, and the host's interrupts (IRQ, EXTINT: its timer ticks and
 * IPIs, which no guest controls).
 */
static void ket_expect_only(struct __test_metadata *_metadata,
			    const struct ket_run *r, uint64_t n)
{
	uint64_t irqs = ket_count(&r->reasons, "IRQ");

	ASSERT_EQ(irqs, ket_count(&r->classes, "EXTINT"));
	ASSERT_EQ(n + irqs, r->classes.vcpus[0].exits);
}
#endif

/*
 * Runs @n of @w, one exit each, and asserts exactly @n_reason exits of
 * @reason and @n_class of @cls, then the properties every table has; on
 * arm64, that no other exit but the second sync (DABT_LOW, MMIO) and the
 * host's interrupts was taken.
 */
static void ket_expect(struct __test_metadata *_metadata, enum ket_work w,
		       uint64_t n, const char *reason, uint64_t n_reason,
		       const char *cls, uint64_t n_class)
{
	struct ket_run r;

	ket_run_work(&r, w, n);
	ASSERT_EQ(n_reason, ket_count(&r.reasons, reason));
	ASSERT_EQ(n_class, ket_count(&r.classes, cls));
	ket_check_tables(_metadata, &r);
#ifdef __aarch64__
	if (strcmp(reason, ket_names()->sync)) {
		ASSERT_EQ(1, ket_count(&r.reasons, ket_names()->sync));
		ASSERT_EQ(1, ket_count(&r.classes, "MMIO"));
	}
	ket_expect_only(_metadata, &r, n + 1);
#endif
	kvm_vm_free(r.vm);
}

#ifdef __x86_64__

TEST(cpuid_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_CPUID, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.reasons, ket_names()->emul));
	ASSERT_EQ(KET_N, ket_count(&r.classes, "EMULINST"));
	ASSERT_EQ(1, ket_count(&r.reasons, ket_names()->sync));
	ASSERT_EQ(1, ket_count(&r.classes, "PIO"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(pio_exact)
{
	ket_expect(_metadata, W_PIO, KET_N, ket_names()->sync, KET_N + 1, "PIO",
		   KET_N + 1);
}

TEST(mmio_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_MMIO, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "MMIO"));
	ASSERT_GE(ket_fault_exits(&r.reasons), KET_N);
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

TEST(hcall_exact)
{
	ket_expect(_metadata, W_HCALL, KET_N, ket_names()->hcall, KET_N, "HCALL",
		   KET_N);
}

TEST(dec_tsc_deadline_exact)
{
	ket_expect(_metadata, W_TSCDL, KET_N, ket_names()->msr_write, KET_N,
		   "DEC", KET_N);
}

TEST(apic_x2apic_icr_exact)
{
	/* IPI virtualization (APICv) and x2AVIC take the write otherwise. */
	if (ket_apic_accelerated())
		SKIP(return, "needs kvm_intel enable_apicv=0 or kvm_amd avic=0");
	ket_expect(_metadata, W_ICR, KET_N, ket_names()->msr_write, KET_N,
		   "APIC", KET_N);
}

/* An exit whose handling returned to userspace for a signal is SIGNAL. */
TEST(signal_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_SIGNAL, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "SIGNAL"));
	ASSERT_EQ(KET_N + 1, ket_count(&r.reasons, ket_names()->sync));
	ASSERT_EQ(1, ket_count(&r.classes, "PIO"));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/* VMLOAD on SVM, VMPTRST on VMX: instructions KVM runs for a nested VMM. */
TEST(nested_exact)
{
	if (!ket_nested())
		SKIP(return, "needs kvm_amd or kvm_intel nested=1");
	ket_expect(_metadata, W_NESTED, KET_N, ket_names()->nested, KET_N,
		   "NESTED", KET_N);
}

/* First touch of a page: one nested page fault each, fetch or data. */
TEST(tlbvirt_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_TLB, KET_TLB_PAGES);
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "ITLBVIRT"));
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "DTLBVIRT"));
	ASSERT_EQ(2 * KET_TLB_PAGES, ket_fault_exits(&r.reasons));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/*
 * A timer workload's MSR writes: its @arms timer arms and the guest's
 * EOIs, one per timer interrupt it took, as it counted them: @arms,
 * unless KVM delivered one twice (seen once in CI, in the VMX rig with
 * ept=0: 401 MSR writes for 200 arms, not reproduced in 480 runs since).
 * Exact against what the guest did, whatever KVM and the emulated CPU
 * did.
 */
static void ket_expect_timer_msrs(struct __test_metadata *_metadata,
				  const struct ket_run *r, uint64_t arms)
{
	if (r->eois != arms)
		TH_LOG("the guest took %lu timer interrupts for %lu arms",
		       r->eois, arms);
	ASSERT_LE(arms, r->eois);
	ASSERT_EQ(arms + r->eois,
		  ket_count(&r->reasons, ket_names()->msr_write));
}

/*
 * Each iteration arms the timer (x2APIC TMICT: DEC), halts until it fires
 * (HALT, the wait included) and EOIs in the handler (an x2APIC MSR: APIC).
 * Both MSR writes are MSR write exits ("msr", "MSR_WRITE").
 */
TEST(halt_exact)
{
	struct ket_run r;

	if (ket_apic_accelerated())
		SKIP(return, "needs kvm_intel enable_apicv=0 or kvm_amd avic=0");
	ket_run_work(&r, W_HALT, KET_HALT_N);
	ASSERT_EQ(KET_HALT_N, ket_count(&r.reasons, ket_names()->hlt));
	ASSERT_EQ(KET_HALT_N, ket_count(&r.classes, "HALT"));
	/*
	 * DEC: the N timer arms; on VMX also the guest's timer expiring in
	 * guest mode (a host delay before "sti; hlt"): a PREEMPTION_TIMER
	 * exit with kvm_intel preemption_timer=1 (the VMX rig's), else an
	 * external-interrupt exit; and those with the host's
	 * LOCAL_TIMER_VECTOR (its own ticks too), which SVM cannot tell from
	 * other interrupts (its are all EXTINT).  The vector's decode is
	 * unit-tested (classes).
	 */
	if (ket_intel()) {
		uint64_t timer = KET_HALT_N +
				 ket_count(&r.reasons, "PREEMPTION_TIMER");

		ASSERT_LE(timer, ket_count(&r.classes, "DEC"));
		ASSERT_GE(timer + ket_count(&r.reasons, "EXTERNAL_INTERRUPT"),
			  ket_count(&r.classes, "DEC"));
	} else {
		ASSERT_EQ(KET_HALT_N, ket_count(&r.classes, "DEC"));
	}
	ket_expect_timer_msrs(_metadata, &r, KET_HALT_N);
	/*
	 * APIC: the EOIs, plus an interrupt window each time the timer
	 * fired while the guest had interrupts off.
	 */
	ASSERT_EQ(r.eois + ket_count(&r.reasons, ket_names()->irq_window),
		  ket_count(&r.classes, "APIC"));
	ASSERT_GT(ket_row(&r.classes, "HALT")->min, 0);
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/*
 * The guest's APIC timer expiring in guest mode, interrupts off.  With
 * kvm_intel preemption_timer=1 (the VMX rig's), KVM arms it as the VMX
 * preemption timer: a PREEMPTION_TIMER exit, whose expiry KVM handles in
 * its fastpath (DEC); unless the vCPU was put past the deadline, when
 * KVM raises the interrupt at its next load with no exit.  Else the
 * host's hrtimer interrupts the guest: an external interrupt exit with
 * LOCAL_TIMER_VECTOR, DEC on VMX and EXTINT on SVM, which cannot tell
 * the vector.  Then an interrupt window at "sti", and the EOI (APIC).
 * The host's own ticks add external-interrupt exits.  Bochs (the VMX rig)
 * takes an external interrupt that arrives while the guest has
 * interrupts off only at the guest's "sti", and KVM then injects it with
 * no window: the hrtimer's path has as many window exits as timers at
 * most.
 */
TEST(dec_timer_in_guest)
{
	uint64_t windows, expired, dec;
	struct ket_run r;

	if (ket_apic_accelerated())
		SKIP(return, "needs kvm_intel enable_apicv=0 or kvm_amd avic=0");
	ket_run_work(&r, W_TIMER, KET_TIMER_N);
	ket_expect_timer_msrs(_metadata, &r, KET_TIMER_N);
	windows = ket_count(&r.reasons, ket_names()->irq_window);
	ASSERT_GE(KET_TIMER_N, windows);
	ASSERT_EQ(r.eois + windows, ket_count(&r.classes, "APIC"));
	dec = ket_count(&r.classes, "DEC");
	if (ket_intel()) {
		expired = ket_count(&r.reasons, "PREEMPTION_TIMER");
		if (ket_preemption_timer()) {
			ASSERT_GE(KET_TIMER_N, expired);
			ASSERT_LT(0, expired);
			ASSERT_EQ(KET_TIMER_N, windows);
		} else {
			ASSERT_EQ(0, expired);
		}
		ASSERT_LE(KET_TIMER_N + expired, dec);
		ASSERT_GE(KET_TIMER_N + expired +
				  ket_count(&r.reasons, "EXTERNAL_INTERRUPT"),
			  dec);
	} else {
		ASSERT_EQ(KET_TIMER_N, windows);
		ASSERT_EQ(KET_TIMER_N, dec);
		ASSERT_LE(KET_TIMER_N, ket_count(&r.classes, "EXTINT"));
	}
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

/*
 * Shadow paging (kvm_amd npt=0, kvm_intel ept=0): KVM intercepts #PF and
 * reflects to the guest the faults of its own page tables.
 */
TEST(tlbreal_exact_shadow_paging)
{
	struct ket_run r;

	if (ket_tdp())
		SKIP(return, "needs kvm_amd npt=0 or kvm_intel ept=0");
	ket_run_work(&r, W_PFREAL, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "DTLBREAL"));
	ASSERT_EQ(KET_N, ket_count(&r.classes, "ITLBREAL"));
	ASSERT_EQ(2 * KET_N, ket_count(&r.reasons, ket_names()->pf));
	ket_check_tables(_metadata, &r);
	kvm_vm_free(r.vm);
}

#elif defined(__aarch64__)
/*
 * arm64: the exits are KVM's traps, named by their exception class as
 * perf names them; the syncs are MMIO stores (DABT_LOW, MMIO).  Each test
 * accounts for every exit (ket_expect_only()).
 */

/* ID_AA64PFR0_EL1, trapped by HCR_EL2.TID3 and emulated. */
TEST(emulinst_sysreg_exact)
{
	ket_expect(_metadata, W_SYSREG, KET_N, "SYS64", KET_N, "EMULINST",
		   KET_N);
}

/* A store to an IPA no memslot or device has: KVM_EXIT_MMIO each. */
TEST(mmio_exact)
{
	ket_expect(_metadata, W_MMIO, KET_N, "DABT_LOW", KET_N + 1, "MMIO",
		   KET_N + 1);
}

/* HVC #0 with a function id KVM does not know (NOT_SUPPORTED). */
TEST(hcall_exact)
{
	ket_expect(_metadata, W_HCALL, KET_N, "HVC64", KET_N, "HCALL", KET_N);
}

/*
 * First touch of a page at stage 2: one fault each, a store (DABT_LOW,
 * no MMIO counter moves: DTLBVIRT) or a fetch (IABT_LOW: ITLBVIRT).
 */
TEST(tlbvirt_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_TLB, KET_TLB_PAGES);
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.reasons, "IABT_LOW"));
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "ITLBVIRT"));
	ASSERT_EQ(KET_TLB_PAGES + 1, ket_count(&r.reasons, "DABT_LOW"));
	ASSERT_EQ(KET_TLB_PAGES, ket_count(&r.classes, "DTLBVIRT"));
	ket_check_tables(_metadata, &r);
	ket_expect_only(_metadata, &r, 2 * KET_TLB_PAGES + 1);
	kvm_vm_free(r.vm);
}

/*
 * Each iteration arms the virtual timer and waits for it in WFI (WFx,
 * HALT, the wait included), then takes its interrupt (the in-kernel
 * vGICv3's).  The timer's registers are the guest's own, and the ack and
 * EOI go through the vGIC's list registers: no exit for either.  The
 * timer fires while the vCPU is blocked, a host timer that wakes it: no
 * exit either, unless the host held the vCPU until it fired in the
 * guest (an IRQ exit, EXTINT), which the guest counts.
 */
TEST(halt_exact)
{
	uint64_t waits;
	struct ket_run r;

	ket_run_work(&r, W_HALT, KET_HALT_N);
	sync_global_from_guest(r.vm, ket_halt_early);
	if (ket_halt_early)
		TH_LOG("%lu of %d timer interrupts came before their WFI",
		       ket_halt_early, KET_HALT_N);
	waits = KET_HALT_N - ket_halt_early;
	ASSERT_LT(ket_halt_early, KET_HALT_N / 10);
	ASSERT_EQ(KET_HALT_N, r.eois);
	ASSERT_EQ(waits, ket_count(&r.reasons, "WFx"));
	ASSERT_EQ(waits, ket_count(&r.classes, "HALT"));
	ASSERT_EQ(0, ket_count(&r.classes, "DEC"));
	ASSERT_EQ(0, ket_count(&r.classes, "APIC"));
	ASSERT_GT(ket_row(&r.classes, "HALT")->min, 0);
	ket_check_tables(_metadata, &r);
	ket_expect_only(_metadata, &r, waits + 1);
	kvm_vm_free(r.vm);
}

/*
 * The EL1 physical timer's registers, which KVM emulates where it traps
 * them: in nVHE mode, where the world switch clears CNTHCTL_EL2.EL1PCEN
 * for the guest.  In VHE mode 6.1 gives the guest the physical timer
 * (kvm_timer_init_vhe()): no exit at all.
 */
TEST(dec_ptimer_exact)
{
	char *mode = ket_status_str("kvm_mode");
	bool nvhe = mode && !strcmp(mode, "nvhe");
	uint64_t n = nvhe ? KET_N : 0;
	struct ket_run r;

	free(mode);
	ket_run_work(&r, W_PTIMER, KET_N);
	ASSERT_EQ(n, ket_count(&r.reasons, "SYS64"));
	ASSERT_EQ(n, ket_count(&r.classes, "DEC"));
	ket_check_tables(_metadata, &r);
	ket_expect_only(_metadata, &r, n + 1);
	kvm_vm_free(r.vm);
	if (!nvhe)
		SKIP(return, "VHE: KVM 6.1 traps no EL1 physical timer access");
}

/*
 * The in-kernel vGICv3: a write of ICC_SGI1R_EL1 to no vCPU (trapped by
 * HCR_EL2.IMO: SYS64) and a read of the distributor's GICD_TYPER (a
 * DABT_LOW that the vGIC takes in the kernel): both APIC.
 */
TEST(apic_sgi_gicd_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_SGI, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.reasons, "SYS64"));
	ASSERT_EQ(KET_N + 1, ket_count(&r.reasons, "DABT_LOW"));
	ASSERT_EQ(2 * KET_N, ket_count(&r.classes, "APIC"));
	ASSERT_EQ(1, ket_count(&r.classes, "MMIO"));
	ket_check_tables(_metadata, &r);
	ket_expect_only(_metadata, &r, 2 * KET_N + 1);
	kvm_vm_free(r.vm);
}

/*
 * BRK #0 with KVM_GUESTDBG_USE_SW_BP: each exits to userspace
 * (KVM_EXIT_DEBUG), which steps over it.
 */
TEST(debug_brk_exact)
{
	ket_expect(_metadata, W_BRK, KET_N, "BRK64", KET_N, "DEBUG", KET_N);
}

/* An exit whose handling returned to userspace for a signal is SIGNAL. */
TEST(signal_exact)
{
	struct ket_run r;

	ket_run_work(&r, W_SIGNAL, KET_N);
	ASSERT_EQ(KET_N, ket_count(&r.classes, "SIGNAL"));
	ASSERT_EQ(KET_N + 1, ket_count(&r.reasons, "DABT_LOW"));
	ASSERT_EQ(1, ket_count(&r.classes, "MMIO"));
	ket_check_tables(_metadata, &r);
	ket_expect_only(_metadata, &r, KET_N + 1);
	kvm_vm_free(r.vm);
}
#endif

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

	ket_run_work(&r, W_EMUL, 10);
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

/* Files are root-only; the binary statistics read-only. */
TEST(files_are_root_only)
{
	const char *files[] = { "exit_timing", "exit_reasons",
				"exit_histogram" };
	struct ket_run r;
	struct stat st;
	char path[256];
	unsigned int f;

	ket_run_work(&r, W_EMUL, 1);
	for (f = 0; f < 3; f++) {
		snprintf(path, sizeof(path), "%s/%s", r.dir, files[f]);
		ASSERT_EQ(0, stat(path, &st));
		ASSERT_EQ(0600, st.st_mode & 0777);
		snprintf(path, sizeof(path), "%s/%s", r.vcpu_dir, files[f]);
		ASSERT_EQ(0, stat(path, &st));
		ASSERT_EQ(0600, st.st_mode & 0777);
	}
	/* The binary statistics are read-only. */
	snprintf(path, sizeof(path), "%s/exit_timing.stats", r.dir);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0400, st.st_mode & 0777);
	snprintf(path, sizeof(path), "%s/exit_timing.stats", r.vcpu_dir);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0400, st.st_mode & 0777);
	kvm_vm_free(r.vm);
}

/*
 * A guest that does W_EMUL (CPUID, or an ID register read), counting
 * them, until the host says stop.
 */
static int ket_spin_stop;
static uint64_t ket_spins;

static void ket_spin_guest(void)
{
	GUEST_SYNC(0);
	while (!READ_ONCE(ket_spin_stop)) {
		ket_guest_work(W_EMUL, 0);
		WRITE_ONCE(ket_spins, ket_spins + 1);
	}
	GUEST_SYNC(1);
}

static void *ket_spin_run(void *vcpu)
{
	TEST_ASSERT(run_to_ucall(vcpu) == 1, "spin's end");
	return NULL;
}

/* The vCPU's W_EMUL count, polled until it reaches @min or 10 s pass. */
static uint64_t ket_spin_wait(const char *path, uint64_t min)
{
	struct ket_table t;
	uint64_t n = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		TEST_ASSERT(!ket_parse_table(path, &t), "parse %s", path);
		n = ket_count(&t, ket_names()->emul);
		if (n >= min)
			break;
		usleep(10000);
	}
	return n;
}

/*
 * A reset asked for while the vCPU runs a loop of exits, its state hot
 * in this CPU's cache, is applied while it runs: the reader empties the
 * vCPU's cache entries, so its next probe looks it up and applies the
 * reset.  The counts start again from zero before the loop ends, and
 * the final table holds fewer CPUIDs than the guest did, every entry but
 * the first one ending an accounted exit.
 */
TEST(reset_while_running)
{
	char dir[128], path[256];
	struct kvm_vcpu *vcpu;
	struct ket_table t;
	struct kvm_vm *vm;
	uint64_t spins, n;
	pthread_t runner;

	vm = vm_create_with_one_vcpu(&vcpu, ket_spin_guest);
	/* The architecture's setup for W_EMUL (arm64's: the ucall's page). */
	ket_vm_setup(vm, vcpu, W_EMUL);
	ket_vm_dir(dir, sizeof(dir), vm->fd);
	ASSERT_EQ(0, run_to_ucall(vcpu));
	snprintf(path, sizeof(path), "%s/vcpu0/exit_reasons", dir);
	ASSERT_TRUE(wait_for_file(path));
	ASSERT_EQ(0, ket_forget(vm->fd));
	ASSERT_EQ(0, pthread_create(&runner, NULL, ket_spin_run, vcpu));
	ASSERT_GE(ket_spin_wait(path, 1000), 1000);
	snprintf(path, sizeof(path), "%s/vcpu0/exit_timing", dir);
	ASSERT_EQ(0, ket_write_file(path, "c\n", 2, 0));
	snprintf(path, sizeof(path), "%s/vcpu0/exit_reasons", dir);
	n = ket_spin_wait(path, 1);
	WRITE_ONCE(*(int *)addr_gva2hva(vm, (vm_vaddr_t)&ket_spin_stop), 1);
	ASSERT_EQ(0, pthread_join(runner, NULL));
	ASSERT_GT(n, 0) TH_LOG("the reset was not applied while the vCPU ran");

	spins = *(uint64_t *)addr_gva2hva(vm, (vm_vaddr_t)&ket_spins);
	ASSERT_EQ(NULL, ket_parse_table(path, &t));
	ASSERT_GE(ket_count(&t, ket_names()->emul), n);
	ASSERT_LT(ket_count(&t, ket_names()->emul), spins);
	snprintf(path, sizeof(path), "%s/vcpu0/exit_timing", dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &t));
	ASSERT_EQ(1, t.nr_vcpus);
	ASSERT_EQ(t.vcpus[0].entries - 1, t.vcpus[0].exits);
	ASSERT_EQ(0, t.vcpus[0].anomalies);
	kvm_vm_free(vm);
}

/*
 * After the VM exits, its final tables stay readable under exited/ (this
 * VM is not forgotten until then; if exited/ has no room for it without
 * dropping another VM's tables, the test skips).
 */
TEST(exited_vm_is_retained)
{
	struct ket_table t, kept;
	char path[512], pattern[256], *dir = NULL;
	unsigned long long serial, last = 0;
	struct ket_run r;
	glob_t g;
	size_t j;
	int i, fd, pid = getpid();

	if (!ket_exited_room())
		SKIP(return, "exited/ is full (retain_kb): keeping a VM would drop another's");
	ket_run_work_kept(&r, W_EMUL, 42);
	fd = r.vm->fd;
	snprintf(path, sizeof(path), "%s/exit_reasons", r.dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &t));
	kvm_vm_free(r.vm);
	/* KVM destroyed the VM at its close: its directory is gone. */
	ASSERT_NE(0, access(r.dir, F_OK));
	snprintf(pattern, sizeof(pattern),
		 "/sys/kernel/debug/kvm_exit_timing/exited/%d-%d.*", pid, fd);
	for (i = 0; i < 300; i++) {
		if (!glob(pattern, 0, NULL, &g))
			break;
		usleep(10000);
	}
	/* Its tables moved under exited/ within about a second. */
	ASSERT_LT(i, 300);
	/* Ours is the newest of that name (a pid is reused): serials grow. */
	for (j = 0; j < g.gl_pathc; j++) {
		serial = strtoull(strrchr(g.gl_pathv[j], '.') + 1, NULL, 10);
		if (serial >= last) {
			last = serial;
			dir = g.gl_pathv[j];
		}
	}
	snprintf(path, sizeof(path), "%s/exit_reasons", dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &kept));
	ASSERT_EQ(42, ket_count(&kept, ket_names()->emul));
	/* The sync exit that was in flight completed at teardown: not run. */
	ASSERT_EQ(ket_count(&t, ket_names()->sync),
		  ket_count(&kept, ket_names()->sync));
	snprintf(path, sizeof(path), "%s/vcpu0/exit_timing", dir);
	ASSERT_EQ(NULL, ket_parse_table(path, &kept));
	ASSERT_EQ(0, strcmp(kept.vcpus[0].now, "VM exited"));
	ASSERT_EQ(0, ket_forget_id(last));
	ASSERT_NE(0, access(dir, F_OK));
	globfree(&g);
}

KET_HARNESS_MAIN
