"""Division that rounds and what it leaves over: ``//`` (``floor_divide``), ``%``
(``remainder``, the sign of the divisor), ``fmod`` (the sign of the dividend), and ``div``'s
``rounding_mode``.

The quotients are flat between their steps: torch gives ``div(..., rounding_mode=...)`` a
zero gradient, and ``floor_divide`` none at all (a ``NotImplemented`` node whose backward
says so). A remainder ``a - b * q`` has slope 1 in ``a`` and ``-q`` in ``b``.

The arithmetic is torch's: integer division by zero is an error, and the remainder is
computed from C's ``fmod`` (so ``-0. % 2`` keeps its sign and ``-7. % inf`` is inf).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad.ops._core import Node, Tensor, binary_operands, check_tensor, record

__all__ = ["floor_divide", "remainder", "fmod", "div_rounded"]

_KERNEL = {"floor_divide": "div_floor", "remainder": "remainder", "fmod": "fmod",
           "div": "div_floor"}


class _NoDerivative(Node):
    """torch's node for an op it has no derivative for: the graph goes on through it, and a
    backward that reaches it fails, naming the op."""

    __slots__ = ()

    def name(self) -> str:
        return "nbgrad::autograd::NotImplemented"

    def vjp(self, F, g, op):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")


_NoDerivative.__name__ = _NoDerivative.__qualname__ = "NotImplemented"  # as torch prints it


class DivBackward2(Node):
    """``div`` with a ``rounding_mode``: a step function, of gradient 0."""

    __slots__ = ()

    def vjp(self, F, g):
        zeros = F.zeros(g.shape, g)
        return zeros, zeros


class RemainderBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g):
        return (g,)


class RemainderBackward1(Node):
    __slots__ = ()
    rounding = "floor"

    def vjp(self, F, g, a, b):
        # torch's ``-grad * self.div(other, rounding_mode=...)``: ``a`` and ``b`` are saved
        # only when the divisor needs its gradient. Under create_graph the quotient is a
        # recorded op (DivBackward2, of slope 0), as in torch.
        if b is None:
            return g, None
        if isinstance(b, Tensor):
            return g, -g * div_rounded(a, b, self.rounding)
        q = _floor_quotient(a, b) if self.rounding == "floor" else _trunc_quotient(a, b)
        return g, -g * q


class FmodBackward0(RemainderBackward0):
    __slots__ = ()


class FmodBackward1(RemainderBackward1):
    __slots__ = ()
    rounding = "trunc"


def _operands(input: Any, other: Any, fn: str) -> tuple[Any, Any]:
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        check_tensor(input, fn)
    a, b, dt = binary_operands(input, other, fn)
    kind = np.dtype(dt).kind
    if kind == "b":
        raise NotImplementedError(f'"{_KERNEL[fn]}_cpu" not implemented for \'Bool\'')
    if kind in "iu" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")
    return np.asarray(a, dtype=dt), np.asarray(b, dtype=dt)


def _fmod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.fmod(a, b)


def _remainder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch's remainder: C's fmod, moved by the divisor where the signs differ."""
    mod = _fmod(a, b)
    fix = (mod != 0) & ((b < 0) != (mod < 0))
    if fix.any():
        mod = np.where(fix, mod + b, mod)
    return mod


def _floor_quotient(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.floor_divide(a, b)


def _trunc_quotient(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "iu":  # exact, where a float quotient could round the wrong way
        q = np.floor_divide(a, b)
        return q + ((q < 0) & (a - q * b != 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.trunc(np.true_divide(a, b)).astype(a.dtype, copy=False)


def _inputs(*xs: Any) -> tuple:
    return tuple(x for x in xs if isinstance(x, Tensor))


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: the quotient rounded down. No gradient: as in torch, a backward
    through it fails."""
    a, b = _operands(input, other, "floor_divide")
    return record(_NoDerivative, _floor_quotient(a, b), _inputs(input, other),
                  ("floor_divide",))


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other``: what is left after ``floor_divide``, with the sign of ``other``."""
    a, b = _operands(input, other, "remainder")
    data = _remainder(a, b)
    if not isinstance(input, Tensor):  # a number divided by a tensor: no derivative in torch
        return record(_NoDerivative, data, (other,), ("remainder",))
    if not isinstance(other, Tensor):
        return record(RemainderBackward0, data, (input,))
    saved = (input, other) if other._requires_grad else (None, None)
    return record(RemainderBackward1, data, (input, other), saved, broadcast=True)


def fmod(input: Tensor, other: Any) -> Tensor:
    """C's ``fmod``: what is left after dividing with the quotient rounded toward zero,
    with the sign of ``input``."""
    check_tensor(input, "fmod")
    a, b = _operands(input, other, "fmod")
    data = _fmod(a, b)
    if not isinstance(other, Tensor):
        return record(FmodBackward0, data, (input,))
    saved = (input, other) if other._requires_grad else (None, None)
    return record(FmodBackward1, data, (input, other), saved, broadcast=True)


def div_rounded(input: Tensor, other: Any, rounding_mode: str) -> Tensor:
    """``div(input, other, rounding_mode=...)`` for ``"floor"`` and ``"trunc"``."""
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    a, b = _operands(input, other, "div")
    data = _floor_quotient(a, b) if rounding_mode == "floor" else _trunc_quotient(a, b)
    return record(DivBackward2, data, (input, other), broadcast=isinstance(other, Tensor))
