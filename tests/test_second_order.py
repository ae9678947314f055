"""Higher derivatives: ``autograd.grad(..., create_graph=True)`` builds a graph of the backward
pass itself, which can be differentiated again. Checked against closed forms, against
finite differences of the first derivative (gradgradcheck), and against torch 2.13."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nbgrad as torch
from nbgrad.autograd import grad, gradcheck


def f64(data, requires_grad: bool = True) -> torch.Tensor:
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


def d2(f, x: torch.Tensor) -> torch.Tensor:
    """The second derivative of an elementwise ``f`` at every element of ``x``."""
    (g,) = grad(f(x).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (h,) = grad(g.sum(), x)
    return h


# -- closed forms -----------------------------------------------------------------------------


def test_cube_second_derivative_at_two_is_twelve():
    x = f64(2.0)
    y = x ** 3
    (dy,) = grad(y, x, create_graph=True)
    assert dy.item() == 12.0  # 3 x^2
    (d2y,) = grad(dy, x, create_graph=True)
    assert d2y.item() == 12.0  # 6 x
    (d3y,) = grad(d2y, x)
    assert d3y.item() == 6.0


def test_cube_as_a_product_and_by_backward():
    x = f64(2.0)
    y = x * x * x
    (dy,) = grad(y, x, create_graph=True)
    assert dy.item() == 12.0
    dy.backward()
    assert x.grad.item() == 12.0


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = f64(2.0)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    assert g.item() == 12.0
    (h,) = grad(g, x)
    assert h.item() == 12.0


X = np.array([-1.3, -0.4, 0.2, 0.9, 1.7])

CLOSED_FORMS = {
    "sin": (torch.sin, lambda x: -np.sin(x)),
    "cos": (torch.cos, lambda x: -np.cos(x)),
    "exp": (torch.exp, np.exp),
    "tanh": (torch.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "sigmoid": (torch.sigmoid, lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    "tan": (torch.tan, lambda x: 2 * np.tan(x) / np.cos(x) ** 2),
    "square": (lambda x: x * x, lambda x: 2 + 0 * x),
    "pow": (lambda x: x ** 4, lambda x: 12 * x ** 2),
    "rpow": (lambda x: 3.0 ** x, lambda x: 3.0 ** x * math.log(3.0) ** 2),
    "x-sin-x": (lambda x: x * x.sin(), lambda x: 2 * np.cos(x) - x * np.sin(x)),
    "exp-of-square": (lambda x: (x * x).exp(), lambda x: (2 + 4 * x ** 2) * np.exp(x ** 2)),
    "abs-cubed": (lambda x: x.abs() ** 3, lambda x: 6 * np.abs(x)),
    "relu-squared": (lambda x: x.relu() ** 2, lambda x: 2.0 * (x > 0)),
}
POSITIVE = {
    "log": (torch.log, lambda x: -1 / x ** 2),
    "sqrt": (torch.sqrt, lambda x: -0.25 * x ** -1.5),
    "reciprocal": (torch.reciprocal, lambda x: 2 / x ** 3),
    "rdiv": (lambda x: 2.0 / x, lambda x: 4 / x ** 3),
    "pow-fraction": (lambda x: x ** 1.5, lambda x: 0.75 / np.sqrt(x)),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_second_derivative_closed_form(name):
    f, f2 = CLOSED_FORMS[name]
    np.testing.assert_allclose(d2(f, f64(X)).numpy(), f2(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(POSITIVE))
def test_second_derivative_closed_form_positive(name):
    f, f2 = POSITIVE[name]
    x = np.abs(X) + 0.1
    np.testing.assert_allclose(d2(f, f64(x)).numpy(), f2(x), rtol=1e-12, atol=1e-12)


def test_mixed_partials_of_a_product():
    x, y = f64(1.5), f64(-2.0)
    f = x * x * y  # f_x = 2xy, f_xy = 2x, f_xx = 2y, f_yy = 0
    fx, fy = grad(f, (x, y), create_graph=True)
    assert (fx.item(), fy.item()) == (2 * 1.5 * -2.0, 1.5 ** 2)
    fxx, fxy = grad(fx, (x, y), retain_graph=True)
    assert (fxx.item(), fxy.item()) == (-4.0, 3.0)
    fyx, fyy = grad(fy, (x, y), allow_unused=True)
    assert fyx.item() == 3.0
    assert fyy is None or fyy.item() == 0.0


def test_mean_of_squares_has_hessian_2_over_n():
    x = f64([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
    (g,) = grad((x ** 2).mean(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * x.detach().numpy() / 6)
    rows = []
    for i in range(6):
        (h,) = grad(g.reshape(-1)[i], x, retain_graph=True)
        rows.append(h.numpy().reshape(-1))
    np.testing.assert_allclose(np.array(rows), np.eye(6) * 2 / 6, atol=1e-15)


def test_matmul_hessian_vector_product_closed_form():
    # f(W) = sum((A W)^2): grad = 2 A^T A W, and d/dW <grad, V> = 2 A^T A V
    rng = np.random.default_rng(0)
    a, w, v = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    W = f64(w)
    (g,) = grad(((f64(a, False) @ W) ** 2).sum(), W, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 2 * a.T @ a @ w, rtol=1e-12)
    (hv,) = grad((g * f64(v, False)).sum(), W)
    np.testing.assert_allclose(hv.numpy(), 2 * a.T @ a @ v, rtol=1e-12)


def test_softmax_hessian_closed_form():
    # H_ij of s_k = d^2 s_k / dx_i dx_j = s_k (d_ik - s_i)(d_jk - s_j) - s_k s_i (d_ij - s_j)
    x = np.array([0.3, -1.2, 0.8])
    s = np.exp(x) / np.exp(x).sum()
    xt = f64(x)
    k = 1
    (g,) = grad(xt.softmax(0)[k], xt, create_graph=True)
    hess = np.array([grad(g[i], xt, retain_graph=True)[0].numpy() for i in range(3)])
    eye = np.eye(3)
    want = np.array([[s[k] * (eye[i, k] - s[i]) * (eye[j, k] - s[j])
                      - s[k] * s[i] * (eye[i, j] - s[j]) for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(hess, want, rtol=1e-10, atol=1e-14)


def test_third_and_fourth_derivatives_of_sin():
    x = f64(0.7)
    g = x.sin()
    values = []
    for _ in range(4):
        (g,) = grad(g, x, create_graph=True)
        values.append(g.item())
    np.testing.assert_allclose(values, [math.cos(0.7), -math.sin(0.7), -math.cos(0.7),
                                        math.sin(0.7)], rtol=1e-14)


def test_second_derivative_through_a_hook_free_chain_leaves_no_grad_behind():
    x = f64([0.5, 1.5])
    (g,) = grad((x ** 3).sum(), x, create_graph=True)
    grad(g.sum(), x)
    assert x.grad is None  # autograd.grad never accumulates into .grad


# -- gradgradcheck: finite differences of the first derivative ---------------------------------


def _first_derivative(f, n_inputs: int):
    """``x -> d sum(f(x) * w) / dx``, built with create_graph so that it is differentiable."""
    def df(*xs):
        out = f(*xs)
        w = torch.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)),
                         dtype=torch.float64)
        gs = grad((out * w).sum(), xs[:n_inputs], create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)
    return df


def _leaf(*shape, lo=-1.0, hi=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return f64(rng.uniform(lo, hi, size=shape))


GRADGRAD = {
    "mul-broadcast": (lambda a, b: a * b * a, lambda: [_leaf(2, 3), _leaf(3, seed=1)]),
    "div": (lambda a, b: a / b, lambda: [_leaf(2, 3), _leaf(3, lo=0.5, hi=2, seed=1)]),
    "rsub-sub": (lambda a, b: (2 - a) * (a - b) ** 2, lambda: [_leaf(3), _leaf(3, seed=1)]),
    "pow-tensor": (lambda a, b: a ** b, lambda: [_leaf(2, 3, lo=0.5, hi=2), _leaf(3, seed=1)]),
    "rpow": (lambda a: 1.5 ** a, lambda: [_leaf(3)]),
    "sin-cos-tan": (lambda a: a.sin() * a.cos() + a.tan(), lambda: [_leaf(4)]),
    "exp-log-sqrt": (lambda a: a.exp() * a.log() + a.sqrt(), lambda: [_leaf(4, lo=0.5, hi=2)]),
    "tanh-sigmoid": (lambda a: a.tanh() * a.sigmoid(), lambda: [_leaf(4, lo=-2, hi=2)]),
    "matmul-mm": (lambda a, b: (a @ b).tanh(), lambda: [_leaf(2, 3), _leaf(3, 2, seed=1)]),
    "matmul-batched": (lambda a, b: (a @ b) ** 2,
                       lambda: [_leaf(2, 2, 3), _leaf(3, seed=1)]),
    "matmul-broadcast": (lambda a, b: (a @ b).sin(),
                         lambda: [_leaf(2, 1, 2, 3), _leaf(2, 3, 2, seed=1)]),
    "dot": (lambda a, b: (a @ b) ** 3, lambda: [_leaf(3), _leaf(3, seed=1)]),
    "sum-mean-dim": (lambda a: a.sum(1) ** 2 + a.mean(0, keepdim=True).exp().sum(),
                     lambda: [_leaf(2, 3)]),
    "softmax": (lambda a: a.softmax(-1), lambda: [_leaf(2, 3)]),
    "log_softmax": (lambda a: a.log_softmax(0), lambda: [_leaf(2, 3)]),
    "max-min": (lambda a: a.max() ** 2 + a.min(1).values ** 3, lambda: [_leaf(2, 3)]),
    "amax": (lambda a: torch.amax(a, 0) ** 2, lambda: [_leaf(2, 3)]),
    "maximum": (lambda a, b: torch.maximum(a, b) ** 2, lambda: [_leaf(2, 3), _leaf(3, seed=1)]),
    "where-clamp": (lambda a: torch.where(a > 0, a ** 2, a.clamp(-0.5, 0.5) ** 3),
                    lambda: [_leaf(2, 3)]),
    "clamp-tensor": (lambda a, lo: a.clamp(min=lo) ** 2, lambda: [_leaf(2, 3), _leaf(3, seed=1)]),
    "abs-relu": (lambda a: a.abs() ** 3 + a.relu() ** 2, lambda: [_leaf(5)]),
    "cat-stack": (lambda a, b: torch.cat([a, b], 1) ** 2 * torch.stack([a, a], 0).sum(0).sum(),
                  lambda: [_leaf(2, 3), _leaf(2, 1, seed=1)]),
    "views": (lambda a: a.t().reshape(-1)[1:].unsqueeze(0).expand(2, 5) ** 3,
              lambda: [_leaf(2, 3)]),
    "index": (lambda a: a[[0, 1, 1], [2, 0, 0]] ** 3 + a[a > 0].sum() ** 2
              + (a[1, ::2] ** 3).sum() + a[None, 0, 1:2] ** 3, lambda: [_leaf(2, 3)]),
    "permute-squeeze": (lambda a: a.permute(2, 0, 1).squeeze(1) ** 3, lambda: [_leaf(2, 1, 3)]),
    "clone": (lambda a: a.clone() ** 3 + a.clone().exp(), lambda: [_leaf(3)]),
}


@pytest.mark.parametrize("name", list(GRADGRAD))
def test_gradgradcheck(name):
    f, make = GRADGRAD[name]
    inputs = make()
    df = _first_derivative(f, len(inputs))
    outs = df(*inputs)
    assert outs and all(g.requires_grad for g in outs)
    assert gradcheck(df, inputs, atol=1e-5, rtol=1e-3)


# -- against torch 2.13 ---------------------------------------------------------------------------


def _hessian_and_hvp(lib, f, arrays):
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
    second = [None if h is None else h.numpy() for h in hv]
    return first, second


TORCH_CASES = {
    "sin": (lambda L, x: L.sin(x), [(3,)]),
    "exp": (lambda L, x: L.exp(x), [(3,)]),
    "tanh": (lambda L, x: L.tanh(x), [(3,)]),
    "sigmoid": (lambda L, x: L.sigmoid(x), [(3,)]),
    "product": (lambda L, x, y: x * y * x.sin(), [(2, 3), (3,)]),
    "quotient": (lambda L, x, y: x / (y * y + 1), [(2, 3), (2, 1)]),
    "matmul": (lambda L, a, b: L.matmul(a, b).tanh(), [(2, 3), (3, 4)]),
    "matmul-batched-broadcast": (lambda L, a, b: (a @ b) ** 2, [(2, 1, 2, 3), (3, 3, 1)]),
    "mean-of-squares": (lambda L, x: (x ** 2).mean(), [(2, 3)]),
    "softmax": (lambda L, x: L.softmax(x, 1), [(2, 3)]),
    "log_softmax": (lambda L, x: L.log_softmax(x, 0), [(2, 3)]),
    "mlp": (lambda L, x, w, b: (x @ w + b).sigmoid().log_softmax(-1).mean(),
            [(4, 3), (3, 2), (2,)]),
    "pow-tensor": (lambda L, x, y: (x * x + 1) ** y, [(3,), (3,)]),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_second_order_matches_torch(name):
    real = pytest.importorskip("torch")
    f, shapes = TORCH_CASES[name]
    rng = np.random.default_rng(5)
    arrays = [rng.uniform(-1, 1, size=s) for s in shapes]
    first_nb, second_nb = _hessian_and_hvp(torch, f, arrays)
    first_t, second_t = _hessian_and_hvp(real, f, arrays)
    for a, b in zip(first_nb, first_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(second_nb, second_t):
        a = np.zeros_like(b) if a is None and b is not None else a
        b = np.zeros_like(a) if b is None and a is not None else b
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_second_derivative_through_abs_at_nan_like_torch():
    """abs's backward multiplies by sign(x); sign's own backward is zeros (torch's
    zeros_like), so a nan reaching it does not leak into the second derivative."""
    real = pytest.importorskip("torch")
    seen = []
    for lib in (torch, real):
        x = lib.tensor([5.0, float("nan"), 0.0], requires_grad=True)
        (g,) = lib.autograd.grad((x.abs() * x).sum(), x, create_graph=True)
        g.sum().backward()
        seen.append(x.grad.tolist())
    assert seen[0] == seen[1] == [2.0, 0.0, 0.0]



# -- the graph of the backward pass itself ----------------------------------------------------


def test_mixed_precision_gradient_keeps_the_input_dtype_with_create_graph():
    # The engine casts a float32 input's share of a float64 product back to float32; with
    # create_graph it used to hand Tensor.to a NumPy dtype, which it ignored (torch: float32).
    x = torch.ones(2, requires_grad=True)
    s = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    for create_graph in (False, True):
        gx, gs = grad((x ** 2).sum() * s, (x, s), create_graph=create_graph)
        assert (gx.dtype, gs.dtype) == (torch.float32, torch.float64)


def test_a_full_sum_backward_graph_is_torch_s():
    # torch expands the 0-d gradient directly (no reshape first), and its sum_to to a 0-d
    # shape is a plain sum: so jvp's double backward trick ends in SumBackward0, as torch's
    x = torch.ones(2, 3, requires_grad=True)
    u = torch.zeros((), requires_grad=True)
    (g,) = grad(x.sum(), x, u, create_graph=True)
    assert type(g.grad_fn).__name__ == "ExpandBackward0"
    assert g.grad_fn.next_functions[0][0].variable is u
    (back,) = grad(g, u, torch.ones(2, 3, requires_grad=True), create_graph=True)
    assert type(back.grad_fn).__name__ == "SumBackward0" and back.item() == 6.0
    assert type(x.sum_to_size(()).grad_fn).__name__ == "SumBackward0"


# -- what .grad keeps after backward(create_graph=True), as torch keeps it ---------------------

KEPT = [
    # a leaf's first gradient is a recorded copy (CopyBackwards); a later one in grad mode is
    # added out of place (AddBackward0); outside grad mode it is added in place, same tensor
    "x = T.tensor(2.0, requires_grad=True); (x ** 3).backward(create_graph=True); "
    "print(x.grad, x.grad.grad_fn.next_functions[0][0]); x.grad.backward(); print(x.grad)",
    "w = T.tensor([1.0, 2.0], requires_grad=True); (w * w).sum().backward(create_graph=True); "
    "print(w.grad); (w * w).sum().backward(create_graph=True); print(w.grad)",
    "x = T.tensor(1.5, requires_grad=True); (x ** 2).backward(create_graph=True); g = x.grad; "
    "(x ** 2).backward(); print(x.grad, x.grad is g)",
    # a retained gradient is a clone (CloneBackward0); a hook's result is copied too
    "x = T.tensor(2.0, requires_grad=True); y = x * 3; y.retain_grad(); "
    "(y ** 2).backward(create_graph=True); print(y.grad, x.grad)",
    "c = T.tensor(1.0, requires_grad=True); c.register_hook(lambda g: g * 10); "
    "(c ** 2).backward(create_graph=True); print(c.grad)",
    # a gradient with no graph is stored as it is
    "c = T.tensor([1.0, 2.0], requires_grad=True); (c * 2).sum().backward(create_graph=True); "
    "print(c.grad)",
    # the public classes print under the public module
    "x = T.ones(2); print(type(x), type(x.shape), type(x.dtype), type(x.device))",
]


@pytest.mark.parametrize("code", KEPT)
def test_kept_gradients_print_as_torch_s(code: str) -> None:
    pytest.importorskip("torch")
    from test_parity_snippets import check_prints_as_torch

    check_prints_as_torch(code)


def test_backward_with_create_graph_warns_once_in_torch_s_words() -> None:
    import warnings

    from nbgrad.autograd import api

    api._CYCLE_WARNED[0] = False  # as in a fresh process
    x = torch.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grad(x ** 3, x, create_graph=True)  # autograd.grad keeps no cycle: no warning
        assert not caught
        (x ** 3).backward(create_graph=True)
        (x ** 3).backward(create_graph=True)
    assert [str(w.message) for w in caught] == [api.CREATE_GRAPH_CYCLE]
    assert caught[0].category is UserWarning
    assert api.CREATE_GRAPH_CYCLE.startswith(
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient")
