"""Short snippets of the kind a lesson or a first autograd notebook has, run under torch 2.13
and nbgrad: what they print must be the same (``torch.`` read as ``nbgrad.``; nodes printed
without their addresses). Random numbers differ by design, so only their shapes and dtypes
are printed."""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import pytest

import nbgrad

torch = pytest.importorskip("torch")


def _run(T, code: str) -> str:
    env = {"T": T}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec("import warnings\n" + code, env)
    except Exception as e:  # noqa: BLE001 - the error is what is compared
        return out.getvalue() + f"{type(e).__name__}: {e}"
    return out.getvalue() + str(env.get("out", ""))


X = "x = T.tensor([1., 2., 3.], requires_grad=True)\n"
BASICS = [
    X + "y = (x ** 2).sum(); y.backward(); print(x.grad); x.grad.zero_(); print(x.grad)",
    X + "with T.no_grad():\n    x -= 0.1 * T.ones(3)\nprint(x)",
    X + "x.data.sub_(1); print(x, x.data)",
    X + "print(f'{x.sum():.3f}', f'{x.sum().item():.2f}')",
    X + "print(x.max(dim=0).values, x.max(dim=0).indices)",
    X + "print(T.clamp(x, min=2), x.clamp(max=2))",
    X + "h = x.register_hook(lambda g: print('hook', g)); (x * 2).sum().backward(); h.remove()",
    X + "g, = T.autograd.grad((x ** 3).sum(), x, create_graph=True); print(g); "
    "g2, = T.autograd.grad(g.sum(), x); print(g2)",
    "T.set_printoptions(precision=2); print(T.tensor([1.23456, 2.5])); "
    "T.set_printoptions(precision=4)",
    "m = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU(), T.nn.Linear(3, 1)); print(m)",
    "m = T.nn.Linear(2, 3); opt = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9); print(opt)",
    "m = T.nn.Linear(2, 3); opt = T.optim.Adam(m.parameters(), lr=0.01); print(opt)",
    "print(T.arange(0, 1, 0.25), T.linspace(0, 1, 5), T.arange(5))",
    "print(T.zeros(2, 3).shape, T.zeros(2, 3).size(1), len(T.zeros(4, 2)))",
    "a = T.tensor([[1., 2.], [3., 4.]]); print(a @ a, a.T, a.t(), a.mean(), a.sum(0))",
    "print(T.tensor([1, 2, 3]).float().mean(), T.tensor([1, 2, 3]).dtype, T.tensor([1.5]).dtype)",
    "print(T.tensor(3.7).int(), T.tensor([1.6, -1.6]).long(), T.tensor([0., 1.]).bool())",
    "print(T.tensor([[1, 2], [3, 4]]).view(-1), T.tensor([[1, 2], [3, 4]]).flatten())",
    "print(T.tensor([1., 2.]).unsqueeze(1).shape, T.tensor([[1.], [2.]]).squeeze())",
    X + "print(x.detach().numpy(), x.tolist(), x.clone().detach().requires_grad_())",
    X + "y = x * 2; print(y.is_leaf, x.is_leaf, y.requires_grad, y.grad_fn, "
    "y.grad_fn.next_functions)",
    X + "y = x.sum(); y.backward(); y2 = x.sum(); y2.backward(); print(x.grad)",
    X + "y = (x * x).sum(); y.backward(retain_graph=True); y.backward(); print(x.grad)",
    X + "y = (x * x).sum(); y.backward(); y.backward()",
    "print(T.tensor([True, False]) & T.tensor([True, True]), ~T.tensor([True, False]))",
    "print(T.tensor([1e-10, 1e10]), T.tensor([0.1, 100000.]), T.tensor([1, 2]) / 3)",
    "print(T.ones(2, 2, dtype=T.float64) * 3, T.eye(2), T.full((2,), 7))",
    "print(T.nn.functional.softmax(T.tensor([1., 2., 3.]), dim=0), T.sigmoid(T.tensor(0.)))",
    "print(T.nn.functional.cross_entropy(T.tensor([[2., 1., 0.1]]), T.tensor([0])))",
    "print(T.nn.MSELoss()(T.tensor([1., 2.]), T.tensor([1.5, 2.5])))",
    "x = T.tensor([[0.5, -1.], [2., 0.]]); print(x.relu(), T.nn.functional.relu(x), x.abs().max())",
    "x = T.tensor([3., 4.]); print(x.norm(), T.sqrt((x ** 2).sum()), x / x.norm())",
    "print(T.where(T.tensor([1., -1.]) > 0, T.tensor([1., 1.]), T.tensor([0., 0.])))",
    "print(T.stack([T.tensor([1., 2.]), T.tensor([3., 4.])]), T.cat([T.ones(1), T.zeros(2)]))",
    X + "print(x[0], x[1:], x[-1].item(), x[[0, 2]])",
    X + "print(x.grad); y = x * 2; print(y.grad)",
    "w = T.tensor([[1., 2.]], requires_grad=True); "
    "b = T.tensor([0.5], requires_grad=True); xx = T.tensor([[3.], [4.]]); "
    "y = w @ xx + b; y.backward(); print(y, w.grad, b.grad)",
    "x = T.tensor(2.0, requires_grad=True); y = x ** 3 + 2 * x; y.backward(); print(x.grad, y)",
    "x = T.tensor(2.0, requires_grad=True); z = T.sin(x ** 2); z.backward(); print(z, x.grad)",
    "x = T.tensor([1., 2.], requires_grad=True); "
    "print(x.sum().item(), type(x.sum().item()).__name__, float(x.sum()), int(x[0]))",
    "print(T.tensor([[1., 2.], [3., 4.]]).argmax(), T.tensor([[1., 2.], [3., 4.]]).argmax(dim=1))",
    "print(T.randn(2, 3).shape, T.rand(2).dtype, T.randint(0, 10, (3,)).dtype)",
    "print(repr(T.float32), T.float32, T.get_default_dtype(), T.tensor(1).dtype == T.int64)",
    "a = T.tensor([1., 2., 3.]); print(a.numpy().sum(), a.sum().numpy())",
    "print(T.tensor([[1., 2., 3.]]).expand(2, 3), T.tensor([1., 2.]).repeat(2))",
    "print(T.allclose(T.tensor([1., 2.]), T.tensor([1., 2.000001])), "
    "T.equal(T.ones(2), T.ones(2)))",
    "print(T.tensor([3., 1., 2.]).sort(descending=True))",
    "print(T.tensor([[1., 2.], [3., 4.]]).std(), T.tensor([[1., 2.], [3., 4.]]).var(dim=0))",
]

LIN = (
    "T.manual_seed(0)\nm = T.nn.Linear(2, 1)\nwith T.no_grad():\n"
    "    m.weight.copy_(T.tensor([[0.5, -0.25]])); m.bias.fill_(0.1)\n"
)
MODULES_AND_MODES = [
    X + "y = x * 2\nwith warnings.catch_warnings(record=True) as w:\n"
    "    warnings.simplefilter('always')\n    g = y.grad\n"
    "    print(g, str(w[0].message)[:60])",
    "try:\n    T.tensor([1, 2], requires_grad=True)\n"
    "except Exception as e: print(type(e).__name__, e)",
    "a = T.tensor([1., 2.])\nwith warnings.catch_warnings(record=True) as w:\n"
    "    warnings.simplefilter('always')\n    b = T.tensor(a)\n"
    "    print(b, str(w[0].message)[:80])",
    "import numpy as np\na = np.array([1., 2.])\nt = T.from_numpy(a)\na[0] = 5\n"
    "print(t, T.as_tensor(a), t.dtype)",
    X + "@T.no_grad()\ndef f(v): return v * 2\nprint(f(x), f(x).requires_grad)",
    X + "with T.no_grad():\n    with T.enable_grad():\n        y = x * 2\n"
    "print(y.requires_grad, T.is_grad_enabled())",
    X + "y = x * 2\ny.detach_()\nprint(y, y.requires_grad, y.grad_fn)",
    X + "x.requires_grad_(False)\nprint(x, x.requires_grad)",
    X + "y = x * 2\ny.retain_grad()\ny.sum().backward()\nprint(y.grad, x.grad)",
    X + "T.autograd.backward([x.sum()])\nprint(x.grad)",
    X + "y = x * 2\ny.backward(T.ones_like(y))\nprint(x.grad)",
    X + "y = x * 2\ny.backward()",
    LIN + "print(list(m.parameters()))",
    LIN + "print(m.state_dict())",
    LIN + "for n, p in m.named_parameters():\n    print(n, p.shape, p.requires_grad)",
    LIN + "print(m, m.weight, m.bias)",
    LIN + "m.eval(); print(m.training); m.train(); print(m.training)",
    "class Net(T.nn.Module):\n    def __init__(self):\n"
    "        super().__init__()\n        self.fc1 = T.nn.Linear(2, 4)\n"
    "        self.act = T.nn.Tanh()\n        self.fc2 = T.nn.Linear(4, 1)\n"
    "    def forward(self, v):\n        return self.fc2(self.act(self.fc1(v)))\n"
    "print(Net())",
    LIN + "y = m(T.tensor([[1., 2.]])); print(y); y.sum().backward(); "
    "print(m.weight.grad, m.bias.grad)",
    LIN + "T.nn.init.zeros_(m.weight); print(m.weight)",
    LIN + "opt = T.optim.SGD(m.parameters(), lr=0.1)\n"
    "loss = (m(T.tensor([[1., 2.]])) - 1).pow(2).mean()\nloss.backward(); "
    "opt.step(); opt.zero_grad(); print(m.weight, m.weight.grad, loss)",
    "print(T.tensor([[1., 2., 3.], [4., 5., 6.]]).sum(dim=1, keepdim=True))",
    "print(T.arange(12.).reshape(3, 4)[1:, ::2])",
    "print(T.arange(2000.))",
    "print(T.tensor(float('nan')), T.tensor([float('inf'), -float('inf'), 1.]))",
    "print(T.tensor([1.5, 2.25], dtype=T.float64), T.tensor(2., dtype=T.float64) * 3)",
    "print(T.tensor([[1e-5, 1.], [100., 1000.]]))",
    "x = T.tensor(1., requires_grad=True)\ny = x * 2\nprint(f'{y}', "
    "str(y), repr(y), f'{y.item()}')",
    "print(T.Size([2, 3]), T.zeros(2, 3).shape == (2, 3), list(T.zeros(2, 3).shape))",
    "x = T.tensor([2.], requires_grad=True)\nfor _ in range(3):\n    y = x ** 2\n"
    "    y.backward()\nprint(x.grad)",
]


ERRORS_AND_EDGES = [
    "a = T.ones(2, 3); b = T.ones(3, 2); print(a + b)",
    "a = T.ones(2, 3); b = T.ones(2, 3); print(a @ b)",
    "print(T.ones(3) @ T.ones(4))",
    "print(T.ones(2, 3).view(4))",
    "print(T.ones(2, 3).reshape(-1, 4))",
    "print(T.ones(2, 3)[2])",
    "print(T.ones(2, 3)[:, 5])",
    "print(T.ones(2, 3).sum(dim=2))",
    "print(T.cat([T.ones(2, 3), T.ones(3, 2)]))",
    "print(T.stack([T.ones(2), T.ones(3)]))",
    "x = T.tensor([1., 2.], requires_grad=True); x.add_(1)",
    "x = T.tensor([1., 2.], requires_grad=True); print(x.numpy())",
    "print(T.tensor([[1, 2], [3]]))",
    "print(T.tensor('a'))",
    "print(T.ones(2, 3).T.view(6))",
    "print(T.ones(2, 3).T.reshape(6))",
    "x = T.tensor(2., requires_grad=True); y = x * 3; y.backward(); y.backward()",
    "x = T.tensor([1., 2.], requires_grad=True); T.autograd.grad(x.sum(), [T.ones(2)])",
    "x = T.tensor([1., 2.], requires_grad=True); y = x.exp(); "
    "x.add_(1) if False else None; z = y * 2; y.mul_(2); z.sum().backward(); "
    "print(x.grad)",
    "x = T.tensor([1., 2.], requires_grad=True); y = x.exp(); y.mul_(2); y.sum().backward()",
    "print(T.nn.Linear(2, 3)(T.ones(4, 5)))",
    "print(T.nn.functional.cross_entropy(T.ones(2, 3), T.tensor([0., 1.])))",
    "print(T.nn.functional.binary_cross_entropy(T.tensor([0.5, 2.]), T.tensor([1., 0.])))",
    "print(T.nn.MSELoss()(T.ones(2), T.ones(3)))",
    "print(T.optim.SGD([], lr=0.1))",
    "print(T.zeros(2).item())",
    "print(int(T.ones(2)))",
    "print(T.ones(2, 2) == T.ones(2, 2), (T.ones(2, 2) == T.ones(2, 2)).all())",
    "print(bool(T.ones(2)))",
    "x = T.arange(6.).reshape(2, 3); print(x[x > 2], x[1, :], x[..., 0], x[None].shape)",
    "x = T.arange(6.).reshape(2, 3); print(x.max(), x.max(1), x.min(dim=0, keepdim=True))",
    "print(T.tensor([1., 2.]) ** T.tensor([2., 3.]), 2 ** T.tensor([1., "
    "2.]), T.tensor([4.]) ** 0.5)",
    "print(T.tensor([-1., 4.]).sqrt(), T.tensor([0., 1.]).log(), T.tensor([1., 0.]) / 0)",
    "print(T.tensor([1, 2]) / T.tensor([2, 2]), T.tensor([5]) // 2, T.tensor([1, 2]).float() / 2)",
    "x = T.tensor([1., 2., 3.]); print(x.mean(dtype=T.float64), x.sum(dtype=T.float64))",
    "x = T.tensor([1, 2, 3]); print(x.mean())",
    "x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); "
    "y = x.softmax(dim=1); y[:, 0].sum().backward(); print(x.grad)",
    "print(T.nn.functional.log_softmax(T.tensor([[1., 2., 3.]]), dim=1), "
    "T.logsumexp(T.tensor([1., 2.]), 0))",
]

def check_prints_as_torch(code: str) -> None:
    """Run ``code`` under torch and under nbgrad: the same printed text (``torch.`` read as
    ``nbgrad.``, nodes without their addresses), the same error, word for word."""
    want = re.sub(r" at 0x[0-9a-f]+>", ">", _run(torch, code))
    want = want.replace("torch::", "nbgrad::").replace("torch.", "nbgrad.")
    assert _run(nbgrad, code) == want


@pytest.mark.parametrize("code", BASICS + MODULES_AND_MODES + ERRORS_AND_EDGES)
def test_prints_as_torch(code: str) -> None:
    check_prints_as_torch(code)
