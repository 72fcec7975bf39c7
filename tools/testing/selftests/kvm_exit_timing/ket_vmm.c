// SPDX-License-Identifier: GPL-2.0
/*
 * A long-lived VMM, as micro-VM managers, libvirt's capability probes and
 * KVM's own selftests are: one process creates, runs and closes VMS VMs,
 * one after another, each with one vCPU whose guest does an exit to the
 * VMM (W_USER: an OUT, with the library's in-kernel irqchip, on x86; an
 * MMIO store on arm64) between its syncs.  With -a, it waits before each close until
 * kvm_exit_timing has attached the VM (its vcpu0/exit_timing exists).
 *
 * KVM destroys a VM at its last close, in the closing process, and only
 * then unmaps what it mapped into that process (kvm_arch_destroy_vm()
 * does so only if current->mm is the VM's: VMX's APIC-access page of
 * each VM with an in-kernel APIC; nothing on arm64).  So none of what this prints may
 * depend on whether the module is loaded; check.sh runs it both ways.
 * After a first VM, which settles the allocator and the library, it
 * prints one line:
 *
 *   vms VMS maps BEFORE AFTER rss_kb BEFORE AFTER dirs_left N
 *
 * maps: lines of /proc/self/maps; rss_kb: resident set size; dirs_left:
 * VMs whose KVM debugfs directory still existed when close() returned.
 *
 * usage: ket_vmm [-n VMS] [-a]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm_util.h"

#include "ket_guest.h"

static int ket_maps_lines(void)
{
	char *maps = ket_slurp("/proc/self/maps");
	int n = 0;
	char *p;

	TEST_ASSERT(maps, "/proc/self/maps");
	for (p = maps; *p; p++)
		n += *p == '\n';
	free(maps);
	return n;
}

static long ket_rss_kb(void)
{
	char *statm = ket_slurp("/proc/self/statm");
	long size, resident;

	TEST_ASSERT(statm && sscanf(statm, "%ld %ld", &size, &resident) == 2,
		    "/proc/self/statm");
	free(statm);
	return resident * (getpagesize() / 1024);
}

/* One VM: created, run through its work, closed.  Whether its dir remained. */
static bool ket_vm_once(bool attach)
{
	char dir[128], path[160];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = ket_vm_create_work(&vcpu, W_USER, 1);
	ket_vm_dir(dir, sizeof(dir), vm->fd);
	TEST_ASSERT(run_to_ucall(vcpu) == 0, "first sync");
	snprintf(path, sizeof(path), "%s/vcpu0/exit_timing", dir);
	TEST_ASSERT(!attach || wait_for_file(path), "not attached: %s", path);
	TEST_ASSERT(run_to_ucall(vcpu) == 1, "second sync");
	TEST_ASSERT(run_to_ucall(vcpu) == 2, "third sync");
	kvm_vm_free(vm);
	return !access(dir, F_OK);
}

int main(int argc, char **argv)
{
	int opt, vms = 500, maps, left = 0, i;
	bool attach = false;
	long rss;

	while ((opt = getopt(argc, argv, "n:a")) != -1) {
		switch (opt) {
		case 'n':
			vms = atoi(optarg);
			break;
		case 'a':
			attach = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-n VMS] [-a]\n", argv[0]);
			return 2;
		}
	}
	if (vms < 1)
		return 2;
	left += ket_vm_once(attach);
	maps = ket_maps_lines();
	rss = ket_rss_kb();
	for (i = 1; i < vms; i++)
		left += ket_vm_once(attach);
	printf("vms %d maps %d %d rss_kb %ld %ld dirs_left %d\n", vms, maps,
	       ket_maps_lines(), rss, ket_rss_kb(), left);
	return 0;
}
