#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# a VM of 2 vCPUs whose threads are moved between the rig's two CPUs
# every 20 ms while they run, so that exits and entries are stamped on
# different CPUs: counts exact, per vCPU exits == entries - 1, and no
# negative or absurd duration (clock_anomalies 0, no exit over 1 s).
. ./tap.sh
T=./kvm-exit-timing
# Loops per vCPU: 10000 unless told (the arm64 rig runs them ten times
# faster than the SVM rig, and asks for 100000).
I=${1:-10000}


# The VMX rig has one CPU (Bochs runs two 2-3 times slower); the SVM
# and arm64 rigs have two.
if [ "$(nproc)" -lt 2 ]; then
	ok "migration between CPUs # SKIP one CPU"
	exit 0
fi
insmod /ket/kvm_exit_timing.ko || notok "insmod"
./ket_workload -v 2 -i $I -a >/tmp/mg.out &
wl=$!
moves=0
while kill -0 $wl 2>/dev/null; do
	for t in /proc/$wl/task/*; do
		taskset -p $((1 << (moves % 2))) "${t##*/}" >/dev/null 2>&1
	done
	moves=$((moves + 1))
	usleep 20000
done
wait $wl
rc=$?
pid=$(sed -n 's/ket_workload: pid \([0-9]*\).*/\1/p' /tmp/mg.out)
wait_idle
check "migration: 2 vCPUs moved between CPUs $moves times ran" [ $rc = 0 ] && [ $moves -gt 10 ]
# EMULINST: one per loop; WL_SYNC (PIO; MMIO on arm64): one per loop and
# the syncs from the ready one on (tap.sh).
sync=$((I + (I + 15) / 16 + 1))
bad=""
for v in 0 1; do
	$T report --vm "$pid" --vcpu $v >/tmp/mgv
	$T report --vm "$pid" --vcpu $v --json >/tmp/mgj
	entries=$(sed -n 's/.*"entries":\([0-9]*\),.*/\1/p' /tmp/mgj)
	exits=$(sed -n 's/.*"exits":\([0-9]*\),.*/\1/p' /tmp/mgj)
	anomalies=$(sed -n 's/.*"anomalies":\([0-9]*\),.*/\1/p' /tmp/mgj)
	maxns=$(grep -o '"max_ns":[0-9]*' /tmp/mgj | cut -d: -f2 | sort -n | tail -1)
	[ "$(col EMULINST /tmp/mgv)" = $I ] && [ "$(col $WL_SYNC /tmp/mgv)" = $sync ] &&
		[ -n "$exits" ] && [ "$exits" = $((entries - 1)) ] &&
		[ "$anomalies" = 0 ] && [ -n "$maxns" ] && [ "$maxns" -lt 1000000000 ] ||
		bad="$bad $v"
done
check "migration: counts exact, exits == entries - 1, no clock anomaly, no exit over 1 s" [ -z "$bad" ]
[ -z "$bad" ] || { echo "# vCPUs off:$bad"; sed 's/^/# /' /tmp/mgv /tmp/mgj | head -20; }
check "migration: rmmod" rmmod kvm_exit_timing
