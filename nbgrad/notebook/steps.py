"""A backward pass, one node at a time: what the step-through widget shows.

``trace_backward(loss)`` asks the engine itself to run the backward pass, with the graph
retained and nothing accumulated into any leaf's ``.grad`` (``run_backward(...,
accumulate=False)``). Each node then holds the gradient it received (``grad_output``) and
what it sent along each input edge (``grad_inputs``): those arrays are copied into the steps
and the nodes are given back what they held before, so the user's graph and tensors are as
they were. ``Trace.commit()`` does what ``backward()`` would have done with the gradients.

The steps come in the engine's order (``engine._order``: the most recently created ready
node first; a leaf's ``AccumulateGrad`` as soon as all its gradients have arrived). Each step
spells out the chain rule at its node: upstream gradient times local derivative (from
``nbgrad.viz.derivatives``) equals the gradient sent to each input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nbgrad.autograd.engine import _order, run_backward, store_grad
from nbgrad.autograd.function import is_output_helper, received_grad
from nbgrad.autograd.graph import FREED_GRAPH, AccumulateGrad
from nbgrad.viz.locate import count_nodes, drawn_ids
from nbgrad.viz.model import CONST, GraphModel
from nbgrad.viz.numbers import summarize

__all__ = ["Send", "Step", "Trace", "trace_backward", "MAX_NODES"]

MAX_NODES = 400  # every node is drawn at every step: a larger graph is no lesson
_MISSING = object()


@dataclass(frozen=True)
class Send:
    """One edge at a step. At an op: the gradient it sends to input ``slot`` (``src`` is the
    input's drawn id). At a leaf: a gradient arriving from the op ``src``."""

    slot: int
    src: str
    name: str
    local: str | None
    grad: np.ndarray | None


@dataclass(frozen=True)
class Step:
    """One step: ``kind`` is ``"start"`` (the seed gradient at the output), ``"op"`` or
    ``"leaf"``; ``node`` is the drawn id to highlight and ``edges`` the ``(src, dst)`` drawn
    edges the gradient travels along; ``grad`` is the gradient the node received in full."""

    index: int
    kind: str
    node: str
    op: str
    title: str
    grad: np.ndarray | None
    sends: tuple[Send, ...]
    edges: tuple[tuple[str, str], ...]
    text: str


def _copy(a: Any) -> np.ndarray | None:
    a = received_grad(a)  # the node of a custom Function with several outputs: see there
    if a is None:
        return None
    return np.array(a.detach().numpy() if hasattr(a, "detach") else a, copy=True)


def _num(a: np.ndarray | None) -> str:
    s = summarize(a)
    if s is None:
        return "None (no gradient)"
    return s.text if not s.shape or s.scalar is not None else f"{s.text} (shape {s.shape_text})"


class Trace:
    """The steps of one backward pass from ``root`` (see the module docstring)."""

    def __init__(self, root: Any, model: GraphModel, steps: list[Step],
                 grads: dict[Any, tuple[np.ndarray | None, tuple | None]],
                 recorded: bool) -> None:
        self.root = root
        self.model = model  # every gradient filled in
        self.steps = steps
        self.recorded = recorded  # the gradients of the last backward(), read back
        self._grads = grads  # autograd node -> (grad_output, grad_inputs) copies
        self._models: dict[int, GraphModel] = {}
        self.committed = recorded

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def leaf_grads(self) -> list[tuple[Any, np.ndarray]]:
        """``(leaf tensor, gradient)`` for every leaf the pass reached, in step order."""
        out = []
        for fn, (g, _) in self._grads.items():
            if fn.__class__ is AccumulateGrad and g is not None:
                out.append((fn.variable, g))
        return out

    def model_at(self, k: int) -> GraphModel:
        """The drawing after step ``k``: only the gradients computed so far are shown."""
        hit = self._models.get(k)
        if hit is not None:
            return hit
        done = {s.node for s in self.steps[1: k + 1]}
        m = self.model
        nodes = [n if n.id == m.output.id or n.id in done or n.kind == CONST
                 else dataclasses.replace(n, grad=None) for n in m.nodes]
        edges = [e if e.dst in done else dataclasses.replace(e, grad=None) for e in m.edges]
        hit = GraphModel(nodes, edges, m.framework, total_nodes=m.total_nodes,
                         total_edges=m.total_edges, notes=list(m.notes))
        self._models[k] = hit
        return hit

    def commit(self) -> None:
        """What ``backward()`` does with these gradients: add them into the leaves' ``.grad``
        (and retained tensors' ``.grad``), and leave them on the graph's nodes for drawings.
        Once only; a trace read back from an earlier ``backward()`` is committed already."""
        if self.committed:
            raise RuntimeError("these gradients are in .grad already: "
                               + ("backward() put them there" if self.recorded
                                  else "commit() ran before"))
        self.committed = True
        for fn, (g, gi) in self._grads.items():
            fn.grad_output = g
            fn.grad_inputs = gi
            if g is None:
                continue
            if fn.__class__ is AccumulateGrad:
                store_grad(fn.variable, g, False)
            else:
                ref = fn.__dict__.get("_retained")
                t = ref() if ref is not None else None
                if t is not None:
                    store_grad(t, g, False)


def _d(root: Any, node: Any) -> str:
    """``dy/dx`` for named tensors, ``dy/d(pow 2)`` for an op's result without a name."""
    def part(n: Any) -> str:
        return n.name if n.name else f"({n.label})"

    return f"d{part(root)}/d{part(node)}"


def _const_name(n: Any) -> str:
    if n.name:
        return n.name
    return f"the constant {n.value.text}" if n.value is not None else "a constant"


def _start_text(out: Any, seed: np.ndarray, total: int) -> str:
    scalar = seed.size == 1
    return "\n".join([
        f"Step 0 of {total}: start at the output, {out.title}",
        f"The backward pass begins with {_d(out, out)} = {_num(seed)}"
        + ("" if scalar else " (the gradient passed in)") + ".",
        "Each step below runs one node, in the order the engine runs them: it multiplies",
        "the gradient it received (upstream) by its local derivative, and sends the",
        "product to each of its inputs. Leaves add up what arrives into .grad.",
    ])


def _op_text(k: int, total: int, root: Any, nd: Any, g: np.ndarray | None,
             sends: Sequence[Send], consts: Sequence[str]) -> str:
    lines = [f"Step {k} of {total}: {nd.title} ({nd.op})",
             f"upstream gradient  {_d(root, nd)} = {_num(g)}",
             "chain rule:  upstream x local derivative = gradient sent to each input"]
    up = _num(g)
    for s in sends:
        local = f"({s.local})" if s.local else "(its local derivative)"
        lines.append(f"  to {s.name}:  {up} x {local} = {_num(s.grad)}")
    for name in consts:
        lines.append(f"  to {name}:  nothing (it does not require grad)")
    return "\n".join(lines)


def _leaf_text(k: int, total: int, root: Any, nd: Any, g: np.ndarray | None,
               arrivals: Sequence[Send], held: Any) -> str:
    title = nd.title
    lines = [f"Step {k} of {total}: {title} (leaf: AccumulateGrad)"]
    if len(arrivals) > 1:
        lines.append(f"The gradients arriving at {title} add up:")
        for s in arrivals:
            lines.append(f"  from {s.name}:  {_num(s.grad)}")
    elif arrivals:
        lines.append(f"The gradient arriving from {arrivals[0].name}:  "
                     f"{_num(arrivals[0].grad)}")
    lines.append(f"{_d(root, nd)} = {_num(g)}   ->   {title}.grad = {_num(g)}")
    if held is not None:
        lines.append(f"({title}.grad holds {_num(_copy(held))} already: backward() adds to it)")
    return "\n".join(lines)


def trace_backward(root: Any, gradient: Any = None, *,
                   names: Mapping[str, Any] | None = None) -> Trace:
    """Run the backward pass of ``root`` step by step without touching any ``.grad`` (see
    the module docstring). ``gradient`` is needed when ``root`` is not a single number;
    ``names`` labels the drawing's nodes (``{"x": x, ...}``)."""
    from nbgrad._tensor import Tensor
    from nbgrad.autograd.api import _make_grads
    from nbgrad.viz import draw

    if not isinstance(root, Tensor):
        raise TypeError(f"step_through() takes an nbgrad tensor, not {type(root).__name__}")
    if root.grad_fn is None:
        raise ValueError("this tensor has no grad_fn: it was not computed from tensors that "
                         "require grad, so there is no backward pass to step through")
    n = count_nodes(root)
    if n > MAX_NODES:
        raise ValueError(f"this graph has {n:,} nodes; step_through draws every one of them "
                         f"at every step and takes at most {MAX_NODES}: try a smaller example")
    ids = drawn_ids(root)
    nodes = list(ids)
    funcs, leaf_deps = _order([root.grad_fn])
    seed = _make_grads((root,), (gradient,))
    # A custom Function's output helpers (several outputs) pass gradients on to its node,
    # which is drawn and stepped: they run, but are not steps of their own.
    helpers = [fn for fn in funcs if is_output_helper(fn)]
    held = {fn: (fn.grad_output, fn.grad_inputs) for fn in [*nodes, *helpers]}
    recorded = False
    # retained tensors' .grad are filled during a backward: not this one
    retained = {fn: fn.__dict__.pop("_retained", _MISSING) for fn in funcs}
    try:
        try:
            run_backward((root,), seed, retain_graph=True, create_graph=False,
                         accumulate=False)
        except RuntimeError as exc:
            for fn, (g, gi) in held.items():
                fn.grad_output, fn.grad_inputs = g, gi
            if str(exc) != FREED_GRAPH or root.grad_fn.grad_output is None:
                raise
            recorded = True  # freed by backward(): show what that backward recorded
        grads = {fn: (_copy(fn.grad_output),
                      None if fn.grad_inputs is None else tuple(_copy(g) for g in fn.grad_inputs))
                 for fn in nodes}
        named = dict(names or {})
        model = draw(root, names=named, budget=max(n + 1, 2), legend=False).model
    finally:
        for fn, (g, gi) in held.items():
            fn.grad_output, fn.grad_inputs = g, gi
        for fn, ref in retained.items():
            if ref is not _MISSING:
                fn._retained = ref

    # The leaves' gradients as this pass computed them (the drawing read their .grad).
    leaf_grads = {ids[fn]: summarize(g) for fn, (g, _) in grads.items()
                  if fn.__class__ is AccumulateGrad}
    model = GraphModel(
        [dataclasses.replace(nd, grad=leaf_grads[nd.id]) if nd.id in leaf_grads else nd
         for nd in model.nodes],
        model.edges, model.framework, total_nodes=model.total_nodes,
        total_edges=model.total_edges, notes=list(model.notes))
    edge_at = {(e.dst, e.slot): e for e in model.edges}
    into: dict[str, list] = {}
    for e in model.edges:
        into.setdefault(e.src, []).append(e)

    # The engine's order: each function node, then the leaves it completed.
    order: list[Any] = []
    for fn in funcs:
        if is_output_helper(fn):
            continue
        if grads[fn][0] is not None:
            order.append(fn)
        ready = []
        for nxt, _ in fn.next_functions:
            if nxt is not None and nxt.__class__ is AccumulateGrad:
                leaf_deps[nxt] -= 1
                if leaf_deps[nxt] == 0 and grads[nxt][0] is not None:
                    ready.append(nxt)
        order += ready  # in edge order, as the engine (and torch) run them

    out = model.output
    root_title = out.title
    total = len(order)
    seed_array = _copy(seed[0]._data)
    steps = [Step(0, "start", out.id, out.op, root_title, seed_array, (), (),
                  _start_text(out, seed_array, total))]
    by_id = {v: fn for fn, v in ids.items()}
    position: dict[str, int] = {}
    for k, fn in enumerate(order, start=1):
        node_id = ids[fn]
        nd = model.node(node_id)
        g, gi = grads[fn]
        if fn.__class__ is AccumulateGrad:
            arrivals = []
            for e in sorted(into.get(node_id, []), key=lambda e: position.get(e.dst, k)):
                sent = grads[by_id[e.dst]][1]
                ga = sent[e.slot] if sent is not None and e.slot < len(sent) else None
                arrivals.append(Send(e.slot, e.dst, model.node(e.dst).title, None, ga))
            text = _leaf_text(k, total, out, nd, g, arrivals, fn.variable.grad)
            edges = tuple((node_id, s.src) for s in arrivals)
            steps.append(Step(k, "leaf", node_id, nd.op, nd.title, g, tuple(arrivals), edges,
                              text))
        else:
            sends, consts = [], []
            for slot, (child, _) in enumerate(fn.next_functions):
                e = edge_at.get((node_id, slot))
                if e is None:
                    continue
                src = model.node(e.src)
                if child is None:
                    consts.append(_const_name(src))
                    continue
                sent = gi[slot] if gi is not None and slot < len(gi) else None
                sends.append(Send(slot, e.src, src.title, e.local, sent))
            text = _op_text(k, total, out, nd, g, sends, consts)
            edges = tuple((s.src, node_id) for s in sends)
            steps.append(Step(k, "op", node_id, nd.op, nd.title, g, tuple(sends), edges, text))
        position[node_id] = k
    return Trace(root, model, steps, grads, recorded)
