"""Drawings of the later math ops: each node's label and local derivative (the table of
nbgrad/viz/derivatives.py), with the numbers the gradients confirm."""

from __future__ import annotations

import math

import nbgrad


def _labels(t: nbgrad.Tensor) -> list[str]:
    return [n.label for n in nbgrad.draw(t, local=True).model.nodes]


def _locals(t: nbgrad.Tensor) -> list[str | None]:
    return [e.local for e in nbgrad.draw(t, local=True).model.edges]


def test_logaddexp_of_a_logit_and_an_erfinv() -> None:
    x = nbgrad.tensor(0.3, requires_grad=True)
    y = nbgrad.tensor(0.4, requires_grad=True)
    u, v = nbgrad.logit(x), nbgrad.erfinv(y)
    z = nbgrad.logaddexp(u, v).clamp_min(0.1)
    assert _labels(z) == ["clamp_min", "logaddexp", "logit", "erfinv", "leaf", "leaf"]
    a, b = u.item(), v.item()
    da = 1 / (1 + math.exp(b - a))
    dy = math.sqrt(math.pi) / 2 * math.exp(b * b)
    assert _locals(z) == [
        "d clamp_min(u)/du = [u >= min]",
        f"d logaddexp(a, b)/da = 1/(1 + exp(0.3708 - (-0.8473))) = {da:.4f}",
        f"d logaddexp(a, b)/db = 1/(1 + exp((-0.8473) - 0.3708)) = {1 - da:.4f}",
        "d logit(u)/du = 1/(0.3000*(1 - 0.3000)) = 4.7619",
        f"d erfinv(u)/du = sqrt(pi)/2*exp(0.3708^2) = {dy:.4f}",
    ]
    z.backward()  # the chain rule multiplies these local numbers
    assert math.isclose(x.grad.item(), da / (0.3 * 0.7), rel_tol=1e-5)
    assert math.isclose(y.grad.item(), (1 - da) * dy, rel_tol=1e-5)


def test_linalg_and_statistics_nodes_have_names() -> None:
    A = nbgrad.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    w = nbgrad.linalg.solve(A, nbgrad.ones(2)).median()
    z = nbgrad.det(A) + w + nbgrad.cdist(A, A).nansum() + A.quantile(0.5)
    labels = _labels(z)
    for name in ("det", "solve", "median", "cdist", "nansum", "squeeze"):
        assert name in labels, name
    assert "d det(A)/dA = det(A) inv(A)^T" in nbgrad.draw(z, local=True).source
