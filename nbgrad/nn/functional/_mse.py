"""``mse_loss``: the mean squared error, and its node ``MseLossBackward0``."""

from __future__ import annotations

import warnings
from typing import Any

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name
from nbgrad.nn.functional._loss_checks import (
    _REDUCTIONS,
    _as_target,
    _check_reduction,
    _legacy_reduction,
    _reduce,
    _scale,
)
from nbgrad.ops._core import Node, check_broadcast, record


class MseLossBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, x, y, reduction, n):
        d = (x - y) * (_scale(g, reduction, n) * 2)
        return d, (-d if self.next_functions[1][0] is not None else None)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """The mean (or sum) of ``(input - target) ** 2``."""
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _as_target(target)  # torch compares target.size() with input.size(): target first
        _as_target(input)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape!r}) that is different to the input size "
            f"({input.shape!r}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if target.shape != input.shape:
        check_broadcast(input._data, target._data)
    if reduction not in _REDUCTIONS:
        reduction = _check_reduction(reduction)
    rt = _dtype.result_type(input, target)
    if not rt.is_floating_point:
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_name(rt)}'")
    input, target = input.to(rt), target.to(rt)
    diff = input._data - target._data
    per = diff * diff
    data = _reduce(per, reduction)
    return record(MseLossBackward0, data, (input, target), (input, target, reduction, per.size),
                  broadcast=input._data.shape != target._data.shape)
