// SPDX-License-Identifier: GPL-2.0
/*
 * A guest workload for demos and lifecycle tests: one VM, NR vCPUs, each
 * looping over CPUID, port I/O, MMIO writes and a hypercall (VMMCALL on AMD,
 * VMCALL on Intel), HLT-free, for SECONDS seconds (or until killed).  On
 * arm64: a trapped system register read, MMIO writes and an HVC
 * (arch/ARCH/ket_workload_guest.h).
 *
 * With -a, each vCPU first syncs and waits until kvm_exit_timing has
 * attached it (its vcpu<N>/exit_timing exists), then syncs again and
 * resets its tables, so that they hold exactly the loop's exits: per
 * vCPU, ITERATIONS each of CPUID (EMULINST), hypercalls (HCALL), MMIO writes
 * (MMIO), and ITERATIONS OUTs plus the syncs from the second on (PIO).
 * On arm64, ITERATIONS each of SYS64 (EMULINST) and HVC64 (HCALL), and
 * ITERATIONS MMIO writes plus the syncs (DABT_LOW, MMIO).
 * Two syncs, because the first one's exit may come before the attach is
 * complete, and is then not accounted; the second one's exit is, and
 * completes after the reset.
 *
 * With -q, after the two syncs, each vCPU loops over CPUID and the
 * hypercall only, until killed: exits KVM handles in the kernel, so that
 * the VMM makes no system call, and allocates nothing, meanwhile (the
 * test of an attach at the cgroup's memory.max, memcg.sh).  It prints
 * "ket_workload: quiet" once every vCPU is in that loop.
 *
 * usage: ket_workload [-s SECONDS] [-v VCPUS] [-i ITERATIONS] [-a] [-q]
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#include "ket_workload_guest.h"

#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL

#define KET_SYNC_ATTACH (~0ULL - 1)
#define KET_SYNC_READY (~0ULL)

static uint64_t iterations;
static bool attach_reset;
static bool quiet;
static int nr_quiet;
static int vm_fd;

static void guest_code(void)
{
	uint64_t i;

	GUEST_SYNC(KET_SYNC_ATTACH);
	GUEST_SYNC(KET_SYNC_READY);
	for (i = 0; !iterations || i < iterations; i++) {
		ket_guest_emulated();
		if (quiet) {
			ket_guest_hcall();
			continue;
		}
		ket_guest_port_io();
		*(volatile uint32_t *)KET_MMIO_GVA = (uint32_t)i;
		ket_guest_hcall();
		if (i % 16 == 0)
			GUEST_SYNC(i);
	}
	GUEST_DONE();
}

static time_t deadline;

/*
 * -a: at the first sync, wait for the vCPU's tables; at the second, reset
 * them (the exit in flight stays, and completes after the reset).
 */
static void ket_attach_reset(struct kvm_vcpu *vcpu, uint64_t sync)
{
	char path[128];
	int i, fd;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/kvm/%d-%d/vcpu%u/exit_timing", getpid(),
		 vm_fd, vcpu->id);
	if (sync == KET_SYNC_ATTACH) {
		for (i = 0; i < 500 && access(path, F_OK); i++)
			usleep(10000);
		return;
	}
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0 && write(fd, "c", 1) == 1, "reset %s", path);
	close(fd);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			return NULL;
		case UCALL_SYNC:
			if (attach_reset && uc.args[1] >= KET_SYNC_ATTACH)
				ket_attach_reset(vcpu, uc.args[1]);
			if (quiet && uc.args[1] == KET_SYNC_READY)
				__atomic_add_fetch(&nr_quiet, 1, __ATOMIC_SEQ_CST);
			/* fall through */
		default:
			if (deadline && time(NULL) >= deadline)
				return NULL;
		}
	}
}

int main(int argc, char **argv)
{
	struct kvm_vcpu *vcpus[64];
	pthread_t threads[64];
	int opt, seconds = 0, nr = 1, i;
	struct kvm_vm *vm;

	while ((opt = getopt(argc, argv, "s:v:i:aq")) != -1) {
		switch (opt) {
		case 's':
			seconds = atoi(optarg);
			break;
		case 'v':
			nr = atoi(optarg);
			break;
		case 'i':
			iterations = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			attach_reset = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s SECONDS] [-v VCPUS] [-i ITERATIONS] [-a] [-q]\n",
				argv[0]);
			return 2;
		}
	}
	if (nr < 1 || nr > 64)
		return 2;
	if (seconds)
		deadline = time(NULL) + seconds;
	vm = vm_create_with_vcpus(nr, guest_code, vcpus);
	ket_workload_setup(vm);
	sync_global_to_guest(vm, iterations);
	sync_global_to_guest(vm, quiet);
	virt_pg_map(vm, KET_MMIO_GVA, KET_MMIO_GPA);
	vm_fd = vm->fd;
	printf("ket_workload: pid %d vm_fd %d vcpus %d\n", getpid(), vm->fd, nr);
	fflush(stdout);
	for (i = 0; i < nr; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	while (quiet && __atomic_load_n(&nr_quiet, __ATOMIC_SEQ_CST) < nr)
		usleep(10000);
	if (quiet) {
		printf("ket_workload: quiet\n");
		fflush(stdout);
	}
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);
	kvm_vm_free(vm);
	return 0;
}
