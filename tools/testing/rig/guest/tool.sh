# SPDX-License-Identifier: GPL-2.0
# Sourced by check.sh and check_arm64.sh, with the module loaded: the
# command-line tool, through the device, on a workload of known counts.
# ket_workload -i 160 -a resets each vCPU's tables once attached, then
# runs 160 loops (tap.sh's WL_160: each class's count); the ready sync's
# exit completes after the reset.  JSON, Prometheus and a recording go to
# the log for the host to validate (KET-JSON, KET-PROM, KET-REC lines).
# TP: the prefix of each check's name.  Leaves T, the tool.
T=./kvm-exit-timing
./ket_workload -i 160 -a >/tmp/wl3.out
pid=$(sed -n 's/ket_workload: pid \([0-9]*\).*/\1/p' /tmp/wl3.out)
wait_idle
$T report --vm "$pid" >/tmp/rep && $T report --vm "$pid" --reasons >/tmp/rea
exact() {
	set -- $WL_160
	while [ $# -ge 2 ]; do
		[ "$(col "$1" /tmp/rep)" = "$2" ] || return 1
		shift 2
	done
	[ "$(col $R_CPUID /tmp/rea)" = 160 ] && [ "$(col $R_HCALL /tmp/rea)" = 160 ]
}
check "${TP}tool: report counts the workload exactly ($WL_160; $R_CPUID 160, $R_HCALL 160)" exact
hist_total() { [ "$($T hist EMULINST --vm "$pid" |
	sed -n 's/^\[.*) *\([0-9][0-9]*\) .*/\1/p' | awk '{n+=$1} END{print n}')" = 160 ]; }
check "${TP}tool: hist holds every EMULINST exit" hist_total
$T report --vm "$pid" --json | sed 's/^/KET-JSON /'
$T report --vm "$pid" --prometheus >/tmp/prom && sed 's/^/KET-PROM /' /tmp/prom
check "${TP}tool: Prometheus count exact" grep -q "^kvm_exit_timing_class_seconds_count{vm=\"$pid-[0-9]*\",pid=\"$pid\",class=\"EMULINST\"} 160\$" /tmp/prom
KVM_EXIT_TIMING_DEBUGFS=$D $T report --vm "$pid" >/tmp/rep.debugfs
# The same rows; only the title's VM name differs (exited/ adds .serial).
tail -n +2 /tmp/rep >/tmp/a
tail -n +2 /tmp/rep.debugfs >/tmp/b
same() { [ -s /tmp/a ] && cmp -s /tmp/a /tmp/b; }
check "${TP}tool: debugfs fallback reads the same figures" same
$T reset --vm "$pid" >/dev/null && $T report --vm "$pid" --json >/tmp/j
check "${TP}tool: reset through the device" grep -q '"exits":0,' /tmp/j
./ket_workload -s 5 >/dev/null &
sleep 1
$T list >/tmp/list
guest() { [ "$(awk -v p=$! '$4==p{print $3}' /tmp/list)" = ket_workload ]; }
check "${TP}tool: a running VM's guest name, its VMM's process name" guest
$T top --interval 0.5 --iterations 3 </dev/null >/tmp/top
tops() { [ "$(grep -c '^--- ' /tmp/top)" = 3 ] && [ "$(awk '$1=="EMULINST" && $2>0' /tmp/top | wc -l)" = 3 ]; }
check "${TP}tool: top, three live intervals" tops
wait

# record over a VM's whole life: its deltas, summed, are its final
# tables, class by class (the VM new in one interval, exited in another;
# what it did before its attach is in neither).
wait_idle
$T record --interval 0.2 --output /tmp/rec.jsonl &
rp=$!
for i in $(seq 100); do [ -s /tmp/rec.jsonl ] && break; sleep 0.1; done
./ket_workload -i 2000 >/tmp/wl5.out
pid5=$(sed -n 's/ket_workload: pid \([0-9]*\).*/\1/p' /tmp/wl5.out)
for i in $(seq 100); do grep -q '"state":"exited"' /tmp/rec.jsonl && break; sleep 0.1; done
kill -TERM $rp
wait $rp
rc=$?
$T report --vm "$pid5" >/tmp/rep5
recorded() { grep -o "\"name\":\"$1\",\"kind\":\"class\",\"count\":[0-9]*" /tmp/rec.jsonl |
	awk -F: '{n += $NF} END {print n + 0}'; }
rec_sums() {
	[ $rc = 0 ] && grep -q '"state":"new"' /tmp/rec.jsonl &&
		grep -q '"state":"exited"' /tmp/rec.jsonl || return 1
	for c in $(echo $WL_160 | awk '{for (i = 1; i < NF; i += 2) print $i}'); do
		[ "$(recorded $c)" = "$(col $c /tmp/rep5)" ] || return 1
	done
	[ "$(col EMULINST /tmp/rep5)" -ge 1000 ]
}
check "${TP}tool: record's deltas over a VM's life sum to its final tables" rec_sums
sed 's/^/KET-REC /' /tmp/rec.jsonl
