"""Order statistics: ``median`` (the lower of the two middle values, as torch takes it),
``nanmedian``, ``kthvalue``, ``mode`` and ``aminmax``, each beside its backward.

With a ``dim`` they return ``(values, indices)``, and the gradient of each value goes to the
one element its index names (torch's ``value_selecting_reduction_backward``); over the whole
tensor the gradient is shared evenly by the elements equal to the result, as for ``max()``.
NaN counts as larger than every number; ``median`` of a slice holding a NaN is NaN.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.ops._args import int_arg
from nbgrad.ops._core import RESULT, Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.reduce import MaxBackward0, MaxBackward1, _dims, _ReturnType, _unreduce

__all__ = ["median", "nanmedian", "kthvalue", "mode", "aminmax", "MedianResult",
           "NanmedianResult", "KthvalueResult", "ModeResult", "AminmaxResult"]


class MedianResult(_ReturnType):
    _op = "median"


class NanmedianResult(_ReturnType):
    _op = "nanmedian"


class KthvalueResult(_ReturnType):
    _op = "kthvalue"


class ModeResult(_ReturnType):
    _op = "mode"


class MedianBackward0(MaxBackward1):  # shared evenly by the elements equal to the median
    __slots__ = ()


class NanmedianBackward0(MaxBackward1):
    __slots__ = ()


class _Selected(Node):
    """The gradient of a value picked along a dim goes to the element its index names."""

    __slots__ = ()

    def vjp(self, F, g, shape, dim, keepdim, indices):
        if not shape:  # a 0-d input: its one element was picked
            return (g,)
        return MaxBackward0.vjp(self, F, g, shape, dim, keepdim, indices)


class MedianBackward1(_Selected):
    __slots__ = ()


class NanmedianBackward1(_Selected):
    __slots__ = ()


class KthvalueBackward0(_Selected):
    __slots__ = ()


class ModeBackward0(_Selected):
    __slots__ = ()


def _pick(x: np.ndarray, d: int, position: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The value at ``position`` (one per slice, the axis ``d`` kept as 1) of each slice of
    ``x`` along ``d`` in ascending order, and its index in ``x``. The order is stable (ties
    in their order) with NaN last, which picks the index torch picks."""
    order = np.argsort(x, axis=d, kind="stable")
    idx = np.take_along_axis(order, position, axis=d)
    return np.take_along_axis(x, idx, axis=d), idx


def _select(input: Tensor, dim: Any, keepdim: bool, name: str, node: type[Node],
            cls: type, position: Any) -> Any:
    """``(values, indices)`` along ``dim``: ``position(x, d)`` says which place in the sorted
    slice each slice takes (shape of the slices, ``d`` kept as 1) and may override values."""
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        values, idx = np.array(x, copy=True), np.asarray(0, dtype=np.int64)
        return cls(record(node, values, (input,), ((), 0, True, idx)), _wrap(idx))
    if x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    values, idx = position(x, d)
    if not keepdim:
        values, idx = np.squeeze(values, d), np.squeeze(idx, d)
    idx = np.asarray(idx, dtype=np.int64)
    out = record(node, np.asarray(values), (input,), (x.shape, d, keepdim, idx))
    return cls(out, _wrap(idx))


def _middle(x: np.ndarray, d: int, ignore_nan: bool) -> tuple[np.ndarray, np.ndarray]:
    nans = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    count = x.shape[d] - np.sum(nans, axis=d, keepdims=True) if ignore_nan else \
        np.full((1,) * x.ndim, x.shape[d])
    position = np.maximum(count - 1, 0) // 2
    values, idx = _pick(x, d, np.broadcast_to(position, _kept(x.shape, d)).copy())
    if not ignore_nan and nans.any():
        # a slice with a NaN has median NaN, at its first NaN
        has = np.any(nans, axis=d, keepdims=True)
        first = np.argmax(nans, axis=d, keepdims=True)
        idx = np.where(has, first, idx)
        values = np.where(has, np.take_along_axis(x, first, axis=d), values)
    return values, idx


def _kept(shape: tuple, d: int) -> tuple:
    return tuple(1 if i == d else n for i, n in enumerate(shape))


_WHOLE = object()  # no dim given (an explicit None is refused, as torch refuses it)


def _whole_median(input: Tensor, name: str, node: type[Node]) -> Tensor:
    x = input._data
    flat = x.reshape(-1)
    if flat.size == 0:
        # torch's median of nothing: nan for floating tensors
        return _wrap(np.asarray(np.nan, dtype=x.dtype))
    values, _ = _middle(flat, 0, name == "nanmedian")
    return record(node, np.asarray(values.reshape(())), (input,), (input, RESULT))


def median(input: Tensor, dim: Any = _WHOLE, keepdim: bool = False) -> Any:
    """The middle value (the lower of the two middle ones for an even count, as torch); with
    ``dim``, ``(values, indices)`` along it."""
    check_tensor(input, "median")
    if dim is _WHOLE:
        return _whole_median(input, "median", MedianBackward0)
    dim = int_arg(dim, "median", "dim", 2)
    return _select(input, dim, keepdim, "median", MedianBackward1, MedianResult,
                   lambda x, d: _middle(x, d, False))


def nanmedian(input: Tensor, dim: Any = _WHOLE, keepdim: bool = False) -> Any:
    """``median`` with the NaNs left out (NaN only where a slice is all NaN)."""
    check_tensor(input, "nanmedian")
    if dim is _WHOLE:
        return _whole_median(input, "nanmedian", NanmedianBackward0)
    dim = int_arg(dim, "nanmedian", "dim", 2)
    return _select(input, dim, keepdim, "nanmedian", NanmedianBackward1, NanmedianResult,
                   lambda x, d: _middle(x, d, True))


def kthvalue(input: Tensor, k: Any, dim: int = -1, keepdim: bool = False) -> KthvalueResult:
    """``(values, indices)`` of the ``k``-th smallest element (from 1) along ``dim``."""
    check_tensor(input, "kthvalue")
    k = int_arg(k, "kthvalue", "k", 2)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    size = x.shape[d] if x.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")

    def position(x: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
        return _pick(x, d, np.full(_kept(x.shape, d), k - 1))

    return _select(input, d, keepdim, "kthvalue", KthvalueBackward0, KthvalueResult, position)


def _mode(x: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """The most frequent value of each slice (the smallest, on a tie) and the index of its
    last occurrence, as torch gives them."""
    moved = np.moveaxis(x, d, -1)
    n = moved.shape[-1]
    rows = moved.reshape(-1, n)
    values = np.empty(rows.shape[0], dtype=x.dtype)
    index = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        order = np.argsort(row, kind="stable")
        s = row[order]
        nan = s != s
        same = np.concatenate(([False], (s[1:] == s[:-1]) | (nan[1:] & nan[:-1])))  # runs
        starts = np.flatnonzero(~same)
        counts = np.diff(np.append(starts, n))
        best = starts[np.argmax(counts)]  # argmax takes the first: the smallest value
        values[r] = s[best]
        index[r] = order[best + counts[np.argmax(counts)] - 1]  # the last of its run
    shape = _kept(moved.shape[:-1] + (1,), moved.ndim - 1)
    values = np.moveaxis(values.reshape(shape), -1, d)
    index = np.moveaxis(index.reshape(shape), -1, d)
    return values, index


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of those
    tied) and where it last occurs."""
    check_tensor(input, "mode")
    dim = int_arg(dim, "mode", "dim", 2)
    return _select(input, dim, keepdim, "mode", ModeBackward0, ModeResult, _mode)


# --- aminmax --------------------------------------------------------------------------------


class _MinMax(NamedTuple):
    min: Tensor  # noqa: A003 - torch's field names
    max: Tensor  # noqa: A003


class AminmaxResult(_MinMax):
    """``(min, max)``, printed as torch prints ``torch.return_types.aminmax``."""

    def __repr__(self) -> str:
        return f"nbgrad.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


AminmaxResult.__name__ = AminmaxResult.__qualname__ = "aminmax"
AminmaxResult.__module__ = "nbgrad.return_types"


class AminmaxBackward0(Node):
    """One of aminmax's two results: its gradient is shared evenly by the elements equal to
    it (torch gives both results one node; here each has its own, of the same name)."""

    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, result):
        shape = tuple(x.shape)
        winners = F.mask(x == _unreduce(F, result, shape, dims, keepdim), g)
        share = _unreduce(F, g, shape, dims, keepdim) / F.sum(winners, dims, True)
        return (winners * share,)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> AminmaxResult:
    """``(min, max)`` of the elements (along ``dim``) in one call."""
    check_tensor(input, "aminmax")
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        dims = None
    else:
        d = wrap_dim(int_arg(dim, "aminmax", "dim", 2), x.ndim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
        dims = _dims(d, x.ndim)
    out = []
    for fn in (np.amin, np.amax):
        data = np.asarray(fn(x, axis=dims, keepdims=keepdim))
        if dim is None and keepdim:
            data = data.reshape((1,) * x.ndim)
        out.append(record(AminmaxBackward0, data, (input,), (input, dims, keepdim, RESULT)))
    return AminmaxResult(*out)
