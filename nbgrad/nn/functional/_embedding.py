"""``embedding``: look up rows of a weight matrix by index (a table of learned vectors, one
per word or category); its node ``EmbeddingBackward0`` adds each incoming gradient row back
into the row it was read from."""

from __future__ import annotations

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import no_grad
from nbgrad._tensor import Tensor
from nbgrad.autograd.graph import bump_version
from nbgrad.ops._core import Node, check_tensor, record


class EmbeddingBackward0(Node):
    """``weight[indices]``: the gradient of row ``i`` of the weight is the sum of the
    gradients of the outputs read from row ``i`` (none for ``padding_idx``; divided by how
    often ``i`` was read with ``scale_grad_by_freq``)."""

    __slots__ = ()

    def vjp(self, F, g, indices, num_weights, padding_idx, scale_grad_by_freq):
        idx = indices if isinstance(indices, np.ndarray) else indices._data
        flat = idx.reshape(-1)
        dim = g.shape[-1]
        rows = F.reshape(g, (flat.size, dim))
        factor = None  # what each gradient row is multiplied by, when not 1
        if padding_idx >= 0:
            factor = (flat != padding_idx)[:, None]
        if scale_grad_by_freq:
            counts = np.bincount(flat, minlength=num_weights)[flat][:, None]
            factor = 1.0 / counts if factor is None else factor / counts
        if factor is not None:
            rows = rows * F.mask(factor, rows)
        return (F.index_put((num_weights, dim), (flat,), rows, True),)


def _index_type_name(d: _dtype.dtype) -> str:
    """How torch names a tensor type in this message (bool has its own spelling)."""
    if d.name == "bool":
        return "CPUBoolType"
    return f"nbgrad.{_dtype._legacy_type_name(d)}"


def _padding(padding_idx: int | None, num: int) -> int:
    """torch's ``padding_idx`` checks; -1 for none."""
    if padding_idx is None:
        return -1
    if padding_idx > 0 and padding_idx >= num or padding_idx < 0 and padding_idx < -num:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num if padding_idx < 0 else padding_idx


def _renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's ``embedding_renorm_``: the rows read whose norm exceeds ``max_norm`` are
    scaled down to it, in place and outside the graph."""
    with no_grad():
        w = weight._storage()
        rows = np.unique(idx)
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        if big.any():
            scale = max_norm / (norms[big] + 1e-7)
            w[rows[big]] *= scale[:, None].astype(w.dtype)
            bump_version(weight)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``weight[input]``: for each index of ``input`` (int64 or int32), that row of
    ``weight``; the result has shape ``input.shape + (embedding_dim,)``."""
    check_tensor(weight, "embedding", "weight", 1)
    pad = _padding(padding_idx, weight.shape[0])
    check_tensor(input, "embedding", "indices", 2)
    if padding_idx is not None and (isinstance(padding_idx, bool)
                                    or not isinstance(padding_idx, (int, np.integer))):
        raise TypeError("embedding(): argument 'padding_idx' (position 3) must be int, not "
                        f"{type(padding_idx).__name__}")
    if sparse:
        raise NotImplementedError("nbgrad has no sparse gradients: use sparse=False")
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_index_type_name(input.dtype)} instead (while "
            "checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
        w = weight._data
    data = w[idx]  # fancy indexing: a copy, as torch's index_select
    return record(EmbeddingBackward0, data, (weight,),
                  (input, w.shape[0], pad, bool(scale_grad_by_freq)))
