"""The mistakes a learner makes, and what torch 2.13 says about them, word for word.

Each case is a few lines of lesson code run with ``T`` bound to torch and then to nbgrad. What
happens must be the same: the same exception type with the same message (torch's ``torch.``
read as ``nbgrad.``), or, when the code succeeds, the same ``repr`` of ``out``; and the same
user warnings (ignoring the " (Triggered internally at ...)" that torch appends to warnings
raised from C++). The expected words are never written here: they are torch's own, so these
tests skip when torch is not installed.
"""

from __future__ import annotations

import itertools
import re
import textwrap
import warnings
from typing import Any

import pytest

import nbgrad

torch = pytest.importorskip("torch")

_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)")


def _norm(text: str) -> str:
    return _TRIGGERED.sub("", text).replace("torch.", "nbgrad.")


def _outcome(T: Any, code: str) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """What running ``code`` under module ``T`` did, and the user warnings it raised."""
    ns: dict[str, Any] = {"T": T}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            exec(textwrap.dedent(code), ns)  # noqa: S102 - the cases below are the only input
        except Exception as err:  # the error is the result under test
            result = (type(err).__name__, _norm(str(err)))
        else:
            result = ("ok", _norm(repr(ns.get("out"))))
    warned = [(w.category.__name__, _norm(str(w.message))) for w in caught
              if issubclass(w.category, UserWarning)]
    return result, warned


def _check(code: str, *, must_raise: bool | None = None, must_warn: bool = False) -> None:
    want, want_warned = _outcome(torch, code)
    got, got_warned = _outcome(nbgrad, code)
    # the case tests what it says it tests (torch's behaviour, not ours, decides this)
    if must_raise is not None:
        assert (want[0] != "ok") == must_raise, f"torch gave {want}"
    if must_warn:
        assert want_warned, "torch did not warn"
    assert got == want
    assert got_warned == want_warned


def cases(**named: str) -> Any:
    return pytest.mark.parametrize("code", list(named.values()), ids=list(named))


# --- backward on the wrong thing ------------------------------------------------------------


@cases(
    plain_tensor="T.tensor(2.).backward()",
    after_requires_grad_false="""
        x = T.tensor(2., requires_grad=True)
        x.requires_grad_(False)
        (x ** 2).backward()
    """,
    detached="""
        x = T.tensor(2., requires_grad=True)
        (x.detach() ** 2).backward()
    """,
    under_no_grad="""
        x = T.tensor(2., requires_grad=True)
        with T.no_grad():
            y = x ** 2
        y.backward()
    """,
    second_of_two="""
        x = T.tensor(2., requires_grad=True)
        T.autograd.backward([x * 2, T.tensor(1.)])
    """,
    non_scalar="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward()
    """,
    non_scalar_matrix="""
        x = T.ones(2, 2, requires_grad=True)
        (x @ x).backward()
    """,
)
def test_backward_refused(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    longer="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward(T.ones(3))
    """,
    extra_dim="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward(T.ones(2, 1))
    """,
    one_element="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward(T.ones(1))
    """,
    vector_for_scalar="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).sum().backward(T.ones(2))
    """,
    matrix_transposed="""
        x = T.ones(2, 3, requires_grad=True)
        (x * 2).backward(T.ones(3, 2))
    """,
    autograd_grad="""
        x = T.ones(3, requires_grad=True)
        T.autograd.grad(x * 2, x, T.ones(4))
    """,
    number_list="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward([1., 1.])
    """,
    too_few_gradients="""
        x = T.tensor([2., 3.], requires_grad=True)
        T.autograd.backward([x * 2, x * 3], [T.ones(2)])
    """,
)
def test_wrong_gradient(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    extra_gradients_ignored="""
        x = T.tensor([2., 3.], requires_grad=True)
        T.autograd.backward([x * 2], [T.ones(2), T.ones(2)])
        out = x.grad
    """,
    int_gradient_for_float_output="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * 2).backward(T.tensor([1, 2]))
        out = x.grad
    """,
    explicit_gradient="""
        x = T.tensor([2., 3.], requires_grad=True)
        (x * x).backward(T.tensor([1., 10.]))
        out = x.grad
    """,
)
def test_gradient_accepted(code: str) -> None:
    _check(code, must_raise=False)


# --- a second backward ----------------------------------------------------------------------


@cases(
    pow="""
        x = T.tensor(2., requires_grad=True)
        y = x ** 2
        y.backward()
        y.backward()
    """,
    mul_by_number="""
        x = T.tensor(2., requires_grad=True)
        y = x * 3
        y.backward()
        y.backward()
    """,
    sin="""
        x = T.tensor([2., 3.], requires_grad=True)
        y = x.sin().sum()
        y.backward()
        y.backward()
    """,
    exp="""
        x = T.tensor([2., 3.], requires_grad=True)
        y = x.exp().sum()
        y.backward()
        y.backward()
    """,
    sigmoid_loss="""
        w = T.tensor(1., requires_grad=True)
        loss = -T.log(1 - T.sigmoid(w * 6.7))
        loss.backward()
        loss.backward()
    """,
    matmul="""
        w = T.ones(2, 2, requires_grad=True)
        y = (w @ T.ones(2)).sum()
        y.backward()
        y.backward()
    """,
    autograd_grad_then_backward="""
        x = T.tensor(2., requires_grad=True)
        y = x ** 3
        T.autograd.grad(y, x)
        y.backward()
    """,
)
def test_second_backward_through_freed_graph(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    add_number="""
        x = T.tensor(2., requires_grad=True)
        y = x + 2
        y.backward()
        y.backward()
        out = x.grad
    """,
    add_then_sub="""
        x = T.tensor(2., requires_grad=True)
        y = (x + 2) - 3
        y.backward()
        y.backward()
        out = x.grad
    """,
    sum_of_sum="""
        x = T.tensor([2., 3.], requires_grad=True)
        y = (x + 2).sum()
        y.backward()
        y.backward()
        out = x.grad
    """,
    neg_and_view="""
        x = T.tensor([2., 3.], requires_grad=True)
        y = (-x).reshape(2, 1).sum()
        y.backward()
        y.backward()
        y.backward()
        out = x.grad
    """,
    retain_graph="""
        x = T.tensor([2., 3.], requires_grad=True)
        y = x.exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        out = x.grad
    """,
    retain_graph_pow="""
        x = T.tensor(3., requires_grad=True)
        y = x ** 2
        y.backward(retain_graph=True)
        y.backward(retain_graph=True)
        y.backward()
        out = x.grad
    """,
)
def test_second_backward_that_saved_nothing_succeeds(code: str) -> None:
    _check(code, must_raise=False)


# --- requires_grad on integers ----------------------------------------------------------------


@cases(
    tensor_int="T.tensor(3, requires_grad=True)",
    tensor_int_list="T.tensor([1, 2], requires_grad=True)",
    tensor_bool="T.tensor([True], requires_grad=True)",
    tensor_int_dtype="T.tensor([1.5], dtype=T.int64, requires_grad=True)",
    zeros_int="T.zeros(2, dtype=T.int64, requires_grad=True)",
    arange="T.arange(3, requires_grad=True)",
    method="T.tensor([1, 2]).requires_grad_()",
    method_bool="T.tensor([True]).requires_grad_()",
    method_int32="T.tensor([1, 2], dtype=T.int32).requires_grad_(True)",
    attribute="""
        x = T.tensor([1, 2])
        x.requires_grad = True
    """,
    non_leaf_off="""
        x = T.ones(2, requires_grad=True)
        (x * 2).requires_grad_(False)
    """,
    non_leaf_attribute_off="""
        x = T.ones(2, requires_grad=True)
        y = x * 2
        y.requires_grad = False
    """,
    non_leaf_attribute_on="""
        x = T.ones(2, requires_grad=True)
        y = x * 2
        y.requires_grad = True
    """,
)
def test_requires_grad_refused(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    int_off="out = T.tensor([1, 2]).requires_grad_(False)",
    int_attribute_off="""
        x = T.tensor([1, 2])
        x.requires_grad = False
        out = x
    """,
    non_leaf_on="""
        x = T.ones(2, requires_grad=True)
        out = (x * 2).requires_grad_()
    """,
    float_dtype="out = T.tensor([1, 2], dtype=T.float64, requires_grad=True)",
    int_then_float="out = T.tensor([1, 2]).float().requires_grad_()",
)
def test_requires_grad_accepted(code: str) -> None:
    _check(code, must_raise=False)


# --- in-place operations ----------------------------------------------------------------------

LEAF = "x = T.ones(3, requires_grad=True)\n"


@cases(
    add_=LEAF + "x.add_(1)",
    mul_=LEAF + "x.mul_(2)",
    sub_=LEAF + "x.sub_(T.ones(3))",
    div_=LEAF + "x.div_(2)",
    copy_=LEAF + "x.copy_(T.zeros(3))",
    zero_=LEAF + "x.zero_()",
    fill_=LEAF + "x.fill_(1)",
    clamp_=LEAF + "x.clamp_(0, 1)",
    iadd=LEAF + "x += 1",
    isub=LEAF + "x -= 1",
    imul=LEAF + "x *= 2",
    itruediv=LEAF + "x /= 2",
    setitem_int=LEAF + "x[0] = 5",
    setitem_slice=LEAF + "x[0:2] = 5",
    setitem_full_slice=LEAF + "x[:] = 5",
    setitem_ellipsis=LEAF + "x[...] = 5",
    setitem_list=LEAF + "x[[0]] = 5",
    setitem_mask=LEAF + "x[x > 0] = 0.",
    setitem_none=LEAF + "x[None] = 3",
    view_add_=LEAF + "x.view(3).add_(1)",
    select_mul_=LEAF + "x[0].mul_(2)",
    slice_mul_=LEAF + "x[0:2].mul_(2)",
    setitem_on_view=LEAF + "x[1:][0] = 1",
    transpose_add_="""
        x = T.ones(2, 3, requires_grad=True)
        x.t().add_(1)
    """,
    setitem_matrix_row="""
        x = T.ones(2, 3, requires_grad=True)
        x[..., 0] = 3
    """,
    setitem_matrix_int_list="""
        x = T.ones(2, 3, requires_grad=True)
        x[0, [1]] = 3
    """,
    setitem_matrix_full="""
        x = T.ones(2, 3, requires_grad=True)
        x[:, :] = 3
    """,
    float64_leaf="""
        x = T.ones(3, dtype=T.float64, requires_grad=True)
        x.add_(1)
    """,
)
def test_inplace_on_leaf_refused(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    under_no_grad="""
        x = T.ones(2, requires_grad=True)
        with T.no_grad():
            x.add_(1)
            x.mul_(2)
            x.sub_(1)
            x -= 1
            x *= 3
        out = (x, x.is_leaf, x.grad_fn)
    """,
    copy_under_no_grad="""
        x = T.ones(2, requires_grad=True)
        with T.no_grad():
            x.copy_(T.tensor([5., 6.]))
            x[0] = 0
        out = x
    """,
    sgd_step="""
        w = T.tensor([1., 2.], requires_grad=True)
        (w ** 2).sum().backward()
        with T.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
        (w ** 2).sum().backward()
        out = (w, w.grad)
    """,
    zero_grad_in_place="""
        x = T.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        out = (x.grad.zero_(), x.grad)
    """,
    through_data="""
        x = T.ones(2, requires_grad=True)
        x.data.mul_(4)
        out = x
    """,
    through_detach="""
        x = T.ones(2, requires_grad=True)
        x.detach().mul_(4)
        out = x
    """,
    plain_tensor="""
        x = T.ones(3)
        x.add_(1)
        x[0] = 7
        out = x
    """,
    non_leaf="""
        x = T.ones(3, requires_grad=True)
        y = x * 2
        y.add_(1)
        y.sum().backward()
        out = (y, x.grad)
    """,
    non_leaf_exp_unchanged="""
        v = T.ones(3, requires_grad=True)
        b = v.exp()
        b.add_(1)
        out = b
    """,
    two_saved_at_nonzero_versions_unchanged="""
        w = T.ones(3, requires_grad=True)
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            w.add_(1)
            x.mul_(2)
        y = w * x
        y.sum().backward()
        out = (w.grad, x.grad)
    """,
    into_plain_from_leaf="""
        x = T.ones(3)
        y = T.ones(3, requires_grad=True)
        x.add_(y)
        x.sum().backward()
        out = (x, y.grad)
    """,
    set_grad_enabled_false="""
        x = T.ones(2, requires_grad=True)
        with T.set_grad_enabled(False):
            x.mul_(3)
        out = x
    """,
)
def test_inplace_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    exp="""
        v = T.ones(3, requires_grad=True)
        b = v.exp()
        b.add_(1)
        b.sum().backward()
    """,
    sigmoid="""
        v = T.ones(3, requires_grad=True)
        b = v.sigmoid()
        b.mul_(2)
        b.sum().backward()
    """,
    tanh_iadd="""
        v = T.ones(2, 3, requires_grad=True)
        b = v.tanh()
        b += 1
        b.sum().backward()
    """,
    saved_input="""
        v = T.ones(3, requires_grad=True)
        a = v * 1
        b = a.sin()
        a.add_(1)
        b.sum().backward()
    """,
    float64="""
        v = T.ones(3, dtype=T.float64, requires_grad=True)
        b = v.exp()
        b.add_(1)
        b.sum().backward()
    """,
    twice="""
        v = T.ones(3, requires_grad=True)
        b = v.exp()
        b.add_(1)
        b.mul_(2)
        b.sum().backward()
    """,
    # nbgrad notes saved versions compactly (a sum, or a tuple when several tensors were saved
    # at nonzero versions): each of these takes a different path to the same message.
    two_saved_second_changed="""
        w = T.ones(3, requires_grad=True)
        x = T.ones(3, requires_grad=True)
        y = w * x
        with T.no_grad():
            x.add_(1)
        y.sum().backward()
    """,
    two_saved_at_nonzero_versions="""
        w = T.ones(3, requires_grad=True)
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            w.add_(1)
            w.add_(1)
            x.mul_(2)
        y = w * x
        with T.no_grad():
            x.add_(1)
        y.sum().backward()
    """,
    two_saved_at_nonzero_versions_first_changed="""
        w = T.ones(3, requires_grad=True)
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            w.add_(1)
            x.mul_(2)
        y = w * x
        with T.no_grad():
            w.add_(1)
        y.sum().backward()
    """,
    one_saved_at_nonzero_version="""
        x = T.ones(3, requires_grad=True)
        with T.no_grad():
            x.mul_(3)
            x.mul_(3)
        y = x.sin()
        with T.no_grad():
            x.add_(1)
        y.sum().backward()
    """,
    output_saved_after_rebind="""
        v = T.ones(3, requires_grad=True)
        a = v * 2
        a.add_(1)
        b = a.exp()
        b.mul_(2)
        b.sum().backward()
    """,
)
def test_modified_by_inplace_operation(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    float_minus_true="""
        x = T.ones(2, requires_grad=True)
        x - True
    """,
    true_minus_float="True - T.ones(2)",
    bool_minus_int="T.tensor([True]) - 1",
    int_minus_bool="1 - T.tensor([True])",
    bool_minus_bool="T.tensor([True]) - T.tensor([False])",
    bool_minus_true="T.tensor([True]) - True",
    float_minus_bool_tensor="T.ones(1) - T.tensor([True])",
    sub_function="T.sub(T.ones(2), True)",
    neg_bool="-T.tensor([True])",
)
def test_bool_subtraction(code: str) -> None:
    _check(code, must_raise=True)


# --- shapes -----------------------------------------------------------------------------------


@cases(
    add="T.ones(2) + T.ones(3)",
    mul_trailing="T.ones(2, 3) * T.ones(2)",
    sub_leading="T.ones(2, 3) - T.ones(4, 3)",
    div_3d="T.ones(3) / T.ones(2, 1, 4)",
    pow="T.ones(2, 3) ** T.ones(2)",
    requires_grad="T.ones(3, requires_grad=True) + T.ones(2)",
    where="T.where(T.ones(3) > 0, T.ones(3), T.ones(2))",
    where_float_condition="T.where(T.ones(2), 1.0, 0.0)",
    where_long_condition="T.where(T.ones(2, dtype=T.int64), T.ones(2), T.zeros(2))",
    compare="T.ones(3) < T.ones(4)",
    maximum="T.maximum(T.ones(3), T.ones(2))",
    inplace="T.ones(3).add_(T.ones(2))",
    inplace_broadcast_out="T.ones(3).add_(T.ones(2, 3))",
    batch_and_row="""
        w = T.ones(4, 3, requires_grad=True)
        b = T.zeros(4, requires_grad=True)
        w + b
    """,
)
def test_binary_shape_mismatch(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    vec_vec="T.ones(3) @ T.ones(4)",
    mat_vec="T.ones(2, 3) @ T.ones(4)",
    vec_mat="T.ones(3) @ T.ones(4, 2)",
    mat_mat="T.ones(2, 3) @ T.ones(4, 2)",
    batch_mat="T.ones(2, 2, 3) @ T.ones(4, 2)",
    mat_batch="T.ones(2, 3) @ T.ones(2, 4, 2)",
    mat_batch_requires_grad="T.ones(2, 3, requires_grad=True) @ T.ones(2, 4, 2)",
    batch_batch="T.ones(2, 2, 3) @ T.ones(2, 4, 2)",
    batch_broadcast="T.ones(2, 2, 3) @ T.ones(3, 3, 2)",
    batch4_broadcast="T.ones(5, 2, 2, 3) @ T.ones(4, 1, 3, 2)",
    batch_vec="T.ones(2, 2, 3) @ T.ones(4)",
    vec_batch="T.ones(3) @ T.ones(2, 4, 2)",
    scalar_left="T.tensor(2.) @ T.ones(2)",
    scalar_right="T.ones(2) @ T.tensor(2.)",
    dtype_vec_vec="T.ones(3) @ T.ones(3, dtype=T.float64)",
    dtype_mat_vec="T.ones(2, 3) @ T.ones(3, dtype=T.float64)",
    dtype_mat_mat="T.ones(2, 3, dtype=T.float64) @ T.ones(3, 2)",
    dtype_int="T.ones(2, 3) @ T.ones(3, 2, dtype=T.int64)",
    dtype_batch="T.ones(2, 2, 3) @ T.ones(2, 3, 2, dtype=T.float64)",
    mm_shapes="T.mm(T.ones(2, 3), T.ones(2, 3))",
    mm_vector="T.mm(T.ones(3), T.ones(3, 3))",
    mv_shapes="T.mv(T.ones(2, 3), T.ones(2))",
    dot_shapes="T.dot(T.ones(2), T.ones(3))",
    linear_layer_forgot_transpose="""
        x = T.ones(4, 3)
        w = T.ones(2, 3, requires_grad=True)
        x @ w
    """,
)
def test_matmul_mismatch(code: str) -> None:
    _check(code, must_raise=True)


_B = "b = dict(dtype=T.bool)\n"


@cases(
    mat_mat=_B + "T.ones(2, 3, **b) @ T.ones(3, 2, **b)",
    vec_mat=_B + "T.ones(3, **b) @ T.ones(3, 2, **b)",
    batch_mat=_B + "T.ones(2, 2, 3, **b) @ T.ones(3, 2, **b)",
    strided_batch_mat=_B + "T.ones(2, 2, 3, **b).transpose(0, 1) @ T.ones(3, 2, **b)",
    mat_vec=_B + "T.ones(2, 3, **b) @ T.ones(3, **b)",
    batch_vec=_B + "T.ones(2, 2, 3, **b) @ T.ones(3, **b)",
    vec_vec=_B + "T.ones(3, **b) @ T.ones(3, **b)",
    empty_vec_vec=_B + "T.ones(0, **b) @ T.ones(0, **b)",
    mat_batch=_B + "T.ones(2, 3, **b) @ T.ones(2, 3, 2, **b)",
    batch_batch=_B + "T.ones(2, 2, 3, **b) @ T.ones(2, 3, 2, **b)",
    vec_batch=_B + "T.ones(3, **b) @ T.ones(2, 3, 2, **b)",
    bool_batch_float=_B + "T.ones(2, 3, **b) @ T.ones(2, 3, 2)",
    method=_B + "T.ones(2, 3, **b).matmul(T.ones(3, 2, **b))",
    mm=_B + "T.mm(T.ones(2, 3, **b), T.ones(3, 2, **b))",
    mv=_B + "T.mv(T.ones(2, 3, **b), T.ones(3, **b))",
    dot=_B + "T.dot(T.ones(3, **b), T.ones(3, **b))",
)
def test_bool_matmul(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    empty_rows=_B + "out = T.ones(0, 3, **b) @ T.ones(3, 2, **b)",
    empty_inner=_B + "out = T.ones(2, 0, **b) @ T.ones(0, 3, **b)",
    empty_inner_vec=_B + "out = T.ones(2, 0, **b) @ T.ones(0, **b)",
    empty_batch=_B + "out = T.ones(2, 0, 3, **b) @ T.ones(2, 3, 3, **b)",
)
def test_bool_matmul_of_nothing(code: str) -> None:
    _check(code, must_raise=False)


MATMUL_SHAPES = [(3,), (4,), (2, 3), (3, 2), (4, 2), (2, 2, 3), (2, 3, 2), (2, 4, 2), (3, 3, 2),
                 (1, 3, 2), (2, 1, 2, 3)]


def test_matmul_every_shape_pair() -> None:
    """Every pair of shapes, with each side requiring grad or not, a transposed (strided) left
    batch and a float64 right side: the same error, or the same grad_fn and shape.

    torch's words depend on the kernel its matmul picks (dot, mv, mm or bmm), which depends on
    the shapes, on which side requires grad and on the left operand's memory layout."""

    def outcome(T: Any, sa: tuple, sb: tuple, ga: bool, gb: bool, strided: bool,
                double: bool) -> tuple:
        a = T.ones(*sa, requires_grad=ga)
        if strided and len(sa) >= 3:
            a = a.transpose(0, 1)
        b = T.ones(*sb, requires_grad=gb, dtype=T.float64 if double else T.float32)
        try:
            out = a @ b
        except RuntimeError as err:
            return ("error", str(err))
        return (out.grad_fn and out.grad_fn.name(), tuple(out.shape))

    wrong = []
    for sa, sb in itertools.product(MATMUL_SHAPES, repeat=2):
        for flags in itertools.product((False, True), repeat=4):
            if flags[2] and len(sa) < 3:
                continue
            want = outcome(torch, sa, sb, *flags)
            got = outcome(nbgrad, sa, sb, *flags)
            if got != want:
                wrong.append((sa, sb, flags, got, want))
    assert not wrong, "\n".join(map(str, wrong[:10]))


@cases(
    vector_past_end="T.ones(3)[3]",
    vector_negative="T.ones(3)[-4]",
    matrix_row="T.ones(2, 3)[2]",
    matrix_column="T.ones(2, 3)[0, 5]",
    matrix_column_slice="T.ones(2, 3)[:, 5]",
    after_none="T.ones(2, 3)[None, 0, 5]",
    after_ellipsis="T.ones(2, 3, 4)[..., -5]",
    after_ellipsis_and_int="T.ones(2, 3, 4)[0, ..., -5]",
    list_index="T.ones(3)[[0, 3]]",
    list_first_bad="T.ones(2, 3)[[1, 9, 5]]",
    list_in_second_dim="T.ones(2, 3)[:, [1, 5]]",
    int_then_list="T.ones(2, 3)[0, [1, 5]]",
    two_lists="T.ones(2, 3)[[0, 1], [2, 5]]",
    two_lists_first_bad="T.ones(2, 3)[[0, 2], [2, 5]]",
    list_after_slice="T.ones(2, 3, 4)[0:1, [0, 1], [1, 7]]",
    long_tensor="T.ones(3)[T.tensor([0, 3])]",
    too_many="T.ones(3)[0, 0]",
    too_many_lists="T.ones(2, 3)[[0], [0], [0]]",
    scalar_int="T.tensor(1.)[0]",
    scalar_slice="T.tensor(1.)[:]",
    scalar_tuple="T.tensor(1.)[0, 0]",
    scalar_list="T.tensor(1.)[[0]]",
    mask_too_long="T.ones(2, 3)[T.tensor([True, False, True])]",
    mask_second_dim="T.ones(2, 3)[:, T.tensor([True, False])]",
    mask_2d="T.ones(2, 3)[T.ones(2, 2) > 0]",
    mask_after_int="T.ones(2, 3)[0, T.tensor([True, False])]",
    mask_after_none="T.ones(2, 3)[None, T.tensor([True, False, True])]",
    lists_do_not_broadcast="T.ones(2, 3)[[0, 1, 0], [0, 1]]",
    lists_2d_do_not_broadcast="T.ones(2, 3)[[[0, 1]], [0, 1, 2]]",
    mask_and_list="T.ones(2, 3, 4)[T.ones(2, 3) > 0, [1, 2]]",
    float_index="T.ones(3)[T.tensor([0.])]",
    string_in_tuple="T.ones(3)[None, 'a']",
    float_number="T.ones(3)[1.5]",
    dict="T.ones(3)[{}]",
    float_in_tuple="T.ones(2, 3)[0, 1.5]",
    float_slice_bound="T.ones(3)[0.5:]",
    step_zero="T.ones(3)[::0]",
    step_negative="T.ones(3)[::-1]",
    in_backward_graph="""
        x = T.ones(3, requires_grad=True)
        (x * 2)[3]
    """,
)
def test_index_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    empty_list="out = T.ones(3)[[]]",
    negative_list="out = T.arange(6.).reshape(2, 3)[[-1, 0], [-3, 2]]",
    broadcast_lists="out = T.arange(6.).reshape(2, 3)[[[0], [1]], [0, 2]]",
    two_masks="""
        x = T.arange(6.).reshape(2, 3)
        out = x[T.tensor([True, False]), T.tensor([True, False, True])]
    """,
    zero_dim_mask="out = T.arange(6.).reshape(2, 3)[T.tensor(True)]",
    zero_dim_long="out = T.arange(6.).reshape(2, 3)[T.tensor(1)]",
    slice_past_end="out = T.arange(3.)[1:10]",
    empty_slice="out = T.arange(3.)[5:]",
)
def test_index_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    transposed="T.ones(2, 3).t().view(6)",
    transposed_infer="T.ones(2, 3).t().view(-1)",
    transposed_batch="T.ones(2, 3, 4).transpose(0, 1).view(6, 4)",
    permuted="T.ones(2, 3, 4).permute(2, 0, 1).view(24)",
    expanded="T.ones(2, 1, requires_grad=True).expand(2, 3).view(6)",
    sliced_columns="T.ones(2, 3, requires_grad=True)[:, 1:].view(4)",
    strided="T.ones(2, 3)[:, ::2].view(4)",
    wrong_size="T.ones(2, 3).view(4)",
    wrong_size_infer="T.ones(2, 3).view(-1, 4)",
    two_inferred="T.ones(2, 3).view(-1, -1)",
    reshape_wrong_size="T.ones(2, 3).reshape(5)",
    negative_size="T.ones(2, 3).view(-2, 3)",
    negative_size_reshape="T.ones(2, 3).reshape(3, -3)",
    flatten_0d_start="T.tensor(1.).flatten(1)",
    flatten_0d_end="T.tensor(1.).flatten(0, 1)",
    flatten_0d_negative="T.tensor(1.).flatten(-2)",
    flatten_0d_function="T.flatten(T.tensor(1.), 0, -2)",
    flatten_0d_module="T.nn.Flatten()(T.tensor(1.))",
)
def test_view_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    transposed_same_shape="out = T.arange(6.).reshape(2, 3).t().view(3, 2)",
    transposed_reshape="out = T.arange(6., requires_grad=True).reshape(2, 3).t().reshape(6)",
    column_block="out = T.arange(6., requires_grad=True).reshape(2, 3)[:, 1:].view(2, 2)",
    selected_column="out = T.arange(6., requires_grad=True).reshape(2, 3)[:, 1].view(2)",
    contiguous_flag="out = T.ones(2, 3).t().is_contiguous()",
)
def test_view_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    cat_sizes="T.cat([T.ones(2, 3), T.ones(2, 4)])",
    cat_sizes_dim1="T.cat([T.ones(2, 3), T.ones(3, 3)], dim=1)",
    cat_ndim="T.cat([T.ones(2, 3), T.ones(3)])",
    cat_dim_out_of_range="T.cat([T.ones(2, 3), T.ones(2, 4)], dim=2)",
    cat_scalar="T.cat([T.tensor(1.), T.ones(3)])",
    cat_empty="T.cat([])",
    cat_third="T.cat([T.ones(2), T.ones(3), T.ones(2, 2)])",
    stack_sizes="T.stack([T.ones(3), T.ones(4)])",
    stack_shapes="T.stack([T.ones(2, 3), T.ones(3, 2)])",
    stack_third="T.stack([T.ones(2), T.ones(2), T.ones(3)])",
    stack_empty="T.stack([])",
    stack_dim="T.stack([T.ones(3), T.ones(3)], dim=3)",
)
def test_cat_stack_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    short_row="T.tensor([[1, 2], [3]])",
    long_row="T.tensor([[1, 2], [3, 4, 5]])",
    empty_row="T.tensor([[1, 2], []])",
    float_short_row="T.tensor([[1., 2.], [3.]])",
    number_for_row="T.tensor([[1, 2], 3])",
    row_for_number="T.tensor([1, [2, 3]])",
    row_for_float="T.tensor([1., [2, 3]])",
    row_for_bool="T.tensor([True, [True]])",
    tuple_for_number="T.tensor([[1, 2], [3, (4,)]])",
    deep="T.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]])",
    deep_number="T.tensor([[[1], [2]], [[3], 4]])",
    tensor_row_too_short="T.tensor([[1, 2], T.tensor([3])])",
    string="T.tensor('a')",
    string_in_list="T.tensor(['a'])",
    string_later="T.tensor([1, 2.5, 'x'])",
    string_row="T.tensor([[1, 2], 'ab'])",
    none="T.tensor(None)",
    none_in_list="T.tensor([1, None])",
    none_row="T.tensor([[1], None])",
    dict="T.tensor({})",
    overflow="T.tensor([1, 2 ** 70])",
)
def test_tensor_from_bad_data(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    rows_of_tuples="out = T.tensor([(1, 2), [3, 4]])",
    empty="out = T.tensor([])",
    empty_rows="out = T.tensor([[], []])",
    ragged_but_empty="out = T.tensor([[], [1]])",
    tensors="out = T.tensor([T.tensor(1.), T.tensor(2)])",
    tensor_rows="out = T.tensor([[1, 2], T.tensor([3., 4.])])",
)
def test_tensor_from_data_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    sum="T.ones(2, 3).sum(2)",
    sum_negative="T.ones(2, 3).sum(-3)",
    mean="T.ones(2, 3).mean(5)",
    max="T.ones(2, 3).max(2)",
    softmax="T.ones(2, 3).softmax(2)",
    transpose="T.ones(2, 3).transpose(0, 2)",
    unsqueeze="T.ones(2, 3).unsqueeze(3)",
    squeeze="T.ones(2, 3).squeeze(4)",
    size="T.ones(2, 3).size(2)",
    expand_size="T.ones(2, 3).expand(3, 3)",
    expand_too_few="T.ones(2, 3).expand(3)",
    permute_length="T.ones(2, 3).permute(0)",
    permute_repeat="T.ones(2, 3).permute(0, 0)",
    max_of_empty="T.ones(2, 3)[2:].max()",
    mean_of_int="T.ones(2, 3, dtype=T.int64).mean()",
    t_of_3d="T.ones(2, 3, 4).t()",
    item_of_vector="T.ones(2).item()",
    bool_of_vector="bool(T.ones(2))",
    numpy_requires_grad="T.ones(2, requires_grad=True).numpy()",
    np_array_requires_grad="import numpy as np\nnp.array(T.ones(2, requires_grad=True))",
    int_pow_negative="T.tensor([2]) ** -1",
    float_of_vector="float(T.ones(2))",
    int_of_vector="int(T.tensor([1, 2]))",
    float_of_empty="float(T.ones(0))",
    complex_of_vector="complex(T.ones(3))",
    size_of_0d="T.tensor(1.).size(0)",
    size_of_0d_negative="T.tensor(1.).size(-1)",
    size_float_dim="T.ones(2, 3).size(1.)",
    size_str_dim="T.ones(2, 3).size('a')",
    any_dim="(T.ones(3) > 0).any(1)",
    all_dim="T.ones(2, 3).all(-3)",
    contains_str="'a' in T.ones(2)",
    type_bad_string="T.ones(2).type('float')",
    type_dtype_name="T.ones(2).type('float64')",
    to_dtype_string="T.ones(2).to(dtype='float64')",
    to_cuda="T.ones(2).to('cuda')",
    grad_wrong_size="T.ones(2, requires_grad=True).grad = T.ones(3)",
    grad_wrong_size_matrix="T.ones(2, 3, requires_grad=True).grad = T.ones(())",
    grad_wrong_dtype="T.ones(2, requires_grad=True).grad = T.ones(2, dtype=T.float64)",
    grad_wrong_dtype_and_size="T.ones(2, requires_grad=True).grad = T.ones(3, dtype=T.int64)",
    grad_half_into_double="""
        x = T.ones(2, dtype=T.float64, requires_grad=True)
        x.grad = T.ones(2, dtype=T.float16)
    """,
    setitem_out_of_range="T.ones(2, 3)[5] = 1.",
    setitem_wrong_shape="T.ones(2, 3)[0] = T.ones(2)",
    setitem_too_many_dims="T.ones(2, 3)[0] = T.ones(2, 3)",
    setitem_str="T.ones(2, 3)[0] = 'a'",
    setitem_none="T.ones(2, 3)[0] = None",
    setitem_long_into_float_wrong_shape="T.ones(2, 3)[:, 0] = T.tensor([1, 2, 3])",
)
def test_other_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    float_of_one="out = float(T.tensor([2.5]))",
    int_of_matrix_of_one="out = int(T.tensor([[7]]))",
    to_python_float="out = T.tensor([1, 2]).to(float)",
    to_python_int="out = T.tensor([1.5, -2.5]).to(int)",
    to_python_bool="out = T.tensor([0., 2.]).to(bool)",
    to_copy_same_dtype="out = T.tensor([1., 2.], requires_grad=True).to(T.float32, copy=True)",
    to_cpu="out = T.tensor([1., 2.]).to('cpu'), T.tensor([1.]).to(device='cpu')",
    type_torch_string="out = T.tensor([1.5, -2.5]).type('torch.LongTensor')",
    type_bool_string="out = T.tensor([1.5, 0.]).type('torch.BoolTensor')",
    type_default_tensor="out = T.tensor([1, 2]).type('torch.Tensor')",
    type_grad_string="out = T.tensor([1.5], requires_grad=True).type('torch.DoubleTensor')",
    contiguous_copies="""
        x = T.ones(2, 3, requires_grad=True).t()
        out = x.is_contiguous(), x.contiguous().is_contiguous(), x.contiguous()
    """,
    contiguous_keeps="""
        x = T.ones(2, 3)
        out = x.contiguous() is x
    """,
    contains_number="out = 2. in T.tensor([1., 2.]), T.tensor(3) in T.tensor([1, 2])",
    np_array_detached="import numpy as np\nout = np.array(T.ones(2, requires_grad=True).detach())",
    setitem_tensor_row="""
        out = T.zeros(2, 3)
        out[0] = T.tensor([1., 2., 3.])
    """,
    setitem_broadcast_row="""
        out = T.zeros(2, 3)
        out[:, 1] = T.tensor([5.])
    """,
    any_all_dims="out = (T.ones(2, 3) > 0).any(-1), T.ones(2, 3).all(0, keepdim=True)",
    size_dims="x = T.ones(2, 3)\nout = x.size(0), x.size(-1), x.size(), x.shape[1]",
    grad_assigned="""
        x = T.ones(2, requires_grad=True)
        x.grad = T.full((2,), 3.)
        out = x.grad
    """,
    half_short_char_byte="""
        x = T.tensor([1.5, -2.5, 100.])  # in every range (a float out of range is undefined)
        out = x.half(), x.short(), x.char(), x.abs().byte()
    """,
    cpu_is_the_tensor="""
        x = T.ones(2, requires_grad=True)
        out = x.cpu() is x, x.detach().cpu().numpy().tolist()
    """,
    sizes_in_bytes="""
        x = T.ones(2, 3, dtype=T.float64)
        out = x.element_size(), x.itemsize, x.nbytes, x.is_complex(), T.ones(3).nbytes
    """,
    amax_amin_methods="""
        x = T.tensor([[1., 5.], [4., 2.]], requires_grad=True)
        out = x.amax(), x.amax(1), x.amin(0, keepdim=True)
    """,
)
def test_other_accepted(code: str) -> None:
    _check(code, must_raise=False)


# --- leaves that are views ------------------------------------------------------------------
# ``T.arange(6.).reshape(2, 3).requires_grad_()`` is a leaf *and* a view (of the arange), and
# torch's refusal of an in-place update of it says so, however the update is spelled.

_VIEW_LEAVES = {
    "reshape": "T.arange(6.).reshape(2, 3)",
    "view": "T.ones(6).view(2, 3)",
    "row": "T.ones(2, 3)[0]",
    "transposed": "T.ones(3, 2).t()",
}
_UPDATES = {"add_": "x.add_(1)", "setitem_full": "x[:] = 1", "zero_": "x.zero_()",
            "iadd": "x += 1", "setitem_mask": "x[x > 0] = 0."}


@pytest.mark.parametrize("update", list(_UPDATES.values()), ids=list(_UPDATES))
@pytest.mark.parametrize("leaf", list(_VIEW_LEAVES.values()), ids=list(_VIEW_LEAVES))
def test_inplace_on_leaf_that_is_a_view(leaf: str, update: str) -> None:
    _check(f"x = {leaf}.requires_grad_()\n{update}", must_raise=True)


def test_detached_leaf_is_not_a_view() -> None:
    _check("x = T.ones(2, 3).detach().requires_grad_()\nx.add_(1)", must_raise=True)


# --- sizes given to reshape, view, expand, sum_to_size ---------------------------------------
# A float size (``x.view(n / 2, 2)``) is refused by torch; nbgrad must not quietly take it.


@cases(
    reshape_float_alone="T.ones(2, 3).reshape(2.5)",
    reshape_float_first="T.ones(2, 3).reshape(3., 2)",
    reshape_float_second="T.ones(2, 3).reshape(3, 2.)",
    reshape_quotient="x = T.ones(2, 3)\nx.reshape(x.shape[0] / 2, 6)",
    reshape_float_in_tuple="T.ones(2, 3).reshape((3., 2))",
    reshape_float_later_in_list="T.ones(2, 3).reshape([2, 3.])",
    reshape_str="T.ones(2, 3).reshape('a')",
    reshape_none="T.ones(2, 3).reshape(None)",
    reshape_none_third="T.ones(2, 3).reshape(2, 3, None)",
    reshape_float_tensor="T.ones(2, 3).reshape(T.tensor(6.))",
    reshape_float_tensor_second="T.ones(2, 3).reshape(2, T.tensor(3.))",
    reshape_tuple_and_int="T.ones(2, 3).reshape((2, 3), 1)",
    reshape_nothing="T.ones(2, 3).reshape()",
    view_float_alone="T.ones(2, 3).view(2.5)",
    view_float_first="T.ones(2, 3).view(3., 2)",
    view_float_second="T.ones(2, 3).view(2, 3.)",
    view_quotient="x = T.ones(2, 3)\nx.view(-1, x.shape[1] / 3)",
    view_float_in_tuple="T.ones(2, 3).view((3., 2))",
    view_float_in_list="T.ones(2, 3).view([6.])",
    view_float_later_in_list="T.ones(2, 3).view([2, 3.])",
    view_str="T.ones(2, 3).view('a')",
    view_none="T.ones(2, 3).view(None)",
    view_none_second="T.ones(2, 3).view(2, None)",
    view_tuple_and_int="T.ones(2, 3).view((2, 3), 1)",
    view_nothing="T.ones(2, 3).view()",
    expand_float_alone="T.ones(2, 3).expand(2.5)",
    expand_float_first="T.ones(2, 3).expand(2., 3)",
    expand_float_second="T.ones(2, 3).expand(2, 3.)",
    expand_float_in_tuple="T.ones(2, 3).expand((2., 3))",
    expand_nothing="T.ones(2, 3).expand()",
    sum_to_size_float="T.ones(2, 3).sum_to_size(2.)",
    sum_to_size_float_second="T.ones(2, 3).sum_to_size(2, 3.)",
    sum_to_size_nothing="T.ones(2, 3).sum_to_size()",
    view_ambiguous_empty="T.ones(0).view(-1, 0)",
    reshape_ambiguous_empty="T.ones(0).reshape(0, -1)",
    view_zero_of_nonempty="T.ones(3).view(-1, 0)",
)
def test_method_size_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    reshape_zero_dim_tensor="out = T.ones(2, 3).reshape(T.tensor(6))",
    reshape_tensor_of_one="out = T.ones(2, 3).reshape(T.tensor([6]))",
    reshape_tensor_second="out = T.ones(2, 3).reshape(6, T.tensor(1))",
    reshape_bool_second="out = T.ones(2, 3).reshape(6, True)",
    reshape_numpy_ints="import numpy as np\nout = T.ones(2, 3).reshape(np.int64(3), 2)",
    reshape_size="x = T.ones(2, 3)\nout = x.reshape(x.shape[::-1])",
    reshape_empty_tuple="out = T.ones(1, 1).reshape(())",
    view_list="out = T.ones(2, 3).view([3, 2])",
    view_empty_infer="out = T.ones(0, 3).view(-1, 3)",
    expand_tuple="out = T.ones(1, 3).expand((2, 3))",
    expand_size="out = T.ones(1, 3).expand(T.ones(4, 3).shape)",
    sum_to_size_tuple="out = T.ones(2, 3).sum_to_size((1, 3))",
)
def test_method_size_accepted(code: str) -> None:
    _check(code, must_raise=False)


# --- Size as a tuple -------------------------------------------------------------------------


@cases(
    float_entry="T.Size([2.5])",
    float_second="T.Size([2, 3.])",
    none_entry="T.Size([None])",
    string="T.Size('ab')",
    float_tensor="T.Size([T.tensor(2.)])",
    add_list="T.Size([2, 3]) + [1]",
    times_float="T.Size([2, 3]) * 2.5",
    times_size="T.Size([2, 3]) * T.Size([2])",
)
def test_size_type_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    tuple_plus_size="out = (4,) + T.ones(2, 3).shape",
    size_plus_tuple="out = T.ones(2, 3).shape + (4,)",
    size_plus_size="out = T.ones(2, 3).shape + T.Size([1])",
    times_int="out = T.ones(2, 3).shape * 2",
    int_times="out = 2 * T.ones(2, 3).shape",
    slice_plus="out = T.ones(2, 3).shape[1:] + (5,)",
    bool_entry="out = T.Size([True, 2])",
    int_tensor_entry="out = T.Size([T.tensor(2), 3])",
    negative_entry="out = T.Size([-1])",
    empty="out = T.Size(), T.Size([])",
    generator="out = T.Size(iter([1, 2]))",
    compare="out = T.ones(2, 3).shape == (2, 3), T.Size([2, 3]) == [2, 3], len(T.Size([4]))",
    numel_and_methods="s = T.Size([2, 3, 2])\nout = s.numel(), s.count(2), s.index(3)",
)
def test_size_tuple_accepted(code: str) -> None:
    _check(code, must_raise=False)


# --- sizes given to the creation functions ---------------------------------------------------
# torch's argument parser reads ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``; its words depend on
# which of these it was given, and name the function.


@cases(
    float_alone="T.zeros(3.)",
    float_second="T.zeros(4, 3.)",
    float_second_in_tuple="T.zeros((4, 3.))",
    float_first_in_list="T.zeros([4., 3])",
    float_third="T.zeros(2, 3, 4.)",
    ones_float="T.ones(3.)",
    ones_float_second="T.ones(4, 3.)",
    empty_float_second="T.empty(4, 3.)",
    empty_float_alone="T.empty(3.)",
    rand_float_second="T.rand(4, 3.)",
    rand_float_alone="T.rand(3.)",
    rand_float_in_list="T.rand([3., 2])",
    randn_float_second="T.randn(4, 3.)",
    full_float_second="T.full((4, 3.), 1.)",
    full_float_alone="T.full(3., 1.)",
    full_float_first="T.full([4., 3], 1.)",
    full_int="T.full(3, 1.)",
    full_none="T.full(None, 1.)",
    full_bool_first="T.full((True,), 1.)",
    full_float_tensor="T.full((2, T.tensor(3.)), 1.)",
    full_tensor="T.full(T.tensor([2, 3]), 1.)",
    zeros_negative="T.zeros(-4, 3)",
    zeros_negative_tuple="T.zeros((3, -4))",
    zeros_negative_after_zero="T.zeros(0, -1)",
    bool_alone="T.zeros(True)",
    none_alone="T.zeros(None)",
    none_second="T.zeros(2, None)",
    str_second="T.zeros(2, 'a')",
    list_second="T.zeros(2, [3])",
    numpy_float_second="T.zeros(2, np.float64(3))",
    numpy_float_alone="T.zeros(np.float64(3))",
    numpy_vector_second="T.zeros(2, np.array([3]))",
    numpy_bool_second="T.zeros(2, np.bool_(True))",
    float_tensor_second="T.zeros(2, T.tensor(3.))",
    long_tensor_of_two_second="T.zeros(2, T.tensor([3, 4]))",
    bool_tensor_second="T.zeros(2, T.tensor(True))",
    tensor_of_sizes="T.zeros(T.tensor([2, 3]))",
    float_tensor_then_int="T.zeros(T.tensor(2.), 3)",
    range="T.zeros(range(3))",
    set="T.zeros({2, 3})",
    nothing="T.zeros()",
    ones_nothing="T.ones()",
    rand_nothing="T.rand()",
    randn_tuple_and_int="T.randn((2, 3), 4)",
    tuple_and_int="T.zeros((2,), 3)",
    float_then_int="T.zeros(3., 4)",
    randint_float_first="T.randint(3, (2., 3))",
    randint_float_second="T.randint(3, (2, 3.))",
    randint_low_high_float="T.randint(0, 3, (2, 3.))",
    randint_low_high_float_first="T.randint(0, 3, (2., 3))",
    randint_float_size="T.randint(3, 2.)",
    randint_int_size="T.randint(0, 3, 2)",
    randint_no_size="T.randint(3)",
)
def test_size_errors(code: str) -> None:
    _check("import numpy as np\n" + code, must_raise=True)


@cases(
    bool_second="out = T.zeros(2, True)",
    bool_second_in_list="out = T.ones([2, True])",
    full_bool_second="out = T.full((2, True), 1.)",
    long_tensor="out = T.zeros(T.tensor(3))",
    long_tensor_second="out = T.zeros(2, T.tensor(3))",
    long_tensor_of_one="out = T.zeros(T.tensor([3]))",
    long_tensor_in_list="out = T.zeros([T.tensor(2), 3])",
    full_long_tensor_in_list="out = T.full([T.tensor(3), 2], 1.)",
    numpy_0d_second="out = T.zeros(2, np.array(3))",
    numpy_0d_first="out = T.zeros(np.array(2), 3)",
)
def test_size_accepted(code: str) -> None:
    _check("import numpy as np\n" + code, must_raise=False)


# --- warnings ---------------------------------------------------------------------------------


@cases(
    non_leaf_grad="""
        x = T.tensor(2., requires_grad=True)
        y = x * 2
        y.backward()
        out = y.grad
    """,
    non_leaf_grad_before_backward="""
        x = T.tensor(2., requires_grad=True)
        out = (x ** 2).grad
    """,
    lesson_loss_grad="""
        w = T.tensor(1., requires_grad=True)
        z = w * 6.7
        loss = -T.log(1 - T.sigmoid(z))
        loss.backward()
        out = (w.grad, z.grad)
    """,
    copy_construct="""
        x = T.tensor([1., 2.])
        out = T.tensor(x)
    """,
)
def test_warnings(code: str) -> None:
    _check(code, must_raise=False, must_warn=True)


@cases(
    leaf_grad="""
        x = T.tensor(2., requires_grad=True)
        (x * 2).backward()
        out = x.grad
    """,
    retained="""
        x = T.tensor(2., requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.backward()
        out = (y.grad, x.grad)
    """,
    plain_tensor_grad="out = T.tensor(2.).grad",
    matrix_T="out = T.ones(2, 3).T.shape",
    log_of_zero="out = T.log(T.tensor([0., 1.]))",
    divide_by_zero="out = T.tensor([1., 0.]) / 0",
    backward_through_log_of_zero="""
        x = T.tensor([0., 1.], requires_grad=True)
        T.log(x).sum().backward()
        out = x.grad
    """,
)
def test_no_warnings(code: str) -> None:
    want, want_warned = _outcome(torch, code)
    assert not want_warned
    _check(code, must_raise=False)


def test_float_of_a_tensor_that_requires_grad_warns_once_per_process() -> None:
    """``float(t)`` (and ``complex``, ``"%f" % t``) of a tensor that requires grad warns the
    first time in a process (TORCH_WARN_ONCE), before any size check; ``int``, ``item`` and
    ``format`` never warn. torch's own text is compared when torch has not warned yet."""
    from nbgrad import _tensor

    def warned(T: Any) -> list[str]:
        x = T.tensor(1.5, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert (int(x), x.item(), f"{x:.1f}") == (1, 1.5, "1.5")
            with pytest.raises(ValueError, match="only one element tensors"):
                float(T.ones(2, requires_grad=True))
            assert float(x * 2) == 3.0
        return [_norm(str(w.message)) for w in caught]

    from_torch = warned(torch)
    saved = _tensor._SCALAR_WARNED
    _tensor._SCALAR_WARNED = False
    try:
        from_nbgrad = warned(nbgrad)
        assert warned(nbgrad) == []
    finally:
        _tensor._SCALAR_WARNED = saved or _tensor._SCALAR_WARNED
    assert len(from_nbgrad) == 1
    assert from_nbgrad[0].startswith("Converting a tensor with requires_grad=True to a scalar")
    assert len(from_torch) <= 1
    if from_torch:
        assert from_nbgrad == from_torch


def test_T_of_a_non_matrix_warns_once_per_process() -> None:  # noqa: N802 - torch's name
    """torch warns about ``x.T`` on a non-matrix only the first time in a process
    (TORCH_WARN_ONCE); so does nbgrad. torch's own text is compared when this process has not
    used up torch's one warning yet (test order decides)."""
    from nbgrad.ops import shape

    def warned(T: Any) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert T.ones(3).T.shape == (3,)
            assert T.ones(2, 3, 4).T.shape == (4, 3, 2)
            assert T.ones(2, 3).T.shape == (3, 2)
        return [_norm(str(w.message)) for w in caught]

    from_torch = warned(torch)
    saved = shape._T_WARNED
    shape._T_WARNED = False
    try:
        from_nbgrad = warned(nbgrad)
        assert warned(nbgrad) == []
    finally:
        shape._T_WARNED = saved or shape._T_WARNED
    assert len(from_nbgrad) == 1
    assert from_nbgrad[0].startswith("The use of `x.T` on tensors of dimension other than 2")
    assert len(from_torch) <= 1
    if from_torch:
        assert from_nbgrad == from_torch


@cases(
    int_add_float="T.tensor([1, 2]).add_(0.5)",
    int_mul_float_tensor="T.tensor([1, 2]).mul_(T.tensor([1.5, 2.0]))",
    int_div_="T.tensor([1, 2]).div_(2)",
    bool_add_int="T.tensor([True, False]).add_(1)",
    float_add_int_tensor="T.tensor([1.0, 2.0]).add_(T.tensor([1, 2]))",
    float_sub_float64_0d="T.tensor([1.0, 2.0]).sub_(T.tensor(0.5, dtype=T.float64))",
    float_mul_number_no_grad="""
        w = T.tensor([1.0, 2.0], requires_grad=True)
        with T.no_grad():
            w.mul_(3)
        print(w)
    """,
)
def test_inplace_result_type(code: str) -> None:
    _check(code)


# --- nn.functional and nn layers: the arguments torch refuses, and those it takes -------------

_F = "F = T.nn.functional\n"


@cases(
    bias_of_two_rows=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(3, 4))",
    bias_of_three_dims=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(1, 1, 4))",
    bias_column=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(4, 1))",
    bias_column_3d=_F + "F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(4, 1))",
    bias_rows_3d=_F + "F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(3, 4))",
    bias_too_many_dims_3d=_F + "F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(1, 5, 2, 4))",
    vector_weight_with_bias=_F + "F.linear(T.ones(2, 3), T.ones(3), T.ones(2))",
    vector_weight_with_bias_1=_F + "F.linear(T.ones(2, 3), T.ones(3), T.ones(1))",
    vector_weight_vector_input=_F + "F.linear(T.ones(3), T.ones(3), T.ones(1))",
    vector_weight_3d_input=_F + "F.linear(T.ones(5, 2, 3), T.ones(3), T.ones(1))",
    vector_weight_matrix_bias=_F + "F.linear(T.ones(3), T.ones(3), T.ones(2, 4))",
    int_input_no_bias=_F + "F.linear(T.ones(2, 3, dtype=T.int64), T.ones(4, 3))",
    int_input_3d_no_bias=_F + "F.linear(T.ones(6, 2, 3, dtype=T.int64), T.ones(4, 3))",
    int_input_mismatch_with_bias="""
        F = T.nn.functional
        F.linear(T.ones(2, 5, dtype=T.int64), T.ones(4, 3), T.ones(4))
    """,
    double_bias=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(4, dtype=T.float64))",
    double_bias_3d=_F + "F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(4, dtype=T.float64))",
    int_bias_mismatch=_F + "F.linear(T.ones(2, 5), T.ones(4, 3), T.ones(4, dtype=T.int64))",
    float_bias_into_int="""
        F = T.nn.functional
        F.linear(T.ones(5, 2, 3, dtype=T.int64), T.ones(4, 3, dtype=T.int64), T.ones(2, 4))
    """,
    bool_with_bias="""
        F = T.nn.functional
        F.linear(T.ones(2, 3, dtype=T.bool), T.ones(4, 3, dtype=T.bool), T.ones(4, dtype=T.bool))
    """,
    list_bias=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), [1., 2., 3., 4.])",
    number_bias=_F + "F.linear(T.ones(2, 3), T.ones(4, 3), 1.0)",
    module_float_in_features="T.nn.Linear(3., 4)",
    module_float_out_features="T.nn.Linear(3, 4.)",
    module_negative_out_features="T.nn.Linear(3, -4)",
    module_negative_in_features="T.nn.Linear(-3, 4, bias=False)",
    module_none="T.nn.Linear(3, None)",
)
def test_linear_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    bias_row=_F + "out = F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(1, 4))",
    bias_per_sample=_F + "out = F.linear(T.ones(2, 3), T.ones(4, 3), T.ones(2, 4))",
    bias_row_vector_input=_F + "out = F.linear(T.ones(3), T.ones(4, 3), T.ones(1, 4))",
    bias_row_3d=_F + "out = F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(1, 4))",
    bias_per_position_3d=_F + "out = F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(2, 4))",
    bias_full_3d=_F + "out = F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(5, 2, 4))",
    bias_1x1_3d=_F + "out = F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(1, 1))",
    double_bias_unfused="""
        F = T.nn.functional
        out = F.linear(T.ones(5, 2, 3), T.ones(4, 3), T.ones(2, 4, dtype=T.float64))
    """,
    gradients="""
        F = T.nn.functional
        x = T.ones(5, 2, 3, requires_grad=True)
        w = T.ones(4, 3, requires_grad=True)
        b = T.ones(1, 4, requires_grad=True)
        y = F.linear(x, w, b)
        (y * T.arange(4.)).sum().backward()
        out = (type(y.grad_fn).__name__, x.grad, w.grad, b.grad)
    """,
    gradients_unfused="""
        F = T.nn.functional
        x = T.ones(5, 2, 3, requires_grad=True)
        b = T.ones(2, 4, requires_grad=True)
        y = F.linear(x, T.ones(4, 3), b)
        (y * T.arange(4.)).sum().backward()
        out = (type(y.grad_fn).__name__, x.grad, b.grad)
    """,
    gradients_bias_per_sample="""
        F = T.nn.functional
        b = T.ones(2, 4, requires_grad=True)
        y = F.linear(T.ones(2, 3), T.ones(4, 3), b)
        (y * T.arange(4.)).sum().backward()
        out = (type(y.grad_fn).__name__, b.grad)
    """,
    module_with_row_bias="""
        m = T.nn.Linear(3, 4)
        m.bias = T.nn.Parameter(T.ones(1, 4))
        with T.no_grad():
            m.weight.fill_(1.)
        out = m(T.ones(2, 3))
    """,
)
def test_linear_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    no_inputs="out = T.nn.Linear(0, 4).weight.shape",
    no_outputs="out = T.nn.Linear(4, 0, bias=False).weight.shape",
    kaiming_normal="out = T.nn.init.kaiming_normal_(T.ones(0, 3))",
)
def test_zero_element_init_warns(code: str) -> None:
    _check(code, must_raise=False, must_warn=True)


@cases(
    mse_list_input=_F + "F.mse_loss([0.5], T.ones(1))",
    mse_number_target=_F + "F.mse_loss([0.5], 3)",
    bce_list_input=_F + "F.binary_cross_entropy([0.5], T.ones(1))",
    bce_list_input_bad_reduction=_F + "F.binary_cross_entropy([0.5], [1.], reduction='avg')",
    bce_size_and_reduction=_F + "F.binary_cross_entropy(T.ones(3) / 2, T.ones(4), reduction='x')",
    bce_list_weight=_F + "F.binary_cross_entropy(T.ones(2) / 2, T.ones(2), weight=[1., 1.])",
    bce_target_above_one=_F + "F.binary_cross_entropy(T.ones(2) / 2, T.ones(2) * 2)",
    bce_target_negative=_F + "F.binary_cross_entropy(T.ones(2) / 2, -T.ones(2))",
    bce_target_nan=_F + "F.binary_cross_entropy(T.ones(2) / 2, T.full((2,), float('nan')))",
    bce_target_and_input_outside=_F + "F.binary_cross_entropy(T.ones(2) * 2, T.ones(2) * 2)",
    logits_list_input=_F + "F.binary_cross_entropy_with_logits([0.5], T.ones(1))",
    logits_list_target_bad_reduction="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(1), [1.], reduction='x')
    """,
    logits_int_input="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, dtype=T.int64), T.ones(2, dtype=T.int64))
    """,
    logits_int_input_float_target="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, dtype=T.int64), T.ones(2))
    """,
    logits_bool_input=_F + "F.binary_cross_entropy_with_logits(T.ones(2, dtype=T.bool), T.ones(2))",
    logits_bool_target="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2), T.ones(2, dtype=T.bool))
    """,
    logits_weight_mismatch="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), weight=T.ones(4))
    """,
    logits_weight_more_dims="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), weight=T.ones(5, 2, 3))
    """,
    logits_pos_weight_more_dims="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), pos_weight=T.ones(5, 2, 3))
    """,
    logits_pos_weight_and_int_input="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3, dtype=T.int64), T.ones(2, 3),
                                           pos_weight=T.ones(4))
    """,
    logits_list_weight="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), weight=[1., 1., 1.])
    """,
    logits_list_pos_weight="""
        F = T.nn.functional
        F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), pos_weight=[1., 1., 1.])
    """,
    nll_list_input=_F + "F.nll_loss([0.5], T.tensor([0]))",
    nll_list_target=_F + "F.nll_loss(T.ones(2, 3), [0, 1])",
    nll_none_target=_F + "F.nll_loss(T.ones(2, 3), None)",
    nll_list_weight=_F + "F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), weight=[1., 1., 1.])",
    nll_lists_bad_reduction=_F + "F.nll_loss([1.], [1], reduction='x')",
    nll_int_input=_F + "F.nll_loss(T.ones(2, 3, dtype=T.int64), T.tensor([0, 1]))",
    nll_int_input_3d="""
        F = T.nn.functional
        F.nll_loss(T.ones(2, 3, 4, dtype=T.int64), T.zeros(2, 4, dtype=T.int64))
    """,
    nll_bool_input=_F + "F.nll_loss(T.ones(2, 3, dtype=T.bool), T.tensor([0, 1]))",
    nll_double_weight="""
        F = T.nn.functional
        F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), weight=T.ones(3, dtype=T.float64))
    """,
    nll_double_weight_target_out_of_range="""
        F = T.nn.functional
        F.nll_loss(T.ones(2, 3), T.tensor([0, 5]), weight=T.ones(3, dtype=T.float64))
    """,
    nll_int_weight_3d="""
        F = T.nn.functional
        F.nll_loss(T.ones(2, 3, 4), T.zeros(2, 4, dtype=T.int64), weight=T.ones(3, dtype=T.int64))
    """,
    nll_weight_size_3d="""
        F = T.nn.functional
        F.nll_loss(T.ones(2, 3, 4), T.zeros(2, 4, dtype=T.int64), weight=T.ones(4))
    """,
    nll_target_size_4d=_F + "F.nll_loss(T.ones(2, 3, 2, 2), T.zeros(2, 2, 3, dtype=T.int64))",
    nll_target_dims_4d=_F + "F.nll_loss(T.ones(2, 3, 2, 2), T.zeros(2, 4, dtype=T.int64))",
    ce_list_input=_F + "F.cross_entropy([0.5], T.tensor([0]))",
    ce_list_target=_F + "F.cross_entropy(T.ones(2, 3), [0, 1])",
    ce_number_target=_F + "F.cross_entropy(T.ones(2, 3), 1)",
    ce_list_weight=_F + "F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=[1., 1., 1.])",
    ce_lists_bad_reduction=_F + "F.cross_entropy([1.], [1], reduction='x')",
    ce_module_list_target="T.nn.CrossEntropyLoss()(T.ones(2, 3), [0, 1])",
    ce_module_list_input="T.nn.CrossEntropyLoss()([0.5], T.tensor([0]))",
    ce_double_weight="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=T.ones(3, dtype=T.float64))
    """,
    ce_double_weight_smoothing="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=T.ones(3, dtype=T.float64),
                        label_smoothing=0.1)
    """,
    ce_probabilities_ignore_index="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.ones(2, 3) / 3, ignore_index=1)
    """,
    ce_probabilities_weight_size="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.ones(2, 3) / 3, weight=T.ones(4))
    """,
    ce_probabilities_weight_matrix="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.ones(2, 3) / 3, weight=T.ones(1, 3))
    """,
    ce_probabilities_weight_before_smoothing="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.ones(2, 3) / 3, weight=T.ones(4), label_smoothing=1.1)
    """,
    ce_int_probabilities_before_smoothing="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.ones(2, 3, dtype=T.int64), label_smoothing=1.1)
    """,
    ce_smoothing_whole_number="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), label_smoothing=2.)
    """,
    ce_0d=_F + "F.cross_entropy(T.tensor(0.5), T.tensor(0.5))",
    ce_weight_size_3d="""
        F = T.nn.functional
        F.cross_entropy(T.ones(2, 3, 4), T.zeros(2, 4, dtype=T.int64), weight=T.ones(4))
    """,
    ce_target_size_4d=_F + "F.cross_entropy(T.ones(2, 3, 2, 2), T.zeros(2, 2, 3, dtype=T.int64))",
)
def test_loss_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    mse_size_average=_F + "out = F.mse_loss(T.ones(2, 3), T.zeros(2, 3), size_average=False)",
    mse_legacy_over_bad_reduction="""
        F = T.nn.functional
        out = F.mse_loss(T.ones(2, 3), T.zeros(2, 3), size_average=False, reduction='x')
    """,
    mse_elementwise_mean="""
        F = T.nn.functional
        out = F.mse_loss(T.ones(2, 3), T.zeros(2, 3), reduction='elementwise_mean')
    """,
    bce_reduce=_F + "out = F.binary_cross_entropy(T.ones(2) / 2, T.ones(2), reduce=False)",
    logits_size_average="""
        F = T.nn.functional
        out = F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3), size_average=False)
    """,
    nll_size_average=_F + "out = F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), size_average=False)",
    ce_reduce=_F + "out = F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), reduce=False)",
    ce_elementwise_mean="""
        F = T.nn.functional
        out = F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), reduction='elementwise_mean')
    """,
    module_size_average="out = T.nn.MSELoss(size_average=False)(T.ones(2, 3), T.zeros(2, 3))",
    module_reduce="out = T.nn.CrossEntropyLoss(reduce=False)(T.ones(2, 3), T.tensor([0, 1]))",
)
def test_legacy_reduction_warns(code: str) -> None:
    _check(code, must_raise=False, must_warn=True)


@cases(
    ce_negative_smoothing="""
        F = T.nn.functional
        out = F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), label_smoothing=-0.1)
    """,
    ce_negative_smoothing_probabilities="""
        F = T.nn.functional
        out = F.cross_entropy(T.ones(2, 3), T.ones(2, 3) / 3, label_smoothing=-0.1)
    """,
    ce_empty_probabilities="""
        x = T.ones(0, 3, requires_grad=True)
        loss = T.nn.functional.cross_entropy(x, T.ones(0, 3) / 3)
        loss.backward()
        out = (loss, x.grad)
    """,
    nll_weight_matrix_3d="""
        F = T.nn.functional
        out = F.nll_loss(T.ones(2, 3, 4), T.zeros(2, 4, dtype=T.int64), weight=T.ones(1, 3))
    """,
    logits_int_weight="""
        F = T.nn.functional
        out = F.binary_cross_entropy_with_logits(T.ones(2, 3), T.ones(2, 3) / 2,
                                                 weight=T.ones(3, dtype=T.int64) * 2)
    """,
)
def test_loss_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    sigmoid_list="T.nn.functional.sigmoid([1.])",
    tanh_list="T.nn.functional.tanh([1.])",
    softmax_list="T.nn.functional.softmax([1.], 0)",
    softmax_list_no_dim="T.nn.functional.softmax([1.])",
    log_softmax_list="T.nn.functional.log_softmax([1.], 0)",
    leaky_relu_int="T.nn.functional.leaky_relu(T.tensor([-1, 2]))",
    leaky_relu_bool="T.nn.functional.leaky_relu(T.tensor([True]))",
    dropout_list="T.nn.functional.dropout([1.])",
    dropout_list_eval="T.nn.functional.dropout([1.], training=False)",
    dropout_int="T.nn.functional.dropout(T.ones(2, dtype=T.int64), 0.5)",
    dropout_bool="T.nn.functional.dropout(T.ones(2, dtype=T.bool), 0.5)",
    relu_bool="T.relu(T.tensor([True, False]))",
    relu_bool_method="T.tensor([True]).relu()",
    relu_bool_module="T.nn.ReLU()(T.tensor([True]))",
    relu_bool_functional="T.nn.functional.relu(T.tensor(True), inplace=True)",
    relu_bool_empty="T.relu(T.ones(0, dtype=T.bool))",
    softmax_int_first_dim="T.softmax(T.ones(2, 3, dtype=T.int64), 0)",
    softmax_int_middle_dim="T.nn.functional.softmax(T.ones(2, 3, 4, dtype=T.int64), 1)",
    softmax_int_size_one_last="T.ones(2, 3, 1, dtype=T.int64).softmax(1)",
    softmax_bool_first_dim="T.nn.Softmax(0)(T.ones(2, 3, dtype=T.bool))",
    softmax_int_dim_out_of_range="T.softmax(T.ones(2, 3, dtype=T.int64), 5)",
    log_softmax_int_first_dim="T.log_softmax(T.ones(2, 3, dtype=T.int64), 0)",
    log_softmax_int_middle_dim="T.ones(2, 3, 4, dtype=T.int64).log_softmax(-2)",
)
def test_activation_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    flatten_0d="out = T.tensor(1.).flatten()",
    flatten_0d_last="out = T.tensor(1., requires_grad=True).flatten(-1, 0)",
    flatten_0d_module="out = T.nn.Flatten(0)(T.tensor(1.))",
    softmax_int_of_nothing="out = T.softmax(T.ones(0, 3, dtype=T.int64), 0)",
)
def test_activation_and_flatten_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    zeros="out = T.zeros(size=(2, 3))",
    ones_list="out = T.ones(size=[2, 1])",
    empty="out = T.empty(size=(2,)).shape",
    size_object="out = T.zeros(size=T.Size([2]))",
    with_dtype="out = T.zeros(size=(2,), dtype=T.int64)",
    rand_shape="out = T.rand(size=(2,), generator=None).shape",
    randn_shape="out = T.randn(size=(1, 2)).shape",
)
def test_size_by_keyword_accepted(code: str) -> None:
    _check(code, must_raise=False)


@cases(
    twice="T.zeros(2, size=(2,))",
    an_int="T.zeros(size=2)",
    none="T.ones(size=None)",
    float_entry="T.zeros(size=(2.5,))",
    negative="T.zeros(size=(2, -1))",
    empty_negative="T.empty(size=(-1,))",
    rand_float_entry="T.rand(size=(2.5,))",
    rand_int="T.rand(size=2)",
    randn_twice="T.randn(2, size=(2,))",
)
def test_size_by_keyword_errors(code: str) -> None:
    _check(code, must_raise=True)


@cases(
    add_none="T.add(T.ones(2), None)",
    mul_str="T.mul(T.ones(2), 'a')",
    sub_list="T.sub(T.ones(2), [1])",
    div_none="T.div(T.ones(2), None)",
)
def test_binary_function_with_an_operand_that_is_not_a_number(code: str) -> None:
    _check(code, must_raise=True)
