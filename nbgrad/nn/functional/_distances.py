"""``normalize``, ``cosine_similarity`` and ``pairwise_distance``, built from the ops torch
builds them from, so that their graphs (and printed ``grad_fn``s) are torch's:

- ``normalize``: ``x / norm(x).clamp_min(eps).expand_as(x)`` (``DivBackward0`` over
  ``ExpandBackward0`` over ``ClampMinBackward0`` over ``LinalgVectorNormBackward0``);
- ``cosine_similarity``: ``sum((x1 / |x1|) * (x2 / |x2|), dim)``, each norm cloned and clamped
  at ``eps`` with no gradient: the slope is that of the unclamped norm (torch's
  ``CloneBackward0`` between the norm and the division is what that leaves in the graph);
- ``pairwise_distance``: ``norm(x1 - x2 + eps, p, last dim)``, whose nodes torch names
  ``AddBackward1`` (a tensor plus a number, in C++) and ``NormBackward1`` (``at::norm`` with
  dims): both are defined here, so that ``Tensor.norm`` and ``linalg.vector_norm`` keep
  their ``LinalgVectorNormBackward0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor
from nbgrad.nn.functional._common import _name
from nbgrad.ops._core import RESULT, Node, check_broadcast, check_tensor, record
from nbgrad.ops.norms import LinalgVectorNormBackward0, _vector_norm_data, vector_norm
from nbgrad.ops.reduce import _dims

# -- normalize ---------------------------------------------------------------------------


def normalize(input: Tensor, p: Any = 2.0, dim: Any = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """Each vector along ``dim`` divided by its ``p``-norm (at least ``eps``): unit vectors,
    and zero vectors left zero."""
    from nbgrad.ops import div

    if not isinstance(input, Tensor):
        # torch's first step is input.norm(...): a non-tensor has no such attribute
        raise AttributeError(f"'{type(input).__name__}' object has no attribute 'norm'")
    if out is not None:  # nbgrad has no out= arguments anywhere
        raise NotImplementedError("nbgrad's normalize has no out= argument")
    if isinstance(p, str) and p != "fro":
        norm = input.norm(p, dim, keepdim=True)  # torch's error for 'nuc' (and the others)
    else:
        norm = vector_norm(input, 2 if p == "fro" else p, dim, True)
    return div(input, norm.clamp_min(eps).expand_as(input))


# -- cosine_similarity -------------------------------------------------------------------


def _int_arg(fn: str, name: str, pos: int, value: Any) -> int:
    from nbgrad._size_args import _is_index, _tp_name

    if isinstance(value, bool) or not _is_index(value):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not "
                        f"{_tp_name(value)}")
    return int(value._data) if isinstance(value, Tensor) else int(value)


def _float_arg(fn: str, name: str, value: Any, pos: int | None = None) -> float:
    from nbgrad._size_args import _tp_name

    if isinstance(value, Tensor) and value.numel() == 1:
        return float(value._data)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        where = "" if pos is None else f" (position {pos})"
        raise TypeError(f"{fn}(): argument '{name}'{where} must be float, not "
                        f"{_tp_name(value)}")
    return float(value)


def _expand_both(x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    """torch's ``expand_outplace``: when the shapes differ, both sides are expanded to the
    common shape (an ``ExpandBackward0`` on each, even one already of that shape)."""
    if x1.shape == x2.shape:
        return x1, x2
    check_broadcast(x1._data, x2._data)
    shape = tuple(np.broadcast_shapes(x1.shape, x2.shape))
    return x1.expand(shape), x2.expand(shape)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` (broadcast) along ``dim``, that
    dimension removed: ``sum(x1/max(|x1|, eps) * x2/max(|x2|, eps))``. Each side is divided
    by its norm first, so the result stays within [-1, 1]."""
    from nbgrad._grad_mode import no_grad
    from nbgrad.ops import div, mul, sum

    check_tensor(x1, "cosine_similarity", "x1")
    check_tensor(x2, "cosine_similarity", "x2", 2)
    dim = _int_arg("cosine_similarity", "dim", 3, dim)
    eps = _float_arg("cosine_similarity", "eps", eps, 4)
    common = _dtype.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_name(common)}")
    # integers (and booleans) are converted first: vector_norm accepts no integers
    if not x1.dtype.is_floating_point:
        x1 = x1.to(common)
    if not x2.dtype.is_floating_point:
        x2 = x2.to(common)
    x1, x2 = _expand_both(x1, x2)
    n1 = vector_norm(x1, 2, dim, True).clone()
    n2 = vector_norm(x2, 2, dim, True).clone()
    with no_grad():  # the clamp keeps the division finite; the slope is the norm's own
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return sum(mul(div(x1, n1), div(x2, n2)), dim)


# -- pairwise_distance -------------------------------------------------------------------


class AddBackward1(Node):
    """torch's node for a tensor plus a number (``at::add(Tensor, Scalar)``, called from C++;
    Python's ``x + 1.0`` records ``AddBackward0``)."""

    __slots__ = ()

    def vjp(self, F, g):
        return (g,)


class NormBackward1(LinalgVectorNormBackward0):
    """torch's node for ``at::norm(x, p, dim, keepdim)``: the slope of a vector norm, the
    same formula as ``linalg.vector_norm``'s, under torch's other name."""

    __slots__ = ()


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` (broadcast) along the last dimension: the distance
    between matching rows. ``eps`` keeps the 2-norm's slope finite where the rows are equal."""
    from nbgrad._grad_mode import no_grad
    from nbgrad.ops import add, sub

    fn = "pairwise_distance"
    check_tensor(x1, fn, "x1")
    check_tensor(x2, fn, "x2", 2)
    p = _float_arg(fn, "p", p)
    eps = _float_arg(fn, "eps", eps)
    if not isinstance(keepdim, bool):
        from nbgrad._size_args import _tp_name

        raise TypeError(f"{fn}(): argument 'keepdim' must be bool, not {_tp_name(keepdim)}")
    diff = sub(x1, x2)
    with no_grad():  # the data only: the node is torch's AddBackward1, recorded below
        shifted = add(diff, eps)._data
    shifted_t = record(AddBackward1, shifted, (diff,))
    ndim = max(x1.ndim, x2.ndim)
    dims = _dims(ndim - 1, ndim)  # torch's innermost dim: -1 for 0-d inputs, which wraps
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        data = np.asarray(_vector_norm_data(shifted, p, dims, keepdim), dtype=shifted.dtype)
    if dims is None and keepdim:
        data = data.reshape((1,) * shifted.ndim)
    return record(NormBackward1, data, (shifted_t,),
                  (shifted_t, p, dims, keepdim, RESULT))
