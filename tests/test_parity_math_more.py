"""More elementwise math, order statistics, quantiles, counting, linalg and random draws, run
under torch 2.13 and nbgrad on the same numbers (the harness of test_parity_ops: printed
result, dtype, values, every leaf's gradient), torch's errors word for word (the harness of
test_parity_errors), and each differentiable op's gradients and second derivatives checked
against finite differences in float64.

Without torch installed, the parity tests skip; the gradient checks run on nbgrad alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import grad, gradcheck

NAN = math.nan


# --- gradients against finite differences (nbgrad alone) ------------------------------------


def g64(*shape: int, lo: float = -1.0, hi: float = 1.0, seed: int = 0) -> nbgrad.Tensor:
    rng = np.random.default_rng(seed + 10 * len(shape) + sum(shape))
    return nbgrad.tensor(rng.uniform(lo, hi, size=shape), dtype=nbgrad.float64,
                         requires_grad=True)


def _spd(n: int, seed: int = 0) -> nbgrad.Tensor:
    rng = np.random.default_rng(seed)
    m = rng.uniform(-1, 1, (n, n))
    return nbgrad.tensor(m @ m.T + n * np.eye(n), dtype=nbgrad.float64, requires_grad=True)


T = nbgrad
GRAD_CASES: list[tuple[str, Callable, Callable[[], list]]] = [
    ("clamp_min", lambda a: T.clamp_min(a, 0.1), lambda: [g64(2, 3)]),
    ("clamp_min-tensor", T.clamp_min, lambda: [g64(2, 3), g64(3, seed=1)]),
    ("clamp_max", lambda a: a.clamp_max(0.1), lambda: [g64(2, 3)]),
    ("clamp_max-tensor", T.clamp_max, lambda: [g64(2, 3), g64(2, 1, seed=1)]),
    ("lerp", lambda a, b: T.lerp(a, b, 0.3), lambda: [g64(2, 3), g64(3, seed=1)]),
    ("lerp-tensor-weight", T.lerp, lambda: [g64(2, 3), g64(3, seed=1), g64(2, 1, seed=2)]),
    ("logaddexp", T.logaddexp, lambda: [g64(2, 3, lo=-3, hi=3), g64(3, seed=1)]),
    ("hypot", T.hypot, lambda: [g64(2, 3), g64(2, 3, seed=1)]),
    ("sinc", T.sinc, lambda: [g64(2, 3, lo=-2, hi=2)]),
    ("xlogy", T.xlogy, lambda: [g64(2, 3), g64(2, 3, lo=0.5, hi=2, seed=1)]),
    ("xlogy-number-other", lambda a: T.xlogy(a, 3.0), lambda: [g64(2, 3)]),
    ("xlogy-number-self", lambda b: T.xlogy(2.0, b), lambda: [g64(2, 3, lo=0.5, hi=2)]),
    ("logit", T.logit, lambda: [g64(2, 3, lo=0.1, hi=0.9)]),
    ("logit-eps", lambda a: a.logit(eps=0.05), lambda: [g64(2, 3, lo=0.1, hi=0.9)]),
    ("erfc", T.erfc, lambda: [g64(2, 3, lo=-2, hi=2)]),
    ("erfinv", T.erfinv, lambda: [g64(2, 3, lo=-0.9, hi=0.9)]),
    ("median", lambda a: a.median(), lambda: [g64(3, 3)]),
    ("median-dim", lambda a: a.median(1).values, lambda: [g64(3, 4)]),
    ("nanmedian-dim", lambda a: T.nanmedian(a, 0, keepdim=True).values, lambda: [g64(3, 2)]),
    ("kthvalue", lambda a: a.kthvalue(2, 0).values, lambda: [g64(3, 4)]),
    ("mode", lambda a: a.mode().values, lambda: [g64(2, 3)]),
    ("aminmax", lambda a: T.aminmax(a, dim=1), lambda: [g64(2, 3)]),
    ("quantile", lambda a: a.quantile(0.3), lambda: [g64(2, 3)]),
    ("quantile-dim-tensor-q", lambda a: T.quantile(a, T.tensor([0.2, 0.7], dtype=T.float64),
                                                   dim=1, keepdim=True), lambda: [g64(2, 5)]),
    ("quantile-midpoint", lambda a: a.quantile(0.5, 0, interpolation="midpoint"),
     lambda: [g64(4, 2)]),
    ("nanquantile", lambda a: a.nanquantile(0.4, 1), lambda: [g64(2, 5)]),
    ("nansum", lambda a: a.nansum(1), lambda: [g64(2, 3)]),
    ("nanmean", lambda a: T.nanmean(a, 0, keepdim=True), lambda: [g64(2, 3)]),
    ("cdist", T.cdist, lambda: [g64(3, 2), g64(4, 2, seed=1)]),
    ("cdist-p1-batch", lambda a, b: T.cdist(a, b, p=1), lambda: [g64(2, 3, 2),
                                                              g64(2, 2, 2, seed=1)]),
    ("cdist-p3", lambda a, b: T.cdist(a, b, p=3), lambda: [g64(3, 2), g64(2, 2, seed=1)]),
    ("cdist-inf", lambda a, b: T.cdist(a, b, p=math.inf), lambda: [g64(3, 2),
                                                                g64(2, 2, seed=1)]),
    ("dist", T.dist, lambda: [g64(2, 3), g64(3, seed=1)]),
    ("dist-p3", lambda a, b: a.dist(b, 3), lambda: [g64(4), g64(4, seed=1)]),
    ("vector_norm-p3-dim", lambda a: T.linalg.vector_norm(a, 3, dim=1), lambda: [g64(2, 3)]),
    ("vector_norm-inf", lambda a: T.linalg.vector_norm(a, math.inf), lambda: [g64(2, 3)]),
    ("vector_norm-p0.5", lambda a: T.linalg.vector_norm(a, 0.5), lambda: [g64(5)]),
    ("matrix_norm-fro", T.linalg.matrix_norm, lambda: [g64(2, 3)]),
    ("matrix_norm-1", lambda a: T.linalg.matrix_norm(a, 1), lambda: [g64(3, 3)]),
    ("matrix_norm-inf-batch", lambda a: T.linalg.matrix_norm(a, -math.inf),
     lambda: [g64(2, 3, 3)]),
    ("linalg.norm", T.linalg.norm, lambda: [g64(2, 3)]),
    ("inv", T.linalg.inv, lambda: [_spd(3)]),
    ("inverse-batch", T.inverse, lambda: [nbgrad.stack([_spd(2), _spd(2, 1)]).detach()
                                          .requires_grad_()]),
    ("det", T.det, lambda: [g64(3, 3)]),
    ("det-batch", T.linalg.det, lambda: [g64(2, 2, 2)]),
    ("solve-vector", T.linalg.solve, lambda: [_spd(3), g64(3, seed=1)]),
    ("solve-matrix", T.linalg.solve, lambda: [_spd(3), g64(3, 2, seed=1)]),
    ("solve-broadcast", T.linalg.solve, lambda: [_spd(2), g64(3, 2, 2, seed=1)]),
]


@pytest.mark.parametrize("name,fn,make", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name: str, fn: Callable, make: Callable) -> None:
    assert gradcheck(fn, make())


def _first_derivative(f: Callable, n: int) -> Callable:
    def df(*xs: nbgrad.Tensor) -> tuple:
        out = f(*xs)
        out = out[0] + 2 * out[1] if isinstance(out, tuple) else out
        w = nbgrad.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                          dtype=nbgrad.float64)
        gs = grad((out * w).sum(), xs[:n], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None and g.requires_grad)
    return df


# Second derivatives of the ops whose first derivative depends on the input (the selections,
# one-sided clamps and p=1, inf norms are piecewise linear: their gradient is constant).
_PIECEWISE = {"clamp_min", "clamp_min-tensor", "clamp_max", "clamp_max-tensor", "lerp",
              "median", "median-dim", "nanmedian-dim", "kthvalue", "mode", "aminmax",
              "quantile", "quantile-dim-tensor-q", "quantile-midpoint", "nanquantile",
              "nansum", "nanmean", "cdist-p1-batch", "cdist-inf", "vector_norm-inf",
              "matrix_norm-1", "matrix_norm-inf-batch", "xlogy-number-other"}
GRADGRAD = [c for c in GRAD_CASES if c[0] not in _PIECEWISE]


@pytest.mark.parametrize("name,fn,make", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name: str, fn: Callable, make: Callable) -> None:
    inputs = make()
    df = _first_derivative(fn, len(inputs))
    assert df(*inputs), "the first derivative is not in the graph"
    assert gradcheck(df, inputs)


def test_least_squares_in_closed_form() -> None:
    """The lesson: w = solve(X^T X, X^T y) fits y = 2 x - 1 exactly, and d loss/dy flows."""
    x = nbgrad.linspace(0, 1, 5, dtype=nbgrad.float64)
    X = nbgrad.stack([x, nbgrad.ones_like(x)], 1)
    y = (2 * x - 1).requires_grad_()
    w = nbgrad.linalg.solve(X.T @ X, X.T @ y)
    assert np.allclose(w.detach().numpy(), [2.0, -1.0])
    w_inv = nbgrad.inverse(X.T @ X) @ X.T @ y
    assert np.allclose(w_inv.detach().numpy(), [2.0, -1.0])
    assert gradcheck(lambda t: nbgrad.linalg.solve(X.T @ X, X.T @ t), [y])


def test_erfinv_inverts_erf_to_the_last_digit() -> None:
    y = np.linspace(-1, 1, 2001)[1:-1]
    x = nbgrad.erfinv(nbgrad.tensor(y, dtype=nbgrad.float64))
    back = nbgrad.erf(x).numpy()
    assert np.max(np.abs(back - y)) < 4e-16
    near_one = nbgrad.erfinv(nbgrad.tensor([1 - 1e-15, -1 + 1e-12, 1.0, -1.0, 1.5],
                                           dtype=nbgrad.float64)).numpy()
    assert np.allclose(near_one[:2], [5.675915739744713, -5.042031898572696], rtol=1e-13)
    assert near_one[2] == math.inf and near_one[3] == -math.inf and math.isnan(near_one[4])


def test_numpy_returns_a_new_array_sharing_memory() -> None:
    x = nbgrad.arange(4.0)
    a, b = x.numpy(), x.numpy()
    assert a is not b and np.shares_memory(a, b)
    a[0] = 7.0
    assert x[0].item() == 7.0


def test_random_draws_follow_manual_seed() -> None:
    def draw() -> list:
        p = nbgrad.tensor([0.2, 0.5, 0.3])
        return [nbgrad.normal(nbgrad.zeros(3), nbgrad.ones(3)).tolist(),
                nbgrad.normal(0.0, 2.0, (2,)).tolist(), nbgrad.bernoulli(p).tolist(),
                nbgrad.multinomial(p, 2).tolist(), nbgrad.multinomial(p, 5, True).tolist(),
                nbgrad.poisson(nbgrad.tensor([1.0, 4.0])).tolist(),
                nbgrad.randint_like(p, 3, 9).tolist()]

    nbgrad.manual_seed(3)
    first = draw()
    nbgrad.manual_seed(3)
    assert draw() == first
    assert draw() != first  # the generator moved on


def test_random_draws_ranges() -> None:
    nbgrad.manual_seed(0)
    p = nbgrad.tensor([0.0, 1.0, 0.5])
    for _ in range(20):
        assert nbgrad.bernoulli(p)[:2].tolist() == [0.0, 1.0]
        picks = nbgrad.multinomial(nbgrad.tensor([0.0, 1.0, 2.0, 0.0]), 2).tolist()
        assert sorted(picks) == [1, 2]  # without replacement: each once, never weight 0
        r = nbgrad.randint_like(p, 3, 5)
        assert r.dtype == nbgrad.float32 and set(r.tolist()) <= {3.0, 4.0}
    counts = nbgrad.multinomial(nbgrad.tensor([1.0, 3.0]), 4000, True).bincount()
    assert 0.7 < counts[1].item() / 4000 < 0.8


# --- parity with torch ----------------------------------------------------------------------

torch = pytest.importorskip("torch")

from test_parity_errors import _check as _check_code  # noqa: E402
from test_parity_errors import cases as code_cases  # noqa: E402
from test_parity_ops import MAT, VEC, Case, _check, cases, const, leaf  # noqa: E402
from test_parity_snippets import check_prints_as_torch  # noqa: E402

_NAN_ROWS = [[1.0, NAN, 3.0, 2.0], [7.0, 2.0, 2.0, 0.0]]
_RUNS = [[3.0, 1.0, 3.0, 1.0, 2.0], [2.0, 2.0, 1.0, 0.0, 1.0]]
POS = {"lo": 0.5, "hi": 2.0}


@cases(
    Case("clamp_min", lambda T, a: T.clamp_min(a, 0.3), leaf(MAT)),
    Case("clamp_min-method-tensor", lambda T, a, b: a.clamp_min(b), leaf(MAT), leaf((3,))),
    Case("clamp_min-int-float", lambda T, a: T.clamp_min(a, 2.5), const([1, 2, 3], dtype="int64")),
    Case("clamp_min-int-tensor", lambda T, a, b: T.clamp_min(a, b), const([1, 5], dtype="int64"),
         leaf([2.0, 3.0])),
    Case("clamp_max", lambda T, a: T.clamp_max(a, -0.3), leaf(MAT)),
    Case("clamp_max-tensor-ties", lambda T, a, b: T.clamp_max(a, b), leaf([0.4, 0.5, 1.5]),
         leaf([0.4, 1.0, 1.0])),
    Case("clamp_min-tensor-ties", lambda T, a, b: T.clamp_min(a, b), leaf([0.4, 0.5, 1.5]),
         leaf([0.4, 1.0, 1.0])),
    Case("lerp", lambda T, a, b: T.lerp(a, b, 0.3), leaf(MAT), leaf((3,))),
    Case("lerp-method-weight-tensor", lambda T, a, b, w: a.lerp(b, w), leaf(MAT), leaf(MAT),
         leaf((2, 1))),
    Case("lerp-int-weight", lambda T, a, b: T.lerp(a, b, 1), leaf(VEC), leaf(VEC)),
    Case("logaddexp", lambda T, a, b: T.logaddexp(a, b), leaf(MAT), leaf((3,))),
    Case("logaddexp-infs", lambda T, a, b: T.logaddexp(a, b),
         leaf([math.inf, -math.inf, 1.0, -math.inf]), leaf([math.inf, -math.inf, 1.0, 2.0])),
    Case("logaddexp-float64", lambda T, a, b: a.logaddexp(b), leaf(VEC),
         leaf(VEC, dtype="float64")),
    Case("hypot", lambda T, a, b: T.hypot(a, b), leaf(MAT), leaf((3,))),
    Case("hypot-zeros", lambda T, a, b: T.hypot(a, b), leaf([0.0, 0.0, 3.0]),
         leaf([0.0, 1.0, 4.0])),
    Case("sinc", lambda T, a: T.sinc(a), leaf([0.0, 0.5, 1.0, -1.5, 2.25])),
    Case("sinc-method", lambda T, a: a.sinc(), leaf(MAT)),
    Case("sinc-int", lambda T, a: T.sinc(a), const([0, 1, 2], dtype="int64")),
    Case("xlogy", lambda T, a, b: T.xlogy(a, b), leaf([0.0, 0.0, 1.0, 2.0, NAN]),
         leaf([0.0, 1.0, 0.0, 3.0, 1.0])),
    Case("xlogy-nan-other", lambda T, a, b: T.xlogy(a, b), leaf([0.0, 1.0]), leaf([NAN, 2.0])),
    Case("xlogy-number-other", lambda T, a: a.xlogy(2.0), leaf(MAT)),
    Case("xlogy-number-self", lambda T, b: T.xlogy(2.0, b), leaf(MAT, **POS)),
    Case("xlogy-int-float", lambda T, a, b: T.xlogy(a, b), const([0, 1, 2], dtype="int64"),
         leaf([1.0, 2.0, 3.0])),
    Case("logit", lambda T, a: T.logit(a), leaf([0.2, 0.5, 0.9, 1.5, -0.5, 0.0, 1.0])),
    Case("logit-eps", lambda T, a: a.logit(0.3), leaf([0.05, 0.5, 0.99, 0.3, 0.7])),
    Case("logit-eps-edges", lambda T, a: T.logit(a, eps=1e-6), leaf([0.0, 1.0, 0.5, -1.0])),
    Case("logit-int", lambda T, a: T.logit(a), const([0, 1, 2], dtype="int64")),
    Case("erfc", lambda T, a: T.erfc(a), leaf(MAT)),
    Case("erfc-method-int", lambda T, a: a.erfc(), const([1, 2, 3], dtype="int64")),
    Case("erfinv", lambda T, a: T.erfinv(a), leaf([-1.0, -0.7, 0.0, 0.3, 0.99, 1.0, 1.5])),
    Case("erfinv-float64", lambda T, a: a.erfinv(), leaf((5,), lo=-0.99, hi=0.99,
                                                         dtype="float64")),
    Case("heaviside", lambda T, a, b: T.heaviside(a, b), const([-1.0, 0.0, 2.0, NAN]),
         const([0.5])),
    Case("heaviside-int", lambda T, a, b: a.heaviside(b), const([-1, 0, 2], dtype="int64"),
         const([7], dtype="int64")),
)
def test_elementwise(case: Case) -> None:
    _check(case)


@cases(
    Case("median", lambda T, a: a.median(), leaf([[1.0, 5.0, 3.0, 2.0], [7.0, 2.0, 2.0, 0.0]])),
    Case("median-ties", lambda T, a: T.median(a), leaf([[1.0, 2.0, 2.0], [2.0, 5.0, 5.0]])),
    Case("median-dim", lambda T, a: a.median(1), leaf([[1.0, 5.0, 3.0, 2.0],
                                                       [7.0, 2.0, 2.0, 0.0]])),
    Case("median-dim0-keepdim", lambda T, a: T.median(a, 0, keepdim=True), leaf((4, 3))),
    Case("median-nan", lambda T, a: a.median(1), leaf(_NAN_ROWS)),
    Case("median-int", lambda T, a: a.median(), const([3, 1, 2, 5], dtype="int64")),
    Case("median-0d", lambda T, a: a.median(0), leaf(())),
    Case("nanmedian", lambda T, a: a.nanmedian(), leaf(_NAN_ROWS)),
    Case("nanmedian-dim", lambda T, a: T.nanmedian(a, 1), leaf([[1.0, NAN, 3.0, 2.0],
                                                               [NAN, NAN, 2.0, 0.0]])),
    Case("kthvalue", lambda T, a: a.kthvalue(2), leaf((3, 4))),
    Case("kthvalue-dim0-keepdim", lambda T, a: T.kthvalue(a, 3, 0, True), leaf((4, 2))),
    Case("kthvalue-nan", lambda T, a: a.kthvalue(4), leaf([[1.0, NAN, 3.0, 2.0]])),
    Case("mode", lambda T, a: a.mode(), leaf(_RUNS)),
    Case("mode-dim0", lambda T, a: T.mode(a, 0), leaf([[1.0, 2.0, 2.0], [0.0, 5.0, 2.0]])),
    Case("mode-int", lambda T, a: a.mode(), const([[2, 2, 1], [0, 1, 1]], dtype="int64")),
    Case("quantile", lambda T, a: T.quantile(a, 0.3), leaf(MAT)),
    Case("quantile-dim-tensor-q", lambda T, a, q: a.quantile(q, dim=1), leaf((2, 5)),
         const([0.25, 0.5, 1.0])),
    Case("quantile-keepdim", lambda T, a: T.quantile(a, 0.6, 0, keepdim=True), leaf((4, 3))),
    Case("quantile-q-keepdim-all", lambda T, a, q: T.quantile(a, q, keepdim=True), leaf(MAT),
         const([0.2, 0.5])),
    Case("quantile-nan", lambda T, a: T.quantile(a, 0.5, dim=1), leaf([[1.0, NAN, 3.0],
                                                                      [7.0, 2.0, 0.0]])),
    Case("nanquantile", lambda T, a: a.nanquantile(0.5, 1), leaf([[1.0, NAN, 3.0],
                                                                  [NAN, NAN, NAN]])),
    Case("nansum", lambda T, a: a.nansum(), leaf([[1.0, NAN, 3.0], [7.0, 2.0, 0.0]])),
    Case("nansum-dim-keepdim", lambda T, a: T.nansum(a, 1, keepdim=True),
         leaf([[1.0, NAN, 3.0], [7.0, 2.0, 0.0]])),
    Case("nansum-int", lambda T, a: a.nansum(), const([1, 2], dtype="int64")),
    Case("nansum-dtype", lambda T, a: a.nansum(dtype=T.float64), leaf(MAT)),
    Case("nanmean", lambda T, a: a.nanmean(), leaf([[1.0, NAN, 3.0], [7.0, 2.0, 0.0]])),
    Case("nanmean-dims", lambda T, a: T.nanmean(a, (0, 1)), leaf([[1.0, NAN], [7.0, 2.0]])),
    Case("nanmean-dim", lambda T, a: a.nanmean(0), leaf([[1.0, NAN, 3.0], [7.0, 2.0, NAN]])),
)
def test_statistics(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_interpolations(interpolation: str) -> None:
    _check(Case(f"quantile-{interpolation}",
                lambda T, a, q: T.quantile(a, q, dim=0, interpolation=interpolation),
                leaf((4, 3)), const([0.0, 1 / 6, 0.25, 0.5, 0.75, 1.0])))


@cases(
    Case("aminmax-min", lambda T, a: T.aminmax(a).min, leaf([[1.0, 2.0, 2.0], [2.0, 5.0, 5.0]])),
    Case("aminmax-max", lambda T, a: T.aminmax(a).max, leaf([[1.0, 2.0, 2.0], [2.0, 5.0, 5.0]])),
    Case("aminmax-dim-max", lambda T, a: a.aminmax(dim=1).max, leaf([[1.0, 2.0, 2.0],
                                                                    [2.0, 5.0, 5.0]])),
    Case("aminmax-keepdim-min", lambda T, a: T.aminmax(a, dim=0, keepdim=True)[0], leaf(MAT)),
)
def test_aminmax(case: Case) -> None:
    """Each of the two results, with its gradient."""
    _check(case)


@cases(
    Case("cdist", lambda T, a, b: T.cdist(a, b), leaf((3, 2)), leaf((4, 2))),
    Case("cdist-p1", lambda T, a, b: T.cdist(a, b, p=1), leaf((2, 3, 2)), leaf((2, 4, 2))),
    Case("cdist-inf", lambda T, a, b: T.cdist(a, b, p=math.inf), leaf((3, 2)), leaf((2, 2))),
    Case("cdist-p0", lambda T, a, b: T.cdist(a, b, p=0), leaf((3, 2)), leaf((2, 2))),
    Case("dist", lambda T, a, b: T.dist(a, b), leaf(MAT), leaf((3,))),
    Case("dist-p1", lambda T, a, b: a.dist(b, 1), leaf(VEC), leaf(VEC)),
    Case("dist-inf", lambda T, a, b: a.dist(b, math.inf), leaf(VEC), leaf(VEC)),
    Case("dist-p3", lambda T, a, b: a.dist(b, 3), leaf(VEC), leaf(VEC)),
    Case("norm", lambda T, a: T.linalg.norm(a), leaf(MAT)),
    Case("norm-ord1-vector", lambda T, a: T.linalg.norm(a, 1), leaf(VEC)),
    Case("norm-dim", lambda T, a: T.linalg.norm(a, dim=1), leaf(MAT)),
    Case("norm-dims", lambda T, a: T.linalg.norm(a, dim=(0, 1), keepdim=True), leaf(MAT)),
    Case("norm-ord-inf-matrix", lambda T, a: T.linalg.norm(a, math.inf), leaf(MAT)),
    Case("vector_norm", lambda T, a: T.linalg.vector_norm(a), leaf(MAT)),
    Case("vector_norm-p3-dim", lambda T, a: T.linalg.vector_norm(a, 3, dim=1), leaf(MAT)),
    Case("vector_norm-inf", lambda T, a: T.linalg.vector_norm(a, math.inf),
         leaf([3.0, -4.0, 4.0])),
    Case("vector_norm-minus-inf", lambda T, a: T.linalg.vector_norm(a, -math.inf), leaf(MAT)),
    Case("vector_norm-0", lambda T, a: T.linalg.vector_norm(a, 0), leaf([1.0, 0.0, 2.0])),
    Case("vector_norm-dtype", lambda T, a: T.linalg.vector_norm(a, dtype=T.float64), leaf(VEC)),
    Case("matrix_norm", lambda T, a: T.linalg.matrix_norm(a), leaf(MAT)),
    Case("matrix_norm-1", lambda T, a: T.linalg.matrix_norm(a, 1), leaf(MAT)),
    Case("matrix_norm-minus-1", lambda T, a: T.linalg.matrix_norm(a, -1), leaf((3, 3))),
    Case("matrix_norm-inf-keepdim",
         lambda T, a: T.linalg.matrix_norm(a, math.inf, keepdim=True), leaf((2, 2, 3))),
    Case("inv", lambda T, a: T.linalg.inv(a), leaf([[2.0, 1.0], [1.0, 3.0]])),
    Case("inverse-method", lambda T, a: a.inverse(), leaf([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0],
                                                           [0.5, 0.0, 1.0]])),
    Case("det", lambda T, a: T.det(a), leaf([[2.0, 1.0], [1.0, 3.0]])),
    Case("det-method-batch", lambda T, a: a.det(), leaf((2, 3, 3))),
    Case("det-singular", lambda T, a: T.linalg.det(a), const([[1.0, 2.0], [2.0, 4.0]])),
    Case("solve", lambda T, a, b: T.linalg.solve(a, b), leaf([[2.0, 1.0], [1.0, 3.0]]),
         leaf([1.0, 2.0])),
    Case("solve-matrix", lambda T, a, b: T.linalg.solve(a, b), leaf([[2.0, 1.0], [1.0, 3.0]]),
         leaf((2, 3))),
    Case("solve-batch-vectors", lambda T, a, b: T.linalg.solve(a, b),
         leaf([[[2.0, 1.0], [1.0, 3.0]], [[1.0, 0.5], [0.0, 2.0]]]), leaf((2, 2))),
)
def test_distances_and_linalg(case: Case) -> None:
    _check(case)


@code_cases(
    lerp_int="out = T.lerp(T.tensor([1, 2]), T.tensor([1, 2]), 0.5)",
    lerp_int_tensor_weight="out = T.lerp(T.tensor([1, 2]), T.tensor([1, 2]), T.tensor([1, 2]))",
    lerp_dtype_end="out = T.lerp(T.tensor([1., 2.]), T.tensor([1., 2.]).double(), 0.5)",
    lerp_dtype_weight="out = T.lerp(T.ones(2), T.ones(2), T.tensor([1, 2]))",
    lerp_number_end="out = T.lerp(T.ones(2), 2., 0.5)",
    lerp_shapes="out = T.lerp(T.ones(2), T.ones(3), 0.5)",
    logaddexp_int="out = T.logaddexp(T.tensor([1]), T.tensor([2]))",
    logaddexp_number="out = T.logaddexp(T.ones(2), 2.)",
    hypot_int="out = T.hypot(T.tensor([1]), T.tensor([2]))",
    hypot_number="out = T.hypot(T.ones(2), 2.)",
    hypot_int_float="out = T.hypot(T.tensor([3.]), T.tensor([4]))",
    xlogy_numbers="out = T.xlogy(2, 3)",
    xlogy_str="out = T.xlogy(T.ones(2), 'a')",
    xlogy_int_inplace="out = T.tensor([1, 2]).xlogy_(2)",
    logit_str="out = T.logit(T.ones(2), 'a')",
    logit_int_inplace="out = T.tensor([1, 2]).logit_()",
    clamp_min_none="out = T.clamp_min(T.ones(2), None)",
    clamp_min_shapes="out = T.clamp_min(T.ones(2), T.ones(3))",
    clamp_min_dtypes="out = T.clamp_min(T.ones(2), T.ones(2).double())",
    clamp_min_inplace_leaf="out = T.ones(2, requires_grad=True).clamp_min_(0.5)",
    heaviside_number="out = T.heaviside(T.ones(2), 1)",
    heaviside_dtypes="out = T.heaviside(T.tensor([1]), T.tensor([1.]))",
    heaviside_backward="""
        x = T.tensor([0., 0.5], requires_grad=True)
        out = T.heaviside(x, T.tensor([0.5]))
        print(out)
        out.sum().backward()
    """,
    median_empty="out = T.tensor([]).median()",
    median_empty_dim="out = T.tensor([]).median(0)",
    median_dim_float="out = T.ones(3).median(0.5)",
    mode_empty="out = T.tensor([]).mode()",
    kthvalue_big="out = T.ones(2, 4).kthvalue(5)",
    kthvalue_zero="out = T.ones(2, 4).kthvalue(0, 0)",
    kthvalue_float="out = T.ones(2, 4).kthvalue(1.5)",
    aminmax_empty="out = T.tensor([]).aminmax()",
    aminmax_empty_dim="out = T.ones(0, 2).aminmax(dim=0)",
    aminmax_positional="out = T.aminmax(T.ones(2), 0)",
    aminmax_int="out = T.tensor([3, 1]).aminmax()",
    quantile_int="out = T.quantile(T.tensor([1, 2]), 0.5)",
    quantile_range="out = T.quantile(T.ones(3), 1.5)",
    quantile_interpolation="out = T.ones(3).quantile(0.5, interpolation='foo')",
    quantile_empty="out = T.quantile(T.tensor([]), 0.5)",
    quantile_q_2d="out = T.quantile(T.ones(3), T.tensor([[0.5]]))",
    quantile_q_dtype="out = T.quantile(T.ones(3), T.tensor([0.5]).double())",
    quantile_q_0d="out = T.quantile(T.tensor([1., 4.]), T.tensor(0.5))",
    nanmean_int="out = T.tensor([1, 2]).nanmean()",
    nanmean_all_nan="out = T.tensor([float('nan')]).nanmean()",
    histc="out = T.histc(T.tensor([[1., 5., 3., 2.], [7., 2., 2., 0.]]), bins=4)",
    histc_range="out = T.tensor([0., 1., 2., 3., 4.]).histc(2, 1, 3)",
    histc_same="out = T.histc(T.tensor([1., 1.]), bins=3)",
    histc_f64="out = T.histc(T.tensor([1., 2.]).double(), bins=2)",
    histc_int="out = T.histc(T.tensor([1, 2]), bins=3)",
    histc_bins="out = T.histc(T.tensor([1., 2.]), bins=-1)",
    histc_min_max="out = T.histc(T.tensor([1., 2.]), bins=3, min=3, max=1)",
    histc_requires_grad="out = T.histc(T.tensor([1., 2., 2.], requires_grad=True), bins=3)",
    bincount="out = T.bincount(T.tensor([0, 2, 2, 5]))",
    bincount_weights="out = T.tensor([0, 2, 2]).bincount(T.tensor([0.5, 1., 2.]))",
    bincount_int_weights="out = T.bincount(T.tensor([0, 1]), T.tensor([1, 2]))",
    bincount_minlength="out = T.bincount(T.tensor([1]), minlength=4)",
    bincount_empty="out = T.bincount(T.tensor([], dtype=T.long))",
    bincount_negative="out = T.bincount(T.tensor([-1, 2]))",
    bincount_float="out = T.bincount(T.tensor([1., 2.]))",
    bincount_2d="out = T.bincount(T.tensor([[1, 2]]))",
    bincount_minlength_negative="out = T.bincount(T.tensor([1]), minlength=-1)",
    bincount_weights_length="out = T.bincount(T.tensor([0, 1]), T.tensor([1., 2., 3.]))",
    searchsorted="out = T.searchsorted(T.tensor([1., 3., 5.]), T.tensor([3., 6., 0.]))",
    searchsorted_right="out = T.searchsorted(T.tensor([1., 3., 5.]), T.tensor([3.]), right=True)",
    searchsorted_side="out = T.searchsorted(T.tensor([1., 3.]), T.tensor([3.]), side='right')",
    searchsorted_2d="out = T.searchsorted(T.tensor([[1., 3.], [2., 4.]]), T.tensor([[2.], [3.]]))",
    searchsorted_int32="out = T.searchsorted(T.tensor([1., 3.]), T.tensor([2.]), out_int32=True)",
    searchsorted_scalar="out = T.searchsorted(T.tensor([1., 3.]), 2.)",
    searchsorted_sorter="out = T.searchsorted(T.tensor([3., 1.]), T.tensor([2.]), "
                        "sorter=T.tensor([1, 0]))",
    searchsorted_shapes="out = T.searchsorted(T.tensor([[1., 3.]]), T.tensor([3.]))",
    searchsorted_opposites="out = T.searchsorted(T.ones(2), T.ones(1), side='left', right=True)",
    bucketize="out = T.bucketize(T.tensor([[3., 1.]]), T.tensor([1., 3.]), right=True)",
    bucketize_2d="out = T.bucketize(T.tensor([2.]), T.tensor([[1., 3.]]))",
    cdist_columns="out = T.cdist(T.ones(2, 3), T.ones(4, 2))",
    cdist_1d="out = T.cdist(T.ones(3), T.ones(3))",
    cdist_negative_p="out = T.cdist(T.ones(2, 3), T.ones(4, 3), p=-1)",
    dist_shapes="out = T.dist(T.ones(2), T.ones(3))",
    dist_int="out = T.dist(T.tensor([1, 2]), T.tensor([0, 0]))",
    dist_p0="out = T.dist(T.tensor([1., 2.]), T.tensor([0., 2.]), 0)",
    dist_p0_backward="""
        a = T.tensor([1., 2.], requires_grad=True)
        T.dist(a, T.tensor([0., 2.]), 0).backward()
        out = a.grad
    """,
    vector_norm_int="out = T.linalg.vector_norm(T.tensor([1, 2]))",
    matrix_norm_1d="out = T.linalg.matrix_norm(T.ones(3))",
    matrix_norm_order="out = T.linalg.matrix_norm(T.ones(2, 2), 3)",
    norm_3d_ord="out = T.linalg.norm(T.ones(2, 2, 2), 2)",
    norm_3d="out = T.linalg.norm(T.ones(2, 2, 2))",
    norm_fro_1d="out = T.linalg.norm(T.ones(3), 'fro')",
    inv_singular="out = T.linalg.inv(T.tensor([[1., 2.], [2., 4.]]))",
    inv_singular_batch="out = T.inverse(T.stack([T.eye(2), T.tensor([[1., 2.], [2., 4.]])]))",
    inv_singular_first_column="out = T.linalg.inv(T.tensor([[0., 1.], [0., 2.]]))",
    inv_not_square="out = T.linalg.inv(T.ones(2, 3))",
    inv_vector="out = T.linalg.inv(T.ones(3))",
    inv_int="out = T.linalg.inv(T.tensor([[1, 2], [3, 4]]))",
    inv_singular_is_linalg_error="""
        try:
            T.linalg.inv(T.zeros(2, 2))
        except T.linalg.LinAlgError as e:
            out = isinstance(e, RuntimeError)
    """,
    det_not_square="out = T.linalg.det(T.ones(2, 3))",
    det_int="out = T.det(T.tensor([[1, 2], [3, 4]]))",
    solve_singular="out = T.linalg.solve(T.tensor([[1., 2.], [2., 4.]]), T.ones(2))",
    solve_shapes="out = T.linalg.solve(T.eye(2), T.ones(3))",
    solve_shapes_matrix="out = T.linalg.solve(T.eye(2), T.ones(3, 2))",
    solve_not_square="out = T.linalg.solve(T.ones(2, 3), T.ones(2))",
    solve_dtypes="out = T.linalg.solve(T.eye(2), T.ones(2).double())",
)
def test_errors_and_results(code: str) -> None:
    _check_code(code)


@code_cases(
    normal_tensors="out = T.normal(T.zeros(2, 3), T.ones(3)).shape",
    normal_mean_tensor="out = T.normal(T.zeros(2, dtype=T.float64), 1.).dtype",
    normal_std_tensor="out = T.normal(0., T.ones(3)).shape",
    normal_size="out = T.normal(0, 1, (2,)).dtype",
    normal_negative_std="out = T.normal(T.zeros(2), -T.ones(2))",
    normal_negative_std_number="out = T.normal(0., -1., size=(2,))",
    normal_numbers="out = T.normal(0., 1.)",
    normal_int="out = T.normal(T.tensor([0, 1]), 1.)",
    normal_shapes="out = T.normal(T.zeros(2), T.ones(3))",
    normal_grad_fn="""
        m = T.zeros(2, requires_grad=True)
        s = T.ones(2, requires_grad=True)
        out = [T.normal(m, 1.).grad_fn.name(), T.normal(0., s).grad_fn.name(),
               T.normal(m, s).grad_fn.name()]
        T.normal(m, s).sum().backward()
        out.append((m.grad, s.grad))
    """,
    bernoulli="out = (T.bernoulli(T.tensor([0., 1.])), T.bernoulli(T.ones(2).double()).dtype)",
    bernoulli_p="out = T.bernoulli(T.ones(3), 0.).tolist()",
    bernoulli_range="out = T.bernoulli(T.tensor([1.5]))",
    bernoulli_int="out = T.bernoulli(T.tensor([1, 0]))",
    bernoulli_grad="""
        p = T.tensor([0.5], requires_grad=True)
        b = T.bernoulli(p)
        b.sum().backward()
        out = (b.grad_fn.name(), p.grad)
    """,
    bernoulli_inplace_int="out = T.ones(3, dtype=T.long).bernoulli_(1.)",
    multinomial_replacement="out = T.multinomial(T.tensor([0., 1.]), 4, replacement=True)",
    multinomial_too_many="out = T.multinomial(T.tensor([0.2, 0.8]), 3)",
    multinomial_rows="out = T.multinomial(T.tensor([[0., 1.], [1., 0.]]), 1)",
    multinomial_zero_weights_last="out = T.tensor([0., 1.]).multinomial(2)",
    multinomial_negative="out = T.multinomial(T.tensor([-1., 1.]), 1)",
    multinomial_zero_sum="out = T.multinomial(T.tensor([0., 0.]), 1)",
    multinomial_int="out = T.multinomial(T.tensor([1, 2]), 1)",
    multinomial_zero="out = T.multinomial(T.ones(2), 0)",
    multinomial_3d="out = T.multinomial(T.ones(2, 2, 2), 1)",
    randint_like="out = (T.randint_like(T.ones(2, 3), 10).shape, "
                 "T.randint_like(T.ones(2), 5).dtype)",
    randint_like_int="out = T.randint_like(T.tensor([1, 2]), 1, 2)",
    randint_like_range="out = T.randint_like(T.ones(2), 3, 1)",
    poisson_zero="out = T.poisson(T.zeros(2, 2))",
    poisson_negative="out = T.poisson(T.tensor([-1.]))",
    poisson_int="out = T.poisson(T.tensor([1, 2]))",
    poisson_grad="""
        r = T.tensor([1., 2.], requires_grad=True)
        out = T.poisson(r)
        out.sum().backward()
        out = (out.grad_fn.name(), r.grad)
    """,
)
def test_random_draws(code: str) -> None:
    _check_code(code)


@pytest.mark.parametrize("code", [
    "x = T.tensor([1., 4., 2.]); print(x.clamp_min_(1.5), x.clamp_max_(3.), x)",
    "x = T.tensor([1., 4.]); x.lerp_(T.tensor([3., 0.]), 0.25); print(x)",
    "x = T.tensor([0.2, 0.7], requires_grad=True); y = x * 1; y.logit_(0.25); print(y)",
    "x = T.tensor([0.5, 2.]).requires_grad_(); y = x + 0; y.erfinv_(); print(y)",
    "x = T.tensor([0., 1.5]); print(x.sinc_(), x.erfc_())",
    "x = T.tensor([3., 0.]); print(x.hypot_(T.tensor([4., 0.])), x.xlogy_(2.))",
    "x = T.tensor([-1., 0., 1.]); print(x.heaviside_(T.tensor([0.5])))",
    "x = T.tensor([[1., 5.], [7., 2.]]); print(x.median(), x.median(0), x.nanmedian(1))",
    "print(T.return_types.median, type(T.tensor([1.]).aminmax()).__name__)",
    "v, i = T.tensor([3., 1., 2.]).kthvalue(2); print(v, i)",
    "r = T.aminmax(T.tensor([[1., 7.], [3., 0.]]), dim=0); print(r.min, r.max, r)",
    "x = T.arange(6.); print(x[2:].storage_offset(), x.view(2, 3)[1, 1:].storage_offset())",
    "x = T.arange(3.); print(x.numpy() is x.numpy(), x.storage_offset())",
])
def test_prints_as_torch(code: str) -> None:
    check_prints_as_torch(code)


def test_every_new_function_has_the_method_torch_has() -> None:
    names = ["clamp_min", "clamp_max", "lerp", "logaddexp", "hypot", "sinc", "xlogy", "logit",
             "erfc", "erfinv", "heaviside", "median", "nanmedian", "mode", "aminmax",
             "kthvalue", "quantile", "nanquantile", "nanmean", "nansum", "histc", "bincount",
             "dist", "det", "inverse", "bernoulli", "multinomial"]
    for name in names:
        assert hasattr(torch.Tensor, name) and hasattr(nbgrad.Tensor, name), name
        in_place = name + "_"
        assert hasattr(torch.Tensor, in_place) == hasattr(nbgrad.Tensor, in_place), in_place


def test_draws_have_torch_shapes_dtypes_and_ranges() -> None:
    nbgrad.manual_seed(1)
    torch.manual_seed(1)
    for T in (torch, nbgrad):
        p = T.tensor([[0.1, 0.9, 0.0], [0.5, 0.5, 1.0]])
        m = T.multinomial(p, 2)
        assert tuple(m.shape) == (2, 2) and str(m.dtype).endswith("int64")
        assert not (m[0] == 2).any().item()  # weight 0 is drawn last, never in the first two
        b = T.bernoulli(p)
        assert str(b.dtype).endswith("float32") and set(b.flatten().tolist()) <= {0.0, 1.0}
        n = T.normal(T.zeros(2, 1, dtype=T.float64), T.ones(3, dtype=T.float64))
        assert tuple(n.shape) == (2, 3) and str(n.dtype).endswith("float64")
        r = T.randint_like(T.ones(50, dtype=T.int32), 2, 4)
        assert str(r.dtype).endswith("int32") and set(r.tolist()) <= {2, 3}


def test_draws_with_manual_seed_in_a_notebook_cell() -> None:
    """What a lesson runs twice must print twice the same (not torch's numbers)."""
    out = []
    for _ in range(2):
        nbgrad.manual_seed(42)
        out.append(repr(nbgrad.normal(0.0, 1.0, (3,))) + repr(nbgrad.multinomial(
            nbgrad.tensor([0.3, 0.7]), 3, replacement=True)))
    assert out[0] == out[1]


_ = Any
