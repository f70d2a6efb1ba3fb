"""dtype_policy: bfloat16 in the hidden layers, the code and the output in float32."""

import numpy as np
import pytest

from skae import AutoencoderReducer, precision
from skae.spec import DataFacts, resolve_spec

IMAGES = DataFacts(64, True, 0.0, 1.0, 100)
TINY_CONV = dict(
    architecture="conv", conv_filters=(4, 8), epochs=2, neighbor_loss=None, random_state=0
)


def _builder(input_dim, n_components):
    import keras

    return keras.Sequential([keras.Input((input_dim,)), keras.layers.Dense(n_components)])


@pytest.mark.parametrize(
    "params, native, policy",
    [
        ({"architecture": "conv"}, True, "mixed_bfloat16"),
        ({"architecture": "conv"}, False, "float32"),
        ({}, True, "float32"),
        # Maps of few rows keep the float32 their settings were chosen with (maps of
        # many rows: test_neighbors).
        ({"architecture": "conv", "n_components": 2}, True, "float32"),
        ({"architecture": "conv", "encoder": _builder}, True, "float32"),
        ({"dtype_policy": "mixed_bfloat16"}, False, "mixed_bfloat16"),
        ({"architecture": "conv", "dtype_policy": "float32"}, True, "float32"),
    ],
)
def test_auto_dtype_policy_is_bfloat16_for_conv_codes_where_it_is_native(
    params, native, policy
):
    # On MNIST's validation split the conv network reconstructed as well in bfloat16 in
    # about three quarters of the time on TensorFlow, and faster on PyTorch; dense
    # codes and JAX's convolutions gained nothing (conv_precision_*.md,
    # epoch_overhead_mnist_tensorflow.md).
    reducer = AutoencoderReducer(**{"n_components": 8, **params})
    spec = resolve_spec(reducer.get_params(), IMAGES, bfloat16_native=native)
    assert spec.dtype_policy == policy
    tables = resolve_spec(
        AutoencoderReducer(8).get_params(), DataFacts(5, False, -3, 9), bfloat16_native=True
    )
    assert tables.dtype_policy == "float32"


def test_bfloat16_cannot_reach_a_builders_layers():
    reducer = AutoencoderReducer(encoder=_builder, dtype_policy="mixed_bfloat16")
    with pytest.raises(ValueError, match="dtype_policy='mixed_bfloat16'.*builder"):
        reducer.fit(np.random.RandomState(0).rand(20, 6))


def _policies(reducer) -> dict:
    layers = [
        *reducer.encoder_.get_layer("encoder_network").layers,
        *reducer.decoder_.get_layer("decoder_network").layers,
    ]
    return {layer.name: layer.dtype_policy.name for layer in layers}


def test_bfloat16_computes_the_hidden_layers_and_keeps_code_and_output_float32(
    digits, tmp_path
):
    X_train, X_test = digits[0][:300], digits[1][:50]
    reducer = AutoencoderReducer(4, dtype_policy="mixed_bfloat16", **TINY_CONV)
    reducer.fit(X_train)
    policies = _policies(reducer)
    outputs = {"code", "reconstruction", "crop"}
    assert {policies.pop(name) for name in outputs & set(policies)} == {"float32"}
    assert set(policies.values()) == {"mixed_bfloat16"}, policies
    # Mixed precision keeps the weights in float32.
    assert {w.dtype for w in reducer.autoencoder_.weights} == {"float32"}
    codes = reducer.transform(X_test)
    assert np.isfinite(codes).all() and codes.dtype == X_test.dtype
    # The file keeps the policy with the layers.
    reducer.save(tmp_path / "bf16.skae")
    loaded = AutoencoderReducer.load(tmp_path / "bf16.skae")
    assert loaded.spec_.dtype_policy == "mixed_bfloat16"
    assert _policies(loaded) == _policies(reducer)
    np.testing.assert_array_equal(loaded.transform(X_test), codes)


@pytest.mark.parametrize("native", [True, False])
def test_fit_asks_whether_bfloat16_is_native_here(digits, monkeypatch, native):
    monkeypatch.setattr("skae.estimator.bfloat16_native", lambda: native)
    reducer = AutoencoderReducer(4, **TINY_CONV).fit(digits[0][:100])
    expected = "mixed_bfloat16" if native else "float32"
    assert reducer.spec_.dtype_policy == expected
    assert _policies(reducer)["encoder_conv_1"] == expected


def test_bfloat16_is_native_only_with_the_cpus_bfloat16_instructions(monkeypatch):
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx2", "avx512f"}))
    assert not precision.bfloat16_native()
    monkeypatch.setattr(precision, "_cpu_flags", lambda: frozenset({"avx512_bf16"}))
    # This machine has no GPU: only JAX, whose convolutions were slower, declines.
    assert precision.bfloat16_native() == (precision.backend() != "jax")
    monkeypatch.setattr(precision, "backend", lambda: "jax")
    assert not precision.bfloat16_native()


def test_a_warm_start_cannot_change_the_dtype_policy(digits):
    reducer = AutoencoderReducer(4, warm_start=True, **TINY_CONV).fit(digits[0][:100])
    reducer.set_params(dtype_policy="float32", epochs=3)
    with pytest.raises(ValueError, match="dtype_policy"):
        reducer.fit(digits[0][:100])
