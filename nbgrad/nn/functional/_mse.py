"""``mse_loss``: the mean squared error, and its node ``MseLossBackward0``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _as_target,
    _check_reduction,
    _legacy_reduction,
    _reduce,
    _scale,
)
from nbgrad.ops._core import Node, check_broadcast, record


class MseLossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, reduction, n):
        d = (x - y) * (_scale(g, reduction, n) * 2)
        return d, (-d if self.next_functions[1][0] is not None else None)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The mean (or sum) of ``(input - target) ** 2``; with ``weight`` (of the input's size),
    of ``weight * (input - target) ** 2``, the mean divided by the sum of the weights."""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _as_target(target)  # torch compares target.size() with input.size(): target first
        _as_target(input)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if target.shape != input.shape:
        check_broadcast(input._data, target._data)
    if weight is not None:
        return _weighted(input, target, weight, reduction)
    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    rt = _dtype.result_type(input, target)
    if not rt.is_floating_point:
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_name(rt)}'")
    if input.shape != target.shape:
        input, target = _broadcast_tensors(input, target)
    # Promoted inside the op, as torch's kernel does (no ToCopyBackward0 in the graph); the
    # engine casts each gradient back to its input's dtype.
    npdt = rt.numpy
    a, b = input._data, target._data
    diff = (a if a.dtype == npdt else a.astype(npdt)) - (b if b.dtype == npdt else b.astype(npdt))
    per = diff * diff
    data = _reduce(per, reduction)
    return record(MseLossBackward0, data, (input, target), (input, target, reduction, per.size),
                  broadcast=a.dtype != npdt or b.dtype != npdt)


def _broadcast_tensors(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """torch.broadcast_tensors, as torch's losses call it: an expand (ExpandBackward0 in the
    graph) on each side whose shape is not the common one."""
    from nbgrad.ops import expand

    shape = tuple(np.broadcast_shapes(a.shape, b.shape))
    return (a if a.shape == shape else expand(a, shape),
            b if b.shape == shape else expand(b, shape))


def _weighted(input: Tensor, target: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """torch's weighted mean squared error, made of plain ops as torch makes it (so its graph
    shows the same nodes: Sub, Pow, Mul, Sum, Div)."""
    from nbgrad.ops import div, mul, pow, sub, sum

    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    if input.shape != target.shape:  # torch.broadcast_tensors: an expand where it is needed
        input, target = _broadcast_tensors(input, target)
    weighted = mul(pow(sub(input, target), 2), weight)
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return sum(weighted)
    if reduction == "mean":
        return div(sum(weighted), sum(weight))
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")
