"""Making tensors: from Python data, filled with a value, in ranges, or at random.

``tensor`` infers the dtype as torch does: Python floats give the default float dtype
(float32), Python ints int64, bools bool; NumPy arrays keep their own dtype.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._device import check_device
from nbgrad._size_args import (
    _LINSPACE_OVERLOADS,
    _RANDINT_OVERLOADS,
    _RANDOM_OVERLOADS,
    UNSET,
    _is_index,
    _size_or_keyword,
    _sized,
    _tp_name,
)
from nbgrad._tensor import Tensor, _wrap

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "empty_like", "full_like", "arange", "linspace", "eye", "rand", "randn",
    "randint", "randperm", "rand_like", "randn_like", "manual_seed", "initial_seed", "seed",
    "Generator", "default_generator", "is_tensor", "is_floating_point", "numel",
]

_CREATE_GRAD = "Only Tensors of floating point and complex dtype can require gradients"
_COPY_CONSTRUCT = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "nbgrad.tensor(sourceTensor)."
)


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError(_CREATE_GRAD)
    return _wrap(data, bool(requires_grad))


# --- from data ----------------------------------------------------------------------------


# torch reads nested data in three passes, and its errors come from whichever pass fails
# first: the shape (along the first element at each depth), the dtype (every element), then
# the copy (which finds ragged rows).


def _sizes(data: Any) -> list[int]:
    """The shape, read along the first element at every depth."""
    sizes: list[int] = []
    seq = data
    while True:
        if isinstance(seq, Tensor):
            return sizes + list(seq._data.shape)
        if isinstance(seq, np.ndarray):
            return sizes + list(seq.shape)
        if isinstance(seq, str):
            raise ValueError("too many dimensions 'str'")
        if not isinstance(seq, list | tuple):
            return sizes
        sizes.append(len(seq))
        if not seq:
            return sizes
        seq = seq[0]


def _scan(data: Any, dtypes: set[_dtype.dtype]) -> None:
    """Collect the dtype of every element."""
    if isinstance(data, Tensor):
        dtypes.add(data.dtype)
    elif isinstance(data, list | tuple):
        if not data:  # an empty sequence counts as the default float, as in torch
            dtypes.add(_dtype.get_default_dtype())
        for item in data:
            _scan(item, dtypes)
    elif isinstance(data, np.ndarray | np.generic):
        # A NumPy scalar keeps its dtype, as an array does: [np.float64(2.5), 1.] is float64.
        # (np.float64 is a Python float too, so this test comes before the float one.)
        dtypes.add(_dtype.from_numpy_dtype(data.dtype))
    elif isinstance(data, bool):
        dtypes.add(_dtype.bool)
    elif isinstance(data, int):
        dtypes.add(_dtype.int64)
    elif isinstance(data, float):
        dtypes.add(_dtype.get_default_dtype())
    elif isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    else:
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _ragged(obj: Any, sizes: list[int], dim: int, floating: bool) -> None:
    """Raise torch's error for the first element that does not fit ``sizes``."""
    if dim == len(sizes):
        if isinstance(obj, list | tuple):
            name = type(obj).__name__
            raise TypeError(f"must be real number, not {name}" if floating else
                            f"'{name}' object cannot be interpreted as an integer")
        return
    if isinstance(obj, Tensor | np.ndarray):
        shape = np.shape(obj._data if isinstance(obj, Tensor) else obj)
        if list(shape) != sizes[dim:]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} "
                             f"(got {shape[0] if shape else 0})")
        return
    if not isinstance(obj, list | tuple):
        raise TypeError("not a sequence")
    if len(obj) != sizes[dim]:
        raise ValueError(
            f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(obj)})"
        )
    for item in obj:
        _ragged(item, sizes, dim + 1, floating)


def _unwrap(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap(d) for d in data]
    return data


def tensor(
    data: Any, dtype: _dtype.dtype | None = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, or an array)."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(_COPY_CONSTRUCT, UserWarning, stacklevel=2)
        arr = np.array(data._data, copy=True)
    elif isinstance(data, np.ndarray | np.generic):
        _dtype.from_numpy_dtype(data.dtype)
        arr = np.array(data, copy=True)
    else:
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        sizes = _sizes(data)
        dtypes: set[_dtype.dtype] = set()
        _scan(data, dtypes)
        inferred = _dtype.get_default_dtype() if not dtypes else functools.reduce(
            _dtype.promote_types, dtypes)
        target = inferred if dtype is None else dtype
        if 0 in sizes:  # nothing to copy, so torch never looks at the other rows
            return _finish(np.zeros(sizes, dtype=target.numpy), requires_grad)
        # Python numbers go straight to the requested dtype: 0.7 must not pass through float32
        # on its way to float64.
        try:
            arr = np.array(_unwrap(data), dtype=target.numpy)
        except OverflowError:
            raise ValueError("Overflow when unpacking long long") from None
        except (ValueError, TypeError):
            _ragged(data, sizes, 0, target.is_floating_point)
            raise
        if list(arr.shape) != sizes:  # pragma: no cover - NumPy rejects ragged data itself
            _ragged(data, sizes, 0, target.is_floating_point)
    if dtype is not None and arr.dtype != dtype.numpy:
        arr = arr.astype(dtype.numpy)
    return _finish(arr, requires_grad)


def as_tensor(data: Any, dtype: _dtype.dtype | None = None, device: Any = None) -> Tensor:
    """Like ``tensor``, but shares memory with a tensor or array when it can."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return _wrap(data)
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return _wrap(array)


# --- filled -------------------------------------------------------------------------------


def _float(dtype: _dtype.dtype | None) -> np.dtype:
    return (dtype or _dtype.get_default_dtype()).numpy


def zeros(*args: Any, size: Any = UNSET, dtype: _dtype.dtype | None = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape = _size_or_keyword(args, size, "zeros")
    return _finish(np.zeros(shape, dtype=_float(dtype)), requires_grad)


def ones(*args: Any, size: Any = UNSET, dtype: _dtype.dtype | None = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape = _size_or_keyword(args, size, "ones")
    return _finish(np.ones(shape, dtype=_float(dtype)), requires_grad)


def empty(*args: Any, size: Any = UNSET, dtype: _dtype.dtype | None = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uninitialised in torch; zeros here, so that lessons stay deterministic."""
    check_device(device)
    shape = _size_or_keyword(args, size, "empty")
    return _finish(np.zeros(shape, dtype=_float(dtype)), requires_grad)


def _scalar_dtype(value: Any) -> np.dtype:
    if isinstance(value, bool | np.bool_):
        return np.dtype(np.bool_)
    if isinstance(value, int | np.integer):
        return np.dtype(np.int64)
    return _dtype.get_default_dtype().numpy


def full(size: Any, fill_value: Any, *, dtype: _dtype.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    np_dt = dtype.numpy if dtype is not None else _scalar_dtype(fill_value)
    return _finish(np.full(_sized(size, "full", 1), fill_value, dtype=np_dt), requires_grad)


def _like(input: Tensor, dtype: _dtype.dtype | None) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"zeros_like(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input._data.shape, (dtype.numpy if dtype is not None else input._data.dtype)


def zeros_like(input: Tensor, *, dtype: _dtype.dtype | None = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.zeros(shape, dtype=dt), requires_grad)


def ones_like(input: Tensor, *, dtype: _dtype.dtype | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.ones(shape, dtype=dt), requires_grad)


def empty_like(input: Tensor, *, dtype: _dtype.dtype | None = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    check_device(device)
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: _dtype.dtype | None = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device)
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dtype=dt), requires_grad)


# --- ranges -------------------------------------------------------------------------------


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: _dtype.dtype | None = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps of ``step``: int64 when all three are integers."""
    check_device(device)
    if end is None:
        start, end = 0, start
    bounds = [b.item() if isinstance(b, Tensor) else b for b in (start, end, step)]
    start, end, step = bounds
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and lower bound inconsistent with step sign"
        )
    n = math.ceil((end - start) / step)
    integral = all(isinstance(b, int | np.integer) for b in bounds)
    np_dt = dtype.numpy if dtype is not None else (
        np.dtype(np.int64) if integral else _dtype.get_default_dtype().numpy)
    values = start + np.arange(n, dtype=np.int64 if integral else np.float64) * step
    return _finish(values.astype(np_dt), requires_grad)


def linspace(start: Any, end: Any, steps: Any = UNSET, *, dtype: _dtype.dtype | None = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    check_device(device)
    if steps is UNSET or not _is_index(steps):
        # older lessons call linspace(0, 1), from when steps defaulted to 100: torch's parser
        # now lists its signatures, as it does for a float count of steps
        got = [_tp_name(start), _tp_name(end)]
        if steps is not UNSET:
            got.append(_tp_name(steps))
        raise TypeError(f"linspace() received an invalid combination of arguments - got "
                        f"({', '.join(got)}), but expected one of:\n{_LINSPACE_OVERLOADS}")
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    values = np.linspace(float(start), float(end), steps)
    return _finish(values.astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: _dtype.dtype | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    check_device(device)
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad)


# --- random -------------------------------------------------------------------------------


class Generator:
    """The random state behind ``rand``/``randn``: NumPy's PCG64, reseeded by ``manual_seed``.

    The numbers differ from torch's (a different algorithm), but like torch the sequence is the
    same in every fresh process, and the same after the same ``manual_seed``.
    """

    _DEFAULT_SEED = 67280421310721  # torch's default seed

    def __init__(self) -> None:
        self.manual_seed(self._DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, int | np.integer):
            raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed = int(seed)
        self._rng: np.random.Generator | None = None
        return self

    @property
    def rng(self) -> np.random.Generator:
        """The NumPy generator, made at its first use: ``numpy.random`` takes a fifth of the
        time of ``import nbgrad``, and many sessions draw no random number."""
        rng = self._rng
        if rng is None:
            rng = self._rng = np.random.Generator(np.random.PCG64(self._seed & ((1 << 64) - 1)))
        return rng

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy) & ((1 << 63) - 1))._seed

    def __repr__(self) -> str:
        return "<nbgrad.Generator>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Make ``rand``, ``randn`` and friends repeat the same numbers from here on."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    return default_generator.seed()


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).rng


def _random_dtype(dtype: _dtype.dtype | None, kernel: str) -> None:
    """torch's kernels draw floats only: rand(2, dtype=torch.int64) and rand_like of an int
    tensor fail, in the kernel's words."""
    if dtype is not None and not dtype.is_floating_point:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_dtype._legacy_type_name(dtype)[:-6]}'")


def rand(*args: Any, size: Any = UNSET, generator: Generator | None = None,
         dtype: _dtype.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on ``[0, 1)``."""
    check_device(device)
    shape = _size_or_keyword(args, size, "rand", _RANDOM_OVERLOADS)
    _random_dtype(dtype, "check_uniform_bounds")
    data = _rng(generator).random(shape, dtype=np.float64).astype(_float(dtype))
    return _finish(data, requires_grad)


def randn(*args: Any, size: Any = UNSET, generator: Generator | None = None,
          dtype: _dtype.dtype | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    check_device(device)
    shape = _size_or_keyword(args, size, "randn", _RANDOM_OVERLOADS)
    _random_dtype(dtype, "normal_kernel_cpu")
    data = _rng(generator).standard_normal(shape).astype(_float(dtype))
    return _finish(data, requires_grad)


def rand_like(input: Tensor, *, dtype: _dtype.dtype | None = None,
              requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: _dtype.dtype | None = None,
               requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Any = None, *,
            generator: Generator | None = None, dtype: _dtype.dtype | None = None,
            device: Any = None) -> Tensor:
    """Integers in ``[low, high)``; ``randint(high, size)`` starts at 0."""
    check_device(device)
    if size is None and high is not None:  # randint(high, size): one signature fits, its words
        low, high, size = 0, low, _sized(high, "randint", 2)
    elif size is None or not (isinstance(size, tuple | list) and (
            not size or _is_index(size[0]))):  # no signature fits: torch lists them all
        got = ", ".join(_tp_name(a) for a in (low, high, size) if a is not None)
        raise TypeError(f"randint() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{_RANDINT_OVERLOADS}")
    else:
        size = _sized(size, "randint", 3)
        if high is None:
            low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = _rng(generator).integers(low, high, size, dtype=np.int64)
    return _wrap(data.astype(dtype.numpy) if dtype is not None else data)


def randperm(n: int, *, generator: Generator | None = None,
             dtype: _dtype.dtype | None = None, device: Any = None) -> Tensor:
    check_device(device)
    data = _rng(generator).permutation(n).astype(np.int64)
    return _wrap(data.astype(dtype.numpy) if dtype is not None else data)


# --- questions ----------------------------------------------------------------------------


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input`` holds floating-point numbers (``torch.is_floating_point``)."""
    if not isinstance(input, Tensor):
        raise TypeError("is_floating_point(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(input).__name__}")
    return input.dtype.is_floating_point


def numel(input: Tensor) -> int:
    return input.numel()

