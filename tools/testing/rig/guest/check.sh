#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check, inside the rig: selftests and lifecycle tests, TAP lines.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko

# KVM on PREEMPT_RT needs an invariant TSC, which QEMU's TCG does not
# offer: on the RT kernel kvm-amd refuses to load and no VM can run.
# What is left to test there: the module loads on kvm.ko alone, serves
# its status, and unloads, dmesg clean.
if [ ! -e /dev/kvm ] && dmesg | grep -q 'RT requires X86_FEATURE_CONSTANT_TSC'; then
	ok "kvm-amd refuses to load: RT requires X86_FEATURE_CONSTANT_TSC # SKIP every VM test"
	check "insmod with KVM but no kvm-amd" insmod $KO
	check "status file" grep -q '^vcpus_attached 0$' $D/kvm_exit_timing/status
	check "rmmod" rmmod kvm_exit_timing
	check "dmesg free of BUG/WARN/oops" dmesg_clean
	exit 0
fi

# What the boot printed is not ours: Bochs' boot has a WARNING of its own
# (arch/x86/kernel/fpu/xstate.c, the emulated XSAVE layout).  The dmesg
# check at the end reads what came after.
dmesg -c >/dev/null
ls -p $D/kvm | grep -v / >/tmp/top.before

# Before the module is loaded: each selftest reports a skip with the
# reason and exits KSFT_SKIP (4), never a failure (skips(), tap.sh).
for b in exit_timing_test stats_test; do
	check "$b without the module: 1..0 # SKIP, the reason, exit 4" skips $b
done

# A long-lived VMM (ket_vmm): one process creates, runs and closes VMM
# VMs, first without the module, then with it, each VM attached before
# its close.  KVM destroys each VM at its close, in that process, and
# unmaps what it mapped there (VMX's APIC-access page): the process's
# mappings and RSS must end as they do without the module.  Its line:
# "vms N maps BEFORE AFTER rss_kb BEFORE AFTER dirs_left N".
VMM=500
./ket_vmm -n $VMM >/tmp/vmm.without || notok "ket_vmm without the module"
insmod $KO || notok "insmod"
check "status file" grep -q "^vendor $VENDOR\$" $D/kvm_exit_timing/status
check "status: the vendor module, loaded before" \
	grep -q "^vendor_module $VMOD\$" $D/kvm_exit_timing/status

# cgroup v2, for stats_test's charging test (and memcg.sh).
cgroup2
cgroups_before=$(cgroups)
./exit_timing_test
kvm_mode=$(stat -c %a /dev/kvm)
./stats_test
check "stats_test leaves /dev/kvm's mode as it was ($kvm_mode)" [ "$(stat -c %a /dev/kvm)" = "$kvm_mode" ]
# What a real host keeps of the suite: nothing.  Each of its VMs is
# forgotten (KVM_EXIT_TIMING_FORGET), none kept under exited/ (which was
# empty); its cgroup is gone and the root's controllers are as they were.
none_kept() { wait_idle && [ "$(st vms_exited_kept)" = 0 ] &&
	[ -z "$(ls $D/kvm_exit_timing/exited)" ]; }
check "the selftests leave no VM's tables under exited/" none_kept
check "the selftests leave the cgroups as they were" [ "$(cgroups)" = "$cgroups_before" ]

# The long-lived VMM again, the module loaded (vmm.sh).
. ./vmm.sh

# The last VMs' teardown may still hold the vendor module for a moment.
rmmod_vendor() { for i in $(seq 20); do rmmod $VMOD 2>/dev/null && return; sleep 0.5; done; return 1; }

# The module holds no VM: once a VM's process has exited, KVM has
# destroyed the VM (its debugfs directory is gone), the module has its
# final tables, and the vendor module unloads at once.
exited_kept() { ls $D/kvm_exit_timing/exited | grep -q "^$1\."; }
gone() {
	./ket_workload -i 16 -a >/tmp/wlg.out || return 1
	vm=$(vmof /tmp/wlg.out)
	[ -n "$vm" ] && [ ! -e $D/kvm/$vm ] && rmmod $VMOD &&
		settle exited_kept "$vm"
}
check "VM destroyed by its process's exit; rmmod $VMOD at once" gone
check "status: no vendor module once it is unloaded" \
	grep -q '^vendor_module -$' $D/kvm_exit_timing/status

# Again under shadow paging (npt=0, ept=0): the ITLBREAL/DTLBREAL test
# runs, and the others still hold.  On VMX also without the preemption
# timer, so that the timer test takes the hrtimer's path.
again="$TDP=0"
[ $VENDOR = vmx ] && again="$again preemption_timer=0"
insmod $VKO $again &&
	grep -q N /sys/module/$VMOD/parameters/$TDP || notok "$VMOD $again"
[ $VENDOR = svm ] || grep -q N /sys/module/$VMOD/parameters/preemption_timer ||
	notok "$VMOD $again"
./exit_timing_test
rmmod_vendor && insmod $VKO || notok "$VMOD reload"
check "status: the vendor module, loaded after" \
	grep -q "^vendor_module $VMOD\$" $D/kvm_exit_timing/status
check "VM destroyed by its process's exit; rmmod $VMOD at once, after a reload" gone
insmod $VKO || notok "insmod $VMOD"

# The command-line tool on a workload of known counts.
. ./tool.sh

# The module's limits: retain_kb, allocation failure, open files
# holding it (limits.sh, as in the arm64 rig).
. ./limits.sh

# insmod/rmmod 100 times under a running VM and a reader (cycle.sh).
sh ./cycle.sh 100
# 2000 VMs created and destroyed, two at a time, a reader walking every
# table; no state leaks (churn.sh).  500 in the VMX rig, where Bochs
# takes 10 minutes for 2000.
sh ./churn.sh $([ $VENDOR = vmx ] && echo 500 || echo 2000)
# Bad input at random, on the files and the device (fuzz_input.sh).
sh ./fuzz_input.sh 10
# vCPU threads moved between the CPUs while they run (migrate.sh).
sh ./migrate.sh
# A VM's states charged to its memory cgroup (memcg.sh).
sh ./memcg.sh
insmod $KO

# A VM already running when the module is loaded is picked up.
rmmod kvm_exit_timing
./ket_workload -s 6 >/tmp/wl.out &
wl=$!
sleep 1
insmod $KO
sleep 2
vm=$(vmof /tmp/wl.out)
attached() {
	c=$(awk -v r=$R_CPUID '$1==r{print $2}' $D/kvm/$vm/exit_reasons)
	[ -n "$c" ] && [ "$c" -gt 0 ]
}
check "attach to a running VM after insmod" attached
ls -p $D/kvm | grep -v / >/tmp/top.after
check "nothing added at the top of debugfs/kvm" cmp -s /tmp/top.before /tmp/top.after
# Removal while it runs: the VM goes on.
check "rmmod while a VM runs" rmmod kvm_exit_timing
check "the VM outlives rmmod" kill -0 $wl
check "workload exits cleanly after rmmod" wait $wl
notloaded() { ! $T report >/tmp/out 2>/tmp/err && [ ! -s /tmp/out ] && grep -q 'is not loaded' /tmp/err; }
check "tool: module not loaded is an error" notloaded

# One VM of 64 vCPUs, a reader walking every table (many.sh).
sh ./many.sh

# make check-host's run, on this KVM host: the module not loaded, it
# loads it, runs the suite through the kernel's runner, and removes it.
sh ./check_host.sh run /ket/kselftest $KO >/tmp/check-host.out 2>&1
rc=$?
sed 's/^/# /' /tmp/check-host.out
passed() { [ $rc = 0 ] &&
	[ "$(tail -1 /tmp/check-host.out)" = "check-host: 2 passed, 0 skipped, 0 failed" ]; }
check "check-host: the suite through run_kselftest.sh, all passed, exit 0" passed
check "check-host: the module it loaded removed" [ ! -e /sys/module/kvm_exit_timing ]

# KVM's own selftests, without the module, with it, and with it under
# readers: the same results (kvm_selftests.sh).
sh ./kvm_selftests.sh
# On make check-debug's kernel: no object of the module's unreferenced.
# Loaded, so that the backtraces of its objects still name it.
if [ -e $D/kmemleak ]; then
	insmod $KO
	./ket_workload -i 100 >/dev/null
	echo scan >$D/kmemleak
	sleep 6
	echo scan >$D/kmemleak
	noleak() { ! grep -q 'kvm_exit_timing\|ket_' $D/kmemleak; }
	check "kmemleak: nothing of the module's unreferenced" noleak
	grep -B5 -A20 'kvm_exit_timing\|ket_' $D/kmemleak | head -60 | sed 's/^/# /'
	rmmod kvm_exit_timing
fi
check "dmesg free of BUG/WARN/oops" dmesg_clean
[ -s /tmp/bad ] && sed 's/^/# /' /tmp/bad
