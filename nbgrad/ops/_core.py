"""What every op shares: recording a node, checking arguments, promoting operands."""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap_dim
from nbgrad.autograd.graph import EPOCH as _EPOCH
from nbgrad.autograd.graph import RESULT, Node, _sequence, accumulator

__all__ = ["record", "RESULT", "Node", "Tensor", "binary_operands", "as_float", "check_tensor",
           "wrap_dim", "float_dtype"]

_BY_NUMPY = _dtype._BY_NUMPY
wrap_dim = _wrap_dim


_NO_EDGE = (None, 0)
_new = object.__new__
_next_seq = _sequence.__next__


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
    included: they become ``(None, 0)`` edges, as in torch). ``broadcast`` marks elementwise
    ops whose inputs may have been broadcast or promoted: the engine then sums each input's
    gradient back to its shape and casts it to its dtype, so no op has to.
    """
    # This runs once per op: it is written for speed (one pass, no helper calls).
    out = _new(Tensor)  # _wrap(data), inlined
    out._data = data
    out._requires_grad = False
    out.grad_fn = out._grad = out._hooks = out._acc = out._base = None
    out._version = [0]
    if not STATE.enabled:
        return out
    edges = []
    live = False
    for t in inputs:
        if isinstance(t, Tensor):
            fn = t.grad_fn
            if fn is not None:
                edges.append((fn, 0))
                live = True
                continue
            if t._requires_grad:
                edges.append((accumulator(t), 0))
                live = True
                continue
        edges.append(_NO_EDGE)
    if not live:
        return out
    node = _new(node_cls)
    node._seq = _next_seq()
    node.next_functions = tuple(edges)
    node.result = data
    node.grad_output = node.grad_inputs = node._fix = None
    node._saved = saved
    if saved:
        # Note what a backward must check (versions) and free, and the values as arrays.
        plain = []
        versions = None
        frees = node_cls.numbers_are_saved
        for s in saved:
            if isinstance(s, Tensor):
                if versions is None:
                    versions = []
                box = s._version
                versions.append((box, box[0], s))
                plain.append(s._data)
                frees = True
            elif s is RESULT:
                if versions is None:
                    versions = []
                versions.append((out._version, 0, None))
                plain.append(data)
                frees = True
            else:
                if s.__class__ is np.ndarray:
                    frees = True
                plain.append(s)
        if versions is None:
            node._versions = None
        else:
            node._versions = tuple(versions)
            node._epoch = _EPOCH[0]
        node._plain = tuple(plain)
        node._frees = frees
    else:
        node._versions = None
        node._plain = ()
        node._frees = False
    if broadcast:
        shape, dt = data.shape, data.dtype
        fix = None
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
    sa, sb = np.shape(a), np.shape(b)
    if sa != sb:
        # By hand: np.broadcast_shapes costs microseconds, more than many ops themselves.
        for x, y in zip(reversed(sa), reversed(sb)):
            if x != y and x != 1 and y != 1:
                raise _broadcast_error(sa, sb)


def _operand(x: Any, fn: str, pos: int) -> Any:
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(
        f"{fn}(): argument 'other' (position {pos}) must be Tensor or Number, not "
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
