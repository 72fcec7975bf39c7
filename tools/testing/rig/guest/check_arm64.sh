#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check, inside the arm64 rig: KVM at EL2 in the mode the command
# line asks for (kvm-arm.mode=nvhe: nVHE, else VHE), then the module on
# the suite's workload, exit_timing_test and stats_test, exact counts,
# the tool on a known workload (tool.sh), a long-lived VMM (ket_vmm), and
# the module's limits and the lifecycle tests the x86 rigs run (limits,
# cycle, churn, fuzz_input, migrate, memcg, many).  TAP lines,
# each named with the mode.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
if grep -q 'kvm-arm.mode=nvhe' /proc/cmdline; then
	m=nVHE mode=nvhe want="Hyp mode initialized successfully"
else
	m=VHE mode=vhe want="VHE mode initialized successfully"
fi
kvm_up() { dmesg | grep -q "$want" && [ -c /dev/kvm ]; }
check "$m: KVM at EL2 (\"$want\"), /dev/kvm" kvm_up
dmesg -c >/dev/null
ls -p $D/kvm | grep -v / >/tmp/top.before
check "$m: ket_workload runs without the module" ./ket_workload -v 2 -i 100
# Before the module is loaded: each selftest reports a skip with the
# reason and exits KSFT_SKIP (4), never a failure (skips(), tap.sh).
for b in exit_timing_test stats_test; do
	check "$m: $b without the module: 1..0 # SKIP, the reason, exit 4" skips $b
done
# A long-lived VMM (ket_vmm), as in check.sh: one process creates, runs
# and closes VMM VMs (each one vCPU, MMIO stores), without the module,
# then with it, each VM attached before its close: its mappings and RSS
# must end as without the module.  Its line: "vms N maps BEFORE AFTER
# rss_kb BEFORE AFTER dirs_left N".
VMM=500
./ket_vmm -n $VMM >/tmp/vmm.without || notok "$m: ket_vmm without the module"
check "$m: insmod" insmod $KO
check "$m: status: vendor arm64, KVM built in, $mode" \
	[ "$(st vendor) $(st vendor_module) $(st kvm_mode)" = "arm64 builtin $mode" ]

# The final tables of the VM ket_workload announced in file $1.
final() { vm=$(vmof "$1") && wait_idle && ls -d $D/kvm_exit_timing/exited/$vm.* | tail -1; }
# Each vCPU of table $1: entries - 1 == exits, no clock anomaly, nothing
# unaccounted.
invariant() {
	awk '$1 ~ /^vcpu[0-9]+:$/ && $2 == "entries" { n++
		if ($3 - 1 != $5 || $9 != 0 || $11 != 0) bad++ }
		END { exit !(n > 0 && !bad) }' "$1"
}

# One vCPU, reset once attached (-a), then 160 loops of a trapped
# ID_AA64PFR0_EL1 read (SYS64), an MMIO write and an HVC, and a sync (an
# MMIO write too) every 16th: the ready sync's exit completes after the
# reset.  DABT_LOW: the MMIO writes and the stage-2 data faults.
./ket_workload -i 160 -a >/tmp/wl1.out
dir=$(final /tmp/wl1.out)
T=$dir/exit_timing R=$dir/exit_reasons
exact1() { [ "$(col EMULINST $T) $(col HCALL $T) $(col MMIO $T)" = "160 160 171" ] &&
	[ "$(col SYS64 $R) $(col HVC64 $R)" = "160 160" ] &&
	tlb=$(col DTLBVIRT $T)	# no row when none came
	[ "$(col DABT_LOW $R)" = $((171 + ${tlb:-0})) ]; }
check "$m: one vCPU: EMULINST 160 (SYS64), HCALL 160 (HVC64), MMIO 171 (DABT_LOW)" exact1
check "$m: one vCPU: exits == entries - 1, no anomaly, none unaccounted" invariant $T
sed 's/^/# /' $T $R

# Two vCPUs, 100 loops each: 8 syncs each from the ready one on.
./ket_workload -v 2 -i 100 -a >/tmp/wl2.out
dir=$(final /tmp/wl2.out)
T=$dir/exit_timing
exact2() { [ "$(col EMULINST $T) $(col HCALL $T) $(col MMIO $T)" = "200 200 216" ] &&
	for v in 0 1; do
		[ "$(col EMULINST $dir/vcpu$v/exit_timing) $(col MMIO $dir/vcpu$v/exit_timing)" = "100 108" ] || return 1
	done; }
check "$m: two vCPUs: 100 of each per vCPU, 200 in the VM" exact2
check "$m: two vCPUs: exits == entries - 1 on each" invariant $T

# The suite's exact-count tests, with arm64's guests (their TAP lines
# count): SYS64, HVC64, DABT_LOW to userspace and to the vGIC, IABT_LOW
# and DABT_LOW stage-2 faults, WFI on the virtual timer, ICC_SGI1R_EL1,
# BRK64 and signal exits; the EL1 physical timer (DEC) where KVM traps
# it, in nVHE mode only (6.1).  The harness's totals: all of them ran.
./exit_timing_test | tee /tmp/ett.out
if [ $mode = vhe ]; then ett="pass:12 fail:0 xfail:0 xpass:0 skip:1"; else ett="pass:13 fail:0 xfail:0 xpass:0 skip:0"; fi
check "$m: exit_timing_test ran to its end: $ett" grep -qx "# Totals: $ett error:0" /tmp/ett.out

# The binary stats and the device (stats_test; its TAP lines count): the
# layout of KVM's stats format, exact agreement with the tables through
# debugfs and the device, pread at any offset, a reset, an fd that
# outlives its VM, forgetting, the ioctls' ABI and errnos, access by
# proof (a VM's fd, CAP_PERFMON, none), and the charging of stats fds to
# their opener's memory cgroup (cgroup v2, mounted here as in check.sh).
cgroup2
cgroups_before=$(cgroups)
exited_before=$(ls $D/kvm_exit_timing/exited)
kvm_mode=$(stat -c %a /dev/kvm)
./stats_test | tee /tmp/st.out
st_want="pass:11 fail:0 xfail:0 xpass:0 skip:0"
check "$m: stats_test ran to its end: $st_want" grep -qx "# Totals: $st_want error:0" /tmp/st.out
check "$m: stats_test leaves /dev/kvm's mode as it was ($kvm_mode)" [ "$(stat -c %a /dev/kvm)" = "$kvm_mode" ]
# Each VM of the suite is forgotten: exited/ holds what it held before
# (the workloads' VMs above), the cgroups are as they were.
none_kept() { wait_idle && [ "$(ls $D/kvm_exit_timing/exited)" = "$exited_before" ]; }
check "$m: the selftests leave exited/ as it was ($(echo $exited_before | wc -w) VMs)" none_kept
check "$m: the selftests leave the cgroups as they were" [ "$(cgroups)" = "$cgroups_before" ]

# The command-line tool on a workload of known counts.
TP="$m: "
. ./tool.sh
# perf kvm stat, the peer, on the same run as the module.
. ./perf_peer.sh
# The module's limits: retain_kb, allocation failure, open files
# holding it (limits.sh, as in the x86 rigs); it leaves the module
# unloaded.
. ./limits.sh
check "$m: insmod after the limits" insmod $KO

# The long-lived VMM again, the module loaded (vmm.sh).
. ./vmm.sh
# What check.sh does with the vendor module (kvm_amd, kvm_intel): unload
# it once a VM's process has exited, reload it, and run the suite again
# under shadow paging (npt=0, ept=0).
ok "$m: VM destroyed by its process's exit, KVM's module unloaded and reloaded # SKIP arm64's KVM is built in (CONFIG_KVM=y): no vendor module, and no shadow paging (stage 2 always on)"

# KVM makes no vCPU directories on arm64: the module makes vcpu<N>/ in
# KVM's VM directory.  Removed while a VM runs, the module leaves it
# empty (KVM removes it with the VM); loaded again, it attaches the
# running VM and its files are back in it.
./ket_workload -s 20 >/tmp/wl3.out &
wl=$!
sleep 1
vm=$(vmof /tmp/wl3.out)
check "$m: a running VM's vcpu0/ made, its tables in it" settle [ -e $D/kvm/$vm/vcpu0/exit_timing ]
check "$m: rmmod while the VM runs" rmmod kvm_exit_timing
left_empty() { [ -d $D/kvm/$vm/vcpu0 ] && [ -z "$(ls $D/kvm/$vm/vcpu0)" ]; }
check "$m: vcpu0/ left empty" left_empty
check "$m: the VM runs on" kill -0 $wl
insmod $KO
check "$m: loaded again: the running VM attached, vcpu0/ found" settle [ -e $D/kvm/$vm/vcpu0/exit_timing ]
kill $wl
wait $wl
check "$m: VM gone: its directory with it" settle [ ! -e $D/kvm/$vm ]
check "$m: rmmod" rmmod kvm_exit_timing

# The lifecycle tests of check.sh, each with the module unloaded, its
# TAP lines named with the mode.
life() { sh "$@" | sed -e "s/^ok - /ok - $m: /" -e "s/^not ok - /not ok - $m: /"; }
# insmod/rmmod 100 times under a running VM and a reader.
life ./cycle.sh 100
# VMs created and destroyed, two at a time, a reader walking every
# table; no state leaks.  500, as in the VMX rig: 2000 took two
# minutes a mode here.
life ./churn.sh 500
# Bad input at random, on the files and the device.
life ./fuzz_input.sh 10
# vCPU threads moved between the rig's two CPUs while they run; 100000
# loops, which take as long as the SVM rig's 10000.
life ./migrate.sh 100000
# A VM's states charged to its memory cgroup, and attaches at its
# limit (memcg.sh).
life ./memcg.sh
# One VM of 64 vCPUs, a reader walking every table.
life ./many.sh
ls -p $D/kvm | grep -v / >/tmp/top.after
check "$m: nothing added at the top of debugfs/kvm" cmp -s /tmp/top.before /tmp/top.after
# --- KVM's own aarch64 selftests as a gate, the module unloaded: the
# same results without it, with it loaded, and under readers
# (kvm_selftests.sh, as on x86).
TP="$m: " sh ./kvm_selftests.sh
# --- end of KVM's own aarch64 selftests.
check "$m: dmesg free of BUG/WARN/oops" dmesg_clean
[ -s /tmp/bad ] && sed 's/^/# /' /tmp/bad
# make check counts this script as run only with this line: a script
# that stops early (a shell error) would otherwise lose its checks.
echo "KET-ARM64-END"
exit 0
