"""Which Python variable a tensor is bound to, where ``draw`` was called.

A student writes ``z = torch.sin(x ** 2)`` and expects the drawing to say ``x`` and ``z``.
We look at the first stack frame outside ``nbgrad.viz`` (in Jupyter: the notebook's
namespace) and collect every name bound to a tensor. Names that start with ``_`` are
skipped: IPython binds ``_``, ``__`` and ``_7`` to recent outputs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from types import FrameType

__all__ = ["is_tensor", "caller_frame", "tensors_in", "caller_tensors"]


def is_tensor(obj: object) -> bool:
    """True for an nbgrad or a torch tensor (torch is never imported to answer this)."""
    for module in ("nbgrad", "torch"):
        cls = getattr(sys.modules.get(module), "Tensor", None)
        if isinstance(cls, type) and isinstance(obj, cls):
            return True
    return False


def caller_frame() -> FrameType | None:
    """The innermost frame whose code is not part of ``nbgrad.viz``."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(
        "nbgrad.viz"
    ):
        frame = frame.f_back
    return frame


def tensors_in(namespace: Mapping[str, object]) -> Iterable[tuple[str, object]]:
    """``(name, tensor)`` for every public name bound to a tensor, in binding order."""
    for name, obj in list(namespace.items()):
        if (isinstance(name, str) and name.isidentifier() and not name.startswith("_")
                and is_tensor(obj)):  # not "@py_assert1" and the like: tools' own names
            yield name, obj


def caller_tensors(frame: FrameType | None = None) -> list[tuple[str, object]]:
    """Named tensors of the caller: its local names first, then its module's."""
    frame = frame or caller_frame()
    if frame is None:
        return []
    found = list(tensors_in(frame.f_locals))
    if frame.f_locals is not frame.f_globals:
        found += tensors_in(frame.f_globals)
    return found
