"""The lessons' exercises, as data: ``EXERCISES["2.1"]``.

Each ``Exercise`` says what is asked, the right answer, why it is right, a hint, and the
mistakes students make (``Mistake``) with what each one means. ``nbgrad.lessons.check``
marks answers against them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Exercise", "Mistake", "EXERCISES"]


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


# The steps of one training iteration, in order: exercise 8.3's answer, and what
# nbgrad.lessons.check's _mark_order reads an answer against.
_STEPS = ("zero_grad", "forward", "loss", "backward", "step")


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
    # 10. Inside an op
    Exercise(
        "10.1", "the gradient Cube's backward gives x at x = -1.5, when backward() runs on "
                "Cube.apply(x) itself.",
        "number", 6.75,
        "at the top of the graph grad_output is 1, and the local derivative is "
        "3 * x**2 = 3 * 2.25 = 6.75, positive although x is negative.",
        "the backward returns grad_output * 3 * x**2; what is grad_output at the top?",
        (Mistake(-3.375, "-3.375 is the forward's value, (-1.5)**3, not its slope."),
         Mistake(-4.5, "-4.5 is 3 * x: the local derivative of x**3 is 3 * x**2."),
         Mistake(2.25, "2.25 is x**2: the power rule brings the 3 down in front too."))),
    Exercise(
        "10.2", "gradcheck(RoundThrough.apply, (t,)) returns True for a float64 t away from "
                "the halfway points. (True or False)",
        "bool", False,
        "gradcheck compares the backward with finite differences: rounding is flat there, so "
        "the measured slope is 0, while RoundThrough's backward claims 1. gradcheck raises a "
        "GradcheckError; the straight-through estimator is not the derivative, by design.",
        "what slope does nudging t measure for round, and what slope does the backward "
        "claim?",
        wrong="True would mean the backward is the derivative of the forward, but rounding "
              "has slope 0 away from the halfway points and the straight-through backward "
              "claims slope 1: gradcheck reports the mismatch (GradcheckError)."),
    Exercise(
        "10.3", "the Hessian of h(v) = v0**2 * v1 at v = (1, 2), as a 2 x 2 tensor or "
                "nested list.",
        "vector", [[4.0, 2.0], [2.0, 0.0]],
        "the gradient is (2 v0 v1, v0**2); differentiating each entry again gives "
        "[[2 v1, 2 v0], [2 v0, 0]] = [[4, 2], [2, 0]] at (1, 2).",
        "torch.autograd.functional.hessian(h, torch.tensor([1.0, 2.0])), or differentiate "
        "the gradient (2 v0 v1, v0**2) by hand.",
        (Mistake([[2.0, 2.0], [2.0, 0.0]], "the first entry is d2h/dv0**2 = 2 v1, which is 4 "
                                           "at v1 = 2."),
         Mistake([[2.0, 4.0], [4.0, 0.0]], "the entries are swapped: d2h/dv0**2 = 2 v1 = 4 "
                                           "and the mixed ones 2 v0 = 2."))),
    # 11. The update step
    Exercise(
        "11.1", "the largest learning rate for which plain gradient descent on 3 * w**2 "
                "does not blow up.",
        "number", 1 / 3,
        "each step multiplies w by 1 - 6 * lr, which shrinks w only while |1 - 6 lr| < 1, "
        "that is for lr below 2 / 6 = 1/3.",
        "for which lr is |1 - 6 * lr| smaller than 1?",
        (Mistake(1 / 6, "1/6 is the learning rate that lands on the minimum in one step "
                        "(1 - 6 lr = 0); up to twice that, the steps still shrink, zig-zagging."),
         Mistake(6.0, "6 is the curvature (the slope of the gradient 6 * w); the limit is "
                      "2 divided by it."),
         Mistake(2.0, "2 is the limit on lr times the curvature: divide it by 6."))),
    Exercise(
        "11.2", "the velocity after three steps of momentum 0.8, starting from zero, when "
                "the gradient is 1.0 at every step.",
        "number", 2.44,
        "velocity = 0.8 * velocity + gradient: 1, then 0.8 + 1 = 1.8, then 1.44 + 1 = 2.44.",
        "apply velocity = 0.8 * velocity + 1.0 three times, from 0.",
        (Mistake(3.0, "3 adds the gradients up without forgetting: each older one counts "
                      "0.8 times as much as the next."),
         Mistake(1.0, "1 is the gradient alone: momentum adds 0.8 times the old velocity."),
         Mistake(1.8, "1.8 is the velocity after two steps; one more gives 2.44."),
         Mistake(2.952, "that is four steps: the velocity after the third is 2.44."))),
    Exercise(
        "11.3", "the change Adam's first step (lr=0.05) makes to a parameter whose gradient "
                "is -250.",
        "number", 0.05,
        "at the first step m_hat is the gradient and sqrt(v_hat) its size, so the step is "
        "-lr * sign(gradient) = +0.05, whatever the gradient's size.",
        "at t = 1, what is m_hat / sqrt(v_hat) for a gradient g?",
        (Mistake(12.5, "12.5 is lr times the gradient's size: plain gradient descent's step. "
                       "Adam divides by the gradient's size."),
         Mistake(-12.5, "that is plain gradient descent's step with the sign turned round; "
                        "Adam's first step has size lr."))),
]

EXERCISES: dict[str, Exercise] = {ex.key: ex for ex in _ALL}
