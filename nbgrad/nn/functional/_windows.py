"""The sliding windows convolutions and pooling read: ``im2col`` lays every window of a
padded image out as one row (so a convolution is one matrix product), and ``col2im`` adds
such rows back into the image they were read from (its adjoint: the gradient of ``im2col``).

Both work on arrays of shape ``(N, C, H, W)`` and windows of shape ``(N, C, Ho, Wo, kh,
kw)``; a one-dimensional signal is an image one pixel high. Neither loops over pixels:
``im2col`` is a strided view (``sliding_window_view``), ``col2im`` loops over the ``kh * kw``
offsets of the kernel only.

Under ``create_graph=True`` the two are recorded as nodes of their own (torch's names for
``F.unfold`` and ``F.fold``: ``Im2ColBackward0`` and ``Col2ImBackward0``), each the other's
backward, so a convolution's gradient can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nbgrad.ops._core import Node, record

Pair = tuple[int, int]


def out_size(size: int, k: int, stride: int, pad: int, dilation: int) -> int:
    """How many windows fit along one axis (floor mode)."""
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


def im2col(x: np.ndarray, k: Pair, stride: Pair, pad: Pair, dilation: Pair,
           fill: float = 0.0) -> np.ndarray:
    """Every window of ``x`` (padded with ``fill``): a read-only view of shape ``(N, C, Ho,
    Wo, kh, kw)``, a copy of ``x`` only when there is padding."""
    (ph, pw), (dh, dw) = pad, dilation
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    span = (dh * (k[0] - 1) + 1, dw * (k[1] - 1) + 1)
    win = sliding_window_view(x, span, axis=(2, 3))
    return win[:, :, ::stride[0], ::stride[1], ::dh, ::dw]


def col2im(cols: np.ndarray, shape: tuple, stride: Pair, pad: Pair,
           dilation: Pair) -> np.ndarray:
    """The adjoint of ``im2col``: each window's values added back where they were read,
    into an array of ``shape`` ``(N, C, H, W)`` (the padding dropped)."""
    n, c, h, w = shape
    (ph, pw), (sh, sw), (dh, dw) = pad, stride, dilation
    _, _, ho, wo, kh, kw = cols.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):  # a loop over the kernel's offsets, each one a strided slab
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                j * dw:j * dw + sw * (wo - 1) + 1:sw] += cols[..., i, j]
    return out[:, :, ph:ph + h, pw:pw + w]


class Im2ColBackward0(Node):
    """``im2col``: its gradient adds each window's gradient back into the image."""

    __slots__ = ()

    def vjp(self, F, g, shape, stride, pad, dilation):
        return (col2im_op(g, shape, stride, pad, dilation),)


class Col2ImBackward0(Node):
    """``col2im``: its gradient reads the image's gradient out window by window."""

    __slots__ = ()

    def vjp(self, F, g, k, stride, pad, dilation):
        return (im2col_op(g, k, stride, pad, dilation),)


def im2col_op(x: Any, k: Pair, stride: Pair, pad: Pair, dilation: Pair) -> Any:
    """``im2col`` on an array, or recorded on a tensor (for a gradient's own graph)."""
    if isinstance(x, np.ndarray):
        return np.ascontiguousarray(im2col(x, k, stride, pad, dilation))
    data = np.ascontiguousarray(im2col(x._data, k, stride, pad, dilation))
    return record(Im2ColBackward0, data, (x,), (tuple(x._data.shape), stride, pad, dilation))


def col2im_op(cols: Any, shape: tuple, stride: Pair, pad: Pair, dilation: Pair) -> Any:
    """``col2im`` on an array, or recorded on a tensor."""
    if isinstance(cols, np.ndarray):
        return col2im(cols, shape, stride, pad, dilation)
    data = np.ascontiguousarray(col2im(cols._data, shape, stride, pad, dilation))
    k = tuple(cols._data.shape[-2:])
    return record(Col2ImBackward0, data, (cols,), (k, stride, pad, dilation))
