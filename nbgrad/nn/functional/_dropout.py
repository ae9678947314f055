"""``dropout``: a random mask from nbgrad's seeded generator, scaled to keep the mean."""

from __future__ import annotations

import numpy as np

from nbgrad._creation import default_generator
from nbgrad._tensor import Tensor, _wrap
from nbgrad.nn.functional._common import _name
from nbgrad.ops import mul
from nbgrad.ops._core import check_tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` (from nbgrad's seeded generator) and scale
    the rest by ``1 / (1 - p)``; the identity when not ``training``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not isinstance(input, Tensor):
        check_tensor(input, "dropout_" if inplace else "dropout")
    if not training or p == 0.0:
        return input
    x = input._data
    if x.dtype.kind != "f" and p != 1.0:
        # torch multiplies in place by a float mask
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {_name(input.dtype)}"
        )
    if p == 1.0:
        mask = np.zeros(x.shape, dtype=x.dtype)
    else:
        keep = default_generator.rng.random(x.shape) >= p
        mask = keep.astype(x.dtype) * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
    return input.mul_(_wrap(mask)) if inplace else mul(input, _wrap(mask))
