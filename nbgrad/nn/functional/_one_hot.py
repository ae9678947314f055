"""``one_hot``: class indices (int64) as rows of zeros with a one at each index."""

from __future__ import annotations

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.ops._core import check_tensor


def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:
    """A tensor of shape ``(*input.shape, num_classes)``, int64, that is 1 where the last
    index equals the class in ``input`` and 0 elsewhere; ``num_classes=-1`` takes one more
    than the largest class."""
    from nbgrad._size_args import _is_index, _tp_name

    check_tensor(input, "one_hot")
    if isinstance(num_classes, bool) or not _is_index(num_classes):
        raise TypeError(f"one_hot(): argument 'num_classes' (position 2) must be int, not "
                        f"{_tp_name(num_classes)}")
    n = int(num_classes._data) if isinstance(num_classes, Tensor) else int(num_classes)
    x = input._data
    if x.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if x.size == 0:
        if n <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _wrap(np.zeros(x.shape + (n,), dtype=np.int64))
    if x.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    top = int(x.max())
    if n == -1:
        n = top + 1
    elif top >= n:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return _wrap((x[..., None] == np.arange(n)).astype(np.int64))

