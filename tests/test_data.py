"""nbgrad.data: small seeded datasets, generated in the package."""

from __future__ import annotations

import numpy as np
import pytest

import nbgrad
from nbgrad.data import make_blobs, make_line, make_moons

MAKERS = [make_moons, make_blobs, make_line]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data(make) -> None:
    X1, y1 = make(n_samples=50, seed=3)
    X2, y2 = make(n_samples=50, seed=3)
    X3, _ = make(n_samples=50, seed=4)
    assert np.array_equal(X1.numpy(), X2.numpy()) and np.array_equal(y1.numpy(), y2.numpy())
    assert not np.array_equal(X1.numpy(), X3.numpy())


@pytest.mark.parametrize("make", MAKERS)
def test_without_seed_manual_seed_decides(make) -> None:
    nbgrad.manual_seed(7)
    X1, _ = make(n_samples=20)
    nbgrad.manual_seed(7)
    X2, _ = make(n_samples=20)
    assert np.array_equal(X1.numpy(), X2.numpy())


def test_moons() -> None:
    X, y = make_moons(n_samples=101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and X.dtype is nbgrad.float32
    assert y.shape == (101,) and y.dtype is nbgrad.int64
    assert sorted(set(y.tolist())) == [0, 1] and int(y.sum()) == 50
    x, lab = X.numpy(), y.numpy()
    upper, lower = x[lab == 0], x[lab == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    Xn, _ = make_moons(n_samples=101, noise=0.2, seed=0)
    assert not np.allclose(Xn.numpy(), X.numpy())


def test_blobs() -> None:
    X, y = make_blobs(n_samples=300, centers=4, n_features=3, cluster_std=0.5, seed=1)
    assert X.shape == (300, 3) and X.dtype is nbgrad.float32 and y.dtype is nbgrad.int64
    assert np.bincount(y.numpy()).tolist() == [75, 75, 75, 75]
    for c in range(4):
        pts = X.numpy()[y.numpy() == c]
        assert pts.std(axis=0).mean() == pytest.approx(0.5, rel=0.2)


def test_line() -> None:
    X, y = make_line(n_samples=500, slope=-3.0, intercept=0.5, noise=0.05, seed=2)
    assert X.shape == y.shape == (500, 1)
    assert X.dtype is y.dtype is nbgrad.float32
    slope, intercept = np.polyfit(X.numpy()[:, 0], y.numpy()[:, 0], 1)
    assert slope == pytest.approx(-3.0, abs=0.02) and intercept == pytest.approx(0.5, abs=0.02)
    assert X.numpy().min() >= -1 and X.numpy().max() <= 1
