"""``nbgrad.optim``: optimizers that update a model's parameters from their gradients, with
torch's names, arguments and numbers."""

from nbgrad.optim.adam import Adam, AdamW
from nbgrad.optim.optimizer import Optimizer
from nbgrad.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD"]
