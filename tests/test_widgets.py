"""The widgets, driven from Python: set slider values, click buttons, read what they show."""

from __future__ import annotations

import html
from typing import Any

import pytest

pytest.importorskip("ipywidgets")

import nbgrad  # noqa: E402
from nbgrad.notebook.widgets import Dashboard, Explorer, GraphView, StepThrough  # noqa: E402
from nbgrad.viz.locate import drawn_ids  # noqa: E402
from nbgrad.viz.numbers import fmt  # noqa: E402


def graph() -> tuple[dict, Any]:
    x = nbgrad.tensor(3.0, requires_grad=True)
    w = nbgrad.tensor(2.0, requires_grad=True)
    y = nbgrad.sin(x * w) + x ** 2
    return {"x": x, "w": w, "y": y}, y


# -- reprs -----------------------------------------------------------------------------------


def test_reprs_are_short_and_fixed() -> None:
    names, y = graph()
    made = [GraphView(y, names=names), StepThrough(y, names=names),
            Explorer(lambda x: x * 2), Dashboard()]
    for w in made:
        text = w._repr_mimebundle_()["text/plain"]
        assert text == repr(w) and len(text) < 40 and text.startswith("<nbgrad.")
    made[1].next()
    made[2].sliders["x"].value = 1.0
    made[3].log(1.0)
    assert [repr(w) for w in made] == ["<nbgrad.GraphView>", "<nbgrad.StepThrough>",
                                       "<nbgrad.Explorer>", "<nbgrad.Dashboard>"]


# -- GraphView -------------------------------------------------------------------------------


def test_graph_view_updates_in_place_from_traits() -> None:
    names, y = graph()
    view = GraphView(y, names=names)
    model_id, renders = view.model_id, view.renders
    assert view.value.startswith("<div") and "<svg" in view.value
    assert "<?xml" not in view.value  # an inline element, not a document
    assert "grad 7.9203" not in view.value
    y.backward()
    view.refresh()
    assert "grad 7.9203" in view.value and view.renders == renders + 1
    view.highlight = "n3"
    assert "#d62728" in view.value and view.renders == renders + 2
    view.direction = "TB"
    view.local = True
    assert "d sin(u)/du" in view.value
    with view.hold():
        view.legend = False
        view.values = False
        view.grads = False
    assert view.renders == renders + 5  # the held changes redrew once
    assert "grad 7.9203" not in view.value
    assert view.model_id == model_id  # the same widget all along
    before = view.renders
    x = nbgrad.tensor(3.0, requires_grad=True)
    view.tensor = nbgrad.sin(x) * 0 + y.detach()  # the same value, another graph
    assert view.renders == before + 1 and "sin" in view.value


def test_graph_view_shows_its_errors() -> None:
    view = GraphView()
    view.tensor = "not a tensor"
    assert "could not draw the graph: TypeError" in view.error.text
    assert "could not draw the graph" in view.value


# -- StepThrough -----------------------------------------------------------------------------


def test_stepper_text_and_highlight_match_the_engine() -> None:
    names, y = graph()
    s = nbgrad.step_through(y, names=names)
    ids = drawn_ids(y)
    ref_names, ref = graph()
    ref.backward(retain_graph=True)
    ref_fns = {v: fn for fn, v in drawn_ids(ref).items()}
    assert s.step == 0 and s.highlighted == "n0" and "Step 0 of 6" in s.text
    seen = []
    while s.step < len(s.steps) - 1:
        s.next_button.click()
        step = s.current
        assert s.highlighted == step.node and s.view.highlight == step.node
        assert sorted(s.view.edges) == sorted(step.edges)
        assert s.text.startswith(f"Step {s.step} of 6: ")
        fn = ref_fns[step.node]
        if step.kind == "op":
            for send in step.sends:  # the engine's own numbers, in the text
                assert f"= {fmt(float(fn.grad_inputs[send.slot]))}" in s.text
        else:
            assert f"{step.title}.grad = {fmt(ref_names[step.title].grad.item())}" in s.text
        seen.append(step.node)
    assert sorted(seen) == sorted(v for v in ids.values())
    assert names["x"].grad is None and names["w"].grad is None  # untouched
    assert "so far:  x.grad = 7.9203   w.grad = 2.8805" in s.text


def test_stepper_controls() -> None:
    names, y = graph()
    s = StepThrough(y, names=names)
    last = len(s.steps) - 1
    s.last_button.click()
    assert s.step == last and s.slider.value == last and s.play.value == last
    s.next_button.click()
    assert s.step == last  # stays at the end
    s.back_button.click()
    assert s.step == last - 1
    s.first_button.click()
    assert s.step == 0
    s.back_button.click()
    assert s.step == 0
    s.play.value = 3  # what a running Play widget does, tick by tick
    assert s.step == 3 and s.slider.value == 3 and s.highlighted == s.steps[3].node
    s.slider.value = 2
    assert s.play.value == 2 and s.step == 2
    s.speed.value = 150
    assert s.play.interval == 150
    s.step = 99
    assert s.step == last


def test_stepper_commit() -> None:
    names, y = graph()
    s = StepThrough(y, names=names)
    assert names["x"].grad is None
    s.commit_button.click()
    assert names["x"].grad.item() == pytest.approx(7.9203, abs=1e-4)
    assert s.commit_button.disabled and "committed" in s.text
    s.commit_button.click()  # once only: the error is shown, not raised
    assert "could not commit" in s.error.text
    assert names["x"].grad.item() == pytest.approx(7.9203, abs=1e-4)


def test_stepper_after_backward_reads_the_recorded_pass() -> None:
    names, y = graph()
    y.backward()
    s = StepThrough(y, names=names)
    s.last()
    assert s.commit_button.disabled and "freed by backward()" in s.text


# -- Explorer --------------------------------------------------------------------------------


def test_explorer_numbers_match_backward() -> None:
    def f(x: Any) -> Any:
        return x ** 2 * nbgrad.sin(x)

    e = nbgrad.explore(f, x=(-3, 3, 0.01))
    assert e.inputs == {"x": 0.0}
    for value in (1.0, -2.5, 0.37):
        e.sliders["x"].value = value
        x = nbgrad.tensor(value, requires_grad=True)
        y = f(x)
        y.backward()
        assert e.value == y.item() and e.grads == {"x": x.grad.item()}
        assert f"f(x={fmt(value)}) = {fmt(y.item())}" in e.text
        assert f"df/dx = {fmt(x.grad.item())}" in e.text
        assert f"slope df/dx = {fmt(x.grad.item())}" in e.plot.value  # the tangent
        assert "<polyline" in e.plot.value
        drawn = html.unescape(e.view.value)  # Graphviz writes "-" as "&#45;"
        assert "<svg" in drawn and f"grad {fmt(x.grad.item())}" in drawn


def test_explorer_several_inputs() -> None:
    e = Explorer(lambda x, w: nbgrad.tanh(x * w), x=(-2, 2, 0.1, 1.0), w=(0, 2))
    assert set(e.sliders) == {"x", "w"}
    e.sliders["w"].value = 0.5
    x = nbgrad.tensor(1.0, requires_grad=True)
    w = nbgrad.tensor(0.5, requires_grad=True)
    y = nbgrad.tanh(x * w)
    y.backward()
    assert e.grads == {"x": x.grad.item(), "w": w.grad.item()}
    assert e.plot.value == ""  # a plot only for a function of one input
    scaled = Explorer(lambda x, k=2.0: x * k, k=(1, 3, 0.5, 2.0))  # a default gets a slider
    assert set(scaled.sliders) == {"x", "k"} and scaled.value == 0.0
    assert set(Explorer(lambda x, k=2.0: x * k).sliders) == {"x"}
    with pytest.raises(TypeError, match="no input named z"):
        Explorer(lambda x: x, z=(0, 1))
    with pytest.raises(TypeError, match=r"x=\(min, max\)"):
        Explorer(lambda x: x, x=3)
    with pytest.raises(ValueError, match="min < max"):
        Explorer(lambda x: x, x=(1, 0))


def test_explorer_shows_a_failing_function() -> None:
    def f(x: Any) -> Any:
        if x.item() > 1:
            raise ValueError("x is too big for me")
        return x * 3

    e = Explorer(f, x=(0, 2, 0.1, 0.5))
    assert e.error.text == "" and e.value == 1.5
    e.sliders["x"].value = 1.5  # raises inside the slider's callback: shown, not raised
    assert "ValueError: x is too big for me" in e.error.text
    assert "line" in e.error.text and "raise ValueError" in e.error.text  # where, in f
    assert e.error.layout.display is None  # visible
    e.sliders["x"].value = 0.25  # and the widget goes on working
    assert e.error.text == "" and e.value == 0.75 and e.error.layout.display == "none"
    bad = Explorer(lambda x: 3.0)
    assert "returned a float" in bad.error.text
    vec = Explorer(lambda x: nbgrad.stack([x, x]))
    assert "explore needs a single number" in vec.error.text


# -- Dashboard -------------------------------------------------------------------------------


def test_dashboard_logs_fast_and_draws_rarely() -> None:
    w = nbgrad.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    d = Dashboard({"w": w}, total=5000, every=60.0)
    draws = d.draws
    for k in range(5000):
        d.log(nbgrad.tensor(1.0 / (k + 1)))
    assert d.draws == draws  # nothing due yet: recorded, not drawn
    assert len(d.losses) == 5000 and d.steps == 5000
    d.finish()
    assert d.draws == draws + 1
    assert d.progress.value == 5000 and "done" in d.status.value
    assert d.norms == {"w": pytest.approx(10.0)}  # |2w| = |(6, 8)|
    assert "<polyline" in d.chart.value and "gradient norm" in d.bars.value


def test_dashboard_with_fit_and_as_context_manager() -> None:
    pytest.importorskip("nbgrad.train")
    from nbgrad.train import fit

    nbgrad.manual_seed(0)
    model = nbgrad.nn.Linear(2, 1)
    X = nbgrad.randn(16, 2)
    y = X @ nbgrad.tensor([[1.0], [-2.0]])
    opt = nbgrad.optim.SGD(model.parameters(), lr=0.1)
    board = nbgrad.dashboard(model, total=20, every=0.0)
    history = fit(model, nbgrad.nn.MSELoss(), opt, X, y, epochs=20, progress=False,
                  callback=board)
    assert board.losses == pytest.approx(history.loss)
    assert set(board.norms) == {"weight", "bias"}
    assert all(v is not None and v > 0 for v in board.norms.values())
    with Dashboard(model.parameters(), every=0.0) as d2:
        d2.log(2.0)
        d2.log(1.0)
    assert d2.done and d2.losses == [2.0, 1.0] and set(d2.norms) == {"param 0", "param 1"}


def test_dashboard_errors_stay_in_the_widget() -> None:
    d = Dashboard(every=0.0)
    d.log("not a number")
    assert "could not read the loss: ValueError" in d.error.text
    d.log(nbgrad.tensor([1.0, 2.0]))  # not one number
    assert "could not read the loss" in d.error.text
    d.log(float("nan"))
    d.log(1.0)
    assert d.losses[-1] == 1.0  # the loop went on
    with pytest.raises(KeyboardInterrupt), Dashboard() as d3:
        raise KeyboardInterrupt
    assert "stopped: KeyboardInterrupt" in d3.status.value
    with pytest.raises(TypeError, match="takes a model"):
        Dashboard(3)
