"""Pinned graphs: a tensor's graph shown once and kept up to date after every cell.

``nbgrad.watch(y)`` (or ``%watch y``) displays the graph of ``y`` with a display id. A
``post_run_cell`` hook then takes each pinned graph's fingerprint (``fingerprint.py``) after
every cell and, when it changed, redraws the graph into the same display: after
``loss.backward()`` in a later cell, the pinned picture shows the gradients. The display is
plain output (an SVG and a text outline), so a saved notebook keeps the last picture and a
static viewer shows it.

A pin follows a *name*: ``%watch loss`` draws whatever ``loss`` is bound to after each cell
(nothing yet is fine: the picture appears once a cell defines it). ``watch(tensor)`` follows
the name the tensor is bound to in the notebook, or the tensor itself when it has none.

The hook never raises into a cell: a failure is shown in the pinned display instead.

For nbval: a pinned display is updated by later cells, and nbval compares a cell with the
output it first produced; tag the ``%watch`` cell ``nbval-ignore-output``.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any

from nbgrad.notebook.fingerprint import fingerprint
from nbgrad.notebook.picture import error_bundle, graph_bundle, note_bundle
from nbgrad.notebook.shell import get_shell, is_rich, user_tensors

__all__ = ["Pin", "PinBoard", "watch", "unwatch", "HOOK_EVENT"]

HOOK_EVENT = "post_run_cell"
_DRAW_OPTIONS = ("direction", "values", "grads", "local", "shapes", "theme", "legend",
                 "budget", "constants", "renderer")


class Pin:
    """One pinned graph: what it follows, its display, and the last fingerprint drawn."""

    def __init__(self, board: PinBoard, label: str, name: str | None, obj: Any,
                 options: dict[str, Any]) -> None:
        self.board = board
        self.label = label  # what the user pinned: a name, or a description of the tensor
        self.name = name
        self._obj = obj
        self.options = options
        self.handle: Any = None
        self.seen: Hashable = None
        self.updates = 0  # displays sent: the first one, then one per change
        self.bundle: dict[str, str] = {}  # what was shown last

    def __repr__(self) -> str:
        return f"<nbgrad pin: {self.label}>"

    def _ipython_display_(self) -> None:
        """Nothing: the graph is on show already (``nbgrad.watch(y)`` as a cell's last line
        adds no ``Out``)."""

    def target(self) -> Any:
        """The object to draw now: the name's current value, or the pinned tensor."""
        if self.name is not None:
            return self.board.shell.user_ns.get(self.name, _UNDEFINED)
        return self._obj

    def stop(self) -> None:
        """Stop updating this graph; its display keeps the last picture."""
        self.board.remove(self)

    def _bundle(self, obj: Any) -> dict[str, str]:
        from nbgrad.viz.names import is_tensor

        if obj is _UNDEFINED:
            return note_bundle(f"{self.label} is not defined: its graph appears here once a "
                               "cell defines it")
        if not is_tensor(obj):
            return note_bundle(f"{self.label} is a {type(obj).__name__}, not a tensor: "
                               "nothing to draw")
        ip = self.board.shell
        return graph_bundle(obj, names=user_tensors(ip), rich=is_rich(ip),
                            options=self.options)

    def show(self) -> None:
        """Display the graph (the first time) and remember its fingerprint."""
        from IPython.display import display

        obj = self.target()
        self.seen = fingerprint(obj)
        try:
            self.bundle = self._bundle(obj)
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the cell
            self.bundle = error_bundle(f"nbgrad could not draw {self.label}", exc)
        self.handle = display(self.bundle, raw=True, display_id=True)
        self.updates = 1

    def refresh(self, force: bool = False) -> bool:
        """Redraw into the same display if the graph changed; True if it did."""
        obj = self.target()
        seen = fingerprint(obj)
        if seen == self.seen and not force:
            return False
        self.seen = seen
        try:
            self.bundle = self._bundle(obj)
        except Exception as exc:  # noqa: BLE001 - shown, never raised into the cell
            self.bundle = error_bundle(f"nbgrad could not redraw {self.label}", exc)
        self.handle.update(self.bundle, raw=True)
        self.updates += 1
        return True


class _Undefined:
    def __repr__(self) -> str:
        return "<undefined>"


_UNDEFINED = _Undefined()
_BOARDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class PinBoard:
    """The pins of one IPython shell, and the ``post_run_cell`` hook that refreshes them."""

    def __init__(self, shell: Any) -> None:
        self._shell = weakref.ref(shell)  # the shell keys _BOARDS weakly: do not hold it
        self.pins: dict[str, Pin] = {}
        self.attached = False

    @property
    def shell(self) -> Any:
        return self._shell()

    @classmethod
    def of(cls, shell: Any) -> PinBoard:
        """The shell's board, made (and its hook registered) on first use."""
        board = _BOARDS.get(shell)
        if board is None:
            board = _BOARDS[shell] = cls(shell)
        board.attach()
        return board

    @classmethod
    def existing(cls, shell: Any) -> PinBoard | None:
        return _BOARDS.get(shell)

    # -- the hook ------------------------------------------------------------------------
    def attach(self) -> None:
        """Register the hook once, replacing any left by an earlier copy of this module."""
        callbacks = self.shell.events.callbacks[HOOK_EVENT]
        for cb in list(callbacks):
            if getattr(cb, "_nbgrad_hook", False) and cb != self.post_run_cell:
                callbacks.remove(cb)
        if self.post_run_cell not in callbacks:
            self.shell.events.register(HOOK_EVENT, self.post_run_cell)
        self.attached = True

    def detach(self) -> None:
        """Unregister the hook and forget the pins (their displays keep their pictures)."""
        callbacks = self.shell.events.callbacks[HOOK_EVENT]
        for cb in list(callbacks):
            if getattr(cb, "_nbgrad_hook", False):
                callbacks.remove(cb)
        self.pins.clear()
        self.attached = False

    def post_run_cell(self, result: Any = None) -> None:
        """After every cell: redraw the pinned graphs that changed. Never raises."""
        for pin in list(self.pins.values()):
            try:
                pin.refresh()
            except Exception as exc:  # noqa: BLE001 - a hook must not fail the cell
                try:
                    pin.handle.update(error_bundle(f"nbgrad could not redraw {pin.label}",
                                                   exc), raw=True)
                except Exception:  # noqa: BLE001, S110 - nowhere left to show it
                    pass

    post_run_cell._nbgrad_hook = True  # type: ignore[attr-defined]

    # -- pins ----------------------------------------------------------------------------
    def add(self, target: Any, **options: Any) -> Pin:
        """Pin ``target`` (a variable name, or a tensor) and display its graph now."""
        from nbgrad.viz.names import is_tensor

        unknown = set(options) - set(_DRAW_OPTIONS)
        if unknown:
            raise TypeError(f"unknown option(s) for watch: {', '.join(sorted(unknown))}")
        if "direction" in options or "theme" in options:
            from nbgrad.viz.dot import Options

            Options(direction=options.get("direction", "LR"),
                    theme=options.get("theme", "light"))  # raises on a bad value
        if isinstance(target, str):
            if not target.isidentifier():
                raise ValueError(f"watch() takes a variable name or a tensor; {target!r} is "
                                 "not a Python name")
            name, obj, label = target, None, target
        elif is_tensor(target):
            name = next((k for k, v in self.shell.user_ns.items()
                         if v is target and isinstance(k, str) and k.isidentifier()
                         and not k.startswith("_")), None)
            obj = None if name is not None else target
            label = name or "the tensor"
        else:
            raise TypeError(f"watch() takes a variable name or a tensor, not "
                            f"{type(target).__name__}")
        key = name if name is not None else f"<tensor {id(target):x}>"
        self.pins.pop(key, None)  # pinning again: the old display stays as it is
        pin = Pin(self, label, name, obj, dict(options))
        self.pins[key] = pin
        pin.show()
        return pin

    def remove(self, *targets: Any) -> list[str]:
        """Unpin ``targets`` (names, tensors or pins); all pins when none is given. Returns
        the labels of the pins removed."""
        if not targets:
            gone = [p.label for p in self.pins.values()]
            self.pins.clear()
            return gone
        gone = []
        for t in targets:
            for key, pin in list(self.pins.items()):
                if t is pin or key == t or (not isinstance(t, str) and pin.target() is t):
                    gone.append(pin.label)
                    del self.pins[key]
        return gone


def _shell() -> Any:
    ip = get_shell()
    if ip is None:
        raise RuntimeError("watch() keeps a graph up to date in IPython or Jupyter, and this "
                           "is neither: nbgrad.draw(tensor) draws it once")
    return ip


def watch(target: Any, **options: Any) -> Pin:
    """Pin the graph of ``target`` (a tensor, or a variable name as a string): it is shown now
    and redrawn in place after every later cell that changes it. ``options`` are ``draw``'s
    (``direction``, ``local``, ``legend``, ...). Returns the pin; ``pin.stop()`` or
    ``nbgrad.unwatch()`` stops the updates."""
    return PinBoard.of(_shell()).add(target, **options)


def unwatch(*targets: Any) -> list[str]:
    """Stop updating the pinned graphs of ``targets`` (all when none is given); their
    displays keep the last picture. Returns what was unpinned."""
    board = PinBoard.existing(_shell())
    return board.remove(*targets) if board is not None else []
