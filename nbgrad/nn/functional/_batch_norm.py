"""``batch_norm``: each channel (dimension 1) normalized over the batch (and the length, for
a 3-D input), then scaled and shifted; one node, ``NativeBatchNormBackward0``, as in torch.

In training the batch's own mean and variance are used, and the running averages (if
given) move towards them by ``momentum``; the running variance takes the unbiased variance
(divided by n - 1), the normalization the biased one. In evaluation the running averages
are used, so each output depends on its own input only."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.autograd.graph import bump_version
from nbgrad.nn.functional._common import _quiet
from nbgrad.nn.functional._normalize import (
    check_dtypes,
    check_floating,
    input_grad,
    moments,
    stats_of,
)
from nbgrad.ops._core import Node, check_tensor, record


def _channel_axes(ndim: int) -> tuple[int, ...]:
    """Every axis but the channels' (1): the axes the statistics are taken over."""
    return (0,) + tuple(range(2, ndim))


class NativeBatchNormBackward0(Node):
    """``(x - mean) * rstd * weight + bias`` per channel. In training ``mean`` and ``rstd``
    are the batch's (see ``_normalize`` for that formula); in evaluation they are constants
    and the gradient of ``x`` is just ``g * weight * rstd``."""

    __slots__ = ()

    def vjp(self, F, g, x, weight, mean, rstd, training, eps):
        nx, nw, nb = self._next
        shape = g.shape
        axes = _channel_axes(len(shape))
        n = 1
        for a in axes:
            n *= shape[a]
        if training and not isinstance(g, np.ndarray):  # create_graph: stats as a graph
            mean, rstd = stats_of(F, x, axes, n, eps)
        xhat = (x - mean) * rstd
        dx = dw = db = None
        if nx is not None:
            dxhat = g
            if weight is not None:
                dxhat = g * F.reshape(weight, (1, shape[1]) + (1,) * (len(shape) - 2))
            dx = input_grad(F, dxhat, xhat, rstd, axes, n) if training else dxhat * rstd
        if nw is not None:
            dw = F.sum(g * xhat, axes)
        if nb is not None:
            db = F.sum(g, axes)
        return dx, dw, db


def _verify_batch_size(shape: Any) -> None:
    size = shape[0]
    for s in shape[2:]:
        size *= s
    if size == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{shape!r}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel of ``input`` (shape ``(N, C)`` or ``(N, C, L)``) by the batch's
    statistics (``training``, updating ``running_mean``/``running_var`` in place) or by the
    running ones, then ``* weight + bias``."""
    check_tensor(input, "batch_norm")
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    x = input._data
    if x.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got "
                         "1)")
    channels = x.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None:
            if t.numel() != channels:
                raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
        elif not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    check_floating(input, "batch_norm")
    check_dtypes(input, weight, bias, running_mean, running_var)
    work = x.astype(np.float32) if x.dtype == np.float16 else x
    axes = _channel_axes(x.ndim)
    bshape = (1, channels) + (1,) * (x.ndim - 2)
    with _quiet():
        if training:
            mean, var, rstd = moments(work, axes, eps)
            n = work.size // channels
            if running_mean is not None:
                _update(running_mean, mean, momentum)
            if running_var is not None:
                _update(running_var, var * (n / (n - 1)) if n > 1 else var, momentum)
        else:
            mean = np.array(running_mean._data, dtype=work.dtype).reshape(bshape)
            rstd = 1.0 / np.sqrt(running_var._data.astype(work.dtype).reshape(bshape)
                                 + np.asarray(eps, dtype=work.dtype))
        # torch's CPU kernel: out = x * alpha + beta per channel, with alpha = rstd * weight
        # and beta = bias - mean * alpha, each sum of a product rounded once (a fused
        # multiply-add, which float64 gives a float32 computation): the same roundings
        alpha = rstd if weight is None else rstd * weight._data.reshape(bshape)
        wide = np.float64 if work.dtype == np.float32 else work.dtype
        beta = -(mean.astype(wide) * alpha)
        if bias is not None:
            beta = bias._data.reshape(bshape) + beta
        out = work.astype(wide) * alpha + beta.astype(work.dtype)
    out = out.astype(x.dtype, copy=False)
    mixed = work is not x or any(p is not None and p._data.dtype != x.dtype
                                 for p in (weight, bias))
    return record(NativeBatchNormBackward0, out, (input, weight, bias),
                  (input, weight, mean, rstd, bool(training), eps), broadcast=mixed)


def _update(running: Tensor, stat: np.ndarray, momentum: float) -> None:
    """``running = (1 - momentum) * running + momentum * stat``, in place (a buffer)."""
    r = running._storage()
    r[...] = (momentum * stat.reshape(r.shape) + (1 - momentum) * r).astype(r.dtype)
    bump_version(running)
