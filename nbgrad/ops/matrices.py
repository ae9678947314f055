"""Parts of matrices: ``tril``, ``triu``, ``diag``, ``trace``, and ``outer`` (a matrix made of
two vectors).

Keeping a triangle keeps its gradient and zeroes the rest; a diagonal's gradient goes back to
the diagonal; the trace's spreads over the diagonal.
"""

from __future__ import annotations

import numpy as np

from nbgrad.ops._args import int_arg
from nbgrad.ops._core import Node, Tensor, check_tensor, record

__all__ = ["tril", "triu", "diag", "trace", "outer"]


# --- triangles ----------------------------------------------------------------------------


def _lower(shape: tuple, k: int) -> np.ndarray:
    """True on and below the ``k``-th diagonal of the last two dimensions of ``shape``."""
    return np.tri(shape[-2], shape[-1], k, dtype=bool)


class TrilBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, diagonal):
        return (F.keep(_lower(shape, diagonal), g),)


class TriuBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, diagonal):
        return (F.keep(~_lower(shape, diagonal - 1), g),)


def _triangle(input: Tensor, diagonal: int, fn: str) -> Tensor:
    check_tensor(input, fn)
    k = int_arg(diagonal, fn, "diagonal", 2)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")
    if fn == "tril":
        data = np.where(_lower(x.shape, k), x, x.dtype.type(0))
        return record(TrilBackward0, data, (input,), (x.shape, k))
    data = np.where(_lower(x.shape, k - 1), x.dtype.type(0), x)
    return record(TriuBackward0, data, (input,), (x.shape, k))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below the ``diagonal``-th diagonal); zeros above it."""
    return _triangle(input, diagonal, "tril")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above the ``diagonal``-th diagonal); zeros below it."""
    return _triangle(input, diagonal, "triu")


# --- diagonals ----------------------------------------------------------------------------


def _diagonal_index(rows: int, cols: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Where the ``k``-th diagonal of a ``rows`` x ``cols`` matrix lies."""
    n = max(0, min(rows - max(-k, 0), cols - max(k, 0)))
    i = np.arange(n)
    return i + max(-k, 0), i + max(k, 0)


class DiagEmbedBackward0(Node):
    """``diag`` of a vector: the gradient is the matching diagonal of the output's."""

    __slots__ = ()

    def vjp(self, F, g, index):
        return (F.index(g, index),)


class DiagonalBackward0_copy(Node):  # noqa: N801 - torch's name, as torch 2.13 prints it
    """``diag`` of a matrix: the gradient goes back to the diagonal, zeros elsewhere."""

    __slots__ = ()

    def vjp(self, F, g, shape, index):
        return (F.index_put(shape, index, g, False),)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector made the ``diagonal``-th diagonal of a square matrix, or a matrix's
    ``diagonal``-th diagonal as a vector."""
    check_tensor(input, "diag")
    k = int_arg(diagonal, "diag", "diagonal", 2)
    x = input._data
    if x.ndim == 1:
        n = x.shape[0] + abs(k)
        index = _diagonal_index(n, n, k)
        data = np.zeros((n, n), dtype=x.dtype)
        data[index] = x
        return record(DiagEmbedBackward0, data, (input,), (index,))
    if x.ndim == 2:
        index = _diagonal_index(x.shape[0], x.shape[1], k)
        return record(DiagonalBackward0_copy, x[index], (input,), (x.shape, index))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")


class TraceBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape):
        return (g * F.mask(np.eye(shape[0], shape[1], dtype=bool), g),)


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (integers sum to int64)."""
    check_tensor(input, "trace")
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    dt = np.int64 if x.dtype.kind in "iu" else x.dtype
    data = np.asarray(np.trace(x, dtype=dt))
    return record(TraceBackward0, data, (input,), (x.shape,))


# --- outer --------------------------------------------------------------------------------


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """The matrix ``input[i] * vec2[j]``: a column times a row, as torch computes it."""
    from nbgrad.ops.pointwise import mul
    from nbgrad.ops.shape import reshape

    check_tensor(input, "outer")
    check_tensor(vec2, "outer", "vec2", 2)
    for t, name in ((input, "self"), (vec2, "vec2")):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return mul(reshape(input, (-1, 1)), vec2)

