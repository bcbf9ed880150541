"""Distributed simulation studies with Dask: shards over a ``dask.distributed`` cluster, merged
exactly.

The optional extra ``pip install "./python[dask]"`` installs ``dask[distributed]``.

>>> from distributed import Client, LocalCluster                        # doctest: +SKIP
>>> import overparam as op, overparam.dask                              # doctest: +SKIP
>>> client = Client(LocalCluster(n_workers=2, threads_per_worker=1))     # doctest: +SKIP
>>> r = overparam.dask.simulate(client, op.random_features, 2.0, 3.0, 1e-3,
...                             simulate=True, d=200, trials=64, shards=8)  # doctest: +SKIP

``r`` is **exactly** ``op.random_features(2.0, 3.0, 1e-3, simulate=True, d=200, trials=64)``:
the same dict, ``np.array_equal`` on every array (the same ``error`` array with
``errors="nan"``; the same exception with ``errors="raise"``). Shard :math:`I` of :math:`M`
computes the trials :math:`k \\equiv I - 1 \\pmod M` of every simulation of the call on a worker
(:func:`overparam.sharding.part`); the client gathers the :math:`M` partial results (texts of a
few kB per simulated point) and merges them locally (:func:`overparam.sharding.merge`), which runs
the call again with every trial read from the parts. The theory is evaluated by every shard and by
the merge (microseconds to milliseconds per point); the trials, which dominate, are computed once.

The same code runs on any Dask cluster: ``dask_jobqueue.SLURMCluster`` (and the PBS, SGE, LSF
variants), ``dask_kubernetes``, Coiled, or a ``dask-scheduler`` with ``dask-worker`` processes
started by hand: only the ``Client`` changes (``docs/python.md``, "Distributed studies with
Dask"). Every worker needs the same ``overparam`` version as the client (the merge checks it).

Errors: an exception raised by the call in a shard (e.g. an invalid argument) is re-raised as it
is, with the attribute ``shard = (I, M)`` and a note naming the shard; a shard lost for another
reason (a worker killed, a cancelled task) raises :class:`overparam.ShardFailedError` with
``shard`` and the original exception as ``__cause__``. The first failing shard raises and the
others are cancelled. Parts that do not merge raise :class:`overparam.ShardMergeError`.
"""

from __future__ import annotations

import operator
import uuid
import warnings
from typing import Any, Callable, Mapping

try:
    import dask as _dask
    import distributed as _distributed
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "overparam.dask needs dask.distributed: pip install \"overparam[dask]\" "
        "(or pip install \"dask[distributed]\")"
    ) from e

from . import sharding
from ._errors import ShardFailedError, invalid

__all__ = ["simulate", "delayed", "run_shard"]


def _count(shards: Any) -> int:
    try:
        m = operator.index(shards)
    except TypeError:
        raise invalid("shards", shards, "an integer M >= 1 (the number of shards)") from None
    if m < 1:
        raise invalid("shards", shards, "an integer M >= 1 (the number of shards)")
    return m


def run_shard(index: int, count: int, fn: Callable[..., Any], args: tuple[Any, ...],
              kwargs: Mapping[str, Any]) -> str:
    """The task of shard ``index``/``count``: :func:`overparam.sharding.part` of
    ``fn(*args, **kwargs)``, on whatever worker runs it. An exception of the call gets the
    attribute ``shard = (index, count)`` and a note naming the shard."""
    try:
        return sharding.part((index, count), fn, *args, **dict(kwargs))
    except Exception as e:
        _mark(e, index, count)
        raise


def _mark(e: BaseException, index: int, count: int) -> None:
    try:
        e.shard = (index, count)  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - exceptions without a __dict__
        pass
    add_note = getattr(e, "add_note", None)  # Python >= 3.11
    if add_note is not None:
        add_note(f"raised by shard {index}/{count} of an overparam.dask run")


def _failure(e: BaseException, index: int, count: int) -> BaseException:
    """The exception to raise for shard ``index``/``count`` that failed with ``e``: ``e`` itself
    when the call raised it (marked by :func:`run_shard`), else a :class:`ShardFailedError`."""
    if getattr(e, "shard", None) == (index, count):
        return e
    err = ShardFailedError(
        f"shard {index}/{count} failed: {type(e).__name__}: {e}",
        {"kind": "ShardFailed", "shard": (index, count), "stage": "shard"},
    )
    err.__cause__ = e
    return err


def simulate(client: Any, fn: Callable[..., Any], /, *args: Any, shards: int,
             submit_options: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """Run ``fn(*args, **kwargs)`` as ``shards`` shards on the ``dask.distributed`` ``client``
    and return exactly what ``fn(*args, **kwargs)`` returns.

    Parameters
    ----------
    client : distributed.Client
        Any client: a ``LocalCluster``'s, a ``SLURMCluster``'s, a Kubernetes or Coiled
        cluster's.
    fn : callable
        A model of :mod:`overparam` called with ``simulate=True`` (``random_features``,
        ``ridge``, ``adversarial``, ``membership``, ``dynamics``), or a deterministic function
        of yours that calls several of them on its calling thread. It must be importable (or
        picklable by cloudpickle) on the workers.
    *args, **kwargs
        The call's arguments, exactly as for ``fn`` (described canonically in the parts,
        :func:`overparam.sharding.command`).
    shards : int
        :math:`M \\ge 1`, the number of tasks; the trials of every simulation of the call are
        split among them (:math:`M` at most the number of trials is useful; more shards only add
        empty parts).
    submit_options : mapping, optional
        Keyword arguments for every ``client.submit`` (``resources``, ``workers``,
        ``retries``, ``priority``, ...).

    Returns
    -------
    The value of ``fn(*args, **kwargs)``, bit for bit.

    Raises
    ------
    The call's own exception (with ``shard = (I, M)``) when a shard raises one (invalid
    arguments, memory budget, ...); :class:`overparam.ShardFailedError` when a shard fails for
    another reason; :class:`overparam.ShardMergeError` when the parts do not merge;
    :class:`overparam.InvalidParameterError` naming ``shards`` unless it is an integer
    :math:`\\ge 1`.
    """
    m = _count(shards)
    sharding.command(fn, *args, **kwargs)  # arguments that cannot be described fail here
    tag = uuid.uuid4().hex[:12]
    options = dict(submit_options or {})
    futures = [
        client.submit(run_shard, i, m, fn, args, kwargs,
                      key=f"overparam-shard-{i}of{m}-{tag}", **options)
        for i in range(1, m + 1)
    ]
    index = {f.key: i for i, f in enumerate(futures, start=1)}
    texts: list[str | None] = [None] * m
    try:
        for fut in _distributed.as_completed(futures):
            i = index[fut.key]
            try:
                texts[i - 1] = fut.result()
            except Exception as e:
                raise _failure(e, i, m)  # noqa: B904 (the cause is set by _failure)
    except BaseException:
        client.cancel(futures)
        raise
    if not any(sharding.holds_trials(t) for t in texts if t is not None):
        warnings.warn(sharding.NO_TRIALS, RuntimeWarning, stacklevel=2)
    return sharding.merge(texts, fn, *args, **kwargs)


def _merge(parts: list[str], fn: Callable[..., Any], args: tuple[Any, ...],
           kwargs: Mapping[str, Any]) -> Any:
    return sharding.merge(parts, fn, *args, **dict(kwargs))


def delayed(fn: Callable[..., Any], /, *args: Any, shards: int, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` as a ``dask.delayed`` graph of ``shards`` shard tasks and one merge
    task: ``.compute()`` (on any scheduler: a ``distributed`` client, or ``scheduler="threads"``
    / ``"processes"`` locally) returns exactly what ``fn(*args, **kwargs)`` returns. Combine
    several in one ``dask.compute(...)`` to schedule a whole study at once.

    Errors as :func:`simulate`, except that a lost task raises the scheduler's own exception.
    """
    m = _count(shards)
    sharding.command(fn, *args, **kwargs)
    tag = uuid.uuid4().hex[:12]
    parts = [
        _dask.delayed(run_shard, pure=False)(
            i, m, fn, args, kwargs, dask_key_name=f"overparam-shard-{i}of{m}-{tag}"
        )
        for i in range(1, m + 1)
    ]
    return _dask.delayed(_merge, pure=False)(
        parts, fn, args, kwargs, dask_key_name=f"overparam-merge-{tag}"
    )
