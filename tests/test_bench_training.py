"""``bench/training.py --quick`` runs, checks its three implementations agree and prints both
rows; timings are not checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("flags", [[], ["--no-torch"]], ids=["default", "no-torch"])
def test_training_bench_quick(flags: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "training.py"), "--quick", *flags],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert any("two moons" in r for r in rows) and any("784-256-10" in r for r in rows)
    assert "MISMATCH" not in proc.stdout
    assert re.search(r"Checked first: .*nbgrad \d\.\de[-+]\d\d", proc.stdout)
