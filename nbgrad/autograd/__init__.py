"""Automatic differentiation: the graph's nodes, the backward pass, and its referee."""

from nbgrad.autograd import graph
from nbgrad.autograd.api import backward, grad
from nbgrad.autograd.gradcheck import GradcheckError, gradcheck

__all__ = ["backward", "grad", "gradcheck", "GradcheckError", "graph"]
