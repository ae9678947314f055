"""Random draws shaped by tensors: ``normal`` (its four overloads), ``bernoulli``,
``multinomial``, ``poisson`` and ``randint_like``, drawn from ``nbgrad.manual_seed``'s
generator (not torch's numbers, but torch's shapes, dtypes, rules and errors).

A draw depends on its parameters only through chance: torch records a node whose gradient
is zero (``NormalBackward1``, ``BernoulliBackward0``...), and so does nbgrad.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nbgrad import _dtype
from nbgrad._tensor import _wrap
from nbgrad.ops._core import Node, Tensor, check_broadcast, check_tensor, record

__all__ = ["normal", "bernoulli", "multinomial", "poisson", "randint_like"]


class _ZeroGrad(Node):
    """Zeros for each input: a draw's value does not move with its parameters."""

    __slots__ = ()

    def vjp(self, F, g, shapes):
        return tuple(None if s is None else F.zeros(s, g) for s in shapes)


class NormalBackward1(_ZeroGrad):  # normal(Tensor mean, float std)
    __slots__ = ()


class NormalBackward2(_ZeroGrad):  # normal(float mean, Tensor std)
    __slots__ = ()


class NormalBackward3(_ZeroGrad):  # normal(Tensor mean, Tensor std)
    __slots__ = ()


class BernoulliBackward0(_ZeroGrad):
    __slots__ = ()


class PoissonBackward0(_ZeroGrad):
    __slots__ = ()


def _rng(generator: Any) -> np.random.Generator:
    from nbgrad._creation import _rng as rng

    return rng(generator)


def _kernel_error(kernel: str, t: Tensor) -> NotImplementedError:
    return NotImplementedError(
        f"\"{kernel}\" not implemented for '{_dtype._legacy_type_name(t.dtype)[:-6]}'")


_NORMAL = (
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
    "device = None, bool pin_memory = False, bool requires_grad = False)\n")


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """Numbers drawn from normal distributions: ``normal(mean_tensor, std_tensor)`` (one per
    element, broadcast), ``normal(mean_tensor, 1.)``, ``normal(0., std_tensor)``, or
    ``normal(0., 1., size)``."""
    m_t, s_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not m_t and not s_t:
        if size is None:
            from nbgrad._size_args import _tp_name

            raise TypeError("normal() received an invalid combination of arguments - got "
                            f"({_tp_name(mean)}, {_tp_name(std)}), but expected one of:\n"
                            f"{_NORMAL}")
        from nbgrad._creation import _finish, _float

        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        shape = tuple(size)
        data = _rng(generator).normal(mean, std, shape).astype(_float(dtype))
        return _finish(data, requires_grad)
    for t in (mean, std):
        if isinstance(t, Tensor) and t._data.dtype.kind != "f":
            raise _kernel_error("normal_kernel_cpu", t)
    m = mean._data if m_t else mean
    s = std._data if s_t else std
    if s_t:
        if np.any(s < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if m_t and s_t:
        check_broadcast(m, s)
        out_dt = np.result_type(m.dtype, s.dtype)
    else:
        out_dt = (m if m_t else s).dtype
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    data = np.asarray(_rng(generator).normal(m, s, shape), dtype=out_dt)
    if m_t and s_t:
        return record(NormalBackward3, data, (mean, std), ((mean.shape, std.shape),),
                      broadcast=True)
    if m_t:
        return record(NormalBackward1, data, (mean,), ((mean.shape,),))
    return record(NormalBackward2, data, (std,), ((std.shape,),))


def bernoulli(input: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """1 with probability ``input`` (or ``p``, for every element), else 0, in ``input``'s
    dtype."""
    check_tensor(input, "bernoulli")
    x = input._data
    rng = _rng(generator)
    if p is not None:
        data = (rng.random(x.shape) < p).astype(x.dtype)
        return record(BernoulliBackward0, data, (input,), ((input.shape,),))
    if x.dtype.kind != "f":
        raise _kernel_error("bernoulli_tensor_cpu_p_", input)
    if np.any((x < 0) | (x > 1) | np.isnan(x)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    data = (rng.random(x.shape) < x).astype(x.dtype)
    return record(BernoulliBackward0, data, (input,), ((input.shape,),))


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Overwrite with 1 (probability ``p``, a number or a tensor) or 0."""
    self._check_inplace()
    rng = _rng(generator)
    prob = p._data if isinstance(p, Tensor) else p
    values = (rng.random(self._data.shape) < prob).astype(self._data.dtype)
    return self._inplace(lambda old: record(BernoulliBackward0, values, (old,),
                                            ((old.shape,),)))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """``num_samples`` indices drawn from the categories of each row of ``input`` (weights,
    not necessarily summing to 1): with ``replacement`` independently, else each at most
    once."""
    check_tensor(input, "multinomial")
    w = input._data
    if w.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtype._legacy_type_name(input.dtype)[:-6]}")
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > w.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = w.reshape(-1, w.shape[-1]).astype(np.float64)
    if np.any(~np.isfinite(rows) | (rows < 0)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, row in enumerate(rows):
        if replacement:
            out[i] = rng.choice(row.size, num_samples, p=row / row.sum())
        else:
            # each category's exponential waiting time, at rate its weight: the order of
            # arrival is a draw without replacement (zero weights come last)
            with np.errstate(divide="ignore"):
                keys = rng.exponential(size=row.size) / row
            out[i] = np.argsort(keys, kind="stable")[:num_samples]
    return _wrap(out.reshape(w.shape[:-1] + (num_samples,)))


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """A count drawn from the Poisson distribution of each element's rate."""
    check_tensor(input, "poisson")
    x = input._data
    if x.dtype.kind != "f":
        raise _kernel_error("poisson_cpu", input)
    if np.any(x < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    data = _rng(generator).poisson(x).astype(x.dtype)
    return record(PoissonBackward0, np.asarray(data), (input,), ((input.shape,),))


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,
                 dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """Integers in ``[low, high)`` (``randint_like(x, high)`` starts at 0), shaped and typed
    like ``input``."""
    from nbgrad._creation import randint

    check_tensor(input, "randint_like")
    if high is None:
        low, high = 0, low
    out = randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)
    if requires_grad:
        out.requires_grad_(True)
    return out
