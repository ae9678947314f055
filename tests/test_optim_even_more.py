"""Adagrad, NAdam, RAdam, Adamax and the schedulers MultiStepLR, LambdaLR, LinearLR,
ReduceLROnPlateau and OneCycleLR: the same numbers as torch 2.13 over 20 steps, the same
printed optimizers, state dicts and errors."""

from __future__ import annotations

import numpy as np
import pytest

import nbgrad


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _mlp(mod, seed: int = 0):
    rng = np.random.default_rng(seed)
    model = mod.nn.Sequential(mod.nn.Linear(2, 16), mod.nn.Tanh(), mod.nn.Linear(16, 3))
    with mod.no_grad():
        for p in model.parameters():
            p.copy_(mod.tensor(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


def _train(mod, make_opt, steps: int = 20, make_sched=None, plateau: bool = False):
    model = _mlp(mod)
    opt = make_opt(mod, model.parameters())
    sched = make_sched(mod, opt) if make_sched else None
    rng = np.random.default_rng(1)
    X = mod.tensor(rng.standard_normal((32, 2)).astype(np.float32))
    y = mod.tensor(rng.integers(0, 3, 32))
    losses, lrs = [], []
    for step in range(steps):
        opt.zero_grad()
        loss = mod.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        if sched is not None:
            if plateau:  # a metric that stalls, then improves, then stalls
                sched.step([3.0, 2.0, 2.0, 2.0, 2.0, 1.0][step % 6])
            else:
                sched.step()
            lrs.append(sched.get_last_lr())
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()], lrs, opt, sched


OPTIMIZERS = {
    "adagrad": lambda m, p: m.optim.Adagrad(p, lr=0.1),
    "adagrad all": lambda m, p: m.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1,
                                                initial_accumulator_value=0.5, eps=1e-6,
                                                maximize=True),
    "nadam": lambda m, p: m.optim.NAdam(p, lr=0.01),
    "nadam decay": lambda m, p: m.optim.NAdam(p, lr=0.01, weight_decay=0.1,
                                              momentum_decay=0.01),
    "nadam decoupled": lambda m, p: m.optim.NAdam(p, lr=0.01, weight_decay=0.1,
                                                  decoupled_weight_decay=True, maximize=True),
    "radam": lambda m, p: m.optim.RAdam(p, lr=0.01),
    "radam fast beta2": lambda m, p: m.optim.RAdam(p, lr=0.01, betas=(0.8, 0.9),
                                                   weight_decay=0.1),
    "radam decoupled": lambda m, p: m.optim.RAdam(p, lr=0.01, betas=(0.9, 0.8),
                                                  weight_decay=0.1,
                                                  decoupled_weight_decay=True),
    "adamax": lambda m, p: m.optim.Adamax(p, lr=0.01),
    "adamax all": lambda m, p: m.optim.Adamax(p, lr=0.01, betas=(0.8, 0.9), eps=1e-3,
                                              weight_decay=0.1, maximize=True),
}


def _same_run(torch, make_opt, make_sched=None, plateau=False):
    nb = _train(nbgrad, make_opt, make_sched=make_sched, plateau=plateau)
    tr = _train(torch, make_opt, make_sched=make_sched, plateau=plateau)
    np.testing.assert_allclose(nb[0], tr[0], rtol=1e-5, atol=1e-5)
    for a, b in zip(nb[1], tr[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(nb[2], dtype=float), np.asarray(tr[2], dtype=float),
                               rtol=1e-12, atol=0)
    return nb, tr


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_matches_torch_over_20_steps(torch, name) -> None:
    nb, tr = _same_run(torch, OPTIMIZERS[name])
    nb_opt, t_opt = nb[3], tr[3]
    assert repr(nb_opt) == repr(t_opt)
    nb_sd, t_sd = nb_opt.state_dict(), t_opt.state_dict()
    assert nb_sd["param_groups"] == t_sd["param_groups"]
    assert list(nb_sd["state"]) == list(t_sd["state"])
    for i, t_state in t_sd["state"].items():
        assert list(nb_sd["state"][i]) == list(t_state)
        for key, value in t_state.items():
            got = nb_sd["state"][i][key]
            assert str(got.dtype) == str(value.dtype).replace("torch.", "nbgrad.")
            np.testing.assert_allclose(got.numpy(), value.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["adagrad", "nadam", "radam", "adamax"])
def test_optimizer_state_dict_round_trip(name) -> None:
    """A fresh optimizer loaded from a state dict continues exactly as the original."""
    make = OPTIMIZERS[name]
    losses, *_ = _train(nbgrad, make, steps=6)
    model = _mlp(nbgrad)
    opt = make(nbgrad, model.parameters())
    rng = np.random.default_rng(1)
    X = nbgrad.tensor(rng.standard_normal((32, 2)).astype(np.float32))
    y = nbgrad.tensor(rng.integers(0, 3, 32))

    def step(o):
        o.zero_grad()
        loss = nbgrad.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        o.step()
        return loss.item()

    got = [step(opt) for _ in range(3)]
    fresh = make(nbgrad, model.parameters())
    fresh.load_state_dict(opt.state_dict())
    got += [step(fresh) for _ in range(3)]
    np.testing.assert_allclose(got, losses, rtol=1e-6)


OPT_ERRORS = {
    "adagrad lr": lambda m, p: m.optim.Adagrad(p, lr=-1),
    "adagrad lr_decay": lambda m, p: m.optim.Adagrad(p, lr_decay=-1),
    "adagrad acc": lambda m, p: m.optim.Adagrad(p, initial_accumulator_value=-1),
    "adagrad eps": lambda m, p: m.optim.Adagrad(p, eps=-1),
    "nadam beta": lambda m, p: m.optim.NAdam(p, betas=(1.0, 0.9)),
    "nadam momentum_decay": lambda m, p: m.optim.NAdam(p, momentum_decay=-1),
    "radam beta": lambda m, p: m.optim.RAdam(p, betas=(0.9, 1.5)),
    "radam decay": lambda m, p: m.optim.RAdam(p, weight_decay=-1),
    "adamax eps": lambda m, p: m.optim.Adamax(p, eps=-1),
    "adamax beta": lambda m, p: m.optim.Adamax(p, betas=(-0.1, 0.9)),
}


@pytest.mark.parametrize("name", OPT_ERRORS)
def test_optimizer_errors_match_torch(torch, name) -> None:
    got = []
    for m in (nbgrad, torch):
        with pytest.raises(ValueError) as info:
            OPT_ERRORS[name](m, [m.zeros(2, requires_grad=True)])
        got.append(str(info.value))
    assert got[0] == got[1]


# --- schedulers ---------------------------------------------------------------------------------

def _scale(epoch):
    return 0.9 ** epoch


SCHEDULERS = {
    "multistep": (lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9),
                  lambda m, o: m.optim.lr_scheduler.MultiStepLR(o, [3, 7, 7, 12], gamma=0.5)),
    "lambda": (lambda m, p: m.optim.SGD(p, lr=0.1),
               lambda m, o: m.optim.lr_scheduler.LambdaLR(o, _scale)),
    "linear": (lambda m, p: m.optim.Adam(p, lr=0.01),
               lambda m, o: m.optim.lr_scheduler.LinearLR(o, start_factor=0.25,
                                                          total_iters=8)),
    "linear down": (lambda m, p: m.optim.SGD(p, lr=0.1),
                    lambda m, o: m.optim.lr_scheduler.LinearLR(o, 1.0, 0.1, 10)),
    "onecycle sgd": (lambda m, p: m.optim.SGD(p, lr=0.1, momentum=0.9),
                     lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5,
                                                                  total_steps=20)),
    "onecycle adam linear 3": (
        lambda m, p: m.optim.Adam(p, lr=0.01),
        lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, epochs=4,
                                                     steps_per_epoch=5, pct_start=0.25,
                                                     anneal_strategy="linear",
                                                     three_phase=True)),
    "onecycle no momentum": (
        lambda m, p: m.optim.Adagrad(p, lr=0.01),
        lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.2, total_steps=25,
                                                     cycle_momentum=False)),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_matches_torch_over_20_steps(torch, name) -> None:
    make_opt, make_sched = SCHEDULERS[name]
    nb, tr = _same_run(torch, make_opt, make_sched)
    assert repr(nb[3]) == repr(tr[3])  # initial_lr, max_lr, ... shown as in torch
    nb_sd, t_sd = nb[4].state_dict(), tr[4].state_dict()
    assert sorted(nb_sd) == sorted(t_sd)
    for key in ("last_epoch", "_step_count", "_last_lr", "base_lrs"):
        assert nb_sd[key] == t_sd[key]


@pytest.mark.parametrize("kw", [
    dict(patience=1),
    dict(mode="max", factor=0.5, patience=0, threshold=0.1, cooldown=2),
    dict(patience=2, threshold_mode="abs", threshold=0.5, min_lr=0.03),
])
def test_reduce_lr_on_plateau_matches_torch(torch, kw) -> None:
    def make(m, o):
        return m.optim.lr_scheduler.ReduceLROnPlateau(o, **kw)

    nb, tr = _same_run(torch, lambda m, p: m.optim.SGD(p, lr=0.1), make, plateau=True)
    assert len({tuple(x) for x in nb[2]}) > 1  # the rate did change
    nb_sd, t_sd = nb[4].state_dict(), tr[4].state_dict()
    assert nb_sd == t_sd


def test_lambda_lr_saves_a_callable_objects_state(torch) -> None:
    class Warmup:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor * (epoch + 1)

    sds = []
    for m in (nbgrad, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        sched = m.optim.lr_scheduler.LambdaLR(opt, [Warmup()])
        opt.step()
        sched.step()
        sds.append(sched.state_dict())
    assert sds[0] == sds[1]
    assert sds[0]["lr_lambdas"] == [{"factor": 0.5}]
    opt = nbgrad.optim.SGD([nbgrad.zeros(2, requires_grad=True)], lr=0.1)
    fresh = nbgrad.optim.lr_scheduler.LambdaLR(opt, Warmup())
    sds[0]["lr_lambdas"] = [{"factor": 2.0}]
    fresh.load_state_dict(sds[0])
    assert fresh.lr_lambdas[0].factor == 2.0 and fresh.last_epoch == 1


SCHED_ERRORS = {
    "lambda count": lambda m, o: m.optim.lr_scheduler.LambdaLR(o, [_scale, _scale]),
    "linear start": lambda m, o: m.optim.lr_scheduler.LinearLR(o, start_factor=0),
    "linear end": lambda m, o: m.optim.lr_scheduler.LinearLR(o, end_factor=2),
    "plateau factor": lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    "plateau mode": lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, mode="up"),
    "plateau threshold mode": lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(
        o, threshold_mode="x"),
    "plateau min_lrs": lambda m, o: m.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0, 0]),
    "onecycle steps": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 0.1),
    "onecycle total": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=0),
    "onecycle pct": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, 0.1, 10, pct_start=1),
    "onecycle anneal": lambda m, o: m.optim.lr_scheduler.OneCycleLR(
        o, 0.1, 10, anneal_strategy="x"),
    "onecycle max_lr": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, [0.1, 0.2], 10),
}


@pytest.mark.parametrize("name", SCHED_ERRORS)
def test_scheduler_errors_match_torch(torch, name) -> None:
    got = []
    for m in (nbgrad, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError) as info:
            SCHED_ERRORS[name](m, opt)
        got.append(str(info.value))
    assert got[0] == got[1]


def test_one_cycle_refuses_a_step_past_its_end(torch) -> None:
    got = []
    for m in (nbgrad, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
        sched = m.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        with pytest.raises(ValueError) as info:
            sched.step()
        got.append(str(info.value))
    assert got[0] == got[1] == "Tried to step 4 times. The specified number of total steps is 3"
