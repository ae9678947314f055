"""How live the notebook side feels: widgets redrawing, pinned graphs after each cell.

    python bench/live.py            # the full run
    python bench/live.py --quick    # a smoke run: few repeats

Prints the median time

- from a slider change in ``nbgrad.explore`` to the updated graph (forward, backward, walk,
  DOT, render, and the widget's new value), for graphs of about 10 and 30 nodes;
- from a click on "next" in ``nbgrad.step_through`` to the redrawn graph (30 nodes);
- that a pinned graph adds to a cell (the ``post_run_cell`` hook), when the cell changed
  nothing pinned and when it changed the graph (a redraw), and the same seen from
  ``run_cell`` in a real ``InteractiveShell``;
- of ``Dashboard.log`` in a training loop (recording; drawing is rate-limited).

Targets: a slider change on a 30-node graph under 30 ms; a pinned graph adds under 5 ms to a
cell that changed nothing pinned.

The graphs are ``h = tanh(h * 0.9 + 0.1)`` repeated: five nodes a layer (the constants are
drawn too), plus the input.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbgrad  # noqa: E402

TARGETS_MS = {"slider 30": 30.0, "cell unchanged": 5.0}


def layers(k: int):  # noqa: ANN201 - a function of x
    def f(x: nbgrad.Tensor) -> nbgrad.Tensor:
        h = x
        for _ in range(k):
            h = nbgrad.tanh(h * 0.9 + 0.1)
        return h

    return f


def ms(times: list[float]) -> float:
    return statistics.median(times) * 1e3


def verdict(value: float, target: float) -> str:
    return f"(target < {target:g} ms: {'ok' if value < target else 'MISSED'})"


def slider_latency(k: int, repeats: int) -> tuple[float, int]:
    from nbgrad.notebook.widgets.explorer import Explorer

    e = Explorer(layers(k), x=(-2.0, 2.0))
    slider = e.sliders["x"]
    times = []
    for i in range(repeats + 2):
        before = e.view.renders
        start = time.perf_counter()
        slider.value = -1.5 + (i % 11) * 0.3
        elapsed = time.perf_counter() - start
        assert e.view.renders == before + 1, e.error.text
        if i >= 2:  # warm up
            times.append(elapsed)
    return ms(times), len(e.view.model.nodes)


def step_latency(k: int, repeats: int) -> tuple[float, int]:
    from nbgrad.notebook.widgets.stepper import StepThrough

    x = nbgrad.tensor(0.5, requires_grad=True)
    s = StepThrough(layers(k)(x), names={"x": x})
    times = []
    for _ in range(repeats):
        if s.step == len(s.steps) - 1:
            s.first()
        start = time.perf_counter()
        s.next_button.click()
        times.append(time.perf_counter() - start)
    return ms(times), len(s.trace.model.nodes)


def pin_costs(k: int, repeats: int) -> dict[str, float]:
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    from nbgrad.notebook.pin import PinBoard

    ip = InteractiveShell.instance()
    pub = CapturingDisplayPublisher()
    pub.shell = ip
    ip.display_pub = pub  # a rich frontend: pinned graphs are rendered as SVG
    ip.run_cell("%load_ext nbgrad")
    ip.user_ns["f"] = layers(k)
    ip.user_ns["nbgrad"] = nbgrad
    ip.run_cell("x = nbgrad.tensor(0.5, requires_grad=True)\ny = f(x)", store_history=False)

    def run_cells(code: str) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            ip.run_cell(code, store_history=False)
            times.append(time.perf_counter() - start)
        return ms(times)

    out = {"run_cell, nothing pinned": run_cells("a = 1")}
    ip.run_cell("%watch y")
    board = PinBoard.of(ip)
    out["run_cell, graph pinned, unchanged"] = run_cells("a = 1")
    unchanged, changed = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        board.post_run_cell()
        unchanged.append(time.perf_counter() - start)
        with nbgrad.no_grad():
            ip.user_ns["x"].add_(0.0)  # bumps x's version: the pinned graph must redraw
        start = time.perf_counter()
        board.post_run_cell()
        changed.append(time.perf_counter() - start)
    out["hook, graph unchanged"] = ms(unchanged)
    out["hook, graph changed (redraw)"] = ms(changed)
    ip.run_cell("%unload_ext nbgrad")
    pub.outputs.clear()
    return out


def dashboard_cost(steps: int) -> tuple[float, int]:
    from nbgrad.notebook.widgets.dashboard import Dashboard

    w = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    d = Dashboard({"w": w}, total=steps)
    start = time.perf_counter()
    for i in range(steps):
        d.log(1.0 / (i + 1))
    per = (time.perf_counter() - start) / steps
    d.finish()
    return per * 1e6, d.draws


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 30
    from nbgrad.viz import render as render_mod

    renderers = render_mod.available()
    print(f"median of {repeats} runs, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"renderer {renderers[0] if renderers else 'none'}")
    if not renderers:
        print("no renderer installed: pip install 'nbgrad[notebook]'")
        return 1
    render_mod.render("digraph { a -> b }", "svg")  # the process's first render
    for k in (2, 6):
        value, nodes = slider_latency(k, repeats)
        line = f"  explore: slider change -> updated graph, {nodes:>3}-node graph: {value:7.2f} ms"
        if nodes >= 30:
            line += " " + verdict(value, TARGETS_MS["slider 30"])
        print(line, flush=True)
    value, nodes = step_latency(6, repeats)
    print(f"  step_through: next -> redrawn graph, {nodes:>3}-node graph: {value:7.2f} ms",
          flush=True)
    for what, value in pin_costs(6, repeats).items():
        line = f"  pinned 31-node graph: {what:<36} {value:7.3f} ms"
        if what == "hook, graph unchanged":
            line += " " + verdict(value, TARGETS_MS["cell unchanged"])
        print(line, flush=True)
    per, draws = dashboard_cost(2000 if args.quick else 100_000)
    print(f"  dashboard: log() in a training loop: {per:7.2f} us a step ({draws} redraws)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
