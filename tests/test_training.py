"""Training parameters act: optimizers, schedules, early stopping, validation split."""

import numpy as np
import pytest

from skae import AutoencoderReducer
from skae.activations import CODE_ACTIVATIONS, HIDDEN_ACTIVATIONS
from skae.estimator import OPTIMIZERS

# The plain network's training (the neighbour loss's is in test_neighbors.py).
TINY = dict(
    hidden_layer_sizes=(16,),
    batch_size=64,
    noise=0.0,
    neighbor_loss=None,
    random_state=0,
)


def _validation_rows(reducer, X):
    _, validation = reducer._validation_split(X.shape[0])
    return X[validation]


def _loss_on(reducer, X):
    return reducer.autoencoder_.evaluate(X, X, batch_size=len(X), verbose=0)


def test_early_stopping_restores_the_best_epoch(digits):
    X = digits[0][:600]
    reducer = AutoencoderReducer(
        early_stopping=True, learning_rate=3e-2, epochs=200, n_iter_no_change=4, **TINY
    ).fit(X)
    validation_loss = reducer.history_["val_loss"]
    # It stopped early, so its last epochs were worse than the best one...
    assert reducer.n_iter_ < 200
    assert min(validation_loss) < validation_loss[-1]
    # ...and the weights it kept are the best epoch's.
    best = _loss_on(reducer, _validation_rows(reducer, X))
    assert best == pytest.approx(min(validation_loss), rel=1e-4)


def test_early_stopping_keeps_the_start_when_no_epoch_beats_it(digits):
    # A warm start at a rate far too high: every epoch is worse than the weights
    # training starts from, so those are the weights to keep, not the best epoch's.
    X = digits[0][:600]
    reducer = AutoencoderReducer(
        early_stopping=True,
        warm_start=True,
        learning_rate=1e-2,
        epochs=10,
        n_iter_no_change=4,
        **TINY,
    ).fit(X)
    validation_rows = _validation_rows(reducer, X)
    start_loss = _loss_on(reducer, validation_rows)
    codes = reducer.transform(X)
    first_epochs = reducer.n_iter_
    reducer.set_params(learning_rate=1.0, epochs=first_epochs + 20).fit(X)
    assert min(reducer.history_["val_loss"][first_epochs:]) > start_loss
    assert _loss_on(reducer, validation_rows) == pytest.approx(start_loss, rel=1e-4)
    assert np.array_equal(reducer.transform(X), codes)


def test_early_stopping_fits_the_scaling_on_the_training_rows_only(digits):
    # Validation rows moved far off every feature's scale: if the input scaling or the
    # PCA start saw them, the training rows' losses would change.
    X = digits[0][:400] * 16  # not in [0, 1]: standardised, started at PCA
    # alpha given: "auto" lets the held-out rows choose the penalty, as early stopping
    # lets them choose the epoch.
    params = dict(early_stopping=True, epochs=3, alpha=0.0, **TINY)
    reducer = AutoencoderReducer(**params).fit(X)
    moved = X.copy()
    _, validation = reducer._validation_split(len(X))
    moved[validation] = moved[validation] * 5 + 40
    on_moved = AutoencoderReducer(**params).fit(moved)
    assert on_moved.spec_.starts_at_pca
    assert on_moved.history_["loss"] == reducer.history_["loss"]
    assert on_moved.history_["val_loss"] != reducer.history_["val_loss"]


def test_learning_rate_halves_when_the_loss_stalls(digits):
    X = digits[0][:300]
    # With tol at 0.01 the loss (about 0.6 after ten epochs) soon improves by less, so
    # the stall does not hang on the last digits of the run's rounding.
    reducer = AutoencoderReducer(
        learning_rate=3e-2,
        epochs=40,
        n_iter_no_change=6,
        tol=0.01,
        early_stopping=False,
        **TINY,
    ).fit(X)
    rates = reducer.history_["learning_rate"]
    assert rates[0] == pytest.approx(3e-2)
    assert min(rates) <= 3e-2 / 2 * (1 + 1e-6)
    # Each epoch's rate is its predecessor's or half of it; after the last epoch the
    # optimizer may hold one more halving.
    steps = np.array(rates[1:]) / np.array(rates[:-1])
    assert np.all(np.isclose(steps, 1.0) | np.isclose(steps, 0.5)), rates
    final = float(reducer.autoencoder_.optimizer.learning_rate)
    assert np.isclose(final, rates[-1]) or np.isclose(final, rates[-1] / 2)


@pytest.mark.parametrize(
    "params, schedule",
    [
        ({"n_components": 8}, "plateau"),
        ({"n_components": 8, "architecture": "conv"}, "warmup_linear"),
        ({"n_components": 2, "neighbor_loss": "infonce"}, "linear"),
        ({"n_components": 2, "neighbor_loss": "umap"}, "plateau"),
        ({"n_components": 2, "neighbor_loss": "umap", "architecture": "conv"}, "plateau"),
        (
            {
                "n_components": 8,
                "architecture": "conv",
                "learning_rate_schedule": "plateau",
            },
            "plateau",
        ),
        ({"n_components": 8, "learning_rate_schedule": "linear"}, "linear"),
    ],
)
def test_auto_learning_rate_schedule_follows_the_network(params, schedule):
    # Conv codes reconstructed better with the linear fall over their 40 epochs
    # (conv_schedule.md), and left the mean image for every seed after a rise
    # (conv_warmup.md); InfoNCE maps train fewer epochs than a plateau's patience,
    # and the UMAP loss's maps kept better neighbours with plateaus (map_schedule.md).
    from skae.spec import DataFacts, resolve_spec

    reducer = AutoencoderReducer(**params)
    facts = DataFacts(64, True, 0.0, 1.0, 100)
    assert resolve_spec(reducer.get_params(), facts).learning_rate_schedule == schedule
    # Raw tables start at PCA, whose profile halves on plateaus too.
    tables = resolve_spec(AutoencoderReducer(8).get_params(), DataFacts(5, False, -3, 9))
    assert tables.learning_rate_schedule == "plateau"


@pytest.mark.parametrize(
    "params, noise",
    [
        ({"n_components": 2}, 0.3),
        ({"n_components": 2, "neighbor_loss": "umap"}, 0.1),
        ({"n_components": 2, "architecture": "conv"}, 0.1),
        ({"n_components": 2, "noise": 0.05}, 0.05),
        ({"n_components": 8}, 0.3),
    ],
)
def test_auto_noise_of_dense_infonce_maps_is_their_own(params, noise):
    # More noise closed most of the gap between training and new rows' trustworthiness
    # of dense InfoNCE maps on MNIST; the conv map's fell with it (map_noise.md).
    from skae.spec import DataFacts, resolve_spec

    facts = DataFacts(64, True, 0.0, 1.0, 100)
    assert resolve_spec(AutoencoderReducer(**params).get_params(), facts).noise == noise
    # Off [0, 1] "auto" adds no noise, map or not.
    table = DataFacts(64, False, -3.0, 9.0, 100)
    assert (
        resolve_spec(
            AutoencoderReducer(2, neighbor_loss="infonce").get_params(), table
        ).noise
        == 0
    )


@pytest.mark.parametrize(
    "params, stddev", [({}, 0.3), ({"noise": 0.05}, 0.05), ({"noise": 0}, None)]
)
def test_the_noise_the_spec_resolves_is_the_encoders_in_training(digits, params, stddev):
    # The spec's value must reach the network: a map resolved to 0.3 and trained at
    # another noise would keep the gap map_noise.md measured.
    quick = dict(hidden_layer_sizes=(16,), epochs=1, random_state=0)
    reducer = AutoencoderReducer(2, **quick, **params).fit(digits[0][:100])
    layers = {layer.name: layer for layer in reducer.encoder_.layers}
    if stddev is None:
        assert "training_noise" not in layers
    else:
        assert reducer.spec_.noise == stddev
        assert layers["training_noise"].stddev == pytest.approx(stddev)


def test_conv_codes_raise_then_lower_the_rate_and_a_continued_fit_may_change_it(digits):
    X = digits[0][:64]
    conv = dict(architecture="conv", conv_filters=(4,), epochs=4, warm_start=True)
    reducer = AutoencoderReducer(4, **conv, **TINY).fit(X)
    rate = reducer.spec_.learning_rate
    # Two epochs of rise, their midpoints a quarter and three quarters of the way up,
    # where that is below the fall.
    assert reducer.history_["learning_rate"] == pytest.approx(
        [rate * f for f in (1 / 4, 5 / 8, 3 / 8, 1 / 8)]
    )
    # A training setting: a warm-started fit may switch to plateaus, which start at the
    # given rate and here never stall long enough to halve it.
    reducer.set_params(learning_rate_schedule="plateau", epochs=6).fit(X)
    assert reducer.spec_.learning_rate_schedule == "plateau"
    assert reducer.history_["learning_rate"][4:] == pytest.approx([rate, rate])
    reducer.set_params(learning_rate_schedule="linear", epochs=10).fit(X)
    assert reducer.history_["learning_rate"][6:] == pytest.approx(
        [rate * f for f in (7 / 8, 5 / 8, 3 / 8, 1 / 8)]
    )


def test_the_warmup_rises_over_two_epochs_then_falls():
    from skae.training import linear_rate, warmup_epochs

    assert [warmup_epochs(n) for n in (1, 2, 3, 4, 40, 100)] == [0, 1, 1, 2, 2, 2]
    assert linear_rate(1.0, 0, 2, warmup_epochs(2)) == pytest.approx(0.5)
    rates = [linear_rate(1.0, epoch, 40, warmup_epochs(40)) for epoch in range(40)]
    assert rates[:3] == pytest.approx([0.25, 0.75, 1 - 2.5 / 40])
    assert rates[-1] == pytest.approx(0.5 / 40)
    assert linear_rate(1.0, 0, 40) == pytest.approx(1 - 0.5 / 40)


def test_validation_fraction_sets_the_held_out_rows(digits):
    X = digits[0][:400]
    losses = {}
    for fraction in (0.1, 0.5):
        reducer = AutoencoderReducer(
            early_stopping=True, validation_fraction=fraction, epochs=3, **TINY
        ).fit(X)
        rows = _validation_rows(reducer, X)
        assert len(rows) == round(fraction * len(X))
        # val_loss is measured on exactly those rows.
        assert _loss_on(reducer, rows) == pytest.approx(
            reducer.history_["val_loss"][-1], rel=1e-4
        )
        losses[fraction] = reducer.history_["val_loss"]
    assert losses[0.1] != losses[0.5]


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_trains(digits, optimizer):
    X = digits[0][:300]
    # Plain SGD (no momentum) needs a far larger step than the adaptive optimizers.
    learning_rate = 2.0 if optimizer == "sgd" else 3e-3
    reducer = AutoencoderReducer(
        optimizer=optimizer, learning_rate=learning_rate, epochs=15, **TINY
    ).fit(X)
    assert type(reducer.autoencoder_.optimizer).__name__.lower() == optimizer
    assert reducer.loss_curve_[-1] < 0.9 * reducer.loss_curve_[0]


@pytest.mark.parametrize("code_activation", sorted(CODE_ACTIVATIONS))
def test_every_code_activation_trains_and_shapes_the_code(digits, code_activation):
    X = digits[0][:300]
    reducer = AutoencoderReducer(
        4, code_activation=code_activation, learning_rate=3e-3, epochs=15, **TINY
    ).fit(X)
    codes = reducer.transform(digits[1])
    assert reducer.loss_curve_[-1] < 0.9 * reducer.loss_curve_[0]
    bounds = {"relu": (0, np.inf), "sigmoid": (0, 1), "tanh": (-1, 1)}
    low, high = bounds.get(code_activation, (-np.inf, np.inf))
    assert codes.min() >= low and codes.max() <= high
    if code_activation == "linear":
        assert codes.min() < 0


def test_binary_crossentropy_trains_and_is_its_loss(digits):
    import keras

    X = digits[0][:300]
    reducer = AutoencoderReducer(
        loss="binary_crossentropy", learning_rate=3e-3, epochs=15, **TINY
    ).fit(X)
    assert reducer.loss_curve_[-1] < 0.95 * reducer.loss_curve_[0]
    reconstruction = reducer.inverse_transform(reducer.transform(X))
    expected = float(keras.losses.binary_crossentropy(X, reconstruction).numpy().mean())
    assert _loss_on(reducer, X) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("activation", sorted(HIDDEN_ACTIVATIONS))
def test_numpy_forward_pass_matches_keras_for_every_activation(digits, activation):
    X = digits[0][:200]
    reducer = AutoencoderReducer(3, activation=activation, epochs=2, **TINY).fit(X)
    assert reducer._networks.encode.uses_numpy and reducer._networks.decode.uses_numpy
    codes = reducer.transform(X)
    np.testing.assert_allclose(codes, reducer.encoder_(X).numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        reducer.inverse_transform(codes),
        reducer.decoder_(codes).numpy(),
        rtol=1e-4,
        atol=1e-5,
    )


def test_a_continued_fit_trains_with_the_training_settings_set_since(digits):
    # spec_ keeps the network's settings from the first fit; the training settings are
    # read again at every fit, as a warm start's raised epochs are.
    X = digits[0][:300]
    reducer = AutoencoderReducer(warm_start=True, epochs=2, learning_rate=1e-3, **TINY)
    network = reducer.fit(X).spec_
    reducer.set_params(learning_rate=5e-4, epochs=4, batch_size=32).fit(X)
    spec = reducer.spec_
    assert (spec.learning_rate, spec.epochs, spec.batch_size) == (5e-4, 4, 32)
    assert spec.hidden_layer_sizes == network.hidden_layer_sizes
    assert reducer.history_["learning_rate"][2:] == pytest.approx([5e-4, 5e-4])


def test_a_whole_epoch_a_call_trains_exactly_as_a_step_a_call(digits, monkeypatch):
    import skae.training
    from skae.backends import is_tensorflow

    X = digits[0][:1000]  # 16 steps of 64 rows an epoch
    params = dict(epochs=3, n_iter_no_change=100, **TINY)
    reducer = AutoencoderReducer(**params).fit(X)
    if is_tensorflow():
        assert reducer.autoencoder_.steps_per_execution == 16
    monkeypatch.setattr(skae.training, "_steps_per_execution", lambda *_: 1)
    stepwise = AutoencoderReducer(**params).fit(X)
    assert stepwise.autoencoder_.steps_per_execution == 1
    assert np.allclose(reducer.transform(X), stepwise.transform(X), atol=1e-5)
    # Keras runs steps_per_execution steps a call even past an epoch's end, into the
    # next epoch's batches: each epoch's loss shows whether it was its own 16 steps.
    assert np.allclose(reducer.history_["loss"], stepwise.history_["loss"], rtol=1e-5)


def _auto_training(reducer):
    spec = reducer.spec_
    return spec.activation, spec.learning_rate, spec.epochs, spec.noise


def test_wide_dense_codes_on_unit_interval_rows_train_by_their_own_profile(digits):
    from skae.spec import AUTO_SETTINGS, WIDE_CODE_MIN_COMPONENTS

    X = digits[0][:40]  # one batch an epoch: the "auto" epochs stay cheap
    quick = dict(hidden_layer_sizes=(8,), batch_size=64, random_state=0)
    names = ("activation", "learning_rate", "epochs", "noise")
    wide, dense, tabular = (AUTO_SETTINGS[p] for p in ("wide_code", "dense", "tabular"))
    at_width = AutoencoderReducer(WIDE_CODE_MIN_COMPONENTS, **quick).fit(X)
    assert _auto_training(at_width) == tuple(wide[name] for name in names)
    narrower = AutoencoderReducer(WIDE_CODE_MIN_COMPONENTS - 1, epochs=1, **quick).fit(X)
    assert narrower.spec_.activation == dense["activation"] == "relu"
    assert (narrower.spec_.learning_rate, narrower.spec_.noise) == (1e-3, 0.3)
    # Tables keep their own profile at any width, and a dense network on them (a
    # bounded code does not start at PCA) the ReLU one: SELU was measured on [0, 1].
    table = AutoencoderReducer(WIDE_CODE_MIN_COMPONENTS, epochs=1, **quick).fit(X * 16 - 3)
    assert table.spec_.activation == tabular["activation"]
    assert table.spec_.learning_rate == tabular["learning_rate"]
    bounded = AutoencoderReducer(
        WIDE_CODE_MIN_COMPONENTS, code_activation="tanh", epochs=1, **quick
    ).fit(X * 16 - 3)
    assert not bounded.spec_.starts_at_pca and bounded.spec_.activation == "relu"
    # A value given is kept.
    given = AutoencoderReducer(
        WIDE_CODE_MIN_COMPONENTS, activation="tanh", epochs=1, **quick
    )
    assert given.fit(X).spec_.activation == "tanh"


@pytest.mark.parametrize(
    ("activation", "initializer"), [("selu", "LecunNormal"), ("relu", "GlorotUniform")]
)
def test_selu_layers_start_from_lecun_normal(digits, activation, initializer):
    reducer = AutoencoderReducer(3, activation=activation, epochs=1, **TINY)
    reducer.fit(digits[0][:100])
    hidden = [
        layer
        for network in (reducer.encoder_, reducer.decoder_)
        for layer in network._flatten_layers()
        if "_hidden_" in layer.name
    ]
    assert len(hidden) == 2
    assert {layer.activation.__name__ for layer in hidden} == {activation}
    assert {type(layer.kernel_initializer).__name__ for layer in hidden} == {initializer}


def _kernel_layers(reducer):
    return [
        layer
        for network in (reducer.encoder_, reducer.decoder_)
        for layer in network._flatten_layers()
        if hasattr(layer, "kernel_regularizer")
    ]


@pytest.mark.parametrize(
    "network",
    [
        dict(),
        dict(architecture="conv", input_shape=(8, 8, 1), conv_filters=(4,)),
        dict(variational=True),
    ],
    ids=["dense", "conv", "variational"],
)
def test_alpha_penalises_every_kernel_skae_builds(digits, network):
    alpha = 0.01
    reducer = AutoencoderReducer(3, alpha=alpha, epochs=1, **TINY, **network)
    reducer.fit(digits[0][:200])
    layers = _kernel_layers(reducer)
    assert len(layers) >= 4
    assert [layer.kernel_regularizer.l2 for layer in layers] == pytest.approx(
        [alpha] * len(layers)
    )
    # The penalty is in the training loss, logged beside the reconstruction alone.
    squares = sum(float(np.sum(np.square(layer.kernel))) for layer in layers)
    penalties = [loss for loss in reducer.autoencoder_.losses if loss.shape == ()]
    if not network.get("variational"):  # (its KL term is among the losses too)
        assert float(np.sum(penalties)) == pytest.approx(alpha * squares, rel=1e-4)
    assert "reconstruction_loss" in reducer.history_


def test_a_strong_penalty_holds_a_table_at_its_pca_start():
    from sklearn.datasets import load_breast_cancer
    from sklearn.decomposition import PCA

    X = load_breast_cancer().data[:300]
    pca = PCA(2).fit(X)
    at_pca = pca.inverse_transform(pca.transform(X))

    def largest_move(alpha):
        # In each feature's standard deviations, from PCA's reconstruction.
        reducer = AutoencoderReducer(
            2, alpha=alpha, hidden_layer_sizes=(16,), epochs=20, random_state=0
        ).fit(X)
        reconstruction = reducer.inverse_transform(reducer.transform(X))
        return np.max(np.abs(reconstruction - at_pca) / X.std(axis=0))

    # Measured: 0.008 with alpha=1, 0.24 without a penalty.
    assert largest_move(1.0) < 0.03 < largest_move(0.0)


def test_alpha_auto_chooses_a_penalty_where_held_out_rows_show_learnt_noise(digits):
    from skae.penalty import TABLE_PENALTY

    X = digits[0][:500]
    noisy = X + np.random.RandomState(0).normal(scale=0.25, size=X.shape)
    # Off [0, 1]: a table. One hidden layer of 64 learns 500 rows' noise, as the default
    # network does: held-out loss 0.63 against 0.61 with the penalty, 5.9 standard errors
    # apart (the default network: 0.66 against 0.58).
    auto = AutoencoderReducer(8, hidden_layer_sizes=(64,), random_state=0).fit(noisy)
    assert auto.spec_.alpha == TABLE_PENALTY > 0


def test_paired_z_counts_the_standard_errors_of_the_row_by_row_gains():
    from skae.penalty import paired_z

    errors = np.array([1.0, 2.0, 3.0, 4.0])
    gains = np.array([0.1, 0.3, 0.1, 0.3])
    z = gains.mean() / (gains.std(ddof=1) / 2)  # 3.46: four rows
    assert paired_z(errors, errors - gains) == pytest.approx(z)
    assert paired_z(errors - gains, errors) == pytest.approx(-z)
    assert paired_z(errors, errors) == 0.0
    # Every row gaining alike has no spread: as clear as a gain can be.
    assert paired_z(errors, errors - 0.25) == np.inf


def test_alpha_auto_tries_from_20_held_out_rows_and_then_fits_its_choice(
    digits, monkeypatch
):
    import skae.penalty

    held_out = []

    def no_gain(networks, scaling, rows):
        held_out.append(rows.shape[0])
        return np.zeros(rows.shape[0])

    monkeypatch.setattr(skae.penalty, "_row_errors", no_gain)
    quick = dict(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    table = digits[0] * 16 - 3
    assert AutoencoderReducer(2, **quick).fit(table[:194]).spec_.alpha == 0.0
    assert held_out == []  # 19 rows would be held out
    auto = AutoencoderReducer(2, **quick).fit(table[:195])
    assert held_out == [20, 20]
    # The choice made, the fit is the one an explicit alpha gives: the trials drew
    # from copies of the seeds.
    given = AutoencoderReducer(2, alpha=auto.spec_.alpha, **quick).fit(table[:195])
    np.testing.assert_array_equal(auto.transform(table), given.transform(table))


def test_alpha_auto_is_none_on_images_and_in_partial_fit(digits):
    X = digits[0][:40]
    quick = dict(hidden_layer_sizes=(8,), batch_size=64, epochs=1, random_state=0)
    assert AutoencoderReducer(2, **quick).fit(X).spec_.alpha == 0.0
    # One pass cannot try penalties.
    table = AutoencoderReducer(2, **quick).partial_fit(X * 16 - 3)
    assert table.spec_.starts_at_pca and table.spec_.alpha == 0.0
    layers = _kernel_layers(AutoencoderReducer(3, neighbor_loss=None, **quick).fit(X))
    assert not any(layer.kernel_regularizer for layer in layers)
