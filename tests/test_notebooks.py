"""The lesson notebooks as files: their shape, their stored outputs, and their tensor code
under real PyTorch.

nbval (configured in pyproject.toml) re-runs every notebook and compares each output with
the stored one. These tests check what nbval does not:

* every lesson has the agreed shape: what the student will be able to do, ``%load_ext
  nbgrad``, and two or three exercises marked by ``nbgrad.lessons.check``;
* the stored outputs are those of one clean run (what ``tools/run_notebooks.py`` writes):
  executed in order, errors only where a cell is tagged ``raises-exception``, nothing that
  changes from run to run, every widget's state saved, every graph picture paired with its
  text outline;
* "every lesson's tensor code runs unchanged with real PyTorch": each notebook is run again
  with ``torch`` bound to real PyTorch, and what its tensor cells print is compared with what
  nbgrad printed (``torch.`` read as ``nbgrad.``). nbgrad's own tools (``%graph``,
  ``nbgrad.explore``, ...) are left out of that run; cells whose numbers come from a random
  generator are run but not compared (cell metadata ``{"nbgrad": {"torch": "differs"}}``).
"""

from __future__ import annotations

import ast
import importlib.util
import io
import re
import types
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import nbformat
import pytest

import nbgrad
from nbgrad.lessons import EXERCISES

ROOT = Path(__file__).resolve().parent.parent
LESSONS = [
    "01_slopes_by_hand", "02_first_gradient", "03_chain_rule", "04_live_experiment",
    "05_vectors", "06_gradients_accumulate", "07_tracking_off", "08_training_loop",
    "09_beyond_the_seed", "10_inside_an_op", "11_the_update_step",
]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _runner() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("run_notebooks",
                                                  ROOT / "tools" / "run_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_lessons_and_nothing_else() -> None:
    found = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert found == LESSONS


# -- shape -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_shape(name: str) -> None:
    nb = _read(name)
    number = str(int(name[:2]))
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# Lesson {number} ")
    assert "**After this lesson you will be able to**" in first.source
    code = _code(nb)
    assert any(c.source.splitlines()[0] == "%load_ext nbgrad" for c in code if c.source)
    checked = [m for c in code for m in re.findall(r'check\("(\d+\.\d)"', c.source)]
    expected = sorted(k for k in EXERCISES if k.split(".")[0] == number)
    assert checked == expected and 2 <= len(checked) <= 3
    # the exercises close the lesson
    tail = [c for c in code if 'check("' in c.source]
    assert code[-len(tail):] == tail
    assert any("## Exercises" in c.source for c in nb.cells if c.cell_type == "markdown")
    nbformat.validate(nb)


# -- stored outputs --------------------------------------------------------------------------


@pytest.mark.parametrize("name", LESSONS)
def test_stored_outputs_are_one_clean_run(name: str) -> None:
    nb = _read(name)
    code = _code(nb)
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert _runner().problems(nb) == []
    for c in code:
        tags = c.metadata.get("tags", [])
        assert "nbval-skip" not in tags
        errors = [o for o in c.outputs if o.output_type == "error"]
        assert bool(errors) == ("raises-exception" in tags), c.source
        assert "execution" not in c.metadata  # no timings
        for o in c.outputs:
            if o.output_type == "stream":
                assert o.name == "stdout", (c.source, o.text)  # no warnings on stderr


@pytest.mark.parametrize("name", LESSONS)
def test_widgets_have_saved_state(name: str) -> None:
    nb = _read(name)
    shown = [o.data[WIDGET_VIEW]["model_id"] for c in _code(nb) for o in c.outputs
             if "data" in o and WIDGET_VIEW in o.data]
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    if not shown:
        assert not state
        return
    assert "state" in state  # GitHub refuses a notebook whose widgets lack it
    for model_id in shown:
        assert model_id in state["state"], model_id
    for c in _code(nb):
        for o in c.outputs:
            if "data" in o and WIDGET_VIEW in o.data:
                assert o.data["text/plain"].startswith("<nbgrad.")  # a fixed, short repr


@pytest.mark.parametrize("name", LESSONS)
def test_graph_pictures_come_with_their_text_outline(name: str) -> None:
    """The drawing is masked for nbval (its layout depends on the Graphviz version); the
    outline beside it carries the nodes, values and gradients, and is compared."""
    for c in _code(_read(name)):
        for o in c.outputs:
            data = o.get("data", {})
            svg = data.get("image/svg+xml", "")
            if "Generated by graphviz" in svg:
                assert data["text/plain"].startswith("autograd graph of "), c.source


def test_the_sanitize_file_masks_only_graphviz_drawings() -> None:
    text = (ROOT / "tests" / "nbval_sanitize.cfg").read_text()
    rules = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.M)
    assert len(rules) == 3
    graphviz = re.compile(rules[0][0])
    masked = 0
    for name in LESSONS:
        for c in _code(_read(name)):
            for o in c.outputs:
                for key, value in o.get("data", {}).items():
                    if not isinstance(value, str) or not graphviz.search(value):
                        continue
                    assert key == "image/svg+xml" and "Generated by graphviz" in value
                    assert graphviz.sub(rules[0][1], value) == "<graphviz drawing>"
                    masked += 1
    assert masked >= 10


# -- the tensor code under real PyTorch ------------------------------------------------------


class NbgradOnly(Exception):
    """A cell that uses one of nbgrad's teaching tools: not run under torch."""


class _Dashboard:
    """Stands in for ``nbgrad.dashboard`` in the torch run: records losses, shows nothing."""

    def __init__(self, params: Any = None, **options: Any) -> None:
        self.losses: list[float] = []

    def log(self, loss: Any = None) -> None:
        if loss is not None:
            self.losses.append(float(loss.item()))

    def __call__(self, epoch: Any = None, loss: Any = None) -> None:
        self.log(loss)

    def finish(self) -> None:
        pass

    def __enter__(self) -> _Dashboard:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()


def _nbgrad_only(*args: Any, **kwargs: Any) -> Any:
    raise NbgradOnly


_STUB = types.SimpleNamespace(dashboard=_Dashboard, explore=_nbgrad_only,
                              step_through=_nbgrad_only, draw=_nbgrad_only,
                              watch=_nbgrad_only)


def _for_torch(source: str) -> tuple[str | None, bool]:
    """The cell's code as it runs under torch, and whether its output is comparable.
    None: a cell of nbgrad's tools only."""
    lines = source.splitlines()
    compare = True
    if lines and lines[0].startswith("%%graph"):  # runs its body, then draws it
        lines, compare = lines[1:], False
    out = []
    for line in lines:
        if line.strip() in ("%load_ext nbgrad", "import nbgrad"):
            continue
        if line.startswith("import nbgrad as torch"):
            out.append("import torch")
        elif line.startswith("%tensor "):
            from nbgrad.notebook.declare import parse_declarations

            for d in parse_declarations(line[len("%tensor "):]):
                assert d.creator is None, "only literal %tensor declarations are translated"
                out.append(f"{d.name} = torch.tensor({d.value!r}, dtype=torch.float32, "
                           "requires_grad=True)")
                out.append(f"print(f'{d.name} = {{{d.name}!r}}')")
        elif line.startswith("%"):
            return None, False
        else:
            out.append(line)
    return "\n".join(out), compare


def _stores(source: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _run(source: str, ns: dict) -> tuple[str, tuple[str, str] | None]:
    """Run a cell as IPython would: what it printed and displayed, and the error it raised."""
    from IPython.lib.pretty import pretty

    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    buffer = io.StringIO()
    error = None
    with redirect_stdout(buffer):
        try:
            exec(compile(tree, "<cell>", "exec"), ns)  # noqa: S102 - our own lessons
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), ns)  # noqa: S307
                if value is not None:
                    print(pretty(value), end="")
        except NbgradOnly:
            raise
        except NameError:
            raise
        except Exception as exc:  # noqa: BLE001 - compared with the stored error
            error = (type(exc).__name__, str(exc))
    return buffer.getvalue(), error


def _stored(cell: nbformat.NotebookNode) -> tuple[str, tuple[str, str] | None]:
    text, error = "", None
    for o in cell.outputs:
        if o.output_type == "stream":
            text += o.text
        elif o.output_type == "execute_result":
            text += o.data["text/plain"]
        elif o.output_type == "error":
            error = (o.ename, o.evalue)
    return text, error


def _same(text: str) -> str:
    """Text as both libraries print it: torch's module name read as nbgrad's, and a graph
    node's default repr (torch's has a memory address, IPython drops "object") reduced to
    its class name."""
    text = text.replace("torch.", "nbgrad.").replace("nbgrad::autograd::", "")
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", text)
    return re.sub(r"<(\w+) object>", r"<\1>", text).rstrip("\n")


def _to_torch(ns: dict, torch: Any) -> None:
    """nbgrad tensors made by nbgrad-only helpers (nbgrad.data) become torch tensors."""
    for key, value in list(ns.items()):
        if isinstance(value, nbgrad.Tensor):
            t = torch.from_numpy(value.detach().numpy().copy())
            if value.requires_grad and value.is_leaf:
                t.requires_grad_(True)
            ns[key] = t


@pytest.mark.parametrize("name", LESSONS)
def test_tensor_code_runs_unchanged_with_real_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ns: dict[str, Any] = {"__name__": "__main__", "nbgrad": _STUB}
    skipped: set[str] = set()
    compared = 0
    for cell in _code(_read(name)):
        source, compare = _for_torch(cell.source)
        if source is None:
            continue
        try:
            text, error = _run(source, ns)
        except NbgradOnly:
            skipped |= _stores(source)
            continue
        except NameError as exc:
            assert exc.name in skipped, f"{cell.source}\n{exc}"  # needs a skipped cell
            skipped |= _stores(source)
            continue
        _to_torch(ns, torch)
        if not compare or cell.metadata.get("nbgrad", {}).get("torch") == "differs":
            continue
        want_text, want_error = _stored(cell)
        assert _same(text) == _same(want_text), cell.source
        if want_error is None:
            assert error is None, f"{cell.source}\ntorch raised {error}"
        else:
            assert error is not None, f"{cell.source}\ntorch did not raise {want_error}"
            assert error[0] == want_error[0], cell.source
            # nbgrad may say more (gradcheck lists the entries that differ), never other
            assert _same(want_error[1]).startswith(_same(error[1])), cell.source
        compared += 1
    assert compared >= 8, compared
