"""``save`` and ``load``: tensors, state dicts and checkpoints in a NumPy ``.npz`` file.

``nbgrad.save(model.state_dict(), "model.npz")`` writes each tensor as an array of the
archive, plus one more array holding, as JSON text, how the object was nested (dicts, lists,
numbers, strings). ``nbgrad.load`` reads it back with ``allow_pickle=False`` and a JSON
parser: loading a file never runs code from it, whoever wrote it.
"""

from __future__ import annotations

import json
import os
import sys
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from nbgrad._tensor import Tensor, _wrap

__all__ = ["save", "load"]

_LAYOUT = "__nbgrad_layout__"
_FORMAT = 1


def _is_parameter(obj: Tensor) -> bool:
    """Whether ``obj`` is an ``nn.Parameter``; without ``nbgrad.nn`` loaded there are none."""
    nn_parameter = sys.modules.get("nbgrad.nn.parameter")
    return nn_parameter is not None and isinstance(obj, nn_parameter.Parameter)


def _encode(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """``obj`` as JSON-able data; tensors become references to entries of ``arrays``."""
    if isinstance(obj, Tensor):
        key = f"t{len(arrays)}"
        arrays[key] = np.asarray(obj._data)
        kind = "parameter" if _is_parameter(obj) else "tensor"
        return {"$": kind, "key": key, "requires_grad": bool(obj._requires_grad)}
    if isinstance(obj, np.ndarray):
        key = f"t{len(arrays)}"
        arrays[key] = obj
        return {"$": "ndarray", "key": key}
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {"$": "float", "value": repr(obj)}
        return obj
    if isinstance(obj, np.generic):
        return _encode(obj.item(), arrays)
    if isinstance(obj, dict):
        kind = "odict" if isinstance(obj, OrderedDict) else "dict"
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"nbgrad.save: cannot save a dict key of type "
                                f"{type(k).__name__}")
            items.append([k, _encode(v, arrays)])
        return {"$": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        return {"$": "tuple" if isinstance(obj, tuple) else "list",
                "items": [_encode(v, arrays) for v in obj]}
    raise TypeError(
        f"nbgrad.save can store tensors, numbers, strings and dicts/lists/tuples of them, "
        f"not {type(obj).__name__} (save a model's state_dict(), not the model)"
    )


def _decode(data: Any, arrays: Any) -> Any:
    if not isinstance(data, dict):
        if isinstance(data, list):
            raise ValueError("nbgrad.load: corrupt layout")
        return data
    kind = data.get("$")
    if kind in ("tensor", "parameter"):
        t = _wrap(np.array(arrays[data["key"]]), bool(data["requires_grad"]))
        if kind == "parameter":
            from nbgrad.nn.parameter import Parameter  # nn loads on first use

            return Parameter(t, t._requires_grad)
        return t
    if kind == "ndarray":
        return np.array(arrays[data["key"]])
    if kind == "float":
        return float(data["value"])
    if kind in ("dict", "odict"):
        out = OrderedDict() if kind == "odict" else {}
        for k, v in data["items"]:
            out[k] = _decode(v, arrays)
        return out
    if kind in ("list", "tuple"):
        items = [_decode(v, arrays) for v in data["items"]]
        return tuple(items) if kind == "tuple" else items
    raise ValueError(f"nbgrad.load: unknown entry {kind!r} in the layout")


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write ``obj`` (a tensor, or dicts, lists and tuples of tensors, numbers and strings,
    such as a ``state_dict``) to ``f``, a path or a binary file, as a ``.npz`` archive.

    The path is used exactly as given (NumPy would append ``.npz``; nbgrad does not)."""
    arrays: dict[str, np.ndarray] = {}
    layout = {"format": _FORMAT, "root": _encode(obj, arrays)}
    arrays[_LAYOUT] = np.array(json.dumps(layout))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            np.savez(fh, **arrays)
    else:
        np.savez(f, **arrays)


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None,
         weights_only: bool = True) -> Any:
    """Read back what ``save`` wrote. Never unpickles: only arrays and JSON are read.
    (``map_location`` and ``weights_only`` are accepted for torch's signature.)"""
    with np.load(f, allow_pickle=False) as archive:
        if _LAYOUT not in archive.files:
            # a plain archive of arrays (np.savez): a dict of tensors
            return OrderedDict((k, _wrap(np.array(archive[k]))) for k in archive.files)
        layout = json.loads(str(archive[_LAYOUT]))
        if layout.get("format") != _FORMAT:
            raise ValueError(f"nbgrad.load: unsupported file format {layout.get('format')!r}")
        return _decode(layout["root"], archive)
