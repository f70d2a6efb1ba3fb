"""Robustness: divergence and interruption never leave a half-built reducer, transform is
thread-safe and lean in memory, and no input crashes or silently returns NaN."""

import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from skae import AutoencoderReducer, TrainingDivergedError

TINY = dict(hidden_layer_sizes=(4,), epochs=2, batch_size=32, random_state=0)
# 16 features read as 4x4 one-channel images.
ARCHITECTURES = {
    "dense": dict(),
    "conv": dict(architecture="conv", conv_filters=(2,)),
    "variational": dict(variational=True),
}
RAW = np.random.RandomState(0).rand(40, 16) * 1e3 - 500  # outside [0, 1]: linear output


def _fitted_attributes(reducer) -> list[str]:
    return [name for name in vars(reducer) if name.endswith("_") or name.startswith("_")]


def _assert_unfitted(reducer):
    assert not hasattr(reducer, "encoder_")
    assert not hasattr(reducer, "n_features_in_")
    assert _fitted_attributes(reducer) == []
    with pytest.raises(NotFittedError):
        reducer.transform(RAW)


# ------------------------------------------------------------------- divergence


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_divergence_raises_and_leaves_a_fresh_reducer_unfitted(architecture):
    reducer = AutoencoderReducer(
        optimizer="sgd", learning_rate=1e12, **ARCHITECTURES[architecture], **TINY
    )
    with pytest.raises(TrainingDivergedError, match="Training diverged"):
        reducer.fit(RAW)
    _assert_unfitted(reducer)


# ----------------------------------------------------------------- interruption


@pytest.fixture
def interrupt_training(monkeypatch):
    """Make every Keras fit raise KeyboardInterrupt after its first batch."""
    import keras

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise KeyboardInterrupt

    original_fit = keras.Model.fit

    def interrupted_fit(model, *args, callbacks=(), **kwargs):
        return original_fit(model, *args, callbacks=[*callbacks, Interrupt()], **kwargs)

    def start():
        monkeypatch.setattr(keras.Model, "fit", interrupted_fit)

    return start


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_interrupted_fresh_fit_leaves_the_reducer_as_before(
    architecture, interrupt_training
):
    reducer = AutoencoderReducer(**ARCHITECTURES[architecture], **TINY)
    params = reducer.get_params()
    interrupt_training()
    with pytest.raises(KeyboardInterrupt):
        reducer.fit(RAW)
    _assert_unfitted(reducer)
    assert reducer.get_params() == params


# The warm-started dense case is in test_errors.py.
@pytest.mark.parametrize("architecture", ["conv", "variational"])
def test_interrupted_continued_fit_keeps_the_previous_model(
    architecture, interrupt_training
):
    reducer = AutoencoderReducer(
        warm_start=True, **ARCHITECTURES[architecture], **TINY
    ).fit(RAW)
    codes = reducer.transform(RAW)
    rows = reducer.inverse_transform(codes)
    history = {name: list(values) for name, values in reducer.history_.items()}
    weights = reducer.autoencoder_.get_weights()
    interrupt_training()
    with pytest.raises(KeyboardInterrupt):
        reducer.set_params(epochs=10).fit(RAW)
    assert reducer.n_iter_ == 2
    assert reducer.history_ == history
    for before, after in zip(weights, reducer.autoencoder_.get_weights(), strict=True):
        assert np.array_equal(before, after)
    assert np.array_equal(reducer.transform(RAW), codes)
    assert np.array_equal(reducer.inverse_transform(codes), rows)


# ------------------------------------------------------------------ concurrency


@pytest.mark.parametrize("architecture, uses_numpy", [("dense", True), ("conv", False)])
def test_concurrent_transforms_equal_serial_ones(architecture, uses_numpy):
    reducer = AutoencoderReducer(**ARCHITECTURES[architecture], **TINY).fit(RAW)
    assert reducer._networks.encode.uses_numpy is uses_numpy
    rng = np.random.RandomState(1)
    X = rng.rand(500, 16) * 1e3 - 500
    subsets = [
        X[rng.choice(len(X), size=rng.randint(1, len(X)), replace=False)] for _ in range(50)
    ]
    serial = [reducer.transform(rows) for rows in subsets]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(reducer.transform, subsets))
    for expected, got in zip(serial, concurrent, strict=True):
        assert np.array_equal(expected, got)


# ----------------------------------------------------------------------- memory


def test_transform_of_a_large_input_streams_into_one_output():
    from skae.inference import chunk_rows

    n_samples, n_features = 200_000, 64
    rng = np.random.RandomState(0)
    reducer = AutoencoderReducer(**TINY).fit(rng.randn(64, n_features))
    assert reducer._networks.encode.uses_numpy
    X = rng.randn(n_samples, n_features).astype(np.float32)  # 51 MB
    reducer.transform(X[:10])  # warm up any lazy set-up outside the measurement
    tracemalloc.start()
    try:
        codes = reducer.transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One preallocated output plus a few chunk-sized intermediates (each chunk's scaled
    # rows and layer outputs), independent of n_samples; no copy of X.
    output_bytes = codes.nbytes
    chunk_bytes = chunk_rows(n_features) * n_features * X.itemsize
    assert peak < output_bytes + 6 * chunk_bytes
    assert peak < 2 * (X.nbytes + output_bytes)  # the bound, for the record
    assert codes.dtype == np.float32


# ----------------------------------------------------------- property-based tests

PROPERTY_SETTINGS = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAGNITUDES = [1e-300, 1e-30, 1.0, 1e3, 1e30, 1e300]
SPECIALS = ["none", "nan", "inf", "-inf", "constant column", "duplicate rows"]
KINDS = ["float64", "float32", "float16", "int64", "bool", "list", "frame64", "frame32"]
LAYOUTS = ["C", "F", "stepped", "read-only"]
FLOAT32_MAX = float(np.finfo(np.float32).max)
TRAINABLE_MAX = FLOAT32_MAX / 2


@st.composite
def inputs(draw, n_columns, max_rows=30):
    """(X, numeric float64 view of X, expected output dtype) for one drawn input."""
    n_rows = draw(st.one_of(st.just(1), st.integers(2, max_rows)))
    n_cols = draw(n_columns)
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    magnitude = draw(st.sampled_from(MAGNITUDES))
    values = rng.rand(n_rows, n_cols) * magnitude
    if draw(st.booleans()):
        values = values - rng.rand(n_rows, n_cols) * magnitude
    special = draw(st.sampled_from(SPECIALS))
    row, col = rng.randint(n_rows), rng.randint(n_cols)
    if special in ("nan", "inf", "-inf"):
        values[row, col] = float(special)
    elif special == "constant column":
        values[:, col] = values[row, col]
    elif special == "duplicate rows":
        values[:] = values[row]

    kind = draw(st.sampled_from(KINDS))
    if kind in ("int64", "bool"):
        finite = np.nan_to_num(values, posinf=1e6, neginf=-1e6)
        values = np.rint(np.clip(finite, -1e6, 1e6)).astype(np.int64)
        values = values > 0 if kind == "bool" else values
    elif kind in ("float32", "frame32", "float16"):
        with np.errstate(over="ignore"):
            values = values.astype(np.float16 if kind == "float16" else np.float32)

    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "F":
        values = np.asfortranarray(values)
    elif layout == "stepped":
        values = np.repeat(np.repeat(values, 2, axis=0), 3, axis=1)[::2, ::-3][:, ::-1]
    elif layout == "read-only":
        values = values.copy()
        values.setflags(write=False)

    expected_dtype = np.float32 if kind in ("float32", "frame32") else np.float64
    X = values
    if kind == "list":
        X = values.tolist()
    elif kind.startswith("frame"):
        X = pd.DataFrame(values)
    return X, values.astype(np.float64), np.dtype(expected_dtype)


def _check_outcome(call, shape, dtype, *, must_fail=False, must_succeed=False):
    """The call raises a clear ValueError/TypeError or returns finite, well-typed output."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            out = call()
    except (ValueError, TypeError) as error:
        assert str(error).strip(), "an error without a message"
        assert not must_succeed, f"refused a valid input: {error}"
        return error
    assert not must_fail, "accepted an input it must refuse"
    assert out.shape == shape
    assert out.dtype == dtype
    assert np.isfinite(out).all(), "returned non-finite values without an error"
    return None


def _largest(values) -> float:
    return float(np.max(np.abs(values)))


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(drawn=inputs(st.integers(1, 6)))
def test_fit_refuses_or_learns_finite_codes(drawn):
    X, values, dtype = drawn
    finite = np.isfinite(values).all()
    error = _check_outcome(
        lambda: AutoencoderReducer(
            hidden_layer_sizes=(4,), epochs=1, batch_size=32, random_state=0
        ).fit_transform(X),
        (values.shape[0], 2),
        dtype,
        must_fail=not finite or _largest(values) > TRAINABLE_MAX,
        must_succeed=finite and _largest(values) <= 1e3,
    )
    if not finite:
        assert "NaN" in str(error) or "infinity" in str(error)
    elif error is not None:
        assert "X has values up to" in str(error)


@pytest.fixture(scope="module")
def fitted():
    rows = np.random.RandomState(2).randn(60, 5) * 3 + 1
    return AutoencoderReducer(**TINY).fit(rows)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(drawn=inputs(st.sampled_from([5, 5, 5, 4])))
def test_transform_and_score_samples_refuse_or_return_finite(fitted, drawn):
    X, values, dtype = drawn
    n_rows, n_cols = values.shape
    finite = np.isfinite(values).all()
    valid = finite and n_cols == 5 and _largest(values) <= 1e3
    refused = not finite or n_cols != 5 or _largest(values) > FLOAT32_MAX
    _check_outcome(
        lambda: fitted.transform(X),
        (n_rows, 2),
        dtype,
        must_fail=refused,
        must_succeed=valid,
    )
    _check_outcome(
        lambda: fitted.score_samples(X),
        (n_rows,),
        dtype,
        must_fail=refused,
        must_succeed=valid,
    )


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(drawn=inputs(st.sampled_from([2, 2, 2, 3])))
def test_inverse_transform_refuses_or_returns_finite(fitted, drawn):
    codes, values, dtype = drawn
    n_rows, n_cols = values.shape
    finite = np.isfinite(values).all()
    _check_outcome(
        lambda: fitted.inverse_transform(codes),
        (n_rows, 5),
        dtype,
        must_fail=not finite or n_cols != 2 or _largest(values) > FLOAT32_MAX,
        must_succeed=finite and n_cols == 2 and _largest(values) <= 1e3,
    )
