"""``nll_loss``: the negative log likelihood of the target classes, its nodes
(``NllLossBackward0``, ``NllLoss2DBackward0``) and torch's checks of input, target and
weight. ``cross_entropy`` of class indices ends in its ``_nll_loss``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name, _quiet
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _check_reduction,
    _ignore_index,
    _legacy_reduction,
)
from nbgrad.ops import reshape, view
from nbgrad.ops._core import Node, check_tensor, record


class NllLossBackward0(Node):
    """The gradient goes only to the log-probability of each target class: ``-w[y] g``."""

    __slots__ = ()

    def vjp(self, F, g, shape, index, w_picked, reduction, total, target_shape):
        if w_picked is None and reduction != "none" and isinstance(g, (np.ndarray, np.generic)):
            # A plain backward of the usual loss: one number, written to every target's place
            # (the general path below first spreads it with a broadcast view).
            if reduction == "mean":
                g = g * (1.0 / total)
            out = np.zeros(shape, dtype=g.dtype)
            out[index] = -g
            return (out,)
        if reduction == "none":
            g = F.reshape(g, target_shape)
        else:
            if reduction == "mean":
                g = g * (1.0 / total)
            if w_picked is None:
                g = F.expand(g, target_shape)
        values = -g if w_picked is None else -(w_picked * g)
        return (F.index_put(shape, index, values, False),)


class NllLoss2DBackward0(NllLossBackward0):
    """What torch records for inputs with dimensions beyond (batch, class)."""

    __slots__ = ()


_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # Long or Byte


def _nll_checks(x: np.ndarray, target: Tensor, weight: Tensor | None) -> np.ndarray:
    """torch's checks of input and target shapes, in torch's order; the target as
    it lines up with the input with the class dimension removed."""
    t = target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and (t.shape[0] if t.ndim else 0) != x.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
            f"({t.shape[0] if t.ndim else 0})."
        )
    if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}"
        )
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if weight is not None and weight._data.shape != (n_classes,):
            raise RuntimeError(
                f"weight tensor should be defined either for all {n_classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight._data.shape)}"
            )
    else:
        # torch's nll_loss2d, which sees 3D and 5D+ inputs reshaped to 4D after this check
        expected = (x.shape[0],) + x.shape[2:]
        if x.ndim != 4 and t.shape != expected:
            raise RuntimeError(
                f"Expected target size {list(expected)}, got {list(t.shape)}"
            )
        if t.ndim != 3 and x.ndim == 4:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if weight is not None and weight._data.size != n_classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if t.shape != expected:
            raise RuntimeError(
                f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}"
            )
    if t.dtype not in _TARGET_DTYPES:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {_name(target.dtype)}"
        )
    if x.dtype.kind != "f":
        kernel = "nll_loss_out_frame" if x.ndim <= 2 else "nll_loss2d_forward_out_frame"
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_name(_dtype.from_numpy_dtype(x.dtype))}'")
    if weight is not None and weight._data.dtype != x.dtype:
        raise RuntimeError(
            f"expected scalar type {_name(_dtype.from_numpy_dtype(x.dtype))} but found "
            f"{_name(weight.dtype)}"
        )
    return t.reshape(()) if x.ndim == 1 else t


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """The negative log-probability of each target class (``input`` holds log-probabilities,
    classes along dimension 1), averaged with ``weight[target]`` as weights."""
    # torch reads the reduction in Python, before its C++ function checks the types
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    if (not (isinstance(input, Tensor) and isinstance(target, Tensor))
            or not (weight is None or isinstance(weight, Tensor))):
        _check_class_args("nll_loss_nd", input, target, weight)
    if ignore_index.__class__ is not int:
        ignore_index = _ignore_index("nll_loss_nd", ignore_index)
    return _nll_loss(input, target, weight, ignore_index, reduction)


def _check_class_args(fn: str, input: Any, target: Any, weight: Any) -> None:
    """The type errors of torch's ``fn`` (``nll_loss_nd``, ``cross_entropy_loss``)."""
    check_tensor(input, fn)
    check_tensor(target, fn, "target", 2)
    if weight is not None:
        check_tensor(weight, fn, "weight", 3)


def _nll_loss(input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
              reduction: str) -> Tensor:
    """``nll_loss`` past the checks of its arguments' types (``cross_entropy`` has made them
    already)."""
    x = input._data
    t = _nll_checks(x, target, weight).astype(np.int64, copy=False)
    if x.ndim == 3 or x.ndim > 4:
        # torch works in 4D (batch, class, height, width): it views the input as such and
        # the unreduced loss back.
        rest = math.prod(x.shape[2:])
        loss = _nll(reshape(input, x.shape[:2] + (rest, 1)), t.reshape(x.shape[0], rest, 1),
                    weight, ignore_index, reduction)
        return view(loss, t.shape) if reduction == "none" else loss
    return _nll(input, t, weight, ignore_index, reduction)


def _nll(input: Tensor, t: np.ndarray, weight: Tensor | None, ignore_index: int,
         reduction: str) -> Tensor:
    x = input._data
    n_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    # t.min(), t.max() minus their Python wrappers
    lo, hi = (int(np.minimum.reduce(t, None)), int(np.maximum.reduce(t, None))) if t.size \
        else (0, 0)
    w_picked = None  # every weight 1
    if 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
        # the usual case, checked with two reductions: every target a class, none ignored
        safe = t
    else:
        valid = t != ignore_index
        bad = valid & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {t[bad].reshape(-1)[0]} is out of bounds.")
        safe = np.where(valid, t, 0)
        w_picked = valid.astype(x.dtype)
    if x.ndim == 1:
        index: tuple = (safe,)
    elif x.ndim == 2:
        index = (np.arange(x.shape[0]), safe)
    else:
        grids = np.indices(t.shape, sparse=True)
        index = (grids[0], safe) + tuple(grids[1:])
    picked = x[index]
    if weight is not None:
        w_class = weight._data.reshape(-1)[safe]  # (4D and up take any shape of n_classes)
        w_picked = w_class if w_picked is None else w_picked * w_class
    per = -picked if w_picked is None else -(picked * w_picked)
    total = 1.0
    if reduction == "mean":
        total_w = per.size if w_picked is None else np.add.reduce(w_picked, None)
        if total_w:
            data = np.asarray(np.add.reduce(per, None) / total_w, dtype=x.dtype)
        else:  # every target ignored: 0 / 0 = nan, silently, as in torch
            with _quiet():  # (an np.errstate block costs more than a NumPy op: rare here)
                data = np.asarray(np.add.reduce(per, None) / total_w, dtype=x.dtype)
        total = float(total_w)
    elif reduction == "sum":
        data = np.asarray(np.add.reduce(per, None))
    else:
        data = per.reshape(t.shape) if x.ndim == 1 else per
    node = NllLoss2DBackward0 if x.ndim > 2 else NllLossBackward0
    return record(node, data, (input,), (x.shape, index, w_picked, reduction, total, t.shape))
