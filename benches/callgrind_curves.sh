#!/bin/bash
# Callgrind instruction counts of a 50-point lambda-curve and of one point through the CLI,
# before vs after (issue 17 §1), single-threaded. Usage:
#   BEFORE=/path/to/old/overparam AFTER=target/release/overparam benches/callgrind_curves.sh
# Prints "<which> <case> Collected : <instructions>".
export RAYON_NUM_THREADS=1
BEFORE=${BEFORE:?set BEFORE to the old binary}
AFTER=${AFTER:-target/release/overparam}
OUT=${OUT:-$(mktemp -d)}
R="ridge --gamma 2 --snr 1 --simulate --n 60 --trials 2 --no-progress"
F="rf --psi1 2 --psi2 3 --simulate --d 20 --trials 2 --test-points 100 --no-progress"
one() {
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.$2.out" $3 $4 >"$OUT/$1.$2.txt" 2>"$OUT/$1.$2.err"
  echo "$1 $2 $(grep -o 'Collected : [0-9]*' "$OUT/$1.$2.err")"
}
for which in BEFORE AFTER; do
  bin=${!which}
  one "$which" ridge_curve50 "$bin" "$R --lambda 0.001:10:50" &
  one "$which" rf_curve50 "$bin" "$F --lambda 0.001:10:50" &
  one "$which" ridge_point "$bin" "$R --lambda 0.1" &
  one "$which" rf_point "$bin" "$F --lambda 0.1" &
done
wait
