"""The ``(values, indices)`` results of ``max(dim)``, ``min(dim)``, ``sort`` and ``topk``,
under the names torch gives them (``torch.return_types.max``...)."""

from nbgrad.ops.reduce import MaxResult as max  # noqa: A004 - torch's name
from nbgrad.ops.reduce import MinResult as min  # noqa: A004 - torch's name
from nbgrad.ops.sorting import SortResult as sort
from nbgrad.ops.sorting import TopkResult as topk

__all__ = ["max", "min", "sort", "topk"]
