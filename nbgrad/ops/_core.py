"""What every op shares: recording a node, checking arguments, promoting operands."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap_dim
from nbgrad.autograd.graph import EPOCH as _EPOCH
from nbgrad.autograd.graph import (
    RESULT,
    Node,
    _sequence,
    accumulator,
    version_box,
    version_of,
)

__all__ = ["record", "RESULT", "Node", "Tensor", "binary_operands", "as_float", "check_tensor",
           "wrap_dim", "float_dtype"]

_BY_NUMPY = _dtype._BY_NUMPY
wrap_dim = _wrap_dim


_new = object.__new__
_next_seq = _sequence.__next__
# Saved values that are neither tensors nor arrays: nothing to convert or to watch
_PLAIN = frozenset((type(None), bool, int, float, tuple, str))


def record(
    node_cls: type[Node],
    data: Any,
    inputs: tuple,
    saved: tuple = (),
    broadcast: bool = False,
) -> Tensor:
    """Wrap ``data`` as the output of an op; if grad mode is on and an input requires grad,
    attach a ``node_cls`` node whose backward will read ``saved``.

    ``inputs`` lists the op's differentiable arguments in torch's order (Python numbers
    included: their edge leads nowhere, as in torch). ``broadcast`` marks elementwise
    ops whose inputs may have been broadcast or promoted: the engine then sums each input's
    gradient back to its shape and casts it to its dtype, so no op has to.
    """
    # This runs once per op, so it is written for speed: one pass, no helper calls, and as
    # few new objects as can be (each one is also work for the garbage collector).
    out = _new(Tensor)  # _wrap(data), inlined
    out._data = data
    out._requires_grad = False
    out.grad_fn = out._grad = out._hooks = out._acc = out._base = None
    out._vbox = None  # no version counter until one is needed (see graph.version_box)
    if not STATE.enabled:
        return out
    if len(inputs) == 1:  # a unary op: its input is a tensor
        t = inputs[0]
        fn = t.grad_fn
        if fn is None:
            if not t._requires_grad:
                return out
            fn = accumulator(t)
        nexts = (fn,)
    else:
        nexts = []
        live = False
        for t in inputs:
            if t.__class__ is float or not isinstance(t, Tensor):
                nexts.append(None)
            elif t.grad_fn is not None:
                nexts.append(t.grad_fn)
                live = True
            elif t._requires_grad:
                nexts.append(accumulator(t))
                live = True
            else:
                nexts.append(None)
        if not live:
            return out
        nexts = tuple(nexts)
    node = _new(node_cls)
    # Each slot is written once: a node's class varies from op to op, so CPython cannot
    # specialise these stores, and each costs a full attribute lookup.
    node._seq = _next_seq()
    node._next = nexts
    node.result = data
    node.grad_output = node.grad_inputs = None
    node._saved = saved
    # Saved tensors become arrays for a backward on arrays (``_plain``), and their versions
    # are noted: only their sum (versions never go down, so an unchanged sum means nothing
    # changed), unless several tensors were saved at nonzero versions (see
    # Node._check_versions). The common shapes of ``saved`` take a short path.
    n = len(saved)
    tensor = None  # the one tensor saved beside plain values, for the short paths
    if n == 1:
        s = saved[0]
        if s is RESULT:  # most unary ops
            node._plain = (data,)
            node._obox = out._vbox = [0]
            node._oexp = node._versions = 0
            node._epoch = _EPOCH[0]
            node._frees = True
        elif s.__class__ is Tensor:
            tensor = s
            node._plain = (s._data,)
        elif s.__class__ in _PLAIN:
            n = 0
        else:
            _note_saved(node, saved, data, out)
    elif n == 2:
        s, s1 = saved
        c, c1 = s.__class__, s1.__class__
        if c is Tensor and c1 in _PLAIN:  # x ** 2, or a product that saved one factor
            tensor = s
            node._plain = (s._data, s1)
        elif c1 is Tensor and c in _PLAIN:
            tensor = s1
            node._plain = (s, s1._data)
        elif c in _PLAIN and c1 in _PLAIN:  # a factor, a shape and a count...
            n = 0
        else:
            _note_saved(node, saved, data, out)
    elif n:
        _note_saved(node, saved, data, out)
    if tensor is not None:
        box = tensor._vbox
        node._versions = 0 if box is None else box[0]
        node._epoch = _EPOCH[0]
        node._frees = True
    elif not n:  # only plain values (alpha, a factor, a shape): nothing to convert or watch
        node._plain = saved
        node._versions = None
        node._frees = node_cls.numbers_are_saved
    fix = None
    if broadcast:
        shape, dt = data.shape, data.dtype
        for i, t in enumerate(inputs):
            if t.__class__ is not float and isinstance(t, Tensor) and t._requires_grad:
                td = t._data
                ts, tdt = td.shape, td.dtype
                if ts != shape or tdt != dt:
                    if fix is None:
                        fix = [None] * len(inputs)
                    fix[i] = (ts if ts != shape else None, tdt if tdt != dt else None)
    node._fix = fix
    out.grad_fn = node
    out._requires_grad = True
    return out


def _note_saved(node: Node, saved: tuple, data: Any, out: Tensor) -> None:
    """``record``'s general case: any mix of tensors, the output, arrays and plain values."""
    plain = None
    frees = node.numbers_are_saved
    total = 0
    tensors = 0
    for i, s in enumerate(saved):
        c = s.__class__
        if c in _PLAIN:
            continue
        if c is Tensor or isinstance(s, Tensor):
            if plain is None:
                plain = list(saved)
            plain[i] = s._data
            box = s._vbox
            if box is not None:
                total += box[0]
            tensors += 1
        elif s is RESULT:
            if plain is None:
                plain = list(saved)
            plain[i] = data
            node._obox = version_box(out)
            node._oexp = 0
        elif c is np.ndarray:
            frees = True
    if plain is None:
        node._plain = saved
        node._versions = None
    else:
        node._plain = tuple(plain)
        frees = True
        if tensors > 1 and total:
            total = tuple([version_of(s) if isinstance(s, Tensor) else None for s in saved])
        node._versions = total
        node._epoch = _EPOCH[0]
    node._frees = frees


def check_tensor(x: Any, fn: str, arg: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )
    return x


def float_dtype(x: Tensor) -> _dtype.dtype:
    d = x.dtype
    return d if d.is_floating_point else _dtype.get_default_dtype()


def as_float(x: Tensor, fn: str = "") -> Any:
    """The data of ``x`` for a floating-point op: integers are promoted as torch does.
    With ``fn``, first check that ``x`` is a tensor, as ``check_tensor(x, fn)`` would."""
    if fn and not isinstance(x, Tensor):
        check_tensor(x, fn)
    data = x._data
    if data.dtype.kind == "f":
        return data
    return data.astype(_dtype.get_default_dtype().numpy)


def _broadcast_error(a: tuple, b: tuple) -> RuntimeError:
    ndim = len(a) if len(a) > len(b) else len(b)
    for k in range(1, ndim + 1):
        sa = a[-k] if k <= len(a) else 1
        sb = b[-k] if k <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            return RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                f"non-singleton dimension {ndim - k}"
            )
    return RuntimeError("shapes cannot be broadcast together")  # pragma: no cover


def check_broadcast(a: Any, b: Any) -> None:
    """Raise torch's error when two shapes cannot be broadcast together."""
    sa = a.shape if a.__class__ is np.ndarray else np.shape(a)  # np.shape: a Python call
    sb = b.shape if b.__class__ is np.ndarray else np.shape(b)
    if sa != sb:
        # By hand: np.broadcast_shapes costs microseconds, more than many ops themselves.
        for x, y in zip(reversed(sa), reversed(sb)):
            if x != y and x != 1 and y != 1:
                raise _broadcast_error(sa, sb)


def _operand(x: Any, fn: str, pos: int) -> Any:
    """A number beside a tensor, as a Python number: torch reads a NumPy scalar as one (so
    ``x * np.float64(2)`` keeps x's float32; np.float64 is a float, so it is tested first)."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (bool, int, float)):
        return x
    raise TypeError(
        f"{fn}(): argument 'other' (position {pos}) must be Tensor, not "
        f"{type(x).__name__}"
    )


def binary_operands(a: Any, b: Any, fn: str, floating: bool = False) -> tuple[Any, Any, Any]:
    """The NumPy operands of a binary op, converted to torch's result dtype.

    Returns ``(a_data, b_data, numpy_dtype)``. Python numbers stay Python numbers (NumPy 2
    treats them as weakly typed, as torch does); tensors are cast where torch's promotion
    differs from NumPy's. ``floating`` makes integer results floating (true division).
    """
    a_t, b_t = isinstance(a, Tensor), isinstance(b, Tensor)
    if a_t and b_t:
        ad, bd = a._data, b._data
        if ad.dtype == bd.dtype and (not floating or ad.dtype.kind == "f"):
            if ad.shape != bd.shape:
                check_broadcast(ad, bd)
            return ad, bd, ad.dtype
        dt = _dtype.result_type(a, b)
    elif a_t:
        if b.__class__ is not float and b.__class__ is not int:
            b = _operand(b, fn, 2)
        ad = a._data
        npdt = ad.dtype
        kind = npdt.kind
        if kind == "f" or (kind in "iub" and isinstance(b, int) and not floating and
                           not (kind == "b" and not isinstance(b, bool))):
            return ad, b, npdt
        dt = _dtype.result_type(a, b)
    elif b_t:
        a = _operand(a, fn, 1)
        dt = _dtype.result_type(a, b)
    else:  # pragma: no cover - operators always have a tensor on one side
        raise TypeError(f"{fn}(): expected a Tensor")
    if floating and not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    npdt = dt.numpy
    ad = a._data.astype(npdt, copy=False) if a_t else a
    bd = b._data.astype(npdt, copy=False) if b_t else b
    if a_t and b_t and ad.shape != bd.shape:
        check_broadcast(ad, bd)
    return ad, bd, npdt
