"""Helpers for the lesson notebooks in ``notebooks/``.

``check(exercise, answer)`` marks an exercise and says what is wrong and why; ``hint``
gives the hint of an exercise; ``plot`` draws small SVG plots without matplotlib.
Everything here uses NumPy and Python only (a real ``torch`` tensor is accepted as an
answer too, read through its ``tolist()``), so ``import nbgrad.lessons`` loads no notebook
machinery.
"""

from nbgrad.lessons import plot
from nbgrad.lessons.check import EXERCISES, Feedback, check, hint

__all__ = ["check", "hint", "Feedback", "EXERCISES", "plot"]
