"""Norms and distances: ``linalg.vector_norm`` (any order p, ±inf and 0), ``linalg.matrix_norm``
('fro', 1, -1, inf, -inf), ``linalg.norm``, ``dist`` and ``cdist``, each beside its backward.

A vector norm's slope is torch's ``norm_backward``: ``sign(x) |x|^(p-1) / norm^(p-1)``
(``x / norm`` for p = 2, ``sign(x)`` for p = 1), 0 where the norm is 0; for p = ±inf the
gradient is shared by the elements whose size is the norm. The matrix norms of order ±1 and
±inf are built from differentiable pieces (sums of absolute values, then amax or amin), as
torch builds them, so their ``grad_fn`` is torch's ``AmaxBackward0``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import RESULT, Node, Tensor, check_tensor, record
from nbgrad.ops.reduce import _dims, _unreduce

__all__ = ["vector_norm", "matrix_norm", "linalg_norm", "dist", "cdist"]


def _norm_grad(F: Any, g: Any, x: Any, p: float, norm: Any) -> Any:
    """torch's norm_backward for a finite ``p``, with ``g`` and ``norm`` already broadcastable
    over ``x`` (±inf is the callers' own case)."""
    if p == 0:
        return g * 0 * x
    if p == 1:
        return g * F.sign(x)
    if p == 2:
        return g * F.keep(norm != 0, x / norm)  # masked after the division, as torch
    size = x * F.sign(x)
    scaled = x * size ** (p - 2) / norm ** (p - 1)
    return g * F.keep(norm != 0, scaled)


class LinalgVectorNormBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, p, dims, keepdim, result):
        shape = tuple(x.shape)
        g = _unreduce(F, g, shape, dims, keepdim)
        r = _unreduce(F, result, shape, dims, keepdim)
        if p == 0:  # torch's backward gives no gradient (None) for the count of nonzeros
            return (None,)
        if math.isinf(p):  # shared evenly by the elements whose size is the norm
            won = F.mask((x * F.sign(x)) == r, g)
            return (g * F.sign(x) * won / F.sum(won, dims, True),)
        return (_norm_grad(F, g, x, p, r),)


def _order(ord: Any, fn: str) -> float:
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"{fn}(): argument 'ord' must be Number, not {type(ord).__name__}")
    return float(ord)


def _vector_norm_data(x: np.ndarray, p: float, dims: tuple | None, keepdim: bool) -> np.ndarray:
    a = np.abs(x)
    if p == math.inf:
        return np.amax(a, axis=dims, keepdims=keepdim)
    if p == -math.inf:
        return np.amin(a, axis=dims, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
    if p == 1:
        return np.sum(a, axis=dims, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    return np.sum(a ** p, axis=dims, keepdims=keepdim) ** (1 / p)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``sum(|x|**ord) ** (1/ord)`` over ``dim`` (every element by default); ``ord`` inf is
    the largest size, -inf the smallest, 0 the count of nonzero elements."""
    check_tensor(x, "linalg_vector_norm", "x")
    p = _order(ord, "linalg_vector_norm")
    if not x.dtype.is_floating_point:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype._legacy_type_name(x.dtype)[:-6]}")
    data = x._data if dtype is None else x._data.astype(dtype.numpy)
    dims = _dims(dim, data.ndim)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.asarray(_vector_norm_data(data, p, dims, keepdim), dtype=data.dtype)
    if dims is None and keepdim:
        out = out.reshape((1,) * data.ndim)
    return record(LinalgVectorNormBackward0, out, (x,), (x, p, dims, keepdim, RESULT),
                  broadcast=out.dtype != x._data.dtype)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """A norm of the matrices on dims ``dim``: 'fro' (the root of the sum of squares), 1 / -1
    (the largest / smallest column sum of sizes), inf / -inf (the same for rows)."""
    from nbgrad.ops.pointwise import abs as abs_
    from nbgrad.ops.reduce import amax, amin, sum

    check_tensor(A, "linalg_matrix_norm", "A")
    x = A._data
    if x.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if isinstance(ord, str):
        if ord == "fro":
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        if ord == "nuc":
            raise NotImplementedError("nbgrad's matrix_norm has no 'nuc' (it needs an SVD)")
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    p = _order(ord, "linalg_matrix_norm")
    if p not in (1, -1, math.inf, -math.inf):
        if p in (2, -2):
            raise NotImplementedError(f"nbgrad's matrix_norm has no order {ord} (it needs an "
                                      "SVD)")
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if not A.dtype.is_floating_point:
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype._legacy_type_name(A.dtype)[:-6]}")
    d0, d1 = sorted(_dims(tuple(dim), x.ndim) or (x.ndim - 2, x.ndim - 1))
    if dtype is not None:
        A = A.to(dtype)
    # column sums (over the rows, d0) for ±1; row sums (over d1) for ±inf
    summed, other = (d0, d1) if abs(p) == 1 else (d1, d0)
    sums = sum(abs_(A), summed, keepdim)
    return (amax if p > 0 else amin)(sums, other if keepdim else other - (other > summed),
                                     keepdim)


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``linalg.norm``: a vector norm (over one dim, or all of a 1-D tensor) or a matrix
    norm (over two dims, or all of a 2-D tensor); with no ``ord``, the 2-norm of every
    element."""
    check_tensor(A, "linalg_norm", "A")
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
        if len(dim) == 1:
            dim = dim[0]
    if isinstance(ord, str):  # 'fro' and 'nuc' are matrix norms only
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if ord is None:
        if isinstance(dim, tuple) and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        nd = A.ndim
        if nd not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {nd}D.")
        dim = 0 if nd == 1 else (0, 1)
    if isinstance(dim, tuple):
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


class DistBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b, p, result):
        if p == 0:  # torch's backward gives no gradient (None) for the count of nonzeros
            return None, None
        diff = a - b
        if math.isinf(p):
            won = F.mask((diff * F.sign(diff)) == result, g)
            grad = g * F.sign(diff) * won / F.sum(won, None, True)
        else:
            grad = _norm_grad(F, g, diff, p, result)
        return grad, -grad


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """``vector_norm(input - other, p)``: the distance between two tensors (broadcast)."""
    from nbgrad.ops.pointwise import sub

    check_tensor(input, "dist")
    check_tensor(other, "dist", "other", 2)
    p = _order(p, "dist")
    if not input.dtype.is_floating_point:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_dtype._legacy_type_name(input.dtype)[:-6]} instead.")
    diff = sub(input.detach(), other.detach())._data
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(_vector_norm_data(diff, p, None, False), dtype=diff.dtype)
    return record(DistBackward0, data, (input, other), (input, other, p, RESULT),
                  broadcast=True)


class CdistBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x1, x2, p, result):
        diff = F.unsqueeze(x1, -2) - F.unsqueeze(x2, -3)  # (..., P, R, M)
        gd = F.unsqueeze(g, -1)
        r = F.unsqueeze(result, -1)
        if math.isinf(p):  # to the coordinates whose gap is the distance
            won = F.mask((diff * F.sign(diff)) == r, g)
            term = gd * F.sign(diff) * won / F.sum(won, -1, True)
        else:
            term = _norm_grad(F, gd, diff, p, r)
        return F.sum(term, -2), -F.sum(term, -3)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` (..., P, M) and each row of ``x2``
    (..., R, M): a (..., P, R) tensor."""
    check_tensor(x1, "cdist", "x1")
    check_tensor(x2, "cdist", "x2", 2)
    a, b = x1._data, x2._data
    for name, t in (("X1", a), ("X2", b)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{a.shape[-1]} X2: {b.shape[-1]}")
    p = _order(p, "cdist")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{_dtype._legacy_type_name(x1.dtype)[:-6]}")
    diff = a[..., :, None, :] - b[..., None, :, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(_vector_norm_data(diff, p, (diff.ndim - 1,), False),
                          dtype=np.result_type(a, b))
    return record(CdistBackward0, data, (x1, x2), (x1, x2, p, RESULT), broadcast=True)
