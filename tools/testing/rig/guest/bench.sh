#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the rig (one CPU; QEMU's -icount, or Bochs' clock
# sync=none): every exit loop under each way of watching it.  KET-BENCH
# lines for the host's table; KET-COUNT lines say whether the module
# accounted every exit.  Under Bochs a tick is about one instruction: the
# calib rounds (loops that do not exit) say how many, for bench_table.py.
# The arm64 rig has Debian's arm64 perf (the perf peer of make check) but
# no bpftrace or libbpf peer: their rounds are left out there.
. ./tap.sh
N=${KET_BENCH_N:-2000}
R=5
V="1 2"		# vCPUs: the rig has one CPU, so two vCPUs take turns on it
# The workloads (ket_bench's), and the exits KET-COUNT counts in them.
if [ "$VENDOR" = arm64 ]; then
	W="sys64 hvc mmio mixed" K="sys64 hvc mmio"
else
	W="cpuid pio mmio mixed" K="cpuid io npf"
fi

# The name ket_bench gives a workload with $2 vCPUs.
label() { if [ "$2" = 1 ]; then echo "$1"; else echo "$1-${2}vcpu"; fi; }
T=/sys/kernel/tracing
D=/sys/kernel/debug

loops() {	# CONFIG
	for v in $V; do
		for w in $W; do
			./ket_bench -w "$w" -n "$N" -r $R -v "$v" >/tmp/b.out ||
				echo "KET-BENCH-FAIL $1 $(label "$w" "$v")"
			sed "s/^/KET-BENCH $1 /" /tmp/b.out
		done
	done
}

loops baseline
if [ "$VENDOR" != arm64 ]; then
	./ket_bench -w calib -n 200 -r $R >/tmp/b.out || echo "KET-BENCH-FAIL baseline calib"
	sed "s/^/KET-BENCH baseline /" /tmp/b.out
fi

insmod /ket/kvm_exit_timing.ko
for v in $V; do
	for w in $W; do
		./ket_bench -w "$w" -n "$N" -r $R -v "$v" >/tmp/b.out
		sed "s/^/KET-BENCH module /" /tmp/b.out
		# Every exit of the measured rounds is accounted, none lost.
		pid=$(sed -n '1s/ket_bench: pid \([0-9]*\).*/\1/p' /tmp/b.out)
		sleep 1
		./kvm-exit-timing report --vm "$pid" --reasons >/tmp/rep
		./kvm-exit-timing report --vm "$pid" >/tmp/cls
		# As SVM names them: VMX's are summed into each.  arm64's
		# MMIO writes are its MMIO class: DABT_LOW also has the
		# stage-2 faults of the VM's first touches.
		for r in $K; do
			t=/tmp/rep
			case $VENDOR-$r in
			vmx-cpuid) rows=CPUID ;;
			vmx-io) rows=IO_INSTRUCTION ;;
			vmx-npf) rows="EPT_VIOLATION EPT_MISCONFIG" ;;
			arm64-sys64) rows=SYS64 ;;
			arm64-hvc) rows=HVC64 ;;
			arm64-mmio) rows=MMIO t=/tmp/cls ;;
			*) rows=$r ;;
			esac
			echo "KET-COUNT $(label "$w" "$v") $r $(awk -v r=" $rows " \
				'index(r, " " $1 " "){n+=$2} END{print n+0}' $t)"
		done
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

# perf kvm stat record around each loop; then the cost of its report
# (task-clock, ns: instructions under -icount) and the events it lost.
if command -v perf >/dev/null; then
	for v in $V; do
		for w in $W; do
			l=$(label "$w" "$v")
			perf kvm stat record -o /tmp/perf.data ./ket_bench -w "$w" -n "$N" -r $R -v "$v" \
				>/tmp/b.out 2>/tmp/perf.err || echo "KET-BENCH-FAIL perf-record $l"
			sed "s/^/KET-BENCH perf-record /" /tmp/b.out
			echo "KET-PERF $l lost $(grep -c -i 'lost' /tmp/perf.err) size $(wc -c </tmp/perf.data)"
			perf stat -x, -e task-clock -o /tmp/stat.out \
				perf kvm -i /tmp/perf.data stat report >/tmp/report.out 2>&1 ||
				echo "KET-BENCH-FAIL perf-report $l"
			echo "KET-PERF $l report_task_clock_ms $(cut -d, -f1 /tmp/stat.out | grep -E '^[0-9.]+$')"
			sed -n '1,12s/^/KET-PERF-REPORT /p' /tmp/report.out
			rm -f /tmp/perf.data
		done
	done
fi

# The strongest peer: a compiled libbpf CO-RE program on the BTF
# tracepoints that keeps per vCPU and reason what the module keeps
# (tools/testing/bench_bpf).  Its own counts go to the log.
# Room for every vCPU the loops create (13), so that none is dropped.
if [ -x ./ket_peer ]; then
	./ket_peer -n 64 >/tmp/peer.out 2>/tmp/peer.err &
	pp=$!
	for i in $(seq 600); do
		grep -q 'attached' /tmp/peer.out && break
		kill -0 $pp 2>/dev/null || break
		sleep 1
	done
	if grep -q 'attached' /tmp/peer.out; then
		./ket_bench -w cpuid -n 500 -r 1 >/dev/null
		loops libbpf
		kill -INT $pp
		wait $pp
		grep -q ' 0 beyond -n' /tmp/peer.err || echo "KET-BENCH-FAIL libbpf dropped vCPUs"
	else
		echo "KET-BENCH-FAIL libbpf attach"
	fi
	sed 's/^/KET-LIBBPF /' /tmp/peer.out /tmp/peer.err | head -40
fi

# A bpftrace script that keeps what the module keeps: per exit reason,
# count, sum and log2 histogram of kvm_exit -> kvm_entry.
if command -v bpftrace >/dev/null; then
	cat >/tmp/ket.bt <<'BT'
tracepoint:kvm:kvm_exit { @start[tid] = nsecs; @reason[tid] = args->exit_reason; }
tracepoint:kvm:kvm_entry /@start[tid]/ {
	$d = nsecs - @start[tid];
	@count[@reason[tid]] = count();
	@sum[@reason[tid]] = sum($d);
	@hist[@reason[tid]] = hist($d);
	delete(@start[tid]);
}
BT
	bpftrace /tmp/ket.bt >/tmp/bt.out 2>&1 &
	bt=$!
	for i in $(seq 600); do
		grep -q Attaching /tmp/bt.out && break
		sleep 1
	done
	# Let it finish attaching, and warm its maps up, before measuring.
	sleep 3
	./ket_bench -w cpuid -n 500 -r 1 >/dev/null
	loops bpftrace
	kill -INT $bt
	# Under Bochs bpftrace's exit did not end in 9 minutes: bounded.
	for i in $(seq 120); do kill -0 $bt 2>/dev/null || break; sleep 1; done
	kill -9 $bt 2>/dev/null
	wait $bt
	echo "KET-BPFTRACE $(head -c 300 /tmp/bt.out | tr '\n' ' ')"
fi
