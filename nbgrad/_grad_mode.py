"""Grad modes: whether operations record a graph for backward.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` work as context
managers and as decorators, exactly as torch's do.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    # A one-field object rather than a module global, so the hot path reads one attribute.
    __slots__ = ("enabled", "inference")

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False  # read by is_inference_mode_enabled only, never by the ops


STATE = _State()


def is_grad_enabled() -> bool:
    """True when new operations record a graph for backward."""
    return STATE.enabled


class _GradMode:
    """Base of the grad-mode switches: a context manager that also decorates functions."""

    _target: bool

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(STATE.enabled)
        STATE.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        STATE.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.clone)

    def clone(self) -> _GradMode:
        return self.__class__()


def _decorate(fn: F, mode: Callable[[], Any]) -> F:
    """``fn`` run under a fresh ``mode()`` at every call; for a generator function, at every
    resumption, so that the mode never leaks to the code consuming the generator (as torch)."""
    if not inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def generator(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        try:
            with mode():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with mode():
                        gen.close()
                    raise
                except BaseException as exc:
                    with mode():
                        response = gen.throw(exc)
                else:
                    with mode():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return generator  # type: ignore[return-value]


class _BareDecorator(_GradMode):
    """A mode that also decorates without parentheses: ``@no_grad`` as ``@no_grad()``."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):  # noqa: N801 - torch's name
    """Turn graph recording off: inside, results of operations have ``requires_grad=False``."""

    _target = False


class enable_grad(_BareDecorator):  # noqa: N801 - torch's name
    """Turn graph recording back on, e.g. inside a ``no_grad`` block."""

    _target = True


class set_grad_enabled(_GradMode):  # noqa: N801 - torch's name
    """Set grad mode to ``mode``. Takes effect at once, like torch's, and restores on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self._target = bool(mode)
        self._prev.append(STATE.enabled)
        STATE.enabled = self._target

    def __enter__(self) -> None:
        pass  # already applied in __init__

    def __call__(self, fn: F) -> F:
        # Used as a decorator the switch must not stay applied at definition time.
        STATE.enabled = self._prev.pop()
        return _decorate(fn, self.clone)

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self._target)


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return STATE.inference


class inference_mode(_GradMode):  # noqa: N801 - torch's name
    """Inference mode: in nbgrad, ``no_grad`` that ``is_inference_mode_enabled()`` reports.

    ``inference_mode(False)`` turns it off and grad mode on (as torch's does, even inside
    ``no_grad``); without parentheses it decorates a function, as ``@no_grad`` does.

    torch goes further: tensors made in inference mode are *inference tensors*
    (``is_inference()`` True) that may not be saved for a backward afterwards
    ("Inference tensors cannot be saved for backward..."), and ``enable_grad`` inside
    inference mode records nothing. nbgrad's tensors do not remember the mode they were made
    in (marking each one would cost every op), so those errors are not raised, tensors have
    no ``is_inference()``, and ``enable_grad`` inside records a graph as it does inside
    ``no_grad``. Code that runs under torch gives the same numbers here.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # @inference_mode without parentheses

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = mode
        self._saved: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._saved.append((STATE.enabled, STATE.inference))
        STATE.enabled = not self.mode
        STATE.inference = self.mode

    def __exit__(self, *exc: object) -> None:
        STATE.enabled, STATE.inference = self._saved.pop()

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)
