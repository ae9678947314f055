"""``Size``: the shape of a tensor, a tuple that prints as ``nbgrad.Size([2, 3])``."""

from __future__ import annotations


class Size(tuple):
    """A tuple subclass, as ``torch.Size`` is, printed with nbgrad's module name."""

    __slots__ = ()

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

    def __add__(self, other):
        return Size(tuple.__add__(self, other))
