"""The graph model: what every view draws, whichever framework built the graph.

A walker (``walk.py``) turns the ``grad_fn`` graph behind a tensor into a ``GraphModel``;
``dot.py`` turns the model into DOT text. Nothing here knows about torch, nbgrad or Graphviz.

Edges point the way data flows in the forward pass, from an input to the op that used it.
After ``backward()`` each edge carries the gradient that flowed back along it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbgrad.viz.numbers import Summary

__all__ = ["Node", "Edge", "GraphModel", "LEAF", "CONST", "OP", "OUTPUT", "FOLDED", "KINDS"]

LEAF = "leaf"  # a tensor that requires grad and was not computed (torch's AccumulateGrad)
CONST = "const"  # an input that does not require grad: no gradient flows to it
OP = "op"  # an operation's result (a grad_fn node)
OUTPUT = "output"  # the tensor that was drawn
FOLDED = "folded"  # many nodes folded into one to keep a large graph readable
KINDS = (LEAF, CONST, OP, OUTPUT, FOLDED)


@dataclass
class Node:
    """One box of the drawing.

    ``id`` comes from the walk order (``n0`` is the output, ``f0`` the first folded group),
    so the same code gives the same ids every run. ``op`` is the framework's node class name
    (``SinBackward0``, ``AccumulateGrad``); ``label`` is what a student reads (``sin``,
    ``pow 2``); ``name`` is the Python variable the tensor is bound to, if any.
    """

    id: str
    kind: str
    op: str
    label: str
    name: str | None = None
    value: Summary | None = None
    grad: Summary | None = None
    requires_grad: bool = True
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    folded: dict[str, int] | None = None  # FOLDED nodes: how many of each op label
    size: int = 1  # FOLDED nodes: how many graph nodes this one stands for

    @property
    def title(self) -> str:
        """The node's name if it has one, else its op label."""
        return self.name or self.label

    @property
    def finite(self) -> bool:
        """False when the value or the gradient holds a nan or an inf."""
        value, grad = self.value, self.grad
        return (value is None or value.finite) and (grad is None or grad.finite)


class _WrittenWhenRead:
    """A dataclass field that may be given a function instead of its value: the function is
    called, and what it returns kept, when the field is first read. (A descriptor: Python
    runs ``__get__`` and ``__set__`` for every read and write of the field.)"""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = "_" + name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return None  # read on the class: the field's default
        value = obj.__dict__[self.key]
        if callable(value):
            value = obj.__dict__[self.key] = value()
        return value

    def __set__(self, obj: object, value: Any) -> None:
        obj.__dict__[self.key] = value


@dataclass
class Edge:
    """Data flows ``src -> dst``; ``slot`` is which input of ``dst`` this is.

    ``grad`` is the gradient sent back along the edge by the last backward (None before);
    ``local`` is the local derivative ``d dst / d src`` as text, e.g.
    ``d sin(u)/du = cos(81) = 0.7767``; ``count`` is how many edges of the whole graph this
    one stands for (more than one where folded nodes meet).

    The walk gives ``local`` as a function that writes the text when ``local`` is first
    read: writing it takes longer than drawing the edge, and most drawings do not show it.
    """

    src: str
    dst: str
    slot: int
    grad: Summary | None = None
    local: str | None = _WrittenWhenRead()  # type: ignore[assignment]
    count: int = 1


@dataclass
class GraphModel:
    """Nodes in walk order (the output first) and the edges between them."""

    nodes: list[Node]
    edges: list[Edge]
    framework: str  # "nbgrad" or "torch"
    total_nodes: int = 0  # nodes in the whole graph, before any folding
    total_edges: int = 0
    notes: list[str] = field(default_factory=list)  # what was folded, what is not finite

    def __post_init__(self) -> None:
        self.total_nodes = self.total_nodes or len(self.nodes)
        self.total_edges = self.total_edges or len(self.edges)
        self._by_id = {n.id: n for n in self.nodes}

    @property
    def output(self) -> Node:
        """The node of the tensor that was drawn."""
        return self.nodes[0]

    @property
    def has_grads(self) -> bool:
        """True once a backward pass has sent gradients through the graph."""
        return any(e.grad is not None for e in self.edges) or any(
            n.grad is not None for n in self.nodes
        )

    @property
    def folded(self) -> int:
        """How many nodes of the whole graph are not drawn one by one."""
        return sum(n.size for n in self.nodes if n.kind == FOLDED)

    def node(self, node_id: str) -> Node:
        """The node with this id (``KeyError`` if there is none)."""
        return self._by_id[node_id]
