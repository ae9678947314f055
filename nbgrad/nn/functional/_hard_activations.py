"""The piecewise-linear activations: ``hardtanh`` (and ``relu6``, which torch records as a
``hardtanh`` between 0 and 6), ``hardsigmoid`` and ``hardswish``, each beside its node
(``HardtanhBackward0``, ``HardsigmoidBackward0``, ``HardswishBackward0``).

Their slopes are 0 or a constant on each piece; at a kink torch takes the slope of the flat
side (``hardtanh``'s is 1 only strictly inside ``(min_val, max_val)``), and so does nbgrad.
Each ``vjp`` is written with operators and ``F``'s functions only (see
``_smooth_activations``), so ``create_graph=True`` works through them."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _quiet
from nbgrad.nn.functional._smooth_activations import _floating, _number, _opmath
from nbgrad.ops._core import Node, check_tensor, record

# -- hardtanh, relu6 ---------------------------------------------------------------------


class HardtanhBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, min_val, max_val):
        return (F.keep((x > min_val) & (x < max_val), g),)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; with ``inplace``, written into ``input`` and
    returned (``hardtanh_``)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    fn = "hardtanh_" if inplace else "hardtanh"
    check_tensor(input, fn)
    min_val = _number(fn, "min_val", 2, min_val)
    max_val = _number(fn, "max_val", 3, max_val)
    return _hardtanh(input, min_val, max_val, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``: a ``hardtanh`` between 0 and 6, recorded as one."""
    check_tensor(input, "relu6_" if inplace else "relu6")
    return _hardtanh(input, 0, 6, inplace)


def _hardtanh(input: Tensor, lo: Any, hi: Any, inplace: bool) -> Tensor:
    if inplace:  # (the node keeps a copy of the old input, as torch's does)
        return input._inplace(lambda a: _hardtanh(a, lo, hi, False))
    x = input._data
    if x.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if x.dtype.kind == "u" and (lo < 0 or hi < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    # integers are clamped too (torch's kernel takes them); their bounds are made integers
    bounds = (lo, hi) if x.dtype.kind in "fc" else (int(lo), int(hi))
    data = np.clip(x, *bounds).astype(x.dtype, copy=False)
    return record(HardtanhBackward0, data, (input,), (input, lo, hi))


# -- hardsigmoid -------------------------------------------------------------------------


# torch's kernel takes the slope 1/6 as a float32 constant, in every dtype
_ONE_SIXTH = float(np.float32(1 / 6))


class HardsigmoidBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        return (F.keep((x > -3) & (x < 3), g) * _ONE_SIXTH,)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, a straight line between; with
    ``inplace``, written into ``input`` and returned (``hardsigmoid_``, whose node keeps a
    copy of the old input, as torch's does)."""
    check_tensor(input, "hardsigmoid_" if inplace else "hardsigmoid")
    if inplace:
        _floating(input, "hardsigmoid_cpu")
        return input._inplace(_hardsigmoid)
    return _hardsigmoid(input)


def _hardsigmoid(input: Tensor) -> Tensor:
    x = _opmath(_floating(input, "hardsigmoid_cpu"))
    with _quiet():
        data = (np.clip(x + 3, 0, 6) / 6).astype(input._data.dtype, copy=False)
    return record(HardsigmoidBackward0, data, (input,), (input,))


# -- hardswish ---------------------------------------------------------------------------


class HardswishBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x):
        # 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on (torch's kernel)
        middle = F.keep((x > -3) & (x < 3), g) * (x * (1 / 3) + 0.5)
        return (middle + F.keep(x >= 3, g),)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``; with ``inplace``, written into ``input`` and returned
    (``hardswish_``, whose node keeps a copy of the old input, as torch's does)."""
    check_tensor(input, "hardswish_" if inplace else "hardswish")
    if inplace:
        _floating(input, "hardswish_cpu")
        return input._inplace(_hardswish)
    return _hardswish(input)


def _hardswish(input: Tensor) -> Tensor:
    x = _opmath(_floating(input, "hardswish_cpu"))
    with _quiet():
        data = (x * np.clip(x + 3, 0, 6) / 6).astype(input._data.dtype, copy=False)
    return record(HardswishBackward0, data, (input,), (input,))
