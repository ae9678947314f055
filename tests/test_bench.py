"""``bench/engine.py --quick`` runs and prints every benchmark row; timings are not checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("1a", "1b", "1c", "1d", "2", "3", "4a", "4b", "4c")


def _rows(stdout: str) -> dict[str, list[str]]:
    """The table's rows by their first cell."""
    cells = (line.strip("|").split("|") for line in stdout.splitlines() if line.startswith("| "))
    return {c[0].strip(): [x.strip() for x in c] for c in cells}


@pytest.mark.parametrize("flags", [[], ["--no-torch"]], ids=["default", "no-torch"])
def test_engine_quick(flags: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engine.py"), "--quick", *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(proc.stdout)
    for row in ROWS:
        assert row in rows, f"row {row} missing from:\n{proc.stdout}"
        assert len(rows[row]) == 10, rows[row]
    if flags:
        assert all(rows[row][4] == "n/a" for row in ROWS)  # the torch column
