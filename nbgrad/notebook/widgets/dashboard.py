"""``Dashboard``: a training loop's loss curve, gradient norms and progress, live.

Use it around any loop, as a context manager::

    with nbgrad.dashboard(model, total=epochs) as board:
        for epoch in range(epochs):
            ...
            loss.backward()
            board.log(loss)      # before optimizer.zero_grad(): the norms read .grad
            optimizer.step()

or as the callback of ``nbgrad.train.fit``: ``fit(..., callback=nbgrad.dashboard(model))``
(``board(epoch, loss)`` logs a loss too). ``log`` only records the number; the widget is
redrawn at most every ``every`` seconds (and once at the end), so a fast loop is not slowed
by drawing. Gradient norms are read from the parameters' ``.grad`` when the widget redraws.

A failure in the dashboard (a loss that is not a number, a drawing error) is shown in the
widget and never raised into the training loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

import ipywidgets as widgets
import numpy as np

from nbgrad.notebook.widgets._base import ErrorPanel, FixedRepr, guarded

__all__ = ["Dashboard"]


def _named_params(params: Any) -> list[tuple[str, Any]]:
    """``(name, tensor)`` pairs from a module, a dict, an optimizer or an iterable."""
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return [(str(k), v) for k, v in params.named_parameters()]
    if hasattr(params, "param_groups"):
        flat = [p for g in params.param_groups for p in g["params"]]
        return [(f"param {k}", p) for k, p in enumerate(flat)]
    if isinstance(params, dict):
        return [(str(k), v) for k, v in params.items()]
    if isinstance(params, Iterable):
        return [(f"param {k}", p) for k, p in enumerate(params)]
    raise TypeError("dashboard() takes a model, an optimizer, a dict of tensors or a list of "
                    f"tensors, not {type(params).__name__}")


def _norm(t: Any) -> float | None:
    g = getattr(t, "grad", None)
    if g is None:
        return None
    a = g.detach().numpy() if hasattr(g, "detach") else np.asarray(g)
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


class Dashboard(FixedRepr, widgets.VBox):
    """A live view of a training loop; see the module docstring."""

    _fixed_repr = "<nbgrad.Dashboard>"

    def __init__(self, params: Any = None, *, total: int | None = None, every: float = 0.2,
                 title: str = "training", log_scale: bool | None = None) -> None:
        self.params = _named_params(params)
        self.total = total
        self.every = float(every)
        self.title = title
        self.log_scale = log_scale
        self.losses: list[float] = []
        self._array = np.zeros(0)
        self.steps = 0
        self.draws = 0  # how many times the widget was redrawn
        self.norms: dict[str, float | None] = {}
        self.shown = False
        self.done = False
        self._started = time.perf_counter()
        self._last_draw = -math.inf
        self.error = ErrorPanel()
        self.progress = widgets.IntProgress(value=0, min=0, max=max(total or 1, 1),
                                            description=title[:12],
                                            layout=widgets.Layout(width="420px"))
        if total is None:
            self.progress.layout.display = "none"
        self.status = widgets.HTML()
        self.chart = widgets.HTML()
        self.bars = widgets.HTML()
        super().__init__([widgets.HBox([self.progress, self.status]),
                          widgets.HBox([self.chart, self.bars]), self.error])
        self._draw()

    # -- showing -------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.shown = True
        return super()._repr_mimebundle_(**kwargs)

    def show(self) -> Dashboard:
        """Display the dashboard, once (logging does it if nothing else did)."""
        if not self.shown:
            self.shown = True
            from nbgrad.notebook.shell import get_shell

            if get_shell() is not None:
                from IPython.display import display

                display(self)
        return self

    # -- logging -------------------------------------------------------------------------
    def log(self, loss: Any = None) -> None:
        """Record one step's loss (a number or a one-element tensor); redraw if the last
        drawing is older than ``every`` seconds. Never raises."""
        try:
            if loss is not None:
                self.losses.append(float(loss.item() if hasattr(loss, "item") else loss))
            self.steps += 1
        except Exception as exc:  # noqa: BLE001 - shown, the loop goes on
            self.error.show("dashboard.log could not read the loss", exc)
            return
        if not self.shown:
            self.show()
        if time.perf_counter() - self._last_draw >= self.every:
            self._draw()

    def __call__(self, epoch: int | None = None, loss: Any = None) -> None:
        """The ``fit`` callback: ``callback(epoch, epoch_loss)``."""
        self.log(loss)

    def finish(self) -> None:
        """Draw the final state."""
        self.done = True
        self._draw()

    def __enter__(self) -> Dashboard:
        self.show()
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        self.finish()
        if exc is not None:
            self.status.value += (f' <span style="color:#b00020">stopped: '
                                  f"{type(exc).__name__}</span>")

    # -- drawing -------------------------------------------------------------------------
    def _loss_array(self) -> np.ndarray:
        """The losses as an array, converting only those logged since the last drawing."""
        done = self._array.size
        if done < len(self.losses):
            fresh = np.array(self.losses[done:], dtype=np.float64)
            self._array = np.concatenate([self._array, fresh])
        return self._array

    @guarded("the dashboard could not redraw")
    def _draw(self) -> None:
        from nbgrad.notebook.plot import bar_rows, line_chart
        from nbgrad.viz.numbers import fmt

        now = time.perf_counter()
        self._last_draw = now
        self.draws += 1
        if self.total is not None:
            self.progress.value = min(self.steps, self.progress.max)
        elapsed = now - self._started
        parts = [f"step {self.steps:,}" + (f"/{self.total:,}" if self.total else "")]
        if self.losses:
            parts.append(f"loss {fmt(self.losses[-1])}")
        if self.steps and not self.done:  # a timing changes every run: not in the last picture
            parts.append(f"{elapsed / self.steps * 1e3:.2f} ms/step")
        if self.done:
            parts.append("done")
        self.status.value = ('<span style="font-family:monospace;padding-left:8px">'
                             + " &middot; ".join(parts) + "</span>")
        self.chart.value = line_chart(self._loss_array(), title="loss", log=self.log_scale)
        if self.params:
            self.norms = {name: _norm(p) for name, p in self.params}
            self.bars.value = bar_rows(list(self.norms.items()),
                                       title="gradient norm per parameter (log scale)")
