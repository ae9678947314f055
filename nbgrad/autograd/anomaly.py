"""Anomaly detection: make a backward stop at the first node whose gradient has a nan.

``set_detect_anomaly(True)`` (a switch, and a context manager that restores on exit) and
``detect_anomaly()`` (a context manager) work as torch's do for ``check_nan``: after each
node's formula runs, its gradients are checked and the first nan raises
``Function 'SqrtBackward0' returned nan values in its 0th output.`` nbgrad does not record
forward tracebacks, which torch adds as a warning.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "check_nan"]


ANOMALY_ENABLED = ("Anomaly Detection has been enabled. This mode will increase the runtime and "
                   "should only be enabled for debugging.")


class _Anomaly:
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


ANOMALY = _Anomaly()


def is_anomaly_enabled() -> bool:
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return ANOMALY.check_nan


class set_detect_anomaly:  # noqa: N801 - torch's name
    """Turn anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled = bool(mode)
        ANOMALY.check_nan = bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        ANOMALY.enabled, ANOMALY.check_nan = self._prev


class detect_anomaly:  # noqa: N801 - torch's name
    """Anomaly detection inside a ``with`` block."""

    def __init__(self, check_nan: bool = True) -> None:
        self._check_nan = check_nan
        warnings.warn(ANOMALY_ENABLED, UserWarning, stacklevel=2)  # as torch's does

    def __enter__(self) -> None:
        self._switch = set_detect_anomaly(True, self._check_nan)

    def __exit__(self, *exc: object) -> None:
        self._switch.__exit__()


def check_nan(node: Any, grads: tuple) -> None:
    """Raise torch's error if one of the gradients ``node`` computed holds a nan."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        data = getattr(g, "_data", g)
        if np.isnan(data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
