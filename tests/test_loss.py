"""Loss functions: values, gradients, grad_fn names and errors as torch's; numerical
stability at saturated inputs; gradients checked against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad import nn
from nbgrad.autograd import gradcheck
from nbgrad.nn import functional as F


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


REDUCTIONS = ["mean", "sum", "none"]
_rng = np.random.default_rng(0)
LOGITS = (_rng.standard_normal((6, 4)) * 2).astype(np.float32)
PROBS = (1 / (1 + np.exp(-LOGITS))).astype(np.float32)
SOFT = _rng.random((6, 4)).astype(np.float32)
SOFT_ROWS = (SOFT / SOFT.sum(1, keepdims=True)).astype(np.float32)
CLASSES = np.array([0, 3, 1, 2, 3, 0])
CLASS_W = np.array([1.0, 2.0, 0.5, 3.0], dtype=np.float32)

# name: (function of (module, input, target, reduction), input, target, target needs grad)
CASES = {
    "mse": (lambda m, x, y, r: m.nn.functional.mse_loss(x, y, reduction=r), LOGITS, SOFT, True),
    "MSELoss": (lambda m, x, y, r: m.nn.MSELoss(reduction=r)(x, y), LOGITS, SOFT, True),
    "mse_weight": (lambda m, x, y, r: m.nn.functional.mse_loss(
        x, y, reduction=r, weight=m.tensor(SOFT[::-1].copy())), LOGITS, SOFT, True),
    "mse_weight_broadcast": (lambda m, x, y, r: m.nn.functional.mse_loss(
        x[0], y, reduction=r, weight=m.tensor(CLASS_W)), LOGITS, SOFT, True),
    "bce": (lambda m, x, y, r: m.nn.functional.binary_cross_entropy(x, y, reduction=r),
            PROBS, SOFT, True),
    "BCELoss_weight": (lambda m, x, y, r: m.nn.BCELoss(weight=m.tensor(CLASS_W),
                                                       reduction=r)(x, y), PROBS, SOFT, False),
    "bce_logits": (lambda m, x, y, r: m.nn.functional.binary_cross_entropy_with_logits(
        x, y, reduction=r), LOGITS, SOFT, True),
    "BCEWithLogitsLoss_weights": (lambda m, x, y, r: m.nn.BCEWithLogitsLoss(
        weight=m.tensor(CLASS_W), pos_weight=m.tensor(CLASS_W[::-1].copy()), reduction=r)(x, y),
        LOGITS, SOFT, True),
    "cross_entropy": (lambda m, x, y, r: m.nn.functional.cross_entropy(x, y, reduction=r),
                      LOGITS, CLASSES, False),
    "CrossEntropyLoss_weight_ignore": (lambda m, x, y, r: m.nn.CrossEntropyLoss(
        weight=m.tensor(CLASS_W), ignore_index=3, reduction=r)(x, y), LOGITS, CLASSES, False),
    "cross_entropy_smoothing": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x, y, reduction=r, label_smoothing=0.2), LOGITS, CLASSES, False),
    "cross_entropy_smoothing_weight": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x, y, weight=m.tensor(CLASS_W), ignore_index=0, reduction=r, label_smoothing=0.1),
        LOGITS, CLASSES, False),
    "cross_entropy_probs": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x, y, reduction=r), LOGITS, SOFT_ROWS, True),
    "cross_entropy_probs_weight": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x, y, weight=m.tensor(CLASS_W), reduction=r, label_smoothing=0.1),
        LOGITS, SOFT_ROWS, True),
    "cross_entropy_1d": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x[0], y[0], reduction=r), LOGITS, CLASSES, False),
    "cross_entropy_3d": (lambda m, x, y, r: m.nn.functional.cross_entropy(
        x.reshape(2, 4, 3), y[:6].reshape(2, 3), reduction=r), LOGITS, CLASSES, False),
    "nll": (lambda m, x, y, r: m.nn.functional.nll_loss(
        m.nn.functional.log_softmax(x, 1), y, reduction=r), LOGITS, CLASSES, False),
    "NLLLoss_weight": (lambda m, x, y, r: m.nn.NLLLoss(weight=m.tensor(CLASS_W), reduction=r)(
        x, y), LOGITS, CLASSES, False),
}


@pytest.mark.filterwarnings("ignore:Using a target size")  # mse_weight_broadcast: as torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", CASES)
def test_loss_matches_torch(torch, name: str, reduction: str) -> None:
    fn, x, y, target_grad = CASES[name]
    nx, tx = nbgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ny, ty = nbgrad.tensor(y, requires_grad=target_grad), torch.tensor(
        y, requires_grad=target_grad)
    nl, tl = fn(nbgrad, nx, ny, reduction), fn(torch, tx, ty, reduction)
    assert nl.grad_fn.name() == tl.grad_fn.name()
    assert nl.shape == tuple(tl.shape)
    assert repr(nl.dtype) == repr(tl.dtype).replace("torch.", "nbgrad.")
    np.testing.assert_allclose(nl.detach().numpy(), tl.detach().numpy(), rtol=1e-5, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(tuple(tl.shape)).astype(np.float32)
    nl.backward(nbgrad.tensor(g))
    tl.backward(torch.tensor(g))
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    if target_grad:
        np.testing.assert_allclose(ny.grad.numpy(), ty.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_loss_grad_fn_names_golden() -> None:
    x = nbgrad.tensor(LOGITS, requires_grad=True)
    p = nbgrad.tensor(PROBS, requires_grad=True)
    y = nbgrad.tensor(SOFT)
    assert F.mse_loss(x, y).grad_fn.name() == "MseLossBackward0"
    assert F.binary_cross_entropy(p, y).grad_fn.name() == "BinaryCrossEntropyBackward0"
    assert (F.binary_cross_entropy_with_logits(x, y).grad_fn.name()
            == "BinaryCrossEntropyWithLogitsBackward0")
    ce = F.cross_entropy(x, nbgrad.tensor(CLASSES))
    assert ce.grad_fn.name() == "NllLossBackward0"
    assert ce.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    assert repr(F.mse_loss(nbgrad.tensor([1.0, 2.0], requires_grad=True),
                           nbgrad.tensor([1.0, 4.0]))) == (
        "tensor(2., grad_fn=<MseLossBackward0>)")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_promoted_and_broadcast_targets_match_torch(torch, reduction: str) -> None:
    """mse_loss with a double target computes in double; a (n, 1) target broadcasts (with
    torch's warning); bce_with_logits computes in the target's dtype."""
    x = LOGITS[:, :1].copy()
    cases = [
        (lambda m, a, b: m.nn.functional.mse_loss(a, b.double(), reduction=reduction),
         x, SOFT[:, :1]),
        (lambda m, a, b: m.nn.functional.mse_loss(a, b, reduction=reduction), x, SOFT[:, 0]),
        (lambda m, a, b: m.nn.functional.mse_loss(a, b.long(), reduction=reduction),
         x, SOFT[:, :1] * 3),
        (lambda m, a, b: m.nn.functional.binary_cross_entropy_with_logits(
            a, b.double(), reduction=reduction), x, SOFT[:, :1]),
    ]
    for fn, a, b in cases:
        na, ta = nbgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        with warnings.catch_warnings(record=True) as nw:
            warnings.simplefilter("always")
            nl = fn(nbgrad, na, nbgrad.tensor(b))
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            tl = fn(torch, ta, torch.tensor(b))
        assert [str(w.message).replace("torch.", "nbgrad.") for w in tw] == [
            str(w.message) for w in nw]
        assert repr(nl.dtype) == repr(tl.dtype).replace("torch.", "nbgrad.")
        np.testing.assert_allclose(nl.detach().numpy(), tl.detach().numpy(), rtol=1e-5)
        nl.sum().backward()
        tl.sum().backward()
        assert na.grad.dtype is nbgrad.float32
        np.testing.assert_allclose(na.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-6)


# --- numerical stability ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_saturated_logits_give_finite_loss_and_grad(reduction: str) -> None:
    x = nbgrad.tensor([100.0, -100.0, 100.0, -100.0, 1000.0, -1000.0], requires_grad=True)
    y = nbgrad.tensor([1.0, 0.0, 0.0, 1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction=reduction)
    loss.sum().backward()
    values = loss.detach().numpy()
    assert np.isfinite(values).all() and np.isfinite(x.grad.numpy()).all()
    per = F.binary_cross_entropy_with_logits(x.detach(), y, reduction="none").tolist()
    assert per == pytest.approx([0.0, 0.0, 100.0, 100.0, 1000.0, 1000.0])


def test_saturated_logits_match_torch(torch) -> None:
    v = [100.0, -100.0, 0.0, 30.0, -30.0]
    t = [0.0, 1.0, 1.0, 1.0, 0.0]
    nx, tx = nbgrad.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    nl = F.binary_cross_entropy_with_logits(nx, nbgrad.tensor(t))
    tl = torch.nn.functional.binary_cross_entropy_with_logits(tx, torch.tensor(t))
    nl.backward()
    tl.backward()
    assert nl.item() == pytest.approx(tl.item(), rel=1e-6)
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    # the same logits through a Sigmoid and BCELoss: finite, and as torch
    nx.grad = None
    tx.grad = None
    nl = F.binary_cross_entropy(nbgrad.sigmoid(nx), nbgrad.tensor(t))
    tl = torch.nn.functional.binary_cross_entropy(torch.sigmoid(tx), torch.tensor(t))
    nl.backward()
    tl.backward()
    assert np.isfinite(nl.item()) and nl.item() == pytest.approx(tl.item(), rel=1e-5)
    assert np.isfinite(nx.grad.numpy()).all()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_bce_on_exact_zero_and_one_is_clamped_at_100(torch) -> None:
    p = nbgrad.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    y = nbgrad.tensor([[0.0, 1.0], [0.0, 1.0]])
    loss = F.binary_cross_entropy(p, y, reduction="none")
    assert loss.tolist() == [[0.0, 0.0], [100.0, 100.0]]
    mean = F.binary_cross_entropy(p, y)
    assert mean.item() == 50.0
    mean.backward()
    assert np.isfinite(p.grad.numpy()).all()
    tp = torch.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    torch.nn.functional.binary_cross_entropy(tp, torch.tensor(y.numpy())).backward()
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6)


def test_cross_entropy_of_huge_logits_is_finite(torch) -> None:
    x = [[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]]
    nx, tx = nbgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    nl = F.cross_entropy(nx, nbgrad.tensor([1, 2]))
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor([1, 2]))
    nl.backward()
    tl.backward()
    assert np.isfinite(nl.item()) and nl.item() == pytest.approx(tl.item(), rel=1e-6)
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_ignored_targets_only(torch) -> None:
    def run(m):
        return m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([-100, -100]))

    assert np.isnan(run(nbgrad).item()) and np.isnan(run(torch).item())


def test_ignored_targets_only_stay_silent_when_numpy_would_raise() -> None:
    """0 / 0 gives nan silently, as in torch, even with NumPy set to raise on it."""
    with np.errstate(all="raise"):
        loss = F.cross_entropy(nbgrad.ones(2, 3), nbgrad.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_loss_weights_set_after_construction_are_used(torch) -> None:
    """The loss layers read their weight buffers from the buffer table: a weight assigned
    later is the one used, and a deleted one is gone, as in torch."""
    x, y = LOGITS, CLASSES
    results = []
    for m in (nbgrad, torch):
        ce = m.nn.CrossEntropyLoss()
        ce.weight = m.tensor(CLASS_W)
        bce = m.nn.BCEWithLogitsLoss()
        bce.pos_weight = m.tensor(CLASS_W)
        values = [ce(m.tensor(x), m.tensor(y)).item(),
                  bce(m.tensor(x), m.tensor(SOFT)).item()]
        del ce.weight
        with pytest.raises(AttributeError):
            ce(m.tensor(x), m.tensor(y))
        results.append(values)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
    unweighted = F.cross_entropy(nbgrad.tensor(x), nbgrad.tensor(y)).item()
    assert results[0][0] != pytest.approx(unweighted)


# --- gradients against finite differences (float64) ----------------------------------------


GRADCHECKS = {
    "mse": lambda x, y: F.mse_loss(x, y),
    "mse_none": lambda x, y: F.mse_loss(x, y, reduction="none"),
    "bce": lambda x, y: F.binary_cross_entropy(nbgrad.sigmoid(x), y),
    "bce_logits": lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="sum"),
    "bce_logits_pos_weight": lambda x, y: F.binary_cross_entropy_with_logits(
        x, y, pos_weight=nbgrad.tensor([2.0, 0.5, 1.0], dtype=nbgrad.float64)),
    "cross_entropy": lambda x, y: F.cross_entropy(x, nbgrad.tensor([0, 2, 1, 1])),
    "cross_entropy_probs": lambda x, y: F.cross_entropy(x, nbgrad.softmax(y, 1)),
    "linear": lambda x, y: F.linear(x, y[:2], y[0, :2]),
}


@pytest.mark.parametrize("name", GRADCHECKS)
def test_gradcheck(name: str) -> None:
    rng = np.random.default_rng(5)
    x = nbgrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = nbgrad.tensor(rng.random((4, 3)), requires_grad=True)
    assert gradcheck(GRADCHECKS[name], (x, y))


def test_second_derivative_of_mse() -> None:
    x = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = nbgrad.tensor([0.0, 0.0, 0.0])
    (g,) = nbgrad.autograd.grad(F.mse_loss(x, y), x, create_graph=True)
    assert g.tolist() == pytest.approx([2 / 3, 4 / 3, 2.0])
    (h,) = nbgrad.autograd.grad(g.sum(), x)
    assert h.tolist() == pytest.approx([2 / 3] * 3)


# --- errors -------------------------------------------------------------------------------


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            return type(e).__name__, str(e).replace("torch.", "nbgrad.")
    return None


def _f(m):
    return m.nn.functional


ERRORS = {
    "mse_shape": lambda m: _f(m).mse_loss(m.ones(4, 3), m.ones(4, 2)),
    "mse_reduction": lambda m: _f(m).mse_loss(m.ones(4, 3), m.ones(4, 3), reduction="foo"),
    "MSELoss_reduction": lambda m: m.nn.MSELoss(reduction="foo")(m.ones(2), m.ones(2)),
    "mse_int": lambda m: _f(m).mse_loss(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "mse_number": lambda m: _f(m).mse_loss(m.ones(3), 1.0),
    "bce_size": lambda m: _f(m).binary_cross_entropy(m.rand(4, 3), m.rand(4, 1)),
    "bce_size_squeezed": lambda m: _f(m).binary_cross_entropy(m.rand(4, 1), m.rand(4)),
    "BCELoss_size": lambda m: m.nn.BCELoss()(m.rand(4, 1), m.rand(4)),
    "bce_long_target": lambda m: _f(m).binary_cross_entropy(m.rand(4), m.ones(4, dtype=m.int64)),
    "bce_double_target": lambda m: _f(m).binary_cross_entropy(
        m.rand(4), m.ones(4, dtype=m.float64)),
    "bce_range": lambda m: _f(m).binary_cross_entropy(m.ones(3) * 1.5, m.ones(3)),
    "bce_negative": lambda m: _f(m).binary_cross_entropy(-m.ones(3), m.ones(3)),
    "bce_nan": lambda m: _f(m).binary_cross_entropy(m.tensor([float("nan")]), m.ones(1)),
    "bce_int_input": lambda m: _f(m).binary_cross_entropy(
        m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "bce_weight": lambda m: _f(m).binary_cross_entropy(m.rand(4, 3), m.rand(4, 3),
                                                       weight=m.ones(2)),
    "bce_reduction": lambda m: _f(m).binary_cross_entropy(m.rand(3), m.rand(3), reduction="x"),
    "bcel_size": lambda m: _f(m).binary_cross_entropy_with_logits(m.ones(4, 3), m.ones(4, 1)),
    "BCEWithLogitsLoss_size": lambda m: m.nn.BCEWithLogitsLoss()(m.ones(4, 1), m.ones(4)),
    "bcel_long_target": lambda m: _f(m).binary_cross_entropy_with_logits(
        m.ones(4), m.ones(4, dtype=m.int64)),
    "bcel_pos_weight": lambda m: _f(m).binary_cross_entropy_with_logits(
        m.ones(4, 3), m.ones(4, 3), pos_weight=m.ones(2)),
    "mse_weight_size": lambda m: _f(m).mse_loss(m.ones(4), m.ones(4), weight=m.ones(1)),
    "mse_weight_size_broadcast": lambda m: _f(m).mse_loss(m.ones(2), m.ones(3, 2),
                                                          weight=m.ones(3, 2)),
    "mse_weight_reduction": lambda m: _f(m).mse_loss(m.ones(4), m.ones(4), weight=m.ones(4),
                                                     reduction="x"),
    "ce_float_ignore_index": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                                           ignore_index=1.5),
    "ce_bool_ignore_index": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                                          ignore_index=True),
    "ce_probs_float_ignore_index": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.rand(4, 3),
                                                                 ignore_index=2.0),
    "CrossEntropyLoss_float_ignore_index": lambda m: m.nn.CrossEntropyLoss(ignore_index=1.5)(
        m.ones(4, 3), m.tensor([0, 1, 2, 0])),
    "nll_str_ignore_index": lambda m: _f(m).nll_loss(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                                     ignore_index="a"),
    "ce_float_target_1d": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.rand(4)),
    "ce_float_target_2d": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.rand(4, 2)),
    "CrossEntropyLoss_float_target": lambda m: m.nn.CrossEntropyLoss()(m.ones(4, 3),
                                                                       m.rand(4, 1)),
    "ce_int32_target": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0],
                                                                            dtype=m.int32)),
    "ce_bool_target": lambda m: _f(m).cross_entropy(
        m.ones(4, 3), m.tensor([True, False, True, True])),
    "ce_int_probs": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.ones(4, 3, dtype=m.int64)),
    "ce_batch": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2])),
    "ce_batch_2d": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([[0, 1, 2, 0]])),
    "ce_scalar_target": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor(1)),
    "ce_out_of_bounds": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 3, 0])),
    "ce_negative": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, -2, 0])),
    "ce_1d_target_size": lambda m: _f(m).cross_entropy(m.ones(3), m.tensor([1, 2])),
    "ce_1d_target_2d": lambda m: _f(m).cross_entropy(m.ones(3), m.tensor([[1]])),
    "ce_3d_target": lambda m: _f(m).cross_entropy(m.ones(4, 3, 5), m.zeros(4, 6,
                                                                          dtype=m.int64)),
    "ce_3d_target_1d": lambda m: _f(m).cross_entropy(m.ones(4, 3, 5), m.zeros(4,
                                                                             dtype=m.int64)),
    "ce_weight": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                               weight=m.ones(2)),
    "ce_int_input": lambda m: _f(m).cross_entropy(m.ones(4, 3, dtype=m.int64),
                                                  m.tensor([0, 1, 2, 0])),
    "ce_reduction": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                                  reduction="foo"),
    "ce_smoothing": lambda m: _f(m).cross_entropy(m.ones(4, 3), m.tensor([0, 1, 2, 0]),
                                                  label_smoothing=1.5),
    "nll_float_target": lambda m: _f(m).nll_loss(m.ones(4, 3), m.tensor([0.0, 1, 2, 0])),
    "bcel_list_target": lambda m: _f(m).binary_cross_entropy_with_logits(m.ones(1), [1.0]),
    "bcel_reduction": lambda m: _f(m).binary_cross_entropy_with_logits(
        m.ones(3), m.ones(3), reduction="x"),
    "BCEWithLogitsLoss_reduction": lambda m: m.nn.BCEWithLogitsLoss(reduction="x")(
        m.ones(3), m.ones(3)),
    "CrossEntropyLoss_reduction": lambda m: m.nn.CrossEntropyLoss(reduction="x")(
        m.ones(4, 3), m.tensor([0, 1, 2, 0])),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_match_torch(torch, name: str) -> None:
    expected = _error(lambda: ERRORS[name](torch))
    assert expected is not None, "torch accepts this"
    assert _error(lambda: ERRORS[name](nbgrad)) == expected


def test_bce_target_size_error_golden() -> None:
    with pytest.raises(ValueError) as info:
        nn.BCELoss()(nbgrad.rand(4, 1), nbgrad.rand(4))
    assert str(info.value) == (
        "Using a target size (nbgrad.Size([4])) that is different to the input size "
        "(nbgrad.Size([4, 1])) is deprecated. Please ensure they have the same size."
    )


def test_mse_broadcast_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match=r"Using a target size \(nbgrad.Size\(\[4\]\)\) that "
                                         r"is different to the input size"):
        nn.MSELoss()(nbgrad.ones(4, 1), nbgrad.ones(4))


_x2 = np.random.default_rng(7).standard_normal((5, 4))
_v2 = np.random.default_rng(8).standard_normal((5, 4))
_y2 = np.array([0, 3, 1, 1, 2])
_p2 = np.random.default_rng(9).random((5, 4))
SECOND_ORDER = {
    "cross_entropy": lambda m, a: m.nn.functional.cross_entropy(a, m.tensor(_y2)),
    "cross_entropy_weight_none": lambda m, a: m.nn.functional.cross_entropy(
        a, m.tensor(_y2), weight=m.tensor([1.0, 2, 3, 4], dtype=m.float64),
        reduction="none").sum(),
    "cross_entropy_ignore": lambda m, a: m.nn.functional.cross_entropy(a, m.tensor(_y2),
                                                                       ignore_index=1),
    "bce_logits_pos_weight": lambda m, a: m.nn.functional.binary_cross_entropy_with_logits(
        a, m.tensor(_p2), pos_weight=m.tensor([1.0, 2, 3, 4], dtype=m.float64)),
    "bce": lambda m, a: m.nn.functional.binary_cross_entropy(m.sigmoid(a), m.tensor(_p2)),
    "mse": lambda m, a: m.nn.functional.mse_loss(a, m.tensor(_p2), reduction="sum"),
    "linear": lambda m, a: (m.nn.functional.linear(a, a[:3] * 1, a[0, :3] * 1) ** 2).sum(),
    "leaky_relu": lambda m, a: (m.nn.functional.leaky_relu(a, 0.1) ** 2).sum(),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_matches_torch(torch, name: str) -> None:
    """The backward formulas are themselves differentiable (create_graph=True)."""
    results = []
    for m in (nbgrad, torch):
        a = m.tensor(_x2, requires_grad=True)
        (g,) = m.autograd.grad(SECOND_ORDER[name](m, a), a, create_graph=True)
        (g * m.tensor(_v2)).sum().backward()
        results.append((g.detach().numpy(), a.grad.numpy()))
    (g_nb, h_nb), (g_t, h_t) = results
    np.testing.assert_allclose(g_nb, g_t, atol=1e-10)
    np.testing.assert_allclose(h_nb, h_t, atol=1e-8)


def test_ignore_index_given_as_an_integer_tensor_or_numpy_int(torch) -> None:
    for index in (1, np.int64(1), "tensor"):
        got = []
        for m in (nbgrad, torch):
            i = m.tensor(1) if isinstance(index, str) else index
            got.append(m.nn.functional.cross_entropy(m.tensor(LOGITS), m.tensor(CLASSES),
                                                     ignore_index=i).item())
        assert got[0] == pytest.approx(got[1], rel=1e-6)


def _node_names(fn, depth: int = 0) -> list[str]:
    if fn is None:
        return ["  " * depth + "None"]
    out = ["  " * depth + fn.name().split("::")[-1]]
    for child, _ in fn.next_functions:
        out += _node_names(child, depth + 1)
    return out


@pytest.mark.filterwarnings("ignore:Using a target size")
@pytest.mark.parametrize("case", ["broadcast", "both_broadcast", "mixed_dtype"])
def test_mse_graph_is_torch_s(torch, case: str) -> None:
    """torch broadcasts the two sides first (an ExpandBackward0 where a shape changes) and
    promotes inside its kernel (no ToCopyBackward0)."""
    got = []
    for m in (nbgrad, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        t = {"broadcast": m.zeros(2, 3), "both_broadcast": m.zeros(2, 1, requires_grad=True),
             "mixed_dtype": m.zeros(2, 3, dtype=m.float64, requires_grad=True)}[case]
        loss = m.nn.functional.mse_loss(x, t)
        loss.backward()
        got.append((_node_names(loss.grad_fn), repr(loss).replace("torch.", "nbgrad."),
                    x.grad.tolist()))
    assert got[0] == got[1]
