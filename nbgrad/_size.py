"""``Size``: the shape of a tensor, a tuple that prints as ``nbgrad.Size([2, 3])``."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any


class Size(tuple):
    """A tuple subclass, as ``torch.Size`` is, printed with nbgrad's module name.

    Tensors build theirs with ``tuple.__new__(Size, shape)``: a NumPy shape needs no check."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        items = tuple(sizes)
        if all(type(s) is int for s in items):
            return tuple.__new__(cls, items)
        out = []
        # torch takes anything with __index__ (True, a 0-d int tensor)
        for i, s in enumerate(items):
            try:
                out.append(operator.index(s))
            except TypeError:
                raise TypeError(f"nbgrad.Size() takes an iterable of 'int' (item {i} is "
                                f"'{type(s).__name__}')") from None
        return tuple.__new__(cls, out)

    def __repr__(self) -> str:
        return f"nbgrad.Size({list(self)!r})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):  # slices of a Size are Sizes, as in torch
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    # torch.Size stays a Size through tuple arithmetic, on either side of it
    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "nbgrad.Size")
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, n):
        if not hasattr(n, "__index__"):
            name = "nbgrad.Size" if isinstance(n, Size) else type(n).__name__
            raise TypeError(f"can't multiply sequence by non-int of type '{name}'")
        out = tuple.__mul__(self, n)
        return out if out is NotImplemented else tuple.__new__(Size, out)

    __rmul__ = __mul__
