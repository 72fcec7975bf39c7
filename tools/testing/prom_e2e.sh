#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tool's textfile end to end: Debian's prometheus-node-exporter reads
# it from its textfile directory, a real Prometheus server on 127.0.0.1
# scrapes the exporter, and histogram_quantile(0.99, ...) from
# Prometheus's HTTP API falls in the log2 bucket of the tool's own p99.
# TAP lines.  Usage: prom_e2e.sh TOOL (KVM_EXIT_TIMING_DEBUGFS set).
set -uo pipefail
tool=$1
t=$(mktemp -d)
pids=
trap 'kill $pids 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT

ok() { if [ "$2" = 0 ]; then echo "ok - prometheus: $1"; else echo "not ok - prometheus: $1"; fi; }
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# GET Prometheus's API path $1 (query string included).
api() { /usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$prom/api/v1/$1" 2>/dev/null; }

mkdir "$t/tf" "$t/data"
"$tool" report --textfile "$t/tf" || { ok "the textfile written" 1; exit 0; }
ne=$(free_port)
prometheus-node-exporter --web.listen-address=127.0.0.1:$ne \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$t/tf" >"$t/ne.log" 2>&1 &
pids="$pids $!"
pp=$(free_port)
prom=http://127.0.0.1:$pp
cat >"$t/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne']
EOF
prometheus --config.file="$t/prometheus.yml" --storage.tsdb.path="$t/data" \
	--web.listen-address=127.0.0.1:$pp >"$t/prom.log" 2>&1 &
pids="$pids $!"

q='histogram_quantile(0.99,sum+by+(le)(kvm_exit_timing_class_seconds_bucket{class="EMULINST"}))'
for i in $(seq 60); do
	v=$(api "query?query=$q" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
	[ -n "$v" ] && break
	sleep 0.5
done
ok "a real server scraped node_exporter's textfile ($((i / 2)) s)" $([ -n "$v" ]; echo $?)
up=$(api 'query?query=kvm_exit_timing_up' | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null)
ok "kvm_exit_timing_up is 1 in Prometheus" $([ "$up" = 1 ]; echo $?)
# The tool's p99, and the bucket [2^(b-1), 2^b) ns holding it.
p99=$("$tool" report --json | /usr/bin/python3 -c '
import json, sys
print([r for r in json.load(sys.stdin)["rows"] if r["name"] == "EMULINST"][0]["p99_ns"])')
ok "histogram_quantile(0.99) ${v:-none} s in the bucket of the tool's p99, $p99 ns" $(/usr/bin/python3 -c '
import math, sys
v, p = float(sys.argv[1]) * 1e9, float(sys.argv[2])
b = math.floor(math.log2(p)) + 1
lo, hi = 2 ** (b - 1), 2 ** b
sys.exit(not (lo - 1 <= v <= hi and lo <= p < hi))' "${v:-nan}" "$p99"; echo $?)
