"""torch's handling of the arguments of Tensor methods, kept apart from the class: the sizes
of ``reshape``/``view``/``expand`` (``x.view(n / 2, 2)`` is refused in torch's words), the
targets of ``to``/``type``, and the errors of item assignment and gradient assignment."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import Tensor

# Python's scalar types as torch reads them in ``x.to(float)``
_PYTHON_TYPES: dict[Any, _dtype.dtype] = {
    builtins.float: _dtype.float64, builtins.int: _dtype.int64, builtins.bool: _dtype.bool,
}
# "FloatTensor" and the rest, for ``x.type("torch.FloatTensor")``
_LEGACY_DTYPES = {_dtype._legacy_type_name(d): d for d in _dtype._ALL}
_LEGACY_DTYPES["Tensor"] = _dtype.float32  # torch's default tensor type
# the C++ names torch's gradient-assignment error uses
_CPP_NAMES = {
    "float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int",
    "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
    "bool": "bool",
}


def _to_signature_error(got: str) -> str:
    return (
        f"to() received an invalid combination of arguments - got ({got}), but expected one "
        "of:\n"
        " * (nbgrad.device device = None, nbgrad.dtype dtype = None, bool non_blocking = False, "
        "bool copy = False, *, nbgrad.memory_format memory_format = None)\n"
        " * (nbgrad.dtype dtype, bool non_blocking = False, bool copy = False, *, "
        "nbgrad.memory_format memory_format = None)\n"
        " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
        "nbgrad.memory_format memory_format = None)\n"
    )


def _setitem_shape_error(target: tuple, value: Tensor, index: Any = None) -> None:
    """torch's words when ``x[i] = v`` cannot broadcast ``v`` to the selected shape: an index
    of lists, tensors or a mask goes through ``index_put_``, which has words of its own; basic
    indexing (ints, slices) copies into a view, which expands ``v`` first."""
    source = tuple(value.shape)
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, (list, np.ndarray)) for i in items):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(source)} cannot be "
                           f"broadcast to indexing result of shape {list(target)}")
    if len(source) > len(target):
        raise RuntimeError(
            f"expand(nbgrad.{_dtype._legacy_type_name(value.dtype)}{{{list(source)}}}, "
            f"size={list(target)}): the number of sizes "
            f"provided ({len(target)}) must be greater or equal to the number of dimensions "
            f"in the tensor ({len(source)})"
        )
    for i in range(1, len(source) + 1):
        if source[-i] not in (1, target[-i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                f"({source[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(source)}"
            )


def _is_size(s: Any) -> bool:
    """Whether torch takes ``s`` as one entry of a size: an int, or a one-element int tensor."""
    if isinstance(s, (int, np.integer)):
        return True
    return isinstance(s, Tensor) and s._data.dtype.kind in "biu" and s._data.size == 1


def _sizes(method: str, arg: str, args: tuple) -> Any:
    """The size given to ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``, refused in torch's
    words when an entry is not an int (``x.view(n / 2, 2)`` is a float)."""
    seq = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    for s in seq:  # a plain loop: reshape and view are called in training loops
        if type(s) is not int:
            return _refuse_sizes(method, arg, args)
    return seq if args else _refuse_sizes(method, arg, args)


def arg_type_text(a: Any) -> str:
    """An argument's type as torch's argument parser spells it in its errors: ``float``,
    ``tuple of (int, float)``, ``list of [str]``."""
    if isinstance(a, tuple):
        return f"tuple of ({', '.join(type(e).__name__ for e in a)})"
    if isinstance(a, list):
        return f"list of [{', '.join(type(e).__name__ for e in a)}]"
    return type(a).__name__


def _refuse_sizes(method: str, arg: str, args: tuple) -> Any:
    """torch's argument parser on a size that is not a tuple of ints (error branch only)."""
    def invalid_view(lines: bool) -> TypeError:
        got = ", ".join(type(a).__name__ for a in args)
        bad = f"\n      didn't match because some of the arguments have invalid types: " \
              f"(!{arg_type_text(args[0])}!)" if lines else ""
        return TypeError(
            f"view() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n * (nbgrad.dtype dtype){bad}\n * (tuple of ints size){bad}\n"
        )

    if not args:
        if method == "view":
            raise invalid_view(False)
        raise TypeError(f'{method}() missing 1 required positional arguments: "{arg}"')
    single = len(args) == 1
    if single and not isinstance(args[0], (tuple, list)):
        if _is_size(args[0]):
            return (args[0],)
        if method == "view":
            raise invalid_view(True)
        raise TypeError(f"{method}(): argument '{arg}' (position 1) must be tuple of ints, not "
                        f"{type(args[0]).__name__}")
    seq = args[0] if single else args
    if seq and not _is_size(seq[0]):
        if method == "view":
            raise invalid_view(single)
        if single:
            raise TypeError(f"{method}(): argument '{arg}' (position 1) must be tuple of ints, "
                            f"but found element of type {type(seq[0]).__name__} at pos 0")
        raise TypeError(f"{method}() takes 1 positional argument but {len(args)} were given")
    for i, s in enumerate(seq):
        if not _is_size(s):
            raise TypeError(f"{method}(): argument '{arg}' failed to unpack the object at pos "
                            f'{i + 1} with error "type must be tuple of ints,but got '
                            f'{type(s).__name__}"')
    return tuple(int(s) for s in seq)
