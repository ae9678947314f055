"""Stochastic gradient descent, with optional momentum, dampening, Nesterov momentum and
weight decay: the same update, and so the same numbers, as ``torch.optim.SGD``.

For a parameter ``x`` with gradient ``g``, one step is::

    g = g + weight_decay * x                      (if weight_decay)
    b = g                        on the first step (if momentum)
    b = momentum * b + (1 - dampening) * g        afterwards
    g = g + momentum * b  (nesterov)  or  g = b
    x = x - lr * g
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from nbgrad._tensor import _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.optim.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable or fused:
            raise NotImplementedError("nbgrad's SGD has no differentiable or fused variant")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, momentum = group["lr"], group["momentum"]
        dampening, weight_decay = group["dampening"], group["weight_decay"]
        nesterov, maximize = group["nesterov"], group["maximize"]
        states = self.state
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            x = p._data
            if x.__class__ is not np.ndarray:
                x = p._storage()
            g = grad._data
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * x
            if momentum != 0:
                state = states.get(p)
                if state is None:
                    state = states[p] = {}
                buf = state.get("momentum_buffer")
                if buf is None:
                    b = np.array(g, copy=True)
                    state["momentum_buffer"] = _wrap(b)
                else:
                    b = buf._data
                    if b.__class__ is not np.ndarray:
                        b = buf._storage()
                    b *= momentum
                    if dampening == 0:
                        b += g
                    else:
                        b += g * (1 - dampening)
                    bump_version(buf)
                g = g + momentum * b if nesterov else b
            x -= g * lr
            bump_version(p)
