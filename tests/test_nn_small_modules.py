"""The small activations (prelu, hardtanh, relu6, mish, logsigmoid, softmin, softsign,
hardsigmoid, hardswish, glu), unflatten and ParameterList / ParameterDict, with their modules
(the distances and kl_div are in test_nn_distances):
printed results (grad_fn and its inputs' nodes included), values, gradients, reprs,
warnings and errors as under torch 2.13; gradients checked against finite differences,
second derivatives against torch; the drawings' labels and local derivatives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_nn_more import check, same_error

import nbgrad
from nbgrad.autograd import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# the kinks (-3, -1, 0, 1, 3, 6) are included: torch's slope there is the flat side's
X = np.array([[-7.0, -3.0, -2.5, -1.0, -0.3, 0.0], [0.4, 1.0, 2.0, 3.0, 6.0, 25.0]],
             dtype=np.float32)
W3 = np.array([0.1, -0.5, 2.0], dtype=np.float32)


# -- activations -------------------------------------------------------------------------

ACTIVATIONS = {
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x),
    "hardtanh_bounds": lambda m, x: m.nn.functional.hardtanh(x, -2.5, 2),
    "hardtanh_inplace": lambda m, x: m.nn.functional.hardtanh(x * 1, -2.0, 3, inplace=True),
    "relu6": lambda m, x: m.nn.functional.relu6(x),
    "relu6_inplace": lambda m, x: m.nn.functional.relu6(x * 1, inplace=True),
    "hardsigmoid": lambda m, x: m.nn.functional.hardsigmoid(x),
    "hardsigmoid_inplace": lambda m, x: m.nn.functional.hardsigmoid(x * 1, inplace=True),
    "hardswish": lambda m, x: m.nn.functional.hardswish(x),
    "hardswish_inplace": lambda m, x: m.nn.functional.hardswish(x * 1, inplace=True),
    "mish": lambda m, x: m.nn.functional.mish(x),
    "mish_inplace": lambda m, x: m.nn.functional.mish(x * 1, inplace=True),
    "logsigmoid": lambda m, x: m.nn.functional.logsigmoid(x),
    "softsign": lambda m, x: m.nn.functional.softsign(x),
    "softmin": lambda m, x: m.nn.functional.softmin(x, 1),
    "softmin_dim0": lambda m, x: m.nn.functional.softmin(x, dim=0),
    "softmin_implicit": lambda m, x: m.nn.functional.softmin(x),
    "softmin_dtype": lambda m, x: m.nn.functional.softmin(x, -1, dtype=m.float64),
    "glu": lambda m, x: m.nn.functional.glu(x),
    "glu_dim0": lambda m, x: m.nn.functional.glu(x, 0),
    "prelu_one": lambda m, x: m.nn.functional.prelu(x, m.tensor([0.25], dtype=x.dtype)),
    "PReLU": lambda m, x: m.nn.PReLU(init=0.1).to(x.dtype)(x),
    "Hardtanh": lambda m, x: m.nn.Hardtanh(-0.5, 2.0)(x),
    "Hardtanh_inplace": lambda m, x: m.nn.Hardtanh(inplace=True)(x + 0),
    "ReLU6": lambda m, x: m.nn.ReLU6()(x),
    "ReLU6_inplace": lambda m, x: m.nn.ReLU6(inplace=True)(x + 0),
    "Mish": lambda m, x: m.nn.Mish()(x),
    "LogSigmoid": lambda m, x: m.nn.LogSigmoid()(x),
    "Softmin": lambda m, x: m.nn.Softmin(dim=1)(x),
    "Softmin_implicit": lambda m, x: m.nn.Softmin()(x),
    "Softsign": lambda m, x: m.nn.Softsign()(x),
    "Hardsigmoid": lambda m, x: m.nn.Hardsigmoid()(x),
    "Hardswish": lambda m, x: m.nn.Hardswish(inplace=True)(x * 1),
    "GLU": lambda m, x: m.nn.GLU(dim=1)(x),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_parity(torch, name, dtype):
    check(torch, ACTIVATIONS[name], X.astype(dtype))


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardswish", "mish", "logsigmoid",
                                  "softsign", "glu"])
def test_activation_extremes(torch, name):
    x = np.array([-1000.0, -50.0, -1e-8, 1e-8, 50.0, 1000.0], dtype=np.float32)
    out = check(torch, ACTIVATIONS[name], x)
    assert np.isfinite(out.detach().numpy()).all()


@pytest.mark.parametrize("name", ["hardtanh", "hardsigmoid", "hardswish", "mish",
                                  "logsigmoid", "softsign"])
def test_activation_float16(torch, name):
    x = np.linspace(-4.5, 4.5, 13).astype(np.float16)
    check(torch, ACTIVATIONS[name], x, grads=[False])


def test_hardtanh_of_integers(torch):
    check(torch, lambda m, x: m.nn.functional.hardtanh(x, -1.5, 2.5), np.array([-3, 0, 1, 5]))
    for x in (np.array([-3, 0, 1, 7]), np.array([0, 1, 9], dtype=np.uint8)):
        check(torch, lambda m, x: m.nn.functional.hardtanh(x, 0, 2.5), x)
        check(torch, lambda m, x: m.nn.functional.relu6(x), x)


PRELU_SHAPES = [
    ((2, 3), (3,)), ((2, 3, 4), (3,)), ((2, 3, 2, 2), (3,)), ((2, 3), (1,)), ((5,), (1,)),
    ((5,), ()), ((), (1,)), ((), ()), ((4,), (1,)),
]


@pytest.mark.parametrize("shapes", PRELU_SHAPES)
def test_prelu_shapes(torch, shapes):
    """The weight is viewed to broadcast over the channels (a ViewBackward0, as in torch,
    when the ranks differ) and its gradient summed back."""
    xs, ws = shapes
    x = np.linspace(-2, 1.5, int(np.prod(xs))).reshape(xs).astype(np.float32)
    w = (np.arange(int(np.prod(ws))) * 0.3 - 0.2).reshape(ws).astype(np.float32)
    check(torch, lambda m, x, w: m.nn.functional.prelu(x, w), x, w)


def test_prelu_module_parameters(torch):
    for m in (torch, nbgrad):
        layer = m.nn.PReLU(3, init=0.5)
        assert [n for n, _ in layer.named_parameters()] == ["weight"]
        assert list(layer.state_dict()) == ["weight"]
        assert layer.weight.tolist() == [0.5, 0.5, 0.5]
        assert layer.init == 0.5 and layer.num_parameters == 3
    check(torch, lambda m, x: m.nn.PReLU(3, 0.2)(x), X.reshape(4, 3))
    assert nbgrad.nn.PReLU(dtype=nbgrad.float64).weight.dtype == nbgrad.float64


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.functional.mish(x),
    lambda m, x: m.nn.functional.mish(x, inplace=True),
    lambda m, x: m.nn.functional.logsigmoid(x),
    lambda m, x: m.nn.functional.hardsigmoid(x),
    lambda m, x: m.nn.functional.hardsigmoid(x, inplace=True),
    lambda m, x: m.nn.functional.hardswish(x),
    lambda m, x: m.nn.functional.hardswish(x, True),
    lambda m, x: m.nn.functional.hardtanh(x),
    lambda m, x: m.nn.functional.relu6(x),
    lambda m, x: m.nn.functional.glu(x),
    lambda m, x: m.nn.functional.softsign(x),
    lambda m, x: m.nn.functional.softmin(x, 0),
    lambda m, x: m.nn.functional.softmin(x),
    lambda m, x: m.nn.functional.prelu(x, m.tensor([0.25])),
])
@pytest.mark.parametrize("arg", [np.array([1, 2]), np.array([True, False]), [1.0]])
@pytest.mark.filterwarnings("ignore:Implicit dimension choice for softmin")
def test_activation_input_errors(torch, call, arg):
    """The same error, or (hardtanh of integers, softsign and softmin, which divide) the
    same result."""
    try:
        expected = call(torch, torch.tensor(arg) if isinstance(arg, np.ndarray) else arg)
    except Exception:
        same_error(torch, call, arg)
        return
    got = call(nbgrad, nbgrad.tensor(arg))
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "nbgrad.")
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.functional.hardtanh(x, 2.0, 1.0),
    lambda m, x: m.nn.functional.hardtanh(x, "a"),
    lambda m, x: m.nn.functional.hardtanh(x.requires_grad_(), inplace=True),
    lambda m, x: m.nn.functional.hardtanh(x.to(m.uint8), -1.0),
    lambda m, x: m.nn.functional.relu6(x.requires_grad_(), inplace=True),
    lambda m, x: m.nn.functional.mish(x.requires_grad_(), inplace=True),
    lambda m, x: m.nn.functional.glu(x[0, 0]),
    lambda m, x: m.nn.functional.glu(x[:, :3]),
    lambda m, x: m.nn.functional.glu(x[:, :3], -1),
    lambda m, x: m.nn.functional.glu(x, 2),
    lambda m, x: m.nn.functional.prelu(x, m.ones(2)),
    lambda m, x: m.nn.functional.prelu(x, m.ones(4, dtype=m.float64)),
    lambda m, x: m.nn.functional.prelu(x, m.ones(1, 4)),
    lambda m, x: m.nn.functional.prelu(x[0, 0], m.ones(2)),
    lambda m, x: m.nn.functional.prelu(x, [0.25]),
    lambda m, x: m.nn.functional.softmin(x, 2),
    lambda m, x: m.nn.Hardtanh(2.0, 1.0),
    lambda m, x: m.nn.Hardtanh(1.0, 1.0),
    lambda m, x: m.nn.PReLU(2)(x),
])
def test_activation_argument_errors(torch, call):
    same_error(torch, call, np.ones((2, 4), dtype=np.float32))


def test_hardtanh_deprecated_keywords(torch):
    for m in (torch, nbgrad):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            layer = m.nn.Hardtanh(min_value=-2.0, max_value=3.0)
        assert [(w.category, str(w.message)) for w in caught] == [
            (FutureWarning, "keyword argument `min_value` is deprecated and renamed to `min_val`"),
            (FutureWarning, "keyword argument `max_value` is deprecated and renamed to `max_val`")]
        assert caught[0].filename == __file__  # stacklevel=2: the caller's line
        assert repr(layer) == "Hardtanh(min_val=-2.0, max_val=3.0)"


def test_inplace_returns_input(torch):
    for name in ("hardtanh", "relu6", "mish", "hardsigmoid", "hardswish"):
        x = nbgrad.tensor([-4.0, -1.5, 0.5, 7.0])
        assert getattr(nbgrad.nn.functional, name)(x, inplace=True) is x
        t = getattr(torch.nn.functional, name)(torch.tensor([-4.0, -1.5, 0.5, 7.0]))
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6)


def test_activation_reprs(torch):
    for make in (lambda m: m.nn.PReLU(), lambda m: m.nn.PReLU(3, 0.1),
                 lambda m: m.nn.Hardtanh(), lambda m: m.nn.Hardtanh(-2, 2, True),
                 lambda m: m.nn.ReLU6(), lambda m: m.nn.ReLU6(True), lambda m: m.nn.Mish(),
                 lambda m: m.nn.Mish(inplace=True), lambda m: m.nn.LogSigmoid(),
                 lambda m: m.nn.Softmin(), lambda m: m.nn.Softmin(1), lambda m: m.nn.Softsign(),
                 lambda m: m.nn.Hardsigmoid(), lambda m: m.nn.Hardsigmoid(True),
                 lambda m: m.nn.Hardswish(), lambda m: m.nn.Hardswish(inplace=True),
                 lambda m: m.nn.GLU(), lambda m: m.nn.GLU(0),
                 lambda m: m.nn.Sequential(m.nn.Linear(2, 4), m.nn.PReLU(4), m.nn.GLU(),
                                           m.nn.Hardswish())):
        assert repr(make(nbgrad)) == repr(make(torch))
    assert repr(nbgrad.nn.ReLU6()) == "ReLU6()"
    assert repr(nbgrad.nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert isinstance(nbgrad.nn.ReLU6(), nbgrad.nn.Hardtanh)


# away from the kinks (-3, -1, 0, 1, 3)
X64 = np.array([[-4.0, -2.3, -0.6, -0.35], [0.2, 0.9, 2.2, 5.0]])
GRAD_FNS = {
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x, -2.0, 1.5),
    "relu6": lambda m, x: m.nn.functional.relu6(x * 2),
    "hardsigmoid": lambda m, x: m.nn.functional.hardsigmoid(x),
    "hardswish": lambda m, x: m.nn.functional.hardswish(x),
    "mish": lambda m, x: m.nn.functional.mish(x),
    "logsigmoid": lambda m, x: m.nn.functional.logsigmoid(x),
    "softsign": lambda m, x: m.nn.functional.softsign(x),
    "softmin": lambda m, x: m.nn.functional.softmin(x, 1),
    "glu": lambda m, x: m.nn.functional.glu(x, 1),
    "glu0": lambda m, x: m.nn.functional.glu(x, 0),
    "prelu": lambda m, x: m.nn.functional.prelu(
        x, m.tensor([0.3, -0.7, 0.0, 1.2], dtype=m.float64, requires_grad=True)),
}


@pytest.mark.parametrize("name", GRAD_FNS)
def test_activation_gradcheck(name):
    assert gradcheck(lambda x: GRAD_FNS[name](nbgrad, x),
                     [nbgrad.tensor(X64, requires_grad=True)])


def test_prelu_weight_gradcheck():
    w = nbgrad.tensor([0.3, -0.7], dtype=nbgrad.float64, requires_grad=True)
    assert gradcheck(nbgrad.nn.functional.prelu,
                     [nbgrad.tensor(X64.T.copy(), requires_grad=True), w])
    assert gradcheck(nbgrad.nn.functional.prelu,
                     [nbgrad.tensor(X64, requires_grad=True),
                      nbgrad.tensor([0.4], dtype=nbgrad.float64, requires_grad=True)])


@pytest.mark.parametrize("name", GRAD_FNS)
def test_activation_second_derivative(torch, name):
    """``create_graph=True``: the first derivative is itself differentiable, and its
    derivative is torch's (hardtanh, relu6, hardsigmoid: only the first derivative is
    compared, and prelu's in x is 0; torch has no second derivative of hardsigmoid)."""
    flat = name in ("hardtanh", "relu6", "hardsigmoid", "prelu")
    def first(m, x):
        return m.autograd.grad(GRAD_FNS[name](m, x).sum(), x, create_graph=True)[0]

    results = []
    for m in (torch, nbgrad):
        x = m.tensor(X64, requires_grad=True)
        g = first(m, x)
        if flat:  # constant slopes: the first derivative does not depend on x
            results.append((g.detach().numpy(), None))
            continue
        (h,) = m.autograd.grad((g * m.tensor(X64[::-1].copy())).sum(), x)
        results.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-9, atol=1e-12)
    if not flat:
        np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-7, atol=1e-10)
        assert gradcheck(lambda x: first(nbgrad, x), [nbgrad.tensor(X64, requires_grad=True)])


# -- drawings ------------------------------------------------------------------------------

_DRAWN = {
    "hardtanh": lambda F, x: F.hardtanh(x * 2, -0.5, 1.0),
    "relu6": lambda F, x: F.relu6(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(-x),
    "mish": lambda F, x: F.mish(x),
    "logsigmoid": lambda F, x: F.logsigmoid(-x),
    "softsign": lambda F, x: F.softsign(x),
}


@pytest.mark.parametrize("name", _DRAWN)
def test_activations_draw_their_slope(name):
    """The local derivative drawn on the activation's edge is the number backward uses, and a
    torch drawing of the same computation shows the same labels and derivatives."""
    x = nbgrad.tensor(0.7, requires_grad=True)
    y = _DRAWN[name](nbgrad.nn.functional, x)
    y.backward()
    g = nbgrad.draw(y, local=True, names=False)
    if name != "softsign":  # a division: its derivative is the chain of div, add and abs
        first = g.model.edges[0].local
        assert first is not None and first.startswith("d ")
        slope = float(first.rsplit("= ", 1)[1])
        upstream = {"hardtanh": 2.0, "hardswish": -1.0, "logsigmoid": -1.0}.get(name, 1.0)
        assert slope * upstream == pytest.approx(x.grad.item(), abs=2e-4)
    torch = pytest.importorskip("torch")
    from nbgrad.viz import record

    tx = torch.tensor(0.7, requires_grad=True)
    with record():
        ty = _DRAWN[name](torch.nn.functional, tx)
    ty.backward()
    t = nbgrad.draw(ty, local=True, names=False)
    assert [n.label for n in t.model.nodes] == [n.label for n in g.model.nodes]
    if name != "softsign":  # torch's walker knows no value for the divisor |x| + 1
        assert [e.local for e in t.model.edges] == [e.local for e in g.model.edges]


def test_a_graph_of_the_small_activations_draws():
    """One graph through every new node: each gets its label, and the scalar ones their
    local derivative."""
    F = nbgrad.nn.functional
    x = nbgrad.tensor(0.7, requires_grad=True)
    w = nbgrad.tensor([0.3], requires_grad=True)
    y = (F.hardtanh(x * 2, -0.5, 1.0) + F.relu6(x) + F.hardsigmoid(x) + F.hardswish(x)
         + F.mish(x) + F.logsigmoid(x) + F.prelu(-x, w).sum() + F.softsign(x)
         + F.glu(x.reshape(1).repeat(2)).sum())
    y.backward()
    g = nbgrad.draw(y, local=True, names=False)
    labels = {n.label for n in g.model.nodes}
    assert {"hardtanh [-0.5, 1]", "hardtanh [0, 6]", "hardsigmoid", "hardswish", "mish",
            "logsigmoid", "prelu", "glu dim=0", "div"} <= labels
    locals_ = [e.local for e in g.model.edges if e.local]
    for text in ("d hardtanh(u)/du = [-0.5000 < 1.4000 < 1] = 0",
                 "d hardtanh(u)/du = [0 < 0.7000 < 6] = 1",
                 "d hardsigmoid(u)/du = 1/6 = 0.1667",
                 "d hardswish(u)/du = 0.7000/3 + 1/2 = 0.7333",
                 "d logsigmoid(u)/du = sigmoid(-0.7000) = 0.3318",
                 "d prelu(a, w)/da = 1 if a > 0 else w = 0.3000",
                 "d prelu(a, w)/dw = 0 if a > 0 else a = -0.7000"):
        assert text in locals_
    assert any(s.startswith("d mish(u)/du = ") and s.endswith("= 0.9688") for s in locals_)
    assert "<svg" in g._repr_svg_() if hasattr(g, "_repr_svg_") else g.source


# -- Unflatten -----------------------------------------------------------------------------


@pytest.mark.parametrize("dim, size", [(1, (2, 3)), (1, [3, -1]), (-1, (3, 2)), (0, (1, 2))])
def test_unflatten_parity(torch, dim, size):
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    out = check(torch, lambda m, x: m.nn.Unflatten(dim, size)(x), x)
    assert out.grad_fn.name() == "ViewBackward0"
    assert repr(nbgrad.nn.Unflatten(dim, size)) == repr(torch.nn.Unflatten(dim, size))


@pytest.mark.parametrize("size", [(2, 2.0), 4, "ab", None])
def test_unflatten_size_errors(torch, size):
    same_error(torch, lambda m: m.nn.Unflatten(1, size))


def test_unflatten_in_sequential(torch):
    for m in (torch, nbgrad):
        net = m.nn.Sequential(m.nn.Flatten(), m.nn.Unflatten(1, (3, 4)))
        assert tuple(net(m.ones(2, 3, 4)).shape) == (2, 3, 4)
    assert repr(net) == repr(torch.nn.Sequential(torch.nn.Flatten(),
                                                 torch.nn.Unflatten(1, (3, 4))))


# -- ParameterList, ParameterDict ----------------------------------------------------------


def _containers(m):
    """A module holding both containers, filled through each way in."""
    nn = m.nn
    pl = nn.ParameterList([nn.Parameter(m.ones(2, 3)), m.zeros(4, dtype=m.float64), 7])
    pl.append(m.ones(1))
    pl.extend([nn.Parameter(m.ones(2, 2))])
    pl += [m.zeros(3)]
    pl[2] = m.full((2,), 3.0)
    pd = nn.ParameterDict({"w": m.ones(3, 4), "b": nn.Parameter(m.zeros(2))})
    pd["scale"] = m.ones(1, dtype=m.float64)
    pd.update([("z", m.zeros(2)), ("name", "x")])
    pd.update(nn.ParameterDict({"w": m.full((3, 4), 2.0)}))
    net = nn.Module()
    net.ps = pl
    net.pd = pd
    return net


def test_parameter_containers_register_and_print(torch):
    n, t = _containers(nbgrad), _containers(torch)
    assert repr(n) == repr(t).replace("torch.", "nbgrad.")
    assert "Parameter containing: [nbgrad.FloatTensor of size 3x4]" in repr(n.pd)
    assert "(2): Parameter containing: [nbgrad.float32 of size 2]" in repr(n.ps)
    assert [k for k, _ in n.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert list(n.state_dict()) == list(t.state_dict())
    for (k, a), (_, b) in zip(n.state_dict().items(), t.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert all(type(p).__name__ == "Parameter" for p in n.parameters())
    assert [type(p).__name__ for p in n.ps] == [type(p).__name__ for p in t.ps]
    assert list(n.pd) == list(t.pd) == ["b", "w", "scale", "z", "name"]
    assert n.pd["name"] == "x" and len(n.ps) == len(t.ps) == 6
    assert repr(nbgrad.nn.ParameterList()) == "ParameterList()"
    assert repr(nbgrad.nn.ParameterDict()) == "ParameterDict()"


def test_parameter_containers_train(torch):
    """The parameters held are the ones an optimizer updates."""
    net = _containers(nbgrad)
    opt = nbgrad.optim.SGD(net.parameters(), lr=0.5)
    loss = (net.ps[0] * 2).sum() + net.pd["w"].sum()
    loss.backward()
    opt.step()
    np.testing.assert_array_equal(net.ps[0].detach().numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(net.pd["w"].detach().numpy(), np.full((3, 4), 1.5))
    net2 = _containers(nbgrad)
    net2.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(net2.pd["w"].detach().numpy(), np.full((3, 4), 1.5))


def test_parameter_list_as_a_list(torch):
    for m in (torch, nbgrad):
        pl = m.nn.ParameterList([m.ones(1) * i for i in range(5)])
        assert [p.item() for p in pl[1:4]] == [1.0, 2.0, 3.0]
        assert type(pl[::2]).__name__ == "ParameterList" and len(pl[::2]) == 3
        assert pl[-1].item() == 4.0
        assert pl[0].requires_grad and pl[0].grad_fn is None
        assert "0" not in dir(pl)


def test_parameter_dict_as_a_dict(torch):
    results = []
    for m in (torch, nbgrad):
        pd = m.nn.ParameterDict([("a", m.ones(1)), ("c", m.zeros(1))])
        pd.setdefault("b", m.ones(2))
        got = [list(pd.keys()), "a" in pd, "q" in pd, pd.get("q", 5), len(pd)]
        k, v = pd.popitem()
        got += [k, tuple(v.shape), list(reversed(pd)), [tuple(v.shape) for v in pd.values()]]
        pd2 = pd | m.nn.ParameterDict({"z": m.ones(3)})
        got += [list(pd2), [k for k, _ in pd2.items()]]
        got += [list(pd.fromkeys(["x", "y"])), pd.pop("a").shape == (1,), list(pd)]
        pd.clear()
        got += [len(pd), list(pd.copy())]
        results.append(got)
    assert results[0] == results[1]


@pytest.mark.parametrize("call", [
    lambda m: m.nn.ParameterList([m.ones(1)])(m.ones(1)),
    lambda m: m.nn.ParameterDict()(m.ones(1)),
    lambda m: m.nn.ParameterList([m.ones(1)])[1],
    lambda m: m.nn.ParameterList([m.ones(1)])[-2],
    lambda m: m.nn.ParameterList().extend(m.ones(2)),
    lambda m: m.nn.ParameterList().extend(3),
    lambda m: m.nn.ParameterDict()[1],
    lambda m: m.nn.ParameterDict()["a"],
    lambda m: m.nn.ParameterDict(3),
    lambda m: m.nn.ParameterDict([1]),
    lambda m: m.nn.ParameterDict([(1, 2, 3)]),
    lambda m: m.nn.ParameterList([m.ones(1, dtype=m.int64)]),
])
def test_parameter_container_errors(torch, call):
    errors = []
    for m in (torch, nbgrad):
        with pytest.raises(Exception) as info:
            call(m)
        errors.append((type(info.value).__name__, str(info.value).replace("torch.", "nbgrad.")))
    assert errors[0] == errors[1]


def test_a_replaced_parameter_keeps_its_place(torch):
    """As in torch: assigning a new Parameter to a registered name does not move it to the
    end (ParameterDict.update of an existing key relies on it)."""
    orders = []
    for m in (torch, nbgrad):
        mod = m.nn.Module()
        mod.a = m.nn.Parameter(m.ones(1))
        mod.b = m.nn.Parameter(m.ones(1))
        mod.a = m.nn.Parameter(m.zeros(1))
        orders.append((list(mod.state_dict()), mod.a.item()))
    assert orders[0] == orders[1] == (["a", "b"], 0.0)
