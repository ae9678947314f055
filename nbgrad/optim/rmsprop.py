"""RMSprop: gradient descent divided by a running root mean square of the gradient, with
the same update, and so the same numbers, as ``torch.optim.RMSprop``.

For a parameter ``x`` with gradient ``g``, one step is::

    g = g + weight_decay * x                      (if weight_decay)
    v = alpha * v + (1 - alpha) * g * g           (average squared gradient)
    avg = sqrt(v) + eps
    avg = sqrt(v - m * m) + eps,  m = alpha * m + (1 - alpha) * g     (centered: the variance)
    b = momentum * b + g / avg,   x = x - lr * b  (with momentum)
    x = x - lr * g / avg                          (without)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, count_step, new_step

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        if differentiable:
            raise NotImplementedError("nbgrad's RMSprop has no differentiable variant")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        centered, maximize = group["centered"], group["maximize"]
        for p in group["params"]:
            if p._grad is None:
                continue
            x = p._storage()
            g = np.asarray(p._grad._data)
            if maximize:
                g = -g
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {
                    "step": new_step(),
                    "square_avg": _wrap(np.zeros_like(x)),
                }
                if momentum > 0:
                    state["momentum_buffer"] = _wrap(np.zeros_like(x))
                if centered:
                    state["grad_avg"] = _wrap(np.zeros_like(x))
            count_step(state)
            if weight_decay != 0:
                g = g + weight_decay * x
            v = state["square_avg"]._data
            v *= alpha
            v += (1 - alpha) * g * g
            if centered:
                m = state["grad_avg"]._data
                m += (g - m) * (1 - alpha)  # torch's lerp_(g, 1 - alpha)
                avg = np.sqrt(v - m * m)
            else:
                avg = np.sqrt(v)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                buf += g / avg
                x -= lr * buf
            else:
                x -= lr * (g / avg)
            bump_version(p)
