#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of kvm-exit-timing, on debugfs trees made of a statistics
# file that the module's own layout code wrote (SEED, from the unit
# tests): exact output, JSON schema, Prometheus parser, errors, top in a
# pseudo-terminal.  TAP lines.  Usage: tool_test.sh TOOL SEED
set -uo pipefail
tool=$1
seed=$2
here=$(cd "$(dirname "$0")" && pwd)
check="/usr/bin/python3 $here/tool_check.py"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { if [ "$2" = 0 ]; then echo "ok - tool: $1"; else echo "not ok - tool: $1"; fi; }

# A VM 123-4 with vCPU 0, both with the seed's figures, and an exited VM.
mk_tree() {
	mkdir -p "$1"/kvm/123-4/vcpu0 "$1"/kvm_exit_timing/exited/99-5.3
	cp "$seed" "$1"/kvm/123-4/exit_timing.stats
	cp "$seed" "$1"/kvm/123-4/vcpu0/exit_timing.stats
	cp "$seed" "$1"/kvm_exit_timing/exited/99-5.3/exit_timing.stats
	: >"$1"/kvm/123-4/exit_timing
	: >"$1"/kvm_exit_timing/exited/99-5.3/exit_timing
}
mk_tree "$t/d"
export KVM_EXIT_TIMING_DEBUGFS=$t/d
# Processes, for guest names: none unless a test makes them.
mkdir "$t/proc"
export KVM_EXIT_TIMING_PROC=$t/proc

# run NAME EXPECTED_RC ARGS...: stdout to $t/out, stderr to $t/err.
run() { "$tool" "${@:3}" >"$t/out" 2>"$t/err"; [ $? = "$2" ]; }
# Errors: status 1 (2 for usage), a reason on stderr, nothing on stdout.
err_case() {	# NAME RC PATTERN ARGS...
	run "$1" "$2" "${@:4}"
	ok "error: $1" $([ $? = 0 ] && [ ! -s "$t/out" ] && grep -q "$3" "$t/err"; echo $?)
}

run report 0 report --vm 123-4 --vcpu 0
ok "report exact row" $(awk '$1=="EMULINST"' "$t/out" | tr -s ' ' |
	grep -qx 'EMULINST 100 100.00% 100.00% 600ns 1.30us 1.48us 1.93us 2.00us 2.00us 2.00us 332ns'; echo $?)
ok "report title" $(grep -qx 'VM 123-4 (pid 123) vCPU 0: 100 exits, handling 130us' "$t/out"; echo $?)
run report 0 report --reasons --sort name
ok "report --reasons: host sums the running VM only" $(awk '$1=="read_cr4"{print $2}' "$t/out" | grep -qx 1; echo $?)
run report 0 report --exited --sort count
ok "report --exited: adds the exited VM" $(awk '$1=="EMULINST"{print $2}' "$t/out" | grep -qx 200; echo $?)

for args in "report --json" "report --json --reasons --vm 123" "report --json --vm 123-4 --vcpu 0"; do
	"$tool" $args | $check json report >/dev/null
	ok "JSON schema: $args" $?
done
"$tool" hist EMULINST --json | $check json hist >/dev/null
ok "JSON schema: hist" $?
"$tool" list --json | $check json list >/dev/null
ok "JSON schema: list" $?
"$tool" top --json --interval 0.1 --iterations 3 | $check json top | grep -qx '3 valid'
ok "JSON schema: top, one object per interval" $?
ok "JSON figures" $("$tool" report --json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["rows"][0]
sys.exit(not (r["name"] == "EMULINST" and r["count"] == 100 and r["p50_ns"] == 1478.7 and r["p90_ns"] == 1933.3 and r["min_ns"] == 600 and r["max_ns"] == 2000))'; echo $?)

"$tool" report --prometheus >"$t/prom"
$check prometheus <"$t/prom" >"$t/fam"
ok "Prometheus: the official parser reads it" $?
promtool check metrics <"$t/prom" >"$t/promtool" 2>&1
ok "Prometheus: promtool check metrics finds nothing" $([ $? = 0 ] && [ ! -s "$t/promtool" ]; echo $?)
# Per VM; le the exact bound 2^b - 1 ns of bucket b, as an exact decimal;
# the same 27 bounds in every series, 127 ns to 8.59 s.
ok "Prometheus: histogram series exact" $(grep -qx 'kvm_exit_timing_class_seconds_count{vm="123-4",pid="123",class="EMULINST"} 100' "$t/prom" &&
	grep -qx 'kvm_exit_timing_class_seconds_sum{vm="123-4",pid="123",class="EMULINST"} 0.000130000' "$t/prom" &&
	grep -qx 'kvm_exit_timing_class_seconds_bucket{vm="123-4",pid="123",class="EMULINST",le="0.000001023"} 10' "$t/prom" &&
	grep -qx 'kvm_exit_timing_class_seconds_bucket{vm="123-4",pid="123",class="EMULINST",le="0.000000127"} 0' "$t/prom" &&
	grep -qx 'kvm_exit_timing_class_seconds_bucket{vm="123-4",pid="123",class="EMULINST",le="8.589934591"} 100' "$t/prom" &&
	grep -qx 'kvm_exit_timing_class_seconds_bucket{vm="123-4",pid="123",class="EMULINST",le="+Inf"} 100' "$t/prom" &&
	[ "$(grep -c '^kvm_exit_timing_class_seconds_bucket{vm="123-4",pid="123",class="EMULINST",' "$t/prom")" = 28 ] &&
	grep -qx 'kvm_exit_timing_up 1' "$t/prom"; echo $?)
ok "Prometheus: guest run time apart, not an exit class" $(! grep -q 'class="TIMEINGUEST"' "$t/prom" &&
	grep -q '^# TYPE kvm_exit_timing_guest_seconds histogram$' "$t/prom"; echo $?)
"$tool" report --prometheus --per-vcpu --vm 123-4 >"$t/out"
ok "Prometheus: --per-vcpu, a vcpu label" $(grep -qx 'kvm_exit_timing_class_seconds_count{vm="123-4",pid="123",vcpu="0",class="EMULINST"} 100' "$t/out" &&
	promtool check metrics <"$t/out" >/dev/null 2>&1; echo $?)
mkdir "$t/tf"
(umask 077; "$tool" report --textfile "$t/tf" >"$t/out" 2>"$t/err")
ok "--textfile: the same text, by rename, nothing else, 0644 under umask 077" $([ $? = 0 ] &&
	cmp -s <(grep -v _timestamp_ "$t/prom") <(grep -v _timestamp_ "$t/tf/kvm_exit_timing.prom") &&
	[ "$(ls -A "$t/tf")" = kvm_exit_timing.prom ] && [ ! -s "$t/out" ] &&
	[ "$(stat -c %a "$t/tf/kvm_exit_timing.prom")" = 644 ]; echo $?)
run textfile 0 report --textfile "$t/tf/kvm.prom"
ok "--textfile FILE.prom: the name chosen" $([ -s "$t/tf/kvm.prom" ] && [ "$(ls -A "$t/tf" | wc -l)" = 2 ]; echo $?)
KVM_EXIT_TIMING_DEBUGFS=$t/nothing "$tool" report --textfile "$t/tf" >"$t/out" 2>"$t/err"
ok "--textfile: a failed read serves kvm_exit_timing_up 0, no old figures" $([ $? = 1 ] &&
	grep -qx 'kvm_exit_timing_up 0' "$t/tf/kvm_exit_timing.prom" && ! grep -q _bucket "$t/tf/kvm_exit_timing.prom" &&
	grep -q 'is not loaded' "$t/err"; echo $?)
"$tool" report --textfile "$t/tf" --interval 0.2 >"$t/out" 2>"$t/err" &
sleep 0.5
rm "$t/tf/kvm_exit_timing.prom"
sleep 0.5
kill -TERM $!
wait $!
ok "report --textfile --interval: rewrites, stops on SIGTERM with up 0 alone, leaves no temporary file" $([ $? = 0 ] &&
	grep -qx 'kvm_exit_timing_up 0' "$t/tf/kvm_exit_timing.prom" && ! grep -q _bucket "$t/tf/kvm_exit_timing.prom" &&
	[ "$(ls -A "$t/tf" | wc -l)" = 2 ] && [ ! -s "$t/err" ]; echo $?)
# A link planted at the temporary file's name (the pid is the shell's,
# which execs the tool) is not followed.
echo secret >"$t/victim"
chmod 600 "$t/victim"
sh -c 'ln -s "$1" "$2/.kvm_exit_timing.prom.$$.tmp"; exec "$3" report --textfile "$2"' _ "$t/victim" "$t/tf" "$tool" >/dev/null 2>&1
ok "--textfile: a link at the temporary name is not followed" $([ "$(cat "$t/victim")" = secret ] &&
	[ "$(stat -c %a "$t/victim")" = 600 ] && [ ! -L "$t/tf/kvm_exit_timing.prom" ] &&
	grep -qx 'kvm_exit_timing_up 1' "$t/tf/kvm_exit_timing.prom"; echo $?)

# Guest names: QEMU's -name, as libvirt passes it, and the old form; a
# process name otherwise.  A name is a label value to escape, and a
# terminal's control bytes are shown as '?'.
mkdir -p "$t/proc/123" "$t/proc/200"
printf 'qemu-system-x86_64\0-name\0guest=web1,,a,debug-threads=on\0-m\0512\0' >"$t/proc/123/cmdline"
printf 'qemu-system-x86\n' >"$t/proc/123/comm"
run list 0 list
ok "guest name: QEMU's -name guest=, in list" $(grep -q '^0 *123-4 *web1,a *123 *running *0$' "$t/out"; echo $?)
run report 0 report --vm web1,a --json
ok "guest name: --vm NAME, and in JSON's scope" $(grep -q '"scope":{"kind":"vm","vm":"123-4","pid":123,"guest":"web1,a"}' "$t/out"; echo $?)
run report 0 report --vm 123
ok "guest name: in report's title" $(grep -q '^VM 123-4 (pid 123, guest web1,a): 100 exits' "$t/out"; echo $?)
printf 'qemu-system-x86_64\0-name\0we"b\\1\033[2J\0' >"$t/proc/123/cmdline"
run prom 0 report --prometheus
ok "guest name: the old -name form, a Prometheus label escaped" $(grep -qF 'kvm_exit_timing_class_seconds_count{vm="123-4",pid="123",name="we\"b\\1?[2J",class="EMULINST"} 100' "$t/out" &&
	$check prometheus <"$t/out" >/dev/null; echo $?)
# Two VMs of one guest name: --vm by it is refused, as kvm_stat -g
# does; a guest named like another VM's PID-FD cannot pass for it.
mkdir -p "$t/d/kvm/200-7"
cp "$seed" "$t/d/kvm/200-7/exit_timing.stats"
printf 'qemu\0-name\0twin\0' >"$t/proc/123/cmdline"
printf 'qemu\0-name\0twin\0' >"$t/proc/200/cmdline"
err_case "a guest name two VMs have" 1 "twin names 2 VMs" report --vm twin
printf 'qemu\0-name\0guest=200-7\0' >"$t/proc/123/cmdline"
run report 0 report --vm 200-7
ok "guest name: one named like another VM's PID-FD is not that VM" $(grep -q '^VM 200-7 (pid 200, guest twin)' "$t/out"; echo $?)
rm -r "$t/d/kvm/200-7"
# Not UTF-8, C1 controls, a name cut within a character: '?' and whole
# characters only, which JSON and promtool accept.
{ printf 'qemu\0-name\0a\377b\302\233c'; for i in $(seq 90); do printf '\343\202\242'; done; printf '\0'; } >"$t/proc/123/cmdline"
"$tool" list --json >"$t/out"
ok "guest name: invalid UTF-8 and C1 shown as ?, cut at a character" $(/usr/bin/python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))["vms"][0]["guest"]
sys.exit(not (g.startswith("a?b?c\u30a2") and len(g.encode()) <= 255 and g.endswith("\u30a2")))' "$t/out" &&
	"$tool" report --prometheus | promtool check metrics >/dev/null 2>&1; echo $?)
printf 'firecracker\0--api-sock\0/run/fc.sock\0' >"$t/proc/123/cmdline"
printf 'firecracker\n' >"$t/proc/123/comm"
"$tool" list --json >"$t/out"
ok "guest name: another VMM's process name, in list's JSON" $(grep -q '"name":"123-4","guest":"firecracker"' "$t/out" &&
	$check json list <"$t/out" >/dev/null; echo $?)
rm -r "$t/proc/123" "$t/proc/200"

# One stats file open at a time, however many VMs: 80 VMs with 32 fds.
mkdir -p "$t/many/kvm_exit_timing/exited"
for i in $(seq 80); do mkdir -p "$t/many/kvm/$i-1"; cp "$seed" "$t/many/kvm/$i-1/exit_timing.stats"; done
(ulimit -n 32; KVM_EXIT_TIMING_DEBUGFS=$t/many "$tool" report --prometheus >"$t/out" 2>"$t/err")
ok "80 VMs read with 32 fds, each labelled" $([ $? = 0 ] &&
	[ "$(grep -c '^kvm_exit_timing_class_seconds_count{.*EMULINST' "$t/out")" = 80 ] &&
	grep -qx 'kvm_exit_timing_class_seconds_count{vm="80-1",pid="80",class="EMULINST"} 100' "$t/out"; echo $?)
rm -r "$t/many"

# Several --vm: their VMs summed, named in the scope; reset changes
# nothing unless every --vm names a VM.
run report 0 report --vm 123-4 --vm 99-5.3 --json
ok "several --vm: summed, scope vms" $(grep -q '"scope":{"kind":"vms","vms":\["123-4","99-5.3"\]}' "$t/out" &&
	grep -q '"name":"EMULINST","count":200,' "$t/out" && $check json report <"$t/out" >/dev/null; echo $?)
run report 0 report --vm 123 --vm 99
ok "several --vm: the title names them" $(grep -q '^VMs 123-4, 99-5.3: 200 exits' "$t/out"; echo $?)
run reset 1 reset --vm 123-4 --vm 555
ok "several --vm: reset with one unknown resets nothing" $([ ! -s "$t/d/kvm/123-4/exit_timing" ] && grep -q 'no such VM: 555' "$t/err"; echo $?)

run hist 0 hist EMULINST --vm 123
ok "hist bars" $(grep -q '^\[ 1.02us,  2.04us)         90  90.00% |#\{50\}|$' "$t/out"; echo $?)
run reset 0 reset --vm 123-4
ok "reset through debugfs writes c" $(grep -qx c "$t/d/kvm/123-4/exit_timing"; echo $?)
"$tool" reset --all --json | $check json reset >/dev/null
ok "JSON schema: reset" $?
mkdir -p "$t/none/kvm" "$t/none/kvm_exit_timing/exited"
KVM_EXIT_TIMING_DEBUGFS=$t/none "$tool" reset --all --json | tee "$t/out" | $check json reset >/dev/null
ok "JSON schema: reset --all with no VM" $([ $? = 0 ] && grep -qx '{"version":1,"reset_vms":0}' "$t/out"; echo $?)
rm -r "$t/none"

KVM_EXIT_TIMING_DEBUGFS=$t/none err_case "module not loaded" 1 "is not loaded" report
err_case "no such VM" 1 "no such VM: 555" report --vm 555
err_case "no such vCPU" 1 "has no vCPU 7" report --vm 123-4 --vcpu 7
err_case "no such class" 1 "no class or reason NOPE" hist NOPE
err_case "unknown command" 2 "unknown command" frobnicate
err_case "bad --sort" 2 "unknown --sort" report --sort speed
err_case "--vcpu without --vm" 2 "needs --vm" report --vcpu 0
err_case "reset without scope" 2 "needs --vm VM or --all" reset
err_case "reset with two scopes" 2 "needs --vm VM or --all" reset --all --vm 123
err_case "an option the command does not take" 2 "list takes no --reasons" list --reasons
err_case "a 17th --vm" 2 "at most 16 --vm" report $(for i in $(seq 17); do echo --vm $i; done)
err_case "--exit-with-vm without --vm" 2 "needs --vm" top --exit-with-vm
mk_tree "$t/trunc"
head -c 50000 "$seed" >"$t/trunc/kvm/123-4/exit_timing.stats"
KVM_EXIT_TIMING_DEBUGFS=$t/trunc err_case "truncated stats file" 1 "beyond the data block\|truncated" report
mk_tree "$t/bad"
head -c 5000 /dev/urandom >"$t/bad/kvm/123-4/exit_timing.stats"
KVM_EXIT_TIMING_DEBUGFS=$t/bad err_case "malformed stats file" 1 "not kvm_exit_timing statistics\|bad header" report
chmod 0 "$t/d/kvm/123-4/exit_timing.stats"
chmod 755 "$t"
setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" report --vm 123-4 >"$t/out" 2>"$t/err"
ok "error: no permission" $([ $? = 1 ] && [ ! -s "$t/out" ] && grep -q "Permission denied" "$t/err"; echo $?)
chmod 644 "$t/d/kvm/123-4/exit_timing.stats"

# top on a terminal: redraws, and quits on q.
( sleep 1; printf q ) | timeout 10 script -qfec "$tool top --interval 0.2" "$t/tty" >/dev/null 2>&1
rc=$?
ok "top in a pty quits on q" $([ $rc = 0 ] && grep -q $'\e\[H\e\[2J' "$t/tty" && grep -q 'q quits' "$t/tty"; echo $?)
# The terminal is given back on each way out, and taken again on SIGCONT.
for sig in INT TERM HUP; do
	timeout 10 script -qfec "sh -c 'timeout --foreground -s $sig 1 $tool top --interval 0.2; stty -a'" \
		"$t/tty" </dev/null >/dev/null 2>&1
	ok "top on SIG$sig: the terminal given back" $(grep -q ' icanon .* echo ' "$t/tty" &&
		grep -q $'\e\[?1049l' "$t/tty"; echo $?)
done
# A small terminal: each screen cut to its rows and columns, never scrolled.
timeout 10 script -qfec "sh -c 'stty rows 4 cols 50; exec $tool top --interval 0.2 --iterations 2'" \
	"$t/tty" >/dev/null 2>&1
ok "top in a 4x50 terminal: cut to fit, the lines left out counted" $(/usr/bin/python3 - "$t/tty" <<-'EOF'
	import re, sys
	text = open(sys.argv[1], errors="replace").read().split("\n", 1)[1].rsplit("\nScript done", 1)[0]
	screens = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", x).split("\n")
	           for x in text.split("\x1b[H\x1b[2J")[1:]]
	ok = len(screens) == 2 and all(len(x) == 4 and max(map(len, x)) <= 50 and
	                               x[3] == "(2 more lines: a taller window shows them)" for x in screens)
	sys.exit(not ok)
	EOF
	echo $?)
# A signal ignored at start (nohup) stays ignored: top runs on.
(trap '' HUP; "$tool" top --interval 0.2 --iterations 6 >"$t/out" 2>&1 & p=$!; sleep 0.5; kill -HUP $p; wait $p)
ok "top: SIGHUP ignored at start stays ignored" $([ $? = 0 ] && [ "$(grep -c '^--- ' "$t/out")" = 6 ]; echo $?)
# Under a job-control shell, so that the stop is not discarded (an
# orphaned process group's would be).
cat >"$t/tstp.sh" <<'EOF'
set -m
(sleep 0.8; kill -TSTP $(cat $2.pid)) &
sh -c 'echo $$ >$1; exec "$0" top --interval 0.2' "$1" $2.pid
stty -a >$2.stopped
(sleep 0.6; stty -a </dev/tty >$2.cont; kill -TERM $(cat $2.pid)) &
fg >/dev/null
EOF
timeout 10 script -qfec "sh $t/tstp.sh $tool $t/stty" "$t/tty" </dev/null >/dev/null 2>&1
ok "top on SIGTSTP: the terminal given back, taken again on SIGCONT" $(grep -q ' icanon ' "$t/stty.stopped" &&
	grep -q ' -icanon ' "$t/stty.cont"; echo $?)
# A background job never touches the terminal (no stop on SIGTTOU).
timeout 10 script -qfec "sh -c 'set -m; $tool top --interval 0.2 --iterations 2 & wait \$!; echo rc=\$?'" \
	"$t/tty" </dev/null >/dev/null 2>&1
ok "top in the background: runs, the terminal left alone" $(grep -q '^rc=0' "$t/tty" &&
	[ "$(grep -c '^--- ' "$t/tty")" = 2 ]; echo $?)
"$tool" top --interval 0.1 --iterations 3 >"$t/out" </dev/null
ok "top piped: one block per interval" $([ "$(grep -c '^--- .* interval 0\.[0-9]*s ' "$t/out")" = 3 ]; echo $?)
# top takes each VM's own change: a VM that exits or is reset changes
# the interval by its own exits only, never by the others' history.
# VMs A (123-4) and B (200-7) hold the seed's 100 EMULINST exits; half
# way through the first interval B exits (moves under exited/), through
# the second A is reset (its data zeroed), through the third A counts
# its 100 exits again.
# SEED OUT [STAT]: the seed with every figure zero, or only STAT.
zeroed() {
	/usr/bin/python3 - "$@" <<-'EOF'
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	_, name_size, num, _, desc, data = struct.unpack_from("<6I", b, 0)
	if len(sys.argv) < 4:
	    b[data:] = bytes(len(b) - data)
	for i in range(num if len(sys.argv) > 3 else 0):
	    d = desc + i * (16 + name_size)
	    if b[d + 16:d + 16 + name_size].split(b"\0")[0].decode() == sys.argv[3]:
	        struct.pack_into("<Q", b, data + struct.unpack_from("<I", b, d + 8)[0], 0)
	open(sys.argv[2], "wb").write(b)
	EOF
}
zeroed "$seed" "$t/zero.stats"
zeroed "$seed" "$t/emulinst0.stats" class_EMULINST_count
mk_top_tree() {
	rm -rf "$t/top"
	mk_tree "$t/top"
	mkdir -p "$t/top/kvm/200-7"
	cp "$seed" "$t/top/kvm/200-7/exit_timing.stats"
	: >"$t/top/kvm/200-7/exit_timing"
}
b_exits() { mv "$t/top/kvm/200-7" "$t/top/kvm_exit_timing/exited/200-7.4"; }
# VM 123-4's stats replaced at once, as the module's file is.
a_stats() { cp "$1" "$t/top/a.tmp" && mv "$t/top/a.tmp" "$t/top/kvm/123-4/exit_timing.stats"; }
# Until FILE has N lines (top flushes a line per interval): up to 20 s.
lines() { for i in $(seq 200); do [ -e "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return; sleep 0.1; done; }
# The first change half way through the first interval, later ones as
# soon as an interval is printed: a whole interval of margin.
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --json --interval 2 --iterations 3 >"$t/top.json" &
sleep 1; b_exits
lines "$t/top.json" 1; a_stats "$t/zero.stats"
lines "$t/top.json" 2; a_stats "$seed"
wait $!
ok "top: per-VM deltas; an exit and a reset add nothing (exits 0 0 100)" $(/usr/bin/python3 - "$t/top.json" <<-'EOF'
	import json, sys
	tops = [json.loads(l) for l in open(sys.argv[1])]
	vms = [sorted((v["name"], v["state"], v["exits"]) for v in t["vms"]) for t in tops]
	sys.exit(not ([t["exits"] for t in tops] == [0, 0, 100] and
	              vms == [[("123-4", "running", 0), ("200-7", "exited", 0)],
	                      [("123-4", "reset", 0)], [("123-4", "running", 100)]] and
	              tops[2]["rows"][0]["count"] == 100 and tops[2]["rows"][0]["total"] == 100))
	EOF
	echo $?)
$check json top <"$t/top.json" | grep -qx '3 valid'
ok "JSON schema: top's VMs and states" $?
# A reset after which some rows count as many as before, or more: the
# interval is all the VM has, not less its old figures (reasons unchanged,
# EMULINST went back).
reasons=$("$tool" report --vm 123-4 --reasons --json | /usr/bin/python3 -c '
import json, sys
print(sum(r["count"] for r in json.load(sys.stdin)["rows"]))')
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --vm 123-4 --reasons --json --interval 2 --iterations 1 >"$t/top.json" &
sleep 1; a_stats "$t/emulinst0.stats"
wait $!
ok "top: a reset VM's interval is all it has ($reasons reason exits)" $(grep -q "\"exits\":$reasons,\"rows\"" "$t/top.json" &&
	grep -q '"state":"reset"' "$t/top.json"; echo $?)
# debugfs: 200-7 exits and a new VM takes its name in one interval; then
# a VM comes and goes within one.
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --json --interval 2 --iterations 2 >"$t/top.json" &
sleep 1; b_exits; mkdir "$t/top/kvm/200-7"; cp "$t/zero.stats" "$t/top/kvm/200-7/exit_timing.stats"
lines "$t/top.json" 1
mkdir "$t/top/kvm_exit_timing/exited/300-9.5"; cp "$seed" "$t/top/kvm_exit_timing/exited/300-9.5/exit_timing.stats"
wait $!
ok "top: a name reused is a new VM; a VM that came and went counts" $(/usr/bin/python3 - "$t/top.json" <<-'EOF'
	import json, sys
	tops = [json.loads(l) for l in open(sys.argv[1])]
	vms = [sorted((v["name"], v["state"], v["exits"]) for v in t["vms"]) for t in tops]
	sys.exit(not (vms == [[("123-4", "running", 0), ("200-7", "exited", 0), ("200-7", "new", 0)],
	                      [("123-4", "running", 0), ("200-7", "running", 0), ("300-9", "exited", 100)]] and
	              [t["exits"] for t in tops] == [0, 100]))
	EOF
	echo $?)
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --vm 200-7 --exit-with-vm --json --interval 1 --iterations 10 >"$t/top.json" &
sleep 0.5; b_exits
wait $!
ok "top --vm --exit-with-vm: stops once the VM exited" $([ $? = 0 ] && [ "$(wc -l <"$t/top.json")" -lt 10 ] &&
	tail -1 "$t/top.json" | grep -q '"state":"exited"'; echo $?)
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --vm 200-7 --interval 1 --iterations 3 >"$t/out" 2>"$t/err" &
sleep 0.5; b_exits
wait $!
ok "top --vm: the VM's exit ends nothing" $([ $? = 0 ] && [ "$(grep -c '^--- ' "$t/out")" = 3 ] &&
	grep -q '^200-7 .* exited ' "$t/out" && [ ! -s "$t/err" ]; echo $?)
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top err_case "top --vm --vcpu a VM lacks" 1 "VM 123-4 has no vCPU 5" top --vm 123-4 --vcpu 5 --iterations 1
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" top --vm 123-4 --vm 200 --json --interval 0.2 --iterations 1 >"$t/top.json"
ok "top, several --vm: both VMs, scope vms" $(grep -q '"scope":{"kind":"vms","vms":\["123-4","200-7"\]}' "$t/top.json" &&
	$check json top <"$t/top.json" >/dev/null; echo $?)

# record: each interval's own exits, one JSON line each.  VM 123-4 starts
# at zero and counts the seed's exits half way through the first of three
# intervals: 100 EMULINST exits in two buckets, then none.
mk_top_tree
a_stats "$t/zero.stats"
rec=$t/rec.jsonl
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --vm 123-4 --interval 2 --iterations 3 --output "$rec" &
sleep 1; a_stats "$seed"
wait $!
ok "record: one line per interval, the VM's own exits (100 0 0), the histogram's delta" $([ $? = 0 ] &&
	/usr/bin/python3 - "$rec" <<-'EOF'
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1])]
	sys.exit(not ([l["exits"] for l in lines] == [100, 0, 0] and
	              [r for r in lines[0]["rows"] if r["name"] == "EMULINST"] ==
	              [{"name": "EMULINST", "kind": "class", "count": 100, "time_ns": 130000,
	                "hist": [[10, 10], [11, 90]]}] and
	              lines[1]["rows"] == [] and lines[0]["scope"] == {"kind": "vm", "vm": "123-4", "pid": 123} and
	              all(l["version"] == 1 and 1.5 < l["interval_s"] < 3 for l in lines)))
	EOF
	echo $?)
$check json record <"$rec" | grep -qx '3 valid'
ok "JSON schema: record" $?
# plot: well formed, every cell the recording's delta, drawn by a real
# renderer (librsvg) in its colour where the SVG puts it.
"$tool" plot "$rec" >"$t/rec.svg" && rsvg-convert "$t/rec.svg" -o "$t/rec.png" &&
	$check plot "$rec" "$t/rec.svg" "$t/rec.png" >"$t/out"
ok "plot: cells equal the recording's deltas, rendered by rsvg-convert" $([ $? = 0 ] &&
	grep -qx '1 2 1' "$t/out" && grep -q '>Exit latency of VM 123-4</text>' "$t/rec.svg"; echo $?)
"$tool" plot --reasons "$rec" | $check plot "$rec" /dev/stdin >"$t/out"
ok "plot --reasons: a map per reason" $([ $? = 0 ] && grep -qx '1 1 1' "$t/out"; echo $?)
# A day-long recording: 1000 intervals, in at most 360 columns, each the
# sum of its intervals; two classes and the names asked, in their order.
/usr/bin/python3 - "$t/long.jsonl" <<-'EOF'
	import json, sys
	with open(sys.argv[1], "w") as f:
	    for i in range(1000):
	        rows = [{"name": "HALT", "kind": "class", "count": i % 7 + 1, "time_ns": 1000 * (i % 7 + 1),
	                 "hist": [[12 + i % 5, i % 7 + 1]]}]
	        if i % 3 == 0:
	            rows.append({"name": "MMIO", "kind": "class", "count": 2, "time_ns": 90, "hist": [[5, 1], [7, 1]]})
	        f.write(json.dumps({"version": 1, "time": 1.7e9 + 86.4 * (i + 1), "interval_s": 86.4,
	                            "scope": {"kind": "host"}, "exits": 0, "rows": rows,
	                            "guest": {"count": 0, "time_ns": 10**9, "hist": []}, "vms": []}) + "\n")
	EOF
"$tool" plot "$t/long.jsonl" MMIO HALT >"$t/long.svg" && rsvg-convert "$t/long.svg" -o "$t/long.png" &&
	$check plot "$t/long.jsonl" "$t/long.svg" "$t/long.png" >"$t/out"
ok "plot: 1000 intervals summed into columns, the maps asked in order" $([ $? = 0 ] &&
	read -r maps cells cols <"$t/out" && [ "$maps" = 2 ] && [ "$cols" -le 360 ] && [ "$cols" -ge 300 ] &&
	[ "$(grep -o 'class="heatmap" data-name="[A-Z]*"' "$t/long.svg" | tr '\n' ' ')" = 'class="heatmap" data-name="MMIO" class="heatmap" data-name="HALT" ' ]; echo $?)
# README's picture: what plot draws from the recording beside it (a
# real make demo's), so that it stays true to the code.
img=$here/../../Documentation/images
TZ=UTC "$tool" plot "$img/demo-svm.jsonl" | cmp -s - "$img/demo-svm.svg"
ok "plot: README's picture is the committed recording's" $?
# SIGHUP: the path opened anew (logrotate's move); SIGTERM: stop, status 0.
(umask 022; exec env KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 0.2 --output "$t/hup.jsonl") &
p=$!
lines "$t/hup.jsonl" 2; mv "$t/hup.jsonl" "$t/hup.jsonl.1"; kill -HUP $p
lines "$t/hup.jsonl" 2; kill -TERM $p; wait $p
ok "record: SIGHUP reopens the file (mode 0640), SIGTERM stops with status 0" $([ $? = 0 ] &&
	[ "$(wc -l <"$t/hup.jsonl.1")" -ge 2 ] && [ "$(wc -l <"$t/hup.jsonl")" -ge 2 ] &&
	cat "$t/hup.jsonl.1" "$t/hup.jsonl" | $check json record >/dev/null &&
	[ "$(stat -c %a "$t/hup.jsonl")" = 640 ]; echo $?)
# SIGHUP when the path cannot be opened (its directory moved too): the
# file open kept, and the path tried again at each line.
mkdir "$t/rot"
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 0.2 --output "$t/rot/r.jsonl" 2>"$t/err" &
p=$!
lines "$t/rot/r.jsonl" 2; mv "$t/rot" "$t/rot.old"; kill -HUP $p
n=$(wc -l <"$t/rot.old/r.jsonl"); lines "$t/rot.old/r.jsonl" $((n + 2))
mkdir "$t/rot"; lines "$t/rot/r.jsonl" 2; kill -TERM $p; wait $p
ok "record: a failed reopen keeps the old file and retries" $([ $? = 0 ] &&
	[ "$(wc -l <"$t/rot.old/r.jsonl")" -ge $((n + 2)) ] && [ "$(wc -l <"$t/rot/r.jsonl")" -ge 2 ] &&
	grep -q "rot/r.jsonl: No such file or directory; still writing to the file open" "$t/err"; echo $?)
# SIGTERM: the interval so far written, then status 0; SIGINT ignored at
# start (nohup, a shell's background job) stays ignored.
(trap '' INT HUP; exec env KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 30 --output "$t/term.jsonl") &
p=$!
sleep 1; kill -INT $p; sleep 0.5; kill -0 $p; alive=$?
mv "$t/term.jsonl" "$t/term.jsonl.1"; kill -HUP $p; sleep 0.5
mv "$t/term.jsonl" "$t/term.jsonl.2"; kill -TERM $p; wait $p
ok "record: SIGINT ignored at start stays so, not SIGHUP; SIGTERM writes the interval so far" $([ $? = 0 ] &&
	[ $alive = 0 ] && [ ! -s "$t/term.jsonl.1" ] && mv "$t/term.jsonl.2" "$t/term.jsonl" &&
	[ "$(wc -l <"$t/term.jsonl")" = 1 ] && /usr/bin/python3 -c '
import json, sys
sys.exit(not 1 < json.loads(open(sys.argv[1]).read())["interval_s"] < 10)' "$t/term.jsonl"; echo $?)
# A line left cut short (a full disk) is ended by the next run: its lines
# stay whole, and plot skips the torn one.
printf '{"version":1,"ti' >"$t/torn.jsonl"
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 0.1 --iterations 1 --output "$t/torn.jsonl"
"$tool" plot "$t/torn.jsonl" >/dev/null 2>"$t/err"
ok "record: a torn last line ended before the next" $([ "$(wc -l <"$t/torn.jsonl")" = 2 ] &&
	sed 1d "$t/torn.jsonl" | $check json record >/dev/null && grep -q "skipped: line 1$" "$t/err"; echo $?)
# A VM listed, then gone before its read (open() fails once, by
# LD_PRELOAD), then exited: no change in that round, its exit the next
# round's; never counted twice (exits 0 0: both VMs held the seed at the
# baseline).
cc -shared -fPIC -O2 -o "$t/fault_open.so" "$here/fault_open.c" -ldl
mk_top_tree
KVM_EXIT_TIMING_DEBUGFS=$t/top KET_FAULT_PATH=200-7/exit_timing.stats KET_FAULT_TRIGGER=$t/fault \
	LD_PRELOAD=$t/fault_open.so "$tool" record --interval 2 --iterations 2 --output "$t/race.jsonl" &
p=$!
sleep 1; touch "$t/fault"
lines "$t/race.jsonl" 1; b_exits
wait $p
ok "record: a VM gone between its listing and its read is counted once" $([ ! -e "$t/fault" ] &&
	/usr/bin/python3 - "$t/race.jsonl" <<-'EOF'
	import json, sys
	ls = [json.loads(l) for l in open(sys.argv[1])]
	b = [[v["state"] for v in l["vms"] if v["name"] == "200-7"] for l in ls]
	sys.exit(not ([l["exits"] for l in ls] == [0, 0] and b == [["running"], ["exited"]]))
	EOF
	echo $?)
# Unread at the baseline: its first read is its baseline, not a new VM's
# whole history (200-7 not shown, then running with no exits).
mk_top_tree
touch "$t/fault"
KVM_EXIT_TIMING_DEBUGFS=$t/top KET_FAULT_PATH=200-7/exit_timing.stats KET_FAULT_TRIGGER=$t/fault \
	LD_PRELOAD=$t/fault_open.so "$tool" record --interval 0.5 --iterations 2 --output "$t/late.jsonl"
ok "record: a VM unread at the baseline is baselined at its first read" $([ ! -e "$t/fault" ] &&
	/usr/bin/python3 - "$t/late.jsonl" <<-'EOF'
	import json, sys
	ls = [json.loads(l) for l in open(sys.argv[1])]
	b = [[(v["state"], v["exits"]) for v in l["vms"] if v["name"] == "200-7"] for l in ls]
	sys.exit(not ([l["exits"] for l in ls] == [0, 0] and b == [[], [("running", 0)]]))
	EOF
	echo $?)
# Unread, then gone (never listed again): it was never shown, so it
# leaves unseen, not as a VM "gone".
mk_top_tree
touch "$t/fault"
KVM_EXIT_TIMING_DEBUGFS=$t/top KET_FAULT_PATH=200-7/exit_timing.stats KET_FAULT_TRIGGER=$t/fault \
	LD_PRELOAD=$t/fault_open.so "$tool" record --interval 1 --iterations 2 --output "$t/phantom.jsonl" &
p=$!
sleep 0.5; rm -r "$t/top/kvm/200-7"
wait $p
ok "record: a VM never read leaves unseen" $([ $? = 0 ] && ! grep -q '"200-7"' "$t/phantom.jsonl" &&
	[ "$(wc -l <"$t/phantom.jsonl")" = 2 ]; echo $?)
# stderr closed: a warning never lands in the recording.
mkdir "$t/rot2"
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 0.2 --output "$t/rot2/r.jsonl" 2>&- &
p=$!
lines "$t/rot2/r.jsonl" 1; mv "$t/rot2" "$t/rot2.old"; kill -HUP $p
n=$(wc -l <"$t/rot2.old/r.jsonl"); lines "$t/rot2.old/r.jsonl" $((n + 2)); kill -TERM $p; wait $p
$check json record <"$t/rot2.old/r.jsonl" >/dev/null
ok "record: with stderr closed, only lines in the recording" $?
KVM_EXIT_TIMING_DEBUGFS=$t/top "$tool" record --interval 0.1 --iterations 2 | $check json record | grep -qx '2 valid'
ok "record to standard output" $?
err_case "record --output where it cannot be" 1 "$t/none/x: No such file or directory" record --output "$t/none/x" --iterations 1
err_case "record --exit-with-vm without --vm" 2 "needs --vm" record --exit-with-vm
err_case "plot --json" 2 "plot takes no --json" plot --json "$rec"
# A line cut short (a full disk): skipped, with a warning.
{ head -1 "$rec"; echo '{"version":1,"time":17'; sed 1d "$rec"; } >"$t/bad.jsonl"
"$tool" plot "$t/bad.jsonl" >"$t/out" 2>"$t/err"
ok "plot: a line that is not JSON skipped, with a warning" $([ $? = 0 ] &&
	grep -qx "kvm-exit-timing: $t/bad.jsonl: 1 line not JSON (cut short?), skipped: line 2" "$t/err" &&
	"$tool" plot "$rec" 2>/dev/null | cmp -s - "$t/out"; echo $?)
# The lines in time order, whatever the file's.
tac "$rec" | "$tool" plot | cmp -s - "$t/rec.svg"
ok "plot: lines out of time order drawn in time order" $?
for bad in '"time":1e300' '"interval_s":0' '"interval_s":5e-324' '"interval_s":1e12' '"time":-1' \
	'"time":NaN' '"interval_s":Infinity'; do
	sed "2s/\"time\":[0-9.]*,\"interval_s\":[0-9.]*/\"time\":1.7e9,\"interval_s\":1,$bad/" "$rec" |
		sed '2s/,"time":1.7e9,"interval_s":1,/,/' >"$t/bad.jsonl"
	err_case "plot: $bad" 1 "recording line 2: no [a-z_]*, or one out of range" plot "$t/bad.jsonl"
done
# Names no XML may hold as they are: invalid UTF-8, a control character,
# markup, and a guest name of 84 three-byte characters in the title.
/usr/bin/python3 - "$rec" "$t/names.jsonl" <<-'EOF'
	import json, sys
	l = json.loads(open(sys.argv[1]).readline())
	l["scope"] = {"kind": "vm", "vm": "123-4", "pid": 123, "guest": "\u30a2" * 84}
	l["rows"][0]["name"] = "A<b>&\"c\x01"
	line = json.dumps(l, ensure_ascii=False).encode().replace(b"A<b>", b"\xff<b>")
	open(sys.argv[2], "wb").write(line + b"\n")
	EOF
u=$(printf '\357\277\275')	# U+FFFD
"$tool" plot "$t/names.jsonl" >"$t/names.svg" && rsvg-convert "$t/names.svg" -o "$t/names.png"
ok "plot: invalid UTF-8, controls and markup in names, a long title: well-formed SVG" $([ $? = 0 ] &&
	/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$t/names.svg" && grep -q "data-name=\"$u&lt;b&gt;&amp;&quot;c$u\"" "$t/names.svg" &&
	grep -q "<title>kvm-exit-timing: exit latency of VM 123-4 ($(printf '\343\202\242%.0s' $(seq 81)))</title>" "$t/names.svg"; echo $?)
sed '2s/"version":1/"version":2/' "$rec" >"$t/bad.jsonl"
err_case "plot: another version" 1 "recording line 2: a version this tool does not read" plot "$t/bad.jsonl"
sed '1s/\[10,10\]/[38,10]/' "$rec" >"$t/bad.jsonl"
err_case "plot: a bucket out of range" 1 "recording line 1: a row with a bad hist" plot "$t/bad.jsonl"
err_case "plot: an empty recording" 1 "no interval in the recording" plot /dev/null
err_case "plot: a class not recorded" 1 "no class or reason PIO in the recording" plot "$rec" PIO
err_case "plot: no such file" 1 "$t/none.jsonl: No such file" plot "$t/none.jsonl"

"$tool" --version >"$t/out"
ok "--version: the package's version" $(grep -qx "kvm-exit-timing $(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/../../dkms.conf")" "$t/out"; echo $?)
missing=$(for c in list report hist top record plot reset; do
	for h in --help -h; do
		"$tool" $c $h 2>/dev/null | grep -q "^Usage: kvm-exit-timing $c" || echo "no $h for $c"
	done
done)
ok "--help and -h for every command" $([ -z "$missing" ]; echo $?)

# make install: the tool, its man page, its schema, the exporter's unit.
tooldir=$(cd "$(dirname "$tool")" && pwd)
# -o: the tool under test, never rebuilt from the tree.
make -s -C "$here/../kvm/kvm-exit-timing" OUTPUT="$tooldir" -o "$tooldir/kvm-exit-timing" \
	PREFIX="$t/usr" install >"$t/out" 2>&1
ok "make install: tool, man page, completion, schema, systemd unit" $([ -x "$t/usr/bin/kvm-exit-timing" ] &&
	[ -s "$t/usr/share/man/man1/kvm-exit-timing.1" ] &&
	[ -s "$t/usr/share/bash-completion/completions/kvm-exit-timing" ] &&
	cmp -s "$t/usr/share/kvm-exit-timing/kvm-exit-timing.schema.json" "$here/../../Documentation/kvm-exit-timing.schema.json" &&
	grep -q "^ExecStart=$t/usr/bin/kvm-exit-timing report --interval 15" \
		"$t/usr/lib/systemd/system/kvm-exit-timing-textfile.service"; echo $?)
if command -v systemd-analyze >/dev/null; then
	MANPATH=$t/usr/share/man systemd-analyze verify \
		"$t/usr/lib/systemd/system/kvm-exit-timing-textfile.service" >"$t/out" 2>&1
	ok "the exporter's unit passes systemd-analyze verify" $([ $? = 0 ] && [ ! -s "$t/out" ]; echo $?)
else
	echo "ok - tool: the exporter's unit passes systemd-analyze verify # SKIP no systemd-analyze"
fi

# bash completion: commands, a command's options, --vm's VMs listed now.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_kvm_exit_timing; echo "${COMPREPLY[*]}"' _ \
		"$here/../kvm/kvm-exit-timing/kvm-exit-timing.bash-completion" "$@"
}
ok "bash completion" $([ "$(complete_words "$tool" r)" = "report record reset" ] &&
	[ "$(complete_words "$tool" top --e)" = "--exit-with-vm" ] &&
	[ "$(complete_words "$tool" report --sort p9)" = "p90 p99 p99.9" ] &&
	[ "$(complete_words "$tool" report --vm "")" = "123-4 99-5.3" ]; echo $?)

# Prometheus end to end: node_exporter's textfile collector, a real server.
"$here/prom_e2e.sh" "$tool"
