"""Filling a tensor in place with random numbers: ``uniform_`` and ``normal_``, drawn from
``nbgrad.manual_seed``'s generator (not torch's numbers, but torch's rules: a leaf that
requires grad is refused outside ``no_grad``; inside a graph the old values are gone, so
their gradient is zero)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._core import Node, Tensor, record

__all__ = ["uniform_", "normal_"]


class UniformBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (F.zeros(g.shape, g),)


class NormalBackward0(UniformBackward0):
    __slots__ = ()


def _check_float(self: Tensor, kernel: str) -> None:
    if self._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype._legacy_type_name(self.dtype)[:-6]}'")


def _fill(self: Tensor, kernel: str, draw: Any, node: type[Node]) -> Tensor:
    _check_float(self, kernel)
    values = np.asarray(draw(self._data.shape), dtype=self._data.dtype)
    return self._inplace(lambda old: record(node, values, (old,)))


def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator: Any = None) -> Tensor:
    """Overwrite with numbers drawn uniformly from ``[from_, to)``."""
    from nbgrad._creation import _rng

    self._check_inplace()  # torch refuses a leaf that requires grad before anything else
    _check_float(self, "check_uniform_bounds")  # then an integer tensor, then the range
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    rng = _rng(generator)
    dt = self._data.dtype.type

    def draw(shape: tuple) -> np.ndarray:
        values = rng.uniform(from_, to, shape).astype(dt)
        if from_ < to:  # rounded to float32, a draw just below ``to`` may become ``to``
            np.minimum(values, np.nextafter(dt(to), dt(from_)), out=values)
        return values

    return _fill(self, "check_uniform_bounds", draw, UniformBackward0)


def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator: Any = None) -> Tensor:
    """Overwrite with numbers drawn from a normal distribution of ``mean`` and ``std``."""
    from nbgrad._creation import _rng

    self._check_inplace()
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    rng = _rng(generator)
    return _fill(self, "normal_kernel_cpu", lambda shape: rng.normal(mean, std, shape),
                 NormalBackward0)
