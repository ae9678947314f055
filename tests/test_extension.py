"""The IPython extension and its magics, driven through a real ``InteractiveShell``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("IPython")

from IPython.core.displaypub import CapturingDisplayPublisher, DisplayPublisher  # noqa: E402
from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

import nbgrad  # noqa: E402
from nbgrad.notebook import shell as shell_mod  # noqa: E402
from nbgrad.notebook.magics import NbgradMagics  # noqa: E402
from nbgrad.notebook.pin import PinBoard  # noqa: E402


def _ours(ip: InteractiveShell) -> list[Any]:
    return [cb for cb in ip.events.callbacks["post_run_cell"]
            if getattr(cb, "_nbgrad_hook", False)]


@pytest.fixture
def ip() -> Iterator[InteractiveShell]:
    """The shell, with nbgrad loaded and a display publisher that records every display."""
    shell = InteractiveShell.instance()
    old_pub = shell.display_pub
    pub = CapturingDisplayPublisher()
    pub.shell = shell
    shell.display_pub = pub
    shell.run_cell("%load_ext nbgrad")
    shell.user_ns["nbgrad"] = nbgrad
    try:
        yield shell
    finally:
        shell.run_cell("%unload_ext nbgrad")
        shell.display_pub = old_pub
        for name in [k for k in shell.user_ns if not k.startswith("_")]:
            if nbgrad.is_tensor(shell.user_ns[name]):
                del shell.user_ns[name]


def outputs(ip: InteractiveShell) -> list[dict]:
    return ip.display_pub.outputs


def run(ip: InteractiveShell, code: str) -> Any:
    return ip.run_cell(code, store_history=False)


def usage_error(ip: InteractiveShell, code: str) -> str:
    """The UsageError a line raises, as its text (the cell fails cleanly, no traceback)."""
    result = run(ip, code)
    assert not result.success
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    return str(result.error_in_exec)


# -- loading ---------------------------------------------------------------------------------


def test_load_registers_magics_and_one_hook(ip: InteractiveShell) -> None:
    for name in ("tensor", "watch", "unwatch", "graph"):
        assert name in ip.magics_manager.magics["line"]
    assert "graph" in ip.magics_manager.magics["cell"]
    assert len(_ours(ip)) == 1


def test_reload_and_double_load_leave_one_hook(ip: InteractiveShell) -> None:
    total = len(ip.events.callbacks["post_run_cell"])
    for line in ("%reload_ext nbgrad", "%reload_ext nbgrad", "%load_ext nbgrad"):
        assert run(ip, line).success
        assert len(_ours(ip)) == 1
        assert len(ip.events.callbacks["post_run_cell"]) == total
    nbgrad.load_ipython_extension(ip)  # called directly, again
    assert len(_ours(ip)) == 1
    magics = [v for v in ip.magics_manager.registry.values() if isinstance(v, NbgradMagics)]
    assert len(magics) == 1


def test_unload_removes_hook_and_magics(ip: InteractiveShell) -> None:
    run(ip, "%tensor x=1.0")
    run(ip, "%watch x")
    assert run(ip, "%unload_ext nbgrad").success
    assert _ours(ip) == []
    for name in ("tensor", "watch", "unwatch", "graph"):
        assert name not in ip.magics_manager.magics["line"]
    assert "graph" not in ip.magics_manager.magics["cell"]
    assert "NbgradMagics" not in ip.magics_manager.registry
    assert PinBoard.existing(ip).pins == {}
    assert not run(ip, "%tensor y=1.0").success
    run(ip, "%load_ext nbgrad")  # the fixture unloads at the end
    assert len(_ours(ip)) == 1


def test_import_nbgrad_loads_no_ipython() -> None:
    code = ("import sys, nbgrad; heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('IPython', 'ipywidgets', 'traitlets', 'graphviz', 'wasmtime')]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


# -- %tensor ---------------------------------------------------------------------------------


def test_tensor_declares_several_scalars(ip: InteractiveShell, capsys: Any) -> None:
    assert run(ip, "%tensor x=3.0 w=1.0 b=0.0").success
    ns = ip.user_ns
    for name, value in (("x", 3.0), ("w", 1.0), ("b", 0.0)):
        t = ns[name]
        assert isinstance(t, nbgrad.Tensor) and t.requires_grad and t.is_leaf
        assert t.item() == value and t.dtype == nbgrad.float32
    assert "x = tensor(3., requires_grad=True)" in capsys.readouterr().out


def test_tensor_lists_shapes_and_options(ip: InteractiveShell, capsys: Any) -> None:
    assert run(ip, "%tensor v=[1., 2., 3.]  n=2  M = [[1, 2], [3, 4]], W=zeros(2, 3)").success
    ns = ip.user_ns
    assert ns["v"].tolist() == [1.0, 2.0, 3.0]
    assert ns["n"].dtype == nbgrad.float32 and ns["n"].requires_grad  # whole numbers: float
    assert ns["M"].shape == (2, 2) and ns["M"].requires_grad
    assert ns["W"].shape == (2, 3)
    assert run(ip, "%tensor --no-grad -q k=[1, 2]").success
    assert not ns["k"].requires_grad and ns["k"].dtype == nbgrad.int64
    assert capsys.readouterr().out.count("k =") == 0
    assert run(ip, "%tensor -t float64 d=1.5").success
    assert ns["d"].dtype == nbgrad.float64
    run(ip, "%tensor -q --seed 0 r=randn(3)")
    first = ns["r"].tolist()
    run(ip, "%tensor -q --seed 0 r=randn(3)")
    assert ns["r"].tolist() == first
    # the result is an ordinary tensor: autograd works on it
    assert run(ip, "y = (x2 := v * v).sum(); y.backward()").success
    assert ns["v"].grad.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(("line", "says"), [
    ("%tensor", "give at least one NAME=VALUE"),
    ("%tensor x", "expected NAME=VALUE, got 'x'"),
    ("%tensor x=foo", "cannot read the value of x: 'foo'"),
    ("%tensor 2x=1", "'2x' is not a Python variable name"),
    ("%tensor x=1 x=2", "x is declared twice"),
    ("%tensor x='a'", "the value of x is not numbers"),
    ("%tensor x=[1,", "cannot read the value of x"),
    ("%tensor x=__import__('os').getcwd()", "is not one of zeros, ones"),
    ("%tensor x=zeros(n=2)", "by position only"),
    ("%tensor -t nope x=1", "'nope' is not a dtype"),
    ("%tensor -t int64 x=1", "only floating point tensors can require grad"),
    ("%tensor --bogus x=1", "unrecognized arguments: --bogus"),
])
def test_tensor_bad_input_is_a_usage_error(ip: InteractiveShell, line: str, says: str) -> None:
    text = usage_error(ip, line)
    assert says in text
    assert "\nusage: %tensor [-n] [-t DTYPE]" in text  # the usage line comes with it


def test_tensor_values_are_never_run(ip: InteractiveShell, tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    usage_error(ip, f"%tensor x=open({str(marker)!r}, 'w')")
    usage_error(ip, f"%tensor x=[open({str(marker)!r}, 'w')]")
    assert not marker.exists()
    assert "x" not in ip.user_ns


def test_every_magic_has_help(ip: InteractiveShell, capsys: Any) -> None:
    for name in ("tensor", "watch", "unwatch", "graph"):
        doc = getattr(NbgradMagics, name).__doc__
        assert f"%{name} [" in doc and "Examples" in doc
    run(ip, "%tensor?")
    assert "Declare tensors in one line" in capsys.readouterr().out
    for line in ("%watch 1x", "%graph", "%graph 1x", "%graph nowhere"):
        assert "usage: %" in usage_error(ip, line)


# -- %watch ----------------------------------------------------------------------------------


def _svg_text(bundle: dict) -> str:
    return bundle["data"].get("image/svg+xml", "")


def test_watch_shows_then_updates_after_backward(ip: InteractiveShell) -> None:
    run(ip, "%tensor -q x=3.0 w=2.0")
    run(ip, "y = nbgrad.sin(x * w) + x ** 2")
    assert run(ip, "%watch y").success
    (first,) = outputs(ip)
    display_id = first["transient"]["display_id"]
    assert not first["update"]
    assert "<svg" in _svg_text(first)
    plain = first["data"]["text/plain"]
    assert plain.startswith("autograd graph of y") and "   grad" not in plain
    assert run(ip, "a = 1").success  # changes nothing pinned: no new output
    assert len(outputs(ip)) == 1
    assert run(ip, "y.backward()").success
    assert len(outputs(ip)) == 2
    update = outputs(ip)[-1]
    assert update["update"] and update["transient"]["display_id"] == display_id
    assert "x (leaf)   data 3   grad 7.9203" in update["data"]["text/plain"]
    assert "grad 7.9203" in _svg_text(update)
    run(ip, "b = 2")
    assert len(outputs(ip)) == 2
    # an in-place update of a leaf (a training step) changes the picture
    run(ip, "with nbgrad.no_grad():\n    x -= 0.1 * x.grad")
    assert len(outputs(ip)) == 3 and "data 2.2080" in outputs(ip)[-1]["data"]["text/plain"]


def test_watch_follows_the_name(ip: InteractiveShell) -> None:
    run(ip, "%watch loss")
    assert "loss is not defined: its graph appears here" in outputs(ip)[0]["data"]["text/plain"]
    run(ip, "%tensor -q p=2.0")
    run(ip, "loss = p * p")
    assert "loss = mul" in outputs(ip)[-1]["data"]["text/plain"]
    run(ip, "loss = p + 1")  # a new tensor under the same name
    assert "loss = add" in outputs(ip)[-1]["data"]["text/plain"]
    run(ip, "loss = 5")
    assert "loss is a int, not a tensor" in outputs(ip)[-1]["data"]["text/plain"]
    ids = {o["transient"]["display_id"] for o in outputs(ip)}
    assert len(ids) == 1  # always the same display


def test_watch_function_and_unwatch(ip: InteractiveShell, capsys: Any) -> None:
    run(ip, "%tensor -q x=1.0")
    run(ip, "y = x * 3\nnbgrad.watch(y)")
    assert len(outputs(ip)) == 1  # the graph, and no Out[] for the pin returned
    run(ip, "pin = nbgrad.watch(y)")
    pin = ip.user_ns["pin"]
    assert repr(pin) == "<nbgrad pin: y>" and pin.name == "y"
    run(ip, "%watch")
    assert "pinned: y" in capsys.readouterr().out
    run(ip, "%unwatch")
    assert "unpinned: y" in capsys.readouterr().out
    count = len(outputs(ip))
    run(ip, "y.backward()")
    assert len(outputs(ip)) == count  # no longer updated
    run(ip, "%unwatch")
    assert "nothing was pinned" in capsys.readouterr().out
    # an unnamed tensor is pinned as an object; unwatch() with it, or with its pin
    run(ip, "pin2 = nbgrad.watch(x * 2)")
    assert ip.user_ns["pin2"].name is None
    assert run(ip, "gone = nbgrad.unwatch(pin2)").success
    assert ip.user_ns["gone"] == ["the tensor"]
    assert not run(ip, "nbgrad.watch(3)").success  # a TypeError, raised where it was called


def test_watch_options_and_several_pins(ip: InteractiveShell) -> None:
    run(ip, "%tensor -q a=1.0 c=2.0")
    run(ip, "u = a * c\nv = a + c")
    assert run(ip, "%watch u v -d TB --local --no-legend").success
    assert set(PinBoard.of(ip).pins) == {"u", "v"}
    assert PinBoard.of(ip).pins["u"].options == {"direction": "TB", "local": True,
                                                  "legend": False}
    run(ip, "u.backward()")
    assert len(outputs(ip)) == 4  # u changed, and so did v: its leaves got gradients
    assert "unrecognized" in usage_error(ip, "%watch u --sideways")


def test_hook_error_is_shown_not_raised(ip: InteractiveShell, monkeypatch: Any) -> None:
    from nbgrad.notebook import pin as pin_mod

    run(ip, "%tensor -q x=2.0")
    run(ip, "y = x * x")
    run(ip, "%watch y")

    def broken(*args: Any, **kwargs: Any) -> dict:
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(pin_mod, "graph_bundle", broken)
    result = run(ip, "y.backward()")
    assert result.success  # the cell is not failed by the hook
    update = outputs(ip)[-1]
    assert update["update"]
    assert "nbgrad could not redraw y: RuntimeError: the renderer fell over" in \
        update["data"]["text/plain"]
    monkeypatch.undo()
    run(ip, "with nbgrad.no_grad():\n    x += 1")
    assert "grad" in outputs(ip)[-1]["data"]["text/plain"]  # back to pictures


def test_failed_cells_and_unchanged_cells(ip: InteractiveShell) -> None:
    run(ip, "%tensor -q x=2.0")
    run(ip, "y = x * x")
    run(ip, "%watch y")
    pin = PinBoard.of(ip).pins["y"]
    assert not run(ip, "1 / 0").success
    assert not run(ip, "y.backward(); 1 / 0").success  # failed, but changed the graph
    assert pin.updates == 2
    for _ in range(5):
        run(ip, "pass")
    assert pin.updates == 2


def test_terminal_prints_a_text_outline(ip: InteractiveShell, capsys: Any) -> None:
    plain = DisplayPublisher(shell=ip)
    ip.display_pub = plain
    assert not shell_mod.is_rich(ip)
    run(ip, "%tensor -q x=3.0")
    run(ip, "y = x ** 2")
    run(ip, "%watch y")
    out = capsys.readouterr().out
    assert "autograd graph of y" in out and "<svg" not in out
    assert "└── x (leaf)   data 3" in out
    run(ip, "y.backward()")
    assert "grad 6" in capsys.readouterr().out  # the update is printed again
    run(ip, "%graph y")
    assert "y = pow 2   data 9   grad 1" in capsys.readouterr().out
    run(ip, "%graph y --local")
    assert "x (leaf)   data 3   grad 6   [d u^2/du = 2*3 = 6]" in capsys.readouterr().out


# -- %graph / %%graph ------------------------------------------------------------------------


def test_graph_cell_draws_the_last_assigned_tensor(ip: InteractiveShell) -> None:
    cell = "%%graph\nx = nbgrad.tensor(2.0, requires_grad=True)\nh = x * 3\nz = h + 1\nn = 4"
    assert run(ip, cell).success
    (shown,) = outputs(ip)
    assert shown["data"]["text/plain"].startswith("autograd graph of z")
    assert "<svg" in _svg_text(shown)
    assert "transient" not in shown or not shown["transient"]  # a one-off picture
    assert ip.user_ns["z"].item() == 7.0  # the cell ran in the notebook's namespace


def test_graph_cell_value_name_and_watch(ip: InteractiveShell) -> None:
    run(ip, "%%graph\nq = nbgrad.tensor(1.0, requires_grad=True)\nq * 5")
    assert "mul   data 5" in outputs(ip)[-1]["data"]["text/plain"]
    run(ip, "%%graph q\nr = q * 2")
    assert outputs(ip)[-1]["data"]["text/plain"].startswith("q: a tensor without a graph")
    run(ip, "%%graph --watch\ns = q * 7")
    assert "s" in PinBoard.of(ip).pins
    run(ip, "s.backward()")
    assert "grad 7" in outputs(ip)[-1]["data"]["text/plain"]
    run(ip, "%%graph\nk = 3")
    assert "nothing to draw" in outputs(ip)[-1]["data"]["text/plain"]
    result = run(ip, "%%graph\nraise ValueError('in the cell')")
    assert isinstance(result.error_in_exec, ValueError)  # the user's error, as usual


def test_graph_line_magic_with_options(ip: InteractiveShell) -> None:
    run(ip, "%tensor -q x=3.0")
    run(ip, "y = nbgrad.sin(x)")
    assert run(ip, "%graph y --local -d TB --no-values").success
    shown = outputs(ip)[-1]["data"]
    assert "data" not in shown["text/plain"].split("\n", 1)[1]
    assert "d sin(u)/du" in shown["image/svg+xml"]


def test_watch_a_torch_tensor(ip: InteractiveShell) -> None:
    pytest.importorskip("torch")
    run(ip, "import torch\nx = torch.tensor(3.0, requires_grad=True)\n"
            "with nbgrad.viz.record():\n    y = torch.sin(x) * x")
    assert run(ip, "%watch y").success
    run(ip, "a = 1")
    assert len(outputs(ip)) == 1
    run(ip, "with nbgrad.viz.record():\n    y.backward()")
    assert len(outputs(ip)) == 2 and outputs(ip)[-1]["update"]
    assert "x (leaf)   data 3   grad -2.8289" in outputs(ip)[-1]["data"]["text/plain"]


def test_fingerprint_sees_what_a_drawing_shows() -> None:
    from nbgrad.notebook.fingerprint import fingerprint

    x = nbgrad.tensor(2.0, requires_grad=True)
    y = x * x + 1
    first = fingerprint(y)
    assert fingerprint(y) == first
    y.backward(retain_graph=True)
    after = fingerprint(y)
    assert after != first
    y.backward(retain_graph=True)  # again: new gradients on the nodes, x.grad grows
    assert fingerprint(y) not in (first, after)
    before = fingerprint(y)
    x.grad.zero_()
    assert fingerprint(y) != before
    before = fingerprint(y)
    with nbgrad.no_grad():
        x -= 0.1
    assert fingerprint(y) != before
    assert fingerprint(x * x + 1) != fingerprint(y)  # another graph
    assert fingerprint(3) == fingerprint(3) and fingerprint(3) != fingerprint("3")
