"""The seed lesson (AutoGrad, /work/shared/seed/000_*) run cell by cell under torch and nbgrad.

Each scene of the notebook is written once, as a function of the module ``T`` it runs under
(``torch`` or ``nbgrad``, exactly as ``import nbgrad as torch`` would bind it), and of a
``Log`` that records what the notebook would display: the repr of a cell's value, printed
text, caught errors, and gradients. A scene is checked twice:

* against the lesson: the outputs the notebook shows, under nbgrad (no torch needed), and under
  torch when it is installed (so the expected text itself is known to be torch's);
* against torch: every recorded entry, displayed text exactly (torch's ``torch.`` read as
  ``nbgrad.``), gradients to 1e-5 with the same dtype and shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad

NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"


class Log:
    """What a scene showed, in order: ``("text", str)``, ``("grad", ndarray)``, ``("error",
    (type name, message))``."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Any]] = []

    def show(self, value: Any) -> None:
        """A cell whose last line is ``value``: the notebook displays its repr."""
        self.entries.append(("text", repr(value).replace("torch.", "nbgrad.")))

    def print(self, *args: Any) -> None:
        self.entries.append(("text", " ".join(str(a) for a in args)))

    def grad(self, t: Any) -> None:
        """A gradient, compared numerically (and by dtype and shape)."""
        assert t is not None, "expected a gradient, found None"
        arr = t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)
        self.entries.append(("grad", (str(t.dtype).split(".")[-1], np.array(arr))))

    def error(self, fn: Callable[[], Any]) -> None:
        """A cell that raises: the notebook shows the exception's type and message."""
        try:
            fn()
        except Exception as err:  # any error is what the notebook shows
            self.entries.append(("error", (type(err).__name__, str(err))))
        else:
            self.entries.append(("error", None))

    def texts(self) -> list[str]:
        out = []
        for kind, value in self.entries:
            if kind == "text":
                out.append(value)
            elif kind == "error" and value is not None:
                out.append(f"{value[0]}: {value[1]}")
        return out


# --- the scenes -----------------------------------------------------------------------------


def binary_cross_entropy_loss(T: Any, prediction: Any, target: Any) -> Any:
    """The lesson's loss, word for word (``torch`` spelled ``T``)."""
    epsilon = 1e-8  # To prevent log(0)
    prediction = T.clamp(prediction, epsilon, 1 - epsilon)
    return -(target * T.log(prediction) + (1 - target) * T.log(1 - prediction))


def scene_square(T: Any, log: Log) -> None:
    x = T.tensor(3.0, requires_grad=True)
    log.show(x)
    y = x**2
    log.show((x, y))
    log.show(y.backward())
    log.show(x.grad)
    log.grad(x.grad)


def scene_sin_of_square(T: Any, log: Log) -> None:
    x = T.tensor(9.0, requires_grad=True)
    log.show(x)
    y = x**2
    z = T.sin(y)
    log.show((x, y, z))
    z.backward()
    log.show(x.grad)
    log.grad(x.grad)
    # the same number the lesson derived by hand, dz/dx = 2x cos(x^2)
    log.print(abs(x.grad.item() - 2 * 9 * math.cos(81)) < 1e-4)


def scene_manual_logistic(T: Any, log: Log) -> None:
    # Inputs
    x = T.tensor(6.7)  # Input feature
    y = T.tensor(0.0)  # True label (binary)
    w = T.tensor(1.0)  # Weight
    b = T.tensor(0.0)  # Bias
    # Forward pass
    z = w * x + b
    y_pred = T.sigmoid(z)
    loss = binary_cross_entropy_loss(T, y_pred, y)
    log.show(loss)
    # Derivatives, by hand
    dloss_dy_pred = (y_pred - y) / (y_pred * (1 - y_pred))
    dy_pred_dz = y_pred * (1 - y_pred)
    dz_dw = x
    dz_db = 1
    dL_dw = dloss_dy_pred * dy_pred_dz * dz_dw  # noqa: N806 - the lesson's names
    dL_db = dloss_dy_pred * dy_pred_dz * dz_db  # noqa: N806
    log.print(f"Manual Gradient of loss w.r.t weight (dw): {dL_dw}")
    log.print(f"Manual Gradient of loss w.r.t bias (db): {dL_db}")
    log.grad(dL_dw)
    log.grad(dL_db)
    log.show((z, y_pred, dloss_dy_pred, dy_pred_dz))


def scene_autograd_logistic(T: Any, log: Log) -> None:
    x = T.tensor(6.7)
    y = T.tensor(0.0)
    w = T.tensor(1.0, requires_grad=True)
    b = T.tensor(0.0, requires_grad=True)
    log.show((w, b))
    z = w * x + b
    log.show(z)
    y_pred = T.sigmoid(z)
    log.show(y_pred)
    loss = binary_cross_entropy_loss(T, y_pred, y)
    log.show(loss)
    log.show(loss.backward())
    log.show(w.grad)
    log.show(b.grad)
    log.grad(w.grad)
    log.grad(b.grad)
    log.print(f"{w.grad} {b.grad}")


def scene_vector_mean(T: Any, log: Log) -> None:
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    log.show(x)
    y = (x**2).mean()
    log.show(y)
    y.backward()
    log.show(x.grad)
    log.grad(x.grad)


def scene_clearing_grad(T: Any, log: Log) -> None:
    # clearing grad
    x = T.tensor(2.0, requires_grad=True)
    log.show(x)
    y = x**2
    log.show(y)
    y.backward()
    log.show(x.grad)
    # run the cell again without clearing: gradients add up
    y = x**2
    y.backward()
    log.show(x.grad)
    log.grad(x.grad)
    log.show(x.grad.zero_())
    y = x**2
    y.backward()
    log.show(x.grad)
    log.grad(x.grad)


def scene_requires_grad_false(T: Any, log: Log) -> None:
    # disable gradient tracking, option 1: requires_grad_(False)
    x = T.tensor(2.0, requires_grad=True)
    log.show(x)
    y = x**2
    log.show(y)
    log.show((y.backward(), x.grad))
    log.show(x.requires_grad_(False))
    y = x**2
    log.show(y)
    log.error(y.backward)
    log.show((x.requires_grad, x.grad, y.requires_grad, y.grad_fn))


def scene_detach(T: Any, log: Log) -> None:
    # option 2: detach()
    x = T.tensor(2.0, requires_grad=True)
    log.show(x)
    z = x.detach()
    log.show(z)
    y = x**2
    log.show(y)
    y1 = z**2
    log.show(y1)
    y.backward()
    log.error(y1.backward)
    log.grad(x.grad)
    log.show((z.requires_grad, z.is_leaf, z.grad))


def scene_no_grad(T: Any, log: Log) -> None:
    # option 3: torch.no_grad()
    x = T.tensor(2.0, requires_grad=True)
    log.show(x)
    y = x**2
    log.show(y)
    y.backward()
    log.show(x.grad)
    with T.no_grad():
        y = x**2
    log.show(y)
    log.error(y.backward)
    log.show((T.is_grad_enabled(), y.requires_grad))


# What the notebook shows for each scene, in order (IPython's line breaks inside tuples are
# written as single spaces here). Entries the lesson does not show are not listed.
LESSON: dict[Callable[[Any, Log], None], list[str]] = {
    scene_square: [
        "tensor(3., requires_grad=True)",
        "(tensor(3., requires_grad=True), tensor(9., grad_fn=<PowBackward0>))",
        "None",
        "tensor(6.)",
    ],
    scene_sin_of_square: [
        "tensor(9., requires_grad=True)",
        "(tensor(9., requires_grad=True), tensor(81., grad_fn=<PowBackward0>), "
        "tensor(-0.6299, grad_fn=<SinBackward0>))",
        "tensor(13.9803)",
        "True",
    ],
    scene_manual_logistic: [
        "tensor(6.7012)",
        "Manual Gradient of loss w.r.t weight (dw): 6.691762447357178",
        "Manual Gradient of loss w.r.t bias (db): 0.998770534992218",
    ],
    scene_autograd_logistic: [
        "(tensor(1., requires_grad=True), tensor(0., requires_grad=True))",
        "tensor(6.7000, grad_fn=<AddBackward0>)",
        "tensor(0.9988, grad_fn=<SigmoidBackward0>)",
        "tensor(6.7012, grad_fn=<NegBackward0>)",
        "None",
        "tensor(6.6918)",
        "tensor(0.9988)",
    ],
    scene_vector_mean: [
        "tensor([1., 2., 3.], requires_grad=True)",
        "tensor(4.6667, grad_fn=<MeanBackward0>)",
        "tensor([0.6667, 1.3333, 2.0000])",
    ],
    scene_clearing_grad: [
        "tensor(2., requires_grad=True)",
        "tensor(4., grad_fn=<PowBackward0>)",
        "tensor(4.)",
        "tensor(8.)",
        "tensor(0.)",
        "tensor(4.)",
    ],
    scene_requires_grad_false: [
        "tensor(2., requires_grad=True)",
        "tensor(4., grad_fn=<PowBackward0>)",
        "(None, tensor(4.))",
        "tensor(2.)",
        "tensor(4.)",
        f"RuntimeError: {NO_GRAD_FN}",
        "(False, tensor(4.), False, None)",
    ],
    scene_detach: [
        "tensor(2., requires_grad=True)",
        "tensor(2.)",
        "tensor(4., grad_fn=<PowBackward0>)",
        "tensor(4.)",
        f"RuntimeError: {NO_GRAD_FN}",
        "(False, True, None)",
    ],
    scene_no_grad: [
        "tensor(2., requires_grad=True)",
        "tensor(4., grad_fn=<PowBackward0>)",
        "tensor(4.)",
        "tensor(4.)",
        f"RuntimeError: {NO_GRAD_FN}",
        "(True, False)",
    ],
}

SCENES = list(LESSON)
IDS = [s.__name__.removeprefix("scene_") for s in SCENES]

# The gradients the lesson derives, to 1e-5 (d/dx x^2 at 3; 2x cos(x^2) at 9; the manual and
# autograd logistic gradients (y_pred - y) * x and (y_pred - y); 2x/3; and the cleared grad).
EXPECTED_GRADS = {
    scene_square: [6.0],
    scene_sin_of_square: [2 * 9 * math.cos(81)],
    scene_manual_logistic: [6.691762447357178, 0.998770534992218],
    scene_autograd_logistic: [6.691762447357178, 0.998770534992218],
    scene_vector_mean: [[2 / 3, 4 / 3, 2.0]],
    scene_clearing_grad: [8.0, 4.0],
    scene_requires_grad_false: [],
    scene_detach: [4.0],
    scene_no_grad: [],
}


def _run(scene: Callable[[Any, Log], None], T: Any) -> Log:
    log = Log()
    scene(T, log)
    return log


def _is_subsequence(expected: list[str], shown: list[str]) -> bool:
    it = iter(shown)
    return all(any(e == s for s in it) for e in expected)


def _check_lesson(scene: Callable[[Any, Log], None], log: Log) -> None:
    shown = log.texts()
    assert _is_subsequence(LESSON[scene], shown), (
        f"the lesson shows\n{LESSON[scene]}\nbut the run showed\n{shown}"
    )
    grads = [value for kind, value in log.entries if kind == "grad"]
    assert len(grads) == len(EXPECTED_GRADS[scene])
    for (dtype, got), want in zip(grads, EXPECTED_GRADS[scene]):
        assert dtype == "float32"
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("scene", SCENES, ids=IDS)
def test_nbgrad_shows_what_the_lesson_shows(scene: Callable[[Any, Log], None]) -> None:
    _check_lesson(scene, _run(scene, nbgrad))


@pytest.mark.parametrize("scene", SCENES, ids=IDS)
def test_torch_shows_what_the_lesson_shows(torch: Any, scene: Callable[[Any, Log], None]) -> None:
    # Keeps the expected text above honest: it is what torch 2.13 really prints.
    _check_lesson(scene, _run(scene, torch))


@pytest.mark.parametrize("scene", SCENES, ids=IDS)
def test_scene_matches_torch(torch: Any, scene: Callable[[Any, Log], None]) -> None:
    want = _run(scene, torch).entries
    got = _run(scene, nbgrad).entries
    assert [k for k, _ in got] == [k for k, _ in want]
    for (kind, g), (_, w) in zip(got, want):
        if kind == "grad":
            assert g[0] == w[0], f"gradient dtype {g[0]} != torch's {w[0]}"
            assert g[1].shape == w[1].shape
            np.testing.assert_allclose(g[1], w[1], rtol=1e-5, atol=1e-5)
        else:
            assert g == w


def test_print_of_a_tensor_is_its_repr(torch: Any) -> None:
    # print(x.grad) in a cell shows the same text as displaying it
    for T in (torch, nbgrad):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        assert str(x.grad) == repr(x.grad) == "tensor([3., 3.])"
        assert str(x) == repr(x)
