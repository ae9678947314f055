"""Walk the ``grad_fn`` graph behind a tensor into a ``GraphModel``.

The walk is the same for both frameworks; what differs (how to read a node's value, the
gradient that flowed along an edge, what an op saved) is behind a small adapter:
``walk_nbgrad.py`` and ``walk_torch.py``.

The walk is breadth-first from the output and iterative (a 100,000-op chain must not hit
Python's recursion limit). Node ids are ``n0, n1, ...`` in the order the walk meets the
nodes, never ``id()``: the same code draws the same graph every run. The whole graph is
walked for its structure only; values, gradients and derivatives are read for the nodes that
are drawn, so a large graph costs little more than its structure.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from nbgrad.viz import derivatives
from nbgrad.viz.model import CONST, FOLDED, LEAF, OP, OUTPUT, Edge, GraphModel, Node
from nbgrad.viz.numbers import Summary, summarize

__all__ = ["Adapter", "GradFnAdapter", "walk", "node_of", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 300
_MIN_CHAIN = 3  # fold runs of at least this many single-input, single-use ops


class Adapter(Protocol):
    """What the walk needs to know about one framework's autograd nodes and tensors."""

    name: str

    def op_name(self, fn: Any) -> str: ...  # torch's class name: "SinBackward0"
    def function_name(self, fn: Any) -> str | None: ...  # a custom Function's: "MyExp"
    def is_accumulate(self, fn: Any) -> bool: ...  # an AccumulateGrad node (a leaf)
    def leaf_tensor(self, fn: Any) -> Any: ...  # AccumulateGrad's tensor
    def next_functions(self, fn: Any) -> Sequence[tuple[Any, int]]: ...
    def result(self, fn: Any) -> Any: ...  # the op's output value (array or Summary)
    def grad_output(self, fn: Any) -> Any: ...  # the gradient it received
    def grad_inputs(self, fn: Any) -> Sequence[Any] | None: ...  # sent along each edge
    def saved(self, fn: Any) -> Mapping[str, object]: ...  # "exponent", "self", ...
    def is_tensor(self, obj: object) -> bool: ...
    def data(self, t: Any) -> Any: ...
    def grad(self, t: Any) -> Any: ...
    def requires_grad(self, t: Any) -> bool: ...
    def dtype(self, t: Any) -> str: ...
    def remember(self, fn: Any, value: Summary | None, consts: Mapping[int, tuple]) -> None: ...
    def memo(self, fn: Any) -> Any: ...  # what remember() stored, or None


class GradFnAdapter:
    """How to move along a ``grad_fn`` graph, the same in torch and in nbgrad (whose nodes
    mirror torch's): the framework adapters start from this."""

    def op_name(self, fn: Any) -> str:
        return type(fn).__name__

    def function_name(self, fn: Any) -> str | None:
        """The name of the custom autograd Function whose node ``fn`` is (``MyExp`` for a
        ``MyExpBackward``), or None for a built-in op. Both frameworks give the node class
        of a Function its ``_forward_cls``."""
        cls = getattr(type(fn), "_forward_cls", None)
        return cls.__name__ if isinstance(cls, type) else None

    def is_accumulate(self, fn: Any) -> bool:
        return type(fn).__name__ == "AccumulateGrad"

    def leaf_tensor(self, fn: Any) -> Any:
        return fn.variable

    def next_functions(self, fn: Any) -> Sequence[tuple[Any, int]]:
        return fn.next_functions


def node_of(t: Any) -> Any:
    """The autograd node behind tensor ``t`` as ``next_functions`` name it: its ``grad_fn``;
    but an output of an nbgrad custom Function with several outputs holds a helper node
    standing for the Function's node (autograd/function.py), and that node is drawn."""
    fn = getattr(t, "grad_fn", None)
    edge = getattr(fn, "_edge", None) if fn is not None else None
    return edge()[0] if edge is not None else fn


# What a framework keeps its values in (asking is_tensor of them would only say no).
_ARRAYS = (np.ndarray, np.generic, float, int)


def _shape(t: Any) -> tuple[int, ...]:
    return tuple(int(s) for s in getattr(t, "shape", ()))


class _Walk:
    def __init__(self, root: Any, ad: Adapter, names: Sequence[tuple[str, Any]],
                 constants: bool) -> None:
        self.root, self.ad, self.constants = root, ad, constants
        # fns[i] is the autograd node of graph node i (None for a constant input);
        # kinds[i] its kind; edges are (src, dst, slot) with data flowing src -> dst.
        self.fns: list[Any] = []
        self.kinds: list[str] = []
        self.edges: list[tuple[int, int, int]] = []
        # A non-leaf tensor names its grad_fn; any tensor names itself (by identity). The
        # list of names holds the tensors, so their ids stay theirs during the walk.
        self.names = names
        self.fn_names: dict[Hashable, tuple[str, Any]] = {}
        self.obj_names: dict[int, str] = {}
        for name, t in names:
            fn = node_of(t)
            if fn is not None:
                self.fn_names.setdefault(fn, (name, t))
            self.obj_names.setdefault(id(t), name)
        self._values: dict[int, Summary | None] = {}
        self._summaries: dict[int, tuple[object, Summary | None]] = {}
        self._saved: dict[int, Mapping[str, object]] = {}
        self._consts: dict[int, tuple[Summary | None, str | None]] = {}
        self._local_inputs: dict[int, tuple[tuple[Summary | None, ...], Summary | None,
                                            dict[str, object]]] = {}

    # -- the structure -----------------------------------------------------------------
    def structure(self) -> None:
        ad, fns, kinds, edges = self.ad, self.fns, self.kinds, self.edges
        root_fn = node_of(self.root)
        fns.append(root_fn)
        kinds.append(OUTPUT)
        index: dict[Hashable, int] = {root_fn: 0}
        i = 0
        while i < len(fns):
            fn = fns[i]
            if fn is not None and kinds[i] != LEAF:
                for slot, (child, _) in enumerate(ad.next_functions(fn)):
                    if child is None:
                        if not self.constants:
                            continue
                        j = len(fns)
                        fns.append(None)
                        kinds.append(CONST)
                    else:
                        j = index.get(child, -1)
                        if j < 0:
                            j = index[child] = len(fns)
                            fns.append(child)
                            kinds.append(LEAF if ad.is_accumulate(child) else OP)
                    edges.append((j, i, slot))
            i += 1
        self.consumers: list[list[tuple[int, int, int]]] = [[] for _ in fns]
        self.inputs: list[dict[int, int]] = [{} for _ in fns]
        for e in edges:
            self.consumers[e[0]].append(e)
            self.inputs[e[1]][e[2]] = e[0]

    # -- reading values ----------------------------------------------------------------
    def saved(self, i: int) -> Mapping[str, object]:
        hit = self._saved.get(i)
        if hit is None:
            hit = self._saved[i] = self.ad.saved(self.fns[i]) if self.fns[i] is not None else {}
        return hit

    def _summary(self, v: object) -> Summary | None:
        """The Summary of a value or gradient, made once for each object: the array an op
        sent back along an edge is often the gradient of the node it leads to as well.
        (Each object is kept with its Summary, so that its id is not reused meanwhile.)"""
        if v is None:
            return None
        hit = self._summaries.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        data = self.ad.data(v) if not isinstance(v, _ARRAYS) and self.ad.is_tensor(v) else v
        summary = summarize(data)
        self._summaries[id(v)] = (v, summary)
        return summary

    def value(self, i: int) -> Summary | None:
        """The value of graph node i, from the best source that knows it."""
        if i in self._values:
            return self._values[i]
        ad, fn, kind = self.ad, self.fns[i], self.kinds[i]
        if i == 0:
            v = self._summary(self.root)
        elif kind == CONST:
            v = self.const(i)[0]
        elif kind == LEAF:
            v = self._summary(ad.leaf_tensor(fn))
        else:
            v = self._summary(ad.result(fn))
            if v is None and fn in self.fn_names:
                v = self._summary(self.fn_names[fn][1])
            if v is None:
                v = self._summary(self.saved(i).get("result"))
            if v is None:
                v = self._from_consumers(i)
        self._values[i] = v
        return v

    def _from_consumers(self, i: int) -> Summary | None:
        """An input's value, as an op that used it saved it for its backward."""
        for _, dst, slot in self.consumers[i]:
            key = derivatives.input_key(self.ad.op_name(self.fns[dst]), slot)
            v = self._summary(self.saved(dst).get(key)) if key else None
            if v is not None:
                return v
        return None

    def const(self, i: int) -> tuple[Summary | None, str | None]:
        """A constant input's value and name: saved by the op that used it, or remembered."""
        hit = self._consts.get(i)
        if hit is not None:
            return hit
        _, dst, slot = self.consumers[i][0]
        fn = self.fns[dst]
        key = derivatives.input_key(self.ad.op_name(fn), slot)
        obj = self.saved(dst).get(key) if key else None
        value, name = self._summary(obj), None
        if obj is not None and self.ad.is_tensor(obj):
            name = self.obj_names.get(id(obj))
        memo = self.ad.memo(fn)
        known = getattr(memo, "consts", None) or {}
        if slot in known:
            m_value, m_ref = known[slot]
            value = value or m_value
            obj = m_ref() if m_ref is not None else None
            name = name or (self.obj_names.get(id(obj)) if obj is not None else None)
        self._consts[i] = hit = (value, name)
        return hit

    def name(self, i: int) -> str | None:
        fn, kind = self.fns[i], self.kinds[i]
        if kind == CONST:
            return self.const(i)[1]
        if kind == LEAF:
            return self.obj_names.get(id(self.ad.leaf_tensor(fn)))
        if i == 0:
            hit = self.obj_names.get(id(self.root))
            if hit:
                return hit
        found = self.fn_names.get(fn)
        return found[0] if found else None

    def grad_along(self, src: int, dst: int, slot: int) -> Summary | None:
        if self.kinds[src] == CONST:
            return None  # no gradient flows to an input that does not require it
        gi = self.ad.grad_inputs(self.fns[dst])
        return self._summary(gi[slot]) if gi is not None and slot < len(gi) else None

    # -- one drawn node ----------------------------------------------------------------
    def node(self, i: int, node_id: str) -> Node:
        ad, fn, kind = self.ad, self.fns[i], self.kinds[i]
        value = self.value(i)
        if kind == CONST:
            return Node(node_id, CONST, "", "constant", name=self.name(i), value=value,
                        requires_grad=False, shape=value.shape if value else None)
        if kind == LEAF:
            t = ad.leaf_tensor(fn)
            return Node(node_id, LEAF, "AccumulateGrad", "leaf", name=self.name(i),
                        value=value, grad=self._summary(ad.grad(t)), requires_grad=True,
                        shape=_shape(t), dtype=ad.dtype(t))
        op = ad.op_name(fn)
        grad = self._summary(ad.grad_output(fn))
        named = self.root if i == 0 else (self.fn_names.get(fn) or (None, None))[1]
        if grad is None and named is not None:
            grad = self._summary(ad.grad(named))
        consts = {
            slot: (self.value(src), self.const_tensor(src))
            for slot, src in self.inputs[i].items() if self.kinds[src] == CONST
        }
        ad.remember(fn, value, consts)
        # a custom Function is labelled with its own name; its local derivative is unknown
        label = ad.function_name(fn) or derivatives.op_label(op, self.saved(i))
        return Node(node_id, kind, op, label,
                    name=self.name(i), value=value, grad=grad, requires_grad=True,
                    shape=value.shape if value else (_shape(named) if named is not None
                                                     else None))

    def const_tensor(self, i: int) -> Any:
        """The tensor object of constant node i, when the op that used it saved it."""
        _, dst, slot = self.consumers[i][0]
        key = derivatives.input_key(self.ad.op_name(self.fns[dst]), slot)
        obj = self.saved(dst).get(key) if key else None
        return obj if obj is not None and self.ad.is_tensor(obj) else None

    def local(self, dst: int, slot: int) -> Callable[[], str | None] | None:
        """The local derivative of op ``dst`` with respect to input ``slot``, as a function
        that writes its text (``Edge.local`` calls it when first read: most drawings do not
        show it); None when the table does not know it."""
        op = self.ad.op_name(self.fns[dst])
        if not derivatives.has_local(op, slot):
            return None
        known = self._local_inputs.get(dst)  # one per op, for all its inputs
        if known is None:
            inputs = self.inputs[dst]
            n = max(inputs) + 1 if inputs else 0
            values = tuple(self.value(inputs[s]) if s in inputs else None for s in range(n))
            # The formulas read only the numbers (and words: gelu's approximate) an op saved:
            # keeping its arrays too would keep them alive as long as the drawing.
            numbers = {k: v for k, v in self.saved(dst).items()
                       if isinstance(v, (int, float, str))}
            known = self._local_inputs[dst] = (values, self.value(dst), numbers)
        return functools.partial(_local_text, op, slot, *known)


def _local_text(op: str, slot: int, inputs: Sequence[Summary | None], output: Summary | None,
                saved: Mapping[str, object]) -> str | None:
    """The text of a local derivative, from the values the walk read."""
    ctx = derivatives.Ctx([v.scalar if v is not None else None for v in inputs],
                          output.scalar if output is not None else None,
                          [math.prod(v.shape) if v is not None else None for v in inputs], saved)
    return derivatives.local_derivative(op, slot, ctx)


_SIDE = 8  # a private side branch of at most this many nodes folds along with its chain


def _fold(w: _Walk, budget: int) -> tuple[list[str], dict[str, list[int]], list[str]]:
    """Which drawn node each graph node becomes: itself (``n7``) or a folded group (``f0``).

    Repeated structure comes first: a *chain* is a run of ops each used once, each leading to
    the next through one input (``sin(sin(sin(x)))``, a Python loop of ``h = tanh(h*w + b)``),
    together with the small branches that hang off it and are used by it alone (the ``w``
    and ``b`` of each step). The middle of the longest chains folds into one node each, their
    two ends stay drawn, until the graph fits in ``budget``. If it still does not fit, the
    nodes nearest the output are kept and the rest fold into one node.
    """
    n, kinds = len(w.fns), w.kinds
    disp = [f"n{i}" for i in range(n)]
    groups: dict[str, list[int]] = {}
    notes: list[str] = []
    if n <= budget:
        return disp, groups, notes
    uses = [len(c) for c in w.consumers]
    private = [uses[i] == 1 and kinds[i] != OUTPUT for i in range(n)]

    # Private nodes have one consumer, so the private nodes below any node form disjoint
    # trees; count each (up to _SIDE + 1) from the inputs up: inputs come later in the walk.
    count = [0] * n
    for i in range(n - 1, -1, -1):
        if private[i]:
            c = 1
            for j in w.inputs[i].values():
                c += count[j]
            count[i] = min(c, _SIDE + 1)

    def side(i: int) -> list[int] | None:
        """The private branch below input i, if small: the nodes only it leads to."""
        if count[i] > _SIDE:
            return None
        out, todo = [], [i]
        while todo:
            j = todo.pop()
            if private[j]:  # a shared node stays outside, with an edge into the fold
                out.append(j)
                todo.extend(w.inputs[j].values())
        return out

    spine = [-1] * n  # the input a chain continues through
    extra: list[list[int]] = [[] for _ in range(n)]  # side branches folded with the step
    inner = [False] * n
    for i in range(n):
        if kinds[i] != OP or not private[i]:
            continue
        rest, branches = [], []
        for j in w.inputs[i].values():
            b = side(j)
            (branches.append(b) if b is not None else rest.append(j))
        if len(rest) > 1:
            same = [j for j in rest if w.fns[j] is not None and type(w.fns[j]) is type(w.fns[i])]
            if len(same) != 1:
                continue
            rest = same  # two inputs continue: the one of the same op, as in a+a+a+...
        inner[i] = True
        spine[i] = rest[0] if rest else -1
        extra[i] = [m for b in branches for m in b]
    runs: list[list[int]] = []
    for top in range(n):
        if not inner[top]:
            continue
        above = w.consumers[top][0][1]
        if inner[above] and spine[above] == top:
            continue
        run = [top]
        while spine[run[-1]] >= 0 and inner[spine[run[-1]]]:
            run.append(spine[run[-1]])
        if len(run) >= _MIN_CHAIN + 2:
            runs.append(run)
    excess = n - budget
    chains = folded = 0
    for run in sorted(runs, key=len, reverse=True):
        if excess <= 0:
            break
        sizes = [1 + len(extra[i]) for i in run]
        lo = hi = len(run) // 2  # grow a window around the middle, keeping both ends
        total = 0
        while total - 1 < excess and (lo > 1 or hi < len(run) - 1):
            if hi < len(run) - 1 and (hi - len(run) // 2 <= len(run) // 2 - lo or lo <= 1):
                total += sizes[hi]
                hi += 1
            else:
                lo -= 1
                total += sizes[lo]
        if hi - lo < _MIN_CHAIN:
            continue
        gid = f"f{len(groups)}"
        members = [m for i in run[lo:hi] for m in (i, *extra[i])]
        groups[gid] = members
        for m in members:
            disp[m] = gid
        excess -= len(members) - 1
        chains += 1
        folded += len(members)
    if chains:
        notes.append(f"folded {folded:,} nodes of repeated structure "
                     f"({chains:,} chain{'s' * (chains > 1)} of steps)")
    shown = list(dict.fromkeys(disp))
    if len(shown) > budget:
        keep = set(shown[: budget - 1])
        rest = [i for i in range(n) if disp[i] not in keep]
        for g in {disp[i] for i in rest}:
            groups.pop(g, None)
        gid = f"f{len(groups)}"
        while gid in groups:
            gid += "_"
        groups[gid] = rest
        for i in rest:
            disp[i] = gid
        notes.append(f"drew the {budget - 1:,} nodes nearest the output; folded the other "
                     f"{len(rest):,} into one")
    return disp, groups, notes


def _folded_node(w: _Walk, gid: str, members: list[int]) -> Node:
    names: dict[type, str] = {}

    def kind_name(i: int) -> str:
        if w.kinds[i] == CONST:
            return "constant"
        if w.kinds[i] == LEAF:
            return "leaf"
        cls = type(w.fns[i])
        if cls not in names:
            names[cls] = (w.ad.function_name(w.fns[i])
                          or derivatives.short_name(w.ad.op_name(w.fns[i])))
        return names[cls]

    counts = Counter(kind_name(i) for i in members)
    top = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return Node(gid, FOLDED, "", f"{len(members):,} nodes folded", folded=top,
                size=len(members))


def _flags(nodes: list[Node]) -> list[str]:
    bad = [n.title for n in nodes if not n.finite]
    if not bad:
        return []
    return ["not finite (nan or inf): " + ", ".join(dict.fromkeys(bad))]


def walk(root: Any, ad: Adapter, *, names: Sequence[tuple[str, Any]] = (),
         budget: int = DEFAULT_BUDGET, constants: bool = True) -> GraphModel:
    """The graph model of ``root``'s autograd graph (see the module docstring)."""
    w = _Walk(root, ad, names, constants)
    if root.grad_fn is None:
        # A tensor with no graph: one node, a leaf if it requires grad, else a constant.
        kind = LEAF if ad.requires_grad(root) else CONST
        node = Node("n0", kind, "AccumulateGrad" if kind == LEAF else "",
                    "leaf" if kind == LEAF else "constant", name=w.obj_names.get(id(root)),
                    value=w._summary(root), grad=w._summary(ad.grad(root)),
                    requires_grad=kind == LEAF, shape=_shape(root), dtype=ad.dtype(root))
        return GraphModel([node], [], ad.name, notes=_flags([node]))
    w.structure()
    disp, groups, notes = _fold(w, max(int(budget), 2))
    nodes: list[Node] = []
    done: set[str] = set()
    for i in range(len(w.fns)):
        d = disp[i]
        if d not in done:
            done.add(d)
            nodes.append(_folded_node(w, d, groups[d]) if d in groups else w.node(i, d))
    edges: list[Edge] = []
    merged: dict[tuple[str, str], Edge] = {}
    for src, dst, slot in w.edges:
        a, b = disp[src], disp[dst]
        if a == b:
            continue
        if a in groups or b in groups:
            e = merged.get((a, b))
            if e is not None:
                e.count += 1
                e.grad = None  # many gradients: none of them stands for the edge
                continue
            e = merged[(a, b)] = Edge(a, b, slot, grad=w.grad_along(src, dst, slot))
        else:
            local = w.local(dst, slot) if w.kinds[src] != CONST else None
            e = Edge(a, b, slot, grad=w.grad_along(src, dst, slot),
                     local=local)  # type: ignore[arg-type]  # written when first read
        edges.append(e)
    return GraphModel(nodes, edges, ad.name, total_nodes=len(w.fns),
                      total_edges=len(w.edges), notes=notes + _flags(nodes))
