"""What every widget shares: a short fixed repr, an error panel, and guarded callbacks.

A widget's ``text/plain`` is its ``repr`` (cut at 110 characters by ipywidgets) and ends up in
saved notebooks, where nbval compares it: so it is a fixed string per class. A callback that
fails (a slider's, a button's, a training loop's) shows its error in the widget's error panel
and returns: the kernel stays usable and the loop goes on.
"""

from __future__ import annotations

import functools
import html
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets

__all__ = ["FixedRepr", "ErrorPanel", "guarded", "escape_pre"]

F = TypeVar("F", bound=Callable[..., Any])


class FixedRepr:
    """``repr`` is ``_fixed_repr``, whatever the widget's state."""

    _fixed_repr = "<nbgrad widget>"

    def __repr__(self) -> str:
        return self._fixed_repr


def escape_pre(text: str, style: str = "") -> str:
    """Plain text as an HTML block that keeps its lines and spacing."""
    return (f'<div style="font-family:monospace;white-space:pre;font-size:12px;'
            f'line-height:1.45;overflow-x:auto;{style}">{html.escape(text)}</div>')


class ErrorPanel(FixedRepr, widgets.HTML):
    """A red box that shows the last error, hidden while there is none."""

    _fixed_repr = "<nbgrad error panel>"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = ""
        self.layout.display = "none"

    def show(self, what: str, exc: BaseException) -> None:
        """Show that ``what`` failed with ``exc``, and where in the user's code."""
        frames = traceback.extract_tb(exc.__traceback__)
        user = [f for f in frames if "/nbgrad/" not in f.filename.replace("\\", "/")]
        where = ""
        if user:
            f = user[-1]
            where = f"\n  at {f.filename}, line {f.lineno}" + (f": {f.line}" if f.line else "")
        self.text = f"{what}: {type(exc).__name__}: {exc}{where}"
        self.value = escape_pre(self.text, "color:#b00020;border:1px solid #b00020;"
                                           "padding:4px 8px;white-space:pre-wrap")
        self.layout.display = None

    def clear(self) -> None:
        if self.text:
            self.text = ""
            self.value = ""
            self.layout.display = "none"


def guarded(what: str) -> Callable[[F], F]:
    """Decorate a widget method so that an exception is shown in ``self.error`` (an
    ``ErrorPanel``) instead of being raised; the method then returns None."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - shown in the widget, never raised
                self.error.show(what, exc)
                return None

        return run  # type: ignore[return-value]

    return decorate
