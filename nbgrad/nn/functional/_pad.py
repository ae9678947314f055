"""``pad``: widen (or, with negative amounts, crop) the last dimensions of a tensor, filling
the new border with a constant. Its node, ``ConstantPadNdBackward0``, hands back the part of
the gradient that lies over the original tensor: the same op with the amounts negated."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.ops._core import Node, check_tensor, record


class ConstantPadNdBackward0(Node):
    """``pad(x, p)``: the gradient is ``pad(g, -p)``, the border cut off again."""

    __slots__ = ()

    def vjp(self, F, g, pad):
        return (_pad_any(g, tuple(-p for p in pad), 0.0),)


def _pad_array(x: np.ndarray, pad: tuple, value: Any) -> np.ndarray:
    """``x`` with ``pad`` (torch's order: last dimension first, (before, after) pairs)
    applied: positive amounts add a border of ``value``, negative ones cut."""
    widths = [(0, 0)] * x.ndim
    crops = [slice(None)] * x.ndim
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        widths[d] = (max(before, 0), max(after, 0))
        crops[d] = slice(max(-before, 0), x.shape[d] - max(-after, 0))
    x = x[tuple(crops)]
    if any(w != (0, 0) for w in widths):
        x = np.pad(x, widths, constant_values=value)
    return np.ascontiguousarray(x)


def _pad_any(x: Any, pad: tuple, value: Any) -> Any:
    """``pad`` on an array (a plain backward) or on a tensor (recorded)."""
    if isinstance(x, np.ndarray):
        return _pad_array(x, pad, value)
    return _constant_pad(x, pad, value)


def _constant_pad(input: Tensor, pad: tuple, value: Any) -> Tensor:
    x = input._data
    for i in range(len(pad) // 2):
        d = x.ndim - 1 - i
        new = x.shape[d] + pad[2 * i] + pad[2 * i + 1]
        if new < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if new == 0 and x.shape[d]:
            raise RuntimeError(
                f"The input size {x.shape[d]}, plus negative padding {pad[2 * i]} and "
                f"{pad[2 * i + 1]} resulted in a negative output size, which is invalid. "
                f"Check dimension {d} of your input.")
    data = _pad_array(x, pad, value)
    return record(ConstantPadNdBackward0, data, (input,), (pad,))


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions of ``input``: ``pad`` lists (before, after)
    for the last dimension, then for the one before it, ...; ``mode='constant'`` fills the
    border with ``value`` (0 by default)."""
    check_tensor(input, "pad")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}")
    if mode != "constant":
        if mode in ("reflect", "replicate", "circular"):
            raise NotImplementedError(f"nbgrad's pad has mode 'constant' only, not {mode!r}")
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    return _constant_pad(input, pad, 0.0 if value is None else value)
