"""Adagrad: gradient descent divided by the root of the sum of all past squared gradients,
with the same update, and so the same numbers, as ``torch.optim.Adagrad``.

For a parameter ``x`` with gradient ``g``, step ``t`` is::

    g = g + weight_decay * x                      (if weight_decay)
    s = s + g * g                                 (every squared gradient so far)
    x = x - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

Each coordinate's step shrinks as its gradients pile up: rare features keep large steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer, count_step, new_step

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if differentiable or fused:
            raise NotImplementedError("nbgrad's Adagrad has no differentiable or fused variant")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch fills the state of every parameter here, before any step
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {
                    "step": new_step(),
                    "sum": _wrap(np.full_like(p._data, group["initial_accumulator_value"])),
                }

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        for p in group["params"]:
            if p._grad is None:
                continue
            x = p._storage()
            g = np.asarray(p._grad._data)
            if maximize:
                g = -g
            state = self.state[p]
            step = count_step(state)
            if weight_decay != 0:
                g = g + weight_decay * x
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state["sum"]._data
            s += g * g
            std = np.sqrt(s)
            std += eps
            x -= clr * (g / std)
            bump_version(p)
