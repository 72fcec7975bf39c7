#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded),
# and the whole of make check-kvm-selftests: KVM's own selftests, built
# from linux-source into /ket/kvm-selftests, as a gate.  Every test runs
# three times: without kvm_exit_timing, with it loaded, and with it loaded
# while a reader reads every table and binary stats file and resets them
# in a loop.  A test's result (pass, skip or fail) must be the same all
# three times (see run_all() for the reruns).  TAP lines; one comment
# line per test with its results.  The same on arm64 (check_arm64.sh
# runs it, the module unloaded, with TP, the prefix of its checks'
# names: the KVM mode), its tests aarch64's.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
S=/ket/kvm-selftests


# set_memory_region_test did not end within 5 minutes in the VMX rig
# (Bochs), against seconds under QEMU: not run there.
slow=
[ "$VENDOR" = vmx ] && slow=set_memory_region_test
tests=$(cd $S && find . -type f | sed 's|^\./||' | grep -vx "$slow" | sort)

# TEST LABEL: pass, skip or fail; the log gets the result and the
# guest's seconds as each test ends.
one() {
	local t0=$(cut -d. -f1 /proc/uptime) r
	timeout 300 $S/$1 >/tmp/kst.out 2>&1
	case $? in
	0) r=pass ;;
	4) r=skip ;;	# KSFT_SKIP
	*) r=fail ;;
	esac
	echo "# kvm selftest $1 ($2): $r in $(($(cut -d. -f1 /proc/uptime) - t0)) s" >&2
	echo $r
}

# LABEL [BASE]: one line per test in /tmp/kst.LABEL.  A test whose result
# differs from BASE's runs up to twice more, so that a test that depends
# on timing (rseq_test gave up once under the reader's load) differs only
# if it differs every time; the reruns are logged.
run_all() {
	: >/tmp/kst.$1
	for t in $tests; do
		r=$(one $t $1)
		if [ -n "${2:-}" ]; then
			want=$(awk -v t=$t '$1 == t {print $2}' /tmp/kst.$2)
			for i in 1 2; do
				[ "$r" = "$want" ] && break
				echo "# kvm selftest $t: $r $1, $want $2: run again"
				r=$(one $t $1)
			done
		fi
		echo "$t $r" >>/tmp/kst.$1
	done
}

reader() {
	while :; do
		for f in $D/kvm/*/exit_timing $D/kvm/*/exit_reasons \
			 $D/kvm/*/exit_histogram $D/kvm/*/exit_timing.stats \
			 $D/kvm/*/vcpu*/exit_timing $D/kvm/*/vcpu*/exit_timing.stats; do
			cat "$f" >/dev/null 2>&1
		done
		for f in $D/kvm/*/exit_timing $D/kvm/*/vcpu*/exit_timing; do
			echo c 2>/dev/null >"$f"
		done
	done
}

run_all without
insmod $KO || notok "${TP:-}insmod"
run_all module without
reader &
rd=$!
run_all readers without
kill $rd
wait $rd 2>/dev/null
wait_idle
rmmod kvm_exit_timing || notok "${TP:-}rmmod after the KVM selftests"

paste -d' ' /tmp/kst.without /tmp/kst.module /tmp/kst.readers |
	awk '{print "# kvm selftest " $1 ": " $2 " " $4 " " $6}'
n=$(wc -l </tmp/kst.without)
summary=$(awk '{c[$2]++} END {printf "%d pass, %d skip, %d fail", c["pass"], c["skip"], c["fail"]}' /tmp/kst.without)
check "${TP:-}KVM selftests ($n; without the module: $summary): same results with it loaded" \
	cmp -s /tmp/kst.without /tmp/kst.module
check "${TP:-}KVM selftests: same results with readers and resets running" \
	cmp -s /tmp/kst.without /tmp/kst.readers
