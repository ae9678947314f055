"""``finfo`` and ``iinfo``: the limits of a dtype (``torch.finfo(x.dtype).eps``, the small
number that keeps a log or a division away from zero), as torch gives them: Python numbers,
and the dtype's name as a string."""

from __future__ import annotations

import numpy as np

from nbgrad import _dtype

__all__ = ["finfo", "iinfo"]


def _checked(d: object, fn: str) -> _dtype.dtype:
    if not isinstance(d, _dtype.dtype):
        raise TypeError(f"{fn}(): argument 'type' (position 1) must be nbgrad.dtype, not "
                        f"{type(d).__name__}")
    return d


class finfo:  # noqa: N801 - torch's name
    """Machine limits of a floating-point dtype (the default dtype when none is given)."""

    def __init__(self, type: _dtype.dtype | None = None) -> None:  # noqa: A002 - torch's name
        d = _dtype.get_default_dtype() if type is None else _checked(type, "finfo")
        if not d.is_floating_point:
            raise TypeError("nbgrad.finfo() requires a floating point input type. Use "
                            "nbgrad.iinfo to handle 'nbgrad.finfo'")
        info = np.finfo(d.numpy)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # NumPy gives float16 its rounding
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """Limits of an integer dtype."""

    def __init__(self, type: _dtype.dtype) -> None:  # noqa: A002 - torch's name
        d = _checked(type, "iinfo")
        if d is _dtype.bool:
            raise TypeError("nbgrad.bool is not supported by nbgrad.iinfo")
        if d.is_floating_point:
            raise TypeError("nbgrad.iinfo() requires an integer input type. Use nbgrad.finfo "
                            "to handle 'nbgrad.iinfo'")
        info = np.iinfo(d.numpy)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
