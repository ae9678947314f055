"""A leaf's ``.grad`` is an array of its own: writing into it (an optimizer's in-place update,
``zero_()``, the next backward's accumulation) changes nothing else, and nothing else changes
it. These cases guard the engine's right to hand a freshly computed gradient array to a leaf
without copying it, which it may do only when nothing else holds that array.

The arrays are larger than ``graph.KEEP_LIMIT``, the size up to which nodes keep gradients for
the drawings, so that the large-array paths are the ones tested.
"""

from __future__ import annotations

import numpy as np

import nbgrad
from nbgrad.autograd import graph

N = 80  # N * N > KEEP_LIMIT
assert N * N > graph.KEEP_LIMIT


def _randn(*shape: int, requires_grad: bool = False) -> nbgrad.Tensor:
    rng = np.random.default_rng(sum(shape))
    return nbgrad.tensor(rng.standard_normal(shape).astype(np.float32),
                         requires_grad=requires_grad)


def _own(t: nbgrad.Tensor, *others: object) -> None:
    """``t.grad`` shares memory with none of ``others`` and can be written in place."""
    g = t.grad.numpy()
    assert g.flags.writeable
    for o in others:
        arr = o.detach().numpy() if isinstance(o, nbgrad.Tensor) else np.asarray(o)
        assert not np.shares_memory(g, arr)


def test_one_gradient_array_sent_to_two_leaves_becomes_two_gradients():
    # AddBackward0 passes the matmul's fresh gradient to both of its inputs.
    a = _randn(N, N, requires_grad=True)
    b = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    ((a + b) @ w).sum().backward()
    _own(a, b.grad)
    want = b.grad.numpy().copy()
    with nbgrad.no_grad():
        a.grad.mul_(3.0)
    np.testing.assert_array_equal(b.grad.numpy(), want)


def test_a_leaf_used_twice_and_a_second_leaf_sharing_its_gradient():
    x = _randn(N, N, requires_grad=True)
    y = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    (((x + y) @ w) + (x @ w)).sum().backward()
    _own(x, y.grad)
    np.testing.assert_allclose(x.grad.numpy(), 2 * y.grad.numpy(), rtol=1e-6)


def test_a_gradient_given_to_backward_is_not_the_leafs_gradient():
    x = _randn(N, N, requires_grad=True)
    gt = _randn(N, N)
    x.backward(gradient=gt)
    _own(x, gt)
    before = gt.numpy().copy()
    with nbgrad.no_grad():
        x.grad.zero_()
    np.testing.assert_array_equal(gt.numpy(), before)


def test_a_gradient_passed_through_unchanged_is_not_the_callers():
    x = _randn(N, N, requires_grad=True)
    gt = _randn(N, N)
    (x + 0).backward(gradient=gt)  # AddBackward0 hands gt's array straight on
    _own(x, gt)
    y = _randn(N, N, requires_grad=True)
    (y * 1).reshape(N * N).backward(gradient=gt.reshape(N * N))
    _own(y, gt)


def test_a_hook_that_keeps_the_gradient_does_not_share_it_with_grad():
    x = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    seen = []
    x.register_hook(lambda g: seen.append(g))
    (x @ w).sum().backward()
    _own(x, seen[0])
    kept = seen[0].numpy().copy()
    with nbgrad.no_grad():
        x.grad.add_(1.0)
    np.testing.assert_array_equal(seen[0].numpy(), kept)


def test_a_hook_returning_a_kept_tensor_does_not_share_it_with_grad():
    x = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    replacement = _randn(N, N)
    x.register_hook(lambda g: replacement)
    (x @ w).sum().backward()
    _own(x, replacement)


def test_a_retained_gradient_and_the_leafs_gradient_are_separate():
    x = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    h = x * 1.0
    h.retain_grad()
    (h @ w).sum().backward()
    _own(x, h.grad)


def test_gradients_accumulate_into_the_adopted_array_over_two_backwards():
    x = _randn(N, N, requires_grad=True)
    w = _randn(N, N)
    (x @ w).sum().backward()
    first = x.grad.numpy().copy()
    (x @ w).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)
    _own(x, w)


def test_linear_weight_gradient_is_a_row_major_array_of_its_own():
    lin = nbgrad.nn.Linear(N, N + 3)
    x = _randn(5, N)
    out = lin(x)
    out.sum().backward()
    g = lin.weight.grad.numpy()
    assert g.shape == (N + 3, N) and g.flags.c_contiguous and g.flags.writeable
    _own(lin.weight, lin.weight, x, out)
    first = g.copy()
    lin(x).sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), 2 * first, rtol=1e-6)


def test_a_broadcast_gradient_becomes_a_writeable_array():
    x = _randn(N, N, requires_grad=True)
    x.sum().backward()  # SumBackward0 spreads one number over x's shape
    g = x.grad.numpy()  # a new view, as torch's numpy() gives, of the array the grad holds
    assert g.flags.writeable and g.base.flags.owndata and g.base.shape == (N, N)
    with nbgrad.no_grad():
        x.grad.add_(1.0)
    np.testing.assert_array_equal(x.grad.numpy(), np.full((N, N), 2.0, np.float32))


def test_mean_gradient_is_writeable_and_its_own():
    x = _randn(N, N, requires_grad=True)
    y = _randn(N, N, requires_grad=True)
    (x.mean() + y.mean()).backward()
    _own(x, y.grad)
    with nbgrad.no_grad():
        x.grad.add_(1.0)
    np.testing.assert_array_equal(y.grad.numpy(), np.full((N, N), 1 / (N * N), np.float32))


def test_small_gradients_kept_for_the_drawings_are_not_changed_by_accumulation():
    x = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.sum().backward(retain_graph=True)
    kept = [None if g is None else np.array(g, copy=True) for g in y.grad_fn.grad_inputs]
    y.sum().backward()
    now = [None if g is None else np.asarray(g) for g in y.grad_fn.grad_inputs]
    for a, b in zip(kept, now):
        if a is not None:
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0, 4.0])


def test_optimizer_step_after_adopted_gradients_matches_a_copy():
    # SGD with momentum keeps a buffer made from the first gradient: a copy, not the grad.
    lin = nbgrad.nn.Linear(N, 4)
    opt = nbgrad.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    x = _randn(3, N)
    lin(x).sum().backward()
    opt.step()
    buf = opt.state[lin.weight]["momentum_buffer"]
    assert not np.shares_memory(buf.numpy(), lin.weight.grad.numpy())
    opt.zero_grad()
    lin(x).sum().backward()
    assert not np.shares_memory(buf.numpy(), lin.weight.grad.numpy())
