"""How long a drawing takes: from a tensor to SVG (walk, DOT and render together).

    python bench/render.py            # the full run
    python bench/render.py --quick    # a smoke run: small graphs, few repeats
    python bench/render.py --renderer wasm

For each renderer that is installed ("wasm": WebAssembly Graphviz in this process; "dot":
the system's Graphviz), prints the median time of ``nbgrad.draw(t).svg()`` for graphs of
about 10, 30, 100 and 1,000 nodes, with the fastest run and the median CPU time of this
process (the part of the time that other programs on a busy machine do not add to; for
"dot", without the dot program's own), and the first drawing in a fresh Python process
(with the compiled WebAssembly cached on disk: the median of three processes in the full
run; and, in the full run, with an empty cache too).

The graphs are a Python loop of layers, ``h = tanh(h * w + b)``: five nodes a layer. A
1,000-node graph is drawn twice: as ``draw`` draws it by default (folded to its node budget
of 300) and in full (``budget=2000``). Each graph is timed laid out afresh (its first drawing)
and drawn again (the WebAssembly renderer keeps the layout of a graph whose labels changed
only in their digits: see nbgrad/viz/layouts.py); the targets are judged on the first.

Targets: a 30-node graph under 10 ms, a 1,000-node graph under 300 ms, the first drawing in
a new process under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nbgrad  # noqa: E402
from nbgrad.viz import layouts  # noqa: E402
from nbgrad.viz import render as render_mod  # noqa: E402

TARGETS_MS = {30: 10.0, 1000: 300.0, "first": 300.0}

_FIRST = """
import time
t0 = time.perf_counter()
import nbgrad
t1 = time.perf_counter()
h = nbgrad.tensor(0.5, requires_grad=True)
for _ in range(2):
    w = nbgrad.tensor(0.9, requires_grad=True)
    b = nbgrad.tensor(0.1, requires_grad=True)
    h = nbgrad.tanh(h * w + b)
h.backward()
t2 = time.perf_counter()
nbgrad.draw(h).svg(renderer={renderer!r})
t3 = time.perf_counter()
print((t3 - t2) * 1e3, (t1 - t0) * 1e3)
"""


def layers(nodes: int) -> nbgrad.Tensor:
    """About ``nodes`` nodes: a loop of ``h = tanh(h * w + b)``, after its backward."""
    h = nbgrad.tensor(0.5, requires_grad=True)
    for _ in range(max(1, round((nodes - 1) / 5))):
        w = nbgrad.tensor(0.9, requires_grad=True)
        b = nbgrad.tensor(0.1, requires_grad=True)
        h = nbgrad.tanh(h * w + b)
    h.backward()
    return h


def timed_ms(h: nbgrad.Tensor, renderer: str, repeats: int,
             budget: int, fresh: bool = False) -> tuple[float, float, float, int]:
    """Median and fastest time of ``draw(h).svg()``, the median CPU time this process
    spent on it, and how many nodes were drawn. ``fresh``: every run lays the graph out
    again (the kept layouts of ``nbgrad.viz.layouts`` forgotten first), as a graph of a new
    shape is."""
    times, cpu, drawn = [], [], 0
    for _ in range(repeats):
        if fresh:
            layouts.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        g = nbgrad.draw(h, budget=budget, names=False)
        g.svg(renderer)
        times.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - start_cpu) * 1e3)
        drawn = len(g.model.nodes)
    return statistics.median(times), min(times), statistics.median(cpu), drawn


def first_render(renderer: str, cache_dir: str | None) -> tuple[float, float]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["NBGRAD_CACHE_DIR"] = cache_dir
    out = subprocess.run([sys.executable, "-c", _FIRST.format(renderer=renderer)], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def verdict(ms: float, target: float) -> str:
    return f"(target < {target:g} ms: {'ok' if ms < target else 'MISSED'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small graphs, few repeats")
    parser.add_argument("--renderer", choices=render_mod.RENDERERS, help="only this one")
    args = parser.parse_args(argv)
    renderers = [r for r in render_mod.available() if args.renderer in (None, r)]
    if not renderers:
        print("no renderer installed: pip install 'nbgrad[notebook]' or apt-get install graphviz")
        return 1
    sizes = (10, 30, 100) if args.quick else (10, 30, 100, 1000)
    repeats = 2 if args.quick else 15
    print(f"tensor -> SVG, median of {repeats} runs (walk + DOT + render), "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for renderer in renderers:
        print(f"\nrenderer {renderer}:")
        render_mod.render("digraph { a -> b }", "svg", renderer)  # the process's first render
        for size in sizes:
            h = layers(size)
            runs = [("", 300)] if size < 1000 else [(" (folded to the budget)", 300),
                                                     (" (in full, budget=2000)", 2000)]
            # Laid out afresh (a graph drawn for the first time), and drawn again with its
            # layout kept (a re-run cell, a slider, a training step: the same graph with new
            # numbers). The targets are judged on the first, the stricter reading; in this
            # benchmark the second draws the same numbers, so it is the fastest a redraw gets.
            runs = [(what + ", laid out afresh", budget) for what, budget in runs] + [
                (what + ", redrawn with its layout kept", budget) for what, budget in runs]
            for what, budget in runs:
                reps = repeats if size < 1000 else max(1, repeats // 3)
                ms, fastest, cpu, drawn = timed_ms(h, renderer, reps, budget,
                                                   fresh="afresh" in what)
                line = (f"  {size:>5,}-node graph, {drawn:>5,} drawn{what}: {ms:8.1f} ms"
                        f" (fastest {fastest:.1f}, cpu {cpu:.1f})")
                if size in TARGETS_MS and (size < 1000 or budget == 300) and "afresh" in what:
                    line += " " + verdict(ms, TARGETS_MS[size])
                print(line, flush=True)
        firsts = [first_render(renderer, None) for _ in range(1 if args.quick else 3)]
        ms = statistics.median(f[0] for f in firsts)
        imp = statistics.median(f[1] for f in firsts)
        print(f"  first drawing in a new process: {ms:8.1f} ms "
              f"{verdict(ms, TARGETS_MS['first'])}; import nbgrad before it: {imp:.0f} ms"
              + ("" if len(firsts) == 1 else f" (medians of {len(firsts)} processes)"))
        if renderer == "wasm" and not args.quick:
            with tempfile.TemporaryDirectory() as empty:
                ms, _ = first_render(renderer, empty)
            print(f"  first drawing, compiled WebAssembly not yet cached: {ms:8.1f} ms "
                  "(once per machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
