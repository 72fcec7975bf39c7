#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test rigs: Debian's kernel with kvm_exit_timing loaded, running a
# guest script, under one of three emulators (RIG_VENDOR):
#   svm (default)  QEMU TCG, -cpu max: nested SVM, kvm-amd
#   vmx            Bochs, an emulated Skylake-X: VMX with EPT, kvm-intel
#   arm64          qemu-system-aarch64 TCG, -cpu max at EL2: KVM built in
#                  (RIG_ROOT and RIG_KVER: tools/testing/kernels.sh's
#                  6.1-arm64, whose busybox the initramfs takes)
# Everything comes from Debian's packages; see
# Documentation/kvm_exit_timing.rst, "Testing".
#
#   rig.sh deps                  install what the rig needs (root)
#   rig.sh kver                  the rig kernel's version
#   rig.sh ksrc DIR              unpack linux-source into DIR (cached)
#   rig.sh initramfs OUT PAYLOAD build OUT from a payload directory
#   rig.sh run INITRAMFS MODE LOG [TIMEOUT]  boot, run guest/MODE.sh
set -euo pipefail

RIG_PACKAGES="linux-headers-amd64 linux-image-amd64 linux-source-6.1 \
qemu-system-x86 busybox-static cpio xz-utils sparse build-essential \
libelf-dev bc flex bison clang libclang-rt-14-dev python3-jsonschema \
python3-prometheus-client prometheus prometheus-node-exporter valgrind dkms \
bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools \
libjson-c-dev librsvg2-bin python3-pil qemu-system-arm gcc-aarch64-linux-gnu \
libc6-dev-arm64-cross"

vendor=${RIG_VENDOR:-svm}
case $vendor in
svm) vendor_module=kvm-amd ;;
vmx) vendor_module=kvm-intel ;;
arm64) vendor_module= ;;
*) echo "rig: RIG_VENDOR is svm, vmx or arm64, not '$vendor'" >&2; exit 2 ;;
esac

die() { echo "rig: $*" >&2; exit 1; }

cmd_deps() {
	local missing=() p
	for p in $RIG_PACKAGES; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "rig: missing packages; as root run:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The kernel: the newest installed from linux-image-amd64, or another
# unpacked under RIG_ROOT (tools/testing/kernels.sh) with RIG_KVER its
# version.
root_dir=${RIG_ROOT:-}
cmd_kver() {
	local v
	[ -n "${RIG_KVER:-}" ] && { echo "$RIG_KVER"; return; }
	v=$(dpkg-query -W -f='${Depends}' linux-image-amd64 |
		sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')
	[ -n "$v" ] || die "linux-image-amd64 not installed"
	echo "$v"
}

cmd_ksrc() {
	local dir=$1 tarball
	tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null) ||
		die "linux-source-6.1 not installed"
	if [ ! -f "$dir/.unpacked" ] || [ "$tarball" -nt "$dir/.unpacked" ] ||
	   [ ! -d "$dir/arch/arm64/include" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" \
			linux-source-6.1/tools linux-source-6.1/scripts \
			linux-source-6.1/.clang-format linux-source-6.1/include \
			linux-source-6.1/arch/x86/include \
			linux-source-6.1/arch/arm64/include
		touch "$dir/.unpacked"
	fi
}

# The shared libraries that the arm64 ELF file FILE loads, transitively,
# as paths in the tree ROOT, where its loader looks for them; then its
# loader.
a64_needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
a64_libs() {	# ROOT FILE
	local root=$1 file=$2 todo n p seen=" "
	todo=$(a64_needed "$file")
	while [ -n "$todo" ]; do
		set -- $todo
		n=$1
		shift
		todo="$*"
		case $seen in *" $n "*) continue ;; esac
		seen="$seen$n "
		for p in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu ""; do
			[ -n "$p" ] && [ -e "$root/$p/$n" ] && break
		done
		[ -n "$p" ] || die "no $n, which $file needs, in $root"
		echo "$p/$n"
		todo="$todo $(a64_needed "$root/$p/$n")"
	done
	aarch64-linux-gnu-readelf -l "$file" | sed -n 's|.*interpreter: /\(.*\)\]$|\1|p'
}

# RIG_BINS: host programs copied in, with the shared libraries they load
# (make bench's perf and bpftrace).  In the arm64 rig, RIG_BINS_ROOT: a
# tree of arm64 packages (kernels.sh perf 6.1-arm64), RIG_BINS paths in
# it, copied in with what they load, at the same paths.
add_bins() {
	local root=$1 b f
	if [ $vendor = arm64 ]; then
		for b in ${RIG_BINS:-}; do
			for f in "$b" $(a64_libs "$RIG_BINS_ROOT" "$RIG_BINS_ROOT/$b"); do
				(cd "$RIG_BINS_ROOT" && cp -L --parents "$f" "$root")
			done
		done
		return
	fi
	for b in ${RIG_BINS:-}; do
		b=$(command -v "$b") || die "no $b on this machine"
		cp -L --parents "$b" "$root"
		for f in $(ldd "$b" | grep -o '/[^ ]*'); do
			cp -L --parents "$f" "$root"
		done
	done
}

# Copies module NAME from the tree DIR into OUT after the modules it
# depends on (modinfo), each once, and appends it to OUT/order.  Newer
# Debian kernels compress their modules; busybox's insmod loads them
# plain.
add_module() {	# NAME DIR OUT
	local name=$1 dir=$2 out=$3 f dep
	f=$(find "$dir" -name "$name.ko*" -o -name "${name//-/_}.ko*" \
		-o -name "${name//_/-}.ko*" | head -1)
	[ -n "$f" ] || die "no module $name in $dir"
	name=$(basename "${f%%.ko*}")
	grep -qx "$name" "$out/order" 2>/dev/null && return 0
	for dep in $(modinfo -F depends "$f" | tr , ' '); do
		add_module "$dep" "$dir" "$out"
	done
	case $f in
	*.ko.xz) xz -dc "$f" >"$out/$name.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$out/$name.ko" ;;
	*) cp "$f" "$out/$name.ko" ;;
	esac
	echo "$name" >>"$out/order"
}

# PAYLOAD is copied to /ket in the initramfs.
cmd_initramfs() {
	local out=$1 payload=$2 kver root
	kver=$(cmd_kver)
	root=$(mktemp -d)
	trap 'rm -rf "$root"' RETURN
	# mktemp's 0700 would keep every user but root out of the guest's /.
	chmod 755 "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,modules,ket}
	: >"$root/modules/order"
	if [ $vendor = arm64 ]; then
		cp "$root_dir/bin/busybox" "$root/bin/busybox"
	else
		cp /bin/busybox "$root/bin/busybox"
		# The vendor module and the modules it needs, dependencies
		# first, in the order /init loads them (/modules/order).
		add_module $vendor_module "$root_dir/lib/modules/$kver/kernel" "$root/modules"
	fi
	cp "$(dirname "$0")/guest/"* "$root/ket/"
	cp -r "$payload"/. "$root/ket/"
	mv "$root/ket/init" "$root/init"
	add_bins "$root"
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
}

# Boots the rig kernel; the guest runs /ket/MODE.sh and powers off.
# The guest's console goes to LOG and to stdout.
cmd_run() {
	"run_$vendor" "$@"
	grep -q '^KET-RIG-DONE' "$3" || die "guest did not finish"
}

# The kernel's command line in the rigs.
cmdline() {	# MODE
	echo "console=$([ $vendor = arm64 ] && echo ttyAMA0 || echo ttyS0)${1:+,115200}" \
		"panic=-1 quiet loglevel=1 ket.mode=$2 ${RIG_APPEND:-}"
}

# SVM: QEMU.  RIG_SMP (default 2) and RIG_QEMU_OPTS (e.g. -icount)
# change the machine (the VMX rig has neither: one CPU, and its clock
# always counts instructions).
#
# TCG runs the guest's CPUs in one host thread (thread=single), not one
# thread each: with QEMU 7.2's multi-threaded TCG, Debian's 6.1 kernel in
# the rig hangs about one boot in five (its CPUs looping in exc_int3 while
# KVM live-patches a static key) and crashes when two KVM vCPUs run at
# once, with or without kvm_exit_timing loaded; single-threaded, neither
# happened in any run (Documentation/kvm_exit_timing.rst, "Testing").
# tr is line-buffered, so that LOG shows a slow guest's progress as it
# comes, not in 4 KiB blocks.
run_svm() {
	local initrd=$1 mode=$2 log=$3 timeout=${4:-1800} kver
	kver=$(cmd_kver)
	timeout --foreground "$timeout" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max -smp "${RIG_SMP:-2}" -m 2G -nographic -no-reboot \
		${RIG_QEMU_OPTS:-} \
		-kernel "$root_dir/boot/vmlinuz-$kver" -initrd "$initrd" \
		-append "$(cmdline "" "$mode")" \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" ||
		echo "rig: QEMU ended with status $?" >&2
}

# arm64: QEMU's virt machine with EL2 (virtualization=on) and a GICv3,
# -cpu max; pauth-impdef=on makes the boot about 5 times faster than
# QARMA pointer authentication (2-5 s to init).  Debian's image boots
# KVM in VHE mode, in nVHE mode with RIG_APPEND=kvm-arm.mode=nvhe.
run_arm64() {
	local initrd=$1 mode=$2 log=$3 timeout=${4:-1800} kver
	kver=$(cmd_kver)
	timeout --foreground "$timeout" qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on \
		-accel tcg,thread=single -smp "${RIG_SMP:-2}" -m 2G -nographic -no-reboot \
		${RIG_QEMU_OPTS:-} \
		-kernel "$root_dir/boot/vmlinuz-$kver" -initrd "$initrd" \
		-append "$(cmdline "" "$mode") rdinit=/init" \
		</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" ||
		echo "rig: QEMU ended with status $?" >&2
}

# VMX: Bochs 2.7 emulating a Core i7-7800X (Skylake-X), whose VMX has EPT,
# unrestricted guest, VPID, PML, shadow VMCS and flexpriority; one CPU
# (two run 2-3 times slower).  Bochs has no -kernel: GRUB boots the
# kernel and initramfs from a CD image.  clock: sync=none makes guest
# time follow the instruction count (deterministic: make bench).  Bochs
# does not model IA32_DEBUGCTL, which KVM reads on every run:
# ignore_bad_msrs.  The display is the RFB server (this build has no
# "nogui"), which waits for no client.  Sound goes to the dummy driver:
# with ALSA's, and no sound card, Bochs' mixer thread aborts at start
# ("buffer overflow detected").  Bochs is built with its debugger,
# which stops at a prompt unless told to continue (-rc).  It does not
# always end at poweroff: it is killed once the console shows the end
# marker, or a panic.
run_vmx() {
	local initrd=$1 mode=$2 log=$3 timeout=${4:-1800} kver d pid i
	kver=$(cmd_kver)
	d=$(mktemp -d)
	mkdir -p "$d/iso/boot/grub"
	cp "$root_dir/boot/vmlinuz-$kver" "$d/iso/boot/vmlinuz"
	cp "$initrd" "$d/iso/boot/initrd"
	cat >"$d/iso/boot/grub/grub.cfg" <<-EOF
	serial --unit=0 --speed=115200
	terminal_input serial
	terminal_output serial
	set timeout=0
	menuentry ket {
		linux /boot/vmlinuz $(cmdline serial "$mode") rdinit=/init mitigations=off nokaslr audit=0 nowatchdog tsc=reliable no_timer_check tsc_early_khz=50000
		initrd /boot/initrd
	}
	EOF
	grub-mkrescue -o "$d/boot.iso" "$d/iso" >"$d/mkrescue.log" 2>&1 ||
		{ cat "$d/mkrescue.log" >&2; rm -rf "$d"; die "grub-mkrescue failed"; }
	cat >"$d/bochsrc" <<-EOF
	display_library: rfb, options="timeout=0, hideIPS"
	megs: ${RIG_MEGS:-1024}
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=1, ignore_bad_msrs=1
	clock: sync=none, time0=local
	ata0-master: type=cdrom, path=$d/boot.iso, status=inserted
	boot: cdrom
	com1: enabled=1, mode=file, dev=$d/serial.txt
	panic: action=report
	error: action=report
	info: action=ignore
	sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
	speaker: enabled=0
	EOF
	echo c >"$d/cont.rc"
	: >"$d/serial.txt"
	: >"$log"
	(cd "$d" && exec bochs -q -f bochsrc -rc cont.rc </dev/null >"$d/bochs.out" 2>&1) &
	pid=$!
	# The console as it comes; the follower ends with Bochs.
	tail -n +1 --pid=$pid -f "$d/serial.txt" | stdbuf -oL tr -d '\r' | tee "$log" &
	for ((i = 0; i < timeout; i++)); do
		kill -0 $pid 2>/dev/null || break
		grep -qE '^KET-RIG-DONE|Kernel panic' "$log" && break
		# A reset (Bochs has no -no-reboot) would boot GRUB again.
		[ "$(grep -c "Booting \`ket'" "$log")" -le 1 ] || break
		sleep 1
	done
	sleep 1
	kill $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	wait || true
	[ $i -lt "$timeout" ] || echo "rig: Bochs timed out after ${timeout}s" >&2
	grep -q '^KET-RIG-DONE' "$log" || tail -5 "$d/bochs.out" >&2
	rm -rf "$d"
}

case "${1:-}" in
deps|kver|ksrc|initramfs|run) c=$1; shift; "cmd_$c" "$@" ;;
*) sed -n '5,12p' "$0"; exit 2 ;;
esac
