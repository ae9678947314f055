"""``max_pool2d`` and ``avg_pool2d``: summarise each window of an image by its largest value
or by its mean, recorded as torch records them (``MaxPool2DWithIndicesBackward0``,
``AvgPool2DBackward0``), with torch's output sizes (``ceil_mode`` included) and errors.

The windows are a strided view of the padded image (``im2col``): no loop over pixels. The
gradient of a max goes back to the one element that won each window (several windows may
share it: their gradients add up); the gradient of a mean is spread evenly over its window
and added back where the window was read (``col2im``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.nn.functional._common import _quiet
from nbgrad.nn.functional._windows import col2im_op, im2col
from nbgrad.ops._core import Node, check_tensor, record

Pair = tuple[int, int]


def _pair(value: Any) -> Pair:
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    value = tuple(int(v) for v in value)
    return value * 2 if len(value) == 1 else value


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's ``pooling_output_shape``: in ceil mode, a last window that would start in the
    right padding is dropped."""
    n = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (n - 1) * s >= size + p:
        n -= 1
    return n


def _geometry(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool) -> tuple:
    """The pooling's kernel, stride, padding, dilation and output size, checked as torch
    checks them."""
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _pair(kernel_size)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pair(
        stride)
    p, d = _pair(padding), _pair(dilation)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} "
                           f"kW: {k[1]}")
    for i in range(2):
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                f"kernel_size={k[i]} and dilation={d[i]}")
    h, w = input.shape[-2:]
    out = (_out_size(h, k[0], s[0], p[0], d[0], ceil_mode),
           _out_size(w, k[1], s[1], p[1], d[1], ceil_mode))
    if out[0] < 1 or out[1] < 1:
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")
    return k, s, p, d, out


def _extra(size: int, k: int, s: int, p: int, d: int, n: int) -> int:
    """How far the last window reaches past the right padding (ceil mode), at least 0."""
    return max(0, (n - 1) * s + d * (k - 1) + 1 - (size + 2 * p))


def _windows(x: np.ndarray, k: Pair, s: Pair, p: Pair, d: Pair, out: Pair,
             fill: Any) -> np.ndarray:
    """The ``out`` windows of ``x`` padded with ``fill``: ``(N, C, Ho, Wo, kh, kw)``."""
    h, w = x.shape[2:]
    eh, ew = (_extra(h, k[0], s[0], p[0], d[0], out[0]),
              _extra(w, k[1], s[1], p[1], d[1], out[1]))
    if p[0] or p[1] or eh or ew:
        x = np.pad(x, ((0, 0), (0, 0), (p[0], p[0] + eh), (p[1], p[1] + ew)),
                   constant_values=fill)
    return im2col(x, k, s, (0, 0), d)[:, :, :out[0], :out[1]]


def _batched(input: Tensor) -> np.ndarray:
    x = input._data
    return x[None] if x.ndim == 3 else x


# -- max -------------------------------------------------------------------------------

class MaxPool2DWithIndicesBackward0(Node):
    """Each window's gradient goes to the element that was its maximum (``indices``: its
    position in its image, flattened)."""

    __slots__ = ()

    def vjp(self, F, g, indices, shape):
        n, c, h, w = shape
        g4 = F.reshape(g, (n, c) + tuple(g.shape[-2:]))
        if isinstance(g, np.ndarray):
            # one bincount over flat positions: np.add.at is many times slower
            flat = indices.reshape(n * c, -1) + (np.arange(n * c) * (h * w))[:, None]
            out = np.bincount(flat.ravel(), weights=g4.ravel(), minlength=n * c * h * w)
            return (out.astype(g.dtype, copy=False).reshape(g.shape[:-2] + (h, w)),)
        idx = indices._data.reshape(g4.shape)  # saved arrays come back as tensors here
        index = tuple(np.broadcast_arrays(np.arange(n).reshape(n, 1, 1, 1),
                                          np.arange(c).reshape(1, c, 1, 1), idx // w, idx % w))
        out = F.index_put((n, c, h, w), index, g4, True)
        return (F.reshape(out, tuple(g.shape[:-2]) + (h, w)),)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The largest value of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` (or
    ``(C, H, W)``); with ``return_indices``, also where each came from (flattened ``H*W``
    positions)."""
    check_tensor(input, "max_pool2d")
    k, s, p, d, out = _geometry(input, kernel_size, stride, padding, dilation, ceil_mode)
    x = _batched(input)
    kind = x.dtype.kind
    low = -np.inf if kind in "fc" else (np.iinfo(x.dtype).min if kind in "iu" else False)
    win = _windows(x, k, s, p, d, out, low)
    n, c, ho, wo = win.shape[:4]
    flat = win.reshape(n, c, ho, wo, k[0] * k[1])
    with _quiet():
        arg = flat.argmax(-1)
    if kind == "f":  # torch picks a nan over any number (argmax keeps the first maximum)
        nan = np.isnan(flat)
        if nan.any():
            arg = np.where(nan.any(-1), nan.argmax(-1), arg)
    data = np.take_along_axis(flat, arg[..., None], -1)[..., 0]
    h, w = x.shape[2:]
    rows = np.arange(ho).reshape(-1, 1) * s[0] - p[0] + (arg // k[1]) * d[0]
    cols = np.arange(wo) * s[1] - p[1] + (arg % k[1]) * d[1]
    indices = (rows * w + cols).astype(np.int64)
    if input.ndim == 3:
        data, indices = data[0], indices[0]
    result = record(MaxPool2DWithIndicesBackward0, np.ascontiguousarray(data), (input,),
                    (indices, (n, c, h, w)))
    if return_indices:
        return result, _wrap(indices)
    return result


# -- average ---------------------------------------------------------------------------

class AvgPool2DBackward0(Node):
    """Each window's gradient, divided by its divisor, spread over the window."""

    __slots__ = ()

    def vjp(self, F, g, shape, k, s, p, divisor, extra):
        n, c, h, w = shape
        g4 = F.reshape(g, (n, c) + tuple(g.shape[-2:]))
        divisor = divisor if isinstance(divisor, np.ndarray) else divisor._data
        share = g4 * F.mask(1 / divisor, g4)
        ho, wo = divisor.shape
        cols = F.expand(F.reshape(share, (n, c, ho, wo, 1, 1)), (n, c, ho, wo) + k)
        full = col2im_op(cols, (n, c, h + extra[0], w + extra[1]), s, p, (1, 1))
        if extra != (0, 0):
            full = F.index(full, (slice(None), slice(None), slice(0, h), slice(0, w)))
        return (F.reshape(full, tuple(g.shape[:-2]) + (h, w)),)


def _counts(size: int, k: int, s: int, p: int, n: int, include_pad: bool) -> np.ndarray:
    """How many elements each window along one axis averages (torch's rule)."""
    start = np.arange(n) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each ``kernel_size`` window of ``input`` ``(N, C, H, W)`` (or ``(C, H,
    W)``), zero padding counted unless ``count_include_pad=False``."""
    check_tensor(input, "avg_pool2d")
    k, s, p, d, out = _geometry(input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    x = _batched(input)
    n, c, h, w = x.shape
    win = _windows(x, k, s, p, d, out, 0)
    if divisor_override is not None:
        divisor = np.full(out, float(divisor_override))
    else:
        divisor = np.outer(_counts(h, k[0], s[0], p[0], out[0], count_include_pad),
                           _counts(w, k[1], s[1], p[1], out[1], count_include_pad))
    divisor = divisor.astype(x.dtype if x.dtype.kind == "f" else np.float64)
    data = (win.sum((-2, -1)) / divisor).astype(x.dtype, copy=False)
    if input.ndim == 3:
        data = data[0]
    extra = (_extra(h, k[0], s[0], p[0], 1, out[0]), _extra(w, k[1], s[1], p[1], 1, out[1]))
    return record(AvgPool2DBackward0, data, (input,), ((n, c, h, w), k, s, p, divisor, extra))
