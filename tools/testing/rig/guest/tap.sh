# SPDX-License-Identifier: GPL-2.0
# Sourced by the rig's check scripts: TAP lines and the readers they share.
D=/sys/kernel/debug

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1${2:+ # $2}"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else notok "$name"; fi; }
# Reports, not words: a lockdep kernel says "RCU lockdep checking is
# enabled" at boot; lockdep's reports are WARNINGs; arm64's oops is an
# "Internal error".  /tmp/bad: the first report, with the 60 lines after
# it (its stack).
dmesg_clean() {
	! dmesg | grep -m1 -A60 -E 'BUG|WARNING|Oops|Internal error|general protection|scheduling while atomic|rcu.*stall|INFO: task .* blocked|UBSAN|KASAN' >/tmp/bad
}
# The value of key $1 in the module's status file.
st() { sed -n "s/^$1 //p" $D/kvm_exit_timing/status; }
# The count of row $1 in the table (or tool report) in file $2.
col() { awk -v n="$1" '$1==n{print $2}' "$2"; }
# Runs "$@" until it succeeds, every 0.1 s for up to 5 s.
settle() {
	for i in $(seq 50); do "$@" && return 0; sleep 0.1; done
	return 1
}
# No VM attached: the module has let go of every VM.
idle() { [ "$(st vms_attached)" = 0 ]; }
# Exited VMs move under exited/ by a work item, after a grace period;
# waits up to 6 s.
wait_idle() { for i in $(seq 30); do idle && return 0; sleep 0.2; done; return 1; }
# The "<pid>-<fd>" name of the VM a ket_workload output file announces.
vmof() { sed -n 's/ket_workload: pid \([0-9]*\) vm_fd \([0-9]*\).*/\1-\2/p' "$1"; }
# Before the module is loaded: selftest $1 reports a skip with the
# reason and exits KSFT_SKIP (4), never a failure.
skips() {
	./$1 >/tmp/skip.out
	[ $? = 4 ] && grep -qx '1..0 # SKIP module kvm_exit_timing not loaded' /tmp/skip.out &&
		! grep -q 'not ok' /tmp/skip.out
}
# cgroup v2 at /sys/fs/cgroup, for stats_test's charging test and
# memcg.sh; what of it the suite must leave as it found: the root's
# controllers and its cgroups.
cgroup2() {
	mkdir -p /sys/fs/cgroup
	grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts || mount -t cgroup2 none /sys/fs/cgroup
}
cgroups() { cat /sys/fs/cgroup/cgroup.subtree_control; ls /sys/fs/cgroup; }

# The rig's vendor: its KVM module, that module's file and its paging
# parameter, and the exit_reasons names of its exits (the uapi tables,
# SVM_EXIT_REASONS and VMX_EXIT_REASONS; arm64's ESR classes as perf
# names them): R_CPUID, ket_workload's in-kernel emulated exit.  WL_160:
# the classes of ket_workload -i 160 -a, and their counts (tool.sh).
# ket_workload's loop, per iteration: one exit of each class in WL_LOOP,
# and one of WL_SYNC, the class of its syncs too (PIO, with its OUTs, on
# x86; MMIO, with its MMIO writes, on arm64, which has no port I/O).
if [ "$(uname -m)" = aarch64 ]; then
	VENDOR=arm64	# KVM built in: no vendor module
	R_CPUID=SYS64 R_HCALL=HVC64
	WL_160="EMULINST 160 HCALL 160 MMIO 171"
	WL_LOOP="EMULINST HCALL" WL_SYNC=MMIO
elif grep -qw vmx /proc/cpuinfo; then
	VENDOR=vmx VMOD=kvm_intel VKO=/modules/kvm-intel.ko TDP=ept
	R_CPUID=CPUID R_IO=IO_INSTRUCTION R_HCALL=VMCALL
	WL_160="EMULINST 160 HCALL 160 MMIO 160 PIO 171"
	WL_LOOP="EMULINST HCALL MMIO" WL_SYNC=PIO
else
	VENDOR=svm VMOD=kvm_amd VKO=/modules/kvm-amd.ko TDP=npt
	R_CPUID=cpuid R_IO=io R_HCALL=hypercall
	WL_160="EMULINST 160 HCALL 160 MMIO 160 PIO 171"
	WL_LOOP="EMULINST HCALL MMIO" WL_SYNC=PIO
fi
# Whether report $1 holds exactly the exits of ket_workload -i $2 -a on
# $3 vCPUs (1 if not given): $2 per vCPU of each class in WL_LOOP, and
# in WL_SYNC $2 and the syncs from the ready one on, ($2 + 15) / 16 + 1.
wl_exact() {
	for _c in $WL_LOOP; do
		[ "$(col $_c "$1")" = $((${3:-1} * $2)) ] || return 1
	done
	[ "$(col $WL_SYNC "$1")" = $((${3:-1} * ($2 + ($2 + 15) / 16 + 1))) ]
}
