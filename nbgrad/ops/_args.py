"""torch's argument parser, for the integer arguments of ops (a dim, a count, a diagonal)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

__all__ = ["int_arg"]


def int_arg(value: Any, fn: str, arg: str, pos: int) -> int:
    """``value`` as an int (an integer tensor of one element will do), or torch's TypeError:
    a bool or a float is not an int."""
    if not isinstance(value, (bool, np.bool_)):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be int, not "
                    f"{type(value).__name__}")


def int_list_arg(value: Any, fn: str, arg: str, pos: int) -> list[int]:
    """``value`` (a tuple or list of ints) as a list, or torch's TypeError naming ``arg``."""
    from nbgrad._size_args import _size_arg

    try:
        return _size_arg(value, fn, pos)
    except TypeError as err:
        raise TypeError(str(err).replace("argument 'size'", f"argument '{arg}'", 1)) from None
