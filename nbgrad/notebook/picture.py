"""What the magics and pinned graphs display: a MIME bundle built once, shown raw.

A graph's bundle holds its text outline as ``text/plain`` (what a terminal prints) and, where
the frontend shows pictures, its SVG as ``image/svg+xml`` (what Jupyter shows, what a saved
notebook keeps, what a static viewer renders). A note (a placeholder, an error) is a short
text with an HTML twin. Bundles are plain dicts: showing one cannot fail in a formatter.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

__all__ = ["graph_bundle", "note_bundle", "error_bundle"]


def graph_bundle(tensor: Any, *, names: Mapping[str, Any], rich: bool,
                 options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The bundle of ``tensor``'s graph drawn with ``options`` (``draw``'s keywords)."""
    from nbgrad.viz import draw
    from nbgrad.viz.outline import outline
    from nbgrad.viz.render import RenderError

    opts = dict(options or {})
    graph = draw(tensor, names=dict(names), **opts)
    bundle = {"text/plain": outline(graph.model, values=opts.get("values", True),
                                    grads=opts.get("grads", True),
                                    local=opts.get("local", False))}
    if rich:
        try:
            bundle["image/svg+xml"] = graph.svg()
        except RenderError as exc:  # no renderer: the outline stands, with the reason
            bundle["text/plain"] += f"\n(no picture: {exc})"
    return bundle


def note_bundle(text: str, color: str = "#555") -> dict[str, str]:
    """A short message, as text and as a small grey box of HTML."""
    return {
        "text/plain": text,
        "text/html": (f'<div style="font-family:monospace;white-space:pre-wrap;color:{color};'
                      f'border:1px dashed {color};padding:4px 8px;display:inline-block">'
                      f"{html.escape(text)}</div>"),
    }


def error_bundle(what: str, exc: BaseException) -> dict[str, str]:
    """An error shown as a display (never raised): ``what`` failed, and why."""
    return note_bundle(f"{what}: {type(exc).__name__}: {exc}", color="#b00020")
