"""The comparisons, statistics, cumulative ops and trigonometry added beside the issue list,
run under torch 2.13 and nbgrad on the same numbers (the harness of test_parity_ops: printed
result, dtype, values and every leaf's gradient), and the mistakes a learner makes with them
(the harness of test_parity_errors: torch's exception and words, and its warnings).

Without torch installed, every test here is skipped.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from test_parity_errors import _check as _check_code
from test_parity_errors import cases as code_cases
from test_parity_ops import MAT, SCALAR, VEC, Case, _check, cases, const, leaf

import nbgrad

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf

# --- comparisons ----------------------------------------------------------------------------

_A = [[1.0, 2.0, 3.0], [4.0, NAN, -1.0]]
_B = [2.0, 2.0, -1.0]


def _comparison_cases() -> list[Case]:
    out = []
    for name in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
                 "less_equal", "not_equal"):
        out.append(Case(f"{name}-function-broadcast",
                        lambda T, a, b, n=name: getattr(T, n)(a, b), leaf(_A), const(_B)))
        out.append(Case(f"{name}-method-number",
                        lambda T, a, n=name: getattr(a, n)(2), leaf(_A)))
        out.append(Case(f"{name}-function-float-int",
                        lambda T, a, b, n=name: getattr(T, n)(a, b), leaf(_A),
                        const([2, 2, -1], dtype="int64")))
    return out


@cases(*_comparison_cases())
def test_comparisons(case: Case) -> None:
    _check(case)


@cases(
    Case("isclose", lambda T, a, b: T.isclose(a, b), leaf([1.0, 2.0, 3.0]),
         const([1.0, 2.00001, 3.1])),
    Case("isclose-method-tolerances", lambda T, a, b: a.isclose(b, rtol=0.1, atol=0.05),
         leaf([1.0, 2.0, 3.0]), const([1.05, 2.25, 3.1])),
    Case("isclose-positional", lambda T, a, b: T.isclose(a, b, 0.0, 0.2),
         leaf([1.0, 2.0, 3.0]), const([1.05, 2.25, 3.1])),
    Case("isclose-nan-inf", lambda T, a, b: T.isclose(a, b), leaf([NAN, INF, -INF, INF]),
         const([NAN, INF, INF, 1e38])),
    Case("isclose-equal-nan", lambda T, a, b: T.isclose(a, b, equal_nan=True),
         leaf([NAN, 1.0, NAN]), const([NAN, NAN, 1.0])),
    Case("isclose-broadcast", lambda T, a, b: T.isclose(a, b), leaf(MAT), const((3,))),
    Case("isclose-int", lambda T, a, b: T.isclose(a, b, rtol=0.1), const([10, 20, 30],
         dtype="int64"), const([11, 23, 30], dtype="int64")),
    Case("isclose-int-exact", lambda T, a, b: T.isclose(a, b, rtol=0, atol=0),
         const([10, 20], dtype="int64"), const([10, 21], dtype="int64")),
    Case("isclose-bool", lambda T, a, b: T.isclose(a > 0, b > 0), leaf(VEC), const(VEC)),
    Case("isclose-float64", lambda T, a, b: T.isclose(a, b), leaf(VEC, dtype="float64"),
         const(VEC, dtype="float64")),
)
def test_isclose(case: Case) -> None:
    _check(case)


_CLOSE_EXPRESSIONS = [
    "T.allclose(T.tensor([1., 2.]), T.tensor([1., 2.000001]))",
    "T.allclose(T.tensor([1., 2.]), T.tensor([1., 2.1]))",
    "T.tensor([1., 2.]).allclose(T.tensor([1., 2.1]), atol=0.2)",
    "T.allclose(T.tensor([1., 2.]), T.tensor([1., 2.1]), 0.1)",
    "T.allclose(T.tensor([1., NAN]), T.tensor([1., NAN]))",
    "T.allclose(T.tensor([1., NAN]), T.tensor([1., NAN]), equal_nan=True)",
    "T.allclose(T.ones(2, 3), T.ones(3))",
    "T.allclose(T.tensor([1, 2]), T.tensor([1, 2]))",
    "T.equal(T.tensor([1., 2.]), T.tensor([1., 2.]))",
    "T.equal(T.tensor([1., 2.]), T.tensor([1., 3.]))",
    "T.equal(T.tensor([1., 2.]), T.tensor([1, 2]))",
    "T.equal(T.tensor([True]), T.tensor([1]))",
    "T.equal(T.ones(2, 3), T.ones(3))",
    "T.equal(T.tensor([NAN]), T.tensor([NAN]))",
    "T.tensor([1., 2.], requires_grad=True).equal(T.tensor([1., 2.]))",
]


@pytest.mark.parametrize("expr", _CLOSE_EXPRESSIONS)
def test_allclose_and_equal_return_python_bools(expr: str) -> None:
    results = [eval(expr, {"T": T, "NAN": NAN}) for T in (torch, nbgrad)]  # noqa: S307
    assert type(results[0]) is type(results[1]) is bool
    assert results[0] == results[1]


@cases(
    Case("sign-method", lambda T, a: a.sign(), leaf([-1.5, 0.0, 2.0, NAN])),
    Case("sign-method-int", lambda T, a: a.sign(), const([-3, 0, 2], dtype="int64")),
    Case("maximum-method", lambda T, a, b: a.maximum(b), leaf(MAT), leaf((3,))),
    Case("minimum-method", lambda T, a, b: a.minimum(b), leaf(MAT), leaf((3,))),
    Case("multiply-method", lambda T, a, b: a.multiply(b), leaf(MAT), leaf((3,))),
    Case("divide-method", lambda T, a, b: a.divide(b), leaf(MAT), leaf((3,), lo=0.5)),
    Case("true_divide-method", lambda T, a: a.true_divide(2), leaf(MAT)),
    Case("subtract-method", lambda T, a, b: a.subtract(b, alpha=2), leaf(MAT), leaf((3,))),
    Case("negative-method", lambda T, a: a.negative(), leaf(MAT)),
)
def test_methods_torch_has(case: Case) -> None:
    _check(case)


def test_every_function_has_the_method_torch_has() -> None:
    missing = [name for name in nbgrad.__all__
               if callable(getattr(nbgrad, name)) and not isinstance(getattr(nbgrad, name), type)
               and hasattr(torch.Tensor, name) and not hasattr(nbgrad.Tensor, name)]
    assert missing == []


# --- prod ---------------------------------------------------------------------------------

_ONE_ZERO = [[1.5, 2.0, -3.0], [4.0, 0.0, 6.0]]
_TWO_ZEROS = [[0.0, 2.0, 0.0], [4.0, -0.5, 6.0]]


@cases(
    Case("prod", lambda T, a: a.prod(), leaf(MAT, lo=0.5)),
    Case("prod-function", lambda T, a: T.prod(a), leaf(VEC)),
    Case("prod-dim", lambda T, a: a.prod(1), leaf(MAT)),
    Case("prod-dim0-keepdim", lambda T, a: T.prod(a, 0, keepdim=True), leaf(MAT)),
    Case("prod-dim-neg", lambda T, a: a.prod(-1), leaf((2, 3, 4), lo=0.5, hi=1.5)),
    Case("prod-dim-keyword", lambda T, a: a.prod(dim=2, keepdim=True), leaf((2, 3, 4))),
    Case("prod-one-zero", lambda T, a: a.prod(), leaf(_ONE_ZERO)),
    Case("prod-two-zeros", lambda T, a: a.prod(), leaf(_TWO_ZEROS)),
    Case("prod-dim-one-zero", lambda T, a: a.prod(1), leaf(_ONE_ZERO)),
    Case("prod-dim-zeros", lambda T, a: a.prod(1), leaf(_TWO_ZEROS)),
    Case("prod-dim0-zeros", lambda T, a: a.prod(0, True), leaf(_TWO_ZEROS)),
    Case("prod-scalar", lambda T, a: a.prod(), leaf(SCALAR)),
    Case("prod-scalar-dim", lambda T, a: a.prod(0), leaf(SCALAR)),
    Case("prod-scalar-zero-dim-keepdim", lambda T, a: a.prod(-1, True), leaf(0.0)),
    Case("prod-dtype", lambda T, a: a.prod(dtype=T.float64), leaf(VEC)),
    Case("prod-dim-dtype", lambda T, a: a.prod(1, dtype=T.float64), leaf(MAT)),
    Case("prod-int", lambda T, a: a.prod(), const([[1, 2, 3], [4, 5, 6]], dtype="int64")),
    Case("prod-int32-dim", lambda T, a: a.prod(1), const([[1, 2, 3], [4, 5, 6]],
         dtype="int32")),
    Case("prod-bool", lambda T, a: (a > 0).prod(), leaf(VEC)),
    Case("prod-int-dtype", lambda T, a: a.prod(dtype=T.float32), const([1, 2, 3],
         dtype="int64")),
    Case("prod-empty", lambda T, a: a[:0].prod(), leaf(VEC)),
    Case("prod-after-ops", lambda T, a: (a.exp() * 2).prod(0).sum(), leaf(MAT)),
)
def test_prod(case: Case) -> None:
    _check(case)


# --- var and std --------------------------------------------------------------------------

_CONSTANT_ROW = [[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]]


def _stat_cases() -> list[Case]:
    out = []
    for name in ("var", "std"):
        calls = {
            "all": lambda T, a, n=name: getattr(a, n)(),
            "function": lambda T, a, n=name: getattr(T, n)(a),
            "dim": lambda T, a, n=name: getattr(a, n)(1),
            "dim0-keepdim": lambda T, a, n=name: getattr(a, n)(0, keepdim=True),
            "dims": lambda T, a, n=name: getattr(a, n)((0, 2)),
            "dim-list-keepdim": lambda T, a, n=name: getattr(T, n)(a, [-1, 0], keepdim=True),
            "all-keepdim": lambda T, a, n=name: getattr(a, n)(None, keepdim=True),
            "unbiased-false": lambda T, a, n=name: getattr(a, n)(unbiased=False),
            "dim-unbiased-false": lambda T, a, n=name: getattr(a, n)(dim=1, unbiased=False),
            "positional-unbiased-keepdim": lambda T, a, n=name: getattr(T, n)(a, 1, False, True),
            "bool-first": lambda T, a, n=name: getattr(a, n)(False),
            "correction-0": lambda T, a, n=name: getattr(a, n)(correction=0),
            "correction-2-dim": lambda T, a, n=name: getattr(a, n)(2, correction=2),
            "correction-fraction": lambda T, a, n=name: getattr(a, n)(1, correction=1.5),
            "correction-true": lambda T, a, n=name: getattr(a, n)(correction=True),
            "float64": lambda T, a, n=name: getattr(a.double(), n)(0),
            "scalar-dim": lambda T, a, n=name: getattr(a.sum(), n)(0, correction=0),
        }
        for tag, fn in calls.items():
            out.append(Case(f"{name}-{tag}", fn, leaf((2, 3, 4))))
        out.append(Case(f"{name}-constant-row", lambda T, a, n=name: getattr(a, n)(1),
                        leaf(_CONSTANT_ROW)))
        out.append(Case(f"{name}-one-element", lambda T, a, n=name: getattr(a, n)(),
                        leaf([2.5])))
        out.append(Case(f"{name}-correction-too-large",
                        lambda T, a, n=name: getattr(a, n)(1, correction=4), leaf(MAT)))
        out.append(Case(f"{name}-correction-equal", lambda T, a, n=name: getattr(a, n)(
            1, correction=3), leaf(_CONSTANT_ROW)))
    return out


@cases(*_stat_cases())
def test_var_std(case: Case) -> None:
    _check(case)


# --- norm -----------------------------------------------------------------------------------


@cases(
    Case("norm", lambda T, a: a.norm(), leaf(MAT)),
    Case("norm-function", lambda T, a: T.norm(a), leaf((2, 3, 4))),
    Case("norm-p1", lambda T, a: a.norm(1), leaf(MAT)),
    Case("norm-p1-keyword", lambda T, a: T.norm(a, p=1), leaf(VEC)),
    Case("norm-fro", lambda T, a: a.norm("fro"), leaf(MAT)),
    Case("norm-p2-float", lambda T, a: a.norm(2.0), leaf(MAT)),
    Case("norm-dim", lambda T, a: a.norm(dim=1), leaf(MAT)),
    Case("norm-p-dim-keepdim", lambda T, a: a.norm(2, 1, True), leaf(MAT)),
    Case("norm-p1-dim0-keepdim", lambda T, a: a.norm(p=1, dim=0, keepdim=True), leaf(MAT)),
    Case("norm-fro-dim", lambda T, a: T.norm(a, p="fro", dim=-1), leaf((2, 3, 4))),
    Case("norm-dims", lambda T, a: T.norm(a, dim=(0, 2)), leaf((2, 3, 4))),
    Case("norm-p1-dims", lambda T, a: a.norm(1, (0, 1)), leaf(MAT)),
    Case("norm-keepdim-all", lambda T, a: a.norm(keepdim=True), leaf(MAT)),
    Case("norm-scalar", lambda T, a: a.norm(), leaf(SCALAR)),
    Case("norm-zero", lambda T, a: a.norm(), leaf([0.0, 0.0, 0.0])),
    Case("norm-zero-row", lambda T, a: a.norm(dim=1), leaf([[0.0, 0.0], [3.0, -4.0]])),
    Case("norm-p1-with-zero", lambda T, a: a.norm(1), leaf([0.0, -2.0, 3.0])),
    Case("norm-dtype", lambda T, a: a.norm(dtype=T.float64), leaf(MAT)),
    Case("norm-dim-dtype", lambda T, a: T.norm(a, 2, 0, dtype=T.float64), leaf(MAT)),
    Case("norm-float64", lambda T, a: a.norm(1), leaf(VEC, dtype="float64")),
    Case("normalize", lambda T, a: a / a.norm(dim=1, keepdim=True), leaf(MAT)),
)
def test_norm(case: Case) -> None:
    _check(case)


# --- logsumexp ------------------------------------------------------------------------------


@cases(
    Case("logsumexp-dim", lambda T, a: a.logsumexp(1), leaf(MAT)),
    Case("logsumexp-function-keepdim", lambda T, a: T.logsumexp(a, 0, keepdim=True), leaf(MAT)),
    Case("logsumexp-dims", lambda T, a: a.logsumexp((0, 2)), leaf((2, 3, 4))),
    Case("logsumexp-neg-dim", lambda T, a: T.logsumexp(a, dim=-1), leaf((2, 3, 4))),
    Case("logsumexp-dims-keepdim", lambda T, a: a.logsumexp([0, 1], True), leaf(MAT)),
    Case("logsumexp-large", lambda T, a: a.logsumexp(0), leaf([1000.0, 1001.0, 999.0])),
    Case("logsumexp-small", lambda T, a: a.logsumexp(0), leaf([-1000.0, -1001.0])),
    Case("logsumexp-minus-inf", lambda T, a: a.logsumexp(0), leaf([-INF, 1.0, 2.0])),
    Case("logsumexp-all-minus-inf", lambda T, a: a.logsumexp(1),
         leaf([[-INF, -INF], [0.0, 1.0]])),
    Case("logsumexp-inf", lambda T, a: a.logsumexp(0), const([INF, 1.0])),
    Case("logsumexp-scalar", lambda T, a: a.logsumexp(0), leaf(SCALAR)),
    Case("logsumexp-int", lambda T, a: a.logsumexp(1), const([[1, 2], [3, 4]], dtype="int64")),
    Case("logsumexp-bool", lambda T, a: (a > 0).logsumexp(0), leaf(VEC)),
    Case("logsumexp-float64", lambda T, a: a.logsumexp(0), leaf(MAT, dtype="float64")),
    Case("logsumexp-empty", lambda T, a: a[:0].logsumexp(0), leaf(MAT)),
)
def test_logsumexp(case: Case) -> None:
    _check(case)


# --- cumsum and cumprod -----------------------------------------------------------------------


def _cumulative_cases() -> list[Case]:
    out = []
    for name in ("cumsum", "cumprod"):
        calls = {
            "dim1": (lambda T, a, n=name: getattr(a, n)(1), leaf(MAT)),
            "dim0-function": (lambda T, a, n=name: getattr(T, n)(a, 0), leaf(MAT)),
            "dim-keyword": (lambda T, a, n=name: getattr(T, n)(a, dim=-1), leaf((2, 3, 4))),
            "vector": (lambda T, a, n=name: getattr(a, n)(0), leaf((5,))),
            "scalar": (lambda T, a, n=name: getattr(a, n)(0), leaf(SCALAR)),
            "scalar-neg": (lambda T, a, n=name: getattr(a, n)(-1), leaf(SCALAR)),
            "dtype": (lambda T, a, n=name: getattr(a, n)(1, dtype=T.float64), leaf(MAT)),
            "int": (lambda T, a, n=name: getattr(a, n)(1), const([[1, 2, 3], [4, 5, 6]],
                                                                  dtype="int64")),
            "int32": (lambda T, a, n=name: getattr(a, n)(0), const([1, 2, 3], dtype="int32")),
            "bool": (lambda T, a, n=name: getattr(a > 0, n)(0), leaf(VEC)),
            "int-dtype": (lambda T, a, n=name: getattr(a, n)(0, dtype=T.float32),
                          const([1, 2, 3], dtype="int64")),
            "float64": (lambda T, a, n=name: getattr(a, n)(0), leaf(MAT, dtype="float64")),
            "one-zero": (lambda T, a, n=name: getattr(a, n)(1), leaf(_ONE_ZERO)),
            "zeros": (lambda T, a, n=name: getattr(a, n)(1), leaf(_TWO_ZEROS)),
            "zeros-dim0": (lambda T, a, n=name: getattr(a, n)(0), leaf(_TWO_ZEROS)),
            "zero-first-and-last": (lambda T, a, n=name: getattr(a, n)(0),
                                    leaf([0.0, 2.0, -1.5, 0.5, 0.0])),
            "zero-last": (lambda T, a, n=name: getattr(a, n)(0), leaf([1.5, 2.0, 0.0])),
            "then-sum": (lambda T, a, n=name: getattr(a.sin(), n)(1).sum(0), leaf(MAT)),
        }
        for tag, (fn, arg) in calls.items():
            out.append(Case(f"{name}-{tag}", fn, arg))
    return out


@cases(*_cumulative_cases())
def test_cumsum_cumprod(case: Case) -> None:
    _check(case)


# --- functions of one variable, and atan2 -----------------------------------------------------

_INSIDE = {"lo": -0.95, "hi": 0.95}
UNARY: dict[str, tuple[Any, dict]] = {
    "erf": (lambda T, a: T.erf(a), {"lo": -3.0, "hi": 3.0}),
    "erf-method": (lambda T, a: a.erf(), {}),
    "rsqrt": (lambda T, a: T.rsqrt(a), {"lo": 0.5, "hi": 2.0}),
    "rsqrt-method": (lambda T, a: a.rsqrt(), {"lo": 0.5, "hi": 2.0}),
    "sinh": (lambda T, a: T.sinh(a), {}),
    "sinh-method": (lambda T, a: a.sinh(), {}),
    "cosh": (lambda T, a: T.cosh(a), {}),
    "cosh-method": (lambda T, a: a.cosh(), {}),
    "asin": (lambda T, a: T.asin(a), _INSIDE),
    "asin-method": (lambda T, a: a.asin(), _INSIDE),
    "arcsin": (lambda T, a: T.arcsin(a), _INSIDE),
    "arcsin-method": (lambda T, a: a.arcsin(), _INSIDE),
    "acos": (lambda T, a: T.acos(a), _INSIDE),
    "acos-method": (lambda T, a: a.acos(), _INSIDE),
    "arccos": (lambda T, a: T.arccos(a), _INSIDE),
    "arccos-method": (lambda T, a: a.arccos(), _INSIDE),
    "atan": (lambda T, a: T.atan(a), {"lo": -4.0, "hi": 4.0}),
    "atan-method": (lambda T, a: a.atan(), {}),
    "arctan": (lambda T, a: T.arctan(a), {}),
    "arctan-method": (lambda T, a: a.arctan(), {}),
}


def _unary_cases() -> list[Case]:
    out = []
    for name, (fn, rng) in UNARY.items():
        for shape in (SCALAR, VEC, MAT):
            out.append(Case(f"{name}-{shape}", fn, leaf(shape, **rng)))
        if not name.endswith("-method"):
            out.append(Case(f"{name}-float64", fn, leaf(VEC, dtype="float64", **rng)))
            out.append(Case(f"{name}-int", fn, const([-2, 0, 1, 3], dtype="int64")))
            out.append(Case(f"{name}-bool", lambda T, a, f=fn: f(T, a > 0), leaf(VEC)))
    return out


@cases(*_unary_cases())
def test_unary(case: Case) -> None:
    _check(case)


@cases(
    Case("unary-edges-rsqrt", lambda T, a: T.rsqrt(a), leaf([0.0, -1.0, INF, 4.0])),
    Case("unary-edges-asin", lambda T, a: T.asin(a), leaf([-1.0, 1.0, 1.5, 0.0])),
    Case("unary-edges-acos", lambda T, a: T.acos(a), leaf([-1.0, 1.0, -2.0, 0.0])),
    Case("unary-edges-erf", lambda T, a: T.erf(a), leaf([-INF, INF, 0.0, 10.0, NAN])),
    Case("unary-edges-atan", lambda T, a: T.atan(a), leaf([-INF, INF, 0.0, NAN])),
    Case("unary-edges-sinh-cosh", lambda T, a: T.sinh(a) + T.cosh(a),
         leaf([0.0, 100.0, -100.0, 1.0])),
)
def test_unary_edges(case: Case) -> None:
    _check(case)


def _in_place_cases() -> list[Case]:
    out = []
    for name in ("erf", "rsqrt", "sinh", "cosh", "asin", "acos", "atan", "arcsin", "arccos",
                 "arctan"):
        out.append(Case(f"{name}_", lambda T, a, n=name: getattr(a * 0.5, f"{n}_")(),
                        leaf(MAT, lo=0.5, hi=1.5)))
    out.append(Case("atan2_", lambda T, a, b: (a * 1).atan2_(b), leaf(MAT), leaf((3,))))
    out.append(Case("arctan2_", lambda T, a, b: (a + 0).arctan2_(b), leaf(VEC), leaf(VEC)))
    out.append(Case("erf_-const", lambda T, a: a.erf_(), const(VEC)))
    return out


@cases(*_in_place_cases())
def test_in_place(case: Case) -> None:
    _check(case)


_ATAN2_SHAPES = [(SCALAR, SCALAR), (VEC, VEC), (SCALAR, VEC), (MAT, (3,)), ((3, 1), (4,)),
                 ((2, 1, 3), (4, 1))]


def _atan2_cases() -> list[Case]:
    out = []
    for sa, sb in _ATAN2_SHAPES:
        out.append(Case(f"atan2-{sa}-{sb}", lambda T, a, b: T.atan2(a, b), leaf(sa), leaf(sb)))
        out.append(Case(f"atan2-method-{sb}-{sa}", lambda T, a, b: a.atan2(b), leaf(sb),
                        leaf(sa)))
    out += [
        Case("atan2-const-right", lambda T, a, b: T.atan2(a, b), leaf(MAT), const((3,))),
        Case("atan2-const-left", lambda T, a, b: T.arctan2(a, b), const((3, 1)), leaf((4,))),
        Case("arctan2-method", lambda T, a, b: a.arctan2(b), leaf(VEC), leaf(VEC)),
        Case("atan2-float32-float64", lambda T, a, b: T.atan2(a, b), leaf(VEC),
             leaf(VEC, dtype="float64")),
        Case("atan2-int-float", lambda T, a, b: T.atan2(a, b),
             const([1, -2, 0, 3], dtype="int64"), leaf(VEC)),
        Case("atan2-int-int", lambda T, a, b: T.atan2(a, b), const([1, -2, 0, 3], dtype="int64"),
             const([2, 2, -1, 0], dtype="int64")),
        Case("atan2-bool", lambda T, a, b: T.atan2(a > 0, b > 0), leaf(VEC), leaf(VEC)),
        Case("atan2-axes", lambda T, a, b: T.atan2(a, b),
             leaf([0.0, 0.0, 1.0, -1.0, 0.0]), leaf([1.0, -1.0, 0.0, 0.0, 0.0])),
    ]
    return out


@cases(*_atan2_cases())
def test_atan2(case: Case) -> None:
    _check(case)


# --- mistakes: torch's exceptions, word for word, and its warnings ----------------------------


@code_cases(
    eq_number_first="T.eq(2, T.tensor([1., 2.]))",
    eq_string="T.eq(T.tensor([1., 2.]), 'a')",
    lt_list="T.lt(T.tensor([1., 2.]), [1, 2])",
    gt_one_argument="T.gt(T.tensor([1., 2.]))",
    greater_string="T.greater(T.tensor([1., 2.]), 'a')",
    method_eq_none="T.tensor([1., 2.]).eq(None)",
    method_lt_list="T.tensor([1., 2.]).lt([1])",
    method_ge_string="T.tensor([1., 2.]).ge('a')",
    method_less_equal_string="T.tensor([1., 2.]).less_equal('a')",
    method_eq_two="x = T.tensor([1., 2.]); x.eq(x, x)",
    eq_shapes="T.eq(T.ones(2, 3), T.ones(2))",
    isclose_number="T.isclose(T.tensor([1., 2.]), 2.)",
    isclose_number_first="T.isclose(1, T.tensor([1., 2.]))",
    isclose_dtypes="T.isclose(T.tensor([1., 2.]), T.tensor([1, 2]))",
    isclose_float64_float32="T.isclose(T.tensor([1.], dtype=T.float64), T.tensor([1.]))",
    isclose_negative_rtol="T.isclose(T.ones(2), T.ones(2), rtol=-1)",
    isclose_negative_atol="T.isclose(T.ones(2), T.ones(2), atol=-0.5)",
    isclose_shapes="T.isclose(T.ones(2, 3), T.ones(2))",
    allclose_number="T.allclose(T.tensor([1., 2.]), 2)",
    allclose_dtypes="T.allclose(T.tensor([1., 2.]), T.tensor([1, 2]))",
    allclose_shapes="T.allclose(T.ones(2, 3), T.ones(2))",
    method_allclose_number="T.ones(2).allclose(2)",
    method_isclose_number="T.ones(2).isclose(2.5)",
    equal_number="T.equal(T.tensor([1., 2.]), 2)",
    equal_number_first="T.equal(1, T.tensor([1., 2.]))",
    method_equal_number="T.ones(2).equal(2)",
    method_maximum_number="T.ones(2).maximum(2)",
    method_minimum_number="T.ones(2).minimum(2.)",
    prod_tuple="T.ones(2, 3).prod((0, 1))",
    prod_dim_out_of_range="T.ones(2, 3).prod(2)",
    prod_function_tuple="T.prod(T.ones(2, 3), (0, 1))",
    var_int="T.tensor([1, 2, 3]).var()",
    std_bool="T.tensor([True, False]).std()",
    std_dim_out_of_range="T.ones(2, 3).std(-3)",
    var_dims_repeated="T.ones(2, 3).var((0, 0))",
    norm_int="T.tensor([1, 2]).norm()",
    norm_function_int="T.norm(T.tensor([[1, 2]]), dim=1)",
    norm_order_unknown="T.ones(2, 3).norm('abc')",
    norm_dim_out_of_range="T.ones(2, 3).norm(p=2, dim=2)",
    logsumexp_no_dim="T.ones(2, 3).logsumexp()",
    logsumexp_function_no_dim="T.logsumexp(T.ones(2, 3))",
    logsumexp_dim_out_of_range="T.ones(2, 3).logsumexp(2)",
    cumsum_no_dim="T.ones(2, 3).cumsum()",
    cumsum_function_no_dim="T.cumsum(T.ones(2, 3))",
    cumsum_dim_out_of_range="T.ones(2, 3).cumsum(2)",
    cumprod_no_dim="T.ones(2, 3).cumprod()",
    cumsum_bool_dim="T.ones(2).cumsum(True)",
    cumsum_function_bool_dim="T.cumsum(T.ones(2), True)",
    cumsum_float_dim="T.ones(2).cumsum(1.5)",
    cumprod_string_dim="T.ones(2).cumprod('a')",
    cumsum_none_dim="T.ones(2).cumsum(None)",
    logsumexp_bool_dim="T.ones(2).logsumexp(True)",
    logsumexp_float_dim="T.ones(2).logsumexp(1.5)",
    logsumexp_function_none_dim="T.logsumexp(T.ones(2), None)",
    cumprod_dim_out_of_range="T.cumprod(T.ones(2, 3), -3)",
    cumprod_scalar_dim_out_of_range="T.tensor(2.).cumprod(1)",
    erf_number="T.erf(1.0)",
    rsqrt_number="T.rsqrt(2)",
    asin_list="T.asin([0.5])",
    arcsin_number="T.arcsin(0.5)",
    arccos_number="T.arccos(0.5)",
    arctan_number="T.arctan(0.5)",
    arctan2_number="T.arctan2(T.ones(2), 2)",
    method_arctan2_number="T.ones(2).arctan2(2)",
    atan2_number="T.atan2(T.ones(2), 2)",
    atan2_number_first="T.atan2(2., T.ones(2))",
    method_atan2_number="T.ones(2).atan2(2)",
    atan2_shapes="T.atan2(T.ones(2), T.ones(3))",
    erf_in_place_leaf="T.ones(2, requires_grad=True).erf_()",
    rsqrt_in_place_int="T.tensor([1, 4]).rsqrt_()",
    atan2_in_place_broadcast="T.ones(3).atan2_(T.ones(2, 3))",
    atan2_in_place_leaf="T.ones(3, requires_grad=True).atan2_(T.ones(3))",
)
def test_mistakes(code: str) -> None:
    _check_code(code, must_raise=True)


@code_cases(
    var_one_element="out = T.tensor([2.], requires_grad=True).var()",
    std_one_element="out = T.tensor([2.], requires_grad=True).std()",
    std_scalar="out = T.tensor(2., requires_grad=True).std()",
    var_dim_one_element="out = T.ones(3, 1).var(1)",
    var_correction_too_large="out = T.ones(2, 3).var(1, correction=3)",
    std_correction_too_large="out = T.tensor([[1., 2.], [3., 5.]]).std(0, correction=5)",
)
def test_warned(code: str) -> None:
    _check_code(code, must_raise=False, must_warn=True)


@code_cases(
    var_enough="out = T.tensor([2., 3.]).var()",
    var_correction_below="out = T.ones(2, 3).var(1, correction=2.5)",
)
def test_not_warned(code: str) -> None:
    _check_code(code, must_raise=False)


def test_one_element_std_backward_like_torch() -> None:
    grads = []
    for T in (torch, nbgrad):
        x = T.tensor([2.0, 3.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x[:1].std() + x.var(0, correction=2)).backward()
        grads.append(x.grad.tolist())
    np.testing.assert_equal(grads[0], grads[1])
