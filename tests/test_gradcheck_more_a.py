"""The differentiable ops added beside the issue list (prod, var, std, norm, logsumexp, cumsum,
cumprod, erf, rsqrt, sinh, cosh, asin, acos, atan, atan2) against finite differences: their
gradients (``gradcheck``), their second derivatives (``gradcheck`` of a first derivative built
with ``create_graph=True``), and, where torch is installed, Hessian-vector products against
torch 2.13's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad as torch
from nbgrad.autograd import GradcheckError, grad, gradcheck


def leaf(*shape: int, lo: float = -1.0, hi: float = 1.0, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed + 100 * len(shape) + sum(shape))
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float64,
                        requires_grad=True)


def given(values: Any) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


ONE_ZERO = [[1.5, 2.0, -0.7], [0.8, 0.0, 1.2]]
ZEROS = [[0.0, 1.3, 0.0, -0.6], [0.9, -1.1, 0.0, 1.4]]

# (id, function, inputs factory)
CASES: list[tuple[str, Callable, Callable[[], list]]] = [
    ("prod", lambda a: a.prod(), lambda: [leaf(2, 3)]),
    ("prod-scalar", lambda a: a.prod(), lambda: [leaf()]),
    ("prod-dim", lambda a: a.prod(1), lambda: [leaf(2, 3)]),
    ("prod-dim0-keepdim", lambda a: torch.prod(a, 0, keepdim=True), lambda: [leaf(3, 2, 2)]),
    ("prod-one-zero", lambda a: a.prod(), lambda: [given(ONE_ZERO)]),
    ("prod-two-zeros", lambda a: a.prod(), lambda: [given(ZEROS)]),
    ("prod-dim-zeros", lambda a: a.prod(1), lambda: [given(ZEROS)]),
    ("prod-dim0-zeros", lambda a: a.prod(0), lambda: [given(ZEROS)]),
    ("var", lambda a: a.var(), lambda: [leaf(2, 3)]),
    ("var-dim", lambda a: a.var(1), lambda: [leaf(2, 3)]),
    ("var-dims-keepdim", lambda a: torch.var(a, (0, 2), keepdim=True), lambda: [leaf(2, 3, 4)]),
    ("var-unbiased-false", lambda a: a.var(0, unbiased=False), lambda: [leaf(3, 2)]),
    ("var-correction", lambda a: a.var(correction=2.5), lambda: [leaf(2, 3)]),
    ("std", lambda a: a.std(), lambda: [leaf(2, 3)]),
    ("std-dim", lambda a: torch.std(a, -1), lambda: [leaf(2, 3)]),
    ("std-dim-keepdim-correction", lambda a: a.std(0, keepdim=True, correction=0),
     lambda: [leaf(3, 2)]),
    ("norm", lambda a: a.norm(), lambda: [leaf(2, 3)]),
    ("norm-dim", lambda a: a.norm(dim=1), lambda: [leaf(2, 3)]),
    ("norm-fro-dims-keepdim", lambda a: torch.norm(a, "fro", (0, 2), True),
     lambda: [leaf(2, 3, 2)]),
    ("norm-p1", lambda a: a.norm(1), lambda: [leaf(2, 3)]),
    ("norm-p1-dim", lambda a: a.norm(p=1, dim=0), lambda: [leaf(2, 3)]),
    ("logsumexp", lambda a: a.logsumexp(1), lambda: [leaf(2, 3)]),
    ("logsumexp-dims-keepdim", lambda a: torch.logsumexp(a, (0, 1), keepdim=True),
     lambda: [leaf(2, 3)]),
    ("logsumexp-large", lambda a: (a + 500).logsumexp(0), lambda: [leaf(4)]),
    ("logsumexp-scalar", lambda a: a.logsumexp(0), lambda: [leaf()]),
    ("cumsum", lambda a: a.cumsum(1), lambda: [leaf(2, 3)]),
    ("cumsum-dim0", lambda a: torch.cumsum(a, 0), lambda: [leaf(3, 2, 2)]),
    ("cumsum-scalar", lambda a: a.cumsum(0), lambda: [leaf()]),
    ("cumprod", lambda a: a.cumprod(1), lambda: [leaf(2, 3)]),
    ("cumprod-dim0", lambda a: torch.cumprod(a, 0), lambda: [leaf(3, 2, 2)]),
    ("cumprod-one-zero", lambda a: a.cumprod(1), lambda: [given(ONE_ZERO)]),
    ("cumprod-zeros", lambda a: a.cumprod(1), lambda: [given(ZEROS)]),
    ("cumprod-zeros-dim0", lambda a: a.cumprod(0), lambda: [given(ZEROS)]),
    ("cumprod-scalar", lambda a: a.cumprod(0), lambda: [leaf()]),
    ("erf", torch.erf, lambda: [leaf(2, 3, lo=-2, hi=2)]),
    ("rsqrt", torch.rsqrt, lambda: [leaf(2, 3, lo=0.5, hi=2)]),
    ("sinh", torch.sinh, lambda: [leaf(2, 3, lo=-2, hi=2)]),
    ("cosh", torch.cosh, lambda: [leaf(2, 3, lo=-2, hi=2)]),
    ("asin", torch.asin, lambda: [leaf(2, 3, lo=-0.9, hi=0.9)]),
    ("acos", torch.acos, lambda: [leaf(2, 3, lo=-0.9, hi=0.9)]),
    ("atan", torch.atan, lambda: [leaf(2, 3, lo=-3, hi=3)]),
    ("atan2", torch.atan2, lambda: [leaf(2, 3), leaf(2, 3, seed=1)]),
    ("atan2-broadcast", torch.atan2, lambda: [leaf(2, 1, 3), leaf(4, 1, seed=1)]),
    ("atan2-scalar-matrix", lambda a, b: a.atan2(b), lambda: [leaf(), leaf(2, 3, seed=1)]),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name: str, fn: Callable, make: Callable) -> None:
    assert gradcheck(fn, make())


def _first_derivative(f: Callable, n_inputs: int) -> Callable:
    """``x -> d sum(f(x) * w) / dx``, built with create_graph so that it is differentiable."""
    def df(*xs: torch.Tensor) -> tuple:
        out = f(*xs)
        w = torch.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                         dtype=torch.float64)
        gs = grad((out * w).sum(), xs[:n_inputs], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)
    return df


# Second derivatives: every case above but the piecewise linear ones (norm p=1, whose second
# derivative is 0, is kept), cumsum's and a 0-d cumprod's (their gradient does not depend on
# the input: checked below) and the full product through two zeros (its gradient is
# constant zeros, as torch's).
GRADGRAD = [c for c in CASES if c[0] not in ("cumsum", "cumsum-dim0", "cumsum-scalar",
                                              "cumprod-scalar", "prod-two-zeros")]


@pytest.mark.parametrize("name,fn,make", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name: str, fn: Callable, make: Callable) -> None:
    inputs = make()
    df = _first_derivative(fn, len(inputs))
    outs = df(*inputs)
    assert outs and all(g.requires_grad for g in outs)
    assert gradcheck(df, inputs)


def test_cumsum_gradient_is_differentiable_and_constant() -> None:
    x = leaf(2, 3)
    (g,) = grad((x.cumsum(1) * x.cumsum(1)).sum(), x, create_graph=True)
    assert g.requires_grad
    assert gradcheck(_first_derivative(lambda a: a.cumsum(1) ** 2, 1), [x])


def test_gradcheck_catches_a_wrong_formula() -> None:
    """The checks above can fail: a deliberately wrong vjp is caught."""
    from nbgrad.ops import trig

    original = trig.SinhBackward0.vjp
    trig.SinhBackward0.vjp = lambda self, F, g, x: (g * F.sinh(x),)
    try:
        with pytest.raises(GradcheckError):
            gradcheck(torch.sinh, [leaf(3)])
    finally:
        trig.SinhBackward0.vjp = original


# -- against torch 2.13: first derivatives and Hessian-vector products --------------------------


def _hessian_and_hvp(lib: Any, f: Callable, arrays: list) -> tuple[list, list]:
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    out = f(lib, *xs)
    w = lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)),
                   dtype=lib.float64)
    gs = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
    first = [g.detach().numpy().copy() for g in gs]
    v = [lib.tensor(np.cos(np.arange(g.numel()) + 1.0).reshape(tuple(g.shape)),
                    dtype=lib.float64) for g in gs]
    dot = sum((g * vi).sum() for g, vi in zip(gs, v))
    hv = lib.autograd.grad(dot, xs, allow_unused=True)
    second = [np.zeros_like(a) if h is None else h.numpy() for h, a in zip(hv, first)]
    return first, second


_R = np.random.default_rng(11)
TORCH_CASES: dict[str, tuple[Callable, list]] = {
    "prod-dim": (lambda L, x: x.prod(1), [_R.uniform(-1, 1, (2, 3))]),
    "prod-one-zero": (lambda L, x: x.prod(), [np.array(ONE_ZERO)]),
    "prod-two-zeros": (lambda L, x: x.prod(), [np.array(ZEROS)]),
    "prod-dim-zeros": (lambda L, x: L.prod(x, 1, keepdim=True), [np.array(ZEROS)]),
    "prod-dim0-zeros": (lambda L, x: x.prod(0), [np.array(ZEROS)]),
    "var-std": (lambda L, x: x.var(1, keepdim=True) * x.std(0, keepdim=True),
                [_R.uniform(-1, 1, (2, 3))]),
    "var-std-too-few": (lambda L, x: x.var(correction=7) + x.std(correction=6) + x[0, 0].var(),
                        [_R.uniform(-1, 1, (2, 3))]),
    "std-constant-row": (lambda L, x: x.std(1), [np.array([[1.0, 1.0, 1.0], [0.2, 0.5, 0.1]])]),
    "norm": (lambda L, x: x.norm(dim=0) + x.norm(), [_R.uniform(-1, 1, (2, 3))]),
    "norm-zero-row": (lambda L, x: x.norm(dim=1), [np.array([[0.0, 0.0], [3.0, -4.0]])]),
    "norm-p1": (lambda L, x: x.norm(1, 1) ** 2, [_R.uniform(-1, 1, (2, 3))]),
    "logsumexp": (lambda L, x: L.logsumexp(x, 1), [_R.uniform(-1, 1, (2, 3))]),
    "cumsum": (lambda L, x: x.cumsum(0) ** 2, [_R.uniform(-1, 1, (3, 2))]),
    "cumprod": (lambda L, x: x.cumprod(1), [_R.uniform(-1, 1, (2, 3))]),
    "cumprod-zeros": (lambda L, x: x.cumprod(1), [np.array(ZEROS)]),
    "cumprod-zeros-dim0": (lambda L, x: L.cumprod(x, 0), [np.array(ZEROS)]),
    "trig": (lambda L, x: L.erf(x) * L.sinh(x) + L.cosh(x) * L.atan(x)
             + L.asin(x / 2) - L.acos(x / 3), [_R.uniform(-1, 1, (2, 3))]),
    "rsqrt": (lambda L, x: L.rsqrt(x * x + 1), [_R.uniform(-1, 1, (4,))]),
    "atan2": (lambda L, y, x: L.atan2(y, x), [_R.uniform(-1, 1, (2, 3)), _R.uniform(-1, 1, (3,))]),
    "atan2-origin": (lambda L, y, x: L.atan2(y, x) * 1.0,
                     [np.array([0.0, 1.0]), np.array([0.0, -1.0])]),
}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")
@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_second_order_matches_torch(name: str) -> None:
    real = pytest.importorskip("torch")
    f, arrays = TORCH_CASES[name]
    first_nb, second_nb = _hessian_and_hvp(torch, f, arrays)
    first_t, second_t = _hessian_and_hvp(real, f, arrays)
    for a, b in zip(first_nb, first_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(second_nb, second_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
