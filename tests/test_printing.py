"""Tensor printing: golden strings (no torch needed) and exact parity with torch's ``repr``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nbgrad import _dtype
from nbgrad._printing import format_tensor, get_printoptions, set_printoptions

f32 = np.float32


@pytest.fixture(autouse=True)
def _default_printoptions():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def _fmt(arr: np.ndarray, **kwargs: object) -> str:
    arr = np.asarray(arr)
    return format_tensor(arr, _dtype.from_numpy_dtype(arr.dtype), **kwargs)


# ============================================================================================
# Golden strings, checked against torch 2.13 when written. These run without torch.


class TestSeedLesson:
    """The strings the first lesson shows, computed the way float32 tensors compute them."""

    x = f32(3.0)
    y = x**4
    s = np.sin(y)
    z = x + f32(3.7)

    def test_leaf(self) -> None:
        assert _fmt(self.x, requires_grad=True) == "tensor(3., requires_grad=True)"

    def test_pow(self) -> None:
        assert _fmt(self.y, grad_fn="PowBackward0") == "tensor(81., grad_fn=<PowBackward0>)"

    def test_sin(self) -> None:
        assert _fmt(self.s, grad_fn="SinBackward0") == "tensor(-0.6299, grad_fn=<SinBackward0>)"

    def test_plain_scalar(self) -> None:
        assert _fmt(f32(13.9803)) == "tensor(13.9803)"

    def test_add_pads_decimals(self) -> None:
        assert _fmt(self.z, grad_fn="AddBackward0") == "tensor(6.7000, grad_fn=<AddBackward0>)"

    def test_sigmoid(self) -> None:
        sig = f32(1) / (f32(1) + np.exp(-self.z))
        assert _fmt(sig, grad_fn="SigmoidBackward0") == "tensor(0.9988, grad_fn=<SigmoidBackward0>)"

    def test_neg(self) -> None:
        neg = -(self.s - self.z + f32(0.6287))
        assert _fmt(neg, grad_fn="NegBackward0") == "tensor(6.7012, grad_fn=<NegBackward0>)"

    def test_leaf_vector(self) -> None:
        v = np.array([1, 2, 3], dtype=f32)
        assert _fmt(v, requires_grad=True) == "tensor([1., 2., 3.], requires_grad=True)"

    def test_mean(self) -> None:
        m = np.mean(np.array([1, 4, 9], dtype=f32), dtype=f32)
        assert _fmt(m, grad_fn="MeanBackward0") == "tensor(4.6667, grad_fn=<MeanBackward0>)"

    def test_gradient_vector(self) -> None:
        g = f32(2) * np.array([1, 2, 3], dtype=f32) / f32(3)
        assert _fmt(g) == "tensor([0.6667, 1.3333, 2.0000])"

    def test_zero(self) -> None:
        assert _fmt(f32(0)) == "tensor(0.)"

    def test_grad_fn_wins_over_requires_grad(self) -> None:
        out = _fmt(f32(2), requires_grad=True, grad_fn="MulBackward0")
        assert out == "tensor(2., grad_fn=<MulBackward0>)"


GOLDEN = [
    (
        np.arange(12, dtype=f32).reshape(3, 4) / f32(7),
        "tensor([[0.0000, 0.1429, 0.2857, 0.4286],\n"
        "        [0.5714, 0.7143, 0.8571, 1.0000],\n"
        "        [1.1429, 1.2857, 1.4286, 1.5714]])",
    ),
    (
        np.array([[1.5, -2.25], [1e3, 4]]),
        "tensor([[   1.5000,   -2.2500],\n"
        "        [1000.0000,    4.0000]], dtype=nbgrad.float64)",
    ),
    (np.arange(1001, dtype=f32), "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"),
    (np.array([1e-5, 1e5], dtype=f32), "tensor([1.0000e-05, 1.0000e+05])"),
    (
        np.arange(24).reshape(2, 3, 4),
        "tensor([[[ 0,  1,  2,  3],\n"
        "         [ 4,  5,  6,  7],\n"
        "         [ 8,  9, 10, 11]],\n"
        "\n"
        "        [[12, 13, 14, 15],\n"
        "         [16, 17, 18, 19],\n"
        "         [20, 21, 22, 23]]])",
    ),
    (np.array([200, 7, 255], dtype=np.uint8), "tensor([200,   7, 255], dtype=nbgrad.uint8)"),
    (
        np.array([[True, False], [False, False]]),
        "tensor([[ True, False],\n        [False, False]])",
    ),
    (np.zeros((0, 3), f32), "tensor([], size=(0, 3))"),
    (np.zeros(0, f32), "tensor([])"),
    (np.zeros(0, np.int64), "tensor([], dtype=nbgrad.int64)"),
    (np.array([np.nan, -0.0, np.inf, 2.5], f32), "tensor([   nan, -0.0000,    inf, 2.5000])"),
    (np.array([np.nan, -0.0, -np.inf, 2.0], f32), "tensor([nan, -0., -inf, 2.])"),
    (
        np.arange(30, dtype=f32) / f32(3),
        "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
        "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
        "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
        "        9.0000, 9.3333, 9.6667])",
    ),
    (np.array([0.1, 2], np.float16), "tensor([0.1000, 2.0000], dtype=nbgrad.float16)"),
    (np.int32(7), "tensor(7, dtype=nbgrad.int32)"),
    (f32(1 / 3), "tensor(0.3333)"),
    # float32(2.00005) is 2.0000500679..., which rounds up; its shortest repr would not.
    (f32(2.00005), "tensor(2.0001)"),
    (f32(1e-5), "tensor(1.0000e-05)"),
    (f32(1e9), "tensor(1.0000e+09)"),
    (np.float64(np.nan), "tensor(nan, dtype=nbgrad.float64)"),
    (f32(-np.inf), "tensor(-inf)"),
    (f32(-0.0), "tensor(-0.)"),
    (np.bool_(True), "tensor(True)"),
    (
        np.arange(2500, dtype=f32).reshape(50, 50),
        "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
        "         4.9000e+01],\n"
        "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
        "         9.9000e+01],\n"
        "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
        "         1.4900e+02],\n"
        "        ...,\n"
        "        [2.3500e+03, 2.3510e+03, 2.3520e+03,  ..., 2.3970e+03, 2.3980e+03,\n"
        "         2.3990e+03],\n"
        "        [2.4000e+03, 2.4010e+03, 2.4020e+03,  ..., 2.4470e+03, 2.4480e+03,\n"
        "         2.4490e+03],\n"
        "        [2.4500e+03, 2.4510e+03, 2.4520e+03,  ..., 2.4970e+03, 2.4980e+03,\n"
        "         2.4990e+03]])",
    ),
]


@pytest.mark.parametrize(
    ("arr", "expected"), GOLDEN, ids=[f"golden{i}" for i in range(len(GOLDEN))]
)
def test_golden(arr: np.ndarray, expected: str) -> None:
    assert _fmt(arr) == expected


def test_suffixes_wrap_onto_new_line() -> None:
    out = _fmt(np.linspace(0, 1, 17), grad_fn="MulBackward0")
    assert out == (
        "tensor([0.0000, 0.0625, 0.1250, 0.1875, 0.2500, 0.3125, 0.3750, 0.4375, 0.5000,\n"
        "        0.5625, 0.6250, 0.6875, 0.7500, 0.8125, 0.8750, 0.9375, 1.0000],\n"
        "       dtype=nbgrad.float64, grad_fn=<MulBackward0>)"
    )


def test_suffix_wrapping_measures_dtype_as_torch_spells_it() -> None:
    # torch keeps "dtype=torch.int32" on this line (exactly 80 by its measure); so do we,
    # although "nbgrad." is one letter longer.
    out = _fmt(np.arange(100, 110, dtype=np.int32))
    assert out == (
        "tensor([100, 101, 102, 103, 104, 105, 106, 107, 108, 109], dtype=nbgrad.int32)"
    )


def test_non_contiguous_input() -> None:
    arr = np.arange(6, dtype=f32).reshape(2, 3).T
    assert _fmt(arr) == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])"


def test_default_dtype_decides_the_suffix() -> None:
    previous = _dtype.get_default_dtype()
    _dtype.set_default_dtype(_dtype.float64)
    try:
        assert _fmt(np.array([1.5])) == "tensor([1.5000])"
        assert _fmt(np.array([1.5], f32)) == "tensor([1.5000], dtype=nbgrad.float32)"
        assert _fmt(np.zeros(0, f32)) == "tensor([], dtype=nbgrad.float32)"
    finally:
        _dtype.set_default_dtype(previous)


class TestPrintOptions:
    def test_defaults(self) -> None:
        assert get_printoptions() == {
            "precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None,
        }

    def test_profiles(self) -> None:
        set_printoptions(profile="short")
        assert get_printoptions() == {
            "precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80, "sci_mode": None,
        }
        set_printoptions(profile="full")
        assert get_printoptions()["threshold"] == math.inf
        set_printoptions(profile="short", precision=6)
        assert get_printoptions()["precision"] == 6

    def test_omitting_sci_mode_resets_it(self) -> None:
        set_printoptions(sci_mode=True)
        assert get_printoptions()["sci_mode"] is True
        set_printoptions(precision=3)
        assert get_printoptions()["sci_mode"] is None
        assert get_printoptions()["precision"] == 3

    def test_roundtrip_through_kwargs(self) -> None:
        set_printoptions(precision=2, linewidth=50, sci_mode=False)
        saved = get_printoptions()
        set_printoptions(profile="default")
        set_printoptions(**saved)
        assert get_printoptions() == saved

    def test_precision_and_threshold(self) -> None:
        set_printoptions(precision=2, threshold=5)
        assert _fmt(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
        assert _fmt(np.array([1.12345], f32)) == "tensor([1.12])"

    def test_sci_mode_forced(self) -> None:
        set_printoptions(sci_mode=True)
        assert _fmt(np.array([1.0, 2.5], f32)) == "tensor([1.0000e+00, 2.5000e+00])"
        set_printoptions(sci_mode=False)
        assert _fmt(np.array([1e-5, 1e5], f32)) == "tensor([     0.0000, 100000.0000])"

    def test_edgeitems_zero_adds_size(self) -> None:
        set_printoptions(edgeitems=0)
        assert _fmt(np.arange(3)) == "tensor([0, 1, 2], size=(3,))"
        assert _fmt(np.arange(2000).reshape(40, 50)) == "tensor([...], size=(40, 50))"


# ============================================================================================
# Parity with torch: build the same tensor in torch and compare the text exactly.


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _assert_parity(torch, arr, grad: str = "", **opts: object) -> None:
    """``grad``: "" (plain), "leaf" (requires_grad) or "mul" (a MulBackward0 result)."""
    arr = np.asarray(arr)
    t = torch.tensor(arr)
    grad_fn = None
    if grad and t.dtype.is_floating_point:
        t.requires_grad_(True)
        if grad == "mul":
            t = t * 1
            grad_fn = type(t.grad_fn).__name__
    torch.set_printoptions(**opts)
    set_printoptions(**opts)
    try:
        expected = repr(t).replace("torch.", "nbgrad.")
        actual = format_tensor(
            arr, _dtype.from_numpy_dtype(arr.dtype), requires_grad=t.requires_grad,
            grad_fn=grad_fn,
        )
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")
    assert actual == expected


_NAN, _INF = math.nan, math.inf
_F32_SCALARS = [
    0.0, -0.0, 1.0, 3.0, 81.0, -7.0, 13.9803, 6.7, -0.6299, 0.99877, 2.00005, 1 / 3, 1e-4,
    9.9999e-5, 1e-5, 1e8, 1.0000001e8, 123456.789, -1e-30, 3e38, _NAN, _INF, -_INF, 0.5, 1e20,
    99999.99, -12345678.0,
]
_OTHER_SCALARS = [
    np.float64(1 / 3), np.float64(1e-300), np.float64(1e300), np.float64(2.5), np.float64(0),
    np.float16(0.1), np.float16(65504), np.float16(6e-8), np.int64(0), np.int64(-5),
    np.int64(2**62), np.int32(7), np.int16(-3), np.int8(-128), np.uint8(255), np.bool_(True),
    np.bool_(False),
]
_rng = np.random.default_rng(1234)
_VECTORS = [
    np.array([1, 2, 3], f32),
    np.array([np.nan, 1.0], f32),
    np.array([np.nan, -0.0, np.inf, -np.inf], f32),
    np.array([0.0, -0.0], f32),
    np.array([1e-5, 1e5], f32),
    np.array([1, 1000], f32),
    np.array([1, 1000.5], f32),
    np.array([1e-4, 1], f32),
    np.array([-1.5, 2.25, -1000], f32),
    np.array([1e9, 2], f32),
    np.array([-1e-300, 1e300, 3.0]),
    np.array([1e-300, 1e300]),
    np.array([0.1, 0.25, -3], np.float16),
    np.array([-5, 0, 123456]),
    np.array([True, False, True]),
    np.array([True, True]),
    np.array([-128, 127], np.int8),
    np.array([0, 255], np.uint8),
    np.array([-32768, 5], np.int16),
    np.array([2**31 - 1, -(2**31)], np.int32),
    np.array([np.nan, 1e-7, 5e6], f32),
]
_WRAPPED = [np.arange(n, dtype=f32) / f32(3) for n in (8, 9, 10, 11, 30)] + [
    _rng.standard_normal(100),
    np.arange(100),
    np.arange(1000),
    (_rng.standard_normal(60) * 1e6).astype(f32),
    np.arange(40, dtype=np.int8),
    _rng.random(70) < 0.5,
]
_BLOCKS = [
    _rng.standard_normal(shape).astype(dt)
    for shape, dt in [
        ((2, 3), f32), ((4, 1), f32), ((1, 5), np.float64), ((3, 3, 3), f32), ((2, 2, 2, 2), f32),
        ((2, 1, 3, 1, 2), f32), ((5, 30), f32), ((3, 20), np.float16), ((2, 4), np.float64),
    ]
] + [
    np.arange(60).reshape(3, 4, 5),
    (np.arange(24) - 12).reshape(2, 3, 4).astype(np.int32),
    _rng.random((3, 4, 2)) < 0.5,
    np.array([[1.0, np.nan], [np.inf, -0.0]], f32),
    np.array([[1e-8, 1.0], [2.0, 3.0]], f32),
]
_SUMMARISED = [
    np.arange(1001, dtype=f32),
    np.arange(1001),
    _rng.random(1001) < 0.5,
    _rng.standard_normal((50, 50)).astype(f32),
    _rng.standard_normal((10, 10, 11)).astype(f32),
    _rng.standard_normal((2, 600)).astype(f32),
    _rng.standard_normal((600, 2)).astype(np.float64),
    np.arange(1001, dtype=f32).reshape(1001, 1),
    np.arange(5000).reshape(10, 500).astype(np.int16),
    np.linspace(-1e6, 1e-3, 2000).astype(f32),
    np.where(_rng.random(1200) < 0.1, np.nan, 1.0).astype(f32),
]
_EMPTY = [
    np.zeros(shape, dt)
    for shape in [(0,), (0, 3), (3, 0), (2, 0, 4)]
    for dt in (f32, np.float64, np.int64, np.bool_, np.int8)
]
_SUFFIX = [np.linspace(-1, 1, n) for n in range(1, 20)] + [
    np.arange(100, 110, dtype=np.int32),
    np.arange(100, 111, dtype=np.int32),
    np.arange(100, 109, dtype=np.int32),
    np.arange(10, 40, dtype=np.int32).reshape(3, 10),
]

_CASES = (
    [("f32scalar", f32(v)) for v in _F32_SCALARS]
    + [("scalar", v) for v in _OTHER_SCALARS]
    + [("vector", v) for v in _VECTORS]
    + [("wrapped", v) for v in _WRAPPED]
    + [("block", v) for v in _BLOCKS]
    + [("summarised", v) for v in _SUMMARISED]
    + [("empty", v) for v in _EMPTY]
)

_OPTION_CASES = [
    ({"precision": 2}, _rng.standard_normal(5).astype(f32)),
    ({"precision": 0}, np.array([0.5, 1.5, 2.5, -3.25], f32)),
    ({"precision": 8}, np.array([1 / 3, 2 / 3], f32)),
    ({"precision": 8}, f32(1 / 3)),
    ({"threshold": 5}, np.arange(10)),
    ({"threshold": 0}, f32(1.5)),
    ({"threshold": 0}, np.array([1.5, 2.5], f32)),
    ({"threshold": 10}, np.arange(60).reshape(3, 4, 5)),
    ({"edgeitems": 1}, np.arange(2000, dtype=f32).reshape(40, 50)),
    ({"edgeitems": 0}, np.arange(2000, dtype=f32)),
    ({"edgeitems": 0}, np.arange(2000, dtype=f32).reshape(40, 50)),
    ({"edgeitems": 0}, np.arange(3, dtype=f32)),
    ({"edgeitems": 0}, f32(2.5)),
    ({"edgeitems": 5}, _rng.standard_normal((20, 60)).astype(f32)),
    ({"linewidth": 40}, np.arange(30, dtype=f32) / f32(7)),
    ({"linewidth": 40}, np.arange(30, 40, dtype=np.int32)),
    ({"linewidth": 200}, _rng.standard_normal(60)),
    ({"linewidth": 5}, np.arange(5)),
    ({"profile": "short"}, np.arange(1001, dtype=f32) / f32(3)),
    ({"profile": "short", "precision": 3}, np.arange(20, dtype=f32) / f32(3)),
    ({"profile": "full"}, np.arange(1200)),
    ({"profile": "full"}, np.arange(1200, dtype=f32).reshape(30, 40) / f32(3)),
    ({"sci_mode": True}, np.array([1.0, 2.5], f32)),
    ({"sci_mode": True}, f32(3.0)),
    ({"sci_mode": True}, f32(0.0)),
    ({"sci_mode": True}, np.arange(5)),
    ({"sci_mode": False}, np.array([1e-5, 1e5], f32)),
    ({"sci_mode": False}, f32(1e-9)),
    ({"sci_mode": False}, f32(1e12)),
]


@pytest.mark.parametrize(
    ("kind", "arr"), _CASES, ids=[f"{k}{i}" for i, (k, _) in enumerate(_CASES)]
)
def test_parity(torch, kind: str, arr: np.ndarray) -> None:
    _assert_parity(torch, arr)


@pytest.mark.parametrize("grad", ["leaf", "mul"])
@pytest.mark.parametrize("arr", _SUFFIX, ids=[f"suffix{i}" for i in range(len(_SUFFIX))])
def test_parity_suffixes(torch, arr: np.ndarray, grad: str) -> None:
    _assert_parity(torch, arr, grad=grad)


@pytest.mark.parametrize("grad", ["leaf", "mul"])
@pytest.mark.parametrize(
    "arr", [f32(3), f32(-0.6299), np.float64(2.5), np.float16(1.5), np.zeros((0, 2), f32)]
)
def test_parity_grad_scalars(torch, arr: np.ndarray, grad: str) -> None:
    _assert_parity(torch, arr, grad=grad)


@pytest.mark.parametrize(
    ("opts", "arr"), _OPTION_CASES, ids=[f"opts{i}" for i in range(len(_OPTION_CASES))]
)
def test_parity_printoptions(torch, opts: dict, arr: np.ndarray) -> None:
    _assert_parity(torch, arr, **opts)


def test_parity_default_dtype_float64(torch) -> None:
    previous, torch_previous = _dtype.get_default_dtype(), torch.get_default_dtype()
    _dtype.set_default_dtype(_dtype.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for arr in (np.array([1.5]), np.array([1.5], f32), np.zeros(0, f32), np.zeros(0)):
            _assert_parity(torch, arr)
    finally:
        _dtype.set_default_dtype(previous)
        torch.set_default_dtype(torch_previous)


# --- generated cases ------------------------------------------------------------------------

_NUMPY_DTYPES = [
    np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
]
_FLOAT_BITS = {np.float16: 16, np.float32: 32, np.float64: 64}


@st.composite
def _arrays(draw: st.DrawFn, max_side: int = 6) -> np.ndarray:
    dt = draw(st.sampled_from(_NUMPY_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=max_side))
    size = int(np.prod(shape))
    if dt in _FLOAT_BITS:
        scale = draw(st.integers(-12, 12))
        elements = st.one_of(
            st.floats(width=_FLOAT_BITS[dt]),
            st.floats(-10, 10).map(lambda m: m * 10.0**scale),
            st.integers(-1000, 1000).map(float),
            st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf]),
        )
        values = draw(st.lists(elements, min_size=size, max_size=size))
        with np.errstate(over="ignore"):
            return np.array(values, dtype=np.float64).astype(dt).reshape(shape)
    if dt is np.bool_:
        return draw(hnp.arrays(dt, shape))
    info = np.iinfo(dt)
    ints = st.one_of(st.integers(info.min, info.max), st.integers(-20, 20).filter(
        lambda v: info.min <= v <= info.max))
    return np.array(draw(st.lists(ints, min_size=size, max_size=size)), dtype=dt).reshape(shape)


_hyp = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@_hyp
@given(arr=_arrays(), grad=st.sampled_from(["", "leaf", "mul"]))
def test_parity_generated(torch, arr: np.ndarray, grad: str) -> None:
    _assert_parity(torch, arr, grad=grad)


@_hyp
@given(
    arr=_arrays(max_side=9),
    precision=st.integers(0, 8),
    threshold=st.integers(0, 60),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(10, 120),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_parity_generated_printoptions(
    torch, arr: np.ndarray, precision: int, threshold: int, edgeitems: int, linewidth: int,
    sci_mode: bool | None,
) -> None:
    _assert_parity(
        torch, arr, precision=precision, threshold=threshold, edgeitems=edgeitems,
        linewidth=linewidth, sci_mode=sci_mode,
    )
