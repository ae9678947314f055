"""The IPython shell we run in, if any: its namespace, and whether it shows pictures.

A terminal IPython prints the ``text/plain`` of what is displayed; Jupyter shows the
richest form. ``RICH`` forces the answer (True, False) or lets it be guessed (None): the
plain ``DisplayPublisher`` (terminal IPython, a bare ``InteractiveShell``) prints text only,
so the graph is then given as a text outline and no picture is rendered.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

__all__ = ["RICH", "get_shell", "is_rich", "user_tensors", "caller_tensors"]

RICH: bool | None = None


def get_shell() -> Any:
    """The running IPython shell, or None (IPython is only imported if already loaded)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def is_rich(ip: Any) -> bool:
    """Whether displays in ``ip`` can show pictures (see the module docstring)."""
    if RICH is not None:
        return RICH
    if ip is None:
        return False
    from IPython.core.displaypub import DisplayPublisher

    return type(getattr(ip, "display_pub", None)) is not DisplayPublisher


def user_tensors(ip: Any) -> dict[str, Any]:
    """The user's tensors by name, in binding order (names starting with ``_`` skipped)."""
    from nbgrad.viz.names import tensors_in

    return dict(tensors_in(ip.user_ns)) if ip is not None else {}


_OURS = ("nbgrad", "traitlets", "ipywidgets", "comm", "IPython")


def caller_tensors() -> dict[str, Any]:
    """The user's tensors: IPython's namespace when in IPython, else the locals and globals
    of the first frame that is not nbgrad's (nor a widget library's)."""
    ip = get_shell()
    if ip is not None:
        return user_tensors(ip)
    from nbgrad.viz.names import caller_tensors as _frame_tensors

    frame: FrameType | None = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(_OURS):
        frame = frame.f_back
    return dict(_frame_tensors(frame)) if frame is not None else {}
