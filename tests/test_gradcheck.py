"""Every differentiable op against finite differences (``nbgrad.autograd.gradcheck``), over
scalars, vectors and broadcast matrices; property tests on random broadcastable shapes; and
tests of gradcheck itself (it must catch a wrong gradient, not only pass right ones)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbgrad as torch
from nbgrad.autograd import GradcheckError, gradcheck

# -- inputs -----------------------------------------------------------------------------------


def leaf(*shape: int, lo: float = -1.0, hi: float = 1.0, seed: int = 0,
         away: tuple[float, ...] = (), margin: float = 0.05) -> torch.Tensor:
    """A float64 leaf requiring grad, uniform in ``[lo, hi]``, with no element within
    ``margin`` of a kink in ``away`` (where finite differences would straddle the kink)."""
    rng = np.random.default_rng(seed + 1000 * len(shape) + sum(shape))
    data = rng.uniform(lo, hi, size=shape)
    for _ in range(100):
        near = np.zeros(shape, dtype=bool)
        for k in away:
            near |= np.abs(data - k) < margin
        if not near.any():
            break
        data = np.where(near, rng.uniform(lo, hi, size=shape), data)
    else:  # pragma: no cover - the ranges below always leave room
        raise AssertionError("could not draw values away from the kinks")
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def const(*shape: int, lo: float = -1.0, hi: float = 1.0, seed: int = 7) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float64)


def pos(*shape: int, seed: int = 0) -> torch.Tensor:
    return leaf(*shape, lo=0.5, hi=2.0, seed=seed)


# -- the op table -----------------------------------------------------------------------------
# (id, function, inputs factory). The factory builds fresh leaves for every run.

S, V, M = (), (3,), (2, 3)  # scalar, vector, matrix

CASES: list[tuple[str, object, object]] = []


def case(name: str, fn: object, make: object) -> None:
    CASES.append((name, fn, make))


# arithmetic, both operand orders, with numbers and broadcasting
for _lhs, _rhs, _tag in [(S, S, "scalar"), (V, V, "vector"), (M, V, "matrix-vector"),
                         (V, M, "vector-matrix"), ((2, 1), V, "column-row"),
                         (S, M, "scalar-matrix"), (M, (2, 1), "matrix-column")]:
    case(f"add-{_tag}", lambda a, b: a + b, lambda p=_lhs, r=_rhs: [leaf(*p), leaf(*r, seed=1)])
    case(f"sub-{_tag}", lambda a, b: a - b, lambda p=_lhs, r=_rhs: [leaf(*p), leaf(*r, seed=1)])
    case(f"mul-{_tag}", lambda a, b: a * b, lambda p=_lhs, r=_rhs: [leaf(*p), leaf(*r, seed=1)])
    case(f"div-{_tag}", lambda a, b: a / b, lambda p=_lhs, r=_rhs: [leaf(*p), pos(*r, seed=1)])
    case(f"rdiv-{_tag}", lambda a, b: b / a, lambda p=_lhs, r=_rhs: [pos(*p), leaf(*r, seed=1)])
    case(f"maximum-{_tag}", torch.maximum, lambda p=_lhs, r=_rhs: [leaf(*p), leaf(*r, seed=1)])
    case(f"minimum-{_tag}", torch.minimum, lambda p=_lhs, r=_rhs: [leaf(*p), leaf(*r, seed=1)])
    case(f"pow-tensor-tensor-{_tag}", lambda a, b: a ** b,
         lambda p=_lhs, r=_rhs: [pos(*p), leaf(*r, seed=1)])

for _shape, _tag in [(S, "scalar"), (V, "vector"), (M, "matrix")]:
    def _x(s=_shape):
        return [leaf(*s)]

    def _p(s=_shape):
        return [pos(*s)]

    case(f"add-number-{_tag}", lambda a: a + 2.5, _x)
    case(f"radd-number-{_tag}", lambda a: 2.5 + a, _x)
    case(f"add-alpha-{_tag}", lambda a: torch.add(a, a * a, alpha=-3), _x)
    case(f"sub-number-{_tag}", lambda a: a - 2.5, _x)
    case(f"rsub-number-{_tag}", lambda a: 2.5 - a, _x)
    case(f"sub-alpha-{_tag}", lambda a: torch.sub(a.sin(), a, alpha=2.5), _x)
    case(f"mul-number-{_tag}", lambda a: a * -1.5, _x)
    case(f"rmul-number-{_tag}", lambda a: -1.5 * a, _x)
    case(f"div-number-{_tag}", lambda a: a / 4.0, _x)
    case(f"rdiv-number-{_tag}", lambda a: 3.0 / a, _p)
    case(f"pow-int-{_tag}", lambda a: a ** 3, _x)
    case(f"pow-2-{_tag}", lambda a: a ** 2, _x)
    case(f"pow-0-{_tag}", lambda a: a ** 0 + a, _x)
    case(f"pow-negative-{_tag}", lambda a: a ** -1.5, _p)
    case(f"pow-fraction-{_tag}", lambda a: a ** 0.5, _p)
    case(f"pow-function-{_tag}", lambda a: torch.pow(a, 2.5), _p)
    case(f"rpow-number-{_tag}", lambda a: 2.0 ** a, _x)
    case(f"rpow-fraction-{_tag}", lambda a: 0.3 ** a, _x)
    case(f"rpow-function-{_tag}", lambda a: torch.pow(1.7, a), _x)
    case(f"neg-{_tag}", lambda a: -a, _x)
    case(f"reciprocal-{_tag}", lambda a: a.reciprocal(), _p)
    case(f"square-{_tag}", torch.square, _x)
    case(f"sin-{_tag}", torch.sin, _x)
    case(f"cos-{_tag}", torch.cos, _x)
    case(f"tan-{_tag}", torch.tan, _x)
    case(f"exp-{_tag}", torch.exp, _x)
    case(f"log-{_tag}", torch.log, _p)
    case(f"sqrt-{_tag}", torch.sqrt, _p)
    case(f"abs-{_tag}", torch.abs, lambda s=_shape: [leaf(*s, away=(0.0,))])
    case(f"tanh-{_tag}", torch.tanh, _x)
    case(f"sigmoid-{_tag}", torch.sigmoid, lambda s=_shape: [leaf(*s, lo=-4, hi=4)])
    case(f"relu-{_tag}", torch.relu,
         lambda s=_shape: [leaf(*s, away=(0.0,), lo=0.1 if s == S else -1.0)])
    # (a scalar is drawn inside the bounds, so that some gradient flows)
    case(f"clamp-{_tag}", lambda a: a.clamp(-0.4, 0.3),
         lambda s=_shape: [leaf(*s, away=(-0.4, 0.3), lo=-0.3 if s == S else -1.0,
                                hi=0.2 if s == S else 1.0)])
    case(f"clamp-min-{_tag}", lambda a: torch.clamp(a, min=-0.2),
         lambda s=_shape: [leaf(*s, away=(-0.2,), lo=0.0 if s == S else -1.0)])
    case(f"clamp-max-{_tag}", lambda a: torch.clamp(a, max=0.1),
         lambda s=_shape: [leaf(*s, away=(0.1,), hi=0.0 if s == S else 1.0)])
    case(f"clip-{_tag}", lambda a: a.clip(-0.5, 0.5),
         lambda s=_shape: [leaf(*s, away=(-0.5, 0.5), lo=-0.4 if s == S else -1.0,
                                hi=0.4 if s == S else 1.0)])
    case(f"sum-{_tag}", torch.sum, _x)
    case(f"mean-{_tag}", torch.mean, _x)
    case(f"max-{_tag}", torch.max, _x)
    case(f"min-{_tag}", torch.min, _x)
    case(f"clone-{_tag}", torch.clone, _x)
    case(f"where-{_tag}", lambda a: torch.where(a > 0, a * 2, a.exp()),
         lambda s=_shape: [leaf(*s, away=(0.0,))])

# clamp with tensor bounds (broadcast), each bound differentiable too
case("clamp-tensor-bounds", lambda a, lo, hi: a.clamp(lo, hi),
     lambda: [leaf(2, 3, lo=-2, hi=2), leaf(3, lo=-1.5, hi=-0.5, seed=1),
              leaf(2, 1, lo=0.5, hi=1.5, seed=2)])
case("clamp-tensor-min", lambda a, lo: torch.clamp(a, min=lo),
     lambda: [leaf(2, 3), leaf(3, seed=1)])
case("clamp-tensor-max", lambda a, hi: torch.clamp(a, max=hi),
     lambda: [leaf(2, 3), leaf(2, 1, seed=1)])
case("clamp-tensor-min-number-max", lambda a, lo: torch.clamp(a, lo, 0.5),
     lambda: [leaf(2, 3, away=(0.5,)), leaf(3, lo=-1, hi=0, seed=1)])

# matmul: every shape case torch distinguishes, with batches and broadcast batches
for _a, _b, _tag in [((3,), (3,), "dot"), ((2, 3), (3,), "mv"), ((3,), (3, 4), "vm"),
                     ((2, 3), (3, 4), "mm"), ((5, 2, 3), (5, 3, 4), "bmm"),
                     ((5, 2, 3), (3,), "batched-matrix-vector"),
                     ((3,), (5, 3, 2), "vector-batched-matrix"),
                     ((5, 2, 3), (3, 4), "batched-matrix-matrix"),
                     ((2, 3), (5, 3, 4), "matrix-batched-matrix"),
                     ((2, 1, 2, 3), (4, 3, 2), "broadcast-batch"),
                     ((1, 2, 3), (4, 3, 2), "broadcast-batch-1"),
                     ((2, 1, 2, 3), (1, 3, 3, 1), "broadcast-batch-both")]:
    case(f"matmul-{_tag}", lambda a, b: a @ b, lambda x=_a, y=_b: [leaf(*x), leaf(*y, seed=1)])
    case(f"matmul-fn-{_tag}-const-right", lambda a, b: torch.matmul(a, b),
         lambda x=_a, y=_b: [leaf(*x), const(*y)])
    case(f"matmul-fn-{_tag}-const-left", lambda a, b: torch.matmul(a, b),
         lambda x=_a, y=_b: [const(*x), leaf(*y, seed=1)])
case("mm", torch.mm, lambda: [leaf(2, 3), leaf(3, 2, seed=1)])
case("mv", torch.mv, lambda: [leaf(2, 3), leaf(3, seed=1)])
case("dot", torch.dot, lambda: [leaf(3), leaf(3, seed=1)])

# reductions with dim / keepdim
for _dim in [0, 1, -1, (0, 2), (-1, 0), [1]]:
    for _keep in [False, True]:
        case(f"sum-dim{_dim}-keepdim{_keep}", lambda a, d=_dim, k=_keep: a.sum(d, keepdim=k),
             lambda: [leaf(2, 3, 4)])
        case(f"mean-dim{_dim}-keepdim{_keep}", lambda a, d=_dim, k=_keep: a.mean(d, keepdim=k),
             lambda: [leaf(2, 3, 4)])
case("sum-scalar-dim0", lambda a: a.sum(0), lambda: [leaf()])
case("sum-vector-dim0-keepdim", lambda a: a.sum(0, keepdim=True), lambda: [leaf(3)])
for _dim in [0, 1, -1]:
    for _keep in [False, True]:
        case(f"max-dim{_dim}-keepdim{_keep}",
             lambda a, d=_dim, k=_keep: a.max(d, keepdim=k).values, lambda: [leaf(2, 3, 4)])
        case(f"min-dim{_dim}-keepdim{_keep}",
             lambda a, d=_dim, k=_keep: torch.min(a, d, k)[0], lambda: [leaf(2, 3, 4)])
case("max-vector-dim0", lambda a: a.max(0).values, lambda: [leaf(3)])
case("max-full-matrix", lambda a: a.max() * 2, lambda: [leaf(3, 4)])
case("min-full-3d", lambda a: torch.min(a), lambda: [leaf(2, 3, 4)])
case("max-two-tensors", lambda a, b: torch.max(a, b), lambda: [leaf(2, 3), leaf(3, seed=1)])
case("amax-dim", lambda a: torch.amax(a, 1), lambda: [leaf(2, 3)])
case("amin-dims", lambda a: torch.amin(a, (0, 1)), lambda: [leaf(2, 3)])

for _dim in [0, 1, -1]:
    case(f"softmax-dim{_dim}", lambda a, d=_dim: a.softmax(d), lambda: [leaf(2, 3, 4, lo=-3, hi=3)])
    case(f"log_softmax-dim{_dim}", lambda a, d=_dim: torch.log_softmax(a, d),
         lambda: [leaf(2, 3, 4, lo=-3, hi=3)])
case("softmax-vector", lambda a: torch.softmax(a, 0), lambda: [leaf(4)])
case("log_softmax-vector", lambda a: a.log_softmax(-1), lambda: [leaf(4)])
case("softmax-scalar", lambda a: torch.softmax(a, 0) * a, lambda: [leaf()])
case("log_softmax-scalar", lambda a: torch.log_softmax(a, 0) + a, lambda: [leaf()])

# where
_COND = torch.tensor([[True, False, True], [False, False, True]])
case("where-tensor-tensor", lambda a, b: torch.where(_COND, a, b), lambda: [leaf(2, 3), leaf(3)])
case("where-broadcast-both", lambda a, b: torch.where(_COND, a, b),
     lambda: [leaf(2, 1), leaf(3, seed=1)])
case("where-tensor-number", lambda a: torch.where(_COND, a, 0.5), lambda: [leaf(3)])
case("where-number-tensor", lambda a: torch.where(_COND, -2.0, a), lambda: [leaf(2, 3)])
case("where-method", lambda a, b: a.where(_COND, b), lambda: [leaf(2, 3), leaf(2, 3, seed=1)])

# joining
case("cat-dim0", lambda a, b: torch.cat([a, b]), lambda: [leaf(2, 3), leaf(1, 3, seed=1)])
case("cat-dim1", lambda a, b, c: torch.cat((a, b, c), 1),
     lambda: [leaf(2, 3), leaf(2, 1, seed=1), leaf(2, 2, seed=2)])
case("cat-dim-1-constant", lambda a, b: torch.cat([a, b], -1), lambda: [leaf(2, 3), const(2, 2)])
case("cat-vectors", lambda a, b: torch.cat([a, b]), lambda: [leaf(3), leaf(2, seed=1)])
case("cat-same-twice", lambda a: torch.cat([a, a * 2]), lambda: [leaf(3)])
for _dim in [0, 1, -1, 2]:
    case(f"stack-dim{_dim}", lambda a, b, d=_dim: torch.stack([a, b], d),
         lambda: [leaf(2, 3), leaf(2, 3, seed=1)])
case("stack-scalars", lambda a, b: torch.stack([a, b, a]), lambda: [leaf(), leaf(seed=1)])
case("stack-constant", lambda a, b: torch.stack([a, b]), lambda: [leaf(3), const(3)])

# reshaping
case("view", lambda a: a.view(3, 2), lambda: [leaf(2, 3)])
case("view-infer", lambda a: a.view(-1), lambda: [leaf(2, 3)])
case("view-tuple", lambda a: a.view((1, 6, 1)), lambda: [leaf(2, 3)])
case("view-scalar", lambda a: a.view(1, 1), lambda: [leaf()])
case("view-as", lambda a, b: a.view_as(b), lambda: [leaf(2, 3), const(3, 2)])
case("reshape", lambda a: a.reshape(4, 3), lambda: [leaf(2, 3, 2)])
case("reshape-function", lambda a: torch.reshape(a, (-1, 2)), lambda: [leaf(2, 3, 2)])
case("reshape-non-contiguous", lambda a: a.t().reshape(-1), lambda: [leaf(2, 3)])
case("reshape-to-scalar", lambda a: a.reshape(()), lambda: [leaf(1, 1)])
case("flatten", lambda a: a.flatten(1), lambda: [leaf(2, 3, 2)])
case("flatten-function", torch.flatten, lambda: [leaf(2, 3, 2)])

# indexing
case("index-int", lambda a: a[1], lambda: [leaf(2, 3)])
case("index-negative-int", lambda a: a[-1, -2], lambda: [leaf(2, 3)])
case("index-int-vector", lambda a: a[2], lambda: [leaf(4)])
case("index-slice", lambda a: a[:, 1:], lambda: [leaf(2, 3)])
case("index-slice-step", lambda a: a[::2, 1::2], lambda: [leaf(4, 5)])
case("index-slice-int", lambda a: a[1:, 0], lambda: [leaf(3, 3)])
case("index-none", lambda a: a[None], lambda: [leaf(2, 3)])
case("index-none-middle", lambda a: a[:, None, 1:], lambda: [leaf(2, 3)])
case("index-ellipsis", lambda a: a[..., 1], lambda: [leaf(2, 3, 4)])
case("index-ellipsis-none", lambda a: a[..., None], lambda: [leaf(2, 3)])
case("index-all", lambda a: a[:], lambda: [leaf(2, 3)])
case("index-list", lambda a: a[[0, 2]], lambda: [leaf(3, 2)])
case("index-list-repeats", lambda a: a[[1, 1, 0, 1]], lambda: [leaf(3)])
case("index-long-tensor", lambda a: a[torch.tensor([[0, 1], [1, 1]])], lambda: [leaf(2, 3)])
case("index-two-lists", lambda a: a[[0, 1, 1], [2, 0, 2]], lambda: [leaf(2, 3)])
case("index-slice-list", lambda a: a[:, [2, 0, 2]], lambda: [leaf(2, 3)])
case("index-bool-mask", lambda a: a[torch.tensor([[True, False, True], [False, True, True]])],
     lambda: [leaf(2, 3)])
case("index-bool-rows", lambda a: a[torch.tensor([True, False, True])], lambda: [leaf(3, 2)])
case("index-computed-mask", lambda a: a[a > 0], lambda: [leaf(2, 3, away=(0.0,))])

# reordering dimensions
case("transpose", lambda a: a.transpose(0, 1), lambda: [leaf(2, 3)])
case("transpose-3d", lambda a: torch.transpose(a, -1, 0), lambda: [leaf(2, 3, 4)])
case("permute", lambda a: a.permute(2, 0, 1), lambda: [leaf(2, 3, 4)])
case("permute-tuple", lambda a: torch.permute(a, (1, -1, 0)), lambda: [leaf(2, 3, 4)])
case("T", lambda a: a.T, lambda: [leaf(2, 3)])
case("mT", lambda a: a.mT, lambda: [leaf(2, 3, 4)])
case("t", lambda a: a.t(), lambda: [leaf(2, 3)])
case("t-vector", torch.t, lambda: [leaf(3)])
case("unsqueeze-0", lambda a: a.unsqueeze(0), lambda: [leaf(2, 3)])
case("unsqueeze-last", lambda a: torch.unsqueeze(a, -1), lambda: [leaf(2, 3)])
case("unsqueeze-scalar", lambda a: a.unsqueeze(0), lambda: [leaf()])
case("squeeze-dim", lambda a: a.squeeze(1), lambda: [leaf(2, 1, 3)])
case("squeeze-dim-not-1", lambda a: a.squeeze(0), lambda: [leaf(2, 1, 3)])
case("squeeze-all", lambda a: torch.squeeze(a), lambda: [leaf(1, 2, 1, 3, 1)])
case("expand", lambda a: a.expand(4, 2, 3), lambda: [leaf(2, 1)])
case("expand-minus-one", lambda a: a.expand(-1, 3), lambda: [leaf(2, 1)])
case("expand-scalar", lambda a: a.expand(2, 2), lambda: [leaf()])
case("expand-as", lambda a, b: a.expand_as(b), lambda: [leaf(3), const(2, 3)])
case("sum-to-size", lambda a: a.sum_to_size(1, 3), lambda: [leaf(2, 3)])

# compositions: a small network, a loss, views of views
case("mlp-cross-entropy", lambda x, w, b: -(x @ w + b).tanh().log_softmax(1)[[0, 1], [2, 0]].mean(),
     lambda: [leaf(2, 4), leaf(4, 3, seed=1), leaf(3, seed=2)])
case("softmax-of-matmul", lambda a, b: (a @ b).softmax(-1).sum(0),
     lambda: [leaf(3, 2), leaf(2, 4, seed=1)])
case("view-of-transposed-slice", lambda a: a[:, 1:].T.reshape(-1)[1:] * 3,
     lambda: [leaf(3, 4)])
case("mse", lambda p, y: ((p - y) ** 2).mean(), lambda: [leaf(5), const(5)])
case("reused-input", lambda a: a * a.sin() + a.exp() / (1 + a * a), lambda: [leaf(3)])
case("sigmoid-bce", lambda z: -(z.sigmoid().log() * 0.3 + (1 - z.sigmoid()).log() * 0.7).sum(),
     lambda: [leaf(4, lo=-2, hi=2)])


def test_case_ids_are_unique():
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("fn, make", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradcheck_op(fn, make):
    inputs = make()
    assert gradcheck(fn, inputs)
    # Not vacuous: the output is in the graph and some gradient reaches an input.
    out = fn(*inputs)
    assert out.requires_grad and out.grad_fn is not None
    diff = [t for t in inputs if t.requires_grad]
    w = torch.tensor(np.random.default_rng(3).uniform(0.5, 1.5, size=tuple(out.shape)),
                     dtype=torch.float64)
    grads = torch.autograd.grad((out * w).sum(), diff, allow_unused=True)
    assert any(g is not None and np.any(g.numpy() != 0) for g in grads)
    for t, g in zip(diff, grads):
        if g is not None:
            assert g.shape == t.shape and g.dtype == t.dtype


# -- properties on random broadcastable shapes -------------------------------------------------

PROPS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _values(shape: tuple, lo: float, hi: float):
    return hnp.arrays(np.float64, shape,
                      elements=st.floats(lo, hi, allow_nan=False, allow_subnormal=False))


@st.composite
def broadcast_pair(draw, lo: float = -2.0, hi: float = 2.0, lo_b: float | None = None,
                   hi_b: float | None = None):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    max_side=3))
    sa, sb = shapes.input_shapes
    a = draw(_values(sa, lo, hi))
    b = draw(_values(sb, lo if lo_b is None else lo_b, hi if hi_b is None else hi_b))
    return a, b


def _sum_to(g: np.ndarray, shape: tuple) -> np.ndarray:
    """An independent undo of broadcasting: sum the leading axes, then the stretched ones."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for ax, n in enumerate(shape):
        if n == 1 and g.shape[ax] != 1:
            g = g.sum(axis=ax, keepdims=True)
    return g


def _leaves(*arrays: np.ndarray) -> list[torch.Tensor]:
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]


_BINARY = {
    # name: (nbgrad op, d out/da, d out/db) with numpy closed forms
    "add": (lambda a, b: a + b, lambda a, b: np.ones_like(a * b),
            lambda a, b: np.ones_like(a * b)),
    "sub": (lambda a, b: a - b, lambda a, b: np.ones_like(a * b),
            lambda a, b: -np.ones_like(a * b)),
    "mul": (lambda a, b: a * b, lambda a, b: b + 0 * a, lambda a, b: a + 0 * b),
    "div": (lambda a, b: a / b, lambda a, b: 1 / b + 0 * a, lambda a, b: -a / b ** 2),
    "maximum": (torch.maximum, lambda a, b: (a > b) + 0.0 * b, lambda a, b: (b > a) + 0.0 * a),
    "minimum": (torch.minimum, lambda a, b: (a < b) + 0.0 * b, lambda a, b: (b < a) + 0.0 * a),
    "pow": (lambda a, b: a ** b, lambda a, b: b * a ** (b - 1), lambda a, b: a ** b * np.log(a)),
}


@pytest.mark.parametrize("name", list(_BINARY))
@PROPS
@given(data=st.data())
def test_binary_ops_on_broadcast_shapes(name, data):
    if name == "div":
        a, b = data.draw(broadcast_pair(lo_b=0.5, hi_b=2.0))
        b = b * data.draw(st.sampled_from([1.0, -1.0]))
    elif name == "pow":
        a, b = data.draw(broadcast_pair(lo=0.5, hi=2.0))
    else:
        a, b = data.draw(broadcast_pair())
    if name in ("maximum", "minimum"):
        assume(np.all(np.abs(a - b) > 1e-3))  # finite differences would straddle the kink
    op, da, db = _BINARY[name]
    ta, tb = _leaves(a, b)
    assert gradcheck(op, [ta, tb])
    out = op(ta, tb)
    assert tuple(out.shape) == np.broadcast_shapes(a.shape, b.shape)
    out.sum().backward()
    assert ta.grad.shape == ta.shape and tb.grad.shape == tb.shape
    np.testing.assert_allclose(ta.grad.numpy(), _sum_to(da(a, b), a.shape), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), _sum_to(db(a, b), b.shape), rtol=1e-12,
                               atol=1e-12)


@PROPS
@given(data=st.data())
def test_binary_with_numbers_on_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    a = data.draw(_values(shape, 0.5, 2.0))
    c = data.draw(st.floats(0.5, 3.0))
    (ta,) = _leaves(a)
    for fn in (lambda x: x + c, lambda x: c - x, lambda x: x * c, lambda x: c / x,
               lambda x: x ** c, lambda x: c ** x, lambda x: x / c - c):
        assert gradcheck(fn, [ta])
        assert torch.autograd.grad(fn(ta).sum(), ta)[0].shape == ta.shape


_UNARY = {
    "sin": (torch.sin, np.cos, -2.0, 2.0),
    "exp": (torch.exp, np.exp, -2.0, 2.0),
    "tanh": (torch.tanh, lambda x: 1 - np.tanh(x) ** 2, -2.0, 2.0),
    "sigmoid": (torch.sigmoid, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, -4.0, 4.0),
    "log": (torch.log, lambda x: 1 / x, 0.2, 3.0),
    "sqrt": (torch.sqrt, lambda x: 0.5 / np.sqrt(x), 0.2, 3.0),
    "log1p": (torch.log1p, lambda x: 1 / (1 + x), -0.5, 3.0),
    "expm1": (torch.expm1, np.exp, -2.0, 2.0),
    "log2": (torch.log2, lambda x: 1 / (x * np.log(2)), 0.2, 3.0),
    "log10": (torch.log10, lambda x: 1 / (x * np.log(10)), 0.2, 3.0),
    "exp2": (torch.exp2, lambda x: np.log(2) * 2 ** x, -2.0, 2.0),
}


@pytest.mark.parametrize("name", list(_UNARY))
@PROPS
@given(data=st.data())
def test_unary_ops_on_random_shapes(name, data):
    op, deriv, lo, hi = _UNARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    a = data.draw(_values(shape, lo, hi))
    (ta,) = _leaves(a)
    assert gradcheck(op, [ta])
    op(ta).sum().backward()
    assert ta.grad.shape == ta.shape
    np.testing.assert_allclose(ta.grad.numpy(), deriv(a), rtol=1e-10, atol=1e-12)


@PROPS
@given(data=st.data())
def test_reductions_and_softmax_on_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    a = data.draw(_values(shape, -2.0, 2.0))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keep = data.draw(st.booleans())
    (ta,) = _leaves(a)
    for fn in (lambda x: x.sum(dim, keepdim=keep), lambda x: x.mean(dim, keepdim=keep),
               lambda x: x.softmax(dim), lambda x: x.log_softmax(dim)):
        assert gradcheck(fn, [ta])
        assert torch.autograd.grad(fn(ta).sum(), ta)[0].shape == ta.shape


@PROPS
@given(data=st.data())
def test_matmul_on_random_batch_shapes(data):
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    ba, bb = batch.input_shapes
    a_shape = data.draw(st.sampled_from([(k,), ba + (n, k)]))
    b_shape = data.draw(st.sampled_from([(k,), bb + (k, m)]))
    ta, tb = _leaves(data.draw(_values(a_shape, -2, 2)), data.draw(_values(b_shape, -2, 2)))
    assert gradcheck(torch.matmul, [ta, tb])
    ga, gb = torch.autograd.grad((ta @ tb).sum(), [ta, tb])
    assert ga.shape == ta.shape and gb.shape == tb.shape


# -- gradcheck itself -----------------------------------------------------------------------


def _doubled_sin(x: torch.Tensor) -> torch.Tensor:
    y = x.sin()
    y.register_hook(lambda g: g * 2)  # a wrong backward: twice the true gradient
    return y


def test_gradcheck_returns_true_on_a_correct_function():
    assert gradcheck(lambda x: x.sin(), [leaf(3)]) is True
    assert gradcheck(torch.sin, leaf(3)) is True  # a single tensor instead of a sequence


def test_gradcheck_raises_on_a_wrong_gradient():
    x = leaf(3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(_doubled_sin, [x])
    assert isinstance(info.value, RuntimeError)
    msg = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in msg
    for i, v in enumerate(x.detach().numpy()):
        assert f"[{i}, {i}]: numerical {np.cos(v):.6g}, analytical {2 * np.cos(v):.6g}" in msg
    assert "[0, 1]" not in msg  # entries that agree (off the diagonal: both 0) are not listed


def test_gradcheck_names_only_the_offending_entries():
    def one_wrong(x):
        y = x * 3
        y.register_hook(lambda g: g * torch.tensor([1.0, 1.0, 5.0, 1.0], dtype=torch.float64))
        return y

    with pytest.raises(GradcheckError) as info:
        gradcheck(one_wrong, [leaf(4)])
    msg = str(info.value)
    assert "[2, 2]: numerical 3, analytical 15" in msg
    for i in (0, 1, 3):
        assert f"[{i}, {i}]" not in msg


def test_gradcheck_names_the_input_and_output():
    def second_output_wrong(a, b):
        return a * b, _doubled_sin(b)

    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        gradcheck(second_output_wrong, [leaf(2), leaf(2, seed=1)])


def test_gradcheck_catches_a_wrong_leaf_hook():
    x = leaf(3)
    x.register_hook(lambda g: g + 1)
    assert gradcheck(lambda t: t * t, [x], raise_exception=False) is False


def test_gradcheck_without_raising_returns_false():
    assert gradcheck(_doubled_sin, [leaf(3)], raise_exception=False) is False
    assert gradcheck(torch.sin, [leaf(3)], raise_exception=False) is True


def test_gradcheck_tolerances():
    # off by a relative 1e-4: inside the default rtol (1e-3), outside a tight one
    def slightly_off(x):
        y = x * 1.0
        y.register_hook(lambda g: g * (1 + 1e-4))
        return y

    assert gradcheck(slightly_off, [leaf(3)])
    assert not gradcheck(slightly_off, [leaf(3)], rtol=1e-6, atol=1e-8, raise_exception=False)


def test_gradcheck_warns_for_float32_inputs():
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        gradcheck(torch.sin, [x], eps=1e-3, atol=1e-2, raise_exception=False)


def test_gradcheck_double_inputs_do_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(torch.sin, [leaf(2)])


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(torch.sin, [const(3)])


def test_gradcheck_skips_constant_and_non_tensor_inputs():
    assert gradcheck(lambda a, c, k: a * c + k, [leaf(3), const(3), 2.0])


def test_gradcheck_leaves_the_input_unchanged():
    x = leaf(2, 3)
    before = x.detach().numpy().copy()
    gradcheck(lambda t: t.exp(), [x])
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None  # gradcheck uses autograd.grad: nothing accumulates


def test_gradcheck_on_view_outputs():
    # The output of a view shares memory with the input being perturbed: regression test for
    # a numerical Jacobian of zeros (outputs must be copied before the input is changed back).
    for fn in (lambda t: t.view(-1), lambda t: t[0], lambda t: t.unsqueeze(0), lambda t: t[:]):
        assert gradcheck(fn, [leaf(2, 3)])


def test_gradcheck_on_a_non_contiguous_input():
    # Perturbing a reshaped copy of a transposed input would change nothing.
    x = torch.tensor(np.arange(6.0).reshape(3, 2), dtype=torch.float64).t().detach()
    assert not x.is_contiguous()
    x.requires_grad_()
    assert gradcheck(lambda t: t * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), [x])


def test_gradcheck_agrees_with_torch_on_what_fails():
    real = pytest.importorskip("torch")
    x = real.tensor([0.3, -0.7], dtype=real.float64, requires_grad=True)

    def torch_doubled(t):
        y = t.sin()
        y.register_hook(lambda g: g * 2)
        return y

    assert real.autograd.gradcheck(real.sin, [x])
    assert not real.autograd.gradcheck(torch_doubled, [x], raise_exception=False)
    assert gradcheck(torch.sin, [leaf(2)])
    assert not gradcheck(_doubled_sin, [leaf(2)], raise_exception=False)


def test_remainder_and_fmod_gradients_against_finite_differences():
    """Away from the jumps, ``a % b`` and ``fmod(a, b)`` have slope 1 in ``a`` and minus
    the quotient in ``b``; second derivatives (create_graph) are zero."""
    a = torch.tensor([5.3, -7.1, 3.6, 0.4], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.1, 3.2, -2.3, -0.7], dtype=torch.float64, requires_grad=True)
    for fn in (torch.remainder, torch.fmod):
        assert gradcheck(fn, (a, b))
        assert gradcheck(lambda x, f=fn: f(x, 1.7), (a,))
        (ga,) = torch.autograd.grad(fn(a, b).sum(), (b,), create_graph=True)
        assert ga.requires_grad
        for gg in torch.autograd.grad(ga.sum(), (a, b)):  # the quotient's slope: 0
            assert gg.tolist() == [0.0] * 4
