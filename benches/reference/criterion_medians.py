#!/usr/bin/env python3
"""Print the median of every criterion benchmark found under a target directory.

Usage: python3 benches/reference/criterion_medians.py [TARGET_DIR]   (default: target)
Reads TARGET_DIR/criterion/<group>/<bench>/new/estimates.json (criterion's own output).
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target") / "criterion"
rows = []
for est in sorted(root.glob("**/new/estimates.json")):
    name = str(est.parent.parent.relative_to(root))
    data = json.loads(est.read_text())
    med = data["median"]["point_estimate"]
    lo = data["median"]["confidence_interval"]["lower_bound"]
    hi = data["median"]["confidence_interval"]["upper_bound"]
    rows.append((name, med, lo, hi))


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


print("| benchmark | median | 95% CI of median |")
print("|---|---|---|")
for name, med, lo, hi in rows:
    print(f"| `{name}` | {fmt(med)} | {fmt(lo)} – {fmt(hi)} |")
