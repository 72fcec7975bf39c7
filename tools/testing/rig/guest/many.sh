#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# one VM with 64 vCPUs on the rig's two CPUs, every switch between vCPU
# threads a miss of the module's per-CPU cache, while a reader walks
# every table.  Counts must be exact, per vCPU and VM-wide.  TAP lines.
. ./tap.sh
T=./kvm-exit-timing
V=64
I=50


insmod /ket/kvm_exit_timing.ko || notok "insmod"
(while :; do
	cat $D/kvm/*/exit_timing $D/kvm/*/vcpu*/exit_timing \
	    $D/kvm/*/exit_histogram $D/kvm_exit_timing/status >/dev/null 2>&1
done) &
reader=$!
# Per vCPU, once attached and reset (-a): I loops of CPUID, OUT, an MMIO
# write and VMMCALL (arm64: a trapped ID register read, an MMIO write and
# an HVC), a sync (OUT; arm64: an MMIO write) every 16th loop, and the
# ready sync (tap.sh's wl_exact).
./ket_workload -v $V -i $I -a >/tmp/wl.out
rc=$?
kill $reader
wait $reader 2>/dev/null
check "$V vCPUs: the workload ran" [ $rc = 0 ]
pid=$(sed -n 's/ket_workload: pid \([0-9]*\).*/\1/p' /tmp/wl.out)
wait_idle

$T report --vm "$pid" >/tmp/rep
check "$V vCPUs: the VM's counts are exact" wl_exact /tmp/rep $I $V
[ -n "$pid" ] || cat /tmp/wl.out /tmp/rep

bad=""
for v in $(seq 0 $((V - 1))); do
	$T report --vm "$pid" --vcpu "$v" >/tmp/repv
	$T report --vm "$pid" --vcpu "$v" --json >/tmp/jv
	entries=$(sed -n 's/.*"entries":\([0-9]*\),.*/\1/p' /tmp/jv)
	exits=$(sed -n 's/.*"exits":\([0-9]*\),.*/\1/p' /tmp/jv)
	wl_exact /tmp/repv $I && [ -n "$exits" ] && [ "$exits" = $((entries - 1)) ] || bad="$bad $v"
done
check "$V vCPUs: each vCPU's counts are exact, exits == entries - 1" [ -z "$bad" ]
[ -z "$bad" ] || echo "# vCPUs off:$bad"
check "$V vCPUs: nothing lost" grep -q '^lost_exits 0$' $D/kvm_exit_timing/status
check "$V vCPUs: no VM held" idle
check "$V vCPUs: rmmod" rmmod kvm_exit_timing
