"""``inference_mode``, ``set_num_threads``/``get_num_threads`` and
``autograd.gradgradcheck``, against torch 2.13 where torch can run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import nbgrad
from nbgrad.autograd import GradcheckError, gradcheck, gradgradcheck


def check_prints_as_torch(code: str) -> None:
    torch = pytest.importorskip("torch")
    from test_parity_snippets import _run
    from test_parity_snippets import check_prints_as_torch as check

    assert "NameError" not in _run(torch, code)
    check(code)


W = "w = T.ones(2, requires_grad=True)\n"
INFERENCE = [
    W + "with T.inference_mode():\n    y = w * 2\n"
    "    print(T.is_inference_mode_enabled(), T.is_grad_enabled(), y.requires_grad, y)\n"
    "print(T.is_inference_mode_enabled(), T.is_grad_enabled(), (w * 2).requires_grad)",
    W + "with T.inference_mode():\n    with T.inference_mode(False):\n"
    "        print(T.is_inference_mode_enabled(), T.is_grad_enabled(), (w * 2).grad_fn)\n"
    "    with T.no_grad():\n        print(T.is_inference_mode_enabled())\n"
    "    print(T.is_inference_mode_enabled(), T.is_grad_enabled())",
    "with T.no_grad():\n    with T.inference_mode(mode=False):\n"
    "        print(T.is_grad_enabled(), T.is_inference_mode_enabled())\n"
    "    print(T.is_grad_enabled())",
    W + "@T.inference_mode()\ndef f(a): return a * 2, T.is_inference_mode_enabled()\n"
    "print(f(w), T.is_inference_mode_enabled())",
    W + "@T.inference_mode\ndef g(a):\n    'doc'\n    return a * 2\n"
    "print(g(w), g.__name__, g.__doc__)",
    W + "@T.inference_mode(False)\ndef h(a): return (a * 2).requires_grad\n"
    "with T.inference_mode():\n    print(h(w), T.is_inference_mode_enabled())",
    "def gen():\n    yield T.is_inference_mode_enabled()\n    yield T.is_grad_enabled()\n"
    "it = T.inference_mode()(gen)()\nprint(next(it), T.is_inference_mode_enabled(), next(it))",
    "im = T.inference_mode()\nprint(im.mode, T.inference_mode(False).mode, im.clone().mode, "
    "type(im.clone()).__name__, T.is_inference_mode_enabled())",
    "try:\n    with T.inference_mode():\n        raise KeyError('x')\n"
    "except KeyError:\n    print(T.is_inference_mode_enabled(), T.is_grad_enabled())",
    "m = T.nn.Linear(2, 1)\nwith T.inference_mode():\n    res = m(T.ones(3, 2))\n"
    "print(res.shape, res.requires_grad, res.grad_fn)",
]

THREADS = [
    "T.set_num_threads(1); print(T.get_num_threads()); T.set_num_threads(3); "
    "print(T.get_num_threads(), type(T.get_num_threads()).__name__)",
    "import numpy as np\nT.set_num_threads(np.int64(2)); print(T.get_num_threads())",
    "T.set_num_threads(0)",
    "T.set_num_threads(-1)",
    "T.set_num_threads(1.5)",
    "T.set_num_threads('2')",
    "T.set_num_threads(True)",
    "T.set_num_threads(2 ** 31)",
    "T.set_num_threads(-2 ** 40)",
    "T.set_num_threads(2 ** 70)",
    "T.set_num_threads(2 ** 31 - 1); print(T.get_num_threads())",
]


@pytest.mark.parametrize("code", INFERENCE + THREADS)
def test_prints_as_torch(code: str) -> None:
    torch = pytest.importorskip("torch")
    kept = [(T, T.get_num_threads()) for T in (nbgrad, torch)]
    try:
        check_prints_as_torch(code)
    finally:  # the snippets set the count: give other tests the one they started with
        for T, n in kept:
            T.set_num_threads(n)


def test_default_thread_count_follows_omp_num_threads() -> None:
    code = "import nbgrad; print(nbgrad.get_num_threads())"
    root = str(Path(nbgrad.__file__).parent.parent)
    env = {**os.environ, "OMP_NUM_THREADS": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root, env=env)
    assert out.stdout == "3\n"
    env.pop("OMP_NUM_THREADS")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root, env=env)
    assert int(out.stdout) >= 1


# --- gradgradcheck ------------------------------------------------------------------------

X = "x = T.tensor([0.5, 1.0], dtype=T.float64, requires_grad=True)\n"
WRONG = X + """
class F(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin()
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.detach().cos()   # right first derivative, but blind to x: no second
"""
G = "g = T.tensor([1., -2.], dtype=T.float64, requires_grad=True)\n"
GRADGRAD = [
    X + "print(T.autograd.gradgradcheck(lambda a: (a ** 3).sum(), (x,)))",
    X + "print(T.autograd.gradgradcheck(lambda a: a.sin() * a, x))",
    X + "b = T.tensor([2., 3.], dtype=T.float64, requires_grad=True)\n"
    "print(T.autograd.gradgradcheck(lambda a, b: (a * b, a.exp()), (x, b)))",
    X + G + "print(T.autograd.gradgradcheck(lambda a: a.exp(), x, g))",
    X + "print(T.autograd.gradgradcheck(lambda a: a.tanh(), x, "
    "T.tensor([1., -1.], dtype=T.float64)))",
    X + "print(T.autograd.gradgradcheck(lambda a: a.exp(), x, check_rev_over_rev=False))",
    X + "print(T.autograd.gradgradcheck(lambda a: a.exp(), x, check_undefined_grad=True, "
    "check_rev_over_rev=False, check_fwd_over_rev=True))",
    "print(T.autograd.gradgradcheck(lambda a: a.exp(), T.tensor([1., -1.], dtype=T.float64)))",
    WRONG + "print(T.autograd.gradcheck(F.apply, (x,)), "
    "T.autograd.gradgradcheck(F.apply, (x,), raise_exception=False))",
    X + "print(T.autograd.gradgradcheck(lambda a: a.exp(), x, T.ones(2, dtype=T.float64), "
    "atol=1e-7, rtol=1e-6, eps=1e-6, raise_exception=True, nondet_tol=0.0, "
    "gen_non_contig_grad_outputs=False, fast_mode=False, masked=False))",
]


@pytest.mark.parametrize("code", GRADGRAD)
def test_gradgradcheck_as_torch(code: str) -> None:
    check_prints_as_torch(code)


def test_gradgradcheck_reports_as_torch() -> None:
    # With the same grad_outputs the report's matrices are torch's (nbgrad then lists the
    # entries that differ, as its gradcheck does). A grad_output that does not require grad
    # makes the first derivative of F non-differentiable: torch's other failure.
    check_prints_as_torch(
        WRONG + "g = T.tensor([1., 0.5], dtype=T.float64)\ntry:\n"
        "    T.autograd.gradgradcheck(F.apply, (x,), g)\nexcept Exception as e:\n"
        "    print(type(e).__name__, str(e).split('\\n\\nEntries')[0].rstrip())")
    check_prints_as_torch(
        WRONG + "g = T.tensor([1., 0.5], dtype=T.float64, requires_grad=True)\ntry:\n"
        "    T.autograd.gradgradcheck(F.apply, (x,), g)\nexcept Exception as e:\n"
        "    print(type(e).__name__, str(e).split('\\n\\nEntries')[0].rstrip())")


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    class Cube(nbgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return g * 3 * x * x.detach()  # d/dx of this is 3 x, not 6 x

    x = nbgrad.tensor([0.5, -1.5], dtype=nbgrad.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))
    assert not gradgradcheck(Cube.apply, (x,), raise_exception=False)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect "
                                             "to input 0") as err:
        gradgradcheck(Cube.apply, (x,))
    assert "[0, 0]: numerical" in str(err.value)
    assert gradgradcheck(lambda a: a ** 3, (x,))  # the built-in power is right


def test_gradgradcheck_random_grad_outputs_are_reproducible() -> None:
    seen = []

    def f(a: nbgrad.Tensor) -> nbgrad.Tensor:
        return a * a

    x = nbgrad.tensor([1.0, 2.0], dtype=nbgrad.float64, requires_grad=True)
    for _ in range(2):
        nbgrad.manual_seed(0)
        assert gradgradcheck(f, x)
        seen.append(nbgrad.rand(1).item())
    assert seen[0] == seen[1]


def test_gradgradcheck_refuses_what_nbgrad_cannot_check() -> None:
    x = nbgrad.tensor([1.0], dtype=nbgrad.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        gradgradcheck(lambda a: a.exp(), x, check_fwd_over_rev=True)
    with pytest.raises(NotImplementedError, match="batched"):
        gradgradcheck(lambda a: a.exp(), x, check_batched_grad=True)
