"""Reading and writing by index: ``take``, ``take_along_dim``, ``scatter``, ``scatter_add``,
``index_add``, ``index_fill``, ``index_copy``, ``masked_select``, ``masked_scatter``; and the
questions about where values are: ``nonzero``, ``argwhere``, ``count_nonzero``, ``unique``.

The backward formulas send each gradient back to where its value came from. A write
(``scatter``, ``index_copy``, ``index_fill``, ``masked_scatter``) hides the old values at the
places written: their gradient is zero there, and the gradient of the written places goes to
the source. An addition (``scatter_add``, ``index_add``) lets the gradient through to both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._args import int_arg
from nbgrad.ops._core import Node, Tensor, _broadcast_error, check_tensor, record, wrap_dim

__all__ = ["take", "take_along_dim", "scatter", "scatter_add", "index_add", "index_fill",
           "index_copy", "masked_select", "masked_scatter", "nonzero", "argwhere",
           "count_nonzero", "unique"]


def _name(a: np.ndarray) -> str:
    """torch's scalar type name (``Float``, ``Long``) of an array's dtype."""
    return _dtype._legacy_type_name(_dtype.from_numpy_dtype(a.dtype))[:-6]


# --- take ---------------------------------------------------------------------------------


class TakeBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, shape, flat):
        spread = F.index_put((int(np.prod(shape)),), flat, F.reshape(g, (-1,)), True)
        return (F.reshape(spread, shape),)


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of ``input`` read as one flat vector, at ``index`` (in ``index``'s
    shape)."""
    check_tensor(input, "take")
    check_tensor(index, "take", "index", 2)
    x, idx = input._data, index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_name(idx)}")
    n = x.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"out of range: tried to access index {idx.flat[int(np.argmax(bad))]} "
                         f"on a tensor of {n} elements.")
    flat = np.where(idx < 0, idx + n, idx).reshape(-1)
    data = x.reshape(-1)[flat].reshape(idx.shape)
    return record(TakeBackward0, data, (input,), (x.shape, flat))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with the index broadcast against ``input`` (all but ``dim``); without ``dim``,
    on the flattened tensor. ``argsort``'s and ``argmax(keepdim=True)``'s partner."""
    from nbgrad.ops.selecting import gather
    from nbgrad.ops.shape import expand, view

    check_tensor(input, "take_along_dim")
    check_tensor(indices, "take_along_dim", "indices", 2)
    if dim is None:
        return gather(view(input, (-1,)), 0, view(indices, (-1,)))
    dim = int_arg(dim, "take_along_dim", "dim", 3)
    if input.ndim != indices.ndim:
        raise RuntimeError(
            "nbgrad.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input.ndim} dimensions for input, and {indices.ndim} "
            "dimensions for indices")
    if indices._data.dtype != np.int64:
        raise RuntimeError("nbgrad.take_along_dim(): dtype of indices should be Long but got "
                           f"{_name(indices._data)}")
    d = wrap_dim(dim, input.ndim)
    sizes = list(input.shape)
    sizes[d] = indices.shape[d]
    shape = _broadcast(tuple(sizes), tuple(indices.shape))
    idx = expand(indices, shape)
    sizes = list(indices.shape)
    sizes[d] = input.shape[d]
    shape = _broadcast(tuple(sizes), tuple(input.shape))
    return gather(expand(input, shape), d, idx)


def _broadcast(a: tuple, b: tuple) -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None


# --- scatter ------------------------------------------------------------------------------


class ScatterBackward0(Node):
    """``scatter`` of a tensor: the written places pass nothing to ``self``; each written
    value's gradient is read back for ``src``."""

    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, grid, hidden, src_shape, region):
        return F.keep(~hidden, g), _read_src(F, g, grid, src_shape, region)


class ScatterBackward1(Node):
    """``scatter`` of a number: the written places pass nothing."""

    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, hidden):
        return (F.keep(~hidden, g),)


class ScatterAddBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, grid, src_shape, region):
        return g, _read_src(F, g, grid, src_shape, region)


def _read_src(F: Any, g: Any, grid: tuple, src_shape: tuple, region: tuple | None) -> Any:
    """The gradient of ``src``: read where its values went; zero for the part of ``src``
    that ``index`` does not cover (``region`` is the part it does, None for all)."""
    read = F.index(g, grid)
    return read if region is None else F.index_put(src_shape, region, read, False)


def _scatter_grid(fn: str, x: np.ndarray, d: int, idx: np.ndarray,
                  src: np.ndarray | None) -> tuple:
    """Where each element of ``index`` writes, as an index for NumPy, checked as torch checks
    it."""
    if idx.dtype != np.int64 and not (fn == "scatter" and idx.dtype == np.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int64 for index")
    if x.ndim == 0 or idx.ndim == 0:
        raise NotImplementedError(f"nbgrad.{fn}: 0-dimensional tensors are not supported")
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self "
                           "tensor")
    if src is not None and src.ndim != idx.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as src "
                           "tensor")
    for k in range(idx.ndim):
        if (k != d and idx.shape[k] > x.shape[k]) or (
                src is not None and idx.shape[k] > src.shape[k]):
            tail = "" if src is None else (
                f" and to be no larger size than src {list(src.shape)}")
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                               f"{list(x.shape)} apart from dimension {d}{tail}")
    if idx.size:
        bad = (idx < 0) | (idx >= x.shape[d])
        if bad.any():
            raise RuntimeError(f"index {idx.flat[int(np.argmax(bad))]} is out of bounds for "
                               f"dimension {d} with size {x.shape[d]}")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx.astype(np.int64)  # a copy: writing into ``index`` later changes nothing
    return tuple(grid)


def _covered(src: np.ndarray, idx: np.ndarray) -> tuple | None:
    """The part of ``src`` that ``index`` reads (None: all of it)."""
    return None if src.shape == idx.shape else tuple(slice(0, n) for n in idx.shape)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """``out[i][index[i][j]] = src[i][j]`` (for ``dim=1``): ``input`` with values written
    along ``dim`` at the places ``index`` names; ``src`` may be a number. With
    ``reduce="add"`` or ``"multiply"`` the values are combined with what is there (and there
    is no derivative, as in torch)."""
    check_tensor(input, "scatter")
    dim = int_arg(dim, "scatter", "dim", 2)
    check_tensor(index, "scatter", "index", 3)
    if src is None:
        src = value
    x, idx = input._data, index._data
    d = wrap_dim(dim, x.ndim)
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    number = not isinstance(src, Tensor)
    if not number and src._data.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    s = None if number else src._data
    grid = _scatter_grid("scatter", x, d, idx, s)
    data = np.array(x, copy=True)
    if number:
        vals = np.broadcast_to(np.asarray(src).astype(x.dtype), idx.shape)
    else:
        region = _covered(s, idx)
        vals = s if region is None else s[region]
    if reduce is not None:
        if not number:
            import warnings

            warnings.warn("The reduce argument of nbgrad.scatter with Tensor src is deprecated "
                          "and will be removed in a future PyTorch release. Use "
                          "nbgrad.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
        (np.add if reduce == "add" else np.multiply).at(data, grid, vals)
        from nbgrad.ops.division import _NoDerivative

        return record(_NoDerivative, data, (input,) if number else (input, src), ("scatter",))
    data[grid] = vals
    hidden = np.zeros(x.shape, dtype=bool)
    hidden[grid] = True
    if number:
        return record(ScatterBackward1, data, (input,), (hidden,))
    return record(ScatterBackward0, data, (input, src), (grid, hidden, s.shape, region))


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``out[i][index[i][j]] += src[i][j]`` (for ``dim=1``): values added at the places
    ``index`` names (a place named twice gets both)."""
    check_tensor(input, "scatter_add")
    dim = int_arg(dim, "scatter_add", "dim", 2)
    check_tensor(index, "scatter_add", "index", 3)
    check_tensor(src, "scatter_add", "src", 4)
    x, idx, s = input._data, index._data, src._data
    d = wrap_dim(dim, x.ndim)
    if s.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    grid = _scatter_grid("scatter_add", x, d, idx, s)
    data = np.array(x, copy=True)
    region = _covered(s, idx)
    np.add.at(data, grid, s if region is None else s[region])
    return record(ScatterAddBackward0, data, (input, src), (grid, s.shape, region))


# --- index_add, index_fill, index_copy ----------------------------------------------------


def _index_vector(fn: str, idx: np.ndarray, size: int, dtypes: str = "int32/int64",
                  out_of_bounds: type = RuntimeError) -> np.ndarray:
    if idx.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector, but got dim: {idx.ndim} "
                         f"with type: {_name(idx)} and size: {list(idx.shape)}")
    if dtypes == "int64":
        if idx.dtype != np.int64:
            raise IndexError(f"{fn}(): Expected dtype int64 for index.")
    elif idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index but got: "
                           f"{_name(idx)}")
    idx = idx.reshape(-1).astype(np.int64)
    bad = (idx < -size) | (idx >= size) if fn == "index_fill_" else (idx < 0) | (idx >= size)
    if bad.any():
        prefix = "index_copy_(): " if fn == "index_copy_" else ""
        raise out_of_bounds(f"{prefix}index {idx[int(np.argmax(bad))]} is out of bounds for "
                            f"dimension {{d}} with size {size}")
    return np.where(idx < 0, idx + size, idx)


class IndexAddBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, where, alpha, src_shape):
        read = F.reshape(F.index(g, where), src_shape)
        return g, (read * alpha if alpha != 1 else read)


class IndexCopyBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, where, hidden, src_shape):
        return F.keep(~hidden, g), F.reshape(F.index(g, where), src_shape)


class IndexFillBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, hidden):
        return (F.keep(~hidden, g),)


class IndexFillBackward1(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, hidden):
        return F.keep(~hidden, g), F.reshape(F.sum(F.keep(hidden, g), None), ())


def _index_place(fn: str, input: Tensor, dim: Any, index: Tensor, dtypes: str,
                 out_of_bounds: type = RuntimeError) -> tuple[int, np.ndarray, tuple]:
    check_tensor(input, fn.rstrip("_"))
    dim = int_arg(dim, fn.rstrip("_"), "dim", 2)
    check_tensor(index, fn.rstrip("_"), "index", 3)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    size = x.shape[d] if x.ndim else 1
    try:
        idx = _index_vector(fn, index._data, size, dtypes, out_of_bounds)
    except (IndexError, RuntimeError) as err:
        raise type(err)(str(err).replace("{d}", str(d))) from None
    where = (slice(None),) * d + (idx,) if x.ndim else ()
    return d, idx, where


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source`` added along ``dim`` at the positions ``index`` lists
    (a position listed twice gets both)."""
    d, idx, where = _index_place("index_add_", input, dim, index, "int32/int64")
    check_tensor(source, "index_add", "source", 4)
    x, s = input._data, source._data
    n = s.shape[d] if s.ndim else 1
    if idx.size != n:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({n}), for dim: {d}")
    if s.ndim and s.shape[:d] + s.shape[d + 1:] != x.shape[:d] + x.shape[d + 1:]:
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(x.shape)} "
                           f"source.shape = {list(s.shape)}")
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_add_(): self ({_name(x)}) and source ({_name(s)}) must have "
                           "the same scalar type")
    data = np.array(x, copy=True)
    vals = s * alpha if alpha != 1 else s
    np.add.at(data, where, vals.reshape(data[where].shape).astype(x.dtype, copy=False))
    return record(IndexAddBackward0, data, (input, source), (where, alpha, s.shape))


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with the slices of ``source`` written along ``dim`` at the positions
    ``index`` lists."""
    d, idx, where = _index_place("index_copy_", input, dim, index, "int64", IndexError)
    check_tensor(source, "index_copy", "source", 4)
    x, s = input._data, source._data
    n = s.shape[d] if s.ndim else 1
    if idx.size != n:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({n})")
    if s.dtype != x.dtype:
        raise RuntimeError("index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_name(x)} and (source) {_name(s)}")
    data = np.array(x, copy=True)
    data[where] = s.reshape(data[where].shape)
    hidden = np.zeros(x.shape, dtype=bool)
    hidden[where] = True
    return record(IndexCopyBackward0, data, (input, source), (where, hidden, s.shape))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) written in the slices along
    ``dim`` at the positions ``index`` lists."""
    d, idx, where = _index_place("index_fill_", input, dim, index, "int64", IndexError)
    x = input._data
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    data = np.array(x, copy=True)
    data[where] = value._data if isinstance(value, Tensor) else value
    hidden = np.zeros(x.shape, dtype=bool)
    hidden[where] = True
    if isinstance(value, Tensor):
        return record(IndexFillBackward1, data, (input, value), (hidden,))
    return record(IndexFillBackward0, data, (input,), (hidden,))


# --- masks --------------------------------------------------------------------------------


class MaskedSelectBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, shape, mask):
        return (F.index_put(shape, mask, g, False),)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` (broadcast) is True, as a vector."""
    check_tensor(input, "masked_select")
    check_tensor(mask, "masked_select", "mask", 2)
    x, m = input._data, mask._data
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast(m.shape, x.shape)
    mb = np.broadcast_to(m, shape)
    data = np.broadcast_to(x, shape)[mb]
    return record(MaskedSelectBackward0, data, (input,), (shape, mb), broadcast=x.shape != shape)


class MaskedScatterBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, mask, src_shape):
        read = F.index(g, mask)  # the gradient of the first values of source, in order
        n = int(np.prod(src_shape))
        spread = F.index_put((n,), np.arange(read.shape[0]), read, False)
        return F.keep(~mask, g), F.reshape(spread, src_shape)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the first values of ``source``, in order, written where ``mask`` is
    True."""
    check_tensor(input, "masked_scatter")
    check_tensor(mask, "masked_scatter", "mask", 2)
    check_tensor(source, "masked_scatter", "source", 3)
    x, m, s = input._data, mask._data, source._data
    if m.dtype != np.bool_:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_name(m)}")
    if s.dtype != x.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but "
                           f"got{_name(x)} and {_name(s)}")
    shape = _broadcast(m.shape, x.shape)
    mb = np.broadcast_to(m, shape)
    k = int(mb.sum())
    if k > s.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    data = np.array(np.broadcast_to(x, shape), copy=True)
    data[mb] = s.reshape(-1)[:k]
    return record(MaskedScatterBackward0, data, (input, source), (mb, s.shape),
                  broadcast=x.shape != shape)


# --- where the values are -----------------------------------------------------------------


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the elements that are not zero: one row per element (or, with
    ``as_tuple=True``, one vector per dimension)."""
    check_tensor(input, "nonzero")
    x = input._data
    if as_tuple:
        where = np.nonzero(x.reshape(1) if x.ndim == 0 else x)
        return tuple(_wrap(w.astype(np.int64)) for w in where)
    return _wrap(np.argwhere(x).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: one row of indices per element that is not zero."""
    check_tensor(input, "argwhere")
    return nonzero(input)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not zero (along ``dim``, an int or a tuple)."""
    check_tensor(input, "count_nonzero")
    x = input._data
    if isinstance(dim, (tuple, list)):
        axis = tuple(wrap_dim(d, x.ndim) for d in dim)
    else:
        axis = None if dim is None else wrap_dim(dim, x.ndim)
    return _wrap(np.asarray(np.count_nonzero(x, axis=axis), dtype=np.int64))


class Unique2Backward0(Node):
    """torch has no derivative for ``unique``: a backward that reaches it fails."""

    __slots__ = ()

    def vjp(self, F, g):
        raise NotImplementedError("the derivative for '_unique2' is not implemented.")


class UniqueDimBackward0(Node):
    """``unique`` along a dimension: no derivative either."""

    __slots__ = ()

    def vjp(self, F, g):
        raise NotImplementedError("the derivative for 'unique_dim' is not implemented.")


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values, in increasing order (or the distinct slices along ``dim``); with
    ``return_inverse``, where each element went; with ``return_counts``, how many of each."""
    check_tensor(input, "unique")
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(x.shape)
        out = record(Unique2Backward0, values, (input,))
    else:
        d = wrap_dim(dim, x.ndim)
        values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True,
                                            axis=d)
        inverse = inverse.reshape(-1)
        out = record(UniqueDimBackward0, values, (input,))
    extra = []
    if return_inverse:
        extra.append(_wrap(inverse.astype(np.int64)))
    if return_counts:
        extra.append(_wrap(counts.astype(np.int64)))
    return (out, *extra) if extra else out
