// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' guests: exactly N of one kind of exit, and the host side
 * that runs them to a known point (see ket_run_work()).  The parts every
 * architecture shares; the work itself is in arch/<arch>/ket_guest_arch.c.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#include "ket_guest.h"
#include "ket_util.h"

static enum ket_work work;
static uint64_t work_n;
uint64_t ket_guest_eois;

static void guest_code(void)
{
	uint64_t i;

	ket_guest_setup(work);
	GUEST_SYNC(0);
	GUEST_SYNC(1);
	for (i = 0; i < work_n; i++)
		ket_guest_work(work, i);
	GUEST_SYNC(2);
	GUEST_DONE();
}

/*
 * Runs until the guest's next ucall; other exits to userspace are ignored.
 * With @signal, each of the work's own exits (ket_work_exit()) leaves
 * SIGUSR1 pending: the next KVM_RUN returns EINTR (a signal exit), the
 * signal is consumed, and the vCPU re-enters.
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
		if (ket_work_exit(vcpu)) {
			if (signal)
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
	static const uint8_t ret[] = KET_RET_INSN;
	const unsigned int n = KET_TLB_PAGES + 1;
	unsigned int i;

	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, KET_TLB_GPA,
				    KET_TLB_SLOT, 2 * n, 0);
	for (i = 0; i < n; i++) {
		virt_pg_map(vm, KET_TLB_DATA + i * 4096, KET_TLB_GPA + i * 4096);
		virt_pg_map(vm, KET_TLB_CODE + i * 4096,
			    KET_TLB_GPA + (n + i) * 4096);
		/* "ret" at the start of each code page, written from the host. */
		memcpy(addr_gva2hva(vm, KET_TLB_CODE + i * 4096), ret,
		       sizeof(ret));
	}
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
	sync_global_to_guest(vm, work);
	sync_global_to_guest(vm, work_n);
	ket_vm_setup(vm, *vcpu, w);
	if (w == W_TLB)
		ket_tlb_setup(vm);
	if (w == W_SIGNAL)
		ket_signal_setup(*vcpu);
	return vm;
}

/*
 * Two warm-up syncs make sure the vCPU is attached and inside the second
 * sync's exit when the VM is reset; then the guest does @n of @w.  At the
 * read, the vCPU is inside the third sync's exit: accounted are the second
 * sync's exit (ket_names()->sync, KET_SYNC_CLASS), the @n exits, and any
 * host interrupts.
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
	sync_global_from_guest(r->vm, ket_guest_eois);
	r->eois = ket_guest_eois;

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
