"""Sharded studies (overparam.sharding) and their Dask driver (overparam.dask): the merged result
is the single call's, bit for bit, for every simulating model; parts in any order; parts that do
not belong together are refused; a failed shard raises with its index.

The Dask tests need ``dask[distributed]`` (the extra ``overparam[dask]``; .ci/run installs it)
and skip without it; the sharding tests need nothing else."""

from __future__ import annotations

import itertools
import pathlib
import subprocess

import numpy as np
import pytest

import overparam as op
from overparam import sharding

from conftest import cli_path

# Trials not divisible by 2 or 3: shards of unequal sizes.
TRIALS = 5

CASES = {
    # several points of a curve, one failing point (errors="nan": equal error arrays too)
    "rf": (op.random_features, ([0.5, 2.0, 3.0], 3.0, [1e-3, 1e-3, -1.0]),
           dict(simulate=True, d=12, trials=TRIALS, seed=11, test_points=50, errors="nan")),
    "ridge": (op.ridge, ([0.5, 2.0], 0.1, 4.0),
              dict(simulate=True, n=30, trials=TRIALS, seed=5)),
    "ridge_spectrum": (op.ridge, (2.0, [0.05, 0.2], 4.0),
                       dict(spectrum=([1.0, 0.25], [0.5, 0.5], [0.8, 0.2]), simulate=True,
                            n=30, trials=TRIALS, seed=7)),
    "ridge_powerlaw": (op.ridge, (1.5, 0.1, 4.0),
                       dict(spectrum="powerlaw:1.5:8", signal_exponent=1.0, simulate=True,
                            n=30, trials=TRIALS, seed=2)),
    "adversarial": (op.adversarial, (0.1, 2.0, 1.5),
                    dict(simulate=True, d=12, trials=TRIALS, seed=3)),
    "adversarial_linear": (op.adversarial, ([0.05, 0.1],),
                           dict(delta=2.0, simulate=True, d=20, trials=TRIALS, seed=4)),
    "membership": (op.membership, ([0.5, 2.0], 0.1, 1.0),
                   dict(simulate=True, n=30, trials=TRIALS, seed=9)),
    "membership_loss": (op.membership, (2.0, 0.1, 1.0),
                        dict(attack="loss", simulate=True, n=30, trials=TRIALS, seed=9)),
    "dynamics": (op.dynamics, (2.0, 4.0, [0.5, 5.0]),
                 dict(simulate=True, n=30, trials=TRIALS, seed=6)),
}
DASK_CASES = ["rf", "ridge", "ridge_spectrum", "adversarial", "membership"]


def assert_identical(got, want):
    """The same fields, every float array equal bit for bit (NaN where the single call has NaN),
    object arrays (errors) equal element by element."""
    assert list(got) == list(want)
    for key in want:
        a, b = np.asarray(got[key]), np.asarray(want[key])
        assert a.shape == b.shape, key
        if b.dtype == object:
            assert a.tolist() == b.tolist(), key
        else:
            assert np.array_equal(a, b, equal_nan=True), key
            assert a.astype(np.float64).tobytes() == b.astype(np.float64).tobytes(), key


@pytest.fixture(scope="module")
def single():
    """The single-process result of each case (computed once)."""
    cache = {}

    def get(name):
        if name not in cache:
            fn, args, kw = CASES[name]
            cache[name] = fn(*args, **kw)
        return cache[name]

    return get


def parts_of(name, m):
    fn, args, kw = CASES[name]
    return [sharding.part((i, m), fn, *args, **kw) for i in range(1, m + 1)]


# ---------------------------------------------------------------------------------------------
# overparam.sharding (no scheduler)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sharded_then_merged_is_the_single_call(name, single):
    fn, args, kw = CASES[name]
    want = single(name)
    assert "sim_mean" in want and np.all(np.asarray(want["sim_trials"])[~np.isnan(
        np.asarray(want["sim_trials"]))] == TRIALS)
    for m in (2, 3):
        parts = parts_of(name, m)
        assert all(p.startswith("overparam-partial 1\n") for p in parts)
        assert_identical(sharding.merge(parts, fn, *args, **kw), want)


def test_the_failing_point_is_reproduced(single):
    # rf's third point has lambda < 0: the single call reports it in `error`; so does the merge.
    want = single("rf")
    assert want["error"][2] is not None and "lambda" in want["error"][2]
    assert want["error"][0] is None
    fn, args, kw = CASES["rf"]
    merged = sharding.merge(parts_of("rf", 2), fn, *args, **kw)
    assert merged["error"].tolist() == want["error"].tolist()
    # errors="raise": the merge raises the single call's exception.
    raise_kw = dict(kw, errors="raise")
    with pytest.raises(op.InvalidParameterError) as single_err:
        fn(*args, **raise_kw)
    parts = [sharding.part((i, 2), fn, *args, **raise_kw) for i in (1, 2)]
    with pytest.raises(op.InvalidParameterError) as merged_err:
        sharding.merge(parts, fn, *args, **raise_kw)
    assert str(merged_err.value) == str(single_err.value)
    assert merged_err.value.index == single_err.value.index == (2,)


def test_parts_merge_in_any_order(single):
    fn, args, kw = CASES["membership"]
    parts = parts_of("membership", 3)
    for perm in itertools.permutations(parts):
        assert_identical(sharding.merge(list(perm), fn, *args, **kw), single("membership"))
    # by name, and from files
    named = {f"p{i}": p for i, p in enumerate(reversed(parts))}
    assert_identical(sharding.merge(named, fn, *args, **kw), single("membership"))


def test_parts_from_files(tmp_path, single):
    fn, args, kw = CASES["ridge"]
    paths = []
    for i, p in enumerate(parts_of("ridge", 2), start=1):
        path = tmp_path / f"part.{i}"
        path.write_text(p, encoding="utf-8")
        paths.append(path)
    assert_identical(sharding.merge(paths[::-1], fn, *args, **kw), single("ridge"))
    paths[0].write_text(paths[0].read_text().rsplit("end", 1)[0])  # truncated
    with pytest.raises(op.ShardMergeError, match="truncated") as err:
        sharding.merge(paths, fn, *args, **kw)
    assert err.value.origin == str(paths[0])


def test_more_shards_than_trials(single):
    fn, args, kw = CASES["ridge"]
    parts = parts_of("ridge", TRIALS + 2)  # two empty parts
    assert_identical(sharding.merge(parts, fn, *args, **kw), single("ridge"))


def test_the_same_call_spelled_differently_merges(single):
    # Positional or keyword, defaults written out or not, list or array: one canonical command.
    fn, args, kw = CASES["ridge"]
    parts = [sharding.part((1, 2), fn, *args, **kw),
             sharding.part((2, 2), fn, gamma=np.array(args[0]), lam=args[1], snr=args[2],
                           sigma=1.0, **kw)]
    assert_identical(sharding.merge(parts, fn, *args, **kw), single("ridge"))


def test_a_user_study_of_several_calls():
    def study(seed):
        a = op.ridge(2.0, 0.1, 4.0, simulate=True, n=30, trials=TRIALS, seed=seed)
        b = op.membership(2.0, 0.1, 1.0, simulate=True, n=30, trials=TRIALS, seed=seed + 1)
        return a["sim_mean"], b["sim_mean"], b["sim_auc"]

    parts = [sharding.part((i, 3), study, 8) for i in (3, 1, 2)]
    assert sharding.merge(parts, study, 8) == study(8)
    assert "study" in sharding.command(study, 8)[1]


def test_parts_of_another_call_are_refused():
    fn, args, kw = CASES["ridge"]
    parts = parts_of("ridge", 2)
    other_seed = sharding.part((2, 2), fn, *args, **dict(kw, seed=kw["seed"] + 1))
    other_args = sharding.part((2, 2), fn, args[0], 0.2, args[2], **kw)
    other_fn = sharding.part((2, 2), op.dynamics, 2.0, 4.0, 0.5, simulate=True, n=30,
                             trials=TRIALS, seed=kw["seed"])
    for bad in (other_seed, other_args, other_fn):
        with pytest.raises(op.ShardMergeError, match="another command") as err:
            sharding.merge([parts[0], bad], fn, *args, **kw)
        assert isinstance(err.value, op.InvalidDataError) and isinstance(err.value, ValueError)
        assert err.value.origin == "parts[1] (shard 2/2)"
    # the parts agree with each other but the merge is asked for another call
    with pytest.raises(op.ShardMergeError, match="another call"):
        sharding.merge(parts, fn, *args, **dict(kw, seed=kw["seed"] + 1))


def test_incomplete_or_inconsistent_sets_are_refused():
    fn, args, kw = CASES["ridge"]
    p2, p3 = parts_of("ridge", 2), parts_of("ridge", 3)
    cases = [
        ([p2[0]], "shard 2/2 is missing"),
        ([p2[0], p2[0]], "given twice"),
        ([p2[0], p3[1]], "shard 2 of 3"),
        ([], "no parts"),
        ([p2[0], "hello\n"], "not a partial result"),
        ([p2[0], p2[1].replace("stat test_error 2 ", "stat test_error 3 ")], "corrupted"),
    ]
    for parts, message in cases:
        with pytest.raises(op.ShardMergeError, match=message):
            sharding.merge(parts, fn, *args, **kw)
    with pytest.raises(op.InvalidParameterError, match="parts"):
        sharding.merge([1, 2], fn, *args, **kw)


def test_a_shard_fails_as_the_call_before_simulating():
    fn, args, kw = CASES["ridge"]
    with pytest.raises(op.InvalidParameterError, match="trials"):
        sharding.part((1, 2), fn, *args, **dict(kw, trials=-1))
    with pytest.raises(op.MemoryBudgetError):
        sharding.part((1, 2), fn, *args, **dict(kw, memory_budget=1))
    with pytest.raises(TypeError):
        sharding.part((1, 2), fn, *args, **dict(kw, no_such_argument=1))
    for bad in [(0, 2), (3, 2), (1, 0), "1-2", (1,), (-1, 2)]:
        with pytest.raises(op.InvalidParameterError, match="shard"):
            sharding.part(bad, fn, *args, **kw)
    with pytest.raises(op.InvalidParameterError, match="canonical"):
        sharding.command(fn, object(), 0.1, 4.0)


def test_canonical_command():
    a = np.linspace(0.5, 3.0, 100)
    c = sharding.command(op.random_features, a, 3.0, 1e-3, simulate=True)
    assert c[:2] == ["python", "overparam.random_features"]
    assert c[2].startswith("psi1=array[100](sha256:")
    assert "psi2=3.0" in c and "trials=10" in c and "errors='raise'" in c
    assert sharding.command(op.random_features, a.tolist(), 3.0, 1e-3, simulate=True) == c
    changed = a.copy()
    changed[50] = np.nextafter(changed[50], 10.0)  # one ulp
    assert sharding.command(op.random_features, changed, 3.0, 1e-3, simulate=True) != c
    assert sharding.command(op.ridge, [1.0, 2.0], 0.1, 4.0)[2] == "gamma=array[2](1.0,2.0)"


# ---------------------------------------------------------------------------------------------
# The command line's parts: the same format, but not the same command (not mixed)


def test_cli_and_python_parts_do_not_mix(tmp_path):
    path = cli_path()
    if path is None or not path.exists():
        pytest.skip("no overparam binary (cargo build --release, or set OVERPARAM_CLI)")
    fn, args, kw = op.ridge, (2.0, 0.1, 4.0), dict(simulate=True, n=30, trials=TRIALS, seed=5)
    flags = ["ridge", "--gamma", "2", "--lambda", "0.1", "--snr", "4", "--simulate", "--n", "30",
             "--trials", str(TRIALS), "--seed", "5", "--format", "json", "--no-progress"]
    cli_part = subprocess.run([str(path), *flags, "--shard", "1/2"], check=True,
                              capture_output=True, text=True).stdout
    py_parts = [sharding.part((i, 2), fn, *args, **kw) for i in (1, 2)]
    # The same format: the Python side reads the CLI's part (its shard line, its trials) ...
    assert sharding.shard_of(cli_part) == (1, 2)
    cli_trials = [ln for ln in cli_part.splitlines() if ln.startswith(("call", "stat", "trial"))]
    py_trials = [ln for ln in py_parts[0].splitlines() if ln.startswith(("call", "stat", "trial"))]
    assert cli_trials == py_trials  # the same trials, written identically
    # ... but the command differs: the merge refuses the mixture, naming the part.
    with pytest.raises(op.ShardMergeError, match="another command"):
        sharding.merge([cli_part, py_parts[1]], fn, *args, **kw)
    # `overparam merge` refuses Python parts (their command is not a command line).
    for i, p in enumerate(py_parts, start=1):
        (tmp_path / f"py.{i}").write_text(p)
    out = subprocess.run([str(path), "merge", str(tmp_path / "py.1"), str(tmp_path / "py.2")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stdout == ""
    assert "does not parse" in out.stderr


# ---------------------------------------------------------------------------------------------
# overparam.dask


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def opdask():
    pytest.importorskip("distributed")
    import overparam.dask

    return overparam.dask


@pytest.mark.parametrize("m", [2, 3])
@pytest.mark.parametrize("name", DASK_CASES)
def test_dask_simulate_is_the_single_call(client, opdask, single, name, m):
    fn, args, kw = CASES[name]
    got = opdask.simulate(client, fn, *args, shards=m, **kw)
    assert_identical(got, single(name))


def test_dask_shards_ran_on_both_workers(client, opdask):
    fn, args, kw = CASES["ridge"]
    pids = client.run(lambda: __import__("os").getpid())
    assert len(set(pids.values())) == 2  # two worker processes
    got = opdask.simulate(client, fn, *args, shards=4, submit_options={"retries": 0}, **kw)
    assert_identical(got, fn(*args, **kw))


def test_dask_delayed(client, opdask, single):
    import dask

    fn, args, kw = CASES["membership"]
    graph = opdask.delayed(fn, *args, shards=3, **kw)
    assert_identical(graph.compute(), single("membership"))  # on the client (the default)
    assert_identical(graph.compute(scheduler="threads"), single("membership"))
    a, b = dask.compute(graph, opdask.delayed(*CASES["ridge"][:1], *CASES["ridge"][1],
                                              shards=2, **CASES["ridge"][2]),
                        scheduler="threads")
    assert_identical(a, single("membership"))
    assert_identical(b, single("ridge"))


def test_dask_a_failed_shard_raises_with_its_index(client, opdask):
    fn, args, kw = CASES["ridge"]
    with pytest.raises(op.InvalidParameterError, match="trials") as err:
        opdask.simulate(client, fn, *args, shards=3, **dict(kw, trials=-1))
    assert err.value.shard[1] == 3 and 1 <= err.value.shard[0] <= 3
    assert any("shard" in n for n in getattr(err.value, "__notes__", ["shard"]))
    with pytest.raises(op.MemoryBudgetError) as err:
        opdask.simulate(client, fn, *args, shards=2, **dict(kw, memory_budget=1))
    assert err.value.shard[1] == 2
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(op.InvalidParameterError, match="shards"):
            opdask.simulate(client, fn, *args, shards=bad, **kw)


def test_dask_a_lost_shard_is_a_shard_failed_error(opdask):
    # An exception that the call did not raise (a killed worker, a cancelled task) is wrapped.
    cause = RuntimeError("worker lost")
    err = opdask._failure(cause, 2, 5)
    assert isinstance(err, op.ShardFailedError) and isinstance(err, RuntimeError)
    assert err.shard == (2, 5) and err.__cause__ is cause and "shard 2/5" in str(err)
    own = ValueError("the call's own")
    opdask._mark(own, 2, 5)
    assert opdask._failure(own, 2, 5) is own


def test_every_exception_travels_back_from_a_worker():
    # A worker pickles a shard's exception (with tblib, when installed, as dask.distributed does);
    # the client gets the same class, message, fields and shard.
    import pickle

    from overparam import _errors

    classes = [c for c in vars(_errors).values()
               if isinstance(c, type) and issubclass(c, op.OverparamError)]
    assert op.MemoryBudgetError in classes and len(classes) >= 14
    try:
        import tblib.pickling_support as tb
    except ImportError:
        tb = None
    for cls in classes:
        e = cls("message", {"kind": cls.kind, "name": "n", "stage": "simulation"}, (1,))
        e.shard = (2, 3)
        for install in ([False, True] if tb else [False]):
            if install:
                tb.install(e)
            back = pickle.loads(pickle.dumps(e))
            assert type(back) is cls and str(back) == "message"
            assert back.info == e.info and back.index == (1,) and back.shard == (2, 3)


def test_a_call_without_simulation_warns(client, opdask):
    # No trial loop on the calling thread: nothing to distribute; the merge computes it all (the
    # same value), and both sides say so.
    args, kw = (2.0, 0.1, 4.0), dict(simulate=False)
    with pytest.warns(RuntimeWarning, match="no simulation"):
        parts = [sharding.part((i, 2), op.ridge, *args, **kw) for i in (1, 2)]
    assert not any(sharding.holds_trials(p) for p in parts)
    assert sharding.holds_trials(parts_of("ridge", 2)[0])
    assert_identical(sharding.merge(parts, op.ridge, *args, **kw), op.ridge(*args, **kw))
    with pytest.warns(RuntimeWarning, match="no simulation"):
        got = opdask.simulate(client, op.ridge, *args, shards=2, **kw)
    assert_identical(got, op.ridge(*args, **kw))



def test_dask_a_killed_worker_is_a_shard_failed_error(client, opdask):
    # Last in the file: it kills the workers (their nannies restart them; the cluster closes
    # after this test). A shard whose worker dies is not an exception of the call:
    # ShardFailedError with the shard and the scheduler's KilledWorker as the cause.
    import functools
    import os

    scheduler = client.cluster.scheduler
    allowed = scheduler.allowed_failures
    scheduler.allowed_failures = 0  # no retry on another worker
    try:
        with pytest.raises(op.ShardFailedError) as err:
            opdask.simulate(client, functools.partial(os._exit, 1), shards=2)
    finally:
        scheduler.allowed_failures = allowed
    assert err.value.shard[1] == 2 and 1 <= err.value.shard[0] <= 2
    assert type(err.value.__cause__).__name__ == "KilledWorker"
    assert "KilledWorker" in str(err.value)
