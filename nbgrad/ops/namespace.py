"""The functions backward formulas call, computing on nbgrad tensors.

Under ``create_graph=True`` every formula runs with this namespace instead of NumPy's (see
``autograd.engine._NumpyNamespace``, which has the same names), so the backward pass is itself
made of recorded ops and can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.ops import cumulative, pointwise, reduce, shape, trig

__all__ = ["TENSOR_NAMESPACE"]


def _t(x: Any) -> Any:
    return _wrap(np.asarray(x)) if isinstance(x, np.ndarray) else x


class _TensorNamespace:
    cos = staticmethod(pointwise.cos)
    sin = staticmethod(pointwise.sin)
    exp = staticmethod(pointwise.exp)
    log = staticmethod(pointwise.log)
    sign = staticmethod(pointwise.sign)  # in the graph, as torch's sgn is (its slope is 0)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Tensor:
        return pointwise.where(_t(cond), a, b)

    @staticmethod
    def keep(cond: Any, g: Tensor) -> Tensor:
        return pointwise.where(_t(cond), g, 0)

    @staticmethod
    def matmul(a: Tensor, b: Tensor) -> Tensor:
        from nbgrad.ops.linalg import matmul

        return matmul(a, b)

    @staticmethod
    def mT(x: Tensor) -> Tensor:  # noqa: N802 - torch's name
        return shape.transpose(x, -2, -1)

    @staticmethod
    def sum_to(g: Tensor, size: tuple) -> Tensor:
        return shape.sum_to_size(g, size)

    @staticmethod
    def mask(cond: Any, like: Tensor) -> Tensor:
        data = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
        return _wrap(data.astype(like._data.dtype))

    @staticmethod
    def zeros(size: tuple, like: Tensor) -> Tensor:
        return _wrap(np.zeros(size, dtype=like._data.dtype))

    @staticmethod
    def expand(g: Tensor, size: tuple) -> Tensor:
        return shape.expand(g, size)

    @staticmethod
    def reshape(g: Tensor, size: tuple) -> Tensor:
        return shape.reshape(g, size)

    @staticmethod
    def sum(g: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
        return reduce.sum(g, dim, keepdim)

    @staticmethod
    def permute(g: Tensor, dims: tuple) -> Tensor:
        return shape.permute(g, dims)

    @staticmethod
    def transpose(g: Tensor, d0: int, d1: int) -> Tensor:
        return shape.transpose(g, d0, d1)

    @staticmethod
    def unsqueeze(g: Tensor, dim: int) -> Tensor:
        return shape.unsqueeze(g, dim)

    @staticmethod
    def squeeze(g: Tensor, dim: int) -> Tensor:
        return shape.squeeze(g, dim)

    @staticmethod
    def index_put(size: tuple, index: Any, g: Tensor, accumulate: bool) -> Tensor:
        return shape.index_put_zeros(size, index, g, accumulate)

    @staticmethod
    def index(g: Tensor, index: Any) -> Tensor:
        return shape.getitem(g, index if isinstance(index, tuple) else (index,))

    @staticmethod
    def split(g: Tensor, sizes: list[int], dim: int) -> list[Tensor]:
        out, start = [], 0
        for n in sizes:
            out.append(shape.getitem(g, (slice(None),) * dim + (slice(start, start + n),)))
            start += n
        return out

    @staticmethod
    def unbind(g: Tensor, dim: int) -> list[Tensor]:
        return [shape.getitem(g, (slice(None),) * dim + (i,)) for i in range(g.shape[dim])]

    @staticmethod
    def cast(g: Tensor, dtype: Any) -> Tensor:
        return g.to(dtype)

    # -- for the backward of trig, cumulative (prod, cumsum, cumprod) ----------------
    cosh = staticmethod(trig.cosh)
    sinh = staticmethod(trig.sinh)
    tanh = staticmethod(pointwise.tanh)
    erf = staticmethod(trig.erf)

    @staticmethod
    def cumsum(t: Tensor, dim: int) -> Tensor:
        return cumulative.cumsum(t, dim)

    @staticmethod
    def cumprod(t: Tensor, dim: int) -> Tensor:
        return cumulative.cumprod(t, dim)

    @staticmethod
    def prod(t: Tensor, dims: Any, keepdim: bool = False) -> Tensor:
        return cumulative.prod_dims(t, dims, keepdim)
    @staticmethod
    def flip(g: Tensor, dims: tuple) -> Tensor:
        from nbgrad.ops.tiling import flip

        return flip(g, dims)


TENSOR_NAMESPACE = _TensorNamespace()
