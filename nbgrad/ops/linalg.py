"""Matrix products. One backward serves them all: for ``C = A @ B``,
``dA = dC @ B^T`` and ``dB = A^T @ dC``, with vectors treated as one-row or one-column
matrices and batch dimensions summed back where they were broadcast.

The node recorded is named as torch names it for each case (``DotBackward0`` for two vectors,
``MvBackward0``, ``MmBackward0``, ``SqueezeBackward4`` for a vector times a matrix,
``UnsafeViewBackward0`` for batches), so printed ``grad_fn``s match.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import Node, Tensor, check_tensor, record

__all__ = ["matmul", "mm", "mv", "dot"]


class _MatmulBackward(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b):
        a_nd, b_nd = a.ndim, b.ndim
        if a_nd == 1 and b_nd == 1:
            return g * b, g * a
        a2 = F.unsqueeze(a, 0) if a_nd == 1 else a
        b2 = F.unsqueeze(b, 1) if b_nd == 1 else b
        if a_nd == 1:
            g = F.unsqueeze(g, -2)
        if b_nd == 1:
            g = F.unsqueeze(g, -1)
        ga = F.sum_to(F.matmul(g, F.mT(b2)), tuple(a2.shape))
        gb = F.sum_to(F.matmul(F.mT(a2), g), tuple(b2.shape))
        if a_nd == 1:
            ga = F.squeeze(ga, 0)
        if b_nd == 1:
            gb = F.squeeze(gb, 1)
        return ga, gb


class DotBackward0(_MatmulBackward):
    __slots__ = ()


class MvBackward0(_MatmulBackward):
    __slots__ = ()


class MmBackward0(_MatmulBackward):
    __slots__ = ()


class SqueezeBackward4(_MatmulBackward):
    __slots__ = ()


class UnsafeViewBackward0(_MatmulBackward):
    __slots__ = ()


class BmmBackward0(_MatmulBackward):
    __slots__ = ()


class CloneBackward0(_MatmulBackward):
    """A matrix times a batch, when the matrix requires grad: torch folds the batch into one
    ``mm`` and copies the transposed result back (``.contiguous()``), which records a clone."""

    __slots__ = ()


def _dtype_name(d: np.dtype) -> str:
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
            "float16": "c10::Half", "bool": "bool"}.get(d.name, d.name)


def _check_shapes(a: np.ndarray, b: np.ndarray) -> type[Node]:
    """torch's error for incompatible operands, else the node class torch would record."""
    an, bn = a.ndim, b.ndim
    if an == 0 or bn == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {an}D and {bn}D"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_dtype_name(a.dtype)} != "
            f"{_dtype_name(b.dtype)}"
        )
    if an == 1 and bn == 1:
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and "
                f"{b.shape[0]} elements respectively"
            )
        return DotBackward0
    if an == 2 and bn == 1:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                f"vec ({b.shape[0]})"
            )
        return MvBackward0
    k_a = a.shape[-1]
    k_b = b.shape[0] if bn == 1 else b.shape[-2]
    if k_a != k_b:
        rows_a = int(np.prod(a.shape[:-1]))
        if bn <= 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows_a}x{k_a} and "
                f"{k_b}x{b.shape[-1] if bn == 2 else 1})"
            )
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(b.shape[:-2]))}, {k_a}] but got: [{int(np.prod(b.shape[:-2]))}, "
            f"{k_b}]."
        )
    if an == 2 and bn == 2:
        return MmBackward0
    if an == 1 and bn == 2:
        return SqueezeBackward4
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2] if bn > 1 else ())
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({a.shape[-3]}) must match the size of tensor b "
            f"({b.shape[-3]}) at non-singleton dimension {max(an, bn) - 3}"
        ) from None
    return UnsafeViewBackward0


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``input @ other``: dot, matrix-vector, matrix-matrix or batched product by the shapes."""
    check_tensor(input, "matmul")
    check_tensor(other, "matmul", "other", 2)
    a, b = input._data, other._data
    node = _check_shapes(a, b)
    if node is UnsafeViewBackward0 and a.ndim == 2 and input._requires_grad:
        node = CloneBackward0
    data = np.matmul(a, b)
    if not isinstance(data, np.ndarray):
        data = np.asarray(data)
    return record(node, data, (input, other), (input, other))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    check_tensor(input, "mm")
    check_tensor(mat2, "mm", "mat2", 2)
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    check_tensor(input, "mv")
    check_tensor(vec, "mv", "vec", 2)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}"
        )
    return matmul(input, vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    check_tensor(input, "dot")
    check_tensor(other, "dot", "tensor", 2)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors"
        )
    return matmul(input, other)


_ = (_dtype, Any)
