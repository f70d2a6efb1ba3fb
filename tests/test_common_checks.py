"""scikit-learn's common estimator checks, on tiny configurations of each kind."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderReducer

TINY = dict(hidden_layer_sizes=(4,), epochs=3, batch_size=16, random_state=0)


@parametrize_with_checks(
    [
        AutoencoderReducer(**TINY),
        AutoencoderReducer(early_stopping=True, n_iter_no_change=2, **TINY),
        AutoencoderReducer(warm_start=True, **TINY),
        # Rows of any width read as one-pixel-high images.
        AutoencoderReducer(
            architecture="conv", input_shape=(1, -1, 1), conv_filters=(2,), **TINY
        ),
        # The first ones train the neighbour loss (on by default for 2 components);
        # this one is the plain autoencoder.
        AutoencoderReducer(noise=0.1, sparsity=0.01, neighbor_loss=None, **TINY),
        AutoencoderReducer(variational=True, **TINY),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
