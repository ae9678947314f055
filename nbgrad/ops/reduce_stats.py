"""Reductions of statistics: ``var`` and ``std`` (with torch's ``correction``), ``logsumexp``
(computed stably, by subtracting the maximum first) and ``norm`` (p = 2, 1 or 'fro'), each
beside its backward. The reduced axes are put back with ``_unreduce`` so that the gradient
broadcasts over the input."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import RESULT, Node, Tensor, as_float, check_tensor, record
from nbgrad.ops.cumulative import NO_DIM, check_dim
from nbgrad.ops.reduce import _dims, _unreduce

__all__ = ["var", "std", "logsumexp", "norm"]


def _count(shape: tuple, dims: tuple | None) -> int:
    return math.prod(shape) if dims is None else math.prod(shape[d] for d in dims)


# --- var and std ---------------------------------------------------------------------------


def _correction(name: str, dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    """``(dim, correction)`` from torch's three signatures: ``(dim, unbiased, keepdim)``,
    ``(dim, *, correction, keepdim)`` and ``(unbiased)``."""
    if isinstance(dim, bool):  # x.var(False): the old (unbiased) signature
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): pass either 'unbiased' or 'correction', not both")
    if unbiased is not None:
        if not isinstance(unbiased, bool):
            raise TypeError(f"{name}(): argument 'unbiased' must be bool, not "
                            f"{type(unbiased).__name__}")
        return dim, 1 if unbiased else 0
    return dim, 1 if correction is None else correction


class VarBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, dof, full):
        shape = tuple(x.shape)
        g = _unreduce(F, g, shape, dims, keepdim)
        centred = x - F.sum(x, dims, True) / _count(shape, dims)
        if full and dof <= 0:
            # torch's var_backward without a dim: inf, or nan where x is its mean (0 * inf)
            xd = np.asarray(x._data if isinstance(x, Tensor) else x)
            return (F.where(np.asarray(xd == xd.mean()), g * math.nan, g * math.inf),)
        return ((2.0 / dof if dof else math.inf) * g * centred,)


class StdBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, dof, full, result):
        # torch's std_backward: d std = d var / (2 std), taken as 0 where std is 0 (as torch
        # does it: masked after the division, so a second derivative there is nan, as torch's)
        grad_var = F.keep(result != 0, g / (result * 2))
        return VarBackward0.vjp(self, F, grad_var, x, dims, keepdim, dof, full)


def _variance(input: Tensor, name: str, dim: Any, unbiased: Any, keepdim: bool,
              correction: Any) -> tuple[np.ndarray, tuple]:
    check_tensor(input, name)
    dim, c = _correction(name, dim, unbiased, correction)
    x = input._data
    full = dim is None or x.ndim == 0  # torch's backward has a case of its own for these
    if x.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(dim, x.ndim)
    n = _count(x.shape, dims)
    dof = n - c  # the backward divides by it as it is; the forward by max(dof, 0), as torch
    if dof <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel).",
            UserWarning, stacklevel=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = x - np.mean(x, axis=dims, keepdims=True)
        total = np.sum(centred * centred, axis=dims, keepdims=keepdim)
        data = np.asarray(total / x.dtype.type(dof if dof > 0 else 0), dtype=x.dtype)
    return data, (input, dims, keepdim, dof, full)


def var(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The variance ``sum((x - mean)**2) / (N - correction)`` over ``dim`` (all by default;
    ``correction`` 1 unless ``unbiased=False`` or ``correction=`` says otherwise)."""
    data, saved = _variance(input, "var", dim, unbiased, keepdim, correction)
    return record(VarBackward0, data, (input,), saved)


def std(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The standard deviation: the square root of ``var`` (same arguments)."""
    data, saved = _variance(input, "std", dim, unbiased, keepdim, correction)
    return record(StdBackward0, np.sqrt(data), (input,), (*saved, RESULT))


# --- logsumexp -----------------------------------------------------------------------------


class LogsumexpBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, result):
        shape = tuple(x.shape)
        r = _unreduce(F, result, shape, dims, keepdim)
        return (_unreduce(F, g, shape, dims, keepdim) * F.exp(x - r),)


def logsumexp(input: Tensor, dim: Any = NO_DIM, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, without overflow: the maximum is taken out first."""
    check_tensor(input, "logsumexp")
    check_dim("logsumexp", dim, 2, several=True)
    x = as_float(input)
    if x is not input._data:  # integers, which never require grad: a float copy to save
        input = _wrap(x)
    dims = _dims(dim, x.ndim)
    if x.size:
        m = np.amax(x, axis=dims, keepdims=True)
        m = np.where(np.isinf(m), 0, m).astype(x.dtype)  # torch's masked_fill(|max| == inf, 0)
    else:
        m = np.zeros((1,) * x.ndim, dtype=x.dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        total = np.sum(np.exp(x - m), axis=dims, keepdims=True)
        data = np.log(total) + m
    if not keepdim:
        data = data.reshape(() if dims is None else
                            tuple(n for i, n in enumerate(x.shape) if i not in dims))
    return record(LogsumexpBackward0, np.asarray(data), (input,), (input, dims, keepdim, RESULT))


# --- norm ----------------------------------------------------------------------------------


class LinalgVectorNormBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, p, dims, keepdim, result):
        shape = tuple(x.shape)
        g = _unreduce(F, g, shape, dims, keepdim)
        if p == 1:
            return (g * F.sign(x),)
        r = _unreduce(F, result, shape, dims, keepdim)
        # torch's norm_backward: grad * x / norm, taken as 0 where the norm is 0 (masked after
        # the division, as torch does: a second derivative there is nan, as torch's)
        return (g * F.keep(r != 0, x / r),)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The vector norm of the elements (over ``dim``): ``p=2`` (or ``'fro'``, the default)
    the square root of the sum of squares, ``p=1`` the sum of absolute values."""
    check_tensor(input, "norm")
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("nbgrad's norm supports p=2, p=1 and p='fro', not 'nuc'")
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        p = 2
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p not in (1, 2):
        raise NotImplementedError(f"nbgrad's norm supports p=2, p=1 and p='fro', not p={p!r}")
    if not input.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype._legacy_type_name(input.dtype)[:-6]}")
    x = input._data
    if dtype is not None:
        x = x.astype(dtype.numpy)
    dims = _dims(dim, x.ndim)
    a = np.abs(x)
    if p == 1:
        data = np.sum(a, axis=dims, keepdims=keepdim)
    else:
        data = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    data = np.asarray(data)
    # with dtype=, the formula mixes x and the wider gradient; record casts the result back
    return record(LinalgVectorNormBackward0, data, (input,), (input, int(p), dims, keepdim,
                                                             RESULT),
                  broadcast=data.dtype != input._data.dtype)
