"""The activations skae's networks may use, each with its NumPy twin.

One table serves both sides: the estimator accepts exactly these names (it imports no
Keras), and `skae.inference` runs fitted networks with these NumPy functions, which a
test compares with Keras' own for every name.
"""

import numpy as np
from scipy.special import erf, expit

NUMPY_ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": expit,
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: (
        1.0507009873554805
        * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))
    ),
    "softplus": lambda x: np.logaddexp(0, x),
    "silu": lambda x: x * expit(x),
    "gelu": lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}

HIDDEN_ACTIVATIONS = frozenset(NUMPY_ACTIVATIONS)
# The code layer: linear spreads an embedding best; the others bound it.
CODE_ACTIVATIONS = frozenset({"linear", "relu", "sigmoid", "tanh"})
