#!/usr/bin/env bash
# Run every criterion bench file and the NumPy/OpenBLAS reference in one go, then collect the
# medians, iteration counts and the faer/NumPy comparison into one Markdown summary.
#
# Usage (from the repository root):
#   bash benches/run_all.sh [extra criterion arguments, e.g. --quick]
# Environment:
#   CARGO_TARGET_DIR   target directory (default: target); criterion writes $CARGO_TARGET_DIR/criterion
#   BENCHES            space-separated bench files to run (default: all of them)
#   OUT                output directory for logs and summary.md (default: $CARGO_TARGET_DIR/bench-run)
#   RAYON_NUM_THREADS  default 1, so that the rayon-parallel simulations are timed single-threaded
set -euo pipefail

cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
out="${OUT:-$target/bench-run}"
benches="${BENCHES:-ridge random_features adversarial membership two_layer simulation kernel spectra free dynamics}"
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}"
mkdir -p "$out"
rm -f "$out"/*.log "$out/times.txt"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "rustc: $(rustc --version)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cores: $(nproc)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "RAYON_NUM_THREADS=$RAYON_NUM_THREADS"
} | tee "$out/machine.txt"

echo "building benches ..."
cargo bench --no-run >"$out/build.txt" 2>&1

for b in $benches; do
  start=$(date +%s.%N)
  echo "== cargo bench --bench $b $*"
  cargo bench --bench "$b" -- "$@" >"$out/$b.log" 2>&1
  end=$(date +%s.%N)
  secs=$(python3 -c "print(f'{$end - $start:.1f}')")
  echo "$b: ${secs} s (load $(cut -d' ' -f1 /proc/loadavg))" | tee -a "$out/times.txt"
done

numpy_out="$out/numpy_kernel.txt"
if python3 -c 'import numpy' 2>/dev/null; then
  echo "== NumPy reference (single-threaded OpenBLAS)"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    python3 benches/reference/numpy_kernel.py | tee "$numpy_out"
else
  echo "numpy not importable: skipping the NumPy reference (pip install numpy scipy threadpoolctl)"
  rm -f "$numpy_out"
fi

python3 benches/reference/collect.py --criterion "$target/criterion" --logs "$out" \
  --numpy "$numpy_out" --out "$out/summary.md" >/dev/null
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
echo "wall time per bench file:"
cat "$out/times.txt"
echo "summary: $out/summary.md"
