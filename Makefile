# SPDX-License-Identifier: GPL-2.0
#
# kvm-exit-timing.  On a KVM host:  make && sudo insmod kernel/kvm_exit_timing.ko
#
#   make            build kernel/kvm_exit_timing.ko against KDIR, and the
#                   tool tools/kvm/kvm-exit-timing/kvm-exit-timing
#   make install    install both: the module for KDIR's kernel
#                   (modules_install), the tool and its man page in PREFIX
#   make check      everything, in the test VMs (the SVM rig under QEMU,
#                   the VMX rig under Bochs, the arm64 rig under
#                   qemu-system-aarch64); ends with "N passed, N failed"
#                   VENDOR=svm, vmx or arm64: that rig alone (the commands
#                   below run svm unless told; make bench also arm64)
#                   KERNEL=6.1-rt, 6.12 or sid: for and on that Debian
#                   kernel (fetched into build/kernels), not the machine's
#   make check-matrix  make check on each of those kernels in turn
#   make check-debug   make check on linux-source-6.1 built with KASAN,
#                   lockdep, PROVE_RCU, KMEMLEAK, UBSAN... (cached build;
#                   the SVM rig unless VENDOR is given)
#   make check-kvm-selftests  every KVM selftest, without the module, with
#                   it, and with it under readers: the same results
#   make demo       the test VM running a guest workload; prints the tables
#   make bench      instructions per exit in the test VM (BENCHMARKS.md)
#   make bench-host cycles per exit on this machine, if it is a KVM host
#   make check-host the selftests on this machine, a KVM host, against its
#                   running kernel (the module built and loaded if it is
#                   not, then removed); leaves nothing behind
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

export CONFIG_KVM_EXIT_TIMING := m

.PHONY: all modules tool install clean check check-matrix check-debug \
	check-kvm-selftests check-host demo bench bench-host help
all: modules tool

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

tool:
	$(MAKE) -C tools/kvm/kvm-exit-timing

install: modules tool
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	$(MAKE) -C tools/kvm/kvm-exit-timing install

# M=kernel: Kbuild's clean deletes every *.ko and *.o under M.
clean:
	$(MAKE) -C $(KDIR) M=$(PWD)/kernel clean
	$(MAKE) -C tools/kvm/kvm-exit-timing clean
	rm -rf build

check:
	@tools/testing/check.sh check

check-matrix:
	@tools/testing/check_matrix.sh

# The debug kernel is slow under TCG: the rig gets 2 hours, not 40 min;
# the SVM rig only, unless VENDOR says otherwise (Bochs runs 10 times
# slower than QEMU here).
check-debug:
	@KERNEL=6.1-debug KET_RIG_TIMEOUT=7200 VENDOR="$${VENDOR:-svm}" \
		tools/testing/check.sh check

check-kvm-selftests:
	@tools/testing/check.sh kvm-selftests

check-host:
	@tools/testing/check_host.sh

demo:
	@tools/testing/check.sh demo

bench:
	@tools/testing/check.sh bench

bench-host:
	@tools/testing/check.sh bench-host

help:
	@sed -n '3,28p' Makefile
