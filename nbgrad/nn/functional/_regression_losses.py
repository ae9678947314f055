"""The robust regression losses: ``l1_loss`` (made of plain ops, as torch makes it: Sub, Abs,
Mean or Sum), ``smooth_l1_loss`` and ``huber_loss``, with their nodes
``SmoothL1LossBackward0`` and ``HuberLossBackward0``.

``smooth_l1_loss`` is ``0.5 d^2 / beta`` where ``|d| < beta`` and ``|d| - 0.5 beta`` elsewhere;
``huber_loss`` is ``beta`` times it, with ``delta`` for ``beta``: ``0.5 d^2`` inside,
``delta (|d| - 0.5 delta)`` outside. Both have a slope of at most 1 (or ``delta``), which is
what makes them robust to outliers."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name, _quiet
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _broadcast_tensors,
    _check_pair,
    _check_reduction,
    _legacy_reduction,
    _reduce,
    _scale,
)
from nbgrad.ops._core import Node, record


def _weighted(loss: Tensor, weight: Tensor, reduction: str, mean_by_weight: bool) -> Tensor:
    from nbgrad.ops import div, mul, sum

    weighted = mul(loss, weight)
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return sum(weighted)
    if reduction == "mean":
        return div(sum(weighted), sum(weight)) if mean_by_weight else weighted.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def _check_weight(weight: Tensor, input: Tensor) -> None:
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")


# -- l1_loss ---------------------------------------------------------------------------

def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """The mean (or sum) of ``|input - target|``; with ``weight`` (of the input's size), of
    ``weight * |input - target|``, the mean divided by the sum of the weights."""
    from nbgrad.ops import abs, sub

    _check_pair(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    ex_input, ex_target = _broadcast_tensors(input, target)
    if weight is not None:
        _check_weight(weight, input)
        return _weighted(abs(sub(ex_input, ex_target)), weight, reduction, True)
    return _l1(ex_input, ex_target, reduction)


def _l1(input: Tensor, target: Tensor, reduction: str) -> Tensor:
    from nbgrad.ops import abs, mean, sub, sum

    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    loss = abs(sub(input, target))
    if reduction == "mean":
        return mean(loss)
    return sum(loss) if reduction == "sum" else loss


# -- smooth_l1_loss and huber_loss -----------------------------------------------------

def _slope(F: Any, d: Any, beta: float) -> Any:
    """The derivative of the smooth L1 loss in ``d``: ``d / beta`` inside, ``sign(d)``
    outside."""
    return F.where(d * F.sign(d) < beta, d * (1.0 / beta), F.sign(d))


class SmoothL1LossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, reduction, n, beta):
        d = _slope(F, x - y, beta) * _scale(g, reduction, n)
        return d, (-d if self.next_functions[1][0] is not None else None)


class HuberLossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, reduction, n, delta):
        d = _slope(F, x - y, delta) * (_scale(g, reduction, n) * delta)
        return d, (-d if self.next_functions[1][0] is not None else None)


def _per_element(diff: np.ndarray, beta: float, huber: bool) -> np.ndarray:
    """Each element's loss, rounded step by step as torch's kernels round it."""
    a = np.abs(diff)
    b = diff.dtype.type(beta)
    if huber:
        out = np.where(a < b, a * a * diff.dtype.type(0.5), (a - b * diff.dtype.type(0.5)) * b)
    else:
        out = np.where(a < b, a * a * diff.dtype.type(0.5) / b, a - b * diff.dtype.type(0.5))
    return out.astype(diff.dtype, copy=False)


def _reduce_accurately(per: np.ndarray, reduction: str) -> np.ndarray:
    """The sum accumulated in float64 and then rounded: torch's cascade sum is as close to
    the exact sum as that, NumPy's pairwise float32 sum is not always (its last digit may
    print differently)."""
    if reduction == "none" or per.dtype == np.float64:
        return _reduce(per, reduction)
    total = np.asarray(np.add.reduce(per, None, dtype=np.float64)).astype(per.dtype)
    return total / per.dtype.type(per.size) if reduction == "mean" else total


def _smooth(input: Tensor, target: Tensor, reduction: str, beta: float, node: type[Node],
            kernel: str, out_dtype: Any = None) -> Tensor:
    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    rt = _dtype.result_type(input, target)
    if not rt.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_name(rt)}'")
    x, y = input._data.astype(rt.numpy, copy=False), target._data.astype(rt.numpy, copy=False)
    with _quiet():
        per = _per_element(x - y, beta, node is HuberLossBackward0)
        data = _reduce_accurately(per, reduction)
    if out_dtype is not None:
        data = np.asarray(data).astype(out_dtype, copy=False)
    mixed = x.dtype != input._data.dtype or y.dtype != target._data.dtype
    return record(node, data, (input, target),
                  (input, target, reduction, per.size, beta),
                  broadcast=mixed or (out_dtype is not None and out_dtype != x.dtype))


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """The smooth L1 loss: quadratic where ``|input - target| < beta``, linear elsewhere;
    ``beta=0`` is the L1 loss (and records its nodes, as torch does)."""
    _check_pair(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    ex_input, ex_target = _broadcast_tensors(input, target)
    if beta == 0.0:
        return _l1(ex_input, ex_target, reduction)
    if beta < 0:
        if reduction not in _REDUCTIONS:
            _check_reduction(reduction)
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _smooth(ex_input, ex_target, reduction, beta, SmoothL1LossBackward0,
                   "smooth_l1_cpu")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """The Huber loss: ``0.5 d^2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)``
    elsewhere, ``d = input - target``. Its result has the input's dtype, as torch's has."""
    _check_pair(input, target)
    ex_input, ex_target = _broadcast_tensors(input, target)
    if weight is not None:
        _check_weight(weight, input)
        loss = huber_loss(ex_input, ex_target, "none", delta)
        return _weighted(loss, weight, reduction, False)
    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    out = input._data.dtype if input._data.dtype.kind == "f" else None
    return _smooth(ex_input, ex_target, reduction, delta, HuberLossBackward0, "huber_cpu",
                   out)
