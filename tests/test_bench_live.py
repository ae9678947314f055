"""``bench/live.py --quick`` runs and prints every row; timings are not checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_live_quick() -> None:
    pytest.importorskip("ipywidgets")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "live.py"), "--quick"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "11-node graph" in out and "31-node graph" in out
    for row in ("explore: slider change", "step_through: next", "hook, graph unchanged",
                "hook, graph changed", "run_cell, graph pinned", "dashboard: log()"):
        assert row in out, out
    assert "target < 30 ms" in out and "target < 5 ms" in out
