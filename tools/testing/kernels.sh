#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel matrix: Debian kernels other than the machine's own, fetched
# into build/kernels/NAME with apt's own options and a private sources
# list (the machine's apt sources are never touched), unpacked with
# dpkg -x.  A kernel whose build tools need a newer libc and compiler
# than this machine's (sid) gets its headers in a debootstrap chroot of
# its suite, and the module is built there.  6.1-debug is built from
# linux-source-6.1 with tools/testing/debug.config (make check-debug).
#
#   kernels.sh list            the matrix: 6.1 6.1-rt 6.12 sid (and
#                              6.1-arm64: Debian's arm64 6.1, its image,
#                              headers and busybox-static for the arm64
#                              rig, the headers' build tools amd64's, and
#                              json-c's static library for the tool)
#   kernels.sh fetch NAME      fetch and unpack, or build (cached); 6.1
#                              is the machine's own kernel
#   kernels.sh env NAME        shell assignments for check.sh and rig.sh:
#                              KET_KVER, KET_ROOT (image and modules),
#                              KET_KDIR (headers, as seen by the build),
#                              KET_CHROOT (empty: build on this machine)
#   kernels.sh make NAME DIR ARGS...  make ARGS in the tree DIR, for NAME
#                              (in the chroot when NAME needs one)
#   kernels.sh dkms NAME       dkms add, build and install of the tree,
#                              for NAME, in a private dkms tree
#   kernels.sh ksrc NAME DIR   NAME's linux-source (6.12: Debian's
#                              linux-source-6.12), the parts the selftests
#                              build from, unpacked into DIR (cached)
#   kernels.sh perf NAME       Debian's linux-perf for NAME (6.1-arm64:
#                              arm64's, for its rig) with every package
#                              it depends on, unpacked into a tree of its
#                              own (cached); prints the tree
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/build/kernels
mirror=http://deb.debian.org/debian
names="6.1 6.1-rt 6.12 sid"

die() { echo "kernels: $*" >&2; exit 1; }

# NAME -> suites for the private sources list, the image and headers
# metapackages, whether the build needs a chroot of that suite, and the
# architecture (amd64 but for 6.1-arm64).
describe() {
	arch=amd64
	case $1 in
	6.1) ;;
	6.1-rt)	suites="bookworm bookworm-security"
		meta=linux-image-rt-amd64 chroot= ;;
	6.12)	suites="bookworm-backports"
		meta=linux-image-amd64 chroot= ;;
	sid)	suites="sid"
		meta=linux-image-amd64 chroot=sid ;;
	6.1-arm64) suites="bookworm bookworm-security"
		meta=linux-image-arm64 chroot= arch=arm64 ;;
	6.1-debug) chroot= ;;
	*)	die "unknown kernel '$1'; one of: $names" ;;
	esac
}

# apt-get/apt-cache with NAME's private configuration.  The mirror's
# Release files of sid carry a Valid-Until that a snapshot outlives.
# Another architecture's packages (6.1-arm64) are listed with amd64's,
# for the build tools, in that configuration only: the machine's dpkg
# architectures are never changed.
aptopts() {
	local d=$cache/$1/apt
	[ "$arch" = amd64 ] || echo -o APT::Architecture="$arch" \
		-o APT::Architectures::="$arch" -o APT::Architectures::=amd64
	echo -o Dir::Etc::SourceList="$d/sources.list" \
		-o Dir::Etc::SourceParts="$d/parts" \
		-o Dir::State::Lists="$d/lists" \
		-o Dir::State::status=/dev/null \
		-o Dir::Cache="$d/cache" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
		-o Acquire::Check-Valid-Until=false \
		-o APT::Sandbox::User=root
}

apt_setup() {
	local name=$1 d=$cache/$1/apt s
	mkdir -p "$d/parts" "$d/lists/partial" "$d/cache/archives/partial"
	: >"$d/sources.list"
	for s in $suites; do
		case $s in
		*-security) echo "deb $mirror-security $s main" ;;
		*) echo "deb $mirror $s main" ;;
		esac >>"$d/sources.list"
	done
	# shellcheck disable=SC2046
	apt-get -qq $(aptopts "$name") update
}

# The packages of PKG's Depends whose names match PATTERN.
deps_of() {	# NAME PKG PATTERN
	# shellcheck disable=SC2046
	apt-cache $(aptopts "$1") show "$2" | sed -n '/^Depends:/{s/^Depends: //;p;q}' |
		tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' | grep -E "$3" || true
}

cmd_fetch() {
	local name=$1 dir kver pkgs p
	describe "$name"
	[ "$name" = 6.1 ] && return 0
	dir=$cache/$name
	[ "$name" = 6.1-debug ] && { build_debug "$dir"; return; }
	# The cache is complete only with its modules: a Kbuild clean with M
	# at the top of the tree once deleted every *.ko under it.
	[ -f "$dir/.fetched" ] && has_kvm "$dir" && return 0
	command -v debootstrap >/dev/null && command -v dkms >/dev/null &&
		command -v pahole >/dev/null && command -v zstd >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends debootstrap dkms dwarves zstd >/dev/null
	rm -rf "$dir/root" "$dir/debs"
	apt_setup "$name"
	kver=$(deps_of "$name" "$meta" '^linux-image-' | head -1)
	kver=${kver#linux-image-}
	[ -n "$kver" ] || die "$name: $meta names no image"
	# The image, and on newer kernels the binary and modules it is split
	# into; the headers, their common part and kbuild (scripts/).
	pkgs="linux-image-$kver $(deps_of "$name" "linux-image-$kver" \
		"^linux-(binary|modules)-$(sed 's/[.+]/\\&/g' <<<"$kver")\$")"
	if [ "$arch" != amd64 ]; then
		# The headers' build tools (scripts/, tools/ link to kbuild's)
		# run here: amd64's kbuild of the same version.  The rig's
		# busybox is the architecture's, and so is the json-c the
		# tool is linked with (statically).
		p=linux-headers-$kver
		pkgs="$pkgs $p $(deps_of "$name" "$p" '^linux-headers-.*common')"
		pkgs="$pkgs $(deps_of "$name" "$p" '^linux-kbuild'):amd64=$(
			apt-cache $(aptopts "$name") show --no-all-versions "$p" |
			sed -n 's/^Version: //p') busybox-static libjson-c-dev"
	elif [ -z "$chroot" ]; then
		p=linux-headers-$kver
		pkgs="$pkgs $p $(deps_of "$name" "$p" '^linux-(headers-.*common|kbuild)')"
	fi
	mkdir -p "$dir/debs" "$dir/root"
	# shellcheck disable=SC2046
	(cd "$dir/debs" && apt-get -qq $(aptopts "$name") download $pkgs)
	for p in "$dir"/debs/*.deb; do
		dpkg -x "$p" "$dir/root"
	done
	# Newer images ship their modules and vmlinuz only under
	# /usr/lib/modules/KVER: link them where the rig looks.
	if [ ! -e "$dir/root/lib" ]; then
		ln -s usr/lib "$dir/root/lib"
	fi
	if [ ! -e "$dir/root/boot/vmlinuz-$kver" ]; then
		mkdir -p "$dir/root/boot"
		ln -s "../usr/lib/modules/$kver/vmlinuz" "$dir/root/boot/vmlinuz-$kver"
	fi
	if [ -z "$chroot" ]; then
		# The headers' Makefile includes the common part by its
		# absolute path under /usr/src.
		sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
			"$dir/root/usr/src/linux-headers-$kver/Makefile"
	else
		make_chroot "$name" "$kver"
	fi
	echo "$kver" >"$dir/kver"
	touch "$dir/.fetched"
}

# Whether DIR's unpacked or installed kernel has its KVM modules (arm64:
# KVM is built in, its image, its rig's busybox and the tool's json-c
# are what counts).
has_kvm() {
	if [ "$arch" = arm64 ]; then
		[ -x "$1/root/bin/busybox" ] && ls "$1"/root/boot/vmlinuz-* >/dev/null 2>&1 &&
			[ -f "$1/root/usr/lib/aarch64-linux-gnu/libjson-c.a" ]
		return
	fi
	[ -n "$(find -L "$1/root/lib/modules" -name 'kvm.ko*' 2>/dev/null | head -1)" ]
}

# linux-source-6.1, x86_64's defconfig and debug.config, built in DIR/obj
# and installed in DIR/root; rebuilt when either changes (a new fragment
# rebuilds in the same objects; a new source unpacks afresh).  About 40
# minutes on 2 cores.
build_debug() {
	local dir=$1 tarball=/usr/src/linux-source-6.1.tar.xz frag src key kver
	frag=$top/tools/testing/debug.config
	[ -f $tarball ] || die "linux-source-6.1 not installed"
	src=$(ls -l --time-style=+%s $tarball | sha256sum | cut -c1-16)
	key=$( (echo "$src"; cat "$frag") | sha256sum | cut -c1-16)
	[ "$(cat "$dir/.built" 2>/dev/null)" = "$key" ] && has_kvm "$dir" && return 0
	if [ "$(cat "$dir/.unpacked" 2>/dev/null)" != "$src" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/src"
		tar -C "$dir/src" --strip-components=1 -xf $tarball
		echo "$src" >"$dir/.unpacked"
	fi
	mkdir -p "$dir/obj"
	make -s -C "$dir/src" O="$dir/obj" LOCALVERSION=-ket-debug defconfig
	"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/obj" \
		"$dir/obj/.config" "$frag" >"$dir/merge.log"
	make -s -C "$dir/src" O="$dir/obj" LOCALVERSION=-ket-debug olddefconfig
	# Every option of the fragment must have survived olddefconfig.
	local opt bad=
	while read -r opt; do
		case $opt in
		CONFIG_*=n) grep -qx "# ${opt%=n} is not set" "$dir/obj/.config" ||
				bad="$bad $opt" ;;
		CONFIG_*) grep -qx "$opt" "$dir/obj/.config" || bad="$bad $opt" ;;
		esac
	done <"$frag"
	[ -z "$bad" ] || die "6.1-debug: not set by Kconfig:$bad"
	make -C "$dir/src" O="$dir/obj" LOCALVERSION=-ket-debug \
		-j"$(nproc)" bzImage modules >"$dir/build.log" 2>&1 ||
		die "6.1-debug: kernel build failed, see $dir/build.log"
	kver=$(make -s -C "$dir/src" O="$dir/obj" LOCALVERSION=-ket-debug kernelrelease)
	rm -rf "$dir/root"
	make -s -C "$dir/src" O="$dir/obj" LOCALVERSION=-ket-debug \
		INSTALL_MOD_PATH="$dir/root" modules_install >/dev/null
	mkdir -p "$dir/root/boot"
	cp "$dir/obj/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$kver"
	echo "$kver" >"$dir/kver"
	echo "$key" >"$dir/.built"
}

# A debootstrap of the suite, with the headers installed by its own apt.
make_chroot() {
	local name=$1 kver=$2 r=$cache/$1/chroot
	rm -rf "$r"
	debootstrap --variant=minbase \
		--include=build-essential,libelf-dev,bc,flex,bison,kmod,dwarves,sparse,dkms,cpio,xz-utils,zstd \
		"$chroot" "$r" "$mirror" >"$cache/$name/debootstrap.log" 2>&1 ||
		die "$name: debootstrap failed, see $cache/$name/debootstrap.log"
	chroot "$r" /bin/sh -c "apt-get -qq -o Acquire::Check-Valid-Until=false update &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends linux-headers-$kver" >"$cache/$name/headers.log" 2>&1 ||
		die "$name: headers did not install, see $cache/$name/headers.log"
}

# Runs a command in NAME's chroot, with /proc (objtool reads its limits
# there) mounted for the command's duration.
in_chroot() {	# ROOT COMMAND...
	local r=$1 rc=0
	shift
	mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
	chroot "$r" "$@" || rc=$?
	umount "$r/proc"
	return $rc
}

cmd_env() {
	local name=$1 kver
	describe "$name"
	if [ "$name" = 6.1 ]; then
		kver=$("$top/tools/testing/rig/rig.sh" kver)
		echo "KET_KVER=$kver KET_ROOT=/ KET_KDIR=/usr/src/linux-headers-$kver KET_CHROOT="
		return
	fi
	cmd_fetch "$name"
	kver=$(cat "$cache/$name/kver")
	if [ "$name" = 6.1-debug ]; then
		echo "KET_KVER=$kver KET_ROOT=$cache/$name/root" \
			"KET_KDIR=$cache/$name/obj KET_CHROOT="
		return
	fi
	echo "KET_KVER=$kver KET_ROOT=$cache/$name/root" \
		"KET_KDIR=$([ -n "$chroot" ] || echo "$cache/$name/root")/usr/src/linux-headers-$kver" \
		"KET_CHROOT=$([ -z "$chroot" ] || echo "$cache/$name/chroot")"
}

# make in the tree DIR against NAME's headers; in the chroot, DIR is
# copied to /ket-src and copied back, so that DIR holds the result.
cmd_make() {
	local name=$1 src=$2 KET_KVER KET_ROOT KET_KDIR KET_CHROOT
	shift 2
	eval "$(cmd_env "$name")"
	if [ -z "$KET_CHROOT" ]; then
		make -C "$src" KDIR="$KET_KDIR" "$@"
		return
	fi
	rm -rf "$KET_CHROOT/ket-src"
	cp -a "$src" "$KET_CHROOT/ket-src"
	local rc=0
	in_chroot "$KET_CHROOT" make -C /ket-src KDIR="$KET_KDIR" "$@" || rc=$?
	cp -a "$KET_CHROOT/ket-src/." "$src/"
	return $rc
}

# dkms add, build and install for NAME, all in private trees under
# build/kernels/NAME/dkms (in the chroot for a chroot kernel), without
# depmod, which would need the kernel's whole modules directory; then
# the installed module's vermagic must name the kernel.
cmd_dkms() {
	local name=$1 KET_KVER KET_ROOT KET_KDIR KET_CHROOT d ver run=()
	eval "$(cmd_env "$name")"
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
	if [ -n "$KET_CHROOT" ]; then
		d=/ket-dkms
		run=(in_chroot "$KET_CHROOT")
		rm -rf "$KET_CHROOT$d"
		mkdir -p "$KET_CHROOT$d/lib/modules/$KET_KVER"
	else
		d=$cache/$name/dkms
		rm -rf "$d"
		mkdir -p "$d/lib/modules/$KET_KVER"
	fi
	local host=${KET_CHROOT}$d
	mkdir -p "$host/src/kvm-exit-timing-$ver" "$host/tree"
	git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t \
		"$host/src/kvm-exit-timing-$ver")
	ln -s "$KET_KDIR" "$host/lib/modules/$KET_KVER/build"
	local o=(--dkmstree "$d/tree" --sourcetree "$d/src"
		 --installtree "$d/lib/modules" -k "$KET_KVER"
		 --kernelsourcedir "$KET_KDIR" --no-depmod)
	"${run[@]}" dkms add -m kvm-exit-timing -v "$ver" "${o[@]}" &&
		"${run[@]}" dkms build -m kvm-exit-timing -v "$ver" "${o[@]}" &&
		"${run[@]}" dkms install -m kvm-exit-timing -v "$ver" "${o[@]}" &&
		"${run[@]}" dkms status -m kvm-exit-timing "${o[@]}" || return 1
	# (dkms status said "built", not "installed", when build/kernels
	# was a symbolic link: the module file is what counts.)
	local ko=$host/lib/modules/$KET_KVER/updates/dkms/kvm_exit_timing.ko
	[ -f "$ko" ] || ko=$(ls "$ko".* 2>/dev/null | head -1)
	local magic
	magic=$(modinfo -F vermagic "$ko") || return 1
	echo "installed: ${ko#"$host"} vermagic: $magic"
	[ "${magic%% *}" = "$KET_KVER" ]
}

# NAME's linux-source, the parts the selftests build from (the KVM
# selftests library and kselftest harness under tools/, with what they
# include and the kernel's scripts): linux-source-X.Y of NAME's suite,
# fetched with its private configuration into build/kernels/NAME/src,
# unpacked into DIR.  DIR is kept while it is of the same package.
cmd_ksrc() {
	local name=$1 dir=$2 kver series deb f tarball
	[ -n "$dir" ] || die "ksrc needs a NAME and a DIR"
	describe "$name"
	case $name in
	6.12) ;;
	*) die "ksrc: $name's source is not fetched (6.1's is the rig's)" ;;
	esac
	# The series of NAME's image, without fetching the image.
	if [ -f "$cache/$name/kver" ]; then
		kver=$(cat "$cache/$name/kver")
	else
		apt_setup "$name"
		kver=$(deps_of "$name" "$meta" '^linux-image-' | head -1)
		kver=${kver#linux-image-}
	fi
	series=$(sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p' <<<"$kver")
	[ -n "$series" ] || die "$name: $meta names no image"
	mkdir -p "$cache/$name/src"
	src_deb() {
		deb=
		for f in "$cache/$name/src"/linux-source-"$series"_*.deb; do
			if [ -f "$f" ]; then deb=$f; fi
		done
	}
	src_deb
	if [ -z "$deb" ]; then
		# Lists of now: the mirror keeps only a suite's newest source.
		apt_setup "$name"
		# shellcheck disable=SC2046
		(cd "$cache/$name/src" && apt-get -qq $(aptopts "$name") \
			download "linux-source-$series")
		src_deb
		[ -n "$deb" ] || die "$name: no linux-source-$series"
	fi
	[ -f "$dir/.unpacked" ] && [ "$(cat "$dir/.unpacked")" = "${deb##*/}" ] &&
		return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	tarball=usr/src/linux-source-$series.tar.xz
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./$tarball" |
		tar -C "$dir" --strip-components=1 -xJ \
			"linux-source-$series/tools" "linux-source-$series/scripts" \
			"linux-source-$series/.clang-format" \
			"linux-source-$series/include" \
			"linux-source-$series/arch/x86/include"
	echo "${deb##*/}" >"$dir/.unpacked"
}

# NAME's linux-perf and the packages it depends on, all of them (apt's
# own resolution, from nothing installed), unpacked with dpkg -x into
# build/kernels/NAME/perf: a tree in which perf and the libraries it
# loads are where its loader looks (rig.sh copies them out).
cmd_perf() {
	local name=$1 dir pkgs p
	describe "$name"
	[ "$name" = 6.1-arm64 ] || die "perf: for 6.1-arm64's rig only"
	cmd_fetch "$name"
	dir=$cache/$name/perf
	[ -x "$dir/root/usr/bin/perf" ] && [ -f "$dir/.fetched" ] && { echo "$dir/root"; return 0; }
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	apt_setup "$name"
	# shellcheck disable=SC2046
	pkgs=$(apt-get $(aptopts "$name") -s install --no-install-recommends \
		linux-perf | awk -v a="$arch" '/^Inst /{print $2 ":" a}')
	[ -n "$pkgs" ] || die "$name: no linux-perf"
	# shellcheck disable=SC2046,SC2086
	(cd "$dir/debs" && apt-get -qq $(aptopts "$name") download $pkgs)
	for p in "$dir"/debs/*.deb; do
		dpkg -x "$p" "$dir/root"
	done
	[ -x "$dir/root/usr/bin/perf" ] || die "$name: linux-perf has no usr/bin/perf"
	touch "$dir/.fetched"
	echo "$dir/root"
}

case "${1:-}" in
list) echo "$names" ;;
perf) shift; [ $# = 1 ] || die "perf needs a NAME"; cmd_perf "$@" ;;
fetch|env|make|dkms) c=$1; shift; [ $# -ge 1 ] || die "$c needs a NAME"; "cmd_$c" "$@" ;;
ksrc) shift; [ $# = 2 ] || die "ksrc needs a NAME and a DIR"; cmd_ksrc "$@" ;;
*) sed -n '3,/^set -euo/{/^set -euo/!p}' "$0"; exit 2 ;;
esac
