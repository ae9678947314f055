"""``quantile`` and ``nanquantile`` (with torch's five interpolations), ``nansum`` and
``nanmean``.

A quantile is built as torch builds it, from differentiable pieces: sort, pick the two
neighbours of each rank with ``gather``, ``lerp`` between them; so its gradient is theirs,
and its ``grad_fn`` is the ``SqueezeBackward4`` of the last step torch takes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.reduce import _dims, _spread, _unreduce

__all__ = ["quantile", "nanquantile", "nansum", "nanmean"]

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


class SqueezeBackward4(Node):
    """The last step of a quantile: the axis of ``q`` squeezed (or left, for a tensor q)."""

    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.reshape(g, shape),)


def _check_q(input: Tensor, q: Any, name: str) -> np.ndarray:
    x = input._data
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != x.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = q._data.reshape(-1)
    else:
        qs = np.asarray([q], dtype=np.float64)
    if x.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    for v in qs.tolist():
        if not 0 <= v <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {v}")
    return qs


def _quantile(input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str,
              name: str) -> Tensor:
    from nbgrad.ops.selecting import gather
    from nbgrad.ops.shape import permute, reshape
    from nbgrad.ops.sorting import sort
    from nbgrad.ops.special import lerp

    check_tensor(input, name)
    qs = _check_q(input, q, name)
    if interpolation not in _MODES:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    x = input._data
    if dim is None:
        y = reshape(input, (-1,))
    else:
        d = wrap_dim(dim, x.ndim)
        y = input if x.ndim == 0 else permute(input, [i for i in range(x.ndim) if i != d] + [d])
        if y.ndim == 0:
            y = reshape(y, (1,))
    values = sort(y, -1).values  # NaN last
    v = values._data
    n = v.shape[-1]
    nans = np.isnan(v)
    # the rank of each q in each slice: among the numbers only (nanquantile), or pointing at
    # the last element, NaN, where a slice holds one (quantile)
    if name == "nanquantile":
        count = n - np.sum(nans, axis=-1, keepdims=True)
        rank = np.maximum(qs * (count - 1), 0)  # all NaN: rank 0 (torch's masked_fill)
    else:
        rank = np.where(np.any(nans, axis=-1, keepdims=True), n - 1, qs * (n - 1))
    rank = np.broadcast_to(rank, v.shape[:-1] + (qs.size,)).astype(np.float64)
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)  # halves to even, as torch's round
    lo = np.floor(rank).astype(np.int64)
    hi = np.ceil(rank).astype(np.int64)
    below = gather(values, -1, _wrap(lo))
    if interpolation in ("linear", "midpoint"):
        weight = rank - lo if interpolation == "linear" else np.where(hi > lo, 0.5, 0.0)
        out = lerp(below, gather(values, -1, _wrap(hi)), _wrap(weight.astype(v.dtype)))
    else:
        out = below
    # (..., q) -> (q, ...), with the reduced axes kept as 1 if asked
    out = permute(out, [out.ndim - 1] + list(range(out.ndim - 1)))
    rest = list(out.shape[1:])
    if keepdim:
        rest = [1] * x.ndim if dim is None else (
            rest[:d] + [1] + rest[d:] if x.ndim else [])
    shape = ([qs.size] if isinstance(q, Tensor) and q._data.ndim else []) + rest
    return record(SqueezeBackward4, out._data.reshape(shape), (out,), (tuple(out.shape),))


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles of the elements (along ``dim``): ``q=0.5`` is the median, taken
    between the two middle values by ``interpolation`` (``linear``, ``lower``, ``higher``,
    ``midpoint``, ``nearest``). NaN where a slice holds a NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, "quantile")


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` with the NaNs left out."""
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile")


# --- nansum and nanmean ---------------------------------------------------------------------


class NansumBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim):
        shape = tuple(x.shape)
        if not isinstance(g, Tensor):
            return (_spread(g, shape, dims) * (x == x),)
        return (F.expand(_unreduce(F, g, shape, dims, keepdim), shape) * F.mask(x == x, g),)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *,
           dtype: Any = None) -> Tensor:
    """``sum`` with the NaNs counted as 0."""
    check_tensor(input, "nansum")
    x = input._data
    if dtype is not None:
        out_dt = dtype.numpy
    elif x.dtype.kind in "biu":
        out_dt = np.int64
    else:
        out_dt = x.dtype
    dims = _dims(dim, x.ndim)
    data = np.asarray(np.nansum(x, axis=dims, dtype=out_dt, keepdims=keepdim))
    if dims is None and keepdim:
        data = data.reshape((1,) * x.ndim)
    return record(NansumBackward0, data, (input,), (input, dims, keepdim),
                  broadcast=data.dtype != x.dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
            dtype: Any = None) -> Tensor:
    """``mean`` of the numbers that are not NaN: ``nansum / count``, as torch computes it."""
    from nbgrad.ops.pointwise import div

    check_tensor(input, "nanmean")
    if not input.dtype.is_floating_point:
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtype._legacy_type_name(input.dtype)[:-6]}")
    x = input._data
    dims = _dims(dim, x.ndim)
    count = np.asarray(np.sum(~np.isnan(x), axis=dims, keepdims=keepdim), dtype=np.int64)
    if dims is None and keepdim:
        count = count.reshape((1,) * x.ndim)
    return div(nansum(input, dim, keepdim, dtype=dtype), _wrap(count))
