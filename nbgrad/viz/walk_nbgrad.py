"""Reading nbgrad autograd graphs.

nbgrad's nodes mirror torch's (``name()``, ``next_functions``, ``AccumulateGrad.variable``)
and also keep what a drawing needs: ``result`` (the op's output value), ``grad_output`` (the
gradient the node received in the last backward) and ``grad_inputs`` (the gradient it sent
along each input edge). No recording is needed.

What an op saved for its backward is a tuple in nbgrad (``_saved``; after a backward it
keeps only the small values, large arrays become None); ``SAVED_NAMES`` gives its entries
the names torch gives them (``_saved_exponent`` -> ``exponent``), so one table of labels and
derivatives serves both.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nbgrad.autograd.function import received_grad
from nbgrad.autograd.graph import RESULT
from nbgrad.viz.walk import GradFnAdapter

__all__ = ["NbgradAdapter", "is_nbgrad_tensor", "SAVED_NAMES"]

_KEY = "nbgrad.viz"
_LARGE = 1024  # arrays larger than this may be freed by a backward (autograd/graph.py)

_BINARY = ("self", "other")
_OF_SELF = ("self",)
_OF_RESULT = ("result",)

SAVED_NAMES: dict[str, tuple[str, ...]] = {
    "AddBackward0": ("alpha",),
    "SubBackward0": ("alpha",),
    "RsubBackward1": ("alpha",),
    "MulBackward0": _BINARY,
    "DivBackward0": _BINARY,
    "MaximumBackward0": _BINARY,
    "MinimumBackward0": _BINARY,
    "PowBackward0": ("self", "exponent"),
    "PowBackward1": ("self", "exponent", "result"),
    "PowBackward2": ("self", "result"),
    "ClampBackward1": ("self", "min", "max"),
    "ClampBackward0": ("self", "min", "max"),
    "SinBackward0": _OF_SELF,
    "CosBackward0": _OF_SELF,
    "LogBackward0": _OF_SELF,
    "AbsBackward0": _OF_SELF,
    "TanBackward0": _OF_RESULT,
    "ExpBackward0": _OF_RESULT,
    "SqrtBackward0": _OF_RESULT,
    "TanhBackward0": _OF_RESULT,
    "SigmoidBackward0": _OF_RESULT,
    "ReluBackward0": _OF_RESULT,
    "ReciprocalBackward0": _OF_RESULT,
    "SumBackward0": ("self_sym_sizes",),
    "SumBackward1": ("self_sym_sizes", "dim", "keepdim"),
    "MeanBackward0": ("self_sym_sizes", "self_sym_numel"),
    "MeanBackward1": ("self_sym_sizes", "dim", "keepdim", "self_sym_numel"),
    "MaxBackward1": ("self", "result"),
    "MinBackward1": ("self", "result"),
    "SoftmaxBackward0": ("dim", "result"),
    "LogSoftmaxBackward0": ("dim", "result"),
    "MmBackward0": ("self", "mat2"),
    "BmmBackward0": ("self", "mat2"),
    "MvBackward0": ("self", "vec"),
    "DotBackward0": ("self", "tensor"),
    "PermuteBackward0": ("dims",),
    "TransposeBackward0": ("dim0", "dim1"),
    "UnsqueezeBackward0": ("dim",),
    "Log1PBackward0": _OF_SELF,
    "Expm1Backward0": _OF_RESULT,
    "Log2Backward0": _OF_SELF,
    "Log10Backward0": _OF_SELF,
    "Exp2Backward0": _OF_RESULT,
    "ErfBackward0": _OF_SELF,
    "RsqrtBackward0": _OF_RESULT,
    "SinhBackward0": _OF_SELF,
    "CoshBackward0": _OF_SELF,
    "AsinBackward0": _OF_SELF,
    "AcosBackward0": _OF_SELF,
    "AtanBackward0": _OF_SELF,
    "Atan2Backward0": _BINARY,
    "RemainderBackward1": _BINARY,
    "FmodBackward1": _BINARY,
    "ProdBackward0": ("self", "dim", "keepdim", "result"),
    "ProdBackward1": ("self", "dim", "keepdim", "result"),
    "VarBackward0": ("self", "dim", "keepdim", "dof", "full"),
    "StdBackward0": ("self", "dim", "keepdim", "dof", "full", "result"),
    "LinalgVectorNormBackward0": ("self", "ord", "dim", "keepdim", "result"),
    "NormBackward1": ("self", "p", "dim", "keepdim", "result"),  # torch's names for them
    "LogsumexpBackward0": ("self", "dim", "keepdim", "result"),
    "CumsumBackward0": ("dim",),
    "CumprodBackward0": ("self", "dim", "result"),
    "GeluBackward0": ("self", "approximate"),
    "EluBackward0": ("self", "alpha"),
    "EluBackward1": ("result", "alpha"),
    "SiluBackward0": _OF_SELF,
    "SoftplusBackward0": ("self", "beta", "threshold"),
    "HardtanhBackward0": ("self", "min_val", "max_val"),
    "HardsigmoidBackward0": _OF_SELF,
    "HardswishBackward0": _OF_SELF,
    "MishBackward0": _OF_SELF,
    "LogSigmoidBackward0": _OF_SELF,
    "PreluKernelBackward0": ("self", "weight"),
    "GluBackward0": ("self", "dim"),
}


def is_nbgrad_tensor(obj: object) -> bool:
    cls = getattr(sys.modules.get("nbgrad"), "Tensor", None)
    return isinstance(cls, type) and isinstance(obj, cls)


class NbgradAdapter(GradFnAdapter):
    """What ``walk.py`` needs to know about nbgrad nodes and tensors."""

    name = "nbgrad"

    def result(self, fn: Any) -> Any:
        r = getattr(fn, "result", None)
        if r is None:  # a large output freed by backward: what an earlier drawing read
            meta = getattr(fn, "_metadata", None)
            r = meta.get(_KEY) if meta else None
        return r

    def grad_output(self, fn: Any) -> Any:
        return received_grad(getattr(fn, "grad_output", None))

    def grad_inputs(self, fn: Any) -> Sequence[Any] | None:
        return getattr(fn, "grad_inputs", None)

    def saved(self, fn: Any) -> Mapping[str, object]:
        names = SAVED_NAMES.get(type(fn).__name__)
        if not names:
            return {}
        values = getattr(fn, "_saved", None)
        if not values:
            return {}
        return {key: fn.result if v is RESULT else v for key, v in zip(names, values)}

    def is_tensor(self, obj: object) -> bool:
        return is_nbgrad_tensor(obj)

    def data(self, t: Any) -> np.ndarray:
        return t._data

    def grad(self, t: Any) -> np.ndarray | None:
        if not (t.is_leaf or getattr(t, "retains_grad", False)):
            return None
        g = t.grad
        return None if g is None else g._data

    def requires_grad(self, t: Any) -> bool:
        return bool(t.requires_grad)

    def dtype(self, t: Any) -> str:
        return str(t.dtype).rsplit(".", 1)[-1]

    def remember(self, fn: Any, value: object = None, consts: object = None) -> None:
        """nbgrad nodes keep what a drawing needs, except the values of large arrays, which
        a backward frees: keep the summary of those, so a drawing made after the backward
        still shows what one made before it did."""
        r = getattr(fn, "result", None)
        if value is not None and isinstance(r, np.ndarray) and r.size > _LARGE:
            fn.metadata[_KEY] = value

    def memo(self, fn: Any) -> Any:
        return None
