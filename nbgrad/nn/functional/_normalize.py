"""What ``layer_norm`` and ``batch_norm`` share: the statistics of a normalization, its
backward formula, and torch's checks of the dtypes of the input and its parameters.

Both compute ``xhat = (x - mean) * rstd`` (``rstd = 1 / sqrt(var + eps)``, the variance
without Bessel's correction) over some axes, then ``y = xhat * weight + bias``. Since mean and
var depend on every element they are taken over, the gradient of ``x`` is not just
``g * weight * rstd``::

    dxhat = g * weight
    dx    = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))    (means over the axes)
    dweight = sum(g * xhat)      dbias = sum(g)                         (over the other axes)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name


def moments(x: np.ndarray, axes: tuple[int, ...],
            eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean, variance and ``1 / sqrt(var + eps)`` of ``x`` over ``axes`` (kept, for
    broadcasting)."""
    mean = np.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=axes, keepdims=True)
    return mean, var, 1.0 / np.sqrt(var + np.asarray(eps, dtype=x.dtype))


def stats_of(F: Any, x: Any, axes: tuple[int, ...], n: int, eps: float) -> tuple[Any, Any]:
    """``moments`` in the backward's namespace: under ``create_graph`` they are recomputed
    from ``x`` as a graph, so that second derivatives see how they depend on ``x``."""
    mean = F.sum(x, axes, True) / n
    centered = x - mean
    var = F.sum(centered * centered, axes, True) / n
    return mean, (var + eps) ** -0.5


def input_grad(F: Any, dxhat: Any, xhat: Any, rstd: Any, axes: tuple[int, ...],
               n: int) -> Any:
    """The gradient of ``x`` through ``xhat = (x - mean(x)) * rstd(x)``, given ``dxhat``."""
    mean_d = F.sum(dxhat, axes, True) / n
    mean_dx = F.sum(dxhat * xhat, axes, True) / n
    return (dxhat - mean_d - xhat * mean_dx) * rstd


def check_dtypes(input: Tensor, *params: Tensor | None) -> None:
    """torch's CPU check that the parameters' dtype is the input's (a float16 input may have
    float32 parameters: torch computes it in float32)."""
    dt = input.dtype
    for p in params:
        if p is None or p.dtype == dt:
            continue
        if dt.name == "float16" and p.dtype.name == "float32":
            continue
        if dt.name == "float32":
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def check_floating(input: Tensor, kernel: str) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_name(input.dtype)}'")
