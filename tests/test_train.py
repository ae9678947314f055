"""The training-loop lesson end to end: an MLP learns two moons; fit's history, batching
and progress bar."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import nbgrad
from nbgrad import nn, optim
from nbgrad.data import make_line, make_moons
from nbgrad.train import History, fit


def _accuracy(model, X, y) -> float:
    with nbgrad.no_grad():
        return ((model(X).squeeze(1) > 0).long() == y).float().mean().item()


def _train_moons(steps: int):
    X, y = make_moons(200, noise=0.1, seed=0)
    nbgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()
    target = y.float().unsqueeze(1)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(X), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, losses, _accuracy(model, X, y)


def test_two_layer_mlp_learns_two_moons() -> None:
    """The lesson's loop, written out by hand: >= 95% training accuracy in 200 steps."""
    _, losses, acc = _train_moons(200)
    assert acc >= 0.95
    assert losses[-1] < 0.1 < losses[0]


def test_training_is_deterministic() -> None:
    m1, l1, _ = _train_moons(30)
    m2, l2, _ = _train_moons(30)
    assert l1 == l2
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())


def test_fit_learns_moons_with_cross_entropy_in_minibatches() -> None:
    X, y = make_moons(200, noise=0.1, seed=0)
    nbgrad.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=0.02)
    epochs_seen = []
    history = fit(model, nn.CrossEntropyLoss(), opt, X, y, epochs=40, batch_size=32,
                  progress=False, callback=lambda e, loss: epochs_seen.append(e))
    assert isinstance(history, History)
    assert len(history) == 40 and len(history.step_loss) == 40 * 7
    assert epochs_seen == list(range(40))
    assert history[-1] < history[0] / 3
    with nbgrad.no_grad():
        acc = (model(X).argmax(1) == y).float().mean().item()
    assert acc >= 0.95
    assert "epochs=40" in repr(history)


def test_fit_epoch_loss_is_the_sample_weighted_mean() -> None:
    X, y = make_line(10, seed=0)
    model = nn.Linear(1, 1)
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.0), X, y,
                  epochs=1, batch_size=4, shuffle=False, progress=False)
    sizes = [4, 4, 2]
    assert history.loss[0] == pytest.approx(
        sum(s * v for s, v in zip(sizes, history.step_loss)) / 10)
    with nbgrad.no_grad():
        assert history.loss[0] == pytest.approx(nn.MSELoss()(model(X), y).item(), rel=1e-6)


def test_fit_shuffles_with_the_seeded_generator() -> None:
    X, y = make_line(50, seed=0)

    def run():
        nbgrad.manual_seed(3)
        model = nn.Linear(1, 1)
        return fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), X, y,
                   epochs=3, batch_size=8, progress=False).step_loss

    assert run() == run()


def test_fit_puts_the_model_in_training_mode() -> None:
    X, y = make_line(10, seed=0)
    model = nn.Sequential(nn.Linear(1, 1))
    model.eval()
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), X, y, epochs=1,
        progress=False)
    assert model.training


def test_fit_rejects_mismatched_data() -> None:
    model = nn.Linear(1, 1)
    with pytest.raises(ValueError, match="different numbers of samples"):
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), nbgrad.ones(3, 1),
            nbgrad.ones(4, 1), progress=False)


def test_fit_shows_a_tqdm_bar(capsys) -> None:
    pytest.importorskip("tqdm")
    X, y = make_line(20, seed=0)
    model = nn.Linear(1, 1)
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), X, y, epochs=5,
        desc="line")
    err = capsys.readouterr().err
    assert "line" in err and "5/5" in err and "loss=" in err


def test_import_stays_light() -> None:
    """nbgrad, its nn, optim and train modules import only NumPy; tqdm loads on first fit."""
    code = (
        "import sys, nbgrad, nbgrad.nn, nbgrad.optim, nbgrad.train, nbgrad.data\n"
        "heavy = [m for m in ('tqdm', 'IPython', 'ipywidgets', 'torch', 'matplotlib')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
