"""Writing over tensors in the graph, under torch 2.13 and nbgrad: item assignment
(``CopySlices``, ``IndexPutBackward0``, and the fills and copies that an index selecting
everything makes), ``fill_`` and ``zero_``; printed results, the nodes they record,
gradients and errors."""

from __future__ import annotations

import re

import pytest

import nbgrad

torch = pytest.importorskip("torch")


def _run(T, code: str) -> str:
    env = {"T": T}
    try:
        exec(code, env)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return f"{type(e).__name__}: {e}"
    return str(env.get("out"))


X = "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x * 1; "
V = "x = T.tensor([1., 2., 3.], requires_grad=True); y = x * 1; "
NF = "out = (y, [type(n).__name__ if n is not None else None for n, _ in y.grad_fn.next_functions]"
SQ = "(y * y).sum().backward(); "
W2 = "w = T.tensor([5., 6.], requires_grad=True); "
S = "s = T.tensor(7., requires_grad=True); "

CASES = [
    # part of a tensor: CopySlices (through a view: an int, a slice) or IndexPutBackward0
    V + "y[0] = 5.; y.sum().backward(); out = (y, x.grad, y.grad_fn.next_functions)",
    V + "y[0] = 5.; out = y.grad_fn.name()",
    V + "y[0] = 5.; y[1] = 6.; (y * x).sum().backward(); out = (y, x.grad)",
    V + "y[1:] = x[:2] * 2; " + SQ + "out = (y, x.grad)",
    V + "w = T.tensor(2., requires_grad=True); y[1] = w * 3; " + SQ + "out = (y, x.grad, w.grad)",
    V + "w = T.tensor([[5.]], requires_grad=True); y[1] = w; y.sum().backward(); "
    "out = (y, w.grad)",
    X + W2 + "y = x.exp(); y[:, 0] = w; " + SQ + "out = (y, x.grad, w.grad)",
    X + "w = T.tensor(9., requires_grad=True); y[0] = w; (y * 2).sum().backward(); "
    "out = (y, x.grad, w.grad)",
    X + "w = T.tensor([5., 6.], dtype=T.float64, requires_grad=True); y[0] = w; "
    "y.sum().backward(); out = (y, w.grad)",
    X + "y[:, T.tensor([1])] = 0.; out = y",
    X + "y[0, T.tensor([1])] = 0.; out = y",
    X + "w = T.tensor([7., 8.], requires_grad=True); y[[0, 1], [1, 0]] = w; y.sum().backward(); "
    "out = (y, x.grad, w.grad)",
    "x = T.tensor([1., 2., 3., 4.], requires_grad=True); y = x * 1; y[y > 2] = 0.; "
    "y.sum().backward(); out = (y, x.grad)",
    "x = T.tensor([1., 2., 3., 4.], requires_grad=True); y = x * 1; "
    "y[T.tensor([0, 2])] = T.tensor([9., 8.]); y.sum().backward(); out = (y, x.grad)",
    "w = T.tensor([1., 2.], requires_grad=True); z = T.zeros(2, 3); z[:, 1] = w; "
    "z.sum().backward(); out = (z, w.grad, z.grad_fn)",
    "x = T.tensor([1., 2., 3.], requires_grad=True); y = x ** 2; y[0] = 0.; y.sum().backward(); "
    "out = x.grad",
    "x = T.tensor([1., 2., 3.], requires_grad=True); y = x.exp(); y[0] = 0.; y.sum().backward(); "
    "out = x.grad",
    "y = T.tensor([1., 2., 3.]); y[1] = T.tensor([[5.]]); out = y",
    # the whole of it: a fill (a number, a 0-d tensor) or a copy
    X + "y[...] = 0.; " + NF + ")",
    X + "y[:] = 0.; " + NF + ")",
    X + W2 + "y[:] = w; " + SQ + NF + ", x.grad, w.grad)",
    X + S + "y[...] = s; " + SQ + NF + ", x.grad, s.grad)",
    X + "y[:] = T.ones(2, 2); " + NF + ")",
    # fill_ and zero_
    X + "y.fill_(0.); " + NF + ")",
    X + S + "y.fill_(s); " + SQ + NF + ", x.grad, s.grad)",
    X + "y.zero_(); y.sum().backward(); " + NF + ", x.grad)",
    "y = T.zeros(3); s = T.tensor(2., requires_grad=True); y.fill_(s); y.sum().backward(); "
    "out = (y, y.grad_fn.name(), s.grad)",
    "y = T.zeros(3, dtype=T.int64); y.fill_(2.5); out = y",
    "x = T.tensor([1., 2.], requires_grad=True); y = x * 1; y.fill_(T.tensor(3, dtype=T.int64)); "
    + NF + ")",
    "x = T.tensor([1., 2.], requires_grad=True)\nwith T.no_grad(): x.zero_()\nout = x",
    # in place through views: the base records CopySlices, its views AsStridedBackward0
    V + "w = y[:2]; y.mul_(2); (w * 1).sum().backward(); out = (w, x.grad)",
    V + "y[1:].mul_(x[:2]); " + SQ + "out = (y, x.grad)",
    V + "v = y[1:]; v += 1; out = (y, v)",
    V + "v = y[1:]; v[0] = 5.; " + SQ + "out = (y, v, x.grad)",
    V + "v = y[1:]; v.mul_(3); (v * v).sum().backward(); out = (y, v, x.grad)",
    V + "y[0].mul_(2); out = y",
    V + "a = y[:2]; b = y[1:]; a.mul_(2); b.mul_(3); " + SQ + "out = (y, a, b, x.grad)",
    V + "v = y.view(3); v.exp_(); y.sum().backward(); out = (y, x.grad)",
    "x = T.tensor([1., 2.], requires_grad=True); z = T.zeros(3); v = z[1:]; v.add_(x); "
    "(z * z).sum().backward(); out = (z, v, x.grad)",
    X + "c = y.t(); c[0].mul_(10); " + SQ + "out = (y, x.grad)",
    X + "r = y.reshape(4); w = y[0]; r[1:3].add_(1); (w * r.sum()).sum().backward(); "
    "out = (y, w, x.grad)",
    "x = T.tensor([1., 2., 3.], requires_grad=True); x[1:].mul_(2)",
    V + "v = y[1:]; v.add_(T.ones(1, requires_grad=True)); out = y",
    V + "v = y[1:]; v.add_(T.ones(2, 2, requires_grad=True))",
    "x = T.tensor([1., 2., 3.], requires_grad=True); z = T.zeros(3, dtype=T.int64); v = z[1:]; "
    "v.add_(x[:2])",
    # through views that share places (expand): only the places written change
    V + "v = y.expand(2, 3); v[1, 2] = 7.; " + SQ + "out = (y, x.grad)",
    V + "v = y.expand(2, 3); v[:, 0] = 2.",
    V + "v = y.expand(2, 3); v[0] = T.tensor([7., 8., 9.], requires_grad=True); " + SQ
    + "out = (y, v, x.grad)",
    V + "v = y.expand(2, 3); v.mul_(2)",
    "y = T.tensor([1., 2., 3.]); v = y.expand(2, 3); v.exp_()",
    "y = T.tensor([1., 2., 3.]); v = y.expand(1, 3); v.mul_(2); out = y",
    "y = T.tensor([1., 2., 3.]); v = y.expand(2, 3); v[0, 0] = 5.; out = (y, v)",
    "y = T.tensor([1., 2., 3.]); v = y.expand(2, 3); v.fill_(5.); out = y",
    "y = T.tensor(1.); v = y.expand(1); v.add_(1); out = y",
    # item assignment on views in the graph
    V + "v = y[1:]; w = T.tensor(4., requires_grad=True); v[1] = w; " + SQ
    + "out = (y, v, x.grad, w.grad)",
    V + "v = y[1:]; v[T.tensor([0, 1])] = T.tensor([9., 8.]); " + SQ + "out = (y, x.grad)",
    V + "v = y[1:]; v[5] = 1.",
    V + "v = y[1:]; v[:] = T.ones(3)",
    X + "r = y[0]; r[:] = T.tensor(7., requires_grad=True); " + SQ + "out = (y, x.grad)",
    "w = T.tensor([1., 2.], requires_grad=True); z = T.zeros(2, 3); c = z[:, 1:]; c[:, 0] = w; "
    "z.sum().backward(); out = (z, w.grad)",
    # errors
    V + "y[0] = 'a'",
    V + "y[5] = 1.",
    V + "y[:2] = T.ones(3)",
    X + "y[:] = T.ones(3)",
    "x = T.tensor([1., 2., 3.], requires_grad=True); x[0] = 5.",
    "y = T.zeros(3); y.fill_(T.tensor([1., 2., 3.]))",
    "y = T.zeros(3); y.fill_('a')",
    "x = T.tensor([1., 2.], requires_grad=True); x.fill_(1.)",
    "x = T.tensor([1., 2.], requires_grad=True); x.zero_()",
]


@pytest.mark.parametrize("code", CASES)
def test_same_as_torch(code: str) -> None:
    want = re.sub(r" at 0x[0-9a-f]+>", ">", _run(torch, code))
    want = want.replace("torch::", "nbgrad::").replace("torch.", "nbgrad.")
    assert _run(nbgrad, code) == want


def test_a_fill_in_the_graph_of_places_shared_by_an_expand_is_refused_at_once() -> None:
    """torch lets ``y.expand(2, 3).fill_(2.)`` record, then refuses the backward through it
    (several elements, one place); nbgrad refuses the fill itself, with the same words."""
    x = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        y.expand(2, 3).fill_(2.0)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        (x * 1).expand(2, 3)[:, 0] = 2.0
