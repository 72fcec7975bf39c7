#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: installs what it needs (root, Debian packages), builds, runs
# the host checks and unit tests, then the selftests in the rig VM, and
# ends with "N passed, N failed".  make demo: the rig with a workload.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
rig=$top/tools/testing/rig/rig.sh
out=$top/build
mode=${1:-check}
pass=0
fail=0

result() {	# result NAME OK
	if [ "$2" = 0 ]; then
		echo "ok - $1"
		pass=$((pass + 1))
	else
		echo "not ok - $1"
		fail=$((fail + 1))
	fi
}

# Counts the TAP lines of a log: "ok ..." and "not ok ...".
tally() {
	local p f
	p=$(grep -cE '^ok [0-9]+ |^ok - ' "$1")
	f=$(grep -cE '^not ok ' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
}

if [ "$(id -u)" != 0 ]; then
	echo "make $mode needs root (it installs Debian packages and loads modules in a VM):"
	echo "  sudo make -C $top $mode"
	exit 1
fi
"$rig" deps || exit 1
kver=$("$rig" kver)
kdir=/usr/src/linux-headers-$kver
ksrc=$out/linux-source
mkdir -p "$out"
"$rig" ksrc "$ksrc" || exit 1

# Module: W=1 and sparse, zero warnings.
make -s -C "$kdir" M="$top" clean >/dev/null
make -C "$top" KDIR="$kdir" W=1 C=2 >"$out/module-build.log" 2>&1
rc=$?
[ $rc = 0 ] && grep -qE 'warning|error' "$out/module-build.log" && rc=1
[ "$mode" = check ] && result "module builds with W=1 and sparse, no warnings" $rc
[ $rc = 0 ] || { cat "$out/module-build.log"; [ "$mode" = demo ] && exit 1; }

make -s -C "$top/tools/testing/selftests/kvm_exit_timing" \
	KSRC="$ksrc" OUTPUT="$out/selftests" -j"$(nproc)" >"$out/selftests-build.log" 2>&1
rc=$?
[ "$mode" = check ] && result "selftests build" $rc
[ $rc = 0 ] || { cat "$out/selftests-build.log"; exit 1; }

payload=$out/payload
rm -rf "$payload"
mkdir -p "$payload"
cp "$top/kernel/kvm_exit_timing.ko" "$out/selftests/exit_timing_test" \
	"$out/selftests/stats_test" "$out/selftests/ket_workload" "$payload/"
"$rig" initramfs "$out/rig.cpio.gz" "$payload" || exit 1

if [ "$mode" = demo ]; then
	"$rig" run "$out/rig.cpio.gz" demo "$out/demo.log" 600 >/dev/null || exit 1
	sed -n '/^### cat/,/^KET-RIG-DONE/p' "$out/demo.log" | grep -v '^KET-RIG-DONE'
	exit 0
fi

# Style: checkpatch --strict over the module and the uapi header.
perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse -f \
	"$top"/kernel/ket*.[ch] "$top"/include/uapi/linux/*.h >"$out/checkpatch.log" 2>&1
grep -qE ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log"
rc=$([ $? = 0 ] && echo 1 || echo 0)
result "checkpatch --strict clean" "$rc"
[ "$rc" = 0 ] || cat "$out/checkpatch.log"

# Host unit tests of the module's plain-C parts.
make -s -C "$top/tools/testing/selftests/kvm_exit_timing/unit" \
	KSRC="$ksrc" OUTPUT="$out/unit" >"$out/unit-build.log" 2>&1
rc=$?
result "unit tests build" $rc
if [ $rc = 0 ]; then
	"$out/unit/ket_unit_test" 2>&1 | tee "$out/unit.log" | grep -E '^(not )?ok '
	tally "$out/unit.log"
fi

# The rig: selftests and lifecycle tests inside the VM.
if "$rig" run "$out/rig.cpio.gz" check "$out/rig.log" 1800 >/dev/null; then
	grep -E '^(not )?ok |^# .*(FAIL|Expected)|^#.*Totals' "$out/rig.log"
	tally "$out/rig.log"
else
	tail -40 "$out/rig.log"
	result "rig VM ran to completion" 1
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
