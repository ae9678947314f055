"""RAdam: Adam whose adaptive step is switched on gradually, once the running variance
estimate is trustworthy (the "rectification"), with the same update, and so the same
numbers, as ``torch.optim.RAdam``.

For a parameter ``x`` with gradient ``g``, step ``t`` is::

    m = beta1 * m + (1 - beta1) * g,  v = beta2 * v + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1,    rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
    x = x - lr * m / (1 - beta1**t) * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)
                                                                   (if rho_t > 5)
    x = x - lr * m / (1 - beta1**t)                                 (otherwise: SGD-momentum)

with ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, check_adam_arguments, count_step, new_step

__all__ = ["RAdam"]


class RAdam(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_adam_arguments(lr, eps, betas, weight_decay)
        if differentiable:
            raise NotImplementedError("nbgrad's RAdam has no differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        decoupled = group["decoupled_weight_decay"]
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
                    "exp_avg_sq": _wrap(np.zeros_like(x)),
                }
            step = count_step(state)
            if weight_decay != 0:
                if decoupled:
                    x *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * x
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += (g - m) * (1 - beta1)  # torch's lerp_(g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            corrected = m / bias_correction1
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                adaptive = np.sqrt(v)
                adaptive += eps
                adaptive = (bias_correction2**0.5) / adaptive
                x -= corrected * lr * adaptive * rect
            else:
                x -= corrected * lr
            bump_version(p)
