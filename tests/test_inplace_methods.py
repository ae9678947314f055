"""The in-place forms of elementwise and shape-preserving methods (``log1p_``, ``round_``,
``cumsum_``, ``tril_``, ``clip_``...), compared with torch 2.13: the printed result and its
node, the gradient through it, torch's rules on leaves and views, and the list of the in-place
methods torch has that nbgrad leaves out."""

from __future__ import annotations

import pytest

import nbgrad

torch = pytest.importorskip("torch")

X = [[0.3, 1.7, 0.55], [-2.5, 3.0, 0.25]]  # positive and negative, whole and halves

# method name -> how to call it (the tensor is y)
CALLS = {
    "log1p_": lambda y: y.log1p_(),
    "expm1_": lambda y: y.expm1_(),
    "log2_": lambda y: y.log2_(),
    "log10_": lambda y: y.log10_(),
    "exp2_": lambda y: y.exp2_(),
    "floor_": lambda y: y.floor_(),
    "ceil_": lambda y: y.ceil_(),
    "round_": lambda y: y.round_(),
    "round_decimals": lambda y: y.round_(decimals=1),
    "trunc_": lambda y: y.trunc_(),
    "frac_": lambda y: y.frac_(),
    "clip_": lambda y: y.clip_(0.5, 2.0),
    "clip_min": lambda y: y.clip_(min=0.0),
    "cumsum_": lambda y: y.cumsum_(1),
    "cumsum_dim0": lambda y: y.cumsum_(dim=0),
    "cumprod_": lambda y: y.cumprod_(1),
    "divide_": lambda y: y.divide_(3.0),
    "divide_tensor": lambda y: y.divide_(y.detach() + 10),
    "true_divide_": lambda y: y.true_divide_(4),
    "multiply_": lambda y: y.multiply_(-1.5),
    "subtract_": lambda y: y.subtract_(0.25),
    "subtract_alpha": lambda y: y.subtract_(y.detach(), alpha=0.5),
    "negative_": lambda y: y.negative_(),
    "tril_": lambda y: y.tril_(),
    "triu_": lambda y: y.triu_(1),
}
# div with a rounding mode has a zero gradient: its backward is checked apart
FLAT = {"divide_floor": lambda y: y.divide_(2.0, rounding_mode="floor"),
        "divide_trunc": lambda y: y.divide_(2.0, rounding_mode="trunc")}


def _run(T, call, x_data=X):  # noqa: N803 - T is the framework: nbgrad or torch
    x = T.tensor(x_data, requires_grad=True)
    y = x * 1
    out = call(y)
    assert out is y  # in place: the same tensor back
    text = repr(y)
    # weights that are not all 1, so that a gradient that sums over the wrong axis shows
    w = T.tensor([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    (y * w).sum().backward()
    return text, x.grad


def _same(t_grad, n_grad):
    """Equal gradients. Compared as numbers, not as printed: where torch's gradient is 0,
    nbgrad's tril and clamp give -0. for a negative upstream gradient (their backward, out of
    place too, multiplies by the mask where torch writes zeros), which prints as -0.0000."""
    assert n_grad is not None and t_grad is not None
    assert n_grad.dtype.is_floating_point and str(n_grad.dtype)[7:] == str(t_grad.dtype)[6:]
    assert n_grad.tolist() == t_grad.tolist()


@pytest.mark.parametrize("name", sorted(CALLS | FLAT))
def test_printed_result_and_gradient_match_torch(name):
    call = (CALLS | FLAT)[name]
    n_text, n_grad = _run(nbgrad, call)
    t_text, t_grad = _run(torch, call)
    assert n_text.replace("nbgrad", "torch") == t_text
    _same(t_grad, n_grad)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_op_has_its_own_node(name):
    x = nbgrad.tensor(X, requires_grad=True)
    y = x * 1
    mul = y.grad_fn
    CALLS[name](y)
    assert y.grad_fn is not mul and y.grad_fn.next_functions[0][0] is mul


@pytest.mark.parametrize("name", sorted(CALLS | FLAT))
def test_a_leaf_that_requires_grad_refuses(name):
    call = (CALLS | FLAT)[name]
    errors = []
    for T in (torch, nbgrad):
        x = T.tensor(X, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            call(x)
        errors.append(str(info.value))
        assert (x.detach() == T.tensor(X)).all()  # unchanged
    assert errors[1] == errors[0] == (
        "a leaf Variable that requires grad is being used in an in-place operation.")


@pytest.mark.parametrize("name", ["log1p_", "round_decimals", "cumsum_", "clip_", "tril_"])
def test_a_view_of_a_leaf_refuses_and_a_view_of_a_non_leaf_is_recorded(name):
    call = CALLS[name]
    results = []
    for T in (torch, nbgrad):
        x = T.tensor(X, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            call(x[0:1])
        results.append(str(info.value))
        y = x * 1
        call(y[0:1])
        results.append(repr(y).replace("nbgrad", "torch"))
        y.sum().backward()
        results.append(repr(x.grad).replace("nbgrad", "torch"))
    assert results[3:] == results[:3]
    assert results[0] == ("a view of a leaf Variable that requires grad is being used in an "
                          "in-place operation.")


@pytest.mark.parametrize("name", ["log1p_", "floor_", "cumsum_", "tril_", "multiply_"])
def test_the_version_counter_is_bumped(name):
    x = nbgrad.tensor(X, requires_grad=True)
    y = x * 1
    before = y._version
    CALLS[name](y)
    assert y._version == before + 1


def test_a_saved_input_overwritten_in_place_fails_the_backward_as_in_torch():
    errors = []
    for T in (torch, nbgrad):
        x = T.tensor(X, requires_grad=True)
        y = x * 1
        z = y.log1p()  # saves y
        y.log1p_()
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        errors.append(str(info.value).split(";")[0])
    assert errors[1].replace("nbgrad", "torch") == errors[0]


@pytest.mark.parametrize("call", [
    "y.round_(1)", "y.round_(decimals=1.5)", "y.tril_('a')", "y.triu_(True)",
    "y.cumsum_()", "y.cumsum_('a')", "y.cumsum_(0, dtype=T.float64)",
    "T.tensor([1, 2]).cumprod_(0, dtype=T.float32)", "T.tensor([1, 2]).log1p_()",
    "T.tensor([1, 2]).frac_()", "y[0].tril_()", "y.clip_()",
])
def test_argument_errors_match_torch(call):
    messages = []
    for T in (torch, nbgrad):  # noqa: B007 - T is read by eval
        with pytest.raises(Exception) as info:  # noqa: PT011 - the type is compared below
            eval(call, {"T": T, "y": T.tensor(X)})
        messages.append((type(info.value).__name__, str(info.value)))
    assert messages[1] == messages[0]


def test_integers_round_to_themselves_in_place():
    for name in ("floor_", "ceil_", "round_", "trunc_"):
        for T in (torch, nbgrad):
            y = T.tensor([1, -2, 3])
            getattr(y, name)()
            assert y.tolist() == [1, -2, 3] and y.dtype == T.int64


# In-place methods torch has whose out-of-place form nbgrad has, left out on purpose:
LEFT_OUT = {
    # comparisons in place write 0/1 in the tensor's own dtype, and torch records a node of
    # zero gradient for them (EqBackward0...); nbgrad's comparisons record no node
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal",
    # torch leaves the graph as it was (no node): nothing a lesson needs
    "logical_not",
    # they change the shape or the strides of a tensor in place: views, not elementwise ops
    "squeeze", "unsqueeze", "t", "transpose", "swapaxes", "swapdims",
}


def test_the_in_place_methods_left_out_are_the_listed_ones():
    missing = {n for n in dir(torch.Tensor)
               if not n.startswith("_") and hasattr(torch.Tensor, n + "_")
               and hasattr(nbgrad.Tensor, n) and not hasattr(nbgrad.Tensor, n + "_")}
    assert missing == LEFT_OUT
