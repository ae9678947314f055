"""The backward pass: order the graph once, then send each node its gradient.

Everything here is iterative, so a chain of a million operations needs no recursion. Nodes run
in torch's order (the most recently created ready node first), which is also the order the
step-through widget shows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import numpy as np

from nbgrad._dtype import _BY_NUMPY
from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.anomaly import ANOMALY, check_nan
from nbgrad.autograd.graph import (
    EPOCH,
    FREED_GRAPH,
    KEEP_LIMIT,
    AccumulateGrad,
    Node,
    accumulator,
    bump_version,
)

__all__ = ["run_backward", "store_grad", "sum_to"]


def _order(roots: list[Node]) -> tuple[list[Node], dict[Node, int]]:
    """The function nodes reachable from ``roots`` in the order backward runs them, and for
    each leaf's ``AccumulateGrad`` how many edges lead into it.

    torch runs, among the nodes that are ready, the most recently created one first. A node
    is always created after the nodes of its inputs, so that is simply the order of creation,
    latest first: one sort instead of a priority queue.
    """
    funcs: list[Node] = []
    leaf_deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        if node.__class__ is AccumulateGrad:
            continue
        funcs.append(node)
        for nxt in node._next:
            if nxt is None:
                continue
            if nxt.__class__ is AccumulateGrad:  # a leaf: counted, never walked
                leaf_deps[nxt] = leaf_deps.get(nxt, 0) + 1
            elif nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    funcs.sort(key=_BY_SEQ, reverse=True)
    return funcs, leaf_deps


_BY_SEQ = attrgetter("_seq")


def _needed(roots: list[Node], targets: set[Node]) -> set[Node]:
    """The nodes that must run for a gradient to reach one of ``targets``."""
    parents: dict[Node, list[Node]] = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt in node._next:
            if nxt is None:
                continue
            parents.setdefault(nxt, []).append(node)
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    needed: set[Node] = set()
    stack = [t for t in targets if t in seen]
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _to_array(g: Any) -> Any:
    return g if g is None or isinstance(g, (np.ndarray, np.generic)) else g._data


def _run_hooks(hooks: list, g: Any, tensor_mode: bool) -> Any:
    for hook in list(hooks):
        out = hook(g if tensor_mode else _wrap(g))
        if out is not None:
            if not isinstance(out, Tensor):
                raise TypeError(f"hook should return a Tensor or None, not {type(out).__name__}")
            g = out if tensor_mode else out._data
    return g


def store_grad(t: Any, g: Any, tensor_mode: bool, owned: bool = False) -> None:
    """Add ``g`` into ``t.grad``: in place when it can be, as torch does. ``owned``: nothing
    but the caller refers to the array ``g`` (see ``_owned``), so it may become ``t.grad``."""
    old = t._grad
    if tensor_mode:
        if old is not None:
            t._grad = old + g  # recorded: AddBackward0
        elif g._requires_grad:
            # torch stores a copy that keeps the graph: a leaf's is an empty tensor with
            # ``g`` copied in (CopyBackwards), a retained gradient a clone (CloneBackward0)
            t._grad = _recorded_copy(g) if t.grad_fn is None else g.clone()
        else:
            t._grad = g
        return
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
        owned = True  # a new array
    if old is None:
        # A fresh array, unless ``g`` is one that nothing else holds: the same gradient array
        # may flow to several leaves, or be kept by a node or the caller.
        t._grad = _wrap(g if owned else np.array(g, copy=True))
    elif not isinstance(old._data, np.ndarray) or not old._data.flags.writeable:
        # (a gradient kept from a create_graph backward keeps its node, as torch's does)
        t._grad = _wrap(np.asarray(old._data + g), old._requires_grad, old.grad_fn)
    else:
        # in place, as torch adds outside grad mode, even into a gradient that has a graph
        np.add(old._data, g, out=old._data)
        bump_version(old)


def _recorded_copy(g: Tensor) -> Tensor:
    """``torch.empty_like(g).copy_(g)``, recorded: what a leaf keeps as its ``.grad`` after
    a backward with ``create_graph=True``."""
    from nbgrad.ops.shape import expand_copy

    return expand_copy(g, _wrap(np.empty_like(g._data)))


# torch's AccumulateGrad likewise adopts a gradient nobody else holds (its use_count). The
# count below is CPython's as of 3.10-3.13; from 3.14 the interpreter may hold references
# without counting them (borrowed stack references), which could make a shared array look
# unshared, so there every first gradient is copied, as before.
_COUNTS_REFERENCES = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _owned(g: Any, refs: int) -> bool:
    """Whether the caller's ``g`` is a large, writeable, C-contiguous array that no one else
    refers to (``refs``: the references the caller's frame holds), so that it may become a
    leaf's ``.grad`` without a copy. An array that another buffer, a node's ``grad_inputs``,
    a tensor or a view still holds has more references (+2 below: this function's parameter
    and getrefcount's argument; call it in a statement of its own, not in the argument list
    of a call that also passes ``g``: that holds one more). ``g`` may be a whole-array view
    (a transpose, as ``Linear``'s weight gradient is) of an array only it holds. Small
    arrays are left out: a node may keep them for the drawings (``KEEP_LIMIT``), and copying
    them costs nothing."""
    if (not _COUNTS_REFERENCES or g.__class__ is not np.ndarray or g.size <= KEEP_LIMIT
            or not g.flags.c_contiguous
            or not g.flags.writeable or sys.getrefcount(g) != refs + 2):
        return False
    base = g.base
    # NumPy points a view's base straight at the array that owns the memory; here it must be
    # held by g.base alone (+2: the local ``base`` and getrefcount's argument).
    return base is None or (base.__class__ is np.ndarray and base.base is None
                            and base.nbytes == g.nbytes and sys.getrefcount(base) == 3)


def _run_leaf(node: AccumulateGrad, g: Any, tensor_mode: bool, accumulate: bool,
              owned: bool = False) -> None:
    leaf = node.variable
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g, tensor_mode)
        owned = False  # the hook may keep it, or return an array it keeps
    node.grad_output = _keep(_to_array(g))
    if accumulate:
        store_grad(leaf, g, tensor_mode, owned)


def _run_node(node: Node, g: Any, F: Any, tensor_mode: bool) -> tuple:
    """Apply one node's formula: the gradient it sends along each of its edges."""
    if node._pre_hooks:
        g = _run_hooks(node._pre_hooks, g, tensor_mode)
    if node._retained is not None:
        t = node._retained()
        if t is not None:
            store_grad(t, g, tensor_mode)
    if tensor_mode:
        saved = node._unpack(True)
    else:
        saved = node._plain
        if saved is None:
            raise RuntimeError(FREED_GRAPH)
        if node._versions is not None and node._epoch != EPOCH[0]:
            node._check_versions()  # something was written in place since the node saved
    grads = node.vjp(F, g, *saved)
    if ANOMALY.enabled and ANOMALY.check_nan:
        check_nan(node, grads)
    fix = node._fix
    if fix is not None:
        grads = tuple([_fixup(gi, f, tensor_mode) for gi, f in zip(grads, fix)])
    # Kept for the teaching views (what flowed into the node and along each edge), when small.
    if tensor_mode:
        node.grad_output = _keep(g._data)
        node.grad_inputs = tuple([_keep(_to_array(gi)) for gi in grads])
    else:
        node.grad_output = g if g.__class__ is not np.ndarray or g.size <= KEEP_LIMIT else None
        node.grad_inputs = _kept_grads(grads)
    return grads


def _keep(g: Any) -> Any:
    return None if g.__class__ is np.ndarray and g.size > KEEP_LIMIT else g


def _kept_grads(grads: tuple) -> tuple:
    """``grads`` with every large array left out (None): what a node keeps for drawings."""
    for gi in grads:
        if gi.__class__ is np.ndarray and gi.size > KEEP_LIMIT:
            return tuple([_keep(gj) for gj in grads])
    return grads


def _fixup(g: Any, fix: tuple | None, tensor_mode: bool) -> Any:
    """Undo broadcasting (sum back to the input's shape) and restore the input's dtype."""
    if g is None or fix is None:
        return g
    shape, dtype = fix
    if tensor_mode:
        if shape is not None:
            g = g.sum_to_size(shape)
        # ``dtype`` is NumPy's (see ops/_core.record): Tensor.to wants nbgrad's
        return g if dtype is None else g.to(_BY_NUMPY[dtype])
    if shape is not None:
        g = sum_to(g, shape)
    return g if dtype is None else g.astype(dtype)


def sum_to(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added or stretched, leaving ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1
    )
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return out.reshape(shape)


def run_backward(
    roots: Sequence[Any],
    grad_roots: Sequence[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Any] | None = None,
    allow_unused: bool = False,
    accumulate: bool = True,
) -> tuple | None:
    """Run the backward pass from ``roots``.

    With ``inputs`` (``autograd.grad``), return the gradient of each input and leave every
    ``.grad`` alone; otherwise accumulate into the leaves' ``.grad``.
    """
    tensor_mode = create_graph
    buffers: dict[Node, Any] = {}
    root_nodes: list[Node] = []
    for i, (t, g) in enumerate(zip(roots, grad_roots)):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        node = t.grad_fn if t.grad_fn is not None else accumulator(t)
        g = g if tensor_mode else g._data
        buffers[node] = g if node not in buffers else buffers[node] + g
        root_nodes.append(node)

    captures: dict[Node, list[int]] | None = None
    needed: set[Node] | None = None
    if inputs is not None:
        captures = {}
        for k, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            node = t.grad_fn if t.grad_fn is not None else accumulator(t)
            captures.setdefault(node, []).append(k)
        needed = _needed(root_nodes, set(captures))
        results: list[Any] = [None] * len(inputs)

    funcs, leaf_deps = _order(root_nodes)
    F = _tensor_namespace() if tensor_mode else NUMPY_NAMESPACE
    filtering = captures is not None
    to_leaves = accumulate and not filtering
    plain = not tensor_mode and not (ANOMALY.enabled and ANOMALY.check_nan)
    epoch = EPOCH

    def capture(node: Node, g: Any) -> None:
        # The tensor's hooks run before its gradient is captured, as in torch; except when
        # the node runs on (an input below it is wanted too): torch then captures the
        # gradient before its hooks, which run once, in _run_node.
        if node not in needed:
            hooks = (node.variable._hooks if node.__class__ is AccumulateGrad
                     else node._pre_hooks)
            if hooks:
                g = _run_hooks(hooks, g, tensor_mode)
            # A retained gradient is filled whenever it is computed (_run_node does it for
            # the nodes that run).
            if node._retained is not None:
                t = node._retained()
                if t is not None:
                    store_grad(t, g, tensor_mode)
        for k in captures[node]:
            results[k] = g

    def run_leaves(leaves: list[Node]) -> None:
        # Leaves run as soon as their gradient is complete (torch gives AccumulateGrad the
        # top priority), several at once in the order of the edges that completed them.
        for leaf in leaves:
            g = buffers.pop(leaf, None)
            if g is None:
                continue
            if filtering:
                if leaf in captures:
                    capture(leaf, g)
                continue
            # ``g`` (this frame's one reference, now that the buffer let go) may be adopted
            owned = not tensor_mode and _owned(g, 1)
            _run_leaf(leaf, g, tensor_mode, to_leaves, owned)

    prev_mode = STATE.enabled
    STATE.enabled = create_graph
    try:
        run_leaves([n for n in dict.fromkeys(root_nodes)
                    if n.__class__ is AccumulateGrad and n not in leaf_deps])
        # The hot loop: one pass per node.
        for node in funcs:
            g = buffers.pop(node, None)
            grads = None
            if g is not None:
                if filtering and node in captures:
                    capture(node, g)
                if not filtering or node in needed:
                    if plain and node._fix is None:
                        # _run_node's common case, inline (it runs once per node): no hooks,
                        # no retained gradient, nothing to fix up, arrays in and out.
                        saved = node._plain
                        if saved is None:
                            raise RuntimeError(FREED_GRAPH)
                        if node._versions is not None and node._epoch != epoch[0]:
                            node._check_versions()
                        grads = node.vjp(F, g, *saved)
                        node.grad_output = (g if g.__class__ is not np.ndarray
                                            or g.size <= KEEP_LIMIT else None)
                        for gi in grads:
                            if gi.__class__ is np.ndarray and gi.size > KEEP_LIMIT:
                                node.grad_inputs = _kept_grads(grads)
                                break
                        else:
                            node.grad_inputs = grads
                    else:
                        grads = _run_node(node, g, F, tensor_mode)
                    if not retain_graph and (node._frees or node.result.__class__ is np.ndarray):
                        node._release()
            ready = None
            if grads is None:
                for nxt in node._next:
                    if nxt is not None and nxt.__class__ is AccumulateGrad:
                        left = leaf_deps[nxt] - 1
                        leaf_deps[nxt] = left
                        if not left:
                            ready = [nxt] if ready is None else [*ready, nxt]
            else:
                for nxt, gi in zip(node._next, grads):
                    if nxt is None:
                        continue
                    if gi is not None:
                        prev = buffers.get(nxt)
                        buffers[nxt] = gi if prev is None else prev + gi
                    if nxt.__class__ is AccumulateGrad:
                        left = leaf_deps[nxt] - 1
                        leaf_deps[nxt] = left
                        if not left:
                            ready = [nxt] if ready is None else [*ready, nxt]
            if ready is not None:
                g = grads = gi = None  # let go of the gradients (run_leaves may adopt them)
                run_leaves(ready)
    finally:
        STATE.enabled = prev_mode

    if inputs is None:
        return None
    out = []
    for k, g in enumerate(results):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {k} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            out.append(None)
        elif tensor_mode:
            out.append(g)
        else:
            out.append(_wrap(np.array(g, dtype=inputs[k]._data.dtype, copy=True)))
    return tuple(out)


class _NumpyNamespace:
    """The functions backward formulas call, computing on NumPy arrays."""

    cos = staticmethod(np.cos)
    sin = staticmethod(np.sin)
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    where = staticmethod(np.where)
    matmul = staticmethod(np.matmul)
    sum_to = staticmethod(sum_to)

    @staticmethod
    def sign(x: Any) -> Any:
        """torch's sign: -1, 0 or 1, and (unlike np.sign) 0 for nan."""
        kind = x.dtype.kind
        if kind == "f":
            return np.subtract(x > 0, x < 0, dtype=x.dtype)
        return np.sign(x) if kind != "b" else np.array(x, copy=True)  # a bool is its own sign

    @staticmethod
    def keep(cond: Any, g: Any) -> Any:
        """``g`` where ``cond`` holds and 0 elsewhere, as torch's where and masked_fill give
        it: unlike ``g * cond``, an inf or nan in ``g`` does not leak into the zeros."""
        # np.where is several times slower than a product on large arrays (a random mask
        # defeats its branches), so multiply, and mend only when the product holds a nan,
        # which inf * 0 and nan * 0 always leave: vdot(out, out) is nan exactly then.
        out = g * cond
        if np.isnan(np.vdot(out, out)):
            out = np.where(cond, g, 0)
        elif out.dtype.kind == "f":  # -g * False is -0.0, which prints as -0.: torch's is 0.
            if out.__class__ is np.ndarray:
                out += 0.0
            else:  # a 0-d product is a NumPy scalar
                out = out + 0.0
        return out

    @staticmethod
    def mask(cond: Any, like: Any) -> Any:
        """A 0/1 array of ``like``'s dtype from a boolean condition."""
        return np.asarray(cond).astype(like.dtype)

    @staticmethod
    def zeros(shape: tuple, like: Any) -> np.ndarray:
        return np.zeros(shape, dtype=like.dtype)

    @staticmethod
    def expand(g: Any, shape: tuple) -> np.ndarray:
        return np.broadcast_to(g, shape)

    @staticmethod
    def reshape(g: Any, shape: tuple) -> np.ndarray:
        return np.reshape(g, shape)

    @staticmethod
    def sum(g: Any, dim: Any, keepdim: bool = False) -> np.ndarray:
        return np.sum(g, axis=dim, keepdims=keepdim)

    @staticmethod
    def permute(g: Any, dims: tuple) -> np.ndarray:
        return np.transpose(g, dims)

    @staticmethod
    def transpose(g: Any, d0: int, d1: int) -> np.ndarray:
        return np.swapaxes(g, d0, d1)

    @staticmethod
    def mT(g: Any) -> np.ndarray:  # noqa: N802 - torch's name
        return np.swapaxes(g, -1, -2)

    @staticmethod
    def unsqueeze(g: Any, dim: int) -> np.ndarray:
        return np.expand_dims(g, dim)

    @staticmethod
    def squeeze(g: Any, dim: int) -> np.ndarray:
        return np.squeeze(g, dim)

    @staticmethod
    def outer(a: Any, b: Any) -> np.ndarray:
        return np.multiply.outer(a, b)

    @staticmethod
    def index_put(shape: tuple, index: Any, g: Any, accumulate: bool) -> np.ndarray:
        out = np.zeros(shape, dtype=g.dtype)
        if accumulate:
            np.add.at(out, index, g)
        else:
            out[index] = g
        return out

    @staticmethod
    def index(g: Any, index: Any) -> Any:
        return g[index]

    @staticmethod
    def split(g: Any, sizes: list[int], dim: int) -> list:
        return np.split(g, np.cumsum(sizes)[:-1], axis=dim)

    @staticmethod
    def unbind(g: Any, dim: int) -> list:
        return [np.take(g, i, axis=dim) for i in range(g.shape[dim])]

    @staticmethod
    def cast(g: Any, dtype: Any) -> Any:
        return g.astype(dtype.numpy)

    # -- for the backward of trig, cumulative (prod, cumsum, cumprod) ----------------
    cosh = staticmethod(np.cosh)
    sinh = staticmethod(np.sinh)
    tanh = staticmethod(np.tanh)

    @staticmethod
    def erf(x: Any) -> Any:
        from nbgrad.ops.trig import erf_array

        return erf_array(x)

    @staticmethod
    def cumsum(t: Any, dim: int) -> np.ndarray:
        return np.cumsum(t, axis=dim)

    @staticmethod
    def cumprod(t: Any, dim: int) -> np.ndarray:
        return np.cumprod(t, axis=dim)

    @staticmethod
    def prod(t: Any, dims: Any, keepdim: bool = False) -> np.ndarray:
        return np.prod(t, axis=dims, keepdims=keepdim)
    @staticmethod
    def flip(g: Any, dims: tuple) -> np.ndarray:
        return np.flip(g, dims)


NUMPY_NAMESPACE = _NumpyNamespace()


def _tensor_namespace() -> Any:
    from nbgrad.ops.namespace import TENSOR_NAMESPACE

    return TENSOR_NAMESPACE
