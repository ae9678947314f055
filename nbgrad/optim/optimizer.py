"""``Optimizer``: what every optimizer shares.

An optimizer holds ``param_groups`` (lists of parameters, each with its hyperparameters) and
a ``state`` per parameter (momentum buffers, running averages). ``zero_grad()`` clears the
gradients; ``step()`` updates every parameter that has one, in place and outside the graph,
as torch's optimizers do under ``no_grad``.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import enable_grad
from nbgrad._tensor import Tensor, _wrap
from nbgrad.nn.module import clear_grad

__all__ = ["Optimizer"]


def _type_name(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"nbgrad.{_dtype._legacy_type_name(x.dtype)}"
    return type(x).__name__


class Optimizer:
    """Base class: subclasses set ``defaults`` and implement ``step``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_type_name(params)}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (the defaults fill in the
        ones it leaves out)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{_type_name(p)}"
                )
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                UserWarning,
                stacklevel=3,
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient of every parameter: to None (the default, as in torch 2), or
        to zeros."""
        for group in self.param_groups:
            if set_to_none:  # what clear_grad does then, without a call per parameter
                for p in group["params"]:
                    p._grad = None
            else:
                for p in group["params"]:
                    clear_grad(p, False)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their ``.grad``. A ``closure`` that recomputes
        the loss may be given; its value is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- saving and restoring --------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [...]}``, parameters named by their
        position across the groups, as torch names them."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and per-parameter state saved by ``state_dict``."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for saved, group in zip(groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        by_index = {}
        for saved, group in zip(groups, self.param_groups):
            for i, p in zip(saved["params"], group["params"]):
                by_index[i] = p
        self.state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                continue
            self.state[p] = {name: _restore(value, p, name) for name, value in values.items()}
        for saved, group in zip(groups, self.param_groups):
            for k, v in saved.items():
                if k != "params":
                    group[k] = tuple(v) if k == "betas" else v

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _restore(value: Any, param: Tensor, name: str) -> Any:
    """A saved state value as this optimizer keeps it: a fresh array, in the parameter's
    dtype (except the step count, which stays as saved)."""
    if not isinstance(value, Tensor):
        return value
    data = np.array(value._data, copy=True)
    if name != "step" and data.dtype.kind == "f":
        data = data.astype(param._data.dtype, copy=False)
    return _wrap(data)


# -- pieces the optimizers share ---------------------------------------------------------------

def check_adam_arguments(lr: float, eps: float, betas: tuple[float, float],
                         weight_decay: float) -> None:
    """torch's checks of the Adam family's hyperparameters, in torch's order and words."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def new_step() -> Tensor:
    """A parameter's step count as torch keeps it in the optimizer's state: a float32
    0-d tensor."""
    return _wrap(np.asarray(0.0, dtype=np.float32))


def count_step(state: dict[str, Any]) -> float:
    """Add one to ``state["step"]`` and return the new count."""
    step_t = state["step"]
    step_t._data = np.asarray(step_t._data + 1, dtype=step_t._data.dtype)
    return float(step_t._data)
