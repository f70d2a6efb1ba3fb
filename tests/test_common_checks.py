"""scikit-learn's common estimator checks, on tiny configurations of each kind."""

import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator

from skae import AutoencoderReducer

# One epoch of one batch (the checks' data has at most 128 rows, the default batch
# size): each eager step costs about 90 ms here, most of a tiny fit. neighbor_loss=None:
# one configuration below checks the neighbour loss (on by default for 2 components),
# whose epochs pass over a graph's edges, many more steps than rows.
TINY = dict(hidden_layer_sizes=(4,), epochs=1, neighbor_loss=None, random_state=0)

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
        hidden_layer_sizes=(4,), epochs=1, neighbor_loss="umap", random_state=0
    ),
]


def _name(check) -> str:
    return getattr(check, "func", check).__name__


def cases(configurations, sparse=True):
    """Every check of every configuration, the sparse ones on the first only (if any).

    The sparse checks fit each of ten sparse formats; sparse rows reach every network
    through the same reader (`skae.rows`), tested for each kind in tests/test_sparse.py.
    """
    for position, configuration in enumerate(configurations):
        for estimator, check in estimator_checks_generator(configuration):
            if (sparse and position == 0) or "sparse" not in _name(check):
                yield pytest.param(
                    estimator,
                    check,
                    id=f"{''.join(repr(estimator).split())}-{_name(check)}",
                )


@pytest.mark.parametrize("estimator, check", list(cases(ON_EVERY_BACKEND)))
def test_sklearn_compatible(estimator, check):
    check(estimator)
