"""Conv1d, Conv2d, MaxPool2d, AvgPool2d and F.pad: the same outputs, gradients, graphs,
reprs, initialisation and errors as torch 2.13 (the same weights copied into both),
gradients checked against finite differences, second derivatives against torch, a small CNN
trained step for step as under torch, and drawings of the new nodes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _nb_text(text: str) -> str:
    return text.replace("torch.", "nbgrad.")


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            return type(e).__name__, _nb_text(str(e))
    return None


def same_error(torch, fn) -> None:
    expected = _error(lambda: fn(torch))
    assert expected is not None
    assert _error(lambda: fn(nbgrad)) == expected


def _close(a, b, tol=1e-10) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def _chain(fn) -> list[str]:
    """The names of the first inputs' nodes, from ``fn`` down to the leaf."""
    names = []
    while fn is not None:
        names.append(type(fn).__name__.rsplit("::", 1)[-1])
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return names


def _both(torch, fn, *arrays, grads=True):
    """``fn(module, *tensors)`` under both, on float64 copies of ``arrays``; the outputs, the
    graph, and (with ``grads``) the gradients of every input after one backward agree."""
    out = {}
    for m in (nbgrad, torch):
        xs = [m.tensor(a, requires_grad=True) for a in arrays]
        y = fn(m, *xs)
        if grads:
            up = np.linspace(-1.0, 2.0, y.numel()).reshape(tuple(y.shape))
            y.backward(m.tensor(up))
        out[m.__name__] = (y, xs)
    (ny, nxs), (ty, txs) = out["nbgrad"], out["torch"]
    assert tuple(ny.shape) == tuple(ty.shape)
    _close(ny.detach().numpy(), ty.detach().numpy())
    assert _chain(ny.grad_fn) == _chain(ty.grad_fn)
    if grads:
        for a, b in zip(nxs, txs):
            _close(a.grad.numpy(), b.grad.numpy())
    return ny, ty


RNG = np.random.default_rng(0)


def _arr(*shape):
    return RNG.standard_normal(shape)


# --- F.conv1d / F.conv2d ----------------------------------------------------------------

CONV2D = [
    ((2, 3, 6, 5), (4, 3, 3, 3), {}),
    ((2, 4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                      groups=2)),
    ((1, 2, 5, 5), (2, 2, 3, 3), dict(padding="same", dilation=2)),
    ((1, 2, 5, 4), (3, 2, 2, 3), dict(padding="valid", stride=2)),
    ((4, 5, 5), (2, 4, 2, 2), dict(padding=1, groups=1)),  # unbatched: (C, H, W)
    ((2, 4, 5, 5), (4, 1, 3, 3), dict(padding=1, groups=4)),  # depthwise
]


@pytest.mark.parametrize("case", range(len(CONV2D)))
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(torch, case, bias) -> None:
    xs, ws, kw = CONV2D[case]
    x, w = _arr(*xs), _arr(*ws)
    if xs[0] == 4 and len(xs) == 3:  # the unbatched case has in_channels 4
        x = _arr(4, 5, 5)
    arrays = (x, w, _arr(ws[0])) if bias else (x, w)
    _both(torch, lambda m, *t: m.nn.functional.conv2d(*t, **kw), *arrays)


def test_conv2d_same_padding_with_an_even_kernel_pads_first(torch) -> None:
    x, w = _arr(2, 1, 5, 5), _arr(2, 1, 4, 4)
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        ny, ty = _both(torch, lambda m, x, w: m.nn.functional.conv2d(x, w, padding="same"),
                       x, w)
    assert [type(f).__name__ for f, _ in ny.grad_fn.next_functions] == [
        "ConstantPadNdBackward0", "AccumulateGrad", "NoneType"]
    assert tuple(ny.shape) == (2, 2, 5, 5)


@pytest.mark.parametrize("kw", [{}, dict(stride=2, padding=2, dilation=2, groups=2),
                                dict(padding="same"), dict(padding=(1,), stride=(3,))])
def test_conv1d_matches_torch(torch, kw) -> None:
    x, w, b = _arr(2, 4, 9), _arr(6, 4 // kw.get("groups", 1), 3), _arr(6)
    _both(torch, lambda m, *t: m.nn.functional.conv1d(*t, **kw), x, w, b)
    _both(torch, lambda m, *t: m.nn.functional.conv1d(*t, **kw), x[0], w)  # unbatched


def test_conv_gradcheck() -> None:
    def t(*shape):
        return nbgrad.tensor(RNG.standard_normal(shape), requires_grad=True)

    F = nbgrad.nn.functional
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=1,
                                              dilation=(2, 1), groups=2),
                     (t(2, 4, 5, 4), t(4, 2, 2, 3), t(4)))
    with pytest.warns(UserWarning, match="even kernel lengths"):
        assert gradcheck(lambda x, w: F.conv2d(x, w, padding="same"),
                         (t(1, 2, 4, 4), t(3, 2, 2, 2)))
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
                     (t(2, 3, 7), t(2, 3, 3), t(2)))


def test_conv_second_derivative(torch) -> None:
    x, w, b = _arr(2, 4, 5, 4), _arr(4, 2, 2, 3), _arr(4)
    got = {}
    for m in (nbgrad, torch):
        xt, wt, bt = (m.tensor(a, requires_grad=True) for a in (x, w, b))
        y = m.nn.functional.conv2d(xt, wt, bt, stride=(1, 2), padding=1, groups=2)
        gx, gw = m.autograd.grad((y * y).sum(), (xt, wt), create_graph=True)
        ((gx * gx).sum() + (gw ** 3).sum()).backward()
        got[m.__name__] = [xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]
    for a, c in zip(got["nbgrad"], got["torch"]):
        np.testing.assert_allclose(a, c, rtol=1e-9)


CONV_ERRORS = {
    "channels": lambda m: m.nn.functional.conv2d(m.ones(2, 2, 5, 5), m.ones(4, 1, 3, 3)),
    "rank": lambda m: m.nn.functional.conv2d(m.ones(5, 5), m.ones(4, 1, 3, 3)),
    "kernel too big": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 2, 2), m.ones(1, 1, 3, 3)),
    "bias size": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 5, 5), m.ones(4, 1, 3, 3),
                                                  m.ones(3)),
    "stride 0": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 5, 5), m.ones(4, 1, 3, 3),
                                                 stride=0),
    "negative padding": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 5, 5),
                                                         m.ones(4, 1, 3, 3), padding=-1),
    "dtypes": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 5, 5, dtype=m.float64),
                                               m.ones(4, 1, 3, 3)),
    "bias dtype": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 3, 3), m.ones(1, 1, 2, 2),
                                                   m.ones(1, dtype=m.float64)),
    "same strided": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 5, 5), m.ones(1, 1, 3, 3),
                                                     padding="same", stride=2),
    "groups": lambda m: m.nn.functional.conv2d(m.ones(1, 4, 3, 3), m.ones(3, 2, 2, 2),
                                               groups=2),
    "too few out channels": lambda m: m.nn.functional.conv2d(m.ones(1, 4, 3, 3),
                                                             m.ones(2, 2, 2, 2), groups=3),
    "dilation": lambda m: m.nn.functional.conv2d(m.ones(1, 1, 3, 3), m.ones(1, 1, 2, 2),
                                                 dilation=0),
    "1d padding": lambda m: m.nn.functional.conv1d(m.ones(2, 3, 5), m.ones(4, 3, 3),
                                                   padding=(1, 1)),
    "1d rank": lambda m: m.nn.functional.conv1d(m.ones(2, 2, 3, 5), m.ones(4, 3, 3)),
    "module groups": lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
    "module out groups": lambda m: m.nn.Conv2d(2, 3, 3, groups=2),
    "module padding": lambda m: m.nn.Conv2d(2, 4, 3, padding="foo"),
    "module same strided": lambda m: m.nn.Conv2d(2, 4, 3, stride=2, padding="same"),
    "module groups 0": lambda m: m.nn.Conv2d(2, 4, 3, groups=0),
}


@pytest.mark.parametrize("name", CONV_ERRORS)
def test_conv_errors_match_torch(torch, name) -> None:
    same_error(torch, CONV_ERRORS[name])


# --- the modules ----------------------------------------------------------------------------

MODULES = {
    "conv2d": lambda m: m.nn.Conv2d(1, 4, 3),
    "conv2d all": lambda m: m.nn.Conv2d(2, 4, (3, 2), stride=2, padding=1, dilation=2,
                                        groups=2, bias=False),
    "conv2d same": lambda m: m.nn.Conv2d(2, 4, 3, padding="same"),
    "conv2d valid": lambda m: m.nn.Conv2d(2, 4, 3, padding="valid"),
    "conv1d": lambda m: m.nn.Conv1d(2, 4, 3),
    "conv1d all": lambda m: m.nn.Conv1d(2, 4, 3, stride=3, padding=2, dilation=1),
    "conv1d same": lambda m: m.nn.Conv1d(2, 4, 4, padding="same", dilation=2),
    "maxpool": lambda m: m.nn.MaxPool2d(2),
    "maxpool all": lambda m: m.nn.MaxPool2d((2, 3), 1, 1, dilation=1, ceil_mode=True),
    "avgpool": lambda m: m.nn.AvgPool2d(2),
    "avgpool all": lambda m: m.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False,
                                            divisor_override=2),
}


@pytest.mark.parametrize("name", MODULES)
def test_module_reprs_match_torch(torch, name) -> None:
    assert repr(MODULES[name](nbgrad)) == repr(MODULES[name](torch))


@pytest.mark.parametrize("name", [n for n in MODULES if n.startswith("conv")])
def test_conv_modules_match_torch(torch, name) -> None:
    nb_m, t_m = MODULES[name](nbgrad).double(), MODULES[name](torch).double()
    assert [(n, tuple(p.shape)) for n, p in nb_m.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in t_m.named_parameters()]
    with torch.no_grad():
        for a, b in zip(nb_m.parameters(), t_m.parameters()):
            b.copy_(torch.tensor(a.detach().numpy()))
    shape = (2, t_m.in_channels, 9) if name.startswith("conv1d") else (2, t_m.in_channels, 7, 6)
    x = _arr(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the even-kernel 'same' warning
        nx, tx = nbgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ny, ty = nb_m(nx), t_m(tx)
    _close(ny.detach().numpy(), ty.detach().numpy())
    assert _chain(ny.grad_fn) == _chain(ty.grad_fn)
    up = np.linspace(-1, 1, ty.numel()).reshape(tuple(ty.shape))
    ny.backward(nbgrad.tensor(up))
    ty.backward(torch.tensor(up))
    _close(nx.grad.numpy(), tx.grad.numpy())
    for a, b in zip(nb_m.parameters(), t_m.parameters()):
        _close(a.grad.numpy(), b.grad.numpy())
    assert list(nb_m.state_dict()) == list(t_m.state_dict())


@pytest.mark.parametrize("make", [lambda m: m.nn.Conv2d(3, 8, (3, 5), groups=1),
                                  lambda m: m.nn.Conv1d(4, 6, 5, groups=2)])
def test_conv_initialisation_follows_torch_scheme(make) -> None:
    """torch's scheme: weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in the
    in channels per group times the kernel's size."""
    nbgrad.manual_seed(0)
    conv = make(nbgrad)
    w = conv.weight.detach().numpy()
    bound = 1 / math.sqrt(w[0].size)
    assert conv.weight.requires_grad and conv.bias.requires_grad
    for p in (w, conv.bias.detach().numpy()):
        assert p.dtype == np.float32
        assert np.all(np.abs(p) <= bound) and np.abs(p).max() > 0.5 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.3)


def test_conv_padding_mode_error_lists_the_modes(torch) -> None:
    # torch prints a set, whose order depends on hashing: compare the modes it names
    def modes(m):
        with pytest.raises(ValueError) as info:
            m.nn.Conv2d(2, 4, 3, padding_mode="x")
        text = str(info.value)
        assert text.startswith("padding_mode must be one of {")
        assert text.endswith("}, but got padding_mode='x'")
        return sorted(text[text.index("{") + 1:text.index("}")].split(", "))

    assert modes(nbgrad) == modes(torch)


def test_conv_padding_modes_other_than_zeros_are_refused() -> None:
    conv = nbgrad.nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")
    assert repr(conv).endswith("padding=(1, 1), padding_mode=reflect)")
    with pytest.raises(NotImplementedError, match="zeros only"):
        conv(nbgrad.ones(1, 1, 4, 4))


# --- pooling and pad --------------------------------------------------------------------------

POOLS = [
    ((2, 3, 7, 6), dict(kernel_size=2)),
    ((2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 7, 6), dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0))),
    ((1, 2, 9, 8), dict(kernel_size=3, stride=2, ceil_mode=True)),
    ((1, 2, 5, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
]


@pytest.mark.parametrize("case", range(len(POOLS)))
@pytest.mark.parametrize("extra", [{}, dict(dilation=2)])
def test_max_pool2d_matches_torch(torch, case, extra) -> None:
    shape, kw = POOLS[case]
    kw = {**kw, **extra}
    x = _arr(*shape)
    _both(torch, lambda m, x: m.nn.functional.max_pool2d(x, **kw), x)
    ni = nbgrad.nn.functional.max_pool2d(nbgrad.tensor(x), return_indices=True, **kw)[1]
    ti = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)[1]
    assert ni.dtype == nbgrad.int64
    assert ni.tolist() == ti.tolist()
    assert gradcheck(lambda x: nbgrad.nn.functional.max_pool2d(x, **kw),
                     (nbgrad.tensor(x, requires_grad=True),))


def test_max_pool_overlapping_windows_add_their_gradients(torch) -> None:
    x = np.array([[[[1.0, 9.0, 2.0], [3.0, 4.0, 5.0], [0.0, 6.0, 7.0]]]])  # 9 wins twice
    _both(torch, lambda m, x: m.nn.functional.max_pool2d(x, 2, 1), x)
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    _both(torch, lambda m, x: m.nn.MaxPool2d(2, return_indices=False)(x), x)


@pytest.mark.parametrize("case", range(len(POOLS)))
@pytest.mark.parametrize("extra", [{}, dict(count_include_pad=False),
                                   dict(divisor_override=3)])
def test_avg_pool2d_matches_torch(torch, case, extra) -> None:
    shape, kw = POOLS[case]
    kw = {**kw, **extra}
    x = _arr(*shape)
    _both(torch, lambda m, x: m.nn.functional.avg_pool2d(x, **kw), x)
    assert gradcheck(lambda x: nbgrad.nn.functional.avg_pool2d(x, **kw),
                     (nbgrad.tensor(x, requires_grad=True),))


def test_pooling_second_derivative(torch) -> None:
    x = _arr(2, 3, 5, 5)
    got = {}
    for m in (nbgrad, torch):
        F = m.nn.functional
        xt = m.tensor(x, requires_grad=True)
        y = F.max_pool2d(xt * xt, 3, 2, 1)
        z = F.avg_pool2d(xt * xt, 3, 2, 1, ceil_mode=True)
        (gx,) = m.autograd.grad((y ** 3).sum() + (z ** 3).sum(), (xt,), create_graph=True)
        (gx ** 2).sum().backward()
        got[m.__name__] = xt.grad.numpy()
    np.testing.assert_allclose(got["nbgrad"], got["torch"], rtol=1e-9)


@pytest.mark.parametrize("p", [(1, 2), (1, -1, 2, 0), (-1, -1, 0, 1, 1, 1), (0, 0)])
def test_pad_matches_torch(torch, p) -> None:
    x = _arr(2, 3, 4)
    ny, ty = _both(torch, lambda m, x: m.nn.functional.pad(x, p, value=2.5), x)
    assert type(ny.grad_fn).__name__ == "ConstantPadNdBackward0"
    ny, ty = _both(torch, lambda m, x: m.nn.functional.pad(x, p), x)
    assert repr(ny) == _nb_text(repr(ty))
    assert gradcheck(lambda x: nbgrad.nn.functional.pad(x, p, value=1.0),
                     (nbgrad.tensor(x, requires_grad=True),))


POOL_ERRORS = {
    "max pad": lambda m: m.nn.functional.max_pool2d(m.ones(2, 1, 5, 5), 3, padding=2),
    "avg pad": lambda m: m.nn.functional.avg_pool2d(m.ones(2, 1, 5, 5), 2, padding=2),
    "too small": lambda m: m.nn.functional.max_pool2d(m.ones(2, 1, 5, 5), 7),
    "avg too small": lambda m: m.nn.functional.avg_pool2d(m.ones(1, 1, 4, 4), 5),
    "rank": lambda m: m.nn.functional.max_pool2d(m.ones(5, 5), 2),
    "stride 0": lambda m: m.nn.functional.max_pool2d(m.ones(1, 1, 4, 4), 2, stride=0),
    "avg stride 0": lambda m: m.nn.functional.avg_pool2d(m.ones(1, 1, 4, 4), 2, stride=0),
    "pad odd": lambda m: m.nn.functional.pad(m.ones(2, 3), (1,)),
    "pad long": lambda m: m.nn.functional.pad(m.ones(2, 3), (1, 1, 1, 1, 1, 1)),
    "pad mode": lambda m: m.nn.functional.pad(m.ones(2, 3), (1, 1), mode="foo"),
    "pad crop": lambda m: m.nn.functional.pad(m.ones(2, 3), (-2, -2)),
}


@pytest.mark.parametrize("name", POOL_ERRORS)
def test_pooling_errors_match_torch(torch, name) -> None:
    same_error(torch, POOL_ERRORS[name])


# --- a small CNN trains as under torch ----------------------------------------------------------

def _cnn(m):
    return m.nn.Sequential(
        m.nn.Conv2d(1, 4, 3, padding=1), m.nn.ReLU(), m.nn.MaxPool2d(2),
        m.nn.Conv2d(4, 6, 3, groups=2), m.nn.ReLU(), m.nn.AvgPool2d(2),
        m.nn.Flatten(), m.nn.Linear(6, 3))


def test_a_small_cnn_trains_as_under_torch(torch) -> None:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((8, 1, 8, 8)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    nb, tm = _cnn(nbgrad), _cnn(torch)
    assert repr(nb) == repr(tm)
    with torch.no_grad():
        for a, b in zip(nb.parameters(), tm.parameters()):
            b.copy_(torch.tensor(a.detach().numpy()))
    losses = {}
    for m, model in ((nbgrad, nb), (torch, tm)):
        opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        xs, ys = m.tensor(X), m.tensor(y)
        out = []
        for _ in range(6):
            opt.zero_grad()
            loss = m.nn.functional.cross_entropy(model(xs), ys)
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[m.__name__] = out
    np.testing.assert_allclose(losses["nbgrad"], losses["torch"], rtol=1e-5, atol=1e-5)
    assert losses["nbgrad"][-1] < losses["nbgrad"][0]
    for a, b in zip(nb.parameters(), tm.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-5)


# --- drawings --------------------------------------------------------------------------------

DRAWN = {
    "conv2d": lambda m, x: m.nn.functional.conv2d(x, m.ones(2, 1, 2, 2)),
    "max_pool2d": lambda m, x: m.nn.functional.max_pool2d(x, 2),
    "avg_pool2d": lambda m, x: m.nn.functional.avg_pool2d(x, 2),
    "pad": lambda m, x: m.nn.functional.pad(x, (1, 1)),
}


@pytest.mark.parametrize("name", DRAWN)
def test_conv_nodes_are_drawn_with_their_names(name) -> None:
    x = nbgrad.tensor(_arr(1, 1, 4, 4).astype(np.float32), requires_grad=True)
    out = DRAWN[name](nbgrad, x)
    loss = (out * out).sum()
    loss.backward()
    g = nbgrad.draw(loss, local=True)
    labels = [n.label for n in g.model.nodes]
    assert name in labels
    box = next(n for n in g.model.nodes if n.label == name)
    assert all(e.local is None for e in g.model.edges if e.dst == box.id)
    pytest.importorskip("torch")
    import torch

    from nbgrad.viz import record

    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    with record():
        t_out = DRAWN[name](torch, tx)
        t_loss = (t_out * t_out).sum()
    t_loss.backward()
    t = nbgrad.draw(t_loss, local=True, names=False)
    n = nbgrad.draw(loss, local=True, names=False)
    assert [b.label for b in t.model.nodes] == [b.label for b in n.model.nodes]
