"""Ordering: ``sort``, ``argsort`` and ``topk``. The values are differentiable: each one's
gradient goes back to the place its index names (the indices themselves are integers, outside
the graph). NaN counts as larger than every number, as in torch."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.ops._args import int_arg
from nbgrad.ops._core import Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.reduce import _ReturnType

__all__ = ["sort", "argsort", "topk", "SortResult", "TopkResult"]


class SortResult(_ReturnType):
    _op = "sort"


class TopkResult(_ReturnType):
    _op = "topk"


class SortBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True  # torch saves the indices as a tensor: freed after a backward

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, False),)


class SortBackward1(SortBackward0):  # sort(..., stable=...)
    __slots__ = ()


class TopkBackward0(SortBackward0):
    __slots__ = ()


def _order(x: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """The stable order of ``x`` along ``d`` (equal values keep their order, either way)."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    # sorted ascending from the far end, then read backwards: ties keep their order and NaN,
    # last in NumPy's ascending order, comes first
    n = x.shape[d]
    rev = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return np.flip(n - 1 - rev, d)


def _take(input: Tensor, d: int, order: np.ndarray, node: type[Node], cls: type) -> Any:
    x = input._data
    if x.ndim == 0:
        values = np.array(x, copy=True)
        return cls(record(node, values, (input,), ((), ())), _wrap(np.asarray(0, np.int64)))
    grid = list(np.indices(order.shape, sparse=True))
    grid[d] = order
    grid = tuple(grid)
    values = x[grid]
    out = record(node, values, (input,), (x.shape, grid))
    return cls(out, _wrap(order.astype(np.int64)))


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,
         stable: bool | None = None) -> SortResult:
    """``(values, indices)``: the elements along ``dim`` in order, and where each came from."""
    check_tensor(input, "sort")
    x = input._data
    d = wrap_dim(dim, x.ndim)
    order = _order(x, d, descending) if x.ndim else None
    node = SortBackward0 if stable is None else SortBackward1
    return _take(input, d, order, node, SortResult)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    check_tensor(input, "argsort")
    x = input._data
    d = wrap_dim(dim, x.ndim)
    if not x.ndim:
        return _wrap(np.asarray(0, np.int64))
    return _wrap(_order(x, d, descending).astype(np.int64))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> TopkResult:  # noqa: A002 - torch's name
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
    check_tensor(input, "topk")
    k = int_arg(k, "topk", "k", 2)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    size = x.shape[d] if x.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not x.ndim:  # its one element, even for k == 0 (as torch does)
        return _take(input, 0, None, TopkBackward0, TopkResult)
    order = _order(x, d, largest)
    order = np.take(order, np.arange(k), axis=d)
    return _take(input, d, order, TopkBackward0, TopkResult)
