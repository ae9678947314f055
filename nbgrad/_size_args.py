"""Reading a size argument as torch does: ``zeros(2, 3)``, ``zeros((2, 3))``, ``full([2, 3],
x)``, with torch's argument parser's errors, which name the function, the argument and the
Python type as the C type slot spells it (``numpy.float64``, ``Tensor``)."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

from nbgrad._tensor import Tensor

_NOT_INTEGRAL = (
    "Expected scalar.isIntegral( false) to be true, but got false.  (Could this error message "
    "be improved?  If so, please report an enhancement request to PyTorch.)"
)


def _tp_name(obj: Any) -> str:
    """``Py_TYPE(obj)->tp_name``: bare for Python classes and builtins, dotted for C types."""
    cls = type(obj)
    if cls.__module__ == "builtins" or cls.__flags__ & (1 << 9):  # Py_TPFLAGS_HEAPTYPE
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


def _is_index(obj: Any) -> bool:
    """Whether torch takes ``obj`` for one int of a size (``is_int_or_symint``)."""
    if isinstance(obj, bool):
        return False
    if isinstance(obj, Tensor):
        return obj._data.size == 1 and obj._data.dtype.kind in "biu"
    try:
        operator.index(obj)
    except TypeError:
        return False
    return True


def _unpack(size: Sequence, name: str) -> list[int]:
    """Every element of a size as an int, or torch's error for the first that is not one."""
    out = []
    for pos, s in enumerate(size, 1):
        if isinstance(s, Tensor) and s._data.size == 1 and s._data.dtype.kind in "biu":
            if s._data.dtype.kind == "b":
                raise RuntimeError(_NOT_INTEGRAL)
            out.append(int(s._data.reshape(())))
            continue
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(
                f"{name}(): argument 'size' failed to unpack the object at pos {pos} with error "
                f'"type must be tuple of ints,but got {_tp_name(s)}"'
            ) from None
    return out


def _size_arg(size: Any, name: str, position: int) -> list[int]:
    """A size given as one tuple or list (or a Size), as ``full`` and ``randint`` take it."""
    if not isinstance(size, tuple | list):
        raise TypeError(f"{name}(): argument 'size' (position {position}) must be tuple of ints, "
                        f"not {_tp_name(size)}")
    if size and not _is_index(size[0]):  # torch's parser looks at the first element only
        raise TypeError(f"{name}(): argument 'size' (position {position}) must be tuple of ints, "
                        f"but found element of type {_tp_name(size[0])} at pos 0")
    return _unpack(size, name)


_TYPES = ("Tensor out = None, nbgrad.dtype dtype = None, nbgrad.layout layout = None, "
          "nbgrad.device device = None, bool pin_memory = False, bool requires_grad = False)\n")
# torch's signatures for rand and randn, and for randint, in its words
_RANDOM_OVERLOADS = (f" * (tuple of ints size, *, nbgrad.Generator generator, {_TYPES}"
                     f" * (tuple of ints size, *, {_TYPES}")
_RANDINT_OVERLOADS = (f" * (int high, tuple of ints size, *, nbgrad.Generator generator, {_TYPES}"
                      f" * (int high, tuple of ints size, *, {_TYPES}"
                      f" * (int low, int high, tuple of ints size, *, nbgrad.Generator generator, "
                      f"{_TYPES} * (int low, int high, tuple of ints size, *, {_TYPES}")

_LINSPACE_OVERLOADS = "".join(f" * ({a} start, {b} end, int steps, *, {_TYPES}" for a, b in (
    ("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"), ("Number", "Number")))


def _check_negative(size: Sequence[int], name: str) -> None:
    if any(s < 0 for s in size):
        if name == "zeros":  # zeros checks its sizes itself, before allocating
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        neg = next(s for s in size if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {list(size)}")


def _sized(size: Any, name: str, position: int) -> tuple[int, ...]:
    """A size passed as one argument (``full``, ``randint``): a tuple or list only."""
    if type(size) is tuple and all(type(s) is int and s >= 0 for s in size):
        return size
    out = _size_arg(size, name, position)
    _check_negative(out, name)
    return tuple(out)


def _size(args: tuple, name: str, overloads: str | None = None) -> tuple[int, ...]:
    """The shape passed to a ``*size`` function: ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``.

    ``overloads`` is torch's list of signatures, for the functions (``rand``, ``randn``) whose
    wrong argument counts torch reports as an invalid combination of arguments."""
    # the common cases, plain non-negative ints alone or in one tuple (a Size), cost one pass
    if len(args) == 1 and isinstance(args[0], tuple):
        if all(type(s) is int and s >= 0 for s in args[0]):
            return args[0]
    elif args and all(type(s) is int and s >= 0 for s in args):
        return args
    if len(args) == 1 and (isinstance(args[0], tuple | list) or not _is_index(args[0])):
        size = _size_arg(args[0], name, 1)
    elif args and _is_index(args[0]):  # f(2, 3): every positional argument is a size
        size = _unpack(args, name)
    elif overloads is not None:
        got = ", ".join(_tp_name(a) for a in args)
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n{overloads}")
    elif not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    else:
        raise TypeError(f"{name}() takes 1 positional argument but {len(args)} were given")
    _check_negative(size, name)
    return tuple(size)


UNSET: Any = object()  # ``size=`` not given


def _size_or_keyword(args: tuple, size: Any, name: str, overloads: str | None = None
                     ) -> tuple[int, ...]:
    """The shape of ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``: torch's
    ``*size`` functions take the size by keyword too, as one tuple or list of ints."""
    if size is UNSET:
        return _size(args, name, overloads)
    if args:
        if overloads is not None:
            got = ", ".join(_tp_name(a) for a in args)
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({got}, size={_tp_name(size)}), but expected one of:\n{overloads}")
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    if not isinstance(size, tuple | list) or not all(_is_index(s) for s in size):
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {_tp_name(size)}")
    out = _unpack(size, name)
    _check_negative(out, name)
    return tuple(out)
