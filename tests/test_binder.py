"""The Binder configuration (binder/, read by repo2docker) and the README's Binder badges.

repo2docker ignores pyproject.toml when binder/ exists, so binder/requirements.txt must name
by itself everything the lessons need, pinned, and then install the repository (a last line
``.``). These tests check that the pins agree with what pyproject.toml asks for, that the
other files are what repo2docker expects, and that the README has a badge per lesson that
opens that lesson on Binder, for the repository named in ``[project.urls]``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

requirements = pytest.importorskip("packaging.requirements")
from packaging.utils import canonicalize_name  # noqa: E402
from packaging.version import Version  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BADGE = re.compile(r"https://mybinder\.org/v2/gh/([^/\s)]+)/([^/\s)]+)/HEAD"
                   r"\?urlpath=lab/tree/notebooks/([^\s)]+\.ipynb)")


def repository() -> tuple[str, str]:
    """(owner, name) of the GitHub repository, from ``[project.urls]``: the one place that
    names it."""
    url = PYPROJECT["project"]["urls"]["Repository"]
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", url)
    assert m, f"[project.urls] Repository is not a GitHub repository: {url}"
    return m.group(1), m.group(2)


def pins() -> dict[str, tuple[str, str]]:
    """binder/requirements.txt as {canonical name: (name as written, version)}, all but the
    last line, which must be ``.``."""
    lines = [ln.strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    assert lines[-1] == ".", "the last line of binder/requirements.txt must be '.' (install " \
                             "the repository itself)"
    found: dict[str, tuple[str, str]] = {}
    for line in lines[:-1]:
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s;#]*)", line)
        assert m, f"binder/requirements.txt: not an exact pin 'name==version': {line!r}"
        key = canonicalize_name(m.group(1))
        assert key not in found, f"binder/requirements.txt pins {m.group(1)} twice"
        found[key] = (m.group(1), m.group(2))
    return found


def lesson_requirements() -> list[requirements.Requirement]:
    """What ``pip install nbgrad[notebook]`` asks for: the dependencies and the extra."""
    project = PYPROJECT["project"]
    return [requirements.Requirement(r) for r in
            project["dependencies"] + project["optional-dependencies"]["notebook"]]


def test_runtime_is_python_3_11() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"
    supported = requirements.Requirement(f"python{PYPROJECT['project']['requires-python']}")
    assert supported.specifier.contains(runtime.split("-", 1)[1] + ".0")


def test_requirements_pin_what_pyproject_asks_for() -> None:
    pinned = pins()
    for req in lesson_requirements():
        key = canonicalize_name(req.name)
        assert key in pinned, f"pyproject.toml needs {req}: pin it in binder/requirements.txt"
        name, version = pinned[key]
        assert req.specifier.contains(version, prereleases=True), \
            f"binder/requirements.txt pins {name}=={version}, but pyproject.toml asks {req}"
    assert "torch" not in pinned, "Binder runs the lessons on nbgrad alone: no torch"
    assert "nbgrad" not in pinned, "nbgrad comes from the repository itself (the line '.')"


def test_pins_agree_with_each_other() -> None:
    """Where the pinned version of a package is the one installed here, its own requirements
    on the other pinned packages hold (ipywidgets 8.1.9 needs jupyterlab_widgets ~=3.0.15)."""
    pinned = pins()
    checked = 0
    for name, version in pinned.values():
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if Version(dist.version) != Version(version):
            continue
        for text in dist.requires or []:
            req = requirements.Requirement(text)
            other = canonicalize_name(req.name)
            if other not in pinned or (req.marker and not req.marker.evaluate({"extra": ""})):
                continue
            assert req.specifier.contains(pinned[other][1], prereleases=True), \
                f"{name}=={version} needs {req}, binder/requirements.txt pins " \
                f"{pinned[other][0]}=={pinned[other][1]}"
            checked += 1
    if not checked:  # a fresh environment a while later: newer releases than the pins
        pytest.skip("no pinned package is installed here at its pinned version")


def test_widgets_front_end_is_pinned() -> None:
    # ipywidgets' JupyterLab side comes from jupyterlab_widgets: pinned with it
    assert {"ipywidgets", "jupyterlab-widgets", "jupyterlab"} <= set(pins())


def test_apt_installs_graphviz() -> None:
    packages = (BINDER / "apt.txt").read_text().split()
    assert "graphviz" in packages


def test_overrides_save_widget_state_and_stop_the_news() -> None:
    overrides = json.loads((BINDER / "overrides.json").read_text())
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_post_build_is_an_executable_script() -> None:
    post = BINDER / "postBuild"
    text = post.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert os.access(post, os.X_OK), "binder/postBuild must be executable (chmod +x)"
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        staged = subprocess.run([git, "ls-files", "-s", "binder/postBuild"], cwd=ROOT,
                                capture_output=True, text=True).stdout.split()
        if staged:  # tracked: the executable bit is in the commit too
            assert staged[0] == "100755", f"git records binder/postBuild as {staged[0]}"
    bash = shutil.which("bash")
    if bash:
        check = subprocess.run([bash, "-n", str(post)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


@pytest.mark.skipif(not shutil.which("bash"), reason="postBuild is a bash script")
def test_post_build_writes_the_settings(tmp_path: Path) -> None:
    """Run postBuild as repo2docker does, with a throwaway environment's `python` first on
    the PATH (a venv that sees this one's packages through a .pth file), twice."""
    pytest.importorskip("jupyterlab")
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    (site,) = env_dir.glob("lib/python3*/site-packages")
    here = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "outer.pth").write_text("\n".join(here) + "\n")
    # as in the image, where JupyterLab is installed in the environment: its app directory
    # exists, and get_app_dir() finds it there (not in the environment this test runs in)
    (env_dir / "share" / "jupyter" / "lab").mkdir(parents=True)
    etc = env_dir / "etc" / "jupyter"
    etc.mkdir(parents=True)
    (etc / "jupyter_notebook_config.json").write_text('{"NotebookApp": {"kept": 1}}')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    for _ in range(2):
        done = subprocess.run([str(BINDER / "postBuild")], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    overrides = env_dir / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(overrides.read_text()) == \
        json.loads((BINDER / "overrides.json").read_text())
    server = json.loads((etc / "jupyter_server_config.json").read_text())
    assert server == {"ServerApp": {"default_url": "/lab"}}
    notebook = json.loads((etc / "jupyter_notebook_config.json").read_text())
    assert notebook == {"NotebookApp": {"kept": 1},
                        "JupyterNotebookApp": {"default_url": "/lab"}}


def badges() -> list[tuple[str, str, str]]:
    return BADGE.findall((ROOT / "README.md").read_text())


def test_every_badge_opens_a_lesson_of_this_repository() -> None:
    found = badges()
    assert found, "the README has no Binder badge"
    owner, name = repository()
    for b_owner, b_name, notebook in found:
        assert (b_owner, b_name) == (owner, name), \
            f"a badge points at {b_owner}/{b_name}, the repository is {owner}/{name} " \
            "([project.urls] in pyproject.toml)"
        assert (ROOT / "notebooks" / notebook).is_file(), f"a badge opens {notebook}: no such" \
                                                           " notebook"
    # no other mybinder.org link slips past the pattern
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/[^\s)\"']+", readme)
    assert len(links) == len(found), [u for u in links if not BADGE.fullmatch(u)]


def test_every_lesson_has_a_badge() -> None:
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert lessons
    linked = {notebook for _, _, notebook in badges()}
    missing = [n for n in lessons if n not in linked]
    assert not missing, f"lessons without a Binder badge in the README: {missing}"
