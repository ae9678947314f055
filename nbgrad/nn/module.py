"""``Module``: the base class of every layer and model.

A module keeps three ordered tables, filled by plain attribute assignment: its parameters
(``self.weight = Parameter(...)``), its buffers (``register_buffer``) and its submodules
(``self.fc1 = Linear(...)``). Everything else follows from walking those tables: the
parameters of a model, its ``state_dict``, ``zero_grad``, ``train``/``eval`` and the printed
tree. Calling a module calls its ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from nbgrad import _dtype
from nbgrad._grad_mode import no_grad
from nbgrad._tensor import Tensor
from nbgrad.autograd.graph import bump_version
from nbgrad.nn.parameter import Parameter

__all__ = ["Module"]


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` returns: the keys that did not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


def _indent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (it follows a ``(name): `` label)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _tensor_type(value: Any) -> str:
    if isinstance(value, Tensor):
        return f"nbgrad.{_dtype._legacy_type_name(value.dtype)}"
    return type(value).__name__


class Module:
    """Base class for neural network modules: subclass it, assign layers and parameters in
    ``__init__`` (after ``super().__init__()``), and compute the output in ``forward``."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_pre_hooks", {})

    # -- computing ---------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Most modules have no hooks: then a call is just ``forward`` (torch takes the same
        # short cut). This runs for every layer of every step, so it stays this short.
        d = self.__dict__
        if d.get("_forward_pre_hooks") or d.get("_forward_hooks"):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """``forward`` between the forward pre-hooks and the forward hooks."""
        d = self.__dict__
        pre, post = d.get("_forward_pre_hooks"), d.get("_forward_hooks")
        if pre:
            for hook in list(pre.values()):
                out = hook(self, args)
                if out is not None:
                    args = out if isinstance(out, tuple) else (out,)
        result = self.forward(*args, **kwargs)
        if post:
            for hook in list(post.values()):
                out = hook(self, args, result)
                if out is not None:
                    result = out
        return result

    def register_forward_hook(self, hook: Callable) -> Any:
        """Call ``hook(module, inputs, output)`` after every forward; it may replace the
        output. Returns a handle whose ``remove()`` unregisters it."""
        return _HookHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable) -> Any:
        """Call ``hook(module, inputs)`` before every forward; it may replace the inputs."""
        return _HookHandle(self._forward_pre_hooks, hook)

    # -- registration by attribute assignment -------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")  # a parameter replaced keeps its place
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_tensor_type(value)}' as parameter '{name}' "
                    "(nbgrad.nn.Parameter or None expected)"
                )
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_tensor_type(value)}' as child module '{name}' "
                    "(nbgrad.nn.Module or None expected)"
                )
            modules[name] = None
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_tensor_type(value)}' as buffer '{name}' "
                    "(nbgrad.Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str = "") -> None:
        """Remove ``name`` from wherever it was registered (but the table ``keep``, where
        torch overwrites it in place), before it is registered anew."""
        d = self.__dict__
        d.pop(name, None)
        for table in ("_parameters", "_buffers", "_modules"):
            if table != keep:
                d[table].pop(name, None)
        d["_non_persistent"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: the registered names live in the tables.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                del entries[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        names = set(object.__dir__(self))
        for table in ("_parameters", "_buffers", "_modules"):
            names.update(self.__dict__.get(table, ()))
        return sorted(n for n in names if not n[0].isdigit())

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(name, "parameter", self)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{_tensor_type(param)}' object to parameter '{name}' "
                "(nbgrad.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that belongs to the module's state (saved in ``state_dict`` when
        ``persistent``) but is not trained."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(name, "buffer", self)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_tensor_type(tensor)}' object to buffer '{name}' "
                "(nbgrad Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        _check_name(name, "module", self)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        module = self
        for part in target.split(".") if target else ():
            if part not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = module._modules[part]
        return module

    def _get_member(self, target: str) -> tuple[Module, str]:
        """The module that holds ``target`` (``"bn.running_mean"``) and the member's name."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return module, name

    def get_parameter(self, target: str) -> Parameter:
        """The parameter named by its path, as in ``named_parameters`` (``"0.weight"``)."""
        module, name = self._get_member(target)
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer named by its path, as in ``named_buffers`` (``"bn.running_mean"``)."""
        module, name = self._get_member(target)
        buffer = getattr(module, name)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer

    # -- walking the tree ---------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module and every module below it, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = f"{prefix}.{name}" if prefix else name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, module in walk:
            for name, value in module.__dict__[table].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{mod_prefix}.{name}" if mod_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, named by their path: ``"0.weight"``, ``"fc1.bias"``."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and its submodules (each once), in order."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first) and on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- training state -----------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Put this module and all below it in training mode (``eval()`` undoes it)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (set them to None, as torch 2 does)."""
        for p in self.parameters():
            clear_grad(p, set_to_none)

    # -- dtype and device ---------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Convert floating-point parameters and buffers to a dtype; devices are accepted and
        ignored (nbgrad computes on the CPU)."""
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
        if dtype is not None:
            if not dtype.is_floating_point:
                raise TypeError(
                    "nn.Module.to only accepts floating point or complex dtypes, but got "
                    f"desired dtype={dtype!r}"
                )
            self._cast(dtype)
        return self

    def _cast(self, dtype: _dtype.dtype) -> None:
        for module in self.modules():
            for table in (module._parameters, module._buffers):
                for t in table.values():
                    if t is not None and t.dtype.is_floating_point and t.dtype is not dtype:
                        t._data = t._data.astype(dtype.numpy)
                        if t._grad is not None:
                            t._grad = t._grad.to(dtype)

    def float(self) -> Module:
        return self.to(_dtype.float32)

    def double(self) -> Module:
        return self.to(_dtype.float64)

    def half(self) -> Module:
        return self.to(_dtype.float16)

    def cpu(self) -> Module:
        return self

    # -- state dicts --------------------------------------------------------------------------
    def state_dict(self, *, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """The module's state: an OrderedDict from names (``"0.weight"``) to tensors that
        share memory with the parameters and buffers (detached unless ``keep_vars``)."""
        out: OrderedDict = OrderedDict() if destination is None else destination
        for mod_prefix, module in self.named_modules(prefix=prefix.rstrip(".")):
            for name, value in module._state_items():
                key = f"{mod_prefix}.{name}" if mod_prefix else name
                out[key] = value if keep_vars else value.detach()
        return out

    def _state_items(self) -> Iterator[tuple[str, Tensor]]:
        for name, p in self._parameters.items():
            if p is not None:
                yield name, p
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                yield name, b

    def load_state_dict(self, state_dict: Mapping, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy the tensors of ``state_dict`` into this module's parameters and buffers (in
        place: optimizers keep working). With ``strict``, the keys must match exactly."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        errors: list[str] = []
        expected: list[str] = []
        for mod_prefix, module in self.named_modules():
            for name, target in module._state_items():
                key = f"{mod_prefix}.{name}" if mod_prefix else name
                expected.append(key)
                if key in state_dict:
                    _copy_into(module, name, target, state_dict[key], key, assign, errors)
        known = set(expected)
        missing = [k for k in expected if k not in state_dict]
        unexpected = [k for k in state_dict if k not in known]
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self._get_name(), "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # -- printing -----------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text shown inside this module's parentheses; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_indent(repr(module), 2)}"
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _HookHandle:
    _next_id = 0

    def __init__(self, table: dict, hook: Callable) -> None:
        _HookHandle._next_id += 1
        self.id = _HookHandle._next_id
        self._table = table
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> _HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _check_name(name: Any, what: str, module: Module) -> None:
    """torch's checks of a new parameter, buffer or module name, in its order and words (a
    module's name is checked against existing attributes first, and quoted in the "." error)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a string. Got {type(name).__name__}")
    if what == "module" and hasattr(module, name) and name not in module._modules:
        raise KeyError(f"attribute '{name}' already exists")
    if "." in name:
        got = f", got: {name}" if what == "module" else ""
        raise KeyError(f'{what} name can\'t contain "."{got}')
    if name == "":
        raise KeyError(f'{what} name can\'t be empty string ""')
    # hasattr, as torch: a name taken by a method, a class attribute or another table's entry
    if what != "module" and hasattr(module, name) and name not in module.__dict__[f"_{what}s"]:
        raise KeyError(f"attribute '{name}' already exists")


def clear_grad(p: Tensor, set_to_none: bool) -> None:
    """Drop ``p.grad`` (``set_to_none``) or zero it in place: what both ``Module.zero_grad``
    and ``Optimizer.zero_grad`` do for each parameter."""
    g = p._grad
    if g is None:
        return
    if set_to_none:
        p._grad = None
    else:
        g.grad_fn = None
        g._requires_grad = False
        g._storage()[...] = 0
        bump_version(g)


def _copy_into(module: Module, name: str, target: Tensor, value: Any, key: str, assign: bool,
               errors: list[str]) -> None:
    if not isinstance(value, Tensor):
        errors.append(
            f'While copying the parameter named "{key}", expected nbgrad.Tensor or Tensor-like '
            f"object from checkpoint but received {type(value)}"
        )
        return
    if value.shape != target.shape:
        errors.append(
            f"size mismatch for {key}: copying a param with shape {value.shape!r} from "
            f"checkpoint, the shape in current model is {target.shape!r}."
        )
        return
    if assign:
        table = module._parameters if name in module._parameters else module._buffers
        new = Parameter(value, target.requires_grad) if isinstance(target, Parameter) else value
        table[name] = new
        return
    with no_grad():
        data = target._storage()
        np.copyto(data, np.asarray(value._data), casting="unsafe")
        bump_version(target)
