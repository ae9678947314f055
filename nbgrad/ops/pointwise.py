"""Elementwise ops, each with its backward formula right beside it.

Read a node class as "the derivative of this op": ``SinBackward0.vjp`` returns
``g * cos(x)`` because d sin(x)/dx = cos(x). ``F`` is NumPy or nbgrad (see autograd.graph),
``g`` the gradient arriving from the op's output. Broadcasting and dtype promotion are undone
by the engine, not here.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.autograd import engine
from nbgrad.ops._core import (
    RESULT,
    Node,
    Tensor,
    _operand,
    as_float,
    binary_operands,
    check_broadcast,
    check_tensor,
    record,
)
from nbgrad.ops.division import div_rounded

__all__ = [
    "add", "sub", "rsub", "mul", "div", "pow", "neg", "reciprocal", "sin", "cos", "tan", "exp",
    "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "clamp", "where", "compare", "to_dtype",
    "clone", "square", "maximum", "minimum", "sign", "bitwise", "logical_not",
]


# With a Python number on one side nothing is broadcast and no dtype changes for an input that
# requires grad (a floating tensor keeps its dtype), so only tensor-tensor ops ask the engine
# for the ``broadcast`` fix-up.

_NUMBERS = (float, int)  # not bool: True * x follows torch's bool promotion


def _float_and_number(t: Any, number: Any) -> bool:
    """Whether ``t`` is a plain floating-point tensor and ``number`` a Python float or int:
    the commonest mix (``x * 0.5``, ``x ** 2``), which needs no promotion and no broadcasting,
    so the ops below skip ``binary_operands`` for it."""
    return number.__class__ in _NUMBERS and t.__class__ is Tensor and t._data.dtype.kind == "f"


# --- arithmetic ---------------------------------------------------------------------------


class AddBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, alpha):
        return g, (g if alpha == 1 else g * alpha)


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``."""
    if alpha == 1 and _float_and_number(input, other):
        return record(AddBackward0, input._data + other, (input, other), (1,))
    a, b, _ = binary_operands(input, other, "add")
    if isinstance(input, Tensor):
        data = a + b if alpha == 1 else a + alpha * b
        return record(AddBackward0, data, (input, other), (alpha,),
                      broadcast=isinstance(other, Tensor))
    data = b + a if alpha == 1 else alpha * b + a  # a number plus a tensor
    return record(AddBackward0, data, (other, input), (alpha,))


class SubBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, alpha):
        return g, -g * alpha


def _is_bool(x: Any) -> bool:
    if isinstance(x, Tensor):
        return x._data.dtype.kind == "b"
    return isinstance(x, (bool, np.bool_))


def _check_sub(a: Any, b: Any) -> None:
    """torch refuses ``-`` when either side is bool (a Python ``True`` counts as one)."""
    a_bool, b_bool = _is_bool(a), _is_bool(b)
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``."""
    check_tensor(input, "sub")
    _check_sub(input, other)
    a, b, _ = binary_operands(input, other, "sub")
    data = a - b if alpha == 1 else a - alpha * b
    return record(SubBackward0, data, (input, other), (alpha,),
                  broadcast=isinstance(other, Tensor))


class RsubBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, alpha):
        return (-g * alpha,)


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input`` for a number ``other``: what ``2 - x`` computes."""
    _check_sub(other, input)
    a, b, _ = binary_operands(input, other, "rsub")
    data = b - a if alpha == 1 else b - alpha * a
    return record(RsubBackward1, data, (input,), (alpha,))


def _needs(t: Any) -> bool:
    return isinstance(t, Tensor) and t._requires_grad


class MulBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True  # torch saves a Python factor as a tensor: x*2 can't backward twice

    def vjp(self, F, g, a, b):
        # Like torch, each factor is saved only when the other one needs its gradient.
        return (None if b is None else g * b), (None if a is None else g * a)


def mul(input: Any, other: Any) -> Tensor:
    if _float_and_number(input, other):
        return record(MulBackward0, input._data * other, (input, other),
                      (None, other if input._requires_grad else None))
    a, b, _ = binary_operands(input, other, "mul")
    if not isinstance(input, Tensor):
        input, other, a, b = other, input, b, a
    saved = (input if _needs(other) else None, other if input._requires_grad else None)
    return record(MulBackward0, a * b, (input, other), saved,
                  broadcast=isinstance(other, Tensor))


class DivBackward0(Node):
    __slots__ = ()
    numbers_are_saved = True

    def vjp(self, F, g, a, b):
        return g / b, (None if a is None else -g * a / (b * b))


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division: integers divide into floating point, as in torch. With
    ``rounding_mode`` ``"floor"`` or ``"trunc"``, the quotient rounded (see ops/division.py)."""
    check_tensor(input, "div")
    if rounding_mode is not None:
        return div_rounded(input, other, rounding_mode)
    a, b, _ = binary_operands(input, other, "div", floating=True)
    data = np.true_divide(a, b)
    saved = (input if _needs(other) else None, other)
    return record(DivBackward0, data, (input, other), saved,
                  broadcast=isinstance(other, Tensor))


class PowBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, exponent):
        if exponent == 0:
            return (g * 0,)
        if exponent == 2 and not isinstance(x, Tensor):  # a square: x ** 1 is x, so skip it
            return (g * 2 * x,)
        return (g * exponent * x ** (exponent - 1),)


class PowBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, base, exponent, result):
        d_base = g * exponent * base ** (exponent - 1)
        # d/de b**e = b**e * log(b), taken as 0 where b == 0 and e >= 0 (the limit torch uses)
        d_exp = g * F.where((base == 0) & (exponent >= 0), 0.0, result * F.log(base))
        return d_base, d_exp


class PowBackward2(Node):
    __slots__ = ()

    def vjp(self, F, g, base, result):
        if base == 0:
            return (g * F.where(result == result, 0.0, result),)  # zeros, keeping nan
        return (g * result * np.log(base),)


def _int_power(a: Any, e: Any) -> np.ndarray:
    """Integers to integer powers, some negative (NumPy refuses them), as torch computes
    them: 1 and -1 keep their powers, any other base gives 0 (what integer division of 1 by
    the power leaves)."""
    negative = np.less(e, 0)
    data = np.power(a, np.where(negative, 0, e))
    odd = np.remainder(e, 2) != 0
    small = np.where(np.equal(a, 1), 1, np.where(np.equal(a, -1), np.where(odd, -1, 1), 0))
    return np.where(negative, small, data).astype(data.dtype, copy=False)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - torch's name
    """``input ** exponent`` for tensors and numbers on either side."""
    if isinstance(exponent, Tensor) and not isinstance(input, Tensor):
        a, e, _ = binary_operands(input, exponent, "pow")
        try:
            data = np.power(a, e)
        except ValueError:  # integers to negative integer powers
            data = _int_power(a, e)
        return record(PowBackward2, data, (exponent,), (input, RESULT))
    if _float_and_number(input, exponent):
        a = input._data
        data = a * a if exponent == 2 else np.power(a, exponent)
        return record(PowBackward0, data, (input,), (input, exponent))
    check_tensor(input, "pow")
    a, e, npdt = binary_operands(input, exponent, "pow")
    if npdt.kind in "iu" and isinstance(e, int) and e < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    try:
        data = a * a if not isinstance(e, np.ndarray) and e == 2 else np.power(a, e)
    except ValueError:  # an integer tensor to an integer tensor's negative powers
        data = _int_power(a, e)
    if isinstance(exponent, Tensor):
        return record(PowBackward1, data, (input, exponent), (input, exponent, RESULT),
                      broadcast=True)
    return record(PowBackward0, data, (input,), (input, exponent))


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


class NegBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (-g,)


def neg(input: Tensor) -> Tensor:
    check_tensor(input, "neg")
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return record(NegBackward0, -input._data, (input,))


class ReciprocalBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (-g * result * result,)


def reciprocal(input: Tensor) -> Tensor:
    data = np.reciprocal(as_float(input, "reciprocal"))
    return record(ReciprocalBackward0, data, (input,), (RESULT,))


# --- functions of one variable ------------------------------------------------------------


class SinBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * F.cos(x),)


def sin(input: Tensor) -> Tensor:
    return record(SinBackward0, np.sin(as_float(input, "sin")), (input,), (input,))


class CosBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (-g * F.sin(x),)


def cos(input: Tensor) -> Tensor:
    return record(CosBackward0, np.cos(as_float(input, "cos")), (input,), (input,))


class TanBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * (1 + result * result),)


def tan(input: Tensor) -> Tensor:
    return record(TanBackward0, np.tan(as_float(input, "tan")), (input,), (RESULT,))


class ExpBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * result,)


def exp(input: Tensor) -> Tensor:
    data = np.exp(as_float(input, "exp"))
    return record(ExpBackward0, data, (input,), (RESULT,))


class LogBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g / x,)


def log(input: Tensor) -> Tensor:
    data = np.log(as_float(input, "log"))
    return record(LogBackward0, data, (input,), (input,))


class SqrtBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g / (2 * result),)


def sqrt(input: Tensor) -> Tensor:
    data = np.sqrt(as_float(input, "sqrt"))
    return record(SqrtBackward0, data, (input,), (RESULT,))


class SignBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (F.zeros(g.shape, g),)  # torch's zeros_like(grad): 0 even where g is nan


def sign(input: Tensor) -> Tensor:
    check_tensor(input, "sign")
    return record(SignBackward0, engine.NUMPY_NAMESPACE.sign(input._data), (input,))


class AbsBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * F.sign(x),)


def abs(input: Tensor) -> Tensor:  # noqa: A001 - torch's name
    check_tensor(input, "abs")
    return record(AbsBackward0, np.abs(input._data), (input,), (input,))


class TanhBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * (1 - result * result),)


def tanh(input: Tensor) -> Tensor:
    return record(TanhBackward0, np.tanh(as_float(input, "tanh")), (input,), (RESULT,))


class SigmoidBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        return (g * result * (1 - result),)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``; saturates to exactly 0 or 1 without warnings."""
    x = as_float(input, "sigmoid")
    data = 1 / (1 + np.exp(-x))
    return record(SigmoidBackward0, data, (input,), (RESULT,))


class ReluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, result):
        # The slope is 1 where the output is positive, else 0. torch's threshold_backward masks
        # where result <= 0, so a nan output passes the gradient on: for an output that is
        # never negative, that is result != 0.
        return (F.keep(result != 0, g),)


def relu(input: Tensor) -> Tensor:
    check_tensor(input, "relu")
    x = input._data
    if x.dtype == np.bool_:  # torch's relu (a clamp_min(0)) has no meaning for bool
        raise RuntimeError("Boolean inputs not supported for relu")
    data = np.maximum(x, 0)
    return record(ReluBackward0, data, (input,), (RESULT,))


class ClampBackward1(Node):
    __slots__ = ()

    def vjp(self, F, g, x, lo, hi):
        keep = (x >= lo) if hi is None else (x <= hi) if lo is None else (x >= lo) & (x <= hi)
        # where, not a product with the mask: as in torch, a clamped element gets 0 even when
        # the incoming gradient is inf or nan
        return (F.keep(keep, g),)


class ClampBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, lo, hi):
        d_lo = None if lo is None else F.keep(x < lo, g)
        d_hi = None if hi is None else F.keep(x > hi, g)
        return F.keep(_between(x, lo, hi), g), d_lo, d_hi


def _between(x: Any, lo: Any, hi: Any) -> Any:
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]``; the gradient passes where the bound was not
    applied (and at the bounds themselves, as in torch)."""
    check_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input._data
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min._data if isinstance(min, Tensor) else min
        hi = max._data if isinstance(max, Tensor) else max
        for bound in (lo, hi):
            if bound is not None:
                check_broadcast(x, bound)
        data = x
        if lo is not None:
            data = np.maximum(data, lo)
        if hi is not None:
            data = np.minimum(data, hi)
        data = data.astype(x.dtype, copy=False)
        return record(ClampBackward0, data, (input, min, max), (input, min, max),
                      broadcast=True)
    if x.dtype.kind == "f":
        # torch's min(max(x, min), max), where a tie keeps the first argument: NaN stays NaN
        # and a zero keeps its sign (np.clip's does not always). NumPy's maximum and minimum
        # agree with it but for the sign of a zero, so a zero bound takes np.where.
        data = x
        if min is not None:
            data = np.where(x < min, min, x) if min == 0 else np.maximum(x, min)
        if max is not None:
            data = np.where(data > max, max, data) if max == 0 else np.minimum(data, max)
    else:
        data = np.clip(x, min, max).astype(
            _dtype.result_type(input, *(b for b in (min, max) if b is not None)).numpy)
    return record(ClampBackward1, data, (input,), (input, min, max))


class MaximumBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b):
        # torch's formula: ties share the gradient equally, the smaller side gets 0, and
        # where a nan makes every comparison false, both sides get all of it
        shared = F.where(a == b, g / 2, g)
        return F.keep(~(a < b), shared), F.keep(~(a > b), shared)


class MinimumBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, a, b):
        shared = F.where(a == b, g / 2, g)  # as for maximum, the other way round
        return F.keep(~(a > b), shared), F.keep(~(a < b), shared)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    check_tensor(input, "maximum")
    check_tensor(other, "maximum", "other", 2)
    a, b, _ = binary_operands(input, other, "maximum")
    return record(MaximumBackward0, np.maximum(a, b), (input, other), (input, other),
                  broadcast=True)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    check_tensor(input, "minimum")
    check_tensor(other, "minimum", "other", 2)
    a, b, _ = binary_operands(input, other, "minimum")
    return record(MinimumBackward0, np.minimum(a, b), (input, other), (input, other),
                  broadcast=True)


# --- selection, comparison, conversion ----------------------------------------------------


class WhereBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, cond):
        zero = g * 0
        return F.where(cond, g, zero), F.where(cond, zero, g)


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """Pick from ``input`` where ``condition`` holds, from ``other`` elsewhere."""
    check_tensor(condition, "where", "condition")
    cond = condition._data
    if cond.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_dtype._legacy_type_name(condition.dtype)[:-6]}"  # "Float", torch's scalar name
        )
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        # two numbers, as in where(mask, 1., 0.): the pair's dtype as torch reads it (a
        # float is the default float dtype), never part of a graph
        a, b = _operand(input, "where", 2), _operand(other, "where", 3)
        dt = _dtype.result_type(a, b).numpy
        return _wrap(np.asarray(np.where(cond, a, b), dtype=dt))
    a, b, _ = binary_operands(input, other, "where")
    check_broadcast(cond, np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(b))))
    data = np.where(cond, a, b)
    return record(WhereBackward0, data, (input, other), (np.asarray(cond),), broadcast=True)


def compare(ufunc: np.ufunc, a: Any, b: Any) -> Tensor:
    """An elementwise comparison: a bool tensor, never part of the graph."""
    if isinstance(b, Tensor):
        bd = b._data
    elif isinstance(b, (bool, int, float, np.generic)):
        bd = b
    else:
        return NotImplemented
    ad = a._data
    if isinstance(b, Tensor):
        check_broadcast(ad, bd)
    return _wrap(np.asarray(ufunc(ad, bd)))


def bitwise(ufunc: np.ufunc, name: str, a: Tensor, b: Any) -> Tensor:
    """``&``, ``|``, ``^`` on bool or integer tensors: never part of the graph."""
    for x in (a, b):
        kind = x._data.dtype.kind if isinstance(x, Tensor) else (
            "f" if isinstance(x, float) else "i")
        if kind == "f":
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_dtype._legacy_type_name(x.dtype)[:-6]}'"
                                      if isinstance(x, Tensor) else
                                      f'"{name}_cpu" not implemented for \'Float\'')
    bd = b._data if isinstance(b, Tensor) else b
    if isinstance(b, Tensor):
        check_broadcast(a._data, bd)
    return _wrap(np.asarray(ufunc(a._data, bd)))


def logical_not(input: Tensor) -> Tensor:
    check_tensor(input, "logical_not")
    return _wrap(np.logical_not(input._data))


class ToCopyBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, source_dtype):
        return (F.cast(g, source_dtype),)


def to_dtype(input: Tensor, dtype: _dtype.dtype) -> Tensor:
    data = input._data.astype(dtype.numpy)
    if not dtype.is_floating_point:
        return _wrap(data)
    return record(ToCopyBackward0, data, (input,), (input.dtype,))


class CloneBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (g,)


def clone(input: Tensor) -> Tensor:
    check_tensor(input, "clone")
    return record(CloneBackward0, np.array(input._data, copy=True), (input,))


_ = builtins  # the module shadows abs, pow; keep builtins reachable for readers
