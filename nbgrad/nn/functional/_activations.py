"""The activation functions: ``relu``, ``sigmoid``, ``tanh``, ``leaky_relu``, ``softmax``
and ``log_softmax``, with torch's errors for their arguments."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name
from nbgrad.ops import log_softmax as _log_softmax
from nbgrad.ops import relu as _relu
from nbgrad.ops import sigmoid as _sigmoid
from nbgrad.ops import softmax as _softmax
from nbgrad.ops import tanh as _tanh
from nbgrad.ops._core import RESULT, Node, check_tensor, record


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``; with ``inplace``, written into ``input`` and returned (``relu_``)."""
    if not inplace:
        return _relu(input)
    check_tensor(input, "relu_")
    return input.relu_()


def _method_of(input: Any, name: str) -> None:
    """torch's error when a function that calls ``input.<name>()`` gets a non-tensor."""
    if not isinstance(input, Tensor):
        raise AttributeError(f"'{type(input).__name__}' object has no attribute '{name}'")


def sigmoid(input: Tensor) -> Tensor:
    _method_of(input, "sigmoid")
    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    _method_of(input, "tanh")
    return _tanh(input)


class LeakyReluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, slope):
        positive = F.mask(x > 0, g)
        return (g * (positive + (1 - positive) * slope),)


class LeakyReluBackward1(Node):
    """The in-place ``leaky_relu_``: its input is overwritten, so the slope is read from the
    output's sign, which is the input's only for a slope that is not negative (torch's
    check, made when the backward runs, as torch makes it)."""

    __slots__ = ()

    def vjp(self, F, g, result, slope):
        if slope < 0:
            raise RuntimeError(_NEGATIVE_SLOPE_INPLACE)
        positive = F.mask(result > 0, g)
        return (g * (positive + (1 - positive) * slope),)


_NEGATIVE_SLOPE_INPLACE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead. File an issue at "
    "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
    "backward calculation with negative slope"
)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere; with ``inplace``, written into
    ``input`` and returned (``leaky_relu_``)."""
    check_tensor(input, "leaky_relu_" if inplace else "leaky_relu")
    if inplace:
        return input._inplace(lambda a: _leaky_relu(a, negative_slope, LeakyReluBackward1))
    return _leaky_relu(input, negative_slope, LeakyReluBackward0)


def _leaky_relu(input: Tensor, slope: float, node: type[Node]) -> Tensor:
    x = input._data
    if x.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"leaky_relu_cpu\" not implemented for '{_name(input.dtype)}'")
    data = np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)
    saved = (input, slope) if node is LeakyReluBackward0 else (RESULT, slope)
    return record(node, data, (input,), saved)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed without overflow."""
    _method_of(input, "dim" if dim is None else "softmax")
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``."""
    _method_of(input, "dim" if dim is None else "log_softmax")
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return _log_softmax(input, dim, dtype)
