"""``%tensor``'s declarations: ``NAME=VALUE`` pairs read safely into tensors.

A value is a Python literal (``3.0``, ``-1``, ``[1., 2., 3.]``, ``[[1, 2], [3, 4]]``, ``True``)
read by ``ast.literal_eval``, or a call of one of nbgrad's creation functions with literal
arguments (``zeros(2, 3)``, ``randn(4)``, ``full((2, 2), 0.5)``) checked node by node with
``ast``. Nothing is ever ``eval``-ed: a value cannot run code.

Declarations are separated by spaces or commas outside brackets, so ``v=[1., 2., 3.]`` and
``x = 3, w = 1`` both read as a student would mean them.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass
from typing import Any

__all__ = ["Declaration", "DeclarationError", "split_declarations", "parse_declarations",
           "make_tensor", "CREATORS"]

CREATORS = ("zeros", "ones", "rand", "randn", "full", "eye", "arange", "linspace")
_HELP = ("a value is a number (3.0), a list ([1., 2., 3.], [[1, 2], [3, 4]]) or a shape "
         f"given to one of {', '.join(c + '(...)' for c in CREATORS[:4])}, full(...), "
         "eye(...), arange(...), linspace(...)")


class DeclarationError(ValueError):
    """A declaration that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Declaration:
    name: str
    text: str  # the value as written
    creator: str | None  # "zeros" for zeros(2, 3); None for a literal
    value: Any  # the literal, or the creator's positional arguments


def split_declarations(text: str) -> list[str]:
    """``"x=1 v=[1, 2] W = zeros(2, 3)"`` -> ``["x=1", "v=[1, 2]", "W=zeros(2, 3)"]``."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    chars = list(text.strip())
    for k, ch in enumerate(chars):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if depth <= 0 and (ch.isspace() or ch == ","):
            # spaces around "=" join a name to its value
            before = "".join(current).rstrip()
            after = "".join(chars[k + 1:]).lstrip()
            if ch.isspace() and (before.endswith("=") or after.startswith("=")):
                continue
            if current:
                parts.append("".join(current).strip())
                current = []
            continue
        current.append(ch)
    if current:
        parts.append("".join(current).strip())
    return [p.replace(" ", "") if "=" not in p else _tidy(p) for p in parts if p]


def _tidy(part: str) -> str:
    name, _, value = part.partition("=")
    return f"{name.strip()}={value.strip()}"


def _literal(node: ast.AST, text: str, name: str) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise DeclarationError(f"cannot read the value of {name}: {text!r}; {_HELP}") from exc
    if not _numeric(value):
        raise DeclarationError(f"the value of {name} is not numbers: {text!r}; {_HELP}")
    return value


def _numeric(value: Any) -> bool:
    if isinstance(value, (bool, int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_numeric(v) for v in value)
    return False


def parse_declarations(text: str) -> list[Declaration]:
    """Read ``NAME=VALUE`` declarations (see the module docstring); raise
    ``DeclarationError`` naming the first one that cannot be read."""
    out: list[Declaration] = []
    seen: set[str] = set()
    for part in split_declarations(text):
        name, eq, value = part.partition("=")
        if not eq:
            raise DeclarationError(f"expected NAME=VALUE, got {part!r} (e.g. x=3.0)")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise DeclarationError(f"{name!r} is not a Python variable name")
        if name in seen:
            raise DeclarationError(f"{name} is declared twice")
        seen.add(name)
        if not value:
            raise DeclarationError(f"{name}= has no value; {_HELP}")
        try:
            tree = ast.parse(value, mode="eval").body
        except SyntaxError as exc:
            raise DeclarationError(f"cannot read the value of {name}: {value!r}; {_HELP}") \
                from exc
        if isinstance(tree, ast.Call):
            func = tree.func
            if not isinstance(func, ast.Name) or func.id not in CREATORS:
                called = ast.unparse(func)
                raise DeclarationError(f"{name}={value}: {called}(...) is not one of "
                                       f"{', '.join(CREATORS)}")
            if tree.keywords:
                raise DeclarationError(f"{name}={value}: give {func.id}(...) its arguments "
                                       "by position only")
            args = tuple(_literal(a, value, name) for a in tree.args)
            out.append(Declaration(name, value, func.id, args))
        else:
            out.append(Declaration(name, value, None, _literal(tree, value, name)))
    return out


def make_tensor(d: Declaration, requires_grad: bool = True, dtype: Any = None) -> Any:
    """The tensor a declaration describes. With ``requires_grad``, whole numbers become
    floating point (gradients need it) unless ``dtype`` says otherwise."""
    import nbgrad

    try:
        if d.creator is None:
            t = nbgrad.tensor(d.value, dtype=dtype)
        else:
            t = getattr(nbgrad, d.creator)(*d.value, dtype=dtype)
    except (TypeError, ValueError, RuntimeError, OverflowError, MemoryError) as exc:
        raise DeclarationError(f"{d.name}={d.text}: {type(exc).__name__}: {exc}") from exc
    if requires_grad:
        if not t.dtype.is_floating_point:
            if dtype is not None:
                raise DeclarationError(f"{d.name}: only floating point tensors can require "
                                       f"grad, and {dtype} is not one (or use --no-grad)")
            t = t.to(nbgrad.get_default_dtype())
        t.requires_grad_(True)
    return t
