#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check, inside the rig: selftests and lifecycle tests, TAP lines.
KO=/ket/kvm_exit_timing.ko
D=/sys/kernel/debug

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1${2:+ # $2}"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }

dmesg_clean() {
	! dmesg | grep -E 'BUG|WARNING|Oops|general protection|scheduling while atomic|rcu.*stall|lockdep|UBSAN|KASAN' >/tmp/bad
}

ls -p $D/kvm | grep -v / >/tmp/top.before
insmod $KO || notok "insmod"
check "status file" grep -q '^vendor svm$' $D/kvm_exit_timing/status

./exit_timing_test
./stats_test

# Again under shadow paging: the ITLBREAL/DTLBREAL test runs, and the
# others still hold.
idle() { grep -q '^vms_attached 0$' $D/kvm_exit_timing/status; }
wait_idle() { for i in $(seq 30); do idle && return; sleep 0.2; done; }
wait_idle	# the module's references go within half a second
rmmod kvm_amd && insmod /modules/kvm-amd.ko npt=0 &&
	grep -q N /sys/module/kvm_amd/parameters/npt || notok "kvm_amd npt=0"
./exit_timing_test
rmmod kvm_amd && insmod /modules/kvm-amd.ko || notok "kvm_amd reload"

# The final tables of the last 16 VMs, no more.
for i in $(seq 18); do ./ket_workload -i 16 >/dev/null; done
sleep 2
kept() { [ "$(ls $D/kvm_exit_timing/exited | wc -l)" = 16 ] &&
	grep -q '^vms_exited_kept 16$' $D/kvm_exit_timing/status &&
	grep -q '^vms_attached 0$' $D/kvm_exit_timing/status; }
check "the last 16 exited VMs are kept, no VM held" kept

# A VM already running when the module is loaded is picked up.
rmmod kvm_exit_timing
./ket_workload -s 6 >/tmp/wl.out &
wl=$!
sleep 1
insmod $KO
sleep 2
vm=$(sed -n 's/ket_workload: pid \([0-9]*\) vm_fd \([0-9]*\).*/\1-\2/p' /tmp/wl.out)
attached() {
	c=$(awk '$1=="cpuid"{print $2}' $D/kvm/$vm/exit_reasons)
	[ -n "$c" ] && [ "$c" -gt 0 ]
}
check "attach to a running VM after insmod" attached
ls -p $D/kvm | grep -v / >/tmp/top.after
check "nothing added at the top of debugfs/kvm" cmp -s /tmp/top.before /tmp/top.after
# Removal while it runs: the VM goes on.
check "rmmod while a VM runs" rmmod kvm_exit_timing
check "the VM outlives rmmod" kill -0 $wl
check "workload exits cleanly after rmmod" wait $wl
check "dmesg free of BUG/WARN/oops" dmesg_clean
[ -s /tmp/bad ] && cat /tmp/bad
