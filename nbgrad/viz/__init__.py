"""See the graph: autograd graphs and the gradients that flow through them, drawn.

``nbgrad.draw(loss)`` returns a ``Graph`` that shows itself in Jupyter as SVG. It works on
nbgrad tensors and on real ``torch`` tensors alike (see ``record`` for torch).

Layers: a walker turns the ``grad_fn`` graph into a framework-neutral model (``walk.py``),
the model becomes DOT text (``dot.py``), and DOT becomes SVG (``render.py``: WebAssembly
Graphviz in this process, or the system's ``dot``), and PNG or PDF (the system's ``dot``, or
the SVG converted by vl-convert). Importing this package loads none of them: they load on
the first drawing, and so do graphviz and wasmtime (and vl-convert on the first PNG or PDF).
"""

from __future__ import annotations

from typing import Any

__all__ = ["draw", "record", "Graph", "Options", "RenderError", "RendererNotFound"]


def draw(tensor: Any, **options: Any) -> Any:
    """Draw the autograd graph that produced ``tensor``; see ``nbgrad.viz.graph.draw``."""
    from nbgrad.viz.graph import draw as _draw

    return _draw(tensor, **options)


def record() -> Any:
    """A context manager that remembers torch computations' values and gradient flow for
    ``draw``; see ``nbgrad.viz.walk_torch.record``."""
    from nbgrad.viz.walk_torch import record as _record

    return _record()


def __getattr__(name: str) -> Any:
    if name in ("Graph",):
        from nbgrad.viz import graph

        return graph.Graph
    if name == "Options":
        from nbgrad.viz import dot

        return dot.Options
    if name in ("RenderError", "RendererNotFound"):
        from nbgrad.viz import render

        return getattr(render, name)
    raise AttributeError(f"module 'nbgrad.viz' has no attribute {name!r}")
