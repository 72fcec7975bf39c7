#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: the table of instructions per exit, from the rig's log.

    bench_table.py LOG JSON_OUT [--host] [--calibrate] [--arm64]

Each KET-BENCH line is one round: CONFIG workload W exits E ticks T.
Under -icount shift=0 a tick is an instruction.  Under Bochs' clock
sync=none a tick is about one: --calibrate divides every figure by the
ticks per instruction of the baseline's calib rounds (loops of a known
number of instructions that do not exit), which the table prints in any
case.  Per configuration and
workload: the median round's instructions per exit, and what the
configuration adds over the baseline.  The rig's log must also show,
for every workload, the module's rounds and its count of every exit
(KET-COUNT) and of lost exits; --host (make bench-host) has no counts.
"""
import json
import re
import statistics
import sys

LINE = re.compile(r"^KET-BENCH (\S+) ket_bench: pid \d+ workload (\S+) exits (\d+) round \d+ ticks (\d+)")
CALIB = re.compile(r"^KET-BENCH baseline ket_bench: pid \d+ workload calib instructions (\d+) round \d+ ticks (\d+)")
# The loops of each architecture's ket_bench, and the exits each issues,
# as bench.sh's KET-COUNT lines name them; "mixed" issues all three.
REASONS = {"x86": {"cpuid": ("cpuid",), "pio": ("io",), "mmio": ("npf",)},
           "arm64": {"sys64": ("sys64",), "hvc": ("hvc",), "mmio": ("mmio",)}}
WORKS = ("cpuid", "pio", "sys64", "hvc", "mmio", "mixed")
# Workloads as ket_bench names them: "cpuid", and "cpuid-2vcpu" for 2 vCPUs.
NAMES = WORKS + tuple(f"{w}-2vcpu" for w in WORKS)


def base(work):
    """The loop of a workload name: "mixed" for "mixed-2vcpu"."""
    return work.split("-")[0]


def vcpus(work):
    """The vCPUs of a workload name: 2 for "mixed-2vcpu"."""
    m = re.search(r"-(\d+)vcpu$", work)
    return int(m.group(1)) if m else 1


def main(log, out, *flags):
    host = "--host" in flags
    calibrate = "--calibrate" in flags
    calib = []
    rounds = {}
    rounds_n = {}
    rounds_r = {}
    counts = []
    perf = {}
    for line in open(log, errors="replace"):
        c = CALIB.match(line)
        if c:
            calib.append(int(c.group(2)) / int(c.group(1)))
            continue
        m = LINE.match(line)
        if m:
            cfg, work, exits, ticks = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            rounds.setdefault((cfg, work), []).append(ticks / exits)
            if cfg == "module":
                # Exits of one reason per round, all vCPUs together.
                rounds_n[work] = exits // {"mixed": 3}.get(base(work), 1)
                rounds_r[work] = len(rounds[(cfg, work)])
        elif line.startswith("KET-COUNT"):
            counts.append(line.split()[1:])
        elif line.startswith("KET-PERF "):
            f = line.split()
            if len(f) >= 4:
                perf.setdefault(f[1], {})[f[2]] = f[3]
                if len(f) >= 6:
                    perf[f[1]][f[4]] = f[5]
        elif line.startswith("KET-MEM"):
            counts.append(["mem"] + line.split()[1:])
    configs = [c for c in ("baseline", "module", "ftrace", "perf-record", "bpftrace", "libbpf")
               if any(k[0] == c for k in rounds)]
    works = [w for w in NAMES if ("baseline", w) in rounds]
    ratio = 1.0
    if calib:
        ratio_med = statistics.median(calib)
        print(f"# clock: {ratio_med:.4f} ticks per instruction "
              f"(calib, {len(calib)} rounds, spread {max(calib) - min(calib):.4f})")
        if calibrate:
            ratio = ratio_med
    elif calibrate:
        print("# calib rounds MISSING")
        return 1
    unit = ("instructions per exit (Bochs clock sync=none, calibrated)" if calibrate
            else "instructions per exit (qemu -icount shift=0)")
    result = {"unit": unit, "ticks_per_instruction": round(ratio, 4), "rows": []}
    for k in rounds:
        rounds[k] = [t / ratio for t in rounds[k]]
    print(f"{'workload':10} {'config':12} {'instr/exit':>11} {'added':>8} {'spread':>7}")
    for w in works:
        base_med = statistics.median(rounds[("baseline", w)])
        for c in configs:
            r = rounds.get((c, w))
            if not r:
                continue
            med = statistics.median(r)
            spread = max(r) - min(r)
            added = med - base_med
            result["rows"].append({"workload": w, "vcpus": vcpus(w), "config": c,
                                   "per_exit": round(med, 1),
                                   "added": round(added, 1), "spread": round(spread, 1),
                                   "rounds": len(r)})
            print(f"{w:10} {c:12} {med:11.1f} {added:8.1f} {spread:7.1f}")
    # No exit lost: every exit of every round accounted in its reason
    # (the measured rounds and the warm-up, N exits of each kind each, per
    # vCPU).
    arch = "arm64" if "--arm64" in flags else "x86"
    if not any(base(w) in REASONS[arch] for w in works):
        print(f"# no {arch} workload in {log}  MISSING")
        return 1
    reasons_of = dict(REASONS[arch])
    reasons_of["mixed"] = sum(reasons_of.values(), ())
    expect = {w: reasons_of[base(w)] for w in NAMES if base(w) in reasons_of}
    exact = True
    per_work = {}
    for c in counts:
        if c[0] in expect and len(c) == 3:
            per_work.setdefault(c[0], {})[c[1]] = int(c[2])
        elif c[0] == "lost":
            result["lost_exits"] = int(c[1]) if len(c) > 1 else None
            exact &= result["lost_exits"] == 0
        elif c[0] == "mem" and len(c) == 3:
            result[f"{c[1]}_bytes"] = int(c[2])
            print(f"# memory: {c[1]} {c[2]} bytes")
    if not host and "lost_exits" not in result:
        print("# lost exits: no count  MISSING")
        exact = False
    for w, reasons in expect.items():
        if host or ("baseline", w) not in rounds:
            continue
        if ("module", w) not in rounds or w not in per_work:
            print(f"# {w}: no rounds or counts of the module  MISSING")
            exact = False
            continue
        n = rounds_n.get(w)
        for r in reasons:
            got = per_work[w].get(r, 0)
            # io and npf also hold the syncs (one more per vCPU before
            # the rounds) and the first touches.
            issued = n * (rounds_r.get(w, 3) + 1)
            ok = got >= issued and got - issued <= 16 * vcpus(w)
            exact &= ok
            print(f"# {w}: {r} {got} accounted for {issued} issued{'' if ok else '  MISMATCH'}")
    result["no_exit_lost"] = exact
    for w, p in perf.items():
        n = rounds_n.get(w, 0) * (rounds_r.get(w, 3) + 1) * ({"mixed": 3}.get(base(w), 1))
        ms = p.get("report_task_clock_ms")
        # Task-clock is time: instructions only under -icount.
        if ms and n and not calibrate:
            per = float(ms) * 1e6 / n
            p["report_per_exit"] = round(per, 1)
            print(f"# perf kvm stat report: {per:.0f} instructions per recorded exit ({w})")
        print(f"# perf kvm stat record ({w}): {p.get('size', '?')} bytes of perf.data, "
              f"{p.get('lost', '?')} lost-event messages")
    result["perf"] = perf
    print(f"# every issued exit accounted, none lost: {'yes' if exact else 'NO'}")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
