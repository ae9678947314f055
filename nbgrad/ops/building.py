"""Building and reshaping tensors from others: grids (``meshgrid``), broadcasting
(``broadcast_to``, ``broadcast_tensors``), stacking (``hstack``, ``vstack``, ``dstack``,
``column_stack``, ``row_stack``, ``atleast_1d``...), and moving elements (``narrow``,
``movedim``, ``roll``, ``rot90``, ``diff``).

Most are compositions of ops that have their own backward (views, ``expand``, ``cat``,
slices and a subtraction), as in torch, so their graphs show the same nodes. ``roll`` and
``rot90`` are primitives: their gradient is the output's gradient rolled, or rotated, back.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad.ops._args import int_arg, int_list_arg
from nbgrad.ops._core import Node, Tensor, _broadcast_error, check_tensor, record, wrap_dim
from nbgrad.ops.shape import _tensor_list, cat, expand, permute, reshape, unsqueeze

__all__ = ["meshgrid", "broadcast_to", "broadcast_tensors", "hstack", "vstack", "row_stack",
           "dstack", "column_stack", "atleast_1d", "atleast_2d", "atleast_3d", "narrow",
           "movedim", "moveaxis", "roll", "rot90", "diff"]


# --- grids and broadcasting ----------------------------------------------------------------


def _tensors(args: tuple, fn: str) -> list[Tensor]:
    """``f(a, b)`` or ``f([a, b])``: the tensors, as torch's Python wrappers read them."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    return _tensor_list(list(args), fn)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Grids of coordinates: the ``i``-th output repeats the ``i``-th vector along every other
    dimension. ``indexing="ij"`` gives shape ``(len(a), len(b))``, ``"xy"`` (Cartesian, as
    NumPy's default) ``(len(b), len(a))``."""
    ts = _tensors(tensors, "meshgrid")
    if indexing is None:
        warnings.warn("nbgrad.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in ts:
        if t.dtype != ts[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in ts:
        if t.ndim > 1:
            raise RuntimeError("nbgrad.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a {t.ndim}D tensor of shape {list(t.shape)}")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'nbgrad.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:  # Cartesian: the first two swap places, and so do their grids
        ts[0], ts[1] = ts[1], ts[0]
    size = tuple(t.numel() for t in ts)
    grids = []
    for i, t in enumerate(ts):
        shape = [1] * len(ts)
        shape[i] = -1
        grids.append(expand(t.view(tuple(shape)), size))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """``input`` expanded to ``size`` (a view): what broadcasting does before an op."""
    check_tensor(input, "broadcast_to")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"broadcast_to(): argument 'size' (position 2) must be tuple of ints, "
                        f"not {type(size).__name__}")
    return expand(input, tuple(int_list_arg(size, "broadcast_to", "size", 2)))


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded to their common shape; one already of that shape comes back as
    itself."""
    ts = _tensors(tensors, "broadcast_tensors")
    shape: tuple = ()
    for t in ts:
        try:
            shape = np.broadcast_shapes(shape, tuple(t.shape))
        except ValueError:
            raise _broadcast_error(shape, tuple(t.shape)) from None
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in ts)


# --- stacking ------------------------------------------------------------------------------


def _at_least(n: int, tensors: tuple, fn: str) -> Any:
    one = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if not tensors:
        return ()
    ts = [tensors[0]] if one else _tensors(tensors, fn)
    out = []
    for t in ts:
        if t.ndim >= n:
            out.append(t)
        elif t.ndim == 0:
            out.append(reshape(t, (1,) * n))
        elif n == 2 or t.ndim == 2:  # a row of a matrix; a matrix on a depth of one
            out.append(unsqueeze(t, 0 if t.ndim == 1 else -1))
        else:  # a vector in three dimensions: (1, n, 1)
            out.append(unsqueeze(unsqueeze(t, 0), -1))
    return out[0] if one else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """A 0-d tensor as a vector of one; others as they are. Several tensors give a tuple."""
    return _at_least(1, tensors, "atleast_1d")


def atleast_2d(*tensors: Any) -> Any:
    """A 0-d tensor as a 1x1 matrix, a vector as a row; others as they are."""
    return _at_least(2, tensors, "atleast_2d")


def atleast_3d(*tensors: Any) -> Any:
    """A 0-d tensor as 1x1x1, a vector as (1, n, 1), a matrix as (m, n, 1)."""
    return _at_least(3, tensors, "atleast_3d")


def _stack_list(tensors: Any, fn: str) -> list[Tensor]:
    ts = _tensor_list(tensors, fn)
    if not ts:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return ts


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join side by side: vectors end to end, matrices along their columns (dimension 1)."""
    ts = list(atleast_1d(tuple(_stack_list(tensors, "hstack"))))
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join one under the other: vectors become the rows of a matrix."""
    return cat(list(atleast_2d(tuple(_stack_list(tensors, "vstack")))), 0)


def row_stack(tensors: Sequence[Tensor]) -> Tensor:
    """``vstack`` under its older name."""
    return cat(list(atleast_2d(tuple(_stack_list(tensors, "row_stack")))), 0)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the depth (dimension 2), after making each at least 3-d."""
    return cat(list(atleast_3d(tuple(_stack_list(tensors, "dstack")))), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Vectors become the columns of a matrix; matrices join along their columns."""
    ts = _stack_list(tensors, "column_stack")
    return cat([reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in ts], 1)


# --- moving elements -----------------------------------------------------------------------


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``length`` elements of dimension ``dim`` from ``start`` on (a view: a slice)."""
    from nbgrad.ops.shape import _slice

    check_tensor(input, "narrow")
    dim = int_arg(dim, "narrow", "dim", 2)
    start = int_arg(start, "narrow", "start", 3)
    length = int_arg(length, "narrow", "length", 4)
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return _slice(input, d, slice(start, start + length))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dimension(s) ``source`` to place(s) ``destination``, the others keeping their
    order (a view: a permute)."""
    check_tensor(input, "movedim")
    one = isinstance(source, int) and isinstance(destination, int)
    if not one and not (isinstance(source, (tuple, list)) and
                        isinstance(destination, (tuple, list))):
        from nbgrad._method_args import arg_type_text as describe

        ints = (isinstance(source, int), isinstance(destination, int))
        seqs = (isinstance(source, (tuple, list)), isinstance(destination, (tuple, list)))
        first = ", ".join(describe(a) if ok else f"!{describe(a)}!"
                          for a, ok in zip((source, destination), ints))
        second = ", ".join(describe(a) if ok else f"!{describe(a)}!"
                           for a, ok in zip((source, destination), seqs))
        raise TypeError(
            f"movedim() received an invalid combination of arguments - got (Tensor, "
            f"{type(source).__name__}, {type(destination).__name__}), but expected one of:\n"
            f" * (Tensor input, int source, int destination)\n"
            f"      didn't match because some of the arguments have invalid types: (Tensor, "
            f"{first})\n"
            f" * (Tensor input, tuple of ints source, tuple of ints destination)\n"
            f"      didn't match because some of the arguments have invalid types: (Tensor, "
            f"{second})\n")
    src = [source] if one else list(source)
    dst = [destination] if one else list(destination)
    n = input.ndim
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} "
                           "dims)")
    src = [wrap_dim(d, n) for d in src]
    dst = [wrap_dim(d, n) for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    order = [-1] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(n) if d not in src)
    order = [next(rest) if o == -1 else o for o in order]
    return permute(input, order)


moveaxis = movedim


class RollBackward0(Node):
    __slots__ = ()

    def vjp(self, F, g, shifts, dims):
        back = tuple(-s for s in shifts)
        if g.__class__ is np.ndarray:
            return (np.roll(g, back[0] if dims is None else back, dims),)
        return (roll(g, back, dims),)


def _as_ints(v: Any, fn: str, arg: str, pos: int) -> list[int]:
    if isinstance(v, (tuple, list)):
        return int_list_arg(v, fn, arg, pos)
    return [int_arg(v, fn, arg, pos)]


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift the elements ``shifts`` places along ``dims`` (those falling off one end come
    back at the other); without ``dims``, along the flattened tensor, in its shape."""
    check_tensor(input, "roll")
    sh = _as_ints(shifts, "roll", "shifts", 2)
    ds = [] if dims is None else _as_ints(dims, "roll", "dims", 3)
    if len(sh) != len(ds) and not (not ds and len(sh) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:"
                           f"{len(ds)}")
    x = input._data
    if not ds:
        data = np.roll(x, sh[0])
        return record(RollBackward0, data, (input,), (tuple(sh), None))
    ds = [wrap_dim(d, x.ndim) for d in ds]
    data = np.roll(x, sh, ds)
    return record(RollBackward0, data, (input,), (tuple(sh), tuple(ds)))


class Rot90Backward0(Node):
    __slots__ = ()

    def vjp(self, F, g, k, dims):
        if g.__class__ is np.ndarray:
            return (np.rot90(g, -k, dims),)
        return (rot90(g, -k, dims),)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Turn by ``k`` quarter turns in the plane of ``dims``, from the first towards the
    second."""
    check_tensor(input, "rot90")
    k = int_arg(k, "rot90", "k", 2)
    ds = int_list_arg(dims, "rot90", "dims", 3)
    x = input._data
    if len(ds) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(ds)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = wrap_dim(ds[0], x.ndim), wrap_dim(ds[1], x.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    data = np.rot90(x, k, (d0, d1)).copy()
    return record(Rot90Backward0, data, (input,), (k, (d0, d1)))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: ``out[i] = input[i + 1] - input[i]``,
    repeated ``n`` times (``prepend`` and ``append`` are joined on first)."""
    from nbgrad.ops.pointwise import bitwise, sub
    from nbgrad.ops.shape import _slice

    check_tensor(input, "diff")
    n = int_arg(n, "diff", "n", 2)
    dim = int_arg(dim, "diff", "dim", 3)
    if input.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    for extra in (prepend, append):
        if extra is not None and extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
    if (prepend is not None or append is not None) and n:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = cat(parts, d)
    if n == 0:
        from nbgrad.ops.shape import expand_copy

        return expand_copy(input, _zeros_like(input))
    out = input
    length = out.shape[d] - 1
    for _ in range(min(n, out.shape[d])):
        hi, lo = _slice(out, d, slice(1, 1 + length)), _slice(out, d, slice(0, length))
        if out.dtype == _dtype.bool:  # torch's difference of bools: where they differ
            out = bitwise(np.logical_xor, "logical_xor", hi, lo)
        else:
            out = sub(hi, lo)
        length -= 1
    return out


def _zeros_like(t: Tensor) -> Tensor:
    from nbgrad._tensor import _wrap

    return _wrap(np.zeros(t._data.shape, dtype=t._data.dtype))

