"""gather, index_select, masked_fill(_), sort, topk, split, chunk, unbind, flip, repeat, tile,
outer, tril, triu, diag, trace and the random fills in a graph, against finite differences
(``nbgrad.autograd.gradcheck`` on float64 inputs), and their second derivatives: the gradient
built with ``create_graph=True`` checked against finite differences of itself."""

from __future__ import annotations

import numpy as np
import pytest

import nbgrad as torch
from nbgrad.autograd import GradcheckError, grad, gradcheck


def leaf(*shape: int, seed: int = 0, lo: float = -1.0, hi: float = 1.0) -> torch.Tensor:
    rng = np.random.default_rng(seed + 100 * len(shape) + sum(shape))
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float64,
                        requires_grad=True)


def distinct(*shape: int, seed: int = 0) -> torch.Tensor:
    """Values at least 0.1 apart, so that a step of 1e-6 never changes an order."""
    rng = np.random.default_rng(seed)
    data = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 0.3
    return torch.tensor(data + rng.uniform(-0.02, 0.02, size=shape), dtype=torch.float64,
                        requires_grad=True)


IDX = torch.tensor([[0, 2, 2], [1, 1, 0]])
MASK = torch.tensor([[True, False, True], [False, False, True]])

# (id, function, inputs factory)
CASES = [
    ("gather", lambda a: a.gather(1, IDX), lambda: [leaf(2, 3)]),
    ("gather-dim0", lambda a: torch.gather(a, 0, IDX[:, :2]), lambda: [leaf(3, 2)]),
    ("gather-0d", lambda a: a.gather(0, torch.tensor([0, 0, 0])), lambda: [leaf()]),
    ("index_select", lambda a: a.index_select(1, torch.tensor([2, 0, 2])), lambda: [leaf(2, 3)]),
    ("index_select-dim0", lambda a: torch.index_select(a, 0, torch.tensor([1, 1])),
     lambda: [leaf(2, 3)]),
    ("masked_fill", lambda a: a.masked_fill(MASK, 0.5), lambda: [leaf(2, 3)]),
    ("masked_fill-value", lambda a, v: a.masked_fill(MASK, v), lambda: [leaf(2, 3), leaf()]),
    ("masked_fill-broadcast", lambda a, v: a.masked_fill(MASK, v),
     lambda: [leaf(3), leaf(seed=1)]),
    ("masked_fill-row-mask", lambda a: a.masked_fill(MASK[0], -1.0), lambda: [leaf(2, 3)]),
    ("masked_fill_", lambda a, v: (a * 2).masked_fill_(MASK, v * 3),
     lambda: [leaf(2, 3), leaf()]),
    ("sort", lambda a: a.sort(0, descending=True).values, lambda: [distinct(3, 4)]),
    ("sort-stable", lambda a: torch.sort(a, stable=True).values, lambda: [distinct(2, 5)]),
    ("topk", lambda a: a.topk(2).values, lambda: [distinct(3, 4)]),
    ("topk-smallest", lambda a: torch.topk(a, 3, dim=0, largest=False)[0],
     lambda: [distinct(4, 2)]),
    ("split", lambda a: a.split(2, 1), lambda: [leaf(2, 5)]),
    ("split-sizes", lambda a: torch.split(a, [1, 3, 0]), lambda: [leaf(4)]),
    ("chunk", lambda a: a.chunk(3), lambda: [leaf(7, 2)]),
    ("unbind", lambda a: a.unbind(1), lambda: [leaf(2, 3)]),
    ("flip", lambda a: a.flip(0, 2), lambda: [leaf(2, 2, 3)]),
    ("repeat", lambda a: a.repeat(2, 1, 3), lambda: [leaf(2, 3)]),
    ("repeat-0d", lambda a: a.repeat(3), lambda: [leaf()]),
    ("tile", lambda a: torch.tile(a, (2,)), lambda: [leaf(2, 3)]),
    ("outer", lambda a, b: torch.outer(a, b), lambda: [leaf(3), leaf(2, seed=1)]),
    ("tril", lambda a: a.tril(-1), lambda: [leaf(3, 4)]),
    ("triu", lambda a: torch.triu(a, 1), lambda: [leaf(2, 3, 4)]),
    ("diag-vector", lambda a: a.diag(1), lambda: [leaf(3)]),
    ("diag-matrix", lambda a: torch.diag(a, -1), lambda: [leaf(4, 3)]),
    ("trace", lambda a: a.trace(), lambda: [leaf(3, 4)]),
    ("normal_-in-graph", lambda a: (a * 1).normal_(0.5, 0.0) * a, lambda: [leaf(2, 3)]),
    ("uniform_-in-graph", lambda a: (a * 1).uniform_(0.25, 0.25) + a ** 2,
     lambda: [leaf(2, 3)]),
]


def test_case_ids_are_unique() -> None:
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("fn, make", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradcheck(fn, make) -> None:
    inputs = make()
    assert gradcheck(fn, inputs)
    out = fn(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    assert all(o.grad_fn is not None for o in outs)


# Second derivatives: each op inside something curved, so that the second derivative of the
# whole is not zero and the op's backward is itself differentiated.
SECOND = [
    ("gather", lambda a: a.gather(1, IDX) ** 3, lambda: [leaf(2, 3)]),
    ("index_select", lambda a: a.index_select(1, torch.tensor([2, 0, 2])) ** 3,
     lambda: [leaf(2, 3)]),
    ("masked_fill", lambda a, v: a.masked_fill(MASK, v * v) ** 3,
     lambda: [leaf(2, 3), leaf()]),
    ("masked_fill-broadcast", lambda a, v: (a * a).masked_fill(MASK, v) ** 2,
     lambda: [leaf(3), leaf(seed=1)]),
    ("sort", lambda a: a.sort(1).values ** 3 * torch.tensor([1.0, 2.0, 3.0, 4.0],
                                                              dtype=torch.float64),
     lambda: [distinct(3, 4)]),
    ("topk", lambda a: a.topk(2, 0).values ** 3, lambda: [distinct(3, 4)]),
    ("split", lambda a: torch.stack([p.sum() ** 3 for p in a.split([1, 2], 1)]),
     lambda: [leaf(2, 3)]),
    ("chunk-unbind", lambda a: torch.stack([p.sum() * q.sum() for p, q in
                                            zip(a.chunk(2), a.unbind(1))]),
     lambda: [leaf(2, 2)]),
    ("flip", lambda a: a.flip(1) * a, lambda: [leaf(2, 3)]),
    ("repeat-tile", lambda a: a.repeat(2, 1) ** 3 + torch.tile(a, (1, 2)).sum() ** 2,
     lambda: [leaf(2, 3)]),
    ("outer", lambda a, b: torch.outer(a, b) ** 2, lambda: [leaf(3), leaf(2, seed=1)]),
    ("tril-triu", lambda a: a.tril() @ a.triu(1), lambda: [leaf(3, 3)]),
    ("diag", lambda a: a.diag() ** 3 + a.diag().diag().sum() ** 2, lambda: [leaf(3, 3)]),
    ("trace", lambda a: a.trace() ** 3, lambda: [leaf(3, 3)]),
]


def _first_derivative(f, n_inputs: int):
    def df(*xs):
        out = f(*xs)
        w = torch.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                         dtype=torch.float64)
        gs = grad((out * w).sum(), xs[:n_inputs], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)
    return df


@pytest.mark.parametrize("f, make", [c[1:] for c in SECOND], ids=[c[0] for c in SECOND])
def test_second_derivative(f, make) -> None:
    inputs = make()
    df = _first_derivative(f, len(inputs))
    firsts = df(*inputs)
    assert firsts and all(g.requires_grad and g.grad_fn is not None for g in firsts)
    assert gradcheck(df, inputs, atol=1e-5, rtol=1e-3)


def test_gradcheck_catches_a_wrong_gather_gradient() -> None:
    """Not vacuous: a gather whose gradient is lost for repeated indices is caught."""
    from nbgrad.ops import selecting

    class Wrong(selecting.GatherBackward0):
        __slots__ = ()

        def vjp(self, F, g, shape, index, flat):
            return (F.index_put(shape, index, g, False),)  # overwrites instead of adding

    def wrong_gather(a):
        out = a.gather(1, IDX)
        out.grad_fn.__class__ = Wrong
        return out

    with pytest.raises(GradcheckError):
        gradcheck(wrong_gather, [leaf(2, 3)])
