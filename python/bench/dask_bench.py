"""Timing of overparam.dask against the single-process call (docs/performance.d/s6-dask18.md).

    python python/bench/dask_bench.py [--d 160] [--trials 8] [--workers 2] [--repeat 3]

Measures, in one process and one run (so the ratios hold on a loaded machine):

* the start of a LocalCluster (``--workers`` processes, one thread each, ``RAYON_NUM_THREADS=1``
  in the workers) and the first task on it (imports);
* the single-process call ``overparam.random_features(2, 3, 1e-3, simulate=True, d=D,
  trials=T)`` with RAYON_NUM_THREADS as in this process (``--threads``, default 1, set before
  the extension starts its thread pool) - the reference;
* ``overparam.dask.simulate`` of the same call with M = workers and M = trials shards (median of
  ``--repeat``), checked identical to the reference;
* the merge alone (``overparam.sharding.merge`` of parts computed beforehand) and the size of a
  part.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=160)
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    os.environ["RAYON_NUM_THREADS"] = str(a.threads)  # before the first parallel call

    import numpy as np
    from distributed import Client, LocalCluster

    import overparam as op
    import overparam.dask as od
    from overparam import sharding

    call = (op.random_features, (2.0, 3.0, 1e-3),
            dict(simulate=True, d=a.d, trials=a.trials, seed=1))
    fn, args, kw = call

    def timed(f, repeat=a.repeat):
        ts, out = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            out = f()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts), out

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, env={"RAYON_NUM_THREADS": "1"})
    client = Client(cluster)
    t_start = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.submit(lambda: __import__("overparam").__version__).result()
    t_first = time.perf_counter() - t0

    t_single, want = timed(lambda: fn(*args, **kw))
    rows = []
    for m in sorted({a.workers, a.trials}):
        t, got = timed(lambda: od.simulate(client, fn, *args, shards=m, **kw))
        same = all(np.array_equal(got[k], want[k], equal_nan=True) for k in want)
        rows.append((m, t, same))
    parts = [sharding.part((i, a.workers), fn, *args, **kw) for i in range(1, a.workers + 1)]
    t_merge, _ = timed(lambda: sharding.merge(parts, fn, *args, **kw))
    t_theory, _ = timed(lambda: fn(*args, **dict(kw, simulate=False)))
    client.close()
    cluster.close()

    print(f"rf psi1=2 psi2=3 d={a.d} trials={a.trials}; workers={a.workers} (1 thread each); "
          f"single process RAYON_NUM_THREADS={a.threads}; os.cpu_count()={os.cpu_count()}")
    print(f"cluster start {t_start:.2f} s, first task {t_first:.2f} s")
    print(f"single process: {t_single:.3f} s (median of {a.repeat})")
    for m, t, same in rows:
        print(f"dask M={m}: {t:.3f} s = {t / t_single:.2f} x single; identical: {same}")
    print(f"merge alone (M={a.workers}): {t_merge * 1e3:.2f} ms; theory alone "
          f"{t_theory * 1e3:.3f} ms; part size {len(parts[0])} bytes")


if __name__ == "__main__":
    main()
