"""``nbgrad.device``: where a tensor lives. nbgrad computes on the CPU only, but a lesson
written for torch prints ``x.device`` and moves tensors ``.to(device)``: a device prints,
compares and parses as torch's does, and asking for CUDA fails as a CPU-only torch fails."""

from __future__ import annotations

import builtins
from typing import Any

__all__ = ["device", "CPU", "check_device"]

# torch's device types, in the order its error message lists them
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:  # noqa: N801 - torch's name
    __slots__ = ("type", "index")

    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, str):
            name, _, number = type.partition(":")
            if name not in _TYPES:
                raise RuntimeError(
                    f"Expected one of {', '.join(_TYPES)} device type at start of device "
                    f"string: {type}"
                )
            if number:
                index = int(number)
            type = name  # noqa: A001
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        else:
            got = builtins.type(type).__name__
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({got}), but "
                f"expected one of:\n * (nbgrad.device device)\n      didn't match because some "
                f"of the arguments have invalid types: (!{got}!)\n * (str type, int index = -1)\n"
            )
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"attribute '{name}' of 'nbgrad.device' objects is not writable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        # as in torch, a device never equals a string: x.device == "cpu" is False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")


def check_device(where: Any) -> None:
    """Refuse any device but the CPU in torch's words (a CPU-only torch): nbgrad computes
    with NumPy. ``None`` means the default, the CPU."""
    if where is None:
        return
    if not isinstance(where, device):
        where = device(where)
    if where.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if where.type != "cpu":
        raise RuntimeError(f"nbgrad computes on the CPU only, not on {where}")
