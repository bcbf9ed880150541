"""The exceptions of :mod:`overparam`: one class per variant of the Rust ``overparam::Error``.

Invalid input (the command line's exit status 2: the question cannot be answered as given)
raises a :class:`ValueError` subclass; a failed computation on valid input (exit status 1)
raises a :class:`RuntimeError` subclass; a simulation over its memory budget raises a
:class:`MemoryError` subclass. Every exception derives from :class:`OverparamError` and carries

* ``kind``: the Rust variant name (``"InvalidParameter"``, ``"NotConverged"``, ...),
* ``info``: the variant's fields as a dict,
* ``index``: the index of the failing point in the broadcast shape (``()`` for a scalar call,
  ``None`` for an error of the whole call), and ``stage`` (``"theory"``, ``"simulation"`` or
  ``"arguments"``).
"""

from __future__ import annotations

from typing import Any


class OverparamError(Exception):
    """Base class of every error raised by :mod:`overparam`."""

    kind: str = "Other"

    def __new__(cls, *args: Any, **kwargs: Any) -> "OverparamError":
        # BaseException's allocator, named explicitly: `MemoryBudgetError.__new__` would otherwise
        # resolve to MemoryError's, which refuses to build a subclass whose first base is not
        # MemoryError when called directly, as exception picklers do (tblib, used by
        # dask.distributed to send a worker's exception back). The same object either way.
        return Exception.__new__(cls, *args)

    def __init__(self, message: str, info: dict[str, Any] | None = None, index: Any = None):
        super().__init__(message)
        self.message = message
        self.info: dict[str, Any] = dict(info or {})
        self.index = index
        self.stage: str | None = self.info.get("stage")


class InvalidParameterError(OverparamError, ValueError):
    """A parameter is outside its valid range. ``name`` is the parameter (the CLI JSON name,
    e.g. ``"lambda"``, ``"noise_sd"``), ``value`` the value passed, ``expected`` the range."""

    kind = "InvalidParameter"

    @property
    def name(self) -> str | None:
        return self.info.get("name")

    @property
    def value(self) -> Any:
        return self.info.get("value")

    @property
    def expected(self) -> str | None:
        return self.info.get("expected")


class InvalidChoiceError(InvalidParameterError):
    """A named choice (activation, attack, algorithm, family, spectrum spec) is not accepted."""

    kind = "InvalidChoice"


class NotConvergedError(OverparamError, RuntimeError):
    """An iterative method stopped before its tolerance: ``residual``, ``iterations``,
    ``method`` and ``tolerance`` say where it stopped."""

    kind = "NotConverged"

    @property
    def residual(self) -> float | None:
        return self.info.get("residual")

    @property
    def iterations(self) -> int | None:
        return self.info.get("iterations")

    @property
    def method(self) -> str | None:
        return self.info.get("method")

    @property
    def tolerance(self) -> float | None:
        return self.info.get("tolerance")


class NonFiniteError(OverparamError, ValueError):
    """The limit is infinite or undefined at this point (e.g. ridgeless at the interpolation
    threshold): a question without an answer, like the CLI's exit status 2."""

    kind = "NonFinite"


class NoSolutionError(OverparamError, ValueError):
    """The equations have no solution on this branch or in this regime."""

    kind = "NoSolution"


class NoBracketError(OverparamError, RuntimeError):
    """A bracketing interval did not bracket a root."""

    kind = "NoBracket"


class NotASaddleError(OverparamError, RuntimeError):
    """A stationary point failed its second-order check (``residual``, ``iterations``)."""

    kind = "NotASaddle"

    @property
    def residual(self) -> float | None:
        return self.info.get("residual")

    @property
    def iterations(self) -> int | None:
        return self.info.get("iterations")


class LinearAlgebraError(OverparamError, RuntimeError):
    """A dense factorisation failed."""

    kind = "LinearAlgebra"


class DimensionMismatchError(OverparamError, ValueError):
    """Array shapes are inconsistent."""

    kind = "DimensionMismatch"


class InvalidDataError(OverparamError, ValueError):
    """Input data (e.g. a spectrum CSV) is malformed: ``origin`` and ``line`` say where."""

    kind = "InvalidData"


class MemoryBudgetError(OverparamError, MemoryError):
    """A simulation would need more memory than its budget (refused before allocating):
    ``name`` is the size that drives the estimate, ``estimate_bytes``, ``budget_bytes``."""

    kind = "MemoryBudget"

    @property
    def name(self) -> str | None:
        return self.info.get("name")


class ShardMergeError(InvalidDataError):
    """Partial results of a sharded run that cannot be merged (:func:`overparam.sharding.merge`,
    :mod:`overparam.dask`): a part is malformed, truncated or corrupted, the parts come from
    different calls (another function, other arguments, another seed, another crate version)
    or another shard count, or a shard is missing or given twice. ``origin`` names the part."""

    kind = "InvalidData"

    @property
    def origin(self) -> str | None:
        return self.info.get("origin")


class ShardFailedError(OverparamError, RuntimeError):
    """A shard of a distributed run failed for a reason outside the called function (a worker
    lost, a task cancelled, a result that did not travel back). ``shard`` is ``(I, M)``; the
    original exception is ``__cause__``. (An exception raised by the called function itself is
    re-raised as it is, with ``shard`` set.)"""

    kind = "ShardFailed"

    def __init__(self, message: str, info: dict[str, Any] | None = None, index: Any = None):
        super().__init__(message, info, index)
        s = self.info.get("shard")
        self.shard: tuple[int, int] | None = None if s is None else (int(s[0]), int(s[1]))


_BY_KIND = {
    cls.kind: cls
    for cls in (
        InvalidParameterError,
        InvalidChoiceError,
        NotConvergedError,
        NonFiniteError,
        NoSolutionError,
        NoBracketError,
        NotASaddleError,
        LinearAlgebraError,
        DimensionMismatchError,
        InvalidDataError,
        MemoryBudgetError,
    )
}


def from_info(info: dict[str, Any], index: Any = None) -> OverparamError:
    """The exception for an error description returned by ``overparam._core``."""
    cls = _BY_KIND.get(info.get("kind", ""), OverparamError)
    message = info.get("message", "unknown error")
    if info.get("stage") == "simulation":
        message = f"simulation: {message}"
    if index is not None and index != ():
        message = f"{message} (at index {index})"
    return cls(message, info, index)


def invalid(name: str, value: Any, expected: str) -> InvalidParameterError:
    """An :class:`InvalidParameterError` raised by the Python layer itself (argument types)."""
    return InvalidParameterError(
        f"invalid parameter `{name}` = {value!r}: expected {expected}",
        {"kind": "InvalidParameter", "name": name, "value": value, "expected": expected,
         "stage": "arguments"},
    )
