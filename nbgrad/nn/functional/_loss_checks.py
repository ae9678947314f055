"""What the losses share: torch's reading of ``reduction`` (and of the deprecated
``size_average`` and ``reduce``), the reduction itself, and torch's checks of their
arguments."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.ops._core import check_broadcast

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> str:
    """``reduction`` as torch reads it (``_Reduction.get_enum``): the deprecated
    ``"elementwise_mean"`` is ``"mean"`` with a warning; anything else unknown is an error.
    Called only when ``reduction`` is not one of ``_REDUCTIONS``."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=3)
        return "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    """The reduction the deprecated ``size_average`` and ``reduce`` ask for (either given
    overrides ``reduction``), with torch's warning (``_Reduction.legacy_get_string``)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", UserWarning, stacklevel=3)
    return ret


def _reduce(per: np.ndarray, reduction: str) -> np.ndarray:
    # np.add.reduce(per, None) is what per.sum() calls, minus a Python wrapper
    if reduction == "mean":
        return np.asarray(np.add.reduce(per, None) / per.size, dtype=per.dtype)
    if reduction == "sum":
        return np.asarray(np.add.reduce(per, None))
    return per


def _scale(g: Any, reduction: str, n: int) -> Any:
    """The incoming gradient as it reaches each element of the unreduced loss."""
    return g * (1.0 / n) if reduction == "mean" else g


def _as_target(target: Any) -> Tensor:
    """What torch's Python code says when it calls ``.size()`` on a non-tensor argument."""
    if not isinstance(target, Tensor):
        raise AttributeError(f"'{type(target).__name__}' object has no attribute 'size'")
    return target


def _check_inplace_broadcast(out: np.ndarray, other: np.ndarray) -> None:
    """torch's errors for ``out.mul_(other)`` (or ``add_``) when ``other`` does not broadcast
    to ``out``'s shape."""
    check_broadcast(out, other)
    if other.ndim > out.ndim:
        shape = np.broadcast_shapes(out.shape, other.shape)
        raise RuntimeError(
            f"output with shape {list(out.shape)} doesn't match the broadcast shape "
            f"{list(shape)}"
        )


def _ignore_index(fn: str, value: Any) -> int:
    """``ignore_index`` read as torch's argument parser reads it (its 5th argument): an int,
    or anything that is one (a NumPy int, an integer 0-d tensor); not a bool or a float."""
    from nbgrad._size_args import _is_index, _tp_name

    if isinstance(value, bool) or not _is_index(value):
        raise TypeError(f"{fn}(): argument 'ignore_index' (position 5) must be int, not "
                        f"{_tp_name(value)}")
    return int(value._data) if isinstance(value, Tensor) else int(value)


def _check_pair(input: Any, target: Any) -> None:
    """What torch's losses written in Python check first: both are tensors (its words when
    one has no ``.size()``), and a target of another size gets its warning (aimed at the
    loss's caller)."""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _as_target(target)  # torch compares target.size() with input.size(): target first
        _as_target(input)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def _broadcast_tensors(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """torch.broadcast_tensors, as torch's losses call it: an expand (ExpandBackward0 in the
    graph) on each side whose shape is not the common one; torch's error where none fits."""
    if a.shape == b.shape:
        return a, b
    from nbgrad.ops import expand

    check_broadcast(a._data, b._data)
    shape = tuple(np.broadcast_shapes(a.shape, b.shape))
    return (a if a.shape == shape else expand(a, shape),
            b if b.shape == shape else expand(b, shape))
