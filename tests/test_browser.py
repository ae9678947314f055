"""Lesson 3 in JupyterLab, in a real (headless) Chromium: what a student sees and clicks.

A JupyterLab server is started on 127.0.0.1 (a free port, a random token, HOME and every
Jupyter directory in a temporary folder, the settings of ``binder/overrides.json``), the
lesson is opened and run with "Run All", and then:

* the graph shown by the step-through widget is an inline SVG with the lesson's nodes
  (``x``, ``y`` from ``pow``, ``z`` from ``sin``), the output ``z`` highlighted;
* a click on its **next** button moves the explanation on, and the next click moves the
  highlight to the ``pow`` node;
* three presses of the right arrow key on the explorer's slider move ``x`` from 9 to 9.03,
  and the value, the gradient and the numbers in the explorer's graph change with it.

Screenshots of each go to a pytest temporary folder (printed on failure, and recorded as the
test's ``screenshots`` property). ``docs/screenshot.png``, the README's picture, is written
when it is missing or when ``NBGRAD_SCREENSHOT=update``. On failure the message holds the
browser's console and the server's log.

Needs Chromium at /usr/bin/chromium (``make test`` installs it where it can: see the
Makefile) and the ``playwright`` package, which drives it and never downloads a browser.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e '.[test]')")
pytest.importorskip("jupyterlab")
pytest.importorskip("ipywidgets")

from nbgrad.viz.emphasis import HIGHLIGHT  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LESSON = "03_chain_rule.ipynb"
SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"]
# The test's own setting, beside binder/overrides.json: keep every cell in the page, so
# that a cell scrolled out of view is still there to find.
TEST_SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}


# -- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server of this test's own, on loopback."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "lessons"
        self.root.mkdir()
        shutil.copy(ROOT / "notebooks" / LESSON, self.root / LESSON)  # runs on a copy
        settings = base / "app-settings"
        settings.mkdir()
        overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
        (settings / "overrides.json").write_text(json.dumps({**overrides, **TEST_SETTINGS}))
        env = dict(os.environ)
        for name, sub in (("HOME", "home"), ("JUPYTER_CONFIG_DIR", "config"),
                          ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                          ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
                          ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                          ("IPYTHONDIR", "ipython")):
            (base / sub).mkdir()
            env[name] = str(base / sub)
        env.pop("JUPYTER_PATH", None)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "server.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
             f"--LabApp.app_settings_dir={settings}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=env,
            cwd=base, start_new_session=True)

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=5) as r:
            return json.loads(r.read())

    def wait_up(self, timeout: float = 45.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.25)
        pytest.fail(f"JupyterLab did not answer in {timeout:.0f} s:\n{self.log()}")

    def log(self, tail: int = 6000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-tail:]

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), then SIGKILL to what is left of this
        server's own process group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    server = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.wait_up()
        yield server
    finally:
        server.stop()


# -- the page --------------------------------------------------------------------------------

# Run in the page: mark the output area of the code cell whose source contains `needle` with
# data-nbgrad-test=`mark`, so that the test can find it.
_MARK = """([needle, mark]) => {
  const cells = window.jupyterapp.shell.currentWidget.content.widgets;
  const cell = cells.find(c => c.model.type === 'code'
                               && c.model.sharedModel.getSource().includes(needle));
  if (!cell) return false;
  cell.outputArea.node.setAttribute('data-nbgrad-test', mark);
  return true;
}"""

# The texts of the node drawn highlighted (its border in `colour`) under `root`, or null.
_HIGHLIGHTED = """(root, colour) => {
  for (const g of root.querySelectorAll('svg g.node')) {
    const shape = g.querySelector('path, ellipse, polygon');
    if (shape && shape.getAttribute('stroke') === colour)
      return Array.from(g.querySelectorAll('text'), t => t.textContent);
  }
  return null;
}"""

_ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(c => c.model.type === 'code')
  .flatMap(c => c.model.outputs.toJSON()
    .filter(o => o.output_type === 'error')
    .map(o => `${o.ename}: ${o.evalue}  (cell: ${c.model.sharedModel.getSource().slice(0, 60)})`))
"""


def _graph_texts(locator: Any) -> list[str]:
    """The texts of the graph drawn under ``locator`` (the SVG with nodes, not a plot)."""
    return locator.locator("svg:has(g.node)").first.evaluate(
        "svg => Array.from(svg.querySelectorAll('text'), t => t.textContent)")


def _shoot(page: Any, target: Any, path: Path) -> None:
    target.scroll_into_view_if_needed()
    page.wait_for_timeout(150)  # let the scroll settle
    page.screenshot(path=str(path))


def test_lesson_3_in_jupyterlab(lab: Lab, tmp_path_factory: pytest.TempPathFactory,
                                record_property: Any) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    record_property("screenshots", str(shots))
    # the settings of binder/overrides.json reached JupyterLab
    widgets = lab.api("/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin")
    assert widgets["schema"]["properties"]["saveState"]["default"] is True
    news = lab.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    assert news["schema"]["properties"]["fetchNews"]["default"] == "false"

    console: list[str] = []
    started = time.monotonic()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1180, "height": 820})
            page.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
            page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
            page.set_default_timeout(30_000)
            try:
                _drive(page, lab, shots)
            except Exception as exc:
                cells = ""
                try:
                    page.screenshot(path=str(shots / "failure.png"))
                    cells = "\n".join(page.evaluate(_ERRORS))
                except Exception:  # noqa: BLE001 - the report matters more
                    pass
                pytest.fail(
                    f"{type(exc).__name__}: {exc}\n\nafter {time.monotonic() - started:.1f} s; "
                    f"screenshots in {shots}\n\n--- cells that failed ---\n{cells or '(none)'}"
                    "\n\n--- browser console ---\n"
                    + "\n".join(console[-80:]) + f"\n\n--- JupyterLab log ---\n{lab.log()}")
        finally:
            browser.close()


def _drive(page: Any, lab: Lab, shots: Path) -> None:
    page.goto(f"{lab.url}/lab/tree/{LESSON}?token={lab.token}")
    page.wait_for_function(
        """(name) => {
          const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
          return !!(w && w.context && w.context.path === name && w.sessionContext
                    && w.sessionContext.session && w.sessionContext.session.kernel);
        }""", arg=LESSON)
    # run every cell (the file browser folded away), and wait for the kernel to go idle
    page.evaluate("""async () => {
      window.jupyterapp.shell.collapseLeft();
      const w = window.jupyterapp.shell.currentWidget;
      await w.sessionContext.ready;
      await window.jupyterapp.commands.execute('notebook:run-all-cells');
    }""")
    page.wait_for_function("""() => {
      const w = window.jupyterapp.shell.currentWidget;
      const kernel = w.sessionContext.session.kernel;
      return kernel.status === 'idle' && w.content.widgets
        .filter(c => c.model.type === 'code')
        .every(c => c.model.executionCount !== null);
    }""", timeout=60_000)
    errors = page.evaluate(_ERRORS)
    assert not errors, f"cells failed in JupyterLab: {errors}"

    # -- the step-through widget: its graph, and the next button -------------------------
    assert page.evaluate(_MARK, ["nbgrad.step_through(z)", "stepper"])
    stepper = page.locator("[data-nbgrad-test=stepper]")
    stepper.locator("svg g.node").first.wait_for()
    texts = _graph_texts(stepper)
    for name in ("x", "y", "z", "pow 2", "sin"):
        assert name in texts, f"node text {name!r} not in the stepper's graph: {texts}"
    highlighted = stepper.evaluate(_HIGHLIGHTED, HIGHLIGHT)
    assert highlighted and highlighted[:2] == ["z", "sin"], highlighted
    panel = stepper.locator(".widget-html-content").filter(has_text="Step 0 of 3")
    assert panel.count() == 1, "the stepper's panel does not show step 0"
    _shoot(page, stepper, shots / "stepper-0.png")

    next_button = stepper.locator("button").filter(has_text="next")
    next_button.click()
    stepper.locator(".widget-html-content").filter(has_text="Step 1 of 3").wait_for()
    next_button.click()
    stepper.locator(".widget-html-content").filter(has_text="Step 2 of 3").wait_for()
    page.wait_for_function(
        f"(root) => ({_HIGHLIGHTED})(root, '{HIGHLIGHT}')?.[0] === 'y'",
        arg=stepper.element_handle())
    highlighted = stepper.evaluate(_HIGHLIGHTED, HIGHLIGHT)
    assert highlighted[:2] == ["y", "pow 2"], highlighted
    _shoot(page, stepper, shots / "stepper-2.png")
    if not SCREENSHOT.exists() or os.environ.get("NBGRAD_SCREENSHOT") == "update":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(shots / "stepper-2.png", SCREENSHOT)

    # -- the explorer: the slider, driven with the keyboard -------------------------------
    assert page.evaluate(_MARK, ["nbgrad.explore(f,", "explorer"])
    explorer = page.locator("[data-nbgrad-test=explorer]")
    readout = explorer.locator(".widget-html-content").filter(has_text="f(x=")
    readout.wait_for()
    assert "f(x=9) = -0.6299" in readout.inner_text()
    assert "data 81" in _graph_texts(explorer)
    _shoot(page, explorer, shots / "explorer-before.png")
    handle = explorer.locator(".noUi-handle").first
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    readout.filter(has_text="f(x=9.0300)").wait_for()
    text = readout.inner_text()
    assert "-0.6299" not in text and "13.9803" not in text, text
    after = _graph_texts(explorer)
    assert "data 81" not in after and "data 81.5409" in after, after
    _shoot(page, explorer, shots / "explorer-after.png")
