#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# insmod and rmmod, CYCLES times, while a VM runs and a reader keeps
# opening, reading and closing its tables and binary stats.  rmmod fails
# with EBUSY while the reader holds a file (tested apart in check.sh) and
# is retried.  The VM must run on through every cycle, and be attached and
# counted after the last insmod.  Every tenth cycle also holds a table, a
# binary stats file and the device open across an rmmod: the rmmod must
# be refused, the files must read on, and it must go once they close.
# TAP lines.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
CYCLES=${1:-100}


./ket_workload -s 600 >/tmp/cycle-wl.out &
wl=$!
sleep 1
vm=$(vmof /tmp/cycle-wl.out)
(while :; do
	for f in $D/kvm/$vm/exit_timing $D/kvm/$vm/exit_reasons \
		 $D/kvm/$vm/exit_timing.stats $D/kvm/$vm/vcpu0/exit_timing \
		 $D/kvm_exit_timing/status; do
		cat "$f" >/dev/null 2>&1
	done
done) &
reader=$!

# rmmod, retried while the reader holds a file open (up to 10 s).
unload() {
	for i in $(seq 200); do
		rmmod kvm_exit_timing 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# Holds three files open across an rmmod, once the VM is attached.
held_bad=0
held() {
	f=$D/kvm/$vm/exit_timing
	settle [ -e "$f" ]
	exec 3<"$f" 4<"$D/kvm/$vm/exit_timing.stats" 5</dev/kvm_exit_timing || return 1
	rmmod kvm_exit_timing 2>/dev/null && return 1
	grep -q '^kvm_exit_timing ' /proc/modules &&
		head -1 <&3 | grep -q '^type ' &&
		[ "$(head -c 4 <&4 | wc -c)" = 4 ] || return 1
	exec 3<&- 4<&- 5<&-
}
done_cycles=0
held_cycles=0
for c in $(seq "$CYCLES"); do
	insmod $KO || break
	if [ $((c % 10)) = 5 ]; then
		held || held_bad=$((held_bad + 1))
		exec 3<&- 4<&- 5<&-
		held_cycles=$((held_cycles + 1))
	fi
	# Half the cycles unload at once, half once the VM is attached.
	[ $((c % 2)) = 0 ] && sleep 0.3
	unload || break
	kill -0 $wl || break
	done_cycles=$c
done
check "insmod/rmmod $CYCLES times under a running VM and a reader" \
	[ "$done_cycles" = "$CYCLES" ]
[ "$done_cycles" = "$CYCLES" ] || echo "# stopped after $done_cycles cycles"
check "the VM ran through every cycle" kill -0 $wl
check "rmmod refused while $held_cycles cycles held 3 files open; they read on" \
	[ "$held_bad" = 0 ] && [ "$held_cycles" = $((CYCLES / 10)) ]

insmod $KO
counted() {
	for i in $(seq 50); do
		c=$(awk -v r=$R_CPUID '$1==r{print $2}' $D/kvm/$vm/exit_reasons 2>/dev/null)
		[ -n "$c" ] && [ "$c" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}
check "after the last insmod the VM is attached and counted" counted
kill $reader
wait $reader 2>/dev/null
kill $wl
wait $wl 2>/dev/null
check "rmmod after the cycles" unload
