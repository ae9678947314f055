"""``gradcheck``: the referee. Compare the gradients backward computes with the slopes that
central finite differences measure, ``(f(x + eps) - f(x - eps)) / (2 eps)``, element by
element, as ``torch.autograd.gradcheck`` does. ``gradgradcheck`` does the same one level
up: the gradients of the gradients (what ``create_graph=True`` records).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """The analytic and numerical gradients disagree (or the check could not run)."""


def _outputs(fn: Callable, inputs: tuple) -> tuple:
    from nbgrad._tensor import Tensor

    out = fn(*inputs)
    outs = (out,) if isinstance(out, Tensor) else tuple(out)
    return tuple(o for o in outs if isinstance(o, Tensor))


def _numerical(fn: Callable, inputs: tuple, k: int, n_out: list[int], eps: float) -> list:
    """d output / d input k by central differences: one (n_in, n_out) matrix per output."""
    x = inputs[k]._storage()
    jac = [np.zeros((x.size, n)) for n in n_out]
    # Grad mode stays as the caller set it (as in torch): the function may register hooks.
    # Index the input itself (in row-major order), never a reshape of it: reshaping a
    # non-contiguous input copies it, and perturbing the copy would change nothing.
    for i, at in enumerate(np.ndindex(x.shape)):
        orig = x[at].item()
        x[at] = orig + eps
        # copies: a view's output shares memory with the input perturbed next
        plus = [np.array(o._data, dtype=np.float64).reshape(-1)
                for o in _outputs(fn, inputs)]
        x[at] = orig - eps
        minus = [np.array(o._data, dtype=np.float64).reshape(-1)
                 for o in _outputs(fn, inputs)]
        x[at] = orig
        for j, (p, m) in enumerate(zip(plus, minus)):
            jac[j][i] = (p - m) / (2 * eps)
    return jac


def _analytical(outputs: tuple, diff_inputs: list, out_index: int) -> list[np.ndarray]:
    """d output / d each input from backward, one output element at a time."""
    from nbgrad._tensor import _wrap
    from nbgrad.autograd.api import grad

    out = outputs[out_index]
    n = out._data.size
    jacs = [np.zeros((t._data.size, n)) for t in diff_inputs]
    if not out._requires_grad:
        return jacs
    for j in range(n):
        seed = np.zeros(n, dtype=out._data.dtype)
        seed[j] = 1
        found = grad(out, diff_inputs, _wrap(seed.reshape(out._data.shape)),
                     retain_graph=True, allow_unused=True)
        for k, g in enumerate(found):
            if g is not None:
                jacs[k][:, j] = np.asarray(g._data, dtype=np.float64).reshape(-1)
    return jacs


def _matrix(m: np.ndarray, dtype: Any) -> str:
    from nbgrad._tensor import _wrap

    return repr(_wrap(m.astype(dtype.numpy)))


def gradcheck(
    func: Callable,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check ``func``'s gradients at ``inputs`` against finite differences.

    Returns True when every entry of every Jacobian agrees within ``atol + rtol * |numerical|``;
    otherwise raises ``GradcheckError`` naming the output, the input and the entries that
    differ (or returns False with ``raise_exception=False``). Use float64 inputs: float32
    cannot resolve a step of 1e-6, and the check warns when it is given them.
    """
    from nbgrad._tensor import Tensor

    tupled = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [k for k, t in enumerate(tupled) if isinstance(t, Tensor) and t._requires_grad]
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    for k in diff:
        if tupled[k].dtype.name != "float64":
            warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _outputs(func, tupled)
    n_out = [o._data.size for o in outputs]
    diff_inputs = [tupled[k] for k in diff]
    # Only the outputs that require grad are checked, numbered among themselves (as torch).
    # With none, the function must not depend on its inputs at all.
    checked = [j for j, o in enumerate(outputs) if o._requires_grad]
    if not checked:
        for k in diff:
            if any(m.any() for m in _numerical(func, tupled, k, n_out, eps)):
                if not raise_exception:
                    return False
                raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    outputs = tuple(outputs[j] for j in checked)
    for i, j in enumerate(checked):
        analytical = _analytical(outputs, diff_inputs, i)
        for pos, k in enumerate(diff):
            numerical = _numerical(func, tupled, k, n_out, eps)[j]
            a = analytical[pos]
            bad = np.abs(a - numerical) > atol + rtol * np.abs(numerical)
            if not bad.any():
                continue
            if not raise_exception:
                return False
            dtype = tupled[k].dtype
            entries = "\n".join(
                f"  [{r}, {c}]: numerical {numerical[r, c]:.6g}, analytical {a[r, c]:.6g}"
                for r, c in zip(*np.nonzero(bad))
            )
            raise GradcheckError(
                f"Jacobian mismatch for output {i} with respect to input {k},\n"
                f"numerical:{_matrix(numerical, dtype)}\nanalytical:{_matrix(a, dtype)}\n\n"
                f"Entries that differ (input element, output element):\n{entries}"
            )
    return True


def gradgradcheck(
    func: Callable,
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check ``func``'s second derivatives at ``inputs`` against finite differences of its
    first derivatives, as ``torch.autograd.gradcheck.gradgradcheck`` does.

    The first derivatives are ``autograd.grad(func(*inputs), inputs, grad_outputs,
    create_graph=True)``; ``gradcheck`` then checks that function of the inputs and of
    ``grad_outputs``, so a failure is gradcheck's ``GradcheckError`` (its inputs numbered
    after ``inputs``, then the ``grad_outputs``). Without ``grad_outputs``, random ones in
    ``[-1, 1)`` are drawn from nbgrad's generator (torch draws its own). torch's options
    for what nbgrad has no use for (forward-mode AD, batched gradients, sparse tensors,
    non-determinism) are accepted; those that ask for a check nbgrad cannot make raise.
    """
    from nbgrad._creation import rand
    from nbgrad._dtype import float64
    from nbgrad._tensor import Tensor
    from nbgrad.autograd.api import grad

    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True")
    if check_fwd_over_rev or check_batched_grad:
        raise NotImplementedError(
            "nbgrad has no forward-mode AD and no batched gradients: gradgradcheck checks "
            "reverse over reverse only (check_fwd_over_rev=False, check_batched_grad=False)")
    tupled_inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None:
        # one random cotangent per output that is differentiable, in the output's dtype
        outputs = [o for o in _outputs(func, tupled_inputs) if o._requires_grad]
        tupled_grad_outputs: tuple = tuple(
            (rand(o.shape, dtype=o.dtype if o.dtype.is_floating_point else float64) * 2 - 1)
            .requires_grad_() for o in outputs)
    else:
        tupled_grad_outputs = ((grad_outputs,) if isinstance(grad_outputs, Tensor)
                               else tuple(grad_outputs))
    num_outputs = len(tupled_grad_outputs)
    diff_inputs = {i for i, x in enumerate(tupled_inputs)
                   if isinstance(x, Tensor) and x._requires_grad}
    diff_grad_outputs = {i for i, x in enumerate(tupled_grad_outputs) if x._requires_grad}

    def first_derivatives(*args: Any) -> tuple:
        input_args = args[:len(args) - num_outputs]
        outs = tuple(o for o in _outputs(func, input_args) if o._requires_grad)
        cotangents = args[len(args) - num_outputs:]
        for i, x in enumerate(cotangents):
            if i in diff_grad_outputs:
                x.requires_grad_()
        wrt = tuple(x for i, x in enumerate(input_args) if i in diff_inputs)
        found = grad(outs, wrt, cotangents, create_graph=True, allow_unused=True)
        return tuple(g for g in found if g is not None)

    return gradcheck(first_derivatives, tupled_inputs + tupled_grad_outputs, eps=eps,
                     atol=atol, rtol=rtol, raise_exception=raise_exception)
