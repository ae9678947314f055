"""AdamW, RMSprop, the learning-rate schedulers and gradient clipping: the same numbers as
torch 2.13 step for step, the same printed optimizers, warnings and errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad import nn, optim


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _mlp(mod, seed: int = 0):
    """A 2-16-16-3 MLP in ``mod`` with weights drawn by NumPy: both start from the same
    numbers."""
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


def _train(mod, make_opt, steps: int = 20, make_sched=None, clip=None):
    model = _mlp(mod)
    opt = make_opt(mod, model.parameters())
    sched = make_sched(mod, opt) if make_sched else None
    X, y = (mod.tensor(a) for a in _data())
    loss_fn = mod.nn.CrossEntropyLoss()
    losses, lrs, norms = [], [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        if clip is not None:
            norms.append(clip(mod, model.parameters()).item())
        opt.step()
        if sched is not None:
            sched.step()
            lrs.append(sched.get_last_lr())
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()], lrs, norms


OPTIMIZERS = {
    "adamw": lambda m, p: m.optim.AdamW(p, lr=0.01),
    "adamw_decay_amsgrad": lambda m, p: m.optim.AdamW(p, lr=0.02, betas=(0.8, 0.95),
                                                      weight_decay=0.1, amsgrad=True),
    "adamw_maximize": lambda m, p: m.optim.AdamW(p, lr=0.005, maximize=True),
    "rmsprop": lambda m, p: m.optim.RMSprop(p, lr=0.01),
    "rmsprop_momentum": lambda m, p: m.optim.RMSprop(p, lr=0.005, momentum=0.9),
    "rmsprop_centered": lambda m, p: m.optim.RMSprop(p, lr=0.005, centered=True),
    "rmsprop_centered_momentum_decay": lambda m, p: m.optim.RMSprop(
        p, lr=0.002, alpha=0.9, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01),
    "rmsprop_maximize": lambda m, p: m.optim.RMSprop(p, lr=0.001, maximize=True),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_twenty_steps_match_torch(torch, name: str) -> None:
    make = OPTIMIZERS[name]
    nb_losses, nb_weights, _, _ = _train(nbgrad, make)
    t_losses, t_weights, _, _ = _train(torch, make)
    np.testing.assert_allclose(nb_losses, t_losses, rtol=0, atol=1e-5)
    for a, b in zip(nb_weights, t_weights):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
    if "maximize" not in name:
        assert nb_losses[-1] < nb_losses[0] - 0.05


def test_adamw_decays_the_weights_directly() -> None:
    """With a zero gradient Adam's step is 0: only the decoupled decay moves the weight."""
    p = nn.Parameter(nbgrad.tensor([2.0, -4.0]))
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = nbgrad.zeros(2)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [2.0 * 0.95, -4.0 * 0.95], rtol=1e-6)


def test_rmsprop_first_step_by_hand() -> None:
    """v = (1 - alpha) g^2, so the first step is lr * g / (sqrt(1 - alpha) |g| + eps)."""
    p = nn.Parameter(nbgrad.tensor([1.0, 1.0]))
    opt = optim.RMSprop([p], lr=0.01, alpha=0.99)
    p.grad = nbgrad.tensor([0.5, -2.0])
    opt.step()
    expected = 1.0 - 0.01 * np.sign([0.5, -2.0]) / np.sqrt(0.01)
    np.testing.assert_allclose(p.detach().numpy(), expected, rtol=1e-5)


REPRS = [
    lambda m, p: m.optim.AdamW(p),
    lambda m, p: m.optim.AdamW(p, lr=0.01, weight_decay=0.1, amsgrad=True),
    lambda m, p: m.optim.RMSprop(p),
    lambda m, p: m.optim.RMSprop([{"params": p[:1]}, {"params": p[1:], "momentum": 0.9}],
                                 lr=0.05, centered=True),
]


@pytest.mark.parametrize("make", REPRS)
def test_reprs_match_torch(torch, make) -> None:
    nb = make(nbgrad, [nn.Parameter(nbgrad.ones(2)), nn.Parameter(nbgrad.ones(1))])
    tr = make(torch, [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(1))])
    assert repr(nb) == repr(tr)
    assert str(nb) == str(tr)


@pytest.mark.parametrize("name", ["rmsprop_centered_momentum_decay", "adamw_decay_amsgrad"])
def test_state_dict_layout_and_resume(torch, name) -> None:
    make = OPTIMIZERS[name]
    sds = []
    for mod in (nbgrad, torch):
        p = mod.nn.Parameter(mod.ones(2))
        opt = make(mod, [p])
        p.grad = mod.tensor([0.5, -1.0])
        opt.step()
        sds.append(opt.state_dict())
    nb, tr = sds
    assert nb["param_groups"] == tr["param_groups"]
    assert list(nb["state"][0]) == list(tr["state"][0])
    for key, value in tr["state"][0].items():
        assert repr(nb["state"][0][key]) == repr(value).replace("torch.", "nbgrad.")
    # resuming from a saved state: the same weights as never stopping
    _, straight, _, _ = _train(nbgrad, make, steps=6)
    model = _mlp(nbgrad)
    opt = make(nbgrad, model.parameters())
    X, y = (nbgrad.tensor(a) for a in _data())
    for step in range(6):
        if step == 3:
            saved = opt.state_dict()
            opt = make(nbgrad, model.parameters())
            opt.load_state_dict(saved)
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(X), y).backward()
        opt.step()
    for a, b in zip(straight, model.parameters()):
        np.testing.assert_array_equal(a, b.detach().numpy())


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            return type(e).__name__, str(e).replace("torch.", "nbgrad.")
    return None


ERRORS = {
    "rmsprop_lr": lambda m, p: m.optim.RMSprop(p, lr=-1),
    "rmsprop_eps": lambda m, p: m.optim.RMSprop(p, eps=-1),
    "rmsprop_momentum": lambda m, p: m.optim.RMSprop(p, momentum=-1),
    "rmsprop_wd": lambda m, p: m.optim.RMSprop(p, weight_decay=-1),
    "rmsprop_alpha": lambda m, p: m.optim.RMSprop(p, alpha=-1),
    "rmsprop_empty": lambda m, p: m.optim.RMSprop([]),
    "adamw_beta": lambda m, p: m.optim.AdamW(p, betas=(0.9, 1.0)),
    "adamw_wd": lambda m, p: m.optim.AdamW(p, weight_decay=-0.1),
    "scheduler_not_optimizer": lambda m, p: m.optim.lr_scheduler.StepLR(p, 2),
    "resume_without_initial_lr": lambda m, p: m.optim.lr_scheduler.ExponentialLR(
        m.optim.SGD(p, lr=0.1), 0.5, last_epoch=3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(torch, name: str) -> None:
    make = ERRORS[name]
    expected = _error(lambda: make(torch, [torch.nn.Parameter(torch.ones(2))]))
    assert expected is not None
    assert _error(lambda: make(nbgrad, [nn.Parameter(nbgrad.ones(2))])) == expected


# --- learning-rate schedulers -------------------------------------------------------------

SCHEDULERS = {
    "step": lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=3),
    "step_gamma": lambda m, o: m.optim.lr_scheduler.StepLR(o, 4, gamma=0.5),
    "exponential": lambda m, o: m.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    "cosine": lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10),
    "cosine_restart": lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6,
                                                                           eta_min=0.001),
}


def _two_groups(m):
    p = [m.nn.Parameter(m.ones(2)), m.nn.Parameter(m.ones(1))]
    return m.optim.SGD([{"params": p[:1]}, {"params": p[1:], "lr": 0.5}], lr=0.1,
                       momentum=0.9), p


@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_rates_match_torch(torch, name) -> None:
    """Twenty epochs: the same rates to the last bit (get_last_lr and the groups' "lr"),
    the same printed optimizer and the same state_dict."""
    make = SCHEDULERS[name]
    runs = []
    for m in (nbgrad, torch):
        opt, params = _two_groups(m)
        sched = make(m, opt)
        first_print = repr(opt)
        rates = [sched.get_last_lr()]
        for _ in range(20):
            for p in params:
                p.grad = m.ones_like(p)
            opt.step()
            sched.step()
            rates.append(sched.get_last_lr())
            assert [g["lr"] for g in opt.param_groups] == rates[-1]
        runs.append((rates, first_print, repr(opt), sched.state_dict(),
                     [p.detach().numpy() for p in params]))
    nb, tr = runs
    assert nb[0] == tr[0]  # exact: the same float operations in the same order
    assert nb[1] == tr[1] and "initial_lr: 0.1" in nb[1]
    assert nb[2] == tr[2]
    assert nb[3] == tr[3]
    for a, b in zip(nb[4], tr[4]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert len(set(map(tuple, nb[0]))) > 2  # the rate did change


def test_a_scheduled_training_matches_torch(torch) -> None:
    def make_opt(m, p):
        return m.optim.AdamW(p, lr=0.05)

    def make_sched(m, o):
        return m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20)

    nb = _train(nbgrad, make_opt, make_sched=make_sched)
    tr = _train(torch, make_opt, make_sched=make_sched)
    np.testing.assert_allclose(nb[0], tr[0], rtol=0, atol=1e-5)
    assert nb[2] == tr[2]
    assert nb[2][-1] == [pytest.approx(0.0, abs=1e-12)]


def _nb_text(text: str) -> str:
    """torch's words with nbgrad's name (but not in pytorch.org's address)."""
    return re.sub(r"(?<![a-z])torch\.", "nbgrad.", text)


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category.__name__, str(w.message)) for w in caught]


def test_scheduler_warnings_match_torch(torch) -> None:
    def before_optimizer(m):
        opt, _ = _two_groups(m)
        m.optim.lr_scheduler.StepLR(opt, 2).step()

    def get_lr_outside_step(m):
        opt, _ = _two_groups(m)
        sched = m.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        opt.step()
        sched.step()
        assert sched.get_lr() == [0.025, 0.125]  # one more step's worth, as torch computes

    def with_epoch(m):
        opt, _ = _two_groups(m)
        sched = m.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
        opt.step()
        sched.step(5)  # the closed form: 0.1 * 0.5 ** (5 // 2)
        assert sched.get_last_lr() == [0.025, 0.125]

    def in_order(m):
        opt, _ = _two_groups(m)
        sched = m.optim.lr_scheduler.CosineAnnealingLR(opt, 4)
        opt.step()
        sched.step()

    for fn in (before_optimizer, get_lr_outside_step, with_epoch, in_order):
        nb = _warnings_of(lambda f=fn: f(nbgrad))
        tr = _warnings_of(lambda f=fn: f(torch))
        assert nb == [(c, _nb_text(t)) for c, t in tr]
        assert (fn is in_order) == (not nb)


def test_scheduler_state_dict_resumes() -> None:
    opt, _ = _two_groups(nbgrad)
    sched = optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 3
    opt2, _ = _two_groups(nbgrad)
    opt2.load_state_dict(opt.state_dict())
    sched2 = optim.lr_scheduler.StepLR(opt2, 2, gamma=0.5)
    sched2.load_state_dict(saved)
    for s, o in ((sched, opt), (sched2, opt2)):
        o.step()
        s.step()
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.025, 0.125]


# --- gradient clipping --------------------------------------------------------------------

GRADS = [np.array([[3.0, -4.0], [0.5, 2.0]], np.float32), np.array([-12.0, 1.0], np.float32),
         None]


def _params(m, dtype=np.float32):
    ps = []
    for g in GRADS:
        shape = (2, 2) if g is not None and g.ndim == 2 else (2,)
        p = m.nn.Parameter(m.tensor(np.ones(shape, dtype)))
        if g is not None:
            p.grad = m.tensor(g.astype(dtype))
        ps.append(p)
    return ps


CLIPS = {
    "norm": lambda m, ps: m.nn.utils.clip_grad_norm_(ps, max_norm=1.0),
    "norm_not_reached": lambda m, ps: m.nn.utils.clip_grad_norm_(ps, 100.0),
    "norm_inf": lambda m, ps: m.nn.utils.clip_grad_norm_(ps, 2.0, norm_type=float("inf")),
    "norm_1": lambda m, ps: m.nn.utils.clip_grad_norm_(ps, 2.0, norm_type=1),
    "norm_3": lambda m, ps: m.nn.utils.clip_grad_norm_(iter(ps), 2.0, norm_type=3.0),
    "norm_one_tensor": lambda m, ps: m.nn.utils.clip_grad_norm_(ps[0], 0.5),
    "norm_no_grads": lambda m, ps: m.nn.utils.clip_grad_norm_(ps[2:], 0.5),
    "total_norm": lambda m, ps: m.nn.utils.get_total_norm([p.grad for p in ps[:2]], 2.0),
    "value": lambda m, ps: m.nn.utils.clip_grad_value_(ps, 1.5),
    "value_generator": lambda m, ps: m.nn.utils.clip_grad_value_((p for p in ps), 0.25),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CLIPS)
def test_clipping_matches_torch(torch, name, dtype) -> None:
    results = []
    for m in (nbgrad, torch):
        ps = _params(m, dtype)
        out = CLIPS[name](m, ps)
        results.append((repr(out), [None if p.grad is None else p.grad.numpy() for p in ps]))
    (nb_out, nb_grads), (t_out, t_grads) = results
    assert nb_out == t_out.replace("torch.", "nbgrad.")
    for a, b in zip(nb_grads, t_grads):
        if b is None:
            assert a is None
        else:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_scales_to_max_norm() -> None:
    ps = _params(nbgrad)
    grads = [p.grad for p in ps[:2]]
    total = nn.utils.clip_grad_norm_(ps, max_norm=2.0)
    assert total.item() == pytest.approx(np.sqrt(9 + 16 + 0.25 + 4 + 144 + 1), rel=1e-6)
    assert [p.grad for p in ps[:2]] == grads  # in place
    after = np.sqrt(sum((g.numpy() ** 2).sum() for g in grads))
    assert after == pytest.approx(2.0, rel=1e-5)
    v = grads[0]._version
    nn.utils.clip_grad_value_(ps, 0.1)
    assert grads[0]._version == v + 1
    assert np.abs(grads[0].numpy()).max() == pytest.approx(0.1)


def test_clip_grad_norm_in_training_matches_torch(torch) -> None:
    def make_opt(m, p):
        return m.optim.SGD(p, lr=0.5, momentum=0.9)

    def clip(m, ps):
        return m.nn.utils.clip_grad_norm_(ps, max_norm=0.5)

    nb = _train(nbgrad, make_opt, clip=clip)
    tr = _train(torch, make_opt, clip=clip)
    np.testing.assert_allclose(nb[0], tr[0], rtol=0, atol=1e-5)
    np.testing.assert_allclose(nb[3], tr[3], rtol=1e-5)
    assert max(nb[3]) > 0.5  # clipping did happen


def test_clipping_warnings_and_errors_match_torch(torch) -> None:
    def empty_generator(m):
        m.nn.utils.clip_grad_norm_((p for p in []), 1.0)

    def deprecated(m):
        m.nn.utils.clip_grad_norm(_params(m), 1.0)

    for fn in (empty_generator, deprecated):
        nb = _warnings_of(lambda f=fn: f(nbgrad))
        tr = _warnings_of(lambda f=fn: f(torch))
        assert nb == [(c, _nb_text(t)) for c, t in tr] and nb

    def nonfinite(m):
        ps = _params(m)
        with m.no_grad():
            ps[0].grad[0, 0] = float("inf")
        m.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)

    for norm_type in (2.0, "inf"):
        def fn(m, nt=norm_type):
            ps = _params(m)
            ps[1].grad = m.tensor([float("nan"), 1.0])
            m.nn.utils.clip_grad_norm_(ps, 1.0, norm_type=float(nt), error_if_nonfinite=True)

        expected = _error(lambda: fn(torch))
        assert expected is not None and _error(lambda: fn(nbgrad)) == expected
    expected = _error(lambda: nonfinite(torch))
    assert expected is not None and _error(lambda: nonfinite(nbgrad)) == expected
