"""overparam: exact proportional-limit asymptotics of overparameterized models, from NumPy.

Python bindings of the Rust crate ``overparam``: random-features ridge regression, linear ridge
(isotropic or any population spectrum), adversarial training, membership inference, training
dynamics of least squares, spectral densities and two-layer ReLU Hessian spectra; each limit
with a finite-size Monte Carlo simulation joined to it (``simulate=True``).

Every function broadcasts its numeric arguments like a NumPy ufunc and returns a
:class:`Result` (a dict of ``float64`` arrays named as the command line's JSON fields). See
``help(overparam.random_features)`` and ``docs/python.md``.

Simulation studies split into shards that merge exactly: :mod:`overparam.sharding` (any way of
running the shards) and :mod:`overparam.dask` (over a ``dask.distributed`` cluster; the optional
extra ``overparam[dask]``).

>>> import overparam
>>> r = overparam.ridge(2.0, 0.1, 5.0)
>>> round(float(r["test_error"]), 6) > 0
True
"""

from ._api import (
    Result,
    adversarial,
    density,
    dynamics,
    hessian,
    membership,
    random_features,
    ridge,
)
from ._core import __version__
from ._errors import (
    DimensionMismatchError,
    InvalidChoiceError,
    InvalidDataError,
    InvalidParameterError,
    LinearAlgebraError,
    MemoryBudgetError,
    NoBracketError,
    NonFiniteError,
    NoSolutionError,
    NotASaddleError,
    NotConvergedError,
    OverparamError,
    ShardFailedError,
    ShardMergeError,
)
from . import sharding

__all__ = [
    "Result",
    "random_features",
    "ridge",
    "adversarial",
    "membership",
    "dynamics",
    "density",
    "hessian",
    "OverparamError",
    "InvalidParameterError",
    "InvalidChoiceError",
    "NotConvergedError",
    "NonFiniteError",
    "NoSolutionError",
    "NoBracketError",
    "NotASaddleError",
    "LinearAlgebraError",
    "DimensionMismatchError",
    "InvalidDataError",
    "MemoryBudgetError",
    "ShardMergeError",
    "ShardFailedError",
    "sharding",
    "__version__",
]
