"""The ``(values, indices)`` results of ``max(dim)``, ``min(dim)``, ``sort``, ``topk``,
``median``, ``nanmedian``, ``kthvalue`` and ``mode``, and the ``(min, max)`` of ``aminmax``,
under the names torch gives them (``torch.return_types.max``...)."""

from nbgrad.ops.order_stats import AminmaxResult as aminmax
from nbgrad.ops.order_stats import KthvalueResult as kthvalue
from nbgrad.ops.order_stats import MedianResult as median
from nbgrad.ops.order_stats import ModeResult as mode
from nbgrad.ops.order_stats import NanmedianResult as nanmedian
from nbgrad.ops.reduce import MaxResult as max  # noqa: A004 - torch's name
from nbgrad.ops.reduce import MinResult as min  # noqa: A004 - torch's name
from nbgrad.ops.sorting import SortResult as sort
from nbgrad.ops.sorting import TopkResult as topk

__all__ = ["max", "min", "sort", "topk", "aminmax", "kthvalue", "median", "mode", "nanmedian"]
