"""The same random_state gives the same model; the user's global random state stays."""

import random

import numpy as np
import pytest
from tensorflow.python.framework.config import (
    is_op_determinism_enabled as op_determinism_enabled,
)

from skae import AutoencoderReducer

# The plain network (the neighbour loss's seeding: test_neighbors.py).
TINY = dict(hidden_layer_sizes=(16,), epochs=20, batch_size=32, neighbor_loss=None)


def test_same_random_state_gives_identical_transform(digits):
    X_train, X_test = digits[0][:500], digits[1]
    first = AutoencoderReducer(random_state=7, **TINY).fit(X_train).transform(X_test)
    second = AutoencoderReducer(random_state=7, **TINY).fit(X_train).transform(X_test)
    other = AutoencoderReducer(random_state=8, **TINY).fit(X_train).transform(X_test)
    assert np.array_equal(first, second)
    assert not np.allclose(first, other)


def test_user_global_seeds_do_not_change_the_result(digits):
    import keras
    import tensorflow as tf

    X_train = digits[0][:300]
    results = []
    for global_seed in (1, 2):
        keras.utils.set_random_seed(global_seed)
        reducer = AutoencoderReducer(random_state=0, early_stopping=True, **TINY)
        results.append(reducer.fit(X_train).transform(X_train))
    tf.random.set_seed(None)
    assert np.array_equal(results[0], results[1])


def _global_draws():
    import keras
    import tensorflow as tf

    return (
        random.random(),
        np.random.random_sample(),  # noqa: NPY002 (the global generator is the point)
        float(tf.random.uniform(())),
        float(keras.random.uniform(())),
    )


@pytest.mark.parametrize("random_state", [None, 0])
def test_fit_leaves_global_random_state_untouched(digits, random_state):
    import keras
    import tensorflow as tf

    X_train = digits[0][:300]
    # Warm up Keras and TensorFlow so that one-off initialisation is not counted.
    AutoencoderReducer(random_state=0, **TINY).fit(X_train)

    keras.utils.set_random_seed(123)
    expected = _global_draws()
    keras.utils.set_random_seed(123)
    deterministic_ops = op_determinism_enabled()
    AutoencoderReducer(random_state=random_state, early_stopping=True, **TINY).fit(X_train)
    assert _global_draws() == expected
    assert op_determinism_enabled() == deterministic_ops
    tf.random.set_seed(None)
