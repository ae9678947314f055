"""Every differentiable operation, one module per family, forward beside backward."""

from nbgrad.ops.compare import allclose, eq, equal, ge, gt, isclose, le, lt, ne
from nbgrad.ops.cumulative import cumprod, cumsum, prod
from nbgrad.ops.division import floor_divide, fmod, remainder
from nbgrad.ops.exp_log import exp2, expm1, log1p, log2, log10
from nbgrad.ops.linalg import dot, matmul, mm, mv
from nbgrad.ops.matrices import diag, outer, trace, tril, triu
from nbgrad.ops.pieces import chunk, split, unbind
from nbgrad.ops.pointwise import (
    abs,
    add,
    bitwise,
    clamp,
    clone,
    compare,
    cos,
    div,
    exp,
    log,
    logical_not,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    reciprocal,
    relu,
    rsub,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    tan,
    tanh,
    to_dtype,
    where,
)
from nbgrad.ops.random_fill import normal_, uniform_
from nbgrad.ops.reduce import (
    amax,
    amin,
    argmax,
    argmin,
    log_softmax,
    max,
    mean,
    min,
    softmax,
    sum,
)
from nbgrad.ops.reduce_stats import logsumexp, norm, std, var
from nbgrad.ops.rounding import ceil, floor, frac, isfinite, isinf, isnan, round, trunc
from nbgrad.ops.selecting import gather, index_select, masked_fill
from nbgrad.ops.shape import (
    H,
    T,
    cat,
    expand,
    expand_copy,
    flatten,
    getitem,
    mT,
    permute,
    reshape,
    squeeze,
    stack,
    sum_to_size,
    t,
    transpose,
    unflatten,
    unsqueeze,
    view,
)
from nbgrad.ops.sorting import argsort, sort, topk
from nbgrad.ops.tiling import flip, repeat, tile
from nbgrad.ops.trig import acos, asin, atan, atan2, cosh, erf, rsqrt, sinh

__all__ = [
    "T", "abs", "add", "bitwise", "logical_not", "amax", "amin", "argmax", "argmin", "cat",
    "clamp", "clone", "compare",
    "cos", "div", "dot", "exp", "expand", "expand_copy", "flatten", "getitem", "log",
    "log_softmax", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul", "mv",
    "neg", "permute", "pow", "reciprocal", "relu", "reshape", "rsub", "sigmoid", "sign", "sin",
    "softmax", "sqrt", "square", "squeeze", "stack", "sub", "sum", "sum_to_size", "t", "tan",
    "tanh", "to_dtype", "transpose", "unsqueeze", "view", "where", "H", "mT", "unflatten",
    "log1p", "expm1", "log2", "log10", "exp2",
    "floor", "ceil", "round", "trunc", "frac", "isnan", "isinf", "isfinite",
    "floor_divide", "remainder", "fmod",
]
# comparisons, statistics, cumulative ops, trigonometry

__all__ += [
    "eq", "ne", "lt", "le", "gt", "ge", "isclose", "allclose", "equal",
    "prod", "cumsum", "cumprod", "var", "std", "logsumexp", "norm",
    "erf", "rsqrt", "sinh", "cosh", "asin", "acos", "atan", "atan2",
]
# indexing, sorting, pieces, matrices, random fills
__all__ += [
    "gather", "index_select", "masked_fill", "sort", "argsort", "topk", "split", "chunk",
    "unbind", "flip", "repeat", "tile", "outer", "tril", "triu", "diag", "trace", "uniform_",
    "normal_",
]
