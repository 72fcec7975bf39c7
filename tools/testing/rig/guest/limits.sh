# SPDX-License-Identifier: GPL-2.0
# Sourced by the rigs' check scripts (check.sh, check_arm64.sh), with
# the module loaded and the tool's checks done (tool.sh: $T): the
# module's limits.  The exited VMs kept within retain_kb; an allocation
# failure (fail_alloc); an open stats file or the device holding the
# module.  Leaves the module unloaded.  Check names begin with $TP.
# The final tables of exited VMs, as many bytes as retain_kb, no more:
# set to 16.5 one-vCPU VMs' worth, the last 16 VMs exactly.
R=/sys/module/kvm_exit_timing/parameters/retain_kb
check "${TP}retain_kb: 16384 by default" [ "$(cat $R)" = 16384 ]
per=$(($(st vm_state_bytes) + $(st vcpu_state_bytes)))
echo $(((16 * per + per / 2) / 1024)) >$R
for i in $(seq 18); do ./ket_workload -i 16 -a >/dev/null; done
# Exited VMs move under exited/ after a grace period: up to 5 s.
kept() { [ "$(ls $D/kvm_exit_timing/exited | wc -l)" = 16 ] &&
	[ "$(st vms_exited_kept)" = 16 ] &&
	[ "$(st vms_exited_bytes)" = $((16 * per)) ] && idle; }
check "${TP}retain_kb: the last 16 exited VMs ($((16 * per)) bytes) are kept, no VM held" settle kept
echo 16384 >$R

# Allocation failure (the fail_alloc debug parameter): a new vCPU cannot
# attach, its exits are counted as lost and its VM runs on; reads fail
# with ENOMEM; everything recovers once the parameter is cleared.
P=/sys/module/kvm_exit_timing/parameters/fail_alloc
cpuids() { awk -v r=$R_CPUID '$1==r{print $2}' "$D/kvm/$1/exit_reasons"; }
wait_idle
echo 1 >$P
f0=$(st attach_failures)
l0=$(st lost_exits)
# Long enough to outlive the checks below on check-debug's slow kernel;
# killed once they are done.
./ket_workload -s 60 >/tmp/wl4.out &
wl=$!
sleep 3
vm=$(vmof /tmp/wl4.out)
failed() { [ "$(st attach_failures)" -gt "$f0" ] && [ "$(st lost_exits)" -gt "$l0" ] &&
	[ ! -e "$D/kvm/$vm/exit_timing" ] && kill -0 $wl; }
check "${TP}fail_alloc: attach fails, exits counted as lost, the VM runs on" failed
kept=$(ls -d $D/kvm_exit_timing/exited/* | tail -1)
enomem() { ! cat "$kept/exit_timing" >/dev/null 2>/tmp/err &&
	grep -q 'Cannot allocate memory' /tmp/err; }
check "${TP}fail_alloc: a table read fails with ENOMEM" enomem
toolerr() { ! $T report --exited >/tmp/out 2>/tmp/err && [ ! -s /tmp/out ] &&
	grep -q 'Cannot allocate memory' /tmp/err; }
check "${TP}fail_alloc: the tool fails cleanly" toolerr
echo 0 >$P
sleep 3
recovered() { [ -e "$D/kvm/$vm/exit_timing" ] && [ "$(cpuids "$vm")" -gt 0 ] &&
	cat "$kept/exit_timing" >/dev/null; }
check "${TP}fail_alloc cleared: the VM attaches and counts, reads work" recovered
kill $wl
wait $wl

# An open stats file, or the device, holds the module: rmmod refuses,
# the file keeps reading; once closed, rmmod works.
./ket_workload -s 60 >/tmp/wl6.out &
wl=$!
sleep 1
vm=$(vmof /tmp/wl6.out)
f=$D/kvm/$vm/exit_timing.stats
settle [ -e "$f" ] || { notok "${TP}VM attached" "no $f"; cat $D/kvm_exit_timing/status; f=/dev/null; }
exec 3<"$f"
busy() { ! rmmod kvm_exit_timing 2>/dev/null; }
check "${TP}rmmod refused while a stats file is open" busy
check "${TP}the open stats file still reads" [ "$(head -c 24 <&3 | wc -c)" = 24 ]
exec 3<&-
exec 4<>/dev/kvm_exit_timing
check "${TP}rmmod refused while the device is open" busy
exec 4<&-
check "${TP}rmmod once they are closed" rmmod kvm_exit_timing
kill $wl
wait $wl
