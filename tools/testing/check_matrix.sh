#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-matrix: make check on every kernel of tools/testing/kernels.sh
# in turn (6.1, 6.1-rt, 6.12, sid).  Each run's output is kept in
# build/matrix/NAME.log, its rigs' consoles in NAME-rig-svm.log and
# NAME-rig-vmx.log; the totals
# end with "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
logs=$top/build/matrix
pass=0
fail=0
mkdir -p "$logs"
for k in $("$top/tools/testing/kernels.sh" list); do
	start=$(date +%s)
	KERNEL=$k "$top/tools/testing/check.sh" check >"$logs/$k.log" 2>&1
	rc=$?
	for v in svm vmx; do
		cp "$top/build/rig-$v.log" "$logs/$k-rig-$v.log" 2>/dev/null
	done
	last=$(tail -1 "$logs/$k.log")
	p=0 f=1
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
	fi
	[ $rc = 0 ] || [ "$f" != 0 ] || f=1
	pass=$((pass + p))
	fail=$((fail + f))
	grep -E '^not ok' "$logs/$k.log"
	echo "$([ "$f" = 0 ] && echo ok || echo not ok) - KERNEL=$k" \
		"($(grep -o 'for [^ ]* with W=1' "$logs/$k.log" | cut -d' ' -f2)):" \
		"$p passed, $f failed, $(($(date +%s) - start)) s"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
