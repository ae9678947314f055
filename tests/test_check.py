"""``nbgrad.lessons.check``: every exercise solved as a student would, every known mistake
explained, and no verdict that is a bare False."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad
import nbgrad as torch
from nbgrad.lessons import EXERCISES, Feedback, check, hint
from nbgrad.lessons.check import Exercise

# -- the answer key: each exercise solved the way its lesson teaches -------------------------


def _grad_of(f: Callable[[Any], Any], at: Any) -> Any:
    x = torch.tensor(at, requires_grad=True)
    f(x).backward()
    return x.grad


def _bce(p: Any, t: Any) -> Any:
    eps = 1e-8
    p = torch.clamp(p, eps, 1 - eps)
    return -(t * torch.log(p) + (1 - t) * torch.log(1 - p))


def _live(label: float) -> tuple[Any, Any]:
    x, y = torch.tensor(6.7), torch.tensor(label)
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    loss = _bce(torch.sigmoid(w * x + b), y)
    loss.backward()
    return loss, w.grad


def _accumulated() -> Any:
    x = torch.tensor(3.0, requires_grad=True)
    for _ in range(3):
        (x ** 2).backward()
    return x.grad


def _zeroed() -> Any:
    x = torch.tensor(3.0, requires_grad=True)
    (x ** 2).backward()
    x.grad.zero_()
    (x ** 2).backward()
    return x.grad


def _no_grad_flag() -> bool:
    x = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    return y.requires_grad


def _detached() -> Any:
    x = torch.tensor(2.0, requires_grad=True)
    (x.detach() ** 2 + x ** 2).backward()
    return x.grad


def _one_step() -> float:
    w = torch.tensor(1.0, requires_grad=True)
    ((w * 2.0 - 6.0) ** 2).backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    return w.item()


def _trained_slope() -> float:
    X = torch.tensor([[-1.0], [-0.6], [-0.2], [0.2], [0.6], [1.0]])
    Y = torch.tensor([[-1.1], [-0.1], [0.5], [1.5], [2.1], [3.05]])
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(200):
        optimizer.zero_grad()
        loss_fn(model(X), Y).backward()
        optimizer.step()
    return model.weight.item()


def _second(f: Callable[[Any], Any], at: float) -> Any:
    x = torch.tensor(at, requires_grad=True)
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (g2,) = torch.autograd.grad(g, x)
    return g2


def _vector_grad(f: Callable[[Any], Any], values: list[float]) -> Any:
    x = torch.tensor(values, requires_grad=True)
    f(x).backward()
    return x.grad


def _w_grad() -> Any:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (w * x).sum().backward()
    return w.grad


def _dz_dy() -> Any:
    x = torch.tensor(9.0, requires_grad=True)
    y = x ** 2
    y.retain_grad()
    torch.sin(y).backward()
    return y.grad


def _sigmoid_steepest() -> float:
    z = torch.linspace(-6, 6, 1201, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    return z.grad.max().item()


class _Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x ** 2


class _RoundThrough(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return torch.round(x)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        return grad_output


def _cube_grad() -> Any:
    x = torch.tensor(-1.5, requires_grad=True)
    _Cube.apply(x).backward()
    return x.grad


def _round_through_passes_gradcheck() -> bool:
    t = torch.tensor([0.3, 1.2, -2.7], dtype=torch.float64, requires_grad=True)
    try:
        return torch.autograd.gradcheck(_RoundThrough.apply, (t,))
    except torch.autograd.GradcheckError:
        return False


def _largest_stable_rate() -> float:
    """The first learning rate, on a fine grid, at which 3 * w**2 stops shrinking."""
    for k in range(1, 100):
        lr = k / 120
        w = torch.tensor(1.0, requires_grad=True)
        opt = torch.optim.SGD([w], lr=lr)
        for _ in range(200):
            opt.zero_grad()
            (3 * w ** 2).backward()
            opt.step()
        if abs(w.item()) >= 1.0:
            return lr
    raise AssertionError("never diverged")


def _velocity_after_three_steps() -> float:
    w = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0, momentum=0.8)
    for _ in range(3):
        opt.zero_grad()
        w.backward()  # the gradient of w itself is 1
        opt.step()
    return opt.state[w]["momentum_buffer"].item()  # the velocity, as torch names it


def _adam_first_step() -> float:
    w = torch.tensor(0.0, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.05)
    (-250 * w).backward()
    opt.step()
    return w.item()


ANSWERS: dict[str, Callable[[], Any]] = {
    "1.1": lambda: 3 * 2 ** 2,
    "1.2": lambda: (math.sin((9 + 1e-5) ** 2) - math.sin((9 - 1e-5) ** 2)) / 2e-5,
    "1.3": lambda: (lambda x: 3 * x ** 2 - 2),
    "2.1": lambda: _grad_of(lambda x: x ** 3, 2.0),
    "2.2": lambda: _grad_of(lambda x: 3 * x ** 2 + 2 * x + 1, -1.0),
    "2.3": lambda: (torch.tensor(2.0, requires_grad=True) * 3).grad_fn,
    "3.1": lambda: _grad_of(lambda x: torch.exp(torch.sin(x)), 1.0),
    "3.2": lambda: _grad_of(lambda x: (3 * x + 1) ** 2, 1.0),
    "3.3": _dz_dy,
    "4.1": lambda: _live(1.0)[1],
    "4.2": lambda: _live(1.0)[0],
    "4.3": lambda: (lambda p, y: p - y),
    "5.1": lambda: _vector_grad(lambda x: (x ** 2).sum(), [1.0, 2.0, 3.0]),
    "5.2": lambda: _vector_grad(lambda x: (x ** 3).mean(), [1.0, 2.0, 3.0, 4.0]),
    "5.3": _w_grad,
    "6.1": _accumulated,
    "6.2": lambda: _grad_of(lambda x: x * x + x ** 3, 2.0),
    "6.3": _zeroed,
    "7.1": _no_grad_flag,
    "7.2": _detached,
    "7.3": lambda: "detach()",
    "8.1": _one_step,
    "8.2": _trained_slope,
    "8.3": lambda: ["zero_grad", "forward", "loss", "backward", "step"],
    "9.1": lambda: _second(lambda x: x ** 4, 1.0),
    "9.2": lambda: _second(torch.sin, 0.5),
    "9.3": _sigmoid_steepest,
    "10.1": _cube_grad,
    "10.2": _round_through_passes_gradcheck,
    "10.3": lambda: torch.autograd.functional.hessian(lambda v: v[0] ** 2 * v[1],
                                                      torch.tensor([1.0, 2.0])),
    "11.1": _largest_stable_rate,
    "11.2": _velocity_after_three_steps,
    "11.3": _adam_first_step,
}


def test_every_exercise_has_an_answer_and_two_or_three_per_lesson() -> None:
    assert set(ANSWERS) == set(EXERCISES)
    for lesson in range(1, 12):
        keys = [k for k in EXERCISES if k.split(".")[0] == str(lesson)]
        assert 2 <= len(keys) <= 3, (lesson, keys)


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_the_lesson_way_of_solving_is_marked_right(key: str) -> None:
    result = check(key, ANSWERS[key]())
    assert isinstance(result, Feedback)
    assert result.ok and bool(result), result.text
    assert result.text.startswith(f"✔ Exercise {key}: correct")
    assert "Why: " in result.text


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_every_known_mistake_is_explained(key: str) -> None:
    ex = EXERCISES[key]
    for mistake in ex.mistakes:
        result = check(key, mistake.value)
        assert not result.ok
        assert mistake.why in result.text, (key, mistake.value, result.text)
        assert "What is wrong: " in result.text


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_no_answer_yet_repeats_the_task(key: str) -> None:
    result = check(key, ...)
    assert not result.ok and not result.answered
    assert "no answer yet" in result.headline
    assert EXERCISES[key].task in result.text


@pytest.mark.parametrize("key", sorted(EXERCISES))
def test_a_wrong_answer_always_says_what_is_wrong(key: str) -> None:
    """Whatever is passed, a wrong verdict has a reason (never a bare False)."""
    ex = EXERCISES[key]
    for junk in (None, "nonsense", 12345.678, [1.0, 2.0], True, object(), lambda *a: 0.0):
        result = check(key, junk)
        if result.ok:  # e.g. True for a bool exercise whose answer is True
            continue
        assert result.details, (key, junk)
        assert any(d.startswith(("What is wrong", "The task", "If you passed"))
                   for d in result.details), (key, junk, result.text)
        assert repr(result) == result.text and str(result) == result.text
        assert "<div" in result._repr_html_()
    assert ex.hint and hint(key) == ex.hint


# -- reading answers -------------------------------------------------------------------------


def test_numbers_come_in_any_form() -> None:
    for form in (12, 12.0, np.float32(12), np.array(12.0), nbgrad.tensor(12.0),
                 nbgrad.tensor([12.0]), [12.0]):
        assert check("2.1", form).ok, form


def test_a_torch_tensor_is_read_too() -> None:
    real = pytest.importorskip("torch")
    x = real.tensor(2.0, requires_grad=True)
    (x ** 3).backward()
    assert check("2.1", x.grad).ok
    assert check("5.1", real.tensor([2.0, 4.0, 6.0])).ok
    assert check("2.3", (x * 3).grad_fn).ok


def test_none_is_explained_as_a_missing_backward() -> None:
    x = nbgrad.tensor(2.0, requires_grad=True)
    result = check("2.1", x.grad)
    assert not result.ok
    assert "did y.backward() run" in result.text


def test_text_and_bools_are_not_numbers() -> None:
    assert "leave out the quotes" in check("2.1", "12").text
    assert "True/False" in check("2.1", True).text


def test_wrong_shapes_say_what_shape_and_why() -> None:
    text = check("5.1", [2.0, 4.0]).text
    assert "shape [3]" in text and "shape [2]" in text and "shape of its tensor" in text
    assert "one number" in check("2.1", [12.0, 12.0]).text


def test_generic_diagnoses() -> None:
    assert "wrong sign" in check("2.1", -12.0).text
    assert "exactly 3 times" in check("2.1", 36.0).text
    assert "element(s) 1 are off" in check("5.1", [2.0, 5.0, 6.0]).text
    assert "not finite" in check("2.1", math.nan).text


def test_functions_are_called_and_their_failures_reported() -> None:
    def broken(x: float) -> float:
        raise ZeroDivisionError("boom")

    text = check("1.3", broken).text
    assert "ZeroDivisionError: boom" in text and "x = -2" in text
    text = check("1.3", lambda x: math.sin(x)).text
    assert "at x = -2 it returns" in text
    assert "not a function" in check("1.3", 3.0).text
    assert "returned None" in check("1.3", lambda x: None).text

    def unfinished(x: float) -> Any:
        return ...

    assert "no answer yet" in check("1.3", unfinished).headline


def test_choices_accept_what_a_student_types() -> None:
    for typed in ("detach()", "detach", "x.detach()", "torch.detach", " Detach() "):
        assert check("7.3", typed).ok, typed
    assert "in place" in check("7.3", "x.requires_grad_(False)").text
    assert "not one of the options" in check("7.3", "clone()").text
    assert check("2.3", "MulBackward0").ok


def test_the_order_of_a_training_round() -> None:
    ok = [["zero_grad", "forward", "loss", "backward", "step"],
          ["forward", "loss", "zero_grad", "backward", "step"],
          ["forward", "loss", "backward", "step", "zero_grad"]]
    for steps in ok:
        assert check("8.3", steps).ok, steps
    cases = {
        ("forward", "loss", "step", "backward", "zero_grad"): "fills .grad",
        ("loss", "forward", "backward", "step", "zero_grad"): "prediction",
        ("forward", "backward", "loss", "step", "zero_grad"): "nothing to go back from",
        ("forward", "loss", "backward", "zero_grad", "step"): "wipes out",
        ("forward", "loss", "backward", "step"): "zero_grad is missing",
        ("forward", "loss", "loss", "backward", "step", "zero_grad"): "more than once",
        ("forward", "loss", "backprop", "step", "zero_grad"): "'backprop' is not one",
    }
    for steps, reason in cases.items():
        result = check("8.3", list(steps))
        assert not result.ok and reason in result.text, (steps, result.text)
    assert "not a list" in check("8.3", "forward loss backward").text


def test_bools() -> None:
    assert check("7.1", False).ok
    result = check("7.1", True)
    assert not result.ok and "switches recording off" in result.text
    assert "not True or False" in check("7.1", "False").text
    assert "not True or False" in check("7.1", None).text


def test_unknown_exercises_list_the_real_ones() -> None:
    result = check("12.1", 3)
    assert not result.ok and "1.1" in result.text and "11.3" in result.text
    assert "no exercise" in hint("12.1")


def test_html_is_escaped() -> None:
    html = check("7.3", "<b>nope</b>")._repr_html_()
    assert "<b>nope</b>" not in html and "&lt;b&gt;" in html


def test_exercise_data_is_consistent() -> None:
    for key, ex in EXERCISES.items():
        assert isinstance(ex, Exercise) and ex.key == key
        assert ex.kind in ("number", "vector", "function", "bool", "choice", "order")
        assert ex.task and ex.why and ex.hint
        if ex.kind == "function":
            assert ex.points
        if ex.kind == "choice":
            assert ex.expected in ex.choices
        if ex.kind == "bool":
            assert ex.wrong
        # a mistake must not itself be accepted as right
        for m in ex.mistakes:
            assert not check(key, m.value).ok, (key, m.value)
