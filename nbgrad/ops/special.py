"""More elementwise functions, each beside its derivative: one-sided clamps (``clamp_min``,
``clamp_max``), ``lerp`` (a straight line from ``input`` to ``end``), ``logaddexp``
(``log(exp(a) + exp(b))`` without overflow), ``hypot``, ``sinc``, ``xlogy`` (``x * log(y)``,
0 where x is 0), ``logit`` (the inverse of sigmoid), ``erfc``, ``erfinv`` and ``heaviside``
(a step, which torch gives no derivative).

The formulas are torch's (``tools/autograd/derivatives.yaml``), written with ``F`` so that
they also run on tensors, for second derivatives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import no_grad
from nbgrad._tensor import _wrap
from nbgrad.ops._core import (
    RESULT,
    Node,
    Tensor,
    as_float,
    binary_operands,
    check_broadcast,
    check_tensor,
    record,
)
from nbgrad.ops.division import _NoDerivative

__all__ = ["clamp_min", "clamp_max", "lerp", "logaddexp", "hypot", "sinc", "xlogy", "logit",
           "erfc", "erfinv", "heaviside"]

_SQRT_PI = math.sqrt(math.pi)


def _name(dt: Any) -> str:
    """torch's scalar name of a dtype (``Float``, ``Long``), as its kernel errors give it."""
    if isinstance(dt, np.dtype):
        dt = _dtype.from_numpy_dtype(dt)
    return _dtype._legacy_type_name(dt)[:-6]


_CPP = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
        "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
        "bool": "bool"}


def _const_like(t: Any, data: np.ndarray) -> Any:
    """What a backward should save for input ``t``, whose data an op promoted to ``data``:
    a constant promoted copy when ``t`` is a constant of another dtype (its gradient is never
    asked for, and the formulas then stay in the result's dtype), else ``t`` itself."""
    if isinstance(t, Tensor) and not t._requires_grad and t._data.dtype != np.asarray(data).dtype:
        return _wrap(np.asarray(data))
    return t


def _invalid(fn: str, got: tuple, overloads: str) -> TypeError:
    from nbgrad._size_args import _tp_name

    names = ", ".join(_tp_name(a) for a in got)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({names}), "
                     f"but expected one of:\n{overloads}")


# --- one-sided clamps -----------------------------------------------------------------------


class ClampMinBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, lo):
        return (F.keep(x >= lo, g),)


class ClampMinBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, x, lo):
        return F.keep(x >= lo, g), F.keep(x < lo, g)


class ClampMaxBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, hi):
        return (F.keep(x <= hi, g),)


class ClampMaxBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, x, hi):
        return F.keep(x <= hi, g), F.keep(x > hi, g)


def _clamp_one(input: Tensor, bound: Any, which: str) -> Tensor:
    fn = f"clamp_{which}"
    check_tensor(input, fn)
    if isinstance(bound, Tensor):
        a, b, _ = binary_operands(input, bound, fn)
        data = (np.maximum if which == "min" else np.minimum)(a, b)
        node = ClampMinBackward1 if which == "min" else ClampMaxBackward1
        return record(node, np.asarray(data), (input, bound),
                      (_const_like(input, a), _const_like(bound, b)), broadcast=True)
    if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, (int, float, np.generic)):
        raise _invalid(fn, (input, bound), f" * (Tensor input, Tensor {which}, *, Tensor out = "
                       f"None)\n * (Tensor input, Number {which}, *, Tensor out = None)\n")
    from nbgrad.ops.pointwise import clamp

    with no_grad():  # clamp's forward (its care for nan and the sign of zero), not its node
        data = clamp(input, **{which: bound})._data
    node = ClampMinBackward0 if which == "min" else ClampMaxBackward0
    return record(node, data, (input,), (input, bound))


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002 - torch's name
    """``max(input, min)``: every element at least ``min`` (a number or a tensor)."""
    return _clamp_one(input, min, "min")


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002 - torch's name
    """``min(input, max)``: every element at most ``max`` (a number or a tensor)."""
    return _clamp_one(input, max, "max")


# --- lerp -----------------------------------------------------------------------------------


class LerpBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, weight):
        return g * (1 - weight), g * weight


class LerpBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, start, end, weight):
        return g * (1 - weight), g * weight, g * (end - start)


_LERP = (" * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
         " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n")


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)``: the point a fraction ``weight`` of the way."""
    number = isinstance(weight, (int, float, np.generic)) and not isinstance(weight, bool)
    if not (isinstance(input, Tensor) and isinstance(end, Tensor)
            and (number or isinstance(weight, Tensor))):
        raise _invalid("lerp", (input, end, weight), _LERP)
    a, b = input._data, end._data
    for arg, t in (("end", b), ("weight", weight._data if not number else None)):
        if t is not None and t.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {_CPP[a.dtype.name]} for `{arg}` but got dtype "
                               f"{_CPP[t.dtype.name]}")
    if a.dtype.kind != "f":
        kernel = "lerp_kernel_scalar" if number else "lerp_kernel_tensor"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_name(a.dtype)}\'')
    w = a.dtype.type(weight) if number else weight._data
    check_broadcast(a, b)
    if not number:
        check_broadcast(np.broadcast_to(a, np.broadcast_shapes(a.shape, b.shape)), w)
    # torch's formula: from the nearer end, so that weight 1 gives ``end`` exactly
    diff = b - a
    data = np.asarray(np.where(np.abs(w) < 0.5, a + w * diff, b - diff * (1 - w)),
                      dtype=a.dtype)
    if number:
        return record(LerpBackward0, data, (input, end), (weight,), broadcast=True)
    return record(LerpBackward1, data, (input, end, weight), (input, end, weight),
                  broadcast=True)


# --- two-argument functions on floating tensors --------------------------------------------


def _float_pair(input: Tensor, other: Tensor, fn: str, kernel: str) -> tuple[Any, Any]:
    check_tensor(input, fn)
    check_tensor(other, fn, "other", 2)
    a, b, npdt = binary_operands(input, other, fn)
    if npdt.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_name(npdt)}\'')
    return a, b


class LogaddexpBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b):
        return g / (1 + F.exp(b - a)), g / (1 + F.exp(a - b))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))``, computed as ``max + log1p(exp(-|a - b|))`` so that
    it neither overflows nor underflows."""
    a, b = _float_pair(input, other, "logaddexp", "logaddexp_cpu")
    m = np.maximum(a, b)
    data = np.where((a == b) & np.isinf(a), a, m + np.log1p(np.exp(-np.abs(a - b))))
    return record(LogaddexpBackward0, np.asarray(data, dtype=m.dtype), (input, other),
                  (_const_like(input, a), _const_like(other, b)), broadcast=True)


class HypotBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b, result):
        return g * a / result, g * b / result


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input**2 + other**2)``, the length of the hypotenuse."""
    a, b = _float_pair(input, other, "hypot", "hypot_cpu")
    data = np.asarray(np.hypot(a, b))
    return record(HypotBackward0, data, (input, other),
                  (_const_like(input, a), _const_like(other, b), RESULT), broadcast=True)


def _xlogy_self(F: Any, x: Any, y: Any) -> Any:
    """``xlogy(x != 0, y)``: log(y) where x is not 0; where it is, 0 (nan where y is nan)."""
    if not isinstance(y, (Tensor, np.ndarray, np.generic)):  # a number
        return F.where(x != 0, math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan),
                       math.nan if y != y else 0.0)
    return F.where(x != 0, F.log(y), F.where(y != y, y, y * 0))


class XlogyBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y):
        return g * _xlogy_self(F, x, y), g * x / y


class XlogyBackward1(Node):  # a number times the log of a tensor
    __slots__ = ()

    def vjp(self, F, g, x, y):
        return (g * x / y,)


class XlogyBackward2(Node):  # a tensor times the log of a number
    __slots__ = ()

    def vjp(self, F, g, x, y):
        return (g * _xlogy_self(F, x, y),)


_XLOGY = (" * (Tensor input, Tensor other, *, Tensor out = None)\n"
          " * (Number self, Tensor other, *, Tensor out = None)\n"
          " * (Tensor input, Number other, *, Tensor out = None)\n")


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, taken as 0 where ``input`` is 0 (unless ``other`` is nan): the
    terms of an entropy, where ``0 * log 0`` counts as 0."""
    numbers = (bool, int, float, np.generic)
    a_t, b_t = isinstance(input, Tensor), isinstance(other, Tensor)
    if not ((a_t or isinstance(input, numbers)) and (b_t or isinstance(other, numbers))
            and (a_t or b_t)):
        raise _invalid("xlogy", (input, other), _XLOGY)
    a, b, _ = binary_operands(input, other, "xlogy", floating=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.where((np.asarray(a) == 0) & ~np.isnan(b), 0, a * np.log(b))
    npdt = a.dtype if isinstance(a, np.ndarray) else b.dtype
    data = np.asarray(data, dtype=npdt)
    if a_t and b_t:
        return record(XlogyBackward0, data, (input, other),
                      (_const_like(input, a), _const_like(other, b)), broadcast=True)
    if b_t:
        return record(XlogyBackward1, data, (other,), (a, _const_like(other, b)))
    return record(XlogyBackward2, data, (input,), (_const_like(input, a), b))


# --- functions of one variable --------------------------------------------------------------


class SincBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        # torch's sinc_backward: the quotient rule, then 0 where x is 0 (after the division,
        # as torch does: a second derivative there is nan, as torch's)
        xpi = x * math.pi
        out = g * (xpi * F.cos(xpi) - F.sin(xpi)) / (x * x * math.pi)
        return (F.where(x * x * math.pi == 0, 0.0, out),)


def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, and 1 at 0 (the limit)."""
    x = as_float(input, "sinc")
    if x is not input._data:
        input = _wrap(x)  # an integer input: a float copy to save (it never requires grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        xpi = x * x.dtype.type(math.pi)
        data = np.where(x == 0, x.dtype.type(1), np.sin(xpi) / xpi)
    return record(SincBackward0, np.asarray(data, dtype=x.dtype), (input,), (input,))


class LogitBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, eps):
        d = g / (x * (1 - x))
        if eps is None:  # outside [0, 1] the logit is nan, and so is its slope
            return (F.where((x < 0) | (x > 1), math.nan, d),)
        return (F.where((x < eps) | (x > 1 - eps), 0.0, d),)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(x / (1 - x))``, the inverse of sigmoid; with ``eps``, x is first clamped to
    ``[eps, 1 - eps]`` (and the slope is 0 outside)."""
    x = as_float(input, "logit")
    if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float))):
        raise TypeError(f"logit(): argument 'eps' (position 2) must be float, not "
                        f"{type(eps).__name__}")
    if x is not input._data:
        input = _wrap(x)
    if eps is not None:
        lo = x.dtype.type(eps)
        x = np.clip(x, lo, x.dtype.type(1) - lo)
    data = np.log(x / (1 - x))
    return record(LogitBackward0, np.asarray(data), (input,), (input, eps))


_ERFC = np.frompyfunc(math.erfc, 1, 1)


class ErfcBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * (-2 / _SQRT_PI) * F.exp(-(x * x)),)


def erfc(input: Tensor) -> Tensor:
    """``1 - erf(x)``, accurate where erf is near 1."""
    x = as_float(input, "erfc")
    data = np.asarray(_ERFC(np.asarray(x, dtype=np.float64)), dtype=np.float64)
    return record(ErfcBackward0, data.astype(x.dtype, copy=False), (input,), (input,))


class ErfinvBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * (0.5 * _SQRT_PI) * F.exp(result * result),)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """The inverse error function of a floating array, in float64: Giles's single-precision
    approximation ("Approximating the erfinv function", 2010), then Newton's steps on ``erf``
    to full precision. ``erfinv(±1)`` is ±inf; outside [-1, 1], nan."""
    from nbgrad.ops.trig import erf_array

    y = np.asarray(y, dtype=np.float64)
    inside = np.abs(y) < 1
    v = np.where(inside, y, 0.0)
    w = -np.log((1.0 - v) * (1.0 + v))
    central = w < 5.0
    s = np.where(central, w - 2.5, np.sqrt(w) - 3.0)
    p_central = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
    p_tail = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
    p = np.zeros_like(s)
    for c, t in zip(p_central, p_tail):  # Horner's rule, both polynomials at once
        p = p * s + np.where(central, c, t)
    x = p * v
    # Newton's steps: on erf(x) = v near 0; near ±1, where erf rounds to 1 and the
    # approximation (fitted for float32's range) is poorest, on log(erfc(|x|)) = log(1 - |v|),
    # which is nearly a parabola and keeps its digits
    near_one = np.abs(v) >= 0.5
    log_rest = np.log(1.0 - np.abs(v))  # 1 - |v| is exact for |v| >= 0.5
    ax = np.abs(x)
    for _ in range(4):
        tail = np.asarray(_ERFC(ax), dtype=np.float64)
        ax = np.where(near_one, ax + (np.log(tail) - log_rest) * tail * (_SQRT_PI / 2)
                      * np.exp(ax * ax), ax)
    x = np.where(near_one, np.copysign(ax, v), x)
    for _ in range(2):  # each step doubles the correct digits
        x = np.where(near_one, x, x - (erf_array(x) - v) / ((2 / _SQRT_PI) * np.exp(-x * x)))
    x = np.where(inside, x, np.where(np.abs(y) == 1, np.copysign(np.inf, y), np.nan))
    return x


def erfinv(input: Tensor) -> Tensor:
    """The inverse of ``erf`` on (-1, 1): ``erfinv(erf(x)) == x``."""
    x = as_float(input, "erfinv")
    data = erfinv_array(x).astype(x.dtype, copy=False)
    return record(ErfinvBackward0, np.asarray(data), (input,), (RESULT,))


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The step function: 0 where ``input`` < 0, 1 where > 0, ``values`` where it is 0. It
    has no derivative in torch: a backward through it says so."""
    check_tensor(input, "heaviside")
    check_tensor(values, "heaviside", "values", 2)
    a, v = input._data, values._data
    if a.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    check_broadcast(a, v)
    data = np.asarray(np.where(a == 0, v, a > 0), dtype=a.dtype)
    return record(_NoDerivative, data, (input, values), ("heaviside",))
