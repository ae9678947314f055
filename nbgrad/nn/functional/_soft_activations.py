"""``mish`` and ``logsigmoid``, each beside its node (``MishBackward0``,
``LogSigmoidBackward0``), and the two that torch builds from other ops, as torch builds them:
``softsign`` (``x / (|x| + 1)``: a ``DivBackward0``) and ``softmin`` (``softmax(-x)``: a
``SoftmaxBackward0`` over a ``NegBackward0``).

Each ``vjp`` is written with operators and ``F``'s functions only (see
``_smooth_activations``), so ``create_graph=True`` works through them."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._activations import _method_of, _softmax_dim
from nbgrad.nn.functional._common import _quiet
from nbgrad.nn.functional._smooth_activations import _floating, _opmath, _sigmoid
from nbgrad.ops import softmax as _softmax
from nbgrad.ops._core import Node, check_tensor, record


def _softplus(F: Any, x: Any) -> Any:
    """``log(1 + exp(x))`` as ``max(x, 0) + log(1 + exp(-|x|))``: no overflow."""
    return F.where(x > 0, x, 0) + F.log(1 + F.exp(-(x * F.sign(x))))


# -- mish --------------------------------------------------------------------------------


class MishBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        t = F.tanh(_softplus(F, x))
        return (g * (t + x * _sigmoid(F, x) * (1 - t * t)),)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``; with ``inplace``, written into ``input`` and returned
    (``mish_``, whose node keeps a copy of the old input, as torch's does)."""
    check_tensor(input, "mish_" if inplace else "mish")
    if inplace:
        _floating(input, "mish_cpu")
        return input._inplace(_mish)
    return _mish(input)


def _mish(input: Tensor) -> Tensor:
    x = _opmath(_floating(input, "mish_cpu"))
    with _quiet():
        soft = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        data = (x * np.tanh(soft)).astype(input._data.dtype, copy=False)
    return record(MishBackward0, data, (input,), (input,))


# -- logsigmoid --------------------------------------------------------------------------


class LogSigmoidBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (g * _sigmoid(F, -x),)  # d log(sigmoid(x))/dx = 1 - sigmoid(x) = sigmoid(-x)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(1 / (1 + exp(-x)))``, as ``min(x, 0) - log1p(exp(-|x|))``: finite for all x."""
    check_tensor(input, "log_sigmoid")
    x = _opmath(_floating(input, "log_sigmoid_cpu"))
    with _quiet():
        data = (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(input._data.dtype,
                                                                         copy=False)
    return record(LogSigmoidBackward0, data, (input,), (input,))


# -- softsign, softmin: compositions, as in torch ----------------------------------------


def softsign(input: Tensor) -> Tensor:
    """``x / (|x| + 1)``."""
    _method_of(input, "abs")
    if input._data.dtype.kind == "b":  # torch's abs refuses booleans
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return input / (input.abs() + 1)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``softmax(-x)`` along ``dim``: the smallest entries get the largest weights."""
    if dim is None:
        _method_of(input, "dim")
        dim = _softmax_dim(input.ndim, "softmin")
    if not isinstance(input, Tensor):
        raise TypeError(f"bad operand type for unary -: '{type(input).__name__}'")
    return _softmax(-input, dim, dtype)
