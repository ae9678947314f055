"""The smooth activations: ``gelu`` (exact, through ``erf``, or its ``tanh`` approximation),
``elu``, ``silu`` and ``softplus``, each beside its node (``GeluBackward0``, ``EluBackward0``
and, in place, ``EluBackward1``, ``SiluBackward0``, ``SoftplusBackward0``).

Each ``vjp`` is written with operators and ``F``'s functions only, so the same formula gives
the second derivative under ``create_graph=True``. Sigmoids are taken from ``exp(-|z|)``,
which never overflows, and ``softplus`` is the identity above its threshold, as in torch."""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name, _quiet
from nbgrad.ops._core import RESULT, Node, check_tensor, record
from nbgrad.ops.trig import erf_array

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _floating(input: Tensor, kernel: str) -> np.ndarray:
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_name(input.dtype)}'")
    return x


def _number(fn: str, arg: str, pos: int, value: Any) -> Any:
    """A Number argument as torch's parser reads it: a Python or NumPy number, or a 0-d
    tensor (its value)."""
    if isinstance(value, Tensor) and value.ndim == 0:
        return value.item()
    if isinstance(value, Tensor) or not isinstance(value, Number):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Number, not "
                        f"{type(value).__name__}")
    return value


def _opmath(x: np.ndarray) -> np.ndarray:
    """The dtype torch's CPU kernels compute in: float32 for float16."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _sigmoid(F: Any, z: Any) -> Any:
    """``1 / (1 + exp(-z))`` from ``exp(-|z|)``: no overflow for any ``z``."""
    e = F.exp(-(z * F.sign(z)))
    return F.where(z >= 0, 1 / (1 + e), e / (1 + e))


# -- gelu ------------------------------------------------------------------------------

class GeluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, approximate):
        if approximate == "tanh":
            inner = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
            t = F.tanh(inner)
            slope = (1 + x * x * (3 * _GELU_C)) * _SQRT_2_OVER_PI
            return (g * ((1 + t) * 0.5 + x * 0.5 * (1 - t * t) * slope),)
        cdf = (1 + F.erf(x * _SQRT_HALF)) * 0.5
        pdf = F.exp(x * x * -0.5) * _INV_SQRT_2PI
        return (g * (cdf + x * pdf),)


def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, ``Phi`` the standard normal's distribution function (through ``erf``);
    with ``approximate='tanh'``, ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    check_tensor(input, "gelu")
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _opmath(_floating(input, "GeluKernelImpl"))
    # in the input's dtype, step by step as torch's kernels compute: its float32 kernel
    # takes x/2 + x/2 erf(x / sqrt 2) (so -0. and large negative x give +0., as in torch)
    with _quiet():
        if approximate == "tanh":
            inner = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
            data = x * 0.5 * (1 + np.tanh(inner))
        elif x.dtype == np.float64:
            data = x * 0.5 * (1 + erf_array(x * _SQRT_HALF))
        else:
            half = x * x.dtype.type(0.5)
            data = half * erf_array(x * x.dtype.type(_SQRT_HALF)) + half
    data = np.asarray(data).astype(input._data.dtype, copy=False)
    return record(GeluBackward0, data, (input,), (input, approximate))


# -- elu -------------------------------------------------------------------------------

class EluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, alpha):
        return (F.where(x > 0, g, g * F.exp(x) * alpha),)


class EluBackward1(Node):
    """The in-place ``elu_``: its input is overwritten, so the slope is read from the output
    (``alpha * exp(x) = y + alpha`` where ``x <= 0``), which needs a slope that is not
    negative (torch's check, made when the backward runs, as torch makes it)."""

    __slots__ = ()

    def vjp(self, F, g, result, alpha):
        if alpha < 0:
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which "
                "is not supported. This is caused by calling in-place forward function with a "
                "negative slope, please call out-of-place version instead.")
        return (F.where(result > 0, g, g * (result + alpha)),)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere; with ``inplace``, written
    into ``input`` and returned (``elu_``)."""
    fn = "elu_" if inplace else "elu"
    check_tensor(input, fn)
    alpha = _number(fn, "alpha", 2, alpha)
    if inplace:
        _floating(input, "elu_cpu")
        return input._inplace(lambda a: _elu(a, alpha, EluBackward1))
    return _elu(input, alpha, EluBackward0)


def _elu(input: Tensor, alpha: Any, node: type[Node]) -> Tensor:
    x = _opmath(_floating(input, "elu_cpu"))
    with _quiet():
        data = np.where(x > 0, x, np.expm1(x) * alpha).astype(input._data.dtype, copy=False)
    saved = (input, alpha) if node is EluBackward0 else (RESULT, alpha)
    return record(node, data, (input,), saved)


# -- silu ------------------------------------------------------------------------------

class SiluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        s = _sigmoid(F, x)
        return (g * (s * (1 + x * (1 - s))),)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``; with ``inplace``, written into ``input`` and returned (``silu_``,
    whose node keeps a copy of the old input, as torch's does)."""
    check_tensor(input, "silu_" if inplace else "silu")
    if inplace:
        _floating(input, "silu_cpu")
        return input._inplace(_silu)
    return _silu(input)


def _silu(input: Tensor) -> Tensor:
    x = _opmath(_floating(input, "silu_cpu"))
    with _quiet():
        data = (x * _sigmoid(np, x)).astype(input._data.dtype, copy=False)
    return record(SiluBackward0, data, (input,), (input,))


# -- softplus --------------------------------------------------------------------------

class SoftplusBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, beta, threshold):
        z = x * beta
        return (F.where(z > threshold, g, g * _sigmoid(F, z)),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``."""
    check_tensor(input, "softplus")
    beta = _number("softplus", "beta", 2, beta)
    threshold = _number("softplus", "threshold", 3, threshold)
    x = _opmath(_floating(input, "softplus_cpu"))
    with _quiet():
        z = x * beta
        # log1p(exp(z)) as max(z, 0) + log1p(exp(-|z|)): finite wherever the result is
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
        data = np.where(z > threshold, x, soft).astype(input._data.dtype, copy=False)
    return record(SoftplusBackward0, data, (input,), (input, beta, threshold))
