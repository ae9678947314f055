"""``pip install nbgrad`` from a built wheel, in a fresh virtual environment.

The wheel is built from a copy of the source tree (so no stale ``build/`` folder can slip
into it) with ``pip wheel --no-deps``, and checked: the whole ``nbgrad`` package and nothing
else (no tests, no notebooks). A new virtual environment (without the system's packages)
then installs it, first alone (numpy is its only dependency, and ``import nbgrad`` loads no
IPython), then with its ``notebook`` extra; a kernel-like IPython shell loads the extension,
declares a tensor with ``%tensor`` and draws a graph to SVG. pip fetches the dependencies as
it would for a user (PyPI). About a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SKIP = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                               ".hypothesis", ".pytest_cache", ".ruff_cache", "*.pyc",
                               ".ipynb_checkpoints")


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 240) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-4000:]}\n"
                    f"{done.stderr[-4000:]}")
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_SKIP)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
          "--disable-pip-version-check", "-w", str(base / "dist"), str(src)], cwd=base)
    (built,) = (base / "dist").glob("nbgrad-*.whl")
    return built


def test_wheel_holds_the_package_and_nothing_else(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    info = {t for t in tops if t.endswith(".dist-info")}
    assert tops - info == {"nbgrad"}, f"the wheel holds more than nbgrad: {sorted(tops)}"
    assert not [n for n in names if n.endswith(".ipynb") or "/tests/" in n]
    package = ROOT / "nbgrad"
    wanted = {p.relative_to(ROOT).as_posix() for p in package.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    missing = sorted(wanted - set(names))
    assert not missing, f"files of nbgrad/ missing from the wheel: {missing}"
    (meta_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    meta = zipfile.ZipFile(wheel).read(meta_name).decode()
    assert "Provides-Extra: notebook" in meta
    base = [re.split(r"[\s<>=!~;\[(]", line.split(":", 1)[1].strip())[0]
            for line in meta.splitlines()
            if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert base == ["numpy"], f"pip install nbgrad should need NumPy alone, not {base}"


_CHECK_BARE = """
import sys
import nbgrad
assert nbgrad.__file__.startswith(sys.prefix), nbgrad.__file__
x = nbgrad.tensor(3.0, requires_grad=True)
(x ** 2).backward()
assert repr(x.grad) == "tensor(6.)", repr(x.grad)
assert "IPython" not in sys.modules and "ipywidgets" not in sys.modules
print("bare ok")
"""

_CHECK_NOTEBOOK = """
import sys
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
for cell in ("%load_ext nbgrad", "%tensor x=3.0", "import nbgrad",
             "svg = nbgrad.draw(x ** 2).svg()"):
    ip.run_cell(cell).raise_error()
x, svg = ip.user_ns["x"], ip.user_ns["svg"]
assert repr(x) == "tensor(3., requires_grad=True)", repr(x)
assert "<svg" in svg and "pow" in svg, svg[:300]
import nbgrad
assert nbgrad.__file__.startswith(sys.prefix), nbgrad.__file__
print("notebook ok")
"""


def test_pip_install_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    py = venv / "bin" / "python"
    if not py.exists():  # Windows
        py = venv / "Scripts" / "python.exe"
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HOME"] = str(tmp_path)  # nbgrad's renderer cache, IPython's folder
    env["NBGRAD_CACHE_DIR"] = str(tmp_path / "cache")
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    work = tmp_path / "elsewhere"  # not the repository: `import nbgrad` must find the wheel's
    work.mkdir()
    _run(pip + [str(wheel)], cwd=work, env=env)
    assert "bare ok" in _run([str(py), "-c", _CHECK_BARE], cwd=work, env=env)
    _run(pip + [f"{wheel}[notebook]"], cwd=work, env=env)
    assert "notebook ok" in _run([str(py), "-c", textwrap.dedent(_CHECK_NOTEBOOK)], cwd=work,
                                 env=env)
