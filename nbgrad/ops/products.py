"""More products: ``bmm`` (a batch of matrix products), ``addmm`` and ``baddbmm`` (a product
added to a tensor), ``tensordot``, ``kron`` and ``cross``.

``bmm``, ``addmm``, ``baddbmm`` and ``cross`` are primitives with their own nodes, as in torch:
for ``C = beta*M + alpha*A@B`` the gradients are ``beta*dC`` (summed back to M's shape),
``alpha*dC@B^T`` and ``alpha*A^T@dC``; for ``c = a x b``, ``da = b x dc`` and ``db = dc x a``.
``tensordot`` and ``kron`` are made of views, products and reshapes, as torch makes them, so
their graphs show the same nodes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad.ops._core import Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.linalg import BmmBackward0, _big, _mm_error

__all__ = ["bmm", "addmm", "baddbmm", "tensordot", "kron", "cross"]


# --- bmm ----------------------------------------------------------------------------------


def _check_bmm(a: np.ndarray, b: np.ndarray, fn: str = "bmm") -> None:
    """torch's checks of two batches of matrices, in its order."""
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_big(a)} but found {_big(b)}")
    if a.dtype.kind == "b" and a.size and b.size:
        raise NotImplementedError(f"\"{fn}\" not implemented for 'Bool'")


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """``input[i] @ mat2[i]`` for each ``i``: two batches of matrices, of equal batch size (no
    broadcasting, unlike ``matmul``)."""
    check_tensor(input, "bmm")
    check_tensor(mat2, "bmm", "mat2", 2)
    a, b = input._data, mat2._data
    _check_bmm(a, b)
    saved = (input if mat2._requires_grad else None, mat2 if input._requires_grad else None,
             a.shape, b.shape)
    return record(BmmBackward0, np.matmul(a, b), (input, mat2), saved)


# --- a product added to a tensor ----------------------------------------------------------


class AddmmBackward0(Node):
    """``beta*input + alpha*(mat1 @ mat2)``; works for batches too (``BaddbmmBackward0``)."""

    __slots__ = ()

    def vjp(self, F, g, m1, m2, shape, beta, alpha):
        gi = None if beta is None else F.sum_to(g * beta if beta != 1 else g, shape)
        ga = gb = None
        if m2 is not None:
            ga = F.matmul(g, F.mT(m2))
            ga = ga * alpha if alpha != 1 else ga
        if m1 is not None:
            gb = F.matmul(F.mT(m1), g)
            gb = gb * alpha if alpha != 1 else gb
        return gi, ga, gb


class BaddbmmBackward0(AddmmBackward0):
    __slots__ = ()


def _scale_arg(v: Any, fn: str, name: str) -> Any:
    if isinstance(v, Tensor) or not isinstance(v, (bool, int, float, np.generic)):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(v).__name__}")
    return v.item() if isinstance(v, np.generic) else v


def _expand_error(target: tuple, have: tuple) -> RuntimeError:
    lead = len(target) - len(have)
    for i in range(len(have) - 1, -1, -1):
        if have[i] != 1 and have[i] != target[lead + i]:
            return RuntimeError(
                f"The expanded size of the tensor ({target[lead + i]}) must match the existing "
                f"size ({have[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(have)}"
            )
    return RuntimeError(  # more dimensions than the product has
        f"expand(size={list(target)}): the number of sizes provided ({len(target)}) must be "
        f"greater or equal to the number of dimensions in the tensor ({len(have)})"
    )


def _add_product(fn: str, node: type[Node], input: Tensor, m1: Tensor, m2: Tensor,
                 beta: Any, alpha: Any) -> Tensor:
    check_tensor(input, fn)
    names = ("mat1", "mat2") if fn == "addmm" else ("batch1", "batch2")
    check_tensor(m1, fn, names[0], 2)
    check_tensor(m2, fn, names[1], 3)
    beta, alpha = _scale_arg(beta, fn, "beta"), _scale_arg(alpha, fn, "alpha")
    x, a, b = input._data, m1._data, m2._data
    if fn == "addmm":
        if a.ndim != 2:
            raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
        if b.ndim != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
        if a.shape[1] != b.shape[0]:
            raise _mm_error(a.shape, b.shape)
    else:
        _check_bmm(a, b, "baddbmm")
    shape = a.shape[:-1] + b.shape[-1:]
    if not _broadcasts(x.shape, shape) or np.broadcast_shapes(x.shape, shape) != shape:
        raise _expand_error(shape, x.shape)
    if x.dtype != a.dtype:
        raise RuntimeError(f"expected scalar type {_big(a)} but found {_big(x)}")
    out = np.matmul(a, b)
    if alpha != 1:
        out = out * alpha
    if beta != 0:  # torch ignores input when beta is 0: a nan in it does not leak
        out = out + (x * beta if beta != 1 else x)
    data = np.array(np.broadcast_to(out, shape), dtype=a.dtype)
    saved = (m1 if m2._requires_grad else None, m2 if m1._requires_grad else None, x.shape,
             beta if input._requires_grad else None, alpha)
    return record(node, data, (input, m1, m2), saved)


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``: a linear layer's ``b + x @ W`` in one op."""
    return _add_product("addmm", AddmmBackward0, input, mat1, mat2, beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _add_product("baddbmm", BaddbmmBackward0, input, batch1, batch2, beta, alpha)


# --- tensordot ----------------------------------------------------------------------------


def _dims_pair(dims: Any, a: Tensor, b: Tensor) -> tuple[list[int], list[int]]:
    """``dims`` (a count, or two lists of dimensions) as two lists, as torch.functional reads
    them."""
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, (list, tuple)) and len(dims) == 2 and not isinstance(dims[0], int):
        first, second = dims
        first = [first] if isinstance(first, int) else list(first)
        second = [second] if isinstance(second, int) else list(second)
        return first, second
    if isinstance(dims, (list, tuple)):
        for d in dims:
            if not isinstance(d, int):
                break
        else:
            raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of "
                            f"ints, not {type(dims[0]).__name__}")
        raise TypeError(f"tensordot expects dims to be int or (list[int], list[int]) or "
                        f"Tensor, got {dims!r}")
    if isinstance(dims, bool) or not isinstance(dims, int):
        raise RuntimeError(f"tensordot expects dims to be int or (list[int], list[int]) or "
                           f"Tensor, got {dims!r}")
    if dims < 0:
        raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
    if dims > min(a.ndim, b.ndim):
        raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
    return list(range(-dims, 0)), list(range(dims))


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum the products over ``dims``: the last ``dims`` dimensions of ``a`` with the first of
    ``b``, or the dimensions two lists name. Made as torch makes it: both operands permuted and
    reshaped to matrices, one ``mm``, and a reshape to the free dimensions."""
    from nbgrad.ops.linalg import mm
    from nbgrad.ops.shape import permute, reshape

    check_tensor(a, "tensordot")
    check_tensor(b, "tensordot", "other", 2)
    da, db = _dims_pair(dims, a, b)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    sa, sb = a.shape, b.shape
    ca, cb = [], []
    for x, y in zip(da, db):
        ia, ib = wrap_dim(x, a.ndim), wrap_dim(y, b.ndim)
        if sa[ia] != sb[ib]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{sa[ia]} in dim {x} and second has size {sb[ib]} in dim {y}")
        ca.append(ia)
        cb.append(ib)
    free_a = [d for d in range(a.ndim) if d not in ca]
    free_b = [d for d in range(b.ndim) if d not in cb]
    k = math.prod(sa[d] for d in ca)
    m = reshape(permute(a, free_a + ca), (math.prod(sa[d] for d in free_a), k))
    n = reshape(permute(b, cb + free_b), (k, math.prod(sb[d] for d in free_b)))
    out = mm(m, n)
    return reshape(out, tuple(sa[d] for d in free_a) + tuple(sb[d] for d in free_b))


# --- kron ---------------------------------------------------------------------------------


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``, laid
    out in blocks. Made as torch makes it: both reshaped so that their dimensions interleave,
    multiplied (broadcasting does the rest), and reshaped to the blocks."""
    from nbgrad.ops.pointwise import mul

    check_tensor(input, "kron")
    check_tensor(other, "kron", "other", 2)
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    # a's dims at the even places, b's at the odd ones
    a_shape = tuple(v for s in sa for v in (s, 1))
    b_shape = tuple(v for s in sb for v in (1, s))
    out = mul(unsafe_view(input, a_shape), unsafe_view(other, b_shape))
    return unsafe_view(out, tuple(x * y for x, y in zip(sa, sb)))


def unsafe_view(input: Tensor, shape: tuple) -> Tensor:
    """torch's ``_unsafe_view``: a reshape recorded as ``UnsafeViewBackward0`` and not tracked
    as a view (what torch's composite ops end with)."""
    from nbgrad.ops.shape import UnsafeViewBackward0

    x = input._data
    return record(UnsafeViewBackward0, x.reshape(shape), (input,), (x.shape,))


# --- cross --------------------------------------------------------------------------------


class LinalgCrossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b, dim):
        return (None if b is None else _cross(F, b, g, dim),
                None if a is None else _cross(F, g, a, dim))


def _cross(F: Any, a: Any, b: Any, dim: int) -> Any:
    """``a x b`` along ``dim`` in the namespace ``F`` (arrays or tensors)."""
    def part(x: Any, i: int) -> Any:
        return F.index(x, (slice(None),) * dim + (slice(i, i + 1),))

    a0, a1, a2 = part(a, 0), part(a, 1), part(a, 2)
    b0, b1, b2 = part(b, 0), part(b, 1), part(b, 2)
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    if isinstance(a, np.ndarray):
        return np.concatenate(np.broadcast_arrays(*parts), axis=dim)
    from nbgrad.ops.shape import cat

    return cat(parts, dim)


_CROSS_WARNED = False


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (without it: the first dimension of size
    3, which torch warns about once)."""
    global _CROSS_WARNED
    check_tensor(input, "cross")
    check_tensor(other, "cross", "other", 2)
    if dim is None:
        shape = np.broadcast_shapes(input.shape, other.shape) if (
            input.ndim == other.ndim and _broadcasts(input.shape, other.shape)) else input.shape
        if not _CROSS_WARNED:
            import warnings

            _CROSS_WARNED = True  # torch says it once per process (TORCH_WARN_ONCE)
            warnings.warn(
                "Using nbgrad.cross without specifying the dim arg is deprecated.\nPlease "
                "either pass the dim explicitly or simply use nbgrad.linalg.cross.\nThe default "
                "value of dim will change to agree with that of linalg.cross in a future "
                "release.", UserWarning, stacklevel=2)
        threes = [i for i, s in enumerate(shape) if s == 3]
        if not threes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = threes[0]
    return _linalg_cross(input, other, dim)


def _linalg_cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_big(a)} but found {_big(b)}")
    shape = np.broadcast_shapes(a.shape, b.shape)
    data = _cross(_ARRAYS, a, b, d)
    saved = (input if other._requires_grad else None, other if input._requires_grad else None, d)
    return record(LinalgCrossBackward0, data.reshape(shape), (input, other), saved,
                  broadcast=True)


class _Arrays:
    """The one namespace function ``_cross`` needs, on arrays."""

    @staticmethod
    def index(x: np.ndarray, index: tuple) -> np.ndarray:
        return x[index]


_ARRAYS = _Arrays()
