"""``layer_norm``: each sample normalized over its last dimensions (mean 0, variance 1),
then scaled and shifted elementwise; one node, ``NativeLayerNormBackward0``, as in torch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _quiet
from nbgrad.nn.functional._normalize import (
    check_dtypes,
    check_floating,
    input_grad,
    moments,
    stats_of,
)
from nbgrad.ops._core import Node, check_tensor, record


class NativeLayerNormBackward0(Node):
    """``(x - mean) * rstd * weight + bias``, the statistics taken over the last ``k``
    dimensions. See ``_normalize`` for the formula."""

    __slots__ = ()

    def vjp(self, F, g, x, weight, mean, rstd, k, eps):
        nx, nw, nb = self._next
        shape = g.shape
        ndim = len(shape)
        axes = tuple(range(ndim - k, ndim))
        lead = tuple(range(ndim - k))
        n = math.prod(shape[ndim - k:])
        if not isinstance(g, np.ndarray):  # create_graph: the statistics as a graph of x
            mean, rstd = stats_of(F, x, axes, n, eps)
        xhat = (x - mean) * rstd
        dx = dw = db = None
        if nx is not None:
            dx = input_grad(F, g if weight is None else g * weight, xhat, rstd, axes, n)
        if nw is not None:
            dw = F.sum(g * xhat, lead) if lead else g * xhat
        if nb is not None:
            db = F.sum(g, lead) if lead else g
        return dx, dw, db


def _shape_text(shape: tuple) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _normalized_shape(shape: Any) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple, with the words of torch's argument parser."""
    if not isinstance(shape, (tuple, list)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        f"of ints, not {type(shape).__name__}")
    for i, s in enumerate(shape):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be "
                            f"tuple of ints, but found element of type {type(s).__name__} at "
                            f"pos {i}")
    return tuple(int(s) for s in shape)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize ``input`` over its last ``len(normalized_shape)`` dimensions (whose sizes
    must be ``normalized_shape``): ``(x - mean) / sqrt(var + eps) * weight + bias``."""
    check_tensor(input, "layer_norm")
    shape = _normalized_shape(normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {_shape_text(p.shape)} and normalized_shape = {_shape_text(shape)}")
    x = input._data
    if x.ndim < k or x.shape[x.ndim - k:] != shape:
        raise RuntimeError(
            f"Given normalized_shape={_shape_text(shape)}, expected input with shape "
            f"[*, {_shape_text(shape)[1:-1]}], but got input of size{_shape_text(x.shape)}")
    check_floating(input, "LayerNormKernelImpl")
    check_dtypes(input, weight, bias)
    # float16 is computed in float32, as torch's CPU kernel does
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    axes = tuple(range(x.ndim - k, x.ndim))
    with _quiet():
        mean, _, rstd = moments(work, axes, eps)
        # torch's CPU kernel: x * rstd + (-rstd * mean), then the affine map
        out = work * rstd + (-rstd * mean)
        if weight is not None:
            out = out * weight._data
        if bias is not None:
            out = out + bias._data
    out = out.astype(x.dtype, copy=False)
    mixed = work is not x or any(p is not None and p._data.dtype != x.dtype
                                 for p in (weight, bias))
    return record(NativeLayerNormBackward0, out, (input, weight, bias),
                  (input, weight, mean, rstd, k, eps), broadcast=mixed)
