#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# bad input at random (ket_fuzz_input), two processes at once for SECONDS
# seconds, on an exited VM's files and on the device: every write fails
# with EINVAL, every failed ioctl with a documented errno, and the VM's
# tables and binary stats are unchanged, byte for byte.  TAP lines.
. ./tap.sh
SECONDS_=${1:-10}


insmod /ket/kvm_exit_timing.ko || notok "insmod"
./ket_workload -i 20 >/tmp/fz.out
vm=$(vmof /tmp/fz.out)
for i in $(seq 50); do
	dir=$(ls -d $D/kvm_exit_timing/exited/$vm.* 2>/dev/null | tail -1)
	[ -n "$dir" ] && break
	sleep 0.1
done
files="exit_timing exit_reasons exit_histogram exit_timing.stats
	vcpu0/exit_timing vcpu0/exit_reasons vcpu0/exit_histogram
	vcpu0/exit_timing.stats"
snap() { for f in $files; do cat "$dir/$f"; done; }
snap >/tmp/fz.before
./ket_fuzz_input -t "$SECONDS_" -s 1 "$dir" >/tmp/fz1 2>&1 &
f1=$!
./ket_fuzz_input -t "$SECONDS_" -s 2 "$dir" >/tmp/fz2 2>&1
r2=$?
wait $f1
r1=$?
sed 's/^/# /' /tmp/fz1 /tmp/fz2 | head -20
check "bad input: ${SECONDS_} s of random writes, reads and ioctls, two at once: the errors expected" \
	[ $r1 = 0 ] && [ $r2 = 0 ] && [ -n "$dir" ]
snap >/tmp/fz.after
check "bad input: the VM's tables and stats unchanged, byte for byte" \
	cmp -s /tmp/fz.before /tmp/fz.after
check "bad input: rmmod" rmmod kvm_exit_timing
