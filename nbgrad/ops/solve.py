"""Square matrices: ``inv`` (``inverse``), ``det`` and ``solve`` (``A X = B``), batched over
leading dimensions, each beside its backward:

* ``d inv(A) = -inv(A)^T g inv(A)^T``;
* ``d det(A) = g det(A) inv(A)^T`` (for an invertible A);
* for ``X = solve(A, B)``: ``dB = solve(A^T, g)`` and ``dA = -dB X^T``.

A singular matrix is refused with torch's ``LinAlgError`` (a RuntimeError), whose words name
the first zero on the diagonal of A's LU factorisation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import RESULT, Node, Tensor, _broadcast_error, check_tensor, record

__all__ = ["inv", "det", "solve", "LinAlgError"]


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a matrix that cannot be inverted or solved with."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"  # as torch's prints
LinAlgError.__module__ = "nbgrad.linalg"


def _zero_pivot(a: np.ndarray) -> int:
    """The 1-based place of the first zero on the diagonal of ``a``'s LU factorisation with
    partial pivoting (LAPACK's ``getrf``, which goes on past a zero column), or 0."""
    u = np.array(a, dtype=np.float64, copy=True)
    n = u.shape[0]
    first = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            first = first or k + 1
            continue
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return first


def _lu_sign(a: np.ndarray) -> float:
    """The sign (±1) that ``det(a)`` = prod(diag(U)) * (-1)**swaps carries, zeros included."""
    u = np.array(a, dtype=np.float64, copy=True)
    sign = 1.0
    for k in range(u.shape[0]):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if p != k:
            u[[k, p]] = u[[p, k]]
            sign = -sign
        sign = sign * np.copysign(1.0, u[k, k])
        if u[k, k] != 0:
            u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return sign


def _square(input: Tensor, fn: str, arg: str = "A") -> np.ndarray:
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {arg} must have at least 2 dimensions.")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype._legacy_type_name(input.dtype)[:-6]}")
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")
    return x


def _singular(x: np.ndarray, fn: str) -> LinAlgError:
    """torch's error for the first singular matrix of the batch ``x``."""
    batch = x.reshape(-1, *x.shape[-2:])
    for i, m in enumerate(batch):
        k = _zero_pivot(m)
        if k:
            where = f"(Batch element {i}): " if x.ndim > 2 else ""
            if fn == "torch.linalg.solve":
                return LinAlgError(f"{fn}: {where}The solver failed because the input matrix "
                                   "is singular.")
            return LinAlgError(f"{fn}: {where}The diagonal element {k} is zero, the inversion "
                               "could not be completed because the input matrix is singular.")
    return LinAlgError(f"{fn}: The input matrix is singular.")  # pragma: no cover


def _is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def _inv_any(x: Any) -> Any:
    """The inverse of an array, or of a tensor in the graph (for a second derivative)."""
    return inv(x) if _is_tensor(x) else np.linalg.inv(x)


def _solve_any(a: Any, b: Any) -> Any:
    return solve(a, b) if _is_tensor(a) or _is_tensor(b) else np.linalg.solve(a, b)


class LinalgInvExBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        r_t = F.mT(result)
        return (-F.matmul(F.matmul(r_t, g), r_t),)


def inv(A: Tensor) -> Tensor:
    """The inverse of the square matrix ``A`` (of each one, for a batch)."""
    check_tensor(A, "linalg_inv", "A")
    x = _square(A, "linalg.inv")
    try:
        data = np.linalg.inv(x)
    except np.linalg.LinAlgError:
        raise _singular(x, "linalg.inv") from None
    return record(LinalgInvExBackward0, np.asarray(data, dtype=x.dtype), (A,), (RESULT,))


def inverse(input: Tensor) -> Tensor:
    """``torch.inverse``: ``linalg.inv``."""
    check_tensor(input, "inverse")
    return inv(input)


class LinalgDetBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, result):
        # g * det(A) * inv(A)^T, one matrix per determinant of the batch
        scale = F.unsqueeze(F.unsqueeze(g * result, -1), -1)
        return (scale * F.mT(_inv_any(a)),)


def det(A: Tensor) -> Tensor:
    """The determinant of the square matrix ``A`` (of each one, for a batch)."""
    check_tensor(A, "linalg_det", "A")
    x = _square(A, "linalg.det")
    data = np.asarray(np.linalg.det(x), dtype=x.dtype)
    if np.any(data == 0):
        # the sign of a zero determinant, as LU gives it (torch prints det([[1, 2], [2, 4]])
        # as -0.): the product of U's diagonal and the sign of the row swaps
        signs = np.array([_lu_sign(m) for m in x.reshape(-1, *x.shape[-2:])]).reshape(data.shape)
        data = np.where(data == 0, np.copysign(0.0, signs), data).astype(x.dtype)
    return record(LinalgDetBackward0, data, (A,), (A, RESULT))


class LinalgSolveExBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, vector, a_shape, b_shape, result):
        a_t = F.mT(a)
        if vector:  # B (and X, g) are vectors: solve with them as one-column matrices
            gb = F.squeeze(_solve_any(a_t, F.unsqueeze(g, -1)), -1)
            ga = -F.unsqueeze(gb, -1) * F.unsqueeze(result, -2)
        else:
            gb = _solve_any(a_t, g)
            ga = -F.matmul(gb, F.mT(result))
        return F.sum_to(ga, a_shape), F.sum_to(gb, b_shape)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """``X`` such that ``A @ X = B``, without forming ``inv(A)``: the way to solve a linear
    system (the normal equations of least squares, ``solve(X.T @ X, X.T @ y)``)."""
    check_tensor(A, "linalg_solve", "A")
    check_tensor(B, "linalg_solve", "B", 2)
    if not left:
        raise NotImplementedError("nbgrad's linalg.solve supports left=True only")
    a = _square(A, "linalg.solve")
    b = B._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_dtype._legacy_type_name(A.dtype)[:-6]} and B of type "
            f"{_dtype._legacy_type_name(B.dtype)[:-6]} instead")
    n = a.shape[-1]
    # torch reads B as a vector (or a batch of them) when it is one dimension short of A
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    if bm.shape[-2] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({n}x{n} and {bm.shape[-2]}x{bm.shape[-1]})")
    try:
        np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    except ValueError:
        raise _broadcast_error(a.shape[:-2], bm.shape[:-2]) from None
    try:
        data = np.linalg.solve(a, bm)
    except np.linalg.LinAlgError:
        raise _singular(a, "torch.linalg.solve") from None
    if vector:
        data = data[..., 0]
    return record(LinalgSolveExBackward0, np.asarray(data, dtype=a.dtype), (A, B),
                  (A, vector, a.shape, b.shape, RESULT))
