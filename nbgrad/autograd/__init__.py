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

__all__ = ["backward", "grad", "gradcheck", "GradcheckError", "graph", "set_detect_anomaly",
           "detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]
