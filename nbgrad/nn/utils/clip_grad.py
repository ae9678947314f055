"""Gradient clipping: shrink the gradients before an optimizer step so that one steep batch
cannot throw the parameters far away.

``clip_grad_norm_`` treats all the gradients as one long vector: if its norm is above
``max_norm``, every gradient is multiplied by ``max_norm / (norm + 1e-6)`` (the direction is
kept). ``clip_grad_value_`` clamps each element to ``[-clip_value, clip_value]``. Both work in
place, outside the graph, with torch's numbers: the norm of each gradient first, then the
norm of those norms."""

from __future__ import annotations

import types
import warnings
from collections.abc import Iterable

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.graph import bump_version

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_Tensors = Tensor | Iterable[Tensor]


def _vector_norm(x: np.ndarray, p: float) -> np.ndarray:
    """torch.linalg.vector_norm(x, p) of all the elements, in x's dtype."""
    a = np.abs(x)
    if p == float("inf"):
        return np.max(a)
    if p == float("-inf"):
        return np.min(a)
    if p == 0:
        return np.asarray(np.count_nonzero(x), dtype=x.dtype)
    if p == 1:
        return np.sum(a)
    if p == 2:
        return np.sqrt(np.sum(a * a))
    return np.sum(a ** p) ** (1.0 / p)


def get_total_norm(tensors: _Tensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all the elements of ``tensors`` together (a 0-d tensor)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _wrap(np.asarray(0.0, dtype=_dtype.get_default_dtype().numpy))
    with np.errstate(all="ignore"):
        norms = [_vector_norm(np.asarray(t._data), norm_type) for t in tensors]
        total = np.asarray(_vector_norm(np.stack(norms), norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return _wrap(total)


def _grads(parameters: _Tensors) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else parameters
    return [p._grad for p in params if p._grad is not None]


def clip_grads_with_norm_(parameters: _Tensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Multiply every gradient by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = _grads(parameters)
    max_norm = float(max_norm)
    if not grads:
        return
    total = np.asarray(total_norm._data)
    with np.errstate(all="ignore"):
        # in the norm's dtype, as torch computes max_norm / (total_norm + 1e-6)
        coef = np.minimum(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        data = g._storage()
        data *= coef
        bump_version(g)


def clip_grad_norm_(parameters: _Tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients of ``parameters`` so that their total norm is at most
    ``max_norm``; returns the total norm they had before (a 0-d tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=2)
    total_norm = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: _Tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The old name of ``clip_grad_norm_`` (deprecated, as in torch)."""
    warnings.warn("`nbgrad.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`nbgrad.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _Tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element of ``parameters`` to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        data = g._storage()
        np.clip(data, -clip_value, clip_value, out=data)
        bump_version(g)
