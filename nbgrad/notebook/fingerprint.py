"""Has a tensor's graph changed? A cheap fingerprint, taken after every cell.

A pinned graph is redrawn only when its fingerprint changes, so a cell that touched nothing
pinned costs a look at the graph's nodes and no drawing. The fingerprint covers what a
drawing shows:

- which graph it is (the output's ``grad_fn``; a graph never changes once built: an in-place
  op gives the tensor a new ``grad_fn``),
- whether and when a backward reached its nodes (the identity of each ``grad_output``),
- each leaf's data and gradient (identity and version counter: in-place updates such as
  ``w -= lr * w.grad`` or ``optimizer.step()`` bump the version).

The nodes and leaves of a graph are found once and kept (weakly) with its ``grad_fn``, so
later cells only read them: about 0.1 microsecond a node. Of a graph larger than
``CHECKED_NODES`` only the nodes nearest the output are checked, and all its leaves.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any

__all__ = ["fingerprint", "CHECKED_NODES"]

CHECKED_NODES = 20_000
_STRUCTURE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _version(t: Any) -> int:
    v = getattr(t, "_version", 0)  # nbgrad: a shared one-element list, or None for 0
    return v[0] if isinstance(v, list) else int(v or 0)


def _grad(t: Any) -> Any:
    if type(t).__module__.startswith("nbgrad"):
        return t._grad
    # torch warns when the .grad of a tensor that does not keep one is read
    keeps = getattr(t, "is_leaf", True) or getattr(t, "retains_grad", False)
    return getattr(t, "grad", None) if keeps else None


def _tensor_state(t: Any) -> tuple:
    g = _grad(t)
    data = getattr(t, "_data", None)
    return (id(t), _version(t), id(data) if data is not None else 0,
            id(g) if g is not None else 0, _version(g) if g is not None else -1)


def _structure(root: Any) -> tuple[tuple, tuple]:
    """The function nodes (breadth first from ``root``) and the leaf tensors of a graph."""
    try:
        hit = _STRUCTURE.get(root)
    except TypeError:  # a node that cannot be weakly referenced: no cache
        hit = None
    if hit is not None:
        return hit
    funcs, leaves = [], []
    seen = {root}
    queue = [root]
    for fn in queue:  # grows as it goes: breadth first
        variable = getattr(fn, "variable", None)
        if variable is not None:  # AccumulateGrad: a leaf
            leaves.append(variable)
            continue
        funcs.append(fn)
        for child, _ in fn.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                queue.append(child)
    hit = (tuple(funcs[:CHECKED_NODES]), tuple(leaves))
    try:
        _STRUCTURE[root] = hit
    except TypeError:
        pass
    return hit


def fingerprint(obj: Any) -> Hashable:
    """A value that changes when the drawing of ``obj``'s graph would change. Anything that
    is not a tensor gives its type and identity."""
    if not hasattr(obj, "grad_fn"):
        return ("not a tensor", type(obj).__name__, id(obj))
    head = (_tensor_state(obj), bool(getattr(obj, "requires_grad", False)))
    root = obj.grad_fn
    if root is None:
        return head
    funcs, leaves = _structure(root)
    return (head, id(root), getattr(root, "_seq", 0),
            tuple([id(getattr(fn, "grad_output", None)) for fn in funcs]),
            tuple([_tensor_state(t) for t in leaves]))
