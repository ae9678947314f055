"""``cross_entropy``: ``nll_loss`` of ``log_softmax`` for class indices, the soft-label
form for class probabilities, and label smoothing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.nn.functional._common import _name
from nbgrad.nn.functional._log_likelihood import _check_class_args, _nll_loss
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _check_reduction,
    _ignore_index,
    _legacy_reduction,
)
from nbgrad.ops import log_softmax as _log_softmax
from nbgrad.ops import neg, reshape
from nbgrad.ops import sum as _sum
from nbgrad.ops._core import Node, record


class DivBackward1(Node):
    """Division by a number, as torch's soft-label cross entropy records its mean."""

    __slots__ = ()

    def vjp(self, F, g, n):
        return (g * (1.0 / n),)


def _div_number(input: Tensor, n: float) -> Tensor:
    data = np.asarray(input._data / np.asarray(n, dtype=input._data.dtype))
    return record(DivBackward1, data, (input,), (n,))


def _class_shape(ndim: int, n_classes: int) -> tuple:
    return (n_classes,) if ndim == 1 else (1, n_classes) + (1,) * (ndim - 2)


def _soft_cross_entropy(logp: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                        label_smoothing: float, class_dim: int) -> Tensor:
    """Cross entropy against class probabilities: ``-sum(target * log_softmax(input))``."""
    n_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * reshape(weight, _class_shape(logp.ndim, n_classes))
    if reduction == "none":
        return neg(_sum(prod, class_dim))
    total = neg(_sum(prod))
    if reduction == "sum":
        return total
    if not logp._data.size:  # no samples: torch fills the mean with nan
        return neg(_sum(prod) * math.nan)
    return _div_number(total, logp._data.size / n_classes)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy between the softmax of ``input`` (logits, classes along dimension 1)
    and ``target``: class indices (int64), or class probabilities of ``input``'s shape."""
    # The checks run on every training step: each is tested inline, and only a failing one
    # calls the function that raises torch's error. torch reads the reduction in Python,
    # before its C++ function checks the types.
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    if (not (isinstance(input, Tensor) and isinstance(target, Tensor))
            or not (weight is None or isinstance(weight, Tensor))):
        _check_class_args("cross_entropy_loss", input, target, weight)
    if ignore_index.__class__ is not int:
        ignore_index = _ignore_index("cross_entropy_loss", ignore_index)
    shape = input._data.shape
    if shape == target._data.shape:
        return _cross_entropy_probabilities(input, target, weight, ignore_index, reduction,
                                            label_smoothing)
    class_dim = 0 if len(shape) == 1 else 1
    if label_smoothing > 0.0:  # (torch ignores a negative one)
        _check_label_smoothing(label_smoothing)
    logp = _log_softmax(input, class_dim)  # first, as in torch: its errors come first
    loss = _nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0:
        return loss
    return loss * (1 - label_smoothing) + _smoothing_term(
        logp, target, weight, ignore_index, reduction, class_dim) * (
        label_smoothing / logp.shape[class_dim])


def _check_label_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        # :g prints a double as C++ streams it: 2.0 as "2"
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}"
        )


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Tensor | None,
                                 ignore_index: int, reduction: str,
                                 label_smoothing: float) -> Tensor:
    """``cross_entropy`` of a target of class probabilities (the input's shape), with torch's
    checks in its order."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_name(target.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if len(shape) == 1 else 1
    n_classes = shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    logp = _log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
    return _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim)


def _smoothing_term(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                    reduction: str, class_dim: int) -> Tensor:
    """The uniform-target part of label smoothing: ``-sum_c w_c log p_c`` per sample."""
    n_classes = logp.shape[class_dim]
    t = target._data.astype(np.int64, copy=False)
    keep = _wrap((t != ignore_index).astype(logp._data.dtype))
    if logp.ndim == 1:
        keep = reshape(keep, ())
    scaled = logp if weight is None else logp * reshape(weight,
                                                        _class_shape(logp.ndim, n_classes))
    per = neg(_sum(scaled, class_dim)) * keep
    if reduction == "none":
        return per
    if reduction == "sum":
        return _sum(per)
    if weight is None:
        return _sum(per) / float(keep._data.sum())
    safe = np.where(t != ignore_index, t, 0)
    denom = float((weight._data[safe] * keep._data.reshape(safe.shape)).sum())
    return _sum(per) / denom

