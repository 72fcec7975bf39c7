#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The accounting hot path, counted in instructions by callgrind: the
# module's own ket_acct/ket_row/ket_exits code, built for the host by
# tools/testing/selftests/kvm_exit_timing/unit (ket_hot_bench.c), one call
# of ket_hot_exit() per exit.  Deterministic; fails past the budget, so a
# regression shows without booting a VM.
#
#   hot_path_check.sh BENCH_BINARY
set -uo pipefail

# Instructions per exit allowed; lower it when the hot path gets faster.
BUDGET=${KET_HOT_PATH_BUDGET:-61}

bench=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
said=$(valgrind --tool=callgrind --toggle-collect=ket_hot_exit \
	--callgrind-out-file="$out" "$bench" 2>/dev/null) || {
	echo "not ok - hot path: $bench under callgrind failed"
	exit 0
}
ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out")
exits=$(echo "$said" | sed -n 's/^ket_hot_bench: \([0-9]*\) exits.*/\1/p')
per=$(( (ir + exits / 2) / exits ))
if [ "$per" -le "$BUDGET" ]; then
	echo "ok - hot path: $per instructions per exit (callgrind, budget $BUDGET)"
else
	echo "not ok - hot path: $per instructions per exit, over the budget of $BUDGET"
fi
