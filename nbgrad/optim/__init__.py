"""``nbgrad.optim``: optimizers that update a model's parameters from their gradients, with
torch's names, arguments and numbers; ``lr_scheduler`` changes their learning rates."""

from nbgrad.optim import lr_scheduler
from nbgrad.optim.adagrad import Adagrad
from nbgrad.optim.adam import Adam
from nbgrad.optim.adamax import Adamax
from nbgrad.optim.adamw import AdamW
from nbgrad.optim.nadam import NAdam
from nbgrad.optim.optimizer import Optimizer
from nbgrad.optim.radam import RAdam
from nbgrad.optim.rmsprop import RMSprop
from nbgrad.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler",
           "Adagrad", "Adamax", "NAdam", "RAdam"]
