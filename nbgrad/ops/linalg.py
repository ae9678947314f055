"""Matrix products. One backward serves them all: for ``C = A @ B``,
``dA = dC @ B^T`` and ``dB = A^T @ dC``, with vectors treated as one-row or one-column
matrices and batch dimensions summed back where they were broadcast.

The node recorded is named as torch names it for each case (``DotBackward0`` for two vectors,
``MvBackward0``, ``MmBackward0``, ``SqueezeBackward4`` for a vector times a matrix,
``UnsafeViewBackward0`` for batches), so printed ``grad_fn``s match.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import Node, Tensor, _broadcast_error, check_tensor, record

__all__ = ["matmul", "mm", "mv", "dot"]


class _MatmulBackward(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b, a_shape, b_shape):
        # ``a`` is saved only when ``b`` needs its gradient and the other way round (as in
        # torch), so a gradient nobody asked for (say, of the input batch) is not computed.
        a_nd, b_nd = len(a_shape), len(b_shape)
        if a_nd == 2 and b_nd == 2 and g.__class__ is np.ndarray:
            # The common case in a plain backward: two matrices, no broadcasting to undo.
            # ``.T`` is a view that BLAS reads as a transposed operand (no copy); each product
            # is a fresh array.
            return (None if b is None else g @ b.T), (None if a is None else a.T @ g)
        if a_nd == 1 and b_nd == 1:
            return (None if b is None else g * b), (None if a is None else g * a)
        if a_nd == 1:
            g = F.unsqueeze(g, -2)
        if b_nd == 1:
            g = F.unsqueeze(g, -1)
        ga = gb = None
        if b is not None:
            ga = F.matmul(g, F.mT(F.unsqueeze(b, 1) if b_nd == 1 else b))
            ga = F.sum_to(ga, (1, *a_shape) if a_nd == 1 else a_shape)
            if a_nd == 1:
                ga = F.squeeze(ga, 0)
        if a is not None:
            gb = F.matmul(F.mT(F.unsqueeze(a, 0) if a_nd == 1 else a), g)
            gb = F.sum_to(gb, (*b_shape, 1) if b_nd == 1 else b_shape)
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


_MM_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
             "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}


def _big(x: np.ndarray) -> str:
    """torch's scalar type name (``Float``, ``Long``) for an array's dtype."""
    return _dtype._legacy_type_name(_dtype.from_numpy_dtype(x.dtype))[:-6]


def _folds(a: np.ndarray, b: np.ndarray, a_grad: bool, b_grad: bool) -> bool:
    """Whether torch's matmul folds the batch of the larger operand into one mm/mv (its
    ``should_fold``): always when the smaller operand requires grad, else only for a
    contiguous 3D+ left operand. Without folding it runs a batched bmm."""
    if a.ndim >= 3 and b.ndim <= 2:
        if b_grad or a.size == 0:
            return True
        st, sh = a.strides, a.shape  # can a be seen as a matrix without a copy (torch's test)
        return all(st[i] == st[i + 1] * sh[i + 1] for i in range(a.ndim - 1))
    if b.ndim >= 3 and a.ndim <= 2:
        return a_grad
    return False


def _mm_error(m1: tuple, m2: tuple) -> RuntimeError:
    return RuntimeError(
        f"mat1 and mat2 shapes cannot be multiplied ({m1[0]}x{m1[1]} and {m2[0]}x{m2[1]})"
    )


def _mv_error(mat: tuple, vec: int) -> RuntimeError:
    return RuntimeError(
        f"size mismatch, got input ({mat[0]}), mat ({mat[0]}x{mat[1]}), vec ({vec})"
    )


_BOOL = np.dtype(np.bool_)


def _check_kernel(a: np.ndarray, kernel: str, b: np.ndarray | None = None) -> None:
    """torch has no bool kernel for any matrix product (NumPy has): refuse as it does. Its
    mm, mv and bmm return before dispatching when an operand is empty (``b`` is given for
    those), dot does not."""
    if a.dtype.kind == "b" and (b is None or a.size and b.size):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _check_shapes(input: Tensor, other: Tensor) -> type[Node]:
    """torch's error for incompatible operands (its words depend on which kernel its matmul
    picks: dot, mv, mm, or a batched bmm), else the node class torch would record."""
    a, b = input._data, other._data
    an, bn = a.ndim, b.ndim
    if an == 0 or bn == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {an}D and {bn}D"
        )
    if (an == 2 and bn == 2 and a.shape[1] == b.shape[0] and a.dtype == b.dtype
            and a.dtype is not _BOOL):
        return MmBackward0  # the common case, decided without the general checks below
    a_grad, b_grad = input._requires_grad, other._requires_grad
    if an == 3 and bn == 3 and a.shape[0] != b.shape[0]:
        # torch treats a batch of one matrix that requires grad as that matrix
        if a.shape[0] == 1 and a_grad:
            a, an = a[0], 2
        elif b.shape[0] == 1 and b_grad:
            b, bn = b[0], 2
    k_a = a.shape[-1]
    k_b = b.shape[0] if bn == 1 else b.shape[-2]
    same = a.dtype == b.dtype
    if an == 1 and bn == 1:
        if not same:
            raise RuntimeError(
                f"dot : expected both vectors to have same dtype, but found {_big(a)} and "
                f"{_big(b)}"
            )
        if k_a != k_b:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have the "
                f"same number of elements, but got {k_a} and {k_b} elements respectively"
            )
        _check_kernel(a, "dot")
        return DotBackward0
    fold = _folds(a, b, a_grad, b_grad)
    if an <= 2 and bn <= 2 or fold:
        # One mm or mv. The larger operand is folded into a matrix; when it is on the right,
        # torch multiplies the transposes, so the operands swap places in its messages.
        if bn >= 3:
            first, second = b, a
            mat = (math.prod(b.shape[:-2]) * b.shape[-1], k_b)
            small = a.shape[::-1]
        else:
            first, second = a, b
            mat = (math.prod(a.shape[:-1]), k_a)
            small = b.shape
        if len(small) == 1:  # mv: matrix times vector
            if mat[1] != small[0]:
                raise _mv_error(mat, small[0])
            if not same:
                raise RuntimeError(
                    f"addmv input tensors must have the same dtype, but got {_big(second)}, "
                    f"{_big(first)}, and {_big(second)}"
                )
        else:
            if mat[1] != small[0]:
                raise _mm_error(mat, small)
            if not same:
                raise RuntimeError(
                    f"expected m1 and m2 to have the same dtype, but got: "
                    f"{_MM_NAMES[first.dtype.name]} != {_MM_NAMES[second.dtype.name]}"
                )
        _check_kernel(a, "addmv_impl_cpu" if len(small) == 1 else "addmm_impl_cpu_", b)
        if an == 1 and bn == 2:
            return SqueezeBackward4
        if an == 2 and bn == 2:
            return MmBackward0
        if an == 2 and bn == 1:
            return MvBackward0
        return CloneBackward0 if an == 2 else UnsafeViewBackward0
    # a batched product: broadcast the batch dimensions, then bmm
    batch_a, batch_b = a.shape[:-2], b.shape[:-2]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise _broadcast_error(batch_a, batch_b) from None
    if k_a != k_b:
        n = math.prod(batch)
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] but "
            f"got: [{n}, {k_b}]."
        )
    _check_kernel(a, "bmm", b)  # bmm picks its kernel by the left dtype, before comparing them
    if not same:
        raise RuntimeError(f"expected scalar type {_big(a)} but found {_big(b)}")
    return UnsafeViewBackward0


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """``input @ other``: dot, matrix-vector, matrix-matrix or batched product by the shapes."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        check_tensor(input, "matmul")
        check_tensor(other, "matmul", "other", 2)
    a, b = input._data, other._data
    if (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and a.dtype == b.dtype
            and a.dtype is not _BOOL):  # bool goes the slow way, to torch's error
        node = MmBackward0  # the common case (as in _check_shapes), without the call
        data = np.matmul(a, b)
    else:
        node = _check_shapes(input, other)
        data = np.matmul(a, b)
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
    saved = (input if other._requires_grad else None, other if input._requires_grad else None,
             a.shape, b.shape)
    return record(node, data, (input, other), saved)


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
