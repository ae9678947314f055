"""Every op of the issue list, run under torch 2.13 and nbgrad on the same numbers.

A case is written once as ``fn(T, *args)``, ``T`` being the module (torch or nbgrad). Its
arguments are described by ``leaf(...)`` (a float32 tensor that requires grad), ``const(...)``
(a tensor that does not) or plain Python values, made once from a fixed seed, so both libraries
see identical inputs. For each case we compare, between the two libraries:

* the printed result (``repr``, with its ``grad_fn=<...>``), torch's ``torch.`` read as
  ``nbgrad.``;
* the result's dtype, shape and values;
* after ``out.backward(G)`` for a fixed upstream gradient ``G``, every leaf's ``.grad``
  (to 1e-5; ``None`` where torch has ``None``).

Without torch installed, every test here is skipped.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch")


class leaf:  # noqa: N801 - reads as a constructor in the case table
    """A float32 tensor that requires grad: given values, or a shape filled from [lo, hi]."""

    requires_grad = True

    def __init__(self, values: Any, lo: float = -2.0, hi: float = 2.0, dtype: str = "float32"):
        self.values, self.lo, self.hi, self.dtype = values, lo, hi, dtype

    def array(self, rng: np.random.Generator) -> np.ndarray:
        if isinstance(self.values, tuple) and all(isinstance(s, int) for s in self.values):
            # numbers with two decimals, away from the ends, so printing is not a coin toss
            arr = np.round(rng.uniform(self.lo, self.hi, size=self.values), 2)
        else:
            arr = np.array(self.values)
        return arr.astype(self.dtype)


class const(leaf):  # noqa: N801
    """A tensor that does not require grad."""

    requires_grad = False


class Case:
    def __init__(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        self.name, self.fn, self.args = name, fn, args

    def arrays(self) -> list[Any]:
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        return [a.array(rng) if isinstance(a, leaf) else a for a in self.args]


def _build(T: Any, case: Case, arrays: list[Any]) -> tuple[list[Any], list[Any]]:
    args, leaves = [], []
    for spec, arr in zip(case.args, arrays):
        if isinstance(spec, leaf):
            t = T.tensor(arr.tolist(), dtype=getattr(T, spec.dtype),
                         requires_grad=spec.requires_grad)
            args.append(t)
            leaves.append(t)
        else:
            args.append(arr)
    return args, leaves


def _run(T: Any, case: Case, arrays: list[Any]) -> dict[str, Any]:
    """Everything observable about one case under module ``T``."""
    args, leaves = _build(T, case, arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # x.T on a vector warns (in both): not under test here
        out = case.fn(T, *args)
    seen: dict[str, Any] = {"repr": repr(out).replace("torch.", "nbgrad.")}
    main = out
    if isinstance(out, tuple):  # (values, indices) of max/min with a dim
        main = out[0]
        seen["indices"] = (str(out[1].dtype).split(".")[-1], out[1].numpy().tolist())
    seen["dtype"] = str(main.dtype).split(".")[-1]
    seen["shape"] = tuple(main.shape)
    seen["value"] = main.detach().numpy().astype(np.float64)
    seen["requires_grad"] = main.requires_grad
    seen["grad_fn"] = None if main.grad_fn is None else main.grad_fn.name().split("::")[-1]
    if main.requires_grad:
        g = np.arange(1, main.numel() + 1, dtype=np.float64).reshape(tuple(main.shape))
        g = ((g % 5) - 1.5) / 2  # a gradient with distinct, exactly representable entries
        main.backward(T.tensor(g.tolist(), dtype=main.dtype))
        seen["grads"] = [None if t.grad is None else t.grad.numpy().astype(np.float64)
                         for t in leaves]
        seen["grad_dtypes"] = [None if t.grad is None else str(t.grad.dtype).split(".")[-1]
                               for t in leaves]
    return seen


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[+-]\d+)?")


def _same_text(got: str, want: str) -> bool:
    """Equal text, except that a number may differ by one in its last printed digit: NumPy's
    and torch's float32 sin/exp may differ by an ulp, which can tip a rounding (the values
    themselves are compared separately, and printing is tested in test_printing)."""
    if got == want:
        return True
    if _NUMBER.sub("#", got) != _NUMBER.sub("#", want):
        return False
    for a, b in zip(_NUMBER.findall(got), _NUMBER.findall(want)):
        if a != b:
            decimals = a.split("e")[0].split(".")[1]
            if not decimals:  # "6." is an exact integer value: no rounding to tip
                return False
            step = 10.0 ** -len(decimals) * 10.0 ** int(
                a.split("e")[1] if "e" in a else 0)
            if abs(float(a) - float(b)) > 1.5 * step:
                return False
    return True


def _check(case: Case) -> None:
    arrays = case.arrays()
    want = _run(torch, case, arrays)
    got = _run(nbgrad, case, arrays)
    assert _same_text(got["repr"], want["repr"]), f"{got['repr']}\n!=\n{want['repr']}"
    for key in ("dtype", "shape", "requires_grad", "grad_fn", "indices", "grad_dtypes"):
        assert got.get(key) == want.get(key), key
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-5, atol=1e-6,
                               equal_nan=True)
    if "grads" in want:
        assert len(got["grads"]) == len(want["grads"])
        for i, (g, w) in enumerate(zip(got["grads"], want["grads"])):
            assert (g is None) == (w is None), f"grad of argument {i}: {g} vs torch {w}"
            if w is not None:
                assert g.shape == w.shape, f"grad of argument {i}"
                np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5,
                                           err_msg=f"grad of argument {i}")


def cases(*items: Case) -> Any:
    return pytest.mark.parametrize("case", items, ids=[c.name for c in items])


SCALAR, VEC, MAT = (), (4,), (2, 3)
POS = {"lo": 0.5, "hi": 2.0}  # for log, sqrt, division, powers with tensor exponents


# --- arithmetic -----------------------------------------------------------------------------

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}

# (shape of a, shape of b): equal, scalar-vector, 0-d with matrix, and the two broadcasts
SHAPES = [(SCALAR, SCALAR), (VEC, VEC), (SCALAR, VEC), (MAT, SCALAR), ((3, 1), (4,)),
          (MAT, (3,)), ((2, 1, 3), (4, 1))]


def _binary_cases() -> list[Case]:
    out = []
    for op, f in BINARY.items():
        for sa, sb in SHAPES:
            for order in ("ab", "ba") if sa != sb else ("ab",):
                x, y = (sa, sb) if order == "ab" else (sb, sa)
                out.append(Case(f"{op}-{x}-{y}", lambda T, a, b, f=f: f(a, b),
                                leaf(x, **POS), leaf(y, **POS)))
        # only one side requires grad
        out.append(Case(f"{op}-const-right", lambda T, a, b, f=f: f(a, b),
                        leaf(MAT, **POS), const((3,), **POS)))
        out.append(Case(f"{op}-const-left", lambda T, a, b, f=f: f(a, b),
                        const((3, 1), **POS), leaf((4,), **POS)))
    return out


def _number_cases() -> list[Case]:
    out = []
    for op, f in BINARY.items():
        for number in (2, 2.5, -1, 0.5, True):
            if op in ("pow", "sub") and number is True:
                continue  # torch refuses bool subtraction (see test_parity_errors)
            for shape in (SCALAR, VEC, MAT):
                out.append(Case(f"{op}-tensor-{number}-{shape}",
                                lambda T, a, n, f=f: f(a, n), leaf(shape, **POS), number))
                out.append(Case(f"{op}-{number}-tensor-{shape}",
                                lambda T, a, n, f=f: f(n, a), leaf(shape, **POS), number))
        # other dtypes: float64 keeps its dtype; an integer tensor is promoted by a float
        for number in (2, 2.5):
            out.append(Case(f"{op}-float64-{number}", lambda T, a, n, f=f: f(a, n),
                            leaf(VEC, dtype="float64", **POS), number))
            out.append(Case(f"{op}-int64-{number}", lambda T, a, n, f=f: f(a, n),
                            const([1, 2, 3], dtype="int64"), number))
    return out


@cases(*_binary_cases())
def test_binary_tensor_tensor(case: Case) -> None:
    _check(case)


@cases(*_number_cases(),
       Case("mul-numpy-float64", lambda T, a: a * np.float64(2.5), leaf(VEC)),
       Case("numpy-float64-times", lambda T, a: np.float64(2.5) * a, leaf(VEC)),
       Case("add-numpy-float64", lambda T, a: a + np.float64(0.5), leaf(MAT)),
       Case("div-numpy-float32", lambda T, a: a / np.float32(4), leaf(VEC)),
       Case("int-times-numpy-float64", lambda T, a: a * np.float64(2.5),
            const([1, 2], dtype="int64")))
def test_binary_with_python_number(case: Case) -> None:
    _check(case)


@cases(
    Case("neg-scalar", lambda T, a: -a, leaf(SCALAR)),
    Case("neg-matrix", lambda T, a: -a, leaf(MAT)),
    Case("neg-of-neg", lambda T, a: T.neg(-a), leaf(VEC)),
    Case("pos", lambda T, a: +a * 1, leaf(VEC)),
    Case("torch.neg", lambda T, a: T.neg(a), leaf(VEC)),
    Case("pow-fn-number", lambda T, a: T.pow(a, 3), leaf(VEC)),
    Case("pow-fn-tensors", lambda T, a, b: T.pow(a, b), leaf(MAT, **POS), leaf((3,))),
    Case("pow-method", lambda T, a: a.pow(0.5), leaf(VEC, **POS)),
    Case("pow-zero-exponent", lambda T, a: a**0, leaf(VEC)),
    Case("pow-negative-base-int-exp", lambda T, a: a**3, leaf(VEC)),
    Case("pow-zero-base", lambda T, a: a**2, leaf([0.0, 1.0, -1.0])),
    Case("square", lambda T, a: a.square(), leaf(MAT)),
    Case("add-alpha", lambda T, a, b: T.add(a, b, alpha=2), leaf(MAT), leaf((3,))),
    Case("sub-alpha", lambda T, a, b: a.sub(b, alpha=0.5), leaf(MAT), leaf((3,))),
    Case("mul-fn", lambda T, a, b: T.mul(a, b), leaf((3, 1)), leaf((4,))),
    Case("div-fn", lambda T, a, b: T.div(a, b), leaf((3, 1)), leaf((4,), **POS)),
    Case("float32*float64", lambda T, a, b: a * b, leaf(MAT), leaf((3,), dtype="float64")),
    Case("float32-vector*float64-0d", lambda T, a, b: a * b, leaf(VEC),
         leaf(SCALAR, dtype="float64")),
    Case("float64-0d/float32-vector", lambda T, a, b: a / b, leaf(SCALAR, dtype="float64"),
         leaf(VEC, **POS)),
    Case("int-tensor*float-leaf", lambda T, a, b: a * b, const([1, 2, 3], dtype="int64"),
         leaf((2, 3))),
    Case("bool-tensor+float-leaf", lambda T, a, b: a + b, const([True, False, True],
                                                                dtype="bool"), leaf((3,))),
    Case("float-leaf**int-tensor", lambda T, a, b: a**b, leaf((3,)),
         const([1, 2, 3], dtype="int64")),
    Case("same-tensor-twice", lambda T, a: a * a + a / a - a, leaf(VEC, **POS)),
    Case("chain", lambda T, a, b: (a * b + 1) ** 2 / (b + 3), leaf(MAT), leaf((3,), **POS)),
)
def test_arithmetic(case: Case) -> None:
    _check(case)


# --- matrix products ------------------------------------------------------------------------


@cases(
    Case("vec@vec", lambda T, a, b: a @ b, leaf((3,)), leaf((3,))),
    Case("mat@vec", lambda T, a, b: a @ b, leaf((2, 3)), leaf((3,))),
    Case("mat@mat", lambda T, a, b: a @ b, leaf((2, 3)), leaf((3, 4))),
    Case("vec@mat", lambda T, a, b: a @ b, leaf((3,)), leaf((3, 4))),
    Case("batch@batch", lambda T, a, b: a @ b, leaf((2, 3, 4)), leaf((2, 4, 2))),
    Case("batch@mat", lambda T, a, b: a @ b, leaf((2, 3, 4)), leaf((4, 2))),
    Case("mat@batch", lambda T, a, b: a @ b, leaf((3, 4)), leaf((2, 4, 2))),
    Case("const-mat@batch", lambda T, a, b: a @ b, const((3, 4)), leaf((2, 4, 2))),
    Case("mat@const-batch", lambda T, a, b: a @ b, leaf((3, 4)), const((2, 4, 2))),
    Case("const-batch@mat", lambda T, a, b: a @ b, const((2, 3, 4)), leaf((4, 2))),
    Case("batch@vec", lambda T, a, b: a @ b, leaf((2, 3, 4)), leaf((4,))),
    Case("vec@batch", lambda T, a, b: a @ b, leaf((4,)), leaf((2, 4, 3))),
    Case("broadcast-batches", lambda T, a, b: a @ b, leaf((2, 1, 2, 3)), leaf((3, 3, 2))),
    Case("matmul-fn", lambda T, a, b: T.matmul(a, b), leaf((2, 3)), leaf((3, 4))),
    Case("mm", lambda T, a, b: T.mm(a, b), leaf((2, 3)), leaf((3, 2))),
    Case("mv", lambda T, a, b: a.mv(b), leaf((2, 3)), leaf((3,))),
    Case("dot", lambda T, a, b: T.dot(a, b), leaf((3,)), leaf((3,))),
    Case("const@leaf", lambda T, a, b: a @ b, const((2, 3)), leaf((3, 4))),
    Case("leaf@const", lambda T, a, b: a @ b, leaf((2, 3)), const((3,))),
    Case("linear-layer", lambda T, x, w, b: x @ w.T + b, const((4, 3)), leaf((2, 3)), leaf((2,))),
)
def test_matmul(case: Case) -> None:
    _check(case)


# --- functions of one variable --------------------------------------------------------------

UNARY = {
    "sin": (lambda T, a: T.sin(a), {}),
    "cos": (lambda T, a: a.cos(), {}),
    "tan": (lambda T, a: T.tan(a), {"lo": -1.2, "hi": 1.2}),
    "exp": (lambda T, a: T.exp(a), {}),
    "log": (lambda T, a: T.log(a), POS),
    "sqrt": (lambda T, a: a.sqrt(), POS),
    "abs": (lambda T, a: T.abs(a), {}),
    "abs-builtin": (lambda T, a: abs(a), {}),
    "tanh": (lambda T, a: T.tanh(a), {}),
    "sigmoid": (lambda T, a: T.sigmoid(a), {}),
    "relu": (lambda T, a: T.relu(a), {}),
    "relu-method": (lambda T, a: a.relu(), {}),
    "log1p": (lambda T, a: T.log1p(a), {"lo": -0.5, "hi": 2.0}),
    "expm1": (lambda T, a: a.expm1(), {}),
    "log2": (lambda T, a: T.log2(a), POS),
    "log10": (lambda T, a: a.log10(), POS),
    "exp2": (lambda T, a: T.exp2(a), {}),
    "floor": (lambda T, a: T.floor(a), {}),
    "ceil": (lambda T, a: a.ceil(), {}),
    "round": (lambda T, a: T.round(a), {}),
    "round-decimals": (lambda T, a: T.round(a, decimals=1), {}),
    "trunc": (lambda T, a: a.trunc(), {}),
    "frac": (lambda T, a: T.frac(a), {}),
    "isnan": (lambda T, a: T.isnan(a.log()), {}),
    "isinf": (lambda T, a: (a / 0).isinf(), {}),
    "isfinite": (lambda T, a: T.isfinite(a.log()), {}),
}


def _unary_cases() -> list[Case]:
    out = []
    for name, (fn, rng) in UNARY.items():
        for shape in (SCALAR, VEC, MAT):
            out.append(Case(f"{name}-{shape}", fn, leaf(shape, **rng)))
    return out


@cases(*_unary_cases())
def test_unary(case: Case) -> None:
    _check(case)


@cases(
    Case("relu-at-zero", lambda T, a: T.relu(a), leaf([-1.0, 0.0, 2.0])),
    Case("abs-at-zero", lambda T, a: T.abs(a), leaf([-1.0, 0.0, 2.0])),
    Case("sigmoid-saturates", lambda T, a: T.sigmoid(a), leaf([-100.0, 0.0, 100.0])),
    Case("exp-large", lambda T, a: T.exp(a), leaf([10.0, 20.0, -20.0])),
    Case("log-of-zero", lambda T, a: T.log(a), leaf([0.0, 1.0, 2.0])),
    Case("sqrt-of-zero", lambda T, a: T.sqrt(a), leaf([0.0, 1.0, 4.0])),
    Case("tanh-large", lambda T, a: T.tanh(a), leaf([-30.0, 0.0, 30.0])),
    Case("float64", lambda T, a: T.sin(a) * T.exp(a), leaf(MAT, dtype="float64")),
    Case("sin-of-int", lambda T, a: T.sin(a), const([1, 2, 3], dtype="int64")),
    Case("exp-of-bool", lambda T, a: T.exp(a), const([True, False], dtype="bool")),
    Case("abs-of-int", lambda T, a: T.abs(a), const([-1, 2], dtype="int64")),
    Case("relu-of-int", lambda T, a: T.relu(a), const([-1, 2], dtype="int64")),
)
def test_unary_edges(case: Case) -> None:
    _check(case)


@cases(
    Case("clamp-both", lambda T, a: T.clamp(a, -0.5, 0.5), leaf(MAT)),
    Case("clamp-min", lambda T, a: a.clamp(min=0.0), leaf(MAT)),
    Case("clamp-max", lambda T, a: a.clamp(max=0.25), leaf(VEC)),
    Case("clamp-scalar", lambda T, a: T.clamp(a, 1e-8, 1 - 1e-8), leaf(SCALAR, 0, 1)),
    Case("clamp-at-bounds", lambda T, a: T.clamp(a, 0.0, 0.5), leaf([-1.0, 0.0, 0.25, 0.5, 1.0])),
    Case("clamp-int-bounds", lambda T, a: T.clamp(a, -1, 1), leaf(VEC)),
    Case("clamp-int-tensor", lambda T, a: T.clamp(a, 0, 2), const([-1, 1, 3], dtype="int64")),
    Case("clamp-int-tensor-float-bound", lambda T, a: T.clamp(a, 0.5),
         const([-1, 1, 3], dtype="int64")),
    Case("clip", lambda T, a: T.clip(a, -1, 1), leaf(VEC)),
    Case("clamp-tensor-bounds", lambda T, a, lo, hi: T.clamp(a, lo, hi),
         leaf(MAT), leaf((3,), -1, 0), leaf((3,), 0, 1)),
)
def test_clamp(case: Case) -> None:
    _check(case)


NAN, INF = float("nan"), float("inf")


def _times(out: Any, T: Any, factors: list[float]) -> Any:
    """``out`` times constant factors: its backward hands ``out``'s op those factors times the
    upstream gradient, so inf and nan gradients reach the op under test."""
    return out * T.tensor(factors)


@cases(
    Case("clamp-masks-inf-nan", lambda T, a: _times(T.clamp(a, 0, 1), T, [NAN, INF, 1.0]),
         leaf([5.0, -3.0, 0.5])),
    Case("clamp-min-masks", lambda T, a: _times(a.clamp(min=0), T, [NAN, INF, 1.0]),
         leaf([5.0, -3.0, 0.5])),
    Case("clamp-max-masks", lambda T, a: _times(a.clamp(max=1), T, [NAN, INF, 1.0]),
         leaf([5.0, -3.0, 0.5])),
    Case("clamp-tensor-bounds-mask", lambda T, a, lo, hi: _times(T.clamp(a, lo, hi), T,
                                                                   [NAN, INF, 1.0]),
         leaf([5.0, -3.0, 0.5]), leaf([0.0, 0.0, 0.0]), leaf([1.0, 1.0, 1.0])),
    Case("clamp-signed-zero", lambda T, a: T.clamp(a, -0.0, 0.0), leaf([-1.0, -0.0, 0.0, 0.5])),
    Case("clamp-min-zero-keeps-sign", lambda T, a: T.clamp(a, min=0.0),
         leaf([-1.0, -0.0, 0.0, 0.5])),
    Case("clamp-nan", lambda T, a: T.clamp(a, -1, 1), leaf([NAN, 2.0, -2.0])),
    Case("relu-masks-inf-nan", lambda T, a: _times(T.relu(a), T, [NAN, INF, 1.0]),
         leaf([-1.0, 0.0, 2.0])),
    Case("relu-of-nan", lambda T, a: T.relu(a), leaf([NAN, 1.0, -1.0])),
    Case("maximum-ties-and-nan", lambda T, a, b: T.maximum(a, b),
         leaf([1.0, NAN, 2.0, 3.0]), leaf([1.0, 0.0, NAN, 0.0])),
    Case("minimum-ties-and-nan", lambda T, a, b: T.minimum(a, b),
         leaf([1.0, NAN, 2.0, 3.0]), leaf([1.0, 0.0, NAN, 0.0])),
    Case("maximum-masks-inf", lambda T, a, b: _times(T.maximum(a, b), T, [INF, -INF, NAN]),
         leaf([5.0, -3.0, 0.0]), leaf([0.0, -3.0, 1.0])),
    Case("max-of-nan", lambda T, a: a.max(), leaf([1.0, NAN, 3.0])),
    Case("min-masks-inf", lambda T, a: _times(a.min().reshape(1), T, [INF]),
         leaf([1.0, -2.0, 3.0])),
    Case("sign-of-nan", lambda T, a: T.sign(a), const([NAN, -0.0, 0.0, -2.0])),
    Case("abs-of-nan", lambda T, a: T.abs(a), leaf([NAN, -1.0, 0.0])),
    Case("sign-masks-nan-grad", lambda T, a: _times(T.sign(a), T, [NAN, INF]), leaf([NAN, 1.0])),
)
def test_masked_gradients_and_edges(case: Case) -> None:
    """Where an op's gradient is masked, torch writes 0 there (where, not a product), so an
    inf or nan arriving from above does not leak through; NaN and signed zeros as torch."""
    _check(case)


# --- reductions -----------------------------------------------------------------------------


@cases(
    Case("sum", lambda T, a: a.sum(), leaf(MAT)),
    Case("sum-scalar", lambda T, a: a.sum(), leaf(SCALAR)),
    Case("sum-dim0", lambda T, a: a.sum(0), leaf(MAT)),
    Case("sum-dim-1", lambda T, a: T.sum(a, dim=-1), leaf(MAT)),
    Case("sum-keepdim", lambda T, a: a.sum(1, keepdim=True), leaf(MAT)),
    Case("sum-dims", lambda T, a: a.sum((0, 2)), leaf((2, 3, 4))),
    Case("sum-dims-keepdim", lambda T, a: a.sum([0, -1], keepdim=True), leaf((2, 3, 4))),
    Case("sum-of-int", lambda T, a: a.sum(), const([1, 2, 3], dtype="int64")),
    Case("sum-of-bool", lambda T, a: (a > 0).sum(), leaf(MAT)),
    Case("mean", lambda T, a: a.mean(), leaf(MAT)),
    Case("mean-vector", lambda T, a: T.mean(a), leaf(VEC)),
    Case("mean-dim", lambda T, a: a.mean(0), leaf(MAT)),
    Case("mean-dim-keepdim", lambda T, a: a.mean(dim=1, keepdim=True), leaf(MAT)),
    Case("mean-dims", lambda T, a: a.mean((1, 2)), leaf((2, 3, 4))),
    Case("mean-scalar", lambda T, a: a.mean(), leaf(SCALAR)),
    Case("sum-then-mean", lambda T, a: (a**2).sum(1).mean(), leaf((3, 4))),
)
def test_sum_mean(case: Case) -> None:
    _check(case)


@cases(
    Case("max", lambda T, a: a.max(), leaf(MAT)),
    Case("min", lambda T, a: T.min(a), leaf(MAT)),
    Case("max-ties", lambda T, a: a.max(), leaf([1.0, 3.0, 3.0, 2.0])),
    Case("min-ties", lambda T, a: a.min(), leaf([[1.0, 3.0], [1.0, 1.0]])),
    Case("max-dim", lambda T, a: a.max(dim=1), leaf(MAT)),
    Case("max-dim0", lambda T, a: T.max(a, 0), leaf((3, 4))),
    Case("max-dim-keepdim", lambda T, a: a.max(1, keepdim=True), leaf(MAT)),
    Case("min-dim", lambda T, a: a.min(dim=0), leaf(MAT)),
    Case("min-dim-keepdim", lambda T, a: T.min(a, -1, keepdim=True), leaf((2, 2, 3))),
    Case("max-dim-vector", lambda T, a: a.max(0), leaf(VEC)),
    Case("max-values", lambda T, a: a.max(dim=1).values * 2, leaf(MAT)),
    Case("max-indices", lambda T, a: a.max(dim=1).indices, leaf(MAT)),
    Case("min-unpacked", lambda T, a: T.min(a, 1)[0], leaf(MAT)),
    Case("max-dim-ties", lambda T, a: a.max(1), leaf([[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]])),
    Case("maximum", lambda T, a, b: T.maximum(a, b), leaf(MAT), leaf((3,))),
    Case("max-of-int", lambda T, a: a.max(), const([3, 1, 2], dtype="int64")),
    Case("argmax", lambda T, a: a.argmax(), leaf(MAT)),
    Case("argmax-dim", lambda T, a: T.argmax(a, dim=1), leaf(MAT)),
    Case("argmin-dim-keepdim", lambda T, a: a.argmin(0, keepdim=True), leaf(MAT)),
)
def test_max_min(case: Case) -> None:
    _check(case)


@cases(
    Case("softmax-vector", lambda T, a: T.softmax(a, dim=0), leaf(VEC)),
    Case("softmax-rows", lambda T, a: a.softmax(1), leaf(MAT)),
    Case("softmax-cols", lambda T, a: T.softmax(a, 0), leaf(MAT)),
    Case("softmax-last", lambda T, a: T.softmax(a, -1), leaf((2, 2, 3))),
    Case("softmax-large", lambda T, a: T.softmax(a, 0), leaf([1000.0, 1001.0, 999.0])),
    Case("log_softmax-vector", lambda T, a: T.log_softmax(a, 0), leaf(VEC)),
    Case("log_softmax-rows", lambda T, a: a.log_softmax(dim=1), leaf(MAT)),
    Case("log_softmax-first", lambda T, a: T.log_softmax(a, 0), leaf((2, 2, 3))),
    Case("log_softmax-large", lambda T, a: T.log_softmax(a, 0), leaf([-1000.0, 0.0, 1000.0])),
    Case("cross-entropy-by-hand", lambda T, a: -T.log_softmax(a, 1)[[0, 1], [2, 0]].mean(),
         leaf(MAT)),
    # over an empty dimension: an empty result, still recorded for backward
    Case("softmax-empty-dim", lambda T, a: T.softmax(a, dim=1), leaf((2, 0))),
    Case("softmax-empty-vector", lambda T, a: a.softmax(0), leaf((0,))),
    Case("softmax-empty-first", lambda T, a: T.softmax(a, 0), leaf((0, 3))),
    Case("softmax-empty-to-double", lambda T, a: T.softmax(a, -1, dtype=T.float64), leaf((2, 0))),
    Case("softmax-empty-int", lambda T, a: T.softmax(a, 1), const((2, 0), dtype="int64")),
    Case("log_softmax-empty", lambda T, a: T.log_softmax(a, dim=0), leaf((0,))),
    Case("log_softmax-empty-dim", lambda T, a: a.log_softmax(-1), leaf((3, 0))),
)
def test_softmax(case: Case) -> None:
    _check(case)


# --- selection and joining ------------------------------------------------------------------


@cases(
    Case("where", lambda T, a, b: T.where(a > 0, a, b), leaf(MAT), leaf(MAT)),
    Case("where-broadcast", lambda T, a, b: T.where(a > b, a, b), leaf((3, 1)), leaf((4,))),
    Case("where-number", lambda T, a: T.where(a > 0, a, 0.0), leaf(MAT)),
    Case("where-number-first", lambda T, a: T.where(a > 0, 1.0, a), leaf(MAT)),
    Case("where-method", lambda T, a, b: a.where(a < 0, b), leaf(VEC), leaf(VEC)),
    Case("where-const", lambda T, a, b: T.where(b > 0, a, b), leaf(VEC), const(VEC)),
    Case("where-scalar-cond", lambda T, a, b: T.where(a.sum() > 0, a, b), leaf(VEC), leaf(VEC)),
    Case("where-two-floats", lambda T, a: T.where(a > 0, 1.0, 0.0), leaf(MAT)),
    Case("where-two-ints", lambda T, a: T.where(a > 0, 1, 0), leaf(VEC)),
    Case("where-int-and-float", lambda T, a: T.where(a > 0, 1, 0.5), leaf(VEC)),
    Case("where-numpy-scalars", lambda T, a: T.where(a > 0, np.float64(1), np.int64(0)),
         leaf(VEC)),
)
def test_where(case: Case) -> None:
    _check(case)


@cases(
    Case("cat", lambda T, a, b: T.cat([a, b]), leaf((2, 3)), leaf((1, 3))),
    Case("cat-dim1", lambda T, a, b: T.cat((a, b), dim=1), leaf((2, 3)), leaf((2, 2))),
    Case("cat-dim-1", lambda T, a, b, c: T.cat([a, b, c], -1), leaf((2,)), leaf((3,)), leaf((1,))),
    Case("cat-const", lambda T, a, b: T.cat([a, b]), leaf((2,)), const((3,))),
    Case("cat-same", lambda T, a: T.cat([a, a * 2, a]), leaf((2,))),
    Case("stack", lambda T, a, b: T.stack([a, b]), leaf(VEC), leaf(VEC)),
    Case("stack-dim1", lambda T, a, b: T.stack((a, b), dim=1), leaf(MAT), leaf(MAT)),
    Case("stack-dim-1", lambda T, a, b, c: T.stack([a, b, c], -1), leaf(MAT), leaf(MAT),
         leaf(MAT)),
    Case("stack-scalars", lambda T, a, b: T.stack([a, b]), leaf(SCALAR), leaf(SCALAR)),
    Case("stack-const", lambda T, a, b: T.stack([a, b]), const(VEC), leaf(VEC)),
)
def test_cat_stack(case: Case) -> None:
    _check(case)


# --- shapes ---------------------------------------------------------------------------------


@cases(
    Case("reshape", lambda T, a: a.reshape(3, 2), leaf(MAT)),
    Case("reshape-tuple", lambda T, a: a.reshape((6,)), leaf(MAT)),
    Case("reshape-infer", lambda T, a: T.reshape(a, (-1, 2)), leaf((2, 2, 3))),
    Case("reshape-scalar", lambda T, a: a.reshape(1, 1), leaf(SCALAR)),
    Case("reshape-to-scalar", lambda T, a: a.reshape(()), leaf((1,))),
    Case("reshape-transposed", lambda T, a: a.t().reshape(-1), leaf(MAT)),
    Case("view", lambda T, a: a.view(3, 2), leaf(MAT)),
    Case("view-infer", lambda T, a: a.view(-1), leaf((2, 2, 3))),
    Case("view-as", lambda T, a, b: a.view_as(b), leaf(MAT), const((3, 2))),
    Case("flatten", lambda T, a: a.flatten(), leaf((2, 2, 3))),
    Case("flatten-from-1", lambda T, a: T.flatten(a, 1), leaf((2, 2, 3))),
    Case("view-then-op", lambda T, a: (a.view(3, 2) * 2).sum(0), leaf(MAT)),
    Case("view-zero-dim-tensor-size", lambda T, a: a.view(2, T.tensor(3)), leaf(MAT)),
    Case("sum-to-size", lambda T, a: a.sum_to_size(1, 3), leaf(MAT)),
    Case("contiguous-of-transposed", lambda T, a: a.t().contiguous(), leaf(MAT)),
    Case("to-float", lambda T, a: a.to(float), leaf(MAT)),
    Case("to-copy", lambda T, a: a.to(T.float32, copy=True), leaf(MAT)),
    Case("type-string", lambda T, a: a.type("torch.DoubleTensor"), leaf(MAT)),
)
def test_reshape_view(case: Case) -> None:
    _check(case)


@cases(
    Case("int", lambda T, a: a[1], leaf(MAT)),
    Case("negative-int", lambda T, a: a[-1], leaf(VEC)),
    Case("int-int", lambda T, a: a[1, 2], leaf(MAT)),
    Case("slice", lambda T, a: a[1:], leaf(VEC)),
    Case("slice-step", lambda T, a: a[::2], leaf((5,))),
    Case("slice-2d", lambda T, a: a[:, 1:3], leaf((3, 4))),
    Case("slice-int", lambda T, a: a[1:, 0], leaf((3, 4))),
    Case("ellipsis", lambda T, a: a[..., 1], leaf((2, 3, 4))),
    Case("full-slice", lambda T, a: a[:], leaf(VEC)),
    Case("full-slices-tuple", lambda T, a: a[:, :], leaf(MAT)),
    Case("whole-range-in-tuple", lambda T, a: a[0:2, 0:9], leaf(MAT)),
    Case("whole-range-alone", lambda T, a: a[0:2], leaf(MAT)),
    Case("ellipsis-alone", lambda T, a: a[...], leaf(MAT)),
    Case("ellipsis-slice", lambda T, a: a[..., ::1], leaf(MAT)),
    Case("negative-start-slice", lambda T, a: a[-2:, :], leaf(MAT)),
    Case("none", lambda T, a: a[None], leaf(VEC)),
    Case("none-middle", lambda T, a: a[:, None], leaf(MAT)),
    Case("list", lambda T, a: a[[0, 2]], leaf(VEC)),
    Case("list-repeats", lambda T, a: a[[0, 0, 1, 0]], leaf(VEC)),
    Case("list-rows", lambda T, a: a[[1, 0, 1]], leaf(MAT)),
    Case("two-lists", lambda T, a: a[[0, 1], [2, 0]], leaf(MAT)),
    Case("slice-list", lambda T, a: a[:, [0, 2]], leaf(MAT)),
    Case("long-tensor", lambda T, a, i: a[i], leaf(VEC), const([3, 1, 1], dtype="int64")),
    Case("bool-mask", lambda T, a: a[a > 0], leaf(MAT)),
    Case("bool-mask-rows", lambda T, a, m: a[m], leaf(MAT), const([True, False], dtype="bool")),
    Case("bool-mask-const", lambda T, a, m: a[m > 0], leaf(MAT), const(MAT)),
    Case("index-then-op", lambda T, a: a[0] * a[1], leaf(MAT)),
    Case("scalar-from-vector", lambda T, a: a[2], leaf(VEC)),
)
def test_indexing(case: Case) -> None:
    _check(case)


@cases(
    Case("transpose", lambda T, a: a.transpose(0, 1), leaf(MAT)),
    Case("transpose-fn", lambda T, a: T.transpose(a, -1, 0), leaf((2, 3, 4))),
    Case("permute", lambda T, a: a.permute(2, 0, 1), leaf((2, 3, 4))),
    Case("permute-tuple", lambda T, a: T.permute(a, (1, 0, 2)), leaf((2, 3, 4))),
    Case("T", lambda T, a: a.T, leaf(MAT)),
    Case("T-vector", lambda T, a: a.T, leaf(VEC)),
    Case("T-3d", lambda T, a: a.T, leaf((2, 3, 4))),
    Case("t", lambda T, a: a.t(), leaf(MAT)),
    Case("t-vector", lambda T, a: a.t(), leaf(VEC)),
    Case("t-fn", lambda T, a: T.t(a), leaf(MAT)),
    Case("transpose-then-matmul", lambda T, a: a.t() @ a, leaf(MAT)),
)
def test_transpose_permute(case: Case) -> None:
    _check(case)


@cases(
    Case("unsqueeze0", lambda T, a: a.unsqueeze(0), leaf(VEC)),
    Case("unsqueeze-1", lambda T, a: T.unsqueeze(a, -1), leaf(MAT)),
    Case("unsqueeze-scalar", lambda T, a: a.unsqueeze(0), leaf(SCALAR)),
    Case("squeeze", lambda T, a: a.squeeze(), leaf((1, 3, 1))),
    Case("squeeze-dim", lambda T, a: a.squeeze(0), leaf((1, 3, 1))),
    Case("squeeze-dim-not-1", lambda T, a: a.squeeze(1), leaf((1, 3, 1))),
    Case("squeeze-fn", lambda T, a: T.squeeze(a, -1), leaf((3, 1))),
    Case("squeeze-nothing", lambda T, a: a.squeeze(), leaf(MAT)),
    Case("expand", lambda T, a: a.expand(3, 4), leaf((3, 1))),
    Case("expand-new-dims", lambda T, a: a.expand(2, 3, 4), leaf((4,))),
    Case("expand-minus-one", lambda T, a: a.expand(-1, 5), leaf((3, 1))),
    Case("expand-as", lambda T, a, b: a.expand_as(b), leaf((1, 3)), const(MAT)),
    Case("expand-scalar", lambda T, a: a.expand(2, 2), leaf(SCALAR)),
    Case("expand-then-sum", lambda T, a: (a.expand(3, 4) * 2).sum(0), leaf((3, 1))),
)
def test_unsqueeze_squeeze_expand(case: Case) -> None:
    _check(case)


# --- dtype promotion ------------------------------------------------------------------------

PROMOTION = [
    "T.tensor(3)",
    "T.tensor(3.)",
    "T.tensor(True)",
    "T.tensor([1, 2.5])",
    "T.tensor([1, True])",
    "T.tensor([True, 2.5])",
    "T.tensor([[1, 2], [3, 4]])",
    "T.tensor([])",
    "T.tensor(3) / 2",
    "T.tensor([1, 2]) / T.tensor([2, 2])",
    "T.tensor([1., 2.]) * T.tensor(2., dtype=T.float64)",
    "T.tensor(1., dtype=T.float64) * T.tensor([1., 2.])",
    "T.tensor(2., dtype=T.float64) * T.tensor(1.)",
    "T.tensor([1, 2]) + 2.5",
    "2.5 * T.tensor([1, 2])",
    "T.tensor([1, 2]) + 2",
    "T.tensor([1, 2], dtype=T.int32) + 2",
    "T.tensor([1, 2], dtype=T.int32) + T.tensor(2)",
    "T.tensor([1, 2], dtype=T.int32) + T.tensor([2, 3])",
    "T.tensor([1, 2], dtype=T.int32) * 2.5",
    "T.tensor([True, False]) + 1",
    "T.tensor([True, False]) + True",
    "T.tensor([True, False]) * 1.5",
    "T.tensor([True, False]) + T.tensor(3)",
    "T.tensor([True, False]) + T.tensor(3.)",
    "T.tensor([1, 2]) + T.tensor(3.)",
    "T.tensor([1, 2]) + T.tensor(3., dtype=T.float64)",
    "T.tensor([1., 2.]) + T.tensor([1, 2])",
    "T.tensor([1., 2.], dtype=T.float64) + T.tensor([1., 2.])",
    "T.tensor([1, 2], dtype=T.uint8) + T.tensor([1, 2], dtype=T.int8)",
    "T.tensor([1, 2]) ** 2",
    "T.tensor([1, 2]) ** 0.5",
    "2 ** T.tensor([1, 2])",
    "2.5 ** T.tensor([1, 2])",
    "T.tensor([1, 2]) - 1",
    "1 - T.tensor([1, 2])",
    "1.5 - T.tensor([1, 2])",
    "2 / T.tensor([1, 2])",
    "-T.tensor([1, 2])",
    "T.tensor([1, 2]) @ T.tensor([3, 4])",
    "T.tensor([1, 2]).sum()",
    "T.tensor([True, True]).sum()",
    "T.tensor([1, 2], dtype=T.int32).sum()",
    "T.tensor([1., 2.]).mean()",
    "T.tensor([1, 2]).float()",
    "T.tensor([1., 2.]).long()",
    "T.tensor([1., 2.]).double()",
    "T.tensor([1, 2]).to(T.float64)",
    "T.tensor([1, 2]) > 1",
    "T.tensor([1., 2.]) == T.tensor([1, 3])",
    "T.sqrt(T.tensor([1, 4]))",
    "T.exp(T.tensor([0, 1], dtype=T.int32))",
    "T.sigmoid(T.tensor([True]))",
    "T.cat([T.tensor([1]), T.tensor([1.5])])",
    "T.stack([T.tensor([1], dtype=T.int32), T.tensor([2])])",
    "T.where(T.tensor([True, False]), T.tensor([1, 2]), 2.5)",
    "T.where(T.tensor([True, False]), T.tensor([1., 2.]), T.tensor([1, 2]))",
    "T.clamp(T.tensor([1, 2]), 0.5, 1.5)",
    "T.tensor([1., 2.]) + T.tensor(1., requires_grad=True, dtype=T.float64)",
    "T.zeros(2)",
    "T.ones(2, dtype=T.int64)",
    "T.arange(3)",
    "T.arange(0, 1, 0.25)",
    "T.tensor([1, 2]).max()",
    "T.tensor([[1, 2], [4, 3]]).max(1)",
]


@pytest.mark.parametrize("expr", PROMOTION)
def test_dtype_promotion(expr: str) -> None:
    results = []
    for T in (torch, nbgrad):
        out = eval(expr, {"T": T})  # noqa: S307 - the table above is the only input
        results.append((str(out.dtype if hasattr(out, "dtype") else out[0].dtype)
                        .replace("torch.", "nbgrad."),
                        repr(out).replace("torch.", "nbgrad.")))
    assert results[1] == results[0]


def test_result_type_and_promote_types() -> None:
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    for a in names:
        for b in names:
            want = torch.promote_types(getattr(torch, a), getattr(torch, b))
            got = nbgrad.promote_types(getattr(nbgrad, a), getattr(nbgrad, b))
            assert repr(got) == repr(want).replace("torch.", "nbgrad."), (a, b)
    for number in (1, 1.5, True):
        for a in names:
            want = torch.result_type(torch.tensor([1], dtype=getattr(torch, a)), number)
            got = nbgrad.result_type(nbgrad.tensor([1], dtype=getattr(nbgrad, a)), number)
            assert repr(got) == repr(want).replace("torch.", "nbgrad."), (a, number)


# --- the graph itself -----------------------------------------------------------------------


def _structure(fn: Any) -> Any:
    """A grad_fn's name and the structure behind it, as nested tuples."""
    if fn is None:
        return None
    return (fn.name().split("::")[-1],
            tuple((_structure(nxt), i) for nxt, i in fn.next_functions))


GRAPHS = {
    "sin-of-square": lambda T, x, w, b: T.sin(x**2),
    "linear": lambda T, x, w, b: w * x + b,
    "linear-const-x": lambda T, x, w, b: w * 6.7 + b,
    "bce": lambda T, x, w, b: -(
        0.0 * T.log(T.clamp(T.sigmoid(w * x + b), 1e-8, 1 - 1e-8))
        + (1 - 0.0) * T.log(1 - T.clamp(T.sigmoid(w * x + b), 1e-8, 1 - 1e-8))
    ),
    "mean-of-square": lambda T, x, w, b: (x**2).mean(),
    "reuse": lambda T, x, w, b: x * x + x,
    "rsub-div": lambda T, x, w, b: (1 - x) / (w + 2),
    "rdiv": lambda T, x, w, b: 2 / x,
    "rpow": lambda T, x, w, b: 2**x + x**w,
    "matmul-chain": lambda T, x, w, b: (x.reshape(1, 1) @ w.reshape(1, 1)).sum() + b,
    "index-cat": lambda T, x, w, b: T.cat([x.unsqueeze(0), w.expand(2)])[1:].max(),
    "softmax": lambda T, x, w, b: T.softmax(T.stack([x, w, b]), 0)[0],
    "no-grad-operand": lambda T, x, w, b: x * T.tensor(3.0) + w.detach(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_next_functions(name: str) -> None:
    structures = []
    for T in (torch, nbgrad):
        x = T.tensor(1.5, requires_grad=True)
        w = T.tensor(0.5, requires_grad=True)
        b = T.tensor(-0.25, requires_grad=True)
        out = GRAPHS[name](T, x, w, b)
        structures.append(_structure(out.grad_fn))
    assert structures[1] == structures[0]


def test_accumulate_grad_variable_is_the_leaf() -> None:
    for T in (torch, nbgrad):
        x = T.tensor(2.0, requires_grad=True)
        node = (x * 3).grad_fn.next_functions[0][0]
        assert node.variable is x
        assert node.next_functions == ()
        assert (x * 3).grad_fn.next_functions[1] == (None, 0)


def test_leaf_and_requires_grad_flags() -> None:
    rows = []
    for T in (torch, nbgrad):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        c = T.tensor([1.0, 2.0])
        y = x * 2
        with T.no_grad():
            z = x * 2
        rows.append([(t.is_leaf, t.requires_grad, t.grad_fn is None)
                     for t in (x, c, y, z, x.detach(), c * 2, y.detach(), x[0], c[0])])
    assert rows[1] == rows[0]
