"""``backward`` and ``grad``: checking what the user asked for, then running the engine."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.engine import run_backward, store_grad

__all__ = ["backward", "grad"]


def _as_tuple(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs: tuple, grads: tuple, is_grads_batched: bool = False) -> list:
    """The gradient to start from at each output: ones for a scalar, else what was given."""
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):  # extra gradients are ignored, as in torch
        if g is None:
            if t._requires_grad and t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._requires_grad and not t.dtype.is_floating_point:
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{t.dtype!r}"
                )
            g = _wrap(np.ones(t._data.shape, dtype=t._data.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(
                f"gradients can be either Tensors or None, but got {type(g).__name__}"
            )
        elif g.shape != t.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {t.shape}."
            )
        out.append(g)
    if len(out) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(out)} gradients")
    return out


CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak."
)
_CYCLE_WARNED = [False]  # torch gives that warning once per process (TORCH_WARN_ONCE)


def _warn_reference_cycle() -> None:
    if not _CYCLE_WARNED[0]:
        _CYCLE_WARNED[0] = True
        warnings.warn(CREATE_GRAPH_CYCLE, UserWarning, stacklevel=3)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Add the gradient of ``tensors`` with respect to every leaf of their graph into the
    leaves' ``.grad`` (or only into ``inputs`` when given)."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    for i, t in enumerate(outputs):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    start = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    targets = _as_tuple(inputs)
    if inputs is not None and not targets:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if create_graph:
        _warn_reference_cycle()
    if not targets:
        run_backward(outputs, start, retain_graph, create_graph)
        return
    found = run_backward(outputs, start, retain_graph, create_graph, inputs=targets,
                         allow_unused=True)
    for t, g in zip(targets, found):
        if g is not None and not t.retains_grad:  # the engine filled a retained .grad
            store_grad(t, g if create_graph else g._data, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than stored
    in ``.grad``. With ``create_graph=True`` they are themselves differentiable."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("grad requires non-empty inputs.")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    for i, t in enumerate(outs):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    if allow_unused is None:
        allow_unused = materialize_grads
    start = _make_grads(outs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    found = run_backward(outs, start, retain_graph, create_graph, inputs=ins,
                         allow_unused=allow_unused)
    if materialize_grads:
        found = tuple(
            _wrap(np.zeros(t._data.shape, dtype=t._data.dtype)) if g is None else g
            for t, g in zip(ins, found)
        )
    return found


_ = Sequence
