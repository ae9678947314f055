"""Small SVG charts written by hand: no plotting library is needed.

``function_plot``: a curve, a point on it and the tangent line there (the explorer).
``line_chart``: a series such as a loss curve, linear or log scale (the dashboard).
``bar_rows``: labelled horizontal bars, such as gradient norms (the dashboard).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np

from nbgrad.viz.numbers import fmt

__all__ = ["function_plot", "line_chart", "bar_rows", "downsample"]

_AXIS = "#888"
_CURVE = "#3182bd"
_TANGENT = "#d62728"
_FONT = 'font-family="Helvetica,Arial,sans-serif" font-size="11"'


def _finite(v: float) -> bool:
    return v is not None and math.isfinite(v)


def _range(values: Sequence[float]) -> tuple[float, float]:
    ok = [v for v in values if _finite(v)]
    if not ok:
        return -1.0, 1.0
    lo, hi = min(ok), max(ok)
    if hi - lo < 1e-12:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def _polylines(points: Sequence[tuple[float, float]]) -> list[str]:
    """Runs of finite points as polyline point lists (a gap where a value is not finite)."""
    runs: list[list[str]] = [[]]
    for x, y in points:
        if _finite(x) and _finite(y):
            runs[-1].append(f"{x:.1f},{y:.1f}")
        elif runs[-1]:
            runs.append([])
    return [" ".join(r) for r in runs if len(r) > 1]


def function_plot(xs: Sequence[float], ys: Sequence[float], x0: float, y0: float,
                  slope: float | None, *, name: str = "f", var: str = "x",
                  width: int = 360, height: int = 220) -> str:
    """The curve ``(xs, ys)``, the point ``(x0, y0)`` and the tangent of ``slope`` there."""
    left, right, top, bottom = 44, 10, 10, 28
    pw, ph = width - left - right, height - top - bottom
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = _range(list(ys) + [y0])

    def sx(x: float) -> float:
        return left + (x - x_lo) / (x_hi - x_lo or 1) * pw

    def sy(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo or 1) * ph

    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" {_FONT}>',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="white" '
             f'stroke="{_AXIS}" stroke-width="0.6"/>']
    if y_lo < 0 < y_hi:
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
                     f'stroke="{_AXIS}" stroke-dasharray="3,3" stroke-width="0.6"/>')
    if x_lo < 0 < x_hi:
        parts.append(f'<line x1="{sx(0):.1f}" x2="{sx(0):.1f}" y1="{top}" y2="{top + ph}" '
                     f'stroke="{_AXIS}" stroke-dasharray="3,3" stroke-width="0.6"/>')
    # the plotting area clips what it holds: a nested svg
    parts.append(f'<svg x="{left}" y="{top}" width="{pw}" height="{ph}" '
                 f'viewBox="{left} {top} {pw} {ph}">')
    for run in _polylines([(sx(x), sy(y)) for x, y in zip(xs, ys)]):
        parts.append(f'<polyline points="{run}" fill="none" stroke="{_CURVE}" '
                     'stroke-width="2"/>')
    if slope is not None and _finite(slope) and _finite(x0) and _finite(y0):
        a, b = x_lo, x_hi
        parts.append(f'<line x1="{sx(a):.1f}" y1="{sy(y0 + slope * (a - x0)):.1f}" '
                     f'x2="{sx(b):.1f}" y2="{sy(y0 + slope * (b - x0)):.1f}" '
                     f'stroke="{_TANGENT}" stroke-width="1.5" stroke-dasharray="6,3"/>')
    if _finite(x0) and _finite(y0):
        parts.append(f'<circle cx="{sx(x0):.1f}" cy="{sy(y0):.1f}" r="4" fill="{_TANGENT}"/>')
    parts.append("</svg>")
    parts += [
        f'<text x="{left - 4}" y="{top + 9}" text-anchor="end">{fmt(y_hi)}</text>',
        f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">{fmt(y_lo)}</text>',
        f'<text x="{left}" y="{height - 12}" text-anchor="start">{fmt(x_lo)}</text>',
        f'<text x="{left + pw}" y="{height - 12}" text-anchor="end">{fmt(x_hi)}</text>',
        f'<text x="{left + pw / 2:.0f}" y="{height - 12}" text-anchor="middle">'
        f"{html.escape(var)}</text>",
    ]
    if slope is not None and _finite(slope):
        parts.append(f'<text x="{left + 6}" y="{top + 14}" fill="{_TANGENT}">tangent: slope '
                     f"d{html.escape(name)}/d{html.escape(var)} = {fmt(slope)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def downsample(values: Sequence[float] | np.ndarray, most: int) -> list[tuple[int, float]]:
    """At most about ``most`` ``(index, value)`` points: each bucket's first, lowest and
    highest values (and the last value), so that spikes survive. Vectorised: a million
    values take a few milliseconds."""
    a = np.asarray(values, dtype=np.float64)
    n = a.size
    if n <= most:
        return list(enumerate(a.tolist()))
    per = math.ceil(n / max(most // 3, 1))
    buckets = math.ceil(n / per)
    padded = np.full(buckets * per, np.nan)
    padded[:n] = a
    b = padded.reshape(buckets, per)
    ok = np.isfinite(b)
    starts = np.arange(buckets) * per
    low = starts + np.argmin(np.where(ok, b, np.inf), axis=1)
    high = starts + np.argmax(np.where(ok, b, -np.inf), axis=1)
    idx = np.unique(np.concatenate([starts, np.minimum(low, n - 1), np.minimum(high, n - 1),
                                    [n - 1]]))
    return list(zip(idx.tolist(), a[idx].tolist()))


def line_chart(values: Sequence[float] | np.ndarray, *, title: str = "loss",
               log: bool | None = None, width: int = 420, height: int = 200) -> str:
    """``values`` against their index; ``log=None`` picks a log scale when they are all
    positive and span more than two decades."""
    left, right, top, bottom = 56, 10, 22, 24
    pw, ph = width - left - right, height - top - bottom
    pts = downsample(values, 400)
    ok = [v for _, v in pts if _finite(v)]
    if log is None:
        log = bool(ok) and min(ok) > 0 and max(ok) / min(ok) > 100
    if log and ok and min(ok) <= 0:
        log = False

    def tr(v: float) -> float:
        return math.log10(v) if log else v

    lo, hi = _range([tr(v) for v in ok]) if ok else (0.0, 1.0)
    n = max(len(values) - 1, 1)

    def sx(i: int) -> float:
        return left + i / n * pw

    def sy(v: float) -> float:
        return top + (hi - tr(v)) / (hi - lo or 1) * ph

    head = f"{title} ({'log scale' if log else 'linear'})"
    if len(values):
        head += f": last {fmt(float(values[-1]))}"
    label = (lambda v: fmt(10 ** v)) if log else fmt
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" {_FONT}>',
             f'<text x="{left}" y="14">{html.escape(head)}</text>',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="white" '
             f'stroke="{_AXIS}" stroke-width="0.6"/>',
             f'<text x="{left - 4}" y="{top + 9}" text-anchor="end">{label(hi)}</text>',
             f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">{label(lo)}</text>',
             f'<text x="{left}" y="{height - 8}">0</text>',
             f'<text x="{left + pw}" y="{height - 8}" text-anchor="end">{len(values) - 1}'
             "</text>"]
    for run in _polylines([(sx(i), sy(v) if _finite(v) and (not log or v > 0) else math.nan)
                           for i, v in pts]):
        parts.append(f'<polyline points="{run}" fill="none" stroke="{_CURVE}" '
                     'stroke-width="1.6"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def bar_rows(rows: Sequence[tuple[str, float | None]], *, title: str = "",
             width: int = 420) -> str:
    """One labelled bar per row, its length on a log scale of the largest value (so that
    both vanishing and exploding values show); None is drawn as "no grad"."""
    height_row, left = 18, 130
    ok = [v for _, v in rows if v is not None and _finite(v) and v > 0]
    top_v = max(ok) if ok else 1.0
    floor = top_v * 1e-6
    bw = width - left - 90
    height = 22 + height_row * max(len(rows), 1)
    parts = [f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" {_FONT}>',
             f'<text x="0" y="13">{html.escape(title)}</text>']
    for k, (name, v) in enumerate(rows):
        y = 22 + k * height_row
        label = name if len(name) <= 20 else name[:19] + "…"
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">'
                     f"{html.escape(label)}</text>")
        if v is None:
            parts.append(f'<text x="{left}" y="{y + 12}" fill="{_AXIS}">no grad</text>')
            continue
        if not _finite(v):
            parts.append(f'<text x="{left}" y="{y + 12}" fill="{_TANGENT}">{fmt(v)}</text>')
            continue
        frac = 0.0 if v <= floor else (math.log10(v / floor) / math.log10(top_v / floor))
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{max(frac * bw, 1):.1f}" '
                     f'height="{height_row - 6}" fill="{_CURVE}"/>')
        parts.append(f'<text x="{left + max(frac * bw, 1) + 4:.1f}" y="{y + 12}">'
                     f"{fmt(v)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
