"""Rounding (``floor``, ``ceil``, ``round``, ``trunc``, ``frac``) and telling numbers apart
(``isnan``, ``isinf``, ``isfinite``). A rounded value is flat between its steps, so its
gradient is 0 everywhere (torch's convention at the steps too); ``frac`` is ``x - trunc(x)``,
of slope 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import Node, Tensor, check_tensor, record

__all__ = ["floor", "ceil", "round", "trunc", "frac", "isnan", "isinf", "isfinite"]


class _Flat(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (F.zeros(g.shape, g),)  # torch's zeros_like(grad)


class FloorBackward0(_Flat):
    __slots__ = ()


class CeilBackward0(_Flat):
    __slots__ = ()


class RoundBackward0(_Flat):
    __slots__ = ()


class RoundBackward1(_Flat):  # round(x, decimals=n)
    __slots__ = ()


class TruncBackward0(_Flat):
    __slots__ = ()


def _rounded(input: Tensor, fn: str, ufunc: np.ufunc, node: type[Node]) -> Tensor:
    check_tensor(input, fn)
    x = input._data
    if x.dtype.kind != "f":  # integers (and bools) are their own floor
        return _wrap(np.array(x, copy=True))
    return record(node, ufunc(x), (input,))


def floor(input: Tensor) -> Tensor:
    return _rounded(input, "floor", np.floor, FloorBackward0)


def ceil(input: Tensor) -> Tensor:
    return _rounded(input, "ceil", np.ceil, CeilBackward0)


def trunc(input: Tensor) -> Tensor:
    return _rounded(input, "trunc", np.trunc, TruncBackward0)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    """To the nearest integer (or ``decimals`` places), halves to even, as torch does."""
    if not decimals:
        return _rounded(input, "round", np.rint, RoundBackward0)
    check_tensor(input, "round")
    x = input._data
    return record(RoundBackward1, np.round(x, decimals), (input,))


class FracBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (g,)


def frac(input: Tensor) -> Tensor:
    """``x - trunc(x)``: the fractional part, with the sign of ``x``."""
    check_tensor(input, "frac")
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"frac_cpu\" not implemented for '{_dtype._legacy_type_name(input.dtype)[:-6]}'")
    return record(FracBackward0, x - np.trunc(x), (input,))


def _test(input: Any, fn: str, ufunc: np.ufunc) -> Tensor:
    check_tensor(input, fn)
    return _wrap(np.asarray(ufunc(input._data)))


def isnan(input: Tensor) -> Tensor:
    return _test(input, "isnan", np.isnan)


def isinf(input: Tensor) -> Tensor:
    return _test(input, "isinf", np.isinf)


def isfinite(input: Tensor) -> Tensor:
    return _test(input, "isfinite", np.isfinite)
