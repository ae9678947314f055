"""Counting and bucketing: ``histc``, ``bincount``, ``searchsorted`` and ``bucketize``.
Their results are counts and places (step functions of the input), outside the graph, as
in torch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import Tensor, check_tensor

__all__ = ["histc", "bincount", "searchsorted", "bucketize"]


def _name(t: Tensor) -> str:
    return _dtype._legacy_type_name(t.dtype)[:-6]


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal bins between ``min`` and ``max`` (the data's own range
    when both are 0); elements outside are left out, and ``max`` falls in the last bin."""
    check_tensor(input, "histc")
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_name(input)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = x.dtype.type(min), x.dtype.type(max)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    flat = x.reshape(-1)
    flat = flat[(flat >= lo) & (flat <= hi)]
    # torch's arithmetic, in the input's dtype: (x - lo) * bins / (hi - lo), the top edge in
    # the last bin
    pos = ((flat - lo) * x.dtype.type(bins) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return _wrap(np.bincount(pos, minlength=bins).astype(x.dtype))


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How many times each of ``0, 1, ..., max(input)`` occurs (or the sum of ``weights`` at
    its places): at least ``minlength`` counts."""
    check_tensor(input, "bincount")
    x = input._data
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_name(input)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dt = np.float32 if w.dtype == np.float32 else np.float64  # torch's rule
    return _wrap(np.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(out_dt))


def _sorted_places(boundaries: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    side = "right" if right else "left"
    if boundaries.ndim <= 1:
        return np.searchsorted(boundaries, values, side=side)
    rows_b = boundaries.reshape(-1, boundaries.shape[-1])
    rows_v = values.reshape(rows_b.shape[0], -1)
    out = np.stack([np.searchsorted(b, v, side=side) for b, v in zip(rows_b, rows_v)])
    return out.reshape(values.shape)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None
                 ) -> Tensor:
    """Where each value of ``input`` would go in ``sorted_sequence`` (along its last
    dimension) to keep it sorted: the first such place, or the last with ``right=True``."""
    check_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    b = sorted_sequence._data
    if sorter is not None:
        b = np.take_along_axis(b, sorter._data, axis=-1)
    scalar = not isinstance(input, Tensor)
    v = np.asarray(input) if scalar else input._data
    if b.ndim > 1 and (scalar or v.shape[:-1] != b.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(b.shape)} and input value tensor {list(v.shape)}")
    out = _sorted_places(b, v, right)
    return _wrap(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each element of ``input`` among the sorted 1-D ``boundaries``."""
    check_tensor(boundaries, "bucketize", "boundaries", 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim"
                           f"({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
