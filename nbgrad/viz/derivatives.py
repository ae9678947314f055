"""What each op is called on the drawing, and its local derivative.

Keyed by torch's ``grad_fn`` class names (``SinBackward0``), which nbgrad uses too, so one
table serves both frameworks. A local derivative is written with ``u`` for the input of a
one-input op and ``a``, ``b`` for the first and second input of a two-input op, then with
the numbers filled in when the inputs are known scalars::

    d sin(u)/du = cos(81) = 0.7767
    d u^2/du = 2*3 = 6
    d(a*b)/da = b = 6.7000

Chain rule: the gradient an op sends to an input is the gradient it received times this
local derivative.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nbgrad.viz.numbers import fmt, fmt_param

__all__ = ["Ctx", "op_label", "has_local", "local_derivative", "short_name", "input_key"]

_BACKWARD = re.compile(r"Backward\d*$")

# The name under which torch saves an op's input at each slot, where it is not the usual
# ("self", "other"). A constant input's value is read from there.
_INPUT_KEYS: dict[str, tuple[str, ...]] = {
    "PowBackward1": ("self", "exponent"),
    "PowBackward2": ("exponent",),
    "MmBackward0": ("self", "mat2"),
    "BmmBackward0": ("self", "mat2"),
    "MvBackward0": ("self", "vec"),
    "DotBackward0": ("self", "tensor"),
    "ClampBackward0": ("self", "min", "max"),
    "WhereBackward0": ("self", "other"),
}


def input_key(op: str, slot: int) -> str | None:
    """The saved name of input ``slot`` of ``op`` (``self``, ``other``, ``mat2``, ...)."""
    keys = _INPUT_KEYS.get(op, ("self", "other"))
    return keys[slot] if slot < len(keys) else None


def short_name(op: str) -> str:
    """``SinBackward0`` -> ``sin``; ``torch::autograd::AccumulateGrad`` -> ``AccumulateGrad``."""
    op = op.rsplit("::", 1)[-1]
    if _BACKWARD.search(op):
        op = _BACKWARD.sub("", op).lstrip("_")
        return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", op).lower()  # UnsafeView -> unsafe_view
    return op


@dataclass(frozen=True)
class Ctx:
    """What is known at one op: the scalar value of each input (None when unknown or not a
    scalar), the output's scalar value, each input's number of elements, and the values the
    op saved for its backward (``exponent``, ``min``, ``alpha``, ...)."""

    x: Sequence[float | None]
    y: float | None
    sizes: Sequence[int | None]
    saved: Mapping[str, object]

    def a(self) -> float:
        return _known(self.x[0] if self.x else None)

    def b(self) -> float:
        return _known(self.x[1] if len(self.x) > 1 else None)

    def out(self) -> float:
        return _known(self.y)

    def number(self, key: str) -> float:
        v = self.saved.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise LookupError(key)
        return v


def _known(v: float | None) -> float:
    if v is None:
        raise LookupError("value not known")
    return v


Numbers = Callable[[Ctx], tuple[str, float]]  # (the formula with numbers, its value)


@dataclass(frozen=True)
class Slot:
    """The derivative with respect to one input: ``left = right`` and, with numbers, more."""

    left: str | Callable[[Mapping[str, object]], str]
    right: str | Callable[[Mapping[str, object]], str]
    numbers: Numbers | None = None


@dataclass(frozen=True)
class OpInfo:
    label: str | Callable[[Mapping[str, object]], str]
    slots: tuple[Slot, ...] = ()


def _const(v: float) -> Numbers:
    return lambda c: ("", v)


def _param(saved: Mapping[str, object], key: str) -> str | None:
    v = saved.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return fmt_param(v)


def _with_dim(name: str) -> Callable[[Mapping[str, object]], str]:
    def label(saved: Mapping[str, object]) -> str:
        dim = saved.get("dim")
        if isinstance(dim, (tuple, list)) and len(dim) == 1:
            dim = dim[0]
        return name if dim is None or dim == () else f"{name} dim={dim}"

    return label


# -- pow with a number exponent --------------------------------------------------------------


def _pow_label(saved: Mapping[str, object]) -> str:
    n = _param(saved, "exponent")
    return f"pow {n}" if n is not None else "pow"


def _pow_left(saved: Mapping[str, object]) -> str:
    n = _param(saved, "exponent")
    return f"d u^{n}/du" if n is not None else "d u^n/du"


def _pow_right(saved: Mapping[str, object]) -> str:
    n = saved.get("exponent")
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        return "n*u^(n-1)"
    if n == 2:
        return "2*u"
    return f"{fmt_param(n)}*u^{fmt_param(n - 1)}"


def _pow_numbers(c: Ctx) -> tuple[str, float]:
    n, u = c.number("exponent"), c.a()
    if n == 2:
        return f"2*{fmt(u)}", 2 * u
    return f"{fmt_param(n)}*{fmt(u)}^{fmt_param(n - 1)}", n * u ** (n - 1)


# -- clamp -----------------------------------------------------------------------------------


def _bounds(saved: Mapping[str, object]) -> tuple[str, str]:
    return _param(saved, "min") or "-inf", _param(saved, "max") or "inf"


def _clamp_label(saved: Mapping[str, object]) -> str:
    lo, hi = _bounds(saved)
    return f"clamp [{lo}, {hi}]"


def _clamp_numbers(c: Ctx) -> tuple[str, float]:
    u = c.a()
    lo, hi = c.saved.get("min"), c.saved.get("max")
    inside = (not isinstance(lo, (int, float)) or u >= lo) and (
        not isinstance(hi, (int, float)) or u <= hi
    )
    lo_t, hi_t = _bounds(c.saved)
    return f"[{lo_t} <= {fmt(u)} <= {hi_t}]", 1.0 if inside else 0.0


def _mean_numbers(c: Ctx) -> tuple[str, float]:
    n = c.sizes[0] if c.sizes else None
    if not n:
        raise LookupError("size not known")
    return f"1/{n}", 1.0 / n


def _alpha(c: Ctx) -> float:
    try:
        return c.number("alpha")
    except LookupError:
        return 1.0


def _unary(label: str, left: str, right: str, numbers: Numbers | None) -> OpInfo:
    return OpInfo(label, (Slot(left, right, numbers),))


_TABLE: dict[str, OpInfo] = {
    "NegBackward0": _unary("neg", "d(-u)/du", "-1", _const(-1.0)),
    "AddBackward1": _unary("add", "d(u + c)/du", "1", _const(1.0)),  # a number added in C++
    "ExpBackward0": _unary("exp", "d exp(u)/du", "exp(u)",
                           lambda c: (f"exp({fmt(c.a())})", math.exp(c.a()))),
    "LogBackward0": _unary("log", "d log(u)/du", "1/u",
                           lambda c: (f"1/{fmt(c.a())}", 1 / c.a())),
    "SinBackward0": _unary("sin", "d sin(u)/du", "cos(u)",
                           lambda c: (f"cos({fmt(c.a())})", math.cos(c.a()))),
    "CosBackward0": _unary("cos", "d cos(u)/du", "-sin(u)",
                           lambda c: (f"-sin({fmt(c.a())})", -math.sin(c.a()))),
    "TanBackward0": _unary("tan", "d tan(u)/du", "1 + tan(u)^2",
                           lambda c: (f"1 + {fmt(c.out())}^2", 1 + c.out() ** 2)),
    "TanhBackward0": _unary("tanh", "d tanh(u)/du", "1 - tanh(u)^2",
                            lambda c: (f"1 - {fmt(c.out())}^2", 1 - c.out() ** 2)),
    "SigmoidBackward0": _unary("sigmoid", "d sigmoid(u)/du", "s*(1 - s)",
                               lambda c: (f"{fmt(c.out())}*(1 - {fmt(c.out())})",
                                          c.out() * (1 - c.out()))),
    "ReluBackward0": _unary("relu", "d relu(u)/du", "[u > 0]",
                            lambda c: (f"[{fmt(c.out())} > 0]", 1.0 if c.out() > 0 else 0.0)),
    "SqrtBackward0": _unary("sqrt", "d sqrt(u)/du", "1/(2*sqrt(u))",
                            lambda c: (f"1/(2*{fmt(c.out())})", 0.5 / c.out())),
    "ReciprocalBackward0": _unary("reciprocal", "d (1/u)/du", "-1/u^2",
                                  lambda c: (f"-{fmt(c.out())}^2", -c.out() ** 2)),
    "AbsBackward0": _unary("abs", "d |u|/du", "sign(u)",
                           lambda c: (f"sign({fmt(c.a())})",
                                      0.0 if c.a() == 0 else math.copysign(1.0, c.a()))),
    "SumBackward0": _unary("sum", "d sum(u)/du_i", "1", _const(1.0)),
    "SumBackward1": OpInfo(_with_dim("sum"), (Slot("d sum(u)/du_i", "1", _const(1.0)),)),
    "MeanBackward0": _unary("mean", "d mean(u)/du_i", "1/n", _mean_numbers),
    "MeanBackward1": OpInfo(_with_dim("mean"), (Slot("d mean(u)/du_i", "1/n", None),)),
    "RsubBackward1": _unary("rsub", "d(c - u)/du", "-1", _const(-1.0)),
    "AddBackward0": OpInfo("add", (
        Slot("d(a + b)/da", "1", _const(1.0)),
        Slot("d(a + b)/db", "1", lambda c: ("", _alpha(c))),
    )),
    "SubBackward0": OpInfo("sub", (
        Slot("d(a - b)/da", "1", _const(1.0)),
        Slot("d(a - b)/db", "-1", lambda c: ("", -_alpha(c))),
    )),
    "MulBackward0": OpInfo("mul", (
        Slot("d(a*b)/da", "b", lambda c: (fmt(c.b()), c.b())),
        Slot("d(a*b)/db", "a", lambda c: (fmt(c.a()), c.a())),
    )),
    "DivBackward0": OpInfo("div", (
        Slot("d(a/b)/da", "1/b", lambda c: (f"1/{fmt(c.b())}", 1 / c.b())),
        Slot("d(a/b)/db", "-a/b^2",
             lambda c: (f"-{fmt(c.a())}/{fmt(c.b())}^2", -c.a() / c.b() ** 2)),
    )),
    "PowBackward0": OpInfo(_pow_label, (Slot(_pow_left, _pow_right, _pow_numbers),)),
    "PowBackward1": OpInfo("pow", (
        Slot("d(a^b)/da", "b*a^(b-1)",
             lambda c: (f"{fmt(c.b())}*{fmt(c.a())}^({fmt(c.b())}-1)",
                        c.b() * c.a() ** (c.b() - 1))),
        Slot("d(a^b)/db", "a^b*log(a)",
             lambda c: (f"{fmt(c.out())}*log({fmt(c.a())})", c.out() * math.log(c.a()))),
    )),
    "ClampBackward1": OpInfo(_clamp_label, (
        Slot("d clamp(u)/du", "[min <= u <= max]", _clamp_numbers),
    )),
    "MmBackward0": OpInfo("mm", (Slot("d(A@B)/dA", "grad @ B^T"), Slot("d(A@B)/dB", "A^T @ grad"))),
    "MvBackward0": OpInfo("mv", (Slot("d(A@v)/dA", "grad v^T"), Slot("d(A@v)/dv", "A^T grad"))),
    "DotBackward0": OpInfo("dot", (Slot("d(a.b)/da", "b"), Slot("d(a.b)/db", "a"))),
    "SoftmaxBackward0": OpInfo(_with_dim("softmax")),
    "LogSoftmaxBackward0": OpInfo(_with_dim("log_softmax")),
}


# -- the later op families -------------------------------------------------------------------


def _p(v: float) -> str:
    """A number inside a formula: in parentheses when negative (``(-0.5)^2``, not ``-0.5^2``)."""
    text = fmt(v)
    return f"({text})" if text.startswith("-") else text


def _of_scalar(v: float) -> Numbers:
    """``v`` for an input that is one number (a reduction of one element), else unknown."""
    def numbers(c: Ctx) -> tuple[str, float]:
        c.a()
        if c.sizes and c.sizes[0] != 1:
            raise LookupError("not one element")
        return "", v

    return numbers


def _norm_order(saved: Mapping[str, object]) -> str | None:
    """The norm's order: ``ord`` as linalg.vector_norm saves it, ``p`` as norm does."""
    return _param(saved, "ord" if "ord" in saved else "p")


def _norm_label(saved: Mapping[str, object]) -> str:
    p = _norm_order(saved)
    return _with_dim("norm" if p is None or p == "2" else f"norm p={p}")(saved)


def _norm_right(saved: Mapping[str, object]) -> str:
    p = _norm_order(saved)
    if p == "2":
        return "u_i/norm(u)"
    if p == "1":
        return "sign(u_i)"
    return "sign(u_i)*|u_i|^(p-1)/norm(u)^(p-1)"


def _norm_numbers(c: Ctx) -> tuple[str, float]:
    u = c.a()  # one element: its norm is |u|, of slope sign(u) whatever p is
    if c.sizes and c.sizes[0] != 1:
        raise LookupError("not one element")
    return f"sign({fmt(u)})", 0.0 if u == 0 else math.copysign(1.0, u)


def _angle(c: Ctx) -> float:
    return c.a() ** 2 + c.b() ** 2


def _quotient_slot(left: str, rounding: str, rnd: Callable[[float], float]) -> Slot:
    return Slot(left, f"-{rounding}(a/b)",
                lambda c: (f"-{rounding}({fmt(c.a())}/{_p(c.b())})", -rnd(c.a() / c.b())))


def _flat(name: str, label: str | None = None) -> OpInfo:
    return _unary(label or name, f"d {name}(u)/du", "0", _const(0.0))


_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _gelu_label(saved: Mapping[str, object]) -> str:
    return "gelu tanh" if saved.get("approximate") == "tanh" else "gelu"


def _gelu(c: Ctx) -> tuple[str, float]:
    """gelu's slope at u, exact (erf) or in torch's tanh approximation."""
    u = c.a()
    if c.saved.get("approximate") == "tanh":
        k = math.sqrt(2 / math.pi)
        t = math.tanh(k * (u + 0.044715 * u ** 3))
        d = 0.5 * (1 + t) + 0.5 * u * (1 - t * t) * k * (1 + 3 * 0.044715 * u * u)
        return f"tanh form at {fmt(u)}", d
    cdf = 0.5 * (1 + math.erf(u / math.sqrt(2)))
    pdf = math.exp(-u * u / 2) / math.sqrt(2 * math.pi)
    return f"Phi({fmt(u)}) + {_p(u)}*phi({fmt(u)})", cdf + u * pdf


def _silu(u: float) -> tuple[str, float]:
    s = 1 / (1 + math.exp(-u))
    return f"{fmt(s)}*(1 + {_p(u)}*(1 - {fmt(s)}))", s * (1 + u * (1 - s))

# Ops drawn with a short name only: their gradient moves (or drops) elements, which no
# scalar formula says.
_TABLE.update({op: OpInfo(label) for op, label in {
    "GatherBackward0": "gather",
    "IndexSelectBackward0": "index_select",
    "MaskedFillBackward0": "masked_fill",
    "MaskedFillBackward1": "masked_fill",
    "SortBackward0": "sort",
    "SortBackward1": "sort",
    "TopkBackward0": "topk",
    "SplitBackward0": "split",
    "SplitWithSizesBackward0": "split",
    "UnbindBackward0": "unbind",
    "FlipBackward0": "flip",
    "RepeatBackward0": "repeat",
    "TrilBackward0": "tril",
    "TriuBackward0": "triu",
    "TraceBackward0": "trace",
    "CopySlices": "copy_slices",
    "IndexPutBackward0": "index_put",
    "FillBackward2": "fill",
    "FillBackward3": "fill",
    "ZeroBackward0": "zero",
    "NotImplemented": "no derivative",
    # the layers of nn: each output mixes many inputs (a row of the table; a whole sample or
    # batch, through its mean and variance), which no one-number formula says
    "EmbeddingBackward0": "embedding",
    "NativeLayerNormBackward0": "layer_norm",
    "NativeBatchNormBackward0": "batch_norm",
}.items()})


def op_label(op: str, saved: Mapping[str, object]) -> str:
    """The short name shown in an op's box: ``sin``, ``pow 2``, ``clamp [1e-08, 1]``."""
    info = _TABLE.get(op)
    if info is None:
        return short_name(op)
    return info.label(saved) if callable(info.label) else info.label


def has_local(op: str, slot: int) -> bool:
    """True when ``local_derivative`` knows input ``slot`` of ``op``."""
    info = _TABLE.get(op)
    return info is not None and slot < len(info.slots)


def local_derivative(op: str, slot: int, ctx: Ctx) -> str | None:
    """The local derivative of ``op`` with respect to input ``slot``, as text; None when the
    op is not in the table. Numbers are filled in when the values it needs are known."""
    info = _TABLE.get(op)
    if info is None or slot >= len(info.slots):
        return None
    s = info.slots[slot]
    left = s.left(ctx.saved) if callable(s.left) else s.left
    right = s.right(ctx.saved) if callable(s.right) else s.right
    if s.numbers is not None:
        try:
            with_numbers, value = s.numbers(ctx)
        except (LookupError, ValueError, ZeroDivisionError, OverflowError, TypeError):
            pass
        else:
            value_text = fmt(value)
            if with_numbers and with_numbers != value_text:
                parts = [left, with_numbers, value_text]  # d sin(u)/du = cos(81) = 0.7767
            else:
                parts = [left, right, value_text]  # d(a*b)/da = b = 6.7000
            return " = ".join(dict.fromkeys(parts))
    return f"{left} = {right}"


_TABLE.update({
    "Log1PBackward0": _unary("log1p", "d log1p(u)/du", "1/(1 + u)",
                             lambda c: (f"1/(1 + {fmt(c.a())})", 1 / (1 + c.a()))),
    "Expm1Backward0": _unary("expm1", "d expm1(u)/du", "exp(u)",
                             lambda c: (f"exp({fmt(c.a())})", math.exp(c.a()))),
    "Log2Backward0": _unary("log2", "d log2(u)/du", "1/(u*ln 2)",
                            lambda c: (f"1/({fmt(c.a())}*ln 2)", 1 / (c.a() * _LN2))),
    "Log10Backward0": _unary("log10", "d log10(u)/du", "1/(u*ln 10)",
                             lambda c: (f"1/({fmt(c.a())}*ln 10)", 1 / (c.a() * _LN10))),
    "Exp2Backward0": _unary("exp2", "d 2^u/du", "2^u*ln 2",
                            lambda c: (f"2^{_p(c.a())}*ln 2", 2 ** c.a() * _LN2)),
    "FloorBackward0": _flat("floor"),
    "CeilBackward0": _flat("ceil"),
    "RoundBackward0": _flat("round"),
    "RoundBackward1": _flat("round", "round decimals"),  # torch does not save the decimals
    "TruncBackward0": _flat("trunc"),
    "FracBackward0": _unary("frac", "d frac(u)/du", "1", _const(1.0)),
    "ErfBackward0": _unary("erf", "d erf(u)/du", "2/sqrt(pi)*exp(-u^2)",
                           lambda c: (f"2/sqrt(pi)*exp(-{_p(c.a())}^2)",
                                      2 / math.sqrt(math.pi) * math.exp(-c.a() ** 2))),
    "RsqrtBackward0": _unary("rsqrt", "d rsqrt(u)/du", "-0.5*u^-1.5",
                             lambda c: (f"-0.5*{_p(c.a())}^-1.5", -0.5 * c.a() ** -1.5)),
    "SinhBackward0": _unary("sinh", "d sinh(u)/du", "cosh(u)",
                            lambda c: (f"cosh({fmt(c.a())})", math.cosh(c.a()))),
    "CoshBackward0": _unary("cosh", "d cosh(u)/du", "sinh(u)",
                            lambda c: (f"sinh({fmt(c.a())})", math.sinh(c.a()))),
    "AsinBackward0": _unary("asin", "d asin(u)/du", "1/sqrt(1 - u^2)",
                            lambda c: (f"1/sqrt(1 - {_p(c.a())}^2)",
                                       1 / math.sqrt(1 - c.a() ** 2))),
    "AcosBackward0": _unary("acos", "d acos(u)/du", "-1/sqrt(1 - u^2)",
                            lambda c: (f"-1/sqrt(1 - {_p(c.a())}^2)",
                                       -1 / math.sqrt(1 - c.a() ** 2))),
    "AtanBackward0": _unary("atan", "d atan(u)/du", "1/(1 + u^2)",
                            lambda c: (f"1/(1 + {_p(c.a())}^2)", 1 / (1 + c.a() ** 2))),
    "Atan2Backward0": OpInfo("atan2", (
        Slot("d atan2(a, b)/da", "b/(a^2 + b^2)",
             lambda c: (f"{fmt(c.b())}/({_p(c.a())}^2 + {_p(c.b())}^2)", c.b() / _angle(c))),
        Slot("d atan2(a, b)/db", "-a/(a^2 + b^2)",
             lambda c: (f"-{_p(c.a())}/({_p(c.a())}^2 + {_p(c.b())}^2)",
                        -c.a() / _angle(c))),
    )),
    # a % b = a - b*floor(a/b) and fmod(a, b) = a - b*trunc(a/b): slope 1 in a
    "RemainderBackward0": _unary("remainder", "d(u % c)/du", "1", _const(1.0)),
    "RemainderBackward1": OpInfo("remainder", (
        Slot("d(a % b)/da", "1", _const(1.0)),
        _quotient_slot("d(a % b)/db", "floor", math.floor),
    )),
    "FmodBackward0": _unary("fmod", "d fmod(u, c)/du", "1", _const(1.0)),
    "FmodBackward1": OpInfo("fmod", (
        Slot("d fmod(a, b)/da", "1", _const(1.0)),
        _quotient_slot("d fmod(a, b)/db", "trunc", math.trunc),
    )),
    # div(a, b, rounding_mode=...): a step function. (torch saves the mode, nbgrad does not.)
    "DivBackward2": OpInfo("div rounded", (
        Slot("d rounded(a/b)/da", "0", _const(0.0)),
        Slot("d rounded(a/b)/db", "0", _const(0.0)),
    )),
    "ProdBackward0": _unary("prod", "d prod(u)/du_i", "prod(u)/u_i", _of_scalar(1.0)),
    "ProdBackward1": OpInfo(_with_dim("prod"), (
        Slot("d prod(u)/du_i", "prod(u)/u_i", _of_scalar(1.0)),
    )),
    "StdBackward0": OpInfo(_with_dim("std"), (
        Slot("d std(u)/du_i", "(u_i - mean(u))/((n - c)*std(u))"),
    )),
    "VarBackward0": OpInfo(_with_dim("var"), (
        Slot("d var(u)/du_i", "2*(u_i - mean(u))/(n - c)"),
    )),
    "LinalgVectorNormBackward0": OpInfo(_norm_label, (
        Slot("d norm(u)/du_i", _norm_right, _norm_numbers),
    )),
    "NormBackward1": OpInfo(_norm_label, (Slot("d norm(u)/du_i", _norm_right, _norm_numbers),)),
    "LogsumexpBackward0": OpInfo(_with_dim("logsumexp"), (
        Slot("d logsumexp(u)/du_i", "exp(u_i - logsumexp(u))", _of_scalar(1.0)),
    )),
    "CumsumBackward0": OpInfo(_with_dim("cumsum"), (
        Slot("d cumsum(u)_j/du_i", "[i <= j]", _of_scalar(1.0)),
    )),
    "CumprodBackward0": OpInfo(_with_dim("cumprod"), (
        Slot("d cumprod(u)_j/du_i", "[i <= j]*cumprod(u)_j/u_i", _of_scalar(1.0)),
    )),
    # the smooth activations of nn.functional
    "GeluBackward0": OpInfo(_gelu_label, (Slot("d gelu(u)/du", "Phi(u) + u*phi(u)", _gelu),)),
    "EluBackward0": _unary("elu", "d elu(u)/du", "1 if u > 0 else alpha*exp(u)", lambda c: (
        "1" if c.a() > 0 else f"{fmt(c.number('alpha'))}*exp({fmt(c.a())})",
        1.0 if c.a() > 0 else c.number("alpha") * math.exp(c.a()))),
    "SiluBackward0": _unary("silu", "d silu(u)/du", "s*(1 + u*(1 - s)), s = sigmoid(u)",
                            lambda c: _silu(c.a())),
    "SoftplusBackward0": _unary("softplus", "d softplus(u)/du", "sigmoid(beta*u)", lambda c: (
        f"sigmoid({fmt(c.number('beta'))}*{_p(c.a())})",
        1.0 if c.number("beta") * c.a() > c.number("threshold")
        else 1 / (1 + math.exp(-c.number("beta") * c.a())))),
    "SmoothL1LossBackward0": _unary("smooth_l1_loss", "", "", None),
    "HuberLossBackward0": _unary("huber_loss", "", "", None),
})

# convolutions and pooling (nn): each output reads a whole window of inputs, which no
# one-number formula says
_TABLE.update({op: OpInfo(label) for op, label in {
    "ConvolutionBackward0": "conv2d",
    "MaxPool2DWithIndicesBackward0": "max_pool2d",
    "AvgPool2DBackward0": "avg_pool2d",
    "ConstantPadNdBackward0": "pad",
    "Im2ColBackward0": "unfold",
    "Col2ImBackward0": "fold",
}.items()})

# products, building and reshaping, selecting and writing by index (nbgrad.ops.products,
# building, einsum, scatter): bmm, addmm and baddbmm are matrix products, drawn as mm is;
# the others move, pick or write elements, which no one-number formula says
_MATRIX_PRODUCT = (Slot("d(A@B)/dA", "grad @ B^T"), Slot("d(A@B)/dB", "A^T @ grad"))
_TABLE.update({
    "BmmBackward0": OpInfo("bmm", _MATRIX_PRODUCT),
    "AddmmBackward0": OpInfo("addmm", (Slot("d(beta*M + alpha*A@B)/dM", "beta"),
                                       *(Slot(s.left, f"alpha*{s.right}")
                                         for s in _MATRIX_PRODUCT))),
    "BaddbmmBackward0": OpInfo("baddbmm", (Slot("d(beta*M + alpha*A@B)/dM", "beta"),
                                           *(Slot(s.left, f"alpha*{s.right}")
                                             for s in _MATRIX_PRODUCT))),
    "LinalgCrossBackward0": OpInfo("cross", (Slot("d(a x b)/da", "b x grad"),
                                             Slot("d(a x b)/db", "grad x a"))),
})
_TABLE.update({op: OpInfo(label) for op, label in {
    "DiagonalBackward0": "diagonal",
    "RollBackward0": "roll",
    "Rot90Backward0": "rot90",
    "TakeBackward0": "take",
    "ScatterBackward0": "scatter",
    "ScatterBackward1": "scatter",
    "ScatterAddBackward0": "scatter_add",
    "IndexAddBackward0": "index_add",
    "IndexFillBackward0": "index_fill",
    "IndexFillBackward1": "index_fill",
    "IndexCopyBackward0": "index_copy",
    "MaskedSelectBackward0": "masked_select",
    "MaskedScatterBackward0": "masked_scatter",
    "Unique2Backward0": "unique",
    "UniqueDimBackward0": "unique",
}.items()})

# more elementwise math, order statistics, quantiles, norms and linalg, random draws
_SQRT_PI = math.sqrt(math.pi)
_TABLE.update({
    "ClampMinBackward0": _unary("clamp_min", "d clamp_min(u)/du", "[u >= min]", None),
    "ClampMinBackward1": OpInfo("clamp_min", (Slot("d max(a, b)/da", "[a >= b]"),
                                              Slot("d max(a, b)/db", "[a < b]"))),
    "ClampMaxBackward0": _unary("clamp_max", "d clamp_max(u)/du", "[u <= max]", None),
    "ClampMaxBackward1": OpInfo("clamp_max", (Slot("d min(a, b)/da", "[a <= b]"),
                                              Slot("d min(a, b)/db", "[a > b]"))),
    "LerpBackward0": OpInfo("lerp", (Slot("d lerp(a, b, w)/da", "1 - w"),
                                     Slot("d lerp(a, b, w)/db", "w"))),
    "LerpBackward1": OpInfo("lerp", (Slot("d lerp(a, b, w)/da", "1 - w"),
                                     Slot("d lerp(a, b, w)/db", "w"),
                                     Slot("d lerp(a, b, w)/dw", "b - a"))),
    "LogaddexpBackward0": OpInfo("logaddexp", (
        Slot("d logaddexp(a, b)/da", "1/(1 + exp(b - a))",
             lambda c: (f"1/(1 + exp({_p(c.b())} - {_p(c.a())}))",
                        1 / (1 + math.exp(c.b() - c.a())))),
        Slot("d logaddexp(a, b)/db", "1/(1 + exp(a - b))",
             lambda c: (f"1/(1 + exp({_p(c.a())} - {_p(c.b())}))",
                        1 / (1 + math.exp(c.a() - c.b())))),
    )),
    "HypotBackward0": OpInfo("hypot", (
        Slot("d hypot(a, b)/da", "a/hypot(a, b)",
             lambda c: (f"{fmt(c.a())}/hypot", c.a() / math.hypot(c.a(), c.b()))),
        Slot("d hypot(a, b)/db", "b/hypot(a, b)",
             lambda c: (f"{fmt(c.b())}/hypot", c.b() / math.hypot(c.a(), c.b()))),
    )),
    "SincBackward0": _unary("sinc", "d sinc(u)/du", "(cos(pi u) - sinc(u))/u", None),
    "XlogyBackward0": OpInfo("xlogy", (Slot("d(a log b)/da", "log b"),
                                       Slot("d(a log b)/db", "a/b"))),
    "XlogyBackward1": _unary("xlogy", "d(c log u)/du", "c/u", None),
    "XlogyBackward2": _unary("xlogy", "d(u log c)/du", "log c", None),
    "LogitBackward0": _unary("logit", "d logit(u)/du", "1/(u(1 - u))",
                             lambda c: (f"1/({fmt(c.a())}*(1 - {fmt(c.a())}))",
                                        1 / (c.a() * (1 - c.a())))),
    "ErfcBackward0": _unary("erfc", "d erfc(u)/du", "-2/sqrt(pi)*exp(-u^2)",
                            lambda c: (f"-2/sqrt(pi)*exp(-{_p(c.a())}^2)",
                                       -2 / _SQRT_PI * math.exp(-c.a() ** 2))),
    "ErfinvBackward0": _unary("erfinv", "d erfinv(u)/du", "sqrt(pi)/2*exp(erfinv(u)^2)",
                              lambda c: (f"sqrt(pi)/2*exp({_p(c.out())}^2)",
                                         _SQRT_PI / 2 * math.exp(c.out() ** 2))),
    "LinalgInvExBackward0": OpInfo("inv", (Slot("d inv(A)", "-inv(A)^T grad inv(A)^T"),)),
    "LinalgDetBackward0": OpInfo("det", (Slot("d det(A)/dA", "det(A) inv(A)^T"),)),
    "LinalgSolveExBackward0": OpInfo("solve", (Slot("d solve(A, B)/dA", "-solve(A^T, grad) X^T"),
                                               Slot("d solve(A, B)/dB", "solve(A^T, grad)"))),
    "DistBackward0": OpInfo("dist", (Slot("d dist(a, b)/da", "(a - b)/dist (p = 2)"),
                                     Slot("d dist(a, b)/db", "-(a - b)/dist (p = 2)"))),
})
_TABLE.update({op: OpInfo(label) for op, label in {
    "MedianBackward0": "median", "MedianBackward1": "median", "NanmedianBackward0": "nanmedian",
    "NanmedianBackward1": "nanmedian", "KthvalueBackward0": "kthvalue", "ModeBackward0": "mode",
    "AminmaxBackward0": "aminmax", "NansumBackward0": "nansum", "CdistBackward0": "cdist",
    "SqueezeBackward4": "squeeze", "NormalBackward1": "normal", "NormalBackward2": "normal",
    "NormalBackward3": "normal", "BernoulliBackward0": "bernoulli", "PoissonBackward0": "poisson",
}.items()})

# the small activations of nn.functional (relu6 is torch's hardtanh between 0 and 6; softsign
# and softmin are compositions of the ops above)


def _hardtanh_label(saved: Mapping[str, object]) -> str:
    lo, hi = _param(saved, "min_val"), _param(saved, "max_val")
    return "hardtanh" if lo is None or hi is None else f"hardtanh [{lo}, {hi}]"


def _hardtanh(c: Ctx) -> tuple[str, float]:
    u, lo, hi = c.a(), c.number("min_val"), c.number("max_val")
    return f"[{fmt(lo)} < {fmt(u)} < {fmt(hi)}]", 1.0 if lo < u < hi else 0.0


def _hardswish(u: float) -> tuple[str, float]:
    if u <= -3 or u >= 3:
        return ("0", 0.0) if u <= -3 else ("1", 1.0)
    return f"{_p(u)}/3 + 1/2", u / 3 + 0.5


def _mish(u: float) -> tuple[str, float]:
    t = math.tanh(math.log1p(math.exp(-abs(u))) + max(u, 0.0))
    s = 1 / (1 + math.exp(-u))
    return f"{fmt(t)} + {_p(u)}*{fmt(s)}*(1 - {fmt(t)}^2)", t + u * s * (1 - t * t)


_TABLE.update({
    "HardtanhBackward0": OpInfo(_hardtanh_label, (
        Slot("d hardtanh(u)/du", "[min < u < max]", _hardtanh),)),
    "HardsigmoidBackward0": _unary("hardsigmoid", "d hardsigmoid(u)/du", "[-3 < u < 3]/6",
                                   lambda c: ("1/6", 1 / 6) if -3 < c.a() < 3 else ("0", 0.0)),
    "HardswishBackward0": _unary("hardswish", "d hardswish(u)/du",
                                 "0 if u <= -3, u/3 + 1/2 if u < 3, else 1",
                                 lambda c: _hardswish(c.a())),
    "MishBackward0": _unary("mish", "d mish(u)/du",
                            "t + u*s*(1 - t^2), t = tanh(softplus(u)), s = sigmoid(u)",
                            lambda c: _mish(c.a())),
    "LogSigmoidBackward0": _unary("logsigmoid", "d logsigmoid(u)/du", "sigmoid(-u)",
                                  lambda c: (f"sigmoid({fmt(-c.a())})",
                                             1 / (1 + math.exp(c.a())))),
    "PreluKernelBackward0": OpInfo("prelu", (
        Slot("d prelu(a, w)/da", "1 if a > 0 else w",
             lambda c: ("1", 1.0) if c.a() > 0 else (fmt(c.b()), c.b())),
        Slot("d prelu(a, w)/dw", "0 if a > 0 else a",
             lambda c: ("0", 0.0) if c.a() > 0 else (fmt(c.a()), c.a())),
    )),
    "GluBackward0": OpInfo(_with_dim("glu")),
})
