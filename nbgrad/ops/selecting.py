"""Picking elements by index: ``gather``, ``index_select`` and ``masked_fill``.

Their backward formulas send each gradient back to the element it was read from: ``gather``
and ``index_select`` add it into zeros at their indices (an index may repeat), ``masked_fill``
lets it through where the mask is off and, for a tensor value, sums the rest into the value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad.ops._args import int_arg
from nbgrad.ops._core import Node, Tensor, _broadcast_error, check_tensor, record, wrap_dim

__all__ = ["gather", "index_select", "masked_fill"]


# --- gather -------------------------------------------------------------------------------


class GatherBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True  # torch saves the indices as a tensor: freed after a backward

    def vjp(self, F, g, shape, index, flat):
        if flat:  # a 0-d input or index, read as a vector of one element (or more)
            spread = F.index_put(flat, index, F.reshape(g, (-1,)), True)
            return (F.reshape(spread, shape),)
        return (F.index_put(shape, index, g, True),)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` (for ``dim=1``): values read along ``dim``."""
    check_tensor(input, "gather")
    dim = int_arg(dim, "gather", "dim", 2)
    check_tensor(index, "gather", "index", 3)
    x, idx = input._data, index._data
    d = wrap_dim(dim, x.ndim)
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if max(idx.ndim, 1) != max(x.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    flat = None
    if x.ndim == 0 or idx.ndim == 0:  # torch reads both as vectors
        flat = (x.size,)
        xs, ids = x.reshape(-1), idx.reshape(-1)
    else:
        xs, ids = x, idx
        for k in range(x.ndim):
            if k != d and idx.shape[k] > x.shape[k]:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} "
                    f"to be no larger than self {list(x.shape)} apart from dimension {d}"
                )
    if ids.size:
        bad = (ids < 0) | (ids >= xs.shape[d])
        if bad.any():
            raise RuntimeError(
                f"index {ids.flat[int(np.argmax(bad))]} is out of bounds for dimension {d} "
                f"with size {xs.shape[d]}"
            )
    grid = list(np.indices(ids.shape, sparse=True))
    grid[d] = ids.astype(np.int64)  # a copy: writing into ``index`` later changes nothing
    grid = tuple(grid)
    data = xs[grid].reshape(idx.shape)
    return record(GatherBackward0, data, (input,), (x.shape, grid, flat))


# --- index_select -------------------------------------------------------------------------


class IndexSelectBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True  # torch saves the indices as a tensor: freed after a backward

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, True),)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions ``index`` lists, in its order."""
    check_tensor(input, "index_select")
    dim = int_arg(dim, "index_select", "dim", 2)
    check_tensor(index, "index_select", "index", 3)
    x, idx = input._data, index._data
    d = wrap_dim(dim, x.ndim)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    idx = idx.reshape(-1).astype(np.int64)  # a copy, as for gather
    size = x.shape[d] if x.ndim else 1
    if idx.size and ((idx < 0) | (idx >= size)).any():
        raise IndexError("index out of range in self")
    if x.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{idx.size} value(s)")
        return record(IndexSelectBackward0, np.array(x, copy=True), (input,), ((), ()))
    index_tuple = (slice(None),) * d + (idx,)
    return record(IndexSelectBackward0, x[index_tuple], (input,), (x.shape, index_tuple))


# --- masked_fill --------------------------------------------------------------------------


class MaskedFillBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, keep):
        return (F.keep(keep, g),)


class MaskedFillBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, keep):
        filled = F.keep(~keep, g)
        return F.keep(keep, g), F.reshape(F.sum(filled, None), ())


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) written where ``mask`` is True."""
    return _masked_fill(input, mask, value, "masked_fill", False)


def check_fill_args(mask: Any, value: Any, fn: str, method: bool) -> None:
    """Refuse a mask that is not a tensor, or a value that is neither a tensor nor a number, in
    the words of torch's parser (which overloads match, and which arguments it marks)."""
    number = (bool, int, float, np.generic)
    mask_bad = not isinstance(mask, Tensor)
    if not mask_bad and isinstance(value, (Tensor, *number)):
        return

    from nbgrad._method_args import arg_type_text as describe

    def shown(a: Any, bad: bool) -> str:
        return f"!{describe(a)}!" if bad else describe(a)

    lead, given = ("", "") if method else ("Tensor input, ", "Tensor, ")
    m = shown(mask, mask_bad)
    # as torch marks them: the value is checked against each overload's type, and marked in
    # the second whenever the mask was wrong
    bad_tensor = f"{given}{m}, {shown(value, not isinstance(value, Tensor))}"
    bad_number = f"{given}{m}, {shown(value, mask_bad or not isinstance(value, number))}"
    raise TypeError(
        f"{fn}() received an invalid combination of arguments - got ({given}"
        f"{type(mask).__name__}, {type(value).__name__}), but expected one of:\n"
        f" * ({lead}Tensor mask, Tensor value)\n"
        f"      didn't match because some of the arguments have invalid types: ({bad_tensor})\n"
        f" * ({lead}Tensor mask, Number value)\n"
        f"      didn't match because some of the arguments have invalid types: ({bad_number})\n"
    )


def _masked_fill(input: Tensor, mask: Tensor, value: Any, fn: str, method: bool) -> Tensor:
    check_tensor(input, fn)
    check_fill_args(mask, value, fn, method)
    x = input._data
    m = mask._data
    try:  # torch's order: the shapes, the value, then the mask's dtype
        shape = np.broadcast_shapes(m.shape, x.shape)
    except ValueError:
        raise _broadcast_error(m.shape, x.shape) from None
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        fill = value._data
    else:
        fill = value
    if m.dtype != np.bool_:
        from nbgrad._method_args import _CPP_NAMES  # the C++ type names torch's words use

        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_CPP_NAMES[m.dtype.name]}")
    data = np.array(np.broadcast_to(x, shape), copy=True)
    data[np.broadcast_to(m, shape)] = _converted(fill, x.dtype)
    keep = ~m
    if isinstance(value, Tensor):
        return record(MaskedFillBackward1, data, (input, value), (keep,), broadcast=True)
    return record(MaskedFillBackward0, data, (input,), (keep,), broadcast=x.shape != shape)


# the C++ types torch's overflow error names
_C_TYPES = {"int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t",
            "uint8": "uint8_t", "float16": "c10::Half", "float32": "float"}


def _converted(fill: Any, dt: np.dtype) -> Any:
    """The fill value as a number of ``dt``, refused as torch refuses one out of its range."""
    if dt.kind == "b" or dt == np.float64:
        return fill
    v = fill.item() if isinstance(fill, np.ndarray | np.generic) else fill
    if isinstance(v, bool):
        return v
    if dt.kind == "f":
        ok = not math.isfinite(v) or abs(v) <= float(np.finfo(dt).max)
    else:
        info = np.iinfo(dt)
        if isinstance(v, float):  # compared as doubles, as C++ compares them
            ok = math.isfinite(v) and float(info.min) <= v <= float(info.max)
        else:  # an unsigned type takes a negative int down to -max (it wraps around)
            ok = (info.min if info.min else -int(info.max)) <= v <= info.max
        if ok:
            return np.array(v).astype(dt)  # wraps as C++'s cast does (2.0**63 in an int64)
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dt.name]} without "
                           "overflow")
    return fill
