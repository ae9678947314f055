"""Writing over a tensor in the graph: item assignment (``y[i] = v``), ``fill_`` and ``zero_``
on a tensor that requires grad (or with a value that does), recorded with torch's nodes:
``CopySlices`` or ``IndexPutBackward0`` for a part, ``FillBackward2``/``FillBackward3``,
``ZeroBackward0`` or ``CopyBackwards`` for the whole. The old value's gradient is the incoming
gradient with the written places zeroed (what was there is gone); the value's gradient is the
incoming gradient at those places, summed back to the value's shape where it was broadcast."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor_inplace import _through_view, _write
from nbgrad.ops._core import Node, Tensor, record

__all__ = ["copy_slices", "fill", "zero", "assign"]


class IndexPutBackward0(Node):
    """``y[i] = v`` with an index of tensors (or lists, or a mask) alone: torch's
    ``index_put_``, with no view in between."""

    __slots__ = ()

    def vjp(self, F, g, kept, index, value_shape):
        g_old = F.keep(kept, g)
        if value_shape is None:  # a number, or a tensor that needs no gradient
            return g_old, None
        gv = F.index(g, index)
        lead = len(value_shape) - len(gv.shape)
        if lead > 0:  # the value had leading 1s that the selection has not
            gv = F.reshape(gv, (1,) * lead + tuple(gv.shape))
        return g_old, F.sum_to(gv, value_shape)


class CopySlices(IndexPutBackward0):
    """``y[i] = v`` through a view of ``y`` (an int, or a slice that is not the whole
    dimension, selects first): torch's ``CopySlices``."""

    __slots__ = ()

    def name(self) -> str:
        return "nbgrad::autograd::CopySlices"


def copy_slices(input: Tensor, index: Any, value: Any) -> Tensor:
    """``input`` with ``input[index] = value``, as a new tensor in the graph."""
    data = np.array(input._data, copy=True)
    _write(data, index, value)
    kept = np.ones(data.shape, dtype=np.bool_)
    kept[index] = False
    needs = isinstance(value, Tensor) and value._requires_grad
    shape = tuple(value._data.shape) if needs else None
    node = CopySlices if _through_view(index, data.shape) else IndexPutBackward0
    return record(node, data, (input, value), (kept, index, shape), broadcast=needs)


class FillBackward2(Node):
    """``fill_(number)``: the old value is gone, and a number has no gradient."""

    __slots__ = ()

    def vjp(self, F, g):
        return (F.zeros(g.shape, g),)


class ZeroBackward0(FillBackward2):
    __slots__ = ()


class FillBackward3(Node):
    """``fill_(t)`` for a 0-d tensor ``t``: every place received ``t``."""

    __slots__ = ()

    def vjp(self, F, g):
        return F.zeros(g.shape, g), F.sum(g, None)


def fill(input: Tensor, value: Any) -> Tensor:
    """A tensor of ``input``'s shape and dtype filled with ``value`` (a number, or a 0-d
    tensor), in the graph as ``fill_`` records it."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        data = np.full(input._data.shape, value._data, dtype=input._data.dtype)
        return record(FillBackward3, data, (input, value), broadcast=value._requires_grad)
    data = np.full(input._data.shape, value, dtype=input._data.dtype)
    return record(FillBackward2, data, (input,))


def zero(input: Tensor) -> Tensor:
    """Zeros of ``input``'s shape and dtype, in the graph as ``zero_`` records it."""
    return record(ZeroBackward0, np.zeros_like(input._data), (input,))


def assign(input: Tensor, index: Any, value: Any) -> Tensor:
    """``input[index] = value`` as a new tensor in the graph, with the node torch records:
    an index that selects everything is a fill (a number or a 0-d tensor) or a copy;
    otherwise ``copy_slices``."""
    if _whole(index):
        if not isinstance(value, Tensor) or value._data.ndim == 0:
            return fill(input, value if isinstance(value, Tensor) else scalar_like(value, input))
        from nbgrad.ops.shape import expand, expand_copy

        shape = input._data.shape
        if tuple(value._data.shape) != shape:
            _write(np.empty(shape, dtype=input._data.dtype), index, value)  # torch's errors
            if value._data.ndim <= len(shape):  # torch expands the value first
                value = expand(value, shape)
        return expand_copy(value, input)
    return copy_slices(input, index, value)


def _whole(index: Any) -> bool:
    """Whether ``index`` is made only of full slices and ``...`` (it selects everything)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is Ellipsis or (isinstance(i, slice) and i == slice(None)) for i in items)


def scalar_like(value: Any, like: Tensor) -> Tensor:
    """A number written into ``like``, as the 0-d tensor torch makes of it (no gradient)."""
    from nbgrad._tensor import _wrap

    return _wrap(np.asarray(value, dtype=like._data.dtype))


# -- in place through views ------------------------------------------------------------------
# A view shares its base's memory: writing into one changes the other. So an in-place op on a
# view is recorded as torch records it, as a write into the base (CopySlices: the base's old
# value, with the view's places replaced by the op's result), after which every view of the
# base reads its value from the base's new node (AsStridedBackward0). An in-place op on a base
# likewise gives each of its views that node. The places are found from the memory layout.


class AsStridedBackward0(Node):
    """A view of a base tensor that changed in place: the view's gradient goes back to the
    places of the base it reads."""

    __slots__ = ()

    def vjp(self, F, g, index, base_shape):
        return (F.index_put(base_shape, index, g, True),)


def places(view: np.ndarray, base: np.ndarray) -> tuple | None:
    """The index into ``base`` (a tuple of arrays of ``view``'s shape) of each element of
    ``view``, a NumPy view of ``base``'s memory; None when it cannot be told."""
    if not (base.flags.c_contiguous or base.flags.f_contiguous) or base.size == 0:
        return None
    item = base.itemsize
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if start % item or any(s % item for s in view.strides):
        return None
    offsets = np.full(view.shape, start // item, dtype=np.int64)
    for axis, (n, stride) in enumerate(zip(view.shape, view.strides)):
        shape = [1] * view.ndim
        shape[axis] = n
        offsets += (np.arange(n, dtype=np.int64) * (stride // item)).reshape(shape)
    if offsets.size and (offsets.min() < 0 or offsets.max() >= base.size):
        return None
    order = "C" if base.flags.c_contiguous else "F"
    return np.unravel_index(offsets, base.shape, order=order)


def write_view(base: Tensor, index: tuple, value: Tensor) -> Tensor:
    """``base`` with the places ``index`` given ``value`` (broadcast to them): CopySlices, as
    a view written in place records it."""
    data = np.array(base._data, copy=True)
    _write(data, index, value)
    kept = np.ones(data.shape, dtype=np.bool_)
    kept[index] = False
    needs = value._requires_grad
    shape = tuple(value._data.shape) if needs else None
    return record(CopySlices, data, (base, value), (kept, index, shape), broadcast=needs)


def read_view(base: Tensor, index: tuple, view: Tensor) -> None:
    """Make ``view`` (a view of ``base``) read from ``base``'s current node."""
    node = record(AsStridedBackward0, view._data, (base,), (index, tuple(base._data.shape)))
    if node.grad_fn is not None:
        view.grad_fn = node.grad_fn
        view._requires_grad = True
