"""Reading real ``torch`` autograd graphs, so every view works on torch as on nbgrad.

torch's ``grad_fn`` nodes keep neither their output value nor the gradients that flowed
through them, and a backward frees the tensors they saved. So we remember, in each node's
``metadata`` dict (torch's place for tools like this one), what a drawing needs:

- ``draw()`` remembers what it could read (values, constants) and hooks each drawn node, so
  a drawing made after the next backward shows the gradient along every edge. The lesson's
  usual order (draw the forward graph, call ``backward()``, draw again) needs nothing more.
- ``with record():`` does the same for every torch op as it runs, so a graph drawn only
  after its backward is complete too.

Without either, a drawing still shows the structure, the leaves' values and ``.grad``, and
the values of tensors bound to a name where ``draw`` was called. The remembered numbers live
and die with the node (no global registry, and no reference cycle: a hook holds the record,
never the node).
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from nbgrad.viz import derivatives
from nbgrad.viz.numbers import Summary, summarize
from nbgrad.viz.walk import GradFnAdapter

__all__ = ["record", "TorchAdapter", "is_torch_tensor"]

_KEY = "nbgrad.viz"


class Memo:
    """What was remembered about one torch node."""

    __slots__ = ("value", "grad_output", "grad_inputs", "consts", "hooked")

    def __init__(self) -> None:
        self.value: Summary | None = None
        self.grad_output: Summary | None = None
        self.grad_inputs: tuple[Summary | None, ...] | None = None
        self.consts: dict[int, tuple[Summary | None, Any]] = {}
        self.hooked = False


def is_torch_tensor(obj: object) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def _np(t: Any) -> np.ndarray | None:
    if t is None:
        return None
    t = t.detach().cpu()
    if t.is_complex():
        t = t.abs()
    try:
        return t.resolve_conj().resolve_neg().numpy()
    except (TypeError, RuntimeError):  # bfloat16 and other types NumPy lacks
        return t.double().numpy()


def _hook(memo: Memo):  # noqa: ANN202 - holds the record only, never the node
    def hook(grad_inputs: Sequence[Any], grad_outputs: Sequence[Any]) -> None:
        # the gradient of the first output that received one (a custom Function may have
        # several outputs, as nbgrad's drawings show it)
        first = next((g for g in grad_outputs if g is not None), None)
        memo.grad_output = summarize(_np(first))
        memo.grad_inputs = tuple(summarize(_np(g)) for g in grad_inputs)

    return hook


def _memo(fn: Any, create: bool) -> Memo | None:
    meta = getattr(fn, "metadata", None)
    if meta is None:
        return None
    memo = meta.get(_KEY)
    if memo is None and create:
        memo = meta[_KEY] = Memo()
    return memo


def _ref(obj: Any) -> Any:
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


def _saved(fn: Any) -> dict[str, object]:
    out: dict[str, object] = {}
    for attr in dir(fn):
        if not attr.startswith("_saved_") or attr.endswith("_raw"):
            continue
        try:
            out[attr[7:]] = getattr(fn, attr)
        except RuntimeError:  # a saved tensor already freed by a backward
            continue
    return out


def _remember_output(out: Any) -> None:
    """Remember the value of each tensor ``out`` holds, its constant inputs, and hook it."""
    torch = sys.modules["torch"]
    stack = [out]
    while stack:
        obj = stack.pop()
        if isinstance(obj, (tuple, list)):
            stack.extend(obj)
            continue
        if not isinstance(obj, torch.Tensor) or obj.grad_fn is None:
            continue
        fn = obj.grad_fn
        memo = _memo(fn, create=True)
        if memo is None or memo.hooked:
            continue
        memo.value = summarize(_np(obj))
        saved = None
        for slot, (child, _) in enumerate(fn.next_functions):
            if child is None:
                saved = saved if saved is not None else _saved(fn)
                key = derivatives.input_key(type(fn).__name__, slot)
                v = saved.get(key) if key else None
                if v is not None:
                    is_t = isinstance(v, torch.Tensor)
                    memo.consts[slot] = (summarize(_np(v) if is_t else v),
                                         _ref(v) if is_t else None)
        fn.register_hook(_hook(memo))
        memo.hooked = True


_MODE: type | None = None


def _mode_class() -> type:
    global _MODE
    if _MODE is None:
        from torch.overrides import TorchFunctionMode

        class _RecordMode(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
                out = func(*args, **(kwargs or {}))
                _remember_output(out)
                return out

        _MODE = _RecordMode
    return _MODE


@contextlib.contextmanager
def record() -> Iterator[None]:
    """Remember the values and the gradient flow of torch computations, for ``draw``.

    ::

        with nbgrad.viz.record():
            z = torch.sin(x ** 2)
        z.backward()
        nbgrad.draw(z)   # values on every node, gradients on every edge

    nbgrad tensors need no recording (their nodes keep what a drawing needs); without torch
    installed this does nothing.
    """
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is None:
        yield
        return
    import torch  # noqa: F401 - the mode below needs it

    with _mode_class()():
        yield


class TorchAdapter(GradFnAdapter):
    """What ``walk.py`` needs to know about torch nodes and tensors."""

    name = "torch"

    def memo(self, fn: Any) -> Memo | None:
        return _memo(fn, create=False)

    def result(self, fn: Any) -> Summary | None:
        memo = self.memo(fn)
        return memo.value if memo else None

    def grad_output(self, fn: Any) -> Summary | None:
        memo = self.memo(fn)
        return memo.grad_output if memo else None

    def grad_inputs(self, fn: Any) -> Sequence[Summary | None] | None:
        memo = self.memo(fn)
        return memo.grad_inputs if memo else None

    def saved(self, fn: Any) -> Mapping[str, object]:
        return _saved(fn)

    def is_tensor(self, obj: object) -> bool:
        return is_torch_tensor(obj)

    def data(self, t: Any) -> np.ndarray | None:
        return _np(t)

    def grad(self, t: Any) -> np.ndarray | None:
        if not (t.is_leaf or t.retains_grad):  # reading .grad of such a tensor warns
            return None
        return _np(t.grad)

    def requires_grad(self, t: Any) -> bool:
        return bool(t.requires_grad)

    def dtype(self, t: Any) -> str:
        return str(t.dtype).rsplit(".", 1)[-1]

    def remember(self, fn: Any, value: Summary | None, consts: Mapping[int, tuple]) -> None:
        """Keep what this drawing read, and hook the node for the next backward."""
        if self.is_accumulate(fn):
            return
        memo = _memo(fn, create=True)
        if memo is None:
            return
        if memo.value is None:
            memo.value = value
        for slot, (summary, obj) in consts.items():
            if slot not in memo.consts and summary is not None:
                memo.consts[slot] = (summary, _ref(obj) if obj is not None else None)
        if not memo.hooked:
            fn.register_hook(_hook(memo))
            memo.hooked = True
