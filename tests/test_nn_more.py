"""gelu, elu, silu, softplus, l1/smooth_l1/huber losses and one_hot, with their modules:
printed results (grad_fn included), values, gradients, reprs, warnings and errors as under
torch 2.13; gradients checked against finite differences, second derivatives against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


_rng = np.random.default_rng(7)
X = np.array([[-3.0, -1.5, -0.2, 0.0], [0.3, 1.0, 2.5, 30.0]], dtype=np.float32)
Y = np.array([[-2.0, 0.5, -0.25, 1.5], [0.0, 1.2, 0.0, 28.0]], dtype=np.float32)


def _names(fn):
    """A node's name and its next functions' names, as a tuple."""
    if fn is None:
        return None
    return (type(fn).__name__, tuple(None if f is None else type(f).__name__
                                     for f, _ in fn.next_functions))


def _run(m, fn, arrays, grads):
    ts = [m.tensor(a, requires_grad=bool(g)) for a, g in zip(arrays, grads)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(m, *ts)
    if out.requires_grad:
        up = np.linspace(-1.0, 2.0, max(out.numel(), 1)).reshape(tuple(out.shape))
        out.backward(m.tensor(up.astype(str(out.dtype).split(".")[-1])))
    return out, ts, [str(w.message) for w in caught]


def check(torch, fn, *arrays, grads=None, same_print=True):
    """``fn(module, *tensors)`` under torch and nbgrad: the same print, values, nodes,
    warnings and gradients (after a backward with a fixed upstream gradient)."""
    grads = grads or [a.dtype.kind == "f" for a in arrays]
    t_out, t_in, t_warn = _run(torch, fn, arrays, grads)
    n_out, n_in, n_warn = _run(nbgrad, fn, arrays, grads)
    if same_print:
        assert repr(n_out) == repr(t_out).replace("torch.", "nbgrad.")
    assert str(n_out.dtype) == str(t_out.dtype).replace("torch.", "nbgrad.")
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6,
                               atol=1e-6)
    assert _names(n_out.grad_fn) == _names(t_out.grad_fn)
    assert n_warn == [w.replace("torch.", "nbgrad.") for w in t_warn]
    for n, t in zip(n_in, t_in):
        if t.grad is None:
            assert n.grad is None
        else:
            assert str(n.grad.dtype) == str(t.grad.dtype).replace("torch.", "nbgrad.")
            np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6)
    return n_out


def same_error(torch, fn, *arrays):
    """``fn`` raises the same error type and message under both."""
    errors = []
    for m in (torch, nbgrad):
        ts = [m.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
        with pytest.raises(Exception) as info:
            fn(m, *ts)
        errors.append((type(info.value).__name__, str(info.value)))
    assert errors[0] == errors[1]
    return errors[1]


# -- activations ------------------------------------------------------------------------

ACTIVATIONS = {
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "gelu_tanh": lambda m, x: m.nn.functional.gelu(x, approximate="tanh"),
    "elu": lambda m, x: m.nn.functional.elu(x),
    "elu_alpha": lambda m, x: m.nn.functional.elu(x, 0.5),
    "elu_inplace": lambda m, x: m.nn.functional.elu(x * 1, alpha=2.0, inplace=True),
    "silu": lambda m, x: m.nn.functional.silu(x),
    "silu_inplace": lambda m, x: m.nn.functional.silu(x * 1, inplace=True),
    "softplus": lambda m, x: m.nn.functional.softplus(x),
    "softplus_beta": lambda m, x: m.nn.functional.softplus(x, beta=2, threshold=3),
    "softplus_negative_beta": lambda m, x: m.nn.functional.softplus(x, beta=-1, threshold=1),
    "GELU": lambda m, x: m.nn.GELU(approximate="tanh")(x),
    "ELU": lambda m, x: m.nn.ELU(alpha=0.3)(x),
    "ELU_inplace": lambda m, x: m.nn.ELU(inplace=True)(x + 0),
    "SiLU": lambda m, x: m.nn.SiLU()(x),
    "Softplus": lambda m, x: m.nn.Softplus(beta=0.5, threshold=5)(x),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_parity(torch, name, dtype):
    # torch's float32 gelu kernels take erf and tanh from approximations (an error of an ulp
    # or two near -1), and 1 + erf(x) cancels for x < -2: there the fourth digit may differ,
    # so those values are compared to 1e-6 but not printed
    tail = dtype is np.float32 and name.lower().startswith("gelu")
    check(torch, ACTIVATIONS[name], X.astype(dtype), same_print=not tail)
    if tail:
        check(torch, ACTIVATIONS[name], np.maximum(X, -2).astype(dtype))


@pytest.mark.parametrize("name", ["gelu", "elu", "silu", "softplus"])
def test_activation_extremes(torch, name):
    x = np.array([-1000.0, -50.0, -1e-8, 1e-8, 50.0, 1000.0], dtype=np.float32)
    out = check(torch, ACTIVATIONS[name], x)
    assert np.isfinite(out.detach().numpy()).all()


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "elu", "silu", "softplus"])
def test_activation_float16(torch, name):
    """Half tensors are computed in float32 and rounded, as torch's CPU kernels do."""
    x = np.linspace(-2.5, 2.5, 11).astype(np.float16)
    check(torch, ACTIVATIONS[name], x, grads=[False])


def test_number_arguments_may_be_0d_tensors(torch):
    check(torch, lambda m, x: m.nn.functional.elu(x, m.tensor(2.0)), X)
    check(torch, lambda m, x: m.nn.functional.softplus(x, m.tensor(2.0), np.float64(3)), X)


def test_softplus_threshold_is_identity(torch):
    out = check(torch, lambda m, x: m.nn.functional.softplus(x, 2.0, 5.0),
                np.array([2.4, 2.5, 2.6, 10.0], dtype=np.float32))
    assert out[-1].item() == 10.0 and out[-2].item() == np.float32(2.6)


def test_softplus_beta_zero_is_inf(torch):
    check(torch, lambda m, x: m.nn.functional.softplus(x, beta=0),
          np.array([-1.0, 1.0], dtype=np.float32), grads=[False])


def test_inplace_returns_input(torch):
    for name in ("elu", "silu"):
        x = nbgrad.tensor([-1.0, 2.0])
        assert getattr(nbgrad.nn.functional, name)(x, inplace=True) is x
        assert np.allclose(x.numpy(), getattr(torch.nn.functional, name)(
            torch.tensor([-1.0, 2.0])).numpy())


def test_elu_inplace_negative_alpha_fails_in_backward(torch):
    msgs = []
    for m in (torch, nbgrad):
        x = m.tensor([-1.5, 0.5], requires_grad=True)
        y = m.nn.functional.elu(x * 1, alpha=-1.0, inplace=True)
        assert type(y.grad_fn).__name__ == "EluBackward1"
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.functional.gelu(x),
    lambda m, x: m.nn.functional.elu(x),
    lambda m, x: m.nn.functional.elu(x, inplace=True),
    lambda m, x: m.nn.functional.silu(x),
    lambda m, x: m.nn.functional.silu(x, inplace=True),
    lambda m, x: m.nn.functional.softplus(x),
])
@pytest.mark.parametrize("arg", [np.array([1, 2]), np.array([True]), [1.0]])
def test_activation_input_errors(torch, call, arg):
    same_error(torch, call, arg)


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.functional.gelu(x, approximate="foo"),
    lambda m, x: m.nn.functional.gelu(x, approximate=None),
    lambda m, x: m.nn.functional.gelu(x, "tanh"),
    lambda m, x: m.nn.functional.elu(x, alpha="a"),
    lambda m, x: m.nn.functional.elu(x, None),
    lambda m, x: m.nn.functional.elu(x, m.tensor([2.0, 1.0])),
    lambda m, x: m.nn.functional.softplus(x, "a"),
    lambda m, x: m.nn.functional.softplus(x, 1, None),
    lambda m, x: m.nn.functional.elu(x.requires_grad_(), inplace=True),
])
def test_activation_argument_errors(torch, call):
    same_error(torch, call, np.array([1.0, -1.0], dtype=np.float32))


def test_activation_reprs(torch):
    for make in (lambda m: m.nn.GELU(), lambda m: m.nn.GELU("tanh"), lambda m: m.nn.ELU(),
                 lambda m: m.nn.ELU(0.5, True), lambda m: m.nn.ELU(alpha=2),
                 lambda m: m.nn.SiLU(), lambda m: m.nn.SiLU(inplace=True),
                 lambda m: m.nn.Softplus(), lambda m: m.nn.Softplus(2, 10),
                 lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.GELU(), m.nn.Softplus())):
        assert repr(make(nbgrad)) == repr(make(torch))
    assert repr(nbgrad.nn.GELU()) == "GELU(approximate='none')"


GRAD_FNS = {
    "gelu": lambda x: nbgrad.nn.functional.gelu(x),
    "gelu_tanh": lambda x: nbgrad.nn.functional.gelu(x, approximate="tanh"),
    "elu": lambda x: nbgrad.nn.functional.elu(x, 0.7),
    "silu": lambda x: nbgrad.nn.functional.silu(x),
    "softplus": lambda x: nbgrad.nn.functional.softplus(x, beta=1.5),
}
# away from elu's kink at 0 and from softplus's threshold (beta x = 20)
X64 = np.array([[-4.0, -1.3, -0.4, 0.35], [0.9, 2.2, 5.0, 9.0]])


@pytest.mark.parametrize("name", GRAD_FNS)
def test_activation_gradcheck(name):
    assert gradcheck(GRAD_FNS[name], [nbgrad.tensor(X64, requires_grad=True)])


@pytest.mark.parametrize("name", GRAD_FNS)
def test_activation_second_derivative(torch, name):
    """``create_graph=True``: the first derivative is itself differentiable, and its
    derivative is torch's (and the finite difference of the first derivative)."""
    def first(m, x):
        return m.autograd.grad(m_fn(m, x).sum(), x, create_graph=True)[0]

    def m_fn(m, x):
        fn = {"gelu": lambda: m.nn.functional.gelu(x),
              "gelu_tanh": lambda: m.nn.functional.gelu(x, approximate="tanh"),
              "elu": lambda: m.nn.functional.elu(x, 0.7),
              "silu": lambda: m.nn.functional.silu(x),
              "softplus": lambda: m.nn.functional.softplus(x, beta=1.5)}[name]
        return fn()

    results = []
    for m in (torch, nbgrad):
        x = m.tensor(X64, requires_grad=True)
        g = first(m, x)
        assert g.requires_grad
        (h,) = m.autograd.grad((g * m.tensor(X64[::-1].copy())).sum(), x)
        results.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-7, atol=1e-10)
    # and against central differences of nbgrad's own first derivative
    eps = 1e-6
    up = first(nbgrad, nbgrad.tensor(X64 + eps, requires_grad=True)).detach().numpy()
    down = first(nbgrad, nbgrad.tensor(X64 - eps, requires_grad=True)).detach().numpy()
    np.testing.assert_allclose(results[1][1], (up - down) / (2 * eps) * X64[::-1], rtol=1e-5,
                               atol=1e-6)
    assert gradcheck(lambda x: first(nbgrad, x), [nbgrad.tensor(X64, requires_grad=True)])


# -- losses -----------------------------------------------------------------------------

LOSSES = {
    "l1": lambda m, x, y, r: m.nn.functional.l1_loss(x, y, reduction=r),
    "L1Loss": lambda m, x, y, r: m.nn.L1Loss(reduction=r)(x, y),
    "l1_weight": lambda m, x, y, r: m.nn.functional.l1_loss(
        x, y, reduction=r, weight=m.tensor(np.abs(Y) + 0.5)),
    "smooth_l1": lambda m, x, y, r: m.nn.functional.smooth_l1_loss(x, y, reduction=r),
    "smooth_l1_beta": lambda m, x, y, r: m.nn.functional.smooth_l1_loss(x, y, reduction=r,
                                                                        beta=0.4),
    "smooth_l1_beta0": lambda m, x, y, r: m.nn.functional.smooth_l1_loss(x, y, reduction=r,
                                                                         beta=0.0),
    "SmoothL1Loss": lambda m, x, y, r: m.nn.SmoothL1Loss(reduction=r, beta=2.0)(x, y),
    "huber": lambda m, x, y, r: m.nn.functional.huber_loss(x, y, reduction=r),
    "huber_delta": lambda m, x, y, r: m.nn.functional.huber_loss(x, y, r, 0.4),
    "huber_weight": lambda m, x, y, r: m.nn.functional.huber_loss(
        x, y, reduction=r, delta=2.0, weight=m.tensor(np.abs(Y) + 0.5)),
    "HuberLoss": lambda m, x, y, r: m.nn.HuberLoss(reduction=r, delta=0.7)(x, y),
}


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_parity(torch, name, reduction):
    fn = LOSSES[name]
    check(torch, lambda m, x, y: fn(m, x, y, reduction), X, Y)
    check(torch, lambda m, x, y: fn(m, x, y, reduction), X, Y, grads=[True, False])


@pytest.mark.parametrize("name", ["l1", "smooth_l1", "huber"])
def test_loss_broadcast_target_warns_and_expands(torch, name):
    fn = LOSSES[name]
    check(torch, lambda m, x, y: fn(m, x, y, "mean"), X, Y[0])
    check(torch, lambda m, x, y: fn(m, x[:, 0], y, "sum"), X, Y[:, :1])


@pytest.mark.parametrize("name", ["l1", "smooth_l1"])
def test_loss_float_and_double(torch, name):
    check(torch, lambda m, x, y: LOSSES[name](m, x, y, "mean"), X, Y.astype(np.float64))


def test_huber_keeps_the_input_dtype(torch):
    """(torch's backward fails on mixed dtypes here: only the forward is compared.)"""
    check(torch, lambda m, x, y: m.nn.functional.huber_loss(x, y), X.astype(np.float64), Y,
          grads=[False, False])
    check(torch, lambda m, x, y: m.nn.functional.huber_loss(x, y), X, Y.astype(np.float64),
          grads=[False, False])


@pytest.mark.parametrize("name", ["l1", "smooth_l1"])
@pytest.mark.parametrize("legacy", [dict(size_average=False), dict(reduce=False),
                                    dict(size_average=True, reduce=True)])
def test_loss_legacy_arguments(torch, name, legacy):
    f = {"l1": "l1_loss", "smooth_l1": "smooth_l1_loss"}[name]
    check(torch, lambda m, x, y: getattr(m.nn.functional, f)(x, y, **legacy), X, Y)
    module = {"l1": "L1Loss", "smooth_l1": "SmoothL1Loss"}[name]
    check(torch, lambda m, x, y: getattr(m.nn, module)(**legacy)(x, y), X, Y)


@pytest.mark.parametrize("name", ["l1", "smooth_l1", "huber"])
def test_loss_elementwise_mean_is_deprecated(torch, name):
    check(torch, lambda m, x, y: LOSSES[name](m, x, y, "elementwise_mean"), X, Y)


@pytest.mark.parametrize("name", ["l1", "smooth_l1", "huber"])
def test_loss_integer_inputs(torch, name):
    ints = np.array([[1, 2], [3, 5]])
    same_error(torch, lambda m, x, y: LOSSES[name](m, x, y, "mean"), ints, ints.T.copy())
    if name == "l1":  # made of plain ops, its sum of integers is an integer
        check(torch, lambda m, x, y: LOSSES[name](m, x, y, "sum"), ints, ints.T.copy())
    else:
        same_error(torch, lambda m, x, y: LOSSES[name](m, x, y, "sum"), ints, ints.T.copy())


@pytest.mark.parametrize("name", ["l1", "smooth_l1", "huber", "l1_weight", "huber_weight"])
@pytest.mark.parametrize("case", ["reduction", "shapes", "list_target", "list_input"])
def test_loss_errors(torch, name, case):
    fn = LOSSES[name]
    if case == "reduction":
        same_error(torch, lambda m, x, y: fn(m, x, y, "foo"), X, Y)
    elif case == "shapes":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            same_error(torch, lambda m, x, y: fn(m, x, y, "mean"), X, Y[:, :3])
    elif case == "list_target":
        same_error(torch, lambda m, x, y: fn(m, x, [1.0], "mean"), X, Y)
    else:
        same_error(torch, lambda m, x, y: fn(m, [1.0], y, "mean"), X, Y)


def test_loss_parameter_errors(torch):
    x, y = X, Y
    for call in (lambda m, a, b: m.nn.functional.smooth_l1_loss(a, b, beta=-1.0),
                 lambda m, a, b: m.nn.functional.huber_loss(a, b, delta=0.0),
                 lambda m, a, b: m.nn.functional.huber_loss(a, b, delta=-2.0),
                 lambda m, a, b: m.nn.functional.huber_loss(a, b, size_average=False),
                 lambda m, a, b: m.nn.functional.l1_loss(a, b, weight=m.ones(3)),
                 lambda m, a, b: m.nn.functional.huber_loss(a, b, "bad", weight=m.ones(2, 4)),
                 lambda m, a, b: m.nn.HuberLoss(size_average=True)):
        same_error(torch, call, x, y)


def test_loss_reprs(torch):
    for make in (lambda m: m.nn.L1Loss(), lambda m: m.nn.L1Loss(reduction="sum"),
                 lambda m: m.nn.SmoothL1Loss(beta=0.5), lambda m: m.nn.HuberLoss(delta=2.0)):
        assert repr(make(nbgrad)) == repr(make(torch))
    for m in (torch, nbgrad):
        h = m.nn.HuberLoss(reduction="sum", delta=0.5)
        assert (h.reduction, h.delta) == ("sum", 0.5)
        with pytest.warns(UserWarning, match="reduction='sum'"):
            s = m.nn.SmoothL1Loss(size_average=False)
        assert (s.reduction, s.beta) == ("sum", 1.0)


# away from the switch points |x - y| = beta (or delta) and from l1's kink at x = y
XL = np.array([[-2.0, 0.3, 1.7], [0.05, -0.6, 3.1]])
YL = np.array([[0.5, 0.1, -1.0], [0.45, 0.2, 0.0]])
LOSS_GRAD_FNS = {
    "l1": lambda x, y: nbgrad.nn.functional.l1_loss(x, y),
    "l1_weight": lambda x, y: nbgrad.nn.functional.l1_loss(
        x, y, reduction="mean", weight=nbgrad.tensor(np.abs(YL) + 1)),
    "smooth_l1": lambda x, y: nbgrad.nn.functional.smooth_l1_loss(x, y, reduction="sum"),
    "smooth_l1_beta": lambda x, y: nbgrad.nn.functional.smooth_l1_loss(
        x, y, reduction="none", beta=0.6),
    "huber": lambda x, y: nbgrad.nn.functional.huber_loss(x, y, delta=0.6),
    "huber_weight": lambda x, y: nbgrad.nn.functional.huber_loss(
        x, y, reduction="none", weight=nbgrad.tensor(np.abs(YL) + 1)),
}


@pytest.mark.parametrize("name", LOSS_GRAD_FNS)
def test_loss_gradcheck(name):
    x = nbgrad.tensor(XL, requires_grad=True)
    y = nbgrad.tensor(YL, requires_grad=True)
    assert gradcheck(LOSS_GRAD_FNS[name], [x, y])


@pytest.mark.parametrize("name", ["smooth_l1", "huber"])
def test_loss_second_derivative(torch, name):
    """The slope is ``d / beta`` inside and constant outside: its derivative is ``1 / beta``
    (or 1 for huber) inside and 0 outside, as torch's."""
    f = {"smooth_l1": "smooth_l1_loss", "huber": "huber_loss"}[name]
    results = []
    for m in (torch, nbgrad):
        x = m.tensor(XL, requires_grad=True)
        loss = getattr(m.nn.functional, f)(x, m.tensor(YL), reduction="sum")
        (g,) = m.autograd.grad(loss, x, create_graph=True)
        (h,) = m.autograd.grad((g * g).sum(), x)
        results.append(h.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


# -- one_hot ----------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    (np.array([0, 2, 1]),), (np.array([0, 2, 1]), 5), (np.array([[0, 2], [1, 1]]),),
    (np.array(2),), (np.array(2), 3), (np.array([], dtype=np.int64), 3),
    (np.array([[3, 0]]), np.int64(4)),
])
def test_one_hot(torch, args):
    t = torch.nn.functional.one_hot(torch.tensor(args[0]), *args[1:])
    n = nbgrad.nn.functional.one_hot(nbgrad.tensor(args[0]), *args[1:])
    assert repr(n) == repr(t).replace("torch.", "nbgrad.")
    assert str(n.dtype) == "nbgrad.int64" and not n.requires_grad
    np.testing.assert_array_equal(n.numpy(), t.numpy())


@pytest.mark.parametrize("args", [
    (np.array([0, -1]),), (np.array([0, -1]), 3), (np.array([0, 3]), 3), (np.array([0, 1]), 0),
    (np.array([0, 1]), -2), (np.array([0, 1], dtype=np.int32),), (np.array([0.0, 1.0]),),
    (np.array([True]),), (np.array([0, 1], dtype=np.uint8),), ([0, 1],),
    (np.array([], dtype=np.int64),), (np.array([], dtype=np.int64), 0),
    (np.array([0, 1]), 2.0), (np.array([0, 1]), True),
])
def test_one_hot_errors(torch, args):
    same_error(torch, lambda m, *a: m.nn.functional.one_hot(*a), *args)


def test_one_hot_keyword_is_input(torch):
    for m in (torch, nbgrad):
        out = m.nn.functional.one_hot(input=m.tensor([1, 0]), num_classes=3)
        assert out.tolist() == [[0, 1, 0], [1, 0, 0]]
