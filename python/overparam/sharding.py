"""Sharded simulation studies that merge exactly, without any scheduler.

A simulation's trial :math:`k` draws only from its own random stream ``(seed, k)``, so the trials
of a study can be computed anywhere. Shard :math:`I` of :math:`M` computes the trials
:math:`k \\equiv I - 1 \\pmod M` of every simulation that a call runs and returns them as a
*partial result* (a text, the format of ``overparam ... --shard I/M``, ``docs/scaling.md``);
:func:`merge` of the :math:`M` parts, in any order, returns **exactly** what the call without
shards returns: the merge runs the call again with every trial read from the parts, so the means,
standard errors, pooled statistics and joins are computed from the same numbers in the same
order (``np.array_equal`` on every array; the same exceptions).

>>> import overparam as op
>>> from overparam import sharding
>>> kw = dict(simulate=True, n=40, trials=5, seed=3)
>>> parts = [sharding.part((i, 2), op.ridge, 2.0, 0.1, 4.0, **kw) for i in (1, 2)]
>>> merged = sharding.merge(parts, op.ridge, 2.0, 0.1, 4.0, **kw)
>>> merged["sim_mean"] == op.ridge(2.0, 0.1, 4.0, **kw)["sim_mean"]
True

The call is any function that runs the simulations of :mod:`overparam` on the calling thread:
one of the models (``random_features``, ``ridge``, ``adversarial``, ``membership``,
``dynamics`` with ``simulate=True``) or a function of your own that calls several of them
(a whole study). It must be deterministic: the same arguments give the same simulations.
:mod:`overparam.dask` maps the shards over a ``dask.distributed`` cluster; the functions here
serve any other way of running them (a Slurm array job that writes the parts to files, a
process pool, ...).

The parts record a canonical description of the call (:func:`command`): the function's name
and every argument after binding to its signature with its defaults, arrays by shape and a
SHA-256 digest of their ``float64`` values. The merge refuses parts of another call, another
shard count, another crate version, a missing or repeated shard, and a truncated or corrupted
part (:class:`overparam.ShardMergeError`).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import operator
import os
import re
import warnings
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from . import _core
from ._errors import OverparamError, ShardMergeError, from_info, invalid

__all__ = ["command", "part", "merge", "shard_of", "holds_trials"]

# A long array is described by its digest, a short one by its values (readable in the part).
_SHORT = 8


def _name(fn: Any) -> str:
    if isinstance(fn, functools.partial):
        inner = _name(fn.func)
        bound = [_canon(a, "partial argument") for a in fn.args]
        bound += [f"{k}={_canon(v, k)}" for k, v in sorted(fn.keywords.items())]
        return f"functools.partial({', '.join([inner, *bound])})"
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not isinstance(qualname, str):
        raise invalid("fn", fn, "a function (with a __qualname__) or a functools.partial of one")
    # The public models live in overparam._api; name them as users call them.
    if module == "overparam._api":
        module = "overparam"
    return f"{module}.{qualname}"


def _array(a: np.ndarray) -> str:
    shape = "x".join(str(k) for k in a.shape)
    if a.size <= _SHORT:
        values = ",".join(repr(float(x)) for x in a.reshape(-1))
        return f"array[{shape}]({values})"
    data = np.ascontiguousarray(a, dtype="<f8").tobytes()
    return f"array[{shape}](sha256:{hashlib.sha256(data).hexdigest()})"


def _canon(v: Any, name: str) -> str:
    """The canonical description of an argument value: the same in every process."""
    if v is None or isinstance(v, (bool, np.bool_)):
        return repr(None if v is None else bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (str, bytes, complex)):
        return repr(v)
    if isinstance(v, os.PathLike):
        return f"path({os.fspath(v)!r})"
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        return _array(v)
    if isinstance(v, np.ndarray):  # strings, objects: element by element
        return _canon(v.tolist(), name)
    if isinstance(v, (list, tuple)):
        try:
            a = np.asarray(v)
        except (ValueError, TypeError):  # ragged: element by element
            a = None
        if a is not None and a.dtype.kind in "biuf":
            return _array(a)
        items = ",".join(_canon(x, name) for x in v)
        return f"[{items}]"
    if isinstance(v, Mapping):
        items = sorted((_canon(k, name), _canon(x, name)) for k, x in v.items())
        return "{" + ",".join(f"{k}:{x}" for k, x in items) + "}"
    if callable(v):
        return _name(v)
    raise invalid(name, type(v).__name__,
                  "a value with a canonical description (numbers, strings, arrays, paths, "
                  "sequences and mappings of them) to shard the call")


def command(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> list[str]:
    """The canonical description of the call ``fn(*args, **kwargs)`` that a partial result
    records (its ``arg`` lines): ``["python", "<module>.<function>", "name=value", ...]`` with
    every parameter of ``fn``'s signature, defaults applied, in signature order. Numbers are
    written exactly (``repr``), numeric arrays and sequences as ``float64`` arrays: up to 8
    values written out, longer ones by shape and the SHA-256 digest of their values.

    Raises :class:`TypeError` when the arguments do not bind to ``fn``'s signature (as the
    call would), and :class:`overparam.InvalidParameterError` for an argument without a
    canonical description (an arbitrary object).
    """
    head = ["python", _name(fn)]
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature: positional then sorted keywords
        described = [_canon(a, f"args[{k}]") for k, a in enumerate(args)]
        described += [f"{k}={_canon(v, k)}" for k, v in sorted(kwargs.items())]
        return head + described
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    out = list(head)
    for name, value in bound.arguments.items():
        kind = sig.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out += [f"{k}={_canon(v, k)}" for k, v in sorted(value.items())]
        else:
            out.append(f"{name}={_canon(value, name)}")
    return out


def _shard(shard: Any) -> tuple[int, int]:
    """``(I, M)`` from ``(I, M)`` or ``"I/M"`` (the bounds are checked by the library)."""
    try:
        if isinstance(shard, str):
            i, m = shard.split("/")
            i, m = int(i), int(m)
        else:
            i, m = (operator.index(k) for k in shard)
    except (TypeError, ValueError):
        raise invalid("shard", shard, "(I, M) or 'I/M' with integers 1 <= I <= M") from None
    if i < 0 or m < 0 or i >= 2**63 or m >= 2**63:
        raise invalid("shard", shard, "(I, M) or 'I/M' with integers 1 <= I <= M")
    return i, m


def part(shard: tuple[int, int] | str, fn: Callable[..., Any], /, *args: Any,
         **kwargs: Any) -> str:
    """Run ``fn(*args, **kwargs)`` as shard ``shard = (I, M)`` (or ``"I/M"``): every simulation
    it runs computes only its trials :math:`k \\equiv I - 1 \\pmod M` (:math:`k` from 0) and
    records them; returns the partial result, a text in the format of ``overparam ... --shard
    I/M`` (``docs/scaling.md``) whose command is :func:`command` of the call. What ``fn``
    returns is discarded (a part of the trials aggregates nothing).

    Raises what the call raises when it fails before any simulation (invalid arguments, a point
    over the memory budget: the same exception as without shards), and
    :class:`overparam.InvalidParameterError` naming ``shard`` unless :math:`1 \\le I \\le M \\le
    10^6`. A failure after the trials (a point whose limit fails at the realised sizes) is not
    raised here: the merge reproduces it.
    """
    i, m = _shard(shard)
    cmd = command(fn, *args, **kwargs)
    call = functools.partial(fn, *args, **kwargs)
    text, calls, raised, error = _core._shard_capture(i, m, cmd, call)
    if error is not None:
        raise from_info(error)
    # As `overparam ... --shard`: with no trial loop recorded an exception is the call's own; with
    # trial loops recorded an overparam error is the shards' refusal to aggregate (or a failure
    # that the merge reproduces).
    if raised is not None and (calls == 0 or not isinstance(raised, OverparamError)):
        raise raised
    if calls == 0:
        warnings.warn(NO_TRIALS, RuntimeWarning, stacklevel=2)
    return text


NO_TRIALS = (
    "the sharded call ran no simulation on its calling thread (simulate=False? simulations "
    "started on threads of its own?): its parts hold no trial and the merge computes the call "
    "in full"
)


def holds_trials(text: str) -> bool:
    """Whether a partial result holds at least one trial loop (its ``end`` line is not 0)."""
    return not text.rstrip("\n").endswith("\nend 0")


_SHARD_LINE = re.compile(r"^shard (\S+)$", re.MULTILINE)


def shard_of(text: str) -> tuple[int, int] | None:
    """``(I, M)`` from the ``shard`` line of a partial result (None if there is none)."""
    found = _SHARD_LINE.search(text[:4096])
    if found is None:
        return None
    try:
        return _shard(found.group(1))
    except OverparamError:
        return None


def _named(parts: Iterable[Any] | Mapping[str, Any]) -> list[tuple[str, str]]:
    items = parts.items() if isinstance(parts, Mapping) else enumerate(parts)
    out = []
    for key, p in items:
        if isinstance(p, os.PathLike):
            origin = os.fspath(p)
            with open(origin, encoding="utf-8") as f:
                text = f.read()
        elif isinstance(p, str):
            s = shard_of(p)
            where = f" (shard {s[0]}/{s[1]})" if s else ""
            origin = str(key) if isinstance(parts, Mapping) else f"parts[{key}]{where}"
            text = p
        else:
            raise invalid("parts", type(p).__name__,
                          "partial results: texts (str) or paths (os.PathLike)")
        out.append((origin, text))
    return out


def merge(parts: Iterable[Any] | Mapping[str, Any], fn: Callable[..., Any], /, *args: Any,
          **kwargs: Any) -> Any:
    """Merge the partial results of the :math:`M` shards of ``fn(*args, **kwargs)`` (texts from
    :func:`part`, paths of files holding them, or a mapping name -> text; in any order) and
    return exactly what ``fn(*args, **kwargs)`` returns (or raise what it raises): the call runs
    again with every trial of its simulations read from the parts (only a trial that failed in
    its shard is computed again, so that its error is the real one).

    Raises :class:`overparam.ShardMergeError` (an :class:`overparam.InvalidDataError`, a
    :class:`ValueError`) naming the part when the parts cannot be merged: malformed, truncated
    or corrupted, from another call (function, arguments, seed, trials), another crate version
    or another shard count, a shard missing or given twice, or trial loops that are not those
    the call runs. The merge does not use the GIL while it validates the parts.
    """
    named = _named(parts)
    cmd = command(fn, *args, **kwargs)
    call = functools.partial(fn, *args, **kwargs)
    value, error = _core._shard_merge(named, cmd, call)
    if error is not None:
        # As `overparam merge`: `ORIGIN: problem`, or `ORIGIN, line N: problem`.
        origin, line, problem = error.get("origin"), error.get("line"), error.get("problem")
        if origin is not None and problem is not None:
            where = f"{origin}, line {line}" if line else origin
            message = f"merge: {where}: {problem}"
        else:
            message = f"merge: {error.get('message', 'the parts do not merge')}"
        raise ShardMergeError(message, error)
    return value
