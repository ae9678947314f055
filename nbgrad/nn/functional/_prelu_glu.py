"""The activations of two operands: ``prelu`` (a leaky relu whose negative slope is a
learned weight, one per channel or one for all: ``PreluKernelBackward0``) and ``glu`` (the
first half of ``dim`` gated by the sigmoid of the second: ``GluBackward0``).

Each ``vjp`` is written with operators and ``F``'s functions only (see
``_smooth_activations``), so ``create_graph=True`` works through them."""

from __future__ import annotations

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._activations import _method_of
from nbgrad.nn.functional._common import _name, _quiet
from nbgrad.nn.functional._smooth_activations import _floating, _opmath, _sigmoid
from nbgrad.ops._core import Node, check_tensor, record, wrap_dim
from nbgrad.ops.shape import reshape

# -- prelu -------------------------------------------------------------------------------


class PreluKernelBackward0(Node):
    """The weight arrives shaped to broadcast over the input (``(1, C, 1, ...)``); the
    engine sums its gradient back to that shape."""

    __slots__ = ()

    def vjp(self, F, g, x, w):
        negative = F.keep(x <= 0, g)
        return (F.keep(x > 0, g) + negative * w, negative * x)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` holds one slope, or one
    per channel (dimension 1 of ``input``)."""
    check_tensor(input, "prelu")
    check_tensor(weight, "prelu", "weight", 2)
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_name(input.dtype)} "
                           f"and {_name(weight.dtype)}")
    ndim, n = input.ndim, weight.numel()
    if n != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if ndim > 1 else 1
        if channels != n:
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    x = _floating(input, "prelu_cpu")
    if ndim != weight.ndim:  # torch views the weight as (1, C, 1, ...): a ViewBackward0
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = n
        weight = reshape(weight, tuple(shape))
    data = np.where(x > 0, x, x * weight._data).astype(x.dtype, copy=False)
    return record(PreluKernelBackward0, data, (input, weight), (input, weight), broadcast=True)


# -- glu ---------------------------------------------------------------------------------


class GluBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, dim):
        half = x.shape[dim] // 2
        first = (slice(None),) * dim + (slice(0, half),)
        second = (slice(None),) * dim + (slice(half, None),)
        a, b = F.index(x, first), F.index(x, second)
        s = _sigmoid(F, b)
        ga = g * s
        gb = ga * a * (1 - s)
        return (F.index_put(x.shape, first, ga, False)
                + F.index_put(x.shape, second, gb, False),)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)``, where ``a`` and ``b`` are the two halves of ``input`` along
    ``dim``."""
    _method_of(input, "dim")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{size}")
    x = _opmath(_floating(input, "glu_cpu"))
    a, b = np.split(x, 2, axis=dim)
    with _quiet():
        data = (a * _sigmoid(np, b)).astype(input._data.dtype, copy=False)
    return record(GluBackward0, data, (input,), (input, dim))
