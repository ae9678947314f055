"""NumPy's names for torch's arguments: ``x.sum(axis=0)``, ``x.mean(1, keepdims=True)``.

torch's argument parser takes ``axis`` for ``dim`` and ``keepdims`` for ``keepdim`` in the
functions and methods it binds in C++ (not in those written in Python, such as ``split``,
``norm`` or ``nn.functional.softmax``), so code written with NumPy habits runs. nbgrad's
public functions and methods of that kind are given the same two names here, once, when
``nbgrad`` is imported; nbgrad's own code calls the ops directly and pays nothing for it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["install"]

# torch's C++-bound functions and methods with a ``dim`` (and maybe ``keepdim``) argument
NAMES = ("sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any",
         "stack", "cat", "var", "std", "prod", "cumsum", "cumprod", "logsumexp",
         "log_softmax", "softmax", "squeeze", "unsqueeze", "sort", "argsort", "topk", "gather",
         "index_select", "chunk", "unbind")


def _numpy_names(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return call


def install(module: ModuleType, tensor: type) -> None:
    """Give ``module``'s functions and ``tensor``'s methods named in ``NAMES`` NumPy's names
    for their arguments."""
    for name in NAMES:
        for owner in (module, tensor):
            fn = owner.__dict__.get(name) if isinstance(owner, type) else getattr(
                owner, name, None)
            if fn is not None and callable(fn) and not hasattr(fn, "__wrapped__"):
                setattr(owner, name, _numpy_names(fn))
