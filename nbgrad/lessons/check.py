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
The exercises themselves are in ``nbgrad.lessons.exercises``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nbgrad.lessons.exercises import _STEPS, EXERCISES, Exercise, Mistake

__all__ = ["Exercise", "Mistake", "Feedback", "EXERCISES", "check", "hint"]


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
