"""``fit``: the training loop of the lessons, with a progress bar and a loss history.

``fit`` runs exactly the loop a lesson writes by hand, once per mini-batch::

    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()

and records the loss, so that after ``history = fit(...)`` a plot of ``history.loss`` shows
the curve. The bar is ``tqdm.auto`` (a widget in Jupyter, text in a terminal), imported only
when a bar is asked for; without tqdm installed, training runs without one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from nbgrad._creation import default_generator
from nbgrad._tensor import Tensor, _wrap

__all__ = ["fit", "History"]


class History:
    """The losses of a training run: ``loss[e]`` is the mean loss over epoch ``e`` (weighted
    by batch size), ``step_loss`` the loss of every optimizer step. Indexing, ``len`` and
    iteration go over the epoch losses."""

    def __init__(self) -> None:
        self.loss: list[float] = []
        self.step_loss: list[float] = []

    def __len__(self) -> int:
        return len(self.loss)

    def __getitem__(self, index: Any) -> Any:
        return self.loss[index]

    def __iter__(self) -> Iterator[float]:
        return iter(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        return (f"History(epochs={len(self.loss)}, steps={len(self.step_loss)}, "
                f"first_loss={self.loss[0]:.4f}, last_loss={self.loss[-1]:.4f})")


def _progress_bar(epochs: int, progress: bool, desc: str | None) -> Any:
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional: the notebook and train extras install it
        return None
    return tqdm(total=epochs, desc=desc, unit="epoch")


def _batches(X: Tensor, y: Tensor, batch_size: int | None, shuffle: bool) -> Iterator[tuple]:
    n = len(X)
    if batch_size is None or batch_size >= n:
        yield X, y
        return
    if shuffle:
        order = _wrap(default_generator.rng.permutation(n).astype(np.int64))
        X, y = X[order], y[order]
    for start in range(0, n, batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]


def fit(
    model: Callable[[Tensor], Tensor],
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: Any,
    X: Tensor,
    y: Tensor,
    *,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    progress: bool = True,
    desc: str | None = None,
    callback: Callable[[int, float], Any] | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` for ``epochs`` passes and return the loss ``History``.

    ``batch_size=None`` takes the whole data set as one batch (full-batch gradient descent);
    otherwise each epoch visits the data in mini-batches, shuffled with nbgrad's seeded
    generator when ``shuffle``. ``callback(epoch, epoch_loss)``, if given, runs after every
    epoch (to record accuracy, say). ``progress=False`` turns the bar off.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y hold different numbers of samples: {len(X)} and {len(y)}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size should be a positive integer, but got {batch_size}")
    train = getattr(model, "train", None)
    if callable(train):
        train()
    history = History()
    bar = _progress_bar(epochs, progress, desc)
    try:
        for epoch in range(epochs):
            total, seen = 0.0, 0
            for xb, yb in _batches(X, y, batch_size, shuffle):
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                value = loss.item()
                history.step_loss.append(value)
                total += value * len(xb)
                seen += len(xb)
            epoch_loss = total / seen if seen else float("nan")
            history.loss.append(epoch_loss)
            if bar is not None:
                bar.set_postfix(loss=f"{epoch_loss:.4f}", refresh=False)
                bar.update(1)
            if callback is not None:
                callback(epoch, epoch_loss)
    finally:
        if bar is not None:
            bar.close()
    return history
