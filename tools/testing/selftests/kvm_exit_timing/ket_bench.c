// SPDX-License-Identifier: GPL-2.0
/*
 * The exit loops of make bench.  Each vCPU of the guest syncs once, so
 * that the host can wait until kvm_exit_timing (if loaded) has attached
 * it, then runs ROUNDS + 1 rounds of N identical exits (the first warms
 * up: page tables, caches) and syncs after each.  Every exit of the
 * rounds is thus accounted by the module, which make bench checks.  Under
 * QEMU's -icount shift=0 one tick of the clock (x86: the TSC; arm64: the
 * virtual counter, in nanoseconds) is one emulated instruction, of the
 * guest, the host kernel and the VMM alike, so ticks / exits is the
 * instructions one exit round trip costs (BENCHMARKS.md).
 *
 * The exits: one KVM handles in the kernel (x86: CPUID; arm64: a trapped
 * system register read, SYS64), a second kind (x86: an OUT, to the VMM;
 * arm64: an HVC, in the kernel), and an MMIO write, to the VMM
 * (arch/ARCH/ket_bench_guest.h).
 *
 * One vCPU: the guest times each round with its own clock.  Several vCPUs:
 * the host times each round with its clock, from the moment the last vCPU
 * ended the previous round to the moment the last one ends this round
 * (a barrier keeps any vCPU from starting a round before all ended the
 * previous one).  On the rig's one CPU, which is never idle in between,
 * that is the work of all vCPUs together, so ticks / (vCPUs * N) is
 * again the cost of one exit, context switches between the vCPU threads
 * included.
 *
 * Bochs' clock (sync=none) also follows the instruction count, at about
 * one tick per instruction: the workload "calib" (x86, one vCPU) measures
 * how many, with rounds of N loops of KET_CALIB_INSNS instructions that
 * do not exit, timed the same way (host interrupts included, as in the
 * exit rounds).
 *
 * usage: ket_bench -w WORKLOAD [-n N] [-r ROUNDS] [-v VCPUS]
 * WORKLOAD: cpuid, pio, mmio, mixed (all three) or calib on x86; sys64,
 * hvc, mmio or mixed on arm64.
 * prints, per measured round:
 *   ket_bench: pid P workload W exits E round R ticks T
 * where W is the workload's name, with "-Nvcpu" appended for N > 1 vCPUs,
 * and E the exits of all vCPUs in the round; for calib:
 *   ket_bench: pid P workload calib instructions I round R ticks T
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#include "ket_bench_guest.h"

#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL
#define KET_MAX_VCPUS 8

enum { B_IN_KERNEL = 1, B_SECOND = 2, B_MMIO = 4, B_MIXED = 7, B_CALIB = 8 };

static uint64_t n = 5000, rounds = 3;
static int work;

static void guest_code(void)
{
	uint64_t r, i, t0;

	GUEST_SYNC(0);
	for (r = 0; r <= rounds; r++) {
		t0 = ket_bench_now();
		for (i = 0; i < n; i++) {
			if (work & B_IN_KERNEL)
				ket_bench_in_kernel();
			if (work & B_SECOND)
				ket_bench_second();
			if (work & B_MMIO)
				*(volatile uint32_t *)KET_MMIO_GVA = (uint32_t)i;
#ifdef KET_CALIB_INSNS
			if (work & B_CALIB)
				ket_bench_calib();
#endif
		}
		GUEST_SYNC(ket_bench_now() - t0);
	}
	GUEST_DONE();
}

static const char *name;
static unsigned int nr_vcpus = 1, per;
static pthread_barrier_t barrier;
static unsigned int ended;	/* vCPU rounds ended, all vCPUs together */
static uint64_t t_ended;	/* host TSC when the last round ended */

static void report(uint64_t round, uint64_t ticks)
{
	printf("ket_bench: pid %d workload %s", getpid(), name);
	if (nr_vcpus > 1)
		printf("-%uvcpu", nr_vcpus);
#ifdef KET_CALIB_INSNS
	if (work == B_CALIB)
		printf(" instructions %llu",
		       (unsigned long long)n * KET_CALIB_INSNS);
	else
#endif
		printf(" exits %llu", (unsigned long long)(n * per * nr_vcpus));
	printf(" round %llu ticks %llu\n", (unsigned long long)round,
	       (unsigned long long)ket_bench_ticks(ticks));
}

/* Runs @vcpu to its next sync; returns the guest's ticks, or ~0 at the end. */
static uint64_t run_to_sync(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			return uc.args[1];
		case UCALL_DONE:
			return ~0ULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			exit(1);
		default:	/* the PIO and MMIO exits: back in */
			break;
		}
	}
}

/* With kvm_exit_timing loaded, wait until it has attached @vcpu. */
static void wait_attached(struct kvm_vcpu *vcpu)
{
	char path[128];
	int i;

	if (access("/sys/kernel/debug/kvm_exit_timing", F_OK))
		return;
	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/kvm/%d-%d/vcpu%u/exit_timing", getpid(),
		 vcpu->vm->fd, vcpu->id);
	for (i = 0; i < 500 && access(path, F_OK); i++)
		usleep(10000);
	TEST_ASSERT(!access(path, F_OK), "vCPU %u not attached", vcpu->id);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	uint64_t r, ticks, now;

	run_to_sync(vcpu);
	wait_attached(vcpu);
	for (r = 0; r <= rounds; r++) {
		pthread_barrier_wait(&barrier);
		ticks = run_to_sync(vcpu);
		/* The vCPU that ends the round last reports it. */
		if (__atomic_add_fetch(&ended, 1, __ATOMIC_SEQ_CST) !=
		    nr_vcpus * (r + 1))
			continue;
		now = ket_bench_now();
		if (r)
			report(r, nr_vcpus == 1 ? ticks : now - t_ended);
		t_ended = now;
	}
	TEST_ASSERT(run_to_sync(vcpu) == ~0ULL, "guest did not finish");
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int work; } works[] = {
		{ KET_BENCH_IN_KERNEL, B_IN_KERNEL },
		{ KET_BENCH_SECOND, B_SECOND },
		{ "mmio", B_MMIO }, { "mixed", B_MIXED },
#ifdef KET_CALIB_INSNS
		{ "calib", B_CALIB },
#endif
	};
	struct kvm_vcpu *vcpus[KET_MAX_VCPUS];
	pthread_t threads[KET_MAX_VCPUS];
	struct kvm_vm *vm;
	unsigned int i;
	int opt;

	while ((opt = getopt(argc, argv, "w:n:r:v:")) != -1) {
		switch (opt) {
		case 'w':
			for (i = 0; i < ARRAY_SIZE(works); i++)
				if (!strcmp(optarg, works[i].name)) {
					name = works[i].name;
					work = works[i].work;
				}
			break;
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			rounds = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			nr_vcpus = strtoul(optarg, NULL, 0);
			break;
		}
	}
	if (!name || !n || !rounds || !nr_vcpus || nr_vcpus > KET_MAX_VCPUS ||
	    (work == B_CALIB && nr_vcpus > 1)) {
		fprintf(stderr, "usage: %s -w ", argv[0]);
		for (i = 0; i < ARRAY_SIZE(works); i++)
			fprintf(stderr, "%s%s", i ? "|" : "", works[i].name);
		fprintf(stderr, " [-n N] [-r ROUNDS] [-v VCPUS (1-%u)]\n",
			KET_MAX_VCPUS);
		return 2;
	}
	for (i = 0; i < 3; i++)
		per += !!(work & (1 << i));
	vm = vm_create_with_vcpus(nr_vcpus, guest_code, vcpus);
	ket_workload_setup(vm);
	sync_global_to_guest(vm, n);
	sync_global_to_guest(vm, rounds);
	sync_global_to_guest(vm, work);
	virt_pg_map(vm, KET_MMIO_GVA, KET_MMIO_GPA);
	pthread_barrier_init(&barrier, NULL, nr_vcpus);
	for (i = 0; i < nr_vcpus; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < nr_vcpus; i++)
		pthread_join(threads[i], NULL);
	kvm_vm_free(vm);
	return 0;
}
