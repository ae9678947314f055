"""nbgrad in the notebook: the IPython extension, its magics, and the widgets.

``%load_ext nbgrad`` registers the magics (``%tensor``, ``%watch``, ``%unwatch``,
``%graph`` / ``%%graph``) and the hook that keeps pinned graphs up to date. The widgets are
``nbgrad.step_through(loss)``, ``nbgrad.explore(fn, x=(-3, 3))`` and
``nbgrad.dashboard(model)``; ``GraphView`` is the graph as a widget.

Everything here composes ``nbgrad.viz`` and the core: no autograd logic lives here. IPython
and ipywidgets load when this package does, never with ``import nbgrad``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["watch", "unwatch", "step_through", "explore", "dashboard", "GraphView",
           "StepThrough", "Explorer", "Dashboard"]


def watch(target: Any, **options: Any) -> Any:
    """Pin the live graph of a tensor or a variable name; see ``nbgrad.notebook.pin``."""
    from nbgrad.notebook.pin import watch as _watch

    return _watch(target, **options)


def unwatch(*targets: Any) -> list[str]:
    """Stop updating pinned graphs (all of them when no target is given)."""
    from nbgrad.notebook.pin import unwatch as _unwatch

    return _unwatch(*targets)


def step_through(loss: Any, gradient: Any = None, **options: Any) -> Any:
    """A widget that steps through ``loss``'s backward pass node by node."""
    from nbgrad.notebook.widgets.stepper import StepThrough

    return StepThrough(loss, gradient, **options)


def explore(fn: Any, **ranges: Any) -> Any:
    """A widget with a slider on each input of ``fn``, its graph, values and gradients."""
    from nbgrad.notebook.widgets.explorer import Explorer

    return Explorer(fn, **ranges)


def dashboard(params: Any = None, **options: Any) -> Any:
    """A live training dashboard: loss curve, gradient norms, progress."""
    from nbgrad.notebook.widgets.dashboard import Dashboard

    return Dashboard(params, **options)


def __getattr__(name: str) -> Any:
    if name in ("GraphView", "StepThrough", "Explorer", "Dashboard"):
        from nbgrad.notebook import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'nbgrad.notebook' has no attribute {name!r}")
