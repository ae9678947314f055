"""``%load_ext nbgrad``: register the magics and the hook that refreshes pinned graphs.

Loading twice, ``%reload_ext nbgrad`` and ``%unload_ext nbgrad`` leave exactly one hook (or
none) and one set of magics (or none): ``unload`` takes away everything ``load`` added.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "unload"]


def load(ip: Any) -> None:
    """Register nbgrad's magics and its ``post_run_cell`` hook in the shell ``ip``."""
    from nbgrad.notebook.magics import NbgradMagics
    from nbgrad.notebook.pin import PinBoard

    ip.register_magics(NbgradMagics)
    PinBoard.of(ip)


def unload(ip: Any) -> None:
    """Remove what ``load`` registered; pinned pictures stay as last drawn."""
    from nbgrad.notebook.magics import CELL_MAGICS, LINE_MAGICS, NbgradMagics
    from nbgrad.notebook.pin import PinBoard

    board = PinBoard.existing(ip)
    if board is not None:
        board.detach()
    mm = ip.magics_manager
    mm.registry.pop(NbgradMagics.__name__, None)
    for kind, names in (("line", LINE_MAGICS), ("cell", CELL_MAGICS)):
        table = mm.magics[kind]
        for name in names:
            owner = getattr(table.get(name), "__self__", None)
            if type(owner).__name__ == NbgradMagics.__name__:  # ours, from any import of it
                del table[name]
