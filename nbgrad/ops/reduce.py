"""Reductions (sum, mean, max, min) and the softmax family, each beside its backward.

A reduction's backward spreads the gradient back over the elements that were reduced: evenly
for ``sum`` (each element counted once), divided by ``n`` for ``mean``, and only to the winning
element(s) for ``max``/``min``.
"""

from __future__ import annotations

import builtins
import math
from typing import Any, NamedTuple

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import RESULT, Node, Tensor, as_float, check_tensor, record, wrap_dim

__all__ = ["sum", "mean", "max", "min", "argmax", "argmin", "softmax", "log_softmax",
           "amax", "amin"]


def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative axes (None: every axis)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return None
    wrapped = tuple(sorted(wrap_dim(d, ndim) for d in dims))
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"dim {wrapped[0]} appears multiple times in the list of dims")
    return wrapped if ndim else None  # a 0-d tensor accepts dim 0 (or -1): its one element


def _unreduce(F: Any, g: Any, shape: tuple, dims: tuple | None, keepdim: bool) -> Any:
    """Put back the reduced axes of ``g`` (as size 1) so that it broadcasts over ``shape``."""
    if dims is not None and not keepdim:
        for d in dims:
            g = F.unsqueeze(g, d)
    elif dims is None and not keepdim:
        g = F.reshape(g, (1,) * len(shape))
    return g


# A plain (NumPy) backward spreads a reduction's gradient with ``_spread``, which makes
# fewer calls than ``F.expand(_unreduce(...))``: np.broadcast_to and np.expand_dims cost
# microseconds of Python each, more than writing out a small result.
_SPREAD_COPY = 1 << 16  # up to this many elements the spread gradient is written out


def _spread(g: Any, shape: tuple, dims: tuple | None) -> np.ndarray:
    """``g`` (the reduced axes ``dims`` removed or kept as 1; None: every axis) spread over
    ``shape``: a fresh array when small, else a read-only broadcast view (no memory)."""
    kept = (1,) * len(shape) if dims is None else tuple(
        [1 if i in dims else n for i, n in enumerate(shape)])
    if g.__class__ is not np.ndarray:
        g = np.asarray(g)  # a NumPy scalar
    g = g.reshape(kept)  # inserting or keeping axes of length 1 is always a view
    if math.prod(shape) <= _SPREAD_COPY:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


# --- sum and mean -------------------------------------------------------------------------


class SumBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape):
        if not isinstance(g, Tensor):
            return (_spread(g, shape, None),)
        # torch expands the 0-d gradient as it is (no reshape first): its graph is one node
        return (F.expand(g, shape),)


class SumBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, dims, keepdim):
        if not isinstance(g, Tensor):
            return (_spread(g, shape, dims),)
        return (F.expand(_unreduce(F, g, shape, dims, keepdim), shape),)


# A reduction's gradient needs its dtype restored only when ``dtype=`` changed it (the engine's
# ``broadcast`` fix-up does that).


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Add up the elements (of the dimensions ``dim``); integers and bools sum to int64."""
    check_tensor(input, "sum")
    x = input._data
    if dtype is not None:
        out_dt = dtype.numpy
    elif x.dtype.kind in "biu":
        out_dt = np.int64
    else:
        out_dt = x.dtype
    dims = _dims(dim, x.ndim)
    if dims is None and not (keepdim and dim is not None):
        data = np.add.reduce(x, axis=None, dtype=out_dt)  # np.sum without its Python wrapper
        if not isinstance(data, np.ndarray):
            data = np.asarray(data)
        if keepdim:
            data = data.reshape((1,) * x.ndim)
        if dim is None and not keepdim:
            return record(SumBackward0, data, (input,), (x.shape,), broadcast=data.dtype != x.dtype)
        return record(SumBackward1, data, (input,), (x.shape, None, keepdim),
                      broadcast=data.dtype != x.dtype)
    data = np.asarray(np.add.reduce(x, axis=dims, dtype=out_dt, keepdims=keepdim))
    return record(SumBackward1, data, (input,), (x.shape, dims, keepdim),
                  broadcast=data.dtype != x.dtype)


class MeanBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, n):
        if not isinstance(g, Tensor):
            return (_spread(g / n, shape, None),)
        return (F.expand(F.reshape(g / n, (1,) * len(shape)), shape),)


class MeanBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, dims, keepdim, n):
        if not isinstance(g, Tensor):
            return (_spread(g / n, shape, dims),)
        return (F.expand(_unreduce(F, g / n, shape, dims, keepdim), shape),)


# Counts up to 2**24 are exact in float32 (float16's 2048 is too few to be worth a case).
_EXACT_COUNT = 1 << 24


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The average of the elements (of the dimensions ``dim``); floating point only."""
    check_tensor(input, "mean")
    x = input._data
    out = dtype if dtype is not None else input.dtype
    if not out.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dtype._legacy_type_name(out)[:-6]}"
        )
    dims = _dims(dim, x.ndim)
    n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
    if dims is None and dim is None and not keepdim:
        if n:
            # np.mean's own arithmetic, without its Python wrapper: the sum in the result
            # dtype, divided by the count as an intp, cast back to that dtype
            total = np.add.reduce(x, axis=None, dtype=out.numpy)
            if n <= _EXACT_COUNT and out is not _dtype.float16:
                # The same number, quicker: divided by a Python int (weakly typed, so the
                # division is in float32) or in float64 and rounded to float32, the quotient
                # of two exact float32 values is the same correctly rounded number.
                data = np.asarray(total / n)
            else:
                data = np.asarray(total.dtype.type(total / np.intp(n)))
        else:
            data = np.asarray(np.mean(x, dtype=out.numpy))  # nan, with NumPy's warning
        return record(MeanBackward0, data, (input,), (x.shape, n), broadcast=data.dtype != x.dtype)
    data = np.asarray(np.mean(x, axis=dims, dtype=out.numpy, keepdims=keepdim))
    return record(MeanBackward1, data, (input,), (x.shape, dims, keepdim, n),
                  broadcast=data.dtype != x.dtype)


# --- max and min --------------------------------------------------------------------------


class _Reduced(NamedTuple):
    values: Tensor
    indices: Tensor


class _ReturnType(_Reduced):
    """``(values, indices)``, printed as torch prints its ``torch.return_types``."""

    _op = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # named as torch names its classes (type(x.max(0)) is torch.return_types.max), and
        # found there by pickle: nbgrad/return_types.py holds them under these names
        super().__init_subclass__(**kwargs)
        cls.__name__ = cls.__qualname__ = cls._op
        cls.__module__ = "nbgrad.return_types"

    def __repr__(self) -> str:
        return (f"nbgrad.return_types.{self._op}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")


class MaxResult(_ReturnType):
    _op = "max"


class MinResult(_ReturnType):
    _op = "min"


class MaxBackward1(Node):
    """The gradient of a full max goes to the maximum; ties share it evenly (as in torch)."""

    __slots__ = ()

    def vjp(self, F, g, x, result):
        # torch's evenly_distribute_backward: a nan maximum belongs to the nan elements, and
        # the rest get exactly 0 (where, not a product: g may be inf or nan)
        won = (x != x) if result != result else (x == result)
        return (F.keep(won, g / F.sum(F.mask(won, g), None)),)


class MinBackward1(MaxBackward1):
    __slots__ = ()


class MaxBackward0(Node):
    """The gradient of ``max(dim)`` goes to the one element its ``indices`` name."""

    __slots__ = ()

    def vjp(self, F, g, shape, dim, keepdim, indices):
        if not keepdim:
            g = F.unsqueeze(g, dim)
            indices = np.expand_dims(indices, dim)
        index = list(np.indices(indices.shape, sparse=True))
        index[dim] = indices
        return (F.index_put(shape, tuple(index), g, False),)


class MinBackward0(MaxBackward0):
    __slots__ = ()


def _extreme(input: Tensor, dim: Any, keepdim: bool, which: str) -> Any:
    from nbgrad.ops.pointwise import maximum, minimum

    x = input._data
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return (maximum if which == "max" else minimum)(input, dim)
    if dim is None:
        if x.size == 0:
            raise RuntimeError(
                f"{which}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        data = np.asarray(x.max() if which == "max" else x.min())
        node = MaxBackward1 if which == "max" else MinBackward1
        return record(node, data, (input,), (input, RESULT))
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        values = x
        idx = np.asarray(0)
    else:
        if x.shape[d] == 0:
            raise IndexError(
                f"{which}(): Expected reduction dim {d} to have non-zero size."
            )
        idx = (np.argmax if which == "max" else np.argmin)(x, axis=d, keepdims=keepdim)
        values = np.take_along_axis(x, idx if keepdim else np.expand_dims(idx, d), axis=d)
        if not keepdim:
            values = np.squeeze(values, d)
    node = MaxBackward0 if which == "max" else MinBackward0
    out = record(node, np.asarray(values), (input,), (x.shape, d, keepdim, idx))
    from nbgrad._tensor import _wrap

    result_cls = MaxResult if which == "max" else MinResult
    return result_cls(out, _wrap(np.asarray(idx, dtype=np.int64)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, the
    elementwise maximum."""
    check_tensor(input, "max")
    return _extreme(input, dim, keepdim, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The smallest element; see ``max``."""
    check_tensor(input, "min")
    return _extreme(input, dim, keepdim, "min")


class AmaxBackward0(Node):
    """The gradient of ``amax`` is shared evenly by the elements equal to the maximum (unlike
    ``max(dim)``, which sends it to the one element its index names)."""

    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, result):
        shape = tuple(x.shape)
        winners = F.mask(x == _unreduce(F, result, shape, dims, keepdim), g)
        share = _unreduce(F, g, shape, dims, keepdim) / F.sum(winners, dims, True)
        return (winners * share,)


class AminBackward0(AmaxBackward0):
    __slots__ = ()


def _amax(input: Tensor, dim: Any, keepdim: bool, which: str) -> Tensor:
    check_tensor(input, which)
    x = input._data
    dims = _dims(dim, x.ndim)  # () or None: every dimension
    data = np.asarray((np.amax if which == "amax" else np.amin)(x, axis=dims, keepdims=keepdim))
    node = AmaxBackward0 if which == "amax" else AminBackward0
    return record(node, data, (input,), (input, dims, keepdim, RESULT))


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The largest elements along ``dim`` (one or several dimensions; all by default)."""
    return _amax(input, dim, keepdim, "amax")


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The smallest elements along ``dim``; see ``amax``."""
    return _amax(input, dim, keepdim, "amin")


def _arg(input: Tensor, dim: int | None, keepdim: bool, fn: Any) -> Tensor:
    from nbgrad._tensor import _wrap

    x = input._data
    if dim is None:
        if not x.size:  # NumPy's ValueError, in torch's words
            raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        out = np.asarray(fn(x), dtype=np.int64)
        return _wrap(out.reshape((1,) * x.ndim) if keepdim else out)
    d = wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _wrap(np.asarray(0, dtype=np.int64))
    if not x.shape[d]:
        raise IndexError(f"{fn.__name__}(): Expected reduction dim {d} to have non-zero size.")
    return _wrap(np.asarray(fn(x, axis=d, keepdims=keepdim), dtype=np.int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    check_tensor(input, "argmax")
    return _arg(input, dim, keepdim, np.argmax)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    check_tensor(input, "argmin")
    return _arg(input, dim, keepdim, np.argmin)


# --- softmax ------------------------------------------------------------------------------


def _softmax_input(input: Tensor, dim: int, name: str) -> tuple[np.ndarray | None, int]:
    """The data and the wrapped ``dim`` for ``softmax``/``log_softmax``; ``None`` for an empty
    input, which torch returns (as an empty copy) before it looks at the dtype."""
    x = input._data
    d = wrap_dim(dim, x.ndim)  # torch checks the dim first
    if x.size == 0:
        return None, d
    if not input.dtype.is_floating_point:
        # torch has a kernel for the last dimension and one for the others: the error names
        # the one it picked
        kernel = f"{name}_lastdim_kernel_impl" if d >= x.ndim - 1 else f"{name}_kernel_impl"
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_dtype._legacy_type_name(input.dtype)[:-6]}\''
        )
    return as_float(input), d


class SoftmaxBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dim, result):
        # The Jacobian of softmax is diag(s) - s s^T; applied to g without building it.
        if dim is not None and not isinstance(g, Tensor):
            # the same arithmetic, in one fresh array instead of three
            gs = g * result
            np.subtract(g, np.add.reduce(gs, axis=dim, keepdims=True), out=gs)
            gs *= result
            return (gs,)
        return (result * (g - F.sum(g * result, dim, True)),)


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably by subtracting the maximum first."""
    check_tensor(input, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    x, d = _softmax_input(input, dim, "softmax")
    if x is None:
        data = input._data.copy()
    elif x.ndim == 0:
        data = np.ones_like(x)
    else:
        e = np.exp(x - np.maximum.reduce(x, axis=d, keepdims=True))
        data = np.divide(e, np.add.reduce(e, axis=d, keepdims=True), out=e)
    return record(SoftmaxBackward0, data, (input,), (d if data.ndim else None, RESULT))


class LogSoftmaxBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dim, result):
        if dim is not None and not isinstance(g, Tensor):
            # the same arithmetic, in one fresh array instead of three
            e = np.exp(result)
            e *= np.add.reduce(g, axis=dim, keepdims=True)
            return (np.subtract(g, e, out=e),)
        return (g - F.exp(result) * F.sum(g, dim, True),)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)``: the log of softmax, without ever taking a log of zero."""
    check_tensor(input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    x, d = _softmax_input(input, dim, "log_softmax")
    if x is None:
        data = input._data.copy()
    elif x.ndim == 0:
        data = np.zeros_like(x)
    else:
        # x.max and .sum are these ufunc reductions behind a Python wrapper; the log of the
        # sums and the result are written in place (``shifted`` is this op's own array).
        shifted = x - np.maximum.reduce(x, axis=d, keepdims=True)
        total = np.add.reduce(np.exp(shifted), axis=d, keepdims=True)
        data = np.subtract(shifted, np.log(total, out=total), out=shifted)
    return record(LogSoftmaxBackward0, data, (input,), (d if data.ndim else None, RESULT))


_ = builtins
