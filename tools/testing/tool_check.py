#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validates kvm-exit-timing output read from stdin.

    tool_check.py json DEF     each line a JSON document valid against
                               Documentation/kvm-exit-timing.schema.json's DEF
    tool_check.py prometheus   the Prometheus text format, as the official
                               Python client's parser reads it; prints
                               "FAMILY SAMPLES" per family

Exits non-zero, with the reason, on the first invalid input.
"""
import json
import os
import sys

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


if __name__ == "__main__":
    if sys.argv[1:2] == ["json"] and len(sys.argv) == 3:
        check_json(sys.argv[2])
    elif sys.argv[1:] == ["prometheus"]:
        check_prometheus()
    else:
        sys.exit(__doc__)
