"""Bad input and bad parameters raise clear errors; divergence never leaves NaN models."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skae import AutoencoderReducer, TrainingDivergedError

TINY = dict(hidden_layer_sizes=(4,), epochs=2, random_state=0)
X = np.random.RandomState(0).rand(40, 5)


@pytest.fixture(scope="module")
def fitted():
    return AutoencoderReducer(**TINY).fit(X)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.where(np.eye(40, 5) > 0, np.nan, X), ValueError, "Input X contains NaN"),
        (np.where(np.eye(40, 5) > 0, np.inf, X), ValueError, "Input X contains infinity"),
        (np.full((3, 2), "a", dtype=object), ValueError, "could not convert string"),
        (X[:, 0], ValueError, "Expected 2D array, got 1D array"),
        (X.reshape(40, 5, 1), ValueError, "Found array with dim 3"),
        (np.empty((0, 5)), ValueError, "0 sample"),
        (np.empty((4, 0)), ValueError, "0 feature"),
    ],
    ids=["nan", "inf", "strings", "1d", "3d", "no-rows", "no-columns"],
)
def test_bad_training_data_is_refused(bad, error, message):
    with pytest.raises(error, match=message):
        AutoencoderReducer(**TINY).fit(bad)


def test_wrong_width_at_transform(fitted):
    with pytest.raises(
        ValueError, match="X has 3 features, but AutoencoderReducer is expecting 5"
    ):
        fitted.transform(X[:, :3])


def test_wrong_code_width_at_inverse_transform(fitted):
    with pytest.raises(
        ValueError, match="X has 3 columns, but AutoencoderReducer decodes codes of 2"
    ):
        fitted.inverse_transform(np.zeros((4, 3)))


def test_nan_at_transform(fitted):
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fitted.transform(np.full((2, 5), np.nan))


def test_unfitted_use_raises_not_fitted():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        AutoencoderReducer().transform(X)


@pytest.mark.parametrize(
    "params, message",
    [
        (
            dict(epochs=-1),
            "'epochs' parameter of AutoencoderReducer must be an int in the range",
        ),
        (dict(loss="hinge"), "'loss' parameter of AutoencoderReducer must be a str among"),
        (dict(n_components=0), "'n_components' parameter"),
        (dict(learning_rate=0.0), "'learning_rate' parameter"),
        (dict(activation="swishy"), "'activation' parameter"),
        (dict(validation_fraction=1.0), "'validation_fraction' parameter"),
        (
            dict(hidden_layer_sizes=(8, 0)),
            "hidden_layer_sizes must be a tuple of positive ints",
        ),
        (
            dict(hidden_layer_sizes=(8, 2.5)),
            "hidden_layer_sizes must be a tuple of positive ints",
        ),
    ],
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        AutoencoderReducer(**{**TINY, **params}).fit(X)


def test_binary_crossentropy_needs_unit_interval_data():
    with pytest.raises(
        ValueError, match=r"binary_crossentropy' needs X in \[0, 1\], reaching at least 0.5"
    ):
        AutoencoderReducer(loss="binary_crossentropy", **TINY).fit(X * 3)
    with pytest.raises(ValueError, match="needs a sigmoid output"):
        AutoencoderReducer(
            loss="binary_crossentropy", output_activation="linear", **TINY
        ).fit(X)


def test_early_stopping_needs_two_rows():
    with pytest.raises(ValueError, match="n_samples = 1"):
        AutoencoderReducer(early_stopping=True, **TINY).fit(X[:1])


def test_a_built_model_is_refused_as_a_builder():
    import keras

    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    with pytest.raises(TypeError, match="not a built model"):
        AutoencoderReducer(encoder=model, **TINY).fit(X)


def test_a_builder_of_the_wrong_width_is_named():
    import keras

    def narrow(n_features, n_components):
        return keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(3)])

    with pytest.raises(
        ValueError,
        match=(
            r"encoder builder's model maps shape \(None, 5\) to \(None, 3\); "
            r"expected \(None, 5\) to \(None, 2\)"
        ),
    ):
        AutoencoderReducer(encoder=narrow, **TINY).fit(X)


def test_warm_start_cannot_change_the_network():
    reducer = AutoencoderReducer(warm_start=True, **TINY).fit(X)
    with pytest.raises(ValueError, match="after changing n_components"):
        reducer.set_params(n_components=3, epochs=4).fit(X)


def test_divergence_raises_and_leaves_an_unfitted_reducer():
    diverging = AutoencoderReducer(
        learning_rate=1e12, optimizer="sgd", **{**TINY, "epochs": 20}
    )
    with pytest.raises(
        TrainingDivergedError, match="Training diverged.*smaller learning_rate"
    ):
        diverging.fit(X * 1e3)
    assert not hasattr(diverging, "encoder_")
    assert not hasattr(diverging, "n_features_in_")
    with pytest.raises(NotFittedError):
        diverging.transform(X)


def test_divergence_during_continued_training_restores_the_model():
    raw = X * 1e3 - 500  # outside [0, 1]: a linear output, which can blow up
    reducer = AutoencoderReducer(warm_start=True, optimizer="sgd", **TINY).fit(raw)
    before = reducer.transform(raw)
    reducer.set_params(learning_rate=1e12, epochs=30)
    with pytest.raises(TrainingDivergedError):
        reducer.fit(raw)
    assert reducer.n_iter_ == 2
    assert np.array_equal(reducer.transform(raw), before)


def test_interrupted_fit_leaves_the_previous_model():
    import keras

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    reducer = AutoencoderReducer(warm_start=True, **TINY).fit(X)
    before = reducer.transform(X)
    original_fit = keras.Model.fit

    def interrupted_fit(model, *args, callbacks=(), **kwargs):
        return original_fit(model, *args, callbacks=[*callbacks, Interrupt()], **kwargs)

    keras.Model.fit = interrupted_fit
    try:
        with pytest.raises(KeyboardInterrupt):
            reducer.set_params(epochs=10).fit(X)
    finally:
        keras.Model.fit = original_fit
    assert reducer.n_iter_ == 2
    assert np.array_equal(reducer.transform(X), before)


def test_alpha_refuses_a_builders_layers():
    import keras

    def encoder(n_features, n_components):
        return keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(2)])

    with pytest.raises(ValueError, match=r"alpha=0\.1 penalises the kernels of skae"):
        AutoencoderReducer(encoder=encoder, alpha=0.1, **TINY).fit(X)
    # "auto" gives a builder's network no penalty.
    assert AutoencoderReducer(encoder=encoder, **TINY).fit(X).spec_.alpha == 0.0


def test_warm_start_cannot_change_alpha():
    reducer = AutoencoderReducer(warm_start=True, alpha=0.0, **TINY).fit(X)
    with pytest.raises(ValueError, match="after changing alpha"):
        reducer.set_params(alpha=1e-3, epochs=4).fit(X)
