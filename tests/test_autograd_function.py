"""Custom autograd functions (``nbgrad.autograd.Function``), as torch 2.13 has them.

The snippets run under torch and nbgrad and must print the same (``torch.`` read as
``nbgrad.``, nodes without their addresses): results, gradients, ``grad_fn`` and its
introspection, and the errors in torch's words. Then gradcheck as the referee of custom
backwards, and the drawings and the backward stepper on graphs with a custom node.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd.function import once_differentiable


def _run(T, code: str) -> str:  # noqa: N803 - T is the framework: nbgrad or torch
    env = {"T": T}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, env)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return out.getvalue() + f"{type(e).__name__}: {e}"
    return out.getvalue()


MY_EXP = """
class MyExp(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        print('forward: grad enabled', T.is_grad_enabled(), ctx.needs_input_grad)
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        print('backward: grad enabled', T.is_grad_enabled(), g)
        y, = ctx.saved_tensors
        return g * y

x = T.tensor([0.5, 1.0], requires_grad=True)
"""

# forward(ctx, x, k) with a backward given as ``BWD`` and a body given as ``FWD``
GENERIC = """
class F(T.autograd.Function):
    @staticmethod
    def forward(ctx, x, k=2):
        return FWD
    @staticmethod
    def backward(ctx, g):
        return BWD
x = T.tensor([1., 2.], requires_grad=True)
"""


def generic(fwd: str, bwd: str, then: str) -> str:
    return GENERIC.replace("FWD", fwd).replace("BWD", bwd) + then


TWO = """
class SinCos(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, gs, gc):
        print('got', gs, gc)
        x, = ctx.saved_tensors
        return gs * x.cos() - gc * x.sin()

x = T.tensor([0.5, 1.0], dtype=T.float64, requires_grad=True)
"""

CUBE = """
class Cube(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        print('backward: grad enabled', T.is_grad_enabled(), g.requires_grad)
        return 3 * x ** 2 * g
"""

ONCE = """
from T.autograd.function import once_differentiable
class Once(T.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        print('once: grad enabled', T.is_grad_enabled())
        return 3 * x ** 2 * g

x = T.tensor([1., 2.], requires_grad=True)
"""

BASICS = [
    MY_EXP + "y = MyExp.apply(x); print(y); print(y.grad_fn, y.grad_fn.name()); "
    "print(y.grad_fn.next_functions, y.grad_fn.needs_input_grad, y.grad_fn.saved_tensors); "
    "y.sum().backward(); print(x.grad); print(y.is_leaf, y.requires_grad)",
    # the saved tensors are freed by backward: reading them, or a second backward, fails
    MY_EXP + "y = MyExp.apply(x); y.sum().backward(); y.grad_fn.saved_tensors",
    MY_EXP + "y = MyExp.apply(x); y.sum().backward(); y.sum().backward()",
    MY_EXP + "y = MyExp.apply(x); y.sum().backward(retain_graph=True); y.sum().backward(); "
    "print(x.grad)",
    # ctx is the node; its attributes stay on it
    "class Scale(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x, k):\n"
    "        ctx.k = k\n"
    "        ctx.result = 'mine'\n"
    "        print(ctx.saved_tensors, ctx.to_save)\n"
    "        return x * k\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        print(ctx.result, ctx.k)\n"
    "        return g * ctx.k, None\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "y = Scale.apply(x, 3); print(y, y.grad_fn.k, y.grad_fn.to_save); y.sum().backward(); "
    "print(x.grad)",
    # torch 2's form: forward without ctx, setup_context; defaults are bound
    "class Mul(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(x, k=5):\n"
    "        print('forward', T.is_grad_enabled())\n"
    "        return x * k\n"
    "    @staticmethod\n"
    "    def setup_context(ctx, inputs, output):\n"
    "        print('setup', inputs, output, T.is_grad_enabled(), ctx.needs_input_grad)\n"
    "        ctx.k = inputs[1]\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        return g * ctx.k, None\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "y = Mul.apply(x); print(y); y.sum().backward(); print(x.grad); "
    "print(Mul.apply(x, k=2))",
    # keyword arguments become positions of forward, as torch's apply takes them
    generic("x * k", "(g * k, None)", "print(F.apply(x, k=3)); print(F.apply(x=x, k=3))"),
    generic("x * k", "(g, None)", "F.apply(x, j=3)"),
    generic("x * k", "(g, None)", "F.apply(x, 2, k=3)"),
    "class F(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x, k=1, j=5):\n"
    "        print(k, j, ctx.needs_input_grad)\n"
    "        return x * k\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        return g, None, None\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "F.apply(x, j=3)",
    # grad mode and what records
    MY_EXP + "with T.no_grad():\n    y = MyExp.apply(x)\nprint(y, y.grad_fn)",
    MY_EXP + "y = MyExp.apply(x.detach()); print(y, y.grad_fn)",
    generic("x * k", "(g, None)",
            "y = F.apply(x, T.tensor(2.)); print(y.grad_fn.next_functions, "
            "y.grad_fn.needs_input_grad)"),
    generic("(x * k).long()", "(g, None)", "print(F.apply(x))"),
    generic("3", "(g, None)", "print(F.apply(x))"),
    generic("[x * k]", "(g, None)", "print(F.apply(x))"),
    generic("(x * k, 3)", "(g, None)", "print(F.apply(x))"),
    # an input returned as it is: a view of it with the node, not the input itself
    generic("x", "(g, None)", "y = F.apply(x); print(y is x, y._base is x, y, y._version)"),
    generic("x", "(g, None)",
            "z = T.ones(2); y = F.apply(z); print(y is z, y._base is z, y.requires_grad)"),
    generic("x", "(g, None)",
            "with T.no_grad():\n    y = F.apply(x)\nprint(y is x, y.requires_grad)"),
    # hooks and retained gradients on the output
    MY_EXP + "y = MyExp.apply(x); y.retain_grad(); "
    "h = y.register_hook(lambda g: print('hook', g) or g * 10); (y * 2).sum().backward(); "
    "print(y.grad, x.grad)",
    MY_EXP + "y = MyExp.apply(x); print(T.autograd.grad(y.sum(), x)); print(x.grad)",
    MY_EXP + "w = T.ones(2, requires_grad=True); y = MyExp.apply(x); "
    "print(T.autograd.grad(y.sum(), [x, w], allow_unused=True))",
    # a Function used twice, and inside another expression
    MY_EXP + "x = T.tensor([0.1, 0.2], dtype=T.float64, requires_grad=True); "
    "y = MyExp.apply(MyExp.apply(x) * 2); y.sum().backward(); print(y, x.grad)",
    # instantiating a Function is the legacy API
    MY_EXP + "MyExp()(x)",
    "class NoBackward(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return x * 2\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "NoBackward.apply(x).sum().backward()",
    "class NoForward(T.autograd.Function):\n"
    "    pass\n"
    "NoForward.apply(T.ones(2))",
    "print(T.autograd.Function._backward_cls, T.autograd.function.Function)",
]

BACKWARD_CHECKS = [
    generic("x * k", "g", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(g, None, None)", "F.apply(x, 2).sum().backward(); print(x.grad)"),
    generic("x * k", "(g, None, g)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "()", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "[g, None]", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(None, None)", "F.apply(x, 2).sum().backward(); print(x.grad)"),
    generic("x * k", "(g, g)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(2.0, None)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(2.0, g)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(T.ones(3), None)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(T.ones(1), None)", "F.apply(x, 2).sum().backward()"),
    generic("x * k", "(T.tensor(1.), None)", "F.apply(x, 2).sum().backward()"),
    # a gradient that broadcasts onto the input is summed back; its dtype is the input's
    generic("x * k", "(T.ones(3, 2), None)", "F.apply(x, 2).sum().backward(); print(x.grad)"),
    generic("x * k", "(T.ones(2, dtype=T.float64), None)",
            "F.apply(x, 2).sum().backward(); print(x.grad)"),
    generic("x * k", "(T.ones(2, dtype=T.int64), None)",
            "F.apply(x, 2).sum().backward(); print(x.grad)"),
    # the index of a shape error counts the tensor inputs only; an input that does not
    # require grad is not checked
    generic("x * k", "(T.ones(3), T.ones(3))", "F.apply(T.ones(2), x).sum().backward()"),
    generic("x * k", "(T.ones(2), T.ones(3))", "F.apply(T.ones(2), x).sum().backward()"),
    generic("x * k", "(g * 0 + 1, None)", "F.apply(x, 2).sum().backward(); print(x.grad)"),
    # what save_for_backward takes
    generic("(ctx.save_for_backward(x, 3), x * k)[1]", "(g, None)", "F.apply(x, 2)"),
    generic("(ctx.save_for_backward(x, None), x * k)[1]",
            "(g * ctx.saved_tensors[0] + (ctx.saved_tensors[1] is None), None)",
            "F.apply(x, 2).sum().backward(); print(x.grad)"),
]

SEVERAL_OUTPUTS = [
    TWO + "s, c = SinCos.apply(x); print(s, c); print(s.grad_fn, c.grad_fn.name()); "
    "print(T.exp(c).grad_fn.next_functions, s.grad_fn.next_functions); "
    "print(s.grad_fn.needs_input_grad, len(c.grad_fn.saved_tensors))",
    # the unused output's gradient is zeros, or None without materialized grads
    TWO + "s, c = SinCos.apply(x); s.sum().backward(); print(x.grad)",
    TWO + "s, c = SinCos.apply(x); c.sum().backward(); print(x.grad)",
    TWO + "s, c = SinCos.apply(x); (3 * s + c).sum().backward(); print(x.grad)",
    TWO + "s, c = SinCos.apply(x); T.autograd.backward([s.sum(), c.sum()]); print(x.grad)",
    TWO.replace("ctx.save_for_backward(x)", "ctx.save_for_backward(x); "
                "ctx.set_materialize_grads(False)").replace(
        "return gs * x.cos() - gc * x.sin()",
        "return gs * x.cos() if gc is None else gs * x.cos() - gc * x.sin()")
    + "s, c = SinCos.apply(x); s.sum().backward(); print(x.grad)",
    TWO + "s, c = SinCos.apply(x); s.retain_grad(); "
    "c.register_hook(lambda g: print('hook', g) or g * 2); (s * 3 + c).sum().backward(); "
    "print(s.grad, x.grad)",
    TWO + "s, c = SinCos.apply(x); g, = T.autograd.grad((s * c).sum(), x, create_graph=True); "
    "print(g); print(T.autograd.grad(g.sum(), x))",
    TWO + "s, c = SinCos.apply(x); print(T.autograd.grad(c.sum(), x))",
    TWO + "s, c = SinCos.apply(x); c.add_(1); (s + c).sum().backward()",
    # outputs that are not tensors, or not differentiable
    "class F(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return x * 2, 3, x.long(), x * 3\n"
    "    @staticmethod\n"
    "    def backward(ctx, *g):\n"
    "        print('got', g)\n"
    "        return g[0] + g[3]\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "a, b, c, d = F.apply(x); print(a, b, c, d, T.exp(d).grad_fn.next_functions); "
    "a.sum().backward(); print(x.grad)",
    "class Sort(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        v, i = x.sort()\n"
    "        ctx.mark_non_differentiable(i)\n"
    "        ctx.save_for_backward(i)\n"
    "        return v, i\n"
    "    @staticmethod\n"
    "    def backward(ctx, gv, gi):\n"
    "        print('gi', gi)\n"
    "        i, = ctx.saved_tensors\n"
    "        out = T.zeros_like(gv)\n"
    "        out[i] = gv\n"
    "        return out\n"
    "x = T.tensor([3., 1., 2.], requires_grad=True)\n"
    "v, i = Sort.apply(x); print(v, i, i.requires_grad, i.grad_fn); "
    "(v * T.tensor([1., 2., 3.])).sum().backward(); print(x.grad)",
    "class F(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return (x * 2,)\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        return g\n"
    "print(F.apply(T.ones(2, requires_grad=True)))",
]

MARKS = [
    generic("(ctx.mark_non_differentiable(x), x)[1]", "g",
            "y = F.apply(x); print(y is x, y.requires_grad, y.grad_fn)"),
    generic("(ctx.mark_non_differentiable(3), x * 2)[1]", "g", "F.apply(x)"),
    generic("(ctx.mark_non_differentiable(x * 1), x * 2)[1]", "(g, None)",
            "print(F.apply(x))"),
    # in place: the input takes the node; not a leaf that requires grad
    generic("(x.add_(1), ctx.mark_dirty(x), x)[2]", "(g, None)",
            "h = x * 1; before = h.grad_fn; r = F.apply(h); "
            "print(r is h, r, r._version, r.grad_fn.next_functions, before); "
            "r.sum().backward(); print(x.grad)"),
    generic("(x.add_(1), ctx.mark_dirty(x), x)[2]", "(g, None)", "F.apply(x)"),
    generic("(x.add_(1), ctx.mark_dirty(x), x)[2]", "(g, None)",
            "z = T.zeros(2); r = F.apply(z); print(r is z, r, z._version)"),
    generic("(x.add_(1), ctx.mark_dirty(x), x)[2]", "(g, None)",
            "with T.no_grad():\n    r = F.apply(x)\nprint(r is x, r, x._version)"),
    generic("(ctx.mark_dirty(x), x * 2)[1]", "(g, None)", "F.apply(x * 1)"),
    generic("(ctx.mark_dirty(x), x * 2)[1]", "(g, None)", "z = T.zeros(2); F.apply(z); "),
    generic("(ctx.mark_dirty(3), x * 2)[1]", "(g, None)", "F.apply(x * 1)"),
    generic("(lambda y: (ctx.mark_dirty(y), y)[1])(x * 2)", "(g, None)",
            "y = F.apply(x); print(y, y._version)"),
    # a tensor returned that is not an input: it takes the node; under no_grad, detached
    "w = T.ones(2, requires_grad=True)\n"
    + generic("w", "(g, None)",
              "with T.no_grad():\n    r = F.apply(x)\nprint(r is w, w.requires_grad, w.is_leaf)"),
]

VERSIONS_AND_SECOND_ORDER = [
    CUBE + "x = T.tensor([1., 2.], requires_grad=True); h = x * 1; y = Cube.apply(h); "
    "h.add_(1); y.sum().backward()",
    CUBE + "x = T.tensor([1., 2.], requires_grad=True); y = Cube.apply(x)\n"
    "with T.no_grad():\n    x.add_(1)\ny.sum().backward()",
    MY_EXP + "y = MyExp.apply(x); y.add_(1); y.sum().backward()",
    MY_EXP + "y = MyExp.apply(x); print(y.grad_fn.saved_tensors[0].grad_fn)",
    CUBE + "x = T.tensor([1., 2.], requires_grad=True); y = Cube.apply(x); "
    "print(y.grad_fn.saved_tensors[0] is x)",
    # double backward: the backward's own ops are recorded
    CUBE + "x = T.tensor([1., 2.], requires_grad=True); y = Cube.apply(x); "
    "g, = T.autograd.grad(y.sum(), x, create_graph=True); print(g); "
    "print(T.autograd.grad(g.sum(), x))",
    MY_EXP + "y = MyExp.apply(x); g, = T.autograd.grad(y.sum(), x, create_graph=True); "
    "print(g); print(T.autograd.grad(g.sum(), x))",
    CUBE + "x = T.tensor(2., requires_grad=True); y = Cube.apply(x); "
    "y.backward(create_graph=True); print(x.grad.item()); g = x.grad; x.grad = None; "
    "g.backward(); print(x.grad)",
    ONCE + "y = Once.apply(x); y.sum().backward(); print(x.grad)",
    ONCE + "y = Once.apply(x); g, = T.autograd.grad(y.sum(), x, create_graph=True); "
    "print(g, g.grad_fn); g.sum().backward()",
    ONCE + "v = T.ones(2, requires_grad=True); y = Once.apply(x); "
    "g, = T.autograd.grad(y, x, v, create_graph=True); "
    "print(g, g.grad_fn, g.grad_fn.name(), g.grad_fn.next_functions); g.sum().backward()",
    ONCE + "v = T.ones(2, requires_grad=True); y = Once.apply(x); "
    "g, = T.autograd.grad(y, x, v, create_graph=True); T.autograd.grad(g.sum(), v)",
    # anomaly detection names the custom node
    "class NanF(T.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return x * 1\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        return g * float('nan')\n"
    "x = T.tensor([1., 2.], requires_grad=True)\n"
    "with T.autograd.detect_anomaly():\n"
    "    NanF.apply(x).sum().backward()",
    TWO + "s, c = SinCos.apply(x)\nwith T.autograd.detect_anomaly():\n"
    "    (s + c).sum().backward()\nprint(x.grad)",
]

SNIPPETS = BASICS + BACKWARD_CHECKS + SEVERAL_OUTPUTS + MARKS + VERSIONS_AND_SECOND_ORDER


@pytest.mark.parametrize("code", SNIPPETS)
def test_prints_as_torch(code: str) -> None:
    torch = pytest.importorskip("torch")
    want = re.sub(r" at 0x[0-9a-f]+>", ">", _run(torch, code))
    want = want.replace("torch::", "nbgrad::").replace("torch.", "nbgrad.")
    want = want.replace("https://pynbgrad.org/docs/stable/autograd.html#nbgrad.",
                        "https://pytorch.org/docs/stable/autograd.html#torch.")
    assert _run(nbgrad, code) == want


def _warned(T, code: str) -> list[str]:  # noqa: N803
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(code, {"T": T})
    return [f"{w.category.__name__}: {w.message}" for w in caught]


@pytest.mark.parametrize("code", [
    MY_EXP + "MyExp()",
    generic("(lambda y: (ctx.mark_dirty(y), y)[1])(x * 2)", "(g, None)", "F.apply(x)"),
])
def test_warns_as_torch(code: str) -> None:
    torch = pytest.importorskip("torch")
    want = [re.sub(r" \(Triggered internally at .*", "", w) for w in _warned(torch, code)]
    assert _warned(nbgrad, code) == want


# -- without torch ---------------------------------------------------------------------


class Exp(nbgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Square(nbgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


class WrongSquare(Square):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return x * g  # the 2 forgotten


class SinCos(nbgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.sin(), x.cos()

    @staticmethod
    def backward(ctx, gs, gc):
        (x,) = ctx.saved_tensors
        return gs * x.cos() - gc * x.sin()


class Affine(nbgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, scale):
        ctx.save_for_backward(x, w)
        ctx.scale = scale
        return (x @ w + b) * scale

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        g = g * ctx.scale
        gx = g @ w.T if ctx.needs_input_grad[0] else None
        gw = x.T @ g if ctx.needs_input_grad[1] else None
        gb = g if ctx.needs_input_grad[2] else None  # broadcast over the rows: summed back
        return gx, gw, gb, None


def _double(*shape: int, seed: int = 0) -> nbgrad.Tensor:
    data = np.random.default_rng(seed).normal(size=shape)
    return nbgrad.tensor(data, dtype=nbgrad.float64, requires_grad=True)


def test_gradcheck_passes_custom_functions() -> None:
    gradcheck = nbgrad.autograd.gradcheck
    assert gradcheck(Exp.apply, (_double(3),))
    assert gradcheck(Square.apply, (_double(2, 3),))
    assert gradcheck(SinCos.apply, (_double(4),))
    assert gradcheck(lambda x, w, b: Affine.apply(x, w, b, 0.5),
                     (_double(3, 2), _double(2, 4, seed=1), _double(4, seed=2)))


def test_gradcheck_catches_a_wrong_backward() -> None:
    x = nbgrad.tensor([0.5, 1.0], dtype=nbgrad.float64, requires_grad=True)
    with pytest.raises(nbgrad.autograd.GradcheckError, match="Jacobian mismatch for output 0 "
                       "with respect to input 0"):
        nbgrad.autograd.gradcheck(WrongSquare.apply, (x,))
    assert not nbgrad.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False)


def test_second_derivatives_through_a_custom_backward() -> None:
    x = _double(3)
    (g,) = nbgrad.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = nbgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp(x.detach().numpy()))
    (g,) = nbgrad.autograd.grad((Square.apply(x) ** 2).sum(), x, create_graph=True)
    (gg,) = nbgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 12 * x.detach().numpy() ** 2)


def test_ctx_is_the_node_and_prints_without_address() -> None:
    x = _double(2)
    y = Affine.apply(x[None], _double(2, 2), _double(2), 3.0)
    fn = y.grad_fn
    assert type(fn) is Affine._backward_cls and type(fn).__name__ == "AffineBackward"
    assert repr(fn) == "<nbgrad.autograd.function.AffineBackward object>"
    assert "grad_fn=<AffineBackward>" in repr(y)
    assert fn.scale == 3.0 and fn.needs_input_grad == (True, True, True, False)
    assert [type(n).__name__ for n, _ in fn.next_functions] == [
        "UnsqueezeBackward0", "AccumulateGrad", "AccumulateGrad"]


def test_several_outputs_print_as_one_node() -> None:
    s, c = SinCos.apply(_double(2))
    assert repr(s.grad_fn) == repr(c.grad_fn) == "<nbgrad.autograd.function.SinCosBackward object>"
    assert s.grad_fn.name() == c.grad_fn.name() == "SinCosBackward"
    # the helper of output 1 stands for the node: as an edge, it is (node, 1)
    node, nr = (c * 2).grad_fn.next_functions[0]
    assert nr == 1 and isinstance(node, SinCos._backward_cls)
    assert (s * 2).grad_fn.next_functions[0] == (node, 0)
    assert s.grad_fn.next_functions == c.grad_fn.next_functions == node.next_functions
    assert len(c.grad_fn.saved_tensors) == 1  # ctx attributes, through the helper


def test_once_differentiable_runs_without_grad() -> None:
    seen = []

    class Once(nbgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            seen.append(nbgrad.is_grad_enabled())
            return g * 2

    x = _double(2)
    Once.apply(x).sum().backward(create_graph=True)
    assert seen == [False] and x.grad.grad_fn is None


def test_saved_tensors_are_freed_and_their_memory_too() -> None:
    x = _double(3)
    y = Exp.apply(x)
    fn = y.grad_fn
    y.sum().backward()
    assert fn._kept == () and fn._freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = fn.saved_tensors


# -- drawings and the stepper ---------------------------------------------------------


def _custom(T):  # noqa: N803 - T is the framework: nbgrad or torch
    class MyExp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    x = T.tensor(0.5, requires_grad=True)
    y = MyExp.apply(x * 2)
    z = y * 3
    return z, {"x": x, "y": y, "z": z}


def _two(T):  # noqa: N803
    class SinCos(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (x,) = ctx.saved_tensors
            return gs * x.cos() - gc * x.sin()

    x = T.tensor(0.5, requires_grad=True)
    s, c = SinCos.apply(x * 2)
    z = s * 3 + c
    return z, {"x": x, "s": s, "c": c, "z": z}


def _two_second_output(T):  # noqa: N803 - the output of a several-output node drawn
    _, names = _two(T)
    return names["c"], names


def _summary(g):
    m = g.model
    nodes = [(n.id, n.kind, n.op, n.label, n.name, n.value and n.value.text,
              n.grad and n.grad.text) for n in m.nodes]
    edges = [(e.src, e.dst, e.slot, e.grad and e.grad.text, e.local) for e in m.edges]
    return nodes, edges


def _drawn(T, lesson):  # noqa: N803
    from nbgrad.viz import record

    with record():
        out, names = lesson(T)
    first = nbgrad.draw(out, names=names, local=True)
    out.backward()
    return first, nbgrad.draw(out, names=names, local=True)


def test_draw_labels_a_custom_node_with_its_name_and_the_gradients_it_sent() -> None:
    _, after = _drawn(nbgrad, _custom)
    nodes, edges = _summary(after)
    assert nodes[1] == ("n1", "op", "MyExpBackward", "MyExp", "y", "2.7183", "3")
    # into the custom node, and out of it: the gradients; its local derivative is unknown
    assert ("n1", "n0", 0, "3", "d(a*b)/da = b = 3") in edges
    assert ("n3", "n1", 0, "8.1548", None) in edges
    assert "MyExp" in after.source


def test_draw_a_custom_node_with_several_outputs_once() -> None:
    _, after = _drawn(nbgrad, _two)
    nodes, edges = _summary(after)
    custom = [n for n in nodes if n[2] == "SinCosBackward"]
    # one node, named after the first name given to one of its outputs, which both feed
    assert custom == [("n2", "op", "SinCosBackward", "SinCos", "s", "0.8415", "3")]
    assert {(e[0], e[1]) for e in edges if e[0] == "n2"} == {("n2", "n0"), ("n2", "n1")}
    _, after = _drawn(nbgrad, _two_second_output)
    nodes, edges = _summary(after)
    assert nodes[0] == ("n0", "output", "SinCosBackward", "SinCos", "c", "0.5403", "1")
    assert edges[0] == ("n1", "n0", 0, "-0.8415", None)


@pytest.mark.parametrize("lesson", [_custom, _two, _two_second_output],
                         ids=lambda f: f.__name__)
def test_draw_a_torch_custom_function_as_nbgrad_draws_it(lesson) -> None:
    torch = pytest.importorskip("torch")
    nb_first, nb_after = _drawn(nbgrad, lesson)
    t_first, t_after = _drawn(torch, lesson)
    assert _summary(t_first) == _summary(nb_first)
    assert _summary(t_after) == _summary(nb_after)
    assert t_after.source == nb_after.source


@pytest.mark.parametrize("lesson", [_custom, _two, _two_second_output],
                         ids=lambda f: f.__name__)
def test_step_through_a_custom_node(lesson) -> None:
    from nbgrad.notebook.steps import trace_backward

    out, names = lesson(nbgrad)
    trace = trace_backward(out, names=names)
    ops = [s.op for s in trace.steps if s.kind == "op"]
    fn_name = "MyExpBackward" if lesson is _custom else "SinCosBackward"
    assert ops.count(fn_name) == 1  # one step for the node, none for its output helpers
    step = next(s for s in trace.steps if s.op == fn_name and s.kind == "op")
    assert "(its local derivative)" in step.text
    assert names["x"].grad is None
    trace.commit()
    got = names["x"].grad.item()
    again, again_names = lesson(nbgrad)
    again.backward()
    assert got == pytest.approx(again_names["x"].grad.item())
