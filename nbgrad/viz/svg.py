"""Setting two Graphviz SVG pictures side by side in one SVG.

A graph's legend is laid out once (per theme and kinds of node) and kept; each drawing then
lays out only its own graph and sets the legend beside it: Graphviz's time grows with every
node and edge it places, and the legend has a dozen.
"""

from __future__ import annotations

import functools
import re

__all__ = ["beside"]

_ROOT = re.compile(r"<svg\b([^>]*)>(.*)</svg>\s*$", re.S)
_NUM = r"([0-9.]+)"


def _parts(svg: str) -> tuple[float, float, str, str] | None:
    """Width and height in points, the viewBox and the content of a Graphviz SVG."""
    root = _ROOT.search(svg)
    if root is None:
        return None
    attrs, body = root.groups()
    w = re.search(rf'width="{_NUM}pt"', attrs)
    h = re.search(rf'height="{_NUM}pt"', attrs)
    box = re.search(r'viewBox="([^"]*)"', attrs)
    if not (w and h and box):
        return None
    return float(w.group(1)), float(h.group(1)), box.group(1), body


@functools.lru_cache(maxsize=32)
def _extra_parts(svg: str) -> tuple[float, float, str, str] | None:
    """``_parts`` of the picture set beside, with its ids renamed so that they stay unique
    in the page: the legends are few, drawn once each and set beside many graphs."""
    parts = _parts(svg)
    if parts is None:
        return None
    w, h, box, body = parts
    return w, h, box, re.sub(r'\bid="', 'id="legend_', body)


def beside(main: str, extra: str, below: bool, background: str, gap: float = 8.0) -> str:
    """``main`` with ``extra`` below it (or to its right), as one SVG; ``main`` as it is if
    either is not the SVG Graphviz writes."""
    a, b = _parts(main), _extra_parts(extra)
    if a is None or b is None:
        return main
    (aw, ah, abox, abody), (bw, bh, bbox, bbody) = a, b
    if below:
        width, height, bx, by = max(aw, bw), ah + gap + bh, 0.0, ah + gap
    else:
        width, height, bx, by = aw + gap + bw, max(ah, bh), aw + gap, 0.0
    head = main[: main.find("<svg")]
    return (
        f'{head}<svg width="{width:g}pt" height="{height:g}pt" viewBox="0 0 {width:g} {height:g}"'
        ' xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f'<rect width="100%" height="100%" fill="{background}"/>\n'
        f'<svg x="0" y="0" width="{aw:g}" height="{ah:g}" viewBox="{abox}">{abody}</svg>\n'
        f'<svg x="{bx:g}" y="{by:g}" width="{bw:g}" height="{bh:g}" viewBox="{bbox}">'
        f"{bbody}</svg>\n</svg>\n"
    )
