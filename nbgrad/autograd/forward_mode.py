"""torch's forward-mode Jacobian (``strategy="forward-mode"`` of ``jacobian``, and
``outer_jacobian_strategy="forward-mode"`` of ``hessian``), computed by reverse mode.

The numbers are reverse mode's (``functional._rows``); what this module adds is the rest of
torch's result: its dtype, its nesting in lists, and which blocks carry a graph, which in
torch depends on the forward-mode formula of each op between the inputs and the output (see
``_TANGENT_ONLY``). ``nbgrad.autograd.functional`` loads it when that strategy is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nbgrad._creation import zeros, zeros_like
from nbgrad._grad_mode import enable_grad, is_grad_enabled
from nbgrad._tensor import Tensor, _wrap
from nbgrad.autograd.functional import _as_tuple, _grad_preprocess, _rows, _tuple_postprocess
from nbgrad.autograd.graph import AccumulateGrad, Node
from nbgrad.ops._core import record
from nbgrad.ops.shape import ViewBackward0, cat, stack

__all__ = ["jacfwd"]


class ReshapeAliasBackward0(ViewBackward0):
    """What torch's forward-mode Jacobian records for its last reshape (of a permuted, so
    not contiguous, tensor); the backward is a view's: reshape the gradient back."""

    __slots__ = ()


# The ops whose forward-mode formula in torch reads only the tangents (sums, views, copies,
# selections; the rounding ops, whose tangent is zero): their tangent never requires grad.
# Every other op's formula reads a primal too (``x * c``: ``x_t * c + c_t * x``), and when
# that primal requires grad, so does the tangent, even where its term is zero.
_TANGENT_ONLY = frozenset("""
    AddBackward0 SubBackward0 RsubBackward1 NegBackward0 SumBackward0 SumBackward1
    MeanBackward0 MeanBackward1 CumsumBackward0 TraceBackward0 ViewBackward0
    UnsafeViewBackward0 ReshapeAliasBackward0 ExpandBackward0 SqueezeBackward0
    SqueezeBackward1 SqueezeBackward4 UnsqueezeBackward0 TransposeBackward0 PermuteBackward0
    TBackward0 SelectBackward0 SliceBackward0 IndexBackward0 AliasBackward0 CloneBackward0
    ToCopyBackward0 StackBackward0 CatBackward0 SplitBackward0 SplitWithSizesBackward0
    UnbindBackward0 FlipBackward0 RepeatBackward0 DiagonalBackward0 DiagEmbedBackward0
    TrilBackward0 TriuBackward0 AsStridedBackward0 IndexSelectBackward0 GatherBackward0
    MaskedFillBackward0 MaskedFillBackward1 IndexPutBackward0 WhereBackward0 FracBackward0
    CeilBackward0 FloorBackward0 RoundBackward0 RoundBackward1 TruncBackward0 SignBackward0
    SortBackward0 SortBackward1 TopkBackward0 MaxBackward0 MinBackward0 ZeroBackward0
    FillBackward2 FillBackward3 CopyBackwards
""".split())


def _torch_tangent_requires_grad(out: Tensor, duals: tuple, own: set[int]) -> bool:
    """Whether torch's forward mode would give ``out`` a tangent that requires grad: some op
    on the way from a dual input to ``out`` reads, in its forward formula, a primal that
    requires grad (one computed from a leaf that requires grad, ``own`` (ids) aside: the
    leaves nbgrad made, which torch's dual inputs would not be)."""
    if out.grad_fn is None:
        return False
    reaches_dual: dict[Any, bool] = {}  # does the node lead to a dual input (a tangent)?
    reaches_leaf: dict[Any, bool] = {}  # does it lead to a counted leaf (requires grad)?
    starts = {d.grad_fn for d in duals if d.grad_fn is not None}
    dual_ids = {id(d) for d in duals}

    def walk(root: Any, memo: dict, hit: Callable[[Any], bool]) -> bool:
        stack_ = [(root, False)]
        while stack_:
            node, done = stack_.pop()
            if node in memo and not done:
                continue
            if done:
                memo[node] = hit(node) or any(memo.get(n, False) for n in node._next
                                              if n is not None)
                continue
            memo[node] = False  # in progress (graphs are acyclic)
            stack_.append((node, True))
            stack_.extend((n, False) for n in node._next if n is not None and n not in memo)
        return memo[root]

    def is_dual(node: Any) -> bool:
        return node in starts or (node.__class__ is AccumulateGrad
                                  and id(node.variable) in dual_ids)

    def is_counted(node: Any) -> bool:
        return node.__class__ is AccumulateGrad and id(node.variable) not in own

    walk(out.grad_fn, reaches_dual, is_dual)
    for node, on_path in reaches_dual.items():
        if (on_path and node.__class__ is not AccumulateGrad
                and node.__class__.__name__ not in _TANGENT_ONLY
                and any(walk(n, reaches_leaf, is_counted) for n in node._next
                        if n is not None)):
            return True
    return False


class ConstantTangentBackward(Node):
    """A forward-mode tangent that torch marks as requiring grad although it is constant
    (``2 * x`` with ``x`` requiring grad): tied to the output it belongs to, whose gradient
    from it is zero (as torch's is)."""

    __slots__ = ()

    def vjp(self, F, g, shape):
        return (F.zeros(shape, g),)


def _tie(tangent: Tensor, out: Tensor) -> Tensor:
    return record(ConstantTangentBackward, tangent._data, (out,), (out.shape,))


def _reshape_alias(t: Tensor, shape: tuple) -> Tensor:
    return record(ReshapeAliasBackward0, t._data.reshape(shape), (t,), (t.shape,))


def jacfwd(func: Callable[..., Any], inputs: Any, strict: bool, vectorize: bool,
            tangents_tracked: bool = False) -> Any:
    """torch's forward-mode Jacobian (``strategy="forward-mode"``), computed by reverse mode.

    torch pushes dual numbers through ``func`` under vmap, one batch per output covering
    every input; the numbers are the same, and the rest is reproduced: the dtype is the
    outputs' (a tangent's), the nested results are lists, and an output's blocks carry a
    graph (``ReshapeAliasBackward0``, or ``ViewBackward0`` where the last reshape is a plain
    view) when its tangents were computed from tensors that require grad: an input that
    does, a parameter ``func`` uses, or, within ``hessian`` (whose inner function makes its
    inputs require grad: ``tangents_tracked``), the inputs themselves. nbgrad reads that
    from the graph of the reverse-mode rows; torch's forward formulas of a few linear ops
    (``2 * x`` with ``x`` requiring grad) also mark a constant tangent, which nbgrad does not.
    """
    if strict:
        raise RuntimeError(
            "nbgrad.autograd.functional.jacobian: `strict=True` "
            'and `strategy="forward-mode"` are not supported together (yet). '
            "Please either set `strict=False` or "
            '`strategy="reverse-mode"`.'
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`."
        )
    for inp in inputs:
        if not inp.dtype.is_floating_point:
            raise ValueError(
                f"Expected primal to be floating point or complex, but got: {inp.dtype!r}"
            )
    tracked = is_grad_enabled()  # torch's tangents keep no graph under no_grad
    with enable_grad():
        # The dual numbers func receives: connected to the inputs that require grad (so a
        # tangent computed from them is too), fresh leaves for the others ("own").
        duals = _grad_preprocess(inputs, create_graph=True, need_graph=True)
        # The leaves whose values torch's tangents see as requiring grad: all but the fresh
        # duals (unless hessian's inner function made them require grad).
        own = set() if tangents_tracked else {
            id(d) for d, inp in zip(duals, inputs) if not inp.requires_grad
        }
        is_outputs_tuple, outputs = _as_tuple(func(*duals), "outputs")
        in_numels = [inp.nelement() for inp in inputs]
        jacobian_input_output = []
        for out in outputs:
            shapes = [out.shape + inp.shape for inp in inputs]
            rows = _rows(out, duals, True)
            if out.nelement() == 0 or all(g is None for col in rows for g in col):
                jacobian_input_output.append(  # no tangent at all: zeros, as torch's
                    [zeros(shape, dtype=out.dtype) for shape in shapes]
                )
                continue
            # One (out.numel(), sum of the inputs' numels) matrix, as torch's batch is.
            whole = stack([
                cat([(zeros_like(inp) if col[k] is None else col[k]).reshape(-1)
                     for col, inp in zip(rows, inputs)])
                for k in range(out.nelement())
            ])
            if whole.dtype != out.dtype:
                whole = whole.to(out.dtype)
            live = tracked and _torch_tangent_requires_grad(out, duals, own)
            if live and not whole.requires_grad:
                whole = _tie(whole, out)
            blocks = []
            start = 0
            for n, shape in zip(in_numels, shapes):
                if not live:
                    jac = _wrap(np.array(whole._data[:, start:start + n]).reshape(shape))
                    if not tracked and tangents_tracked and whole.requires_grad:
                        jac.requires_grad_(True)  # what torch gives under no_grad
                elif out.nelement() > 1 and n > 1:  # torch reshapes a permuted tangent
                    jac = _reshape_alias(whole[:, start:start + n], shape)
                else:
                    jac = whole[:, start:start + n].reshape(shape)
                blocks.append(jac)
                start += n
            jacobian_input_output.append(blocks)
    return _tuple_postprocess(jacobian_input_output, (is_outputs_tuple, is_inputs_tuple))
