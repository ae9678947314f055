"""Numbers and arrays as the short text a drawing shows.

Tensor values are printed as torch prints them: four decimals (``0.7767``, ``13.9803``) and
scientific notation for very large or very small magnitudes (``1.0000e-08``). Whole numbers
drop their decimals (``81`` rather than torch's ``81.``) so that a formula such as ``cos(81)``
reads naturally. The parameters a student typed (the ``2`` of ``x ** 2``, the bounds of a
clamp) are Python numbers and are shown as Python shows them (``1e-08``, ``0.99999999``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = ["Summary", "fmt", "fmt_param", "summarize", "magnitude", "plural"]

_SHOW_ALL = 4  # 1-D arrays up to this many elements are shown in full


def fmt(v: float) -> str:
    """One number as torch would print it: ``0.7767``, ``13.9803``, ``81``, ``1.0000e-08``."""
    v = float(v)
    a = abs(v)
    if 1e-4 <= a < 1e8:  # the common case first (false for nan and inf)
        if v.is_integer():
            return str(int(v))
        text = f"{v:.4f}"
        return "0" if text in ("0.0000", "-0.0000") else text
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    return f"{v:.4e}"


def fmt_param(v: object) -> str:
    """A parameter the student typed, as Python prints it: ``2``, ``0.5``, ``1e-08``."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def magnitude(a: np.ndarray) -> float:
    """How big a gradient is: ``|g|`` for a scalar, the largest ``|g_i|`` for an array."""
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        return float(np.max(np.abs(a.astype(np.float64, copy=False))))


class Summary(NamedTuple):
    """A value or a gradient as the drawing shows it.

    ``text`` is what is printed (the number for a scalar, the elements of a short vector, or
    the range of a larger array); ``scalar`` is the number when there is exactly one;
    ``magnitude`` drives an edge's colour and width; ``finite`` is False when any element is
    nan or inf.

    A named tuple: as unchangeable as a frozen dataclass, and three times quicker to make
    (a drawing makes one for every value and gradient it shows).
    """

    text: str
    shape: tuple[int, ...]
    scalar: float | None
    magnitude: float
    finite: bool

    @property
    def shape_text(self) -> str:
        return "[" + ", ".join(str(s) for s in self.shape) + "]"


def _scalar(s: float, shape: tuple[int, ...]) -> Summary:
    finite = math.isfinite(s)
    return Summary(fmt(s), shape, s, abs(s) if not math.isnan(s) else math.nan, finite)


_NUMBERS = (float, int, np.floating, np.integer)


def summarize(value: object) -> Summary | None:
    """A Summary of an array (or of anything ``np.asarray`` takes). None, and anything that
    is not an array of numbers, gives None; a Summary is returned as it is."""
    if value is None or isinstance(value, Summary):
        return value
    if isinstance(value, _NUMBERS):  # the common case (NumPy's float64 is a float): fast
        return _scalar(float(value), ())
    if type(value) is np.ndarray and value.ndim == 0 and value.dtype.kind in "biuf":
        return _scalar(float(value), ())  # a scalar tensor's data: as fast
    try:
        a = value if isinstance(value, np.ndarray) else np.asarray(value)
    except (TypeError, ValueError):
        return None
    if a.dtype.kind not in "biufc":
        return None
    if a.size == 1 and a.dtype.kind != "c":
        return _scalar(float(a.reshape(-1)[0]), tuple(int(s) for s in a.shape))
    if a.dtype.kind == "c":
        a = np.abs(a)
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    shape = tuple(int(s) for s in a.shape)
    finite = bool(np.all(np.isfinite(a))) if a.dtype.kind == "f" else True
    mag = magnitude(a)
    if a.size == 1:
        s = float(a.reshape(()))
        return Summary(fmt(s), shape, s, mag, finite)
    if a.size == 0:
        return Summary("[]", shape, None, 0.0, True)
    flat = a.reshape(-1)
    if a.ndim == 1 and a.size <= _SHOW_ALL:
        text = "[" + ", ".join(fmt(v) for v in flat) + "]"
    else:
        ok = flat if finite else flat[np.isfinite(flat)]
        text = f"min {fmt(ok.min())} max {fmt(ok.max())}" if ok.size else "no finite values"
    if not finite:
        bad = [w for w, m in (("nan", np.isnan(flat)), ("inf", np.isinf(flat))) if m.any()]
        if a.ndim != 1 or a.size > _SHOW_ALL:
            text += " (has " + " and ".join(bad) + ")"
    return Summary(text, shape, None, mag, finite)


def plural(n: int, noun: str) -> str:
    """``1 node``, ``5 nodes``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
