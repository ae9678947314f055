"""Small helpers every part of ``nbgrad.nn.functional`` uses: NumPy's warnings silenced,
and torch's short dtype names for error messages."""

from __future__ import annotations

import numpy as np

from nbgrad import _dtype


def _quiet() -> np.errstate:
    return np.errstate(all="ignore")


def _name(d: _dtype.dtype) -> str:
    """torch's short dtype name for messages: ``Float``, ``Long``, ``Double``."""
    return _dtype._legacy_type_name(d)[:-6]
