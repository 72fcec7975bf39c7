#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-host: on a real KVM host (/dev/kvm, root), the exit loops of
# make bench run directly, timed by the guest's TSC: cycles per exit round
# trip with the module unloaded, then loaded, paired in one run, median of
# the rounds.  One vCPU only: ket_bench's figure for several vCPUs holds
# on a CPU they take turns on (make bench's rig), not on a host where
# they run in parallel.  Needs the module and ket_bench built (make check's build,
# or: make && make -C tools/testing/selftests/kvm_exit_timing KSRC=...).
#
#   bench_host.sh MODULE KET_BENCH [ROUNDS]
set -euo pipefail
ko=$1
bench=$2
rounds=${3:-11}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

[ -c /dev/kvm ] || { echo "bench-host: no /dev/kvm: not a KVM host" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench-host: run as root (it loads the module)" >&2; exit 1; }
if grep -q '^kvm_exit_timing ' /proc/modules; then
	rmmod kvm_exit_timing
fi
loops() {
	for w in cpuid pio mmio mixed; do
		"$bench" -w "$w" -n 20000 -r "$rounds" | sed "s/^/KET-BENCH $1 /" >>"$log"
	done
}
loops baseline
insmod "$ko"
loops module
rmmod kvm_exit_timing

echo "cycles per exit round trip (TSC), median of $rounds rounds:"
/usr/bin/python3 "$here/bench_table.py" "$log" /dev/null --host | sed 's/instr\/exit/cycles\/exit/' |
	grep -v '^#'
