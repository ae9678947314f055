"""Operators and their functions under torch 2.13 and nbgrad: ``//``, ``%``, ``fmod`` and
``div(..., rounding_mode=...)`` (printed results, gradients, errors: integer division by zero,
bool operands, operands that are not numbers, the missing derivative of ``floor_divide``);
how a node prints; NumPy functions applied to tensors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch")


def _run(T, code: str) -> str:
    env = {"T": T, "np": np}
    try:
        exec(code, env)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return f"{type(e).__name__}: {e}"
    return str(env.get("out"))


def _torch_read_as_nbgrad(text: str) -> str:
    text = re.sub(r" at 0x[0-9a-f]+>", ">", text)  # nbgrad prints no address
    return text.replace("torch::", "nbgrad::").replace("torch.", "nbgrad.")


X = "x = T.tensor([5., -7., 3.5], requires_grad=True); "
W = "w = T.tensor([2., 3., -2.], requires_grad=True); "
X2 = "x = T.tensor([5., -7.], requires_grad=True); "
GRADS = "z.sum().backward(); out = (repr(z), repr(x.grad), repr(w.grad))"

CASES = [
    # floor_divide: no derivative (a NotImplemented node, a backward that names it)
    X + "y = x // 2; out = (repr(y), y.grad_fn.name(), len(y.grad_fn.next_functions))",
    X + "(x // 2).sum().backward()",
    X2 + "out = repr(5 % x)",
    X2 + "(5 % x).sum().backward()",
    X2 + "out = (x // 2).grad_fn",
    "x = T.tensor(5.5, requires_grad=True); out = repr((x // 2, x % 2, T.fmod(x, 2)))",
    # remainder and fmod: slope 1, and minus the (floor or trunc) quotient for the divisor
    X + "z = x % 3; z.sum().backward(); out = (repr(z), repr(x.grad))",
    X + W + "z = T.remainder(x, w); " + GRADS,
    X + W + "z = T.fmod(x, w); " + GRADS,
    X2 + "z = T.fmod(x, 2.5); out = repr(z)",
    "x = T.tensor([[5.], [-7.]], requires_grad=True); " + W.replace("3., -2.", "-3.")
    + "z = x % w; " + GRADS,
    X2 + "w = T.tensor(2., dtype=T.float64); out = repr(x % w)",
    # integers, numbers on the left, the edges of the arithmetic
    "out = (T.tensor([5, -7]) // 2, T.tensor([5, -7]) % 3, T.tensor([5, -7]) // 2.5)",
    "out = (T.tensor([5, -7]) % -3, T.fmod(T.tensor([5, -7]), -3))",
    "out = (7 // T.tensor([2., 3.]), 7 % T.tensor([2., 3.]), 2.5 % T.tensor([2, 3]))",
    "out = (T.tensor([5., 7.]) // 0, T.tensor([5., -7.]) % 0, T.fmod(T.tensor([5., -7.]), 0))",
    "inf = float('inf'); out = (T.tensor([-0.0, 0.]) % 2, T.tensor([7.]) % inf, "
    "T.tensor([-7.]) % inf, T.tensor([5., -7.]) // inf)",
    "out = repr(T.tensor([True]) // 1)",
    "out = repr(T.tensor([3]) % True)",
    # errors
    "out = T.tensor([5, 7]) // 0",
    "out = T.tensor([5, 7]) % T.tensor([2, 0])",
    "out = T.fmod(T.tensor([5, 7]), 0)",
    "out = T.tensor([True]) // T.tensor([True])",
    "out = T.tensor([True]) % True",
    "out = T.fmod(T.tensor([True]), T.tensor([True]))",
    "out = T.remainder(T.tensor([1., 2.]), T.tensor([1., 2., 3.]))",
    "x = T.tensor([1., 2.]); out = x // 'a'",
    "x = T.tensor([1., 2.]); out = x % None",
    # div's rounding_mode: a step, of gradient 0
    X2 + "out = [repr(T.div(x, 2, rounding_mode=m)) for m in ('floor', 'trunc')]",
    X2 + W.replace(", -2.", "") + "z = T.div(x, w, rounding_mode='trunc'); " + GRADS,
    "i = T.tensor([5, -7]); out = (T.div(i, 2, rounding_mode='floor'), "
    "T.div(i, 2, rounding_mode='trunc'), T.div(i, 2))",
    "out = T.div(T.tensor([5., -7.]), 2, rounding_mode='round')",
    "x = T.tensor([5., -7.]); out = (x.floor_divide(2), x.remainder(2), x.fmod(2), "
    "x.div(2, rounding_mode='floor'))",
    # in place
    "a = T.tensor([5., 7.]); a //= 2; b = a.clone(); b %= 2; out = repr((a, b))",
    "b = T.tensor([5, 7]); b //= 2; out = repr(b)",
    "b = T.tensor([5, 7]); b //= 2.5",
    "t = T.tensor([5., 7.], requires_grad=True); t //= 2",
    "a = T.tensor([5., 7.], requires_grad=True) * 1; a //= 2; out = repr(a)",
    "a = T.tensor([5., 7.], requires_grad=True) * 1; a %= 2; out = repr(a)",
    "a = T.tensor([5., 7.], requires_grad=True) * 1; a.div_(2, rounding_mode='floor'); "
    "out = repr(a)",
    # a node prints as torch's, without the address
    "x = T.tensor(2., requires_grad=True); y = x * x; out = (y.grad_fn, y.grad_fn.next_functions)",
]


@pytest.mark.parametrize("code", CASES)
def test_same_as_torch(code: str) -> None:
    assert _run(nbgrad, code) == _torch_read_as_nbgrad(_run(torch, code))


# A NumPy function applied to a tensor gives a tensor back (torch's __array_wrap__).
NUMPY_CASES = [
    "out = repr(np.exp(T.tensor([1., 2.])))",
    "out = repr(np.exp(T.tensor(1.)))",
    "out = repr(np.greater(T.tensor([1., 2.]), 1.5))",
    "out = repr(np.sqrt(T.tensor([1, 4])))",
    "out = repr(np.isnan(T.tensor([1., float('nan')])))",
    "out = repr(np.add.reduce(T.tensor([1., 2.])))",
    "out = repr(np.maximum(T.tensor([1., 2.]), T.tensor([2., 1.])))",
    "out = np.exp(T.tensor([1., 2.], requires_grad=True))",
]


@pytest.mark.parametrize("code", NUMPY_CASES)
def test_numpy_functions_give_tensors_as_torch(code: str) -> None:
    import warnings

    with warnings.catch_warnings():  # numpy's warning about torch's old __array_wrap__
        warnings.simplefilter("ignore", DeprecationWarning)
        want = _torch_read_as_nbgrad(_run(torch, code))
    assert _run(nbgrad, code) == want


# NumPy's names for dim and keepdim, which torch's C++-bound functions take (not the ones
# written in Python, such as nn.functional.softmax; split and norm refuse them too, in words
# that name torch's class: not compared).
NUMPY_NAMES = [
    "x.sum(axis=0)", "x.mean(axis=1, keepdims=True)", "T.sum(x, axis=0)", "x.max(axis=0)",
    "x.min(axis=0)", "T.amax(x, axis=0)", "x.std(axis=0)", "x.var(axis=0)",
    "x.softmax(axis=0)", "T.softmax(x, axis=0)", "x.log_softmax(axis=0)",
    "T.cat([x, x], axis=0)", "T.stack([x, x], axis=0).shape", "x.squeeze(axis=0)",
    "x.unsqueeze(axis=0).shape", "x.argmax(axis=1)", "x.prod(axis=0)", "x.cumsum(axis=0)",
    "x.cumprod(axis=0)", "x.logsumexp(axis=0)", "x.sort(axis=0)", "x.argsort(axis=0)",
    "x.topk(1, axis=0)", "T.gather(x, axis=0, index=T.tensor([[0, 0]]))",
    "x.index_select(axis=0, index=T.tensor([0]))", "x.chunk(2, axis=0)", "x.unbind(axis=0)",
    "x.sum(dim=0, keepdims=True)", "(x > 2).all(axis=0)", "(x > 2).any(axis=0)",
    "x.sum(axis=(0, 1))", "T.nn.functional.softmax(x, axis=0)",
]


@pytest.mark.parametrize("expr", NUMPY_NAMES)
def test_numpy_names_for_dim_and_keepdim(expr: str) -> None:
    code = "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); out = " + expr
    assert _run(nbgrad, code) == _torch_read_as_nbgrad(_run(torch, code))


# A gradient that a mask zeroes is +0 in torch (it selects), where a product by the mask would
# give -0. for a negative incoming gradient, and print as "-0.".
MASKED_ZEROS = [
    "x = T.tensor([-1., 2.], requires_grad=True); (x.relu() * -1).sum().backward(); out = x.grad",
    "x = T.tensor(-1., requires_grad=True); (x.relu() * -1).backward(); out = x.grad",
    "x = T.tensor([-1., 2.], requires_grad=True); (x.clamp(0, 1) * -1).sum().backward(); "
    "out = x.grad",
    "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); (x.tril() * -1).sum().backward(); "
    "out = x.grad",
    "x = T.tensor([-1., 2.], requires_grad=True); (T.maximum(x, T.zeros(2)) * -1).sum()"
    ".backward(); out = x.grad",
    "x = T.tensor([-1., 2.], requires_grad=True); (x.max() * -1).backward(); out = x.grad",
]


@pytest.mark.parametrize("code", MASKED_ZEROS)
def test_masked_gradients_are_plus_zero_as_in_torch(code: str) -> None:
    assert _run(nbgrad, code) == _torch_read_as_nbgrad(_run(torch, code))


# copy.deepcopy: a leaf's values and .grad, a Parameter's values (no .grad), a non-leaf refused
DEEPCOPY = [
    "x = T.tensor([1., 2.], requires_grad=True); y = x * 2; out = copy.deepcopy(y)",
    "x = T.tensor([1., 2.], requires_grad=True); out = copy.deepcopy(x)",
    "x = T.tensor([1., 2.], requires_grad=True); x.grad = T.ones(2); c = copy.deepcopy(x); "
    "c.grad += 1; out = (c, c.grad, x.grad)",
    "x = T.tensor([1., 2.]); c = copy.deepcopy(x); c += 1; out = (x, c)",
    "p = T.nn.Parameter(T.ones(2)); p.grad = T.ones(2); c = copy.deepcopy(p); "
    "out = (type(c).__name__, c, c.grad)",
    "m = T.nn.Linear(2, 1); m.weight.grad = T.ones(1, 2); c = copy.deepcopy(m); "
    "out = (c.weight.grad, c.weight is m.weight)",
    "x = T.tensor([1., 2.], requires_grad=True); l = copy.deepcopy([x, x]); out = l[0] is l[1]",
]


@pytest.mark.parametrize("code", DEEPCOPY)
def test_deepcopy_as_torch(code: str) -> None:
    code = "import copy\n" + code
    assert _run(nbgrad, code) == _torch_read_as_nbgrad(_run(torch, code))
