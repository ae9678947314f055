"""More functions of one variable, each beside its derivative: the hyperbolic ``sinh`` and
``cosh``, the inverse trigonometric ``asin``, ``acos``, ``atan`` and ``atan2(y, x)`` (the angle
of the point ``(x, y)``, broadcast), the error function ``erf`` and ``rsqrt`` (``1/sqrt``)."""

from __future__ import annotations

import math

import numpy as np

from nbgrad.ops._core import RESULT, Node, Tensor, as_float, binary_operands, check_tensor, record

__all__ = ["erf", "rsqrt", "sinh", "cosh", "asin", "acos", "atan", "atan2", "arcsin", "arccos",
           "arctan", "arctan2"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ERF = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; math.erf is exact to a float64 ulp


class ErfBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * _TWO_OVER_SQRT_PI * F.exp(-(x * x)),)


def erf_array(x: np.ndarray) -> np.ndarray:
    """``erf`` of a floating array, computed in float64 and returned in ``x``'s dtype."""
    return np.asarray(_ERF(np.asarray(x, dtype=np.float64)), dtype=np.float64).astype(
        x.dtype, copy=False)


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral of exp(-t**2) from 0 to x``."""
    x = as_float(input, "erf")
    return record(ErfBackward0, erf_array(x), (input,), (input,))


class RsqrtBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (-0.5 * g * result * result * result,)


def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(x)``."""
    x = as_float(input, "rsqrt")
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.reciprocal(np.sqrt(x))
    return record(RsqrtBackward0, data, (input,), (RESULT,))


class SinhBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * F.cosh(x),)


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine ``(exp(x) - exp(-x)) / 2``."""
    return record(SinhBackward0, np.sinh(as_float(input, "sinh")), (input,), (input,))


class CoshBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * F.sinh(x),)


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine ``(exp(x) + exp(-x)) / 2``."""
    return record(CoshBackward0, np.cosh(as_float(input, "cosh")), (input,), (input,))


class AsinBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * (1 - x * x) ** -0.5,)


def asin(input: Tensor) -> Tensor:
    """The inverse sine, in ``[-pi/2, pi/2]`` (nan outside ``[-1, 1]``)."""
    return record(AsinBackward0, np.arcsin(as_float(input, "asin")), (input,), (input,))


class AcosBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (-g * (1 - x * x) ** -0.5,)


def acos(input: Tensor) -> Tensor:
    """The inverse cosine, in ``[0, pi]`` (nan outside ``[-1, 1]``)."""
    return record(AcosBackward0, np.arccos(as_float(input, "acos")), (input,), (input,))


class AtanBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g / (1 + x * x),)


def atan(input: Tensor) -> Tensor:
    """The inverse tangent, in ``(-pi/2, pi/2)``."""
    return record(AtanBackward0, np.arctan(as_float(input, "atan")), (input,), (input,))


class Atan2Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, y, x):
        # torch's formula, with a gradient of 0 at the origin, where atan2 has no slope
        # (masked after the division, as torch does: a second derivative there is nan)
        r2 = y * y + x * x
        inv = F.keep(r2 != 0, 1 / r2)
        return g * x * inv, -g * y * inv


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point ``(other, input)`` from the x axis, in ``[-pi, pi]``
    (elementwise, broadcast; integers give floating point)."""
    check_tensor(input, "atan2")
    check_tensor(other, "atan2", "other", 2)
    a, b, _ = binary_operands(input, other, "atan2", floating=True)
    return record(Atan2Backward0, np.arctan2(a, b), (input, other), (input, other),
                  broadcast=True)


# NumPy's names, which torch also has (its messages name the function called)


def arcsin(input: Tensor) -> Tensor:
    """``asin``, under NumPy's name."""
    check_tensor(input, "arcsin")
    return asin(input)


def arccos(input: Tensor) -> Tensor:
    """``acos``, under NumPy's name."""
    check_tensor(input, "arccos")
    return acos(input)


def arctan(input: Tensor) -> Tensor:
    """``atan``, under NumPy's name."""
    check_tensor(input, "arctan")
    return atan(input)


def arctan2(input: Tensor, other: Tensor) -> Tensor:
    """``atan2``, under NumPy's name."""
    check_tensor(input, "arctan2")
    check_tensor(other, "arctan2", "other", 2)
    return atan2(input, other)
