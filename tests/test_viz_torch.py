"""The same views of the same computation drawn from torch and from nbgrad are the same."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import nbgrad  # noqa: E402
from nbgrad.viz import record  # noqa: E402


def square(T):  # noqa: N803 - T is the framework: nbgrad or torch
    x = T.tensor(3.0, requires_grad=True)
    y = x**2
    return y, {"x": x, "y": y}


def sin_square(T):  # noqa: N803
    x = T.tensor(9.0, requires_grad=True)
    z = T.sin(x**2)
    return z, {"x": x, "z": z}


def logistic(T):  # noqa: N803
    x = T.tensor(6.7)
    y = T.tensor(0.0)
    w = T.tensor(1.0, requires_grad=True)
    b = T.tensor(0.0, requires_grad=True)
    z = w * x + b
    y_pred = T.sigmoid(z)
    loss = -(y * T.log(T.clamp(y_pred, 1e-8, 1 - 1e-8))
             + (1 - y) * T.log(1 - T.clamp(y_pred, 1e-8, 1 - 1e-8)))
    return loss, {"x": x, "y": y, "w": w, "b": b, "z": z, "y_pred": y_pred, "loss": loss}


def mean_square(T):  # noqa: N803
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = (x**2).mean()
    return m, {"x": x, "m": m}


def mixed(T):  # noqa: N803 - constants, a scalar factor, a shared input, a matrix
    a = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = T.tensor([0.5, -1.0], requires_grad=True)
    h = T.tanh(a @ v) * 2 + 1
    out = (h / 3 - T.exp(-h)).sum() + (v**3).sum()
    return out, {"a": a, "v": v, "h": h, "out": out}


LESSONS = [square, sin_square, logistic, mean_square, mixed]


def drawn(T, lesson, before: bool, **options):  # noqa: N803
    """The DOT text and model of ``lesson`` drawn from framework ``T``: before and after
    backward (``before``), or only after."""
    with record():
        out, names = lesson(T)
    first = nbgrad.draw(out, names=names, local=True, **options) if before else None
    out.backward()
    after = nbgrad.draw(out, names=names, local=True, **options)
    return first, after


def summary(g):
    """Nodes and edges with their numbers, for a readable failure."""
    m = g.model
    nodes = [(n.id, n.kind, n.op, n.label, n.name, n.value and n.value.text,
              n.grad and n.grad.text) for n in m.nodes]
    edges = [(e.src, e.dst, e.slot, e.grad and e.grad.text, e.local) for e in m.edges]
    return nodes, edges


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("before", [True, False], ids=["drawn-before-too", "after-only"])
def test_same_nodes_edges_and_numbers(lesson, before):
    nb_first, nb_after = drawn(nbgrad, lesson, before)
    t_first, t_after = drawn(torch, lesson, before)
    assert t_after.model.framework == "torch" and nb_after.model.framework == "nbgrad"
    if before:
        assert summary(t_first) == summary(nb_first)
        assert t_first.source == nb_first.source
    assert summary(t_after) == summary(nb_after)
    assert t_after.source == nb_after.source


def test_torch_graphs_end_in_accumulate_grad_leaves():
    with record():
        out, names = logistic(torch)
    m = nbgrad.draw(out, names=names).model
    leaves = [n for n in m.nodes if n.kind == "leaf"]
    assert [(n.name, n.op) for n in leaves] == [("b", "AccumulateGrad"), ("w", "AccumulateGrad")]


def test_torch_without_record_draw_then_backward_then_draw():
    """The lesson's order needs no record(): the first drawing hooks the graph."""
    out, names = sin_square(torch)
    nbgrad.draw(out, names=names)
    out.backward()
    t_after = nbgrad.draw(out, names=names, local=True)
    nb_out, nb_names = sin_square(nbgrad)
    nb_out.backward()
    assert t_after.source == nbgrad.draw(nb_out, names=nb_names, local=True).source


def test_torch_without_record_after_backward_shows_what_torch_kept():
    out, names = sin_square(torch)
    out.backward()
    m = nbgrad.draw(out, names=names).model
    z, pow_, x = m.nodes
    assert (z.value.text, x.value.text, x.grad.text) == ("-0.6299", "9", "13.9803")
    assert pow_.label == "pow 2"  # torch keeps the exponent; the value 81 it freed
    assert pow_.value is None and m.edges[0].grad is None


def test_record_without_torch_operations_is_harmless():
    with record():
        x = nbgrad.tensor(2.0, requires_grad=True)
        y = x * 3
    assert nbgrad.draw(y).model.nodes[0].value.text == "6"
