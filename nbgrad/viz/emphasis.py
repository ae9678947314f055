"""Drawing a graph model with some nodes and edges emphasised, as SVG to set inline in HTML.

The widgets draw one model many times: the step-through widget highlights the node the
backward pass has reached and the edges it sends gradients along. The DOT text is the same
as ``draw`` writes (``dot.to_dot``); emphasis is added on top of it: a node statement
repeated at the end of the graph merges its attributes into the node's, and an edge's
attribute list takes a few more (Graphviz keeps the last value of a repeated attribute).

``inline`` turns Graphviz's SVG document into an element that can sit inside HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nbgrad.viz.dot import THEMES, Options, legend_dot, legend_key, to_dot
from nbgrad.viz.model import GraphModel
from nbgrad.viz.render import render
from nbgrad.viz.svg import beside

__all__ = ["HIGHLIGHT", "emphasized_dot", "svg", "inline"]

HIGHLIGHT = "#d62728"  # the emphasised node's border and the emphasised edges
_FILL = "#fff1a8"

_EDGE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$")


def _base(node_id: str) -> str:
    """``n4_use2`` (a node drawn again beside a further use) -> ``n4``."""
    return node_id.split("_use", 1)[0]


def emphasized_dot(model: GraphModel, options: Options | None = None, *,
                   nodes: Iterable[str] = (), edges: Iterable[tuple[str, str]] = ()) -> str:
    """DOT text of ``model`` (without its legend) with ``nodes`` (ids) and ``edges``
    (``(src, dst)`` id pairs, data-flow direction) emphasised."""
    o = options or Options()
    text = to_dot(model, o, legend=False)
    marked_nodes = [n for n in dict.fromkeys(nodes) if n]
    marked_edges = set(edges)
    if not marked_nodes and not marked_edges:
        return text
    lines = text.rstrip("\n").split("\n")
    if marked_edges:
        for k, line in enumerate(lines):
            m = _EDGE.match(line)
            if m is None or (_base(m.group(1)), m.group(2)) not in marked_edges:
                continue
            extra = f'color="{HIGHLIGHT}" fontcolor="{HIGHLIGHT}" penwidth="3.2"'
            attrs = m.group(3)
            lines[k] = (f"\t{m.group(1)} -> {m.group(2)} "
                        + (f"[{attrs} {extra}]" if attrs else f"[{extra}]"))
    close = lines.pop()  # the closing brace
    for node_id in marked_nodes:
        lines.append(f'\t{node_id} [color="{HIGHLIGHT}" fillcolor="{_FILL}" penwidth="3.5"]')
    lines.append(close)
    return "\n".join(lines) + "\n"


_LEGENDS: dict[tuple, str] = {}


def _legend(model: GraphModel, o: Options, below: bool, renderer: str | None) -> str:
    key = (legend_key(model, o), below, renderer)
    hit = _LEGENDS.get(key)
    if hit is None:
        dot = legend_dot(key[0], "TB" if below else "LR")
        hit = _LEGENDS[key] = render(dot, "svg", renderer).decode("utf-8")
    return hit


def svg(model: GraphModel, options: Options | None = None, *, nodes: Iterable[str] = (),
        edges: Iterable[tuple[str, str]] = (), renderer: str | None = None) -> str:
    """The SVG picture of ``model`` with ``nodes`` and ``edges`` emphasised, and the legend
    when ``options.legend`` (set below the graph, or beside it for a top-to-bottom graph)."""
    o = options or Options()
    text = render(emphasized_dot(model, o, nodes=nodes, edges=edges), "svg",
                  renderer).decode("utf-8")
    if not o.legend:
        return text
    below = o.direction in ("LR", "RL")
    return beside(text, _legend(model, o, below, renderer), below,
                  THEMES[o.theme].background)


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)


def inline(svg_text: str) -> str:
    """The ``<svg>`` element alone: no XML declaration, doctype or comments before it."""
    return _PROLOG.sub("", svg_text, count=1).strip()
