"""scikit-learn's common estimator checks, on tiny configurations of each kind."""

import keras
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderReducer

# neighbor_loss=None: one configuration below checks the neighbour loss (on by default
# for 2 components), whose epochs pass over a graph's edges, many more steps than rows.
TINY = dict(
    hidden_layer_sizes=(4,), epochs=3, batch_size=16, neighbor_loss=None, random_state=0
)

# What differs between Keras backends: how batches reach Keras and how dense, conv and
# neighbour-loss networks run. Every backend checks these.
ON_EVERY_BACKEND = [
    AutoencoderReducer(**TINY),
    # Rows of any width read as one-pixel-high images.
    AutoencoderReducer(
        architecture="conv", input_shape=(1, -1, 1), conv_filters=(2,), **TINY
    ),
    # The neighbour loss, with its own batches (512 edges a step).
    AutoencoderReducer(
        hidden_layer_sizes=(4,), epochs=3, neighbor_loss="umap", random_state=0
    ),
]
# Estimator logic that is the same code on every backend, checked on TensorFlow (the
# variational layer runs on every backend in tests/test_backends.py).
ON_TENSORFLOW = [
    AutoencoderReducer(early_stopping=True, n_iter_no_change=2, **TINY),
    AutoencoderReducer(warm_start=True, **TINY),
    AutoencoderReducer(noise=0.1, sparsity=0.01, **TINY),
    AutoencoderReducer(variational=True, **TINY),
]
CHECKED = ON_EVERY_BACKEND + (
    ON_TENSORFLOW if keras.config.backend() == "tensorflow" else []
)


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    check(estimator)
