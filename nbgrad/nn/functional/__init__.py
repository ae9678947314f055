"""``nbgrad.nn.functional``: the operations layers are made of, and the loss functions.

As in ``nbgrad.ops``, each op that torch records as a node of its own sits beside its
backward formula (``MseLossBackward0``, ``NllLossBackward0``, ...), so printed ``grad_fn``s
match torch's. Read ``vjp`` as the derivative: ``MseLossBackward0.vjp`` returns
``2 (x - y) / n`` times the incoming gradient. ``F`` is NumPy for a plain backward and nbgrad
under ``create_graph=True``; only arithmetic operators and ``F``'s functions are used, so the
same formula serves both.

Every loss is written in its numerically stable form: cross entropy through log-softmax (a
log-sum-exp), the logits form of binary cross entropy through ``log1p(exp(-|x|))``, and the
probability form with its logs clamped at -100, as torch clamps them.

The package holds one part per module: ``_linear`` (``linear``), ``_activations``,
``_dropout``, ``_loss_checks`` (what the losses share: the reduction and the checks of
their arguments), ``_mse``, ``_binary_cross_entropy`` (on probabilities and on logits),
``_log_likelihood`` (``nll_loss``), ``_cross_entropy``, ``_smooth_activations`` (``gelu``,
``elu``, ``silu``, ``softplus``), ``_regression_losses`` (``l1_loss``, ``smooth_l1_loss``,
``huber_loss``), ``_hard_activations`` (``hardtanh``, ``relu6``, ``hardsigmoid``,
``hardswish``), ``_soft_activations`` (``mish``, ``logsigmoid``, ``softsign``, ``softmin``),
``_prelu_glu``, ``_distances`` (``normalize``, ``cosine_similarity``,
``pairwise_distance``), ``_kl_div``, ``_one_hot``, ``_embedding``, ``_layer_norm`` and
``_batch_norm`` (with what the two norms share in ``_normalize``), ``_conv``, ``_pooling``
and ``_pad`` (with the sliding windows they share in ``_windows``); ``_common`` holds the
small helpers they all use.
"""

from nbgrad.nn.functional._activations import (
    LeakyReluBackward0 as LeakyReluBackward0,
)
from nbgrad.nn.functional._activations import (
    LeakyReluBackward1 as LeakyReluBackward1,
)
from nbgrad.nn.functional._activations import (
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from nbgrad.nn.functional._batch_norm import (
    NativeBatchNormBackward0 as NativeBatchNormBackward0,
)
from nbgrad.nn.functional._batch_norm import batch_norm
from nbgrad.nn.functional._binary_cross_entropy import (
    BinaryCrossEntropyBackward0 as BinaryCrossEntropyBackward0,
)
from nbgrad.nn.functional._binary_cross_entropy import (
    BinaryCrossEntropyWithLogitsBackward0 as BinaryCrossEntropyWithLogitsBackward0,
)
from nbgrad.nn.functional._binary_cross_entropy import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from nbgrad.nn.functional._conv import ConvolutionBackward0 as ConvolutionBackward0
from nbgrad.nn.functional._conv import conv1d, conv2d
from nbgrad.nn.functional._cross_entropy import DivBackward1 as DivBackward1
from nbgrad.nn.functional._cross_entropy import cross_entropy
from nbgrad.nn.functional._distances import AddBackward1 as AddBackward1
from nbgrad.nn.functional._distances import NormBackward1 as NormBackward1
from nbgrad.nn.functional._distances import cosine_similarity, normalize, pairwise_distance
from nbgrad.nn.functional._dropout import dropout
from nbgrad.nn.functional._embedding import EmbeddingBackward0 as EmbeddingBackward0
from nbgrad.nn.functional._embedding import embedding
from nbgrad.nn.functional._hard_activations import (
    HardsigmoidBackward0 as HardsigmoidBackward0,
)
from nbgrad.nn.functional._hard_activations import (
    HardswishBackward0 as HardswishBackward0,
)
from nbgrad.nn.functional._hard_activations import (
    HardtanhBackward0 as HardtanhBackward0,
)
from nbgrad.nn.functional._hard_activations import (
    hardsigmoid,
    hardswish,
    hardtanh,
    relu6,
)
from nbgrad.nn.functional._kl_div import kl_div
from nbgrad.nn.functional._layer_norm import (
    NativeLayerNormBackward0 as NativeLayerNormBackward0,
)
from nbgrad.nn.functional._layer_norm import layer_norm
from nbgrad.nn.functional._linear import AddmmBackward0 as AddmmBackward0
from nbgrad.nn.functional._linear import _addmm_weight_t as _addmm_weight_t
from nbgrad.nn.functional._linear import linear
from nbgrad.nn.functional._log_likelihood import NllLoss2DBackward0 as NllLoss2DBackward0
from nbgrad.nn.functional._log_likelihood import NllLossBackward0 as NllLossBackward0
from nbgrad.nn.functional._log_likelihood import _nll_loss as _nll_loss
from nbgrad.nn.functional._log_likelihood import nll_loss
from nbgrad.nn.functional._loss_checks import _legacy_reduction as _legacy_reduction
from nbgrad.nn.functional._mse import MseLossBackward0 as MseLossBackward0
from nbgrad.nn.functional._mse import mse_loss
from nbgrad.nn.functional._one_hot import one_hot
from nbgrad.nn.functional._pad import ConstantPadNdBackward0 as ConstantPadNdBackward0
from nbgrad.nn.functional._pad import pad
from nbgrad.nn.functional._pooling import AvgPool2DBackward0 as AvgPool2DBackward0
from nbgrad.nn.functional._pooling import (
    MaxPool2DWithIndicesBackward0 as MaxPool2DWithIndicesBackward0,
)
from nbgrad.nn.functional._pooling import avg_pool2d, max_pool2d
from nbgrad.nn.functional._prelu_glu import GluBackward0 as GluBackward0
from nbgrad.nn.functional._prelu_glu import PreluKernelBackward0 as PreluKernelBackward0
from nbgrad.nn.functional._prelu_glu import glu, prelu
from nbgrad.nn.functional._regression_losses import HuberLossBackward0 as HuberLossBackward0
from nbgrad.nn.functional._regression_losses import (
    SmoothL1LossBackward0 as SmoothL1LossBackward0,
)
from nbgrad.nn.functional._regression_losses import huber_loss, l1_loss, smooth_l1_loss
from nbgrad.nn.functional._smooth_activations import EluBackward0 as EluBackward0
from nbgrad.nn.functional._smooth_activations import EluBackward1 as EluBackward1
from nbgrad.nn.functional._smooth_activations import GeluBackward0 as GeluBackward0
from nbgrad.nn.functional._smooth_activations import SiluBackward0 as SiluBackward0
from nbgrad.nn.functional._smooth_activations import SoftplusBackward0 as SoftplusBackward0
from nbgrad.nn.functional._smooth_activations import elu, gelu, silu, softplus
from nbgrad.nn.functional._soft_activations import LogSigmoidBackward0 as LogSigmoidBackward0
from nbgrad.nn.functional._soft_activations import MishBackward0 as MishBackward0
from nbgrad.nn.functional._soft_activations import logsigmoid, mish, softmin, softsign

__all__ = [
    "linear", "relu", "sigmoid", "tanh", "leaky_relu", "softmax", "log_softmax", "dropout",
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "nll_loss",
    "cross_entropy", "gelu", "elu", "silu", "softplus", "l1_loss", "smooth_l1_loss",
    "huber_loss", "one_hot", "layer_norm", "embedding", "batch_norm",
    "conv1d", "conv2d", "pad", "max_pool2d", "avg_pool2d",
    "prelu", "hardtanh", "relu6", "mish", "logsigmoid", "softmin", "softsign", "hardsigmoid",
    "hardswish", "glu", "normalize", "cosine_similarity", "pairwise_distance", "kl_div",
]
