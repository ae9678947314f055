"""Cutting a tensor into pieces: ``split``, ``chunk`` and ``unbind``.

Each piece is a view of the input (same memory, same version counter), as in torch. torch
gives all the pieces one node; here each piece has its own node of the same name, whose
backward writes the piece's gradient into zeros at the piece's place (so ``grad_fn`` prints
the same, and the gradients add up to the same).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad.ops._args import int_arg
from nbgrad.ops._core import Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.shape import _as_view

__all__ = ["split", "chunk", "unbind"]


class SplitBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, False),)


class SplitWithSizesBackward0(SplitBackward0):
    __slots__ = ()


class UnbindBackward0(SplitBackward0):
    __slots__ = ()


def _pieces(input: Tensor, sizes: list[int], d: int, node: type[Node]) -> tuple[Tensor, ...]:
    x = input._storage()
    out = []
    start = 0
    for n in sizes:
        index = (slice(None),) * d + (slice(start, start + n),)
        out.append(_piece(record(node, x[index], (input,), (x.shape, index)), input, len(out)))
        start += n
    return tuple(out)


def _piece(out: Tensor, input: Tensor, k: int) -> Tensor:
    """Output ``k`` of a split: a view of ``input`` that may not be modified in place while
    it is in a graph (``Tensor._check_inplace`` reads the mark, to say so in torch's words)."""
    fn = out.grad_fn
    if fn is not None:
        fn._piece = (k, fn.name()[: -len("Backward0")])
    return _as_view(out, input)


def _is_int(n: Any) -> bool:
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the sizes listed."""
    check_tensor(tensor, "split", "tensor")
    sizes = split_size_or_sections
    x = tensor._data
    if _is_int(sizes):
        if x.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        d = wrap_dim(dim, x.ndim)
        size, n = int(sizes), x.shape[d]
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        count = max(math.ceil(n / size), 1) if size else 1
        pieces = [size] * (count - 1) + [n - size * (count - 1)]
        return _pieces(tensor, pieces, d, SplitBackward0)
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be tuple "
                        f"of ints, not {type(sizes).__name__}")
    for k, s in enumerate(sizes):
        if not _is_int(s):
            raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be "
                            f"tuple of ints, but found element of type {type(s).__name__} at "
                            f"pos {k}")
    sizes = [int(s) for s in sizes]
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, x.ndim)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={sizes}")
    if sum(sizes) != x.shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {x.shape[d]} (input "
            f"tensor's size at dimension {d}), but got split_sizes={sizes}"
        )
    return _pieces(tensor, sizes, d, SplitWithSizesBackward0)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces of equal size along ``dim`` (the last may be smaller)."""
    check_tensor(input, "chunk")
    chunks = int_arg(chunks, "chunk", "chunks", 2)
    dim = int_arg(dim, "chunk", "dim", 3)
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if n == 0:  # torch gives ``chunks`` empty pieces
        return _pieces(input, [0] * chunks, d, SplitWithSizesBackward0)
    return split(input, math.ceil(n / chunks), d)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, that dimension removed: ``tuple(x)`` for ``dim=0``."""
    check_tensor(input, "unbind")
    dim = int_arg(dim, "unbind", "dim", 2)
    x = input._storage()
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim)
    out = []
    for i in range(x.shape[d]):
        index = (slice(None),) * d + (i,)
        # the trailing ``...`` keeps a 0-d piece a view, not a NumPy scalar
        data = x[index + (Ellipsis,)]
        out.append(_piece(record(UnbindBackward0, data, (input,), (x.shape, index)), input, i))
    return tuple(out)

