"""nbgrad.nn modules: registration, parameters, Linear, printing and state dicts.

Golden strings run without torch; the parity tests compare with torch 2.13 and skip when it
is absent.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import nbgrad
from nbgrad import nn
from nbgrad.nn import functional as F


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


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


# --- registration -------------------------------------------------------------------------


def test_parameters_are_registered_by_assignment() -> None:
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [p.shape for p in net.parameters()] == [(4, 2), (4,), (1, 4), (1,)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(net.modules())[0] is net
    assert list(net.children())[0] is net.fc1
    assert "fc1" in dir(net)


def test_plain_tensors_are_not_parameters() -> None:
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nbgrad.ones(1)
            self.w = nn.Parameter(nbgrad.ones(2))
            self.register_buffer("running", nbgrad.zeros(2))

    m = M()
    assert [n for n, _ in m.named_parameters()] == ["w"]
    assert [n for n, _ in m.named_buffers()] == ["running"]
    assert list(m.state_dict()) == ["w", "running"]


def test_shared_parameters_are_listed_once() -> None:
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]


def test_reassigning_and_deleting() -> None:
    lin = nn.Linear(2, 3)
    lin.bias = None
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert lin(nbgrad.ones(1, 2)).grad_fn.name() == "MmBackward0"
    with pytest.raises(TypeError, match="cannot assign 'nbgrad.FloatTensor' as parameter"):
        lin.weight = nbgrad.ones(3, 2)
    lin.weight = nn.Parameter(nbgrad.zeros(3, 2))
    assert lin.weight.tolist() == [[0.0, 0.0]] * 3
    seq = nn.Sequential(nn.ReLU())
    del seq.__dict__["_modules"]["0"]
    assert len(seq) == 0


def test_assigning_before_init_fails_as_in_torch(torch) -> None:
    def make(mod):
        class A(mod.nn.Module):
            def __init__(self):
                self.w = mod.nn.Parameter(mod.ones(1))

        class B(mod.nn.Module):
            def __init__(self):
                self.fc = mod.nn.Linear(1, 1)

        return A, B

    for nb_cls, t_cls in zip(make(nbgrad), make(torch)):
        assert _error(nb_cls) == _error(t_cls)


def test_missing_attribute_and_forward(torch) -> None:
    assert _error(lambda: nn.Linear(2, 3).foo) == _error(lambda: torch.nn.Linear(2, 3).foo)
    assert _error(lambda: nn.Module()(1)) == _error(lambda: torch.nn.Module()(1))
    assert _error(lambda: nn.Sequential(nn.ReLU())[3]) == _error(
        lambda: torch.nn.Sequential(torch.nn.ReLU())[3])
    assert _error(lambda: nn.Sequential(1)) == _error(lambda: torch.nn.Sequential(1))
    assert _error(lambda: nn.Sequential().add_module("a.b", nn.ReLU())) == _error(
        lambda: torch.nn.Sequential().add_module("a.b", torch.nn.ReLU()))
    assert _error(lambda: nn.Sequential(nn.ReLU()).__setitem__(0, 3)) == _error(
        lambda: torch.nn.Sequential(torch.nn.ReLU()).__setitem__(0, 3))


def test_zero_grad_sets_to_none_by_default() -> None:
    net = Net()
    net(nbgrad.ones(3, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net(nbgrad.ones(3, 2)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    assert [p.grad for p in net.parameters()] == grads  # the same tensors, now zero
    assert all(not p.grad.numpy().any() for p in net.parameters())


def test_train_and_eval_reach_every_module() -> None:
    net = nn.Sequential(Net(), nn.Dropout(0.5))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("no")


def test_dropout_is_seeded_and_off_in_eval() -> None:
    drop = nn.Dropout(0.5)
    x = nbgrad.ones(1000)
    nbgrad.manual_seed(0)
    a = drop(x)
    nbgrad.manual_seed(0)
    b = drop(x)
    assert a.tolist() == b.tolist()
    assert set(a.tolist()) == {0.0, 2.0}
    assert 400 < a.numpy().sum() / 2 < 600
    drop.eval()
    assert drop(x) is x


def test_call_runs_hooks() -> None:
    lin = nn.Linear(2, 2)
    seen = []
    handle = lin.register_forward_hook(lambda m, inputs, out: seen.append(out.shape))
    lin(nbgrad.ones(5, 2))
    handle.remove()
    lin(nbgrad.ones(5, 2))
    assert seen == [(5, 2)]


def test_hooks_replace_inputs_and_outputs_and_keyword_arguments_pass_through(torch) -> None:
    """A call takes a short cut when no hook is registered: with hooks, and after they are
    removed, a module still behaves as torch's does."""

    results = []
    for m in (nbgrad, torch):
        class Mul(m.nn.Module):
            def forward(self, x, factor=1.0):
                return x * factor

        mod = Mul()
        x = m.ones(2)
        seen = []
        pre = mod.register_forward_pre_hook(lambda module, inputs: (inputs[0] + 1,))
        post = mod.register_forward_hook(
            lambda module, inputs, out, seen=seen: seen.append(inputs[0].tolist()) or out * 10)
        hooked = mod(x, factor=2.0).tolist()
        pre.remove()
        post.remove()
        plain = mod(x, factor=3.0).tolist()
        results.append((hooked, plain, seen))
    assert results[0] == results[1] == ([40.0, 40.0], [3.0, 3.0], [[2.0, 2.0]])


def test_a_hook_registered_by_a_pre_hook_runs_in_the_same_call() -> None:
    lin = nn.Linear(2, 2)
    seen = []

    def pre(module, inputs):
        module.register_forward_hook(lambda m, i, out: seen.append("post"))

    lin.register_forward_pre_hook(pre)
    lin(nbgrad.ones(1, 2))
    assert seen == ["post"]


def test_apply_and_requires_grad() -> None:
    net = Net()
    with nbgrad.no_grad():
        net.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert not net.fc1.weight.detach().numpy().any()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_dtype() -> None:
    net = Net().double()
    assert all(p.dtype is nbgrad.float64 for p in net.parameters())
    assert net(nbgrad.ones(1, 2, dtype=nbgrad.float64)).dtype is nbgrad.float64
    assert net.to("cpu") is net


def test_deepcopy_keeps_parameters() -> None:
    net = Net()
    twin = copy.deepcopy(net)
    assert all(isinstance(p, nn.Parameter) for p in twin.parameters())
    with nbgrad.no_grad():
        twin.fc1.weight.fill_(0.0)
    assert net.fc1.weight.detach().numpy().any()


# --- Parameter ----------------------------------------------------------------------------


def test_parameter_shares_memory_and_requires_grad() -> None:
    t = nbgrad.ones(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert isinstance(p, nbgrad.Tensor) and nbgrad.is_tensor(p)
    t.add_(1)
    assert p.tolist() == [2.0, 2.0, 2.0]
    assert type(p * 2) is nbgrad.Tensor
    assert type(p.detach()) is nbgrad.Tensor


def test_parameter_repr_golden() -> None:
    p = nn.Parameter(nbgrad.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert str(p) == repr(p)
    assert repr(nn.Parameter()) == "Parameter containing:\ntensor([], requires_grad=True)"
    assert repr(nn.Parameter(nbgrad.tensor([1, 2]), requires_grad=False)) == (
        "Parameter containing:\ntensor([1, 2])")


def test_parameter_reprs_match_torch(torch) -> None:
    cases = [
        lambda m: m.nn.Parameter(m.tensor([[1.5, -2.0], [0.25, 3.0]])),
        lambda m: m.nn.Parameter(m.tensor(1.0)),
        lambda m: m.nn.Parameter(m.tensor([1.0, 2.0]), requires_grad=False),
        lambda m: m.nn.Parameter(m.tensor([1, 2]), requires_grad=False),
        lambda m: m.nn.Parameter(m.tensor([1.0, 2.0], dtype=m.float64)),
        lambda m: m.nn.Parameter(),
    ]
    for make in cases:
        assert repr(make(nbgrad)) == _nb_text(repr(make(torch)))
    assert _error(lambda: nn.Parameter(nbgrad.tensor([1, 2]))) == _error(
        lambda: torch.nn.Parameter(torch.tensor([1, 2])))


# --- Linear ---------------------------------------------------------------------------------


def test_linear_init_is_torchs_distribution_and_seeded() -> None:
    nbgrad.manual_seed(0)
    a = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (a.weight, a.bias):
        data = p.detach().numpy()
        assert data.dtype == np.float32
        assert np.abs(data).max() <= bound
        assert np.abs(data).max() > 0.95 * bound  # uniform over the whole range
    assert abs(a.weight.detach().numpy().std() - bound / math.sqrt(3)) < 1e-3
    nbgrad.manual_seed(0)
    b = nn.Linear(400, 300)
    assert np.array_equal(a.weight.numpy(force=True), b.weight.numpy(force=True))
    assert np.array_equal(a.bias.numpy(force=True), b.bias.numpy(force=True))


def _linear_pair(torch, n_in: int, n_out: int, bias: bool = True):
    rng = np.random.default_rng(0)
    nb, tl = nn.Linear(n_in, n_out, bias=bias), torch.nn.Linear(n_in, n_out, bias=bias)
    with nbgrad.no_grad(), torch.no_grad():
        for p, q in zip(nb.parameters(), tl.parameters()):
            values = rng.standard_normal(tuple(p.shape)).astype(np.float32)
            p.copy_(nbgrad.tensor(values))
            q.copy_(torch.tensor(values))
    return nb, tl


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3)], ids=["2d", "1d", "3d"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch, shape: tuple, bias: bool) -> None:
    nb, tl = _linear_pair(torch, 3, 2, bias)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    nx, tx = nbgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    nout, tout = nb(nx), tl(tx)
    assert nout.grad_fn.name() == tout.grad_fn.name()
    np.testing.assert_allclose(nout.detach().numpy(), tout.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    g = np.random.default_rng(2).standard_normal(tuple(tout.shape)).astype(np.float32)
    nout.backward(nbgrad.tensor(g))
    tout.backward(torch.tensor(g))
    for p, q in [(nx, tx), *zip(nb.parameters(), tl.parameters())]:
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_linear_graph_is_torchs(torch) -> None:
    nb, tl = _linear_pair(torch, 2, 3)
    for mod, lin in ((nbgrad, nb), (torch, tl)):
        fn = lin(mod.ones(4, 2)).grad_fn
        names = [f.name() if f is not None else None for f, _ in fn.next_functions]
        if mod is nbgrad:
            nb_names = names
        else:
            t_names = names
    assert nb_names == [n.replace("torch::", "nbgrad::") if n else n for n in t_names]


LINEAR_ERRORS = {
    "width": lambda m: m.nn.Linear(2, 5)(m.ones(4, 3)),
    "width_1d": lambda m: m.nn.Linear(2, 5)(m.ones(3)),
    "width_3d": lambda m: m.nn.Linear(2, 5)(m.ones(2, 4, 3)),
    "int_input": lambda m: m.nn.Linear(2, 5)(m.ones(4, 2, dtype=m.int64)),
    "double_input": lambda m: m.nn.Linear(2, 5)(m.ones(4, 2, dtype=m.float64)),
    "scalar_input": lambda m: m.nn.functional.linear(m.tensor(1.0), m.ones(5, 2)),
    "bad_bias": lambda m: m.nn.functional.linear(m.ones(3, 2), m.ones(5, 2), m.ones(4)),
    "list_input": lambda m: m.nn.functional.linear([1.0, 2.0], m.ones(5, 2)),
    "list_weight": lambda m: m.nn.functional.linear(m.ones(3, 2), [[1.0, 2.0]]),
    "scalar_weight": lambda m: m.nn.functional.linear(m.ones(3, 2), m.tensor(1.0)),
}


def test_linear_with_a_broadcast_bias_matches_torch(torch) -> None:
    """A bias of one element, or a 0-d one, is broadcast over the outputs; the graph is
    torch's (AddmmBackward0 fed by TBackward0 of the weight), and nothing is recorded under
    no_grad."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((5, 2))
    w = w.astype(np.float32)
    for b in (np.float32(0.5), np.array([0.5], dtype=np.float32)):
        out = []
        for m in (nbgrad, torch):
            mw, mb = m.tensor(w, requires_grad=True), m.tensor(b, requires_grad=True)
            y = m.nn.functional.linear(m.tensor(x), mw, mb)
            names = [y.grad_fn.name()] + [f.name() if f is not None else None
                                          for f, _ in y.grad_fn.next_functions]
            y.sum().backward()
            with m.no_grad():
                untracked = m.nn.functional.linear(m.tensor(x), mw, mb)
            out.append((y.detach().numpy(), mw.grad.numpy(), mb.grad.numpy(), names,
                        untracked.grad_fn, untracked.requires_grad))
        (ny, nw, nb, nnames, nfn, nreq), (ty, tw, tb, tnames, tfn, treq) = out
        np.testing.assert_allclose(ny, ty, rtol=1e-6)
        np.testing.assert_allclose(nw, tw, rtol=1e-6)
        np.testing.assert_allclose(nb, tb, rtol=1e-6)
        assert [n.replace("torch::", "nbgrad::") if n else n for n in tnames] == nnames
        assert nfn is None and tfn is None and not nreq and not treq


@pytest.mark.parametrize("name", LINEAR_ERRORS)
def test_linear_errors_match_torch(torch, name: str) -> None:
    expected = _error(lambda: LINEAR_ERRORS[name](torch))
    assert expected is not None
    assert _error(lambda: LINEAR_ERRORS[name](nbgrad)) == expected


def test_linear_width_error_golden() -> None:
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied "
                                           r"\(4x3 and 2x5\)$"):
        nn.Linear(2, 5)(nbgrad.ones(4, 3))


# --- printing -------------------------------------------------------------------------------

SEQUENTIAL_TEXT = """Sequential(
  (0): Linear(in_features=2, out_features=16, bias=True)
  (1): ReLU()
  (2): Linear(in_features=16, out_features=1, bias=True)
  (3): Sigmoid()
)"""


def test_sequential_repr_golden() -> None:
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    assert repr(model) == SEQUENTIAL_TEXT
    assert str(model) == SEQUENTIAL_TEXT


def _module_cases(m):
    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = m.nn.Linear(2, 4)
            self.act = m.nn.Tanh()
            self.body = m.nn.Sequential(m.nn.Linear(4, 4), m.nn.ReLU())
            self.fc2 = m.nn.Linear(4, 1, bias=False)

        def forward(self, x):
            return self.fc2(self.body(self.act(self.fc1(x))))

    return [
        m.nn.Sequential(m.nn.Linear(2, 16), m.nn.ReLU(), m.nn.Linear(16, 1), m.nn.Sigmoid()),
        Net(),
        m.nn.Sequential(),
        m.nn.Module(),
        m.nn.Sequential(OrderedDict(hidden=m.nn.Linear(1, 2), act=m.nn.LeakyReLU(0.2))),
        m.nn.ModuleList([m.nn.Linear(1, 1) for _ in range(3)] + [m.nn.ReLU()]),
        m.nn.Sequential(m.nn.Flatten(), m.nn.Dropout(0.2), m.nn.Identity(),
                        m.nn.Softmax(dim=1), m.nn.LogSoftmax(dim=-1), m.nn.ReLU(inplace=True)),
        m.nn.MSELoss(),
        m.nn.BCELoss(),
        m.nn.BCEWithLogitsLoss(),
        m.nn.CrossEntropyLoss(reduction="sum"),
        m.nn.NLLLoss(),
    ]


def test_module_reprs_match_torch(torch) -> None:
    for nb, tm in zip(_module_cases(nbgrad), _module_cases(torch)):
        assert repr(nb) == _nb_text(repr(tm))


# --- functional activations ---------------------------------------------------------------


ACTIVATIONS = {
    "relu": lambda m, x: m.nn.functional.relu(x),
    "sigmoid": lambda m, x: m.nn.functional.sigmoid(x),
    "tanh": lambda m, x: m.nn.functional.tanh(x),
    "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
    "softmax": lambda m, x: m.nn.functional.softmax(x, dim=1),
    "log_softmax": lambda m, x: m.nn.functional.log_softmax(x, dim=-1),
    "ReLU": lambda m, x: m.nn.ReLU()(x),
    "Sigmoid": lambda m, x: m.nn.Sigmoid()(x),
    "Tanh": lambda m, x: m.nn.Tanh()(x),
    "Softmax": lambda m, x: m.nn.Softmax(dim=0)(x),
    "Flatten": lambda m, x: m.nn.Flatten(0)(x),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_torch(torch, name: str) -> None:
    f = ACTIVATIONS[name]
    x = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32) * 3
    nx, tx = nbgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    nout, tout = f(nbgrad, nx), f(torch, tx)
    assert nout.grad_fn.name() == tout.grad_fn.name()
    np.testing.assert_allclose(nout.detach().numpy(), tout.detach().numpy(), rtol=1e-6,
                               atol=1e-6)
    g = np.random.default_rng(4).standard_normal(tuple(tout.shape)).astype(np.float32)
    nout.backward(nbgrad.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


INPLACE = {
    "F.relu": lambda m, x: m.nn.functional.relu(x, inplace=True),
    "relu_": lambda m, x: x.relu_(),
    "ReLU": lambda m, x: m.nn.ReLU(inplace=True)(x),
    "F.leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.1, inplace=True),
    "leaky_relu-slope-0": lambda m, x: m.nn.functional.leaky_relu(x, 0.0, inplace=True),
    "LeakyReLU": lambda m, x: m.nn.LeakyReLU(0.2, inplace=True)(x),
    "leaky_relu-negative-slope": lambda m, x: m.nn.functional.leaky_relu(x, -0.1, inplace=True),
    "dropout-p1": lambda m, x: m.nn.functional.dropout(x, 1.0, inplace=True),
    "Dropout-eval": lambda m, x: m.nn.Dropout(0.5, inplace=True).eval()(x),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activations_match_torch(torch, name: str) -> None:
    """``inplace=True`` writes into the input and returns it, recorded as torch records it;
    a leaf that requires grad is refused."""
    f = INPLACE[name]
    assert _inplace_effects(nbgrad, f) == _inplace_effects(torch, f)


def _inplace_effects(m: Any, f: Any) -> tuple:
    a = m.tensor([[-1.5, 2.0, 0.0], [3.0, -0.5, 1.0]], requires_grad=True)
    x = a * 1
    out = f(m, x)
    same, text = out is x, _nb_text(repr(x))
    backward_error = _error(lambda: out.sum().backward())
    leaf_error = _error(lambda: f(m, m.tensor([1.0], requires_grad=True)))
    plain = m.tensor([-1.0, 2.0])
    return (same, text, backward_error, None if a.grad is None else a.grad.tolist(), leaf_error,
            f(m, plain) is plain, _nb_text(repr(plain)))


def test_softmax_without_dim_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(nbgrad.ones(2, 3))
    assert out.sum(1).tolist() == pytest.approx([1.0, 1.0])


# --- state dicts ----------------------------------------------------------------------------


def test_state_dict_is_an_ordered_dict_sharing_memory() -> None:
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(not t.requires_grad and type(t) is nbgrad.Tensor for t in sd.values())
    with nbgrad.no_grad():
        net.fc1.bias.fill_(7.0)
    assert sd["fc1.bias"].tolist() == [7.0] * 4
    assert list(net.state_dict(keep_vars=True).values())[0] is net.fc1.weight


def test_load_state_dict_copies_in_place() -> None:
    a, b = Net(), Net()
    weight = b.fc1.weight
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert b.fc1.weight is weight  # the same Parameter: optimizers keep working
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.tolist() == q.tolist()
    assert b.fc1.weight.requires_grad


def test_load_state_dict_casts_dtype() -> None:
    lin = nn.Linear(2, 3)
    lin.load_state_dict({"weight": nbgrad.ones(3, 2, dtype=nbgrad.float64),
                         "bias": nbgrad.zeros(3)})
    assert lin.weight.dtype is nbgrad.float32
    assert lin.weight.tolist() == [[1.0, 1.0]] * 3


def test_load_state_dict_missing_key_golden() -> None:
    with pytest.raises(RuntimeError) as info:
        nn.Linear(2, 3).load_state_dict({"weight": nbgrad.zeros(3, 2)})
    assert str(info.value) == (
        'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". '
    )


STATE_ERRORS = {
    "missing": lambda m: m.nn.Linear(2, 3).load_state_dict({"weight": m.zeros(3, 2)}),
    "unexpected": lambda m: m.nn.Linear(2, 3).load_state_dict(
        {"weight": m.zeros(3, 2), "bias": m.zeros(3), "foo": m.zeros(1)}),
    "both": lambda m: m.nn.Linear(2, 3).load_state_dict(
        {"weight": m.zeros(3, 2), "foo": m.zeros(1), "bar": m.zeros(1)}),
    "size": lambda m: m.nn.Linear(2, 3).load_state_dict(
        {"weight": m.zeros(2, 2), "bias": m.zeros(3)}),
    "size_and_missing": lambda m: m.nn.Linear(2, 3).load_state_dict({"weight": m.zeros(2, 2)}),
    "size_not_strict": lambda m: m.nn.Linear(2, 3).load_state_dict(
        {"weight": m.zeros(2, 2)}, strict=False),
    "nested": lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1))
    .load_state_dict({"0.weight": m.zeros(3, 2), "0.bias": m.zeros(3),
                      "2.weight": m.zeros(1, 2)}),
    "not_a_dict": lambda m: m.nn.Linear(2, 3).load_state_dict([1]),
    "not_a_tensor": lambda m: m.nn.Linear(2, 3).load_state_dict(
        {"weight": [[0, 0]] * 3, "bias": m.zeros(3)}),
}


@pytest.mark.parametrize("name", STATE_ERRORS)
def test_state_dict_errors_match_torch(torch, name: str) -> None:
    expected = _error(lambda: STATE_ERRORS[name](torch))
    assert expected is not None
    assert _error(lambda: STATE_ERRORS[name](nbgrad)) == expected


def test_load_state_dict_not_strict_matches_torch(torch) -> None:
    def run(m):
        return m.nn.Linear(2, 3).load_state_dict({"weight": m.zeros(3, 2), "foo": m.zeros(1)},
                                                 strict=False)

    nb, tr = run(nbgrad), run(torch)
    assert repr(nb) == repr(tr)
    assert nb.missing_keys == tr.missing_keys == ["bias"]
    assert nb.unexpected_keys == tr.unexpected_keys == ["foo"]


def test_state_dict_keys_match_torch(torch) -> None:
    for nb, tm in zip(_module_cases(nbgrad), _module_cases(torch)):
        nsd, tsd = nb.state_dict(), tm.state_dict()
        assert list(nsd) == list(tsd)
        assert [tuple(v.shape) for v in nsd.values()] == [tuple(v.shape) for v in tsd.values()]


def test_loss_weight_is_a_buffer(torch) -> None:
    w = [1.0, 2.0, 3.0]
    nb = nn.CrossEntropyLoss(weight=nbgrad.tensor(w))
    tr = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(nb.state_dict()) == list(tr.state_dict()) == ["weight"]


# --- init -----------------------------------------------------------------------------------


def test_init_bounds_and_gains(torch) -> None:
    for args in [("linear",), ("relu",), ("tanh",), ("leaky_relu", 0.2), ("sigmoid",)]:
        assert nn.init.calculate_gain(*args) == pytest.approx(
            torch.nn.init.calculate_gain(*args))
    w = nbgrad.empty(300, 200)
    with nbgrad.no_grad():
        nn.init.xavier_uniform_(w)
        assert np.abs(w.numpy()).max() <= math.sqrt(6 / 500)
        nn.init.kaiming_uniform_(w, nonlinearity="relu")
        assert np.abs(w.numpy()).max() <= math.sqrt(2) * math.sqrt(3 / 200)
        nn.init.kaiming_normal_(w)
        assert w.numpy().std() == pytest.approx(math.sqrt(2 / 200), rel=0.05)
        nn.init.constant_(w, 0.5)
        assert set(w.numpy().ravel().tolist()) == {0.5}
    assert _error(lambda: nn.init.xavier_uniform_(nbgrad.empty(3))) == _error(
        lambda: torch.nn.init.xavier_uniform_(torch.empty(3)))
