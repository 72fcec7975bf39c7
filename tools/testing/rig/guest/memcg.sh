#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# a VM's states are charged to the VM's memory cgroup.  A VM of 4 vCPUs
# runs in a cgroup of its own; the module, loaded then, attaches its
# vCPUs from a worker, and the cgroup's kernel memory grows by at least
# their 4 states.  memory.current would not do: charges go through
# per-CPU stocks of 64 pages.  memory.stat is exact once flushed, which
# the kernel does every 2 s.  TAP lines.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
CG=/sys/fs/cgroup
N=4

kmem() { sed -n 's/^kernel //p' $CG/ket/memory.stat; }
mkdir -p $CG
grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
if ! grep -qw memory $CG/cgroup.controllers; then
	ok "memcg: charged to the VM's cgroup # SKIP no memory controller (CONFIG_MEMCG)"
	exit 0
fi
echo +memory >$CG/cgroup.subtree_control
mkdir -p $CG/ket
sh -c "echo \$\$ >$CG/ket/cgroup.procs && exec ./ket_workload -s 12 -v $N" \
	>/tmp/mc.out &
wl=$!
sleep 3
before=$(kmem)
insmod $KO || notok "insmod"
attached() { [ "$(st vcpus_attached)" = $N ]; }
settle attached
sleep 3
after=$(kmem)
need=$((N * $(st vcpu_state_bytes)))
check "memcg: $N vCPU states ($need bytes) charged to the VM's cgroup (its kernel memory grew by $((after - before)))" \
	[ $((after - before)) -ge $need ]
wait $wl
rmmod kvm_exit_timing
rmdir $CG/ket
