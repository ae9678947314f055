"""normalize, cosine_similarity, pairwise_distance and kl_div, with CosineSimilarity,
PairwiseDistance and KLDivLoss: printed results, whole graphs (every node's name, down to
the leaves), values, gradients, warnings, reprs and errors as under torch 2.13; float64
gradients checked against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_nn_more import same_error

import nbgrad
from nbgrad.autograd import gradcheck


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


_rng = np.random.default_rng(3)
X = _rng.standard_normal((3, 4)).astype(np.float32)
Y = _rng.standard_normal((3, 4)).astype(np.float32)
P = np.abs(Y) / np.abs(Y).sum(1, keepdims=True)  # rows of probabilities, one of them zero
P[0, 0] = 0.0
LOGP = np.log(np.abs(X) / np.abs(X).sum(1, keepdims=True))


def _graph(fn, depth=0, out=None):
    """Every node under ``fn`` (depth first, ``None`` for a missing edge), indented."""
    out = [] if out is None else out
    out.append("  " * depth + ("None" if fn is None else type(fn).__name__))
    if fn is not None:
        for f, _ in fn.next_functions:
            _graph(f, depth + 1, out)
    return out


def _run(m, fn, arrays):
    ts = [m.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(m, *ts)
    up = np.linspace(-1.0, 2.0, max(out.numel(), 1)).reshape(tuple(out.shape))
    out.backward(m.tensor(up.astype(str(out.dtype).split(".")[-1])))
    return out, ts, [str(w.message) for w in caught]


def check(torch, fn, *arrays):
    """``fn(module, *tensors)`` under both: the same print, dtype, values, graph, warnings
    and gradients (after a backward with a fixed upstream gradient)."""
    t_out, t_in, t_warn = _run(torch, fn, arrays)
    n_out, n_in, n_warn = _run(nbgrad, fn, arrays)
    assert repr(n_out) == repr(t_out).replace("torch.", "nbgrad.")
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6,
                               atol=1e-6)
    assert _graph(n_out.grad_fn) == _graph(t_out.grad_fn)
    assert n_warn == t_warn
    for n, t in zip(n_in, t_in):
        if t.grad is None:
            assert n.grad is None
        else:
            assert str(n.grad.dtype) == str(t.grad.dtype).replace("torch.", "nbgrad.")
            np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
    return n_out


# -- normalize and cosine_similarity -------------------------------------------------------

NORMALIZE = {
    "default": lambda m, x: m.nn.functional.normalize(x),
    "p1_dim0": lambda m, x: m.nn.functional.normalize(x, 1.0, 0),
    "inf": lambda m, x: m.nn.functional.normalize(x, p=float("inf")),
    "p3_dims": lambda m, x: m.nn.functional.normalize(x, 3, (0, 1)),
    "fro": lambda m, x: m.nn.functional.normalize(x, "fro", -1),
    "eps": lambda m, x: m.nn.functional.normalize(x * 1e-3, dim=1, eps=0.5),
    "zero_rows": lambda m, x: m.nn.functional.normalize(x * m.tensor([[0.0], [1.0], [0.0]],
                                                                     dtype=x.dtype)),
    "vector": lambda m, x: m.nn.functional.normalize(x[1], dim=0),
}


@pytest.mark.parametrize("name", NORMALIZE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_parity(torch, name, dtype):
    check(torch, NORMALIZE[name], X.astype(dtype))


def test_normalize_graph_is_torchs(torch):
    out = check(torch, NORMALIZE["default"], X)
    assert _graph(out.grad_fn) == ["DivBackward0", "  AccumulateGrad", "  ExpandBackward0",
                                   "    ClampMinBackward0", "      LinalgVectorNormBackward0",
                                   "        AccumulateGrad"]
    rows = np.linalg.norm(out.detach().numpy(), axis=1)
    np.testing.assert_allclose(rows, 1.0, rtol=1e-6)


COSINE = {
    "default": lambda m, a, b: m.nn.functional.cosine_similarity(a, b),
    "dim0": lambda m, a, b: m.nn.functional.cosine_similarity(a, b, 0),
    "dim-1_eps": lambda m, a, b: m.nn.functional.cosine_similarity(a, b, dim=-1, eps=1e-3),
    "broadcast": lambda m, a, b: m.nn.functional.cosine_similarity(a, b[:1]),
    "broadcast_rank": lambda m, a, b: m.nn.functional.cosine_similarity(a[0], b, dim=1),
    "same": lambda m, a, b: m.nn.functional.cosine_similarity(a, a),
    "vectors": lambda m, a, b: m.nn.functional.cosine_similarity(a[0], b[0], dim=0),
    "scalars": lambda m, a, b: m.nn.functional.cosine_similarity(a[0, 0], b[0, 0], dim=0),
    # a row below eps: divided by eps, not by its norm (torch clamps at eps, not sqrt(eps))
    "tiny_row": lambda m, a, b: m.nn.functional.cosine_similarity(
        a * m.tensor([[1e-6], [1.0], [1.0]], dtype=a.dtype), b, eps=1e-5),
    "zero_row": lambda m, a, b: m.nn.functional.cosine_similarity(
        a * m.tensor([[0.0], [1.0], [1.0]], dtype=a.dtype), b),
    "mixed_dtypes": lambda m, a, b: m.nn.functional.cosine_similarity(a, b.double()),
    "integer_side": lambda m, a, b: m.nn.functional.cosine_similarity(
        a, m.tensor([[1, -2, 0, 3]])),
    "Module": lambda m, a, b: m.nn.CosineSimilarity(dim=0, eps=1e-6)(a, b),
}


@pytest.mark.parametrize("name", COSINE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cosine_similarity_parity(torch, name, dtype):
    check(torch, COSINE[name], X.astype(dtype), Y.astype(dtype))


def test_cosine_similarity_graph_and_range(torch):
    out = check(torch, COSINE["default"], X, Y)
    norm = ["CloneBackward0", "  LinalgVectorNormBackward0", "    AccumulateGrad"]
    side = ["DivBackward0", "  AccumulateGrad"] + ["  " + n for n in norm]
    assert _graph(out.grad_fn) == (["SumBackward1", "  MulBackward0"]
                                   + ["    " + n for n in side] * 2)
    same = nbgrad.nn.functional.cosine_similarity(nbgrad.tensor(X), nbgrad.tensor(X * 3))
    np.testing.assert_allclose(same.numpy(), 1.0, rtol=1e-6)
    assert abs(out.detach().numpy()).max() <= 1.0
    # broadcasting expands both sides, as torch's expand_outplace does
    out = check(torch, COSINE["broadcast"], X, Y)
    assert _graph(out.grad_fn)[3:5] == ["      ExpandBackward0", "        AccumulateGrad"]


# -- pairwise_distance ---------------------------------------------------------------------

PAIRWISE = {
    "default": lambda m, a, b: m.nn.functional.pairwise_distance(a, b),
    "p1_keepdim": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, 1, keepdim=True),
    "p3": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, 3.0),
    "p_half": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, 0.5),
    "p_negative": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, -1),
    "p0": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, 0),
    "inf": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, float("inf")),
    "eps": lambda m, a, b: m.nn.functional.pairwise_distance(a, b, eps=0.25),
    "equal_rows": lambda m, a, b: m.nn.functional.pairwise_distance(a, a.detach(), eps=0),
    "broadcast_rank": lambda m, a, b: m.nn.functional.pairwise_distance(a[0], b),
    "vectors": lambda m, a, b: m.nn.functional.pairwise_distance(a[0], b[1]),
    "scalars": lambda m, a, b: m.nn.functional.pairwise_distance(a[0, 0], b[0, 1]),
    "scalars_keepdim": lambda m, a, b: m.nn.functional.pairwise_distance(a[0, 0], b[0, 1],
                                                                         keepdim=True),
    "integers": lambda m, a, b: m.nn.functional.pairwise_distance(
        m.tensor([[1, 2, 3]]), m.tensor([[0, 2, 5]])) * a.sum(),
    "Module": lambda m, a, b: m.nn.PairwiseDistance(p=1.5, eps=1e-3, keepdim=True)(a, b),
}


@pytest.mark.parametrize("name", PAIRWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pairwise_distance_parity(torch, name, dtype):
    check(torch, PAIRWISE[name], X.astype(dtype), Y.astype(dtype))


def test_pairwise_distance_nodes_have_torchs_names(torch):
    out = check(torch, PAIRWISE["default"], X, Y)
    assert _graph(out.grad_fn) == ["NormBackward1", "  AddBackward1", "    SubBackward0",
                                   "      AccumulateGrad", "      AccumulateGrad"]
    # norm's own callers keep their name
    x = nbgrad.tensor(X, requires_grad=True)
    assert type(x.norm(dim=1).grad_fn).__name__ == "LinalgVectorNormBackward0"
    assert type(nbgrad.linalg.vector_norm(x, 3, 1).grad_fn).__name__ == \
        "LinalgVectorNormBackward0"
    expect = np.linalg.norm(X - Y + 1e-6, axis=1)
    np.testing.assert_allclose(out.detach().numpy(), expect, rtol=1e-6)


# -- kl_div --------------------------------------------------------------------------------

KL = {
    "mean": lambda m, x, t: m.nn.functional.kl_div(x, t),
    "batchmean": lambda m, x, t: m.nn.functional.kl_div(x, t, reduction="batchmean"),
    "sum": lambda m, x, t: m.nn.functional.kl_div(x, t, reduction="sum"),
    "none": lambda m, x, t: m.nn.functional.kl_div(x, t, reduction="none"),
    "log_target": lambda m, x, t: m.nn.functional.kl_div(x, (t + 0.1).log(),
                                                         reduction="batchmean",
                                                         log_target=True),
    "log_target_mean": lambda m, x, t: m.nn.functional.kl_div(x, (t + 0.1).log(),
                                                              log_target=True),
    "elementwise_mean": lambda m, x, t: m.nn.functional.kl_div(x, t,
                                                               reduction="elementwise_mean"),
    "legacy": lambda m, x, t: m.nn.functional.kl_div(x, t, size_average=False),
    # the deprecated arguments choose the sum, and 'batchmean' still divides it
    "legacy_batchmean": lambda m, x, t: m.nn.functional.kl_div(x, t, reduce=True,
                                                               size_average=False,
                                                               reduction="batchmean"),
    "broadcast": lambda m, x, t: m.nn.functional.kl_div(x, t[0], reduction="sum"),
    "vector_batchmean": lambda m, x, t: m.nn.functional.kl_div(x[0], t[0],
                                                               reduction="batchmean"),
    "scalar_batchmean": lambda m, x, t: m.nn.functional.kl_div(x[0, 1], t[0, 1],
                                                               reduction="batchmean"),
    "KLDivLoss": lambda m, x, t: m.nn.KLDivLoss()(x, t),
    "KLDivLoss_batchmean": lambda m, x, t: m.nn.KLDivLoss(reduction="batchmean")(x, t),
    "KLDivLoss_log_target": lambda m, x, t: m.nn.KLDivLoss(reduction="sum",
                                                           log_target=True)(x, (t + 0.1).log()),
    "KLDivLoss_legacy": lambda m, x, t: m.nn.KLDivLoss(size_average=True)(x, t),
}


@pytest.mark.parametrize("name", KL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_div_parity(torch, name, dtype):
    check(torch, KL[name], LOGP.astype(dtype), P.astype(dtype))


def test_kl_div_mean_warns_and_batchmean_is_the_divergence(torch):
    with pytest.warns(UserWarning, match=r"^reduction: 'mean' divides the total loss by both "
                      r"the batch size and the support size\.'batchmean' divides only"):
        nbgrad.nn.functional.kl_div(nbgrad.tensor(LOGP), nbgrad.tensor(P))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # batchmean, sum, none: no warning
        out = nbgrad.nn.functional.kl_div(nbgrad.tensor(LOGP), nbgrad.tensor(P),
                                          reduction="batchmean")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, P * np.log(P), 0.0) - P * LOGP
    np.testing.assert_allclose(out.item(), terms.sum() / 3, rtol=1e-6)
    check(torch, KL["mean"], LOGP, P)  # the warning's words are torch's


def test_kl_div_zero_target_has_no_nan_gradient():
    x = nbgrad.tensor(LOGP, requires_grad=True)
    t = nbgrad.tensor(P, requires_grad=True)
    nbgrad.nn.functional.kl_div(x, t, reduction="sum").backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert x.grad.numpy()[0, 0] == 0.0


def test_module_reprs(torch):
    for make in (lambda m: m.nn.CosineSimilarity(), lambda m: m.nn.CosineSimilarity(0, 1e-3),
                 lambda m: m.nn.PairwiseDistance(), lambda m: m.nn.PairwiseDistance(1, 0, True),
                 lambda m: m.nn.KLDivLoss(), lambda m: m.nn.KLDivLoss(reduction="batchmean",
                                                                      log_target=True),
                 lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.CosineSimilarity())):
        assert repr(make(nbgrad)) == repr(make(torch))
    for m in (nbgrad, torch):
        d = m.nn.PairwiseDistance(p=3.0, eps=0.1, keepdim=True)
        assert (d.norm, d.eps, d.keepdim) == (3.0, 0.1, True)
        c = m.nn.CosineSimilarity(dim=2, eps=0.5)
        assert (c.dim, c.eps) == (2, 0.5)
        k = m.nn.KLDivLoss(reduction="sum", log_target=True)
        assert (k.reduction, k.log_target) == ("sum", True)


def test_kl_div_loss_legacy_arguments_warn_once(torch):
    for m in (nbgrad, torch):
        with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
            loss = m.nn.KLDivLoss(size_average=False)
        assert loss.reduction == "sum"


# -- errors --------------------------------------------------------------------------------

F32 = np.ones((2, 3), dtype=np.float32)
ERRORS = [
    (lambda m, a: m.nn.functional.normalize(m.tensor([[1, 2]])), F32),
    (lambda m, a: m.nn.functional.normalize(a[0]), F32),
    (lambda m, a: m.nn.functional.normalize(a, dim=2), F32),
    (lambda m, a: m.nn.functional.normalize([1.0]), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(m.tensor([[1, 2]]), m.tensor([[1, 3]])),
     F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a, m.ones(2, 4)), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a, a, dim=2), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a[0], a[0]), F32),
    (lambda m, a: m.nn.functional.cosine_similarity([1.0], a), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a, [1.0]), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a, a, 1.5), F32),
    (lambda m, a: m.nn.functional.cosine_similarity(a, a, 1, "x"), F32),
    (lambda m, a: m.nn.CosineSimilarity(dim=3)(a, a), F32),
    (lambda m, a: m.nn.functional.pairwise_distance(a, m.ones(2, 4)), F32),
    (lambda m, a: m.nn.functional.pairwise_distance(a, a, p="fro"), F32),
    (lambda m, a: m.nn.functional.pairwise_distance(a, a, eps="x"), F32),
    (lambda m, a: m.nn.functional.pairwise_distance([1.0], a), F32),
    (lambda m, a: m.nn.functional.pairwise_distance(a, (1.0,)), F32),
    (lambda m, a: m.nn.functional.pairwise_distance(a > 0, a < 0), F32),
    (lambda m, a: m.nn.PairwiseDistance()(a, m.ones(3, 3)), F32),
    (lambda m, a: m.nn.functional.kl_div(m.tensor([1, 2]), m.tensor([1.0, 2.0]),
                                         reduction="sum"), F32),
    (lambda m, a: m.nn.functional.kl_div(a, m.tensor([[1, 2, 3]]), reduction="sum"), F32),
    (lambda m, a: m.nn.functional.kl_div(a, a, reduction="avg"), F32),
    (lambda m, a: m.nn.functional.kl_div(a, m.ones(2, 4), reduction="sum"), F32),
    (lambda m, a: m.nn.functional.kl_div([1.0], a, reduction="sum"), F32),
    (lambda m, a: m.nn.functional.kl_div(a, [1.0], reduction="sum"), F32),
    (lambda m, a: m.nn.KLDivLoss(reduction="batch")(a, a), F32),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(torch, k):
    fn, arg = ERRORS[k]
    same_error(torch, fn, arg)


# -- gradients against finite differences (float64) ---------------------------------------

X64, Y64, LOGP64 = X.astype(np.float64), Y.astype(np.float64), LOGP.astype(np.float64)
GRADCHECKS = {
    "normalize": (lambda x: nbgrad.nn.functional.normalize(x), (X64,)),
    "normalize_p3_dim0": (lambda x: nbgrad.nn.functional.normalize(x, 3, 0), (X64,)),
    "normalize_inf": (lambda x: nbgrad.nn.functional.normalize(x, float("inf")), (X64,)),
    "cosine": (nbgrad.nn.functional.cosine_similarity, (X64, Y64)),
    "cosine_dim0_broadcast": (lambda a, b: nbgrad.nn.functional.cosine_similarity(a, b[:1], 0),
                              (X64, Y64)),
    "pairwise": (nbgrad.nn.functional.pairwise_distance, (X64, Y64)),
    "pairwise_p1": (lambda a, b: nbgrad.nn.functional.pairwise_distance(a, b, 1), (X64, Y64)),
    "pairwise_p3_keepdim": (lambda a, b: nbgrad.nn.functional.pairwise_distance(
        a, b, 3, keepdim=True), (X64, Y64)),
    "pairwise_inf": (lambda a, b: nbgrad.nn.functional.pairwise_distance(a, b, float("inf")),
                     (X64, Y64)),
    "kl_batchmean": (lambda x, t: nbgrad.nn.functional.kl_div(x, t, reduction="batchmean"),
                     (LOGP64, P.astype(np.float64) + 0.05)),
    "kl_none": (lambda x, t: nbgrad.nn.functional.kl_div(x, t, reduction="none"),
                (LOGP64, P.astype(np.float64) + 0.05)),
    "kl_log_target": (lambda x, t: nbgrad.nn.functional.kl_div(x, t, reduction="sum",
                                                               log_target=True), (LOGP64, Y64)),
}


@pytest.mark.parametrize("name", GRADCHECKS)
def test_gradcheck(name):
    fn, arrays = GRADCHECKS[name]
    inputs = [nbgrad.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(fn, inputs)


def test_drawings_of_pairwise_distance_are_torch_s() -> None:
    """NormBackward1 and AddBackward1 are drawn as linalg.vector_norm's node and an added
    number are, with the order torch saves as ``p``; torch's drawing shows the same."""
    torch = pytest.importorskip("torch")
    from nbgrad.viz import record

    def graph(T):  # noqa: N803 - the framework
        a = T.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
        d = T.nn.functional.pairwise_distance(a, a.flip(0), p=3.0).sum()
        d.backward()
        return d

    with record():
        t = graph(torch)
    n = graph(nbgrad)
    t_graph = nbgrad.draw(t, local=True, names=False)
    n_graph = nbgrad.draw(n, local=True, names=False)
    labels = [x.label for x in n_graph.model.nodes]
    assert "norm p=3 dim=1" in labels and "add" in labels, labels
    assert labels == [x.label for x in t_graph.model.nodes]
    assert [e.local for e in t_graph.model.edges] == [e.local for e in n_graph.model.edges]
