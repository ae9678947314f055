"""``StepThrough``: the backward pass of a tensor, node by node (``nbgrad.step_through``).

The steps come from ``nbgrad.notebook.steps.trace_backward``: the engine's own backward,
run without touching any ``.grad``. This widget only shows them: the graph with the current
node highlighted and the edges it sends gradients along, the chain rule at that node with
its numbers, and the leaves' gradients filling in as the steps reach them.

Controls: first, back, next, last; a slider over the steps; play (``ipywidgets.Play``,
linked to the step index) at a chosen speed; and commit, which puts the gradients into the
leaves' ``.grad`` as ``backward()`` would.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from nbgrad.notebook.widgets._base import ErrorPanel, FixedRepr, escape_pre, guarded
from nbgrad.notebook.widgets.graph_view import GraphView

__all__ = ["StepThrough"]

_SPEEDS = [("slow", 1600), ("normal", 900), ("fast", 400), ("fastest", 150)]


class StepThrough(FixedRepr, widgets.VBox):
    """Step through ``loss``'s backward pass (see the module docstring)."""

    _fixed_repr = "<nbgrad.StepThrough>"

    step = traitlets.Int(0)

    def __init__(self, loss: Any, gradient: Any = None, *,
                 names: dict[str, Any] | None = None, direction: str = "LR",
                 local: bool = False, legend: bool = False) -> None:
        from nbgrad.notebook.shell import caller_tensors
        from nbgrad.notebook.steps import trace_backward

        names = caller_tensors() if names is None else names
        self.trace = trace_backward(loss, gradient, names=names)
        n = len(self.trace.steps) - 1
        self.error = ErrorPanel()
        self.view = GraphView(direction=direction, local=local, legend=legend)
        self.panel = widgets.HTML()
        self.first_button = widgets.Button(description="first", icon="fast-backward",
                                           tooltip="back to the start", layout=_narrow())
        self.back_button = widgets.Button(description="back", icon="step-backward",
                                          tooltip="one step back", layout=_narrow())
        self.next_button = widgets.Button(description="next", icon="step-forward",
                                          tooltip="one step forward", layout=_narrow())
        self.last_button = widgets.Button(description="last", icon="fast-forward",
                                          tooltip="the end of the backward pass",
                                          layout=_narrow())
        self.slider = widgets.IntSlider(value=0, min=0, max=n, description="step",
                                        continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=n, interval=900, description="play",
                                 show_repeat=False)
        self.speed = widgets.Dropdown(options=_SPEEDS, value=900, description="speed",
                                      layout=widgets.Layout(width="170px"))
        self.commit_button = widgets.Button(
            description="commit .grad", icon="check", button_style="warning",
            tooltip="put these gradients into the leaves' .grad, as backward() would",
            disabled=self.trace.committed)
        for button, method in ((self.first_button, self.first), (self.back_button, self.back),
                               (self.next_button, self.next), (self.last_button, self.last),
                               (self.commit_button, self._commit_clicked)):
            button.on_click(lambda _b, m=method: m())
        widgets.link((self.play, "value"), (self, "step"))
        widgets.link((self.slider, "value"), (self, "step"))
        widgets.link((self.speed, "value"), (self.play, "interval"))
        controls = widgets.HBox([self.first_button, self.back_button, self.next_button,
                                 self.last_button, self.play, self.speed])
        super().__init__([self.view, self.panel, controls,
                          widgets.HBox([self.slider, self.commit_button]), self.error])
        self._show()

    # -- moving ----------------------------------------------------------------------------
    @property
    def steps(self) -> list:
        return self.trace.steps

    @property
    def current(self) -> Any:
        """The ``Step`` shown now."""
        return self.trace.steps[self.step]

    @property
    def text(self) -> str:
        """The explanation shown for the current step, as plain text."""
        return self._text

    @property
    def highlighted(self) -> str:
        """The drawn id of the node highlighted now."""
        return self.view.highlight

    def first(self) -> None:
        self.step = 0

    def back(self) -> None:
        self.step = max(0, self.step - 1)

    def next(self) -> None:
        self.step = min(len(self.trace.steps) - 1, self.step + 1)

    def last(self) -> None:
        self.step = len(self.trace.steps) - 1

    @traitlets.validate("step")
    def _valid_step(self, proposal: dict) -> int:
        return max(0, min(len(self.trace.steps) - 1, int(proposal["value"])))

    @traitlets.observe("step")
    def _on_step(self, change: dict) -> None:
        self._show()

    @guarded("could not show this step")
    def _show(self) -> None:
        k = self.step
        s = self.trace.steps[k]
        self.view.show(self.trace.model_at(k), highlight=s.node, edges=s.edges)
        lines = [s.text]
        leaves = [f"{t.title}.grad = {t.grad.text}" for t in self.trace.model_at(k).nodes
                  if t.kind == "leaf" and t.grad is not None]
        if leaves:
            lines += ["", "so far:  " + "   ".join(leaves)]
        if self.trace.recorded:
            lines += ["", "(the graph was freed by backward(): these are the gradients that "
                          "backward recorded)"]
        elif self.trace.committed:
            lines += ["", "(committed: the leaves' .grad hold these gradients)"]
        self._text = "\n".join(lines)
        self.panel.value = escape_pre(self._text, "padding:6px 8px;background:#fafafa;"
                                                  "border-left:3px solid #d62728")
        self.error.clear()

    # -- committing ------------------------------------------------------------------------
    def commit(self) -> None:
        """Put the gradients into the leaves' ``.grad`` (adding to what is there), as
        ``backward()`` would. Once only."""
        self.trace.commit()
        self.commit_button.disabled = True
        self._show()

    @guarded("could not commit the gradients")
    def _commit_clicked(self) -> None:
        self.commit()


def _narrow() -> widgets.Layout:
    return widgets.Layout(width="88px")
