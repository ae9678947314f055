"""Automatic differentiation: the graph's nodes, the backward pass, and its referee."""

from nbgrad.autograd import graph
from nbgrad.autograd.anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from nbgrad.autograd.api import backward, grad
from nbgrad.autograd.gradcheck import GradcheckError, gradcheck

__all__ = ["backward", "grad", "gradcheck", "GradcheckError", "functional", "graph",
           "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

# Last: it builds on the ops and the creation functions, which need the tensor (and the tensor
# needs ``api`` above) to be loaded first. torch too has ``torch.autograd.functional`` loaded
# by ``import torch``.
from nbgrad.autograd import functional  # noqa: E402
