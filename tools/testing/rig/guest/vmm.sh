# SPDX-License-Identifier: GPL-2.0
# Sourced by the rigs' check scripts (check.sh, check_arm64.sh), the
# module loaded, once ket_vmm has run $VMM VMs without it (its line in
# /tmp/vmm.without): the same run with each VM attached before its close
# (ket_vmm -a), whose process's mappings and RSS must end as without the
# module, and KVM's directory of each VM gone at its close.  Its line:
# "vms N maps BEFORE AFTER rss_kb BEFORE AFTER dirs_left N".  Check names
# begin with $TP.
./ket_vmm -n $VMM -a >/tmp/vmm.with || notok "${TP}ket_vmm with the module"
# Its mappings' and RSS's growth, and the directories left; "- - -" if
# the run printed no such line.
grew() { awk '$1 == "vms" && NF == 10 { print $5 - $4, $8 - $7, $10; n++ }
	END { if (n != 1) print "- - -" }' "$1"; }
set -- $(grew /tmp/vmm.without) $(grew /tmp/vmm.with)
check "${TP}long-lived VMM: $VMM VMs without the module: mappings +$1, RSS +$2 KiB" [ "$1" = 0 ]
check "${TP}long-lived VMM: $VMM VMs attached and closed: KVM's directory of each gone at its close ($6 left)" \
	[ "$6" = 0 ]
check "${TP}long-lived VMM: mappings +$4, as without the module" [ "$4" = "$1" ]
near() { [ "$1" != - ] && [ "$2" != - ] && [ $(($1 - $2)) -le 64 ] && [ $(($2 - $1)) -le 64 ]; }
check "${TP}long-lived VMM: RSS +$5 KiB, without the module +$2 KiB (64 KiB allowed)" near "$5" "$2"
