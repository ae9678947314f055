"""``Flatten``: merge a run of dimensions into one (by default all but the batch)."""

from __future__ import annotations

from nbgrad._tensor import Tensor
from nbgrad.nn.module import Module
from nbgrad.ops import flatten

__all__ = ["Flatten"]


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
