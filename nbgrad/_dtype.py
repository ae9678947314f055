"""Data types, and PyTorch's rules for promoting them.

nbgrad stores its numbers in NumPy arrays, but it follows torch's promotion rules, not
NumPy's: ``tensor(3)`` is int64, Python floats become float32, an int tensor divided by 2 is
float32, and a 0-d float64 tensor does not widen a float32 vector.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
    "bool", "result_type", "promote_types", "can_cast", "from_numpy_dtype", "get_default_dtype",
    "set_default_dtype",
]

_builtin_bool = bool


class dtype:  # noqa: N801 - named as torch names it
    """A tensor element type. Prints as ``nbgrad.float32`` where torch prints ``torch.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_complex", "is_signed", "itemsize",
                 "_rank", "_kind")

    def __init__(self, name: str, np_dtype: type, kind: int, rank: int) -> None:
        self.name = name
        self.numpy = np.dtype(np_dtype)
        self._kind = kind  # 0 bool, 1 integer, 2 floating: torch's type categories
        self._rank = rank  # order inside the promotion lattice
        self.is_floating_point = kind == 2
        self.is_complex = False  # nbgrad has no complex dtypes; torch's attribute all the same
        self.is_signed = name not in ("bool", "uint8")
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"nbgrad.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def to_real(self) -> dtype:
        return self

    def to_complex(self) -> dtype:  # pragma: no cover - complex numbers are out of scope
        raise NotImplementedError("nbgrad has no complex dtypes")


bool = dtype("bool", np.bool_, 0, 0)  # noqa: A001 - torch.bool
uint8 = dtype("uint8", np.uint8, 1, 1)
int8 = dtype("int8", np.int8, 1, 1)
int16 = dtype("int16", np.int16, 1, 2)
int32 = dtype("int32", np.int32, 1, 3)
int64 = dtype("int64", np.int64, 1, 4)
float16 = dtype("float16", np.float16, 2, 5)
float32 = dtype("float32", np.float32, 2, 6)
float64 = dtype("float64", np.float64, 2, 7)

_ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in _ALL}

_default_float = float32


_LEGACY_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}


def _legacy_type_name(d: dtype) -> str:
    """torch's old type names (``FloatTensor``), which its error messages still use."""
    return _LEGACY_NAMES[d.name]


def get_default_dtype() -> dtype:
    return _default_float


def set_default_dtype(d: dtype) -> None:
    global _default_float
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The nbgrad dtype that holds a NumPy dtype, with torch's words when there is none."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        name = np.dtype(np_dtype).type.__name__
        # torch's list where torch refuses the type too (strings, objects); nbgrad's shorter
        # list where torch would take it (complex, wide unsigned), so as not to promise those.
        supported = _TORCH_SUPPORTED if name not in _TORCH_ONLY else (
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool")
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{name}. The only supported types are: "
            f"{supported}."
        ) from None


_TORCH_ONLY = {"complex64", "complex128", "uint16", "uint32", "uint64"}
_TORCH_SUPPORTED = (
    "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, "
    "uint32, uint16, uint8, and bool"
)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest type both fit in."""
    if a is b:
        return a
    if a._kind != b._kind:
        return a if a._kind > b._kind else b
    if {a, b} == {uint8, int8}:
        return int16
    return a if a._rank > b._rank else b


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: whether an in-place op may write a ``from_`` result into a ``to``
    tensor. Only a lower category may go to a higher one (bool, then integers, then floats);
    sizes do not matter."""
    for pos, (name, d) in enumerate((("from_", from_), ("to", to)), 1):
        if not isinstance(d, dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {pos}) must be "
                            f"nbgrad.dtype, not {type(d).__name__}")
    return from_._kind <= to._kind


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # A lower-priority operand (0-d tensor, Python number) only changes the result when it is
    # of a higher category: an int vector times 2.5 is float, a float32 vector times a float64
    # 0-d tensor stays float32.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> dtype:
    """torch.result_type over tensors and Python numbers."""
    dim = zero = wrapped = None
    for op in operands:
        d = getattr(op, "dtype", None)
        if isinstance(d, dtype):
            if op.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
            continue
        if isinstance(op, _builtin_bool):
            d = bool
        elif isinstance(op, int):
            d = int64
        elif isinstance(op, float):
            d = _default_float
        else:
            raise TypeError(f"result_type: unsupported operand of type {type(op).__name__}")
        wrapped = d if wrapped is None else promote_types(wrapped, d)
    out = _combine_categories(dim, _combine_categories(zero, wrapped))
    assert out is not None, "result_type needs at least one operand"
    return out
