#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rigs (check.sh and check_arm64.sh run it, the
# module unloaded):
# a VM's states are charged to the VM's memory cgroup.  A VM of 4 vCPUs
# runs in a cgroup of its own, its vCPUs in loops of exits KVM handles
# in the kernel (ket_workload -q), until killed: meanwhile its VMM makes
# no system call, no thread of it starts or ends, and KVM allocates and
# frees nothing for it, so the cgroup's kernel memory moves only by
# what the module charges.  (With a VM that ends on its own, -s 12, the
# arm64 rig in VHE mode once measured its 4 vCPU threads' exit, their
# kernel stacks, 4 x 16 KiB, uncharged, within the window: 98304 bytes
# of growth for 163840 charged.)  The module, loaded then, attaches its
# vCPUs from a worker, and the cgroup's kernel memory grows by exactly
# their 4 states and the VM's: whole pages for a vCPU's state, and for
# the VM's (a kmalloc of vm_state_bytes, charged by the byte through a
# per-CPU stock of the page's remainder) one page or none.
# memory.current would not do: charges go through per-CPU stocks of 64
# pages.  memory.stat is exact once flushed, which the kernel does every
# 2 s: each value is read until two reads 2.5 s apart agree.  rmmod,
# with the VM still running, gives it all back.  Then a VM at its
# cgroup's memory.max, and at its memory.high: the attaches fail,
# cleanly, reclaiming nothing.
# TAP lines.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
CG=/sys/fs/cgroup
N=4
PAGE=4096

kmem() { sed -n 's/^kernel //p' $CG/ket/memory.stat; }
# A size from the status file, a number above 0, or a failed check.
size() {
	case $1 in
	'' | *[!0-9]* | 0) notok "memcg: $2 in the status file ('$1')"; return 1 ;;
	esac
}
# The cgroup's kernel memory, once memory.stat is flushed and still: up
# to 8 reads 2.5 s apart, until two agree.
kmem_still() {
	_a=$(kmem)
	for _i in 1 2 3 4 5 6 7; do
		sleep 2.5
		_b=$(kmem)
		[ "$_a" = "$_b" ] && { echo "$_b"; return 0; }
		_a=$_b
	done
	echo "$_b"
	return 1
}
cgroup2
if ! grep -qw memory $CG/cgroup.controllers; then
	ok "memcg: charged to the VM's cgroup # SKIP no memory controller (CONFIG_MEMCG)"
	exit 0
fi
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/ket
sh -c "echo \$\$ >$CG/ket/cgroup.procs && exec ./ket_workload -q -v $N" \
	>/tmp/mc.out &
wl=$!
quiet() { grep -q 'ket_workload: quiet' /tmp/mc.out; }
threads() { ls /proc/$wl/task 2>/dev/null | wc -l; }
# Up to 20 s: 4 vCPUs on the rig's one or two CPUs.
settle quiet || settle quiet || settle quiet || settle quiet ||
	notok "memcg: the workload's $N vCPUs in their loops"
t0=$(threads)
before=$(kmem_still) || notok "memcg: the VM's cgroup still before insmod (kernel $before)"
cp $CG/ket/memory.stat /tmp/memcg.before
insmod $KO || notok "memcg: insmod"
attached() { [ "$(st vcpus_attached)" = $N ]; }
settle attached || notok "memcg: $N vCPUs attached ($(st vcpus_attached))"
after=$(kmem_still) || notok "memcg: the VM's cgroup still after the attaches (kernel $after)"
cp $CG/ket/memory.stat /tmp/memcg.after
t1=$(threads)
per=$(st vcpu_state_bytes)
vmb=$(st vm_state_bytes)
size "$per" vcpu_state_bytes && size "$vmb" vm_state_bytes || per=0 vmb=0
need=$((N * per))
vm=$(((vmb + PAGE - 1) / PAGE * PAGE))
grew=$((after - before))
# The VMM's threads the same: none ended, whose kernel stack would
# have been uncharged meanwhile.
exact() { [ $need -gt 0 ] && [ $grew -ge $need ] &&
	[ $grew -le $((need + vm)) ] && [ "$t0" = "$t1" ]; }
check "memcg: $N vCPU states ($need bytes) and the VM's (up to $vm) charged to the VM's cgroup (its kernel memory grew by $grew; $(st vcpus_attached) vCPUs attached; the VMM's threads $t0, then $t1)" \
	exact
# If not, what the module and the cgroup saw.
exact || {
	grep -E '^(vcpus_attached|vms_attached|attach_failures|attach_backoffs|lost_exits|vcpu_state_bytes|vm_state_bytes) ' \
		$D/kvm_exit_timing/status
	diff /tmp/memcg.before /tmp/memcg.after
} 2>&1 | sed 's/^/# /'
# The VM still runs: its states are freed with the module, their charges
# given back; the VM's, a kmalloc's, by the byte through the stock: a
# page more or less than before.
rmmod kvm_exit_timing
gone=$(kmem_still) || notok "memcg: the VM's cgroup still after rmmod (kernel $gone)"
back() { [ $((gone - before)) -ge $((-vm)) ] && [ $((gone - before)) -le $vm ]; }
check "memcg: rmmod gives them back (kernel $before, $after, then $gone)" back
kill -9 $wl
wait $wl 2>/dev/null
rmdir $CG/ket

# At a limit of the VMM's cgroup, memory.max or memory.high, an attach
# fails cleanly.  A VM of M vCPUs runs in a cgroup of its own, its vCPUs
# in loops of exits KVM handles in the kernel (ket_workload -q: the VMM
# allocates nothing meanwhile).  Before the module is loaded, the limit
# is set to what the cgroup uses plus 64 pages (KVM's own allocations
# for the running VM may still take a few: with 32, once in make check,
# they went over memory.high, and the VM's charges were throttled).  The
# attaches find at most those and what the cgroup's per-CPU charge
# stocks hold (64 pages per CPU), fewer than M vCPU states need: some
# fail (attach_failures grows), the module takes no memory there (no
# "max" or "high" event: nothing reclaimed or throttled for it), those
# vCPUs stay unattached, and the VM runs on, no OOM kill.  Once the
# limit is lifted, every vCPU attaches at a later exit.  M is 16, or
# twice as many until their states exceed what the limit may leave
# (arm64's 40 KiB states: 32), 64 at most (ket_workload's limit).
room=$((64 + 64 * $(nproc)))
M=16
while [ $M -lt 64 ] && [ $((M * per / PAGE)) -le $room ]; do M=$((M * 2)); done
# A cgroup held at its limit backs off alone: another cgroup's VM is
# attached at its first exit and loses none.  With attach_backoff_ms at
# 10 s, right after one of the held VM's attaches failed (its cgroup's
# back-off just begun; before December 2026, everyone's), the held VM is
# stopped, so that it exits no more, and once the module has counted its
# exits lost (lost_exits still for 0.5 s), a VM of the root cgroup runs
# 200 iterations of its loop.  That VM is attached, lost_exits does not
# move, and the held cgroup still backs off when it ends: the VM ran in
# the window.  Then attach_backoff_ms back at 1 s cuts the running
# back-off to that.
others_attach() {
	bo=/sys/module/kvm_exit_timing/parameters/attach_backoff_ms
	echo 10000 >$bo
	f=$(st attach_failures)
	i=0
	while [ "$(st attach_failures)" = "$f" ] && [ $i -lt 1000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	kill -STOP $wl
	stopped() { ! grep -q '^State:.*[RSD] (' /proc/$wl/task/*/status; }
	still() { a=$(st lost_exits); sleep 0.5; [ "$(st lost_exits)" = "$a" ]; }
	if [ "$(st attach_failures)" = "$f" ] || ! settle stopped || ! settle still; then
		notok "memcg: a fresh failure at memory.$lim, the VM stopped, its lost exits counted"
	else
		l=$(st lost_exits)
		./ket_workload -i 200 >/tmp/mo.out 2>&1
		rc=$?
		b=$(st attach_backoffs)
		alone() { [ $rc = 0 ] && [ "$b" = 1 ] && [ "$(st lost_exits)" = "$l" ]; }
		check "memcg: while a cgroup at memory.$lim backs off ($b backing off), another cgroup's VM runs (status $rc) and loses no exit (lost_exits $l, then $(st lost_exits))" \
			alone
		kept() { ls -d $D/kvm_exit_timing/exited/"$(vmof /tmp/mo.out)".* >/dev/null 2>&1; }
		check "memcg: that VM was attached (its tables under exited/)" settle kept
	fi
	echo 1000 >$bo
	cut() { [ "$(st attach_backoffs)" = 0 ]; }
	check "memcg: attach_backoff_ms written (1000, was 10000) cuts the running back-off" \
		settle cut
	kill -CONT $wl
}
at_limit() {	# max|high
	lim=$1
	mkdir $CG/ketlim
	sh -c "echo \$\$ >$CG/ketlim/cgroup.procs && exec ./ket_workload -q -v $M" \
		>/tmp/mm.out &
	wl=$!
	quiet() { grep -q 'ket_workload: quiet' /tmp/mm.out; }
	# Up to 20 s: M vCPUs on the rig's one or two CPUs.
	if ! { settle quiet || settle quiet || settle quiet || settle quiet; }; then
		notok "memcg: the workload's vCPUs in their loops"
		return
	fi
	echo $(($(cat $CG/ketlim/memory.current) + 64 * 4096)) >$CG/ketlim/memory.$lim
	insmod $KO || { notok "insmod"; return; }
	need=$((M * $(st vcpu_state_bytes) / 4096))
	if [ "$need" -le "$room" ]; then
		ok "memcg: at memory.$lim # SKIP $M vCPU states ($need pages) fit in what memory.$lim may leave ($room pages)"
		return
	fi
	ok "memcg: $M vCPU states ($need pages) exceed what memory.$lim leaves ($room pages at most)"
	failed() { [ "$(st attach_failures)" -gt 0 ]; }
	# Up to 15 s: M vCPUs on the rig's one or two CPUs.
	check "memcg: attach fails at memory.$lim (attach_failures $(settle failed || settle failed || settle failed; st attach_failures))" failed
	# The quiet VM allocates nothing: only the module's charges could
	# meet the limit, and it makes none there.
	events() { sed -n "s/^$lim //p" $CG/ketlim/memory.events; }
	ev=$(events)
	f=$(st attach_failures)
	sleep 2
	check "memcg: at memory.$lim, $(st vcpus_attached) of $M vCPUs attached" \
		[ "$(st vcpus_attached)" -lt $M ]
	noreclaim() { [ "$(st attach_failures)" -gt "$f" ] && [ "$(events)" = "$ev" ]; }
	check "memcg: attaches that fail ($f, then $(st attach_failures)) take nothing at memory.$lim ($lim events $ev, then $(events))" \
		noreclaim
	others_attach
	echo max >$CG/ketlim/memory.$lim
	all() { [ "$(st vcpus_attached)" = $M ]; }
	check "memcg: memory.$lim lifted, all $M vCPUs attach" settle all
	vm=$(vmof /tmp/mm.out)
	exits() { col EMULINST $D/kvm/$vm/exit_timing; }
	e=$(exits)
	sleep 1
	check "memcg: the VM runs on (EMULINST $e, then $(exits))" [ "$(exits)" -gt "$e" ]
	check "memcg: no OOM kill in the VM's cgroup" grep -qx 'oom_kill 0' $CG/ketlim/memory.events
}
for lim in max high; do
	at_limit $lim
	kill -9 $wl
	wait $wl 2>/dev/null
	rmmod kvm_exit_timing 2>/dev/null
	rmdir $CG/ketlim
done
