"""``BatchNorm1d``: normalize each feature over the batch, keeping running averages of its
mean and variance (buffers) for evaluation."""

from __future__ import annotations

from typing import Any

from nbgrad import _dtype
from nbgrad._creation import empty, ones, tensor, zeros
from nbgrad._tensor import Tensor
from nbgrad.nn import functional as F
from nbgrad.nn import init
from nbgrad.nn.module import Module
from nbgrad.nn.parameter import Parameter

__all__ = ["BatchNorm1d"]


class _BatchNorm(Module):
    """What torch's batch norms share: the parameters (``weight``, ``bias``: one per
    feature), the buffers (``running_mean``, ``running_var``, ``num_batches_tracked``) and
    a forward that trains on the batch's statistics and evaluates with the running ones."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: _dtype.dtype | None = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=_dtype.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        buffers = self._buffers
        if self.training and self.track_running_stats:
            tracked = buffers["num_batches_tracked"]
            if tracked is not None:
                tracked.add_(1)
                # momentum=None: a plain average of every batch seen so far
                factor = 1.0 / float(tracked) if self.momentum is None else self.momentum
        running_mean, running_var = buffers["running_mean"], buffers["running_var"]
        if self.training:
            bn_training = True
        else:
            bn_training = running_mean is None and running_var is None
        # the running averages are passed when they are updated (training and tracked) or
        # used (evaluation)
        use = not self.training or self.track_running_stats
        params = self._parameters
        return F.batch_norm(input, running_mean if use else None,
                            running_var if use else None, params["weight"], params["bias"],
                            bn_training, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of a ``(N, C)`` or ``(N, C, L)`` input over its ``C`` features:
    in ``train()`` mode with the batch's mean and (biased) variance, whose running averages
    it keeps (``running = (1 - momentum) * running + momentum * batch``); in ``eval()``
    mode with those running averages."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
