"""``nbgrad.autograd.functional``: whole Jacobians and Hessians and the four products, as
torch 2.13 has them.

Two kinds of checks: against torch (the same snippets print the same text, ``torch.`` read as
``nbgrad.``, and the same results agree to 1e-5 in structure, dtype, shape and value), and on
nbgrad alone (finite differences, the Jacobian of a known linear map, the Hessian's symmetry,
gradcheck of a Jacobian computed with ``create_graph=True``).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import functional as F
from nbgrad.autograd import gradcheck


def f64(data, requires_grad: bool = False) -> nbgrad.Tensor:
    return nbgrad.tensor(data, dtype=nbgrad.float64, requires_grad=requires_grad)


# -- nbgrad alone --------------------------------------------------------------------------


def test_reachable_after_import_nbgrad():
    import nbgrad.autograd.functional as mod

    assert nbgrad.autograd.functional is mod
    assert mod.__all__ == ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def test_jacobian_of_a_linear_map_is_its_matrix():
    A = f64([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    b = f64([0.25, -4.0])
    J = F.jacobian(lambda x: A @ x + b, f64([0.3, -0.7, 2.0]))
    assert J.shape == (2, 3)
    np.testing.assert_array_equal(J.numpy(), A.numpy())
    # the same for a batch: x (4, 3) -> x @ A.T (4, 2), J[i, :, j, :] = A where i == j
    X = f64(np.arange(12.0).reshape(4, 3))
    J = F.jacobian(lambda x: x @ A.T, X, vectorize=True)
    assert J.shape == (4, 2, 4, 3)
    for i in range(4):
        for j in range(4):
            want = A.numpy() if i == j else np.zeros((2, 3))
            np.testing.assert_array_equal(J.numpy()[i, :, j, :], want)


def _fd_jacobian(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences: d f / d x, shaped f(x).shape + x.shape."""
    out = f(x)
    J = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        J[(Ellipsis, *idx)] = (f(x + step) - f(x - step)) / (2 * eps)
    return J


def _poly(x):
    return (x ** 3 * x.flip(0) - 2 * x.sin() * x.exp()).sum()


def test_hessian_matches_finite_differences_and_is_symmetric():
    x0 = np.array([0.3, -1.2, 0.8])
    H = F.hessian(_poly, f64(x0))

    def gradient(x: np.ndarray) -> np.ndarray:
        t = f64(x, True)
        (g,) = nbgrad.autograd.grad(_poly(t), t)
        return g.numpy()

    fd = _fd_jacobian(gradient, x0)
    np.testing.assert_allclose(H.numpy(), fd, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H.numpy(), H.numpy().T, rtol=0, atol=1e-12)
    # vectorize=True and the forward-mode outer Jacobian give the same numbers
    for kw in ({"vectorize": True},
               {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}):
        np.testing.assert_allclose(F.hessian(_poly, f64(x0), **kw).detach().numpy(),
                                   H.numpy(), rtol=0, atol=1e-12)


def test_jacobian_matches_finite_differences_for_several_inputs_and_outputs():
    def f(x, W):
        return (W @ x).tanh(), (x * x).sum() * W

    x0, W0 = np.array([0.5, -0.25]), np.array([[1.0, 2.0], [-0.5, 0.75], [0.1, 0.2]])
    J = F.jacobian(f, (f64(x0), f64(W0)))
    assert isinstance(J, tuple) and all(isinstance(row, tuple) and len(row) == 2 for row in J)
    for i in range(2):
        fd_x = _fd_jacobian(lambda x, i=i: f(f64(x), f64(W0))[i].numpy(), x0)
        fd_W = _fd_jacobian(lambda W, i=i: f(f64(x0), f64(W))[i].numpy(), W0)
        np.testing.assert_allclose(J[i][0].numpy(), fd_x, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(J[i][1].numpy(), fd_W, rtol=1e-6, atol=1e-8)


def test_products_agree_with_the_whole_matrices():
    x = f64([0.4, -0.9, 1.3])
    v = f64([1.0, -2.0, 0.5])

    def f(x):
        return x.exp() * x.flip(0)

    J = F.jacobian(f, x).numpy()
    np.testing.assert_allclose(F.vjp(f, x, v)[1].numpy(), v.numpy() @ J, rtol=1e-12)
    np.testing.assert_allclose(F.jvp(f, x, v)[1].numpy(), J @ v.numpy(), rtol=1e-12)
    H = F.hessian(_poly, x).numpy()
    np.testing.assert_allclose(F.hvp(_poly, x, v)[1].numpy(), H @ v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(F.vhp(_poly, x, v)[1].numpy(), v.numpy() @ H, rtol=1e-12)


def test_results_have_no_graph_unless_create_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    f = lambda x: (x ** 3).sum()
    v = f64([1.0, 1.0])
    plain = [F.jacobian(f, x), F.hessian(f, x), *F.vjp(f, x), *F.jvp(f, x, v),
             *F.hvp(f, x, v), *F.vhp(f, x, v), F.jacobian(f, x, vectorize=True)]
    assert not any(t.requires_grad for t in plain)
    graphed = [F.jacobian(f, x, create_graph=True), F.hessian(f, x, create_graph=True),
               *F.vjp(f, x, create_graph=True), *F.jvp(f, x, v, create_graph=True),
               *F.hvp(f, x, v, create_graph=True), *F.vhp(f, x, v, create_graph=True)]
    assert all(t.grad_fn is not None for t in graphed)
    assert x.grad is None  # nothing was accumulated into the input


def test_second_derivatives_of_a_jacobian_made_with_create_graph():
    def f(x):
        return x.sin() * x.sum() + x ** 2

    x = f64([0.3, -0.8, 1.1], requires_grad=True)
    assert gradcheck(lambda x: F.jacobian(f, x, create_graph=True), (x,))
    assert gradcheck(lambda x: F.jacobian(f, x, create_graph=True, vectorize=True), (x,))
    assert gradcheck(lambda x: F.hessian(_poly, x, create_graph=True), (x,))
    v = f64([1.0, -0.5, 2.0])
    assert gradcheck(lambda x: F.vjp(f, x, v, create_graph=True)[1], (x,))
    assert gradcheck(lambda x: F.jvp(f, x, v, create_graph=True)[1], (x,))
    assert gradcheck(lambda x: F.hvp(_poly, x, v, create_graph=True)[1], (x,))
    assert gradcheck(lambda x: F.vhp(_poly, x, v, create_graph=True)[1], (x,))
    # the trace of the Jacobian of the gradient, differentiated once more: sum_i d3f/dxi2dxj
    H = F.hessian(_poly, x, create_graph=True)
    (g,) = nbgrad.autograd.grad(H[0, 0] + H[1, 1] + H[2, 2], x)
    third = np.zeros(3)
    for j in range(3):
        step = np.zeros(3)
        step[j] = 1e-5
        hp = F.hessian(_poly, f64(x.detach().numpy() + step)).numpy()
        hm = F.hessian(_poly, f64(x.detach().numpy() - step)).numpy()
        third[j] = (np.trace(hp) - np.trace(hm)) / 2e-5
    np.testing.assert_allclose(g.numpy(), third, rtol=1e-6, atol=1e-6)


def test_mixed_precision_gradient_keeps_the_input_dtype_with_create_graph():
    # the engine's dtype fix-up (a float32 input of a float64 product) used to be skipped
    # when the backward pass builds a graph, so the gradient came back float64
    x = nbgrad.ones(2, requires_grad=True)
    s = nbgrad.tensor(2.0, dtype=nbgrad.float64)
    (g,) = nbgrad.autograd.grad((x ** 2).sum() * s, x, create_graph=True)
    assert g.dtype == nbgrad.float32
    H = F.hessian(lambda x, y: (x ** 2).sum() * y.double().sum(),
                  (nbgrad.ones(2), nbgrad.ones(2)))
    assert [[h.dtype for h in row] for row in H] == [[nbgrad.float32] * 2] * 2


# -- against torch ---------------------------------------------------------------------------


def _torch():
    return pytest.importorskip("torch")


# Lessons write ``T.autograd.functional``; the snippets below name it ``F``.
PRELUDE = "F = T.autograd.functional\n"
LINEAR = (
    "m = T.nn.Linear(3, 2)\nwith T.no_grad():\n"
    "    m.weight.copy_(T.tensor([[0.5, -1.0, 0.25], [2.0, 0.0, -0.5]]))\n"
    "    m.bias.copy_(T.tensor([0.1, -0.2]))\n"
    "target = T.tensor([1.0, -1.0])\n"
    "loss = lambda x: T.nn.functional.mse_loss(m(x), target)\n"
    "x = T.tensor([0.3, -0.6, 1.2])\n"
)
SNIPPETS = [
    # polynomials, transcendental functions, matrix products
    "print(F.jacobian(lambda x: x ** 3 - 2 * x, T.tensor([1., 2., 3.])))",
    "print(F.jacobian(lambda x: x.sin() * x.exp(), T.tensor([0.5, -1.5])))",
    "print(F.jacobian(lambda x: x.exp().sum(dim=1), T.tensor([[0., 1.], [2., -1.]])))",
    "A = T.tensor([[1., 2.], [3., 4.], [5., 6.]])\n"
    "print(F.jacobian(lambda x: A @ x, T.tensor([1., -1.])))",
    "print(F.jacobian(lambda A, B: A @ B, (T.tensor([[1., 2.], [3., 4.]]), "
    "T.tensor([[0., 1.], [1., 0.]]))))",
    "print(F.hessian(lambda x: (x ** 3).sum(), T.tensor([1., 2.])))",
    "print(F.hessian(lambda x: x.pow(3).sum(), T.tensor([[1., 2.], [3., 4.]])))",
    "print(F.hessian(lambda x: (x.sin() * x.flip(0)).sum(), T.tensor([0.5, 1.0, 1.5])))",
    "print(F.hessian(lambda x, y: (2 * x.pow(2) + 3 * y.pow(2)).sum(), "
    "(T.tensor([1., 2.]), T.tensor([3., 4.]))))",
    "print(F.hessian(lambda x, y: (x ** 2 * y).sum(), (T.tensor([1., 2.]), T.tensor([3., 4.]))))",
    # a small model's loss as a function of its input
    LINEAR + "print(F.jacobian(m, x))\nprint(F.jacobian(loss, x))\nprint(F.hessian(loss, x))",
    LINEAR + "print(F.vjp(loss, x))\nprint(F.hvp(loss, x, T.ones(3)))",
    LINEAR + "print(F.jacobian(m, x, vectorize=True, strategy='forward-mode'))",
    LINEAR + "print(F.jacobian(loss, x, create_graph=True))",
    # several inputs and outputs: the nesting of tuples
    "f = lambda x, y: (x * y, x.sum() * 3)\nx, y = T.tensor([1., 2.]), T.tensor([3., 4.])\n"
    "print(F.jacobian(f, (x, y)))\nprint(F.jacobian(f, (x, y), vectorize=True))\n"
    "print(F.jacobian(lambda x: (x * 2, x.sum()), x))\n"
    "print(F.jacobian(lambda x, y: x * y, (x, y)))",
    "print(F.jacobian(lambda x, y: x * 2, (T.tensor([1., 2.]), T.tensor([3., 4.]))))",
    "print(F.jacobian(lambda x: T.ones(2), T.tensor([1., 2.])))",
    # 0-d, float64, integer outputs, integer inputs
    "print(F.jacobian(lambda x: x ** 2 * T.ones(3), T.tensor(2.)))",
    "print(F.jacobian(lambda x: (x ** 2).sum(), T.tensor([1., 2.])))",
    "print(F.hessian(lambda x: x ** 3, T.tensor(2.)))",
    "print(F.hessian(lambda x: (x ** 3).sum(), T.tensor([1., 2.], dtype=T.float64)))",
    "print(F.jacobian(lambda x: (x * 2).long(), T.tensor([1., 2.])))",
    "print(F.jacobian(lambda x: x * 2, T.tensor([1, 2])))",
    "print(F.vjp(lambda x: x * 2, T.tensor([1., 2.], dtype=T.float64), T.ones(2)))",
    # the products
    "f = lambda x: x.exp().sum(dim=1)\nX = T.tensor([[0., 1.], [2., -1.]])\n"
    "print(F.vjp(f, X, T.ones(2)))\nprint(F.jvp(f, X, T.ones(2, 2)))\n"
    "print(F.vjp(f, X, T.ones(2), create_graph=True))",
    "print(F.vjp(lambda x, y: 2 * x + 3 * y, (T.tensor([1., 2.]), T.tensor([3., 4.])), "
    "T.ones(2)))",
    "print(F.vjp(lambda x: x.sum(), T.tensor([[1., 2.], [3., 4.]])))",
    "print(F.vjp(lambda x: (x * 2, x.sum()), T.tensor([1., 2.]), (T.ones(2), T.tensor(1.))))",
    "print(F.jvp(lambda x, y: 2 * x + 3 * y, (T.tensor([1., 2.]), T.tensor([3., 4.])), "
    "(T.ones(2), T.ones(2))))",
    "print(F.jvp(lambda x: x * T.ones(3), T.tensor(2.)))",
    "print(F.jvp(lambda x, y: (2 * x, y.sum() * 0 + 1), (T.tensor([1., 2.]), "
    "T.tensor([3., 4.])), (T.ones(2), T.ones(2))))",
    "g = lambda x: (x ** 3).sum()\nX = T.tensor([[0., 1.], [2., -1.]])\n"
    "print(F.hvp(g, X, T.ones(2, 2)))\nprint(F.vhp(g, X, T.ones(2, 2)))\n"
    "print(F.hvp(g, X, T.ones(2, 2), create_graph=True))\n"
    "print(F.vhp(g, X, T.ones(2, 2), create_graph=True))",
    "print(F.hvp(lambda x, y: (2 * x ** 2 + 3 * y ** 2).sum(), (T.tensor([1., 2.]), "
    "T.tensor([3., 4.])), (T.zeros(2), T.ones(2))))",
    "print(F.hvp(lambda x: x ** 3, T.tensor(2.)))\nprint(F.vhp(lambda x: (2 * x).sum(), "
    "T.tensor([1., 2.]), T.ones(2)))",
    # create_graph: the results carry a graph, and can be differentiated again
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "J = F.jacobian(lambda x: x ** 3, x, create_graph=True)\nprint(J)\n"
    "print(T.autograd.grad(J.sum(), x))",
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "H = F.hessian(lambda x: (x ** 4).sum(), x, create_graph=True)\nprint(H)\n"
    "print(T.autograd.grad(H.sum(), x))",
    "print(F.jacobian(lambda x, y: (x * y, x.sum() * 3), (T.tensor([1., 2.]), "
    "T.tensor([3., 4.])), create_graph=True))",
    "print(F.jacobian(lambda x, y: (x * y, x.sum() * 3), (T.tensor([1., 2.]), "
    "T.tensor([3., 4.])), create_graph=True, vectorize=True))",
    "print(F.jacobian(lambda x: x * 2, T.tensor([1., 2.]), create_graph=True))",
    "print(F.hessian(lambda x: (x ** 2).sum(), T.tensor([1., 2.]), strict=True, "
    "create_graph=True))",
    "x = T.tensor([1., 2.])\nprint(F.jvp(lambda x: x.exp().sum(), x, T.ones(2), "
    "create_graph=True))\nprint(x.requires_grad)",
    "with T.no_grad():\n    print(F.jacobian(lambda x: x ** 2, T.tensor([1., 2.]), "
    "create_graph=True))\n    print(F.vjp(lambda x: x.sum(), T.tensor([1., 2.])))",
    # vectorize=True and the forward-mode strategy: torch's results (lists, dtypes, graphs)
    "print(F.jacobian(lambda x: x ** 2, T.tensor([1., 2.]), vectorize=True))",
    "print(F.jacobian(lambda x: x ** 2, T.tensor([1., 2.]), vectorize=True, "
    "strategy='forward-mode'))",
    "print(F.jacobian(lambda x, y: (x * y, x.sum() * 3), (T.tensor([1., 2.]), "
    "T.tensor([3., 4.])), vectorize=True, strategy='forward-mode'))",
    "print(F.jacobian(lambda x, y: x * 2, (T.tensor([1., 2.]), T.tensor([3., 4.])), "
    "vectorize=True, strategy='forward-mode'))",
    "print(F.jacobian(lambda x: (x ** 2).double(), T.tensor([1., 2.]), vectorize=True, "
    "strategy='forward-mode'))",
    "print(F.jacobian(lambda x: (x * 2).long(), T.tensor([1., 2.]), vectorize=True, "
    "strategy='forward-mode'))",
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "print(F.jacobian(lambda x: x ** 2, x, vectorize=True, strategy='forward-mode'))\n"
    "print(F.jacobian(lambda x: (x ** 2).sum(), x, vectorize=True, strategy='forward-mode'))",
    "print(F.hessian(lambda x: (x ** 3).sum(), T.tensor([1., 2.]), vectorize=True))",
    "x = T.tensor([1., 2.])\nprint(F.hessian(lambda x: (x ** 3).sum(), x, vectorize=True, "
    "outer_jacobian_strategy='forward-mode'), x.requires_grad)",
    "print(F.hessian(lambda x: (x * 2).sum(), T.tensor([1., 2.]), vectorize=True, "
    "outer_jacobian_strategy='forward-mode'))",
    "print(F.hessian(lambda x, y: (x ** 2 * y).sum(), (T.tensor([1., 2.]), T.tensor([3., 4.])),"
    " vectorize=True, outer_jacobian_strategy='forward-mode'))",
    "print(F.hessian(lambda x, y: (x ** 2).sum() * y.double().sum(), (T.ones(2), T.ones(2)), "
    "vectorize=True, outer_jacobian_strategy='forward-mode'))",
    "with T.no_grad():\n    print(F.hessian(lambda x: (x ** 3).sum(), T.tensor([1., 2.]), "
    "vectorize=True, outer_jacobian_strategy='forward-mode'))",
    "print(F.jacobian(lambda x: x.reshape(3, 1) * 2, T.ones(3), vectorize=True, "
    "strategy='forward-mode'))",
    "print(F.jacobian(lambda x: (x[:0], x * 2), T.tensor([1., 2.]), vectorize=True))",
    "print(F.jacobian(lambda x, y: x * 2, (T.tensor([1., 2.]), T.zeros(0))))",
]
ERRORS = [
    # what is not a tensor
    "F.jacobian(lambda x: x, [T.ones(2)])",
    "F.jacobian(lambda x, y: x, (T.ones(2), 3))",
    "F.jacobian(lambda x: x, 3.0)",
    "F.jacobian(lambda x: [x], T.ones(2))",
    "F.jacobian(lambda x: 3.0, T.ones(2))",
    "F.jacobian(lambda x: [x], T.ones(2), vectorize=True, strategy='forward-mode')",
    "F.hessian(lambda x: [x.sum()], T.ones(2))",
    "F.vjp(lambda x: 2.0, T.ones(2))",
    "F.vjp(lambda x: x, T.ones(2), [T.ones(2)])",
    "F.jvp(lambda x: x, T.ones(2), 1.0)",
    "F.hvp(lambda x: x.sum(), (T.ones(2), 'a'), T.ones(2))",
    # integer inputs
    "F.jacobian(lambda x: x * 2, T.tensor([1, 2]))",
    "F.hessian(lambda x: (x ** 3).sum(), T.tensor([1, 2]))",
    "F.vjp(lambda x: x * 2, T.tensor([1, 2]), T.ones(2))",
    "F.jacobian(lambda x: x * 2, T.tensor([1, 2]), vectorize=True, strategy='forward-mode')",
    # v of the wrong shape, or missing
    "F.vjp(lambda x: x.exp().sum(dim=1), T.ones(2, 2))",
    "F.vjp(lambda x: x.exp().sum(dim=1), T.ones(2, 2), T.ones(3))",
    "F.vjp(lambda x: (x, x), T.ones(2, 2), (T.ones(2, 2), T.ones(3)))",
    "F.vjp(lambda x: (x, x), T.ones(2, 2), (T.ones(2, 2),))",
    "F.vjp(lambda x: x * 2, T.ones(2), (T.ones(2), T.ones(2)))",
    "F.jvp(lambda x: x.sum(), T.ones(2))",
    "F.jvp(lambda x: x.sum(), T.ones(2, 2), T.ones(2))",
    "F.jvp(lambda x, y: x + y, (T.ones(2), T.ones(2)), (T.ones(2), T.ones(3)))",
    "F.jvp(lambda x, y: x + y, (T.ones(2), T.ones(2)), (T.ones(2),))",
    "F.hvp(lambda x: (x ** 3).sum(), T.ones(2))",
    "F.vhp(lambda x: (x ** 3).sum(), T.ones(2), T.ones(3))",
    # functions that do not return one number
    "F.hessian(lambda x: x ** 2, T.ones(2))",
    "F.hessian(lambda x: (x.sum(),), T.ones(2))",
    "F.hvp(lambda x: x ** 3, T.ones(2), T.ones(2))",
    "F.vhp(lambda x: (x.sum(),), T.ones(2), T.ones(2))",
    # strict: outputs independent of an input, or with a constant derivative
    "F.jacobian(lambda x, y: x * 2, (T.ones(2), T.ones(2)), strict=True)",
    "F.jacobian(lambda x: T.ones(2), T.ones(2), strict=True)",
    "F.jacobian(lambda x: x * 2, T.ones(2), strict=True, create_graph=True)",
    "F.jacobian(lambda x, y: (2 * x, x * y), (T.ones(2), T.ones(2)), strict=True, "
    "create_graph=True)",
    "F.hessian(lambda x, y: (x ** 3).sum(), (T.ones(2), T.ones(2)), strict=True)",
    "F.hessian(lambda x: T.tensor(1.), T.ones(2), strict=True)",
    "F.hessian(lambda x: (2 * x).sum(), T.ones(2), strict=True)",
    "F.vjp(lambda x, y: 2 * x, (T.ones(2), T.ones(2)), T.ones(2), strict=True)",
    "F.vjp(lambda x: T.ones(2), T.ones(2), T.ones(2), strict=True)",
    "F.vjp(lambda x: 2 * x, T.ones(2), T.ones(2), strict=True, create_graph=True)",
    "F.jvp(lambda x, y: 2 * x, (T.ones(2), T.ones(2)), (T.ones(2), T.ones(2)), strict=True)",
    "F.jvp(lambda x, y: (2 * x, T.ones(1)), (T.ones(2), T.ones(2)), (T.ones(2), T.ones(2)), "
    "strict=True)",
    "F.jvp(lambda x: 2 * x, T.ones(2), T.ones(2), strict=True, create_graph=True)",
    "F.hvp(lambda x: (2 * x).sum(), T.ones(2), T.ones(2), strict=True)",
    "F.vhp(lambda x: (2 * x).sum(), T.ones(2), T.ones(2), strict=True)",
    "F.hvp(lambda x, y: (x ** 3).sum(), (T.ones(2), T.ones(2)), (T.ones(2), T.ones(2)), "
    "strict=True)",
    "F.vhp(lambda x, y: (x ** 3).sum(), (T.ones(2), T.ones(2)), (T.ones(2), T.ones(2)), "
    "strict=True)",
    # the options torch does not combine
    "F.jacobian(lambda x: x * 2, T.ones(2), strict=True, vectorize=True)",
    "F.jacobian(lambda x: x * 2, T.ones(2), strategy='forward-mode')",
    "F.jacobian(lambda x: x * 2, T.ones(2), strategy='forward-mode', strict=True)",
    "F.jacobian(lambda x: x * 2, T.ones(2), strategy='forward-mode', vectorize=True, "
    "create_graph=True)",
    "F.jacobian(lambda x: x * 2, T.ones(2), strategy='fwd')",
    "F.hessian(lambda x: x.sum(), T.ones(2), outer_jacobian_strategy='fwd')",
    "F.hessian(lambda x: (x ** 3).sum(), T.ones(2), outer_jacobian_strategy='forward-mode')",
    "F.hessian(lambda x: (x ** 3).sum(), T.ones(2), vectorize=True, "
    "outer_jacobian_strategy='forward-mode', create_graph=True)",
    # zero-size outputs
    "F.jacobian(lambda x: x[:0] * 2, T.ones(2))",
    "F.jacobian(lambda x: x[:0] * 2, T.ones(2), vectorize=True)",
]


def _run(T, code: str) -> str:
    env = {"T": T}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(PRELUDE + code, env)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return out.getvalue() + f"{type(e).__name__}: {e}"
    return out.getvalue()


def _torch_text(code: str) -> str:
    want = _run(_torch(), code)
    return want.replace("torch.", "nbgrad.")


@pytest.mark.parametrize("code", SNIPPETS)
def test_prints_as_torch(code: str) -> None:
    want = _torch_text(code)
    assert _run(nbgrad, code) == want


@pytest.mark.parametrize("code", ERRORS)
def test_errors_as_torch(code: str) -> None:
    want = _torch_text(code)
    assert re.match(r"^\w+(Error|Exception): ", want), want  # the snippet must fail in torch
    assert _run(nbgrad, code) == want


# Results compared as numbers (to 1e-5): the same nesting (tuple or list), and for each
# tensor the same shape, dtype, requires_grad and values.

def _sample(T):
    W = T.tensor([[0.3, -1.1, 0.7], [1.4, 0.2, -0.6]])
    X = T.tensor([[0.5, -0.25, 1.5], [-1.0, 0.75, 0.1]])
    lin = T.nn.Linear(3, 2)
    with T.no_grad():
        lin.weight.copy_(W)
        lin.bias.copy_(T.tensor([0.05, -0.3]))
    target = T.tensor([[0.0, 1.0], [1.0, 0.0]])
    x3 = T.tensor([0.4, -1.3, 0.9])
    funcs = {
        "poly": (lambda x: x ** 4 - 3 * x ** 2 + x, x3),
        "sin_exp": (lambda x: (x.sin() * x.exp()).cumsum(0), x3),
        "matmul": (lambda x: W @ x.tanh(), x3),
        "matrix_in": (lambda X: X @ X.T, X),
        "linear_loss": (lambda X: T.nn.functional.mse_loss(lin(X), target), X),
        "softmax_nll": (lambda x: -(x.log_softmax(0) * T.tensor([0.2, 0.5, 0.3])).sum(), x3),
        "two_in_two_out": (lambda a, b: ((a * b).sum() * a, (a.exp() * b.flip(0)).cumsum(0).sin()),
                           (x3, T.tensor([1.0, -0.5, 2.0]))),
        "f64": (lambda x: (x ** 3).prod().reshape(1) * x, x3.double()),
        "zero_d": (lambda x: T.stack([x.sin(), x.cos(), x * x]), T.tensor(0.7)),
    }
    return funcs


def _results(T, name: str, what: str):
    f, inputs = _sample(T)[name]
    J = T.autograd.functional
    if what == "jacobian":
        return J.jacobian(f, inputs)
    if what == "jacobian_vec":
        return J.jacobian(f, inputs, vectorize=True)
    if what == "jacobian_fwd":
        return J.jacobian(f, inputs, vectorize=True, strategy="forward-mode")
    if what == "jacobian_graph":
        return J.jacobian(f, inputs, create_graph=True)
    single = inputs if isinstance(inputs, tuple) else (inputs,)
    out = f(*single)
    outs = out if isinstance(out, tuple) else (out,)
    if what == "vjp":
        v = tuple(T.ones_like(o) * 0.5 + T.arange(o.numel()).reshape(o.shape) * 0.25
                  for o in outs)
        return J.vjp(f, inputs, v if isinstance(out, tuple) else v[0])
    if what == "jvp":
        v = tuple(T.ones_like(i) - T.arange(i.numel()).reshape(i.shape) * 0.5 for i in single)
        return J.jvp(f, inputs, v if isinstance(inputs, tuple) else v[0])
    def scalar(*a):  # one number: the sum of everything f returns
        out = f(*a)
        return sum(o.sum() for o in out) if isinstance(out, tuple) else out.sum()

    if what == "hessian":
        return J.hessian(scalar, inputs)
    if what == "hessian_graph":
        return J.hessian(scalar, inputs, create_graph=True)
    if what == "hessian_fwd":
        return J.hessian(scalar, inputs, vectorize=True, outer_jacobian_strategy="forward-mode")
    v = tuple(T.ones_like(i) * 0.75 + T.arange(i.numel()).reshape(i.shape) * 0.5 for i in single)
    v = v if isinstance(inputs, tuple) else v[0]
    if what == "hvp":
        return J.hvp(scalar, inputs, v)
    return J.vhp(scalar, inputs, v, create_graph=True)


def _flat(r):
    if isinstance(r, (tuple, list)):
        return (type(r).__name__, [_flat(x) for x in r])
    dtype = str(r.dtype).replace("torch.", "nbgrad.")
    return (tuple(r.shape), dtype, r.requires_grad, r.detach().numpy())


WHATS = ["jacobian", "jacobian_vec", "jacobian_fwd", "jacobian_graph", "vjp", "jvp",
         "hessian", "hessian_graph", "hessian_fwd", "hvp", "vhp"]
NAMES = list(_sample(nbgrad))


@pytest.mark.parametrize("what", WHATS)
@pytest.mark.parametrize("name", NAMES)
def test_values_as_torch(name: str, what: str) -> None:
    if (name, what) == ("linear_loss", "hessian_fwd"):
        # torch 2.13 fails inside its forward-over-reverse pass through mse_loss ("ZeroTensors
        # are immutable"): there is nothing to compare with
        pytest.skip("torch's own error")
    want = _flat(_results(_torch(), name, what))
    got = _flat(_results(nbgrad, name, what))

    def compare(w, g):
        if isinstance(w[1], list):
            assert w[0] == g[0] and len(w[1]) == len(g[1])
            for a, b in zip(w[1], g[1]):
                compare(a, b)
            return
        assert w[:3] == g[:3]
        np.testing.assert_allclose(g[3], w[3], rtol=1e-5, atol=1e-5)

    compare(want, got)
