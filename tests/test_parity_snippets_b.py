"""A second sweep of lesson-style snippets run under torch 2.13 and nbgrad, in the areas the
first (test_parity_snippets.py, whose runner this reuses) leaves out: printing of every dtype
and of odd values, print options, conversions to Python and NumPy, creation, indexing and
assignment, dtype promotion, reductions and shape errors. What they print, or the error they
raise, must be the same."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import nbgrad

torch = pytest.importorskip("torch")

from test_parity_snippets import check_prints_as_torch  # noqa: E402 - after the skip


@pytest.fixture(autouse=True)
def _default_printoptions() -> Iterator[None]:
    """A snippet that changes the print options and fails midway must not leak them."""
    yield
    torch.set_printoptions(profile="default", sci_mode=None)
    nbgrad.set_printoptions(profile="default", sci_mode=None)


PRINTING = [
    'print(T.tensor([1.5, 2.25], dtype=T.float64))',
    'print(T.tensor([1., 2.], dtype=T.float64))',
    'print(T.tensor([1, 2, 3]), T.tensor([-100, 5]), T.tensor(7))',
    'print(T.tensor([True, False]), T.tensor(True))',
    "print(T.tensor([float('nan'), 1., 2.5]))",
    "print(T.tensor([float('inf'), 1., -float('inf'), 2.5]))",
    "print(T.tensor([float('nan'), float('inf')]))",
    "print(T.tensor([float('nan'), 1e10, 1.]))",
    'print(T.tensor([1e20, 1.]), T.tensor([1e-20, 1.]))',
    'print(T.tensor([1e8, 1.]), T.tensor([1e-4, 1.]), T.tensor([123456789.]))',
    'print(T.tensor([-0., 0.]), T.tensor(-0.), T.tensor([-0., 1.5]))',
    'print(T.arange(24.).reshape(2, 3, 4))',
    'print(T.arange(16.).reshape(2, 2, 2, 2))',
    'print(T.arange(24).reshape(2, 3, 4))',
    'print(T.zeros(0), T.zeros(0, 3), T.zeros(2, 0), T.zeros(0, dtype=T.int64))',
    'print(repr(T.zeros(0, 3)), T.zeros(0, 3).shape, T.tensor([]))',
    'print(T.ones(0, 2, requires_grad=True))',
    'print(T.arange(1001))',
    'print(T.arange(2000.).reshape(40, 50))',
    'print(T.arange(2000.).reshape(2, 1000))',
    'T.set_printoptions(threshold=5); print(T.arange(10.)); '
    "T.set_printoptions(profile='default')",
    'T.set_printoptions(threshold=5, edgeitems=2); print(T.arange(10.), T.arange(36).reshape(6, '
    "6)); T.set_printoptions(profile='default')",
    'T.set_printoptions(linewidth=30); print(T.arange(20.)); '
    "T.set_printoptions(profile='default')",
    'T.set_printoptions(sci_mode=True); print(T.tensor([1., 2.5])); '
    "T.set_printoptions(profile='default')",
    'T.set_printoptions(sci_mode=False); print(T.tensor([1e-8, 1e8])); '
    "T.set_printoptions(profile='default')",
    "T.set_printoptions(profile='short'); print(T.tensor([1.23456, 2.5]), T.arange(2000.)); "
    "T.set_printoptions(profile='default')",
    "T.set_printoptions(profile='full'); print(T.arange(1001)); "
    "T.set_printoptions(profile='default')",
    'T.set_printoptions(precision=6); print(T.tensor([1/3, 2.])); '
    "T.set_printoptions(profile='default'); print(T.tensor([1/3]))",
    'T.set_printoptions(precision=2); print(T.tensor([1/3], dtype=T.float64)); '
    'T.set_printoptions(precision=4)',
    'print(T.tensor([1.5, 2.], dtype=T.float64, requires_grad=True))',
    'x = T.tensor([1.5, 2.], dtype=T.float64, requires_grad=True); print(x * 2, (x * 2).sum())',
    'x = T.tensor([1., 2.]); print(repr(x)); print(str(x)); print(x); print([x])',
    "x = T.tensor(3.14159); print(f'{x}', f'{x:.2f}', format(x, '.3f'), '{:.1f}'.format(x))",
    "x = T.tensor([3.14159]); print(f'{x:.2f}')",
    "x = T.tensor([1., 2.]); print(format(x, '.2f'))",
    "x = T.tensor([1., 2.]); print(f'{x}', format(x), format(x, ''))",
    "x = T.tensor(3); print(f'{x:d}', f'{x:5}', f'{x:.2f}')",
    "x = T.tensor(True); print(f'{x}')",
    's = T.zeros(2, 3, 4).shape; print(s, s[1:], s[-1], s + (5,), (1,) + s, s[::2])',
    's = T.zeros(2, 3, 4).shape; print(type(s[1:]).__name__, s.numel(), len(s), s * 2)',
    's = T.zeros(2, 3).shape; print(s == T.Size([2, 3]), s == [2, 3], tuple(s), s.count(2), '
    's.index(3))',
    "s = T.Size([2, 3]); print(repr(s), str(s), f'{s}', s + T.Size([4]))",
    'print(T.float64, repr(T.int64), T.bool, T.float16, T.uint8, T.int8, T.int16, T.int32)',
    'print(T.float32.is_floating_point, T.int64.is_floating_point, T.bool.is_floating_point, '
    'T.float64.is_signed, T.uint8.is_signed)',
    'print(T.tensor([1.]).dtype.is_floating_point, T.tensor([1]).dtype.is_complex, '
    'T.float32.itemsize)',
    'print(T.tensor([[1.5, -2.], [3., 4.]]), T.tensor([[1, -2], [3, 4]]))',
    'print(T.tensor([1., 2.], dtype=T.float16), T.tensor([1, 2], dtype=T.int32), T.tensor([1, '
    '2], dtype=T.uint8))',
    'print(T.tensor([1, 2], dtype=T.int8), T.tensor([1, 2], dtype=T.int16), T.tensor([1.5], '
    'dtype=T.float16))',
    'print(T.tensor([0.1, 0.25, 1e-3]), T.tensor([1e-5, 1e-6]), T.tensor([12345.6789]))',
    'print(T.tensor([1e5, 1.]), T.tensor([99999., 1.]), T.tensor([1000., 0.001]))',
    "print(T.tensor([[float('nan'), 1.], [float('inf'), -2.]]))",
    'print(T.tensor([1e300, 1.], dtype=T.float64), T.tensor([1e-300], dtype=T.float64))',
    'print(T.tensor([1e40]), T.tensor([3.4e38]) * 10)',
    'print(T.tensor([[[1., 2.]]]), T.zeros(1, 1, 1, 1))',
    'print(T.zeros(2, 0, 3), T.zeros(0, 2, 3).shape, T.zeros(3, 0).sum(0))',
    'print(T.tensor([[True, False], [False, True]]))',
    "print(T.tensor([-1.5, float('nan')]), T.tensor([-float('inf')]))",
    'print(T.tensor([1.123456789, 100.]), T.tensor([1.5e-3, 2.]))',
    'print(T.ones(3, requires_grad=True).sum(), T.ones(2, dtype=T.float64, '
    'requires_grad=True).mean())',
    'print(T.tensor([[1., 2.], [3., 4.]], dtype=T.float64, requires_grad=True))',
    'print(T.tensor([1, 2]) * 1.5, T.tensor([1000000000, 2]), T.tensor([-5, 123456789012]))',
]

CONVERSIONS = [
    'print(float(T.tensor(2.5)), int(T.tensor(2.7)), bool(T.tensor(0.)), int(T.tensor(-2.7)))',
    'print(float(T.tensor([2.5])), int(T.tensor([[3]])), bool(T.tensor([[1.]])))',
    'float(T.tensor([1., 2.]))',
    'int(T.tensor([1, 2]))',
    'bool(T.tensor([1., 2.]))',
    'bool(T.tensor([]))',
    'float(T.tensor([]))',
    'print(len(T.zeros(3, 2)), len(T.zeros(0)))',
    'len(T.tensor(3.))',
    'for v in T.tensor([1., 2.]): print(v)',
    'for row in T.arange(4).reshape(2, 2): print(row, row.shape)',
    'for v in T.tensor(1.): print(v)',
    'print(list(T.tensor([1, 2])), list(T.zeros(0)))',
    'x = T.tensor([1., 2., 3.]); print(2. in x, 5 in x, 2 in x, T.tensor(3.) in x)',
    'x = T.tensor([1., 2., 3.]); print([1., 2.] in x)',
    "x = T.tensor([1., 2., 3.]); print('a' in x)",
    'x = T.tensor([1., 2.]); print(type(hash(x)).__name__, hash(x) == hash(x), {x: 1}[x])',
    'import math; print(math.sqrt(T.tensor(4.)), math.exp(T.tensor(0.)), '
    'math.floor(T.tensor(2.5)))',
    'import math; print(math.sqrt(T.tensor([4.])))',
    'import math; print(math.sqrt(T.tensor([4., 9.])))',
    'print(round(T.tensor(2.567)), round(T.tensor(2.567), 2), round(T.tensor([1.5, 2.5])))',
    'print(round(T.tensor(2.567), 1), type(round(T.tensor(2.5))).__name__)',
    'print(abs(T.tensor(-2.)), -T.tensor([1, 2]), +T.tensor([1.]))',
    'T.tensor([1., 2.]).item()',
    'T.tensor([]).item()',
    'print(T.tensor([[1.]]).item(), T.tensor([True]).item(), T.tensor([3]).item(), '
    'type(T.tensor([3]).item()).__name__)',
    'print(T.tensor([[1, 2], [3, 4]]).tolist(), T.tensor(2.5).tolist(), '
    'T.tensor([True]).tolist(), T.zeros(0).tolist())',
    'print(T.tensor([0.1]).tolist(), T.tensor([0.1], dtype=T.float64).tolist())',
    'x = T.tensor([1., 2.], requires_grad=True); x.numpy()',
    'x = T.tensor([1., 2.], requires_grad=True); print(x.detach().numpy(), x.numpy(force=True))',
    'import numpy as np; x = T.tensor([1., 2.], requires_grad=True); np.array(x)',
    'import numpy as np; print(np.array(T.tensor([1, 2])), np.asarray(T.tensor([1., 2.])).dtype)',
    'import numpy as np; print(T.from_numpy(np.array([1, 2])), T.from_numpy(np.array([1., '
    '2.])), T.from_numpy(np.array([True])))',
    'import numpy as np; print(T.from_numpy(np.array([1, 2], dtype=np.int32)), '
    'T.from_numpy(np.array([1.], dtype=np.float32)))',
    'import numpy as np; T.from_numpy([1, 2])',
    "import numpy as np; T.from_numpy(np.array(['a']))",
    'import numpy as np; print(T.as_tensor([1, 2]), T.as_tensor(np.array([1., 2.])), '
    'T.as_tensor([1, 2], dtype=T.float32))',
    'import numpy as np; a = np.array([1., 2.]); t = T.as_tensor(a); a[0] = 9; print(t)',
    'import numpy as np; t = T.tensor([1., 2.]); print(T.as_tensor(t) is t, T.as_tensor(t, '
    'dtype=T.float64))',
    'import numpy as np; print(T.tensor(np.array([1, 2])), T.tensor(np.array([1., 2.])), '
    'T.tensor(np.array([1., 2.], dtype=np.float32)))',
    'import numpy as np; print(T.tensor([np.float64(2.5), 1.]), T.tensor([np.int32(1), 2]))',
    'print(T.tensor([1, 2.5]), T.tensor([True, 2]), T.tensor([True, 2.5]), T.tensor([[1, 2], '
    '[3., 4]]))',
    'print(T.tensor([[True, False], [1, 0]]), T.tensor([1, True, 2.]).dtype)',
    'print(T.tensor([]).dtype, T.tensor([[]]).shape, T.tensor([[], []]).shape)',
    'print(T.tensor(3.5, dtype=T.int64), T.tensor([1.9, -1.9], dtype=T.int32), T.tensor([2, 0], '
    'dtype=T.bool))',
    'a = T.tensor([1., 2.])\nwith warnings.catch_warnings(record=True) as w:\n'
    "    warnings.simplefilter('always')\n    b = T.tensor(a, requires_grad=True)\n"
    '    print(b, len(w), w[0].category.__name__, str(w[0].message))',
    'a = T.tensor([1., 2.]); b = a.clone(); b[0] = 5; print(a, b, a.is_contiguous(), '
    "a.T.is_contiguous() if a.ndim > 1 else 'v')",
    'a = T.ones(2, 3); print(a.T.is_contiguous(), a.T.contiguous().is_contiguous(), '
    'a.is_contiguous(), a[:, 1].is_contiguous())',
    'a = T.ones(2, 3, requires_grad=True); b = a.clone(); print(b, b.grad_fn, a.contiguous() is '
    'a)',
    'a = T.tensor([[1., 2.], [3., 4.]]); print(a.T.contiguous().view(4), a.t().contiguous())',
    'x = T.tensor([1., 2.], requires_grad=True); y = x.T.contiguous(); print(y.grad_fn)',
    'x = T.ones(2, 3, requires_grad=True); y = x.T.contiguous(); print(y.grad_fn); '
    'y.sum().backward(); print(x.grad)',
    'print(T.tensor([1, 2]).float().dtype, T.tensor([1., 2.]).double(), T.tensor([1.5]).half(), '
    'T.tensor([1.7]).long(), T.tensor([1]).bool())',
    'print(T.tensor([1.5]).to(T.int32), T.tensor([1]).to(T.float64), '
    'T.tensor([1.]).type(T.int64), T.tensor([1.]).type())',
    'print(T.float, T.double, T.long, T.int, T.half, T.short)',
    'print(T.tensor([300]).to(T.uint8), T.tensor([-1]).to(T.uint8), T.tensor([200]).to(T.int8))',
    "print(T.tensor([float('nan')]).long(), T.tensor([float('inf')]).int())",
    'x = T.tensor(5); print(x.item(), type(x.item()).__name__, x.numpy(), '
    'type(x.tolist()).__name__)',
    'print(T.tensor([1.5]).numpy().dtype, T.tensor([1]).numpy().dtype, T.tensor([1.], '
    'dtype=T.float64).numpy().dtype)',
    'import numpy as np; print(T.tensor([1., 2.]) + np.float64(1.), np.float64(1.) * '
    'T.tensor([2.]))',
    'import numpy as np; print((T.tensor([1., 2.]) + np.float64(1.)).dtype, (T.tensor([1]) + '
    'np.int64(1)).dtype)',
    'print(complex(T.tensor(2.)), T.tensor(3).__index__(), [1, 2, 3][T.tensor(1)])',
    'print([1, 2, 3][T.tensor(1.)])',
    'import operator; print(operator.index(T.tensor([2])))',
    'print(T.tensor([1., 2.]).__array__().dtype, T.tensor(2.).__float__())',
    'print(T.finfo(T.float32).eps, T.finfo(T.float64).max, T.iinfo(T.int64).max, '
    'T.finfo(T.float32).tiny)',
    'print(T.finfo(T.float32))',
    'print(T.float32 == T.float, T.float64 is T.double, str(T.int64), T.tensor(1).dtype in '
    '(T.int32, T.int64), hash(T.float32) == hash(T.float))',
    'print(T.Size([2, 3]).numel(), T.Size((2, 3))[0], T.Size([]), T.Size([]).numel(), '
    'T.Size([2, 3]) + (4,))',
    'print(T.Size([2.5]))',
    'x = T.tensor([1., 2.], requires_grad=True); y = x * 2; print(y.tolist(), y.item() if False '
    "else '', y.detach().numpy(), y[0].item())",
    'x = T.tensor([1., 2.], requires_grad=True); y = x * 2; y.numpy()',
    'print(T.tensor([0.1, 0.2]).tolist(), T.tensor([1.], dtype=T.float16).tolist(), '
    'T.tensor([[True]]).tolist())',
    'T.set_printoptions(sci_mode=False); print(T.tensor([1e-8, 1.])); '
    "T.set_printoptions(profile='default'); print(T.tensor([1e-8, 1.]))",
    'T.set_printoptions(precision=2, sci_mode=True); print(T.tensor([123.456])); '
    "T.set_printoptions(profile='default'); print(T.tensor([123.456]))",
    'T.set_printoptions(edgeitems=1, threshold=3); print(T.arange(10), T.arange(27.).reshape(3, '
    "3, 3)); T.set_printoptions(profile='default')",
    'T.set_printoptions(linewidth=40); print(T.arange(30.).reshape(2, 15)); '
    "T.set_printoptions(profile='default')",
    'T.set_printoptions(precision=0); print(T.tensor([1.5, 2.25])); '
    "T.set_printoptions(profile='default')",
    "T.set_printoptions(profile='nonsense')",
    'T.set_printoptions(precision=3); T.set_printoptions(threshold=4); print(T.arange(6.) / 3); '
    "T.set_printoptions(profile='default')",
    'print(T.tensor([1, 2]).is_floating_point(), T.tensor([1., 2.]).is_leaf, '
    'T.tensor([1]).requires_grad, T.tensor([1.]).grad_fn)',
    'x = T.tensor([1., 2.]); print(x.to(T.float64, copy=True).dtype, x.to(x) is x, '
    'x.to(T.float32) is x, x.float() is x, x.double().float() is x)',
    'x = T.tensor([1.5, -2.5]); print(x.int(), x.round(), T.round(x), x.floor().long(), '
    'x.abs().sum().item())',
    'x = T.tensor([1., 2., 3.]); print(x.sum().item() == 6, x.mean().item(), float(x.mean()), '
    "f'{x.mean().item():.3f}', x.std().item())",
    'x = T.arange(6.).reshape(2, 3); print([r.tolist() for r in x], list(x.shape), *x.shape, '
    'x.numpy().shape)',
    'x = T.arange(6.).reshape(2, 3); a, b = x; print(a, b); c, d, e = x.T; print(e)',
    'import numpy as np; a = np.arange(3); t = T.from_numpy(a); t += 1; print(a, t)',
    'import numpy as np; a = np.arange(3.); t = T.tensor(a); t += 1; print(a, t, t.dtype)',
    'import numpy as np; print(T.tensor(np.array([[1, 2], [3, 4]], dtype=np.int32)).dtype, '
    'T.as_tensor(np.array([1, 2], dtype=np.uint8)).dtype, T.tensor(np.array(True)).dtype)',
    'import numpy as np; print(np.float32(2.) * T.tensor([1., 2.]), np.int64(2) * T.tensor([1, '
    '2]), (np.float64(2.) * T.tensor([1.])).dtype)',
]

CREATION = [
    'print(T.arange(0, 1, 0.1), len(T.arange(0, 1, 0.1)))',
    'print(T.arange(0, 1, 0.3), T.arange(1, 2.5, 0.5), T.arange(0., 3))',
    'print(T.arange(1, 0, -0.25), T.arange(5, 0, -1), T.arange(-1, 1, 0.5))',
    'print(T.arange(0, 10, 3), T.arange(0, 10, 3.), T.arange(0.5, 3), T.arange(3).dtype, '
    'T.arange(3.).dtype)',
    'print(T.arange(0, 1, 0.1, dtype=T.float64), T.arange(5, dtype=T.float32), T.arange(0., 5., '
    'dtype=T.int64))',
    'print(T.arange(0, 5, -1))',
    'print(T.arange(0, 5, 0))',
    'print(T.arange(5, 5), T.arange(0, 0.3, 0.1), T.arange(1, 1.3, 0.1))',
    'print(T.arange(0, 2.2, 0.2), len(T.arange(0, 2.2, 0.2)), T.arange(-3, 3, 1.5))',
    'print(T.arange(T.tensor(3)), T.arange(T.tensor(3.)))',
    'print(T.linspace(0, 1, 5), T.linspace(-1, 1, 3), T.linspace(0, 10, 1), T.linspace(0, 1, 0))',
    'print(T.linspace(0, 1, 5, dtype=T.float64), T.linspace(0, 10, 5, dtype=T.int64), '
    'T.linspace(1, 0, 4))',
    'print(T.linspace(0, 1, steps=-1))',
    'print(T.linspace(0, 1))',
    'print(T.linspace(0, 1, 2.5))',
    'print(T.full((2,), 3), T.full((2,), 3.), T.full((2,), True), T.full((1, 2), -1.5))',
    'print(T.full((2,), 3, dtype=T.float32), T.full((2,), 2.7, dtype=T.int64), T.full([2, 2], '
    '0))',
    'print(T.full(2, 3))',
    'print(T.full((2,), 1.5, requires_grad=True), T.full((2,), 1, requires_grad=True))',
    'print(T.eye(3), T.eye(2, 3), T.eye(2, dtype=T.int64), T.eye(0))',
    'print(T.eye(2, 3, dtype=T.bool), T.eye(1, requires_grad=True))',
    'x = T.tensor([[1, 2], [3, 4]]); print(T.empty_like(x).shape, T.empty_like(x).dtype, '
    'T.empty_like(x, dtype=T.float64).dtype)',
    'print(T.zeros(2, 3, dtype=T.int64), T.ones(2, dtype=T.bool), T.zeros((2, 2), '
    'dtype=T.float64))',
    'print(T.zeros([2, 3]).shape, T.zeros(T.Size([1, 2])).shape, T.ones(()).shape, T.ones(()), '
    'T.zeros(0).shape)',
    'print(T.zeros(2, 3, dtype=T.int64, requires_grad=True))',
    'x = T.tensor([1., 2.]); print(T.zeros_like(x, dtype=T.int64), T.ones_like(x, '
    'dtype=T.bool), T.full_like(x, 7))',
    'x = T.tensor([1, 2]); print(T.full_like(x, 2.7), T.ones_like(x), T.zeros_like(x, '
    'dtype=T.float32), T.rand_like(x.float()).shape)',
    'x = T.tensor([1, 2]); print(T.rand_like(x))',
    'x = T.tensor([1, 2]); print(T.randn_like(x))',
    'x = T.tensor([1., 2.], requires_grad=True); y = T.zeros_like(x); print(y, y.requires_grad, '
    'T.ones_like(x, requires_grad=True))',
    'print(T.zeros(-1))',
    'print(T.zeros(2, -3))',
    'print(T.ones(2.5))',
    'print(T.empty(2, 3).shape, T.empty(0).dtype, T.empty((2,), dtype=T.int64).dtype)',
    'print(T.tensor([[1, 2], [3, 4]], dtype=T.float32), T.tensor(5, dtype=T.float64))',
    'x = T.tensor([1, 2]); print(x.new_zeros(2), x.new_ones((1, 2)), x.new_full((2,), 3.5), '
    'x.new_tensor([1.5]))',
    'print(T.zeros(3).fill_(2), T.zeros(2, dtype=T.int64).fill_(2.7), T.ones(2).zero_())',
    'print(T.tril(T.ones(3, 3)), T.triu(T.ones(3, 3), diagonal=1), T.diag(T.tensor([1., 2.])))',
    'print(T.randperm(4).sort().values, T.randint(5, (2, 2)).shape, T.randint(0, 5, (3,), '
    'dtype=T.int32).dtype)',
    'print(T.rand(2, 3, dtype=T.float64).dtype, T.randn(()).shape, T.rand(0).shape, T.randn(2, '
    'requires_grad=True).requires_grad)',
    'print(T.rand(2, dtype=T.int64))',
    'print(T.randint(3, 1, (2,)))',
    'print(T.zeros(2, 3).numel(), T.numel(T.zeros(4)), T.zeros(2, 3).dim(), T.zeros(2, 3).ndim, '
    'T.zeros(2, 3).ndimension())',
    'print(T.zeros(2, 3).nelement(), T.zeros(2, 3).element_size(), T.zeros(2, '
    'dtype=T.float64).element_size())',
    'print(T.is_tensor(T.ones(1)), T.is_tensor([1]), T.is_floating_point(T.ones(1)), '
    'T.ones(1).is_floating_point(), T.tensor([1]).is_floating_point())',
    'print(T.ones(2, 3).size(), T.ones(2, 3).size(-1), T.ones(2, 3).shape[0])',
    'print(T.ones(2, 3).size(2))',
    'print(T.ones(2, 3).shape[2])',
    'print(T.finfo(T.float32).eps, T.finfo(T.float64).max, T.iinfo(T.int64).max, '
    'T.finfo(T.float32).tiny, T.finfo().bits)',
    'print(T.finfo(T.float32), T.finfo(T.float16), T.finfo(T.float64), T.finfo(T.float16).dtype)',
    'print(T.iinfo(T.int64), T.iinfo(T.int8), T.iinfo(T.uint8).max, T.iinfo(T.int32).min)',
    'print(T.finfo(T.int64))',
    'print(T.iinfo(T.float32))',
    'print(T.iinfo(T.bool))',
    'print(T.finfo(1.0))',
    'x = T.tensor([0., 1.]); print(T.log(x + T.finfo(x.dtype).eps))',
    'print(T.ones(2, 3).stride(), T.ones(2, 3).T.stride(), T.ones(2, 3).stride(1), T.ones(2, '
    '3).stride(-1), T.ones(2, 3).expand(4, 2, 3).stride(), T.tensor(1.).stride())',
    'print(T.ones(2).stride(3))',
    'x = T.ones(2, 3); print(x.new_empty(2).shape, x.new_empty((1, 2), dtype=T.int64).dtype)',
]

INDEXING = [
    'x = T.arange(10.); print(x[x > 5], x[T.tensor([True] * 5 + [False] * 5)], x[x > 100])',
    'x = T.arange(6.).reshape(2, 3); m = x > 2; print(x[m], m, x[m].shape, x[T.tensor([True, '
    'False])])',
    'x = T.arange(6.).reshape(2, 3); print(x[T.tensor([True, False, True])])',
    'x = T.arange(6.).reshape(2, 3); print(x[:, T.tensor([True, False, True])], x[[True, '
    'False]])',
    'x = T.arange(10.); print(x[T.tensor([0, 2, 2])], x[T.tensor([[0, 1], [2, 3]])], x[[1, -1]])',
    'x = T.arange(10.); print(x[T.tensor([1.])])',
    'x = T.arange(10.); print(x[T.tensor([10])])',
    'x = T.arange(10.); print(x[[0, 10]])',
    'x = T.arange(6.).reshape(2, 3); print(x[[0, 1], [2, 0]], x[[[0], [1]], [0, 2]], x[:, [0, '
    '0, 2]])',
    'x = T.arange(6.).reshape(2, 3); print(x[None, :, None].shape, x[..., None].shape, '
    'x[None].shape, x[:, None, :].shape)',
    'x = T.arange(24.).reshape(2, 3, 4); print(x[..., 1], x[0, ...], x[..., 1:3, 0], x[1, ..., '
    '-1])',
    'x = T.arange(5.); print(x[-1], x[-5], x[-2:], x[:-2], x[::2], x[1::2], x[::3])',
    'x = T.arange(5.); print(x[-6])',
    'x = T.arange(5.); print(x[5])',
    'x = T.arange(6.).reshape(2, 3); print(x[1, 3])',
    'x = T.arange(6.).reshape(2, 3); print(x[2, 0])',
    'x = T.arange(6.).reshape(2, 3); print(x[0, 0, 0])',
    'x = T.arange(5.); print(x[::-1])',
    'x = T.arange(5.); print(x[4:0:-1])',
    'x = T.arange(5.); print(x[::0])',
    'x = T.arange(5.); print(x[10:], x[2:100], x[-100:2], x[3:1])',
    'x = T.arange(5.); print(x[1.5])',
    "x = T.arange(5.); print(x['a'])",
    'x = T.tensor(3.); print(x[()], x[None], x[...])',
    'x = T.tensor(3.); print(x[0])',
    'x = T.tensor([1., 2., 3.], requires_grad=True); y = x[[0, 0, 2]]; y.sum().backward(); '
    'print(x.grad, y.grad_fn)',
    'x = T.tensor([1., 2., 3.], requires_grad=True); y = x[T.tensor([1, 1, 1])] * T.tensor([1., '
    '2., 3.]); y.sum().backward(); print(x.grad)',
    'x = T.tensor([[1., 2.], [3., 4.]], requires_grad=True); y = x[[0, 0, 1], [1, 1, 0]]; '
    'y.sum().backward(); print(x.grad)',
    'x = T.tensor([1., 2., 3.], requires_grad=True); y = x[x > 1]; y.sum().backward(); '
    'print(x.grad, y.grad_fn)',
    'x = T.tensor([1., 2., 3.], requires_grad=True); y = x[1:]; print(y.grad_fn); '
    'y.sum().backward(); print(x.grad)',
    'x = T.tensor([1., 2., 3.], requires_grad=True); y = x[1]; print(y.grad_fn, '
    'x[None].grad_fn, x[...].grad_fn)',
    'x = T.zeros(2, 3); x[0] = T.tensor([1., 2., 3.]); x[:, 1] = 5; x[1, 2] = -1; print(x)',
    'x = T.zeros(2, 3); x[:] = T.tensor([1., 2., 3.]); print(x); x[...] = T.tensor([[7.], '
    '[8.]]); print(x)',
    'x = T.zeros(2, 3); x[0] = T.tensor([1., 2.])',
    'x = T.zeros(2, 3); x[:, 0] = T.ones(3)',
    'x = T.zeros(3); x[0] = T.tensor([1, 2, 3])[1]; print(x); x[1:] = T.tensor([True, False]); '
    'print(x)',
    'x = T.zeros(3, dtype=T.int64); x[0] = 2.7; x[1] = T.tensor(3.9); x[2] = True; print(x)',
    'x = T.zeros(3, dtype=T.int64); x[:] = T.tensor([1.5, 2.5, -1.5]); print(x)',
    'x = T.zeros(3, dtype=T.bool); x[0] = 5; x[1:] = T.tensor([0., 0.5]); print(x)',
    'x = T.arange(6.); x[x > 2] = 0; print(x); x[T.tensor([0, 1])] = T.tensor([9., 8.]); '
    'print(x)',
    'x = T.arange(6.); x[[0, 0]] = T.tensor([1., 2.]); print(x)',
    'x = T.arange(6.).reshape(2, 3); x[x > 2] = T.tensor([10., 20., 30.]); print(x)',
    'x = T.arange(6.).reshape(2, 3); x[x > 2] = T.tensor([10., 20.])',
    'x = T.arange(6.); x[1] = T.tensor([1., 2.])',
    "x = T.ones(3); x[0] = 'a'",
    'x = T.ones(3); x[0] = None',
    'x = T.ones(3); x[5] = 1.',
    'x = T.ones(3, requires_grad=True); x[0] = 2.',
    'x = T.ones(3, requires_grad=True); y = x * 2; y[0] = 0; y.sum().backward(); print(x.grad, '
    'y.grad_fn)',
    'x = T.ones(3, requires_grad=True); y = x.clone(); y[1:] = y[1:] * 3; y.sum().backward(); '
    'print(x.grad)',
    'x = T.ones(3); w = T.tensor(5., requires_grad=True); x[0] = w; print(x, x.grad_fn); '
    'x.sum().backward(); print(w.grad)',
    'x = T.arange(12).reshape(3, 4); print(x[1:, ::2], x[:, -1], x[-1, :], x[:, 1:3].shape, '
    'x[[0, 2]][:, [1, 3]])',
    'x = T.arange(12).reshape(3, 4); print(x[[0, 2], 1:], x[T.tensor([0, 2]), None].shape, '
    'x[1][2], x[1][2].item())',
    'x = T.arange(12).reshape(3, 4); idx = T.tensor([[0, 1], [1, 2]]); print(x[idx].shape, '
    'x[idx, 0], x[0, idx])',
    'x = T.arange(12).reshape(3, 4); print(x[[0, 1], [0, 1, 2]])',
    'x = T.arange(4.); print(x[T.tensor(2)], x[T.tensor([2])], x[T.tensor(True)].shape, '
    'x[T.tensor(False)].shape)',
    'x = T.arange(4.); print(x[[]], x[T.tensor([], dtype=T.int64)])',
    'x = T.arange(4.); print(x[T.tensor([])])',
    'x = T.arange(4.); print(x[(1,)], x[[1]], x[(1, )].shape)',
    'x = T.arange(12.).reshape(3, 4); print(x[(0, 1)], x[[0, 1]].shape, x[(slice(None), 1)])',
    'x = T.arange(12.).reshape(3, 4); v = x[0]; v[0] = 100; print(x[0], x[:, 0])',
    'x = T.arange(12.).reshape(3, 4); v = x[[0]]; v[0, 0] = 100; print(x[0])',
    'x = T.arange(4.); x[1:3] += 10; print(x); x[[0]] *= 2; print(x)',
    'x = T.arange(4.); x[x > 1] += 1; print(x)',
    'x = T.arange(6.).reshape(2, 3); x[0, [0, 1]] = T.ones(3)',
    'x = T.arange(6.).reshape(2, 3); x[:, [0, 1]] = T.ones(3)',
    'x = T.arange(6.).reshape(2, 3); x[[0, 1]] = T.ones(2, 2)',
    'x = T.arange(6.).reshape(2, 3); x[[0, 1]] = T.ones(1, 1, 2, 3); print(x)',
    'x = T.arange(6.).reshape(2, 3); x[[0, 1]] = T.ones(2, 1, 3)',
    'x = T.arange(6.).reshape(2, 3); x[[True, False]] = T.ones(2)',
    'x = T.arange(6.).reshape(2, 3); x[1:] = T.ones(2, 3)',
    'x = T.arange(6.).reshape(2, 3); x[1] = T.ones(2)',
    'x = T.arange(6.).reshape(2, 3).requires_grad_(); y = x * 1; y[[0, 1]] = T.ones(2, 2)',
    'x = T.arange(6.).reshape(2, 3).requires_grad_(); y = x * 1; y[y > 2] = T.ones(2)',
]

PROMOTION = [
    "print(2 ** T.tensor([-1, 2]), 1 ** T.tensor([-1, 2]), (-1) ** T.tensor([-1, -2, 3]))",
    "print(T.tensor([0, 1, -1, 2, -2, 3]) ** T.tensor(-1), "
    "T.tensor([0, 1, -1, 2, -2, 3]) ** T.tensor(-2))",
    "print(T.tensor([1, 2], dtype=T.int8) ** T.tensor([-1, -1], dtype=T.int8), "
    "T.tensor([1, 2]).pow(T.tensor(-3)))",
    'a = T.tensor([1, 2], dtype=T.int32); b = T.tensor([1, 2], dtype=T.int16); print(a + b, (a '
    '+ b).dtype, (a * 2).dtype, (a * 2.5).dtype, (a / 2).dtype)',
    'a = T.tensor([1, 2], dtype=T.int8); b = T.tensor([1, 2], dtype=T.uint8); print((a + '
    'b).dtype, (b + 1).dtype, (b - 3), (a * b).dtype)',
    'a = T.tensor([200, 100], dtype=T.uint8); print(a + a, a * 2, a - 250, -a)',
    'a = T.tensor([1., 2.], dtype=T.float16); b = T.tensor([1., 2.]); print((a + b).dtype, (a + '
    '1).dtype, (a * 2.5).dtype, (a + T.tensor(1., dtype=T.float64)).dtype)',
    'a = T.tensor([1., 2.], dtype=T.float64); b = T.tensor([1., 2.]); print(a + b, (a * '
    'b).dtype, (b + T.tensor(2., dtype=T.float64)).dtype)',
    'a = T.tensor([1, 2]); b = T.tensor([1., 2.], dtype=T.float16); print((a + b).dtype, (a / '
    'b).dtype, (T.tensor(3) * b).dtype)',
    'a = T.tensor([1, 2], dtype=T.int32); print((a + T.tensor(5)).dtype, (a + '
    'T.tensor(5.)).dtype, (a + T.tensor(5., dtype=T.float64)).dtype)',
    'a = T.tensor([True, False]); print(a + a, a * 2, a + 1.5, (a * a).dtype, a - a)',
    'a = T.tensor([True, False]); print(-a)',
    'a = T.tensor([True, False]); print(a + True, a & True, a | False, (a + True).dtype)',
    'a = T.tensor([1, 2]); print(a ** 2, a ** 0.5, a ** -1.0, 2 ** a, 2.0 ** a, a ** a)',
    'a = T.tensor([1, 2]); print(a ** -1)',
    'a = T.tensor([1, 2]); print(a ** T.tensor(-1))',
    'a = T.tensor([1, 2]); print(a.pow(-2))',
    'a = T.tensor([2, 3]); print(a ** T.tensor([-1, 2]))',
    'a = T.tensor([1, 2]); print(a ** 0, T.tensor([0, 3]) ** 0, T.tensor([-2]) ** 3)',
    'a = T.tensor([1., 2.]); print(a ** -1, a ** T.tensor(-1), a ** T.tensor([2, 3]), (a ** '
    'T.tensor([2, 3])).dtype)',
    'a = T.tensor([5, -5]); print(a // 2, a % 3, a / 2, a // -2, a % -3, a // 2.0, (a // '
    '2.0).dtype)',
    'a = T.tensor([5, -5]); print(a // 0)',
    'a = T.tensor([5, -5]); print(a % 0)',
    'a = T.tensor([5., -5.]); print(a // 0, a % 0, a / 0, T.tensor([0.]) / 0)',
    'a = T.tensor([5, 0]); print(a / 0, T.tensor(0) / T.tensor(0))',
    "a = T.tensor([7, -7]); print(T.div(a, 2, rounding_mode='floor'), T.div(a, 2, "
    "rounding_mode='trunc'), a.div(2))",
    'a = T.tensor([1, 2]); a += 1; print(a); a *= 3; print(a)',
    'a = T.tensor([1, 2]); a += 1.5',
    'a = T.tensor([1, 2]); a /= 2',
    'a = T.tensor([1, 2]); a *= 1.5',
    'a = T.tensor([1, 2]); a -= T.tensor([0.5, 0.5])',
    'a = T.tensor([1, 2]); a.add_(T.tensor(1.))',
    'a = T.tensor([True, False]); a += 1',
    'a = T.tensor([1., 2.]); a += T.tensor([1, 2]); print(a); a *= T.tensor([True, False]); '
    'print(a)',
    'a = T.tensor([1., 2.]); a += T.tensor([1., 2.], dtype=T.float64); print(a, a.dtype)',
    'a = T.tensor([1, 2], dtype=T.int32); a += T.tensor([1, 2]); print(a, a.dtype)',
    'a = T.tensor([1., 2.], dtype=T.float16); a *= 3; print(a)',
    'a = T.tensor([1, 2]); a //= 2; print(a); a %= 2; print(a)',
    'a = T.tensor([1, 2]); a **= 2; print(a)',
    'a = T.tensor([1., 2.]); a **= 2; print(a); a /= T.tensor([2, 4]); print(a)',
    'a = T.tensor([1, 2]); a.div_(2)',
    'a = T.tensor([1, 2]); a.mul_(0.5)',
    'a = T.tensor([1, 2]); a.sqrt_()',
    'a = T.tensor([1, 2]); print(a.sqrt(), a.exp(), a.sin().dtype, T.tensor([True]).exp(), '
    'T.log(T.tensor([1, 4])))',
    'a = T.tensor([1, 2]); b = T.tensor([1, 3]); print(a == b, a < 1.5, a >= T.tensor([1., '
    '2.5]), a == 1.0, (a > 1).dtype)',
    'a = T.tensor([1., 2.]); print(a == 1, a != T.tensor([1, 3]), a > True, T.tensor([True]) == '
    '1)',
    'a = T.tensor([1., 2.], dtype=T.float16); print(a + T.tensor([1, 2], dtype=T.int64), (a < '
    '1.5))',
    'print(T.tensor([3]) * T.tensor([0.5], dtype=T.float64), T.tensor(3) * 0.5, (T.tensor(3) * '
    '0.5).dtype)',
    'print(T.tensor(2) ** 10, T.tensor(2) ** 0.5, T.tensor(2.) ** 10, T.tensor(2, dtype=T.int8) '
    '** 8)',
    'print(T.tensor([1, 2]) * T.tensor(1.5, dtype=T.float64), (T.tensor(1, dtype=T.int8) + '
    'T.tensor(1, dtype=T.int16)).dtype)',
    'print(T.tensor([1]) + T.tensor([2**62]), T.tensor([2**62]) * 4)',
    'print(T.tensor(2**63))',
    'print(T.result_type(T.tensor([1]), 1.), T.promote_types(T.int32, T.float16), '
    'T.promote_types(T.uint8, T.int8), T.result_type(2, 3.))',
    'print(T.can_cast(T.float32, T.int32), T.can_cast(T.int32, T.float32))',
    'print(T.tensor([1, 2]).sum().dtype, T.tensor([1, 2], dtype=T.int32).sum().dtype, '
    'T.tensor([True, True]).sum(), T.tensor([1, 2], dtype=T.uint8).sum().dtype)',
    'print(T.tensor([1, 2], dtype=T.int32).prod().dtype, T.tensor([1, 2], '
    'dtype=T.int8).cumsum(0).dtype, T.tensor([True, False]).cumsum(0))',
    'print(T.tensor([1, 2], dtype=T.int32).max(), T.tensor([1, 2], dtype=T.int32).argmax(), '
    'T.tensor([True, False]).max())',
    'print(T.tensor([1.5, 2.5], dtype=T.float16).sum(), T.tensor([1., 2.], '
    'dtype=T.float16).mean())',
    'print(T.maximum(T.tensor([1, 5]), T.tensor([2., 3.])), T.where(T.tensor([True, False]), '
    'T.tensor([1, 2]), T.tensor([1.5, 2.5])))',
    'print(T.where(T.tensor([True, False]), T.tensor([1, 2]), 0.5), T.where(T.tensor([True, '
    'False]), 1, 0), T.where(T.tensor([True, False]), 1., 0))',
    'print(T.clamp(T.tensor([1, 5]), min=2.5), T.clamp(T.tensor([1, 5]), max=T.tensor(3)))',
    'print(T.tensor([1, 2]) @ T.tensor([3, 4]), T.tensor([[1, 2]]) @ T.tensor([[1.], [2.]]))',
    'print(T.tensor([1., 2.]) @ T.tensor([1., 2.], dtype=T.float64))',
]

REDUCTIONS_AND_SHAPE = [
    'x = T.arange(24.).reshape(2, 3, 4); print(x.sum((0, 2)), x.sum(dim=(0, 1)), x.mean((1, '
    '2)), x.sum([0, 1, 2]))',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.sum((0, 2), keepdim=True).shape, '
    'x.mean(dim=(-1, -2), keepdim=True).shape, x.sum(()).shape)',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.sum((0, 0)))',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.sum((0, 3)))',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.sum(-4))',
    'x = T.arange(6).reshape(2, 3); print(x.mean())',
    'x = T.arange(6).reshape(2, 3); print(x.mean(0))',
    'x = T.arange(6).reshape(2, 3); print(T.mean(x, dim=1))',
    'x = T.arange(6).reshape(2, 3); print(x.mean(dtype=T.float32), x.float().mean(1), x.sum(1), '
    'x.sum(dtype=T.float64))',
    'x = T.tensor([True, False, True]); print(x.mean())',
    'x = T.tensor([True, False, True]); print(x.sum(), x.float().mean(), x.any(), x.all(), '
    'x.prod())',
    'x = T.arange(6.).reshape(2, 3); print(x.max(dim=1)); print(x.min(0))',
    'x = T.arange(6.).reshape(2, 3); r = x.max(1); print(type(r).__name__, r[0], r[1], len(r), '
    'r.values.dtype, r.indices.dtype)',
    'x = T.arange(6.).reshape(2, 3); v, i = x.max(dim=0, keepdim=True); print(v, i)',
    'x = T.arange(6.).reshape(2, 3); r = x.max(1); print(repr(r)); print(str(r)); '
    'print(list(r)); print(tuple(r))',
    "x = T.arange(6.).reshape(2, 3); r = x.max(1); print(f'{r}')",
    'x = T.arange(6.).reshape(2, 3).requires_grad_(); r = x.max(1); print(r); '
    'r.values.sum().backward(); print(x.grad)',
    'x = T.tensor([[1, 5], [7, 2]]); print(x.max(1), x.argmax(1), x.argmin(), x.max(), T.max(x, '
    '0))',
    'x = T.tensor([[1., 5.], [7., 2.]]); print(T.max(x, T.tensor([[2., 2.], [2., 2.]])), '
    'T.max(x, dim=1).indices)',
    'x = T.tensor([[1., 5.], [7., 2.]]); print(x.argmax(dim=0, keepdim=True), '
    'x.argmax(0).dtype, T.argmax(x), x.argmax(-1))',
    'x = T.tensor([[1., 5.], [7., 2.]]); print(x.argmax(2))',
    'x = T.tensor([1., 3., 3., 2.]); print(x.argmax(), x.argmin(), x.max(0), '
    'T.tensor([]).sum(), T.tensor([]).mean())',
    'print(T.tensor([]).max())',
    'print(T.tensor([]).argmax())',
    'print(T.zeros(0, 3).max(1), T.zeros(0, 3).sum(0))',
    'print(T.zeros(0, 3).max(0))',
    'x = T.ones(2, 3).T; print(x.view(6))',
    'x = T.ones(2, 3).T; print(x.view(3, 2), x.view(-1, 2).shape)',
    'x = T.ones(4, 4)[:, :2]; print(x.view(8))',
    'x = T.ones(4, 4)[::2]; print(x.view(8).shape, x.reshape(-1).shape)',
    'x = T.arange(6.).reshape(2, 3); print(x.reshape(-1), x.reshape(3, -1), x.reshape(-1, '
    '1).shape, x.view(-1, 3, 1).shape)',
    'x = T.arange(6.).reshape(2, 3); print(x.reshape(-1, -1))',
    'x = T.arange(6.).reshape(2, 3); print(x.view(-1, 4))',
    'x = T.arange(6.).reshape(2, 3); print(x.reshape(4, 2))',
    'x = T.arange(6.).reshape(2, 3); print(x.view(0, -1))',
    'x = T.arange(6.).reshape(2, 3); print(x.reshape(()), )',
    'x = T.tensor([5.]); print(x.reshape(()), x.view(()), x.view([]).shape, '
    'T.tensor(5.).view(1, 1))',
    "x = T.zeros(0, 3); print(x.reshape(-1).shape, x.view(0, -1).shape if False else 'skip', "
    'x.reshape(3, 0).shape)',
    'x = T.zeros(0, 3); print(x.reshape(-1, 0))',
    'x = T.ones(2, 1, 3); print(x.squeeze().shape, x.squeeze(1).shape, x.squeeze(0).shape, '
    'x.squeeze(-2).shape, x.squeeze((0, 1)).shape)',
    'x = T.ones(2, 1, 3); print(x.squeeze(3))',
    'x = T.ones(2, 1, 3); print(x.squeeze(-4))',
    'x = T.ones(2, 3); print(x.unsqueeze(0).shape, x.unsqueeze(2).shape, x.unsqueeze(-1).shape, '
    'x.unsqueeze(-3).shape)',
    'x = T.ones(2, 3); print(x.unsqueeze(3))',
    'x = T.ones(2, 3); print(x.unsqueeze(-4))',
    'x = T.ones(2, 3); print(x.unsqueeze())',
    'x = T.ones(2, 3); print(x.unsqueeze((0, 1)))',
    'x = T.tensor(1.); print(x.squeeze(), x.squeeze(0), x.unsqueeze(0), x.squeeze(-1), '
    'x.unsqueeze(-1))',
    'x = T.tensor(1.); print(x.squeeze(1))',
    'x = T.ones(2, 3, 4); print(x.permute(2, 0, 1).shape, x.permute((1, 2, 0)).shape, '
    'x.permute(-1, 0, 1).shape)',
    'x = T.ones(2, 3, 4); print(x.permute(0, 1))',
    'x = T.ones(2, 3, 4); print(x.permute(0, 1, 1))',
    'x = T.ones(2, 3, 4); print(x.permute(0, 1, 3))',
    'x = T.ones(2, 3, 4); print(x.permute(0, 1, 2, 3))',
    'x = T.ones(2, 3, 4); print(x.transpose(0, 3))',
    'x = T.arange(6.).reshape(2, 3); print(x.mT, x.mT.shape, x.T.T.shape, T.tensor([1., 2.]).T, '
    'T.tensor(1.).T)',
    'x = T.tensor([1., 2.]); print(x.mT)',
    'x = T.ones(2, 3, 4); print(x.t())',
    "x = T.tensor([1., 2.]); print(x.t(), x.H if False else '', T.t(T.tensor(3.)))",
    'x = T.arange(6.).reshape(2, 3); print(x.mH, x.H)',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.flatten(1).shape, x.flatten(-2).shape, '
    'x.flatten(0, 1).shape, T.flatten(x, 1, 2).shape)',
    'x = T.arange(24.).reshape(2, 3, 4); print(x.flatten(2, 1))',
    'x = T.arange(6.).reshape(2, 3); print(x.expand(2, 2, 3).shape, x[:, :1].expand(-1, 4), '
    'x.expand_as(T.ones(4, 2, 3)).shape)',
    'x = T.arange(6.).reshape(2, 3); print(x.expand(3, 3))',
    'x = T.arange(6.).reshape(2, 3); print(x.expand(3))',
    'x = T.arange(6.).reshape(2, 3); print(x.size(), x.size(0), x.size(-1), x.size(dim=1), '
    'x.shape[-2:])',
    'x = T.arange(6.).reshape(2, 3); print(x.std(0), x.var(1, unbiased=False), '
    'x.std(correction=0), x.var(dim=(0, 1)))',
    'x = T.arange(6.).reshape(2, 3); print(x.prod(1), x.cumsum(1), x.cumprod(0), x.norm(dim=1), '
    'x.logsumexp(1))',
    'x = T.arange(6).reshape(2, 3); print(x.std())',
    'x = T.arange(6).reshape(2, 3); print(x.var(0))',
    'x = T.ones(2, 3); print(T.cat([x, x], 1).shape, T.cat((x, x), dim=-1).shape, T.stack([x, '
    'x], 2).shape, T.cat([x]).shape)',
    'print(T.cat([T.ones(2, 3), T.ones(2, 3)], dim=2))',
    'print(T.cat([]))',
    'print(T.stack([T.ones(2), T.ones(2)], dim=2))',
    'print(T.cat([T.ones(2), T.ones(2, dtype=T.int64)]), T.cat([T.ones(2, dtype=T.int64), '
    'T.ones(2, dtype=T.bool)]).dtype)',
    'print(T.ones(6).split(4), T.ones(6).chunk(4), T.arange(6).split([1, 5]))',
    'print(T.tensor([]).argmin())',
    'print(T.zeros(0, 3).argmax(1), T.zeros(2, 0).argmin(0))',
    'print(T.zeros(0, 3).argmax(0))',
    'print(T.zeros(0, 3).argmin(-2))',
    'x = T.arange(6.).reshape(2, 3); r = x.max(1); print(type(r).__name__, type(r), '
    'type(x.sort()), type(x.topk(1)), type(x.min(0)))',
    'x = T.ones(2, 1, 3, requires_grad=True); print(x.squeeze((0, 1)).grad_fn, '
    'x.squeeze([1]).shape, x.squeeze(()).shape)',
    'x = T.ones(2, 1, 3); print(x.squeeze((1, -2)))',
    'x = T.ones(2, 1, 3); print(x.squeeze((1, 5)))',
    'x = T.ones(2, 1, 3); print(T.squeeze(x, (0, 1)).shape, T.squeeze(x, [2, 1]).shape)',
    'x = T.ones(2, 3); print(x.unsqueeze(1.5))',
    'x = T.ones(2, 3); print(T.unsqueeze(x))',
    'x = T.ones(2, 3); print(T.unsqueeze(x, (0,)))',
    'print(T.ones(2).mH)',
    'print(T.ones(2).H)',
    'print(T.ones(2, 2, 2).H)',
    'x = T.arange(6.).reshape(2, 3).requires_grad_(); print(x.H, x.mH.grad_fn, T.tensor(1.).H, '
    'T.tensor(1.).mT)',
    'x = T.ones(2, 1, 3, requires_grad=True); print(x.swapaxes(0, 2).grad_fn, x.swapdims(0, '
    '1).shape, T.swapaxes(x, 0, 1).shape, T.swapdims(x, 2, 1).shape)',
    'x = T.ones(2, 3, requires_grad=True); print(x.T.unflatten(0, (3, 1)).grad_fn, '
    'x.unflatten(1, (-1, 3)).shape, x.unflatten(-1, (3,)))',
    'x = T.ones(2, 3); print(x.unflatten(1, (2, 2)))',
    'x = T.ones(2, 3); print(x.unflatten(1, (-1, 2)))',
    'x = T.ones(2, 3); print(x.unflatten(1, 3))',
    'x = T.ones(2, 3); print(T.unflatten(x, 1, 3))',
    'x = T.ones(2, 3); print(x.unflatten(1, []))',
    'x = T.ones(2, 3); print(x.unflatten(5, (3, 1)))',
    'x = T.ones(2, 3, requires_grad=True); y = x.unflatten(1, (3, 1)); y.sum().backward(); '
    'print(y.shape, x.grad)',
]


# Differences left as they are, each for the reason given.
KNOWN = [
    pytest.param(
        "x = T.arange(12).reshape(3, 4); print(x[T.tensor([1, 0, 1], dtype=T.uint8)])",
        marks=pytest.mark.xfail(strict=True, reason="torch reads a uint8 index as a mask "
                                "(deprecated, with a warning); nbgrad as indices")),
    pytest.param(
        "a = T.tensor([100, 50], dtype=T.int8); print(a + 1000)",
        marks=pytest.mark.xfail(strict=True, reason="torch wraps a Python int too large for "
                                "the tensor's dtype; NumPy raises OverflowError, and catching "
                                "it would cost every op")),
    pytest.param(
        "print(T.tensor([1, 2], dtype=T.uint8) > -1)",
        marks=pytest.mark.xfail(strict=True, reason="torch casts -1 to uint8 (255) before "
                                "comparing; NumPy compares the values")),
    pytest.param(
        "x = T.arange(24.).reshape(2, 3, 4); print(x[..., ...].shape)",
        marks=pytest.mark.xfail(strict=True, reason="torch takes several ellipses; rare")),
    "print(T.tensor([[1., 5.], [7., 2.]]).median())",
]


@pytest.mark.parametrize(
    "code", PRINTING + CONVERSIONS + CREATION + INDEXING + PROMOTION + REDUCTIONS_AND_SHAPE
    + KNOWN)
def test_prints_as_torch(code: str) -> None:
    check_prints_as_torch(code)
