"""Ops that move numbers around without changing them: views, indexing, joining.

Their backward formulas only move the gradient back to where each number came from: a
reshape reshapes it back, a transpose transposes it back, an index scatters it into zeros.
Views share memory (and the version counter) with the tensor they were taken from, as in torch.
"""

from __future__ import annotations

import builtins
import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _NO_DIM
from nbgrad.autograd.graph import version_box
from nbgrad.ops._core import Node, Tensor, check_broadcast, check_tensor, record, wrap_dim


def check_int_dim(name: str, dim: Any, pos: int) -> None:
    """torch's parser's error for a ``dim`` that is missing or not an int (error path only:
    cumulative.py holds the check, and imports this module)."""
    from nbgrad.ops.cumulative import NO_DIM, check_dim

    check_dim(name, NO_DIM if dim is _NO_DIM else dim, pos)

__all__ = [
    "reshape", "view", "flatten", "unflatten", "unsqueeze", "squeeze", "expand", "expand_copy",
    "sum_to_size", "transpose", "permute", "t", "T", "mT", "H", "getitem", "index_put_zeros", "cat",
    "stack",
]


def _as_view(out: Tensor, input: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``input``: same memory, same version counter."""
    if isinstance(out._data, np.ndarray) and np.shares_memory(out._data, input._storage()):
        base = out._base = input._base if input._base is not None else input
        out._vbox = version_box(input)
        # The base keeps (weakly) its views: an in-place op recorded on it, or on one of
        # them, gives each a new node (Tensor._inplace). Dead ones are swept as it doubles.
        try:
            refs = base._views
        except AttributeError:
            refs = base._views = []
        refs.append(weakref.ref(out))
        n = len(refs)
        if n >= 16 and not n & (n - 1):
            refs[:] = [r for r in refs if r() is not None]
    return out


def _shape_arg(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Resolve one ``-1`` entry and check the element count, with torch's words."""
    known = 1
    infer = None
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if infer is not None and known != 0 and numel % known == 0:
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    if infer is None and known == numel:
        return shape
    if infer is not None and numel == 0:  # known == 0 too: any size would fit the -1
        raise RuntimeError(
            f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
            "unspecified dimension size -1 can be any value and is ambiguous"
        )
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


# --- reshaping ----------------------------------------------------------------------------


class ViewBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.reshape(g, shape),)


class UnsafeViewBackward0(ViewBackward0):
    """What torch records when ``reshape`` had to copy (a non-contiguous input)."""

    __slots__ = ()


def view(input: Tensor, shape: Any) -> Tensor:
    """The same memory seen with another shape; the input must be contiguous enough."""
    x = input._storage()
    shape = _infer_shape(_shape_arg(shape), x.size)
    if not x.flags.c_contiguous and x.size > 1 and not _viewable(x, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    data = x.view()
    data.shape = shape  # raises rather than copies, so this is a true view
    return _as_view(record(ViewBackward0, data, (input,), (x.shape,)), input)


def _viewable(x: np.ndarray, shape: tuple[int, ...]) -> bool:
    try:
        y = x.view()
        y.shape = shape
        return True
    except AttributeError:
        return False


def reshape(input: Tensor, shape: Any) -> Tensor:
    """``view`` when the memory allows it, a copy otherwise (as torch's reshape)."""
    check_tensor(input, "reshape")
    x = input._storage()
    shape = _infer_shape(_shape_arg(shape), x.size)
    if x.flags.c_contiguous or _viewable(x, shape):
        return view(input, shape)
    data = np.ascontiguousarray(x).reshape(shape)
    return record(UnsafeViewBackward0, data, (input,), (x.shape,))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if not shape:  # a 0-d tensor takes dims 0 and -1 (as a 1-d one would), and becomes 1-d
        return reshape(input, (1,))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = math.prod(shape[start:end + 1])
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any, _pos: int = 3) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one of them may be -1): a view."""
    check_tensor(input, "unflatten")
    if not isinstance(sizes, tuple | list):
        raise TypeError(f"unflatten(): argument 'sizes' (position {_pos}) must be tuple of "
                        f"ints, not {type(sizes).__name__}")
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    sizes = [int(s) for s in sizes]
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes and known and shape[d] % known == 0:
        sizes = [shape[d] // known if s == -1 else s for s in sizes]
    if math.prod(sizes) != shape[d] or -1 in sizes:
        raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size "
                           f"of dim {d} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


class UnsqueezeBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dim):
        return (F.squeeze(g, dim),)


def unsqueeze(input: Tensor, dim: int = _NO_DIM) -> Tensor:
    check_tensor(input, "unsqueeze")
    if dim.__class__ is not int:  # a tuple, a float or nothing: torch's parser's words
        check_int_dim("unsqueeze", dim, 2)
    x = input._storage()
    dim = wrap_dim(dim, x.ndim + 1)
    return _as_view(record(UnsqueezeBackward0, np.expand_dims(x, dim), (input,), (dim,)), input)


class SqueezeBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.reshape(g, shape),)


class SqueezeBackward1(SqueezeBackward0):
    __slots__ = ()


class SqueezeBackward2(SqueezeBackward0):
    """``squeeze`` of a tuple of dims."""

    __slots__ = ()


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Drop dimensions of size 1 (all of them, or those of ``dim``, an int or a tuple, that
    have size 1)."""
    check_tensor(input, "squeeze")
    x = input._storage()
    if dim is None:
        data = np.squeeze(x)
        node = SqueezeBackward0
    elif isinstance(dim, tuple | list):
        dims = [wrap_dim(d, x.ndim) for d in dim]
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        ones = tuple(d for d in dims if x.ndim and x.shape[d] == 1)
        data = np.squeeze(x, ones) if ones else x.view()
        node = SqueezeBackward2
    else:
        d = wrap_dim(dim, x.ndim)
        data = np.squeeze(x, d) if x.ndim and x.shape[d] == 1 else x.view()
        node = SqueezeBackward1
    return _as_view(record(node, data, (input,), (x.shape,)), input)


# --- broadcasting -------------------------------------------------------------------------


class ExpandBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.sum_to(g, shape),)


def _expanded_shape(
    src: tuple[int, ...], sizes: tuple[int, ...], dtype: _dtype.dtype
) -> tuple[int, ...]:
    if len(sizes) < len(src):
        raise RuntimeError(
            f"expand(nbgrad.{_dtype._legacy_type_name(dtype)}{{{list(src)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({len(src)})"
        )
    lead = len(sizes) - len(src)
    out = []
    for i, s in enumerate(sizes):
        have = src[i - lead] if i >= lead else None
        if s == -1:
            if have is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            s = have
        elif have is not None and have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(src)}"
            )
        out.append(s)
    return tuple(out)


def expand(input: Tensor, sizes: Any) -> Tensor:
    """A view that repeats size-1 dimensions; ``-1`` keeps a size. It can be written as
    torch's can (a fill, an item, an update where no two elements share a place:
    Tensor._check_overlap refuses the others)."""
    x = input._storage()
    shape = _expanded_shape(x.shape, _shape_arg(sizes), input.dtype)
    view = np.broadcast_to(x, shape)  # the strides; NumPy makes it read-only
    data = np.lib.stride_tricks.as_strided(x, shape, view.strides, writeable=x.flags.writeable)
    return _as_view(record(ExpandBackward0, data, (input,), (x.shape,)), input)


class SumBackward1(Node):
    """The backward of summing back to a shape: expand the gradient again. (torch's
    sum_to_size is a keepdim sum, so its node has the sum's name.)"""

    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.expand(g, shape),)


def sum_to_size(input: Tensor, size: Any) -> Tensor:
    """Sum the dimensions that broadcasting would have stretched, leaving ``size``."""
    from nbgrad.autograd.engine import sum_to

    x = input._data
    shape = _shape_arg(size)
    try:
        if np.broadcast_shapes(shape, x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size "
                           f"{{{list(x.shape)}}}.") from None
    if shape == x.shape:
        return input
    if not shape:  # torch's sum_to: to a 0-d tensor, a plain sum (SumBackward0)
        from nbgrad.ops.reduce import sum as _sum

        return _sum(input)
    return record(SumBackward1, sum_to(x, shape), (input,), (x.shape,))


class CopyBackwards(Node):
    """``dst.copy_(src)``: the old value of ``dst`` is gone, so its gradient is zero."""

    __slots__ = ()

    def vjp(self, F, g):
        return g * 0, g


def expand_copy(src: Tensor, like: Tensor) -> Tensor:
    """``src`` broadcast to ``like``'s shape and cast to its dtype: what ``copy_`` writes."""
    s, d = src._data, like._data
    check_broadcast(d, np.broadcast_to(s, np.broadcast_shapes(s.shape, d.shape)))
    if np.broadcast_shapes(s.shape, d.shape) != d.shape:
        raise RuntimeError(
            f"output with shape {list(d.shape)} doesn't match the broadcast shape "
            f"{list(np.broadcast_shapes(s.shape, d.shape))}"
        )
    data = np.array(np.broadcast_to(s, d.shape), dtype=d.dtype)
    return record(CopyBackwards, data, (like, src), broadcast=True)


# --- reordering dimensions ----------------------------------------------------------------


class TransposeBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dim0, dim1):
        return (F.transpose(g, dim0, dim1),)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    check_tensor(input, "transpose")
    x = input._storage()
    n = x.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    data = np.swapaxes(x, d0, d1) if n else x.view()
    return _as_view(record(TransposeBackward0, data, (input,), (d0, d1)), input)


class TBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (F.transpose(g, 0, 1) if g.ndim == 2 else g,)


def mT(input: Tensor, name: str = "mT") -> Tensor:  # noqa: N802 - torch's name
    """``x.mT`` (and ``x.mH``, the same for real numbers): the last two dimensions swapped."""
    n = input._data.ndim
    if n == 1:
        raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return transpose(input, -2, -1) if n else input  # torch's identity on a 0-d tensor


def H(input: Tensor) -> Tensor:  # noqa: N802 - torch's name
    """``x.H``: a matrix transposed (the conjugate is itself for real numbers)."""
    n = input._data.ndim
    if n not in (0, 2):
        more = ". For batches of matrices, consider using tensor.mH" if n > 2 else "."
        raise RuntimeError("tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{n}-D tensor{more}")
    return transpose(input, 0, 1) if n else input


def t(input: Tensor) -> Tensor:
    """Transpose a matrix; vectors and scalars come back as they are (as views)."""
    check_tensor(input, "t")
    x = input._storage()
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return _as_view(record(TBackward0, x.T, (input,)), input)


class PermuteBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dims):
        return (F.permute(g, tuple(np.argsort(dims).tolist())),)


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    check_tensor(input, "permute")
    x = input._storage()
    dims = tuple(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    wrapped = tuple(wrap_dim(d, x.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(record(PermuteBackward0, np.transpose(x, wrapped), (input,), (wrapped,)),
                    input)


_T_WARNED = False


def T(input: Tensor) -> Tensor:  # noqa: N802 - torch's name
    """``x.T``: all dimensions reversed (torch warns for anything but a matrix)."""
    global _T_WARNED
    n = input.ndim
    if n != 2 and n != 0 and not _T_WARNED:
        import warnings

        _T_WARNED = True  # torch says it once per process (TORCH_WARN_ONCE)
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*nbgrad.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=3,
        )
    return permute(input, tuple(range(n - 1, -1, -1)))


# --- indexing -----------------------------------------------------------------------------


class SelectBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, False),)


class SliceBackward0(SelectBackward0):
    __slots__ = ()


class IndexBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, True),)


class AliasBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (g,)


def _is_advanced(item: Any) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (
        isinstance(item, tuple) and builtins.any(_is_advanced(i) for i in item)
    )


def _index_error(index: Any) -> IndexError | TypeError:
    if isinstance(index, str):  # torch tries to read a string as data for an index tensor
        return TypeError("new(): invalid data type 'str'")
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(index).__name__})"
    )


def _advanced_index(index: Any) -> Any:
    """The index as NumPy arrays, checked as torch checks it."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, Tensor):
            arr = item._data
            if arr.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            out.append(arr)
        elif isinstance(item, list):
            arr = np.asarray(item)
            if arr.size == 0:
                arr = arr.astype(np.int64)  # x[[]] selects nothing
            if arr.dtype.kind == "f":
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            out.append(arr)
        else:
            out.append(item)
    return tuple(out) if isinstance(index, tuple) else out[0]


def _check_advanced(shape: tuple, index: Any) -> None:
    """torch's errors for an index holding arrays, in torch's order: ints (applied first, as
    selections), then each mask against the dimensions it covers, then whether the index
    arrays broadcast together, then each array's values against its dimension's size."""
    items = index if isinstance(index, tuple) else (index,)

    def width(item: Any) -> int:  # dimensions of the tensor an index item uses up
        if item is None or item is Ellipsis:
            return 0
        return item.ndim if isinstance(item, np.ndarray) and item.dtype == np.bool_ else 1

    used = builtins.sum(width(i) for i in items)
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    after = []  # the shape once ints, slices and None are applied: what the arrays index
    arrays = []
    dim = 0
    for place, item in enumerate(items):
        if item is None:
            after.append(1)
        elif item is Ellipsis:
            n = len(shape) - used
            after.extend(shape[dim:dim + n])
            dim += n
        elif isinstance(item, slice):
            after.append(len(range(*item.indices(shape[dim]))))
            dim += 1
        elif isinstance(item, np.ndarray):
            arrays.append((len(after), item))
            after.extend(shape[dim:dim + width(item)])
            dim += width(item)
        else:
            _check_int(int(item), shape[dim], place)
            dim += 1
    after.extend(shape[dim:])
    shapes = []
    for at, arr in arrays:
        if arr.dtype == np.bool_:
            for j in range(arr.ndim):
                if arr.shape[j] != after[at + j]:
                    raise IndexError(
                        f"The shape of the mask {list(arr.shape)} at index {j} does not match "
                        f"the shape of the indexed tensor {after} at index {at + j}"
                    )
            shapes.extend([[int(arr.sum())]] * arr.ndim)
        else:
            shapes.append(list(arr.shape))
    try:
        np.broadcast_shapes(*map(tuple, shapes))
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(s) for s in shapes)
        ) from None
    ordinal = 0  # torch numbers the indexed dimensions among themselves
    for at, arr in arrays:
        if arr.dtype == np.bool_:
            ordinal += arr.ndim
            continue
        size = after[at]
        bad = (arr < -size) | (arr >= size)
        if bad.any():
            raise IndexError(
                f"index {arr.flat[int(np.argmax(bad))]} is out of bounds for dimension "
                f"{ordinal} with size {size}"
            )
        ordinal += 1


def _check_int(i: int, size: int, dim: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
    return i % size


def getitem(input: Tensor, index: Any) -> Tensor:
    """``x[index]``. Basic indexing is a chain of torch's view ops (``SelectBackward0`` for an
    integer, ``SliceBackward0`` for a slice); arrays and masks are ``IndexBackward0``."""
    if _is_advanced(index):
        idx = _advanced_index(index)
        x = input._data
        _check_advanced(x.shape, idx)
        try:
            data = x[idx]
        except IndexError as err:
            raise IndexError(str(err).replace("axis", "dimension")) from None
        return record(IndexBackward0, data, (input,), (x.shape, idx))
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if not (item is None or item is Ellipsis or isinstance(item, (int, slice, np.integer))):
            raise _index_error(item)
    # Spell the ellipsis out as full slices, then apply the items one dimension at a time.
    n_real = builtins.sum(1 for i in items if i is not None and i is not Ellipsis)
    if n_real > input.ndim and (isinstance(index, tuple) or input.ndim):
        raise IndexError(
            f"too many indices for tensor of dimension {input.ndim}"
        )
    if isinstance(index, slice) and not input.ndim:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    # torch's messages number an index by its place in the tuple (an ellipsis counts once)
    places = list(range(len(items)))
    if Ellipsis in items:
        k = items.index(Ellipsis)
        fill = input.ndim - n_real
        items = items[:k] + (slice(None),) * fill + items[k + 1:]
        places = places[:k] + [k] * fill + places[k + 1:]
    is_tuple = isinstance(index, tuple) or index is Ellipsis
    out = input
    dim = 0
    changed = False
    for item, place in zip(items, places):
        if item is None:
            out = unsqueeze(out, dim)
            dim += 1
            changed = True
        elif isinstance(item, slice):
            # Like torch: inside a tuple, a slice over a whole dimension is skipped; a lone
            # slice is always a slice op (x[:] is SliceBackward0, x[:, :] AliasBackward0).
            if not (is_tuple and _whole(item, out._data.shape[dim])):
                out = _slice(out, dim, item)
                changed = True
            dim += 1
        else:
            out = _select(out, dim, int(item), place)
            changed = True
    if not changed:
        x = input._storage()
        out = _as_view(record(AliasBackward0, x.view(), (input,)), input)
    return out


def _whole(s: slice, size: int) -> bool:
    """Whether a slice keeps a whole dimension, in order (what torch skips in a tuple)."""
    return (s.start is None or (isinstance(s.start, int) and s.start == 0)) and (
        s.step is None or (isinstance(s.step, int) and s.step == 1)) and (
        s.stop is None or (isinstance(s.stop, int) and s.stop >= size))


def _select(input: Tensor, dim: int, i: int, place: int | None = None) -> Tensor:
    x = input._storage()
    if x.ndim == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    i = _check_int(i, x.shape[dim], dim if place is None else place)
    index = (slice(None),) * dim + (i,)
    # The trailing ``...`` makes NumPy return a 0-d view, never a scalar copy, for the last
    # dimension: ``t[0].add_(1)`` must write into ``t``.
    data = x[index + (Ellipsis,)]
    return _as_view(record(SelectBackward0, data, (input,), (x.shape, index)), input)


def _slice(input: Tensor, dim: int, s: slice) -> Tensor:
    x = input._storage()
    if s.step is not None and s.step <= 0:
        raise ValueError("slice step cannot be zero" if s.step == 0 else
                         "step must be greater than zero")
    index = (slice(None),) * dim + (s,)
    return _as_view(record(SliceBackward0, x[index], (input,), (x.shape, index)), input)


class IndexPutBackward(Node):
    """The backward of scattering into zeros (what a second derivative of indexing needs)."""

    __slots__ = ()

    def vjp(self, F, g, index):
        return (F.index(g, index),)


def index_put_zeros(shape: tuple, index: Any, values: Tensor, accumulate: bool) -> Tensor:
    """Zeros of ``shape`` with ``values`` written (or added) at ``index``: differentiable."""
    v = values._data
    out = np.zeros(shape, dtype=v.dtype)
    if accumulate:
        np.add.at(out, index, v)
    else:
        out[index] = v
    return record(IndexPutBackward, out, (values,), (index,))


# --- joining ------------------------------------------------------------------------------


class CatBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, sizes, dim):
        return tuple(F.split(g, sizes, dim))


def _tensor_list(tensors: Any, fn: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for t_ in tensors:
        if not isinstance(t_, Tensor):
            raise TypeError(
                f"expected Tensor as element {list(tensors).index(t_)} in argument 0, but got "
                f"{type(t_).__name__}"
            )
    return list(tensors)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("nbgrad.cat(): expected a non-empty list of Tensors")
    first = tensors[0]
    if first.ndim == 0:
        raise RuntimeError(
            "zero-dimensional tensor (at position 0) cannot be concatenated"
        )
    d = wrap_dim(dim, first.ndim)
    for k, t_ in enumerate(tensors):
        if t_.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {k}) cannot be concatenated"
            )
        if t_.ndim != first.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t_.ndim}"
            )
        for axis in range(first.ndim):
            if axis != d and t_.shape[axis] != first.shape[axis]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first.shape[axis]} but got size {t_.shape[axis]} for tensor number {k} "
                    "in the list."
                )
    dt = _dtype.result_type(*[_as_dim_operand(t_) for t_ in tensors]).numpy
    data = np.concatenate([t_._data.astype(dt, copy=False) for t_ in tensors], axis=d)
    sizes = [t_.shape[d] for t_ in tensors]
    return record(CatBackward0, data, tuple(tensors), (sizes, d), broadcast=True)


class _DimOperand:
    """A stand-in giving every joined tensor equal weight in dtype promotion."""

    __slots__ = ("dtype", "ndim")

    def __init__(self, t_: Tensor) -> None:
        self.dtype = t_.dtype
        self.ndim = 1


def _as_dim_operand(t_: Tensor) -> _DimOperand:
    return _DimOperand(t_)


class StackBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dim):
        return tuple(F.unbind(g, dim))


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for k, t_ in enumerate(tensors):
        if t_.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first.shape)} at "
                f"entry 0 and {list(t_.shape)} at entry {k}"
            )
    d = wrap_dim(dim, first.ndim + 1)
    dt = _dtype.result_type(*[_as_dim_operand(t_) for t_ in tensors]).numpy
    data = np.stack([t_._data.astype(dt, copy=False) for t_ in tensors], axis=d)
    return record(StackBackward0, data, tuple(tensors), (d,), broadcast=True)
