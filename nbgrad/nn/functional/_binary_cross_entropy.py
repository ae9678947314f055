"""Binary cross entropy: ``binary_cross_entropy`` on probabilities (its logs clamped at
-100, as torch clamps them) and ``binary_cross_entropy_with_logits`` on logits (through
``log1p(exp(-|x|))``), each with its node and torch's checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name, _quiet
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _as_target,
    _check_inplace_broadcast,
    _check_reduction,
    _legacy_reduction,
    _reduce,
    _scale,
)
from nbgrad.ops._core import Node, check_broadcast, check_tensor, record

# --- binary cross entropy on probabilities ------------------------------------------------


class BinaryCrossEntropyBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, w, reduction, n):
        gs = _scale(g, reduction, n)
        if w is not None:
            gs = gs * w
        with _quiet():
            denom = (1 - x) * x
            d_x = gs * (x - y) / F.where(denom > 1e-12, denom, 1e-12)
            d_y = None
            if self.next_functions[1][0] is not None:
                d_y = gs * (F.log(1 - x) - F.log(x))
        return d_x, d_y


def _check_same_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}) is deprecated. Please ensure they have the same size."
        )


def _expand_weight(weight: Tensor | None, shape: tuple, dt: np.dtype) -> np.ndarray | None:
    if weight is None:
        return None
    w = weight._data
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        bad = next(i for i in range(1, w.ndim + 1)
                   if w.shape[-i] != 1 and (i > len(shape) or w.shape[-i] != shape[-i]))
        raise RuntimeError(
            f"Attempting to broadcast a dimension of length {w.shape[-bad]} at -{bad}! "
            f"Mismatching argument at index 1 had {weight.shape!r}; but expected shape should "
            f"be broadcastable to {list(shape)}"
        ) from None
    return np.broadcast_to(w.astype(dt, copy=False), shape)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """``-(y log p + (1 - y) log(1 - p))`` for probabilities ``p``; each log is clamped at
    -100, so predictions of exactly 0 or 1 give a large but finite loss."""
    # torch's order: the reduction, then the sizes (target's first), then the weight's
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    _as_target(target)
    _as_target(input)
    _check_same_size(input, target)
    x, y = input._data, target._data
    if weight is not None:
        _as_target(weight)
    w = _expand_weight(weight, x.shape, x.dtype)
    if y.dtype != x.dtype:
        raise RuntimeError(
            f"Found dtype {_name(target.dtype)} but expected {_name(input.dtype)}"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"binary_cross_entropy\" not implemented for '{_name(input.dtype)}'"
        )
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not ((y >= 0) & (y <= 1)).all():  # (nan is outside too, as in torch)
        raise RuntimeError("all elements of target should be between 0 and 1")
    with _quiet():
        log_p = np.maximum(np.log(x), -100)
        log_q = np.maximum(np.log1p(-x), -100)
    per = (y - 1) * log_q - y * log_p
    if w is not None:
        per = per * w
    data = _reduce(per, reduction)
    return record(BinaryCrossEntropyBackward0, data, (input, target),
                  (input, target, w, reduction, per.size))


# --- binary cross entropy on logits -------------------------------------------------------


def _stable_sigmoid(F: Any, x: Any) -> Any:
    """``1 / (1 + exp(-x))`` from ``exp(-|x|)``, which never overflows."""
    e = F.exp(-(x * F.sign(x)))
    return F.where(x >= 0, 1 / (1 + e), e / (1 + e))


class BinaryCrossEntropyWithLogitsBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, w, pw, reduction, n, e):
        gs = g * (1.0 / n) if reduction == "mean" else g  # _scale, inlined: it runs each step
        if w is not None:
            gs = gs * w
        if isinstance(x, np.ndarray):  # a plain backward: reuse exp(-|x|) from the forward
            s = np.where(x >= 0, 1.0, e) / (1 + e)
        else:
            s = _stable_sigmoid(F, x)
        if pw is None:
            d_x = gs * (s - y)
        else:
            py = pw * y
            d_x = gs * ((py + 1 - y) * s - py)
        d_y = None
        if self._next[1] is not None:  # the target requires grad (next_functions[1][0])
            d_y = -x * gs
            if pw is not None:
                # d/dy of (pw - 1) y softplus(-x), with softplus(-x) = -log(sigmoid(x))
                d_y = d_y - gs * (pw - 1) * F.log(s)
        return d_x, d_y


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: Any = None,
    reduce: Any = None, reduction: str = "mean", pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed from the logits directly:
    ``(1 - y) x - log(sigmoid(x))`` with a log-sigmoid that cannot overflow or give -inf."""
    # The checks run on every training step: each is tested inline, and only a failing one
    # calls the function that raises torch's error. torch's order: the reduction, the sizes
    # (target's first), the types of the weights, then its C++ code's checks.
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _as_target(target)
        _as_target(input)
    x, y = input._data, target._data
    if y.shape != x.shape:
        raise ValueError(
            f"Target size ({target.shape!r}) must be the same as input size ({input.shape!r})"
        )
    if weight is not None or pos_weight is not None:
        _check_logits_weights(input, target, weight, pos_weight)
    dt = y.dtype
    if x.dtype != dt or dt.kind != "f":
        _check_logits_dtypes(input, target)
        input = input.to(target.dtype)  # torch computes into the target's dtype
        x = input._data
    w = None if weight is None else _expand_weight(weight, x.shape, dt)
    pw = None
    if pos_weight is not None:
        pw = np.broadcast_to(pos_weight._data.astype(dt, copy=False), x.shape)
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): finite for every finite x
    e = np.exp(-np.abs(x))
    log_sig = np.minimum(x, 0) - np.log1p(e)
    if pw is not None:
        log_sig = log_sig * ((pw - 1) * y + 1)
    per = (1 - y) * x - log_sig
    if w is not None:
        per = per * w
    data = _reduce(per.astype(dt, copy=False), reduction)
    return record(BinaryCrossEntropyWithLogitsBackward0, data, (input, target),
                  (input, target, w, pw, reduction, per.size, e))


def _check_logits_weights(input: Tensor, target: Tensor, weight: Any, pos_weight: Any) -> None:
    """torch's checks of ``weight`` and ``pos_weight`` in ``binary_cross_entropy_with_logits``:
    their types, then (after the input's dtype) how ``pos_weight`` broadcasts."""
    fn = "binary_cross_entropy_with_logits"
    if weight is not None and not isinstance(weight, Tensor):
        check_tensor(weight, fn, "weight", 3)
    if pos_weight is not None and not isinstance(pos_weight, Tensor):
        check_tensor(pos_weight, fn, "pos_weight", 4)
    x, y = input._data, target._data
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{_name(input.dtype)}'")
    if pos_weight is not None:
        # (pos_weight - 1) * target + 1, multiplied in place into log_sigmoid(input)
        check_broadcast(pos_weight._data, y)
        _check_inplace_broadcast(x, np.broadcast_to(pos_weight._data, np.broadcast_shapes(
            pos_weight._data.shape, y.shape)))
    if weight is not None and y.dtype.kind in "fc":
        _check_inplace_broadcast(x, weight._data)  # loss.mul_(weight)


def _check_logits_dtypes(input: Tensor, target: Tensor) -> None:
    """torch's errors for the dtypes of ``binary_cross_entropy_with_logits``: log_sigmoid
    of the input, then ``(1 - target).mul_(input)``."""
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{_name(input.dtype)}'")
    if target._data.dtype.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if target._data.dtype.kind != "f":  # not target.dtype.is_floating_point
        out = _dtype.result_type(input, target)
        raise RuntimeError(
            f"result type {_name(out)} can't be cast to the desired output type "
            f"{_name(target.dtype)}"
        )
