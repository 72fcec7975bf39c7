#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: installs what it needs (root, Debian packages), builds, runs
# the host checks and unit tests, then the selftests in each rig VM (SVM
# under QEMU, VMX under Bochs, arm64 under qemu-system-aarch64), and ends
# with "N passed, N failed".  make demo: a rig with a workload.  make
# bench: instructions per exit, in a rig whose time counts instructions.
# VENDOR=svm, vmx or arm64: that rig alone (make check runs the three;
# the others run svm unless told; make demo is x86's).
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

# The tool's machine outputs in a rig's LOG (guest/tool.sh), checked here:
# the JSON report against the schema, the Prometheus text by
# prometheus_client's parser, the recording and its plot (SVG, and the
# PNG rsvg-convert renders; OUT.jsonl, .svg, .png).
tool_outputs() {	# LOG NAME OUT
	local log=$1 name=$2 o=$3
	sed -n 's/^KET-JSON //p' "$log" |
		/usr/bin/python3 "$top/tools/testing/tool_check.py" json report >/dev/null
	result "$name: tool's JSON report valid against the schema" $?
	sed -n 's/^KET-PROM //p' "$log" |
		/usr/bin/python3 "$top/tools/testing/tool_check.py" prometheus >/dev/null
	result "$name: tool's Prometheus output accepted by prometheus_client" $?
	sed -n 's/^KET-REC //p' "$log" >"$o.jsonl"
	/usr/bin/python3 "$top/tools/testing/tool_check.py" json record \
		<"$o.jsonl" >/dev/null &&
		"$out/kvm-exit-timing" plot "$o.jsonl" >"$o.svg" &&
		rsvg-convert "$o.svg" -o "$o.png" &&
		/usr/bin/python3 "$top/tools/testing/tool_check.py" plot \
			"$o.jsonl" "$o.svg" "$o.png" >/dev/null
	result "$name: the recording valid, its plot exact and rendered" $?
}

# The arm64 rig's kernel (kernels.sh 6.1-arm64), and its payload: the
# module, cross-built as kbuild builds it on an arm64 host (the top
# Makefile's KDIR; Kbuild picks the architecture), the suite's programs
# with their arm64 guests, against linux-source-6.1's KVM library, and
# the tool, linked statically with Debian's arm64 json-c.
# Each failure is a failed check, and a64_ok=1: nothing to boot.
arm64_build() {
	local a64 rc m64 pa
	a64=$("$top/tools/testing/kernels.sh" env 6.1-arm64 2>"$out/kernel-arm64.log")
	rc=$?
	result "Debian's arm64 6.1 kernel, headers, busybox and json-c fetched" $rc
	[ $rc = 0 ] || tail -5 "$out/kernel-arm64.log"
	a64_ok=$rc
	# Nothing to build for (its A64_* unset): the failure above says why.
	[ $rc = 0 ] || return 0
	eval "$(sed 's/KET_/A64_/g' <<<"$a64")"
	m64=$out/module-arm64
	rm -rf "$m64"
	mkdir -p "$m64"
	cp -r "$top"/{Kbuild,Kconfig,Makefile,kernel,include} "$m64/"
	find "$m64" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' \) -delete
	make -C "$m64" KDIR="$A64_KDIR" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		W=1 C=2 modules >"$out/module-arm64-build.log" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -qE 'warning|error' "$out/module-arm64-build.log" && rc=1
	[ $rc = 0 ] && [ "$(modinfo -F vermagic "$m64/kernel/kvm_exit_timing.ko" | cut -d' ' -f1)" != "$A64_KVER" ] && rc=1
	result "module builds for $A64_KVER (arm64, cross) with W=1 and sparse, no warnings" $rc
	[ $rc = 0 ] || { tail -20 "$out/module-arm64-build.log"; a64_ok=1; }
	make -s -C "$top/tools/testing/selftests/kvm_exit_timing" KSRC="$ksrc" \
		ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		OUTPUT="$out/selftests-arm64" -j"$(nproc)" >"$out/selftests-arm64-build.log" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -qE 'warning|error' "$out/selftests-arm64-build.log" && rc=1
	result "arm64 build of the suite's programs (exit_timing_test, stats_test, ket_workload, ket_bench, ket_vmm, ket_fuzz_input), no warnings" $rc
	[ $rc = 0 ] || { tail -20 "$out/selftests-arm64-build.log"; a64_ok=1; }
	# The tool's Makefile adds its warnings to CFLAGS from the
	# environment.
	rm -rf "$out/static-arm64"
	mkdir -p "$out/static-arm64"
	CFLAGS="-O2 -g -I$A64_ROOT/usr/include" \
		LDFLAGS="-static -L$A64_ROOT/usr/lib/aarch64-linux-gnu" \
		make -s -C "$top/tools/kvm/kvm-exit-timing" CC=aarch64-linux-gnu-gcc \
		OUTPUT="$out/static-arm64" >"$out/tool-arm64-build.log" 2>&1
	rc=$?
	[ $rc = 0 ] && grep -qE 'warning|error' "$out/tool-arm64-build.log" && rc=1
	[ $rc = 0 ] && ! file "$out/static-arm64/kvm-exit-timing" | grep -q 'ARM aarch64.*statically linked' && rc=1
	result "kvm-exit-timing builds for arm64 (cross, static), no warnings" $rc
	[ $rc = 0 ] || { tail -20 "$out/tool-arm64-build.log"; a64_ok=1; }
	# perf kvm stat, the peer: Debian's arm64 linux-perf and every
	# package it needs, unpacked apart (kernels.sh perf); the rig takes
	# perf and the libraries it loads (rig.sh RIG_BINS_ROOT).
	A64_PERF=$("$top/tools/testing/kernels.sh" perf 6.1-arm64 2>"$out/perf-arm64.log")
	rc=$?
	result "Debian's arm64 linux-perf and its dependencies fetched" $rc
	[ $rc = 0 ] || { tail -5 "$out/perf-arm64.log"; a64_ok=1; }
	pa=$out/payload-arm64
	rm -rf "$pa"
	mkdir -p "$pa"
	# --- KVM's own aarch64 selftests, for kvm_selftests.sh's gate in
	# the arm64 rig (check_arm64.sh), into the payload's kvm-selftests/.
	# KVM's arm64 uapi (linux/kvm.h, asm/kvm.h) is the one the suite's
	# build above made from linux-source (its usr/include), the rest the
	# cross libc's.  The subset: those that pass or skip in the rig, in
	# both modes, without the module, within seconds, and do not depend
	# on timing (arch_timer fails under TCG; debug-exceptions takes 90
	# s, demand_paging_test, dirty_log_perf_test, kvm_page_table_test,
	# memslot_perf_test and rseq_test over 45 s; not built from this
	# source: vgic_init, no tools/include/linux/bitfield.h, and
	# dirty_log_test, no TEST_ASSERT_EQ).
	local kst64=$out/kvm-selftests-arm64 kst64_subset="aarch64/aarch32_id_regs
		aarch64/get-reg-list aarch64/hypercalls aarch64/psci_test
		aarch64/vcpu_width_config aarch64/vgic_irq kvm_binary_stats_test
		kvm_create_max_vcpus set_memory_region_test steal_time"
	rm -rf "$kst64"
	make -s -C "$ksrc/tools/testing/selftests/kvm" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- OUTPUT="$kst64" \
		LINUX_HDR_PATH="$out/selftests-arm64/usr/include/" LDFLAGS=-static \
		-j"$(nproc)" $(for t in $kst64_subset; do echo "$kst64/$t"; done) \
		>"$out/kvm-selftests-arm64-build.log" 2>&1
	rc=$?
	result "KVM selftests for arm64 (the subset) build" $rc
	[ $rc = 0 ] || tail -20 "$out/kvm-selftests-arm64-build.log"
	mkdir -p "$pa/kvm-selftests"
	(cd "$kst64" && find . -type f -perm -u+x ! -path './lib/*' |
		cpio -pdm --quiet "$pa/kvm-selftests")
	# --- end of KVM's own aarch64 selftests.
	# Nothing to boot without them: the failures above say why, and
	# make check still ends with its count.  No x86 program (make
	# bench's RIG_BINS) in it: arm64's perf.
	[ $a64_ok = 0 ] &&
		cp "$m64/kernel/kvm_exit_timing.ko" \
			"$out/selftests-arm64/"{exit_timing_test,stats_test,ket_workload,ket_bench,ket_vmm,ket_fuzz_input} \
			"$out/static-arm64/kvm-exit-timing" "$pa/" &&
		RIG_BINS=usr/bin/perf RIG_BINS_ROOT=$A64_PERF \
		arm64_rig initramfs "$out/rig-arm64.cpio.gz" "$pa" >"$out/rig-arm64-initramfs.log" 2>&1 ||
		{ a64_ok=1; cat "$out/rig-arm64-initramfs.log"; }
}

# rig.sh for the arm64 rig (after arm64_build).
arm64_rig() {
	RIG_VENDOR=arm64 RIG_ROOT=$A64_ROOT RIG_KVER=$A64_KVER "$rig" "$@"
}

if [ "$(id -u)" != 0 ]; then
	echo "make $mode needs root (it installs Debian packages and loads modules in a VM):"
	echo "  sudo make -C $top $mode"
	exit 1
fi
if [ "$mode" = check ]; then
	vendors=${VENDOR:-svm vmx arm64}
else
	vendors=${VENDOR:-svm}
fi
for v in $vendors; do
	case $v in
	svm|vmx) ;;
	arm64) [ "$mode" = check ] || [ "$mode" = bench ] ||
		{ echo "make $mode: the svm and vmx rigs only (VENDOR=arm64 is make check's and make bench's)"; exit 2; } ;;
	*) echo "VENDOR is svm, vmx, arm64 or a list of them (\"svm vmx\"), not '$v'"; exit 2 ;;
	esac
done
# The x86 rigs; the arm64 rig has its own build (arm64_build, below).
x86_vendors=$(echo $vendors | tr ' ' '\n' | grep -vx arm64 | tr '\n' ' ')
"$rig" deps || exit 1
ksrc=$out/linux-source
mkdir -p "$out"
"$rig" ksrc "$ksrc" || exit 1

# KERNEL (make check KERNEL=6.12): the kernel the module is built for and
# the rig boots, one of tools/testing/kernels.sh list; the machine's own
# 6.1 by default.  Its image and headers are fetched and cached.
kernel=${KERNEL:-6.1}
kenv=$("$top/tools/testing/kernels.sh" env "$kernel") || exit 1
eval "$kenv"
kver=$KET_KVER
export RIG_ROOT=$KET_ROOT RIG_KVER=$KET_KVER

# Module: W=1 and sparse, zero warnings.  The machine's kernel builds in
# the tree, as a developer would; another kernel in a copy of the
# module's sources, so that the tree's objects stay those of the first.
if [ "$kernel" = 6.1 ]; then
	modtree=$top
	# M=kernel, not the top: Kbuild's clean deletes every *.ko and *.o
	# under M, build/kernels' unpacked and built kernels included.
	make -s -C "$KET_KDIR" M="$top/kernel" clean >"$out/module-clean.log" 2>&1
	rc=$?
	[ -z "$(find "$top/kernel" -name '*.o' -o -name '*.ko' | head -1)" ] || rc=1
	[ "$mode" = check ] && result "kbuild's clean of the module (make clean's), nothing left" $rc
	[ $rc = 0 ] || cat "$out/module-clean.log"
	make -C "$top" KDIR="$KET_KDIR" W=1 C=2 >"$out/module-build.log" 2>&1
else
	modtree=$out/module-$kernel
	rm -rf "$modtree"
	mkdir -p "$modtree"
	cp -r "$top"/{Kbuild,Kconfig,Makefile,dkms.conf,kernel,include} "$modtree/"
	find "$modtree" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' \) -delete
	"$top/tools/testing/kernels.sh" make "$kernel" "$modtree" W=1 C=2 \
		modules >"$out/module-build.log" 2>&1
fi
rc=$?
[ $rc = 0 ] && grep -qE 'warning|error' "$out/module-build.log" && rc=1
[ "$mode" = check ] &&
	result "module builds for $kver with W=1 and sparse, no warnings" $rc
[ $rc = 0 ] || { cat "$out/module-build.log"; [ "$mode" != check ] && exit 1; }

# DKMS, in private trees: add, build and install for the same kernel.
if [ "$mode" = check ]; then
	"$top/tools/testing/kernels.sh" dkms "$kernel" >"$out/dkms.log" 2>&1
	rc=$?
	[ $rc = 0 ] && ! grep -q "^installed: .* vermagic: $kver " "$out/dkms.log" && rc=1
	result "dkms add, build and install for $kver" $rc
	[ $rc = 0 ] || tail -30 "$out/dkms.log"
fi

# kbuild's own command, as packagers run it, nothing setting the option:
# in a copy of the sources, so that the tree's objects stay.  (Not for a
# kernel whose build needs its chroot.)
if [ "$mode" = check ] && [ -z "$KET_CHROOT" ]; then
	kb=$out/kbuild
	rm -rf "$kb"
	mkdir -p "$kb"
	cp -r "$top"/{Kbuild,Kconfig,kernel,include} "$kb/"
	find "$kb" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' \) -delete
	env -u CONFIG_KVM_EXIT_TIMING make -C "$KET_KDIR" M="$kb" modules \
		>"$out/kbuild.log" 2>&1
	rc=$?
	[ -f "$kb/kernel/kvm_exit_timing.ko" ] || rc=1
	result "make -C <headers> M=\$PWD (kbuild's own) builds the module" $rc
	[ $rc = 0 ] || tail -20 "$out/kbuild.log"
fi

make -s -C "$top/tools/testing/selftests/kvm_exit_timing" \
	KSRC="$ksrc" OUTPUT="$out/selftests" -j"$(nproc)" >"$out/selftests-build.log" 2>&1
rc=$?
[ "$mode" = check ] && result "selftests build" $rc
[ $rc = 0 ] || { cat "$out/selftests-build.log"; exit 1; }

# The suite against a newer KVM selftests library and harness as well:
# linux-source-6.12's (its library needs a 6.8 kernel or later, so its
# binaries are the ones the rig runs on 6.12).  The Makefile takes the
# library's files from the source's own Makefile.
sts=selftests st_rig=selftests
if [ "$mode" = check ]; then
	ksrc612=$out/linux-source-6.12
	if ! "$top/tools/testing/kernels.sh" ksrc 6.12 "$ksrc612" >"$out/linux-source-6.12.log" 2>&1; then
		# The mirror, not the code: a skip, with its reason.
		echo "ok - selftests build against linux-source-6.12 # SKIP could not fetch it: $(tail -1 "$out/linux-source-6.12.log")"
	else
		make -s -C "$top/tools/testing/selftests/kvm_exit_timing" KSRC="$ksrc612" \
			OUTPUT="$out/selftests-6.12" -j"$(nproc)" >"$out/selftests-6.12-build.log" 2>&1
		rc=$?
		[ $rc = 0 ] && grep -qE 'warning|error' "$out/selftests-6.12-build.log" && rc=1
		result "selftests build against linux-source-6.12's KVM library and harness, no warnings" $rc
		[ $rc = 0 ] || tail -20 "$out/selftests-6.12-build.log"
		[ $rc = 0 ] && sts="selftests selftests-6.12"
		[ $rc = 0 ] && [ "$kernel" = 6.12 ] && st_rig=selftests-6.12
	fi
	if [ "$kernel" = 6.12 ] && [ "$st_rig" != selftests-6.12 ]; then
		result "the rig on 6.12 runs the selftests built against 6.12's library" 1
	fi
fi

# The selftests as a kselftest target on this host, where they cannot
# run (no /dev/kvm in CI): each binary reports a skip with the reason and
# exits KSFT_SKIP (4), as root and as another user; run_tests, through
# the kernel source's own runner, reports each as "ok ... # SKIP".
if [ "$mode" = check ]; then
	why=
	if [ ! -e /dev/kvm ]; then
		why="/dev/kvm not available: no KVM on this host"
	elif [ ! -e /sys/module/kvm_amd ] && [ ! -e /sys/module/kvm_intel ]; then
		why="needs kvm_amd or kvm_intel (x86 KVM)"
	elif [ ! -e /sys/module/kvm_exit_timing ]; then
		why="module kvm_exit_timing not loaded"
	fi
	# As nobody from a directory nobody may search (a checkout in a
	# home directory may not be); the header exact (no KSFT_TAP_LEVEL).
	# Each build: the KVM library's own checks (6.12's, before main())
	# must not come first.
	unset KSFT_TAP_LEVEL
	nb=$(mktemp -d)
	chmod 755 "$nb"
	for st in $sts; do
		case $st in
		selftests) src=linux-source-6.1 k=$ksrc ;;
		*) src=linux-source-6.12 k=$ksrc612 ;;
		esac
		for b in exit_timing_test stats_test; do
			cp "$out/$st/$b" "$nb/"
			if [ -z "$why" ]; then
				echo "ok - $b ($src) skips where it cannot run # SKIP KVM and the module are here"
				continue
			fi
			"$out/$st/$b" >"$out/skip-$st-$b.out" 2>&1
			rc=$?
			printf 'TAP version 13\n1..0 # SKIP %s\n' "$why" | cmp -s - "$out/skip-$st-$b.out"
			same=$?
			result "$b ($src) on this host: 1..0 # SKIP $why, exit 4" $([ $rc = 4 ] && [ $same = 0 ]; echo $?)
			setpriv --reuid=65534 --regid=65534 --clear-groups "$nb/$b" >"$out/skip-nobody-$st-$b.out" 2>&1
			rc=$?
			printf 'TAP version 13\n1..0 # SKIP needs root: the tables are in debugfs\n' |
				cmp -s - "$out/skip-nobody-$st-$b.out"
			same=$?
			result "$b ($src) as another user: 1..0 # SKIP needs root, exit 4" $([ $rc = 4 ] && [ $same = 0 ]; echo $?)
		done
		[ -n "$why" ] || continue
		# run_tests through that source's own runner.
		rm -rf "$out/kselftest_install"
		make -s -C "$top/tools/testing/selftests/kvm_exit_timing" KSRC="$k" \
			OUTPUT="$out/$st" KSFT_INSTALL_PATH="$out/kselftest_install" \
			run_tests >"$out/run_tests.out" 2>&1
		rc=$?
		result "selftests ($src): make run_tests, the kernel's runner: each ok # SKIP" $([ $rc = 0 ] &&
			[ "$(head -1 "$out/run_tests.out")" = "TAP version 13" ] &&
			grep -qx 'ok 1 selftests: kvm_exit_timing: exit_timing_test # SKIP' "$out/run_tests.out" &&
			grep -qx 'ok 2 selftests: kvm_exit_timing: stats_test # SKIP' "$out/run_tests.out" &&
			! grep -q '^not ok' "$out/run_tests.out" &&
			grep -qx 'timeout=900' "$out/kselftest_install/kvm_exit_timing/settings" &&
			[ -x "$out/kselftest_install/run_kselftest.sh" ]; echo $?)
	done
	rm -rf "$nb"
	# make check-host, the suite on a real KVM host, here where there is
	# none: it builds and every test skips (its run on a KVM host is
	# tested in each rig).  Only without /dev/kvm: on a KVM host it would
	# load the module and run the suite on this machine.
	if [ ! -e /dev/kvm ]; then
		make -s -C "$top" check-host >"$out/check-host.out" 2>&1
		rc=$?
		result "make check-host on this host: each ok # SKIP, \"0 passed, 2 skipped, 0 failed\", exit 0" $([ $rc = 0 ] &&
			grep -qx 'ok 1 selftests: kvm_exit_timing: exit_timing_test # SKIP' "$out/check-host.out" &&
			grep -qx 'ok 2 selftests: kvm_exit_timing: stats_test # SKIP' "$out/check-host.out" &&
			grep -qx "# 1..0 # SKIP $why" "$out/check-host.out" &&
			[ "$(tail -1 "$out/check-host.out")" = "check-host: 0 passed, 2 skipped, 0 failed" ]; echo $?)
	fi
fi

# The tool: for the host tests, and static for the rig.
make -s -C "$top/tools/kvm/kvm-exit-timing" OUTPUT="$out" >"$out/tool-build.log" 2>&1 &&
	mkdir -p "$out/static" &&
	make -s -C "$top/tools/kvm/kvm-exit-timing" OUTPUT="$out/static" \
		LDFLAGS=-static >>"$out/tool-build.log" 2>&1
rc=$?
[ $rc = 0 ] && grep -qE 'warning|error' "$out/tool-build.log" && rc=1
[ "$mode" = check ] && result "kvm-exit-timing builds, no warnings" $rc
[ $rc = 0 ] || { cat "$out/tool-build.log"; exit 1; }

# KVM's own selftests, from linux-source, for kvm_selftests.sh's gate.
# make check: those that pass or skip in the rigs without the module (the
# SVM ones skip in the VMX rig, the VMX ones in the SVM rig) and do not
# depend on timing (kvm_clock_test and svm_nested_soft_inject_test
# fail there, module or not; tsc_msrs_test compares TSC reads, and failed
# once under the reader's load); make check-kvm-selftests: every one that
# builds (make -k: dirty_log_test and steal_time do not link from this
# source).
kst_subset="kvm_binary_stats_test kvm_create_max_vcpus set_memory_region_test
	x86_64/cpuid_test x86_64/emulator_error_test x86_64/fix_hypercall_test
	x86_64/mmio_warning_test x86_64/platform_info_test x86_64/set_sregs_test
	x86_64/smm_test x86_64/state_test x86_64/svm_int_ctl_test
	x86_64/svm_vmcall_test x86_64/sync_regs_test
	x86_64/userspace_io_test x86_64/userspace_msr_exit_test
	x86_64/xapic_state_test x86_64/vmx_apic_access_test
	x86_64/vmx_close_while_nested_test x86_64/vmx_tsc_adjust_test
	x86_64/vmx_set_nested_state_test
	x86_64/vmx_exception_with_invalid_guest_state"
kst=$out/kvm-selftests
rm -rf "$kst"
if [ "$mode" = kvm-selftests ]; then
	make -k -s -C "$ksrc/tools/testing/selftests/kvm" OUTPUT="$kst" \
		LINUX_HDR_PATH=/usr/include/ LDFLAGS=-static -j"$(nproc)" \
		>"$out/kvm-selftests-build.log" 2>&1
	result "KVM selftests: $(find "$kst" -type f -perm -u+x ! -path "$kst/lib/*" | wc -l) built" 0
elif [ "$mode" = check ]; then
	make -s -C "$ksrc/tools/testing/selftests/kvm" OUTPUT="$kst" \
		LINUX_HDR_PATH=/usr/include/ LDFLAGS=-static -j"$(nproc)" \
		$(for t in $kst_subset; do echo "$kst/$t"; done) \
		>"$out/kvm-selftests-build.log" 2>&1
	rc=$?
	result "KVM selftests (the subset) build" $rc
	[ $rc = 0 ] || cat "$out/kvm-selftests-build.log"
fi

payload=$out/payload
rm -rf "$payload"
mkdir -p "$payload"
if [ -d "$kst" ]; then
	mkdir -p "$payload/kvm-selftests"
	(cd "$kst" && find . -type f -perm -u+x ! -path './lib/*' |
		cpio -pdm --quiet "$payload/kvm-selftests")
fi
cp "$modtree/kernel/kvm_exit_timing.ko" "$out/$st_rig/exit_timing_test" \
	"$out/$st_rig/stats_test" "$out/$st_rig/ket_workload" \
	"$out/$st_rig/ket_bench" "$out/$st_rig/ket_fuzz_input" \
	"$out/$st_rig/ket_vmm" \
	"$out/static/kvm-exit-timing" "$top/tools/testing/check_host.sh" \
	"$payload/"
# The suite as make check-host runs it: a kselftest install.
make -s -C "$top/tools/testing/selftests/kvm_exit_timing" \
	KSRC="$([ "$st_rig" = selftests ] && echo "$ksrc" || echo "$ksrc612")" \
	OUTPUT="$out/$st_rig" KSFT_INSTALL_PATH="$payload/kselftest" install || exit 1
# make bench compares with perf kvm stat, bpftrace and a compiled libbpf
# program (tools/testing/bench_bpf), run in the rig.
if [ "$mode" = bench ] && [ -n "$x86_vendors" ]; then
	for p in linux-perf bpftrace libbpf-dev bpftool zlib1g-dev; do
		dpkg -s "$p" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends "$p" >/dev/null
	done
	export RIG_BINS="perf bpftrace"
	make -s -C "$top/tools/testing/bench_bpf" OUTPUT="$out/bench_bpf" \
		>"$out/bench_bpf-build.log" 2>&1 ||
		{ cat "$out/bench_bpf-build.log"; exit 1; }
	cp "$out/bench_bpf/ket_peer" "$payload/"
fi
for v in $x86_vendors; do
	RIG_VENDOR=$v "$rig" initramfs "$out/rig-$v.cpio.gz" "$payload" || exit 1
done

# make bench-host: the same loops on this machine's own KVM, in cycles.
if [ "$mode" = bench-host ]; then
	make -s -C "$top" KDIR="/lib/modules/$(uname -r)/build" modules || exit 1
	exec "$top/tools/testing/bench_host.sh" "$top/kernel/kvm_exit_timing.ko" \
		"$out/selftests/ket_bench"
fi

# make bench: one CPU, and a clock that counts instructions: QEMU's
# -icount shift=0 (SVM, arm64), Bochs' clock sync=none (VMX), so that
# the figures are deterministic, unlike time under emulation.
if [ "$mode" = bench ]; then
	if [[ " $vendors " == *" arm64 "* ]]; then
		[ "$kernel" = 6.1 ] || { echo "make bench: the arm64 rig boots Debian's arm64 6.1, not $kernel"; exit 2; }
		arm64_build >"$out/bench-arm64-build.log"
		[ $a64_ok = 0 ] || { cat "$out/bench-arm64-build.log"; exit 1; }
	fi
	for v in $vendors; do
		if [ $v = arm64 ]; then run=arm64_rig; else run=$rig; fi
		RIG_VENDOR=$v RIG_SMP=1 RIG_QEMU_OPTS="-icount shift=0,sleep=off" \
			"$run" run "$out/rig-$v.cpio.gz" bench "$out/bench-$v.log" 3600 \
			>/dev/null || exit 1
		grep -q KET-BENCH-FAIL "$out/bench-$v.log" &&
			{ grep KET-BENCH-FAIL "$out/bench-$v.log"; exit 1; }
		echo "## $v"
		/usr/bin/python3 "$top/tools/testing/bench_table.py" \
			"$out/bench-$v.log" "$out/bench-$v.json" \
			$([ $v = vmx ] && echo --calibrate) \
			$([ $v = arm64 ] && echo --arm64) || exit 1
	done
	exit 0
fi

# make check-kvm-selftests: the gate alone, on every KVM selftest.
if [ "$mode" = kvm-selftests ]; then
	for v in $vendors; do
		if RIG_VENDOR=$v "$rig" run "$out/rig-$v.cpio.gz" kvm_selftests \
			"$out/kvm-selftests-$v.log" 3600 >/dev/null; then
			grep -E '^(not )?ok |^# ' "$out/kvm-selftests-$v.log"
			tally "$out/kvm-selftests-$v.log"
		else
			tail -40 "$out/kvm-selftests-$v.log"
			result "$v rig VM ran to completion" 1
		fi
	done
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
fi

if [ "$mode" = demo ]; then
	for v in $vendors; do
		RIG_VENDOR=$v "$rig" run "$out/rig-$v.cpio.gz" demo "$out/demo-$v.log" 1200 \
			>/dev/null || exit 1
		sed -n '/^### cat/,/^KET-RIG-DONE/p' "$out/demo-$v.log" |
			grep -v '^KET-RIG-DONE\|^KET-REC '
		sed -n 's/^KET-REC //p' "$out/demo-$v.log" >"$out/demo-$v.jsonl"
		"$out/kvm-exit-timing" plot "$out/demo-$v.jsonl" >"$out/demo-$v.svg" &&
			echo "### kvm-exit-timing plot: $out/demo-$v.svg (recording $out/demo-$v.jsonl)"
	done
	exit 0
fi

# Style: checkpatch --strict over the module and the uapi header.
perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse -f \
	"$top"/kernel/ket*.[ch] "$top"/kernel/arch/*/ket*.[ch] \
	"$top"/include/uapi/linux/*.h >"$out/checkpatch.log" 2>&1
grep -qE ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log"
rc=$([ $? = 0 ] && echo 1 || echo 0)
result "checkpatch --strict clean" "$rc"
[ "$rc" = 0 ] || cat "$out/checkpatch.log"

# Host unit tests of the module's plain-C parts and of the tool's parser;
# they also write the fuzzer's seed, a statistics file of the module's.
make -s -C "$top/tools/testing/selftests/kvm_exit_timing/unit" \
	KSRC="$ksrc" OUTPUT="$out/unit" all >"$out/unit-build.log" 2>&1
rc=$?
result "unit tests build" $rc
rm -rf "$out/seed"
mkdir -p "$out/seed"
if [ $rc = 0 ]; then
	KET_SEED_DIR="$out/seed" "$out/unit/ket_unit_test" 2>&1 |
		tee "$out/unit.log" | grep -E '^(not )?ok '
	tally "$out/unit.log"
	# arm64's tables and classes, on this host (the arm64 rig runs
	# the module itself).
	"$out/unit/ket_arm64_test" 2>&1 |
		tee "$out/unit-arm64.log" | grep -E '^(not )?ok '
	tally "$out/unit-arm64.log"
fi

# The accounting hot path in instructions (callgrind), against its budget.
"$top/tools/testing/hot_path_check.sh" "$out/unit/ket_hot_bench" | tee "$out/hot_path.log"
tally "$out/hot_path.log"

# The tool on the host: exact output, JSON schema, Prometheus parser,
# errors, top in a pseudo-terminal.
"$top/tools/testing/tool_test.sh" "$out/kvm-exit-timing" "$out/seed/svm_vm.stats" \
	>"$out/tool.log" 2>&1
cat "$out/tool.log"
tally "$out/tool.log"

# The stats parser under libFuzzer with ASan and UBSan, for a bounded
# time, from the module's own file.
make -s -C "$top/tools/kvm/kvm-exit-timing" OUTPUT="$out" fuzz \
	>"$out/fuzz.log" 2>&1 &&
	"$out/fuzz_stats" -max_total_time="${KET_FUZZ_SECONDS:-60}" \
		-max_len=200000 -timeout=10 "$out/seed" >>"$out/fuzz.log" 2>&1
rc=$?
result "fuzz the stats parser ${KET_FUZZ_SECONDS:-60}s: no crash, no leak, no UB" $rc
[ $rc = 0 ] || tail -30 "$out/fuzz.log"

# The rigs: selftests and lifecycle tests inside each VM.  The VMX rig
# (Bochs) boots in about 90 s where QEMU takes a few.
for v in $x86_vendors; do
	log=$out/rig-$v.log
	echo "# the $v rig"
	if RIG_VENDOR=$v "$rig" run "$out/rig-$v.cpio.gz" check "$log" \
		"${KET_RIG_TIMEOUT:-2400}" >/dev/null; then
		grep -E '^(not )?ok |^# .*(FAIL|Expected)|^#.*Totals' "$log"
		tally "$log"
		# The tool's machine outputs on the real workload, checked
		# here (none where no VM can run: the RT kernel, see
		# guest/check.sh).
		grep -q '# SKIP every VM test' "$log" || tool_outputs "$log" "$v rig" "$out/rig-$v-rec"
	else
		tail -40 "$log"
		result "$v rig VM ran to completion" 1
	fi
done

# The arm64 rig: Debian's arm64 6.1 (tools/testing/kernels.sh 6.1-arm64)
# under qemu-system-aarch64 at EL2, once with KVM in VHE mode and once in
# nVHE mode (guest/check_arm64.sh).
if [[ " $vendors " == *" arm64 "* ]]; then
	if [ "$kernel" != 6.1 ]; then
		echo "ok - the arm64 rig # SKIP it boots Debian's arm64 6.1, not $kernel"
	else
		arm64_build
		for m in $([ $a64_ok = 0 ] && echo vhe nvhe); do
			log=$out/rig-arm64-$m.log
			echo "# the arm64 rig, $m"
			if RIG_APPEND="$([ $m = nvhe ] && echo kvm-arm.mode=nvhe)" \
				arm64_rig run "$out/rig-arm64.cpio.gz" check_arm64 "$log" 1200 >/dev/null; then
				grep -E '^(not )?ok ' "$log"
				tally "$log"
				grep -qx KET-ARM64-END "$log"
				result "arm64 rig ($m): every check ran" $?
				tool_outputs "$log" "arm64 rig ($m)" "$out/rig-arm64-$m-rec"
			else
				tail -40 "$log"
				result "arm64 rig ($m) VM ran to completion" 1
			fi
		done
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
