"""``trace_backward``: the steps of a backward pass, checked against the engine itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd.graph import take_general_path
from nbgrad.notebook.steps import MAX_NODES, trace_backward
from nbgrad.viz.locate import drawn_ids
from nbgrad.viz.numbers import fmt


def simple(T: Any) -> tuple[dict, Any]:
    x = T.tensor(3.0, requires_grad=True)
    w = T.tensor(2.0, requires_grad=True)
    return {"x": x, "w": w}, T.sin(x * w) + x ** 2


def diamond(T: Any) -> tuple[dict, Any]:
    x = T.tensor(0.5, requires_grad=True)
    w = T.tensor(-1.5, requires_grad=True)
    v = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = x * w
    b = a.exp() * 0.1
    c = T.sin(a)
    return {"x": x, "w": w, "v": v}, ((b * c + a) * v).tanh().sum() + x ** 2


def layers(T: Any) -> tuple[dict, Any]:
    h = T.tensor(0.3, requires_grad=True)
    names = {"h0": h}
    for k in range(3):
        w = T.tensor(0.9 - 0.1 * k, requires_grad=True)
        b = T.tensor(0.1 * k, requires_grad=True)
        names[f"w{k}"], names[f"b{k}"] = w, b
        h = T.tanh(h * w + b)
    return names, (h - 1.0) ** 2


GRAPHS = [simple, diamond, layers]


def _engine_order(root: Any, names: dict) -> list[str]:
    """What nbgrad's engine runs, in order, recorded by hooks during a real backward."""
    order: list[str] = []
    inv = {id(t): k for k, t in names.items()}
    seen, stack = set(), [root.grad_fn]
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        if type(fn).__name__ == "AccumulateGrad":
            name = inv[id(fn.variable)]
            fn.variable.register_hook(lambda g, k=name: order.append(k))
            continue
        if fn._pre_hooks is None:
            fn._pre_hooks = []
            take_general_path(fn)  # where the engine runs hooks, as register_hook arranges
        op = fn.name()
        fn._pre_hooks.append(lambda g, op=op: order.append(op))
        stack += [c for c, _ in fn.next_functions if c is not None]
    root.backward()
    return order


@pytest.mark.parametrize("build", GRAPHS)
def test_steps_follow_the_engine_and_leave_grads_alone(build: Callable) -> None:
    names, y = build(nbgrad)
    trace = trace_backward(y, names=names)
    # nothing touched: no .grad, no gradients recorded on the nodes
    assert all(t.grad is None for t in names.values())
    ids = drawn_ids(y)
    assert all(fn.grad_output is None and fn.grad_inputs is None for fn in ids)
    steps = trace.steps
    assert steps[0].kind == "start" and steps[0].node == "n0"
    got = [s.title if s.kind == "leaf" else s.op for s in steps[1:]]
    assert got == _engine_order(y, names)
    # each step's numbers are the engine's own, from the backward just run
    by_id = {v: fn for fn, v in ids.items()}
    for s in steps[1:]:
        fn = by_id[s.node]
        if s.kind == "leaf":
            np.testing.assert_array_equal(s.grad, fn.variable.grad.numpy())
            assert f"{s.title}.grad = " in s.text
            continue
        np.testing.assert_array_equal(s.grad, fn.grad_output)
        for send in s.sends:
            np.testing.assert_array_equal(send.grad, fn.grad_inputs[send.slot])
            if send.grad.size == 1:
                assert f"to {send.name}:  " in s.text
                assert s.text.count(f"= {fmt(send.grad.item())}") >= 1


@pytest.mark.parametrize("build", GRAPHS)
def test_op_order_matches_torch(build: Callable) -> None:
    torch = pytest.importorskip("torch")
    names, y = build(torch)
    order: list[str] = []
    seen, stack = set(), [y.grad_fn]
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        if not hasattr(fn, "variable"):
            op = fn.name()
            fn.register_prehook(lambda g, op=op: order.append(op))
        stack += [c for c, _ in fn.next_functions if c is not None]
    y.backward()
    names_nb, y_nb = build(nbgrad)
    ops = [s.op for s in trace_backward(y_nb, names=names_nb).steps[1:] if s.kind == "op"]
    assert ops == order


def test_chain_rule_text_and_leaf_sums() -> None:
    names, y = simple(nbgrad)
    steps = trace_backward(y, names={**names, "y": y}).steps
    mul = next(s for s in steps if s.op == "MulBackward0")
    assert mul.node == "n3" and set(mul.edges) == {("n4", "n3"), ("n5", "n3")}
    assert "upstream gradient  dy/d(mul) = 0.9602" in mul.text
    assert "to x:  0.9602 x (d(a*b)/da = b = 2) = 1.9203" in mul.text
    assert "to w:  0.9602 x (d(a*b)/db = a = 3) = 2.8805" in mul.text
    x_step = next(s for s in steps if s.kind == "leaf" and s.title == "x")
    assert "from pow 2:  6" in x_step.text and "from mul:  1.9203" in x_step.text
    assert "dy/dx = 7.9203   ->   x.grad = 7.9203" in x_step.text
    assert steps[1].text.splitlines()[1] == "upstream gradient  dy/dy = 1"


def test_models_fill_in_step_by_step() -> None:
    names, y = simple(nbgrad)
    trace = trace_backward(y, names={**names, "y": y})
    first = trace.model_at(0)
    assert first.output.grad is not None and first.output.grad.text == "1"
    assert all(e.grad is None for e in first.edges)
    assert all(n.grad is None for n in first.nodes if n.kind == "leaf")
    last = trace.model_at(len(trace) - 1)
    assert all(e.grad is not None for e in last.edges)
    assert {n.name: n.grad.text for n in last.nodes if n.kind == "leaf"} == \
        {"x": "7.9203", "w": "2.8805"}
    # a leaf's gradient appears exactly at its own step
    for k, s in enumerate(trace.steps):
        if s.kind == "leaf":
            assert trace.model_at(k - 1).node(s.node).grad is None
            assert trace.model_at(k).node(s.node).grad is not None


def test_commit_does_what_backward_does() -> None:
    names, y = diamond(nbgrad)
    trace = trace_backward(y, names=names)
    names["x"].grad = nbgrad.tensor(1.0)  # held already: commit adds to it
    trace.commit()
    ref_names, ref = diamond(nbgrad)
    ref_names["x"].grad = nbgrad.tensor(1.0)
    ref.backward()
    for k in names:
        np.testing.assert_allclose(names[k].grad.numpy(), ref_names[k].grad.numpy())
    with pytest.raises(RuntimeError, match="commit"):
        trace.commit()
    assert nbgrad.draw(y).model.has_grads  # the nodes now show the gradients


def test_retained_and_hooked_tensors() -> None:
    x = nbgrad.tensor([1.0, -2.0], requires_grad=True)
    z = x * 3
    z.retain_grad()
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        trace_backward(z)
    assert z.retains_grad  # still, after the failed call
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = z.relu().sum()
    trace = trace_backward(y, names={"x": x, "z": z})
    assert z.grad is None and x.grad is None
    assert seen == [[3.0, 0.0]]  # the user's hooks run, as in a backward
    trace.commit()
    assert z.grad.tolist() == [1.0, 0.0] and x.grad.tolist() == [3.0, 0.0]


def test_after_backward_the_recorded_gradients_are_shown() -> None:
    names, y = simple(nbgrad)
    y.backward()  # frees the graph
    trace = trace_backward(y, names=names)
    assert trace.recorded and trace.committed
    leaf = next(s for s in trace.steps if s.kind == "leaf" and s.title == "x")
    assert "x.grad = 7.9203" in leaf.text
    assert "already" in leaf.text  # x.grad holds it: backward put it there
    with pytest.raises(RuntimeError, match="backward"):
        trace.commit()


def test_what_cannot_be_stepped_through() -> None:
    with pytest.raises(TypeError, match="nbgrad tensor"):
        trace_backward(3.0)
    with pytest.raises(ValueError, match="no grad_fn"):
        trace_backward(nbgrad.tensor(1.0, requires_grad=True))
    v = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        trace_backward(v * 2)
    steps = trace_backward(v * 2, nbgrad.tensor([1.0, 0.5])).steps
    assert "(the gradient passed in)" in steps[0].text
    h = v.sum()
    for _ in range(MAX_NODES):
        h = h * 1.0001
    with pytest.raises(ValueError, match="at most"):
        trace_backward(h)
    # a saved value changed in place: the engine's error, and the graph as it was
    a = nbgrad.tensor(2.0, requires_grad=True)
    b = a * 1
    c = b.sin()  # saves b for its backward
    with nbgrad.no_grad():
        b.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        trace_backward(c)
    assert c.grad_fn.grad_output is None
