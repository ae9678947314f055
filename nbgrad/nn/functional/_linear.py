"""``linear``: the affine map of ``Linear``, recorded as torch records it (an
``AddmmBackward0`` fed by a ``TBackward0`` of the weight), with torch's checks."""

from __future__ import annotations

import math

import numpy as np

from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.graph import version_box
from nbgrad.nn.functional._common import _name
from nbgrad.ops import matmul, reshape, t, view
from nbgrad.ops._core import Node, check_tensor, record
from nbgrad.ops.shape import TBackward0, _expanded_shape


class AddmmBackward0(Node):
    """``bias + mat1 @ mat2``: what ``Linear`` records (``mat2`` is ``weight.t()``)."""

    __slots__ = ()

    def vjp(self, F, g, mat1, mat2, bias_shape):
        if isinstance(g, np.ndarray):  # a plain backward: the same formulas, fewer calls
            d_bias = None
            if bias_shape is not None:
                # np.add.reduce is what g.sum(0) calls, minus a Python wrapper
                d_bias = (np.add.reduce(g, 0) if bias_shape == g.shape[1:]
                          else F.sum_to(g, bias_shape))
            return (d_bias, None if mat2 is None else g @ mat2.T,
                    None if mat1 is None else (g.T @ mat1).T)
        d_bias = None if bias_shape is None else F.sum_to(g, bias_shape)
        d_mat1 = None if mat2 is None else F.matmul(g, F.mT(mat2))
        # mat1^T g, computed as (g^T mat1)^T: mat2 is weight.t(), so TBackward0 turns this
        # back into a row-major array of the weight's shape, which the optimizer then updates
        # at full speed (the other order hands it a column-major gradient).
        d_mat2 = None if mat1 is None else F.mT(F.matmul(F.mT(g), mat1))
        return d_bias, d_mat1, d_mat2


def _addmm_weight_t(bias: Tensor, mat1: Tensor, weight: Tensor) -> Tensor:
    """``bias + mat1 @ weight.t()`` for a matrix ``mat1``, recorded as torch records it for
    ``Linear``: an ``AddmmBackward0`` whose ``mat2`` comes from a ``TBackward0`` of the
    weight."""
    w_t = weight._data.T
    data = np.matmul(mat1._data, w_t)
    data += bias._data
    if not STATE.enabled:
        return _wrap(data)
    # weight.t(), recorded as core's ``t`` records it (a TBackward0 view sharing the weight's
    # memory and version counter), minus its general view test
    mat2 = record(TBackward0, w_t, (weight,))
    mat2._base = weight if weight._base is None else weight._base
    mat2._vbox = version_box(weight)
    # Like torch, keep each factor only if the other one's gradient will need it.
    saved = (mat1 if mat2._requires_grad else None, mat2 if mat1._requires_grad else None,
             bias._data.shape if bias._requires_grad else None)
    return record(AddmmBackward0, data, (bias, mat1, mat2), saved)


def _weight_t(weight: Tensor) -> Tensor:
    """``weight.t()`` for a matrix, recorded as ``_addmm_weight_t`` records it."""
    out = record(TBackward0, weight._data.T, (weight,))
    out._base = weight if weight._base is None else weight._base
    out._vbox = version_box(weight)
    return out


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: the affine map of ``Linear``, over the last dimension."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        check_tensor(input, "linear")
        check_tensor(weight, "linear", "weight", 2)
    x, w = input._data, weight._data
    # Each NumPy attribute read costs about as much as a Python call: read them once.
    x_shape, w_shape = x.shape, w.shape
    if not x_shape or not w_shape:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and "
            f"{w.ndim}D"
        )
    if bias is None:
        if len(w_shape) == 2 and x_shape[-1] == w_shape[1] and x.dtype == w.dtype:
            return matmul(input, _weight_t(weight))
        # torch computes matmul(input, weight.t()): let those two raise torch's errors
        return matmul(input, t(weight))
    if not isinstance(bias, Tensor):
        check_tensor(bias, "linear", "bias", 3)
    b = bias._data
    if (len(x_shape) == 2 and len(w_shape) == 2 and x_shape[1] == w_shape[1]
            and b.shape == w_shape[:1] and x.dtype == w.dtype == b.dtype
            and x.dtype.kind != "b"):
        return _addmm_weight_t(bias, input, weight)  # the usual layer: one fused addmm
    return _linear_checked(input, weight, bias)


def _linear_checked(input: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``linear`` with a bias, past its fast path: torch's route for these shapes and its
    checks, in its order."""
    x, w, b = input._data, weight._data, bias._data
    x_shape, w_shape = x.shape, w.shape
    # torch fuses the bias into one addmm for a matrix input, and for any other contiguous
    # input when the bias has one dimension that is not 1 ("likely fusable"); otherwise it
    # computes matmul(input, weight.t()) and adds the bias in place.
    fusable = ((b.ndim == 1 or sum(s != 1 for s in b.shape) == 1) and b.flags.c_contiguous
               and x.flags.c_contiguous)
    if len(x_shape) != 2 and not fusable:
        return matmul(input, t(weight)).add_(bias)
    if len(w_shape) > 2:
        t(weight)  # raises torch's error for weight.t()
    # addmm(bias, input, weight.t()) checks the dtypes, then the shapes, then the bias
    if b.dtype != w.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_name(bias.dtype)} and "
            f"{_name(weight.dtype)}"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_name(input.dtype)} and "
            f"{_name(weight.dtype)}"
        )
    if len(w_shape) != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {len(w_shape)}-D tensor")
    n_out, n_in = w_shape
    rows = math.prod(x_shape[:-1])
    if x_shape[-1] != n_in:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x_shape[-1]} and "
            f"{n_in}x{n_out})"
        )
    _expanded_shape(b.shape, (rows, n_out), bias.dtype)  # raises expand's errors
    if x.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if len(x_shape) == 2:
        return _addmm_weight_t(bias, input, weight)
    out = _addmm_weight_t(bias, reshape(input, (rows, n_in)), weight)
    return view(out, x_shape[:-1] + (n_out,))
