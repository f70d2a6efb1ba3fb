"""The activations skae's networks may use, each with its NumPy twin.

One table serves both sides: the estimator accepts exactly these names (it imports no
Keras), and `skae.inference` runs fitted networks with these NumPy functions, which a
test compares with Keras' own for every name.
"""

import numpy as np
from scipy.special import erf, expit


def _elu(alpha: float, scale: float = 1.0):
    """``scale * (x if x > 0 else alpha * (exp(x) - 1))``, ELU and SELU in NumPy.

    The halves are computed in place on clipped copies and added: ``np.where`` over
    ``expm1`` took 4 times as long on a chunk of 2,048 x 256 float32 values, and SELU is
    the default for wide dense codes. ``exp(x) - 1`` is off from ``expm1`` by less
    than float32's resolution near 1.
    """

    def activation(x):
        negative = np.minimum(x, 0)
        np.exp(negative, out=negative)
        negative -= 1
        negative *= alpha * scale
        positive = np.maximum(x, 0)
        positive *= scale
        positive += negative
        return positive

    return activation


NUMPY_ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": expit,
    "tanh": np.tanh,
    "elu": _elu(1.0),
    "selu": _elu(1.6732632423543772, 1.0507009873554805),
    "softplus": lambda x: np.logaddexp(0, x),
    "silu": lambda x: x * expit(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}

HIDDEN_ACTIVATIONS = frozenset(NUMPY_ACTIVATIONS)
# The code layer: linear spreads an embedding best; the others bound it.
CODE_ACTIVATIONS = frozenset({"linear", "relu", "sigmoid", "tanh"})
