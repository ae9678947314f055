"""Which drawn node each autograd node becomes.

The step-through widget highlights, at each step of a backward pass, the node the engine is
running. The engine knows autograd nodes (``grad_fn`` objects); a drawing knows ids (``n0``,
``n1``, ...). ``drawn_ids`` links the two by walking the graph exactly as ``walk.py`` does:
breadth first from the output, each input in slot order, a new node numbered when first met,
a constant input (``None`` in ``next_functions``) numbered at each use when constants are
drawn. ``tests/test_viz_locate.py`` checks the two walks agree.

Only unfolded drawings number every node this way: pass a ``budget`` larger than the graph
to ``draw`` when the ids matter.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from nbgrad.viz.walk import node_of

__all__ = ["drawn_ids", "count_nodes"]


def _is_leaf(fn: Any) -> bool:
    return type(fn).__name__ == "AccumulateGrad"


def drawn_ids(tensor: Any, constants: bool = True) -> dict[Hashable, str]:
    """``{autograd node: drawn id}`` for the graph behind ``tensor`` (empty for a tensor
    without ``grad_fn``)."""
    root = node_of(tensor)
    if root is None:
        return {}
    index: dict[Hashable, int] = {root: 0}
    fns: list[Any] = [root]
    i = 0
    while i < len(fns):
        fn = fns[i]
        if fn is not None and (i == 0 or not _is_leaf(fn)):
            for child, _ in fn.next_functions:
                if child is None:
                    if constants:
                        fns.append(None)
                    continue
                if child not in index:
                    index[child] = len(fns)
                    fns.append(child)
        i += 1
    return {fn: f"n{k}" for fn, k in index.items()}


def count_nodes(tensor: Any, constants: bool = True) -> int:
    """How many nodes an unfolded drawing of ``tensor``'s graph has."""
    root = node_of(tensor)
    if root is None:
        return 1
    seen = {root}
    stack = [root]
    total = 1
    while stack:
        fn = stack.pop()
        if _is_leaf(fn):
            continue
        for child, _ in fn.next_functions:
            if child is None:
                total += constants
            elif child not in seen:
                seen.add(child)
                stack.append(child)
                total += 1
    return total
