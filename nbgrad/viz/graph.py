"""``draw``: a tensor's autograd graph as a picture, and the ``Graph`` object it returns."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbgrad.viz import layouts as _layouts
from nbgrad.viz import names as _names
from nbgrad.viz.dot import THEMES, Direction, Options, legend_dot, legend_key, to_dot
from nbgrad.viz.model import GraphModel
from nbgrad.viz.numbers import plural
from nbgrad.viz.render import RenderError, convert, pick, render
from nbgrad.viz.svg import beside
from nbgrad.viz.walk import DEFAULT_BUDGET, walk

__all__ = ["Graph", "draw"]

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class Graph:
    """A drawn autograd graph. In Jupyter it shows itself as SVG.

    ``source`` is the DOT text, ``svg()`` the picture, ``save(path)`` writes SVG, PNG or PDF
    (by the file's suffix), ``model`` the nodes and edges as data, and ``options(...)`` the
    same graph drawn with other options.
    """

    def __init__(self, model: GraphModel, options: Options | None = None,
                 renderer: str | None = None) -> None:
        self.model = model
        self._options = options or Options()
        self.renderer = renderer
        self._source: str | None = None
        self._svg: dict[str | None, str] = {}

    @property
    def source(self) -> str:
        """The DOT text: the same computation gives the same text on every run."""
        if self._source is None:
            self._source = to_dot(self.model, self._options)
        return self._source

    def options(self, **changes: Any) -> Graph:
        """This graph drawn with some options changed: ``g.options(theme="dark")``."""
        fields = {k: getattr(self._options, k) for k in Options.__dataclass_fields__}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        return Graph(self.model, Options(**{**fields, **changes}), self.renderer)

    def svg(self, renderer: str | None = None) -> str:
        """The picture as SVG text (rendered once, then kept).

        The same picture as ``source`` draws, made faster: the graph is laid out without
        its legend, and the legend, laid out once per process, is set below it (beside it
        when the graph runs top to bottom)."""
        renderer = renderer or self.renderer
        if renderer not in self._svg:
            o = self._options
            if not o.legend:
                text = _svg(self.source, renderer)
            else:
                below = o.direction in ("LR", "RL")
                plain = to_dot(self.model, o, legend=False)
                text = beside(_svg(plain, renderer),
                              _legend_svg(legend_key(self.model, o), below, renderer),
                              below, THEMES[o.theme].background)
            self._svg[renderer] = text
        return self._svg[renderer]

    def save(self, path: str | Path, renderer: str | None = None) -> Path:
        """Write the picture to ``path``: SVG, PNG or PDF, chosen by the file's suffix.

        PNG and PDF come from the system's Graphviz ``dot`` where there is one, and else
        from the SVG that ``svg()`` draws, converted in this process (``render.convert``)."""
        path = Path(path)
        fmt = _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"save() writes .svg, .png or .pdf files, not {path.name!r}")
        renderer = renderer or self.renderer
        if fmt == "svg":
            path.write_text(self.svg(renderer), encoding="utf-8")
        elif pick(renderer, fmt) == "dot":
            path.write_bytes(render(self.source, fmt, "dot"))
        else:
            path.write_bytes(convert(self.svg(renderer), fmt))  # the WebAssembly's SVG
        return path

    def to_graphviz(self) -> Any:
        """The DOT text as a ``graphviz.Source``, for what that package offers."""
        import graphviz

        return graphviz.Source(self.source)

    def __repr__(self) -> str:
        m = self.model
        text = (f"<Graph: {plural(len(m.nodes), 'node')}, {plural(len(m.edges), 'edge')}, "
                f"output {m.output.title}")
        if m.folded:
            text += f", {m.folded:,} of {m.total_nodes:,} nodes folded"
        return text + ">"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        bundle = {"text/plain": repr(self)}
        try:
            bundle["image/svg+xml"] = self.svg()
        except RenderError as exc:  # show the reason in the cell rather than a traceback
            bundle["text/plain"] += f"\n{exc}"
        return bundle


def _svg(dot: str, renderer: str | None) -> str:
    """The SVG of ``dot``. The WebAssembly Graphviz lays out a graph again only when more
    than the digits of its labels changed (``layouts``): its text widths come from a table
    in which all digits are as wide. The system's dot measures real fonts: not for it."""
    if pick(renderer, "svg") != "wasm":
        return render(dot, "svg", renderer).decode("utf-8")
    return _layouts.svg(dot, lambda text: render(text, "svg", "wasm").decode("utf-8"))


_LEGENDS: dict[tuple, str] = {}


def _legend_svg(key: tuple, below: bool, renderer: str | None) -> str:
    """The legend's SVG, laid out once per process for each theme and kinds of node."""
    full = (key, below, renderer)
    if full not in _LEGENDS:
        dot = legend_dot(key, "TB" if below else "LR")
        _LEGENDS[full] = render(dot, "svg", renderer).decode("utf-8")
    return _LEGENDS[full]


def _adapter(tensor: object) -> Any:
    from nbgrad.viz.walk_nbgrad import NbgradAdapter, is_nbgrad_tensor

    if is_nbgrad_tensor(tensor):
        return NbgradAdapter()
    from nbgrad.viz.walk_torch import TorchAdapter, is_torch_tensor

    if is_torch_tensor(tensor):
        return TorchAdapter()
    raise TypeError(
        f"draw() takes a tensor (nbgrad or torch), not {type(tensor).__name__}"
    )


def draw(
    tensor: Any,
    *,
    direction: Direction = "LR",
    values: bool = True,
    grads: bool = True,
    local: bool = False,
    shapes: bool = True,
    theme: str = "light",
    legend: bool = True,
    budget: int = DEFAULT_BUDGET,
    constants: bool = True,
    names: Mapping[str, Any] | bool | None = None,
    renderer: str | None = None,
) -> Graph:
    """Draw the autograd graph that produced ``tensor`` (an nbgrad or a torch tensor).

    Each node shows the Python variable the tensor is bound to where ``draw`` is called
    (``names=None``; pass a dict to choose, or False for none), its op, its value and, after
    ``backward()``, its gradient; each edge the gradient that flowed along it. See
    ``Options`` for ``direction``, ``values``, ``grads``, ``local``, ``shapes``, ``theme``
    and ``legend``. Graphs larger than ``budget`` nodes are folded; ``constants=False``
    leaves out the inputs that need no gradient. ``renderer``: ``"wasm"``, ``"dot"`` or None
    (the first available).
    """
    adapter = _adapter(tensor)
    options = Options(direction=direction, values=values, grads=grads, local=local,
                      shapes=shapes, theme=theme, legend=legend)  # type: ignore[arg-type]
    if names is None or names is True:
        named = _names.caller_tensors()
    elif names is False:
        named = []
    elif isinstance(names, Mapping):
        named = [(str(k), v) for k, v in names.items() if _names.is_tensor(v)]
    else:
        raise TypeError(f"names must be a dict, True, False or None, not {type(names).__name__}")
    model = walk(tensor, adapter, names=named, budget=budget, constants=constants)
    return Graph(model, options, renderer)
