"""Automatic differentiation: the graph's nodes, the backward pass, and its referee."""

from nbgrad.autograd import graph
from nbgrad.autograd.anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from nbgrad.autograd.api import backward, grad
from nbgrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "graph",
           "function", "Function", "functional", "set_detect_anomaly", "detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]

# After the API above: custom Functions need the Tensor class, whose module loads the API;
# ``functional`` builds on the ops and the creation functions, which need the tensor too.
# torch too has ``torch.autograd.functional`` loaded by ``import torch``.
from nbgrad.autograd import function, functional  # noqa: E402
from nbgrad.autograd.function import Function  # noqa: E402
