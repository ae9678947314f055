"""``conv1d`` and ``conv2d``: slide a small kernel over a signal or an image, recorded as
torch records them (one ``ConvolutionBackward0``, with torch's checks and errors).

A convolution is a matrix product in disguise: lay every window of the (padded) input out
as a row (``im2col``), and each output pixel is that row times the kernel. With ``groups``,
the channels split into ``groups`` independent blocks, one matrix product each (a batched
``matmul``). The backward is two more products: the kernel's gradient is the outputs'
gradient times the windows, and the input's gradient is the outputs' gradient times the
kernel, added back where each window was read (``col2im``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.autograd.engine import NUMPY_NAMESPACE
from nbgrad.nn.functional._pad import _constant_pad
from nbgrad.nn.functional._windows import col2im_op, im2col, im2col_op
from nbgrad.ops import squeeze, unsqueeze
from nbgrad.ops._core import Node, check_tensor, record

__all__ = ["conv1d", "conv2d", "ConvolutionBackward0"]


class ConvolutionBackward0(Node):
    """``out = conv(x, w) + b``. With the windows of ``x`` as rows ``X`` (per group),
    ``out = X @ W^T``: so ``dW = G^T @ X``, ``dX = col2im(G @ W)`` and ``db = sum(G)``."""

    __slots__ = ()

    def vjp(self, F, g, x, w, has_bias, stride, pad, dilation, groups):
        one_d = len(w.shape) == 3  # conv1d: computed as an image one pixel high
        if one_d:
            x, w, g = F.unsqueeze(x, 2), F.unsqueeze(w, 2), F.unsqueeze(g, 2)
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        ho, wo = g.shape[2:]
        og = o // groups
        k = cg * kh * kw
        # the outputs' gradient as (groups, pixels, out channels per group)
        g2 = F.reshape(F.permute(F.reshape(g, (n, groups, og, ho, wo)), (1, 0, 3, 4, 2)),
                       (groups, n * ho * wo, og))
        w2 = F.reshape(w, (groups, og, k))
        need_x, need_w, need_b = self.needs_input_grad
        dx = dw = db = None
        if need_w:
            cols = _group_rows(F, im2col_op(x, (kh, kw), stride, pad, dilation), groups)
            dw = F.reshape(F.matmul(F.mT(g2), cols), (o, cg, kh, kw))
        if need_x:
            dcols = F.reshape(F.matmul(g2, w2), (groups, n, ho, wo, cg, kh, kw))
            dcols = F.reshape(F.permute(dcols, (1, 0, 4, 2, 3, 5, 6)), (n, c, ho, wo, kh, kw))
            dx = col2im_op(dcols, (n, c, h, wd), stride, pad, dilation)
        if has_bias and need_b:
            db = F.sum(g, (0, 2, 3))
        if one_d:
            dx = None if dx is None else F.squeeze(dx, 2)
            dw = None if dw is None else F.squeeze(dw, 2)
        return dx, dw, db


def _group_rows(F: Any, win: Any, groups: int) -> Any:
    """Windows ``(N, C, Ho, Wo, kh, kw)`` as rows: ``(groups, N*Ho*Wo, C/groups*kh*kw)``."""
    n, c, ho, wo, kh, kw = win.shape
    cg = c // groups
    win = F.reshape(win, (n, groups, cg, ho, wo, kh, kw))
    return F.reshape(F.permute(win, (1, 0, 3, 4, 2, 5, 6)), (groups, n * ho * wo, cg * kh * kw))


def _forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple, pad: tuple,
             dilation: tuple, groups: int) -> np.ndarray:
    """The convolution of 4-d arrays: one (batched over groups) matrix product."""
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    win = im2col(x, (kh, kw), stride, pad, dilation)
    ho, wo = win.shape[2:4]
    cols = _group_rows(NUMPY_NAMESPACE, win, groups)  # the one copy of the windows
    out = np.matmul(cols, w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1))
    out = out.reshape(groups, n, ho, wo, o // groups).transpose(1, 0, 4, 2, 3)
    out = np.ascontiguousarray(out).reshape(n, o, ho, wo)
    if b is not None:
        out += b.reshape(o, 1, 1)
    return out


# -- arguments -----------------------------------------------------------------------------

def _tuple(value: Any, nd: int, name: str) -> tuple:
    """An int or a sequence of ``nd`` ints, as torch expands it (its error otherwise)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * nd
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * nd
    if len(value) != nd:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {nd} values to match "
            f"the convolution dimensions, but got {name}={list(value)}")
    return value


def _same_padding(input: Tensor, k: tuple, dilation: tuple, stride: tuple,
                  ) -> tuple[Tensor, tuple]:
    """``padding='same'``: half the kernel's span on each side; when the span is odd, torch
    pads the input's end by one more first (a ``ConstantPadNdBackward0`` of its own)."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    totals = [d * (n - 1) for d, n in zip(dilation, k)]
    left = tuple(t // 2 for t in totals)
    extra = [t % 2 for t in totals]
    if any(extra):
        warnings.warn(
            "Using padding='same' with even kernel lengths and odd dilation may require a "
            "zero-padded copy of the input be created", UserWarning, stacklevel=4)
        widths: list[int] = []
        for e in reversed(extra):  # torch's order: the last dimension first
            widths += [0, e]
        input = _constant_pad(input, tuple(widths), 0.0)
    return input, left


def _check(input: Tensor, weight: Tensor, bias: Tensor | None, nd: int, stride: tuple,
           padding: tuple, dilation: tuple, groups: int) -> None:
    """torch's checks of a convolution's arguments, in its order, with its words."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar(x.dtype)} but found {_scalar(w.dtype)}")
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_c_type(x.dtype)}) and bias type "
                           f"({_c_type(bias._data.dtype)}) should be the same")
    if w.ndim != nd + 2:
        raise RuntimeError(
            f"expected stride to be a single integer value or a list of {w.ndim - 2} values "
            f"to match the convolution dimensions, but got stride={list(stride)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    o = w.shape[0]
    if o < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {list(w.shape)} instead")
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(w.shape)}] instead")
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead")
    if bias is not None and bias._data.shape != (o,):
        raise RuntimeError(
            f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with {o} "
            f"elements, but got bias of size {list(bias._data.shape)} instead")
    padded = [x.shape[2 + i] + 2 * padding[i] for i in range(nd)]
    span = [dilation[i] * (w.shape[2 + i] - 1) + 1 for i in range(nd)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
            "actual input size")
    if x.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"slow_conv2d_cpu\" not implemented for '{_scalar(x.dtype)}'")


def _c_type(d: np.dtype) -> str:
    """The C++ type name torch prints for a dtype (``float``, ``double``)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(d.name, d.name)


def _scalar(d: np.dtype) -> str:
    """torch's scalar type name of a NumPy dtype (``Float``, ``Double``, ``Long``)."""
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(d.name, d.name)


def _conv(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any,
          dilation: Any, groups: int, nd: int) -> Tensor:
    name = f"conv{nd}d"
    check_tensor(input, name)
    check_tensor(weight, name, "weight", 2)
    if bias is not None:
        check_tensor(bias, name, "bias", 3)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}")
    if input.ndim == nd + 1:  # unbatched: torch adds the batch dimension and takes it away
        out = _conv(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups, nd)
        return squeeze(out, 0)
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(
                f"Invalid padding string: '{padding}'")
        k = tuple(weight.shape[2:])
        if padding == "valid":
            padding = (0,) * nd
        else:
            input, padding = _same_padding(input, k, dilation, stride)
    else:
        padding = _tuple(padding, nd, "padding")
    _check(input, weight, bias, nd, stride, padding, dilation, groups)
    x, w = input._data, weight._data
    b = None if bias is None else bias._data
    if nd == 1:  # a signal is an image one pixel high
        x, w = x[:, :, None, :], w[:, :, None, :]
        stride, padding, dilation = (1, *stride), (0, *padding), (1, *dilation)
    data = _forward(x, w, b, stride, padding, dilation, groups)
    if nd == 1:
        data = data[:, :, 0, :]
    # three edges even without a bias (its edge leads nowhere), as in torch
    inputs = (input, weight, bias)
    saved = (input, weight, bias is not None, stride, padding, dilation, groups)
    return record(ConvolutionBackward0, data, inputs, saved)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """Slide ``weight`` ``(out_channels, in_channels/groups, k)`` along ``input``
    ``(N, in_channels, L)``; ``padding`` may be a number, ``'valid'`` or ``'same'``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """Slide ``weight`` ``(out_channels, in_channels/groups, kh, kw)`` over ``input``
    ``(N, in_channels, H, W)``; ``padding`` may be a number, a pair, ``'valid'`` or
    ``'same'``."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


