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
# reason and exits KSFT_SKIP (4), never a failure.
skips() {
	./$1 >/tmp/skip.out
	[ $? = 4 ] && grep -qx '1..0 # SKIP module kvm_exit_timing not loaded' /tmp/skip.out &&
		! grep -q 'not ok' /tmp/skip.out
}
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
mkdir -p /sys/fs/cgroup
grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
cgroups() { cat /sys/fs/cgroup/cgroup.subtree_control; ls /sys/fs/cgroup; }
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

./ket_vmm -n $VMM -a >/tmp/vmm.with || notok "ket_vmm with the module"
# Its mappings' and RSS's growth, and the directories left; "- - -" if
# the run printed no such line.
grew() { awk '$1 == "vms" && NF == 10 { print $5 - $4, $8 - $7, $10; n++ }
	END { if (n != 1) print "- - -" }' "$1"; }
set -- $(grew /tmp/vmm.without) $(grew /tmp/vmm.with)
check "long-lived VMM: $VMM VMs without the module: mappings +$1, RSS +$2 KiB" [ "$1" = 0 ]
check "long-lived VMM: $VMM VMs attached and closed: KVM's directory of each gone at its close ($6 left)" \
	[ "$6" = 0 ]
check "long-lived VMM: mappings +$4, as without the module" [ "$4" = "$1" ]
near() { [ "$1" != - ] && [ "$2" != - ] && [ $(($1 - $2)) -le 64 ] && [ $(($2 - $1)) -le 64 ]; }
check "long-lived VMM: RSS +$5 KiB, without the module +$2 KiB (64 KiB allowed)" near "$5" "$2"

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

# The final tables of exited VMs, as many bytes as retain_kb, no more:
# set to 16.5 one-vCPU VMs' worth, the last 16 VMs exactly.
R=/sys/module/kvm_exit_timing/parameters/retain_kb
check "retain_kb: 16384 by default" [ "$(cat $R)" = 16384 ]
per=$(($(st vm_state_bytes) + $(st vcpu_state_bytes)))
echo $(((16 * per + per / 2) / 1024)) >$R
for i in $(seq 18); do ./ket_workload -i 16 -a >/dev/null; done
sleep 2
kept() { [ "$(ls $D/kvm_exit_timing/exited | wc -l)" = 16 ] &&
	[ "$(st vms_exited_kept)" = 16 ] &&
	[ "$(st vms_exited_bytes)" = $((16 * per)) ] && idle; }
check "retain_kb: the last 16 exited VMs ($((16 * per)) bytes) are kept, no VM held" kept
echo 16384 >$R

# The command-line tool on a workload of known counts.
. ./tool.sh

# Allocation failure (the fail_alloc debug parameter): a new vCPU cannot
# attach, its exits are counted as lost and its VM runs on; reads fail
# with ENOMEM; everything recovers once the parameter is cleared.
P=/sys/module/kvm_exit_timing/parameters/fail_alloc
cpuids() { awk -v r=$R_CPUID '$1==r{print $2}' "$D/kvm/$1/exit_reasons"; }
wait_idle
echo 1 >$P
f0=$(st attach_failures)
l0=$(st lost_exits)
# Long enough to outlive the checks below on check-debug's slow kernel;
# killed once they are done.
./ket_workload -s 60 >/tmp/wl4.out &
wl=$!
sleep 3
vm=$(vmof /tmp/wl4.out)
failed() { [ "$(st attach_failures)" -gt "$f0" ] && [ "$(st lost_exits)" -gt "$l0" ] &&
	[ ! -e "$D/kvm/$vm/exit_timing" ] && kill -0 $wl; }
check "fail_alloc: attach fails, exits counted as lost, the VM runs on" failed
kept=$(ls -d $D/kvm_exit_timing/exited/* | tail -1)
enomem() { ! cat "$kept/exit_timing" >/dev/null 2>/tmp/err &&
	grep -q 'Cannot allocate memory' /tmp/err; }
check "fail_alloc: a table read fails with ENOMEM" enomem
toolerr() { ! $T report --exited >/tmp/out 2>/tmp/err && [ ! -s /tmp/out ] &&
	grep -q 'Cannot allocate memory' /tmp/err; }
check "fail_alloc: the tool fails cleanly" toolerr
echo 0 >$P
sleep 3
recovered() { [ -e "$D/kvm/$vm/exit_timing" ] && [ "$(cpuids "$vm")" -gt 0 ] &&
	cat "$kept/exit_timing" >/dev/null; }
check "fail_alloc cleared: the VM attaches and counts, reads work" recovered
kill $wl
wait $wl

# An open stats file, or the device, holds the module: rmmod refuses,
# the file keeps reading; once closed, rmmod works.
./ket_workload -s 60 >/tmp/wl6.out &
wl=$!
sleep 1
vm=$(vmof /tmp/wl6.out)
f=$D/kvm/$vm/exit_timing.stats
settle [ -e "$f" ] || { notok "VM attached" "no $f"; cat $D/kvm_exit_timing/status; f=/dev/null; }
exec 3<"$f"
busy() { ! rmmod kvm_exit_timing 2>/dev/null; }
check "rmmod refused while a stats file is open" busy
check "the open stats file still reads" [ "$(head -c 24 <&3 | wc -c)" = 24 ]
exec 3<&-
exec 4<>/dev/kvm_exit_timing
check "rmmod refused while the device is open" busy
exec 4<&-
check "rmmod once they are closed" rmmod kvm_exit_timing
kill $wl
wait $wl

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
