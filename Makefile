# SPDX-License-Identifier: GPL-2.0
#
# kvm-exit-timing.  On a KVM host:  make && sudo insmod kernel/kvm_exit_timing.ko
#
#   make            build kernel/kvm_exit_timing.ko against KDIR
#   make install    install it for KDIR's kernel (modules_install)
#   make check      everything, in the test VM; ends with "N passed, N failed"
#   make demo       the test VM running a guest workload; prints the tables
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)

export CONFIG_KVM_EXIT_TIMING := m

.PHONY: all modules install clean check demo help
all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf build

check:
	@tools/testing/check.sh check

demo:
	@tools/testing/check.sh demo

help:
	@sed -n '3,10p' Makefile
