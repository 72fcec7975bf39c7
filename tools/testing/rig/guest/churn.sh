#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Part of make check in the rig (check.sh runs it, the module unloaded):
# VM churn.  Two loops create and destroy VMS VMs in all, each with a
# vCPU that runs, two at a time, while a reader walks every table of the
# running and the exited VMs.  With retain_kb set to 16 such VMs' worth
# (and a half), every VM is met, exited/ never holds more than 16 VMs, or
# more bytes, and no state leaks: the module's live VM and vCPU states
# come back to what exited/ holds, and to none with retain_kb=0.
# TAP lines.
. ./tap.sh
KO=/ket/kvm_exit_timing.ko
VMS=${1:-200}
R=/sys/module/kvm_exit_timing/parameters/retain_kb

insmod $KO || notok "insmod"
default=$(cat $R)
retain=16
per=$(($(st vm_state_bytes) + $(st vcpu_state_bytes)))
echo $(((retain * per + per / 2) / 1024)) >$R
(while :; do
	cat $D/kvm/*/exit_timing $D/kvm/*/vcpu0/exit_timing \
	    $D/kvm/*/exit_timing.stats $D/kvm_exit_timing/exited/*/exit_reasons \
	    $D/kvm_exit_timing/exited/*/exit_timing.stats >/dev/null 2>&1
	[ "$(st vms_exited_kept)" -le "$retain" ] &&
		[ "$(st vms_exited_bytes)" -le $(($(cat $R) * 1024)) ] ||
		echo over >/tmp/churn-over
done) &
reader=$!
churn() { for i in $(seq "$1"); do ./ket_workload -i 4 >/dev/null || echo "$i" >>/tmp/churn-fail; done; }
rm -f /tmp/churn-over /tmp/churn-fail
s=$(cut -d. -f1 /proc/uptime)
churn $((VMS / 2)) &
churn $((VMS - VMS / 2))
wait $!
secs=$(($(cut -d. -f1 /proc/uptime) - s))
kill $reader
wait $reader 2>/dev/null
wait_idle
check "churn: $VMS VMs ran ($secs s), two at a time, a reader walking every table" [ ! -e /tmp/churn-fail ]
# Met: attached, or destroyed by KVM before the attach (vms_missed).
met() { [ $(($(st vms_seen) + $(st vms_missed))) = "$VMS" ]; }
check "churn: the module met every VM ($(st vms_missed) before their attach)" met
met || grep -E 'vms|lost|attach' $D/kvm_exit_timing/status | sed 's/^/# /'
check "churn: exited/ never held more than $retain VMs ($(cat $R) KiB)" [ ! -e /tmp/churn-over ]
# Retirement may still be finishing VMs that left vms_attached: wait,
# up to 10 s (it took over 5 s once, on the default kernel).
kept() { [ "$(st vms_exited_kept)" = "$retain" ] && [ "$(st vms_allocated)" = "$retain" ] &&
	[ "$(st vcpus_allocated)" = "$retain" ] &&
	[ "$(st vms_exited_bytes)" = $((retain * per)) ]; }
held() { settle kept || settle kept; }
check "churn: states allocated are exactly those exited/ keeps" held
kept || grep -E 'vms|vcpus' $D/kvm_exit_timing/status | sed 's/^/# /'
echo 0 >$R
./ket_workload -i 4 >/dev/null
wait_idle
empty() { [ "$(st vms_exited_kept)" = 0 ] && [ "$(st vms_allocated)" = 0 ] &&
	[ "$(st vcpus_allocated)" = 0 ]; }
none() { settle empty; }
check "churn: with retain_kb=0, no state left" none
none || grep -E 'vms|vcpus' $D/kvm_exit_timing/status | sed 's/^/# /'
echo "$default" >$R
check "churn: rmmod" rmmod kvm_exit_timing
