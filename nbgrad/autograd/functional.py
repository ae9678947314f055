"""Whole derivatives of a function: ``jacobian``, ``hessian`` and the products ``vjp``,
``jvp``, ``hvp``, ``vhp``, as ``torch.autograd.functional`` has them.

Each is built from ``autograd.grad`` alone, following torch's own code step by step, so that
the results (a Tensor, a tuple, a tuple of tuples), the tensors that carry a graph and the
errors are torch's:

- ``vjp`` is one backward pass with ``v`` as the output's gradient;
- ``jvp`` is the "double backward trick": the backward pass is linear in its starting
  gradient ``u`` (``u @ J``), so differentiating it with respect to ``u`` along ``v`` gives
  ``J @ v``;
- ``jacobian`` is one backward pass per output number (one row of the Jacobian at a time);
- ``hessian`` is the Jacobian of the gradient (computed with ``create_graph=True``);
- ``vhp`` differentiates the gradient along ``v``; ``hvp`` adds the double backward trick.

``strategy="forward-mode"`` is torch's forward-mode result computed by reverse mode, in
``forward_mode.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbgrad._creation import zeros_like
from nbgrad._grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from nbgrad._tensor import Tensor
from nbgrad.autograd.api import grad as _grad
from nbgrad.ops.shape import stack

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


# --- helpers (each one is torch's helper of the same name) ---------------------------------


def _as_tuple_nocheck(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _as_tuple(inp: Any, arg_name: str | None = None, fn_name: str | None = None) -> Any:
    """``(was it a tuple, the tensors as a tuple)``; a list or a number is refused, with
    torch's words (which name ``fn_name``, ``None`` included, as torch's forward mode does)."""
    if arg_name is None and fn_name is None:
        return _as_tuple_nocheck(inp)
    is_inp_tuple = True
    if not isinstance(inp, tuple):
        inp = (inp,)
        is_inp_tuple = False
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_inp_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(el)}."
            )
    return is_inp_tuple, inp


def _tuple_postprocess(res: Any, to_unpack: Any) -> Any:
    """Undo ``_as_tuple``: a lone input or output gets its result back unwrapped."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _grad_preprocess(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for ``func`` to receive, so that a tensor ``func`` captures (the
    same tensor as an input, used from outside) is told apart from the input itself. With
    ``create_graph`` an input that requires grad stays connected (a view of it), so the
    result can be differentiated with respect to it."""
    res = []
    for inp in inputs:
        if create_graph and inp.requires_grad:
            res.append(inp.view_as(inp))
        else:
            res.append(inp.detach().requires_grad_(need_graph))
    return tuple(res)


def _grad_postprocess(inputs: Any, create_graph: bool) -> tuple:
    """Results without history unless the caller asked for a graph."""
    if isinstance(inputs[0], Tensor):
        return inputs if create_graph else tuple(inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {el_other.size()} but got "
                f"{el_v.size()}."
            )


def _check_requires_grad(inputs: tuple, input_type: str, strict: bool) -> None:
    """In strict mode, refuse a result that does not depend on the inputs."""
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:  # only for grad_inputs
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}."
                " This is not allowed in strict mode."
            )
        if inp.requires_grad:
            continue
        if input_type == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i}"
                " is independent of the input. This is not allowed in strict mode."
                " You should ensure that your function is thrice differentiable and that"
                " the hessian depends on the inputs."
            )
        if input_type == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided"
                f" function with respect to input {i} is independent of the input. This is not"
                " allowed in strict mode. You should ensure that your function is twice"
                " differentiable and that the jacobian depends on the inputs (this would be"
                " violated by a linear function for example)."
            )
        if input_type == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the"
                " user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients."
            " The outputs must be computed in a differentiable manner from the input"
            " when running in strict mode."
        )


def _autograd_grad(outputs: tuple, inputs: tuple, grad_outputs: tuple | None = None,
                   create_graph: bool = False, retain_graph: bool | None = None) -> tuple:
    """``autograd.grad`` that skips the outputs (None, or not requiring grad) that have no
    graph, and answers None for an input no output depends on."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    new_outputs: tuple = ()
    new_grad_outputs: tuple = ()
    for out, grad_out in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            new_outputs += (out,)
            new_grad_outputs += (grad_out,)
    if not new_outputs:
        return (None,) * len(inputs)
    return _grad(new_outputs, inputs, new_grad_outputs, allow_unused=True,
                 create_graph=create_graph, retain_graph=retain_graph)


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                   stage: str) -> tuple:
    """Zeros (shaped as ``refs``) where a gradient is missing; in strict mode, an error that
    says which backward pass (``stage``) found the independence."""
    res: tuple = ()
    for i, grads_i in enumerate(grads):
        if grads_i is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(
                        "The output of the user-provided function is independent of "
                        f"input {i}. This is not allowed in strict mode."
                    )
                if stage == "back_trick":
                    raise RuntimeError(
                        f"The gradient with respect to the input is independent of entry {i}"
                        " in the grad_outputs when using the double backward trick to compute"
                        " forward mode gradients. This is not allowed in strict mode."
                    )
                if stage == "double_back":
                    raise RuntimeError(
                        "The jacobian of the user-provided function is independent of "
                        f"input {i}. This is not allowed in strict mode."
                    )
                raise RuntimeError(
                    "The hessian of the user-provided function is independent of "
                    f"entry {i} in the grad_jacobian. This is not allowed in strict "
                    "mode as it prevents from using the double backward trick to "
                    "replace forward mode AD."
                )
            grads_i = zeros_like(refs[i])
        elif strict and create_graph and not grads_i.requires_grad:
            if "double" not in stage:
                raise RuntimeError(
                    "The jacobian of the user-provided function is independent of "
                    f"input {i}. This is not allowed in strict mode when create_graph=True."
                )
            raise RuntimeError(
                "The hessian of the user-provided function is independent of "
                f"input {i}. This is not allowed in strict mode when create_graph=True."
            )
        res += (grads_i,)
    return res


# --- the products ----------------------------------------------------------------------------


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(*inputs), v @ J)``: the vector-Jacobian product, one backward pass that starts
    from ``v`` (which may be left out when ``func`` returns a single number).

    The product has the inputs' shapes (a tuple for a tuple of inputs). ``strict=True``
    refuses an input that no output depends on (otherwise its product is zeros).
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_requires_grad(outputs, "outputs", strict=strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].nelement() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns "
                "a single Tensor with a single element."
            )
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(result, is_inputs_tuple))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(*inputs), J @ v)``: the Jacobian-vector product (``v`` has the inputs' shapes,
    and may be left out for a single one-number input).

    Computed, as torch does, by the double backward trick: the backward pass from a
    gradient ``u`` gives ``u @ J``, linear in ``u``; its own backward pass with respect to
    ``u``, from ``v``, gives ``J @ v``.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
            _validate_v(v, inputs, is_inputs_tuple)
        elif len(inputs) != 1 or inputs[0].nelement() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function "
                "is a single Tensor with a single element."
            )
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _check_requires_grad(outputs, "outputs", strict=strict)
        # The backward pass is linear in u, so u's value does not matter (zeros: no inf or
        # nan can appear); it only has to require grad.
        grad_outputs = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)
    # torch runs the second pass in the caller's grad mode unless create_graph is set
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(result, is_outputs_tuple))


def _scalar_function_output(outputs: Any, fn_name: str, strict: bool) -> tuple:
    """The checks hvp and vhp make of ``func``'s result: a Tensor holding one number."""
    is_outputs_tuple, outputs = _as_tuple(
        outputs, "outputs of the user-provided function", fn_name
    )
    _check_requires_grad(outputs, "outputs", strict=strict)
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a "
            "single element"
        )
    return is_outputs_tuple, outputs


def _hessian_vector_setup(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool,
                          strict: bool, fn_name: str) -> tuple:
    """What vhp and hvp share (run with grad enabled): the checked inputs, ``v`` and
    outputs, and the gradient, computed with a graph so it can be differentiated again."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, inputs, is_inputs_tuple)
    elif len(inputs) != 1 or inputs[0].nelement() != 1:
        raise RuntimeError(
            "The vector v can only be None if the input to the user-provided function "
            "is a single Tensor with a single element."
        )
    is_outputs_tuple, outputs = _scalar_function_output(func(*inputs), fn_name, strict)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict=strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(*inputs), v @ H)`` for a function returning one number: the gradient,
    differentiated once more from ``v``."""
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _hessian_vector_setup(
            func, inputs, v, create_graph, strict, "vhp"
        )
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(result, is_inputs_tuple))


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(*inputs), H @ v)`` for a function returning one number. The same numbers as
    ``vhp`` when the second derivatives are continuous (H is symmetric), computed as torch
    does with one more backward pass (the double backward trick of ``jvp``)."""
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _hessian_vector_setup(
            func, inputs, v, create_graph, strict, "hvp"
        )
        grad_jac = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grad_res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        result = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return (_tuple_postprocess(outputs, is_outputs_tuple),
            _tuple_postprocess(result, is_inputs_tuple))


# --- whole Jacobians -------------------------------------------------------------------------


def _rows(out: Tensor, inputs: tuple, create_graph: bool) -> list[list[Any]]:
    """For each input, one gradient per number of ``out`` (None where it does not depend on
    the input): the Jacobian's rows, one backward pass each."""
    rows: list[list[Any]] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        vj = _autograd_grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for col, g in zip(rows, vj):
            col.append(g)
    return rows


def _vectorized(outputs: tuple, inputs: tuple, create_graph: bool) -> tuple:
    """torch's ``vectorize=True`` result, computed row by row: for each input the rows of
    all outputs are stacked into one tensor (torch computes it in one batched backward
    pass), then split by output and shaped ``out.shape + in.shape``. So an input's blocks
    carry a graph as soon as one of them does, as torch's do."""
    output_numels = tuple(out.nelement() for out in outputs)
    total = sum(output_numels)
    if total == 0:  # torch's vmap over an empty batch
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    by_input: list[list[Any]] = [[] for _ in inputs]
    for out in outputs:
        for col, rows in zip(by_input, _rows(out, inputs, create_graph)):
            col.extend(rows)
    jacobian_input_output = []
    for col, inp in zip(by_input, inputs):
        if all(g is None for g in col):
            whole = zeros_like(inp).expand((total,) + inp.shape)
        else:
            whole = stack([zeros_like(inp) if g is None else g for g in col], dim=0)
        jacobian_input_output.append([
            jac.view(out.shape + inp.shape)
            for jac, out in zip(whole.split(output_numels, dim=0), outputs)
        ])
    return tuple(zip(*jacobian_input_output))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for each output and input, a tensor of shape
    ``output.shape + input.shape`` (a Tensor for one input and one output, a tuple when
    one of them is a tuple, a tuple of tuples when both are).

    Computed with one backward pass per number of the outputs (a row of the Jacobian).
    ``vectorize=True`` gives torch's vectorized result (torch computes it in one batched
    backward pass with vmap; nbgrad computes the same rows one by one), and
    ``strategy="forward-mode"`` (which needs ``vectorize=True``) torch's forward-mode result,
    also computed here by reverse mode. ``create_graph=True`` returns a Jacobian that can be
    differentiated again; ``strict=True`` refuses an output that does not depend on an input.
    """
    if strategy not in _STRATEGIES:
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "nbgrad.autograd.functional.jacobian: `create_graph=True` "
                'and `strategy="forward-mode"` are not supported together (yet). '
                "Please either set `create_graph=False` or "
                '`strategy="reverse-mode"`.'
            )
        from nbgrad.autograd.forward_mode import jacfwd  # loaded when asked for

        return jacfwd(func, inputs, strict, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(outputs, "outputs", strict=strict)
        if vectorize:
            if strict:
                raise RuntimeError(
                    "nbgrad.autograd.functional.jacobian: `strict=True` "
                    "and `vectorized=True` are not supported together. "
                    "Please either set `strict=False` or "
                    "`vectorize=False`."
                )
            result = _grad_postprocess(_vectorized(outputs, inputs, create_graph), create_graph)
            return _tuple_postprocess(result, (is_outputs_tuple, is_inputs_tuple))
        jacobian_: tuple = ()
        for i, out in enumerate(outputs):
            rows = _rows(out, inputs, create_graph)
            for k in range(out.nelement()):  # torch's checks, row by row, in its order
                for el_idx, (col, inp) in enumerate(zip(rows, inputs)):
                    g = col[k]
                    if g is not None:
                        if strict and create_graph and not g.requires_grad:
                            # torch's words: "input {i}", with i the output's index
                            raise RuntimeError(
                                "The jacobian of the user-provided function is independent "
                                f"of input {i}. This is not allowed in strict mode when "
                                "create_graph=True."
                            )
                    elif strict:
                        raise RuntimeError(
                            f"Output {i} of the user-provided function is independent "
                            f"of input {el_idx}. This is not allowed in strict mode."
                        )
                    else:
                        col[k] = zeros_like(inp)
            jacobian_ += (tuple(
                stack(col, dim=0).view(out.size() + inp.size())
                for col, inp in zip(rows, inputs)
            ),)
        jacobian_ = _grad_postprocess(jacobian_, create_graph)
        return _tuple_postprocess(jacobian_, (is_outputs_tuple, is_inputs_tuple))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of ``func`` (which returns one number) at ``inputs``: the Jacobian of its
    gradient, of shape ``input.shape + input.shape`` (for several inputs, a tuple of tuples
    where ``[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``).

    ``vectorize`` and ``outer_jacobian_strategy`` are passed to the outer ``jacobian`` (see
    there: nbgrad computes their results row by row, by reverse mode).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp: Tensor) -> Tensor:
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a "
                "single element"
            )
        return out.squeeze()

    def jac_func(*inp: Tensor) -> Any:
        if outer_jacobian_strategy == "forward-mode":
            # torch makes the dual inputs require grad, so the inner jacobian keeps a graph
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    if outer_jacobian_strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "nbgrad.autograd.functional.jacobian: `create_graph=True` "
                'and `strategy="forward-mode"` are not supported together (yet). '
                "Please either set `create_graph=False` or "
                '`strategy="reverse-mode"`.'
            )
        from nbgrad.autograd.forward_mode import jacfwd

        res = jacfwd(jac_func, inputs, strict, vectorize, tangents_tracked=True)
    else:
        res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                       vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))

