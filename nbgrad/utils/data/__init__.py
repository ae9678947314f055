"""``nbgrad.utils.data``, as ``torch.utils.data``: datasets, samplers and the ``DataLoader``
that a training loop reads its batches from::

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
    for xb, yb in loader:
        ...

The datasets of ``nbgrad.data`` (``make_moons``...) return tensors, ready for
``TensorDataset``.
"""

from nbgrad.utils.data.collate import default_collate, default_convert
from nbgrad.utils.data.dataloader import DataLoader, get_worker_info
from nbgrad.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from nbgrad.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "default_collate",
           "default_convert", "get_worker_info", "random_split"]

