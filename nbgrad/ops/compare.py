"""Comparisons as functions: ``eq``, ``ne``, ``lt``, ``le``, ``gt``, ``ge`` (the operators'
functions and methods, with torch's words for a wrong argument), and the closeness tests
``isclose``, ``allclose`` and ``equal``. None of them is part of the graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import Tensor, check_broadcast, check_tensor
from nbgrad.ops.pointwise import compare

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "isclose", "allclose", "equal",
           "comparison_method"]

_UFUNCS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}


def _type_name(x: Any) -> str:
    return "Tensor" if isinstance(x, Tensor) else type(x).__name__


def _detailed_name(x: Any) -> str:
    """How torch names an argument's type where it says why it did not match."""
    if isinstance(x, (list, tuple)) and x:
        inner = ", ".join(dict.fromkeys(_type_name(e) for e in x))
        return f"{type(x).__name__} of [{inner}]"
    return _type_name(x)


def _function_error(name: str, args: tuple) -> TypeError:
    got = ", ".join(_type_name(a) for a in args)
    return TypeError(
        f"{name}() received an invalid combination of arguments - got ({got}), but expected "
        f"one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
        f" * (Tensor input, Number other, *, Tensor out = None)\n")


def _method_error(name: str, args: tuple) -> TypeError:
    got = ", ".join(_type_name(a) for a in args)
    if len(args) == 1:
        why = ("\n      didn't match because some of the arguments have invalid types: "
               f"(!{_detailed_name(args[0])}!)")
    else:
        why = ""
    return TypeError(
        f"{name}() received an invalid combination of arguments - got ({got}), but expected "
        f"one of:\n * (Tensor other){why}\n * (Number other){why}\n")


def _compare(name: str, args: tuple) -> Tensor:
    if len(args) == 2 and isinstance(args[0], Tensor):
        out = compare(_UFUNCS[_CANONICAL.get(name, name)], args[0], args[1])
        if out is not NotImplemented:
            return out
    raise _function_error(name, args)


_CANONICAL = {"greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le",
              "not_equal": "ne"}


def eq(input: Tensor, *args: Any) -> Tensor:
    """``input == other`` elementwise, as a bool tensor."""
    return _compare("eq", (input, *args))


def ne(input: Tensor, *args: Any) -> Tensor:
    """``input != other`` elementwise, as a bool tensor."""
    return _compare("ne", (input, *args))


def lt(input: Tensor, *args: Any) -> Tensor:
    """``input < other`` elementwise, as a bool tensor."""
    return _compare("lt", (input, *args))


def le(input: Tensor, *args: Any) -> Tensor:
    """``input <= other`` elementwise, as a bool tensor."""
    return _compare("le", (input, *args))


def gt(input: Tensor, *args: Any) -> Tensor:
    """``input > other`` elementwise, as a bool tensor."""
    return _compare("gt", (input, *args))


def ge(input: Tensor, *args: Any) -> Tensor:
    """``input >= other`` elementwise, as a bool tensor."""
    return _compare("ge", (input, *args))


def alias(name: str) -> Any:
    """The function ``name`` (``greater``, ``less_equal``, ...): ``gt``, ``le``, ... under
    torch's other name, which its error messages use."""
    def fn(input: Tensor, *args: Any) -> Tensor:
        return _compare(name, (input, *args))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``{_CANONICAL[name]}`` under another name."
    return fn


def comparison_method(name: str) -> Any:
    """The method ``x.eq(other)`` (or ``x.greater(other)``...): torch's message for a wrong
    argument, where the operator ``x == None`` would fall back to Python's ``False``."""
    ufunc = _UFUNCS[_CANONICAL.get(name, name)]

    def method(self: Tensor, *args: Any) -> Tensor:
        if len(args) == 1:
            out = compare(ufunc, self, args[0])
            if out is not NotImplemented:
                return out
        raise _method_error(name, args)

    method.__name__ = method.__qualname__ = name
    return method


def _close_operands(input: Any, other: Any, fn: str, rtol: float, atol: float) -> tuple:
    check_tensor(input, fn)
    check_tensor(other, fn, "other", 2)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_dtype._legacy_type_name(input.dtype)[:-6]} did not match "
                           f"{_dtype._legacy_type_name(other.dtype)[:-6]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    a, b = input._data, other._data
    check_broadcast(a, b)
    return a, b


def _isclose(a: np.ndarray, b: np.ndarray, rtol: float, atol: float,
             equal_nan: bool) -> np.ndarray:
    close = np.equal(a, b)
    floating = a.dtype.kind == "f"
    if equal_nan and floating:
        close |= np.isnan(a) & np.isnan(b)
    if rtol == 0 and atol == 0:
        return np.asarray(close)
    if not floating:  # torch's tolerance for integers (and bools) is a default-float one
        fdt = _dtype.get_default_dtype().numpy
        a, b = a.astype(fdt), b.astype(fdt)
    with np.errstate(invalid="ignore", over="ignore"):
        actual = np.abs(a - b)
        allowed = atol + np.abs(rtol * b)
        close |= np.isfinite(actual) & (actual <= allowed)
    return np.asarray(close)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Whether ``|input - other| <= atol + rtol * |other|`` elementwise (a bool tensor)."""
    a, b = _close_operands(input, other, "isclose", rtol, atol)
    return _wrap(_isclose(a, b, rtol, atol, equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element of ``input`` is close to ``other``'s (see ``isclose``)."""
    a, b = _close_operands(input, other, "allclose", rtol, atol)
    return bool(_isclose(a, b, rtol, atol, equal_nan).all())


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same size and the same elements."""
    check_tensor(input, "equal")
    check_tensor(other, "equal", "other", 2)
    a, b = input._data, other._data
    return a.shape == b.shape and bool(np.all(a == b))
