"""``nbgrad.nn``: layers, containers and losses for building and training models.

The names and behaviour follow ``torch.nn``: ``nbgrad.nn.Linear(2, 16)`` is initialised,
printed, called and saved as ``torch.nn.Linear(2, 16)`` is.
"""

from nbgrad.nn import functional, init, utils
from nbgrad.nn.activation import (
    ELU,
    GELU,
    GLU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
)
from nbgrad.nn.batchnorm import BatchNorm1d
from nbgrad.nn.container import ModuleDict, ModuleList, Sequential
from nbgrad.nn.conv import Conv1d, Conv2d
from nbgrad.nn.distance import CosineSimilarity, PairwiseDistance
from nbgrad.nn.dropout import Dropout
from nbgrad.nn.flatten import Flatten, Unflatten
from nbgrad.nn.linear import Identity, Linear
from nbgrad.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from nbgrad.nn.module import Module
from nbgrad.nn.normalization import LayerNorm
from nbgrad.nn.parameter import Parameter
from nbgrad.nn.parameter_containers import ParameterDict, ParameterList
from nbgrad.nn.pooling import AvgPool2d, MaxPool2d
from nbgrad.nn.sparse import Embedding

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "ELU",
    "Embedding", "Flatten", "GELU", "HuberLoss", "Identity", "L1Loss", "LayerNorm", "LeakyReLU",
    "Linear", "LogSoftmax", "MSELoss", "Module", "ModuleDict", "ModuleList", "NLLLoss",
    "Parameter", "ReLU", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss", "Softmax", "Softplus",
    "Tanh", "functional", "init", "utils",
    "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d",
    "PReLU", "Hardtanh", "ReLU6", "Mish", "LogSigmoid", "Softmin", "Softsign", "Hardsigmoid",
    "Hardswish", "GLU", "Unflatten", "ParameterList", "ParameterDict",
    "CosineSimilarity", "PairwiseDistance", "KLDivLoss",
]
