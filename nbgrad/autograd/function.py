"""Custom autograd functions: an op written by the user, its forward and its backward.

::

    class MyExp(nbgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y

    y = MyExp.apply(x)      # tensor(..., grad_fn=<MyExpBackward>)

As in torch, ``ctx`` *is* the graph node: ``y.grad_fn`` is the very object ``forward`` wrote
into (``y.grad_fn.saved_tensors``, ``y.grad_fn.k`` for a ``ctx.k = 3``). Each Function class
gets its node class at definition (``MyExp._backward_cls``, named ``MyExpBackward``).

The node's ``vjp`` (what the engine calls) wraps the incoming gradients as tensors, calls the
user's ``backward``, and checks what comes back as torch does: one gradient per forward
argument, None for the non-tensor ones, each of its input's shape (or summable to it) and
cast to its dtype. Under ``create_graph=True`` the engine runs it with tensors in grad mode,
so a backward written with tensor ops records its own graph: second derivatives work.

Several outputs: torch gives every output the same node, telling them apart by an output
number. nbgrad's engine keeps one gradient per node, so each differentiable output (when
there are two or more) gets a small helper node of the same name (``_Output``): it passes
its gradient on to the Function's node tagged with its output number (``_OutputGrads``), and
the node runs once with all of them. Nothing changes in the engine's loop. The difference
shows only in identity: ``a.grad_fn is b.grad_fn`` is False here, True in torch; printing,
``name()`` and ``next_functions`` (``(<TwoBackward>, 1)``) are the same.
"""

from __future__ import annotations

import functools
import inspect
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from nbgrad._grad_mode import STATE
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.engine import NUMPY_NAMESPACE, sum_to
from nbgrad.autograd.graph import (
    FREED_GRAPH,
    KEEP_LIMIT,
    Node,
    _modified_error,
    _sequence,
    accumulator,
    bump_version,
    version_box,
    version_of,
)

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "FunctionMeta",
           "once_differentiable", "received_grad", "is_output_helper"]

_new = object.__new__

# torch's words
_LEAF_DIRTY = "a leaf Variable that requires grad has been used in an in-place operation."
_DIRTY_NOT_RETURNED = (
    "Some elements marked as dirty during the forward method were not returned as output. "
    "The inputs that are modified inplace must all be outputs of the Function."
)
_DIRTY_NOT_INPUT = (
    "ctx.mark_dirty() received a tensor that was not an input. Only input Tensors that have "
    "been mutated should be passed to ctx.mark_dirty()."
)
_LEGACY = (
    "Legacy autograd function with non-static forward method is deprecated. Please use "
    "new-style autograd function with static forward method. (Example: "
    "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
)
_ONCE = ("trying to differentiate twice a function that was marked with "
         "@once_differentiable")


class FunctionCtx:
    """What ``forward`` (or ``setup_context``) may tell the backward pass, through ``ctx``.

    As in torch these only note what they are given; ``apply`` checks and uses it once
    ``forward`` has returned.
    """

    __slots__ = ()

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep ``tensors`` (or None) for ``backward``, which reads them back from
        ``ctx.saved_tensors``: checked, unlike attributes of ``ctx``, for changes in place."""
        self.to_save = tensors

    def mark_dirty(self, *args: Tensor) -> None:
        """Say that ``forward`` modified these inputs in place (and returns them)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Tensor) -> None:
        """Say that these outputs have no gradient (indices, masks): they will not require
        grad, and ``backward`` receives zeros for them."""
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """With False, ``backward`` receives None (rather than zeros) for the gradient of an
        output that was not used."""
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function, which is also its ``ctx``. Each Function class has
    its own subclass, named after it (``MyExpBackward``): see ``FunctionMeta``."""

    __slots__ = ("to_save", "dirty_tensors", "non_differentiable", "materialize_grads",
                 "_needs", "_is_tensor", "_inputs", "_outputs", "_output_nr", "_helpers",
                 "_kept", "_freed")
    _forward_cls: type  # set on each subclass

    # -- torch's introspection -----------------------------------------------------------
    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """One flag for each argument of ``forward``: a tensor that requires grad."""
        return self._needs

    def __repr__(self) -> str:
        # torch's ``<torch.autograd.function.MyExpBackward object at 0x...>``, without the
        # address, as nbgrad prints every node
        cls = type(self)
        return f"<{cls.__module__}.{cls.__qualname__} object>"

    def _edge(self) -> tuple:
        return (self, self._output_nr)

    @property
    def saved_tensors(self) -> tuple:
        """What ``save_for_backward`` kept, checked against changes made in place since."""
        if self._freed:
            raise RuntimeError(FREED_GRAPH)
        out = []
        for entry in self._kept:
            if entry is None or entry.__class__ is Tensor:
                out.append(entry)
                continue
            if entry.__class__ is _SavedOutput:
                out.append(entry.unpack(self))
                continue
            t, version = entry  # an input, or any other tensor forward made
            if version_of(t) != version:
                raise _modified_error(t, version_of(t), version)
            out.append(t)
        return tuple(out)

    # -- the backward pass ---------------------------------------------------------------
    def vjp(self, F: Any, g: Any) -> tuple:
        """Run the user's backward on the gradients of the outputs, and check its answer."""
        tensor_mode = F is not NUMPY_NAMESPACE
        cls = self._forward_cls
        user = cls.vjp if cls.vjp is not Function.vjp else cls.backward
        grads = user(self, *self._grad_outputs(g, tensor_mode))
        return self._check_grads(grads, tensor_mode)

    def _grad_outputs(self, g: Any, tensor_mode: bool) -> list:
        """One gradient for each output of ``forward``: what arrived, else zeros (or None
        without materialized grads, and always None for an output that is not a tensor)."""
        outputs = self._outputs
        if g.__class__ is _OutputGrads:
            received = list(g.grads)
        else:
            received = [None] * len(outputs)
            received[self._output_nr] = g
        materialize = self.materialize_grads
        for k, gk in enumerate(received):
            if gk is None:
                meta = outputs[k]
                if meta is not None and materialize:
                    received[k] = _wrap(np.zeros(meta[0], dtype=meta[1]))
            elif not tensor_mode:
                received[k] = _wrap(gk)
        return received

    def _check_grads(self, grads: Any, tensor_mode: bool) -> tuple:
        """torch's checks of what backward returned, in torch's order and words; the
        gradient of each tensor input (None where none flows), as the engine wants it."""
        if not isinstance(grads, tuple):
            grads = (grads,)
        is_tensor = self._is_tensor
        n = len(is_tensor)
        if len(grads) != n:
            if len(grads) < n or any(gi is not None for gi in grads[n:]):
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n}, got {len(grads)})"
                )
            grads = grads[:n]
        for i, (gi, t) in enumerate(zip(grads, is_tensor)):
            if gi is None:
                continue
            if not t:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable"
                )
            if not isinstance(gi, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(gi).__name__})")
        out = []
        j = 0
        for gi, t in zip(grads, is_tensor):
            if not t:
                continue
            if gi is None or self._next[j] is None:  # no gradient, or no edge to send it on
                out.append(None)
            else:
                out.append(self._fit(j, gi, tensor_mode))
            j += 1
        return tuple(out)

    def _fit(self, j: int, gi: Tensor, tensor_mode: bool) -> Any:
        """Input ``j``'s gradient at its shape (summed over broadcast dimensions, as torch
        allows) and dtype."""
        shape, dtype = self._inputs[j]
        gshape = np.shape(gi._data)
        if gshape != shape:
            if not _expandable(shape, gshape):
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {j} - got "
                    f"{list(gshape)} but expected shape compatible with {list(shape)}"
                )
            gi = gi.sum_to_size(shape) if tensor_mode else _wrap(sum_to(gi._data, shape))
        if tensor_mode:
            return gi if gi._data.dtype == dtype else gi.to(_dtype_of(dtype))
        data = gi._data
        return data if data.dtype == dtype else np.asarray(data).astype(dtype)

    def _helper(self, k: int) -> Node:
        """Output ``k``'s helper node (several outputs): the one the output holds while
        that lives, else a new one. Held weakly: a helper holds this node."""
        ref = self._helpers[k]
        fn = ref() if ref is not None else None
        if fn is None:
            fn = _make_node(self._forward_cls._output_cls, (self,), None)
            fn._main = self
            fn._output_nr = k
            self._helpers[k] = weakref.ref(fn)
        return fn

    def _release(self) -> None:
        """After a backward without ``retain_graph``: the saved tensors are freed, as in
        torch (``saved_tensors`` then raises); the node may still run again."""
        self._freed = True
        self._kept = ()
        r = self.result
        if r.__class__ is np.ndarray and r.size > KEEP_LIMIT:
            self.result = None


def _expandable(shape: tuple, to: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``to`` (torch's is_expandable_to)."""
    if len(shape) > len(to):
        return False
    return all(s == d or s == 1 for s, d in zip(reversed(shape), reversed(to)))


def _dtype_of(np_dtype: Any) -> Any:
    from nbgrad._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


class _SavedOutput:
    """An output saved for backward, kept as its array and version counter (not the tensor,
    whose ``grad_fn`` is the node that keeps this: no reference cycle)."""

    __slots__ = ("data", "box", "version", "k")

    def __init__(self, out: Tensor, k: int) -> None:
        self.data = out._data
        self.box = version_box(out)
        self.version = self.box[0]
        self.k = k

    def unpack(self, node: BackwardCFunction) -> Tensor:
        """The output again, with the node as its ``grad_fn`` (so that a double backward
        reaches it, as in torch)."""
        fn = node if node._helpers is None else node._helper(self.k)
        if self.box[0] != self.version:
            raise _modified_error(_wrap(self.data, True, fn), self.box[0], self.version)
        t = _wrap(self.data, True, fn)
        t._vbox = self.box
        return t


# -- several outputs ---------------------------------------------------------------------


class _OutputGrads:
    """The gradients of a Function's outputs on their way to its node, by output number.
    The engine adds what arrives for a node with ``+``: here that merges the outputs."""

    __slots__ = ("grads",)

    def __init__(self, grads: list) -> None:
        self.grads = grads

    def __add__(self, other: _OutputGrads) -> _OutputGrads:
        return _OutputGrads([a if b is None else b if a is None else a + b
                             for a, b in zip(self.grads, other.grads)])

    @property
    def _data(self) -> _OutputGrads:
        """The same as arrays (what the engine keeps on a node for the drawings)."""
        return _OutputGrads([g if g is None or not isinstance(g, Tensor) else g._data
                             for g in self.grads])

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # anomaly detection looks for a nan in what a node sent: all of it, flat
        parts = [np.ravel(np.asarray(getattr(g, "_data", g), dtype=float))
                 for g in self.grads if g is not None]
        return np.concatenate(parts) if parts else np.zeros(0)


class _Output(Node):
    """The helper node of output ``k`` of a Function with several differentiable outputs:
    it sends the gradient of that output on to the Function's node. It prints, and answers
    ``next_functions`` and ctx attributes, as that node does."""

    __slots__ = ("_main", "_output_nr")

    def vjp(self, F: Any, g: Any) -> tuple:
        grads = [None] * len(self._main._outputs)
        grads[self._output_nr] = g
        return (_OutputGrads(grads),)

    def _edge(self) -> tuple:
        return (self._main, self._output_nr)

    @property
    def next_functions(self) -> tuple:
        return self._main.next_functions

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return self._main.needs_input_grad

    def __repr__(self) -> str:
        return repr(self._main)

    def __getattr__(self, name: str) -> Any:
        # ``ctx`` attributes (``saved_tensors``, ``k``): the Function's node has them
        return getattr(object.__getattribute__(self, "_main"), name)


def _make_node(cls: type[Node], nexts: tuple, result: Any) -> Node:
    """A node with the slots every node has (see ``record`` in ops/_core.py)."""
    node = _new(cls)
    node._seq = next(_sequence)
    node._next = nexts
    node.result = result
    node.grad_output = node.grad_inputs = None
    node._saved = node._plain = ()
    node._versions = node._fix = None
    node._frees = False
    return node


def is_output_helper(fn: Any) -> bool:
    """Whether ``fn`` is the helper node of one output of a several-output Function (its
    gradient goes on to the Function's node, which does the work)."""
    return isinstance(fn, _Output)


def received_grad(g: Any) -> Any:
    """What a drawing shows as the gradient a node received: for a several-output Function,
    the gradient of the first output that received one (ordinary nodes: ``g`` itself)."""
    if g.__class__ is _OutputGrads:
        return next((gk for gk in g.grads if gk is not None), None)
    return g


# -- the Function class ------------------------------------------------------------------


class FunctionMeta(type):
    """Gives each Function class its node class, named after it (``MyExpBackward``), in
    ``_backward_cls``, as torch's metaclass does."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,),
                                 {"__slots__": (), "_forward_cls": cls, "__module__": __name__})
        # the helper of one output (when there are several) has the same name
        cls._output_cls = type(name + "Backward", (_Output,),
                               {"__slots__": (), "_forward_cls": cls, "__module__": __name__})
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of custom autograd operations: subclass it with static ``forward`` and
    ``backward`` methods, and call ``MyFunction.apply(...)``.

    ``forward(ctx, *args, **kwargs)`` computes the output (grad mode is off inside it);
    ``backward(ctx, *grad_outputs)`` returns one gradient per argument of ``forward`` (None
    for arguments that are not tensors or need none). torch 2's other form is supported too:
    ``forward(*args)`` without ``ctx``, and ``setup_context(ctx, inputs, output)``.
    """

    __slots__ = ("__dict__",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(_LEGACY)

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        """The op itself: override it."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        """With a ``forward`` that takes no ``ctx``: save what backward needs."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """The gradient of each input, given the gradient of each output: override it."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward  # torch's other name for it

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` on ``args`` and, when an input requires grad, record the node
        whose backward is this class's ``backward``."""
        setup = cls.setup_context is not Function.setup_context
        if setup:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        elif kwargs:
            args, kwargs = _keywords_as_positions(cls.forward, args, kwargs), {}
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        needs = tuple(t and a._requires_grad for a, t in zip(args, is_tensor))
        executable = STATE.enabled and any(needs)
        nexts = ()
        inputs = ()
        if executable:
            nexts = tuple(_edge_to(a) for a, t in zip(args, is_tensor) if t)
            inputs = tuple((a._data.shape, a._data.dtype)
                           for a, t in zip(args, is_tensor) if t)
        ctx = _make_node(cls._backward_cls, nexts, None)
        ctx.to_save = ctx.dirty_tensors = ctx.non_differentiable = None
        ctx.materialize_grads = True
        ctx._needs = needs
        ctx._is_tensor = is_tensor
        ctx._inputs = inputs
        ctx._output_nr = 0
        ctx._helpers = None
        ctx._kept = ()
        ctx._freed = False
        prev = STATE.enabled
        STATE.enabled = False  # forward runs with grad mode off, as in torch
        try:
            if setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled = prev
        return _wrap_outputs(ctx, args, output, executable)


def _edge_to(t: Tensor) -> Node | None:
    """The node a gradient for input ``t`` goes to, as ``record`` finds it."""
    if t.grad_fn is not None:
        return t.grad_fn
    return accumulator(t) if t._requires_grad else None


def _keywords_as_positions(forward: Callable, args: tuple, kwargs: dict) -> tuple:
    """``apply``'s keyword arguments as positions of ``forward`` after ``ctx``, as torch's
    apply takes them: in the order of the signature, with no gap, no defaults filled in."""
    params = [p.name for p in inspect.signature(forward).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][1:]
    for key in kwargs:
        if key in params[: len(args)]:
            raise TypeError(f"forward() got multiple values for argument '{key}'")
        if key not in params:
            raise TypeError(f"forward() got an unexpected keyword argument '{key}'")
    out = list(args)
    left = dict(kwargs)
    while left:
        i = len(out)
        if params[i] not in left:
            raise TypeError(f"forward() missing required argument: '{params[i]}' "
                            f"(position {i})")
        out.append(left.pop(params[i]))
    return tuple(out)


def _is_in(t: Any, group: Any) -> bool:
    return group is not None and any(t is u for u in group)


def _wrap_outputs(ctx: BackwardCFunction, args: tuple, output: Any, executable: bool) -> Any:
    """torch's processing of what ``forward`` returned: check the marks on ``ctx``, attach
    the node to the differentiable outputs, and keep what ``save_for_backward`` named."""
    dirty = ctx.dirty_tensors
    if dirty is not None:
        if any(not isinstance(d, Tensor) for d in dirty):
            raise RuntimeError("mark_dirty can only accept variables, but argument ")
        for d in dirty:
            bump_version(d)  # torch counts the marking as a write
    nondiff = ctx.non_differentiable
    if nondiff is not None and any(not isinstance(t, Tensor) for t in nondiff):
        raise RuntimeError("mark_non_differentiable only accepts variable arguments, but got ")
    is_tuple = isinstance(output, tuple)
    outs = list(output) if is_tuple else [output]
    if dirty is not None and any(not _is_in(d, outs) for d in dirty):
        raise RuntimeError(_DIRTY_NOT_RETURNED)
    inputs = [a for a in args if isinstance(a, Tensor)]
    metas: list = []
    live: list[int] = []
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            metas.append(None)
            continue
        data = o._storage()
        metas.append((data.shape, data.dtype))
        is_input, is_dirty = _is_in(o, inputs), _is_in(o, dirty)
        if not executable or _is_in(o, nondiff) or data.dtype.kind not in "fc":
            # torch's rules for an output without a gradient: it never requires grad
            if not o._requires_grad:
                if is_input and not is_dirty:
                    outs[k] = _alias(o)  # an input returned as it is: a view of it
            elif is_input:
                outs[k] = o.detach()
            elif o._base is None:
                o.detach_()
            continue
        if is_dirty:
            _check_dirty(o, is_input)
        elif is_input:
            outs[k] = _alias(o)
        live.append(k)
    ctx._outputs = tuple(metas)
    if live:
        if len(live) == 1:
            k = ctx._output_nr = live[0]
            _attach(outs[k], ctx)
        else:
            ctx._helpers = [None] * len(outs)
            for k in live:
                _attach(outs[k], ctx._helper(k))
        ctx._frees = True
        _keep_saved(ctx, outs, live)
    ctx.to_save = None
    return tuple(outs) if is_tuple else outs[0]


def _alias(t: Tensor) -> Tensor:
    from nbgrad.ops.shape import _as_view

    return _as_view(_wrap(t._storage().view()), t)


def _check_dirty(t: Tensor, is_input: bool) -> None:
    """An input modified in place takes the node as its ``grad_fn``: not for a leaf that
    requires grad (torch's error), nor (here) for a view of a tensor in a graph."""
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError(_LEAF_DIRTY)
    if not is_input:
        warnings.warn(_DIRTY_NOT_INPUT, UserWarning, stacklevel=4)
    if t._base is not None and t._base._requires_grad:
        raise NotImplementedError(
            "nbgrad: mark_dirty on a view of a tensor that requires grad is not supported "
            "(torch rewrites the base's history, CopySlices); mark the base tensor instead")


def _attach(t: Tensor, fn: Node) -> None:
    t.grad_fn = fn
    t._requires_grad = True
    if fn.result is None:  # the value drawings show, unless forward set a ``ctx.result``
        fn.result = t._data


def _keep_saved(ctx: BackwardCFunction, outs: list, live: list[int]) -> None:
    """What ``save_for_backward`` named, checked: the outputs as ``_SavedOutput``, other
    tensors with the version they are at (to be checked when they are read back)."""
    to_save = ctx.to_save
    if not to_save:
        return
    kept = []
    for i, t in enumerate(to_save):
        if t is None:
            kept.append(None)
        elif not isinstance(t, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                            f"is of type {type(t).__name__}")
        else:
            k = next((k for k in live if outs[k] is t), None)
            kept.append(_SavedOutput(t, k) if k is not None else (t, version_of(t)))
    ctx._kept = tuple(kept)


# -- once_differentiable -----------------------------------------------------------------


class Error(Node):
    """torch's ``DelayedError``: a node whose backward refuses, with its message."""

    __slots__ = ("msg",)

    def name(self) -> str:
        return "nbgrad::autograd::Error"

    def vjp(self, F: Any, g: Any) -> tuple:
        raise RuntimeError(self.msg)


def once_differentiable(fn: Callable) -> Callable:
    """Decorate a ``backward`` that is not differentiable itself: it runs with grad mode
    off, and a second derivative through it raises torch's error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        prev = STATE.enabled
        STATE.enabled = False
        try:
            outputs = fn(ctx, *args, **kwargs)
        finally:
            STATE.enabled = prev
        if not prev:
            return outputs
        # As torch: only when a gradient arriving requires grad (there is no telling
        # whether backward read saved tensors that do).
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        wrapped = tuple(_delayed_error(o) for o in outs)
        return wrapped if len(wrapped) > 1 else wrapped[0]

    return wrapper


def _delayed_error(t: Any) -> Any:
    if t is None:
        return None
    fake = t.detach()
    fake.requires_grad = True
    node = _make_node(Error, (accumulator(fake),), None)
    node.msg = _ONCE
    out = _wrap(fake._data, True, node)
    out._vbox = version_box(fake)
    return out
