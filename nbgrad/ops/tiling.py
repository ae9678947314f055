"""Copies that rearrange or repeat: ``flip``, ``repeat`` and ``tile``.

``flip``'s backward flips the gradient back; ``repeat``'s adds up the gradients of the copies
of each element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad.ops._args import int_list_arg
from nbgrad.ops._core import Node, Tensor, check_tensor, record, wrap_dim

__all__ = ["flip", "repeat", "tile"]


class FlipBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, dims):
        return (F.flip(g, dims),)


def flip(input: Tensor, dims: Any) -> Tensor:
    """A copy with the order of the elements reversed along each of ``dims``."""
    check_tensor(input, "flip")
    x = input._data
    wrapped = tuple(wrap_dim(d, x.ndim) for d in int_list_arg(dims, "flip", "dims", 2))
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for d in wrapped if wrapped.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    data = np.flip(x, wrapped).copy() if x.ndim else np.array(x, copy=True)
    return record(FlipBackward0, data, (input,), (wrapped if x.ndim else (),))


class RepeatBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shape, repeats):
        padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
        pairs = []
        for r, n in zip(repeats, padded):
            pairs += [r, n]
        summed = F.sum(F.reshape(g, tuple(pairs)), tuple(range(0, 2 * len(repeats), 2)))
        return (F.reshape(summed, tuple(shape)),)


def repeat(input: Tensor, repeats: Any) -> Tensor:
    """``input`` repeated ``repeats[i]`` times along dimension ``i`` (new leading dimensions
    when ``repeats`` is longer)."""
    check_tensor(input, "repeat")
    x = input._data
    repeats = tuple(int(r) for r in repeats)
    if len(repeats) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - x.ndim) + x.shape
    target = [r * n for r, n in zip(repeats, padded)]
    for s in target:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {target}")
    data = np.tile(x, repeats) if repeats else np.array(x, copy=True)
    return record(RepeatBackward0, data, (input,), (x.shape, repeats))


def tile(input: Tensor, dims: Any) -> Tensor:
    """``repeat``, except that ``dims`` shorter than the input's dimensions is padded with 1s
    in front."""
    check_tensor(input, "tile")
    dims = tuple(int_list_arg(dims, "tile", "dims", 2))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)
