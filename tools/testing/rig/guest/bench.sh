#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the rig (-smp 1 -icount): every exit loop under each
# way of watching it.  KET-BENCH lines for the host's table; KET-COUNT
# lines say whether the module accounted every exit.
N=${KET_BENCH_N:-2000}
R=3
W="cpuid pio mmio mixed"
T=/sys/kernel/tracing
D=/sys/kernel/debug

loops() {	# CONFIG
	for w in $W; do
		./ket_bench -w "$w" -n "$N" -r $R >/tmp/b.out || echo "KET-BENCH-FAIL $1 $w"
		sed "s/^/KET-BENCH $1 /" /tmp/b.out
	done
}

loops baseline

insmod /ket/kvm_exit_timing.ko
for w in $W; do
	./ket_bench -w "$w" -n "$N" -r $R >/tmp/b.out
	sed "s/^/KET-BENCH module /" /tmp/b.out
	# Every exit of the measured rounds is accounted, none lost.
	pid=$(sed -n '1s/ket_bench: pid \([0-9]*\).*/\1/p' /tmp/b.out)
	sleep 1
	./kvm-exit-timing report --vm "$pid" --reasons >/tmp/rep
	for r in cpuid io npf; do
		echo "KET-COUNT $w $r $(awk -v r=$r '$1==r{print $2}' /tmp/rep)"
	done
done
echo "KET-COUNT lost $(sed -n 's/^lost_exits //p' $D/kvm_exit_timing/status)"
echo "KET-MEM module $(sed -n 's/^kvm_exit_timing \([0-9]*\).*/\1/p' /proc/modules)"
echo "KET-MEM vcpu $(sed -n 's/^vcpu_state_bytes //p' $D/kvm_exit_timing/status)"
echo "KET-MEM vm $(sed -n 's/^vm_state_bytes //p' $D/kvm_exit_timing/status)"
rmmod kvm_exit_timing

# The floor of any tracepoint consumer: the events on, nobody reading.
mount -t tracefs nodev $T
echo 1 >$T/events/kvm/kvm_entry/enable
echo 1 >$T/events/kvm/kvm_exit/enable
loops ftrace
echo 0 >$T/events/kvm/kvm_entry/enable
echo 0 >$T/events/kvm/kvm_exit/enable
