"""The magics: ``%tensor``, ``%watch``, ``%unwatch``, and ``%graph`` / ``%%graph``.

Each parses its line with IPython's ``magic_arguments``, so ``%tensor?`` shows its help and
bad input is a ``UsageError`` with the usage line, not a traceback. They only compose the
rest of nbgrad: ``declare.py`` reads declarations, ``pin.py`` keeps graphs live, and
``picture.py`` draws.
"""

from __future__ import annotations

import ast
from typing import Any

from IPython.core.display_functions import display
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from nbgrad.notebook.declare import DeclarationError, make_tensor, parse_declarations
from nbgrad.notebook.picture import graph_bundle, note_bundle
from nbgrad.notebook.pin import PinBoard
from nbgrad.notebook.shell import is_rich, user_tensors

__all__ = ["NbgradMagics", "LINE_MAGICS", "CELL_MAGICS"]

LINE_MAGICS = ("tensor", "watch", "unwatch", "graph")
CELL_MAGICS = ("graph",)


def _usage(magic: Any, message: str) -> UsageError:
    """A UsageError: the message, then the magic's usage line and where to read more."""
    usage = magic.parser.format_usage().replace("::", "").strip()
    name = usage.split()[0] if usage else "%magic"
    return UsageError(f"{message}\nusage: {usage}\n(see {name}? for help)")


def _parse(magic: Any, line: str) -> Any:
    """``parse_argstring``, with the usage line added to its errors."""
    try:
        return parse_argstring(magic, line)
    except UsageError as exc:
        name = magic.__name__
        raise _usage(magic, f"%{name}: {exc}") from None


def _draw_options(args: Any) -> dict[str, Any]:
    """The drawing options the graph magics share, as ``draw``'s keywords."""
    options: dict[str, Any] = {}
    if args.direction is not None:
        options["direction"] = args.direction
    if args.local:
        options["local"] = True
    if args.no_legend:
        options["legend"] = False
    if args.no_values:
        options["values"] = False
    return options


def _drawing_arguments(func: Any) -> Any:
    for arg in reversed((
        argument("-d", "--direction", choices=["LR", "TB", "RL", "BT"], default=None,
                 help="which way the graph runs: LR (left to right, the default), TB, RL, BT"),
        argument("-l", "--local", action="store_true",
                 help="label each edge with the local derivative of the op it enters"),
        argument("--no-legend", action="store_true", help="leave out the legend"),
        argument("--no-values", action="store_true", help="leave out the tensors' values"),
    )):
        func = arg(func)
    return func


class _Stores(ast.NodeVisitor):
    """The names a piece of code assigns to, in the order they appear."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: ast.Name) -> None:  # noqa: N802 - ast's name
        if isinstance(node.ctx, ast.Store):
            self.names.append(node.id)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802
        self.names.append(node.name)  # its body's names are local to it

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_Lambda(self, node: ast.Lambda) -> None:  # noqa: N802
        pass


@magics_class
class NbgradMagics(Magics):
    """nbgrad's magics; ``%load_ext nbgrad`` registers them."""

    # -- %tensor -------------------------------------------------------------------------
    @magic_arguments()
    @argument("-n", "--no-grad", action="store_true",
              help="declare tensors that do not require grad (they do by default)")
    @argument("-t", "--dtype", default=None,
              help="the dtype, e.g. float64 (default: float32 for numbers, as torch.tensor)")
    @argument("-s", "--seed", type=int, default=None,
              help="seed nbgrad's random generator first (for rand(...), randn(...))")
    @argument("-q", "--quiet", action="store_true", help="do not print the new tensors")
    @argument("declarations", nargs="*", metavar="NAME=VALUE",
              help="e.g. x=3.0   v=[1., 2., 3.]   W=randn(2, 3)   b=zeros(3)")
    @line_magic
    def tensor(self, line: str) -> None:
        """Declare tensors in one line; they land in the notebook as ordinary nbgrad tensors
        that require grad (unless --no-grad).

        Examples::

            %tensor x=3.0 w=1.0 b=0.0
            %tensor v=[1., 2., 3.]
            %tensor W=randn(2, 3) b=zeros(3) --seed 0
            %tensor --no-grad data=[[1, 2], [3, 4]]

        A value is a number, a (nested) list of numbers, or one of zeros(...), ones(...),
        rand(...), randn(...), full(...), eye(...), arange(...), linspace(...) with numbers
        as arguments. Values are read as data, never run as code. With requires_grad, whole
        numbers become floating point, since only those can have gradients.
        """
        import nbgrad

        args = _parse(self.tensor, line)
        if not args.declarations:
            raise _usage(self.tensor, "%tensor: give at least one NAME=VALUE, e.g. %tensor x=3.0")
        dtype = None
        if args.dtype is not None:
            dtype = getattr(nbgrad, args.dtype, None)
            if not isinstance(dtype, nbgrad.dtype):
                raise _usage(self.tensor, f"%tensor: {args.dtype!r} is not a dtype "
                                          "(e.g. float32, float64, int64)")
        try:
            decls = parse_declarations(" ".join(args.declarations))
            if args.seed is not None:
                nbgrad.manual_seed(args.seed)
            made = {d.name: make_tensor(d, not args.no_grad, dtype) for d in decls}
        except DeclarationError as exc:
            raise _usage(self.tensor, f"%tensor: {exc}") from None
        self.shell.user_ns.update(made)
        if not args.quiet:
            for name, t in made.items():
                print(f"{name} = {t!r}")

    # -- %watch / %unwatch ---------------------------------------------------------------
    @magic_arguments()
    @_drawing_arguments
    @argument("names", nargs="*", metavar="NAME",
              help="the variables whose graphs to pin (none: list what is pinned)")
    @line_magic
    def watch(self, line: str) -> None:
        """Pin the graph of a variable: it is shown here and redrawn in place after every
        later cell that changes it (after loss.backward(), it shows the gradients).

        Examples::

            %watch loss
            %watch y --local -d TB
            %watch            (lists the pinned graphs)

        The pin follows the name: a cell that binds loss to a new tensor redraws the graph,
        and a name not defined yet is drawn once a cell defines it. %unwatch stops it; the
        picture stays as it was last drawn.
        """
        args = _parse(self.watch, line)
        board = PinBoard.of(self.shell)
        if not args.names:
            pins = list(board.pins.values())
            print("pinned: " + ", ".join(p.label for p in pins) if pins
                  else "nothing is pinned: %watch NAME pins the graph of NAME")
            return
        for name in args.names:
            if not name.isidentifier():
                raise _usage(self.watch, f"%watch: {name!r} is not a variable name")
        for name in args.names:
            board.add(name, **_draw_options(args))

    @magic_arguments()
    @argument("names", nargs="*", metavar="NAME", help="the pins to remove (none: all)")
    @line_magic
    def unwatch(self, line: str) -> None:
        """Stop updating pinned graphs: the named ones, or all of them. Their pictures stay
        as they were last drawn.

        Examples::

            %unwatch
            %unwatch loss
        """
        args = _parse(self.unwatch, line)
        board = PinBoard.existing(self.shell)
        gone = board.remove(*args.names) if board is not None else []
        missing = [n for n in args.names if n not in gone]
        if gone:
            print("unpinned: " + ", ".join(gone))
        if missing:
            print("not pinned: " + ", ".join(missing))
        elif not gone:
            print("nothing was pinned")

    # -- %graph / %%graph ----------------------------------------------------------------
    @magic_arguments()
    @_drawing_arguments
    @argument("-w", "--watch", action="store_true",
              help="pin the graph: redraw it after every later cell that changes it")
    @argument("name", nargs="?", default=None, metavar="NAME",
              help="the tensor to draw (in a %%graph cell: by default the cell's value if it "
                   "is a tensor, else the last tensor the cell assigned)")
    @line_cell_magic
    def graph(self, line: str, cell: str | None = None) -> None:
        """Draw the graph of a tensor (%graph y), or run a cell and draw the graph of what
        it computed (%%graph): the cell's value if it is a tensor, else the last tensor the
        cell assigned to a name.

        Examples::

            %graph loss

            %%graph
            x = nbgrad.tensor(2.0, requires_grad=True)
            y = x ** 2 + 1

        In a terminal, the graph is printed as a text outline.
        """
        args = _parse(self.graph, line)
        if args.name is not None and not args.name.isidentifier():
            raise _usage(self.graph, f"%graph: {args.name!r} is not a variable name")
        ns = self.shell.user_ns
        if cell is None:
            if args.name is None:
                raise _usage(self.graph, "%graph: name the tensor to draw, e.g. %graph y (or "
                                         "use %%graph on a cell)")
            if args.name not in ns:
                raise _usage(self.graph, f"%graph: {args.name} is not defined")
            name, value = args.name, ns[args.name]
        else:
            name, value = self._run(cell, args.name)
        from nbgrad.viz.names import is_tensor

        if not is_tensor(value):
            what = f"{name} is a {type(value).__name__}, not a tensor" if name else \
                "the cell computed no tensor (no tensor value, no tensor assigned)"
            display(note_bundle(f"%graph: nothing to draw: {what}"), raw=True)
            return
        options = _draw_options(args)
        if args.watch:
            PinBoard.of(self.shell).add(name if name else value, **options)
            return
        bundle = graph_bundle(value, names=user_tensors(self.shell), rich=is_rich(self.shell),
                              options=options)
        display(bundle, raw=True)

    def _run(self, cell: str, name: str | None) -> tuple[str | None, Any]:
        """Run the cell in the notebook's namespace; return what to draw, and its name."""
        shell = self.shell
        code = shell.transform_cell(cell)
        tree = ast.parse(code)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        stores = _Stores()
        stores.visit(tree)
        ns = shell.user_ns
        exec(compile(tree, "<%%graph cell>", "exec"), ns)  # noqa: S102 - the user's own cell
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<%%graph cell>", "eval"), ns)  # noqa: S307
        if name is not None:
            return name, ns.get(name)
        from nbgrad.viz.names import is_tensor

        if is_tensor(value):
            found = next((k for k in reversed(stores.names) if ns.get(k) is value), None)
            return found, value
        for k in reversed(stores.names):
            if is_tensor(ns.get(k)):
                return k, ns[k]
        return None, value
