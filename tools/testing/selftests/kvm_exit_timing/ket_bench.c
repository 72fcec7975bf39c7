// SPDX-License-Identifier: GPL-2.0
/*
 * The exit loops of make bench: a one-vCPU guest times ROUNDS rounds of N
 * identical exits with its own TSC and reports each round's ticks.  Under
 * QEMU's -icount shift=0 one tick is one emulated instruction, of the
 * guest, the host kernel and the VMM alike, so ticks / exits is the
 * instructions one exit round trip costs (BENCHMARKS.md).
 *
 * usage: ket_bench -w cpuid|pio|mmio|mixed [-n N] [-r ROUNDS]
 * prints: ket_bench: pid P workload W exits E round R ticks T
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"

#define KET_PIO_PORT 0x2000
#define KET_MMIO_GVA 0xc0000000UL
#define KET_MMIO_GPA 0xc0000000UL

enum { B_CPUID = 1, B_PIO = 2, B_MMIO = 4, B_MIXED = 7 };

static uint64_t n = 5000, rounds = 3;
static int work;

static void guest_code(void)
{
	uint64_t r, i, t0;

	/* Round 0 warms up: page tables, caches, the module's attach. */
	for (r = 0; r <= rounds; r++) {
		t0 = rdtsc();
		for (i = 0; i < n; i++) {
			if (work & B_CPUID) {
				uint32_t a = 0, b, c = 0, d;

				asm volatile("cpuid"
					     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
			}
			if (work & B_PIO)
				asm volatile("outb %%al, %%dx"
					     : : "a"(0), "d"(KET_PIO_PORT));
			if (work & B_MMIO)
				*(volatile uint32_t *)KET_MMIO_GVA = (uint32_t)i;
		}
		GUEST_SYNC(rdtsc() - t0);
	}
	GUEST_DONE();
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int work; } works[] = {
		{ "cpuid", B_CPUID }, { "pio", B_PIO }, { "mmio", B_MMIO },
		{ "mixed", B_MIXED },
	};
	const char *name = NULL;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int i, per = 0;
	uint64_t r = 0;
	int opt;

	while ((opt = getopt(argc, argv, "w:n:r:")) != -1) {
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
		}
	}
	if (!name || !n || !rounds) {
		fprintf(stderr, "usage: %s -w cpuid|pio|mmio|mixed [-n N] [-r ROUNDS]\n",
			argv[0]);
		return 2;
	}
	for (i = 0; i < 3; i++)
		per += !!(work & (1 << i));
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	sync_global_to_guest(vm, n);
	sync_global_to_guest(vm, rounds);
	sync_global_to_guest(vm, work);
	virt_pg_map(vm, KET_MMIO_GVA, KET_MMIO_GPA);
	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (r)
				printf("ket_bench: pid %d workload %s exits %llu round %llu ticks %llu\n",
				       getpid(), name,
				       (unsigned long long)(n * per),
				       (unsigned long long)r,
				       (unsigned long long)uc.args[1]);
			r++;
			break;
		case UCALL_DONE:
			kvm_vm_free(vm);
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			return 1;
		default:	/* the PIO and MMIO exits: back in */
			break;
		}
	}
}
