"""``kl_div``: the Kullback-Leibler divergence of ``target`` from the distribution whose logs
are ``input``, built from plain ops as torch builds it (so its graph is torch's):
``target * log(target) - target * input`` (``xlogy`` makes ``0 log 0`` zero), or, with
``log_target``, ``exp(target) * (target - input)``; then reduced.

``reduction='mean'`` divides by the number of elements (batch times support), which is not
the divergence: torch warns, and ``'batchmean'`` (the sum over the batch size) is the
divergence averaged over the samples."""

from __future__ import annotations

import warnings
from typing import Any

from nbgrad._tensor import Tensor
from nbgrad.nn.functional._loss_checks import _check_reduction, _legacy_reduction
from nbgrad.ops._core import check_tensor

_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """The KL divergence loss, ``input`` holding log-probabilities and ``target``
    probabilities (or log-probabilities, with ``log_target``); ``reduction`` is 'mean',
    'batchmean', 'sum' or 'none'."""
    from nbgrad.ops import div, exp, mean, mul, sub, sum
    from nbgrad.ops.special import xlogy

    if size_average is not None or reduce is not None:
        how = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(_MEAN_WARNING, UserWarning, stacklevel=2)
        how = "sum" if reduction == "batchmean" else _check_reduction(reduction)
    check_tensor(input, "kl_div", "input")
    check_tensor(target, "kl_div", "target", 2)
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = mul(exp(target), sub(target, input))
    else:
        loss = sub(xlogy(target, target), mul(target, input))
    if how == "mean":
        loss = mean(loss)
    elif how == "sum":
        loss = sum(loss)
    # 'batchmean' divides whatever the reduction gave (as torch does, even after the
    # deprecated arguments chose it) by the batch size
    if reduction == "batchmean" and input.ndim != 0:
        loss = div(loss, input.shape[0])
    return loss
