"""The backward pass: order the graph once, then send each node its gradient.

Everything here is iterative, so a chain of a million operations needs no recursion. Nodes run
in torch's order (the most recently created ready node first), which is also the order the
step-through widget shows.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbgrad._grad_mode import STATE
from nbgrad.autograd.graph import AccumulateGrad, Node, accumulator

__all__ = ["run_backward", "store_grad", "sum_to"]


def _collect(roots: list[Node]) -> dict[Node, int]:
    """How many edges lead into each node reachable from ``roots``."""
    deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _needed(roots: list[Node], targets: set[Node]) -> set[Node]:
    """The nodes that must run for a gradient to reach one of ``targets``."""
    parents: dict[Node, list[Node]] = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
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
    from nbgrad._tensor import Tensor, _wrap

    for hook in list(hooks):
        out = hook(g if tensor_mode else _wrap(g))
        if out is not None:
            if not isinstance(out, Tensor):
                raise TypeError(f"hook should return a Tensor or None, not {type(out).__name__}")
            g = out if tensor_mode else out._data
    return g


def store_grad(t: Any, g: Any, tensor_mode: bool) -> None:
    """Add ``g`` into ``t.grad``: in place when it can be, as torch does."""
    from nbgrad._tensor import _wrap

    old = t._grad
    if tensor_mode:
        t._grad = g if old is None else old + g
        return
    if g.dtype != t._data.dtype:
        g = g.astype(t._data.dtype)
    if old is None:
        # Always a fresh array: the same gradient array may flow to several leaves.
        t._grad = _wrap(np.array(g, copy=True))
    elif (old._requires_grad or not isinstance(old._data, np.ndarray)
          or not old._data.flags.writeable):
        t._grad = _wrap(np.asarray(old._data + g))
    else:
        np.add(old._data, g, out=old._data)
        old._version[0] += 1


def _run_node(node: Node, g: Any, tensor_mode: bool, accumulate: bool) -> tuple | None:
    if isinstance(node, AccumulateGrad):
        leaf = node.variable
        if leaf._hooks:
            g = _run_hooks(leaf._hooks, g, tensor_mode)
        node.grad_output = _to_array(g)
        if accumulate:
            store_grad(leaf, g, tensor_mode)
        return None
    if node._pre_hooks:
        g = _run_hooks(node._pre_hooks, g, tensor_mode)
    if node._retained is not None:
        t = node._retained()
        if t is not None:
            store_grad(t, g, tensor_mode)
    saved = node._unpack(tensor_mode)
    grads = node.vjp(_tensor_namespace() if tensor_mode else NUMPY_NAMESPACE, g, *saved)
    fix = node._fix
    if fix is not None:
        grads = tuple(_fixup(gi, f, tensor_mode) for gi, f in zip(grads, fix))
    if tensor_mode:
        node.grad_output = g._data
        node.grad_inputs = tuple(_to_array(gi) for gi in grads)
    else:
        node.grad_output = g
        node.grad_inputs = grads
    return grads


def _fixup(g: Any, fix: tuple | None, tensor_mode: bool) -> Any:
    """Undo broadcasting (sum back to the input's shape) and restore the input's dtype."""
    if g is None or fix is None:
        return g
    shape, dtype = fix
    if tensor_mode:
        if shape is not None:
            g = g.sum_to_size(shape)
        return g if dtype is None else g.to(dtype)
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

    deps = _collect(root_nodes)
    ready = [(-n._seq, n) for n in set(root_nodes) if n not in deps]
    heapq.heapify(ready)
    prev_mode = STATE.enabled
    STATE.enabled = create_graph
    try:
        while ready:
            node = heapq.heappop(ready)[1]
            g = buffers.pop(node, None)
            grads = None
            if captures is not None and node in captures and g is not None:
                for k in captures[node]:
                    results[k] = g
            if g is not None and (needed is None or node in needed or captures is None):
                grads = _run_node(node, g, tensor_mode, accumulate and captures is None)
                if not retain_graph:
                    node._release()
            for i, (nxt, _) in enumerate(node.next_functions):
                if nxt is None:
                    continue
                if grads is not None:
                    gi = grads[i]
                    if gi is not None:
                        prev = buffers.get(nxt)
                        buffers[nxt] = gi if prev is None else prev + gi
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    heapq.heappush(ready, (-nxt._seq, nxt))
    finally:
        STATE.enabled = prev_mode

    if inputs is None:
        return None
    from nbgrad._tensor import _wrap

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
    sign = staticmethod(np.sign)
    where = staticmethod(np.where)
    matmul = staticmethod(np.matmul)
    sum_to = staticmethod(sum_to)

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


NUMPY_NAMESPACE = _NumpyNamespace()


def _tensor_namespace() -> Any:
    from nbgrad.ops.namespace import TENSOR_NAMESPACE

    return TENSOR_NAMESPACE
