"""`save` / `load` (skae's safe file format) and `export` (a TensorFlow SavedModel)."""

import json
import pickle
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf
from sklearn.exceptions import NotFittedError

from skae import AutoencoderReducer
from skae.persistence import FORMAT_VERSION

TINY = dict(hidden_layer_sizes=(8,), epochs=2, neighbor_loss=None, random_state=0)
KINDS = {
    "dense": TINY,
    "conv": {**TINY, "architecture": "conv", "conv_filters": (4,)},
    "variational": {**TINY, "variational": True},
}
# The fitted networks; compared through their outputs and weights below.
MODEL_ATTRIBUTES = {"_networks"}


@pytest.fixture(scope="module", params=list(KINDS))
def fitted(request, digits):
    return AutoencoderReducer(**KINDS[request.param]).fit(digits[0])


@pytest.fixture(scope="module")
def dense(digits):
    return AutoencoderReducer(**TINY).fit(digits[0])


@pytest.fixture(scope="module")
def saved(dense, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "dense.skae"
    dense.save(path)
    return path


def _assert_same_values(loaded, original):
    assert type(loaded) is type(original)
    for name, value in vars(original).items():
        if name in MODEL_ATTRIBUTES:
            continue
        if isinstance(value, np.ndarray):
            assert loaded.__dict__[name].dtype == value.dtype
            np.testing.assert_array_equal(loaded.__dict__[name], value)
        else:
            assert loaded.__dict__[name] == value, name
            assert type(loaded.__dict__[name]) is type(value), name
    assert set(vars(loaded)) == set(vars(original))


def test_round_trip_is_exact(fitted, digits, tmp_path):
    X_test = digits[1]
    path = tmp_path / "model.skae"
    fitted.save(path)
    loaded = AutoencoderReducer.load(path)

    _assert_same_values(loaded, fitted)
    assert loaded.get_params()["hidden_layer_sizes"] == (8,)  # a tuple, not a list
    codes = fitted.transform(X_test)
    assert np.array_equal(loaded.transform(X_test), codes)
    assert np.array_equal(loaded.inverse_transform(codes), fitted.inverse_transform(codes))
    X32 = X_test.astype(np.float32)
    assert np.array_equal(loaded.transform(X32), fitted.transform(X32))
    if fitted.variational:
        assert np.array_equal(
            loaded.sample(5, random_state=0), fitted.sample(5, random_state=0)
        )
    # The optimizer state travels too, and the models still share their layers.
    for mine, theirs in zip(
        loaded.autoencoder_.optimizer.variables,
        fitted.autoencoder_.optimizer.variables,
        strict=True,
    ):
        assert np.array_equal(mine.numpy(), theirs.numpy())
    assert loaded.autoencoder_.get_layer("encoder") is loaded.encoder_
    assert loaded.autoencoder_.get_layer("decoder") is loaded.decoder_


def test_the_file_is_a_zip_of_json_and_a_keras_model(saved, dense):
    with zipfile.ZipFile(saved) as archive:
        assert sorted(archive.namelist()) == ["autoencoder.keras", "skae.json"]
        document = json.loads(archive.read("skae.json"))
    assert document["format"] == "skae-autoencoder-reducer"
    assert document["format_version"] == FORMAT_VERSION
    assert document["params"]["hidden_layer_sizes"] == {"__tuple__": [8]}
    assert document["fitted"]["n_iter_"] == dense.n_iter_
    assert document["fitted"]["history_"]["loss"] == dense.history_["loss"]
    assert document["fitted"]["spec_"]["hidden_layer_sizes"] == {"__tuple__": [8]}


def test_loading_never_unpickles(saved, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load unpickled something")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    AutoencoderReducer.load(saved)


def test_feature_names_and_output_config_survive(digits, tmp_path):
    X = pd.DataFrame(digits[0], columns=[f"pixel{i}" for i in range(64)])
    reducer = AutoencoderReducer(**TINY).set_output(transform="pandas").fit(X)
    reducer.save(tmp_path / "named.skae")
    loaded = AutoencoderReducer.load(tmp_path / "named.skae")
    _assert_same_values(loaded, reducer)
    pd.testing.assert_frame_equal(loaded.transform(X), reducer.transform(X))


def test_builders_and_random_state_instances_are_saved_as_none(digits, tmp_path):
    def encoder(n_features, n_components):
        return keras.Sequential(
            [keras.Input((n_features,)), keras.layers.Dense(n_components)],
            name="my_encoder",
        )

    X_train, X_test = digits[0], digits[1]
    reducer = AutoencoderReducer(
        **{**TINY, "random_state": np.random.RandomState(0)}, encoder=encoder
    ).fit(X_train)
    reducer.save(tmp_path / "built.skae")
    loaded = AutoencoderReducer.load(tmp_path / "built.skae")

    assert loaded.encoder is None and loaded.random_state is None
    assert loaded._structure["encoder"] is None
    # The network the builder made is saved: it transforms and trains on identically.
    assert loaded.encoder_.get_layer("my_encoder") is not None
    assert np.array_equal(loaded.transform(X_test), reducer.transform(X_test))
    loaded.set_params(warm_start=True, epochs=3).fit(X_train)
    assert loaded.n_iter_ == 3


def test_loaded_reducer_continues_training_like_the_original(dense, saved, digits):
    X_train, X_test = digits[0], digits[1]
    loaded = AutoencoderReducer.load(saved)
    twin = pickle.loads(pickle.dumps(dense))
    loaded.partial_fit(X_train)
    twin.partial_fit(X_train)
    assert loaded.n_iter_ == twin.n_iter_ == dense.n_iter_ + 1
    assert loaded.loss_curve_ == twin.loss_curve_
    assert np.array_equal(loaded.transform(X_test), twin.transform(X_test))

    loaded.set_params(warm_start=True, epochs=5).fit(X_train)
    twin.set_params(warm_start=True, epochs=5).fit(X_train)
    assert loaded.n_iter_ == 5 and len(loaded.history_["loss"]) == 5
    assert np.array_equal(loaded.transform(X_test), twin.transform(X_test))


def test_a_loaded_reducer_keeps_training_with_its_penalty(digits, tmp_path):
    penalised = AutoencoderReducer(**TINY, alpha=1e-3).fit(digits[0])
    penalised.save(tmp_path / "penalised.skae")
    loaded = AutoencoderReducer.load(tmp_path / "penalised.skae")
    assert loaded.spec_.alpha == 1e-3
    # The penalty is part of the loaded model's loss, as of the original's.
    assert len(loaded.autoencoder_.losses) == len(penalised.autoencoder_.losses) > 0
    np.testing.assert_allclose(
        [float(loss) for loss in loaded.autoencoder_.losses],
        [float(loss) for loss in penalised.autoencoder_.losses],
        rtol=1e-6,
    )


def test_a_conv_file_from_before_conv_depth_loads_with_one_convolution_a_scale(
    digits, tmp_path
):
    X_train, X_test = digits[0], digits[1]
    conv = AutoencoderReducer(**KINDS["conv"], conv_depth=1).fit(X_train)
    conv.save(tmp_path / "conv.skae")
    _rewrite(tmp_path / "conv.skae", tmp_path / "old.skae", document=_before("conv_depth"))
    loaded = AutoencoderReducer.load(tmp_path / "old.skae")
    assert loaded.get_params()["conv_depth"] == loaded.spec_.conv_depth == 1
    np.testing.assert_array_equal(loaded.transform(X_test), conv.transform(X_test))
    # A refit from scratch builds the network the file holds, not the new default.
    refit = AutoencoderReducer(**loaded.get_params()).fit(X_train)
    assert refit.autoencoder_.count_params() == conv.autoencoder_.count_params()


@pytest.mark.parametrize(
    "params, schedule",
    [
        (TINY, "plateau"),
        ({**TINY, "n_components": 2, "neighbor_loss": "infonce"}, "linear"),
    ],
)
def test_a_file_from_before_learning_rate_schedule_loads_with_the_one_it_trained_with(
    digits, tmp_path, params, schedule
):
    AutoencoderReducer(**params).fit(digits[0][:200]).save(tmp_path / "new.skae")
    before = _before("learning_rate_schedule")
    _rewrite(tmp_path / "new.skae", tmp_path / "old.skae", document=before)
    loaded = AutoencoderReducer.load(tmp_path / "old.skae")
    assert loaded.get_params()["learning_rate_schedule"] == "auto"
    assert loaded.spec_.learning_rate_schedule == schedule


def test_a_file_from_before_dtype_policy_loads_as_float32(digits, tmp_path):
    params = {**KINDS["conv"], "dtype_policy": "float32"}
    AutoencoderReducer(**params).fit(digits[0][:200]).save(tmp_path / "new.skae")
    _rewrite(tmp_path / "new.skae", tmp_path / "old.skae", document=_before("dtype_policy"))
    loaded = AutoencoderReducer.load(tmp_path / "old.skae")
    assert loaded.get_params()["dtype_policy"] == "auto"
    assert loaded.spec_.dtype_policy == "float32"


def test_saving_an_unfitted_reducer_raises(tmp_path):
    with pytest.raises(NotFittedError):
        AutoencoderReducer().save(tmp_path / "unfitted.skae")
    assert not list(tmp_path.iterdir())


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.skae"):
        AutoencoderReducer.load(tmp_path / "missing.skae")


# ---- files that must be refused, each with a message naming the problem


def _rewrite(saved, path, *, document=None, model=None):
    """A copy of ``saved`` with its JSON document or Keras model replaced."""
    with zipfile.ZipFile(saved) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    if document is not None:
        members["skae.json"] = json.dumps(document(json.loads(members["skae.json"])))
    if model is not None:
        members["autoencoder.keras"] = model
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _before(name: str):
    """A document rewrite: the file as a skae without parameter ``name`` wrote it, with
    neither the parameter nor its spec field."""

    def without(document):
        params = {k: v for k, v in document["params"].items() if k != name}
        spec = {k: v for k, v in document["fitted"]["spec_"].items() if k != name}
        return {
            **document,
            "params": params,
            "fitted": {**document["fitted"], "spec_": spec},
        }

    return without


def _newer_version(saved, path):
    newer = FORMAT_VERSION + 1
    _rewrite(saved, path, document=lambda document: {**document, "format_version": newer})


def _truncated(saved, path):
    data = saved.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupted(saved, path):
    data = bytearray(saved.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(byte ^ 0xFF for byte in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def _text(saved, path):
    path.write_text("n_components: 2\n")


def _plain_keras_model(saved, path):
    AutoencoderReducer.load(saved).autoencoder_.save(path.with_suffix(".keras"))
    path.with_suffix(".keras").rename(path)


def _zip_without_json(saved, path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")


def _json_without_marker(saved, path):
    _rewrite(saved, path, document=lambda document: {**document, "format": "other"})


def _unknown_parameter(saved, path):
    def add(document):
        return {**document, "params": {**document["params"], "depth": 3}}

    _rewrite(saved, path, document=add)


def _lambda_layer(saved, path):
    from skae.fitted import model_to_bytes

    rows = keras.Input((64,), name="rows")
    encoder = keras.Sequential(
        [keras.Input((64,)), keras.layers.Lambda(lambda x: x[:, :2], name="run_code")],
        name="encoder",
    )
    decoder = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(64, name="back")], name="decoder"
    )
    model = keras.Model(rows, decoder(encoder(rows)), name="autoencoder")
    _rewrite(saved, path, model=model_to_bytes(model))


BAD_FILES = {
    "newer_version": (
        _newer_version,
        f"written by a newer skae: format version {FORMAT_VERSION + 1}, this skae reads "
        f"up to {FORMAT_VERSION}; upgrade skae",
    ),
    "truncated": (_truncated, "truncated or corrupted"),
    "corrupted": (_corrupted, "truncated or corrupted"),
    "text": (_text, "not a skae model file: it is not a zip archive"),
    "plain_keras_model": (_plain_keras_model, "holds no skae.json.*plain Keras model"),
    "zip_without_json": (_zip_without_json, "not a skae model file: .*holds no skae.json"),
    "json_without_marker": (_json_without_marker, "lacks the format marker"),
    "unknown_parameter": (
        _unknown_parameter,
        "parameters this skae does not know \\(depth",
    ),
    "lambda_layer": (_lambda_layer, "refused: loading its Keras model would run code"),
}


@pytest.mark.parametrize("make, message", BAD_FILES.values(), ids=BAD_FILES)
def test_bad_files_are_refused_with_a_clear_error(saved, tmp_path, make, message):
    path = tmp_path / "bad.skae"
    make(saved, path)
    with pytest.raises(ValueError, match=message):
        AutoencoderReducer.load(path)


# ---- export


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_exported_saved_model_serves_transform_and_inverse_transform(
    kind, digits, tmp_path
):
    if keras.config.backend() == "torch":
        reducer = AutoencoderReducer(**KINDS[kind]).fit(digits[0][:100])
        with pytest.raises(RuntimeError, match="export it under KERAS_BACKEND=tensorflow"):
            reducer.export(tmp_path / "encoder")
        return
    X_test = digits[1]
    reducer = AutoencoderReducer(**KINDS[kind]).fit(digits[0])
    reducer.export(tmp_path / "encoder")
    reducer.export(tmp_path / "decoder", part="decoder")

    encoder = tf.saved_model.load(str(tmp_path / "encoder"))
    decoder = tf.saved_model.load(str(tmp_path / "decoder"))
    codes = encoder.serve(tf.constant(X_test, tf.float32)).numpy()
    rows = decoder.serve(tf.constant(codes)).numpy()
    np.testing.assert_allclose(codes, reducer.transform(X_test), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        rows, reducer.inverse_transform(codes.astype(np.float64)), rtol=1e-4, atol=1e-5
    )


def test_export_checks_its_arguments(dense, tmp_path):
    with pytest.raises(ValueError, match="part must be 'encoder' or 'decoder'"):
        dense.export(tmp_path / "model", part="autoencoder")
    with pytest.raises(NotFittedError):
        AutoencoderReducer().export(tmp_path / "model")


def test_variational_file_loads_in_a_fresh_process(tmp_path):
    # A fresh interpreter has not imported skae.layers: loading must register GaussianCode.
    import os
    import subprocess
    import sys

    path = tmp_path / "vae.skae"
    rows = np.random.RandomState(0).rand(40, 6)
    reducer = AutoencoderReducer(
        variational=True, hidden_layer_sizes=(4,), epochs=2, random_state=0
    ).fit(rows)
    reducer.save(path)
    code = (
        "from skae import AutoencoderReducer; "
        f"print(AutoencoderReducer.load({str(path)!r}).sample(3, random_state=0).sum())"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert float(result.stdout) == pytest.approx(reducer.sample(3, random_state=0).sum())
