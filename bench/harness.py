"""What the benchmarks in bench/ share: timing, peak memory, machine facts, child processes
and Markdown tables. NumPy-free and torch-free, so it costs nothing to import."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "OtherLoad", "PeakMemory", "child_main", "command_line", "load_average", "machine_facts",
    "markdown_table", "median", "per_call", "run_child", "take_turns",
]

median = statistics.median


# --- timing --------------------------------------------------------------------------------


def take_turns(
    runners: dict[str, Callable[[], Sequence[float]]], repeats: int, warmup: int
) -> dict[str, list[tuple[float, ...]]]:
    """Call every function of ``runners`` ``warmup`` times untimed, then ``repeats`` times,
    the functions taking turns: round ``r`` calls them all, starting with the ``r``-th and
    wrapping around, so that each comes first as often as the others.

    Each function times itself and returns one duration per phase (e.g. forward,
    backward). The result holds, by name, the ``repeats`` tuples each returned. Timed this
    way, a change in the machine's speed while they run falls on all of them alike. The
    garbage collector stays on, as it is in real use; a collection runs before the first
    timed round.
    """
    names = list(runners)
    runs: dict[str, list[tuple[float, ...]]] = {name: [] for name in names}
    for r in range(warmup + repeats if names else 0):
        if r == warmup:
            gc.collect()
        k = r % len(names)
        for name in names[k:] + names[:k]:
            durations = tuple(runners[name]())
            if r >= warmup:
                runs[name].append(durations)
    return runs


def per_call(step: Callable[[], object], inner: int) -> Callable[[], tuple[float]]:
    """A function that runs ``step`` ``inner`` times and returns the mean seconds per call."""

    def block() -> tuple[float]:
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        return ((time.perf_counter() - t0) / inner,)

    return block


# --- memory --------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _maxrss_kb() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # bytes on macOS, kB elsewhere


class PeakMemory:
    """How far this process's peak resident set grows from the moment it is created.

    On Linux the peak (VmHWM) is reset through /proc/self/clear_refs and the baseline is the
    current VmRSS, so what the process did before does not hide growth. Elsewhere it falls
    back to ru_maxrss, which only sees growth beyond the earlier peak.
    """

    def __init__(self) -> None:
        gc.collect()
        base = _status_kb("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # "5": reset the peak resident set size to the current one
        except OSError:
            base = None
        if base is not None and _status_kb("VmHWM") is not None:
            self.method = "VmHWM after reset (Linux /proc) minus VmRSS at baseline"
            self._base = base
            self._peak: Callable[[], int] = lambda: _status_kb("VmHWM") or 0
        else:
            self.method = "ru_maxrss growth over its value at baseline"
            self._base = _maxrss_kb()
            self._peak = _maxrss_kb

    def growth_mb(self) -> float:
        return max(0, self._peak() - self._base) / 1024


# --- other work on the machine ------------------------------------------------------------


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def _own_cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class OtherLoad:
    """A context manager measuring how much of the machine's CPU time other processes took
    while its block ran (``share``: 0.5 is one busy CPU out of two), or None where
    /proc/stat is missing. A shared machine makes every timing slower and noisier."""

    share: float | None = None

    def __enter__(self) -> OtherLoad:
        self._ticks = _cpu_ticks()
        self._own = _own_cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        end = _cpu_ticks()
        if self._ticks is None or end is None or end[1] <= self._ticks[1]:
            return
        busy, total = end[0] - self._ticks[0], end[1] - self._ticks[1]
        own = (_own_cpu_seconds() - self._own) * os.sysconf("SC_CLK_TCK")
        self.share = min(1.0, max(0.0, (busy - own) / total))


# --- child processes -----------------------------------------------------------------------


def run_child(script: Path, args: Sequence[str], env: dict[str, str] | None = None,
              timeout: float = 600) -> dict[str, Any]:
    """Run ``python script *args`` in a fresh interpreter (with ``env`` added to the
    environment) and return the JSON object it prints on its last line of stdout, or
    ``{"error": ...}`` when it fails."""
    try:
        proc = subprocess.run(
            [sys.executable, str(script), *args],
            capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit code {proc.returncode}: {tail}"}
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return json.loads(lines[-1])


def child_main(work: Callable[[], dict[str, Any]]) -> None:
    """The body of a child process: run ``work`` and print its result as one JSON line."""
    print(json.dumps(work()))


# --- description ---------------------------------------------------------------------------


def command_line() -> str:
    """The command that started this process, with the interpreter as the user typed it
    where that can be told (relative to the working directory)."""
    exe = Path(sys.executable)
    try:
        exe_text = str(exe.relative_to(Path.cwd()))
    except ValueError:
        exe_text = str(exe)
    return shlex.join([exe_text, *sys.argv])


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_revision(repo: Path) -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown revision"
    if not dirty:
        return rev
    diff = subprocess.run(["git", "-C", str(repo), "diff", "HEAD"], capture_output=True,
                          check=False, timeout=10).stdout
    return f"{rev} + uncommitted changes (diff sha1 {hashlib.sha1(diff).hexdigest()[:8]})"


def load_average() -> tuple[float, float, float] | None:
    """The 1, 5 and 15-minute load averages, where the platform has them."""
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def machine_facts(repo: Path, blas: str, torch_threads: int | None,
                  load: tuple[float, float, float] | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs describing the machine and the software measured; with ``load``
    (from ``load_average``), the load average too."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 0
    torch = _version("torch")
    torch_text = "not installed" if torch is None else torch + (
        f" ({torch_threads} intra-op thread(s))" if torch_threads else "")
    return [
        ("CPU", f"{_cpu_model()}, {os.cpu_count()} logical CPUs ({usable} usable)"),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("NumPy", f"{_version('numpy')} (BLAS: {blas})"),
        ("torch", torch_text),
        ("nbgrad", f"{_version('nbgrad')} at {_git_revision(repo)}"),
    ] + ([] if load is None else [
        ("Load average before the run (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in load)),
    ])


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]],
                   right: Sequence[bool]) -> str:
    """A Markdown table, padded so that it also reads well as plain text."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right))
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2))
                          for w, r in zip(widths, right)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
