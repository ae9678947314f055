"""``nbgrad.utils.data`` against ``torch.utils.data``: datasets, samplers, collating and the
``DataLoader``, printed the same and failing in the same words; shuffles reproducible under
``nbgrad.manual_seed``; a training loop over a loader that runs unchanged under both."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.data import make_blobs, make_line, make_moons
from nbgrad.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    random_split,
)


def check_prints_as_torch(code: str) -> None:
    """The parity check, and a guard that the snippet got past its set-up under torch (a
    snippet failing the same way under both from a slip in the test would pass)."""
    torch = pytest.importorskip("torch")
    from test_parity_snippets import _run
    from test_parity_snippets import check_prints_as_torch as check

    assert not any(e in _run(torch, code) for e in ("NameError", "ModuleNotFoundError"))
    check(code)


# the names of T.utils.data, as `from torch.utils.data import *` gives them
D = ("import numpy as np\n"
     "for _n in T.utils.data.__all__:\n    globals()[_n] = getattr(T.utils.data, _n)\n")
DS = D + "X = T.arange(10.).reshape(5, 2); y = T.arange(5); ds = TensorDataset(X, y)\n"

DATASETS = [
    DS + "print(ds[0], len(ds), ds[1:3], ds[-1], type(ds[0]).__name__)",
    DS + "print(ds.tensors[1], isinstance(ds, Dataset))",
    D + "TensorDataset(T.zeros(3, 2), T.zeros(4))",
    D + "print(len(TensorDataset(T.zeros(3, 2), T.zeros(3), T.zeros(3, 1, 1))))",
    D + "class Squares(Dataset):\n    def __init__(self, n): self.n = n\n"
    "    def __len__(self): return self.n\n"
    "    def __getitem__(self, i): return {'x': T.tensor([float(i)]), 'y': i * i}\n"
    "print(list(DataLoader(Squares(5), batch_size=2)))",
    D + "Dataset()[0]",
    D + "len(Dataset())",
    D + "class A(Dataset):\n    def __getitem__(self, i): return i\n"
    "    def __len__(self): return 3\n"
    "c = A() + A()\nprint(type(c), len(c), c[4], c[-1], c.cumulative_sizes, "
    "list(c.datasets)[0] is not None)",
    D + "c = ConcatDataset([TensorDataset(T.arange(3)), TensorDataset(T.arange(10, 12))])\n"
    "print(len(c), c[3], c[-1], [len(b[0]) for b in DataLoader(c, batch_size=2)])",
    D + "c = ConcatDataset([range(3), range(2)]); c[5]",
    D + "c = ConcatDataset([range(3), range(2)]); c[-6]",
    D + "ConcatDataset([])",
    D + "s = Subset(TensorDataset(T.arange(10) * 10), [7, 2, 5])\n"
    "print(len(s), s[0], s[-1], list(DataLoader(s, batch_size=2)))",
    D + "print(Subset(range(10), [1, 2, 3])[1]); Subset(range(10), [1, 2])[5]",
    D + "print(Subset(list(range(10)), [4, 5]).__getitems__([1, 0]))",
    D + "class S(Subset):\n    def __getitem__(self, i): return 0\nS(range(3), [0])",
    D + "st = StackDataset(range(3), range(10, 13)); print(len(st), st[1])\n"
    "print(StackDataset(a=range(2), b=range(2))[1], list(DataLoader(st, batch_size=2)))",
    D + "StackDataset(range(3), range(2))",
    D + "StackDataset()",
    D + "StackDataset(range(2), b=range(2))",
]

SPLITS = [
    D + "print([len(s) for s in random_split(range(10), [3, 7])])",
    D + "print([len(s) for s in random_split(range(10), [0.3, 0.7])])",
    D + "print([len(s) for s in random_split(range(11), [0.5, 0.5])])",
    D + "print([len(s) for s in random_split(range(7), [0.1, 0.1, 0.8])])",
    D + "print([len(s) for s in random_split(range(3), [0.05, 0.95])])",
    D + "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
    "    print([len(s) for s in random_split(range(10), [1, 0])])\n"
    "print(w[0].category.__name__, w[0].message)",
    D + "random_split(range(10), [0.3, 0.6])",
    D + "random_split(range(10), [0.5, 0.6])",
    D + "random_split(range(10), [1.5, -0.5])",
    D + "random_split(range(10), [3, 6])",
    D + "a, b = random_split(range(10), [4, 6])\n"
    "print(type(a), type(a.indices).__name__, sorted(list(a) + list(b)), a.dataset)",
    D + "g = T.Generator().manual_seed(42)\n"
    "print([len(s) for s in random_split(range(30), [0.3, 0.3, 0.4], generator=g)])",
    D + "a, b = random_split(TensorDataset(T.arange(8.)), [0.75, 0.25])\n"
    "print([(x.shape, x.dtype) for (x,) in DataLoader(a, batch_size=4)], len(b))",
]

X_ = "X = T.arange(10.).reshape(5, 2); y = T.arange(5); ds = TensorDataset(X, y)\n"
LOADERS = [
    DS + "dl = DataLoader(ds, batch_size=2)\nprint(len(dl), list(dl))",
    DS + "dl = DataLoader(ds, batch_size=2, drop_last=True)\nprint(len(dl), list(dl))",
    DS + "dl = DataLoader(ds)\nprint(len(dl), next(iter(dl)))",
    DS + "dl = DataLoader(ds, batch_size=None)\nprint(len(dl), list(dl)[:2])",
    DS + "dl = DataLoader(ds, batch_size=32)\nfor xb, yb in dl:\n"
    "    print(xb.shape, xb.dtype, yb.shape, yb.dtype)",
    DS + "dl = DataLoader(ds, batch_size=2, shuffle=True)\n"
    "b = list(dl); print(len(dl), [x.shape for x, _ in b])\n"
    "print(sorted(T.cat([yb for _, yb in b]).tolist()))",
    DS + "dl = DataLoader(ds, batch_size=3)\nit = iter(dl)\n"
    "print(type(it), len(it), iter(it) is it, next(it)[1], next(it)[1])\nnext(it)",
    DS + "dl = DataLoader(ds, batch_size=2)\nprint(dl.batch_size, dl.drop_last, dl.num_workers,"
    " type(dl.sampler), type(dl.batch_sampler), dl.collate_fn.__name__, dl.generator,"
    " dl.dataset is ds)",
    DS + "print(type(DataLoader(ds, shuffle=True).sampler), "
    "DataLoader(ds, batch_size=None).collate_fn.__name__, DataLoader(ds, batch_size=None)"
    ".batch_sampler)",
    DS + "print(len(DataLoader(ds, num_workers=2, batch_size=2)), "
    "list(DataLoader(ds, num_workers=2, batch_size=2))[-1])",
    DS + "dl = DataLoader(ds)\ndl.batch_size = 3",
    DS + "dl = DataLoader(ds)\ndl.shuffle = 3; print(dl.shuffle)",
    DS + "DataLoader(ds, num_workers=-1)",
    DS + "DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)",
    DS + "DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 3, False), "
    "batch_size=2)",
    DS + "DataLoader(ds, batch_size=None, drop_last=True)",
    DS + "DataLoader(ds, batch_size=0)",
    DS + "DataLoader(ds, batch_size=2.0)",
    DS + "DataLoader(ds, drop_last=1)",
    DS + "DataLoader(ds, prefetch_factor=2)",
    DS + "DataLoader(ds, persistent_workers=True)",
    DS + "DataLoader(ds, timeout=-1)",
    DS + "dl = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 2, True))\n"
    "print(len(dl), [b[1].tolist() for b in dl])",
    DS + "print(list(DataLoader(ds, batch_size=4, sampler=[4, 3, 1])))",
    DS + "print([b[1].tolist() for b in DataLoader(ds, batch_size=2, sampler=range(4, -1, -2))])",
    DS + "print([b[1].tolist() for b in DataLoader(ds, batch_size=2, "
    "collate_fn=lambda batch: [len(batch), batch[0]])])",
    DS + "print(list(DataLoader(ds, batch_size=2, sampler=SubsetRandomSampler([4]))))",
    DS + "with warnings.catch_warnings(record=True) as w:\n    warnings.simplefilter('always')\n"
    "    print(len(list(DataLoader(ds, pin_memory=True))))\nprint(w[0].message)",
    D + "class Count(T.utils.data.IterableDataset):\n    def __init__(self, n): self.n = n\n"
    "    def __iter__(self): return iter(range(self.n))\n"
    "print(list(DataLoader(Count(5), batch_size=2)), "
    "list(DataLoader(Count(5), batch_size=2, drop_last=True)), list(DataLoader(Count(3))), "
    "list(DataLoader(Count(3), batch_size=None)), list(DataLoader(Count(2) + Count(2))))",
    D + "class Count(T.utils.data.IterableDataset):\n"
    "    def __iter__(self): return iter(range(3))\n"
    "DataLoader(Count(), shuffle=True)",
]

COLLATE = [
    D + "print(list(DataLoader([1, 2, 3], batch_size=2)), "
    "list(DataLoader([1., 2., 3.], batch_size=2)), list(DataLoader([True, False])))",
    D + "print(list(DataLoader([(1, 2.0, 'a'), (3, 4.0, 'b')], batch_size=2)))",
    D + "print(list(DataLoader([{'x': 1, 'y': [1, 2]}, {'x': 2, 'y': [3, 4]}], batch_size=2)))",
    D + "list(DataLoader([[1, 2], [3]], batch_size=2))",
    D + "list(DataLoader([object(), object()], batch_size=2))",
    D + "list(DataLoader([None, None], batch_size=2))",
    D + "print(list(DataLoader([np.float32(1), np.float32(2)], batch_size=2)), "
    "list(DataLoader([np.array([1, 2]), np.array([3, 4])], batch_size=2)))",
    D + "print(list(DataLoader([np.float32(1), np.float32(2)], batch_size=None)), "
    "list(DataLoader([(1, 2)], batch_size=None)), list(DataLoader([np.array(['a'])], "
    "batch_size=None)))",
    D + "default_collate([np.array(['a']), np.array(['b'])])",
    D + "print(default_collate([1, 2]), default_convert((1, np.array([1.]))), "
    "default_collate([T.tensor([1., 2.]), T.tensor([3., 4.])]))",
    D + "print(default_collate([(T.tensor(1.), 'p'), (T.tensor(2.), 'q')]), "
    "default_collate([[1.5, 2], [2.5, 3]]), default_collate(['x', 'y']))",
    D + "from collections import namedtuple\nP = namedtuple('P', 'a b')\n"
    "print(default_collate([P(1, 2.), P(3, 4.)]), default_convert(P(np.int64(1), 2)))",
    D + "print(default_collate([np.int64(3), np.int64(4)]), default_collate([np.bool_(True)]), "
    "default_collate([np.array(1.5), np.array(2.5)]))",
    D + "print(default_collate([{'a': T.ones(2)}, {'a': T.zeros(2)}]), "
    "default_convert({'a': np.ones(1)}), default_convert([np.int32(1)]), "
    "default_convert(range(2)))",
    D + "print(default_collate([T.tensor(1., requires_grad=True), T.tensor(2.)]))",
]

SAMPLERS = [
    D + "print(list(SequentialSampler(range(4))), len(SequentialSampler(range(4))))",
    D + "print(list(BatchSampler(range(7), 3, False)), list(BatchSampler(range(7), 3, True)), "
    "len(BatchSampler(range(7), 3, False)), len(BatchSampler(range(7), 3, True)))",
    D + "BatchSampler(range(3), 2, 0)",
    D + "BatchSampler(range(3), True, False)",
    D + "RandomSampler(range(3), replacement=1)",
    D + "RandomSampler(range(3), num_samples=0)",
    D + "RandomSampler([])",
    D + "print(len(RandomSampler(range(4), num_samples=10)), sorted(RandomSampler(range(4))), "
    "len(list(RandomSampler(range(4), num_samples=10))), "
    "sorted(set(RandomSampler(range(4), num_samples=9))))",
    D + "r = list(RandomSampler(range(4), replacement=True, num_samples=70))\n"
    "print(len(r), set(r) <= {0, 1, 2, 3})",
    D + "print(len(SubsetRandomSampler([1, 5, 3])), sorted(SubsetRandomSampler([1, 5, 3])))",
    D + "list(Sampler())",
    D + "print(type(Sampler()), type(RandomSampler(range(2))).__mro__[1])",
]


@pytest.mark.parametrize("code", DATASETS + SPLITS + LOADERS + COLLATE + SAMPLERS)
def test_prints_as_torch(code: str) -> None:
    check_prints_as_torch(code)


# A model and data set fixed without random numbers: the same losses under torch and nbgrad.
TRAIN = D + """
X = T.linspace(-1, 1, 40).reshape(-1, 1)
y = 3 * X - 0.5
model = T.nn.Sequential(T.nn.Linear(1, 4), T.nn.Tanh(), T.nn.Linear(4, 1))
with T.no_grad():
    for p in model.parameters():
        p.copy_(T.linspace(-0.5, 0.5, p.numel()).reshape(p.shape))
opt = T.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
loss_fn = T.nn.MSELoss()
loader = T.utils.data.DataLoader(TensorDataset(X, y), batch_size=8, shuffle=False)
for epoch in range(5):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    print(epoch, f"{total / len(loader.dataset):.4f}", len(loader))
"""

# Shuffled, the order differs between torch and nbgrad: only what does not depend on it.
TRAIN_SHUFFLED = D + """
T.manual_seed(0)
X = T.randn(100, 2)
y = (X[:, 0] > X[:, 1]).long()
train, test = random_split(TensorDataset(X, y), [0.8, 0.2])
model = T.nn.Sequential(T.nn.Linear(2, 16), T.nn.ReLU(), T.nn.Linear(16, 2))
opt = T.optim.Adam(model.parameters(), lr=0.05)
loader = DataLoader(train, batch_size=16, shuffle=True)
losses = []
for epoch in range(20):
    for xb, yb in loader:
        loss = T.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad(); loss.backward(); opt.step()
    losses.append(loss.item())
with T.no_grad():
    Xt, yt = next(iter(DataLoader(test, batch_size=len(test))))
    acc = (model(Xt).argmax(1) == yt).float().mean().item()
print(len(loader), len(test), xb.shape, yb.dtype, losses[-1] < losses[0], acc > 0.8)
"""


@pytest.mark.parametrize("code", [TRAIN, TRAIN_SHUFFLED])
def test_training_loop_runs_unchanged(code: str) -> None:
    check_prints_as_torch(code)


# --- reproducibility and nbgrad's own choices ---------------------------------------------


def _order(loader: DataLoader) -> list[int]:
    return [i for (_, yb) in loader for i in yb.tolist()]


def _loader(**kw: object) -> DataLoader:
    ds = TensorDataset(nbgrad.zeros(20, 1), nbgrad.arange(20))
    return DataLoader(ds, batch_size=6, shuffle=True, **kw)


def test_shuffle_is_reproducible_under_manual_seed() -> None:
    nbgrad.manual_seed(0)
    loader = _loader()
    first, second = _order(loader), _order(loader)
    nbgrad.manual_seed(0)
    assert _order(_loader()) == first
    assert sorted(first) == list(range(20))
    assert second != first  # each epoch a new order
    nbgrad.manual_seed(1)
    assert _order(_loader()) != first


def test_shuffle_with_its_own_generator() -> None:
    a = _order(_loader(generator=nbgrad.Generator().manual_seed(5)))
    nbgrad.manual_seed(123)  # the default generator plays no part
    b = _order(_loader(generator=nbgrad.Generator().manual_seed(5)))
    assert a == b and a != list(range(20))


def test_random_split_is_reproducible() -> None:
    nbgrad.manual_seed(3)
    a = [list(s) for s in random_split(range(10), [0.5, 0.5])]
    nbgrad.manual_seed(3)
    b = [list(s) for s in random_split(range(10), [0.5, 0.5])]
    g = [list(s) for s in random_split(range(10), [5, 5],
                                       generator=nbgrad.Generator().manual_seed(3))]
    assert a == b and sorted(a[0] + a[1]) == list(range(10))
    assert g == [list(s) for s in random_split(range(10), [5, 5],
                                               generator=nbgrad.Generator().manual_seed(3))]


def test_a_pass_takes_one_number_from_the_generator_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for T in (torch, nbgrad):
        T.manual_seed(0)
        untouched = T.rand(1).item()
        T.manual_seed(0)
        list(T.utils.data.DataLoader(range(3)))
        assert T.rand(1).item() != untouched, T.__name__


def test_samplers_reproducible() -> None:
    g = nbgrad.Generator().manual_seed(7)
    a = list(RandomSampler(range(50), generator=g))
    assert list(RandomSampler(range(50), generator=nbgrad.Generator().manual_seed(7))) == a
    nbgrad.manual_seed(2)
    b = list(RandomSampler(range(50), replacement=True, num_samples=40))
    nbgrad.manual_seed(2)
    assert list(RandomSampler(range(50), replacement=True, num_samples=40)) == b
    assert len(set(b)) < 40  # with replacement: repeats (40 draws of 50: almost surely)
    c = list(SubsetRandomSampler([3, 9, 4, 7], generator=nbgrad.Generator().manual_seed(1)))
    assert sorted(c) == [3, 4, 7, 9]
    assert c == list(SubsetRandomSampler([3, 9, 4, 7],
                                         generator=nbgrad.Generator().manual_seed(1)))


def test_workers_load_in_process() -> None:
    ds = TensorDataset(nbgrad.arange(10.))
    same = [b[0].tolist() for b in DataLoader(ds, batch_size=3)]
    assert [b[0].tolist() for b in DataLoader(ds, batch_size=3, num_workers=3)] == same
    with pytest.raises(NotImplementedError, match="main process"):
        DataLoader(ds, num_workers=2, worker_init_fn=print)


def test_nbgrad_data_sets_feed_a_loader() -> None:
    for X, y in (make_moons(50, seed=0), make_blobs(50, seed=0), make_line(50, seed=0)):
        loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
        batches = list(loader)
        assert len(loader) == len(batches) == 4
        assert [len(xb) for xb, _ in batches] == [16, 16, 16, 2]
        assert batches[0][0].dtype == nbgrad.float32 and batches[0][1].dtype == y.dtype
        assert batches[0][0].shape[1:] == X.shape[1:]


def test_collate_stacks_and_keeps_the_graph() -> None:
    w = nbgrad.tensor([1., 2.], requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    assert w.grad.tolist() == [5.0, 5.0]
    assert np.array_equal(default_collate([nbgrad.ones(2), nbgrad.zeros(2)]).numpy(),
                          np.array([[1, 1], [0, 0]], dtype=np.float32))


def test_utils_data_loads_lazily() -> None:
    code = ("import sys, nbgrad\n"
            "assert 'nbgrad.utils.data' not in sys.modules\n"
            "assert nbgrad.utils.data.DataLoader.__name__ == 'DataLoader'\n"
            "import nbgrad.utils.data.dataloader as m\n"
            "assert m.DataLoader is nbgrad.utils.data.DataLoader\n"
            "try:\n    nbgrad.utils.nothing\nexcept AttributeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(nbgrad.__file__)
                                             .parent.parent))
    assert out.stdout == "module 'nbgrad.utils' has no attribute 'nothing'\n"


def test_dataset_subclass_without_len_in_a_sampler_free_loop() -> None:
    class Fixed(Dataset):
        def __getitem__(self, i: int) -> int:
            return i * 10

    loader = DataLoader(Fixed(), sampler=[2, 0], batch_size=2)
    assert [b.tolist() for b in loader] == [[20, 0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Fixed()[3] == 30
    assert isinstance(ConcatDataset([range(2)]), Dataset)
    assert Subset(range(5), [4])[0] == 4
    assert len(SequentialSampler(range(3))) == 3 and len(BatchSampler(range(5), 2, False)) == 3
