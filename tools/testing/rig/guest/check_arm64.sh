#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check, inside the arm64 rig: KVM at EL2 in the mode the command
# line asks for (kvm-arm.mode=nvhe: nVHE, else VHE), then the module on
# the suite's workload and exit_timing_test, exact counts, and the tool
# on a known workload (tool.sh).  TAP lines.
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
check "$m: ket_workload runs without the module" ./ket_workload -v 2 -i 100
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

# The command-line tool on a workload of known counts.
TP="$m: "
. ./tool.sh

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
check "$m: dmesg free of BUG/WARN/oops" dmesg_clean
[ -s /tmp/bad ] && sed 's/^/# /' /tmp/bad
# make check counts this script as run only with this line: a script
# that stops early (a shell error) would otherwise lose its checks.
echo "KET-ARM64-END"
exit 0
