"""Loss layers: each calls its function in ``nbgrad.nn.functional`` with the options it was
built with. ``reduction`` is ``"mean"`` (the default), ``"sum"`` or ``"none"`` (and, for
``KLDivLoss``, ``"batchmean"``)."""

from __future__ import annotations

from nbgrad._tensor import Tensor
from nbgrad.nn import functional as F
from nbgrad.nn.module import Module

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "L1Loss",
           "SmoothL1Loss", "HuberLoss", "KLDivLoss"]


class _Loss(Module):
    def __init__(self, size_average: object = None, reduce: object = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            # the deprecated arguments decide, with torch's warning, once, when built
            reduction = F._legacy_reduction(size_average, reduce)
        self.reduction = reduction

    def _buffer(self, name: str) -> Tensor | None:
        """``self.<name>`` for a registered buffer (``weight``, ``pos_weight``), read from the
        buffer table: ``self.weight`` would first fail the ordinary lookup and only then
        reach ``Module.__getattr__``, which costs more than many losses themselves."""
        buffers = self._buffers
        return buffers[name] if name in buffers else getattr(self, name)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: object = None,
                 reduce: object = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: ``mean((input - target) ** 2)``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities (after a ``Sigmoid``); logs clamped at -100."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self._buffer("weight"),
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``Sigmoid`` and ``BCELoss`` in one, computed stably from the logits."""

    def __init__(self, weight: Tensor | None = None, size_average: object = None,
                 reduce: object = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self._buffer("weight"),
                                                  pos_weight=self._buffer("pos_weight"),
                                                  reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of class indices, given log-probabilities."""

    def __init__(self, weight: Tensor | None = None, size_average: object = None,
                 ignore_index: int = -100, reduce: object = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self._buffer("weight"),
                          ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """``LogSoftmax`` and ``NLLLoss`` in one: the loss for classification from logits.
    Targets are class indices (int64) or class probabilities of the input's shape."""

    def __init__(self, weight: Tensor | None = None, size_average: object = None,
                 ignore_index: int = -100, reduce: object = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self._buffer("weight"),
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class L1Loss(_Loss):
    """Mean absolute error: ``mean(|input - target|)``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic where ``|input - target| < beta``, linear elsewhere."""

    def __init__(self, size_average: object = None, reduce: object = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """``0.5 d^2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """The KL divergence of ``target`` from the distribution whose logs are ``input``;
    ``reduction="batchmean"`` is the divergence averaged over the batch."""

    def __init__(self, size_average: object = None, reduce: object = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
