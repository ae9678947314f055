"""The nodes of the backward graph.

Every operation on tensors that require grad attaches a node to its output (``grad_fn``).
A node knows the nodes of its inputs (``next_functions``, as in torch), what its backward
formula needs (saved values), and the formula itself (``vjp``): given the gradient of the
output it returns the gradient of each input. Leaves that require grad are reached through
an ``AccumulateGrad`` node, which adds what arrives into ``leaf.grad``.

Beyond torch, a node remembers, for teaching, the value it computed (``result``) and, after a
backward, the gradient it received (``grad_output``) and what it sent along each edge
(``grad_inputs``). The graph views draw these.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Node", "AccumulateGrad", "RemovableHandle", "RESULT"]

_sequence = itertools.count()

# How many in-place writes there have been, anywhere. A node notes it when it saves tensors;
# if it has not moved by the backward, none of them changed and the version check is skipped.
EPOCH = [0]


def bump_version(t: Any) -> None:
    """Record an in-place write to ``t``: every in-place change of a tensor goes through here."""
    box = t._vbox
    if box is None:
        t._vbox = [1]
    else:
        box[0] += 1
    EPOCH[0] += 1


def version_box(t: Any) -> list:
    """``t``'s version counter, a one-element list that views and detached tensors share.
    A tensor gets one only when it needs it (None means version 0, with no views yet): most
    tensors are never written in place or viewed, and one object fewer per op counts."""
    box = t._vbox
    if box is None:
        box = t._vbox = [0]
    return box


def take_general_path(node: Any) -> None:
    """Send ``node`` through the engine's general path (``engine._run_node``), the only one
    that runs a node's hooks and fills a retained gradient. The common path is for nodes
    whose ``_fix`` is None; fix-ups of None change nothing."""
    if node._fix is None:
        node._fix = (None,) * len(node._next)


def version_of(t: Any) -> int:
    box = t._vbox
    return 0 if box is None else box[0]


# Saved-value marker: "the output of this op". The node keeps the output's array, not the
# output tensor, so no reference cycle ties a tensor to its own grad_fn.
RESULT = object()

FREED_GRAPH = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed when "
    "you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)



class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away again."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """A backward function. Subclasses are named as torch names them (``SinBackward0``) and
    define ``vjp(self, F, g, *saved)``: the gradient of each input given the output's ``g``.

    ``F`` is the namespace the formula computes in: NumPy for a plain backward, nbgrad itself
    under ``create_graph=True``, so that the same line of math builds a differentiable graph.
    """

    __slots__ = (
        "_next", "result", "grad_output", "grad_inputs", "_saved", "_plain", "_versions",
        "_epoch", "_obox", "_oexp", "_fix", "_seq", "_frees", "__dict__", "__weakref__",
    )
    # Whether a saved Python number counts as a saved tensor (freed after backward): torch
    # wraps the number in ``x * 2`` as a tensor, so a second backward through it fails.
    numbers_are_saved = False
    # Rarely set, so they live on the class until they are: making a node stays cheap.
    _pre_hooks: list | None = None
    _retained: Any = None
    _metadata: dict | None = None

    def __init__(self) -> None:
        # ``record`` (ops/_core.py) fills these in directly for the nodes of ops.
        self._seq = next(_sequence)
        self._next = ()  # the node of each input, or None: next_functions without the 0s
        self.result = None
        self.grad_output = None
        self.grad_inputs = None
        self._saved = ()
        self._plain = ()  # the saved values as arrays, for a backward on arrays
        self._versions = None  # what the saved tensors' versions were: see _check_versions
        self._fix = None
        self._frees = False  # whether a backward frees the saved values

    # -- torch's introspection API -------------------------------------------------------
    @property
    def next_functions(self) -> tuple:
        """``((node, 0), ...)``: where the gradient of each input goes, as torch shows it."""
        return tuple([(None, 0) if fn is None else fn._edge() for fn in self._next])

    def _edge(self) -> tuple:
        """``(node, output number)``: how an edge into this node shows in ``next_functions``.
        A custom Function with several outputs (autograd/function.py) answers for each."""
        return (self, 0)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return tuple(fn is not None for fn in self._next)

    def __repr__(self) -> str:
        # torch's ``<AccumulateGrad object at 0x...>``, without the address (it changes)
        return f"<{type(self).__name__} object>"

    # -- the formula ---------------------------------------------------------------------
    def vjp(self, F: Any, g: Any, *saved: Any) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _unpack(self, as_tensors: bool) -> tuple:
        saved = self._saved
        if self._plain is None:
            raise RuntimeError(FREED_GRAPH)
        if self._versions is not None:
            self._check_versions()
        if not as_tensors:
            return self._plain
        from nbgrad._tensor import Tensor, _wrap

        out = []
        for s in saved:
            if isinstance(s, Tensor):
                out.append(s)
            elif s is RESULT:
                out.append(_wrap(self.result, True, self))
            elif isinstance(s, np.ndarray):
                out.append(_wrap(s))
            else:
                out.append(s)
        return tuple(out)

    def _check_versions(self) -> None:
        """torch's version-counter check: a saved value changed in place since it was saved.

        ``record`` notes, to stay cheap, only the sum of the saved tensors' versions (versions
        never go down, so the sum moves if and only if one of them changed); that also tells
        each tensor's expected version when there is one tensor or the sum was 0. When several
        were saved at nonzero versions it notes a tuple: each one's version.
        """
        saved, noted = self._saved, self._versions
        tensor = _tensor_class()
        # The common case, nothing changed, in one pass with no new objects: this runs for
        # every node that saved a tensor once anything was written in place since it was
        # made (in training, each accumulation into a .grad is such a write).
        total = 0
        count = 0
        watch_output = False
        for s in saved:
            if isinstance(s, tensor):
                box = s._vbox
                if box is not None:
                    total += box[0]
                count += 1
            elif s is RESULT:
                watch_output = True
        if noted.__class__ is tuple or total != noted:
            for i, s in enumerate(saved):
                if not isinstance(s, tensor):
                    continue
                expected = noted[i] if noted.__class__ is tuple else (
                    noted if count == 1 else 0)
                if version_of(s) != expected:
                    raise _modified_error(s, version_of(s), expected, self)
        if watch_output and self._obox[0] != self._oexp:
            raise _modified_error(None, self._obox[0], self._oexp, self)

    def _rebind_output(self, box: list) -> None:
        """The output now lives in another tensor (an in-place op): watch its version."""
        if self._plain is not None and _saves_result(self._saved):
            self._obox = box
            self._oexp = box[0]

    def _release(self) -> None:
        """After a backward (without ``retain_graph``): free what the backward needed, as
        torch does, and keep for the drawings only what is small."""
        if self._frees:
            # The constants (exponents, bounds, dims) and small values stay in ``_saved`` for
            # drawing; without ``_plain`` a second backward refuses, as in torch.
            for a in self._plain:  # the same values as arrays, in the same order
                if a.__class__ is np.ndarray and a.size > KEEP_LIMIT:
                    self._saved = tuple([s if _small(s) else None for s in self._saved])
                    break
            self._plain = None
        r = self.result
        if r.__class__ is np.ndarray and r.size > KEEP_LIMIT:
            self.result = None


# Teaching views draw each node's value and gradients after a backward. Arrays up to this many
# elements are kept for them; larger ones (a training batch's activations) are freed after the
# backward, so a graph kept alive (say, a loss appended to a list) costs little memory.
KEEP_LIMIT = 4096


def _saves_result(saved: tuple) -> bool:
    return any(s is RESULT for s in saved)  # not ``in``: it would compare tensors with ==


_TENSOR: list = []  # nbgrad._tensor.Tensor, once imported (it imports this module)


def _tensor_class() -> type:
    if not _TENSOR:
        from nbgrad._tensor import Tensor

        _TENSOR.append(Tensor)
    return _TENSOR[0]


_PLAIN = frozenset((type(None), bool, int, float, tuple, str))


def _small(v: Any) -> bool:
    """Whether a saved value is kept for the drawings after a backward."""
    cls = v.__class__
    if cls in _PLAIN:  # (getattr with a default costs an AttributeError on these)
        return True
    data = v if cls is np.ndarray else getattr(v, "_data", v)
    return not (data.__class__ is np.ndarray and data.size > KEEP_LIMIT)


def _modified_error(t: Any, version: int, expected: int, node: Node | None = None) -> RuntimeError:
    from nbgrad._dtype import _legacy_type_name, from_numpy_dtype

    if t is not None:
        dtype, shape, fn = t.dtype, list(t.shape), t.grad_fn
    else:
        dtype, shape, fn = from_numpy_dtype(node.result.dtype), list(np.shape(node.result)), node
    what = f"[nbgrad.{_legacy_type_name(dtype)} {shape}]"
    if fn is not None:
        fn, nr = fn._edge()  # output 0 but for a custom Function's later outputs
        op = fn.name()
        op = op[: op.rfind("Backward")] if "Backward" in op else op
        what += f", which is output {nr} of {op},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {version}; expected version {expected} instead. "
        "Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with nbgrad.autograd.set_detect_anomaly(True, check_nan=False)."
    )


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the gradient that arrives into ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        # Node.__init__'s slots, each written once: a leaf gets a new one in every graph
        self._seq = next(_sequence) + (1 << 62)  # torch runs accumulators once ready
        self.variable = variable
        self._next = ()
        self.result = self.grad_output = self.grad_inputs = None
        self._saved = self._plain = ()
        self._versions = self._fix = None
        self._frees = False

    def name(self) -> str:
        return "nbgrad::autograd::AccumulateGrad"


def accumulator(t: Any) -> AccumulateGrad:
    """The leaf's AccumulateGrad node: one per leaf while a graph uses it, held weakly."""
    ref = t._acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._acc = weakref.ref(node)
    return node
