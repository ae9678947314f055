"""The extension and the widgets in a real Jupyter kernel (nbclient), as a saved notebook."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    "%load_ext nbgrad",
    "%tensor x=3.0 w=2.0",
    "import nbgrad\ny = nbgrad.sin(x * w) + x ** 2\n%watch y",
    "y.backward()",
    "a = 1",
    "%reload_ext nbgrad",
    "s = nbgrad.step_through(y)\ns.last()\ns",
    "e = nbgrad.explore(lambda x: x ** 2, x=(-2, 2))\ne.sliders['x'].value = 1.0\ne",
    "with nbgrad.dashboard(total=10) as d:\n    for i in range(10):\n        d.log(1 / (i + 1))",
    "%%graph\nq = x * 2",
]


def test_a_notebook_keeps_the_last_picture_of_a_pinned_graph() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    for cell in nb.cells:
        for out in cell.outputs:  # no errors, no warnings, nothing on stderr
            assert out.output_type != "error", out
            assert out.get("name") != "stderr", out
    (pinned,) = nb.cells[2].outputs
    assert pinned.output_type == "display_data"
    # the display was updated in place by the hook after `y.backward()`: the saved
    # notebook holds the picture with gradients
    assert "x (leaf)   data 3   grad 7.9203" in pinned.data["text/plain"]
    assert "grad 7.9203" in pinned.data["image/svg+xml"]
    assert nb.cells[3].outputs == [] and nb.cells[4].outputs == []
    for k, name in ((6, "StepThrough"), (7, "Explorer"), (8, "Dashboard")):
        (out,) = nb.cells[k].outputs
        assert out.data["text/plain"] == f"<nbgrad.{name}>"
        assert "application/vnd.jupyter.widget-view+json" in out.data
    assert nb.cells[9].outputs[0].data["text/plain"].startswith("autograd graph of q")
    assert "state" in nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
