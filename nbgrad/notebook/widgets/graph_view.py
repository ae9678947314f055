"""``GraphView``: an autograd graph as a widget, updated in place from its traits.

It is an ``ipywidgets.HTML`` whose value is the graph's SVG, inline (so tooltips work and a
saved notebook's widget state holds the picture). Set ``tensor`` to draw a tensor's graph, or
``model`` to draw a graph model; ``highlight`` (a node id) and ``edges`` emphasise parts of
it; ``direction``, ``local``, ``legend``, ``values`` and ``grads`` are the drawing's options.
Every change redraws the same widget; nothing is re-created. ``refresh()`` redraws the
tensor's graph after its state changed (after a ``backward()``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import traitlets

from nbgrad.notebook.widgets._base import ErrorPanel, FixedRepr
from nbgrad.viz.model import GraphModel

__all__ = ["GraphView"]

_OPTIONS = ("direction", "local", "legend", "values", "grads")


class _Identity(traitlets.Any):
    """A trait that tells its observers whenever another object is set. (``Any`` compares
    with ``==``: two scalar tensors of equal value would look like no change at all.)"""

    def set(self, obj: Any, value: Any) -> None:
        new = self._validate(obj, value)
        old = obj._trait_values.get(self.name, self.default_value)
        obj._trait_values[self.name] = new
        if old is not new:
            obj._notify_trait(self.name, old, new)


class GraphView(FixedRepr, widgets.HTML):
    """The graph of ``tensor`` (or ``model``) as an HTML widget holding an inline SVG."""

    _fixed_repr = "<nbgrad.GraphView>"

    tensor = _Identity(None, allow_none=True)
    model = traitlets.Instance(GraphModel, allow_none=True)
    highlight = traitlets.Unicode("")
    edges = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode()))
    direction = traitlets.Enum(["LR", "TB", "RL", "BT"], "LR")
    local = traitlets.Bool(False)
    legend = traitlets.Bool(True)
    values = traitlets.Bool(True)
    grads = traitlets.Bool(True)

    def __init__(self, tensor: Any = None, *, names: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        self._holding = False
        self._names = names
        self.renders = 0  # how many pictures this widget has shown
        self.svg = ""
        self.error = ErrorPanel()
        super().__init__(**kwargs)
        if tensor is not None:
            self.tensor = tensor
        elif self.model is not None:
            self._redraw()

    # -- changing what is shown ----------------------------------------------------------
    @contextmanager
    def hold(self) -> Any:
        """Change several traits and redraw once, at the end."""
        self._holding = True
        try:
            yield self
        finally:
            self._holding = False
        self._redraw()

    def show(self, model: GraphModel | None, highlight: str = "",
             edges: Any = ()) -> None:
        """Draw ``model`` with ``highlight`` and ``edges`` emphasised: one redraw."""
        with self.hold():
            self.model = model
            self.highlight = highlight
            self.edges = [tuple(e) for e in edges]

    def refresh(self) -> None:
        """Draw ``tensor``'s graph again, as it is now."""
        self._model_from_tensor()

    @traitlets.observe("tensor")
    def _on_tensor(self, change: dict) -> None:
        self._model_from_tensor()

    def _model_from_tensor(self) -> None:
        if self.tensor is None:
            return
        from nbgrad.notebook.shell import caller_tensors
        from nbgrad.viz import draw

        try:
            names = self._names if self._names is not None else caller_tensors()
            model = draw(self.tensor, names=names).model
        except Exception as exc:  # noqa: BLE001 - shown in the widget
            self._fail("could not draw the graph", exc)
            return
        self.model = model

    @traitlets.observe("model", "highlight", "edges", *_OPTIONS)
    def _on_change(self, change: dict) -> None:
        if not self._holding:
            self._redraw()

    # -- drawing -------------------------------------------------------------------------
    def _redraw(self) -> None:
        if self.model is None:
            return
        from nbgrad.viz import emphasis
        from nbgrad.viz.dot import Options

        try:
            options = Options(direction=self.direction, local=self.local, legend=self.legend,
                              values=self.values, grads=self.grads)
            picture = emphasis.svg(self.model, options, nodes=[self.highlight],
                                   edges=[tuple(e) for e in self.edges])
        except Exception as exc:  # noqa: BLE001 - shown in the widget
            self._fail("could not draw the graph", exc)
            return
        self.error.clear()
        self.svg = emphasis.inline(picture)
        self.value = f'<div style="overflow:auto;max-width:100%">{self.svg}</div>'
        self.renders += 1

    def _fail(self, what: str, exc: BaseException) -> None:
        self.error.show(what, exc)
        self.value = self.error.value
