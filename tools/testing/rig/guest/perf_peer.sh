# SPDX-License-Identifier: GPL-2.0
# Sourced by check_arm64.sh, with the module loaded: perf kvm stat, the
# peer (Debian's arm64 linux-perf, put in the rig by rig.sh's
# RIG_BINS_ROOT, naming arm64's exits as the module does), records a run
# of ket_workload (two vCPUs, 100 loops each) that the module times too.
# perf counts every kvm_exit of the process; the module, reset once each
# vCPU is attached (-a), the exits from the ready sync on, which are all
# of the loops'.  So, exactly: SYS64 and HVC64, which only the loops
# make, 200 each in both; and no reason fewer in perf than in the
# module.  (Without the reset the module would miss what came before
# its attach: the first run missed 17 exits, a SYS64 among them.)  TP:
# the prefix of each check's name.
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
perf kvm stat record -o /tmp/perf.data ./ket_workload -v 2 -i 100 -a >/tmp/wlp.out 2>/tmp/perf.err
rc=$?
vm=$(vmof /tmp/wlp.out)
wait_idle
pd=$(ls -d $D/kvm_exit_timing/exited/$vm.* 2>/dev/null | tail -1)
perf kvm -i /tmp/perf.data stat report >/tmp/perf.rep 2>&1 || rc=1
# "NAME COUNT" lines: perf's report rows (name, samples, samples%, ...)
# and the module's exit_reasons but TIMEINGUEST.
awk 'NF >= 7 && $2 ~ /^[0-9]+$/ && $3 ~ /%$/ {print $1, $2}' /tmp/perf.rep >/tmp/perf.counts
awk 'NR > 1 && NF >= 2 && $2 ~ /^[0-9]+$/ && $1 != "TIMEINGUEST" {print $1, $2}' \
	"$pd/exit_reasons" >/tmp/ket.counts
# The count of reason $1 in file $2, 0 if it has no row.
n_of() { awk -v r="$1" '$1 == r {n = $2} END {print n + 0}' "$2"; }
peer_loops() { [ $rc = 0 ] && for r in SYS64 HVC64; do
	[ "$(n_of $r /tmp/perf.counts)" = 200 ] && [ "$(n_of $r /tmp/ket.counts)" = 200 ] || return 1
	done; }
check "${TP}perf kvm stat and the module: SYS64 200 and HVC64 200 in both" peer_loops
peer_rows() { [ -s /tmp/perf.counts ] && while read -r r n; do
	[ "$n" -le "$(n_of "$r" /tmp/perf.counts)" ] || return 1
	done </tmp/ket.counts; }
check "${TP}perf kvm stat: no reason fewer than in the module" peer_rows
sed 's/^/# /' /tmp/ket.counts
sed -n 's/^ *\([A-Z]\)/# perf: \1/p' /tmp/perf.rep | head -20
