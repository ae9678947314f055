"""More exponentials and logarithms: ``log1p``, ``expm1``, ``log2``, ``log10``, ``exp2``,
each beside its derivative. ``log1p`` and ``expm1`` are accurate near 0, where ``log(1 + x)``
and ``exp(x) - 1`` lose their digits."""

from __future__ import annotations

import math

import numpy as np

from nbgrad.ops._core import RESULT, Node, Tensor, as_float, record

__all__ = ["log1p", "expm1", "log2", "log10", "exp2"]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


class Log1PBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g / (x + 1),)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + x)``."""
    x = as_float(input, "log1p")
    return record(Log1PBackward0, np.log1p(x), (input,), (input,))


class Expm1Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * (result + 1),)


def expm1(input: Tensor) -> Tensor:
    """``exp(x) - 1``."""
    return record(Expm1Backward0, np.expm1(as_float(input, "expm1")), (input,), (RESULT,))


class Log2Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g / (x * _LN2),)


def log2(input: Tensor) -> Tensor:
    return record(Log2Backward0, np.log2(as_float(input, "log2")), (input,), (input,))


class Log10Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g / (x * _LN10),)


def log10(input: Tensor) -> Tensor:
    return record(Log10Backward0, np.log10(as_float(input, "log10")), (input,), (input,))


class Exp2Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * result * _LN2,)


def exp2(input: Tensor) -> Tensor:
    """``2 ** x``."""
    return record(Exp2Backward0, np.exp2(as_float(input, "exp2")), (input,), (RESULT,))
