"""``nbgrad.linalg``: torch.linalg's norms, inverse, determinant and solver.

``import nbgrad as torch`` then ``torch.linalg.solve(X.T @ X, X.T @ y)`` solves least squares
in closed form, differentiably."""

from nbgrad.ops.norms import linalg_norm as norm
from nbgrad.ops.norms import matrix_norm, vector_norm
from nbgrad.ops.solve import LinAlgError, det, inv, solve

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "det", "solve", "LinAlgError"]
