"""``nbgrad.nn.functional``: the operations layers are made of, and the loss functions.

As in ``nbgrad.ops``, each op that torch records as a node of its own sits beside its
backward formula (``MseLossBackward0``, ``NllLossBackward0``, ...), so printed ``grad_fn``s
match torch's. Read ``vjp`` as the derivative: ``MseLossBackward0.vjp`` returns
``2 (x - y) / n`` times the incoming gradient. ``F`` is NumPy for a plain backward and nbgrad
under ``create_graph=True``; only arithmetic operators and ``F``'s functions are used, so the
same formula serves both.

Every loss is written in its numerically stable form: cross entropy through log-softmax (a
log-sum-exp), the logits form of binary cross entropy through ``log1p(exp(-|x|))``, and the
probability form with its logs clamped at -100, as torch clamps them.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._creation import default_generator
from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.graph import version_box
from nbgrad.ops import log_softmax as _log_softmax
from nbgrad.ops import matmul, mul, neg, reshape, t, view
from nbgrad.ops import relu as _relu
from nbgrad.ops import sigmoid as _sigmoid
from nbgrad.ops import softmax as _softmax
from nbgrad.ops import sum as _sum
from nbgrad.ops import tanh as _tanh
from nbgrad.ops._core import Node, check_broadcast, check_tensor, record
from nbgrad.ops.shape import TBackward0, _expanded_shape

__all__ = [
    "linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "dropout",
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
    "cross_entropy",
]


def _quiet() -> np.errstate:
    return np.errstate(all="ignore")


def _name(d: _dtype.dtype) -> str:
    """torch's short dtype name for messages: ``Float``, ``Long``, ``Double``."""
    return _dtype._legacy_type_name(d)[:-6]


# --- layers -------------------------------------------------------------------------------


class AddmmBackward0(Node):
    """``bias + mat1 @ mat2``: what ``Linear`` records (``mat2`` is ``weight.t()``)."""

    __slots__ = ()

    def vjp(self, F, g, mat1, mat2, bias_shape):
        if isinstance(g, np.ndarray):  # a plain backward: the same formulas, fewer calls
            d_bias = None
            if bias_shape is not None:
                # np.add.reduce is what g.sum(0) calls, minus a Python wrapper
                d_bias = (np.add.reduce(g, 0) if bias_shape == g.shape[1:]
                          else F.sum_to(g, bias_shape))
            return (d_bias, None if mat2 is None else g @ mat2.T,
                    None if mat1 is None else (g.T @ mat1).T)
        d_bias = None if bias_shape is None else F.sum_to(g, bias_shape)
        d_mat1 = None if mat2 is None else F.matmul(g, F.mT(mat2))
        # mat1^T g, computed as (g^T mat1)^T: mat2 is weight.t(), so TBackward0 turns this
        # back into a row-major array of the weight's shape, which the optimizer then updates
        # at full speed (the other order hands it a column-major gradient).
        d_mat2 = None if mat1 is None else F.mT(F.matmul(F.mT(g), mat1))
        return d_bias, d_mat1, d_mat2


def _addmm_weight_t(bias: Tensor, mat1: Tensor, weight: Tensor) -> Tensor:
    """``bias + mat1 @ weight.t()`` for a matrix ``mat1``, recorded as torch records it for
    ``Linear``: an ``AddmmBackward0`` whose ``mat2`` comes from a ``TBackward0`` of the
    weight."""
    w_t = weight._data.T
    data = np.matmul(mat1._data, w_t)
    data += bias._data
    if not STATE.enabled:
        return _wrap(data)
    # weight.t(), recorded as core's ``t`` records it (a TBackward0 view sharing the weight's
    # memory and version counter), minus its general view test
    mat2 = record(TBackward0, w_t, (weight,))
    mat2._base = weight if weight._base is None else weight._base
    mat2._version = version_box(weight)
    # Like torch, keep each factor only if the other one's gradient will need it.
    saved = (mat1 if mat2._requires_grad else None, mat2 if mat1._requires_grad else None,
             bias._data.shape if bias._requires_grad else None)
    return record(AddmmBackward0, data, (bias, mat1, mat2), saved)


def _weight_t(weight: Tensor) -> Tensor:
    """``weight.t()`` for a matrix, recorded as ``_addmm_weight_t`` records it."""
    out = record(TBackward0, weight._data.T, (weight,))
    out._base = weight if weight._base is None else weight._base
    out._version = version_box(weight)
    return out


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: the affine map of ``Linear``, over the last dimension."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        check_tensor(input, "linear")
        check_tensor(weight, "linear", "weight", 2)
    x, w = input._data, weight._data
    # Each NumPy attribute read costs about as much as a Python call: read them once.
    x_shape, w_shape = x.shape, w.shape
    if not x_shape or not w_shape:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
            f"{w.ndim}D"
        )
    if bias is None:
        if len(w_shape) == 2 and x_shape[-1] == w_shape[1] and x.dtype == w.dtype:
            return matmul(input, _weight_t(weight))
        # torch computes matmul(input, weight.t()): let those two raise torch's errors
        return matmul(input, t(weight))
    if not isinstance(bias, Tensor):
        check_tensor(bias, "linear", "bias", 3)
    b = bias._data
    if (len(x_shape) == 2 and len(w_shape) == 2 and x_shape[1] == w_shape[1]
            and b.shape == w_shape[:1] and x.dtype == w.dtype == b.dtype
            and x.dtype.kind != "b"):
        return _addmm_weight_t(bias, input, weight)  # the usual layer: one fused addmm
    return _linear_checked(input, weight, bias)


def _linear_checked(input: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``linear`` with a bias, past its fast path: torch's route for these shapes and its
    checks, in its order."""
    x, w, b = input._data, weight._data, bias._data
    x_shape, w_shape = x.shape, w.shape
    # torch fuses the bias into one addmm for a matrix input, and for any other contiguous
    # input when the bias has one dimension that is not 1 ("likely fusable"); otherwise it
    # computes matmul(input, weight.t()) and adds the bias in place.
    fusable = ((b.ndim == 1 or sum(s != 1 for s in b.shape) == 1) and b.flags.c_contiguous
               and x.flags.c_contiguous)
    if len(x_shape) != 2 and not fusable:
        return matmul(input, t(weight)).add_(bias)
    if len(w_shape) > 2:
        t(weight)  # raises torch's error for weight.t()
    # addmm(bias, input, weight.t()) checks the dtypes, then the shapes, then the bias
    if b.dtype != w.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_name(bias.dtype)} and "
            f"{_name(weight.dtype)}"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_name(input.dtype)} and "
            f"{_name(weight.dtype)}"
        )
    if len(w_shape) != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {len(w_shape)}-D tensor")
    n_out, n_in = w_shape
    rows = math.prod(x_shape[:-1])
    if x_shape[-1] != n_in:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x_shape[-1]} and "
            f"{n_in}x{n_out})"
        )
    _expanded_shape(b.shape, (rows, n_out), bias.dtype)  # raises expand's errors
    if x.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if len(x_shape) == 2:
        return _addmm_weight_t(bias, input, weight)
    out = _addmm_weight_t(bias, reshape(input, (rows, n_in)), weight)
    return view(out, x_shape[:-1] + (n_out,))


# --- activations --------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``. (``inplace`` is accepted and computes out of place.)"""
    return _relu(input)


def _method_of(input: Any, name: str) -> None:
    """torch's error when a function that calls ``input.<name>()`` gets a non-tensor."""
    if not isinstance(input, Tensor):
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{name}'")


def sigmoid(input: Tensor) -> Tensor:
    _method_of(input, "sigmoid")
    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    _method_of(input, "tanh")
    return _tanh(input)


class LeakyReluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, slope):
        positive = F.mask(x > 0, g)
        return (g * (positive + (1 - positive) * slope),)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    check_tensor(input, "leaky_relu")
    x = input._data
    if x.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"leaky_relu_cpu\" not implemented for '{_name(input.dtype)}'")
    data = np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)
    return record(LeakyReluBackward0, data, (input,), (input, negative_slope))


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed without overflow."""
    _method_of(input, "dim" if dim is None else "softmax")
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``."""
    _method_of(input, "dim" if dim is None else "log_softmax")
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return _log_softmax(input, dim, dtype)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` (from nbgrad's seeded generator) and scale
    the rest by ``1 / (1 - p)``; the identity when not ``training``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        check_tensor(input, "dropout")
    if not training or p == 0.0:
        return input
    x = input._data
    if x.dtype.kind != "f" and p != 1.0:
        # torch multiplies in place by a float mask
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {_name(input.dtype)}"
        )
    if p == 1.0:
        mask = np.zeros(x.shape, dtype=x.dtype)
    else:
        keep = default_generator.rng.random(x.shape) >= p
        mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return mul(input, _wrap(mask))


# --- losses: shared checks ----------------------------------------------------------------

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


# --- mean squared error -------------------------------------------------------------------


class MseLossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, reduction, n):
        d = (x - y) * (_scale(g, reduction, n) * 2)
        return d, (-d if self.next_functions[1][0] is not None else None)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """The mean (or sum) of ``(input - target) ** 2``."""
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
    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    rt = _dtype.result_type(input, target)
    if not rt.is_floating_point:
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_name(rt)}'")
    input, target = input.to(rt), target.to(rt)
    diff = input._data - target._data
    per = diff * diff
    data = _reduce(per, reduction)
    return record(MseLossBackward0, data, (input, target), (input, target, reduction, per.size),
                  broadcast=input._data.shape != target._data.shape)


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


# --- negative log likelihood and cross entropy --------------------------------------------


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

