"""A graph model as a text outline: the drawing for a terminal.

The output comes first; under each op, indented, the inputs it used, in order::

    y = add   data 8.7206   grad 1
    ├── sin   data -0.2794   grad 1
    │   └── mul   data 6   grad 0.9602
    │       ├── x (leaf)   data 3   grad 7.9203   [edge grad 1.9203]
    │       └── w (leaf)   data 2   grad 2.8805
    └── pow 2   data 9   grad 1
        └── x (leaf, above)   [edge grad 6]

A node used by several ops is written out once and named again (``above``) elsewhere; its
lines then also say what flowed along each edge into it (``edge grad``), since its own
gradient is the sum of those.
"""

from __future__ import annotations

from nbgrad.viz.model import CONST, FOLDED, LEAF, OUTPUT, Edge, GraphModel, Node
from nbgrad.viz.numbers import plural

__all__ = ["outline", "node_text"]

_GAP = "   "


def node_text(n: Node, values: bool = True, grads: bool = True) -> str:
    """One node on one line: its name and op, and its value and gradient."""
    if n.kind == FOLDED:
        kinds = ", ".join(f"{op} x{c:,}" for op, c in list((n.folded or {}).items())[:4])
        return f"[{n.label}: {kinds}]" if kinds else f"[{n.label}]"
    if n.kind == LEAF:
        head = f"{n.name or 'leaf'} (leaf)" if n.name else "leaf"
    elif n.kind == CONST:
        head = f"{n.name} (constant)" if n.name else "constant"
    else:
        head = f"{n.name} = {n.label}" if n.name else n.label
    parts = [head]
    if values and n.value is not None:
        parts.append(f"data {n.value.text}")
    if n.shape:
        parts.append("shape [" + ", ".join(str(s) for s in n.shape) + "]")
    if grads and n.grad is not None:
        parts.append(f"grad {n.grad.text}")
    if not n.finite:
        parts.append("not finite!")
    return _GAP.join(parts)


def outline(model: GraphModel, *, values: bool = True, grads: bool = True,
            local: bool = False) -> str:
    """The model as an indented tree of text, the output first (see the module docstring).
    ``local=True`` adds, on each input's line, the local derivative of the op above it."""
    inputs: dict[str, list[Edge]] = {}
    uses: dict[str, int] = {}
    for e in model.edges:
        inputs.setdefault(e.dst, []).append(e)
        uses[e.src] = uses.get(e.src, 0) + 1
    for edges in inputs.values():
        edges.sort(key=lambda e: e.slot)
    out = model.output
    head = (f"autograd graph of {out.title}: {plural(model.total_nodes, 'node')}, "
            f"{plural(model.total_edges, 'edge')}")
    if out.kind != OUTPUT:
        head = f"{out.title}: a tensor without a graph"
    lines = [head]
    written: set[str] = set()
    # (node id, edge into the parent or None, prefix of this line, prefix of its children)
    stack: list[tuple[str, Edge | None, str, str]] = [(out.id, None, "", "")]
    while stack:
        node_id, edge, first, rest = stack.pop()
        n = model.node(node_id)
        shared = uses.get(node_id, 0) > 1
        if node_id in written:
            text = f"{n.title} ({'leaf, ' if n.kind == LEAF else ''}above)"
        else:
            text = node_text(n, values, grads)
        if grads and shared and edge is not None and edge.grad is not None:
            text += f"{_GAP}[edge grad {edge.grad.text}]"
        if local and edge is not None and edge.local:
            text += f"{_GAP}[{edge.local}]"
        if edge is not None and edge.count > 1:
            text += f"{_GAP}[x{edge.count:,} edges]"
        lines.append(first + text)
        if node_id in written:
            continue
        written.add(node_id)
        children = inputs.get(node_id, [])
        for k in range(len(children) - 1, -1, -1):
            last = k == len(children) - 1
            stack.append((children[k].src, children[k], rest + ("└── " if last else "├── "),
                          rest + ("    " if last else "│   ")))
    lines += [f"note: {note}" for note in model.notes]
    return "\n".join(lines)
