"""NAdam: Adam with Nesterov momentum (the step looks ahead along the average gradient),
with the same update, and so the same numbers, as ``torch.optim.NAdam``.

For a parameter ``x`` with gradient ``g``, step ``t`` is::

    mu_t = beta1 * (1 - 0.96**(t * momentum_decay) / 2)       (the momentum schedule)
    P = mu_1 * ... * mu_t                                     (kept as "mu_product")
    m = beta1 * m + (1 - beta1) * g,  v = beta2 * v + (1 - beta2) * g * g
    d = sqrt(v / (1 - beta2**t)) + eps
    x = x - lr * (1 - mu_t) / (1 - P) * g / d - lr * mu_{t+1} / (1 - P * mu_{t+1}) * m / d
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, check_adam_arguments, count_step, new_step

__all__ = ["NAdam"]


class NAdam(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_adam_arguments(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        if differentiable:
            raise NotImplementedError("nbgrad's NAdam has no differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
        decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
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
                    "mu_product": _wrap(np.asarray(1.0, dtype=np.float32)),
                    "exp_avg": _wrap(np.zeros_like(x)),
                    "exp_avg_sq": _wrap(np.zeros_like(x)),
                }
            step = count_step(state)
            bias_correction2 = 1 - beta2**step
            if weight_decay != 0:
                if decoupled:
                    x *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * x
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            # torch keeps the product in a float32 tensor: rounded at every step, as here
            prod_t = state["mu_product"]
            prod_t._data = np.asarray(prod_t._data * mu, dtype=prod_t._data.dtype)
            mu_product = float(prod_t._data)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m += (g - m) * (1 - beta1)  # torch's lerp_(g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            denom = np.sqrt(v / bias_correction2)
            denom += eps
            x += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            x += (-lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)
            bump_version(p)
