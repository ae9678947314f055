"""``mse_loss``: the mean squared error, and its node ``MseLossBackward0``."""

from __future__ import annotations

from typing import Any

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _broadcast_tensors,
    _check_pair,
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
    _check_pair(input, target)
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


def _weighted(input: Tensor, target: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """torch's weighted mean squared error, made of plain ops as torch makes it (so its graph
    shows the same nodes: Sub, Pow, Mul, Sum, Div)."""
    from nbgrad.ops import div, mul, pow, sub, sum

    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
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
