"""Buffers, ModuleDict, LayerNorm, Embedding and BatchNorm1d: the same printed results,
gradients, running statistics, reprs, state dicts and errors as torch 2.13 (the same initial
weights copied into both), gradients checked against finite differences, second
derivatives against torch, and drawings of their nodes."""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import gradcheck
from nbgrad.nn import functional as F


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _nb_text(text: str) -> str:
    # nbgrad prints its own name where torch prints its own ("torch.Size", "torch Tensor")
    return text.replace("torch.", "nbgrad.").replace("torch Tensor", "nbgrad Tensor")


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            return type(e).__name__, _nb_text(str(e))
    return None


def same_error(torch, fn) -> tuple[str, str]:
    """``fn(module)`` raises under torch, and nbgrad raises the same type and words."""
    expected = _error(lambda: fn(torch))
    assert expected is not None
    assert _error(lambda: fn(nbgrad)) == expected
    return expected


def _copy_params(src, dst, torch) -> None:
    """The values of ``src``'s (nbgrad) parameters and buffers into ``dst`` (torch)."""
    with torch.no_grad():
        for (n1, a), (n2, b) in zip(src.state_dict().items(), dst.state_dict().items()):
            assert n1 == n2
            b.copy_(torch.tensor(a.numpy()))


def _randomize(module, seed: int = 0) -> None:
    """Parameters drawn by NumPy, so that the test does not rely on ones and zeros."""
    rng = np.random.default_rng(seed)
    with nbgrad.no_grad():
        for p in module.parameters():
            p.copy_(nbgrad.tensor(rng.uniform(0.5, 1.5, tuple(p.shape)).astype(
                str(p.dtype).split(".")[-1])))


def _upstream(out_shape, dtype) -> np.ndarray:
    n = int(np.prod(out_shape)) if out_shape else 1
    return np.linspace(-1.0, 2.0, n).reshape(out_shape).astype(dtype)


def _close(a, b, tol=1e-5) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


def _names(fn):
    if fn is None:
        return None
    return (type(fn).__name__, tuple(None if f is None else type(f).__name__
                                     for f, _ in fn.next_functions))


def check_module(torch, make, x: np.ndarray, steps: int = 1, int_input: bool = False,
                 print_tol: bool = True):
    """``make(module)`` under both with the same parameters; ``steps`` forward and
    backward passes on ``x``: the same prints, outputs, graphs, gradients and state."""
    nb_m, t_m = make(nbgrad), make(torch)
    _randomize(nb_m)
    _copy_params(nb_m, t_m, torch)
    for step in range(steps):
        xs = x + step  # a different batch each step
        if int_input:
            nb_x, t_x = nbgrad.tensor(x), torch.tensor(x)
        else:
            nb_x = nbgrad.tensor(xs, requires_grad=True)
            t_x = torch.tensor(xs, requires_grad=True)
        nb_y, t_y = nb_m(nb_x), t_m(t_x)
        # An output that cancels to almost 0 (x at its mean) is printed in scientific form,
        # with digits below float32's resolution of the mean, which torch's vectorized sums
        # round differently: those are compared as numbers only.
        if print_tol and (t_y.numel() == 0 or t_y.abs().min() > 1e-3):
            assert repr(nb_y) == _nb_text(repr(t_y))
        _close(nb_y.detach().numpy(), t_y.detach().numpy())
        assert _names(nb_y.grad_fn) == _names(t_y.grad_fn)
        if nb_y.requires_grad:
            up = _upstream(tuple(t_y.shape), str(nb_y.dtype).split(".")[-1])
            nb_y.backward(nbgrad.tensor(up))
            t_y.backward(torch.tensor(up))
            if not int_input:
                _close(nb_x.grad.numpy(), t_x.grad.numpy())
        for (name, a), (_, b) in zip(nb_m.named_parameters(), t_m.named_parameters()):
            if b.grad is None:
                assert a.grad is None, name
            else:
                _close(a.grad.numpy(), b.grad.numpy())
        for (name, a), (name_t, b) in zip(nb_m.state_dict().items(), t_m.state_dict().items()):
            assert name == name_t
            assert str(a.dtype) == _nb_text(str(b.dtype))
            _close(a.numpy(), b.numpy())
    assert repr(nb_m) == repr(t_m)
    return nb_m, t_m


# --- buffers ------------------------------------------------------------------------------


def _with_buffers(m):
    class Stats(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = m.nn.Linear(2, 2)
            self.register_buffer("count", m.zeros(2))
            self.register_buffer("scratch", m.ones(1), persistent=False)
            self.register_buffer("unset", None)
            self.register_buffer("steps", m.tensor(3))

        def forward(self, x):
            return self.lin(x) + self.count

    return Stats()


def test_buffers_are_listed_and_saved_as_in_torch(torch) -> None:
    nb, tm = _with_buffers(nbgrad), _with_buffers(torch)
    assert [n for n, _ in nb.named_buffers()] == [n for n, _ in tm.named_buffers()] == [
        "count", "scratch", "steps"]
    assert len(list(nb.buffers())) == 3
    # non-persistent buffers and None are not saved; buffers come after the parameters
    assert list(nb.state_dict()) == list(tm.state_dict()) == [
        "count", "steps", "lin.weight", "lin.bias"]
    outer_nb, outer_t = nbgrad.nn.Sequential(nb), torch.nn.Sequential(tm)
    assert [n for n, _ in outer_nb.named_buffers()] == [n for n, _ in outer_t.named_buffers()]
    assert [n for n, _ in outer_nb.named_buffers(prefix="m", recurse=True)] == [
        "m.0.count", "m.0.scratch", "m.0.steps"]
    assert list(outer_nb.named_buffers(recurse=False)) == []
    assert not any(b.requires_grad for b in nb.buffers())
    assert list(nb.parameters()) == [nb.lin.weight, nb.lin.bias]  # buffers are not trained


def test_buffer_assignment_keeps_it_a_buffer_and_its_persistence() -> None:
    nb = _with_buffers(nbgrad)
    nb.count = nbgrad.full((2,), 5.0)
    nb.scratch = nbgrad.zeros(3)
    nb.unset = nbgrad.ones(1)
    assert [n for n, _ in nb.named_buffers()] == ["count", "scratch", "unset", "steps"]
    assert list(nb.state_dict())[:3] == ["count", "unset", "steps"]
    assert nb.count.tolist() == [5.0, 5.0]
    del nb.count
    assert "count" not in dict(nb.named_buffers())


def test_buffers_load_and_save(tmp_path) -> None:
    src, dst = _with_buffers(nbgrad), _with_buffers(nbgrad)
    with nbgrad.no_grad():
        src.count.add_(7.0)
        src.steps.fill_(11)
    count = dst.count
    dst.load_state_dict(src.state_dict())
    assert dst.count is count and dst.count.tolist() == [7.0, 7.0]  # copied in place
    assert dst.steps.item() == 11 and dst.steps.dtype == nbgrad.int64
    path = tmp_path / "stats.npz"
    nbgrad.save(src.state_dict(), path)
    fresh = _with_buffers(nbgrad)
    fresh.load_state_dict(nbgrad.load(path))
    assert fresh.count.tolist() == [7.0, 7.0]
    assert fresh.steps.item() == 11 and fresh.steps.dtype == nbgrad.int64
    x = nbgrad.ones(1, 2)
    assert fresh(x).tolist() == src(x).tolist()
    # a checkpoint without the buffer is missing a key
    sd = src.state_dict()
    del sd["count"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "count"'):
        fresh.load_state_dict(sd)
    assert fresh.load_state_dict(sd, strict=False).missing_keys == ["count"]


def test_buffers_follow_dtype_conversions(torch) -> None:
    for m in (nbgrad, torch):
        mod = _with_buffers(m).double()
        assert [str(b.dtype).split(".")[-1] for b in mod.buffers()] == [
            "float64", "float64", "int64"]  # integers stay integers
        mod.float()
        assert [str(b.dtype).split(".")[-1] for b in mod.buffers()] == [
            "float32", "float32", "int64"]
        mod.to(m.float64)
        assert str(mod.count.dtype).endswith("float64")


def test_get_buffer_and_get_parameter(torch) -> None:
    nb = nbgrad.nn.Sequential(_with_buffers(nbgrad))
    assert nb.get_buffer("0.count") is nb[0].count
    assert nb.get_parameter("0.lin.weight") is nb[0].lin.weight
    for target in ["0.nope", "0.lin", "1.count", "0.lin.weight"]:
        same_error(torch, lambda m, t=target: nbgrad.nn.Sequential(
            _with_buffers(m)).get_buffer(t) if m is nbgrad else m.nn.Sequential(
            _with_buffers(m)).get_buffer(t))
    same_error(torch, lambda m: m.nn.Sequential(_with_buffers(m)).get_parameter("0.count"))


REGISTER_ERRORS = {
    "submodule_name": lambda mod, m: mod.register_buffer("lin", m.zeros(1)),
    "method_name": lambda mod, m: mod.register_buffer("forward", m.zeros(1)),
    "attribute_name": lambda mod, m: mod.register_buffer("training", m.zeros(1)),
    "dot": lambda mod, m: mod.register_buffer("a.b", m.zeros(1)),
    "empty": lambda mod, m: mod.register_buffer("", m.zeros(1)),
    "not_a_string": lambda mod, m: mod.register_buffer(3, m.zeros(1)),
    "not_a_tensor": lambda mod, m: mod.register_buffer("z", [1.0]),
    "assign_number": lambda mod, m: setattr(mod, "count", 5),
    "parameter_over_buffer": lambda mod, m: mod.register_parameter("count", None),
    "parameter_dot": lambda mod, m: mod.register_parameter("a.b", None),
    "module_dot": lambda mod, m: mod.add_module("a.b", None),
    "module_over_buffer": lambda mod, m: mod.add_module("count", None),
}


@pytest.mark.parametrize("name", REGISTER_ERRORS)
def test_register_errors_match_torch(torch, name) -> None:
    fn = REGISTER_ERRORS[name]
    expected = _error(lambda: fn(_with_buffers(torch), torch))
    assert expected is not None
    # nbgrad has no nn.Buffer (a tensor that registers itself when assigned): its message
    # names the one type it takes
    expected = (expected[0], expected[1].replace("nbgrad.nn.Buffer, ", ""))
    assert _error(lambda: fn(_with_buffers(nbgrad), nbgrad)) == expected


# --- ModuleDict ---------------------------------------------------------------------------


def _heads(m):
    return m.nn.ModuleDict({"regress": m.nn.Linear(3, 1), "act": m.nn.ReLU(),
                            "classify": m.nn.Linear(3, 4)})


def test_module_dict_matches_torch(torch) -> None:
    nb, tm = _heads(nbgrad), _heads(torch)
    assert repr(nb) == repr(tm)
    assert list(nb) == list(tm) == ["regress", "act", "classify"]
    assert list(nb.keys()) == list(tm.keys())
    assert [type(v).__name__ for v in nb.values()] == ["Linear", "ReLU", "Linear"]
    assert [k for k, _ in nb.items()] == list(nb)
    assert list(nb.state_dict()) == list(tm.state_dict())
    assert len(list(nb.parameters())) == 4
    assert "act" in nb and "nope" not in nb and len(nb) == 3
    assert nb["regress"] is nb.regress
    nb["extra"] = nbgrad.nn.Tanh()
    tm["extra"] = torch.nn.Tanh()
    popped = nb.pop("act")
    tm.pop("act")
    assert type(popped).__name__ == "ReLU"
    del nb["regress"], tm["regress"]
    nb.update([("z", nbgrad.nn.Identity())])
    tm.update([("z", torch.nn.Identity())])
    nb.update(OrderedDict(a=nbgrad.nn.Sigmoid()))
    tm.update(OrderedDict(a=torch.nn.Sigmoid()))
    assert repr(nb) == repr(tm)
    nb.clear()
    assert len(nb) == 0 and repr(nb) == "ModuleDict()"
    nbgrad_model = nbgrad.nn.ModuleDict(nbgrad.nn.ModuleDict({"b": nbgrad.nn.ReLU()}))
    assert list(nbgrad_model) == ["b"]


@pytest.mark.parametrize("bad", [
    lambda m: m.nn.ModuleDict(5),
    lambda m: m.nn.ModuleDict([("a", m.nn.ReLU(), 1)]),
    lambda m: m.nn.ModuleDict([5]),
    lambda m: m.nn.ModuleDict({"a": 5}),
    lambda m: m.nn.ModuleDict({"a.b": m.nn.ReLU()}),
    lambda m: m.nn.ModuleDict({"keys": m.nn.ReLU()}),
    lambda m: m.nn.ModuleDict()["missing"],
])
def test_module_dict_errors_match_torch(torch, bad) -> None:
    same_error(torch, bad)


# --- LayerNorm ----------------------------------------------------------------------------

_rng = np.random.default_rng(3)
X24 = _rng.standard_normal((2, 4)).astype(np.float32) * 2 + 0.5
X234 = _rng.standard_normal((2, 3, 4)).astype(np.float32)

LAYER_NORMS = {
    "default": (lambda m: m.nn.LayerNorm(4), X24),
    "3d": (lambda m: m.nn.LayerNorm(4, eps=1e-3), X234),
    "two_dims": (lambda m: m.nn.LayerNorm((3, 4)), X234),
    "no_affine": (lambda m: m.nn.LayerNorm([4], elementwise_affine=False), X234),
    "no_bias": (lambda m: m.nn.LayerNorm(4, bias=False), X24),
    "double": (lambda m: m.nn.LayerNorm(4, dtype=m.float64), X24.astype(np.float64)),
}


@pytest.mark.parametrize("name", LAYER_NORMS)
def test_layer_norm_matches_torch(torch, name) -> None:
    make, x = LAYER_NORMS[name]
    check_module(torch, make, x)


def test_layer_norm_functional_matches_torch(torch) -> None:
    w = np.array([0.5, -1.0, 2.0, 1.5], dtype=np.float32)
    for m_fn in [lambda m, x: m.nn.functional.layer_norm(x, (4,)),
                 lambda m, x: m.nn.functional.layer_norm(x, [4], m.tensor(w), None, 1e-2),
                 lambda m, x: m.nn.functional.layer_norm(x, m.Size([4]), None, m.tensor(w))]:
        outs = []
        for m in (nbgrad, torch):
            x = m.tensor(X24, requires_grad=True)
            y = m_fn(m, x)
            y.backward(m.tensor(_upstream((2, 4), np.float32)))
            outs.append((y, x.grad))
        assert repr(outs[0][0]) == _nb_text(repr(outs[1][0]))
        assert _names(outs[0][0].grad_fn) == _names(outs[1][0].grad_fn)
        _close(outs[0][1].numpy(), outs[1][1].numpy())


def test_layer_norm_normalizes() -> None:
    y = nbgrad.nn.LayerNorm(4)(nbgrad.tensor(X234)).detach().numpy()
    _close(y.mean(-1), 0.0)
    _close(y.var(-1), 1.0, tol=1e-3)  # var + eps: a little under 1


def test_layer_norm_gradcheck() -> None:
    x = nbgrad.tensor(X234.astype(np.float64), requires_grad=True)
    w = nbgrad.tensor(np.linspace(0.5, 2.0, 12).reshape(3, 4), requires_grad=True)
    b = nbgrad.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (3, 4), w, b), [x, w, b])
    assert gradcheck(lambda x: F.layer_norm(x, (4,), eps=0.1), [x])


def test_layer_norm_second_derivative(torch) -> None:
    def grads(m):
        x = m.tensor(X234.astype(np.float64), requires_grad=True)
        w = m.tensor(np.linspace(0.5, 2.0, 4), requires_grad=True)
        y = m.nn.functional.layer_norm(x, (4,), w, None)
        (gx,) = m.autograd.grad((y * y * y).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        return gx.detach().numpy(), x.grad.numpy(), w.grad.numpy()

    for a, b in zip(grads(nbgrad), grads(torch)):
        _close(a, b, tol=1e-8)


LAYER_NORM_ERRORS = {
    "wrong_last_dim": lambda m: m.nn.LayerNorm(4)(m.ones(2, 3)),
    "too_few_dims": lambda m: m.nn.functional.layer_norm(m.ones(4), (2, 4)),
    "int_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), 4),
    "float_in_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), [4.0]),
    "empty_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), ()),
    "weight_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), [4], m.ones(3)),
    "bias_shape": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), [4], None, m.ones(3)),
    "long_input": lambda m: m.nn.functional.layer_norm(m.tensor([1, 2]), [2]),
    "not_a_tensor": lambda m: m.nn.functional.layer_norm([1.0], [1]),
    "mixed_dtype": lambda m: m.nn.functional.layer_norm(m.ones(2, 4), [4], m.ones(4).double()),
    "mixed_dtype_double": lambda m: m.nn.functional.layer_norm(m.ones(2, 4).double(), [4],
                                                               m.ones(4)),
}


@pytest.mark.parametrize("name", LAYER_NORM_ERRORS)
def test_layer_norm_errors_match_torch(torch, name) -> None:
    same_error(torch, LAYER_NORM_ERRORS[name])


# --- Embedding ----------------------------------------------------------------------------

IDX = np.array([[0, 1, 1], [4, 0, 2]])

EMBEDDINGS = {
    "default": lambda m: m.nn.Embedding(5, 3),
    "padding": lambda m: m.nn.Embedding(5, 3, padding_idx=1),
    "negative_padding": lambda m: m.nn.Embedding(5, 3, padding_idx=-5),
    "scale_grad_by_freq": lambda m: m.nn.Embedding(5, 3, padding_idx=4, scale_grad_by_freq=True),
    "max_norm": lambda m: m.nn.Embedding(5, 3, max_norm=1.0, norm_type=1.0),
}


@pytest.mark.parametrize("name", EMBEDDINGS)
def test_embedding_matches_torch(torch, name) -> None:
    nb, _ = check_module(torch, EMBEDDINGS[name], IDX, int_input=True)
    if nb.padding_idx is not None:
        assert not nb.weight.grad.numpy()[nb.padding_idx].any()


def test_embedding_init_and_input_forms(torch) -> None:
    nbgrad.manual_seed(0)
    emb = nbgrad.nn.Embedding(1000, 8, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert not w[3].any() and abs(w.std() - 1) < 0.05  # N(0, 1), the padding row zero
    x = nbgrad.tensor(2)
    assert emb(x).shape == (8,)
    assert emb(nbgrad.tensor([1, 2], dtype=nbgrad.int32)).shape == (2, 8)
    assert emb(nbgrad.tensor([], dtype=nbgrad.int64)).shape == (0, 8)
    w = nbgrad.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    frozen = nbgrad.nn.Embedding.from_pretrained(w)
    assert not frozen.weight.requires_grad and frozen(nbgrad.tensor([1])).tolist() == [
        [4.0, 5.099999904632568, 6.300000190734863]]
    assert nbgrad.nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    tw = torch.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    assert repr(nbgrad.nn.Embedding.from_pretrained(w, padding_idx=0)) == repr(
        torch.nn.Embedding.from_pretrained(tw, padding_idx=0))


def test_embedding_functional_matches_torch(torch) -> None:
    w = np.arange(15, dtype=np.float64).reshape(5, 3) / 7
    outs = []
    for m in (nbgrad, torch):
        weight = m.tensor(w, requires_grad=True)
        y = m.nn.functional.embedding(m.tensor([[1, 2, 2]]), weight, padding_idx=2)
        y.backward(m.tensor(_upstream((1, 3, 3), np.float64)))
        outs.append((repr(y), _names(y.grad_fn), weight.grad.numpy()))
    assert outs[0][0] == _nb_text(outs[1][0])
    assert outs[0][1] == outs[1][1] == ("EmbeddingBackward0", ("AccumulateGrad",))
    _close(outs[0][2], outs[1][2])


def test_embedding_gradcheck() -> None:
    w = nbgrad.tensor(np.linspace(-1, 1, 15).reshape(5, 3), requires_grad=True)
    idx = nbgrad.tensor(IDX)
    assert gradcheck(lambda w: F.embedding(idx, w), [w])
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: not checked here)
    # the table feeding a layer norm: both backward formulas in one chain
    assert gradcheck(lambda w: F.layer_norm(F.embedding(idx, w) * w.sum(), (3,)), [w])


def test_embedding_second_derivative(torch) -> None:
    def grads(m):
        w = m.tensor(np.linspace(-1, 1, 15).reshape(5, 3), requires_grad=True)
        y = m.nn.functional.embedding(m.tensor(IDX), w)
        (gw,) = m.autograd.grad((y ** 3).sum(), w, create_graph=True)
        gw.pow(2).sum().backward()
        return gw.detach().numpy(), w.grad.numpy()

    for a, b in zip(grads(nbgrad), grads(torch)):
        _close(a, b, tol=1e-8)


EMBEDDING_ERRORS = {
    "index_too_big": lambda m: m.nn.Embedding(5, 3)(m.tensor([5])),
    "negative_index": lambda m: m.nn.Embedding(5, 3)(m.tensor([-1])),
    "float_index": lambda m: m.nn.Embedding(5, 3)(m.tensor([1.0])),
    "double_index": lambda m: m.nn.Embedding(5, 3)(m.tensor([1.0], dtype=m.float64)),
    "int16_index": lambda m: m.nn.Embedding(5, 3)(m.tensor([1], dtype=m.int16)),
    "bool_index": lambda m: m.nn.Embedding(5, 3)(m.tensor([True])),
    "weight_1d": lambda m: m.nn.functional.embedding(m.tensor([1]), m.ones(5)),
    "padding_too_big": lambda m: m.nn.Embedding(5, 3, padding_idx=5),
    "padding_too_small": lambda m: m.nn.Embedding(5, 3, padding_idx=-6),
    "functional_padding": lambda m: m.nn.functional.embedding(m.tensor([1]), m.ones(5, 3),
                                                              padding_idx=7),
    "float_padding": lambda m: m.nn.functional.embedding(m.tensor([1]), m.ones(5, 3),
                                                         padding_idx=1.5),
    "list_indices": lambda m: m.nn.functional.embedding([1], m.ones(5, 3)),
    "pretrained_1d": lambda m: m.nn.Embedding.from_pretrained(m.ones(3)),
    "weight_shape": lambda m: m.nn.Embedding(5, 3, _weight=m.ones(3, 5)),
}


@pytest.mark.parametrize("name", EMBEDDING_ERRORS)
def test_embedding_errors_match_torch(torch, name) -> None:
    same_error(torch, EMBEDDING_ERRORS[name])


# --- BatchNorm1d --------------------------------------------------------------------------

X43 = _rng.standard_normal((4, 3)).astype(np.float32) * 3 + 1
X325 = _rng.standard_normal((3, 2, 5)).astype(np.float32)

BATCH_NORMS = {
    "default": (lambda m: m.nn.BatchNorm1d(3), X43),
    "3d": (lambda m: m.nn.BatchNorm1d(2, momentum=0.3), X325),
    "cumulative": (lambda m: m.nn.BatchNorm1d(3, momentum=None), X43),
    "no_affine": (lambda m: m.nn.BatchNorm1d(3, affine=False, eps=1e-3), X43),
    "no_bias": (lambda m: m.nn.BatchNorm1d(3, bias=False), X43),
    "untracked": (lambda m: m.nn.BatchNorm1d(3, track_running_stats=False), X43),
    "double": (lambda m: m.nn.BatchNorm1d(3, dtype=m.float64), X43.astype(np.float64)),
}


@pytest.mark.parametrize("name", BATCH_NORMS)
def test_batch_norm_trains_as_torch(torch, name) -> None:
    make, x = BATCH_NORMS[name]
    nb, tm = check_module(torch, make, x, steps=3)
    if nb.track_running_stats:
        assert nb.num_batches_tracked.item() == 3
    # then evaluation, with the running averages (or the batch's, when untracked)
    nb.eval()
    tm.eval()
    check_pair = check_module(torch, lambda m: nb if m is nbgrad else tm, x * 0.5 - 1)
    assert check_pair[0] is nb


def test_batch_norm_running_stats_are_unbiased() -> None:
    bn = nbgrad.nn.BatchNorm1d(3, momentum=1.0)
    bn(nbgrad.tensor(X43))
    _close(bn.running_mean.numpy(), X43.mean(0))
    _close(bn.running_var.numpy(), X43.var(0, ddof=1))
    y = bn(nbgrad.tensor(X43)).detach().numpy()
    _close(y.mean(0), 0.0)
    _close(y.var(0), 1.0, tol=1e-4)  # the biased variance normalizes


def test_batch_norm_functional_matches_torch(torch) -> None:
    rm0, rv0 = np.array([0.5, -1.0, 2.0], np.float32), np.array([1.0, 2.0, 0.5], np.float32)
    cases = [
        lambda m, x, rm, rv: m.nn.functional.batch_norm(x, rm, rv),
        lambda m, x, rm, rv: m.nn.functional.batch_norm(x, rm, rv, training=True,
                                                        momentum=0.5),
        lambda m, x, rm, rv: m.nn.functional.batch_norm(x, None, None, m.ones(3) * 2,
                                                        training=True),
        lambda m, x, rm, rv: m.nn.functional.batch_norm(x.detach(), rm, rv,
                                                        training=False),
    ]
    for fn in cases:
        outs = []
        for m in (nbgrad, torch):
            x = m.tensor(X43, requires_grad=True)
            rm, rv = m.tensor(rm0), m.tensor(rv0)
            y = fn(m, x, rm, rv)
            if y.requires_grad:
                y.backward(m.tensor(_upstream((4, 3), np.float32)))
            outs.append((y, x.grad, rm, rv))
        assert repr(outs[0][0]) == _nb_text(repr(outs[1][0]))
        assert _names(outs[0][0].grad_fn) == _names(outs[1][0].grad_fn)
        for a, b in zip(outs[0][1:], outs[1][1:]):
            if b is None:
                assert a is None
            else:
                _close(a.numpy(), b.numpy())


def test_batch_norm_gradcheck() -> None:
    x = nbgrad.tensor(X325.astype(np.float64), requires_grad=True)
    w = nbgrad.tensor([0.5, 2.0], dtype=nbgrad.float64, requires_grad=True)
    b = nbgrad.tensor([1.0, -1.0], dtype=nbgrad.float64, requires_grad=True)
    rm = nbgrad.tensor([0.1, 0.2], dtype=nbgrad.float64)
    rv = nbgrad.tensor([1.5, 0.5], dtype=nbgrad.float64)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     [x, w, b])
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), [x, w, b])
    x2 = nbgrad.tensor(X43.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True, eps=0.5), [x2])


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_second_derivative(torch, training) -> None:
    def grads(m):
        x = m.tensor(X43.astype(np.float64), requires_grad=True)
        w = m.tensor([0.5, 2.0, -1.0], dtype=m.float64, requires_grad=True)
        rm = m.tensor([0.1, 0.2, 0.3], dtype=m.float64)
        rv = m.tensor([1.5, 0.5, 2.0], dtype=m.float64)
        y = m.nn.functional.batch_norm(x, rm, rv, w, None, training=training)
        (gx,) = m.autograd.grad((y ** 3).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        return gx.detach().numpy(), x.grad.numpy(), w.grad.numpy()

    for a, b in zip(grads(nbgrad), grads(torch)):
        _close(a, b, tol=1e-8)


def test_batch_norm_state_dict_round_trip(torch, tmp_path) -> None:
    nb = nbgrad.nn.BatchNorm1d(3)
    tm = torch.nn.BatchNorm1d(3)
    assert list(nb.state_dict()) == list(tm.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(nb.num_batches_tracked) == repr(tm.num_batches_tracked) == "tensor(0)"
    for _ in range(2):
        nb(nbgrad.tensor(X43))
    path = tmp_path / "bn.npz"
    nbgrad.save(nb.state_dict(), path)
    fresh = nbgrad.nn.BatchNorm1d(3)
    fresh.load_state_dict(nbgrad.load(path))
    assert fresh.num_batches_tracked.item() == 2
    _close(fresh.running_var.numpy(), nb.running_var.numpy(), tol=0)
    fresh.eval()
    nb.eval()
    assert fresh(nbgrad.tensor(X43)).tolist() == nb(nbgrad.tensor(X43)).tolist()
    # the running averages follow the module to float64
    nb.double()
    assert nb.running_mean.dtype == nbgrad.float64
    assert nb.num_batches_tracked.dtype == nbgrad.int64


BATCH_NORM_ERRORS = {
    "4d": lambda m: m.nn.BatchNorm1d(3)(m.ones(2, 3, 4, 5)),
    "1d": lambda m: m.nn.BatchNorm1d(3)(m.ones(3)),
    "one_value_per_channel": lambda m: m.nn.BatchNorm1d(3)(m.ones(1, 3)),
    "one_value_3d": lambda m: m.nn.BatchNorm1d(3)(m.ones(1, 3, 1)),
    "channels": lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 4)),
    "channels_untracked": lambda m: m.nn.BatchNorm1d(3, track_running_stats=False)(
        m.ones(4, 4)),
    "eval_without_mean": lambda m: m.nn.functional.batch_norm(m.ones(4, 3), None, None),
    "eval_without_var": lambda m: m.nn.functional.batch_norm(m.ones(4, 3), m.zeros(3), None),
    "long_input": lambda m: m.nn.BatchNorm1d(3)(m.tensor([[1, 2, 3], [4, 5, 6]])),
    "functional_1d": lambda m: m.nn.functional.batch_norm(m.ones(3), None, None,
                                                          training=True),
    "mixed_dtype": lambda m: m.nn.BatchNorm1d(3)(m.ones(4, 3).double()),
    "mixed_dtype_float": lambda m: m.nn.BatchNorm1d(3, dtype=m.float64)(m.ones(4, 3)),
    "zero_eps": lambda m: m.nn.BatchNorm1d(3, eps=0)(m.ones(4, 3)),
    "negative_eps_eval": lambda m: m.nn.functional.batch_norm(m.ones(4, 3), None, None,
                                                              eps=-1),
    "not_a_tensor": lambda m: m.nn.functional.batch_norm([1.0], None, None),
}


@pytest.mark.parametrize("name", BATCH_NORM_ERRORS)
def test_batch_norm_errors_match_torch(torch, name) -> None:
    same_error(torch, BATCH_NORM_ERRORS[name])


# --- a model made of them, trained ---------------------------------------------------------


def _tagger(m):
    return m.nn.Sequential(m.nn.Embedding(6, 4, padding_idx=0), m.nn.LayerNorm(4),
                           m.nn.Flatten(), m.nn.Linear(12, 5), m.nn.BatchNorm1d(5),
                           m.nn.ReLU(), m.nn.Linear(5, 2))


def test_a_model_of_the_new_layers_trains_as_torch(torch) -> None:
    nb, tm = _tagger(nbgrad), _tagger(torch)
    _randomize(nb, seed=5)
    _copy_params(nb, tm, torch)
    rng = np.random.default_rng(2)
    idx = rng.integers(0, 6, (8, 3))
    y = rng.integers(0, 2, 8)
    losses = {}
    for m, model in ((nbgrad, nb), (torch, tm)):
        opt = m.optim.SGD(model.parameters(), lr=0.1)
        out = []
        for _ in range(5):
            opt.zero_grad()
            loss = m.nn.functional.cross_entropy(model(m.tensor(idx)), m.tensor(y))
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[m.__name__] = out
    _close(losses["nbgrad"], losses["torch"])
    for a, b in zip(nb.state_dict().values(), tm.state_dict().values()):
        _close(a.numpy(), b.numpy())


# --- drawings -----------------------------------------------------------------------------

DRAWN = {
    "layer_norm": (lambda m, x, w: m.nn.functional.layer_norm(x, (3,), w),
                   "NativeLayerNormBackward0"),
    "batch_norm": (lambda m, x, w: m.nn.functional.batch_norm(x, None, None, w,
                                                              training=True),
                   "NativeBatchNormBackward0"),
    "embedding": (lambda m, x, w: m.nn.functional.embedding(m.tensor([1, 0, 1]), x),
                  "EmbeddingBackward0"),
}


@pytest.mark.parametrize("name", DRAWN)
def test_new_nodes_are_drawn_with_their_names(name) -> None:
    fn, node = DRAWN[name]
    x = nbgrad.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], requires_grad=True)
    w = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = fn(nbgrad, x, w)
    assert type(out.grad_fn).__name__ == node
    loss = (out * out).sum()
    loss.backward()
    g = nbgrad.draw(loss, local=True)
    labels = [n.label for n in g.model.nodes]
    assert name in labels
    assert name in g.source
    # drawn with no local derivative on its edges, as no one-number formula says it
    box = next(n for n in g.model.nodes if n.label == name)
    assert all(e.local is None for e in g.model.edges if e.dst == box.id)
    pytest.importorskip("torch")
    import torch

    from nbgrad.viz import record

    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    tw = torch.tensor(w.detach().numpy(), requires_grad=True)
    with record():
        t_out = fn(torch, tx, tw)
        t_loss = (t_out * t_out).sum()
    t_loss.backward()
    t = nbgrad.draw(t_loss, local=True, names=False)
    n = nbgrad.draw(loss, local=True, names=False)
    assert [b.label for b in t.model.nodes] == [b.label for b in n.model.nodes]
    assert [e.local for e in t.model.edges] == [e.local for e in n.model.edges]
