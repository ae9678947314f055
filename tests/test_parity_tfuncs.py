"""The tensor functions torch tutorials use (products: einsum, bmm, addmm, tensordot...;
building and reshaping: meshgrid, stacks, roll, rot90, diff...; selecting and writing: take,
scatter, index_add, masked_select, nonzero, unique...), run under torch 2.13 and nbgrad on the
same numbers: the printed result, dtype, values and gradients (the harness of
test_parity_ops), the printed text of whole snippets (test_parity_snippets), the errors and
warnings word for word (test_parity_errors); and gradchecks, first and second order, in
float64 (these run without torch).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import grad, gradcheck

# --- gradients against finite differences (no torch needed) --------------------------------


def _leaf(*shape: int, seed: int = 0) -> nbgrad.Tensor:
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    return nbgrad.tensor(rng.uniform(-1, 1, size=shape), dtype=nbgrad.float64,
                         requires_grad=True)


def _idx(values: list) -> nbgrad.Tensor:
    return nbgrad.tensor(values)


T = nbgrad
GRADCHECKS: list[tuple[str, Callable, Callable[[], list]]] = [
    ("einsum-mm", lambda a, b: T.einsum("ij,jk->ik", a, b), lambda: [_leaf(2, 3), _leaf(3, 4)]),
    ("einsum-bmm", lambda a, b: T.einsum("bij,bjk->bik", a, b),
     lambda: [_leaf(2, 2, 3), _leaf(2, 3, 2)]),
    ("einsum-dot", lambda a, b: T.einsum("i,i->", a, b), lambda: [_leaf(3), _leaf(3, seed=1)]),
    ("einsum-transpose", lambda a: T.einsum("ij->ji", a), lambda: [_leaf(2, 3)]),
    ("einsum-diagonal", lambda a: T.einsum("ii->i", a), lambda: [_leaf(3, 3)]),
    ("einsum-trace", lambda a: T.einsum("ii", a), lambda: [_leaf(3, 3)]),
    ("einsum-sum", lambda a: T.einsum("ij->", a), lambda: [_leaf(2, 3)]),
    ("einsum-ellipsis-broadcast", lambda a, b: T.einsum("...ij,...jk", a, b),
     lambda: [_leaf(2, 1, 2, 3), _leaf(3, 3, 2)]),
    ("einsum-outer", lambda a, b: T.einsum("i,j->ij", a, b), lambda: [_leaf(3), _leaf(2)]),
    ("einsum-three", lambda a, b, c: T.einsum("ij,jk,kl->il", a, b, c),
     lambda: [_leaf(2, 3), _leaf(3, 2), _leaf(2, 2)]),
    ("einsum-bilinear", lambda a, w, b: T.einsum("bi,oij,bj->bo", a, w, b),
     lambda: [_leaf(2, 3), _leaf(4, 3, 2), _leaf(2, 2, seed=3)]),
    ("bmm", T.bmm, lambda: [_leaf(2, 2, 3), _leaf(2, 3, 4)]),
    ("addmm", lambda m, a, b: T.addmm(m, a, b, beta=0.5, alpha=2.0),
     lambda: [_leaf(4), _leaf(2, 3), _leaf(3, 4)]),
    ("addmm-full", T.addmm, lambda: [_leaf(2, 4), _leaf(2, 3), _leaf(3, 4)]),
    ("baddbmm", lambda m, a, b: T.baddbmm(m, a, b, alpha=-1.5),
     lambda: [_leaf(1, 4), _leaf(2, 2, 3), _leaf(2, 3, 4)]),
    ("tensordot", lambda a, b: T.tensordot(a, b, dims=([1, 2], [0, 1])),
     lambda: [_leaf(2, 3, 2), _leaf(3, 2, 4)]),
    ("tensordot-int", lambda a, b: T.tensordot(a, b, 1), lambda: [_leaf(2, 3), _leaf(3, 2)]),
    ("kron", T.kron, lambda: [_leaf(2, 2), _leaf(3)]),
    ("cross", lambda a, b: T.cross(a, b, dim=1), lambda: [_leaf(2, 3), _leaf(1, 3)]),
    ("cross-dim0", lambda a, b: T.cross(a, b, dim=0), lambda: [_leaf(3, 2), _leaf(3, 2, seed=4)]),
    ("meshgrid", lambda a, b: T.meshgrid(a, b, indexing="xy")[0] * T.meshgrid(
        a, b, indexing="ij")[1].T, lambda: [_leaf(3), _leaf(2)]),
    ("broadcast_tensors", lambda a, b: T.broadcast_tensors(a, b)[0] * 2
     + T.broadcast_tensors(a, b)[1], lambda: [_leaf(3), _leaf(2, 1)]),
    ("stacks", lambda a, b: T.hstack([a, b]).sum() + T.vstack([a, b]) * T.dstack([a, b])[0].T
     + T.column_stack([a, b]).T, lambda: [_leaf(3), _leaf(3, seed=2)]),
    ("narrow-movedim", lambda a: T.movedim(T.narrow(a, 1, 1, 2), 0, -1),
     lambda: [_leaf(2, 3, 2)]),
    ("roll", lambda a: T.roll(a, (1, -2), (0, 1)) * a, lambda: [_leaf(3, 4)]),
    ("roll-flat", lambda a: T.roll(a, 2) * a, lambda: [_leaf(2, 3)]),
    ("rot90", lambda a: T.rot90(a, 1, (1, 0)) ** 2, lambda: [_leaf(2, 3)]),
    ("rot90-3d", lambda a: T.rot90(a, 2, (0, 2)) * a, lambda: [_leaf(2, 2, 2)]),
    ("diff", lambda a, p: T.diff(a, n=2, dim=0, prepend=p) ** 2,
     lambda: [_leaf(3, 2), _leaf(1, 2)]),
    ("take", lambda a: T.take(a, _idx([[0, 5], [5, -1]])) ** 2, lambda: [_leaf(2, 3)]),
    ("take_along_dim", lambda a: T.take_along_dim(a, _idx([[0], [2]]), 1) ** 2,
     lambda: [_leaf(2, 3)]),
    ("scatter", lambda a, s: T.scatter(a, 1, _idx([[0, 1], [2, 0]]), s) ** 2,
     lambda: [_leaf(2, 3), _leaf(2, 3)]),
    ("scatter-value", lambda a: T.scatter(a, 0, _idx([[1, 0, 1]]), 0.5) ** 2,
     lambda: [_leaf(2, 3)]),
    ("scatter_add", lambda a, s: T.scatter_add(a, 1, _idx([[0, 0], [2, 0]]), s) ** 2,
     lambda: [_leaf(2, 3), _leaf(2, 2)]),
    ("index_add", lambda a, s: T.index_add(a, 0, _idx([1, 1, 0]), s, alpha=2) ** 2,
     lambda: [_leaf(2, 3), _leaf(3, 3)]),
    ("index_copy", lambda a, s: T.index_copy(a, 1, _idx([2, 0]), s) ** 2,
     lambda: [_leaf(2, 3), _leaf(2, 2)]),
    ("index_fill", lambda a, v: T.index_fill(a, 1, _idx([2, 0]), v) ** 2,
     lambda: [_leaf(2, 3), _leaf()]),
    ("masked_select", lambda a: T.masked_select(a, _idx([True, False, True])) ** 2,
     lambda: [_leaf(2, 3)]),
    ("masked_scatter", lambda a, s: T.masked_scatter(a, _idx([[True], [False]]), s) ** 2,
     lambda: [_leaf(2, 3), _leaf(2, 2)]),
]


@pytest.mark.parametrize("name,fn,make", GRADCHECKS, ids=[c[0] for c in GRADCHECKS])
def test_gradcheck(name: str, fn: Callable, make: Callable) -> None:
    assert gradcheck(fn, make())


@pytest.mark.parametrize("name,fn,make", GRADCHECKS, ids=[c[0] for c in GRADCHECKS])
def test_gradgradcheck(name: str, fn: Callable, make: Callable) -> None:
    """Second derivatives: the first derivative, built with create_graph, against finite
    differences."""
    inputs = make()

    def first(*xs: nbgrad.Tensor) -> tuple:
        out = fn(*xs)
        w = nbgrad.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                          dtype=nbgrad.float64)
        gs = grad((out * w).sum() ** 2, xs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    assert all(g.requires_grad for g in first(*inputs))
    assert gradcheck(first, inputs)


def test_gradcheck_catches_a_wrong_roll() -> None:
    """The checks above can fail: a backward that rolls the wrong way is caught."""
    from nbgrad.autograd import GradcheckError
    from nbgrad.ops import building

    original = building.RollBackward0.vjp
    building.RollBackward0.vjp = lambda self, F, g, shifts, dims: (np.roll(g, shifts, dims),)
    try:
        with pytest.raises(GradcheckError):
            gradcheck(lambda a: T.roll(a, 1, 0) * a, [_leaf(3, 2)])
    finally:
        building.RollBackward0.vjp = original


def test_unique_has_no_derivative_but_prints_its_node() -> None:
    x = nbgrad.tensor([3.0, 1.0, 3.0], requires_grad=True)
    u = nbgrad.unique(x)
    assert u.grad_fn.name() == "Unique2Backward0"
    with pytest.raises(NotImplementedError, match="_unique2"):
        u.sum().backward()


def test_drawing_shows_the_new_nodes() -> None:
    """Each new node has its label on the drawing."""
    a = nbgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = nbgrad.ones(1, 3, 3, requires_grad=True)
    y = nbgrad.bmm(nbgrad.roll(a, 1, 1).unsqueeze(0), b)[0]  # (2, 3)
    y = nbgrad.rot90(nbgrad.scatter(y, 1, nbgrad.tensor([[0, 1]]), 0.0))  # (3, 2)
    c = nbgrad.cross(nbgrad.index_add(y.T, 0, nbgrad.tensor([0]), a[:1]), a, dim=1)
    z = nbgrad.einsum("ii->i", nbgrad.addmm(nbgrad.ones(3, 3), c.T, a))
    labels = [n.label for n in nbgrad.draw(z).model.nodes]
    for label in ("bmm", "roll", "rot90", "scatter", "index_add", "cross", "addmm",
                  "diagonal"):
        assert label in labels, (label, labels)
    source = nbgrad.draw(z, local=True).source
    assert "d(A@B)/dA" in source  # bmm's and addmm's local derivatives, written as mm's


# --- against torch 2.13 ---------------------------------------------------------------------

torch = pytest.importorskip("torch")

from test_parity_errors import _check as _check_code  # noqa: E402
from test_parity_ops import Case, _check, cases, const, leaf  # noqa: E402
from test_parity_snippets import check_prints_as_torch  # noqa: E402


def _i(values: list) -> const:
    return const(values, dtype="int64")


@cases(
    Case("einsum-mm", lambda T, a, b: T.einsum("ij,jk->ik", a, b), leaf((2, 3)), leaf((3, 4))),
    Case("einsum-bmm", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), leaf((2, 2, 3)),
         leaf((2, 3, 4))),
    Case("einsum-dot", lambda T, a, b: T.einsum("i,i->", a, b), leaf((4,)), leaf((4,))),
    Case("einsum-transpose", lambda T, a: T.einsum("ij->ji", a), leaf((2, 3))),
    Case("einsum-diagonal", lambda T, a: T.einsum("ii->i", a), leaf((3, 3))),
    Case("einsum-sum", lambda T, a: T.einsum("ij->", a), leaf((2, 3))),
    Case("einsum-ellipsis", lambda T, a, b: T.einsum("...ij,...jk", a, b), leaf((2, 1, 2, 3)),
         leaf((3, 3, 2))),
    Case("einsum-implicit", lambda T, a, b: T.einsum("ij,jk", a, b), leaf((2, 3)),
         leaf((3, 2))),
    Case("einsum-implicit-trace", lambda T, a: T.einsum("ii", a), leaf((3, 3))),
    Case("einsum-implicit-order", lambda T, a: T.einsum("ji", a), leaf((2, 3))),
    Case("einsum-outer", lambda T, a, b: T.einsum("i,j->ij", a, b), leaf((3,)), leaf((2,))),
    Case("einsum-hadamard", lambda T, a, b: T.einsum("ij,ij->ij", a, b), leaf((2, 3)),
         leaf((2, 3))),
    Case("einsum-spaces-upper", lambda T, a, b: T.einsum("Ab, bc -> cA", a, b), leaf((2, 3)),
         leaf((3, 4))),
    Case("einsum-mv-const", lambda T, a, b: T.einsum("ij,j->i", a, b), leaf((2, 3)),
         const((3,))),
    Case("einsum-list", lambda T, a, b: T.einsum("ij,jk", [a, b]), leaf((2, 3)), leaf((3, 2))),
    Case("einsum-int", lambda T, a, b: T.einsum("i,i", a, b), _i([1, 2, 3]), _i([4, 5, 6])),
    Case("einsum-mixed-dtypes", lambda T, a, b: T.einsum("i,j", a, b), leaf((2,)),
         leaf((3,), dtype="float64")),
    Case("bmm", lambda T, a, b: T.bmm(a, b), leaf((2, 2, 3)), leaf((2, 3, 4))),
    Case("bmm-method", lambda T, a, b: a.bmm(b), leaf((3, 1, 2)), const((3, 2, 2))),
    Case("addmm", lambda T, m, a, b: T.addmm(m, a, b), leaf((4,)), leaf((2, 3)), leaf((3, 4))),
    Case("addmm-scaled", lambda T, m, a, b: m.addmm(a, b, beta=0.5, alpha=-2), leaf((2, 1)),
         leaf((2, 3)), leaf((3, 4))),
    Case("baddbmm", lambda T, m, a, b: T.baddbmm(m, a, b, alpha=2), leaf((2, 4)),
         leaf((3, 2, 3)), leaf((3, 3, 4))),
    Case("tensordot-2", lambda T, a, b: T.tensordot(a, b), leaf((2, 3, 2)), leaf((3, 2, 4))),
    Case("tensordot-lists", lambda T, a, b: T.tensordot(a, b, dims=([0], [1])), leaf((2, 3)),
         leaf((4, 2))),
    Case("tensordot-0", lambda T, a, b: T.tensordot(a, b, dims=0), leaf((2,)), leaf((3,))),
    Case("kron", lambda T, a, b: T.kron(a, b), leaf((2, 2)), leaf((2, 3))),
    Case("kron-vector-matrix", lambda T, a, b: a.kron(b), leaf((2,)), leaf((2, 3))),
    Case("kron-int-float", lambda T, a, b: T.kron(a, b), _i([1, 2]), leaf((2,))),
    Case("cross", lambda T, a, b: T.cross(a, b, dim=1), leaf((2, 3)), leaf((2, 3))),
    Case("cross-broadcast", lambda T, a, b: a.cross(b, dim=-1), leaf((2, 3)), leaf((1, 3))),
    Case("broadcast_to", lambda T, a: T.broadcast_to(a, (2, 3)), leaf((3,))),
    Case("broadcast_to-method", lambda T, a: a.broadcast_to([2, 2, 3]), leaf((2, 1, 3))),
    Case("hstack", lambda T, a, b: T.hstack([a, b]), leaf((2, 3)), leaf((2, 1))),
    Case("hstack-vectors", lambda T, a, b: T.hstack((a, b)), leaf((3,)), leaf((2,))),
    Case("hstack-scalars", lambda T, a, b: T.hstack([a, b]), leaf(()), _i(3)),
    Case("vstack", lambda T, a, b: T.vstack([a, b]), leaf((3,)), leaf((2, 3))),
    Case("row_stack", lambda T, a, b: T.row_stack([a, b]), leaf((3,)), leaf((3,))),
    Case("dstack", lambda T, a, b: T.dstack([a, b]), leaf((3,)), leaf((3,))),
    Case("dstack-matrices", lambda T, a, b: T.dstack([a, b]), leaf((2, 3)), leaf((2, 3, 2))),
    Case("column_stack", lambda T, a, b, c: T.column_stack([a, b, c]), leaf((2,)),
         leaf((2, 2)), leaf((2,))),
    Case("atleast_1d", lambda T, a: T.atleast_1d(a), leaf(())),
    Case("atleast_2d", lambda T, a: T.atleast_2d(a), leaf((3,))),
    Case("atleast_2d-scalar", lambda T, a: T.atleast_2d(a), leaf(())),
    Case("atleast_3d-matrix", lambda T, a: T.atleast_3d(a), leaf((2, 3))),
    Case("narrow", lambda T, a: T.narrow(a, 1, 1, 2), leaf((2, 3))),
    Case("narrow-negative-start", lambda T, a: a.narrow(0, -2, 2), leaf((3, 2))),
    Case("movedim", lambda T, a: T.movedim(a, 0, 2), leaf((2, 3, 4))),
    Case("movedim-tuples", lambda T, a: a.movedim((0, 1), (2, 0)), leaf((2, 3, 4))),
    Case("moveaxis", lambda T, a: T.moveaxis(a, -1, 0), leaf((2, 3, 4))),
    Case("roll", lambda T, a: T.roll(a, 1, 1), leaf((2, 3))),
    Case("roll-flat", lambda T, a: a.roll(-2), leaf((2, 3))),
    Case("roll-two-dims", lambda T, a: T.roll(a, (1, 2), (0, 1)), leaf((3, 3))),
    Case("rot90", lambda T, a: T.rot90(a), leaf((2, 3))),
    Case("rot90-k", lambda T, a: a.rot90(-1, [1, 0]), leaf((2, 3))),
    Case("rot90-2", lambda T, a: T.rot90(a, 2), leaf((2, 3, 2))),
    Case("rot90-0", lambda T, a: T.rot90(a, 4), leaf((2, 3))),
    Case("diff", lambda T, a: T.diff(a), leaf((2, 4))),
    Case("diff-n-dim", lambda T, a: a.diff(n=2, dim=0), leaf((4, 2))),
    Case("diff-prepend-append", lambda T, a, p, q: T.diff(a, prepend=p, append=q), leaf((4,)),
         leaf((1,)), const((2,))),
    Case("diff-int", lambda T, a: T.diff(a), _i([1, 4, 9, 16])),
    Case("diff-bool", lambda T, a: T.diff(a), const([True, False, False, True], dtype="bool")),
    Case("diff-too-many", lambda T, a: T.diff(a, n=5), leaf((3,))),
    Case("take", lambda T, a, i: T.take(a, i), leaf((2, 3)), _i([[0, 5], [-1, 0]])),
    Case("take_along_dim", lambda T, a, i: T.take_along_dim(a, i, 1), leaf((2, 3)),
         _i([[0, 2], [1, 1]])),
    Case("take_along_dim-broadcast", lambda T, a, i: a.take_along_dim(i, dim=0), leaf((3, 2)),
         _i([[2]])),
    Case("take_along_dim-flat", lambda T, a, i: T.take_along_dim(a, i), leaf((2, 3)),
         _i([5, 0])),
    # (src as large as index: torch's backward fails for a larger one, nbgrad's does not)
    Case("scatter", lambda T, a, i, s: T.scatter(a, 1, i, s), leaf((2, 3)),
         _i([[0, 1], [2, 2]]), leaf((2, 2))),
    Case("scatter-value", lambda T, a, i: a.scatter(0, i, 2.5), leaf((2, 3)), _i([[1, 0, 1]])),
    Case("scatter-value-keyword", lambda T, a, i: T.scatter(a, 0, i, value=-1), leaf((2, 3)),
         _i([[1, 0, 1]])),
    Case("scatter-int", lambda T, a, i: T.scatter(a, 1, i, 2.5), _i([[1, 2, 3]]), _i([[2]])),
    Case("scatter-reduce-add", lambda T, a, i: T.scatter(a, 1, i, 2.5, reduce="add"),
         const((2, 3)), _i([[0, 0], [1, 2]])),
    Case("scatter_add", lambda T, a, i, s: T.scatter_add(a, 0, i, s), leaf((2, 3)),
         _i([[0, 1, 0], [0, 0, 1]]), leaf((2, 3))),
    Case("scatter_add-method", lambda T, a, i, s: a.scatter_add(1, i, s), leaf((2, 3)),
         _i([[0, 0]]), leaf((1, 2))),
    Case("index_add", lambda T, a, i, s: T.index_add(a, 0, i, s), leaf((3, 2)), _i([2, 0, 2]),
         leaf((3, 2))),
    Case("index_add-alpha", lambda T, a, i, s: a.index_add(1, i, s, alpha=-2), leaf((2, 3)),
         _i([1]), leaf((2, 1))),
    Case("index_fill", lambda T, a, i: T.index_fill(a, 1, i, 5), leaf((2, 3)), _i([0, 2])),
    Case("index_fill-tensor", lambda T, a, i, v: a.index_fill(0, i, v), leaf((2, 3)), _i([1]),
         leaf(())),
    Case("index_copy", lambda T, a, i, s: T.index_copy(a, 1, i, s), leaf((2, 3)), _i([2, 0]),
         leaf((2, 2))),
    Case("masked_select", lambda T, a, m: T.masked_select(a, m), leaf((2, 3)),
         const([True, False, True], dtype="bool")),
    Case("masked_select-broadcast-input", lambda T, a, m: a.masked_select(m), leaf((3,)),
         const([[True, False, True], [False, True, True]], dtype="bool")),
    Case("masked_scatter", lambda T, a, m, s: T.masked_scatter(a, m, s), leaf((2, 3)),
         const([True, False, True], dtype="bool"), leaf((2, 3))),
    Case("masked_scatter-method", lambda T, a, m, s: a.masked_scatter(m, s), leaf((2, 2)),
         const([[True], [False]], dtype="bool"), leaf((5,))),
)
def test_matches_torch(case: Case) -> None:
    _check(case)


# Whole snippets: what a lesson cell prints (tuples, dtypes, the nodes of the graph)
_CHAIN = """
def chain(y):
    names, fn = [], y.grad_fn
    while fn is not None:
        names.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None and 'Accumulate' not in f.name()]
        fn = nxt[0] if nxt else None
    return names
"""


@pytest.mark.parametrize("code", [
    _CHAIN + "a = T.ones(2, 3, requires_grad=True); b = T.ones(3, 4, requires_grad=True)\n"
    "for eq in ['ij,jk->ik', 'ij,jk', 'ij->ji', 'ij->', 'ij,ij->ij', 'ij,ij->', 'i,j->ij']:\n"
    "    x, y = (a, a) if eq.startswith('ij,ij') else (a[0], a[1]) if eq == 'i,j->ij' else (a, b)\n"
    "    print(eq, chain(T.einsum(eq, x, y) if ',' in eq else T.einsum(eq, x)))",
    _CHAIN + "s = T.ones(3, 3, requires_grad=True)\n"
    "print(chain(T.einsum('ii->i', s)), chain(T.einsum('ii', s)))\n"
    "print(chain(T.einsum('bij,bjk->bik', s[None], s[None])))",
    _CHAIN + "a = T.ones(2, 3, requires_grad=True); b = T.ones(3, 4, requires_grad=True)\n"
    "print(chain(T.tensordot(a, b, 1)), chain(T.kron(a, b)))\n"
    "print(chain(T.hstack([a, a])), chain(T.vstack([a[0], a[1]])), chain(T.dstack([a[0]])))\n"
    "print(chain(T.column_stack([a[0], a[1]])), chain(T.atleast_2d(a.sum())))\n"
    "print(chain(T.diff(a)), chain(T.diff(a, n=2)), chain(T.diff(a, prepend=a[:, :1])))\n"
    "print(chain(T.take_along_dim(a, T.tensor([[0, 1, 0]]), 1)))\n"
    "print(chain(T.take_along_dim(a, T.tensor([0, 4]))))\n"
    "print(chain(T.index_add(T.zeros(2, 3), 0, T.tensor([1]), a[:1])))",
    "x, y = T.meshgrid(T.arange(3), T.arange(2), indexing='ij'); print(x, y)\n"
    "x, y = T.meshgrid([T.arange(3.), T.arange(2.)], indexing='xy'); print(x, y)\n"
    "print(T.meshgrid(T.tensor([1., 2.], requires_grad=True), T.tensor(3.), indexing='xy'))",
    "a, b = T.broadcast_tensors(T.tensor([1., 2.], requires_grad=True), T.ones(3, 1))\n"
    "print(a, b)",
    "print(T.atleast_1d(T.tensor(1.), T.tensor([2.])), T.atleast_2d([T.tensor(1)]))",
    "x = T.tensor([[0, 1.5], [2, 0]]); print(T.nonzero(x), x.nonzero(as_tuple=True))\n"
    "print(T.argwhere(x), T.count_nonzero(x), x.count_nonzero(0), T.count_nonzero(x, (0, 1)))\n"
    "print(T.nonzero(T.tensor(3)), T.nonzero(T.tensor(0.), as_tuple=True))",
    "x = T.tensor([3., 1., 3., 2., 1.], requires_grad=True)\n"
    "print(T.unique(x)); print(x.unique(return_inverse=True, return_counts=True))\n"
    "print(T.unique(x, sorted=False, return_counts=True))\n"
    "print(T.unique(T.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True))\n"
    "print(T.unique(T.tensor([[1., 2], [1, 2]], requires_grad=True), dim=0))",
    "x = T.zeros(2, 3); x.scatter_(1, T.tensor([[2, 0]]), T.ones(2, 3)); print(x)\n"
    "x.scatter_add_(0, T.tensor([[1, 1, 1]]), T.ones(1, 3)); print(x)\n"
    "x.index_add_(1, T.tensor([0]), T.ones(2, 1), alpha=3); print(x)\n"
    "x.index_fill_(0, T.tensor([0]), -1); x.index_copy_(0, T.tensor([1]), T.ones(1, 3)); print(x)\n"
    "x.masked_scatter_(x > 0, T.arange(10.)); print(x)\n"
    "m = T.ones(2, 4); m.addmm_(T.ones(2, 3), T.ones(3, 4), alpha=2); print(m)\n"
    "m = T.ones(2, 2, 4); m.baddbmm_(T.ones(2, 2, 3), T.ones(2, 3, 4), beta=0); print(m)",
    "w = T.ones(2, 3, requires_grad=True); y = w * 1\n"
    "y.scatter_(1, T.tensor([[0], [1]]), 5.); print(y); y.sum().backward(); print(w.grad)",
    "print(T.einsum('bi,bi->b', T.arange(6.).reshape(2, 3), T.ones(2, 3)))",
    "print(T.cross(T.tensor([[1., 0, 0], [0, 1, 0]]), T.tensor([[0., 1, 0], [0, 0, 1]])))",
])
def test_prints_as_torch(code: str) -> None:
    check_prints_as_torch(code)


@pytest.mark.parametrize("code", [
    # einsum's equations
    "T.einsum('...ij,...jk', T.ones(2, 2, 3), T.ones(3, 3, 4))",
    "T.einsum('ij,jk', T.ones(2, 3), T.ones(4, 4))",
    "T.einsum('ij,jk->ik', T.ones(2, 3))",
    "T.einsum('ij->ik', T.ones(2, 3))",
    "T.einsum('ij->ii', T.ones(2, 3))",
    "T.einsum('ij', T.ones(2, 3, 4))",
    "T.einsum('...ijkl', T.ones(2, 3, 4))",
    "T.einsum('ij1', T.ones(2, 3, 4))",
    "T.einsum('ij->j1', T.ones(2, 3))",
    "T.einsum('ii', T.ones(2, 3))",
    "T.einsum('i.j', T.ones(2, 3))",
    "T.einsum('...i...', T.ones(2, 3))",
    "T.einsum('ij->....', T.ones(2, 3))",
    "T.einsum('ij->i..', T.ones(2, 3))",
    "T.einsum('ij')",
    "T.einsum('i,i', T.ones(2), T.ones(2), T.ones(2))",
    "T.einsum('i,i', T.ones(2), T.ones(2, dtype=T.float64))",
    "T.einsum('i,i', T.tensor([1, 2]), T.tensor([1., 2]))",
    "T.einsum('i,i', T.tensor([True, False]), T.tensor([True, True]))",
    # products
    "T.bmm(T.ones(2, 3), T.ones(3, 4))",
    "T.bmm(T.ones(2, 2, 3), T.ones(2, 2, 4))",
    "T.bmm(T.ones(2, 2, 3), T.ones(3, 3, 4))",
    "T.bmm(T.ones(2, 2, 3), T.ones(2, 3, 4, dtype=T.float64))",
    "T.addmm(T.ones(3), T.ones(2, 3), T.ones(3, 4))",
    "T.addmm(T.ones(4), T.ones(2, 3), T.ones(2, 4))",
    "T.addmm(T.ones(4), T.ones(2, 3, 1), T.ones(3, 4))",
    "T.baddbmm(T.ones(5, 4), T.ones(3, 2, 3), T.ones(3, 3, 4))",
    "T.tensordot(T.ones(2, 3), T.ones(3, 4))",
    "T.tensordot(T.ones(2, 3), T.ones(3, 4), dims=-1)",
    "T.tensordot(T.ones(2, 3), T.ones(2, 4), 1)",
    "T.tensordot(T.ones(2, 3), T.ones(3, 4), dims=([1], [0, 1]))",
    "T.tensordot(T.ones(2, 3), T.ones(3, 4), dims=(1, 0))",
    "T.cross(T.ones(2, 4), T.ones(2, 4), dim=1)",
    "T.cross(T.ones(2, 3), T.ones(2, 3), dim=0)",
    "T.cross(T.ones(2, 3), T.ones(2, 2, 3), dim=-1)",
    "T.cross(T.ones(3), T.ones(3, dtype=T.float64), dim=0)",
    # building and reshaping
    "T.meshgrid(T.arange(3), T.arange(2.), indexing='ij')",
    "T.meshgrid(T.arange(3), T.arange(2), indexing='yx')",
    "T.meshgrid(indexing='ij')",
    "T.broadcast_to(T.ones(3), (2, 2))",
    "T.broadcast_to(T.ones(3), 3)",
    "T.broadcast_tensors(T.ones(3), T.ones(2))",
    "T.narrow(T.ones(2, 3), 1, 4, 1)",
    "T.narrow(T.ones(2, 3), 1, 1, 3)",
    "T.narrow(T.ones(2, 3), 1, 1, -1)",
    "T.narrow(T.ones(2, 3), 2, 0, 1)",
    "T.narrow(T.tensor(1.), 0, 0, 1)",
    "T.movedim(T.ones(2, 3, 4), (0, 0), (1, 2))",
    "T.movedim(T.ones(2, 3, 4), (0, 1), (2, 2))",
    "T.movedim(T.ones(2, 3, 4), 3, 0)",
    "T.roll(T.arange(6).reshape(2, 3), (1, 2), 0)",
    "T.roll(T.arange(6).reshape(2, 3), 1, 2)",
    "T.roll(T.arange(6).reshape(2, 3), (1, 1))",
    "T.rot90(T.ones(2, 3), 1, (0,))",
    "T.rot90(T.ones(3), 1, (0, 1))",
    "T.rot90(T.ones(2, 3), 1, (0, 0))",
    "T.rot90(T.ones(2, 3), 1, (0, 2))",
    "T.diff(T.tensor(1.))",
    "T.diff(T.tensor([1., 2]), n=-1)",
    "T.diff(T.ones(2, 3), prepend=T.ones(3))",
    "T.hstack(T.ones(2))",
    "T.hstack([])",
    "T.vstack([T.ones(2), T.ones(3)])",
    "T.column_stack([T.ones(2), T.ones(2, 2), T.tensor(1.)])",
    # selecting and writing
    "T.take(T.arange(6).reshape(2, 3), T.tensor([6]))",
    "T.take(T.arange(6).reshape(2, 3), T.tensor([-7]))",
    "T.take(T.arange(6).reshape(2, 3), T.tensor([1.]))",
    "T.take_along_dim(T.ones(2, 3), T.tensor([0]), 1)",
    "T.take_along_dim(T.ones(2, 3), T.tensor([[0]], dtype=T.int32), 1)",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([[0, 1]]), T.ones(2, 3, dtype=T.float64))",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([[0, 3]]), 1.)",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([0, 1]), 1.)",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([[0, 1]]), T.ones(1, 1))",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([[0, 1]]), 2.5, reduce='max')",
    "T.scatter(T.zeros(2, 3), 1, T.tensor([[0, 1]]), T.ones(2, 3), reduce='multiply')",
    "T.scatter_add(T.zeros(2, 3), 1, T.tensor([[0, 0]]), T.ones(2, 3, dtype=T.float64))",
    "T.scatter_add(T.zeros(2, 3), 1, T.tensor([[0, 0]]), 1.)",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([1]), T.ones(1, 3, dtype=T.float64))",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([1, 0]), T.ones(1, 3))",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([2]), T.ones(1, 3))",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([1.]), T.ones(1, 3))",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([[1]]), T.ones(1, 3))",
    "T.index_add(T.zeros(2, 3), 0, T.tensor([1]), T.ones(1, 2))",
    "T.index_fill(T.zeros(2, 3), 1, T.tensor([3]), 5)",
    "T.index_fill(T.zeros(2, 3), 1, T.tensor([0]), T.ones(2))",
    "T.index_fill(T.zeros(2, 3), 1, T.tensor([0.]), 1)",
    "T.index_copy(T.zeros(2, 3), 1, T.tensor([0, 2]), T.ones(2, 3))",
    "T.index_copy(T.zeros(2, 3), 1, T.tensor([0, 3]), T.ones(2, 2))",
    "T.index_copy(T.zeros(2, 3), 1, T.tensor([0, 2]), T.ones(2, 2, dtype=T.float64))",
    "T.masked_select(T.arange(6).reshape(2, 3), T.tensor([1, 0, 1]))",
    "T.masked_select(T.ones(2, 3), T.ones(2, 2) > 0)",
    "T.masked_scatter(T.zeros(2, 3), T.tensor([True, False, True]), T.arange(1., 3.))",
    "T.masked_scatter(T.zeros(2, 3), T.tensor([True, False, True]), T.arange(1, 7))",
    "T.masked_scatter(T.zeros(2, 3), T.tensor([1, 0, 1]), T.arange(1., 7.))",
    "T.unique(T.tensor([1., 1.], requires_grad=True)).sum().backward()",
    "T.unique(T.ones(2, 2, requires_grad=True), dim=1).sum().backward()",
])
def test_errors_as_torch(code: str) -> None:
    _check_code(f"out = {code}")


def test_meshgrid_warns_as_torch() -> None:
    """meshgrid without ``indexing`` warns (each time: torch's Python wrapper warns)."""
    _check_code("out = T.meshgrid(T.arange(3), T.arange(2))", must_warn=True)


def test_cross_without_dim_warns_once_as_torch() -> None:
    """torch warns once a process (TORCH_WARN_ONCE): its words are compared when this process
    has not heard them yet, and nbgrad's flag is reset to hear them again."""
    import warnings

    from nbgrad.ops import products

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        want = torch.cross(torch.ones(2, 3), torch.ones(2, 3))
    products._CROSS_WARNED = False
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        out = nbgrad.cross(nbgrad.ones(2, 3), nbgrad.ones(2, 3))
        nbgrad.cross(nbgrad.ones(2, 3), nbgrad.ones(2, 3))
    assert out.shape == want.shape
    assert len(got) == 1 and "Using nbgrad.cross without specifying the dim arg" in str(
        got[0].message)
    if caught:
        from test_parity_errors import _norm

        assert str(got[0].message) == _norm(str(caught[0].message))
