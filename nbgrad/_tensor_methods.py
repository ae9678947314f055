"""The methods of ``Tensor`` for the later op families: comparisons, statistics, cumulative
ops, trigonometry (``nbgrad.ops.compare``, ``reduce_stats``, ``cumulative``, ``trig``),
indexing, sorting, pieces, matrices, new tensors and random fills (``selecting``,
``sorting``, ``pieces``, ``matrices``, ``_new_methods``, ``random_fill``), the methods
torch has for functions nbgrad had before, and the in-place forms (``log1p_``, ``round_``,
``cumsum_``, ``tril_``, ``clip_``...) of the elementwise and shape-preserving ones.
``nbgrad._tensor`` imports this module once the class exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nbgrad._method_args import _sizes
from nbgrad._tensor import Tensor
from nbgrad._tensor_inplace import _in_place


# -- comparisons, statistics, cumulative ops, trigonometry, and methods torch has for
# functions nbgrad already had ---------------------------------------------------------------
def _attach_math_methods() -> None:
    from nbgrad import ops
    from nbgrad.ops import trig
    from nbgrad.ops._core import check_tensor
    from nbgrad.ops.compare import comparison_method
    from nbgrad.ops.cumulative import dim_method, prod_method

    def tensor_other(fn: Callable) -> Callable:
        """A method whose ``other`` must be a tensor: torch counts it as argument 1."""
        def method(self: Tensor, other: Any, *args: Any, **kwargs: Any) -> Any:
            check_tensor(other, fn.__name__, "other", 1)
            return fn(self, other, *args, **kwargs)

        method.__name__ = method.__qualname__ = fn.__name__
        method.__doc__ = fn.__doc__
        return method

    for name in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less",
                 "less_equal", "not_equal"):
        setattr(Tensor, name, comparison_method(name))
    for fn in (ops.isclose, ops.allclose, ops.equal, ops.maximum, ops.minimum, ops.atan2,
               trig.arctan2):
        setattr(Tensor, fn.__name__, tensor_other(fn))
    Tensor.prod = prod_method
    Tensor.cumsum, Tensor.cumprod = dim_method(ops.cumsum), dim_method(ops.cumprod)
    Tensor.logsumexp = dim_method(ops.logsumexp, several=True)
    for fn in (ops.std, ops.var, ops.norm, ops.erf, ops.rsqrt, ops.sinh, ops.cosh, ops.asin,
               ops.acos, ops.atan, trig.arcsin, trig.arccos, trig.arctan, ops.sign):
        setattr(Tensor, fn.__name__, fn)
    Tensor.multiply = ops.mul
    Tensor.divide = Tensor.true_divide = ops.div
    Tensor.negative = ops.neg
    Tensor.subtract = Tensor.sub
    for fn in (ops.erf, ops.rsqrt, ops.sinh, ops.cosh, ops.asin, ops.acos, ops.atan, ops.atan2,
               trig.arcsin, trig.arccos, trig.arctan, trig.arctan2):
        setattr(Tensor, f"{fn.__name__}_", _in_place(fn))


_attach_math_methods()

# -- indexing, sorting, pieces, matrices, new tensors, random fills --------------------------
from nbgrad import _new_methods  # noqa: E402
from nbgrad.ops import matrices as _matrices  # noqa: E402
from nbgrad.ops import pieces as _pieces  # noqa: E402
from nbgrad.ops import random_fill as _random_fill  # noqa: E402
from nbgrad.ops import selecting as _selecting  # noqa: E402
from nbgrad.ops import sorting as _sorting  # noqa: E402
from nbgrad.ops import tiling as _tiling  # noqa: E402


def _as_method(op: Callable) -> Callable:
    """``op`` as a method: torch counts a method's arguments without ``self``, so the
    positions its argument errors name are one less than the function's."""
    import re

    prefix = f"{op.__name__}(): argument '"

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        try:
            return op(self, *args, **kwargs)
        except TypeError as err:
            text = str(err)
            if not text.startswith(prefix):
                raise
            if text[len(prefix):].split("'", 1)[0] in kwargs:  # named: no position to give
                text = re.sub(r" \(position \d+\)", "", text, count=1)
            else:
                text = re.sub(r"\(position (\d+)\)",
                              lambda m: f"(position {int(m[1]) - 1})", text, count=1)
            raise TypeError(text) from None

    method.__name__ = method.__qualname__ = op.__name__
    method.__doc__ = op.__doc__
    return method


Tensor.gather = _as_method(_selecting.gather)
Tensor.index_select = _as_method(_selecting.index_select)


def _masked_fill(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``value`` (a number or a 0-d tensor) where ``mask`` is True."""
    return _selecting._masked_fill(self, mask, value, "masked_fill", True)


def _masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``masked_fill`` written into this tensor."""
    _selecting.check_fill_args(mask, value, "masked_fill_", True)
    return self._inplace(
        lambda a, v: _selecting._masked_fill(a, mask, v, "masked_fill_", True), value)


_masked_fill.__name__ = _masked_fill.__qualname__ = "masked_fill"
_masked_fill_.__name__ = _masked_fill_.__qualname__ = "masked_fill_"
Tensor.masked_fill = _masked_fill
Tensor.masked_fill_ = _masked_fill_
Tensor.sort = _sorting.sort
Tensor.argsort = _sorting.argsort
Tensor.topk = _as_method(_sorting.topk)
Tensor.split = _pieces.split
Tensor.chunk = _as_method(_pieces.chunk)
Tensor.unbind = _as_method(_pieces.unbind)


def _flip(self: Tensor, *dims: Any) -> Tensor:
    """``flip(self, dims)``; the dims may be given one by one."""
    return _tiling.flip(self, list(_sizes("flip", "dims", dims)))


def _repeat_method(self: Tensor, *repeats: Any) -> Tensor:
    """``self`` repeated ``repeats[i]`` times along dimension ``i``."""
    return _tiling.repeat(self, _sizes("repeat", "repeats", repeats))


def _tile(self: Tensor, *dims: Any) -> Tensor:
    """``tile(self, dims)``; the dims may be given one by one."""
    return _tiling.tile(self, _sizes("tile", "dims", dims))


_flip.__name__ = _flip.__qualname__ = "flip"
_repeat_method.__name__ = _repeat_method.__qualname__ = "repeat"
_tile.__name__ = _tile.__qualname__ = "tile"
Tensor.flip = _flip
Tensor.repeat = _repeat_method
Tensor.tile = _tile
Tensor.outer = _as_method(_matrices.outer)
Tensor.tril = _as_method(_matrices.tril)
Tensor.triu = _as_method(_matrices.triu)
Tensor.diag = _as_method(_matrices.diag)
Tensor.trace = _matrices.trace
Tensor.new_zeros = _new_methods.new_zeros
Tensor.new_ones = _new_methods.new_ones
Tensor.new_empty = _new_methods.new_empty
Tensor.new_full = _new_methods.new_full
Tensor.new_tensor = _new_methods.new_tensor
Tensor.type_as = _new_methods.type_as
Tensor.uniform_ = _random_fill.uniform_
Tensor.normal_ = _random_fill.normal_


# -- shape: torch's other names for a transpose, and unflatten --------------------------------
def _unflatten(self: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dimension ``dim`` into ``sizes``."""
    from nbgrad.ops.shape import unflatten

    return unflatten(self, dim, sizes, _pos=2)


_unflatten.__name__ = _unflatten.__qualname__ = "unflatten"
Tensor.unflatten = _unflatten
Tensor.swapaxes = Tensor.swapdims = Tensor.transpose


# -- in-place forms torch has of elementwise and shape-preserving ops --------------------------
# C++'s names of the dtypes, which torch's message for a cumsum_ to another dtype gives
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool"}


def _cpp_name(dtype: Any) -> str:
    name = str(dtype).rsplit(".", 1)[-1]
    return _CPP_NAMES.get(name, name)


def _attach_in_place_methods() -> None:
    """``x.log1p_()``, ``x.round_(decimals=1)``, ``x.cumsum_(0)``, ``x.tril_()``...: each op
    written into the tensor and recorded with its own node, as ``_in_place`` does, with the
    keyword arguments the function takes; aliases are the methods they alias (``clip_`` is
    ``clamp_``, ``multiply_`` is ``mul_``), as in torch."""
    from nbgrad import ops
    from nbgrad.ops import matrices
    from nbgrad.ops._args import int_arg
    from nbgrad.ops.cumulative import NO_DIM, check_dim

    for fn in (ops.log1p, ops.expm1, ops.log2, ops.log10, ops.exp2, ops.floor, ops.ceil,
               ops.trunc, ops.frac):
        setattr(Tensor, f"{fn.__name__}_", _in_place(fn))

    def round_(self: Tensor, *args: Any, decimals: int = 0) -> Tensor:
        """``round`` (to ``decimals`` places) written into this tensor."""
        if args:  # torch's count, which leaves out self
            raise TypeError(f"round_() takes from 1 to 0 positional arguments but {len(args)} "
                            "were given")
        if isinstance(decimals, bool) or not isinstance(decimals, int):
            raise TypeError("round_(): argument 'decimals' must be int, not "
                            f"{type(decimals).__name__}")
        return self._inplace(lambda a: ops.round(a, decimals=decimals))

    def cumulative(fn: Callable) -> Callable:
        name = f"{fn.__name__}_"

        def method(self: Tensor, dim: Any = NO_DIM, *, dtype: Any = None) -> Tensor:
            check_dim(name, dim, 1)
            if dtype is not None and dtype != self.dtype:
                raise RuntimeError(f"Bad in-place call: input tensor dtype "
                                   f"{_cpp_name(self.dtype)} and output tensor dtype "
                                   f"{_cpp_name(dtype)} should match")
            return self._inplace(lambda a: fn(a, dim))

        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"``{fn.__name__}`` along ``dim`` written into this tensor."
        return method

    def triangle(fn: Callable) -> Callable:
        name = f"{fn.__name__}_"

        def method(self: Tensor, diagonal: Any = 0) -> Tensor:
            diagonal = int_arg(diagonal, name, "diagonal", 1)  # self not counted, as torch
            return self._inplace(lambda a: fn(a, diagonal))

        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"``{fn.__name__}`` written into this tensor."
        return method

    round_.__qualname__ = "round_"
    Tensor.round_ = round_
    Tensor.cumsum_, Tensor.cumprod_ = cumulative(ops.cumsum), cumulative(ops.cumprod)
    Tensor.tril_, Tensor.triu_ = triangle(matrices.tril), triangle(matrices.triu)
    Tensor.clip_ = Tensor.clamp_
    Tensor.multiply_ = Tensor.mul_
    Tensor.divide_ = Tensor.true_divide_ = Tensor.div_
    Tensor.subtract_ = Tensor.sub_
    Tensor.negative_ = Tensor.neg_


_attach_in_place_methods()


# -- products, building and reshaping, selecting and writing by index ------------------------
def _attach_tfunc_methods() -> None:
    """``x.bmm(y)``, ``x.roll(1, 0)``, ``x.scatter_(1, i, v)``...: the methods torch has for
    the functions of ``ops.products``, ``ops.building`` and ``ops.scatter``; the in-place
    forms write the function's result into the tensor, recorded with its own node."""
    from nbgrad.ops import building, products, scatter

    for fn in (products.bmm, products.addmm, products.baddbmm, products.kron, products.cross,
               building.broadcast_to, building.narrow, building.movedim, building.roll,
               building.rot90, building.diff, scatter.take, scatter.take_along_dim,
               scatter.scatter, scatter.scatter_add, scatter.index_add, scatter.index_fill,
               scatter.index_copy, scatter.masked_select, scatter.masked_scatter,
               scatter.count_nonzero):
        setattr(Tensor, fn.__name__, _as_method(fn))
    Tensor.moveaxis = Tensor.movedim
    Tensor.nonzero = scatter.nonzero
    Tensor.argwhere = scatter.argwhere
    Tensor.unique = scatter.unique

    def in_place(fn: Callable, n_args: int) -> Callable:
        """``fn`` written into ``self``: its leading ``n_args`` arguments are passed as they
        are, the next one (the values written: a tensor or a number) as ``_inplace``'s
        operand, so that the version and graph checks see it."""
        name = f"{fn.__name__}_"

        def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            head, rest = args[:n_args], args[n_args:]
            if rest:
                return self._inplace(lambda a, v: fn(a, *head, v, *rest[1:], **kwargs),
                                     rest[0])
            return self._inplace(lambda a: fn(a, *head, **kwargs))

        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"``{fn.__name__}`` written into this tensor."
        return method

    for fn in (scatter.scatter, scatter.scatter_add, scatter.index_add, scatter.index_fill,
               scatter.index_copy):
        setattr(Tensor, f"{fn.__name__}_", in_place(fn, 2))
    Tensor.masked_scatter_ = in_place(scatter.masked_scatter, 1)

    def add_product(fn: Callable) -> Callable:
        def method(self: Tensor, m1: Tensor, m2: Tensor, *, beta: Any = 1,
                   alpha: Any = 1) -> Tensor:
            return self._inplace(lambda a, x, y: fn(a, x, y, beta=beta, alpha=alpha), m1, m2)

        method.__name__ = method.__qualname__ = f"{fn.__name__}_"
        method.__doc__ = f"``{fn.__name__}`` written into this tensor."
        return method

    Tensor.addmm_ = add_product(products.addmm)
    Tensor.baddbmm_ = add_product(products.baddbmm)


_attach_tfunc_methods()


# -- more elementwise math, order statistics, quantiles, counting, linalg, random draws -------
def _attach_more_math_methods() -> None:
    """``x.clamp_min(0)``, ``x.median(1)``, ``x.quantile(q)``, ``A.det()``, ``p.bernoulli()``...
    and the in-place forms torch has (``clamp_min_``, ``lerp_``, ``logit_``...)."""
    from nbgrad.ops import counting, norms, order_stats, quantiles, random_draw, solve, special

    def in_place(fn: Callable) -> Callable:
        def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            return self._inplace(lambda a, *others: fn(a, *others, **kwargs), *args)

        method.__name__ = method.__qualname__ = f"{fn.__name__}_"
        method.__doc__ = f"``{fn.__name__}`` written into this tensor."
        return method

    for fn in (special.clamp_min, special.clamp_max, special.lerp, special.hypot, special.sinc,
               special.xlogy, special.logit, special.erfc, special.erfinv, special.heaviside):
        setattr(Tensor, fn.__name__, _as_method(fn))
        setattr(Tensor, f"{fn.__name__}_", in_place(fn))
    for fn in (special.logaddexp, order_stats.median, order_stats.nanmedian, order_stats.mode,
               order_stats.kthvalue, quantiles.quantile, quantiles.nanquantile,
               quantiles.nanmean, quantiles.nansum, counting.histc, counting.bincount,
               norms.dist, solve.det, solve.inverse, random_draw.bernoulli,
               random_draw.multinomial):
        setattr(Tensor, fn.__name__, _as_method(fn))
    Tensor.aminmax = order_stats.aminmax
    Tensor.bernoulli_ = random_draw.bernoulli_


_attach_more_math_methods()
