"""The fitted Keras models stand alone, and transform is fast without model.predict."""

import numpy as np
import pytest

from skae import AutoencoderReducer
from skae.inference import ForwardPass

SMALL = dict(hidden_layer_sizes=(32, 16), epochs=10, neighbor_loss=None, random_state=0)


@pytest.fixture(scope="module")
def raw_rows():
    from sklearn.datasets import load_wine

    return load_wine().data


@pytest.fixture(scope="module", params=["unit-interval", "raw"])
def fitted_with_data(request, digits, raw_rows):
    X = digits[0] if request.param == "unit-interval" else raw_rows
    return AutoencoderReducer(n_components=3, **SMALL).fit(X), X


def test_encoder_and_decoder_are_standalone_models_in_data_units(fitted_with_data):
    reducer, X = fitted_with_data
    codes = reducer.transform(X)
    assert np.allclose(reducer.encoder_(X).numpy(), codes, rtol=1e-4, atol=1e-4)
    rows = reducer.inverse_transform(codes)
    scale = np.abs(X).max()
    assert np.allclose(reducer.decoder_(codes).numpy(), rows, rtol=1e-4, atol=1e-5 * scale)
    assert np.allclose(reducer.autoencoder_(X).numpy(), rows, rtol=1e-4, atol=1e-5 * scale)
    assert reducer.autoencoder_.get_layer("encoder") is reducer.encoder_
    assert reducer.autoencoder_.get_layer("decoder") is reducer.decoder_


def test_transform_does_not_call_predict(fitted_with_data, monkeypatch):
    import keras

    reducer, X = fitted_with_data
    expected = reducer.encoder_.predict(X[:1], verbose=0)

    def forbidden(*args, **kwargs):
        raise AssertionError("model.predict was called")

    monkeypatch.setattr(keras.Model, "predict", forbidden)
    assert reducer._networks.encode.uses_numpy
    assert np.allclose(reducer.transform(X[:1]), expected, rtol=1e-4, atol=1e-5)
    reducer.inverse_transform(reducer.transform(X[:1]))


def test_dtype_is_preserved(fitted_with_data):
    reducer, X = fitted_with_data
    assert reducer.transform(X.astype(np.float32)).dtype == np.float32
    assert reducer.transform(X).dtype == np.float64
    assert (
        reducer.inverse_transform(reducer.transform(X).astype(np.float32)).dtype
        == np.float32
    )


def test_transform_uses_the_weights_as_trained(digits):
    import pickle

    reducer = AutoencoderReducer(n_components=2, **SMALL).fit(digits[0])
    trained = reducer.transform(digits[1])
    code_layer = reducer.encoder_.get_layer("encoder_network").get_layer("code")
    code_layer.bias.assign(code_layer.bias.numpy() + 1.0)
    # The documented snapshot: hand edits reach transform after unpickling or training.
    assert np.array_equal(reducer.transform(digits[1]), trained)
    assert np.allclose(
        pickle.loads(pickle.dumps(reducer)).transform(digits[1]), trained + 1.0, atol=1e-5
    )


def test_large_inputs_stream_in_chunks_and_match_one_pass(digits):
    reducer = AutoencoderReducer(n_components=2, **SMALL).fit(digits[0])
    many = np.tile(digits[1], (30, 1))  # 11,910 rows: twelve chunks, shared by threads
    codes = reducer.transform(many)
    # Equal up to float64 rounding: BLAS may block a chunk's product differently.
    assert np.allclose(
        codes[: len(digits[1])], reducer.transform(digits[1]), rtol=1e-12, atol=1e-12
    )
    assert np.allclose(codes, reducer.encoder_(many).numpy(), atol=1e-4)


def _raise_a_chunk_error(rows):
    raise RuntimeError("a chunk failed")


def test_large_transforms_leave_the_blas_thread_count_as_they_found_it(digits):
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return [
            info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"
        ]

    reducer = AutoencoderReducer(n_components=2, **SMALL).fit(digits[0])
    many = np.tile(digits[1], (10, 1))  # four chunks
    expected = reducer.transform(many)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        # Overlapping passes share one limit: the last one out restores the count.
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(reducer.transform, [many] * 8))
        assert blas_threads() == before
        for codes in results:
            assert np.array_equal(codes, expected)
        # A chunk's error reaches the caller, and the count is restored all the same.
        failing = ForwardPass(reducer.encoder_)
        failing._steps = [*failing._steps, _raise_a_chunk_error]
        with pytest.raises(RuntimeError, match="a chunk failed"):
            failing(many)
        assert blas_threads() == before


def test_models_outside_the_fast_path_run_through_tensorflow(digits):
    import keras

    def functional_encoder(n_features, n_components):
        rows = keras.Input((n_features,))
        hidden = keras.layers.Dense(16, activation="relu")(rows)
        # A skip connection: not a chain of layers, so the NumPy path cannot run it.
        return keras.Model(
            rows,
            keras.layers.Dense(n_components)(keras.layers.Concatenate()([rows, hidden])),
        )

    reducer = AutoencoderReducer(
        n_components=2,
        encoder=functional_encoder,
        hidden_layer_sizes=(16,),
        epochs=5,
        random_state=0,
    ).fit(digits[0])
    forward = ForwardPass(reducer.encoder_)
    assert not forward.uses_numpy
    assert np.allclose(
        reducer.transform(digits[1]), reducer.encoder_(digits[1]).numpy(), atol=1e-5
    )


def test_traced_models_code_a_row_alike_wherever_it_stands():
    # float32 convolutions computed a row's code along another path when it fell in a
    # partial vector of rows at the end of X; padding the batch makes the code of a row
    # independent of its place (scikit-learn's check_methods_sample_order_invariance).
    X = 3 * np.random.RandomState(0).uniform(size=(20, 5))
    reducer = AutoencoderReducer(
        architecture="conv",
        conv_filters=(2,),
        hidden_layer_sizes=(4,),
        input_shape=(1, -1, 1),
        batch_size=16,
        epochs=3,
        random_state=0,
    ).fit(X)
    assert not reducer._networks.encode.uses_numpy
    codes = reducer.transform(X)
    for seed in range(5):
        order = np.random.RandomState(seed).permutation(len(X))
        assert np.array_equal(reducer.transform(X[order]), codes[order])
    assert np.array_equal(reducer.transform(X[-3:]), codes[-3:])
