"""Small plots for the lessons, as SVG text: no matplotlib needed.

``curve(f, (a, b), tangent_at=9, slope=18)`` draws a function with the tangent line at a
point; ``lines({"loss": values})`` draws curves such as a loss history; ``bars(values,
labels, log=True)`` draws one bar per value, on a log scale if asked; ``paths(f, {"SGD":
points})`` draws the routes optimizers took across the landscape of a function of two
numbers. Each returns a
``Plot``, which a notebook shows as its SVG picture, and whose text form (what a terminal
prints, and what tests compare) states the numbers it shows.

The same input always gives the same SVG text: coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence

__all__ = ["Plot", "curve", "lines", "bars", "classes", "paths"]

_W, _H = 520, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 58, 16, 30, 44
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_FONT = 'font-family="Helvetica,Arial,sans-serif"'


class Plot:
    """A picture (``svg``) and the sentence that says what it shows (``summary``)."""

    def __init__(self, svg: str, summary: str) -> None:
        self.svg = svg
        self.summary = summary

    def __repr__(self) -> str:
        return self.summary

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> None:
        """Write the picture to an ``.svg`` file."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)


def _num(v: float) -> str:
    """A coordinate: 0.1 px is finer than any screen, and keeps the text stable."""
    text = f"{v:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _label(v: float) -> str:
    """A tick label: 0.5, 12, 1e-06."""
    if v == 0:
        return "0"
    if abs(v) >= 1e5 or abs(v) < 1e-3:
        return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{v:.6g}"


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round numbers between ``lo`` and ``hi``."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9)
    out = []
    k = first
    while k * step <= hi + step * 1e-9:
        out.append(round(k * step, 12))
        k += 1
    return out


class _Frame:
    """The data-to-pixel mapping and the axes of one plot."""

    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float],
                 log_y: bool = False) -> None:
        self.x0, self.x1 = x_range
        self.log_y = log_y
        y0, y1 = y_range
        if log_y:
            y0, y1 = math.floor(math.log10(y0)), math.ceil(math.log10(y1))
        if y1 <= y0:
            y0, y1 = y0 - 1, y1 + 1
        self.y0, self.y1 = y0, y1
        self.w = _W - _LEFT - _RIGHT
        self.h = _H - _TOP - _BOTTOM

    def px(self, x: float) -> float:
        return _LEFT + (x - self.x0) / (self.x1 - self.x0) * self.w

    def py(self, y: float) -> float:
        if self.log_y:
            y = math.log10(y)
        return _TOP + (self.y1 - y) / (self.y1 - self.y0) * self.h

    def axes(self, title: str, xlabel: str, ylabel: str, x_ticks: bool = True) -> list[str]:
        out = [f'<rect x="{_LEFT}" y="{_TOP}" width="{self.w}" height="{self.h}" '
               'fill="white" stroke="#bbbbbb"/>']
        if x_ticks:
            for t in _ticks(self.x0, self.x1):
                x = _num(self.px(t))
                out.append(f'<line x1="{x}" y1="{_TOP}" x2="{x}" y2="{_TOP + self.h}" '
                           'stroke="#eeeeee"/>')
                out.append(f'<text x="{x}" y="{_TOP + self.h + 16}" font-size="11" '
                           f'text-anchor="middle" {_FONT}>{_label(t)}</text>')
        if self.log_y:
            y_ticks = [10.0 ** k for k in range(int(self.y0), int(self.y1) + 1)]
        else:
            y_ticks = _ticks(self.y0, self.y1)
        for t in y_ticks:
            y = _num(self.py(t))
            out.append(f'<line x1="{_LEFT}" y1="{y}" x2="{_LEFT + self.w}" y2="{y}" '
                       'stroke="#eeeeee"/>')
            out.append(f'<text x="{_LEFT - 6}" y="{y}" font-size="11" text-anchor="end" '
                       f'dominant-baseline="middle" {_FONT}>{_label(t)}</text>')
        out.append(f'<text x="{_W / 2:g}" y="18" font-size="13" text-anchor="middle" '
                   f'{_FONT}>{html.escape(title)}</text>')
        out.append(f'<text x="{_LEFT + self.w / 2:g}" y="{_H - 8}" font-size="12" '
                   f'text-anchor="middle" {_FONT}>{html.escape(xlabel)}</text>')
        out.append(f'<text x="14" y="{_TOP + self.h / 2:g}" font-size="12" '
                   f'text-anchor="middle" transform="rotate(-90 14 {_TOP + self.h / 2:g})" '
                   f'{_FONT}>{html.escape(ylabel)}</text>')
        return out

    def polyline(self, points: Sequence[tuple[float, float]], color: str,
                 width: float = 2.0, dash: str | None = None) -> str:
        pts = " ".join(f"{_num(self.px(x))},{_num(self.py(y))}" for x, y in points)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<polyline points="{pts}" fill="none" stroke="{color}" '
                f'stroke-width="{width:g}"{extra}/>')


def _svg(body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
            f'viewBox="0 0 {_W} {_H}">\n<rect width="100%" height="100%" fill="white"/>\n'
            + "\n".join(body) + "\n</svg>\n")


def _legend(names: Sequence[str], colors: Sequence[str], dashes: Sequence[str | None],
            right: bool = False) -> list[str]:
    width = 46 + 6.5 * max(len(n) for n in names)
    left = _W - _RIGHT - 4 - width if right else _LEFT + 4
    out = [f'<rect x="{_num(left)}" y="{_TOP + 4}" width="{_num(width)}" '
           f'height="{16 * len(names) + 4}" fill="white" fill-opacity="0.85"/>']
    for k, (name, color, dash) in enumerate(zip(names, colors, dashes)):
        y = _TOP + 14 + 16 * k
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{_num(left + 6)}" y1="{y}" x2="{_num(left + 30)}" y2="{y}" '
                   f'stroke="{color}" stroke-width="2"{extra}/>')
        out.append(f'<text x="{_num(left + 36)}" y="{y}" font-size="11" '
                   f'dominant-baseline="middle" {_FONT}>{html.escape(name)}</text>')
    return out


def curve(f: Callable[[float], float], x_range: tuple[float, float], *,
          tangent_at: float | None = None, slope: float | None = None,
          label: str = "f(x)", samples: int = 241) -> Plot:
    """Plot ``f`` over ``x_range``; with ``tangent_at`` and ``slope``, also the straight
    line through ``(tangent_at, f(tangent_at))`` with that slope, and the point itself."""
    a, b = (float(v) for v in x_range)
    if not b > a:
        raise ValueError(f"x_range must run from low to high, got {x_range}")
    xs = [a + (b - a) * k / (samples - 1) for k in range(samples)]
    ys = [float(f(x)) for x in xs]
    y_lo, y_hi = min(ys), max(ys)
    pad = 0.08 * (y_hi - y_lo or 1.0)
    frame = _Frame((a, b), (y_lo - pad, y_hi + pad))
    title = f"{label} for x from {_label(a)} to {_label(b)}"
    body = frame.axes(title, "x", label)
    body.append(f'<clipPath id="plot-area"><rect x="{_LEFT}" y="{_TOP}" width="{frame.w}" '
                f'height="{frame.h}"/></clipPath>')
    body.append('<g clip-path="url(#plot-area)">')
    body.append(frame.polyline(list(zip(xs, ys)), _COLORS[0]))
    summary = f"<Plot: {label} for x in [{_label(a)}, {_label(b)}]"
    names, colors, dashes = [label], [_COLORS[0]], [None]
    if tangent_at is not None:
        if slope is None:
            raise ValueError("a tangent needs its slope: pass slope=...")
        x0, y0 = float(tangent_at), float(f(tangent_at))
        half = (b - a) / 4
        line = [(x0 - half, y0 - slope * half), (x0 + half, y0 + slope * half)]
        body.append(frame.polyline(line, _COLORS[1], 2.0, "6 4"))
        body.append("</g>")
        body.append(f'<circle cx="{_num(frame.px(x0))}" cy="{_num(frame.py(y0))}" r="4.5" '
                    f'fill="{_COLORS[1]}"/>')
        names.append(f"tangent at x = {_label(x0)}: slope {slope:.4f}")
        colors.append(_COLORS[1])
        dashes.append("6 4")
        summary += f"; tangent at x = {_label(x0)}, height {y0:.4f}, slope {slope:.4f}"
    else:
        body.append("</g>")
    body += _legend(names, colors, dashes)
    return Plot(_svg(body), summary + ">")


def lines(series: Mapping[str, Sequence[float]], *, xlabel: str = "step",
          ylabel: str = "", title: str = "", log: bool = False) -> Plot:
    """One curve per entry of ``series`` (name -> values at steps 0, 1, 2, ...)."""
    if not series or not all(len(v) for v in series.values()):
        raise ValueError("lines() needs at least one non-empty series")
    values = [float(v) for vs in series.values() for v in vs]
    if log and min(values) <= 0:
        raise ValueError("a log scale needs values above 0")
    n = max(len(v) for v in series.values())
    frame = _Frame((0, max(n - 1, 1)), (min(values), max(values)), log_y=log)
    if not log:
        pad = 0.05 * (frame.y1 - frame.y0)
        frame = _Frame((0, max(n - 1, 1)), (min(values) - pad, max(values) + pad))
    body = frame.axes(title or ", ".join(series), xlabel, ylabel)
    parts = []
    for k, (name, vs) in enumerate(series.items()):
        color = _COLORS[k % len(_COLORS)]
        body.append(frame.polyline([(i, float(v)) for i, v in enumerate(vs)], color))
        parts.append(f"{name} {float(vs[0]):.4f} -> {float(vs[-1]):.4f} "
                     f"over {len(vs)} {xlabel}s")
    body += _legend(list(series), _COLORS, [None] * len(series))
    return Plot(_svg(body), "<Plot: " + "; ".join(parts) + ">")


def bars(values: Sequence[float], labels: Sequence[str] | None = None, *,
         log: bool = False, title: str = "", xlabel: str = "", ylabel: str = "") -> Plot:
    """One bar per value, labelled below; ``log=True`` puts the heights on a log scale
    (for magnitudes spanning many powers of ten, such as gradients)."""
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError("bars() needs at least one value")
    labels = list(labels) if labels is not None else [str(k) for k in range(len(vals))]
    if len(labels) != len(vals):
        raise ValueError(f"{len(vals)} values but {len(labels)} labels")
    if log and min(vals) <= 0:
        raise ValueError("a log scale needs values above 0")
    lo = min(vals) if log else min(0.0, min(vals))
    frame = _Frame((0, len(vals)), (lo, max(vals)), log_y=log)
    body = frame.axes(title, xlabel, ylabel, x_ticks=False)
    slot = frame.w / len(vals)
    base = frame.py(10.0 ** frame.y0) if log else frame.py(0.0)
    for k, (v, name) in enumerate(zip(vals, labels)):
        top = frame.py(v)
        x = _LEFT + slot * (k + 0.15)
        y, h = min(top, base), abs(base - top)
        body.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(slot * 0.7)}" '
                    f'height="{_num(h)}" fill="{_COLORS[0]}"><title>{html.escape(name)}: '
                    f"{v:.4g}</title></rect>")
        body.append(f'<text x="{_num(x + slot * 0.35)}" y="{_TOP + frame.h + 16}" '
                    f'font-size="10" text-anchor="middle" {_FONT}>{html.escape(name)}</text>')
    summary = ", ".join(f"{name} {v:.3g}" for name, v in zip(labels, vals))
    return Plot(_svg(body), f"<Plot: {title + ': ' if title else ''}{summary}>")


_CLASS_COLORS = ("#1f77b4", "#d62728")
_SHADES = (("#c6dbef", "#deebf7"), ("#fcbba1", "#fee0d2"))  # (sure, unsure) per class


def classes(points: Sequence[Sequence[float]], labels: Sequence[int], *,
            predict: Callable[[list[list[float]]], Sequence[float]] | None = None,
            title: str = "", grid: tuple[int, int] = (36, 20)) -> Plot:
    """Two classes of 2-D points, coloured by label (0 blue, 1 red). With ``predict`` (a
    function from a list of points to the probability of class 1 for each), the plane
    behind them is shaded by the class predicted there: darker where the probability is
    below 0.2 or above 0.8, lighter in between."""
    pts = [(float(p[0]), float(p[1])) for p in points]
    labs = [int(v) for v in labels]
    if len(pts) != len(labs) or not pts:
        raise ValueError("classes() needs as many labels as points, and at least one")
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    padx, pady = 0.1 * (max(xs) - min(xs) or 1), 0.1 * (max(ys) - min(ys) or 1)
    frame = _Frame((min(xs) - padx, max(xs) + padx), (min(ys) - pady, max(ys) + pady))
    body = frame.axes(title or "the data", "x[0]", "x[1]")
    summary = f"{labs.count(0)} points of class 0, {labs.count(1)} of class 1"
    if predict is not None:
        nx, ny = grid
        cw, ch = (frame.x1 - frame.x0) / nx, (frame.y1 - frame.y0) / ny
        centres = [[frame.x0 + (i + 0.5) * cw, frame.y0 + (j + 0.5) * ch]
                   for j in range(ny) for i in range(nx)]
        probs = [float(v) for v in predict(centres)]
        counts = [0, 0]
        for (cx, cy), pr in zip(centres, probs):
            cls = int(pr > 0.5)
            counts[cls] += 1
            shade = _SHADES[cls][0 if (pr < 0.2 or pr > 0.8) else 1]
            body.append(f'<rect x="{_num(frame.px(cx - cw / 2))}" '
                        f'y="{_num(frame.py(cy + ch / 2))}" width="{_num(frame.w / nx + 0.5)}" '
                        f'height="{_num(frame.h / ny + 0.5)}" fill="{shade}"/>')
        right = sum(int((float(p) > 0.5) == bool(k)) for p, k in zip(predict(
            [list(p) for p in pts]), labs))
        summary += (f"; the model puts {counts[1]} of {nx * ny} grid cells in class 1 and "
                    f"classifies {right} of {len(pts)} points correctly")
    for (x, y), k in zip(pts, labs):
        body.append(f'<circle cx="{_num(frame.px(x))}" cy="{_num(frame.py(y))}" r="3" '
                    f'fill="{_CLASS_COLORS[k]}" stroke="white" stroke-width="0.6"/>')
    return Plot(_svg(body), f"<Plot: {summary}>")


# Bands of the landscape behind ``paths``, from the lowest values (dark) to the highest.
# Greys, so that the routes keep the colours ``lines`` gives the same names.
_LEVELS = ("#969696", "#a8a8a8", "#bababa", "#cacaca", "#d9d9d9", "#e5e5e5", "#efefef",
           "#f7f7f7", "#ffffff")


def paths(f: Callable[[float, float], float], routes: Mapping[str, Sequence[Sequence[float]]],
          x_range: tuple[float, float], y_range: tuple[float, float], *, title: str = "",
          grid: tuple[int, int] = (52, 30)) -> Plot:
    """The routes (name -> the points ``(x, y)`` visited, in order) that optimizers took
    across the landscape of ``f(x, y)``, drawn over it: the plane is shaded by the value of
    ``f``, in grey bands of its logarithm (so a long, flat valley shows as well as its steep
    walls), darkest where ``f`` is lowest. Each route starts at a hollow circle."""
    if not routes or not all(len(r) for r in routes.values()):
        raise ValueError("paths() needs at least one route with at least one point")
    frame = _Frame(x_range, y_range)
    body = frame.axes(title or "paths", "w[0]", "w[1]")
    nx, ny = grid
    cw, ch = (frame.x1 - frame.x0) / nx, (frame.y1 - frame.y0) / ny
    cells = [(frame.x0 + (i + 0.5) * cw, frame.y0 + (j + 0.5) * ch)
             for j in range(ny) for i in range(nx)]
    heights = [math.log10(max(float(f(x, y)), 1e-12)) for x, y in cells]
    lo, hi = min(heights), max(heights)
    for (x, y), h in zip(cells, heights):
        band = 0 if hi == lo else min(int((h - lo) / (hi - lo) * len(_LEVELS)), len(_LEVELS) - 1)
        body.append(f'<rect x="{_num(frame.px(x - cw / 2))}" y="{_num(frame.py(y + ch / 2))}" '
                    f'width="{_num(frame.w / nx + 0.5)}" height="{_num(frame.h / ny + 0.5)}" '
                    f'fill="{_LEVELS[band]}"/>')
    # The routes, clipped to the frame (a diverging one leaves it).
    body.append(f'<clipPath id="frame"><rect x="{_LEFT}" y="{_TOP}" width="{frame.w}" '
                f'height="{frame.h}"/></clipPath><g clip-path="url(#frame)">')
    parts = []
    for k, (name, route) in enumerate(routes.items()):
        color = _COLORS[k % len(_COLORS)]
        pts = [(float(p[0]), float(p[1])) for p in route]
        body.append(frame.polyline(pts, color, width=1.6))
        for x, y in pts[1:]:
            body.append(f'<circle cx="{_num(frame.px(x))}" cy="{_num(frame.py(y))}" r="2" '
                        f'fill="{color}"/>')
        x, y = pts[0]
        body.append(f'<circle cx="{_num(frame.px(x))}" cy="{_num(frame.py(y))}" r="4.5" '
                    f'fill="none" stroke="{color}" stroke-width="1.6"/>')
        end = pts[-1]
        parts.append(f"{name} {len(pts) - 1} steps from ({pts[0][0]:.2f}, {pts[0][1]:.2f}) "
                     f"to ({end[0]:.4g}, {end[1]:.4g}), f = {float(f(*end)):.4g}")
    body.append("</g>")
    body += _legend(list(routes), _COLORS, [None] * len(routes), right=True)
    return Plot(_svg(body), "<Plot: " + "; ".join(parts) + ">")
