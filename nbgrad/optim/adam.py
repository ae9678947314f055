"""Adam: gradient descent scaled by running averages of the gradient and of its
square, with the same update, and so the same numbers, as ``torch.optim.Adam``.

For a parameter ``x`` with gradient ``g``, step ``t`` is::

    m = beta1 * m + (1 - beta1) * g               (average gradient)
    v = beta2 * v + (1 - beta2) * g * g           (average squared gradient)
    x = x - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

``weight_decay`` adds ``weight_decay * x`` to ``g`` or, with ``decoupled_weight_decay=True``
(what ``AdamW`` is, in adamw.py), shrinks ``x`` by ``lr * weight_decay`` directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, check_adam_arguments, count_step, new_step

__all__ = ["Adam"]


class Adam(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        check_adam_arguments(lr, eps, betas, weight_decay)
        if differentiable or fused:
            raise NotImplementedError("nbgrad's Adam has no differentiable or fused variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
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
                    "exp_avg": _wrap(np.zeros_like(x)),
                    "exp_avg_sq": _wrap(np.zeros_like(x)),
                }
                if amsgrad:
                    state["max_exp_avg_sq"] = _wrap(np.zeros_like(x))
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
            bias_correction2_sqrt = math.sqrt(1 - beta2**step)
            if amsgrad:
                vmax = state["max_exp_avg_sq"]._data
                np.maximum(vmax, v, out=vmax)
                denom = np.sqrt(vmax)
            else:
                denom = np.sqrt(v)
            denom /= bias_correction2_sqrt
            denom += eps
            x -= (lr / bias_correction1) * m / denom
            bump_version(p)

