"""nbgrad.optim: the same numbers as torch.optim, step for step, and torch's errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad import nn, optim


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _mlp(mod, seed: int = 0):
    """A 2-16-16-3 MLP in ``mod`` (nbgrad or torch) with weights drawn by NumPy, so both
    libraries start from the same numbers."""
    rng = np.random.default_rng(seed)
    model = mod.nn.Sequential(mod.nn.Linear(2, 16), mod.nn.Tanh(), mod.nn.Linear(16, 16),
                              mod.nn.ReLU(), mod.nn.Linear(16, 3))
    with mod.no_grad():
        for p in model.parameters():
            p.copy_(mod.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


def _data(seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((32, 2)).astype(np.float32), rng.integers(0, 3, 32)


def _train(mod, make_opt, steps: int = 20):
    model = _mlp(mod)
    opt = make_opt(mod, model.parameters())
    X, y = _data()
    X, y = mod.tensor(X), mod.tensor(y)
    loss_fn = mod.nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


OPTIMIZERS = {
    "sgd": lambda m, p: m.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd_nesterov_wd": lambda m, p: m.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                 weight_decay=1e-3),
    "sgd_dampening": lambda m, p: m.optim.SGD(p, lr=0.05, momentum=0.5, dampening=0.3),
    "sgd_maximize": lambda m, p: m.optim.SGD(p, lr=0.01, momentum=0.9, maximize=True),
    "adam": lambda m, p: m.optim.Adam(p, lr=0.01),
    "adam_wd_amsgrad": lambda m, p: m.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                                 weight_decay=1e-2, amsgrad=True),
    "adamw": lambda m, p: m.optim.AdamW(p, lr=0.01),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_twenty_steps_match_torch(torch, name: str) -> None:
    make = OPTIMIZERS[name]
    nb_losses, nb_weights = _train(nbgrad, make)
    t_losses, t_weights = _train(torch, make)
    np.testing.assert_allclose(nb_losses, t_losses, rtol=0, atol=1e-5)
    for a, b in zip(nb_weights, t_weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    if name != "sgd_maximize":
        assert nb_losses[-1] < nb_losses[0]


@pytest.mark.parametrize("name", ["sgd_momentum", "adam"])
def test_state_dict_resumes_training(name: str) -> None:
    """Saving the optimizer and model after 10 steps and resuming in fresh objects gives the
    same weights as 20 uninterrupted steps."""
    make = OPTIMIZERS[name]
    _, straight = _train(nbgrad, make, steps=20)

    X, y = (nbgrad.tensor(a) for a in _data())
    loss_fn = nn.CrossEntropyLoss()

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(X), y).backward()
            opt.step()

    model = _mlp(nbgrad)
    opt = make(nbgrad, model.parameters())
    run(model, opt, 10)
    checkpoint = {"model": model.state_dict(), "optim": opt.state_dict()}

    model2 = _mlp(nbgrad, seed=5)
    opt2 = make(nbgrad, model2.parameters())
    model2.load_state_dict(checkpoint["model"])
    opt2.load_state_dict(checkpoint["optim"])
    run(model2, opt2, 10)
    for a, b in zip(straight, model2.parameters()):
        np.testing.assert_array_equal(a, b.detach().numpy())


def test_state_dict_layout_matches_torch(torch) -> None:
    for mod in (nbgrad, torch):
        p = mod.nn.Parameter(mod.ones(2))
        opt = mod.optim.Adam([p])
        p.grad = mod.ones(2)
        opt.step()
        sd = opt.state_dict()
        if mod is nbgrad:
            nb = sd
        else:
            tsd = sd
    assert list(nb) == list(tsd)
    assert nb["param_groups"] == tsd["param_groups"]
    assert list(nb["state"]) == list(tsd["state"]) == [0]
    assert list(nb["state"][0]) == list(tsd["state"][0])
    for k in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(nb["state"][0][k].numpy(), tsd["state"][0][k].numpy())
    assert repr(nb["state"][0]["step"]) == repr(tsd["state"][0]["step"])


def test_param_groups_have_their_own_lr() -> None:
    a = nn.Parameter(nbgrad.ones(2))
    b = nn.Parameter(nbgrad.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = nbgrad.ones(2)
    b.grad = nbgrad.ones(2)
    opt.step()
    assert a.tolist() == pytest.approx([0.9, 0.9])
    assert b.tolist() == pytest.approx([0.5, 0.5])
    assert opt.param_groups[1]["momentum"] == 0


def test_params_without_grad_are_skipped() -> None:
    a = nn.Parameter(nbgrad.ones(2))
    b = nn.Parameter(nbgrad.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = nbgrad.ones(2)
    opt.step()
    assert b.tolist() == [1.0, 1.0]
    assert a.tolist() != [1.0, 1.0]
    assert b not in opt.state


def test_step_bumps_the_version_so_stale_graphs_fail() -> None:
    """Updating a weight between forward and backward is caught where the backward needs
    the weight (here: for the input's gradient), as in torch."""
    lin = nn.Linear(2, 1)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    loss = lin(nbgrad.ones(3, 2, requires_grad=True)).sum()
    lin.weight.grad = nbgrad.ones(1, 2)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_zero_grad() -> None:
    p = nn.Parameter(nbgrad.ones(2))
    opt = optim.SGD([p], lr=0.1)
    p.grad = nbgrad.ones(2)
    opt.zero_grad()
    assert p.grad is None
    p.grad = nbgrad.ones(2)
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0]


def test_closure_is_called_with_grad_enabled() -> None:
    p = nn.Parameter(nbgrad.ones(2))
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with nbgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 2.0
    assert p.tolist() == pytest.approx([0.8, 0.8])


def test_generators_of_parameters_are_consumed_once() -> None:
    model = nn.Linear(2, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2


def test_repr_matches_torch(torch) -> None:
    cases = [
        lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9),
        lambda m, p: m.optim.Adam(p),
        lambda m, p: m.optim.AdamW(p, lr=0.01),
        lambda m, p: m.optim.SGD([{"params": p[:1]}, {"params": p[1:], "lr": 0.5}], lr=0.1),
    ]
    for make in cases:
        nb = make(nbgrad, [nn.Parameter(nbgrad.ones(2)), nn.Parameter(nbgrad.ones(1))])
        tp = [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(1))]
        assert repr(nb) == repr(make(torch, tp))


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            return type(e).__name__, str(e).replace("torch.", "nbgrad.")
    return None


ERRORS = {
    "empty": lambda m, p: m.optim.SGD([], lr=0.1),
    "empty_adam": lambda m, p: m.optim.Adam([]),
    "empty_generator": lambda m, p: m.optim.SGD(m.nn.Sequential().parameters(), lr=0.1),
    "tensor": lambda m, p: m.optim.SGD(p[0], lr=0.1),
    "not_tensor": lambda m, p: m.optim.SGD([1], lr=0.1),
    "non_leaf": lambda m, p: m.optim.SGD([p[0] * 2], lr=0.1),
    "negative_lr": lambda m, p: m.optim.SGD(p, lr=-0.1),
    "negative_momentum": lambda m, p: m.optim.SGD(p, lr=0.1, momentum=-1),
    "negative_wd": lambda m, p: m.optim.SGD(p, lr=0.1, weight_decay=-1),
    "nesterov_no_momentum": lambda m, p: m.optim.SGD(p, lr=0.1, nesterov=True),
    "nesterov_dampening": lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True,
                                                   dampening=0.1),
    "adam_beta0": lambda m, p: m.optim.Adam(p, betas=(1.0, 0.9)),
    "adam_beta1": lambda m, p: m.optim.Adam(p, betas=(0.9, 1.5)),
    "adam_eps": lambda m, p: m.optim.Adam(p, eps=-1),
    "adam_lr": lambda m, p: m.optim.Adam(p, lr=-1),
    "adam_wd": lambda m, p: m.optim.Adam(p, weight_decay=-1),
    "set_in_group": lambda m, p: m.optim.SGD([{"params": set(p)}], lr=0.1),
    "two_groups_one_param": lambda m, p: m.optim.SGD([{"params": p}, {"params": p}], lr=0.1),
    "load_group_count": lambda m, p: m.optim.SGD(p, lr=0.1).load_state_dict(
        {"state": {}, "param_groups": []}),
    "load_group_size": lambda m, p: m.optim.SGD(p, lr=0.1).load_state_dict(
        {"state": {}, "param_groups": [{"params": [0, 1, 2], "lr": 0.1}]}),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(torch, name: str) -> None:
    make = ERRORS[name]
    nb = _error(lambda: make(nbgrad, [nn.Parameter(nbgrad.ones(2))]))
    expected = _error(lambda: make(torch, [torch.nn.Parameter(torch.ones(2))]))
    assert expected is not None
    assert nb == expected


def test_empty_parameter_list_message() -> None:
    with pytest.raises(ValueError, match="^optimizer got an empty parameter list$"):
        optim.SGD([], lr=0.1)


def test_duplicate_parameters_warn() -> None:
    p = nn.Parameter(nbgrad.ones(2))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)
