"""``bench/engine.py``: how it times and combines (taking turns, pooling rounds, verdicts), and
that ``--quick`` runs and prints every benchmark row; the timings themselves are not checked."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("1a", "1b", "1c", "1d", "2", "3", "4a", "4b", "4c")


def _load(name: str, module_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


harness = _load("harness", "harness")  # engine.py imports it by this name
engine = _load("engine", "bench_engine")


def _rows(stdout: str) -> dict[str, list[str]]:
    """The table's rows by their first cell."""
    cells = (line.strip("|").split("|") for line in stdout.splitlines() if line.startswith("| "))
    return {c[0].strip(): [x.strip() for x in c] for c in cells}


# --- taking turns ----------------------------------------------------------------------------


def test_take_turns_rotates_and_drops_the_warmup() -> None:
    calls: list[str] = []

    def runner(name: str, seconds: float):
        def run() -> tuple[float, float]:
            calls.append(name)
            return seconds, 2 * seconds

        return run

    runs = harness.take_turns({"a": runner("a", 1.0), "b": runner("b", 3.0),
                               "c": runner("c", 5.0)}, repeats=4, warmup=2)
    rounds = ["".join(calls[i:i + 3]) for i in range(0, len(calls), 3)]
    assert rounds == ["abc", "bca", "cab", "abc", "bca", "cab"]
    assert runs == {"a": [(1.0, 2.0)] * 4, "b": [(3.0, 6.0)] * 4, "c": [(5.0, 10.0)] * 4}
    assert harness.take_turns({}, repeats=3, warmup=1) == {}


def test_taking_turns_keeps_the_ratio_when_the_machine_slows_down() -> None:
    """The machine runs at full speed for a while, then at half speed: timed in turns, two
    implementations keep their true ratio (3x); timed one after the other, they would not."""
    clock = {"calls": 0}

    def runner(cost: float):
        def run() -> tuple[float]:
            clock["calls"] += 1
            return (cost * (1 if clock["calls"] <= 12 else 2),)

        return run

    runs = harness.take_turns({"slow": runner(3.0), "fast": runner(1.0)}, repeats=11, warmup=1)
    med = {k: harness.median(s for (s,) in v) for k, v in runs.items()}
    assert med["slow"] / med["fast"] == pytest.approx(3.0)


# --- combining rounds, and the verdicts ------------------------------------------------------


def test_rounds_pool_for_1_to_3_and_take_the_best_for_4() -> None:
    rounds = [
        {"available": True, "samples": {"mlp": [1.0, 2.0, 9.0]}, "checks": {"mlp": 1e-7}},
        {"error": "exit code -9: killed"},
        {"available": True, "samples": {"mlp": [3.0, 4.0, 5.0]}, "checks": {"mlp": 1e-5}},
    ]
    pooled = engine.combine(rounds, pool=True)
    assert pooled["times"] == {"mlp": 3.5}  # the median of all six blocks
    assert pooled["checks"] == {"mlp": 1e-5}  # the worst
    assert pooled["failed_rounds"] == ["exit code -9: killed"] and "samples" not in pooled
    best = engine.combine([{"available": True, "times": {"long_bwd": 2.0}, "peak_mb": 9.0},
                           {"available": True, "times": {"long_bwd": 1.5}, "peak_mb": 8.0}],
                          pool=False)
    assert best["times"] == {"long_bwd": 1.5} and best["peak_mb"] == 8.0
    assert engine.combine([{"available": False, "reason": "--no-torch"}], pool=True) == {
        "available": False, "reason": "--no-torch"}


def test_a_child_result_is_split_by_benchmark() -> None:
    out = {"nbgrad": {"available": True, "version": "0.1",
                      "checks": {"logreg": 1e-7, "mlp": 2e-7},
                      "samples": {"logreg": [1.0], "mlp": [2.0]}}}
    split = engine._split(out, ("logreg", "mlp"), "nbgrad")
    assert split["mlp"]["samples"] == {"mlp": [2.0]} and split["mlp"]["checks"] == {"mlp": 2e-7}
    assert engine._split({"error": "boom"}, ("logreg", "mlp"), "floor") == {
        "logreg": {"error": "boom"}, "mlp": {"error": "boom"}}


def test_verdicts_compare_nbgrad_with_the_target() -> None:
    cfg = engine.QUICK
    times = {"chain": {"chain_fwd": 1.0, "chain_bwd": 1.0, "chain_total": 2.0,
                       "chain_free": 0.1},
             "logreg": {"logreg": 1.0}, "mlp": {"mlp": 1.0},
             "long": {"long_fwd": 1.0, "long_bwd": 1.0, "long_free": 1.0}}
    scale = {"nbgrad": 1.0, "torch": 4.0, "floor": 0.6}  # 1c 0.25x torch, 2 and 3 1.67x floor
    results = {f"{b}:{i}": {"available": True, "peak_mb": 1.0,
                            "times": {k: v * s for k, v in t.items()}}
               for b, t in times.items() for i, s in scale.items()}
    text, verdicts = engine.table(engine.rows_for(cfg), results)
    rows = _rows(text)
    assert [rows[r][-1] for r in ("1c", "2", "3", "4b")] == ["PASS", "PASS", "MISS", "PASS"]
    assert rows["1c"][6] == "0.25x" and rows["2"][7] == "1.67x"
    assert verdicts == ["PASS", "PASS", "MISS", "PASS"]
    del results["chain:torch"]
    assert _rows(engine.table(engine.rows_for(cfg), results)[0])["1c"][-1] == "n/a"


# --- the whole script ------------------------------------------------------------------------


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
        assert rows[row][3] not in ("n/a", "error") and rows[row][5] not in ("n/a", "error")
    assert "MISMATCH" not in proc.stdout and "crashed" not in proc.stdout
    if flags:
        assert all(rows[row][4] == "n/a" for row in ROWS)  # the torch column
        assert "torch not measured: --no-torch" in proc.stdout
    else:
        assert all(rows[row][4] not in ("n/a", "error") for row in ROWS)
