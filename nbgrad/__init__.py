"""nbgrad: a PyTorch-faithful autograd on NumPy, made for teaching.

``import nbgrad as torch`` runs the tensor code of a PyTorch lesson unchanged: the same names,
the same printing, the same gradients and the same error messages. Only NumPy is imported
here; the notebook side (graphs, widgets, magics) loads when first used.
"""

import warnings as _warnings

from nbgrad import autograd, return_types
from nbgrad._creation import (
    Generator,
    arange,
    as_tensor,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    initial_seed,
    is_floating_point,
    is_tensor,
    linspace,
    manual_seed,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from nbgrad._device import device
from nbgrad._dtype import (
    bool,
    can_cast,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from nbgrad._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from nbgrad._printing import get_printoptions, set_printoptions
from nbgrad._size import Size
from nbgrad._tensor import Tensor
from nbgrad._type_info import finfo, iinfo

# stubs: IPython and ipywidgets load on first call; `%load_ext nbgrad` calls the last two
from nbgrad.notebook import dashboard, explore, step_through, unwatch, watch
from nbgrad.notebook.extension import load as load_ipython_extension  # noqa: F401
from nbgrad.notebook.extension import unload as unload_ipython_extension  # noqa: F401
from nbgrad.ops import (
    abs,
    add,
    amax,
    amin,
    argmax,
    argmin,
    argsort,
    cat,
    ceil,
    chunk,
    clamp,
    clone,
    cos,
    diag,
    div,
    dot,
    exp,
    exp2,
    expm1,
    flatten,
    flip,
    floor,
    frac,
    gather,
    index_select,
    isfinite,
    isinf,
    isnan,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    mv,
    neg,
    outer,
    permute,
    pow,
    reciprocal,
    relu,
    reshape,
    round,
    rsub,
    sigmoid,
    sign,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    sub,
    sum,
    t,
    tan,
    tanh,
    tile,
    topk,
    trace,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unsqueeze,
    where,
)
from nbgrad.ops.division import floor_divide, fmod, remainder
from nbgrad.serialization import load, save
from nbgrad.viz import draw as draw  # a stub: graphviz, wasmtime load on first use

# torch computes inf and nan silently (log(0), 1/0, exp(1000)); NumPy would warn. Silencing
# NumPy's floating-point warnings for nbgrad's own modules costs nothing per op, where an
# np.errstate block around each op would cost more than the op itself.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"nbgrad(\.|$)")

# torch's short names for dtypes
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

clip = clamp
multiply = mul
divide = div
true_divide = div
subtract = sub
negative = neg
swapaxes = swapdims = transpose

__version__ = "0.1.0"

__all__ = [
    "Generator", "Size", "Tensor", "abs", "add", "amax", "amin", "arange", "argmax", "argmin",
    "as_tensor", "autograd", "bool", "cat", "clamp", "clip", "clone", "cos", "default_generator",
    "div", "divide", "dot", "double", "dtype", "empty", "empty_like", "enable_grad", "exp", "eye",
    "flatten", "float", "float16", "float32", "float64", "from_numpy", "full", "full_like",
    "get_default_dtype", "get_printoptions", "half", "initial_seed", "int", "int8", "int16",
    "int32", "int64", "is_grad_enabled", "is_tensor", "linspace", "log", "log_softmax", "long",
    "manual_seed", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "mul",
    "multiply", "mv", "neg", "negative", "no_grad", "numel", "ones", "ones_like", "permute",
    "pow", "promote_types", "rand", "rand_like", "randint", "randn", "randn_like", "randperm",
    "reciprocal", "relu", "reshape", "result_type", "rsub", "seed", "set_default_dtype",
    "set_grad_enabled", "set_printoptions", "short", "sigmoid", "sign", "sin", "softmax",
    "sqrt", "square", "squeeze", "stack", "sub", "subtract", "sum", "t", "tan", "tanh",
    "tensor", "transpose", "true_divide", "uint8", "unsqueeze", "where", "zeros", "zeros_like",
]
__all__ += ["device", "load", "nn", "optim", "save"]
__all__ += ["ceil", "exp2", "expm1", "floor", "frac", "isfinite", "isinf", "isnan", "log1p",
            "log2", "log10", "round", "trunc"]
__all__ += ["floor_divide", "fmod", "remainder"]
__all__ += ["can_cast", "finfo", "iinfo", "is_floating_point", "return_types", "swapaxes",
            "swapdims", "unflatten"]
# comparisons, statistics, cumulative ops, trigonometry (and torch's other names)
from nbgrad.ops import (  # noqa: E402
    acos,
    allclose,
    asin,
    atan,
    atan2,
    cosh,
    cumprod,
    cumsum,
    eq,
    equal,
    erf,
    ge,
    gt,
    isclose,
    le,
    logsumexp,
    lt,
    ne,
    norm,
    prod,
    rsqrt,
    sinh,
    std,
    var,
)
from nbgrad.ops.compare import alias as _alias  # noqa: E402
from nbgrad.ops.trig import arccos, arcsin, arctan, arctan2  # noqa: E402

greater, greater_equal = _alias("greater"), _alias("greater_equal")
less, less_equal, not_equal = _alias("less"), _alias("less_equal"), _alias("not_equal")
__all__ += ["acos", "allclose", "arccos", "arcsin", "arctan", "arctan2", "asin", "atan",
            "atan2", "cosh", "cumprod", "cumsum", "eq", "equal", "erf", "ge", "greater",
            "greater_equal", "gt", "isclose", "le", "less", "less_equal", "logsumexp", "lt",
            "ne", "norm", "not_equal", "prod", "rsqrt", "sinh", "std", "var"]
__all__ += ["dashboard", "explore", "step_through", "unwatch", "watch"]
# indexing, sorting, pieces, matrices
__all__ += ["argsort", "chunk", "diag", "flip", "gather", "index_select", "masked_fill",
            "outer", "sort", "split", "tile", "topk", "trace", "tril", "triu", "unbind"]
# data loading (nbgrad.utils.data loads on first use), inference mode, thread count
from nbgrad import utils  # noqa: E402
from nbgrad._grad_mode import inference_mode, is_inference_mode_enabled  # noqa: E402
from nbgrad._threads import get_num_threads, set_num_threads  # noqa: E402

__all__ += ["get_num_threads", "inference_mode", "is_inference_mode_enabled", "set_num_threads",
            "utils"]

# more elementwise math, order statistics, quantiles, counting, linalg, random draws
from nbgrad import linalg  # noqa: E402
from nbgrad.ops.counting import bincount, bucketize, histc, searchsorted  # noqa: E402
from nbgrad.ops.norms import cdist, dist  # noqa: E402
from nbgrad.ops.order_stats import aminmax, kthvalue, median, mode, nanmedian  # noqa: E402
from nbgrad.ops.quantiles import nanmean, nanquantile, nansum, quantile  # noqa: E402
from nbgrad.ops.random_draw import (  # noqa: E402
    bernoulli,
    multinomial,
    normal,
    poisson,
    randint_like,
)
from nbgrad.ops.solve import det, inverse  # noqa: E402
from nbgrad.ops.special import (  # noqa: E402
    clamp_max,
    clamp_min,
    erfc,
    erfinv,
    heaviside,
    hypot,
    lerp,
    logaddexp,
    logit,
    sinc,
    xlogy,
)

__all__ += ["aminmax", "bernoulli", "bincount", "bucketize", "cdist", "clamp_max", "clamp_min",
            "det", "dist", "erfc", "erfinv", "heaviside", "histc", "hypot", "inverse",
            "kthvalue", "lerp", "linalg", "logaddexp", "logit", "median", "mode",
            "multinomial", "nanmean", "nanmedian", "nanquantile", "nansum", "normal",
            "poisson", "quantile", "randint_like", "searchsorted", "sinc", "xlogy"]

# x.sum(axis=0), x.mean(1, keepdims=True): the NumPy names torch takes for dim and keepdim
from nbgrad import _numpy_names  # noqa: E402

_numpy_names.install(__import__("sys").modules[__name__], Tensor)

# The public classes name the module they are used from, as torch's do (``type(x)`` prints
# ``<class 'torch.Tensor'>``): nbgrad's print ``<class 'nbgrad.Tensor'>``, and pickle finds
# them there.
for _public in (Tensor, Size, dtype, device):
    _public.__module__ = "nbgrad"
del _public

# products, building and reshaping, selecting and writing by index
from nbgrad.ops.building import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_tensors,
    broadcast_to,
    column_stack,
    diff,
    dstack,
    hstack,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    roll,
    rot90,
    row_stack,
    vstack,
)
from nbgrad.ops.einsum import einsum  # noqa: E402
from nbgrad.ops.products import addmm, baddbmm, bmm, cross, kron, tensordot  # noqa: E402
from nbgrad.ops.scatter import (  # noqa: E402
    argwhere,
    count_nonzero,
    index_add,
    index_copy,
    index_fill,
    masked_scatter,
    masked_select,
    nonzero,
    scatter,
    scatter_add,
    take,
    take_along_dim,
    unique,
)

__all__ += ["addmm", "argwhere", "atleast_1d", "atleast_2d", "atleast_3d", "baddbmm", "bmm",
            "broadcast_tensors", "broadcast_to", "column_stack", "count_nonzero", "cross",
            "diff", "dstack", "einsum", "hstack", "index_add", "index_copy", "index_fill",
            "kron", "masked_scatter", "masked_select", "meshgrid", "moveaxis", "movedim",
            "narrow", "nonzero", "roll", "rot90", "row_stack", "scatter", "scatter_add", "take",
            "take_along_dim", "tensordot", "unique", "vstack"]


# ``nbgrad.nn`` and ``nbgrad.optim`` load on first use (``torch.nn.Linear`` after
# ``import nbgrad as torch``, or ``from nbgrad import nn``): a third of ``import nbgrad``'s
# time went to them, and a lesson on tensors and gradients needs neither.
_LAZY_MODULES = ("nn", "optim")


def __getattr__(name: str):  # noqa: ANN202 - PEP 562
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f"nbgrad.{name}")
    raise AttributeError(f"module 'nbgrad' has no attribute '{name}'")


def __dir__() -> list:
    return sorted({*globals(), *_LAZY_MODULES})
