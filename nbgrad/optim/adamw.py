"""AdamW: Adam with decoupled weight decay (default 0.01), as ``torch.optim.AdamW``.

Adam's ``weight_decay`` adds ``weight_decay * x`` to the gradient, where the running averages
then shrink it along with everything else; AdamW instead shrinks each parameter directly,
``x = x * (1 - lr * weight_decay)``, before Adam's step. It is Adam with
``decoupled_weight_decay=True``, and prints as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbgrad.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        # as torch's __setstate__: whatever was saved, AdamW's decay stays decoupled
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
