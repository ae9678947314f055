"""``x.new_zeros(...)`` and the other ``new_*`` methods, and ``x.type_as(y)``: new tensors
that take ``x``'s dtype (and device) unless told otherwise. They are leaves, never in a
graph (``type_as`` excepted: it is ``x.to(y.dtype)``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._creation import _finish, tensor
from nbgrad._device import check_device
from nbgrad._size_args import _size, _sized
from nbgrad._tensor import Tensor

__all__ = ["new_zeros", "new_empty", "new_ones", "new_full", "new_tensor", "type_as"]

_COPY_CONSTRUCT = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "tensor.new_tensor(sourceTensor)."
)


def _dt(self: Tensor, dtype: _dtype.dtype | None) -> np.dtype:
    return (dtype if dtype is not None else self.dtype).numpy


def new_zeros(self: Tensor, *size: Any, dtype: _dtype.dtype | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Zeros of ``size``, of this tensor's dtype unless ``dtype`` is given."""
    check_device(device)
    return _finish(np.zeros(_size(size, "new_zeros"), dtype=_dt(self, dtype)), requires_grad)


def new_empty(self: Tensor, *size: Any, dtype: _dtype.dtype | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Uninitialised in torch; zeros here (as ``nbgrad.empty``), so lessons stay the same."""
    check_device(device)
    return _finish(np.zeros(_size(size, "new_empty"), dtype=_dt(self, dtype)), requires_grad)


def new_ones(self: Tensor, *size: Any, dtype: _dtype.dtype | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """Ones of ``size``, of this tensor's dtype unless ``dtype`` is given."""
    check_device(device)
    return _finish(np.ones(_size(size, "new_ones"), dtype=_dt(self, dtype)), requires_grad)


def new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: _dtype.dtype | None = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere in ``size`` (a tuple), of this tensor's dtype by default."""
    check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = _sized(size, "new_full", 1)
    return _finish(np.full(shape, fill_value, dtype=_dt(self, dtype)), requires_grad)


def new_tensor(self: Tensor, data: Any, *, dtype: _dtype.dtype | None = None,
               device: Any = None, requires_grad: bool = False) -> Tensor:
    """A copy of ``data``, of this tensor's dtype unless ``dtype`` is given."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(_COPY_CONSTRUCT, UserWarning, stacklevel=2)
        data = np.array(data._data, copy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return tensor(data, dtype if dtype is not None else self.dtype,
                      requires_grad=requires_grad)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """This tensor cast to ``other``'s dtype (itself if the dtype is the same)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(other).__name__}")
    return self.to(other.dtype)
