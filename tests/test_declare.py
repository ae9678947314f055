"""``%tensor``'s declarations, read without running anything."""

from __future__ import annotations

import pytest

import nbgrad
from nbgrad.notebook.declare import (
    DeclarationError,
    make_tensor,
    parse_declarations,
    split_declarations,
)


@pytest.mark.parametrize(("text", "parts"), [
    ("x=3.0 w=1.0 b=0.0", ["x=3.0", "w=1.0", "b=0.0"]),
    ("v=[1., 2., 3.]", ["v=[1., 2., 3.]"]),
    ("x = 3, w = -1", ["x=3", "w=-1"]),
    ("W=zeros(2, 3)  b=randn(3)", ["W=zeros(2, 3)", "b=randn(3)"]),
    ("m=[[1, 2], [3, 4]]", ["m=[[1, 2], [3, 4]]"]),
])
def test_split(text: str, parts: list[str]) -> None:
    assert split_declarations(text) == parts


def test_values() -> None:
    made = {d.name: make_tensor(d) for d in parse_declarations(
        "a=1 b=2.5 c=[1, 2] d=True e=full((2, 2), 0.5) f=eye(2) g=linspace(0, 1, 3) "
        "h=arange(3) k=ones(2, 1) r=rand(2)")}
    assert all(t.requires_grad and t.dtype == nbgrad.float32 for t in made.values())
    assert made["e"].tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert made["g"].tolist() == [0.0, 0.5, 1.0]
    assert made["h"].tolist() == [0.0, 1.0, 2.0]
    (d,) = parse_declarations("n=[1, 2]")
    assert make_tensor(d, requires_grad=False).dtype == nbgrad.int64
    assert make_tensor(d, dtype=nbgrad.float64).dtype == nbgrad.float64


@pytest.mark.parametrize("text", [
    "x=y", "x=1+1", "x=(lambda: 1)()", "x=zeros.__class__(1)", "x={1: 2}", "x=None",
    "x=ones(2)(3)", "x=[1, 'a']", "x=zeros(-1)", "class=1", "x=zeros(10**12)",
])
def test_rejected(text: str) -> None:
    with pytest.raises(DeclarationError):
        for d in parse_declarations(text):
            make_tensor(d)
