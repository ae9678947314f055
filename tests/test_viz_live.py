"""The viz helpers the notebook side adds: node ids, the text outline, emphasis."""

from __future__ import annotations

import pytest

import nbgrad
from nbgrad.viz import emphasis
from nbgrad.viz.locate import count_nodes, drawn_ids
from nbgrad.viz.outline import outline


def graphs() -> list[nbgrad.Tensor]:
    x = nbgrad.tensor(3.0, requires_grad=True)
    w = nbgrad.tensor(2.0, requires_grad=True)
    v = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * w
    h = v
    for _ in range(4):
        h = nbgrad.tanh(h * 0.9 + a)
    return [nbgrad.sin(a) + x ** 2, (v * v).sum() * 0.5, h.sum() / a, (a * a) * (a + 1)]


@pytest.mark.parametrize("k", range(4))
@pytest.mark.parametrize("constants", [True, False])
def test_drawn_ids_agree_with_the_walk(k: int, constants: bool) -> None:
    y = graphs()[k]
    ids = drawn_ids(y, constants)
    model = nbgrad.draw(y, names=False, constants=constants, budget=1000).model
    assert count_nodes(y, constants) == len(model.nodes)
    for fn, node_id in ids.items():
        assert model.node(node_id).op == type(fn).__name__
    consts = [n for n in model.nodes if n.kind == "const"]
    assert len(ids) + len(consts) == len(model.nodes)


def test_outline_of_a_graph_with_a_shared_leaf() -> None:
    x = nbgrad.tensor(3.0, requires_grad=True)
    w = nbgrad.tensor(2.0, requires_grad=True)
    y = nbgrad.sin(x * w) + x ** 2
    y.backward()
    text = outline(nbgrad.draw(y, names={"x": x, "w": w, "y": y}).model)
    assert text == "\n".join([
        "autograd graph of y: 6 nodes, 6 edges",
        "y = add   data 8.7206   grad 1",
        "├── sin   data -0.2794   grad 1",
        "│   └── mul   data 6   grad 0.9602",
        "│       ├── x (leaf)   data 3   grad 7.9203   [edge grad 1.9203]",
        "│       └── w (leaf)   data 2   grad 2.8805",
        "└── pow 2   data 9   grad 1",
        "    └── x (leaf, above)   [edge grad 6]",
    ])
    bare = outline(nbgrad.draw(y, names=False).model, values=False, grads=False)
    assert "data" not in bare and "   grad" not in bare


def test_outline_of_a_leaf_shapes_and_folds() -> None:
    v = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    assert outline(nbgrad.draw(v, names={"v": v}).model).splitlines() == [
        "v: a tensor without a graph", "v (leaf)   data [1, 2]   shape [2]"]
    h = v
    for _ in range(400):
        h = nbgrad.sin(h)
    text = outline(nbgrad.draw(h.sum(), names=False).model)
    assert "nodes folded" in text and text.splitlines()[-1].startswith("note: folded")


def test_emphasis_marks_nodes_and_edges() -> None:
    y = graphs()[0]
    model = nbgrad.draw(y, names=False).model
    plain = emphasis.emphasized_dot(model)
    assert emphasis.HIGHLIGHT not in plain
    dot = emphasis.emphasized_dot(model, nodes=["n3"], edges=[("n4", "n3")])
    assert f'\tn3 [color="{emphasis.HIGHLIGHT}"' in dot
    marked = [line for line in dot.splitlines() if emphasis.HIGHLIGHT in line]
    assert len(marked) == 2 and marked[0].startswith("\tn4 -> n3 [")
    assert dot.rstrip().endswith("}")
    svg = emphasis.inline(emphasis.svg(model, nodes=["n3"]))
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
