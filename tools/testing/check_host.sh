#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check-host: the selftest suite on this machine, a real KVM host
# (AMD or Intel), against its running kernel, through the kernel's own
# kselftest runner.  POSIX sh: the rig runs its second half (busybox).
#
#   check_host.sh          builds, then runs:
#     - the suite, against the KVM selftests library and harness of KSRC
#       (default: build/linux-source, from Debian's linux-source-6.1,
#       installed if missing; its library runs on 6.1 and later kernels),
#       installed as a kselftest collection in build/check-host;
#     - the module, for the running kernel (/lib/modules/$(uname -r)/build),
#       unless kvm_exit_timing is loaded already or the host has no
#       /dev/kvm (then every test skips: nothing to load it for).
#   check_host.sh run DIR [KO]
#     runs the collection installed in DIR (run_kselftest.sh -c
#     kvm_exit_timing, TAP 13); loads KO first if the host has KVM and no
#     kvm_exit_timing is loaded, and removes it after.
#
# Ends with "check-host: N passed, N skipped, N failed", N counting test
# binaries as the runner does (their tests in their TAP lines), and exits
# 1 if one failed.  What it leaves on the host: nothing but the build in
# the checkout (root's) and linux-source-6.1 if it installed it.  A
# module it loaded is removed, interrupted or not; one loaded before is
# left loaded, with none of the suite's VMs under exited/ (each is
# forgotten, KVM_EXIT_TIMING_FORGET, and the two tests that keep theirs
# until they have read them skip if exited/ has no room for it beside the
# others); every VM is closed, every reset is of the suite's own VM, the
# cgroup of the charging test is removed and the root cgroup's
# controllers are left as they were; /dev/kvm is never changed (the
# access test binds a private node in a mount namespace of its own).
set -u

die() { echo "check-host: $*" >&2; exit 1; }

loaded= log=
# On every exit, an interrupted one too: the log removed, and the module
# removed if this run loaded it.
unload() {
	rm -f "$log"
	[ -z "$loaded" ] || rmmod kvm_exit_timing
}

run() {	# DIR [KO]
	dir=$1 ko=${2:-}
	[ -x "$dir/run_kselftest.sh" ] || die "no kselftest install in $dir"
	log=$(mktemp) || die "no temporary file"
	trap unload EXIT
	trap 'exit 130' INT TERM
	if [ -n "$ko" ] && [ -e /dev/kvm ] && [ ! -e /sys/module/kvm_exit_timing ]; then
		if ! insmod "$ko"; then
			grep -qsE '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown &&
				die "insmod $ko failed: the kernel is locked down (Secure Boot?) and loads signed modules only"
			die "insmod $ko failed (see dmesg)"
		fi
		loaded=1
	fi
	# Through a pipe: the runner writes to /dev/stdout, which a file
	# would have reopened at its start.
	"$dir/run_kselftest.sh" -c kvm_exit_timing 2>&1 | tee "$log"
	# The runner's own lines, one per test binary.
	skip=$(grep -cE '^ok [0-9]+ .* # SKIP' "$log")
	pass=$(($(grep -cE '^ok [0-9]+ ' "$log") - skip))
	fail=$(grep -cE '^not ok [0-9]+ ' "$log")
	how="left as it was"
	if [ -n "$loaded" ]; then
		loaded=
		if rmmod kvm_exit_timing; then
			how="removed, as it was not loaded before"
		else
			how="loaded by check-host, and not removed: rmmod failed"
			fail=$((fail + 1))
		fi
	fi
	echo "check-host: kvm_exit_timing $how"
	echo "check-host: $pass passed, $skip skipped, $fail failed"
	[ "$fail" = 0 ] && [ $((pass + skip)) -gt 0 ]
}

build() {
	top=$(cd "$(dirname "$0")/../.." && pwd)
	out=$top/build/check-host
	ksrc=${KSRC:-$top/build/linux-source}
	[ "$(id -u)" = 0 ] || die "needs root, to load the module: sudo make check-host"
	if [ -z "${KSRC:-}" ]; then
		if [ ! -e /usr/src/linux-source-6.1.tar.xz ]; then
			command -v apt-get >/dev/null ||
				die "not Debian: set KSRC to an unpacked kernel source (6.1 or later)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends linux-source-6.1 >/dev/null ||
				die "could not install linux-source-6.1"
		fi
		"$top/tools/testing/rig/rig.sh" ksrc "$ksrc" || exit 1
	fi
	ko=
	if [ -e /dev/kvm ] && [ ! -e /sys/module/kvm_exit_timing ]; then
		make -s -C "$top" KDIR="/lib/modules/$(uname -r)/build" modules ||
			die "the module does not build for $(uname -r)"
		ko=$top/kernel/kvm_exit_timing.ko
	fi
	rm -rf "$out/kselftest_install"
	make -s -C "$top/tools/testing/selftests/kvm_exit_timing" KSRC="$ksrc" \
		OUTPUT="$out" KSFT_INSTALL_PATH="$out/kselftest_install" install ||
		die "the selftests do not build against $ksrc"
	run "$out/kselftest_install" "$ko"
}

case ${1:-} in
run) shift; [ $# -ge 1 ] || die "usage: $0 run DIR [KO]"; run "$@" ;;
'') build ;;
*) die "usage: $0 [run DIR [KO]]" ;;
esac
