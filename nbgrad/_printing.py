"""How tensors print: the same text ``torch`` prints, with ``nbgrad.`` where torch says ``torch.``.

The layout follows PyTorch's rules:

* One formatter is chosen for the whole tensor (or, when the tensor is summarised, for the
  elements that will actually be shown).  For floating tensors it looks only at the finite,
  nonzero values and picks one of three styles:

  - *int mode* when every such value is a whole number: ``1.``, ``-3.``;
  - *scientific* when the largest magnitude is over 1000 times the smallest, over ``1e8``,
    or the smallest is under ``1e-4`` (``set_printoptions(sci_mode=...)`` overrides this);
  - *fixed* otherwise, with ``precision`` decimals.

  Every element is right-aligned to the widest finite, nonzero element.  ``nan``, ``inf`` and
  zeros do not count towards that width.
* Values are formatted as Python floats, i.e. a float32 element is first widened exactly to
  float64, which is what decides the rounding of the last printed digit.
* A 1-D row wraps after as many elements as fit in ``linewidth`` (less the indentation).
* A tensor with more than ``threshold`` elements is summarised: every dimension longer than
  ``2 * edgeitems`` shows its first and last ``edgeitems`` entries around ``...``.
* Suffixes (``dtype=``, ``size=``, ``grad_fn=``, ``requires_grad=``) follow the closing
  bracket, each moved to a new line when it would overflow ``linewidth``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from . import _dtype

__all__ = ["format_tensor", "set_printoptions", "get_printoptions"]

_PREFIX = "tensor("
_INDENT = len(_PREFIX)
# Line-wrapping decisions measure a ``dtype=`` suffix as torch spells it (``torch.int32``),
# so that the layout stays identical to torch's even though our name is one letter longer.
_NAME_SURPLUS = len("nbgrad.") - len("torch.")


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change how tensors print, as ``torch.set_printoptions`` does.

    ``profile`` ("default", "short" or "full") first resets the four numeric options; any
    option passed explicitly then overrides it.  An unknown profile name is ignored.  As in
    torch, ``sci_mode`` is *always* assigned, so a call that leaves it out resets it to
    ``None`` (choose automatically).
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTIONS, name, value)
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments ``set_printoptions`` accepts."""
    return dataclasses.asdict(_OPTIONS)


# --------------------------------------------------------------------------------------------
# Choosing a formatter


# Up to this many displayed elements, the formatter is chosen in plain Python: for small tensors
# that is several times faster than a handful of NumPy reductions.
_SMALL = 16


class _ElementFormatter:
    """Turns one Python number into its fixed-width text, for one whole tensor."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width", "precision", "_spec")

    def __init__(self, values: np.ndarray, floating: bool, opts: _PrintOptions) -> None:
        # ``values`` is the flat array of the elements that will be displayed.
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.precision = opts.precision
        self._spec = ".0f"
        if not floating:
            self._measure_integers(values)
        elif values.size <= _SMALL:
            # ``tolist`` widens float16/float32 exactly to Python (double) floats.
            shown = [v for v in values.tolist() if v != 0 and math.isfinite(v)]
            if shown:
                magnitudes = [abs(v) for v in shown]
                int_mode = all(v.is_integer() for v in shown)
                positive = [v for v in shown if v > 0]
                negative = [v for v in shown if v < 0]
                candidates = [f(part) for part in (positive, negative) if part for f in (min, max)]
                self._choose(min(magnitudes), max(magnitudes), int_mode, candidates, opts)
        else:
            mask = np.isfinite(values) & (values != 0)
            if mask.any():
                # Work in float64, as torch does: float16 would overflow in the arithmetic.
                wide = values[mask].astype(np.float64)
                magnitudes = np.abs(wide)
                int_mode = bool(np.all(wide == np.floor(wide)))
                self._choose(
                    float(magnitudes.min()), float(magnitudes.max()), int_mode, _extremes(wide),
                    opts,
                )
        # With no finite nonzero value at all, torch keeps int mode and width 1.

    def _choose(
        self, smallest: float, largest: float, int_mode: bool, candidates: list[float],
        opts: _PrintOptions,
    ) -> None:
        """Pick the style from the finite nonzero magnitudes, and the width from candidates."""
        self.int_mode = int_mode
        if opts.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = opts.sci_mode
        if self.sci_mode:
            spec, extra = f".{self.precision}e", 0
        elif int_mode:
            spec, extra = ".0f", 1  # room for the trailing "."
        else:
            spec, extra = f".{self.precision}f", 0
        self.width = max(len(format(v, spec)) for v in candidates) + extra
        self._spec = f"{self.width}{spec}" if self.sci_mode else spec

    def _measure_integers(self, values: np.ndarray) -> None:
        if values.size == 0:
            return
        if values.size <= _SMALL:
            self.width = max(len(str(v)) for v in values.tolist())
        elif values.dtype == np.bool_:
            self.width = 4 if values.all() else 5
        else:
            self.width = max(len(str(values.min().item())), len(str(values.max().item())))

    def __call__(self, value: float | int | bool) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            return format(value, self._spec)  # the width is part of the spec
        elif self.int_mode:
            text = format(value, ".0f")
            if math.isfinite(value):
                text += "."
        else:
            text = format(value, self._spec)
        return text.rjust(self.width)


def _extremes(values: np.ndarray) -> list[float]:
    """The values whose text can be the widest: formatting is monotone in the magnitude, so
    that is an extreme of each sign (the smallest magnitudes for 3-digit exponents)."""
    out = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            out.append(float(part.min()))
            out.append(float(part.max()))
    return out


def _shown_values(data: np.ndarray, opts: _PrintOptions) -> np.ndarray:
    """The elements a summarised tensor displays, flattened (what torch's formatter sees)."""
    edge = opts.edgeitems
    if data.ndim == 1:
        if data.shape[0] > 2 * edge:
            # Note ``data[-0:]`` is the whole row, as with torch's slicing when edgeitems is 0.
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        return data[:0].reshape(-1)
    for axis in range(data.ndim):
        n = data.shape[axis]
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge:n]
            data = np.take(data, keep, axis=axis)
    return data.reshape(-1)


# --------------------------------------------------------------------------------------------
# Laying the text out


def _row_text(
    row: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter, opts: _PrintOptions
) -> str:
    edge = opts.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and row.shape[0] > 2 * edge:
        items = [fmt(v) for v in row[:edge].tolist()]
        items.append(" ...")
        items.extend(fmt(v) for v in row[-edge:].tolist())
    else:
        items = [fmt(v) for v in row.tolist()]
    per_line = max(1, math.floor((opts.linewidth - indent) / (fmt.width + 2)))
    if len(items) <= per_line:
        return "[" + ", ".join(items) + "]"
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _block_text(
    data: np.ndarray, indent: int, summarize: bool, fmt: _ElementFormatter, opts: _PrintOptions
) -> str:
    if data.ndim == 1:
        return _row_text(data, indent, summarize, fmt, opts)
    n = data.shape[0]
    edge = opts.edgeitems
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = list(range(n))
    parts = [
        "..." if i is None else _block_text(data[i], indent + 1, summarize, fmt, opts)
        for i in rows
    ]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _append_suffixes(text: str, suffixes: list[str], linewidth: int) -> str:
    # Same measure as torch's, including its off-by-two on a single line (rfind gives -1).
    last_line = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        size = len(suffix)
        if suffix.startswith("dtype="):
            size -= _NAME_SURPLUS
        if last_line + size + 2 > linewidth:
            pieces.append(",\n" + " " * _INDENT + suffix)
            last_line = _INDENT + size
        else:
            pieces.append(", " + suffix)
            last_line += size + 2
    pieces.append(")")
    return "".join(pieces)


def _scalar_float_text(value: float, opts: _PrintOptions) -> str:
    """A 0-d float on its own: the formatter's choice for a single value, without numpy."""
    if value == 0 or not math.isfinite(value):
        text = format(value, ".0f")
        return text + "." if math.isfinite(value) else text
    magnitude = abs(value)
    sci = magnitude > 1.0e8 or magnitude < 1.0e-4 if opts.sci_mode is None else opts.sci_mode
    if sci:
        return format(value, f".{opts.precision}e")
    if value.is_integer():
        return format(value, ".0f") + "."
    return format(value, f".{opts.precision}f")


def format_tensor(
    data: np.ndarray,
    dtype: _dtype.dtype,
    *,
    requires_grad: bool = False,
    grad_fn: str | None = None,
) -> str:
    """``repr`` of a tensor holding ``data`` (of element type ``dtype``), exactly as torch.

    ``grad_fn`` is the name of the node that made the tensor (``"PowBackward0"``); when it is
    ``None`` and ``requires_grad`` is true the tensor is shown as a leaf that requires grad.
    """
    opts = _OPTIONS
    data = np.asarray(data)
    suffixes: list[str] = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype is not _dtype.get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        text = _PREFIX + "[]"
    else:
        if not opts.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if dtype not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={dtype!r}")
        text = _PREFIX + _contents(data, dtype, opts)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if not suffixes:
        return text + ")"
    return _append_suffixes(text, suffixes, opts.linewidth)


def _contents(data: np.ndarray, dtype: _dtype.dtype, opts: _PrintOptions) -> str:
    if data.dtype != dtype.numpy:
        data = data.astype(dtype.numpy)
    if data.ndim == 0:
        value = data.item()
        if dtype.is_floating_point:
            return _scalar_float_text(value, opts)
        return str(value)
    summarize = data.size > opts.threshold
    shown = _shown_values(data, opts) if summarize else data.reshape(-1)
    fmt = _ElementFormatter(shown, dtype.is_floating_point, opts)
    return _block_text(data, _INDENT, summarize, fmt, opts)
