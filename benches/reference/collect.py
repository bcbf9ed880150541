#!/usr/bin/env python3
"""Collect one benchmark run into Markdown tables (written by benches/run_all.sh).

Usage:
    python3 benches/reference/collect.py --criterion TARGET/criterion \
        [--logs DIR] [--numpy FILE] [--out FILE]

Reads, for every benchmark, criterion's own output under TARGET/criterion:
  <id>/new/benchmark.json  (full id, throughput),
  <id>/new/estimates.json  (median point estimate and its 95% confidence interval),
  <id>/new/sample.json     (the timed iteration counts of the samples).
From --logs (the bench binaries' stderr/stdout saved by run_all.sh, one file per bench) it takes
the solver iteration counts that the benches print once as lines starting with "iterations:".
From --numpy (the output of benches/reference/numpy_kernel.py) it takes the NumPy/OpenBLAS
GFLOP/s and fit times, and prints them next to the faer numbers of benches/kernel.rs.

Prints (or writes to --out) Markdown: all medians, derived ratios (cold/warm, curve per point
against one cold point), iteration counts, and the kernel comparison.
"""
import argparse
import json
import pathlib
import re
import sys


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def load_criterion(root):
    """{full_id: dict(median, lo, hi, iters, samples, flops)} for every benchmark under root."""
    out = {}
    for bench in sorted(root.glob("**/new/benchmark.json")):
        new = bench.parent
        try:
            meta = json.loads(bench.read_text())
            est = json.loads((new / "estimates.json").read_text())
        except (OSError, json.JSONDecodeError) as err:
            print(f"warning: skipping {new}: {err}", file=sys.stderr)
            continue
        med = est["median"]
        iters, samples = None, None
        sample_file = new / "sample.json"
        if sample_file.exists():
            sample = json.loads(sample_file.read_text())
            iters = int(sum(sample.get("iters", [])))
            samples = len(sample.get("iters", []))
        flops = None
        tp = meta.get("throughput") or {}
        if isinstance(tp, dict) and "Elements" in tp:
            flops = tp["Elements"]
        out[meta["full_id"]] = {
            "median": med["point_estimate"],
            "lo": med["confidence_interval"]["lower_bound"],
            "hi": med["confidence_interval"]["upper_bound"],
            "iters": iters,
            "samples": samples,
            "flops": flops,
        }
    return out


def load_iterations(logs):
    """[(bench file, text after 'iterations:')] from the saved logs, in file order."""
    rows = []
    if logs is None:
        return rows
    for log in sorted(logs.glob("*.log")):
        seen = set()
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("iterations:"):
                text = line[len("iterations:"):].strip()
                if text not in seen:
                    seen.add(text)
                    rows.append((log.stem, text))
    return rows


def load_numpy(path):
    """{('gemm'|'cholesky', n): GFLOP/s, ('rf_fit', label): seconds} from numpy_kernel.py output."""
    out = {}
    if path is None or not path.exists():
        return out, []
    header = []
    for line in path.read_text(errors="replace").splitlines():
        m = re.match(r"\s*(gemm|cholesky)\s+n=\s*(\d+)\s+([\d.]+) ms\s+([\d.]+) GFLOP/s", line)
        if m:
            out[(m.group(1), int(m.group(2)))] = float(m.group(4))
            continue
        m = re.match(r"\s*rf fit .*\((.*)\)\s+([\d.]+) ms", line)
        if m:
            out[("rf_fit", m.group(1))] = float(m.group(2)) * 1e6  # ns
            continue
        if line.startswith(("numpy", "threadpoolctl")):
            header.append(line)
    return out, header


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", type=pathlib.Path, default=pathlib.Path("target/criterion"))
    ap.add_argument("--logs", type=pathlib.Path, default=None)
    ap.add_argument("--numpy", type=pathlib.Path, default=None)
    ap.add_argument("--out", type=pathlib.Path, default=None)
    args = ap.parse_args()

    benches = load_criterion(args.criterion)
    lines = []
    w = lines.append

    w("## All benchmarks (criterion medians)\n")
    w("| benchmark | median | 95% CI of median | timed iterations (samples) | GFLOP/s |")
    w("|---|---:|---|---:|---:|")
    for name, b in benches.items():
        gflops = f"{b['flops'] / b['median']:.1f}" if b["flops"] else ""
        iters = f"{b['iters']} ({b['samples']})" if b["iters"] is not None else ""
        w(f"| `{name}` | {fmt_time(b['median'])} | {fmt_time(b['lo'])} – {fmt_time(b['hi'])} "
          f"| {iters} | {gflops} |")

    w("\n## Derived ratios\n")
    w("| model | point cold | point warm | cold / warm | curve 1000 | curve per point "
      "| per point / cold point |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    models = sorted({n.rsplit("/", 1)[0] for n in benches
                     if n.endswith(("/point_cold", "/curve_1000"))})
    for model in models:
        cold = benches.get(f"{model}/point_cold")
        warm = benches.get(f"{model}/point_warm")
        curve = benches.get(f"{model}/curve_1000")
        cells = [
            fmt_time(cold["median"]) if cold else "–",
            fmt_time(warm["median"]) if warm else "n/a",
            f"{cold['median'] / warm['median']:.2f}" if cold and warm else "",
            fmt_time(curve["median"]) if curve else "–",
            fmt_time(curve["median"] / 1000) if curve else "",
            f"{curve['median'] / 1000 / cold['median']:.2f}" if curve and cold else "",
        ]
        w(f"| `{model}` | " + " | ".join(cells) + " |")

    its = load_iterations(args.logs)
    if its:
        w("\n## Solver iteration counts (printed by the benches' setup)\n")
        w("| bench file | count |")
        w("|---|---|")
        for stem, text in its:
            w(f"| {stem} | {text} |")

    numpy, header = load_numpy(args.numpy)
    kernel = {k: v for k, v in benches.items() if k.startswith(("gemm/", "cholesky/"))}
    if kernel or numpy:
        w("\n## Monte Carlo kernel: faer versus NumPy/OpenBLAS (same run)\n")
        for h in header:
            w(f"* {h}")
        w("")
        w("| operation | n | faer GFLOP/s | NumPy GFLOP/s | faer / NumPy |")
        w("|---|---:|---:|---:|---:|")
        for op in ("gemm", "cholesky"):
            for n in (512, 1024, 2048):
                b = benches.get(f"{op}/{n}")
                faer = b["flops"] / b["median"] if b and b["flops"] else None
                ref = numpy.get((op, n))
                ratio = f"{faer / ref:.2f}" if faer and ref else ""
                w(f"| {op} | {n} | {faer:.1f} | " if faer else f"| {op} | {n} | – | ")
                lines[-1] += (f"{ref:.1f} | " if ref else "– | ") + ratio + " |"
        fit = benches.get("rf/fit_d500_psi2_psi2")
        refs = {k[1]: v for k, v in numpy.items() if k[0] == "rf_fit"}
        if fit or refs:
            w("\n| random-features fit, d = 500, N = n = 1000 | time | NumPy / faer |")
            w("|---|---:|---:|")
            if fit:
                w(f"| faer (`rf/fit_d500_psi2_psi2`) | {fmt_time(fit['median'])} | |")
            for label, t in refs.items():
                ratio = f"{t / fit['median']:.2f}" if fit else ""
                w(f"| NumPy ({label}) | {fmt_time(t)} | {ratio} |")

    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
