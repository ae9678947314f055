"""``set_num_threads`` and ``get_num_threads``, as torch's: the number of threads for
intra-op parallelism.

nbgrad records the number and returns it; it does not change how many threads NumPy's BLAS
uses (that is set when NumPy loads, e.g. by ``OMP_NUM_THREADS``), since NumPy offers no way
to change it afterwards without a further package. The checks and errors are torch's.
"""

from __future__ import annotations

import os

__all__ = ["set_num_threads", "get_num_threads"]


def _default() -> int:
    """What torch starts with: ``OMP_NUM_THREADS`` if set, else one thread per core. torch
    counts physical cores; nbgrad counts the CPUs this process may use, which is twice as
    many on a machine with hyperthreading."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        pass
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_NUM_THREADS = [_default()]


def set_num_threads(int: int, /) -> None:  # noqa: A002 - torch's parameter name
    """Set the number of threads ``get_num_threads`` reports (NumPy's are not changed)."""
    if type(int).__name__ == "bool" or not hasattr(int, "__index__"):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(int).__name__}")
    n = int.__index__()
    if not -2**63 <= n < 2**63:  # torch reads a C long long, then checks it fits an int
        raise ValueError("Overflow when unpacking long long")
    if not -2**31 <= n < 2**31:
        raise ValueError("Overflow when unpacking long")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _NUM_THREADS[0] = n


def get_num_threads() -> int:
    """The number of threads set by ``set_num_threads`` (at first, the cores this process
    may use, as torch counts them)."""
    return _NUM_THREADS[0]
