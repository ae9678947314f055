"""The backward engine and the autograd API around it: deep graphs without recursion, memory
released after backward, retain_graph, accumulation, hooks, retain_grad, detach, grad modes,
``backward(inputs=...)``, ``autograd.grad``, in-place rules and the version counter, and a
light ``import nbgrad``. Behaviour is compared with torch 2.13 where torch is installed."""

from __future__ import annotations

import gc
import inspect
import subprocess
import sys
import time
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import nbgrad as torch
from nbgrad.autograd import grad


def real_torch():
    return pytest.importorskip("torch")


def _same_message(nb_msg: str, torch_msg: str) -> None:
    """nbgrad's message equals torch's, up to the library name."""
    assert nb_msg.replace("nbgrad.", "torch.") == torch_msg


def _error(fn) -> str:
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


def _graph_nodes(t) -> list:
    """Every node reachable from ``t.grad_fn``, walked iteratively."""
    seen, stack = {t.grad_fn}, [t.grad_fn]
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return list(seen)


# -- deep graphs --------------------------------------------------------------------------------


def test_backward_through_a_million_ops():
    """A chain of 1,000,000 negations: the engine, and freeing the graph afterwards, must not
    recurse (a recursive engine dies at depth ~1000). An odd count flips the sign, so a single
    node skipped or run twice would show in the gradient."""
    n = 1_000_001
    x = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(n):
        y = -y
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    assert x.grad.item() == -1.0
    assert y.item() == -1.5
    ref = weakref.ref(y.grad_fn)
    del y  # deallocating a million-node chain must not overflow the C stack either
    assert ref() is None
    freed = time.perf_counter()
    print(f"\n1M-op chain: forward {built - start:.2f}s, backward {done - built:.2f}s, "
          f"free {freed - done:.2f}s")


def test_deep_graph_needs_no_recursion():
    """With the recursion limit just above the current depth, a 20,000-op graph still builds,
    runs backward and autograd.grad, prints its grad_fn and is freed."""
    x = torch.tensor([0.5, 2.0], dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        (g,) = grad(y.sum(), x, retain_graph=True)
        y.sum().backward()
        assert repr(y.grad_fn) and "AddBackward0" in repr(y)
        del y
        gc.collect()
    finally:
        sys.setrecursionlimit(limit)
    np.testing.assert_allclose(g.numpy(), [1.0001 ** 10_000] * 2, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), g.numpy())


def test_wide_graph_with_shared_subexpressions():
    # 2**40 paths through 40 diamonds: each node must run once, not once per path.
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(40):
        y = y * 0.5 + y * 0.5
    y.backward()
    assert x.grad.item() == 1.0


# -- memory ---------------------------------------------------------------------------------


def _saved_intermediate():
    """A loss whose MulBackward0 saves ``h`` (twice); only the graph holds ``h``."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x.sin()
    loss = (h * h).sum()
    return x, weakref.ref(h), loss


def test_backward_frees_the_saved_values_for_its_purpose():
    """After backward the saved values can no longer be used (a second backward raises), and
    nothing but the record kept for drawings (``_saved``, read by nbgrad.viz) still holds a
    saved tensor."""
    x, h_ref, loss = _saved_intermediate()
    gc.collect()
    assert h_ref() is not None  # kept alive by the graph, for the backward
    gc.disable()
    try:
        loss.backward()
        assert "backward through the graph a second time" in _error(loss.backward)
        for node in _graph_nodes(loss):
            node._saved = None
        assert h_ref() is None  # no other reference (the version check's included)
    finally:
        gc.enable()


@pytest.mark.xfail(strict=True, reason="by design nbgrad keeps small saved values (up to "
                   "graph.KEEP_LIMIT elements) after backward (node._saved) so that nbgrad.viz "
                   "can draw them; torch frees all saved tensors. Large ones are freed "
                   "(test_backward_releases_the_graph_memory)")
def test_saved_tensors_are_released_by_backward_like_torch():
    x, h_ref, loss = _saved_intermediate()
    gc.disable()
    try:
        loss.backward()
        assert h_ref() is None
    finally:
        gc.enable()


def test_retain_graph_keeps_saved_values():
    x, h_ref, loss = _saved_intermediate()
    loss.backward(retain_graph=True)
    assert h_ref() is not None
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * 2 * np.sin([1, 2, 3]) * np.cos([1, 2, 3]),
                               rtol=1e-6)
    assert "backward through the graph a second time" in _error(loss.backward)


def _mlp_graph(x, w1, w2):
    h = (x @ w1).tanh()
    return ((h @ w2).sigmoid() - 0.5).pow(2).mean()


@pytest.mark.parametrize("how", ["backward", "grad", "create_graph", "no_backward"])
def test_dropping_the_output_frees_the_whole_graph_without_the_collector(how):
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.normal(size=(8, 4)))
    w1 = torch.tensor(rng.normal(size=(4, 5)), requires_grad=True)
    w2 = torch.tensor(rng.normal(size=(5, 1)), requires_grad=True)
    w1.register_hook(lambda g: g)  # hooks must not tie the graph into a cycle either
    gc.collect()
    gc.disable()
    try:
        loss = _mlp_graph(x, w1, w2)
        nodes = _graph_nodes(loss)
        assert len(nodes) >= 8
        refs = [weakref.ref(n) for n in nodes]
        del nodes
        if how == "backward":
            loss.backward()
        elif how == "grad":
            grad(loss, [w1, w2])
        elif how == "create_graph":
            gs = grad(loss, [w1, w2], create_graph=True)
            second = [weakref.ref(n) for g in gs for n in _graph_nodes(g)]
            hv = grad(sum((g * g).sum() for g in gs), [w1, w2])
            assert all(h.shape == w.shape for h, w in zip(hv, [w1, w2]))
            del gs, hv
            refs += second  # the graph of the first derivatives (it reaches the loss's)
        del loss
        alive = sum(r() is not None for r in refs)
        assert alive == 0, f"{alive} of {len(refs)} nodes survive: a reference cycle"
    finally:
        gc.enable()


ACT = 8_000_000  # bytes in one activation of the graph below (a million float64)


@pytest.fixture(scope="module")
def graph_memory() -> dict:
    """tracemalloc over a graph of four 8 MB activations (sin, cos, product, exp): bytes over
    the baseline once built, after backward, and after dropping the output."""
    w = torch.tensor(np.random.default_rng(0).normal(size=ACT // 8), requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        loss = (w.sin() * w.cos()).exp().mean()
        built = tracemalloc.get_traced_memory()[0] - base
        loss.backward()
        after_backward = tracemalloc.get_traced_memory()[0] - base
        del loss
        after_drop = tracemalloc.get_traced_memory()[0] - base
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    print(f"\nMB over baseline (one activation = {ACT / 1e6:.0f} MB): graph built "
          f"{built / 1e6:.1f}, after backward {after_backward / 1e6:.1f}, after dropping the "
          f"output {after_drop / 1e6:.1f}, peak {peak / 1e6:.1f}")
    assert w.grad.shape == w.shape
    return {"built": built, "after_backward": after_backward, "after_drop": after_drop}


def test_memory_returns_to_baseline_when_the_output_is_dropped(graph_memory):
    assert graph_memory["built"] >= 4 * ACT  # each node keeps its output (node.result)
    assert graph_memory["after_drop"] < ACT + 1_000_000  # only w.grad outlives the graph


def test_backward_releases_the_graph_memory(graph_memory):
    """Large arrays (beyond ``KEEP_LIMIT`` elements) are freed by the backward: only w.grad
    (one activation) and small bookkeeping remain, though the output is still alive."""
    assert graph_memory["after_backward"] <= ACT + 1_000_000


def test_small_graphs_keep_their_values_and_gradients_for_drawing():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x.sin() * 2).sum()
    y.backward()
    node = y.grad_fn
    assert node.result is not None and node.grad_output is not None
    mul = node.next_functions[0][0]
    np.testing.assert_allclose(mul.grad_inputs[0], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(mul.result, 2 * np.sin([1.0, 2.0, 3.0]), rtol=1e-6)


def test_leaf_grad_is_not_kept_alive_by_the_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    assert x.grad is first  # accumulated in place, as torch does
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 7.0])


# -- retain_graph, accumulation, gradient arguments ------------------------------------------


def test_retain_graph_lets_a_second_backward_run_and_gradients_accumulate():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0, 6.0])
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, -8.0, 12.0])
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, -12.0, 18.0])
    msg = _error(y.backward)
    assert msg.startswith("Trying to backward through the graph a second time")


def test_second_backward_error_matches_torch():
    real = real_torch()
    msgs = []
    for lib in (torch, real):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError) as info:
            y.backward()
        msgs.append(str(info.value))
    _same_message(*msgs)


def test_graph_without_saved_tensors_can_backward_twice_like_torch():
    # torch only fails when a freed saved tensor is needed: x + y saves nothing.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_gradients_accumulate_across_different_graphs_and_zero():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for k in range(1, 4):
        (x * k).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    x.grad.zero_()
    (x ** 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    x.grad = None
    (x ** 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])


def test_backward_gradient_argument_and_errors():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert _error(lambda: (x * 2).backward()) == (
        "grad can be implicitly created only for scalar outputs")
    msg = _error(lambda: (x * 2).backward(torch.tensor([1.0, 2.0, 3.0])))
    assert msg == ("Mismatch in shape: grad_output[0] has a shape of nbgrad.Size([3]) and "
                   "output[0] has a shape of nbgrad.Size([2]).")
    (x * 2).backward(torch.tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])
    assert _error(lambda: torch.tensor(1.0).backward()) == (
        "element 0 of tensors does not require grad and does not have a grad_fn")


def test_backward_of_several_tensors():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * 2).sum(), (x * x).sum()
    torch.autograd.backward([a, b])
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])


def test_leaf_gradient_arrives_once_with_the_total():
    # a hook on a leaf sees the sum over all uses, once (torch accumulates before the hook)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 2 + x * x + x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5.0, 7.0])


# -- hooks ------------------------------------------------------------------------------------


def test_leaf_hook_replaces_the_gradient_and_can_be_removed():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 40.0, 60.0])
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])
    handle.remove()  # removing twice is harmless


def test_non_leaf_hook_replaces_the_gradient_flowing_on():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.numpy().copy()) or g + 100)
    (y * y).sum().backward()
    np.testing.assert_array_equal(seen[0], [4.0, 8.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [208.0, 216.0, 224.0])
    handle.remove()
    x.grad = None
    y = x * 2
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [8.0, 16.0, 24.0])


def test_hook_returning_none_observes_only_and_hooks_chain_in_order():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    order = []
    y.register_hook(lambda g: order.append("observe"))
    y.register_hook(lambda g: order.append("double") or g * 2)
    y.register_hook(lambda g: order.append(g.numpy().tolist()) or None)
    y.sum().backward()
    assert order == ["observe", "double", [2.0, 2.0]]
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_hooks_and_retain_grad_match_torch():
    real = real_torch()
    out = []
    for lib in (torch, real):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: g * 2)
        y.retain_grad()
        y.register_hook(lambda g: g + 1)
        x.register_hook(lambda g: g - 0.5)
        (y * y).sum().backward()
        out.append((y.grad.numpy().tolist(), x.grad.numpy().tolist()))
    assert out[0] == out[1]


def test_hooks_apply_to_autograd_grad_results_like_torch():
    real = real_torch()
    out = []
    for lib in (torch, real):
        x = lib.tensor([0.3, -0.7], dtype=lib.float64, requires_grad=True)
        x.register_hook(lambda g: g + 1)
        y = x * 1
        y.register_hook(lambda g: g * 3)
        z = y * 1
        res = [lib.autograd.grad((y * y).sum(), y)[0], lib.autograd.grad((x * x).sum(), x)[0],
               *lib.autograd.grad((z * z).sum(), [z, y, x])]
        out.append([r.detach().numpy().tolist() for r in res])
    np.testing.assert_allclose(out[0], out[1])


def test_register_hook_needs_requires_grad():
    assert _error(lambda: torch.tensor([1.0]).register_hook(lambda g: g)) == (
        "cannot register a hook on a tensor that doesn't require gradient")


# -- retain_grad, requires_grad_, detach --------------------------------------------------------


def test_retain_grad_on_a_non_leaf():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = x * 3
    y.retain_grad()
    assert y.retains_grad and not z.retains_grad and not x.retains_grad
    (y * y + z).sum().backward(retain_graph=True)
    np.testing.assert_array_equal(y.grad.numpy(), [4.0, 8.0, 12.0])
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert z.grad is None
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad
    (y * y).sum().backward(retain_graph=True)
    np.testing.assert_array_equal(y.grad.numpy(), [8.0, 16.0, 24.0])  # accumulates
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad"):
        torch.tensor([1.0]).retain_grad()


def test_requires_grad_():
    x = torch.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    x.requires_grad_(False)
    assert not x.requires_grad
    assert _error(lambda: torch.tensor([1, 2]).requires_grad_()) == (
        "only Tensors of floating point dtype can require gradients")
    y = torch.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_() is y  # True on a non-leaf is allowed (a no-op), as in torch
    assert _error(lambda: y.requires_grad_(False)).startswith(
        "you can only change requires_grad flags of leaf variables.")
    torch.tensor([1, 2]).requires_grad_(False)  # False is always fine


def test_detach_shares_memory_and_version_counter():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d[0] = 10.0  # d does not require grad: allowed, and visible through y
    assert y[0].item() == 10.0
    z = y.sin()  # saves y
    d.add_(1)
    msg = _error(lambda: z.sum().backward())
    assert msg.startswith("one of the variables needed for gradient computation has been "
                          "modified by an inplace operation")


def test_data_does_not_share_the_version_counter():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y.sin()
    y.data.add_(1)  # .data escapes the version check, as in torch
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([2.0, 3.0]), rtol=1e-6)


def test_detach_in_place():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert (y * 3).grad_fn is None
    v = x[0]
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        v.detach_()


# -- grad modes -----------------------------------------------------------------------------


X = torch.tensor([1.0], requires_grad=True)


def test_no_grad_context_manager():
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = X * 2
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (X * 2).requires_grad


def test_grad_modes_nest_and_restore():
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled() and (X * 2).requires_grad
            with torch.set_grad_enabled(False):
                assert not torch.is_grad_enabled()
                with torch.no_grad():
                    assert not torch.is_grad_enabled()
                assert not torch.is_grad_enabled()
            assert torch.is_grad_enabled()
        assert not torch.is_grad_enabled() and not (X * 2).requires_grad
    assert torch.is_grad_enabled()


def test_grad_mode_restored_after_an_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def boom():
        raise KeyError

    with pytest.raises(KeyError):
        boom()
    assert torch.is_grad_enabled()


def test_grad_modes_as_decorators():
    @torch.no_grad()
    def off():
        """doc"""
        return torch.is_grad_enabled(), (X * 2).requires_grad

    @torch.no_grad
    def off_bare():
        return torch.is_grad_enabled()

    @torch.enable_grad()
    def on():
        return torch.is_grad_enabled()

    @torch.enable_grad
    def on_bare():
        return torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def off_by_flag():
        return torch.is_grad_enabled()

    assert torch.is_grad_enabled()  # decorating changes nothing at definition time
    assert off() == (False, False) and off.__name__ == "off" and off.__doc__ == "doc"
    assert off_bare() is False
    with torch.no_grad():
        assert on() is True and on_bare() is True and not torch.is_grad_enabled()
    assert off_by_flag() is False
    assert torch.is_grad_enabled()


def test_grad_mode_decorated_generator_does_not_leak():
    @torch.no_grad()
    def gen():
        yield torch.is_grad_enabled()
        yield torch.is_grad_enabled()
        return "done"

    g = gen()
    assert next(g) is False
    assert torch.is_grad_enabled()  # outside the generator, grad mode is the caller's
    assert next(g) is False
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"


def test_set_grad_enabled_as_a_function_call():
    try:
        torch.set_grad_enabled(False)
        assert not torch.is_grad_enabled()
        assert not (X * 2).requires_grad
        torch.set_grad_enabled(True)
        assert torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)


def test_set_grad_enabled_context_manager():
    for mode in (False, True):
        with torch.set_grad_enabled(mode):
            assert torch.is_grad_enabled() is mode
            assert (X * 2).requires_grad is mode
    assert torch.is_grad_enabled()


def test_backward_runs_with_grad_disabled_unless_create_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(torch.is_grad_enabled()))
    y.sum().backward(retain_graph=True)
    y.sum().backward(create_graph=True)
    assert seen == [False, True]
    s = y.sum()
    with torch.no_grad():
        s.backward()  # backward works inside no_grad
    assert x.grad is not None


# -- backward(inputs=...), autograd.grad ----------------------------------------------------


def test_backward_inputs_accumulates_only_into_those():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    loss = (c * c).sum()
    loss.backward(inputs=[a], retain_graph=True)
    np.testing.assert_array_equal(a.grad.numpy(), [18.0, 64.0])  # 2 a b^2
    assert b.grad is None
    loss.backward(inputs=[b, c], retain_graph=True)
    np.testing.assert_array_equal(b.grad.numpy(), [6.0, 32.0])  # 2 a^2 b
    np.testing.assert_array_equal(c.grad.numpy(), [6.0, 16.0])  # a non-leaf input gets .grad
    assert a.grad.numpy().tolist() == [18.0, 64.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c.grad  # noqa: B018 - no warning once the gradient is there (as in torch)
    loss.backward(inputs=a)  # a single tensor
    np.testing.assert_array_equal(a.grad.numpy(), [36.0, 128.0])
    assert _error(lambda: loss.backward(inputs=[])) == (
        "`inputs` argument to `backward()` cannot be empty.")


def test_backward_inputs_matches_torch():
    real = real_torch()
    out = []
    for lib in (torch, real):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        c = a * b
        c.retain_grad()
        (c.sin() * a).sum().backward(inputs=[b, c])
        out.append((a.grad, b.grad.numpy().tolist(), c.grad.numpy().tolist()))
    assert out[0][0] is None and out[1][0] is None
    np.testing.assert_allclose(out[0][1:], out[1][1:], rtol=1e-6)


def test_autograd_grad_returns_without_accumulating():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0], requires_grad=True)
    gx, gy = grad((x * x * y).sum(), (x, y))
    np.testing.assert_array_equal(gx.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(gy.numpy(), [5.0])
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad


def test_autograd_grad_allow_unused():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    unused = torch.tensor([1.0], requires_grad=True)
    assert _error(lambda: grad((a * 2).sum(), [a, unused])) == (
        "The differentiated Tensor at index 1 appears to not have been used in the graph. "
        "Set allow_unused=True if this is the desired behavior.")
    ga, gu = grad((a * 2).sum(), [a, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(ga.numpy(), [2.0, 2.0])
    ga, gu = grad((a * 2).sum(), [a, unused], materialize_grads=True)
    np.testing.assert_array_equal(gu.numpy(), [0.0])
    assert _error(lambda: grad((a * 2).sum(), [torch.tensor([1.0])])) == (
        "One of the differentiated Tensors does not require grad")


def test_autograd_grad_with_grad_outputs_and_intermediate_inputs():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * x
    y = h.sin()
    (gh,) = grad(y, h, torch.tensor([1.0, 0.0, 2.0]), retain_graph=True)
    np.testing.assert_allclose(gh.numpy(), np.cos([1.0, 4.0, 9.0]) * [1, 0, 2], rtol=1e-6)
    (gx,) = grad(y.sum(), x)
    np.testing.assert_allclose(gx.numpy(), np.cos([1.0, 4.0, 9.0]) * [2, 4, 6], rtol=1e-6)


# -- in-place rules --------------------------------------------------------------------------


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    real = real_torch()
    for op in ("add_", "sub_", "mul_", "div_"):
        msgs = []
        for lib in (torch, real):
            w = lib.tensor([1.0, 2.0], requires_grad=True)
            with pytest.raises(RuntimeError) as info:
                getattr(w, op)(2.0)
            msgs.append(str(info.value))
        _same_message(*msgs)
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    assert _error(lambda: w.copy_(torch.tensor([3.0, 4.0]))) == (
        "a leaf Variable that requires grad is being used in an in-place operation.")
    assert _error(lambda: w[0].mul_(2)) == (
        "a view of a leaf Variable that requires grad is being used in an in-place operation.")
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 2.0])  # nothing was written


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_in_place_update_of_a_0d_leaf_by_a_0d_tensor_like_torch(dtype: str) -> None:
    """``b.sub_(lr * b.grad)`` for a scalar ``b``: its data is a NumPy scalar, written
    straight into ``b``; a float32 0-d update of a float64 leaf (and back) as torch does."""
    real = real_torch()
    results = []
    for lib in (torch, real):
        b = lib.tensor(0.5, dtype=getattr(lib, dtype), requires_grad=True)
        (b * 3).backward()
        with lib.no_grad():
            b.sub_(0.1 * b.grad)
            b.add_(lib.tensor(0.25))
            b.mul_(lib.tensor(2.0, dtype=lib.float64))
        version = b._version
        results.append((b.item(), str(b.dtype).split(".")[-1], version, repr(b)))
    assert results[0][:3] == results[1][:3]
    assert results[0][3].replace("nbgrad.", "torch.") == results[1][3]


def test_in_place_on_leaves_under_no_grad_like_an_optimizer_step():
    """The SGD step: in place on leaves under no_grad. The leaf stays a leaf, nothing is
    recorded, the version counter moves as torch's does, and training matches torch."""
    real = real_torch()
    results = []
    for lib in (torch, real):
        w = lib.tensor([0.5, -0.3], dtype=lib.float64, requires_grad=True)
        b = lib.tensor(0.1, dtype=lib.float64, requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype=lib.float64)
        t = lib.tensor([1.0, 0.0, 2.0], dtype=lib.float64)
        versions = []
        for _ in range(5):
            loss = ((x @ w + b - t) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w.sub_(0.1 * w.grad)
                b.add_(b.grad, alpha=-0.1)
                w.mul_(0.99)
                b.copy_(b.clamp(-1, 1))
                w.grad.zero_()
                b.grad.zero_()
            versions.append(w._version)
            assert w.is_leaf and w.requires_grad and w.grad_fn is None
            assert b.is_leaf and b.requires_grad and b.grad_fn is None
        results.append((w.detach().numpy().tolist(), b.item(), loss.item(), versions))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1:3], results[1][1:3], rtol=1e-12)
    assert results[0][3] == results[1][3]


def test_in_place_under_no_grad_on_a_saved_leaf_is_caught():
    real = real_torch()
    msgs = []
    for lib in (torch, real):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        s = w.sin()  # saves w
        with lib.no_grad():
            w.mul_(2)
        with pytest.raises(RuntimeError) as info:
            s.sum().backward()
        msgs.append(str(info.value))
    _same_message(*msgs)


def test_in_place_under_no_grad_on_an_unsaved_leaf_is_fine():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * 3 + 1).sum()  # MulBackward0 with a number saves nothing about w
    with torch.no_grad():
        w.add_(5)
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def _in_place_chain(lib):
    x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
    s = lib.tensor([3.0, 4.0, 5.0], dtype=lib.float64, requires_grad=True)
    y = x.sin()
    names = []
    y.mul_(x)
    names.append(y.grad_fn.name())
    y.add_(s, alpha=2)
    names.append(y.grad_fn.name())
    y.sub_(x * x)
    names.append(y.grad_fn.name())
    y.div_(s)
    names.append(y.grad_fn.name())
    y += 1
    y *= x
    y -= 0.5
    y /= 2.0
    y.clamp_(-10, 1.5)
    names.append(y.grad_fn.name())
    (y * s).sum().backward()
    return y.detach().numpy().tolist(), x.grad.numpy().tolist(), s.grad.numpy().tolist(), names


def test_in_place_on_non_leaves_rebases_the_graph_like_torch():
    real = real_torch()
    nb, ref = _in_place_chain(torch), _in_place_chain(real)
    for a, b in zip(nb[:3], ref[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert nb[3] == ref[3]


def test_copy_into_a_non_leaf_like_torch():
    real = real_torch()
    out = []
    for lib in (torch, real):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor([3.0, 4.0, 5.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.copy_(s * s)  # the old value of y (and so x) no longer matters
        (y * x).sum().backward()
        out.append((x.grad.numpy().tolist(), s.grad.numpy().tolist(), y.requires_grad))
    assert out[0] == out[1]


def test_in_place_on_a_non_leaf_that_does_not_require_grad_starts_a_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    buf = torch.zeros(2)
    buf.add_(x * 3)
    assert buf.requires_grad and buf.grad_fn is not None
    buf.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_version_counter_error_names_the_tensor_like_torch():
    real = real_torch()
    for saved_input in (True, False):
        msgs = []
        for lib in (torch, real):
            x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            if saved_input:
                a = x * 1
                b = a.sin()  # sin saves its input a
            else:
                a = b = x.exp()  # exp saves its own result
            a.add_(1)
            with pytest.raises(RuntimeError) as info:
                b.sum().backward()
            msgs.append(str(info.value))
        _same_message(*msgs)
        assert "is at version 1; expected version 0 instead." in msgs[0]


def test_version_counter_is_shared_by_views():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    z = y.sin()  # saves y
    with torch.no_grad():
        y[0].mul_(2)  # through a view of y
    assert y[0, 0].item() == 2.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def _in_place_outcome(lib, name: str) -> str:
    args = (2,) if name == "pow_" else ()
    a = lib.tensor([0.5, 2.0], requires_grad=True)
    x = a * 1
    out = getattr(x, name)(*args)
    out.sum().backward()
    seen = [out is x, repr(x), [round(v, 5) for v in a.grad.tolist()]]
    for t in (lib.tensor([1.0], requires_grad=True), lib.tensor([1, 2])):
        try:
            getattr(t, name)(*args)
            seen.append(repr(t))
        except Exception as e:  # noqa: BLE001 - comparing whatever is raised
            seen.append(f"{type(e).__name__}: {e}")
    return str(seen).replace("torch.", "nbgrad.")


@pytest.mark.parametrize("name", ["exp_", "log_", "sqrt_", "sin_", "cos_", "tan_", "tanh_",
                                  "sigmoid_", "abs_", "neg_", "reciprocal_", "sign_",
                                  "square_", "pow_"])
def test_in_place_unary_ops_like_torch(name: str) -> None:
    """``x.exp_()``: written into x and returned, recorded with the op's own node; refused on
    a leaf that requires grad and, for a float result, on an integer tensor."""
    assert _in_place_outcome(torch, name) == _in_place_outcome(real_torch(), name)


def test_version_counts_writes_as_torchs_does():
    """``t._version``: an int, shared by views and detached tensors, bumped by each in-place
    write (optimizer steps under no_grad included), 0 for a new tensor or parameter."""
    real = real_torch()
    seen = []
    for lib in (torch, real):
        x = lib.tensor([1.0, 2.0])
        view, detached = x[0:1], x.detach()
        counts = [x._version]
        x.add_(1)
        counts.append(x._version)
        view.mul_(2)
        counts += [x._version, view._version, detached._version]
        a = lib.tensor([1.0], requires_grad=True)
        counts.append((a * 2)._version)
        with lib.no_grad():
            a.sub_(0.1)
        counts += [a._version, lib.nn.Parameter(lib.tensor([1.0]))._version]
        seen.append(counts)
    assert seen[0] == seen[1] == [0, 1, 2, 2, 2, 0, 1, 0]


def test_in_place_on_a_plain_tensor_through_an_integer_index_writes_through():
    t = torch.zeros(3)
    t[0].add_(1)
    t[2].fill_(5)
    m = torch.zeros(2, 2)
    m[1, 1].add_(3)
    m[0][1].sub_(2)
    np.testing.assert_array_equal(t.numpy(), [1.0, 0.0, 5.0])
    np.testing.assert_array_equal(m.numpy(), [[0.0, -2.0], [0.0, 3.0]])


def test_in_place_on_a_view_of_a_non_leaf_like_torch():
    real = real_torch()
    out = []
    for lib in (torch, real):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y[1:].mul_(x[:2])
        (y * y).sum().backward()
        out.append(x.grad.numpy().tolist())
    assert out[0] == out[1]


# -- import cost -------------------------------------------------------------------------------


def test_import_nbgrad_loads_no_notebook_or_torch_modules():
    heavy = ["IPython", "ipywidgets", "ipykernel", "graphviz", "torch", "tqdm", "wasmtime",
             "matplotlib"]
    code = ("import sys, nbgrad\n"
            "x = nbgrad.tensor([1.0, 2.0], requires_grad=True)\n"
            "(x * x).sum().backward()\n"
            "repr(x)\n"
            f"print(sorted(m for m in {heavy!r} if any(k == m or k.startswith(m + '.') "
            "for k in sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout



def test_nn_and_optim_load_at_first_use():
    """They were a third of ``import nbgrad``'s time; a lesson on gradients needs neither.
    ``torch.nn`` after ``import nbgrad as torch``, and ``from nbgrad import nn``, still work."""
    code = ("import sys, nbgrad\n"
            "print('nbgrad.nn' in sys.modules, 'nbgrad.optim' in sys.modules)\n"
            "import nbgrad as torch\n"
            "m = torch.nn.Linear(2, 1)\n"
            "opt = torch.optim.SGD(m.parameters(), lr=0.1)\n"
            "from nbgrad import nn\n"
            "print(nn.Linear is torch.nn.Linear, 'nn' in dir(nbgrad), 'optim' in dir(nbgrad))\n"
            "from nbgrad import *\n"
            "print(optim is torch.optim)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["False", "False", "True", "True", "True", "True"], out.stdout
    with pytest.raises(AttributeError, match="module 'nbgrad' has no attribute 'nope'"):
        torch.nope  # noqa: B018


def test_numpy_random_is_loaded_at_the_first_random_number():
    """numpy.random costs a fifth of ``import nbgrad``: it waits for the first draw, which
    still follows the seed (the default one, or manual_seed's)."""
    code = ("import sys, nbgrad\n"
            "before = 'numpy.random' in sys.modules\n"
            "a = nbgrad.rand(3).tolist()\n"
            "nbgrad.manual_seed(67280421310721)\n"
            "print(before, 'numpy.random' in sys.modules, a == nbgrad.rand(3).tolist())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["False", "True", "True"], out.stdout

def test_anomaly_mode_names_the_node_that_made_a_nan():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = (x.sqrt() * 0).sum()  # d sqrt/dx at 0 is inf, times 0 is nan
    with torch.autograd.set_detect_anomaly(True):
        assert torch.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match=r"^Function 'SqrtBackward0' returned nan values "
                           r"in its 0th output\.$"):
            y.backward(retain_graph=True)
    assert not torch.autograd.is_anomaly_enabled()
    y.backward()  # without anomaly mode the nan goes through silently, as in torch
    assert np.isnan(x.grad.numpy()[0])


def test_anomaly_message_matches_torch():
    real = real_torch()
    msgs, warned = [], []
    for lib in (torch, real):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mode = lib.autograd.detect_anomaly()  # torch warns that the mode is on
        warned.append([(w.category, str(w.message)) for w in caught])
        with mode, pytest.raises(RuntimeError) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x.sqrt() * 0).sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    assert warned[0] == warned[1] and len(warned[0]) == 1


@pytest.mark.parametrize("expr", ["a*b", "b*a", "a*b*c", "T.stack([a, b, c]).sum()", "c*b + a"])
def test_leaves_receive_their_gradients_in_torchs_order(expr):
    def order(T):
        a, b, c = (T.tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
        seen = []
        for name, leaf in zip("abc", (a, b, c)):
            leaf.register_hook(lambda g, name=name: seen.append(name))
        eval(expr, {"T": T, "a": a, "b": b, "c": c}).backward()
        return "".join(seen)

    assert order(torch) == order(real_torch())
