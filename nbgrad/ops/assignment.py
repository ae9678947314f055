"""Writing over a tensor in the graph: item assignment (``y[i] = v``), ``fill_`` and ``zero_``
on a tensor that requires grad (or with a value that does), recorded with torch's nodes:
``CopySlices`` or ``IndexPutBackward0`` for a part, ``FillBackward2``/``FillBackward3``,
``ZeroBackward0`` or ``CopyBackwards`` for the whole. The old value's gradient is the incoming
gradient with the written places zeroed (what was there is gone); the value's gradient is the
incoming gradient at those places, summed back to the value's shape where it was broadcast."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import _through_view, _write
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
            return fill(input, value if isinstance(value, Tensor) else _scalar(value, input))
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


def _scalar(value: Any, like: Tensor) -> Tensor:
    """A number written into ``like``, as the 0-d tensor torch makes of it (no gradient)."""
    from nbgrad._tensor import _wrap

    return _wrap(np.asarray(value, dtype=like._data.dtype))
