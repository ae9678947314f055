"""Small datasets for lessons, generated here (nothing is downloaded).

Each function returns ``(X, y)`` as nbgrad tensors: ``X`` is float32 of shape
``(n_samples, n_features)``; ``y`` holds int64 class labels for the classification sets
(ready for ``CrossEntropyLoss``; use ``y.float()`` for ``BCEWithLogitsLoss``) and float32
targets of shape ``(n_samples, 1)`` for the regression line. With ``seed`` the result is the
same on every run; without, the numbers come from nbgrad's generator (``manual_seed``).
"""

from __future__ import annotations

import math

import numpy as np

from nbgrad._creation import default_generator
from nbgrad._tensor import Tensor, _wrap

__all__ = ["make_moons", "make_blobs", "make_line"]


def _rng(seed: int | None) -> np.random.Generator:
    if seed is None:
        return default_generator.rng
    return np.random.Generator(np.random.PCG64(seed))


def _split(n_samples: int, parts: int) -> list[int]:
    """``n_samples`` shared out as evenly as possible, the first parts getting the extras."""
    if n_samples < 0:
        raise ValueError(f"n_samples must be non-negative, got {n_samples}")
    return [n_samples // parts + (1 if i < n_samples % parts else 0) for i in range(parts)]


def make_moons(n_samples: int = 200, noise: float = 0.1,
               seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles: class 0 the upper arc (centre (0, 0)), class 1 the
    lower arc (centre (1, 0.5)), with Gaussian noise of std ``noise`` added to each point.
    Not linearly separable: a model needs a hidden layer to learn it."""
    rng = _rng(seed)
    n_upper, n_lower = _split(n_samples, 2)
    a = np.linspace(0, math.pi, n_upper)
    b = np.linspace(0, math.pi, n_lower)
    upper = np.stack([np.cos(a), np.sin(a)], axis=1)
    lower = np.stack([1 - np.cos(b), 0.5 - np.sin(b)], axis=1)
    X = np.concatenate([upper, lower])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return _wrap(X.astype(np.float32)), _wrap(y)


def make_blobs(n_samples: int = 200, centers: int = 3, n_features: int = 2,
               cluster_std: float = 1.0, center_box: tuple[float, float] = (-10.0, 10.0),
               seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Gaussian clusters around ``centers`` random centres (uniform in ``center_box``);
    the label of a point is the index of its cluster."""
    rng = _rng(seed)
    if centers < 1:
        raise ValueError(f"centers must be at least 1, got {centers}")
    lo, hi = center_box
    middle = rng.uniform(lo, hi, (centers, n_features))
    sizes = _split(n_samples, centers)
    y = np.repeat(np.arange(centers, dtype=np.int64), sizes)
    X = middle[y] + rng.normal(0.0, cluster_std, (n_samples, n_features))
    order = rng.permutation(n_samples)
    return _wrap(X[order].astype(np.float32)), _wrap(y[order])


def make_line(n_samples: int = 100, slope: float = 2.0, intercept: float = 1.0,
              noise: float = 0.1, x_range: tuple[float, float] = (-1.0, 1.0),
              seed: int | None = None) -> tuple[Tensor, Tensor]:
    """Points near the line ``y = slope * x + intercept``: ``x`` uniform in ``x_range``,
    Gaussian noise of std ``noise`` on ``y``. Both are float32 of shape ``(n_samples, 1)``,
    ready for ``Linear(1, 1)`` and ``MSELoss``."""
    rng = _rng(seed)
    x = rng.uniform(x_range[0], x_range[1], (n_samples, 1))
    y = slope * x + intercept + rng.normal(0.0, noise, (n_samples, 1))
    return _wrap(x.astype(np.float32)), _wrap(y.astype(np.float32))
