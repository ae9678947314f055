"""``Explorer``: a slider on each input of a function, its graph, values and gradients.

``nbgrad.explore(fn, x=(-3, 3), w=(0, 2, 0.1))``: on every slider change, each input becomes
a fresh leaf tensor that requires grad, ``fn`` runs forward, ``backward()`` runs, and the
widget shows the graph (values on the nodes, gradients on the edges), the output and each
input's gradient. For a function of one input it also plots the function over the slider's
range, with the tangent line at the current point: its slope is the gradient.

A range is ``(min, max)``, ``(min, max, step)`` or ``(min, max, step, start)``; an input of
``fn`` without one gets ``(-3, 3)``. If ``fn`` fails, the error is shown in the widget and the
next slider change tries again.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import numpy as np

from nbgrad.notebook.widgets._base import ErrorPanel, FixedRepr, escape_pre, guarded
from nbgrad.notebook.widgets.graph_view import GraphView

__all__ = ["Explorer", "DEFAULT_RANGE"]

DEFAULT_RANGE = (-3.0, 3.0)
_SAMPLES = 121


def _range(name: str, spec: Any) -> tuple[float, float, float, float]:
    if isinstance(spec, (int, float)) or not isinstance(spec, (tuple, list)) or \
            not 2 <= len(spec) <= 4:
        raise TypeError(f"explore(): give {name} a range: {name}=(min, max), "
                        f"(min, max, step) or (min, max, step, start), not {spec!r}")
    lo, hi = float(spec[0]), float(spec[1])
    if not lo < hi:
        raise ValueError(f"explore(): the range of {name} needs min < max, got {spec!r}")
    step = float(spec[2]) if len(spec) > 2 else (hi - lo) / 200
    start = float(spec[3]) if len(spec) > 3 else lo + (hi - lo) * 0.5
    if not lo <= start <= hi:
        raise ValueError(f"explore(): {name} starts at {start}, outside its range {spec!r}")
    return lo, hi, step, start


def _inputs(fn: Callable, ranges: dict[str, Any]) -> list[str]:
    """The names of ``fn``'s inputs: its parameters, else the ranges' names."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        params = []
    named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    names = [p.name for p in named if p.default is p.empty]  # a slider each
    known = {p.name for p in named}
    takes_any = any(p.kind == p.VAR_KEYWORD for p in params)
    unknown = [k for k in ranges if k not in known]
    if unknown and not takes_any and known:
        raise TypeError(f"explore(): {fn_name(fn)} has no input named "
                        f"{', '.join(unknown)}; its inputs are {', '.join(sorted(known))}")
    return names + [k for k in ranges if k not in names]  # and one for each range given


def fn_name(fn: Callable) -> str:
    name = getattr(fn, "__name__", "f")
    return name if name.isidentifier() else "f"


class Explorer(FixedRepr, widgets.VBox):
    """Sliders on ``fn``'s inputs; see the module docstring."""

    _fixed_repr = "<nbgrad.Explorer>"

    def __init__(self, fn: Callable, *, direction: str = "LR", local: bool = True,
                 legend: bool = False, **ranges: Any) -> None:
        if not callable(fn):
            raise TypeError(f"explore() takes a function, not {type(fn).__name__}")
        self.fn = fn
        self.name = fn_name(fn)
        names = _inputs(fn, ranges)
        if not names:
            raise TypeError(f"explore(): {self.name} takes no inputs to put a slider on")
        self.ranges = {k: _range(k, ranges.get(k, DEFAULT_RANGE)) for k in names}
        self.sliders = {
            k: widgets.FloatSlider(value=start, min=lo, max=hi, step=step, description=k,
                                   continuous_update=True, readout_format=".3f")
            for k, (lo, hi, step, start) in self.ranges.items()
        }
        self.error = ErrorPanel()
        self.view = GraphView(direction=direction, local=local, legend=legend)
        self.readout = widgets.HTML()
        self.plot = widgets.HTML()
        self.value: float | None = None  # the output at the sliders' values
        self.grads: dict[str, float | None] = {}
        self.text = ""
        self._curve: tuple[list[float], list[float]] | None = None
        for s in self.sliders.values():
            s.observe(self._on_slider, names="value")
        right = [self.readout, self.plot] if len(names) == 1 else [self.readout]
        super().__init__([widgets.HBox([widgets.VBox(list(self.sliders.values())),
                                        widgets.VBox(right)]),
                          self.view, self.error])
        self.update()

    @property
    def inputs(self) -> dict[str, float]:
        return {k: float(s.value) for k, s in self.sliders.items()}

    def _on_slider(self, change: dict) -> None:
        self.update()

    @guarded("explore could not run the function")
    def update(self) -> None:
        """Run ``fn`` forward and backward at the sliders' values and show the results."""
        import nbgrad

        leaves = {k: nbgrad.tensor(v, requires_grad=True) for k, v in self.inputs.items()}
        out = self.fn(**leaves)
        if not isinstance(out, nbgrad.Tensor):
            raise TypeError(f"{self.name} returned a {type(out).__name__}; explore needs it "
                            "to return a tensor computed from its inputs")
        if out.numel() != 1:
            raise ValueError(f"{self.name} returned a tensor of shape {list(out.shape)}; "
                             "explore needs a single number (try .sum())")
        if out.requires_grad:
            out.backward()
        self.value = float(out.item())
        self.grads = {k: (None if t.grad is None else float(t.grad.item()))
                      for k, t in leaves.items()}
        self.view.show(nbgrad.draw(out, names={**leaves, self.name: out}).model)
        self._readout()
        if len(leaves) == 1:
            self._plot()
        self.error.clear()

    def _readout(self) -> None:
        from nbgrad.viz.numbers import fmt

        args = ", ".join(f"{k}={fmt(v)}" for k, v in self.inputs.items())
        lines = [f"{self.name}({args}) = {fmt(self.value)}"]
        for k, g in self.grads.items():
            lines.append(f"d{self.name}/d{k} = " + ("None (no path from it to the output)"
                                                    if g is None else fmt(g)))
        self.text = "\n".join(lines)
        self.readout.value = escape_pre(self.text, "padding:4px 8px")

    def _plot(self) -> None:
        from nbgrad.notebook.plot import function_plot

        (k, x0), = self.inputs.items()
        xs, ys = self._sample(k)
        self.plot.value = function_plot(xs, ys, x0, self.value, self.grads.get(k),
                                        name=self.name, var=k)

    def _sample(self, k: str) -> tuple[list[float], list[float]]:
        """The function over the slider's range, once (it does not change)."""
        if self._curve is None:
            import nbgrad

            lo, hi, _, _ = self.ranges[k]
            xs = [float(v) for v in np.linspace(lo, hi, _SAMPLES)]
            ys = []
            with nbgrad.no_grad():
                for x in xs:
                    try:
                        y = float(self.fn(**{k: nbgrad.tensor(x)}))
                    except Exception:  # noqa: BLE001 - a gap in the curve
                        y = math.nan
                    ys.append(y)
            self._curve = xs, ys
        return self._curve
