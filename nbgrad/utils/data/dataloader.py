"""``DataLoader``, as in ``torch.utils.data.dataloader``: batches of a dataset, one per step
of a training loop.

A loader asks its sampler for indices (in order, or shuffled with ``shuffle=True``), groups
them into batches of ``batch_size`` (its batch sampler), reads those samples from the dataset
and collates them into one batch (``default_collate``: ``TensorDataset(X, y)`` gives
``[X_batch, y_batch]``). Its checks and errors are torch's, word for word.

Two differences from torch, both deliberate:

- ``shuffle=True`` draws its orders from nbgrad's generator: ``nbgrad.manual_seed(s)`` makes
  them the same on every run, but they are not the orders torch draws after
  ``torch.manual_seed(s)`` (torch's generator is another algorithm). As in torch, each pass
  over a loader takes one number from the generator (``generator``, else the default one)
  whether or not it shuffles.
- ``num_workers > 0`` loads in this process, one batch after another, never in worker
  processes: a lesson's data is small, and the batches, their order and ``len(loader)`` are
  those torch gives. What needs real workers (``worker_init_fn``, an ``IterableDataset``
  shared out between workers) raises ``NotImplementedError`` saying so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from nbgrad._creation import Generator, _rng
from nbgrad.utils.data.collate import default_collate, default_convert
from nbgrad.utils.data.dataset import Dataset, IterableDataset
from nbgrad.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
           "persistent_workers")


def get_worker_info() -> None:
    """Information about the worker process loading data: always None in nbgrad, whose
    loaders load in the main process (torch returns None there too)."""
    return None


class _InfiniteConstantSampler(Sampler[None]):
    """What an ``IterableDataset``'s loader samples: None forever (the dataset decides)."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader(Generic[_T_co]):
    """Batches of ``dataset``: ``for X, y in DataLoader(TensorDataset(X, y), batch_size=32,
    shuffle=True)``.

    ``len(loader)`` is the number of batches (the last one shorter unless ``drop_last``).
    ``batch_size=None`` turns batching off: each sample comes alone, its NumPy values made
    tensors. ``sampler`` gives the order of the indices, ``batch_sampler`` the batches
    themselves (and then ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last`` must be
    left alone). ``collate_fn`` makes a batch of a list of samples.

    ``shuffle=True`` shuffles with nbgrad's generator (``generator``, else the default one
    that ``nbgrad.manual_seed`` seeds): reproducible, but not torch's order. ``num_workers``
    is accepted and the data loaded in this process (see the module's docstring);
    ``pin_memory``, ``timeout`` and the other multiprocessing options are accepted and
    change nothing.
    """

    dataset: Dataset[_T_co]
    batch_size: int | None
    num_workers: int
    drop_last: bool
    sampler: Sampler | Iterable
    __initialized = False

    def __init__(
        self,
        dataset: Dataset[_T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler[list] | Iterable[list] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None.")
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError(
                "multiprocessing_context can only be used with multi-process loading "
                f"(num_workers > 0), but got num_workers={num_workers}")
        if num_workers > 0 and worker_init_fn is not None:
            raise NotImplementedError(
                "nbgrad's DataLoader loads in the main process, with no worker processes: "
                "worker_init_fn would never be called. Use num_workers=0.")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if num_workers > 0:
                raise NotImplementedError(
                    "nbgrad's DataLoader loads in the main process, with no worker processes: "
                    "an IterableDataset cannot be shared out between workers. "
                    "Use num_workers=0.")
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called: int | None = None

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in _FROZEN:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        # what the iterator reads: batches of indices when batching, else single indices
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self) -> _SingleProcessDataLoaderIter:
        return _SingleProcessDataLoaderIter(self)

    def __len__(self) -> int:
        if self._iterable:
            length = self._IterableDataset_len_called = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter:
    """One pass over a ``DataLoader``: each ``next`` reads and collates one batch."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._collate_fn = loader.collate_fn
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        # torch draws a base seed for its workers at every pass, shuffling or not: draw it
        # too, so that the numbers a lesson draws after a pass are those it would draw
        # with nbgrad's generator advanced as torch's is
        _rng(loader.generator).integers(0, 2**63 - 1)
        self._num_yielded = 0
        self._dataset_iter = iter(self._dataset) if self._iterable else None  # type: ignore[call-overload]
        self._ended = False

    def __iter__(self) -> _SingleProcessDataLoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __next__(self) -> Any:
        index = next(self._sampler_iter)  # StopIteration ends the pass
        data = self._fetch_iterable(index) if self._iterable else self._fetch(index)
        self._num_yielded += 1
        if (self._iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{self._IterableDataset_len_called}(when accessing "
                          f"len(dataloader)), but {self._num_yielded} samples have been "
                          "fetched. ", stacklevel=2)
        return data

    def _fetch(self, index: Any) -> Any:
        dataset = self._dataset
        if not self._auto_collation:
            return self._collate_fn(dataset[index])
        getitems = getattr(dataset, "__getitems__", None)
        if getitems:  # a Subset reads a batch at once
            return self._collate_fn(getitems(index))
        return self._collate_fn([dataset[i] for i in index])

    def _fetch_iterable(self, index: Any) -> Any:
        if self._ended:
            raise StopIteration
        if not self._auto_collation:
            return self._collate_fn(next(self._dataset_iter))  # type: ignore[arg-type]
        data = []
        for _ in index:
            try:
                data.append(next(self._dataset_iter))  # type: ignore[arg-type]
            except StopIteration:
                self._ended = True
                break
        if not data or (self._drop_last and len(data) < len(index)):
            raise StopIteration
        return self._collate_fn(data)

    def __getstate__(self) -> Any:
        raise NotImplementedError("{} cannot be pickled", self.__class__.__name__)
