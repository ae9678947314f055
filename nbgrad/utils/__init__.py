"""``nbgrad.utils``, as ``torch.utils``: so far ``nbgrad.utils.data`` (datasets, samplers and
the ``DataLoader``). It loads on first use, so ``import nbgrad`` stays light, yet
``nbgrad.utils.data.DataLoader`` works straight after ``import nbgrad``, as
``torch.utils.data.DataLoader`` does after ``import torch``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["data"]


def __getattr__(name: str) -> Any:
    if name == "data":
        return importlib.import_module("nbgrad.utils.data")
    raise AttributeError(f"module 'nbgrad.utils' has no attribute {name!r}")
