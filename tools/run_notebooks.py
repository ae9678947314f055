#!/usr/bin/env python
"""Execute the lesson notebooks and store their outputs, as nbval will check them.

    .venv/bin/python tools/run_notebooks.py              # every notebooks/NN_*.ipynb
    .venv/bin/python tools/run_notebooks.py 03 08        # the lessons whose names start so
    .venv/bin/python tools/run_notebooks.py --no-write   # run and report, change nothing

Each notebook runs top to bottom in a fresh kernel of this Python (the one nbval's
``--nbval-current-env`` starts), with the notebooks folder as its working directory. The
notebook is then saved with its outputs and the state of its widgets (so a static viewer
still shows them), without timings or kernel ids. The lessons seed their own randomness;
nothing here changes what a cell prints.

Before saving, the run is checked for what would make a stored output impossible to
reproduce or wrong to keep: a cell tagged ``raises-exception`` that did not raise, a
progress bar's timing text, or a kernel temp path. The time of each notebook and the total
are printed at the end.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "nbgrad-current-env"

# What must never be stored: it changes from run to run.
UNSTABLE = {
    "a progress bar's timing": re.compile(r"\d+(\.\d+)?(it|s)/s\]|\[\d\d:\d\d<"),
    "a kernel temp path": re.compile(r"/tmp/ipykernel_\d+/"),
}


class _CurrentEnv(KernelSpecManager):
    """One kernel: this Python, as ``nbval --nbval-current-env`` runs it."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                "{connection_file}"],
                          display_name="Python 3 (ipykernel)", language="python")


def _texts(cell: nbformat.NotebookNode) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif o.output_type == "error":
            out.append(f"{o.ename}: {o.evalue}")
        else:
            out += [v for v in o.get("data", {}).values() if isinstance(v, str)]
    return out


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """What is wrong with an executed notebook, cell by cell (empty when all is well)."""
    found = []
    code = [c for c in nb.cells if c.cell_type == "code"]
    for k, cell in enumerate(code):
        tags = cell.metadata.get("tags", [])
        raised = any(o.output_type == "error" for o in cell.outputs)
        if "raises-exception" in tags and not raised:
            found.append(f"code cell {k} is tagged raises-exception but did not raise")
        for text in _texts(cell):
            for what, pattern in UNSTABLE.items():
                if pattern.search(text):
                    found.append(f"code cell {k} stores {what}: {pattern.search(text)[0]!r}")
    return found


def coalesce_streams(cell: nbformat.NotebookNode) -> None:
    """Join consecutive pieces of the same stream into one output, as a notebook shows them:
    the kernel sends printed text in pieces whose boundaries vary from run to run."""
    merged: list[nbformat.NotebookNode] = []
    for o in cell.get("outputs", []):
        if (o.output_type == "stream" and merged and merged[-1].output_type == "stream"
                and merged[-1].name == o.name):
            merged[-1].text += o.text
        else:
            merged.append(o)
    cell.outputs = merged


def relative_paths(cell: nbformat.NotebookNode, root: Path = ROOT) -> None:
    """Name the files of this checkout in stored tracebacks by their place in the repository
    (``nbgrad/_tensor.py``), not on this machine: the stored lesson must not depend on where
    it was run."""
    prefix = str(root) + "/"
    for o in cell.get("outputs", []):
        if o.output_type == "error":
            o.traceback = [line.replace(prefix, "") for line in o.traceback]


def execute(path: Path, timeout: int = 300) -> tuple[nbformat.NotebookNode, float]:
    """Run the notebook at ``path`` in a fresh kernel; return it with its outputs, and the
    seconds it took (kernel start included)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # a clean slate: nothing of an earlier run survives
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=_CurrentEnv())
    client = NotebookClient(nb, km=km, timeout=timeout, record_timing=False,
                            store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute(cwd=str(path.parent))
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type == "code":
            coalesce_streams(cell)
            relative_paths(cell)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                 "language": "python", "name": "python3"}
    info = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {k: info[k] for k in ("name", "file_extension",
                                                           "mimetype", "pygments_lexer",
                                                           "codemirror_mode", "nbconvert_exporter")
                                    if k in info}
    return nb, seconds


def lesson_paths(names: list[str]) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(n) or p.stem == n for n in names)]
    missing = [n for n in names if not any(p.name.startswith(n) for p in paths)]
    if missing:
        raise SystemExit(f"no lesson matches {', '.join(missing)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="lesson names or number prefixes (default: all)")
    parser.add_argument("--no-write", action="store_true", help="run and report only")
    args = parser.parse_args(argv)
    failed = False
    total = 0.0
    rows = []
    for path in lesson_paths(args.names):
        try:
            nb, seconds = execute(path)
        except Exception as exc:  # noqa: BLE001 - report every notebook, then fail
            print(f"FAILED {path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed = True
            continue
        total += seconds
        issues = problems(nb)
        for issue in issues:
            print(f"PROBLEM {path.name}: {issue}", file=sys.stderr)
        failed |= bool(issues)
        widgets = len(nb.metadata.get("widgets", {}).get(
            "application/vnd.jupyter.widget-state+json", {}).get("state", {}))
        rows.append((path.name, seconds, widgets))
        if not issues and not args.no_write:
            nbformat.validate(nb)
            nbformat.write(nb, path)
    width = max((len(r[0]) for r in rows), default=10)
    print(f"{'notebook':<{width}}  seconds  widget models")
    for name, seconds, widgets in rows:
        print(f"{name:<{width}}  {seconds:7.2f}  {widgets:13d}")
    print(f"{'total':<{width}}  {total:7.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
