"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates.

A Parameter is an ordinary leaf tensor (it requires grad by default) with one extra meaning:
assigning it to an attribute of a module registers it, so ``model.parameters()`` finds it.
It prints as torch prints one, ``Parameter containing:`` above the tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.graph import version_box

__all__ = ["Parameter"]

_CREATE_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


class Parameter(Tensor):
    """``Parameter(data, requires_grad=True)``: shares memory with ``data``."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = _wrap(np.zeros((0,), dtype=np.float32))
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        if requires_grad and data._data.dtype.kind != "f":
            raise RuntimeError(_CREATE_GRAD)
        p = _wrap(data._storage(), bool(requires_grad))
        p._vbox = version_box(data)  # the same memory, so the same version counter
        # Same memory layout as Tensor (no new slots), so the class can be swapped in: this
        # keeps Parameter correct whatever fields Tensor gains.
        p.__class__ = cls
        return p  # type: ignore[return-value]

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ refuses direct construction)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_parameter, (np.asarray(self._data), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A Parameter with a copy of the values and no ``.grad``, as torch's deepcopy of a
        Parameter (and so of a module) gives."""
        new = Parameter(_wrap(np.array(self._data, copy=True)), self._requires_grad)
        memo[id(self)] = new
        return new


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(_wrap(data), requires_grad)
