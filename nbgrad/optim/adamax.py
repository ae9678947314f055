"""Adamax: Adam with the root mean square replaced by a running maximum of the gradient's
size (the infinity norm), with the same update, and so the same numbers, as
``torch.optim.Adamax``.

For a parameter ``x`` with gradient ``g``, step ``t`` is::

    g = g + weight_decay * x                      (if weight_decay)
    m = beta1 * m + (1 - beta1) * g               (average gradient)
    u = max(beta2 * u, |g| + eps)                 (decaying largest size)
    x = x - lr / (1 - beta1**t) * m / u
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, check_adam_arguments, count_step, new_step

__all__ = ["Adamax"]


class Adamax(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_adam_arguments(lr, eps, betas, weight_decay)
        if differentiable:
            raise NotImplementedError("nbgrad's Adamax has no differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
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
                    "exp_avg": _wrap(np.zeros_like(x)),
                    "exp_inf": _wrap(np.zeros_like(x)),
                }
            step = count_step(state)
            if weight_decay != 0:
                g = g + weight_decay * x
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            m += (g - m) * (1 - beta1)  # torch's lerp_(g, 1 - beta1)
            u *= beta2
            np.maximum(u, np.abs(g) + eps, out=u)
            clr = lr / (1 - beta1**step)
            x -= clr * (m / u)
            bump_version(p)
