"""From a ``GraphModel`` to DOT text.

How a drawing encodes things (its legend says so too):

- **Node kinds** by shape and colour: a *leaf* (a tensor that requires grad: torch's
  ``AccumulateGrad``) is a green rounded box, an *op* is a blue ellipse, the *output* is an
  orange double box, a *constant* (an input that needs no gradient) is a grey dashed box, and
  a *folded* group is a purple 3D box.
- **Edges** point the way data flows (input -> op). After ``backward()`` each edge is labelled
  with the gradient that flowed back along it, and its colour and width encode that
  gradient's magnitude on a log scale: thin and blue for vanishing gradients, grey around 1,
  thick and red for exploding ones, dashed magenta for nan or inf.

The text is written here rather than through the ``graphviz`` package's ``Digraph``: the
output is the same DOT, and a first drawing does not pay for importing that package. The
same model and options always give the same text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from nbgrad.viz.model import CONST, FOLDED, LEAF, OP, OUTPUT, Edge, GraphModel, Node
from nbgrad.viz.numbers import Summary

__all__ = ["Options", "Theme", "THEMES", "BUCKETS", "grad_bucket", "to_dot", "legend_dot",
           "legend_key"]

Direction = Literal["LR", "RL", "TB", "BT"]


@dataclass(frozen=True)
class Options:
    """What a teacher can turn on and off.

    ``direction``: ``"LR"`` (left to right, the default), ``"TB"``, ``"RL"`` or ``"BT"``.
    ``values``, ``grads``, ``local``, ``shapes``: show tensor values, gradients, each op's
    local derivative on its input edges, and the shapes of tensors that are not scalars.
    ``theme``: ``"light"`` or ``"dark"``. ``legend``: explain the encoding under the graph.
    """

    direction: Direction = "LR"
    values: bool = True
    grads: bool = True
    local: bool = False
    shapes: bool = True
    theme: Literal["light", "dark"] = "light"
    legend: bool = True

    def __post_init__(self) -> None:
        if self.direction not in ("LR", "RL", "TB", "BT"):
            raise ValueError(
                f"direction must be 'LR', 'RL', 'TB' or 'BT', not {self.direction!r}"
            )
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {sorted(THEMES)}, not {self.theme!r}")


@dataclass(frozen=True)
class Theme:
    background: str
    text: str
    muted: str
    edge: str
    fills: dict[str, str]
    borders: dict[str, str]
    scale: tuple[str, ...]  # one colour per gradient bucket, small to large
    bad: str  # nan / inf
    font: str = "Helvetica"  # a name in Graphviz's metric table: text is sized as drawn


THEMES: dict[str, Theme] = {
    "light": Theme(
        background="white", text="#1a1a1a", muted="#616161", edge="#8c8c8c",
        fills={LEAF: "#e5f5e0", OP: "#deebf7", OUTPUT: "#fee6ce", CONST: "#f2f2f2",
               FOLDED: "#efedf5"},
        borders={LEAF: "#31a354", OP: "#3182bd", OUTPUT: "#e6550d", CONST: "#969696",
                 FOLDED: "#756bb1"},
        scale=("#9ecae1", "#6baed6", "#2171b5", "#525252", "#fb6a4a", "#de2d26", "#a50f15"),
        bad="#e7298a",
    ),
    "dark": Theme(
        background="#1e1e1e", text="#e8e8e8", muted="#a8a8a8", edge="#7a7a7a",
        fills={LEAF: "#1d3b26", OP: "#1b3350", OUTPUT: "#4a2f14", CONST: "#2b2b2b",
               FOLDED: "#2d2940"},
        borders={LEAF: "#74c476", OP: "#6baed6", OUTPUT: "#fd8d3c", CONST: "#8c8c8c",
                 FOLDED: "#9e9ac8"},
        scale=("#4f7391", "#5f97c4", "#7fc4ff", "#d9d9d9", "#fc9272", "#fb6a4a", "#ff2a2a"),
        bad="#ff5fb4",
    ),
}

# Gradient magnitude buckets on a log10 scale: (upper bound, legend text, pen width).
BUCKETS: tuple[tuple[float, str, float], ...] = (
    (1e-6, "< 1e-6 vanishing", 0.6),
    (1e-3, "1e-6 .. 1e-3", 0.9),
    (1e-1, "1e-3 .. 0.1", 1.3),
    (1e1, "0.1 .. 10", 1.8),
    (1e3, "10 .. 1e3", 2.6),
    (1e6, "1e3 .. 1e6", 3.6),
    (math.inf, "> 1e6 exploding", 5.0),
)


def grad_bucket(g: Summary) -> int:
    """Which bucket of ``BUCKETS`` a gradient's magnitude falls in (-1: nan or inf)."""
    if not g.finite:
        return -1
    for i, (upper, _, _) in enumerate(BUCKETS):
        if g.magnitude < upper:
            return i
    return len(BUCKETS) - 1


_SHAPES: dict[str, tuple[tuple[str, str], ...]] = {
    LEAF: (("shape", "Mrecord"), ("style", "filled")),
    OP: (("shape", "ellipse"), ("style", "filled")),
    OUTPUT: (("shape", "Mrecord"), ("style", "filled"), ("penwidth", "2.2")),
    CONST: (("shape", "Mrecord"), ("style", "dashed,filled")),
    FOLDED: (("shape", "box3d"), ("style", "filled")),
}


def _quote(text: str) -> str:
    """A DOT string; a line break in ``text`` ends a centred line of a label."""
    return '"' + text.replace('"', '\\"').replace("\n", "\\n") + '"'


def _line(text: str, record: bool = False) -> str:
    """One line of label text, made safe: DOT keeps a backslash as it is and reads ``\\"``
    as a quote, so backslashes go; a record also gives ``{}|<>`` a meaning."""
    text = text.replace("\\", "/").replace("\n", " ")
    if record:
        for ch in "{}|<>":
            text = text.replace(ch, "\\" + ch)
    return text


_UNSAFE = re.compile(r"[\\\n{}|<>]")  # what _line changes


def _safe_lines(lines: list[str], record: bool = False) -> list[str]:
    """``_line`` of each line. One search finds that none needs it, nearly always (values
    and gradients are numbers): then the lines are kept as they are."""
    if _UNSAFE.search("".join(lines)) is None:
        return lines
    return [_line(line, record) for line in lines]


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return " [" + " ".join(f"{k}={_quote(v)}" for k, v in pairs) + "]" if pairs else ""


def _node_lines(n: Node, o: Options) -> list[list[str]]:
    """The node's text, as groups of lines (a record draws a rule between groups)."""
    if n.kind == FOLDED:
        kinds = list((n.folded or {}).items())
        lines = [n.label] + [f"{op} x{count:,}" for op, count in kinds[:4]]
        if len(kinds) > 4:
            lines.append(f"and {len(kinds) - 4} more kinds")
        return [lines]
    head = [n.name] if n.name else []
    if n.kind in (OP, OUTPUT):
        head.append(n.label)
    elif n.kind == LEAF:
        head.append("leaf (AccumulateGrad)")
    elif not n.name:
        head.append(n.label)
    body: list[str] = []
    if o.values and n.value is not None:
        body.append(f"data {n.value.text}")
    if o.shapes and n.shape:
        dtype = f" {n.dtype}" if n.dtype and n.dtype != "float32" else ""
        body.append("shape [" + ", ".join(str(s) for s in n.shape) + "]" + dtype)
    if n.kind in (LEAF, CONST):
        body.append(f"requires_grad={n.requires_grad}")
    grad = [f"grad {n.grad.text}"] if o.grads and n.grad is not None else []
    if not n.finite:
        grad.append("not finite!")
    return [g for g in (head, body, grad) if g]


def _node_label(n: Node, o: Options) -> str:
    groups = _node_lines(n, o)
    if _SHAPES[n.kind][0][1] != "Mrecord":
        return "\n".join(_safe_lines([line for g in groups for line in g]))
    fields = "|".join("\n".join(_safe_lines(g, True)) for g in groups)
    # A record stacks its fields across the rank direction: top to bottom needs no braces
    # when the graph runs left to right, and braces when it runs top to bottom.
    return fields if o.direction in ("LR", "RL") else "{" + fields + "}"


def _edge_label(e: Edge, o: Options) -> str | None:
    """The text by an edge: its gradient, local derivative and count, as the options ask."""
    lines: list[str] = []
    if o.grads and e.grad is not None:
        lines.append(f"grad {e.grad.text}")
    if o.local and e.local:
        lines.append(e.local)
    if e.count > 1:
        lines.append(f"x{e.count:,} edges")
    return "\n".join(_safe_lines(lines)) if lines else None


def _grad_style(grad: Summary, t: Theme) -> list[tuple[str, str]]:
    """An edge's colour, width and dashes, for the gradient that flowed along it. They
    depend on its bucket only, and on whether it is zero."""
    b = grad_bucket(grad)
    if b < 0:
        return [("color", t.bad), ("fontcolor", t.bad), ("penwidth", "3"), ("style", "dashed")]
    attrs = [("color", t.scale[b]), ("penwidth", str(BUCKETS[b][2]))]
    if grad.magnitude == 0:
        attrs.append(("style", "dotted"))
    return attrs


_LEGEND_KINDS = ((LEAF, "leaf\n(requires grad)"), (OP, "op"), (OUTPUT, "output"),
                 (CONST, "constant\n(no grad)"), (FOLDED, "folded\nnodes"))


def legend_key(m: GraphModel, o: Options) -> tuple[tuple[str, ...], bool, str]:
    """What a legend depends on: the kinds of node present, whether edges carry gradients,
    and the theme."""
    present = {n.kind for n in m.nodes}
    kinds = tuple(kind for kind, _ in _LEGEND_KINDS if kind in present)
    return kinds, o.grads and any(e.grad is not None for e in m.edges), o.theme


def _legend_lines(key: tuple[tuple[str, ...], bool, str], tab: str) -> list[str]:
    """A sample of each kind of node present and, once gradients have flowed, a sample of
    each edge colour and width with its range of ``|grad|``: two ranks, tied by an
    invisible edge, the kinds then the gradient scale."""
    kinds, grads, theme = key
    t = THEMES[theme]
    text = dict(_LEGEND_KINDS)
    out = [tab + "node" + _attrs([("fontsize", "9"), ("margin", "0.1,0.03"),
                                  ("height", "0.25")])]
    for kind in kinds:
        out.append(f"{tab}legend_{kind}" + _attrs([("label", text[kind]), *_SHAPES[kind],
                                                  ("fillcolor", t.fills[kind]),
                                                  ("color", t.borders[kind])]))
    out.append(tab + "{rank=same; " + "; ".join(f"legend_{k}" for k in kinds) + "}")
    if grads:
        rows = [(f"|grad| {label}", color, str(width), "rounded")
                for (_, label, width), color in zip(BUCKETS, t.scale)]
        rows.append(("|grad| nan or inf", t.bad, "3", "rounded,dashed"))
        names = [f"legend_g{k}" for k in range(len(rows))]
        for name, (label, color, width, style) in zip(names, rows):
            out.append(f"{tab}{name}" + _attrs([("label", label), ("shape", "box"),
                                                ("style", style), ("color", color),
                                                ("penwidth", width), ("fontcolor", t.muted)]))
        out.append(tab + "{rank=same; " + "; ".join(names) + "}")
        # keeps the scale in order (not the kinds: dot refuses flat edges between records)
        out.append(tab + " -> ".join(names) + _attrs([("style", "invis")]))
        out.append(f"{tab}legend_{kinds[0]} -> {names[0]}" + _attrs([("style", "invis")]))
    return out


def _legend(m: GraphModel, o: Options, t: Theme) -> list[str]:
    """The legend as a cluster of the graph."""
    return (["\tsubgraph cluster_legend {",
             "\t\tgraph" + _attrs([("label", "legend"), ("style", "dashed"),
                                    ("color", t.muted), ("fontcolor", t.muted),
                                    ("fontsize", "10")])]
            + _legend_lines(legend_key(m, o), "\t\t") + ["\t}"])


def legend_dot(key: tuple[tuple[str, ...], bool, str], direction: Direction) -> str:
    """The legend on its own, to be set beside a graph's picture (see ``graph.py``)."""
    t = THEMES[key[2]]
    graph = [("rankdir", direction), ("bgcolor", t.background), ("fontname", t.font),
             ("fontcolor", t.muted), ("fontsize", "10"), ("nodesep", "0.15"),
             ("ranksep", "0.2"), ("label", "legend"), ("labelloc", "t"), ("labeljust", "l")]
    lines = ["digraph legend {", "\tgraph" + _attrs(graph),
             "\tnode" + _attrs([("fontname", t.font), ("fontcolor", t.text)]),
             "\tedge" + _attrs([("style", "invis")])]
    return "\n".join(lines + _legend_lines(key, "\t") + ["}"]) + "\n"


_FANOUT = 8  # more uses than this and a node is drawn again beside each further use
_FANOUT_LARGE = 3  # the same, in a graph of more than 100 nodes


def _node_style(n: Node, t: Theme) -> list[tuple[str, str]]:
    """A node's attributes after its label: they depend on its kind, and on whether its
    value and gradient are finite."""
    attrs = [*_SHAPES[n.kind], ("fillcolor", t.fills[n.kind]),
             ("color", t.borders[n.kind] if n.finite else t.bad)]
    if not n.finite:
        attrs.append(("penwidth", "2.5"))
    if n.kind == CONST:
        attrs.append(("fontcolor", t.muted))
    return attrs


def _node_attrs(n: Node, o: Options, t: Theme) -> list[tuple[str, str]]:
    return [("label", _node_label(n, o)), *_node_style(n, t)]


def to_dot(m: GraphModel, options: Options | None = None, legend: bool = True) -> str:
    """DOT text for the model: the same model and options always give the same text.
    ``legend=False`` leaves the legend out even when the options ask for it."""
    o = options or Options()
    t = THEMES[o.theme]
    graph = [("rankdir", o.direction), ("bgcolor", t.background), ("fontname", t.font),
             ("fontcolor", t.text), ("fontsize", "12"), ("nodesep", "0.3"),
             ("ranksep", "0.4")]
    if m.notes:
        label = "\n".join(_line(note) for note in m.notes)
        graph += [("label", label), ("labelloc", "b"), ("labeljust", "l")]
    out = [
        "digraph autograd {",
        "\tgraph" + _attrs(graph),
        "\tnode" + _attrs([("fontname", t.font), ("fontsize", "12"), ("fontcolor", t.text),
                           ("margin", "0.12,0.05")]),
        "\tedge" + _attrs([("fontname", t.font), ("fontsize", "11"), ("fontcolor", t.text),
                           ("color", t.edge), ("arrowsize", "0.7")]),
    ]
    # A node used by many ops is drawn again beside each further use: one box with many
    # long edges makes the layout slow (seconds) and the picture a tangle.
    uses: dict[str, int] = {}
    for e in m.edges:
        uses[e.src] = uses.get(e.src, 0) + 1
    fanout = _FANOUT if len(m.nodes) <= 100 else _FANOUT_LARGE
    # The attributes after a label are the same for many nodes and edges: each different
    # list of them is written once.
    tails: dict[tuple[str, bool], str] = {}
    for n in m.nodes:
        finite = n.finite
        tail = tails.get((n.kind, finite))
        if tail is None:
            tail = tails[(n.kind, finite)] = _attrs(_node_style(n, t))[2:-1]
        out.append(f"\t{n.id} [label={_quote(_node_label(n, o))} {tail}]")
    grad_tails: dict[tuple[int, bool], str] = {}
    seen: dict[str, int] = {}
    for e in m.edges:
        src = e.src
        k = seen[src] = seen.get(src, 0) + 1
        if k > 1 and uses[src] > fanout:
            src = f"{e.src}_use{k}"
            n = m.node(e.src)
            label = _line(n.title, True) + "|" + _line(f"use {k} of {uses[e.src]}", True)
            attrs = _node_attrs(n, o, t)
            attrs[0] = ("label", label if o.direction in ("LR", "RL") else "{" + label + "}")
            attrs[1] = ("shape", "Mrecord")
            attrs.append(("style", "dashed,filled"))
            out.append(f"\t{src}" + _attrs(attrs))
        written: list[str] = []  # the edge's attributes as DOT text
        label = _edge_label(e, o)
        if label is not None:
            written.append(f"label={_quote(label)}")
        if o.grads and e.grad is not None:
            key = (grad_bucket(e.grad), e.grad.magnitude == 0)
            tail = grad_tails.get(key)
            if tail is None:
                tail = grad_tails[key] = _attrs(_grad_style(e.grad, t))[2:-1]
            written.append(tail)
        out.append(f"\t{src} -> {e.dst} [{' '.join(written)}]" if written
                   else f"\t{src} -> {e.dst}")
    if o.legend and legend:
        out += _legend(m, o, t)
    out.append("}")
    return "\n".join(out) + "\n"
