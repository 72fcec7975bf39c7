#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo, inside the rig: a mixed workload, then the tables; the whole
# run recorded (KET-REC lines), for the host to plot.
D=/sys/kernel/debug
insmod /ket/kvm_exit_timing.ko
./kvm-exit-timing record --interval 0.5 --output /tmp/rec.jsonl &
rec=$!
./ket_workload -v 1 -s 8 >/tmp/wl.out &
sleep 6
vm=$(sed -n 's/ket_workload: pid \([0-9]*\) vm_fd \([0-9]*\).*/\1-\2/p' /tmp/wl.out)
for f in exit_timing exit_reasons exit_histogram vcpu0/exit_timing; do
	echo "### cat $D/kvm/$vm/$f"
	cat $D/kvm/$vm/$f
	echo
done
pid=${vm%-*}
for args in "report --vm $pid" "report --vm $pid --reasons --sort count" \
	    "hist EMULINST --vm $pid"; do
	echo "### kvm-exit-timing $args"
	./kvm-exit-timing $args
	echo
done
wait $!
# A second phase, two vCPUs of CPUID and hypercalls only (until killed):
# the picture shows the mix change.
(./ket_workload -v 2 -q & sleep 4; kill $!; wait $!) >/dev/null 2>&1
sleep 1
kill -TERM $rec
wait $rec
sed 's/^/KET-REC /' /tmp/rec.jsonl
