"""Writing into a tensor: the in-place methods (``add_``, ``mul_``, ``copy_``, ``fill_``,
``zero_``, ``x[i] = v``, ``+=``, ``exp_()``...) with torch's rules about leaves and views,
recorded in the graph as torch records them, with the tensor's views kept in step.

An optimizer's update under ``no_grad`` takes a short path: NumPy writes straight into the
tensor's memory. In the graph, the op runs on a copy of the old value (which its node may
save), the result is written over the tensor, and the tensor takes over the result's node; a
write through a view becomes a write into its base (torch's ``CopySlices``), after which every
live view of that base reads from the base's new node (see ``_views_of``).

``nbgrad._tensor`` imports this module once the class exists: ``InPlaceMethods``'s methods
become ``Tensor``'s.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import STATE, no_grad
from nbgrad._method_args import _setitem_shape_error
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.graph import bump_version
from nbgrad.ops import (
    abs,
    add,
    clamp,
    cos,
    div,
    exp,
    expand_copy,
    fmod,
    log,
    mul,
    neg,
    pow,
    reciprocal,
    relu,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    tan,
    tanh,
)
from nbgrad.ops.division import floor_divide, remainder

__all__ = ["InPlaceMethods", "LEAF_INPLACE", "LEAF_VIEW_INPLACE", "OVERLAP"]

_BY_NUMPY = _dtype._BY_NUMPY

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
LEAF_VIEW_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


class InPlaceMethods:
    """The in-place methods of ``Tensor`` (``self`` is a Tensor), kept here and copied
    onto the class below."""

    def _check_inplace(self, *others: Any) -> bool:
        """torch's rules for in-place ops; True when the update must be recorded in the graph."""
        if not STATE.enabled:
            return False
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(LEAF_INPLACE if self._base is None else LEAF_VIEW_INPLACE)
        needs_graph = self._requires_grad or any(
            isinstance(o, Tensor) and o._requires_grad for o in others
        )
        if needs_graph and self._base is not None and self._base._requires_grad:
            # a piece of split/chunk/unbind: torch's words for any such view
            piece = None if self.grad_fn is None else self.grad_fn.__dict__.get("_piece")
            if piece is not None:
                raise RuntimeError(
                    f"Output {piece[0]} of {piece[1]} is a view and is being modified inplace. "
                    "This view is the output of a function that returns multiple views. Such "
                    "functions do not allow the output views to be modified inplace. You should "
                    "replace the inplace operation by an out-of-place one."
                )
            if self._base.grad_fn is None:
                raise RuntimeError(LEAF_VIEW_INPLACE)
        return needs_graph

    def _check_result(self, result: Tensor) -> np.ndarray:
        """This tensor's memory, once ``result`` is known to fit it (torch's errors)."""
        data = self._storage()
        if result._data.shape != data.shape:
            raise RuntimeError(
                f"output with shape {list(data.shape)} doesn't match the broadcast shape "
                f"{list(np.shape(result._data))}"
            )
        _check_cast(result._data.dtype, data.dtype)
        return data

    def _assign(self, result: Tensor) -> Tensor:
        """Write ``result`` into this tensor's memory, taking over its graph node."""
        data = self._check_result(result)
        np.copyto(data, result._data, casting="unsafe")
        bump_version(self)
        if result.grad_fn is not None:
            self.grad_fn = result.grad_fn
            self._requires_grad = True
            result.grad_fn.result = data
            result.grad_fn._rebind_output(self._vbox)
        return self

    def _assign_through_view(self, index: Any, value: Any) -> None:
        """``self[index] = value`` for a view in the graph: only the places written change
        in the base (CopySlices), so a view in which several elements share a place (an
        expand) is written as torch writes it."""
        from nbgrad.ops.assignment import read_view, scalar_like, write_view

        _write(np.array(self._data, copy=True), index, value)  # torch's errors, if any
        base = self._base
        views = _views_of(base, self)
        region = tuple(p[index] for p in views[id(self)][1])
        flat = np.ravel_multi_index(region, base._data.shape)
        if np.unique(flat).size != flat.size:
            raise RuntimeError(OVERLAP)
        value = value if isinstance(value, Tensor) else scalar_like(value, self)
        old_base = _wrap(np.array(base._data, copy=True), base._requires_grad, base.grad_fn)
        old_base._acc = base._acc
        base._assign(write_view(old_base, region, value))
        for other, places in views.values():
            read_view(base, places, other)

    def _check_overlap(self) -> None:
        """torch's refusal of an elementwise update of an expanded view, in which several
        elements are one place in memory (fills and item assignment are let through)."""
        data = self._data
        if data.__class__ is np.ndarray and 0 in data.strides and any(
                st == 0 and n > 1 for st, n in zip(data.strides, data.shape)):
            raise RuntimeError(OVERLAP)

    def _inplace(self, op: Callable, *others: Any, overlap_ok: bool = False) -> Tensor:
        if not overlap_ok:
            self._check_overlap()
        if self._check_inplace(*others):
            if overlap_ok:  # a fill in the graph: torch refuses it on shared places too
                self._check_overlap()
            base = self._base if self._base is not None else self
            views = _views_of(base, self)  # each view's places, found before anything changes
            # The op may save its input for backward, and that input is about to be
            # overwritten: it sees a copy of the old value, on the same place in the graph.
            old = _wrap(np.array(self._data, copy=True), self._requires_grad, self.grad_fn)
            old._acc = self._acc
            result = op(old, *others)
            if base is self:
                self._assign(result)
            else:  # torch's CopySlices: the base's old value, with this view's places replaced
                from nbgrad.ops.assignment import write_view

                self._check_result(result)
                old_base = _wrap(np.array(base._data, copy=True), base._requires_grad,
                                 base.grad_fn)
                old_base._acc = base._acc
                base._assign(write_view(old_base, views[id(self)][1], result))
            if views:
                from nbgrad.ops.assignment import read_view

                for view, index in views.values():
                    read_view(base, index, view)
            return self
        with no_grad():
            return self._assign(op(self, *others))

    def _inplace_ufunc(self, ufunc: np.ufunc, op: Callable, other: Any) -> Tensor:
        """An arithmetic update in place. Outside the graph (an optimizer's step under
        no_grad) NumPy writes straight into the tensor's memory: no temporary, no copy."""
        self._check_overlap()
        if not self._check_inplace(other):
            data = self._storage()
            o = other._data if isinstance(other, Tensor) else other
            # Only where the result cannot differ from the general path's: a floating tensor
            # and a Python number, or an array of the same dtype and shape (a 0-d tensor's
            # data may be a NumPy scalar of its dtype: ``lr * b.grad`` for a scalar ``b``).
            if data.dtype.kind == "f" and (
                o.__class__ is float or o.__class__ is int
                or (o.__class__ is np.ndarray and o.dtype == data.dtype and o.shape == data.shape)
                or (o.__class__ is data.dtype.type and data.ndim == 0)
            ):
                ufunc(data, o, out=data)
                bump_version(self)
                return self
        return self._inplace(op, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha == 1:
            return self._inplace_ufunc(np.add, add, other)
        return self._inplace(lambda a, b: add(a, b, alpha=alpha), other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha == 1:
            return self._inplace_ufunc(np.subtract, sub, other)
        return self._inplace(lambda a, b: sub(a, b, alpha=alpha), other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace_ufunc(np.multiply, mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return self._inplace_ufunc(np.true_divide, div, other)
        return self._inplace(lambda a, b: div(a, b, rounding_mode=rounding_mode), other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(lambda a: clamp(a, min, max))

    def relu_(self) -> Tensor:
        return self._inplace(relu)

    def copy_(self, src: Tensor) -> Tensor:
        if not isinstance(src, Tensor):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(src).__name__}")
        return self._inplace(lambda a, b: expand_copy(b, a), src)

    def zero_(self) -> Tensor:
        if self._check_inplace():
            from nbgrad.ops.assignment import zero

            return self._inplace(zero, overlap_ok=True)
        self._storage().fill(0)
        bump_version(self)
        return self

    def fill_(self, value: Any) -> Tensor:
        if not isinstance(value, (Tensor, bool, int, float, np.generic)):
            from nbgrad._size_args import _tp_name

            name = _tp_name(value)
            raise TypeError(
                f"fill_() received an invalid combination of arguments - got ({name}), but "
                "expected one of:\n * (Tensor value)\n      didn't match because some of the "
                f"arguments have invalid types: (!{name}!)\n * (Number value)\n      didn't "
                f"match because some of the arguments have invalid types: (!{name}!)\n"
            )
        if isinstance(value, Tensor) and value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        if self._check_inplace(value):
            from nbgrad.ops.assignment import fill

            return self._inplace(fill, value, overlap_ok=True)
        data = self._storage()
        if isinstance(value, Tensor):
            data[...] = value._data
        else:
            data.fill(value)  # for a number, a little quicker than ``data[...] = value``
        bump_version(self)
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        if STATE.enabled and (
            self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
        ):
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(
                    LEAF_VIEW_INPLACE
                    if self._base is not None or _through_view(index, self._data.shape)
                    else LEAF_INPLACE
                )
            base = self._base
            if base is not None and base.grad_fn is None and base._requires_grad:
                raise RuntimeError(LEAF_VIEW_INPLACE)
            # torch's CopySlices (and fills): the old value's gradient, but where the
            # assignment wrote, which goes to the value assigned (see ops/assignment.py)
            from nbgrad.ops.assignment import assign

            index = _index_arrays(index)
            _check_assigned(self, value)
            if base is not None and self._check_inplace(value):
                self._assign_through_view(index, value)
                return
            self._inplace(lambda old, v: assign(old, index, v), value, overlap_ok=True)
            return
        index = _index_arrays(index)
        _check_assigned(self, value)
        _write(self._storage(), index, value)
        bump_version(self)


def _check_cast(src: np.dtype, dst: np.dtype) -> None:
    """torch refuses an in-place result that would lose its kind (float into an int tensor)."""
    if src != dst and "biuf".index(src.kind) > "biuf".index(dst.kind) and not (
            src.kind == "u" and dst.kind == "i"):
        raise RuntimeError(
            f"result type {_dtype._legacy_type_name(_BY_NUMPY[src])[:-6]} can't be cast to the "
            f"desired output type {_dtype._legacy_type_name(_BY_NUMPY[dst])[:-6]}"
        )



def _through_view(index: Any, shape: tuple) -> bool:
    """Whether torch's ``x[index] = v`` writes through a view of ``x``: its basic part (an int,
    ``None``, or a slice that is not the whole dimension) selects before anything is written."""
    from nbgrad.ops.shape import _whole

    items = index if isinstance(index, tuple) else (index,)

    def width(item: Any) -> int:  # how many dimensions of x an index item consumes
        if item is None or item is Ellipsis:
            return 0
        arr = item._data if isinstance(item, Tensor) else item
        return arr.ndim if getattr(arr, "dtype", None) == np.bool_ else 1

    dim = 0
    for k, item in enumerate(items):
        if item is None or (isinstance(item, (int, np.integer)) and not isinstance(item, bool)):
            return True
        if item is Ellipsis:
            dim = len(shape) - builtins.sum(width(i) for i in items[k + 1:])
        elif isinstance(item, slice):
            if dim >= len(shape) or not _whole(item, shape[dim]):
                return True
            dim += 1
        else:
            dim += width(item)
    return False


def _views_of(base: Tensor, written: Tensor) -> dict[int, tuple[Tensor, tuple]]:
    """The live views of ``base`` (``written`` among them when it is one), each with the
    places of ``base`` it reads, for an in-place op about to be recorded: afterwards they
    read from the base's new node. A view whose places cannot be told is refused (its
    gradient would otherwise be silently wrong)."""
    try:
        refs = base._views
    except AttributeError:
        refs = []
    found: dict[int, tuple[Tensor, tuple]] = {}
    live = []
    for ref in refs:
        view = ref()
        if view is None:
            continue
        live.append(ref)
        found[id(view)] = (view, None)
    refs[:] = live
    if written is not base:
        found[id(written)] = (written, None)
    if found:
        from nbgrad.ops.assignment import places

        data = base._storage()
        for key, (view, _) in found.items():
            index = places(view._data, data)
            if index is None:
                raise RuntimeError(
                    "nbgrad cannot record an in-place operation on this tensor while it has a "
                    "view whose layout it cannot follow; use the out-of-place operation "
                    "(e.g. y = y + 1) instead."
                )
            found[key] = (view, index)
    return found


def _check_assigned(t: Tensor, value: Any) -> None:
    if not isinstance(value, (Tensor, bool, int, float, np.generic, np.ndarray)):
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"nbgrad.{_dtype._legacy_type_name(t.dtype)}")


def _write(data: np.ndarray, index: Any, value: Any) -> None:
    """``data[index] = value``, with NumPy's errors in torch's words."""
    try:
        data[index] = value._data if isinstance(value, Tensor) else value
    except IndexError as err:
        raise IndexError(str(err).replace(" for axis ", " for dimension ")) from None
    except ValueError:
        if not isinstance(value, Tensor):
            raise
        target = data[index].shape
        v = value._data
        while v.ndim > len(target) and v.shape[0] == 1:  # torch drops leading 1s; NumPy may not
            v = v[0]
        if v is not value._data:
            try:
                data[index] = v
                return
            except ValueError:
                pass
        _setitem_shape_error(target, value, index)
        raise


def _index_arrays(index: Any) -> Any:
    """A Tensor index, or a tuple holding Tensors, as NumPy understands it."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    return index


def _in_place(op: Callable) -> Callable:
    """``x.exp_()`` and the like: ``op`` written into the tensor, recorded as torch records
    it (the op's own node: ExpBackward0)."""
    def method(self: Tensor, *args: Any) -> Tensor:
        return self._inplace(op, *args)

    method.__name__ = method.__qualname__ = f"{op.__name__}_"
    return method


for _op in (exp, log, sqrt, sin, cos, tan, tanh, sigmoid, abs, neg, reciprocal, sign, square,
            pow, floor_divide, remainder, fmod):
    setattr(Tensor, f"{_op.__name__}_", _in_place(_op))
del _op
Tensor.__ifloordiv__, Tensor.__imod__ = Tensor.floor_divide_, Tensor.remainder_


for _name, _method in vars(InPlaceMethods).items():
    if callable(_method):
        setattr(Tensor, _name, _method)
del _name, _method
