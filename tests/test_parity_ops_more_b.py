"""gather, index_select, masked_fill(_), sort, argsort, topk, split, chunk, unbind, flip,
repeat, tile, outer, tril, triu, diag, trace, the new_* methods, type_as, uniform_ and normal_,
run under torch 2.13 and nbgrad on the same numbers (the harness of ``test_parity_ops``: the
printed result, dtype, shape, values and every leaf's gradient), with torch's errors for bad
arguments word for word (the harness of ``test_parity_errors``).

Without torch installed, every test here is skipped.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch")

from test_parity_errors import _check as _check_code  # noqa: E402
from test_parity_errors import cases as code_cases  # noqa: E402
from test_parity_ops import Case, _build, _check, _same_text, cases, const, leaf  # noqa: E402

MAT, VEC = (2, 3), (4,)
INDEX = const([[0, 0], [2, 1]], dtype="int64")
MASK = const([[True, False, True], [False, False, True]], dtype="bool")


# --- gather, index_select, masked_fill ------------------------------------------------------


@cases(
    Case("gather-dim1", lambda T, a, i: T.gather(a, 1, i), leaf(MAT), INDEX),
    Case("gather-dim0-method", lambda T, a, i: a.gather(0, i), leaf((3, 2)),
         const([[2, 0], [2, 2], [1, 0]], dtype="int64")),
    Case("gather-negative-dim", lambda T, a, i: a.gather(-1, i), leaf(MAT), INDEX),
    Case("gather-smaller-index", lambda T, a, i: a.gather(1, i), leaf((3, 4)),
         const([[3], [0]], dtype="int64")),
    Case("gather-int32-index", lambda T, a, i: a.gather(1, i), leaf(MAT),
         const([[1, 1, 1], [0, 2, 0]], dtype="int32")),
    Case("gather-3d", lambda T, a, i: a.gather(2, i), leaf((2, 2, 3)),
         const([[[0, 2], [1, 1]], [[2, 2], [0, 0]]], dtype="int64")),
    Case("gather-vector", lambda T, a, i: a.gather(0, i), leaf(VEC),
         const([3, 3, 0, 1, 2], dtype="int64")),
    Case("gather-0d", lambda T, a, i: a.gather(0, i), leaf(()), const([0, 0], dtype="int64")),
    Case("gather-0d-index", lambda T, a, i: a.gather(0, i), leaf((1,)),
         const(0, dtype="int64")),
    Case("gather-then-op", lambda T, a, i: (a.gather(1, i) ** 2).sum(1), leaf(MAT), INDEX),
    Case("gather-float64", lambda T, a, i: a.gather(1, i), leaf(MAT, dtype="float64"), INDEX),
    Case("gather-int-input", lambda T, a, i: a.gather(1, i), const(MAT, dtype="int64"), INDEX),
    Case("index_select-dim1", lambda T, a, i: T.index_select(a, 1, i), leaf(MAT),
         const([2, 0, 2, 2], dtype="int64")),
    Case("index_select-dim0-method", lambda T, a, i: a.index_select(0, i), leaf((3, 2)),
         const([1], dtype="int64")),
    Case("index_select-0d-index", lambda T, a, i: a.index_select(0, i), leaf((3, 2)),
         const(2, dtype="int64")),
    Case("index_select-int32", lambda T, a, i: a.index_select(-1, i), leaf(MAT),
         const([1, 1], dtype="int32")),
    Case("index_select-empty", lambda T, a, i: a.index_select(1, i), leaf(MAT),
         const([], dtype="int64")),
    Case("index_select-0d-input", lambda T, a, i: a.index_select(0, i), leaf(()),
         const([0], dtype="int64")),
    Case("masked_fill-number", lambda T, a, m: a.masked_fill(m, 0.0), leaf(MAT), MASK),
    Case("masked_fill-fn-int", lambda T, a, m: T.masked_fill(a, m, -1), leaf(MAT), MASK),
    Case("masked_fill-minus-inf", lambda T, a, m: a.masked_fill(m, float("-inf")).exp(),
         leaf(MAT), MASK),
    Case("masked_fill-softmax", lambda T, a, m: a.masked_fill(m, float("-inf")).softmax(0),
         leaf(MAT), MASK),
    Case("masked_fill-tensor-value", lambda T, a, m, v: a.masked_fill(m, v), leaf(MAT), MASK,
         leaf(2.5)),
    Case("masked_fill-const-tensor-value", lambda T, a, m, v: a.masked_fill(m, v), leaf(MAT),
         MASK, const(2.5)),
    Case("masked_fill-only-value-grad", lambda T, a, m, v: a.masked_fill(m, v * 2), const(MAT),
         MASK, leaf(1.5)),
    Case("masked_fill-float64-value", lambda T, a, m, v: a.masked_fill(m, v), leaf(MAT), MASK,
         leaf(0.5, dtype="float64")),
    Case("masked_fill-row-mask", lambda T, a, m: a.masked_fill(m, 1.0), leaf(MAT),
         const([True, False, True], dtype="bool")),
    Case("masked_fill-column-mask", lambda T, a, m: a.masked_fill(m, 1.0), leaf(MAT),
         const([[True], [False]], dtype="bool")),
    Case("masked_fill-0d-mask", lambda T, a, m: a.masked_fill(m, 1.0), leaf(MAT),
         const(True, dtype="bool")),
    Case("masked_fill-larger-mask", lambda T, a, m: a.masked_fill(m, 1.0), leaf(MAT),
         const([[[True, False, True]], [[False, False, False]]], dtype="bool")),
    Case("masked_fill-larger-mask-tensor-value", lambda T, a, m, v: a.masked_fill(m, v),
         leaf((3,)), const([[True, False, True], [False, True, True]], dtype="bool"),
         leaf(-1.0)),
    Case("masked_fill-int-input", lambda T, a, m: a.masked_fill(m, 2.7), const(MAT, dtype="int64"),
         MASK),
    Case("masked_fill-int-input-tensor", lambda T, a, m, v: a.masked_fill(m, v),
         const(MAT, dtype="int64"), MASK, const(-2.7)),
    Case("masked_fill-bool-input", lambda T, a, m: a.masked_fill(m, 2), const(MASK.values,
         dtype="bool"), const([[True, True, False], [False, True, False]], dtype="bool")),
    Case("masked_fill_-non-leaf", lambda T, a, m: (a * 2).masked_fill_(m, 0.5), leaf(MAT), MASK),
    Case("masked_fill_-tensor-value", lambda T, a, m, v: (a * 1).masked_fill_(m, v), leaf(MAT),
         MASK, leaf(3.0)),
    Case("masked_fill_-into-const", lambda T, a, m, v: a.clone().masked_fill_(m, v), const(MAT),
         MASK, leaf(3.0)),
    Case("masked_fill_-broadcast-mask", lambda T, a, m: (a + 0).masked_fill_(m, 0.0), leaf(MAT),
         const([[True], [False]], dtype="bool")),
    Case("masked_fill_-then-op", lambda T, a, m: ((a * 2).masked_fill_(m, 1.0) * a).sum(0),
         leaf(MAT), MASK),
)
def test_selecting(case: Case) -> None:
    _check(case)


# --- sort, argsort, topk --------------------------------------------------------------------

DISTINCT = const([[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, -2.0], [3.0, 1.0, -1.0, 0.0]])
TIES = leaf([[1.0, 3.0, 1.0, 3.0], [2.0, 2.0, 2.0, 0.0]])


@cases(
    Case("sort", lambda T, a: T.sort(a), leaf(MAT)),
    Case("sort-dim0-descending", lambda T, a: a.sort(dim=0, descending=True), leaf((3, 4))),
    Case("sort-positional", lambda T, a: a.sort(0, True), leaf((3, 4))),
    Case("sort-stable", lambda T, a: a.sort(stable=True, descending=True), leaf(MAT)),
    Case("sort-stable-false", lambda T, a: T.sort(a, stable=False, dim=0), leaf(MAT)),
    Case("sort-ties", lambda T, a: a.sort(), TIES),
    Case("sort-ties-descending", lambda T, a: a.sort(descending=True), TIES),
    Case("sort-ties-stable-descending", lambda T, a: a.sort(dim=1, descending=True,
                                                            stable=True), TIES),
    Case("sort-nan", lambda T, a: a.sort(), const([2.0, float("nan"), 1.0, -1.0])),
    Case("sort-nan-descending", lambda T, a: a.sort(descending=True),
         const([2.0, float("nan"), 1.0, -1.0])),
    Case("sort-int", lambda T, a: a.sort(descending=True), const([3, 1, 2, 1], dtype="int64")),
    Case("sort-0d", lambda T, a: a.sort(), leaf(())),
    Case("sort-3d", lambda T, a: a.sort(1), leaf((2, 3, 2))),
    Case("sort-values-op", lambda T, a: T.sort(a, 1).values * a, leaf(MAT)),
    Case("sort-values-index", lambda T, a: a.sort(0)[0][1:], leaf((3, 2))),
    Case("argsort", lambda T, a: T.argsort(a), DISTINCT),
    Case("argsort-dim0-descending", lambda T, a: a.argsort(dim=0, descending=True), DISTINCT),
    Case("argsort-positional", lambda T, a: a.argsort(0, True), DISTINCT),
    Case("argsort-stable", lambda T, a: a.argsort(stable=True), TIES),
    Case("argsort-ties-descending", lambda T, a: a.argsort(descending=True), TIES),
    Case("argsort-0d", lambda T, a: a.argsort(), const(())),
    Case("topk", lambda T, a: T.topk(a, 2), leaf((3, 4))),
    Case("topk-dim0", lambda T, a: a.topk(1, dim=0), leaf((3, 4))),
    Case("topk-smallest", lambda T, a: a.topk(2, largest=False), leaf((3, 4))),
    Case("topk-positional", lambda T, a: a.topk(3, 1, False, True), leaf((3, 4))),
    Case("topk-all", lambda T, a: a.topk(4), leaf((3, 4))),
    Case("topk-zero", lambda T, a: a.topk(0), leaf(MAT)),
    Case("topk-nan", lambda T, a: a.topk(2), const([2.0, float("nan"), 1.0])),
    Case("topk-0d", lambda T, a: a.topk(1), leaf(())),
    Case("topk-0d-k0", lambda T, a: a.topk(0), leaf(())),
    Case("topk-int", lambda T, a: a.topk(2), const([3, 1, 2, 5], dtype="int64")),
    Case("topk-values-op", lambda T, a: a.topk(2).values.sum(1) ** 2, leaf((3, 4))),
)
def test_sorting(case: Case) -> None:
    _check(case)


def test_sort_result_is_a_named_tuple_like_torch() -> None:
    for T in (torch, nbgrad):
        x = T.tensor([[3.0, 1.0, 2.0]], requires_grad=True)
        for out, name in ((x.sort(), "sort"), (x.topk(2), "topk")):
            values, indices = out
            assert values is out.values and indices is out.indices and out[0] is values
            assert len(out) == 2
            assert repr(out).startswith(f"{T.__name__}.return_types.{name}(\nvalues=")
            assert indices.dtype == T.int64 and not indices.requires_grad


# --- split, chunk, unbind: tuples of tensors ------------------------------------------------


def _run_pieces(T: Any, case: Case, arrays: list[Any]) -> dict[str, Any]:
    args, leaves = _build(T, case, arrays)
    out = case.fn(T, *args)
    seen: dict[str, Any] = {"type": type(out).__name__, "count": len(out)}
    seen["repr"] = repr(out).replace("torch.", "nbgrad.")
    seen["values"] = [p.detach().numpy().astype(np.float64) for p in out]
    seen["dtypes"] = [str(p.dtype) .split(".")[-1] for p in out]
    seen["grad_fns"] = [None if p.grad_fn is None else p.grad_fn.name() for p in out]
    seen["next"] = [None if p.grad_fn is None else [
        None if f is None else f.name().split("::")[-1] for f, _ in p.grad_fn.next_functions]
        for p in out]
    live = [p for p in out if p.requires_grad]
    if live:
        # every piece weighted differently, some left out, so that each piece's place counts
        total = sum(((p * (k + 1.5)) ** 2).sum() for k, p in enumerate(live) if k != 1)
        if len(live) == 2:
            total = total + live[1].sum() * 0.25
        total.backward()
        seen["grads"] = [None if t.grad is None else t.grad.numpy().astype(np.float64)
                         for t in leaves]
    return seen


def _check_pieces(case: Case) -> None:
    arrays = case.arrays()
    want = _run_pieces(torch, case, arrays)
    got = _run_pieces(nbgrad, case, arrays)
    assert _same_text(got["repr"], want["repr"]), f"{got['repr']}\n!=\n{want['repr']}"
    for key in ("type", "count", "dtypes", "grad_fns", "next"):
        assert got[key] == want[key], key
    for g, w in zip(got["values"], want["values"]):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert ("grads" in got) == ("grads" in want)
    for g, w in zip(got.get("grads", []), want.get("grads", [])):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


TEN = leaf((10,))


@cases(
    Case("split-int", lambda T, a: a.split(3), TEN),
    Case("split-fn", lambda T, a: T.split(a, 4), TEN),
    Case("split-fn-dim", lambda T, a: T.split(a, 2, dim=1), leaf((2, 5))),
    Case("split-exact", lambda T, a: a.split(5), TEN),
    Case("split-larger", lambda T, a: a.split(20), TEN),
    Case("split-sizes-list", lambda T, a: a.split([3, 7]), TEN),
    Case("split-sizes-tuple", lambda T, a: a.split((1, 0, 9)), TEN),
    Case("split-sizes-dim", lambda T, a: a.split([1, 2], 1), leaf(MAT)),
    Case("split-negative-dim", lambda T, a: a.split(1, dim=-1), leaf(MAT)),
    Case("split-3d", lambda T, a: a.split(2, 1), leaf((2, 3, 2))),
    Case("split-const", lambda T, a: a.split(2), const(VEC)),
    Case("split-empty", lambda T, a: a.split(2), const((0,))),
    Case("split-zero-of-empty", lambda T, a: a.split(0), const((0,))),
    Case("split-after-op", lambda T, a: (a * 2).split([2, 2]), leaf(VEC)),
    Case("chunk", lambda T, a: a.chunk(3), TEN),
    Case("chunk-fn", lambda T, a: T.chunk(a, 4), TEN),
    Case("chunk-fewer", lambda T, a: a.chunk(4), leaf((6,))),
    Case("chunk-more-than-size", lambda T, a: a.chunk(20), leaf((3,))),
    Case("chunk-dim", lambda T, a: a.chunk(2, dim=1), leaf(MAT)),
    Case("chunk-dim-positional", lambda T, a: a.chunk(2, 0), leaf((5, 2))),
    Case("chunk-empty", lambda T, a: a.chunk(2), const((0,))),
    Case("unbind", lambda T, a: a.unbind(), leaf(MAT)),
    Case("unbind-fn-dim", lambda T, a: T.unbind(a, 1), leaf(MAT)),
    Case("unbind-dim-keyword", lambda T, a: a.unbind(dim=-1), leaf((2, 2, 3))),
    Case("unbind-vector", lambda T, a: a.unbind(), leaf((3,))),
    Case("unbind-const", lambda T, a: T.unbind(a), const(MAT)),
)
def test_pieces(case: Case) -> None:
    _check_pieces(case)


def test_pieces_are_views_like_torch() -> None:
    for T in (torch, nbgrad):
        base = T.arange(10.0)
        first, second = base.split([4, 6])
        first.add_(1)
        row = T.zeros(2, 3)
        row.unbind(1)[2].fill_(7)
        chunk = base.chunk(2)[1]
        chunk.mul_(-1)
        assert base.tolist() == [1, 2, 3, 4, 4, -5, -6, -7, -8, -9]
        assert row.tolist() == [[0, 0, 7], [0, 0, 7]]
        assert base._version == 2 and second._version == 2 and first._base is base


# --- flip, repeat, tile, outer, tril, triu, diag, trace -------------------------------------


@cases(
    Case("flip-fn", lambda T, a: T.flip(a, [0]), leaf(MAT)),
    Case("flip-both", lambda T, a: a.flip(0, 1), leaf(MAT)),
    Case("flip-tuple", lambda T, a: a.flip((1,)), leaf(MAT)),
    Case("flip-negative", lambda T, a: a.flip(-1) * a, leaf(MAT)),
    Case("flip-none", lambda T, a: a.flip([]), leaf(MAT)),
    Case("flip-3d", lambda T, a: T.flip(a, (0, 2)), leaf((2, 2, 3))),
    Case("flip-0d", lambda T, a: a.flip(0), leaf(())),
    Case("flip-int", lambda T, a: a.flip(0), const(VEC, dtype="int64")),
    Case("flip-twice", lambda T, a: a.flip(0).flip(0), leaf(VEC)),
    Case("repeat", lambda T, a: a.repeat(2, 1), leaf(MAT)),
    Case("repeat-tuple", lambda T, a: a.repeat((2, 3)), leaf(MAT)),
    Case("repeat-new-dims", lambda T, a: a.repeat(2, 1, 2), leaf(MAT)),
    Case("repeat-vector", lambda T, a: a.repeat(3), leaf((3,))),
    Case("repeat-zero", lambda T, a: a.repeat(1, 0), leaf(MAT)),
    Case("repeat-0d", lambda T, a: a.repeat(2, 2), leaf(())),
    Case("repeat-list", lambda T, a: a.repeat([1, 2]) ** 2, leaf(MAT)),
    Case("tile", lambda T, a: T.tile(a, (2,)), leaf(MAT)),
    Case("tile-method", lambda T, a: a.tile(2, 1), leaf(MAT)),
    Case("tile-longer", lambda T, a: a.tile((1, 2, 1)), leaf(MAT)),
    Case("tile-empty", lambda T, a: a.tile(()), leaf(MAT)),
    Case("tile-int", lambda T, a: T.tile(a, [2]), const((3,), dtype="int64")),
    Case("outer", lambda T, a, b: T.outer(a, b), leaf((3,)), leaf((2,))),
    Case("outer-method-same", lambda T, a: a.outer(a), leaf((3,))),
    Case("outer-const-left", lambda T, a, b: T.outer(a, b), const((3,)), leaf((2,))),
    Case("outer-float64", lambda T, a, b: a.outer(b), leaf((3,)), leaf((2,), dtype="float64")),
    Case("outer-int", lambda T, a, b: a.outer(b), leaf((3,)), const([1, 2], dtype="int64")),
    Case("outer-ints", lambda T, a, b: T.outer(a, b), const([1, 2], dtype="int64"),
         const([3, -1], dtype="int64")),
    Case("tril", lambda T, a: T.tril(a), leaf((3, 4))),
    Case("triu", lambda T, a: T.triu(a), leaf((3, 4))),
    Case("tril-positive", lambda T, a: a.tril(1), leaf((3, 4))),
    Case("triu-positive", lambda T, a: a.triu(1), leaf((3, 4))),
    Case("tril-keyword", lambda T, a: a.tril(diagonal=-1), leaf((4, 3))),
    Case("triu-negative", lambda T, a: a.triu(diagonal=-1), leaf((4, 3))),
    Case("triu-far", lambda T, a: a.triu(diagonal=-5), leaf(MAT)),
    Case("tril-far", lambda T, a: a.tril(diagonal=-5), leaf(MAT)),
    Case("triu-batch", lambda T, a: a.triu(), leaf((2, 2, 3))),
    Case("tril-int", lambda T, a: a.tril(), const((3, 3), dtype="int64")),
    Case("tril-then-op", lambda T, a: (a.tril() @ a.t()).triu(), leaf((3, 3))),
    Case("diag-vector", lambda T, a: T.diag(a), leaf((3,))),
    Case("diag-vector-above", lambda T, a: T.diag(a, 1), leaf((3,))),
    Case("diag-vector-below", lambda T, a: a.diag(-2), leaf((3,))),
    Case("diag-matrix", lambda T, a: T.diag(a), leaf((3, 4))),
    Case("diag-matrix-above", lambda T, a: a.diag(1), leaf((3, 4))),
    Case("diag-matrix-below", lambda T, a: a.diag(diagonal=-1), leaf((3, 4))),
    Case("diag-matrix-outside", lambda T, a: a.diag(5), leaf(MAT)),
    Case("diag-int", lambda T, a: a.diag(), const([1, 2], dtype="int64")),
    Case("diag-twice", lambda T, a: a.diag().diag(), leaf((3, 3))),
    Case("trace", lambda T, a: T.trace(a), leaf((3, 3))),
    Case("trace-wide", lambda T, a: a.trace(), leaf(MAT)),
    Case("trace-tall", lambda T, a: a.trace() * a, leaf((3, 2))),
    Case("trace-float64", lambda T, a: a.trace(), leaf(MAT, dtype="float64")),
    Case("trace-int", lambda T, a: a.trace(), const([[1, 2], [3, 4]], dtype="int64")),
    Case("trace-int32", lambda T, a: a.trace(), const([[1, 2], [3, 4]], dtype="int32")),
)
def test_matrices_and_tiling(case: Case) -> None:
    _check(case)


def _next_names(out: Any) -> list:
    return [None if f is None else f.name().split("::")[-1]
            for f, _ in out.grad_fn.next_functions]


@pytest.mark.parametrize("code", [
    "x.gather(1, i)", "x.index_select(0, i[0])", "x.masked_fill(m, 1.0)",
    "x.masked_fill(m, v)", "x.masked_fill(m, c)", "c.masked_fill(m, v)", "x.sort(1).values",
    "x.topk(1).values", "x.flip(0)", "x.repeat(2, 1)", "x.tile(2)", "x[0].outer(x[1])",
    "x[0].outer(v.expand(2))", "x.tril()", "x.triu(1)", "x.diag()", "x.diag().diag()",
    "x.trace()", "x.exp().gather(0, i)", "(x * 1).masked_fill_(m, v)",
])
def test_next_functions_like_torch(code: str) -> None:
    def run(T: Any) -> list:
        ns = {
            "x": T.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True),
            "i": T.tensor([[0, 1, 1], [1, 0, 0]]),
            "m": T.tensor([True, False, True]),
            "v": T.tensor(2.0, requires_grad=True),
            "c": T.tensor(3.0),
        }
        out = eval(code, ns)  # noqa: S307 - the codes above are the only input
        return [out.grad_fn.name(), _next_names(out)]

    assert run(nbgrad) == run(torch)


# --- new tensors, type_as, random fills -----------------------------------------------------


@cases(
    Case("new_zeros", lambda T, a: a.new_zeros(2), leaf(MAT)),
    Case("new_zeros-tuple", lambda T, a: a.new_zeros((2, 3)), leaf(MAT, dtype="float64")),
    Case("new_zeros-args", lambda T, a: a.new_zeros(2, 3), const(MAT, dtype="int64")),
    Case("new_zeros-dtype", lambda T, a: a.new_zeros([2, 3], dtype=T.int64), leaf(MAT)),
    Case("new_zeros-0d", lambda T, a: a.new_zeros(()), leaf(MAT)),
    Case("new_zeros-requires-grad", lambda T, a: a.new_zeros(2, requires_grad=True), leaf(MAT)),
    Case("new_ones", lambda T, a: a.new_ones(2, 2), leaf(MAT, dtype="float64")),
    Case("new_ones-int", lambda T, a: a.new_ones(3), const(MAT, dtype="int64")),
    Case("new_ones-float-from-int", lambda T, a: a.new_ones(3, dtype=T.float32,
                                                              requires_grad=True),
         const(MAT, dtype="int64")),
    Case("new_full", lambda T, a: a.new_full((2,), 7), leaf(MAT)),
    Case("new_full-int", lambda T, a: a.new_full((2,), 7.5), const(MAT, dtype="int64")),
    Case("new_full-bool-value", lambda T, a: a.new_full([2, 2], True), leaf(MAT)),
    Case("new_full-dtype", lambda T, a: a.new_full((2,), 7, dtype=T.int64), leaf(MAT)),
    Case("new_tensor", lambda T, a: a.new_tensor([1, 2]), leaf(MAT, dtype="float64")),
    Case("new_tensor-int", lambda T, a: a.new_tensor([1.5, 2]), const(MAT, dtype="int64")),
    Case("new_tensor-0d", lambda T, a: a.new_tensor(3), const(MAT, dtype="int64")),
    Case("new_tensor-requires-grad", lambda T, a: a.new_tensor([[1, 2]], requires_grad=True),
         leaf(MAT)),
    Case("new_tensor-dtype", lambda T, a: a.new_tensor([1, 2], dtype=T.int32), leaf(MAT)),
    Case("new_tensor-bool", lambda T, a: a.new_tensor(True), leaf(MAT)),
    Case("type_as-int", lambda T, a, b: a.type_as(b), leaf(MAT), const([1, 2], dtype="int64")),
    Case("type_as-float", lambda T, a, b: a.type_as(b), const(MAT, dtype="int64"), leaf(VEC)),
    Case("type_as-same", lambda T, a, b: a.type_as(b), leaf(MAT), leaf(VEC)),
    Case("type_as-float64", lambda T, a, b: a.type_as(b) * 2, leaf(MAT),
         const(VEC, dtype="float64")),
    Case("normal_-zero-std", lambda T, a: (a * 1).normal_(1.5, 0), leaf(MAT)),
    Case("normal_-keywords", lambda T, a: (a * 1).normal_(mean=-2, std=0.0) * a, leaf(MAT)),
    Case("uniform_-empty-range", lambda T, a: (a + 1).uniform_(2, 2), leaf(MAT)),
    Case("uniform_-const", lambda T, a: a.clone().uniform_(0.5, 0.5), const(VEC, dtype="float64")),
)
def test_new_tensors_and_fills(case: Case) -> None:
    _check(case)


def test_new_tensor_of_a_tensor_warns_like_torch() -> None:
    _check_code("""
        x = T.tensor([1., 2.], requires_grad=True)
        out = x.new_tensor(x)
    """, must_warn=True)


@pytest.mark.parametrize("fill", ["uniform_(-0.5, 0.25)", "normal_(3.0, 0.5)", "uniform_()",
                                  "normal_()"])
def test_random_fills(fill: str) -> None:
    """Not torch's numbers, but its rules: in place (one version up, through views), in range,
    of the tensor's dtype, reproducible from ``manual_seed``."""
    def draw(seed: int) -> Any:
        nbgrad.manual_seed(seed)
        base = nbgrad.zeros(2, 500, dtype=nbgrad.float64)
        view = base[1]
        out = eval(f"view.{fill}")  # noqa: S307 - the fills above are the only input
        assert out is view and base._version == 1 and view._version == 1
        assert (base[0] == 0).all()
        return view.numpy().copy()

    a, b, c = draw(0), draw(0), draw(1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    if fill.startswith("uniform_("):
        lo, hi = (-0.5, 0.25) if "-0.5" in fill else (0.0, 1.0)
        assert lo <= a.min() and a.max() < hi and a.max() - a.min() > 0.9 * (hi - lo)
    else:
        mean, std = (3.0, 0.5) if "3.0" in fill else (0.0, 1.0)
        assert abs(a.mean() - mean) < 0.2 * std and abs(a.std() - std) < 0.2 * std
    x = nbgrad.ones(3)
    eval(f"x.{fill}")  # noqa: S307
    assert x.dtype == nbgrad.float32 and x._version == 1


def test_random_fill_in_a_graph_gives_a_zero_gradient_like_torch() -> None:
    for T in (torch, nbgrad):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.uniform_(0, 1)
        assert y.grad_fn.name() == "UniformBackward0"
        (y * x).sum().backward()
        assert x.grad.tolist() == y.tolist()  # the zero path adds nothing
        with T.no_grad():
            x.normal_(0, 1)
        assert x.requires_grad and x.is_leaf and x._version == 1


# --- errors, word for word ------------------------------------------------------------------

_SETUP = """
x = T.tensor([[1., 5., 3.], [4., 2., 6.]], requires_grad=True)
y = T.arange(10.)
m = T.tensor([[True, False, True], [False, False, True]])
on = T.tensor(True)
"""


@code_cases(
    gather_float_index="out = x.gather(1, T.tensor([[0., 0.], [1., 0.]]))",
    gather_dim_out_of_range="out = x.gather(2, T.tensor([[0, 0], [1, 0]]))",
    gather_index_too_large="out = x.gather(1, T.tensor([[0, 5], [1, 0]]))",
    gather_index_negative="out = x.gather(1, T.tensor([[0, -1], [1, 0]]))",
    gather_wrong_ndim="out = x.gather(1, T.tensor([0, 1]))",
    gather_index_too_big="out = x.gather(1, T.tensor([[0], [1], [2]]))",
    gather_index_too_big_dim0="out = x.gather(0, T.tensor([[0, 1, 1, 1]]))",
    gather_list_index="out = T.gather(x, 1, [[0]])",
    gather_larger_along_dim="out = x.gather(1, T.tensor([[0, 1, 0, 1]]))",
    index_select_matrix_index="out = x.index_select(0, T.tensor([[1]]))",
    index_select_float_index="out = x.index_select(0, T.tensor([1.]))",
    index_select_out_of_range="out = x.index_select(0, T.tensor([2]))",
    index_select_negative="out = x.index_select(0, T.tensor([-1]))",
    index_select_bad_dim="out = x.index_select(3, T.tensor([1]))",
    index_select_list="out = x.index_select(0, [1])",
    index_select_scalar_two="out = T.tensor(3.).index_select(0, T.tensor([0, 0]))",
    masked_fill_int_mask="out = x.masked_fill(m.int(), 0.)",
    masked_fill_float_mask="out = x.masked_fill(m.float(), 0.)",
    masked_fill_uint8_mask="out = x.masked_fill(m.to(T.uint8), 0.)",
    masked_fill_long_mask="out = x.masked_fill(m.long(), 0.)",
    masked_fill_vector_value="out = x.masked_fill(m, T.tensor([2.]))",
    masked_fill_bad_broadcast="out = x.masked_fill(T.tensor([True, False]), 0.)",
    masked_fill_bad_broadcast_rows="out = x.masked_fill(T.tensor([[True], [False], [True]]), 0.)",
    masked_fill_bad_broadcast_int="out = x.masked_fill(T.tensor([1, 0]), T.tensor([1.]))",
    masked_fill_leaf_inplace="out = x.masked_fill_(m, 0.)",
    masked_fill_int_mask_vector_value="out = x.masked_fill(m.int(), T.tensor([1.]))",
    masked_fill_str_value="out = x.masked_fill(m, 'a')",
    masked_fill_none_value="out = x.masked_fill(m, None)",
    masked_fill_list_value="out = x.masked_fill(m, [1.])",
    masked_fill_fn_str_value="out = T.masked_fill(x, m, 'a')",
    masked_fill_inplace_str_value="out = x.masked_fill_(m, 'a')",
    masked_fill_numpy_value="out = x.masked_fill(m, np.float64(2.5))",
    gather_backward_twice="""
        out = x.gather(1, T.tensor([[0, 1, 1], [1, 0, 0]])).sum()
        out.backward()
        out.backward()
    """,
    index_select_backward_twice="""
        out = x.index_select(1, T.tensor([0, 2])).sum()
        out.backward()
        out.backward()
    """,
    sort_backward_twice="""
        out = x.sort().values.sum()
        out.backward()
        out.backward()
    """,
    topk_backward_twice="""
        out = x.topk(2).values.sum()
        out.backward()
        out.backward()
    """,
    split_backward_twice="""
        out = x.split(1)[1].sum()
        out.backward()
        out.backward()
        out = x.grad
    """,
    split_piece_of_leaf_inplace="out = x.split(1)[1].add_(1)",
    unbind_piece_inplace="out = (x * 1).unbind(1)[2].mul_(2)",
    chunk_piece_inplace="out = (x * 1).chunk(2, 1)[1].add_(1)",
    split_sizes_piece_inplace="out = (x * 1).split([1, 2], 1)[1].zero_()",
    uniform_reversed_leaf="out = x.uniform_(3, 2)",
    gather_fn_float_dim="out = T.gather(x, 1.5, T.tensor([[0]]))",
    gather_method_float_dim="out = x.gather(1.5, T.tensor([[0]]))",
    gather_method_list_index="out = x.gather(1, [[0]])",
    gather_bool_dim="out = T.gather(x, True, T.tensor([[0]]))",
    index_select_fn_list="out = T.index_select(x, 0, [1])",
    index_select_fn_float_dim="out = T.index_select(x, 0.5, T.tensor([0]))",
    tril_method_bool="out = x.tril(True)",
    tril_fn_bool="out = T.tril(x, True)",
    triu_method_float="out = x.triu(diagonal=0.5)",
    diag_method_float="out = x.diag(1.5)",
    diag_fn_float="out = T.diag(x, 1.5)",
    chunk_method_float="out = x.chunk(2.5)",
    chunk_fn_float="out = T.chunk(x, 2.5)",
    chunk_method_float_dim="out = x.chunk(2, 0.5)",
    unbind_method_float="out = x.unbind(0.5)",
    unbind_fn_float="out = T.unbind(x, 0.5)",
    split_float_entry="out = x.split([1.5])",
    topk_fn_float_k="out = T.topk(x, 1.5)",
    topk_bool_k="out = x.topk(True)",
    outer_method_number="out = x[0].outer(3)",
    outer_number_first="out = T.outer(3, x[0])",
    flip_float_entry="out = T.flip(x, [0.5])",
    flip_float_second_entry="out = T.flip(x, [0, 0.5])",
    flip_method_float="out = x.flip(0.5)",
    flip_none="out = x.flip()",
    tile_fn_int="out = T.tile(x, 2)",
    tile_fn_float="out = T.tile(x, [2.5])",
    tile_method_float="out = x.tile(2.5)",
    repeat_float="out = x.repeat(2.5, 1)",
    masked_fill_list_mask="out = x.masked_fill([True], 1.)",
    masked_fill_fn_list_mask="out = T.masked_fill(x, [True], 1.)",
    masked_fill_list_mask_tensor_value="out = x.masked_fill([True], T.tensor(1.))",
    masked_fill_none_mask="out = x.masked_fill(None, 1)",
    masked_fill_inplace_list_mask="out = x.masked_fill_([True], 1.)",
    new_zeros_negative="out = x.new_zeros(-1)",
    topk_bool="out = T.tensor([True, False]).topk(1)",
    topk_bool_k_too_large="out = T.tensor([True, False]).topk(5)",
    masked_fill_int_overflow="out = T.tensor([1, 2]).masked_fill(T.tensor([True, False]), 1e30)",
    masked_fill_int_nan="out = T.tensor([1, 2]).masked_fill(on, T.tensor(float('nan')))",
    masked_fill_int8_overflow="out = T.tensor([1, 2], dtype=T.int8).masked_fill(on, 300)",
    masked_fill_uint8_negative="out = T.tensor([1, 2], dtype=T.uint8).masked_fill(on, -1)",
    masked_fill_uint8_negative_float="out = T.zeros(2, dtype=T.uint8).masked_fill(on, -1.5)",
    masked_fill_half_overflow="out = T.zeros(2, dtype=T.float16).masked_fill(on, 1e5)",
    masked_fill_half_inf="out = T.zeros(2, dtype=T.float16).masked_fill(on, float('inf'))",
    masked_fill_float_overflow="out = T.zeros(2).masked_fill(on, 1e39)",
    masked_fill_int64_edge="out = T.zeros(2, dtype=T.int64).masked_fill(on, 2.0 ** 63)",
    new_ones_float="out = x.new_ones(2.5)",
    normal_negative_std_leaf="out = x.normal_(0, -1)",
    normal_negative_std_int="out = T.zeros(3, dtype=T.int64).normal_(0, -1)",
    uniform_reversed_int="out = T.zeros(3, dtype=T.int64).uniform_(3, 2)",
    masked_fill_inplace_bigger_mask="""
        z = x.detach().clone()
        out = z.masked_fill_(T.tensor([[[True, False, True]]]), 0.)
    """,
    masked_fill_inplace_no_grad="""
        with T.no_grad():
            out = x.masked_fill_(m, 0.)
    """,
    masked_fill_inplace_version="""
        z = x.detach().clone()
        z.masked_fill_(m, 9)
        out = (z, z._version, x._version)
    """,
    masked_fill_inplace_backward="""
        z = x * 1
        z.masked_fill_(m, 0.)
        z.sum().backward()
        out = (z, x.grad)
    """,
    masked_fill_saved_then_modified="""
        z = x * 1
        w = z * z
        z.masked_fill_(m, 0.)
        w.sum().backward()
    """,
    sort_bad_dim="out = x.sort(3)",
    argsort_bad_dim="out = x.argsort(-3)",
    topk_too_large="out = x.topk(4)",
    topk_negative="out = x.topk(-1)",
    topk_bad_dim="out = x.topk(2, dim=2)",
    topk_float_k="out = x.topk(1.5)",
    split_sizes_wrong_sum="out = y.split([3, 6])",
    split_zero="out = y.split(0)",
    split_negative="out = y.split(-1)",
    split_negative_size="out = y.split([3, -1, 8])",
    split_bad_dim="out = y.split(3, dim=1)",
    split_0d="out = T.tensor(3.).split(1)",
    split_float="out = y.split(1.5)",
    chunk_zero="out = y.chunk(0)",
    chunk_negative="out = y.chunk(-1)",
    chunk_0d="out = T.tensor(3.).chunk(2)",
    chunk_bad_dim="out = y.chunk(2, 1)",
    unbind_bad_dim="out = x.unbind(2)",
    unbind_0d="out = T.tensor(3.).unbind()",
    flip_duplicate="out = x.flip([0, 0])",
    flip_duplicate_negative="out = x.flip(1, -1)",
    flip_bad_dim="out = x.flip([2])",
    flip_fn_int="out = T.flip(x, 0)",
    repeat_too_few="out = x.repeat(2)",
    repeat_none="out = x.repeat()",
    repeat_negative="out = x.repeat(-1, 1)",
    tile_negative="out = x.tile([-1])",
    outer_matrix="out = T.outer(x[0], x)",
    outer_0d="out = T.outer(T.tensor(2.), x[0])",
    outer_number="out = T.outer(x[0], 3)",
    tril_vector="out = x[0].tril()",
    triu_0d="out = T.tensor(1.).triu()",
    tril_float_diagonal="out = T.tril(x, 1.5)",
    diag_3d="out = T.ones(2, 2, 2).diag()",
    diag_0d="out = T.tensor(3.).diag()",
    trace_vector="out = x[0].trace()",
    trace_3d="out = T.trace(T.ones(2, 3, 4))",
    trace_bool="out = T.tensor([[True, False], [True, True]]).trace()",
    new_zeros_no_size="out = x.new_zeros()",
    new_full_int_size="out = x.new_full(2, 7)",
    new_ones_int_requires_grad="out = T.tensor([1, 2]).new_ones(3, requires_grad=True)",
    type_as_number="out = x.type_as(3)",
    uniform_leaf="out = x.uniform_()",
    normal_leaf="out = x.normal_()",
    uniform_reversed="out = T.zeros(3).uniform_(3, 2)",
    uniform_int="out = T.zeros(3, dtype=T.int64).uniform_()",
    normal_negative_std="out = T.zeros(3).normal_(0, -1)",
    normal_int="out = T.zeros(3, dtype=T.int64).normal_()",
    normal_zero_std="out = T.zeros(3).normal_(0, 0)",
    normal_no_grad_leaf="""
        with T.no_grad():
            out = x.normal_(0., 0.)
    """,
    split_piece_inplace_detached="""
        z = y.detach()
        z.split(3)[0].add_(1)
        out = y
    """,
)
def test_errors(code: str) -> None:
    _check_code("import numpy as np\n" + _SETUP + code)


def test_cases_are_not_vacuous() -> None:
    """The harness sees a difference: a wrong gradient or a wrong name fails the check."""
    broken = Case("gather-broken", lambda T, a, i: a.gather(1, i) * (
        1 if T is torch else 1.5), leaf(MAT), INDEX)
    with pytest.raises(AssertionError):
        _check(broken)
    renamed = Case("sort-vs-argsort", lambda T, a: a.sort(stable=True) if T is torch
                   else a.sort(), leaf(MAT))
    with pytest.raises(AssertionError):
        _check(renamed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pieces = Case("split-wrong", lambda T, a: a.split(3) if T is torch else a.split(4), TEN)
        with pytest.raises(AssertionError):
            _check_pieces(pieces)
