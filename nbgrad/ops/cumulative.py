"""Products and running totals: ``prod`` (of all elements or along a dimension), ``cumsum``
and ``cumprod``, each beside its backward. Integer and bool inputs give int64, as in torch.

A product's gradient is "the product of the other factors". Dividing the product by the
factor gives it, except where a factor is 0: the backward formulas below treat the zeros
apart (as torch does), so that ``prod`` and ``cumprod`` have exact gradients there too, and
are written with ``F`` so that they can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.ops._core import RESULT, Node, Tensor, check_tensor, record, wrap_dim
from nbgrad.ops.reduce import _unreduce

__all__ = ["prod", "cumsum", "cumprod", "prod_dims", "missing_dim", "NO_DIM",
           "prod_method", "check_dim", "dim_method"]

_NO_DIM: Any = object()  # no dim given (None means something else to torch)
NO_DIM = _NO_DIM


def _array(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x)


def _out_dtype(x: np.ndarray, dtype: Any) -> Any:
    if dtype is not None:
        return dtype.numpy
    return np.int64 if x.dtype.kind in "biu" else x.dtype


# --- prod ----------------------------------------------------------------------------------


class ProdBackward0(Node):
    """The gradient of the product of all elements."""

    __slots__ = ()

    def vjp(self, F, g, x, dims, keepdim, result):
        return (_prod_grad(F, g, x, dims, keepdim, result),)


class ProdBackward1(ProdBackward0):
    """The gradient of the products along one dimension."""

    __slots__ = ()


def _prod_grad(F: Any, g: Any, x: Any, dims: tuple | None, keepdim: bool, result: Any) -> Any:
    shape = tuple(x.shape)
    g = _unreduce(F, g, shape, dims, keepdim)
    r = _unreduce(F, result, shape, dims, keepdim)
    zero = _array(x) == 0
    if not zero.any():
        return g * r / x  # torch's formula: the product over the factor
    # Where a product holds a zero, it is 0 and so is its derivative but at a lone zero,
    # whose derivative is the product of the other (nonzero) factors.
    count = np.sum(zero, axis=dims, keepdims=True)
    if isinstance(g, Tensor) and dims is not None and (count > 1).any():
        # a graph of the gradient itself (create_graph), with a slice holding several zeros:
        # the products of the other factors, one position at a time, which stay
        # differentiable (torch's prod_safe_zeros_backward; its full product, dims None,
        # has a gradient of constant zeros there instead, as this one)
        return _omitted(F, x, dims[0], lambda y: g * F.prod(y, dims, True))
    lone = zero & (count == 1)
    safe = F.where(zero, 1, x)
    return F.keep(~zero, g * r / safe) + F.keep(lone, g * F.prod(safe, dims, True))


def _omitted(F: Any, x: Any, d: int, grad_with: Callable[[Any], Any]) -> Any:
    """The gradient at each position ``k`` along ``d``, from ``grad_with(y)``: ``y`` is ``x``
    with its factor at ``k`` taken as 1, so that the formula holds at zeros too and is
    differentiable (n formulas for n positions: for the rare double backward through zeros)."""
    n = x.shape[d]
    pos = np.arange(n).reshape([n if i == d else 1 for i in range(x.ndim)])
    total = None
    for k in range(n):
        term = F.keep(pos == k, grad_with(F.where(pos == k, 1, x)))
        total = term if total is None else total + term
    return total


def prod_dims(input: Tensor, dims: tuple | None, keepdim: bool) -> Tensor:
    """The product over the axes ``dims`` (None: all), as the backward formulas need it."""
    x = input._data
    data = np.asarray(np.prod(x, axis=dims, keepdims=keepdim))
    node = ProdBackward0 if dims is None and not keepdim else ProdBackward1
    return record(node, data, (input,), (input, dims, keepdim, RESULT))


def _prod_signature_error(args: tuple, method: bool) -> TypeError:
    got = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
    if method:
        forms = (" * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = False, *, "
                 "torch.dtype dtype = None)\n")
    else:
        forms = (" * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, int dim, "
                 "bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n")
    return TypeError(f"prod() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:\n{forms}")


def _is_dim(dim: Any) -> bool:
    return not isinstance(dim, bool) and isinstance(dim, (int, np.integer))


def prod(input: Tensor, dim: Any = _NO_DIM, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product of all elements, or along the dimension ``dim``."""
    check_tensor(input, "prod")
    if dim is not _NO_DIM and not _is_dim(dim):
        raise _prod_signature_error((input, dim), method=False)
    x = input._data
    out = _out_dtype(x, dtype)
    if dim is _NO_DIM:
        data = np.asarray(np.prod(x, dtype=out))
        dims, keepdim, node = None, False, ProdBackward0
    else:
        d = wrap_dim(int(dim), x.ndim)
        dims = (d,) if x.ndim else None
        data = np.asarray(np.prod(x, axis=dims, dtype=out, keepdims=keepdim))
        node = ProdBackward1
    if data.dtype.kind != "f":
        return _wrap(data)  # integers: never part of the graph
    return record(node, data, (input,), (input, dims, keepdim, RESULT),
                  broadcast=data.dtype != x.dtype)


# --- cumsum and cumprod --------------------------------------------------------------------


def _reverse_cumsum(F: Any, t: Any, d: int) -> Any:
    """``t`` summed from each position to the end of the dimension ``d``."""
    if isinstance(t, Tensor):
        return F.sum(t, d, True) - F.cumsum(t, d) + t
    return np.flip(np.cumsum(np.flip(t, d), d), d)


class CumsumBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, d):
        if d is None:  # a 0-d tensor: its one element
            return (g,)
        return (_reverse_cumsum(F, g, d),)


def missing_dim(name: str) -> TypeError:
    """torch's words for a reduction called without its required ``dim``."""
    return TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def check_dim(name: str, dim: Any, pos: int, several: bool = False) -> None:
    """torch's error for a ``dim`` that is not an int (or, with ``several``, not a tuple of
    ints); ``pos`` is its position as torch counts (1 for a method, 2 for a function)."""
    if dim is _NO_DIM:
        raise missing_dim(name)
    if _is_dim(dim):
        return
    if several and isinstance(dim, (tuple, list)) and all(
            isinstance(d, (int, np.integer)) for d in dim):
        return
    expected = "tuple of ints" if several else "int"
    raise TypeError(f"{name}(): argument 'dim' (position {pos}) must be {expected}, not "
                    f"{type(dim).__name__}")


def dim_method(fn: Callable, several: bool = False) -> Callable:
    """The method ``x.fn(dim, ...)``: as the function, with the method's count of positions
    in torch's message for a wrong ``dim``."""
    def method(self: Tensor, dim: Any = _NO_DIM, *args: Any, **kwargs: Any) -> Tensor:
        check_dim(fn.__name__, dim, 1, several)
        return fn(self, dim, *args, **kwargs)

    method.__name__ = method.__qualname__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def _cumulative(input: Tensor, dim: Any, dtype: Any, name: str) -> tuple[np.ndarray, Any, Any]:
    check_tensor(input, name)
    check_dim(name, dim, 2)
    x = input._data
    d = wrap_dim(dim, x.ndim)
    out = _out_dtype(x, dtype)
    return x, (d if x.ndim else None), out


def cumsum(input: Tensor, dim: int = _NO_DIM, *,  # type: ignore[assignment]
           dtype: Any = None) -> Tensor:
    """The running sums along ``dim``: element ``i`` is the sum of elements ``0..i``."""
    x, d, out = _cumulative(input, dim, dtype, "cumsum")
    data = np.array(x, dtype=out) if d is None else np.cumsum(x, axis=d, dtype=out)
    if data.dtype.kind != "f":
        return _wrap(data)
    return record(CumsumBackward0, data, (input,), (d,), broadcast=data.dtype != x.dtype)


class CumprodBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, d, result):
        if d is None:
            return (g,)
        xd = _array(x)
        zero = xd == 0
        if not zero.any():
            return (_reverse_cumsum(F, g * result, d) / x,)
        if isinstance(g, Tensor):  # create_graph: a formula differentiable at the zeros
            return (_omitted(F, x, d, lambda y: _reverse_cumsum(F, g * F.cumprod(y, d), d)),)
        # Before a slice's first zero, the formula without zeros holds; at the first zero,
        # the derivative is the running product with that factor taken as 1; after it, 0.
        n = xd.shape[d]
        first = np.where(zero.any(axis=d, keepdims=True), np.argmax(zero, axis=d, keepdims=True),
                         n)
        pos = np.arange(n).reshape([n if i == d else 1 for i in range(xd.ndim)])
        before, at = pos < first, pos == first
        term = F.keep(before, _reverse_cumsum(F, g * result, d) / F.where(before, x, 1))
        others = F.cumprod(F.where(at, 1, x), d)
        return (term + F.keep(at, _reverse_cumsum(F, g * others, d)),)


def cumprod(input: Tensor, dim: int = _NO_DIM, *,  # type: ignore[assignment]
             dtype: Any = None) -> Tensor:
    """The running products along ``dim``: element ``i`` is the product of elements
    ``0..i``."""
    x, d, out = _cumulative(input, dim, dtype, "cumprod")
    data = np.array(x, dtype=out) if d is None else np.cumprod(x, axis=d, dtype=out)
    if data.dtype.kind != "f":
        return _wrap(data)
    return record(CumprodBackward0, data, (input,), (input, d, RESULT),
                  broadcast=data.dtype != x.dtype)


def prod_method(self: Tensor, dim: Any = _NO_DIM, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``x.prod(dim)``: as ``prod``, with the method's words for a wrong ``dim``."""
    if dim is not _NO_DIM and not _is_dim(dim):
        raise _prod_signature_error((dim,), method=True)
    return prod(self, dim, keepdim, dtype=dtype)
