"""Convolutional, denoising, sparse and variational models, and the study's networks."""

import pickle

import numpy as np
import pytest
from sklearn.decomposition import PCA

from skae import AutoencoderReducer

ROWS_OF_40 = np.random.RandomState(0).rand(6, 40)
IMAGE_SHAPES = [(8, 8, 1), (28, 28, 1), (14, 14, 1), (30, 30, 1), (32, 32, 3), (20, 12, 1)]


@pytest.mark.parametrize("image_shape", IMAGE_SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_conv_round_trips_any_image_shape(image_shape):
    n_features = int(np.prod(image_shape))
    X = np.random.RandomState(0).rand(12, n_features)
    reducer = AutoencoderReducer(
        4,
        architecture="conv",
        input_shape=image_shape,
        conv_filters=(4, 8),
        hidden_layer_sizes=(),
        epochs=1,
        random_state=0,
    ).fit(X)
    codes = reducer.transform(X)
    assert codes.shape == (12, 4)
    assert reducer.inverse_transform(codes).shape == X.shape
    assert reducer.encoder_.get_layer("to_images").output.shape[1:] == image_shape


def test_conv_infers_square_images_and_names_what_to_pass():
    X = np.random.RandomState(0).rand(6, 49)
    reducer = AutoencoderReducer(architecture="conv", conv_filters=(2,), epochs=1).fit(X)
    assert reducer.encoder_.get_layer("to_images").output.shape[1:] == (7, 7, 1)
    with pytest.raises(ValueError, match="40 features: it is not a square.*input_shape="):
        AutoencoderReducer(architecture="conv", epochs=1).fit(ROWS_OF_40)
    with pytest.raises(
        ValueError, match=r"input_shape=\(5, 5, 1\) does not hold rows of 40"
    ):
        AutoencoderReducer(architecture="conv", input_shape=(5, 5, 1)).fit(ROWS_OF_40)
    reducer = AutoencoderReducer(
        architecture="conv", input_shape=(1, -1, 1), conv_filters=(2,), epochs=1
    ).fit(ROWS_OF_40)
    assert reducer.encoder_.get_layer("to_images").output.shape[1:] == (1, 40, 1)


def _convolutions(network):
    """(layer name, output shape, strides) of a network's convolutions, in order."""
    return [
        (layer.name, tuple(layer.output.shape[1:]), layer.strides)
        for layer in network.layers
        if "Conv2D" in type(layer).__name__
    ]


@pytest.mark.parametrize("conv_depth", [1, 2, 3])
def test_conv_depth_sets_the_convolutions_at_each_scale_and_the_decoder_mirrors_them(
    conv_depth,
):
    X = np.random.RandomState(0).rand(6, 64)
    reducer = AutoencoderReducer(
        4, architecture="conv", conv_filters=(4, 8), conv_depth=conv_depth, epochs=1
    ).fit(X)
    encoder = _convolutions(reducer.encoder_.get_layer("encoder_network"))
    decoder = _convolutions(reducer.decoder_.get_layer("decoder_network"))
    stride_ones = [(1, 1)] * (conv_depth - 1)
    assert [strides for _, _, strides in encoder] == [*stride_ones, (2, 2)] * 2
    assert [shape for _, shape, _ in encoder] == (
        [(8, 8, 4)] * (conv_depth - 1) + [(4, 4, 4)]
        + [(4, 4, 8)] * (conv_depth - 1) + [(2, 2, 8)]
    )  # fmt: skip
    # Layer by layer, each decoder convolution gives back the shape its mirror read.
    read_by_encoder = [(8, 8, 1)] + [shape for _, shape, _ in encoder[:-1]]
    assert [shape for _, shape, _ in decoder] == read_by_encoder[::-1]
    assert [strides for _, _, strides in decoder] == [
        strides for _, _, strides in encoder[::-1]
    ]
    assert decoder[-1][0] == "reconstruction"
    assert reducer.spec_.conv_depth == conv_depth


def test_conv_depth_auto_is_two_and_one_for_maps():
    X = np.random.RandomState(0).rand(40, 64)
    settings = dict(architecture="conv", conv_filters=(4,), epochs=1, random_state=0)
    assert AutoencoderReducer(4, **settings).fit(X).spec_.conv_depth == 2
    conv_map = AutoencoderReducer(2, n_neighbors=5, batch_size=16, **settings).fit(X)
    assert conv_map.spec_.neighbor_loss is not None
    assert conv_map.spec_.conv_depth == 1
    assert len(_convolutions(conv_map.encoder_.get_layer("encoder_network"))) == 1


def test_conv_filters_auto_are_narrower_for_codes_than_for_maps():
    # At two convolutions a scale (20, 40) reconstructed MNIST's validation rows as well
    # as (24, 48) in nine tenths of the time (conv_width.md), which did as well as
    # (32, 64) in three quarters of it; maps keep the network their settings were
    # chosen with.
    from skae.spec import DataFacts, resolve_spec

    facts = DataFacts(64, True, 0.0, 1.0, 100)
    code = AutoencoderReducer(8, architecture="conv").get_params()
    conv_map = AutoencoderReducer(2, architecture="conv").get_params()
    assert resolve_spec(code, facts).conv_filters == (20, 40)
    assert resolve_spec(conv_map, facts).conv_filters == (32, 64)
    given = {**conv_map, "conv_filters": (8, 16, 32)}
    assert resolve_spec(given, facts).conv_filters == (8, 16, 32)
    # A fitted default conv network has those filters, scale by scale.
    X = np.random.RandomState(0).rand(20, 64)
    fitted = AutoencoderReducer(4, architecture="conv", epochs=1, random_state=0).fit(X)
    encoder = fitted.encoder_.get_layer("encoder_network")
    filters = [layer.filters for layer in encoder.layers if hasattr(layer, "filters")]
    assert filters == [20, 20, 40, 40]


@pytest.mark.parametrize("conv_depth", [0, 1.5, "two"])
def test_conv_depth_must_be_a_positive_integer(conv_depth):
    with pytest.raises(ValueError, match="conv_depth"):
        AutoencoderReducer(architecture="conv", conv_depth=conv_depth).fit(
            np.random.RandomState(0).rand(6, 64)
        )


def test_the_study_networks_have_their_parameter_counts():
    X = np.random.RandomState(0).rand(10, 784)
    simple = AutoencoderReducer(36, hidden_layer_sizes=(), code_activation="relu", epochs=1)
    deep = AutoencoderReducer(36, hidden_layer_sizes=(256, 128, 64), epochs=1)
    assert simple.fit(X).autoencoder_.count_params() == 57_268
    assert deep.fit(X).autoencoder_.count_params() == 489_652
    assert simple.decoder_.get_layer("output_activation").activation.__name__ == "sigmoid"


def _mse(reducer, X, target=None):
    target = X if target is None else target
    return np.mean((target - reducer.inverse_transform(reducer.transform(X))) ** 2)


@pytest.mark.slow
def test_conv_beats_pca_on_digits(digits):
    X_train, X_test = digits[0], digits[1]
    conv = AutoencoderReducer(8, architecture="conv", epochs=60, random_state=0)
    conv.fit(X_train)
    pca = PCA(8).fit(X_train)
    assert _mse(conv, X_test) < _mse(pca, X_test)


@pytest.mark.slow
def test_denoising_cleans_noisy_digits_better_than_plain(digits):
    X_train, X_test = digits[0], digits[1]
    noisy = np.clip(X_test + np.random.RandomState(1).normal(0, 0.3, X_test.shape), 0, 1)
    settings = dict(hidden_layer_sizes=(64,), epochs=60, random_state=0)
    plain = AutoencoderReducer(8, noise=0.0, **settings).fit(X_train)
    denoising = AutoencoderReducer(8, noise=0.3, **settings).fit(X_train)
    assert _mse(denoising, noisy, X_test) < _mse(plain, noisy, X_test)
    # Training noise never reaches transform.
    assert np.array_equal(denoising.transform(X_test), denoising.transform(X_test))


def test_sparse_codes_are_smaller(digits):
    X_train, X_test = digits[0], digits[1]
    settings = dict(hidden_layer_sizes=(32,), epochs=20, random_state=0)
    plain = AutoencoderReducer(16, noise=0.0, **settings).fit(X_train)
    sparse = AutoencoderReducer(16, noise=0.0, sparsity=0.01, **settings).fit(X_train)
    assert np.abs(sparse.transform(X_test)).mean() < np.abs(plain.transform(X_test)).mean()


@pytest.fixture(scope="module")
def variational(digits):
    return AutoencoderReducer(
        2, variational=True, hidden_layer_sizes=(64,), epochs=40, random_state=0
    ).fit(digits[0])


def test_variational_samples_look_like_the_data(variational, digits):
    X_train = digits[0]
    samples = variational.sample(500, random_state=0)
    assert samples.shape == (500, 64)
    assert samples.min() >= 0 and samples.max() <= 1
    correlation = np.corrcoef(samples.mean(axis=0), X_train.mean(axis=0))[0, 1]
    assert correlation > 0.9
    # Varied digits, not the mean row: a code collapsed onto the prior gave samples
    # 0.009x as spread as real digits, this model about 0.4x.
    assert samples.std(axis=0).mean() > 0.25 * X_train.std(axis=0).mean()
    assert np.array_equal(samples, variational.sample(500, random_state=0))
    assert not np.array_equal(samples, variational.sample(500, random_state=1))


def test_variational_history_splits_reconstruction_and_kl(variational):
    history = variational.history_
    assert {"loss", "reconstruction_loss", "kl_loss"} <= set(history)
    assert all(kl > 0 for kl in history["kl_loss"])
    # The total adds the KL term, weighted by beta per data value.
    assert history["loss"][-1] > history["reconstruction_loss"][-1]


def test_variational_code_is_informative(variational, digits):
    X_train, X_test = digits[0], digits[1]
    codes = variational.transform(X_test)
    # Every code unit carries information (collapsed onto the prior: std 0.015)...
    assert codes.std(axis=0).min() > 0.3
    # ...enough to reconstruct better than PCA with as many components.
    pca = PCA(2).fit(X_train)
    assert _mse(variational, X_test) < _mse(pca, X_test)


def test_variational_transform_is_the_mean(variational, digits):
    X_test = digits[1]
    assert np.array_equal(variational.transform(X_test), variational.transform(X_test))
    assert np.allclose(
        variational.encoder_(X_test).numpy(), variational.transform(X_test), atol=1e-5
    )


def test_sample_needs_a_variational_model(digits):
    plain = AutoencoderReducer(hidden_layer_sizes=(4,), epochs=1).fit(digits[0])
    assert not hasattr(plain, "sample")
    # No attribute, as with scikit-learn's available_if, and the message says why.
    with pytest.raises(AttributeError, match="no method 'sample' with variational=False"):
        plain.sample(3)


def test_variational_code_must_be_linear(digits):
    with pytest.raises(ValueError, match="code_activation='linear'"):
        AutoencoderReducer(variational=True, code_activation="relu").fit(digits[0])


@pytest.mark.parametrize(
    "params",
    [
        dict(architecture="conv", conv_filters=(4,), hidden_layer_sizes=()),
        dict(variational=True, hidden_layer_sizes=(8,)),
        dict(noise=0.2, sparsity=0.01, hidden_layer_sizes=(8,)),
    ],
    ids=["conv", "variational", "denoising-sparse"],
)
def test_variants_survive_pickling_and_stand_alone(params, digits):
    X_test = digits[1]
    reducer = AutoencoderReducer(3, epochs=2, random_state=0, **params).fit(digits[0])
    copied = pickle.loads(pickle.dumps(reducer))  # loads the .keras archive in safe mode
    assert np.array_equal(copied.transform(X_test), reducer.transform(X_test))
    codes = reducer.transform(X_test)
    assert np.allclose(reducer.encoder_(X_test).numpy(), codes, atol=1e-5)
    assert np.allclose(
        reducer.decoder_(codes).numpy(), reducer.inverse_transform(codes), atol=1e-5
    )
    if params.get("variational"):
        assert np.array_equal(
            copied.sample(5, random_state=0), reducer.sample(5, random_state=0)
        )
