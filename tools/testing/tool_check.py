#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validates kvm-exit-timing output read from stdin.

    tool_check.py json DEF     each line a JSON document valid against
                               Documentation/kvm-exit-timing.schema.json's DEF
    tool_check.py prometheus   the Prometheus text format, as the official
                               Python client's parser reads it; prints
                               "FAMILY SAMPLES" per family
    tool_check.py plot REC SVG [PNG]
                               SVG, plot's picture of the recording REC, is
                               well formed and its cells hold REC's
                               figures; PNG, SVG as a renderer drew it,
                               is not blank and shows each cell in its
                               colour where the SVG puts it; prints
                               "MAPS CELLS COLUMNS"

Exits non-zero, with the reason, on the first invalid input.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

import jsonschema
from prometheus_client.parser import text_string_to_metric_families

SCHEMA = os.path.join(os.path.dirname(__file__), "../../Documentation/kvm-exit-timing.schema.json")


def check_json(definition):
    with open(SCHEMA) as f:
        schema = json.load(f)
    sub = dict(schema)
    sub["$ref"] = "#/$defs/" + definition
    lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
    if not lines:
        sys.exit("no JSON input")
    for line in lines:
        jsonschema.validate(json.loads(line), sub)
    print(f"{len(lines)} valid")


def check_prometheus():
    text = sys.stdin.read()
    if not text:
        sys.exit("no input")
    for fam in text_string_to_metric_families(text):
        if fam.type == "histogram":
            # Cumulative buckets, ending in +Inf equal to _count.
            series = {}
            for s in fam.samples:
                key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
                series.setdefault(key, []).append(s)
            for key, samples in series.items():
                buckets = [s for s in samples if s.name.endswith("_bucket")]
                count = [s for s in samples if s.name.endswith("_count")][0]
                values = [b.value for b in buckets]
                if values != sorted(values) or buckets[-1].labels["le"] != "+Inf" \
                        or values[-1] != count.value:
                    sys.exit(f"bad histogram {fam.name} {key}")
        print(fam.name, len(fam.samples))


SVG = "{http://www.w3.org/2000/svg}"


def check_plot(rec, svg, png=None):
    lines = [json.loads(l) for l in open(rec) if l.strip()]
    root = ET.parse(svg).getroot()
    maps = [g for g in root.iter(SVG + "g") if g.get("class") == "heatmap"]
    if not maps:
        sys.exit("no heat map")
    cells = columns = 0
    all_shades = []
    for g in maps:
        name, kind = g.get("data-name"), g.get("data-kind")
        want = {}  # (interval, bucket): count, from the recording
        for i, line in enumerate(lines):
            for row in line["rows"]:
                if row["name"] == name and row["kind"] == kind:
                    for b, n in row["hist"]:
                        want[(i, b)] = n
        got, spans, ys, xs, shades = {}, set(), {}, {}, []
        for r in g.iter(SVG + "rect"):
            if r.get("class") != "cell":
                continue
            first, nr = int(r.get("data-interval")), int(r.get("data-intervals"))
            b = int(r.get("data-bucket"))
            spans.add((first, nr))
            # One row per bucket, one column per span of intervals.
            ys.setdefault(b, set()).add(r.get("y"))
            xs.setdefault(first, set()).add(r.get("x"))
            secs = sum(lines[i]["interval_s"] for i in range(first, first + nr))
            shades.append((int(r.get("data-count")) / secs, ramp_position(r.get("fill"))))
            # A column sums its intervals.
            n = sum(want.get((i, b), 0) for i in range(first, first + nr))
            if int(r.get("data-count")) != n or n == 0:
                sys.exit(f"{name}: cell {first}+{nr} bucket {b}: {r.get('data-count')}, recorded {n}")
            for i in range(first, first + nr):
                got[(i, b)] = want.get((i, b), 0)
            cells += 1
        missing = {k for k, v in want.items() if v and k not in got}
        if missing:
            sys.exit(f"{name}: recorded, not drawn: {sorted(missing)[:5]}")
        # The columns are disjoint runs of intervals.
        covered = [i for f, n in sorted(spans) for i in range(f, f + n)]
        if len(covered) != len(set(covered)):
            sys.exit(f"{name}: columns overlap")
        columns = max(columns, len(spans))
        if any(len(v) != 1 for v in list(ys.values()) + list(xs.values())):
            sys.exit(f"{name}: a bucket or a column not in line")
        by_b = [float(ys[b].pop()) for b in sorted(ys)]
        by_i = [float(xs[i].pop()) for i in sorted(xs)]
        if by_b != sorted(by_b, reverse=True) or len(set(by_b)) != len(by_b) or \
                by_i != sorted(by_i) or len(set(by_i)) != len(by_i):
            sys.exit(f"{name}: buckets not up, or intervals not across, in order")
        all_shades.extend(shades)
    # The colour rises with the rate: viridis, along its ramp.
    all_shades.sort()
    if any(b[1] < a[1] - 0.02 for a, b in zip(all_shades, all_shades[1:]) if b[0] > a[0] * 1.001):
        sys.exit("a cell of a higher rate in a lower colour")
    if png:
        check_png(png, root)
    print(len(maps), cells, columns)


VIRIDIS = ["440154", "482878", "3e4989", "31688e", "26828e", "1f9e89", "35b779",
           "6ece58", "b5de2b", "fde725"]


def ramp_position(fill):
    """Where on the viridis ramp (0 to 1) the colour #rrggbb lies."""
    want = [int(fill[i:i + 2], 16) for i in (1, 3, 5)]
    stops = [[int(v[i:i + 2], 16) for i in (0, 2, 4)] for v in VIRIDIS]
    best = None
    for k in range(901):
        p = k / 900 * (len(stops) - 1)
        i = min(int(p), len(stops) - 2)
        c = [a + (p - i) * (b - a) for a, b in zip(stops[i], stops[i + 1])]
        d = sum((x - y) ** 2 for x, y in zip(c, want))
        if best is None or d < best[0]:
            best = (d, k / 900)
    if best[0] > 12:
        sys.exit(f"{fill} is not on the ramp")
    return best[1]


def check_png(png, root):
    from PIL import Image
    img = Image.open(png).convert("RGB")
    w, h = img.size
    if (w, h) != (round(float(root.get("width"))), round(float(root.get("height")))):
        sys.exit(f"PNG {w}x{h}, SVG {root.get('width')}x{root.get('height')}")
    colours = img.getcolors(maxcolors=1 << 20)
    white = sum(n for n, c in colours if c == (255, 255, 255))
    if len(colours) < 8 or white > 0.97 * w * h:
        sys.exit(f"PNG blank: {len(colours)} colours, {white} of {w * h} pixels white")
    # Each cell of 3x3 px or more, in its colour at its centre.
    for r in root.iter(SVG + "rect"):
        if r.get("class") != "cell" or float(r.get("width")) < 3 or float(r.get("height")) < 3:
            continue
        x = float(r.get("x")) + float(r.get("width")) / 2
        y = float(r.get("y")) + float(r.get("height")) / 2
        want = tuple(int(r.get("fill")[i:i + 2], 16) for i in (1, 3, 5))
        got = img.getpixel((int(x), int(y)))
        if max(abs(a - b) for a, b in zip(want, got)) > 3:
            sys.exit(f"cell at {x},{y}: {got}, fill {want}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["json"] and len(sys.argv) == 3:
        check_json(sys.argv[2])
    elif sys.argv[1:] == ["prometheus"]:
        check_prometheus()
    elif sys.argv[1:2] == ["plot"] and len(sys.argv) in (4, 5):
        check_plot(*sys.argv[2:])
    else:
        sys.exit(__doc__)
