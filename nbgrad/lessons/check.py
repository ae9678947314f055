"""Marking the lessons' exercises: ``check("2.1", x.grad)``.

Each exercise is data (``Exercise``): what is asked, the right answer, why it is right, a
hint, and the mistakes students make with what each one means. ``check`` compares an answer
with all of that and returns a ``Feedback``, which shows itself in a notebook as a short
verdict with the reason: a wrong answer is never just "False" but "8 is the height of the
hill at x = 2, not its slope", a wrong shape says which shape was expected and why, a
function that raises says where.

An answer can be a Python number, a list, a NumPy array, an nbgrad tensor or a real torch
tensor (read with ``tolist()``, so torch is never imported here), a function, a bool or a
string, depending on the exercise. An answer left as ``...`` is "not answered yet".
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Exercise", "Mistake", "Feedback", "EXERCISES", "check", "hint"]


@dataclass(frozen=True)
class Mistake:
    """A wrong answer students often give, and what it means. ``value`` is a number or a
    list (for number and vector exercises), a function (for function exercises), or the
    option chosen (for choice exercises)."""

    value: Any
    why: str


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson.

    ``kind``: ``"number"``, ``"vector"``, ``"function"`` (the answer is a function,
    compared with ``expected`` at ``points``), ``"bool"``, ``"choice"`` (one of
    ``choices``) or ``"order"`` (the steps of the training loop in order).
    """

    key: str
    task: str
    kind: str
    expected: Any
    why: str
    hint: str
    mistakes: tuple[Mistake, ...] = ()
    rtol: float = 1e-3
    atol: float = 1e-4
    points: tuple[tuple[float, ...], ...] = ()
    choices: tuple[str, ...] = ()
    wrong: str = ""  # bool exercises: what a wrong True/False misunderstands


@dataclass
class Feedback:
    """The verdict on one answer. True when the answer is right; shown in a notebook as the
    verdict and its reasons (``text``)."""

    exercise: str
    ok: bool
    headline: str
    details: list[str] = field(default_factory=list)
    answered: bool = True

    def __bool__(self) -> bool:
        return self.ok

    @property
    def text(self) -> str:
        mark = "✔" if self.ok else ("✘" if self.answered else "…")
        return "\n".join([f"{mark} Exercise {self.exercise}: {self.headline}", *self.details])

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def _repr_html_(self) -> str:
        color = "#1b7f3b" if self.ok else ("#b00020" if self.answered else "#6b6b6b")
        mark = "✔" if self.ok else ("✘" if self.answered else "…")
        lines = "".join(f"<div>{html.escape(d)}</div>" for d in self.details)
        return (f'<div style="border-left:4px solid {color};padding:4px 10px;'
                f'font-family:sans-serif;line-height:1.4">'
                f'<div style="color:{color};font-weight:bold">{mark} Exercise '
                f"{html.escape(self.exercise)}: {html.escape(self.headline)}</div>"
                f"{lines}</div>")


# -- reading answers ---------------------------------------------------------------------

class _Unreadable(Exception):
    """The answer is not of a kind the exercise can use; the message says why."""


def _describe(value: Any) -> str:
    """A short description of something a student gave, for messages."""
    if isinstance(value, str):
        return f"the text {value!r}"
    if callable(value) and not hasattr(value, "detach"):
        return f"a function ({getattr(value, '__name__', type(value).__name__)})"
    return f"a {type(value).__name__}"


def _numbers(answer: Any) -> np.ndarray:
    """The answer as a float64 array, or ``_Unreadable`` with the reason."""
    if isinstance(answer, (bool, np.bool_)):
        raise _Unreadable(f"{answer} is True/False, and this exercise wants a number")
    if isinstance(answer, str):
        raise _Unreadable(f"{_describe(answer)} is text, not a number: leave out the quotes")
    if hasattr(answer, "detach") and hasattr(answer, "tolist"):  # nbgrad or torch tensor
        answer = answer.detach().tolist()
    elif isinstance(answer, np.ndarray):
        answer = answer.tolist()
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Unreadable(f"{_describe(answer)} is not a number or a list of numbers") \
            from None
    if arr.dtype == object:
        raise _Unreadable(f"{_describe(answer)} is not a number or a list of numbers")
    return arr


def _fmt(value: Any) -> str:
    """Numbers as a student reads them: 12, 13.9803, -0.00823697, [2, 4, 6]."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        v = float(arr)
        if math.isfinite(v) and v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.6g}"
    return "[" + ", ".join(_fmt(v) for v in arr.reshape(-1)) + "]"


def _close(a: np.ndarray, b: Any, ex: Exercise) -> bool:
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=ex.rtol, atol=ex.atol))


def _norm(text: str) -> str:
    """An option as typed, reduced to its core: ``"x.detach()"`` -> ``"detach"``."""
    t = text.strip().lower()
    t = re.sub(r"^(torch|nbgrad)\.", "", t)
    t = re.sub(r"^[a-z_]\w*\.(?=[a-z_])", "", t)  # x.detach -> detach
    t = re.sub(r"\(.*\)$", "", t)
    return t.strip().rstrip("_")


# -- marking -----------------------------------------------------------------------------

def _right(ex: Exercise, shown: str) -> Feedback:
    return Feedback(ex.key, True, f"correct ({shown}).", [f"Why: {ex.why}"])


def _wrong(ex: Exercise, shown: str, what: str, hint: bool = True) -> Feedback:
    details = [f"What is wrong: {what}"]
    if hint:
        details.append(f"Hint: {ex.hint}")
    return Feedback(ex.key, False, f"not yet: you gave {shown}.", details)


def _unreadable(ex: Exercise, what: str) -> Feedback:
    return Feedback(ex.key, False, "this answer cannot be marked.",
                    [f"What is wrong: {what}.", f"The task: {ex.task}"])


def _none(ex: Exercise) -> Feedback:
    return Feedback(ex.key, False, "not yet: you gave None.", [
        "What is wrong: None is what .grad holds before any backward pass has reached a "
        "tensor, and what a function returns when it has no return statement.",
        "If you passed x.grad: did y.backward() run, and was x made with "
        "requires_grad=True? If you passed a function: does it end with return?",
        f"Hint: {ex.hint}"])


def _mark_numbers(ex: Exercise, answer: Any) -> Feedback:
    try:
        got = _numbers(answer)
    except _Unreadable as exc:
        return _unreadable(ex, str(exc))
    want = np.asarray(ex.expected, dtype=np.float64)
    shown = _fmt(got)
    if got.size == 1 and want.size == 1:  # tensor(12.) and [12.] both mean 12
        got = got.reshape(want.shape)
    if got.shape != want.shape:
        if want.ndim == 0:
            return _wrong(ex, shown, f"this exercise asks for one number, and you gave "
                                     f"{got.size} of them (shape {list(got.shape)}).")
        return _wrong(ex, shown, (
            f"the answer has {want.size} numbers (shape {list(want.shape)}), one for each "
            f"element of the tensor it belongs to; you gave shape {list(got.shape)}. A "
            "gradient always has the shape of its tensor."))
    if not np.all(np.isfinite(got)):
        return _wrong(ex, shown, "it is not finite (nan or inf): something divided by zero "
                                 "or took the log of 0 along the way.")
    if _close(got, want, ex):
        return _right(ex, shown)
    for m in ex.mistakes:
        if _close(got, m.value, ex):
            return _wrong(ex, shown, m.why)
    if np.any(want != 0) and _close(got, -want, ex):
        return _wrong(ex, shown, "it has the right size but the wrong sign: look for a minus "
                                 "that went missing (or one too many).")
    if np.all(want != 0) and np.all(np.isfinite(got)):
        ratio = got / want
        k = round(float(ratio.reshape(-1)[0]))
        if 2 <= k <= 5 and np.allclose(ratio, k, rtol=ex.rtol):
            return _wrong(ex, shown, (
                f"it is exactly {k} times the right answer. If it came from .grad, "
                f"{k} backward passes may have added up there: gradients accumulate until "
                "you zero them."))
    if want.ndim > 0:
        off = [i for i in range(want.size)
               if not math.isclose(got.reshape(-1)[i], want.reshape(-1)[i],
                                   rel_tol=ex.rtol, abs_tol=ex.atol)]
        which = ", ".join(str(i) for i in off)
        return _wrong(ex, shown, f"the shape is right, but element(s) {which} are off.")
    return _wrong(ex, shown, "that is not the value asked for.")


class _Placeholder(Exception):
    """The function still returns the ``...`` it was handed out with."""


def _call(fn: Callable, args: tuple[float, ...]) -> float:
    out = fn(*args)
    if out is ...:
        raise _Placeholder
    if hasattr(out, "detach") and hasattr(out, "tolist"):
        out = out.detach().tolist()
    if isinstance(out, (bool, np.bool_)) or out is None:
        raise _Unreadable(f"it returned {out!r}, not a number")
    try:
        return float(out)
    except (TypeError, ValueError):
        raise _Unreadable(f"it returned {_describe(out)}, not a number") from None


def _args(args: tuple[float, ...]) -> str:
    names = ("x",) if len(args) == 1 else ("p", "y", "c", "d")
    return ", ".join(f"{n} = {_fmt(a)}" for n, a in zip(names, args))


def _mark_function(ex: Exercise, answer: Any) -> Feedback:
    if not callable(answer) or hasattr(answer, "detach"):
        return _unreadable(ex, f"{_describe(answer)} is not a function: give the function "
                               "itself, by its name and without calling it")
    got = []
    for args in ex.points:
        try:
            got.append(_call(answer, args))
        except _Placeholder:
            return Feedback(ex.key, False, "no answer yet.",
                            [f"The task: {ex.task}",
                             "The function still returns ...: replace the ... with the "
                             "formula and run the cell again."], answered=False)
        except _Unreadable as exc:
            return _wrong(ex, f"a function that fails at {_args(args)}", str(exc) + ".")
        except Exception as exc:  # noqa: BLE001 - the student's code: report, never raise
            return _wrong(ex, f"a function that fails at {_args(args)}",
                          f"calling it raised {type(exc).__name__}: {exc}. It is called with "
                          "plain Python numbers.")
    want = [float(ex.expected(*a)) for a in ex.points]

    def same(values: Sequence[float], other: Sequence[float]) -> bool:
        return all(math.isclose(a, b, rel_tol=ex.rtol, abs_tol=ex.atol)
                   for a, b in zip(values, other))

    name = getattr(answer, "__name__", "your function")
    if same(got, want):
        return _right(ex, f"{name} matches at {len(want)} points")
    for m in ex.mistakes:
        if same(got, [float(m.value(*a)) for a in ex.points]):
            return _wrong(ex, name, m.why)
    for args, g, w in zip(ex.points, got, want):
        if not math.isclose(g, w, rel_tol=ex.rtol, abs_tol=ex.atol):
            return _wrong(ex, name, f"at {_args(args)} it returns {_fmt(g)}, which is not "
                                    "the slope there.")
    raise AssertionError("unreachable")  # pragma: no cover


def _mark_bool(ex: Exercise, answer: Any) -> Feedback:
    if hasattr(answer, "detach") and hasattr(answer, "tolist"):
        answer = answer.detach().tolist()
    if not isinstance(answer, (bool, np.bool_)):
        return _unreadable(ex, f"{_describe(answer)} is not True or False; answer with one "
                               "of them, without quotes")
    if bool(answer) == ex.expected:
        return _right(ex, str(bool(answer)))
    return _wrong(ex, str(bool(answer)), ex.wrong)


def _mark_choice(ex: Exercise, answer: Any) -> Feedback:
    if hasattr(answer, "next_functions") and hasattr(answer, "name"):  # a grad_fn node
        answer = answer.name()
    if not isinstance(answer, str):
        return _unreadable(ex, f"{_describe(answer)} is not one of the options; answer with "
                               f"the option's name as text, one of: {', '.join(ex.choices)}")
    picked = _norm(answer)
    options = {_norm(c): c for c in ex.choices}
    if picked not in options:
        return _unreadable(ex, f"{answer!r} is not one of the options: "
                               f"{', '.join(ex.choices)}")
    if picked == _norm(ex.expected):
        return _right(ex, options[picked])
    for m in ex.mistakes:
        if _norm(m.value) == picked:
            return _wrong(ex, options[picked], m.why)
    return _wrong(ex, options[picked], "that option does not do what is asked.")


_STEPS = ("zero_grad", "forward", "loss", "backward", "step")
_BEFORE = (  # (a, b, why a must come before b)
    ("forward", "loss", "the loss compares the model's prediction with the target, so the "
                        "forward pass has to make the prediction first."),
    ("loss", "backward", "backward() starts from the loss: there is nothing to go back "
                         "from before the loss is computed."),
    ("backward", "step", "step() moves each parameter against its .grad, and backward() is "
                         "what fills .grad."),
)


def _mark_order(ex: Exercise, answer: Any) -> Feedback:
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return _unreadable(ex, f"{_describe(answer)} is not a list of steps; give a list "
                               f"such as {list(_STEPS)} in the order you choose")
    if not all(isinstance(s, str) for s in answer):
        return _unreadable(ex, "every step must be text, e.g. \"backward\"")
    steps = [_norm(s) for s in answer]
    shown = "[" + ", ".join(steps) + "]"
    unknown = [s for s in steps if s not in _STEPS]
    if unknown:
        return _unreadable(ex, f"{', '.join(repr(u) for u in unknown)} is not one of the "
                               f"steps: {', '.join(_STEPS)}")
    missing = [s for s in _STEPS if s not in steps]
    twice = sorted({s for s in steps if steps.count(s) > 1})
    if missing or twice:
        parts = []
        if missing:
            parts.append(f"{', '.join(missing)} is missing")
        if twice:
            parts.append(f"{', '.join(twice)} appears more than once")
        return _wrong(ex, shown, "each of the five steps happens exactly once per "
                                 f"iteration: {'; '.join(parts)}.")
    at = {s: i for i, s in enumerate(steps)}
    for a, b, why in _BEFORE:
        if at[a] > at[b]:
            return _wrong(ex, shown, f"{b} comes before {a}, but {why}")
    if at["backward"] < at["zero_grad"] < at["step"]:
        return _wrong(ex, shown, "zero_grad between backward and step wipes out the "
                                 "gradients backward has just computed, so step() has "
                                 "nothing to follow.")
    return _right(ex, shown)


_MARKERS = {"number": _mark_numbers, "vector": _mark_numbers, "function": _mark_function,
            "bool": _mark_bool, "choice": _mark_choice, "order": _mark_order}


def check(exercise: str, answer: Any = ...) -> Feedback:
    """Mark ``answer`` to ``exercise`` (``"2.1"``: lesson 2, exercise 1). The result is
    true when the answer is right, and shows why it is right or what is wrong."""
    ex = EXERCISES.get(str(exercise))
    if ex is None:
        known = ", ".join(EXERCISES)
        return Feedback(str(exercise), False, "there is no such exercise.",
                        [f"The exercises are: {known}."], answered=False)
    if answer is ...:
        return Feedback(ex.key, False, "no answer yet.",
                        [f"The task: {ex.task}",
                         "Replace the ... with your answer and run the cell again."],
                        answered=False)
    if answer is None and ex.kind != "bool":
        return _none(ex)
    return _MARKERS[ex.kind](ex, answer)


def hint(exercise: str) -> str:
    """The hint of an exercise, as text."""
    ex = EXERCISES.get(str(exercise))
    if ex is None:
        return f"There is no exercise {exercise!r}; the exercises are: {', '.join(EXERCISES)}."
    return ex.hint


# -- the exercises -----------------------------------------------------------------------

def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


_P = _sigmoid(6.7)  # the live experiment's prediction, sigmoid(1 * 6.7 + 0)

_ALL = [
    # 1. Slopes by hand
    Exercise(
        "1.1", "the slope of f(x) = x**3 at x = 2, worked out with the power rule.",
        "number", 12.0,
        "the power rule turns x**3 into 3 * x**2, and 3 * 2**2 = 12.",
        "bring the exponent down in front and lower it by one: x**n has slope n * x**(n-1).",
        (Mistake(8.0, "8 is f(2) = 2**3, the height of the hill at x = 2, not how steep "
                      "it is there."),
         Mistake(4.0, "4 is 2 * x at x = 2: that is the slope of x**2, not of x**3."),
         Mistake(6.0, "6 is 3 * x: the exponent came down in front, but x**3 should then "
                      "become x**2, not x."),
         Mistake(24.0, "24 is 3 * x**3: after bringing the 3 down, lower the exponent to 2."))),
    Exercise(
        "1.2", "the slope of sin(x**2) at x = 9, measured with a central difference "
               "(f(9 + h) - f(9 - h)) / (2 * h) and a small h such as 1e-5.",
        "number", 2 * 9 * math.cos(81),
        "a central difference with a small step measures the slope directly, and it agrees "
        "with the chain rule: 2 * 9 * cos(81) = 13.9803.",
        "use math.sin and a step h of about 1e-5; divide by 2 * h, the width of the step.",
        (Mistake(math.sin(81), "that is sin(81), the height of the curve at x = 9, not its "
                               "slope."),
         Mistake(18 * math.cos(9), "that is 18 * cos(9): the outer derivative is cos of the "
                                   "inside, cos(x**2) = cos(81), not cos(x)."),
         Mistake(math.cos(81), "that is cos(81), only the outer derivative: the chain rule "
                               "also multiplies by the slope of the inside, 2 * x = 18."),
         Mistake(2 * 9 * math.cos(81) / 2, "half the slope: a central difference spans two "
                                           "steps, from 9 - h to 9 + h, so divide by 2 * h."),
         Mistake(18.0, "18 is the slope of x**2 alone, the inside of sin(x**2).")),
        rtol=1e-3, atol=1e-3),
    Exercise(
        "1.3", "a function slope_g(x) that returns the slope of g(x) = x**3 - 2*x at any x.",
        "function", lambda x: 3 * x ** 2 - 2,
        "x**3 has slope 3 * x**2 and -2*x has slope -2; the slope of a difference is the "
        "difference of the slopes.",
        "work out each term's slope on its own, then combine them.",
        (Mistake(lambda x: 3 * x ** 2, "the -2*x term is missing: it tilts the whole hill "
                                       "and adds a slope of -2 everywhere."),
         Mistake(lambda x: x ** 3 - 2 * x, "that is g itself, the height, not its slope."),
         Mistake(lambda x: 3 * x ** 2 - 2 * x, "the slope of -2*x is the constant -2, not "
                                               "-2*x.")),
        points=((-2.0,), (0.5,), (3.0,))),
    # 2. Autograd's first gradient
    Exercise(
        "2.1", "with autograd, the gradient of y = x**3 at x = 2 (pass x.grad).",
        "number", 12.0,
        "backward() applies the power rule for you: dy/dx = 3 * x**2 = 12 at x = 2.",
        "make x with requires_grad=True, compute y = x ** 3, call y.backward() once, then "
        "read x.grad.",
        (Mistake(8.0, "8 is y itself (2**3), the value: the gradient is in x.grad, not y."),
         Mistake(4.0, "4 is the gradient of x**2 at 2; check that y is x ** 3."))),
    Exercise(
        "2.2", "with autograd, dy/dx for y = 3*x**2 + 2*x + 1 at x = -1.",
        "number", -4.0,
        "the slope is 6*x + 2, and at x = -1 that is -6 + 2 = -4.",
        "build y from x exactly as written and call y.backward(); x must be -1.0, not 1.0.",
        (Mistake(2.0, "2 is the value of y at x = -1 (3 - 2 + 1), not its slope."),
         Mistake(8.0, "8 is the slope at x = +1: check the sign of x."))),
    Exercise(
        "2.3", "the name of the grad_fn of y = x * 3 (pass y.grad_fn, or its name as text).",
        "choice", "MulBackward0",
        "x * 3 is a multiplication, so autograd records a MulBackward0 node whose backward "
        "multiplies the incoming gradient by 3.",
        "compute y = x * 3 with x requiring grad, and look at y.grad_fn.",
        (Mistake("PowBackward0", "PowBackward0 records a power such as x ** 2; y = x * 3 "
                                 "multiplies."),
         Mistake("AccumulateGrad", "AccumulateGrad is the node of the leaf x, where the "
                                   "gradient is stored; y's own node records the "
                                   "multiplication."),
         Mistake("AddBackward0", "AddBackward0 records an addition; y = x * 3 multiplies.")),
        choices=("MulBackward0", "PowBackward0", "AddBackward0", "AccumulateGrad")),
    # 3. The chain rule
    Exercise(
        "3.1", "d/dx exp(sin(x)) at x = 1.",
        "number", math.exp(math.sin(1)) * math.cos(1),
        "the outer slope exp(sin(1)) = 2.3198 times the inner slope cos(1) = 0.5403 gives "
        "1.2534.",
        "outer derivative (at the inside's value) times inner derivative; or let autograd do "
        "it: x = torch.tensor(1.0, requires_grad=True).",
        (Mistake(math.exp(math.sin(1)), "that is exp(sin(1)), the outer slope alone: multiply "
                                        "by the slope of sin at 1, cos(1)."),
         Mistake(math.cos(1), "that is cos(1), the inner slope alone: multiply by the slope of "
                              "exp at sin(1), which is exp(sin(1))."),
         Mistake(math.exp(math.cos(1)), "that is exp(cos(1)): the inside stays sin(x) in the "
                                        "outer factor, exp(sin(1)), which then multiplies "
                                        "cos(1)."))),
    Exercise(
        "3.2", "d/dx (3*x + 1)**2 at x = 1.",
        "number", 24.0,
        "the outer slope 2 * (3x + 1) = 8 times the inner slope 3 gives 24.",
        "let u = 3*x + 1: the square has slope 2*u, and u has slope 3.",
        (Mistake(8.0, "8 is 2 * (3x + 1), the outer slope only: the inside 3*x + 1 changes "
                      "3 times as fast as x, so multiply by 3."),
         Mistake(16.0, "16 is (3*1 + 1)**2, the value, not the slope."),
         Mistake(6.0, "6 is 2 * 3: the outer slope is 2 * u with u = 3*x + 1 = 4, not 2."))),
    Exercise(
        "3.3", "for z = sin(y), y = x**2 at x = 9: the gradient dz/dy that the sin node "
               "sends back to y.",
        "number", math.cos(81),
        "sin's local derivative is cos(y) = cos(81) = 0.7767, and the upstream gradient at "
        "z is 1, so the sin node sends 1 * 0.7767 to y.",
        "this is one step of the backward pass, the sin node's: upstream gradient (1) times "
        "its local derivative. y.retain_grad() before z.backward() lets you read it.",
        (Mistake(2 * 9 * math.cos(81), "13.9803 is dz/dx, what reaches x after the pow node "
                                       "multiplies by 18; the question is one step earlier."),
         Mistake(18.0, "18 is dy/dx, the pow node's local derivative, not what sin sends."),
         Mistake(math.sin(81), "that is z itself, sin(81)."))),
    # 4. The live experiment
    Exercise(
        "4.1", "the live experiment with the label changed to 1 (x = 6.7, w = 1, b = 0): "
               "dL/dw.",
        "number", (_P - 1) * 6.7,
        "dL/dz = y_pred - y = 0.9988 - 1 = -0.0012294, and dz/dw = x = 6.7: the product is "
        "-0.0082370. The prediction was already near 1, so there is little left to learn.",
        "dL/dw = (y_pred - y) * x; with autograd, set y = torch.tensor(1.0) and rerun.",
        (Mistake(_P * 6.7, "6.6918 is the gradient for label 0: the label is now 1."),
         Mistake(_P - 1, "that is dL/db; dL/dw also multiplies by dz/dw = x = 6.7.")),
        rtol=2e-3, atol=1e-6),
    Exercise(
        "4.2", "the loss of the live experiment with the label changed to 1.",
        "number", -math.log(_P),
        "with y = 1 only the first term of the cross-entropy remains, -log(y_pred) = "
        "-log(0.9988) = 0.0012: a confident, right prediction costs almost nothing.",
        "binary_cross_entropy_loss(y_pred, torch.tensor(1.0)).",
        (Mistake(-math.log(1 - _P), "6.7012 is the loss for label 0."),),
        rtol=2e-3, atol=1e-6),
    Exercise(
        "4.3", "a function dloss_dz(p, y) returning dL/dz, the gradient of the binary "
               "cross-entropy with respect to z, for a prediction p = sigmoid(z) and label y.",
        "function", lambda p, y: p - y,
        "dL/dp = (p - y) / (p * (1 - p)) and dp/dz = p * (1 - p): the two cancel to p - y.",
        "multiply dL/dp by dp/dz and simplify.",
        (Mistake(lambda p, y: p * (1 - p), "that is dp/dz, the sigmoid's slope, alone: "
                                           "multiply by dL/dp."),
         Mistake(lambda p, y: (p - y) / (p * (1 - p)), "that is dL/dp: the chain rule "
                                                        "multiplies by dp/dz = p * (1 - p)."),
         Mistake(lambda p, y: y - p, "the sign is flipped: a prediction above the label "
                                     "(p > y) should give a positive gradient.")),
        points=((0.2, 0.0), (0.7, 1.0), (0.9, 0.0), (0.5, 1.0))),
    # 5. Vectors
    Exercise(
        "5.1", "x.grad for x = [1., 2., 3.] and y = (x**2).sum().",
        "vector", [2.0, 4.0, 6.0],
        "each element's square has slope 2 * x_i, and a sum passes every slope on unchanged.",
        "like (x**2).mean(), but without dividing by the number of elements.",
        (Mistake([2 / 3, 4 / 3, 2.0], "that is the gradient of the mean: sum() does not "
                                      "divide by 3."),
         Mistake([1.0, 4.0, 9.0], "those are the values x**2, not their slopes."))),
    Exercise(
        "5.2", "x.grad for x = [1., 2., 3., 4.] and y = (x**3).mean().",
        "vector", [0.75, 3.0, 6.75, 12.0],
        "y = (x_1**3 + ... + x_4**3) / 4, so dy/dx_i = 3 * x_i**2 / 4.",
        "differentiate one term x_i**3 / 4 of the mean.",
        (Mistake([3.0, 12.0, 27.0, 48.0], "those are the slopes of the sum: the mean divides "
                                          "every term by 4."),
         Mistake([0.25, 2.0, 6.75, 16.0], "those are x**3 / 4, the terms of the mean, not "
                                          "their slopes."),
         Mistake([2 / 3, 4 / 3, 2.0, 8 / 3], "that is the gradient of (x**2).mean() with a "
                                             "4th element: this one cubes."))),
    Exercise(
        "5.3", "w.grad for x = [1., 2., 3.], w = [0.5, -1., 2.] (both requiring grad) and "
               "y = (w * x).sum().",
        "vector", [1.0, 2.0, 3.0],
        "y = w_1 x_1 + w_2 x_2 + w_3 x_3, so dy/dw_i = x_i: each weight's gradient is its "
        "input.",
        "which variable does w_i multiply?",
        (Mistake([0.5, -1.0, 2.0], "that is x.grad (dy/dx_i = w_i); the question asks for "
                                   "w.grad."),)),
    # 6. Gradients accumulate
    Exercise(
        "6.1", "x = 3.0; three times: y = x**2 then y.backward(), never zeroing. x.grad?",
        "number", 18.0,
        "each backward adds dy/dx = 6 into x.grad: 6 + 6 + 6 = 18.",
        "backward() adds into .grad; it never overwrites it.",
        (Mistake(6.0, "6 is what one backward pass gives; three passes add up."),
         Mistake(12.0, "12 is two passes; the loop ran three times."))),
    Exercise(
        "6.2", "x = 2.0 and z = x*x + x**3 (x used twice): x.grad after z.backward().",
        "number", 16.0,
        "gradients from every use of x add up: 2*x = 4 from x*x and 3*x**2 = 12 from x**3.",
        "work out each term's gradient and think about what happens where the paths meet "
        "at x.",
        (Mistake(4.0, "4 comes from x*x only: the x**3 term also sends a gradient to x."),
         Mistake(12.0, "12 comes from x**3 only: the x*x term also sends a gradient to x."),
         Mistake(48.0, "gradients from different paths add, they do not multiply."))),
    Exercise(
        "6.3", "x = 3.0 with x.grad holding 6 from an earlier backward; x.grad.zero_(), "
               "then y = x**2 and y.backward(). x.grad?",
        "number", 6.0,
        "zero_() empties x.grad, so only the new backward's 6 is in it.",
        "zero_() sets the stored gradient to 0 before the next backward adds into it.",
        (Mistake(12.0, "12 means the old 6 was still there: zero_() has to run before the "
                       "new backward, not after."),
         Mistake(0.0, "0 means zero_() ran after the backward pass and wiped its result."))),
    # 7. Switching tracking off
    Exercise(
        "7.1", "x requires grad; with torch.no_grad(): y = x * 2. Does y require grad? "
               "(True or False)",
        "bool", False,
        "inside no_grad() nothing is recorded: y has no grad_fn and requires_grad=False.",
        "what does no_grad() switch off, and for which lines?",
        wrong="True would mean the multiplication was recorded, but no_grad() switches "
              "recording off for every operation inside the with block, whatever its "
              "inputs."),
    Exercise(
        "7.2", "x = 2.0 requiring grad; y = x.detach()**2 + x**2; y.backward(). x.grad?",
        "number", 4.0,
        "the detached branch is a constant to autograd: only x**2 sends a gradient, 2*x = 4.",
        "which of the two terms does autograd still see as depending on x?",
        (Mistake(8.0, "8 counts both terms, but x.detach() cut the first one off from the "
                      "graph: no gradient flows through it."),
         Mistake(0.0, "0 would mean no term reaches x, but the second x**2 is recorded."))),
    Exercise(
        "7.3", "which one gives a new tensor that shares x's data but is not tracked, while "
               "x itself keeps requiring grad: \"requires_grad_(False)\", \"detach()\" or "
               "\"no_grad()\"?",
        "choice", "detach()",
        "x.detach() returns a new tensor on the same data with requires_grad=False; x is "
        "untouched and later operations on x are recorded as before.",
        "one of them changes x itself, one changes nothing about any tensor.",
        (Mistake("requires_grad_(False)", "requires_grad_(False) switches tracking off on x "
                                          "itself, in place: x stops requiring grad."),
         Mistake("no_grad()", "no_grad() makes no tensor at all: it pauses recording for a "
                              "block of code, and x keeps requiring grad.")),
        choices=("requires_grad_(False)", "detach()", "no_grad()")),
    # 8. The training loop
    Exercise(
        "8.1", "one step of gradient descent by hand: w = 1.0, x = 2.0, target t = 6.0, "
               "loss (w*x - t)**2, learning rate 0.1. The new w?",
        "number", 2.6,
        "dloss/dw = 2 * (w*x - t) * x = 2 * (2 - 6) * 2 = -16, and w - 0.1 * (-16) = 2.6: "
        "w grows, so w*x moves towards 6.",
        "first the gradient with the chain rule, then w_new = w - lr * gradient.",
        (Mistake(-0.6, "the step went along the gradient (w + lr * grad): going downhill "
                       "means subtracting it."),
         Mistake(-16.0, "-16 is the gradient, not the updated weight."),
         Mistake(1.0, "w did not change: the update is w - lr * gradient."),
         Mistake(1.8, "that uses a gradient of -8, missing the factor x = 2 from "
                      "d(w*x)/dw."))),
    Exercise(
        "8.2", "after training on the lesson's line data, the slope the model learned "
               "(model.weight.item()).",
        "number", 2.0,
        "the data were made as y = 2x + 1 plus noise, so a trained line has slope close "
        "to 2.",
        "train until the loss stops falling; more epochs or a larger learning rate help.",
        (),
        rtol=0.0, atol=0.1),
    Exercise(
        "8.3", "the five steps of one training iteration in order: a list made of "
               "\"zero_grad\", \"forward\", \"loss\", \"backward\", \"step\".",
        "order", list(_STEPS),
        "forward makes a prediction, the loss scores it, backward fills .grad, step moves "
        "the parameters; zero_grad clears .grad before the next backward adds into it.",
        "ask for each step what it needs that an earlier step makes."),
    # 9. Beyond the seed
    Exercise(
        "9.1", "the second derivative of y = x**4 at x = 1, with create_graph=True.",
        "number", 12.0,
        "dy/dx = 4 x**3 and d2y/dx2 = 12 x**2 = 12 at x = 1.",
        "g, = torch.autograd.grad(y, x, create_graph=True), then differentiate g again.",
        (Mistake(4.0, "4 is the first derivative 4 x**3 at 1: differentiate once more."),
         Mistake(1.0, "1 is y itself."),
         Mistake(24.0, "24 is the third derivative, 24 x; one differentiation too many."))),
    Exercise(
        "9.2", "the second derivative of sin(x) at x = 0.5.",
        "number", -math.sin(0.5),
        "sin turns into cos and cos into -sin: -sin(0.5) = -0.4794.",
        "differentiate twice: sin -> cos -> -sin.",
        (Mistake(math.cos(0.5), "that is the first derivative, cos(0.5)."),
         Mistake(math.sin(0.5), "the value of sin(0.5) with the wrong sign: the second "
                                "derivative is -sin."))),
    Exercise(
        "9.3", "the largest slope the sigmoid function has anywhere.",
        "number", 0.25,
        "sigmoid'(z) = s * (1 - s), largest at s = 0.5 (z = 0): 0.5 * 0.5 = 0.25. So every "
        "sigmoid layer shrinks a gradient to a quarter or less.",
        "the slope is s * (1 - s) with s = sigmoid(z) between 0 and 1: where is that "
        "largest?",
        (Mistake(0.5, "0.5 is sigmoid(0), the value at the steepest point, not the slope."),
         Mistake(1.0, "the sigmoid never gets as steep as 1: s * (1 - s) is at most "
                      "0.5 * 0.5."))),
]

EXERCISES: dict[str, Exercise] = {ex.key: ex for ex in _ALL}
