"""Keras network builders: the encoder and decoder cores, and the wrappers in data units.

An autoencoder here is three Keras models sharing layers, as in Keras' own tutorial:

- ``encoder``: rows in data units -> code (input scaling included as a layer);
- ``decoder``: code -> rows in data units (output activation and unscaling included);
- ``autoencoder``: ``decoder(encoder(rows))``, the model that is trained.

Only built-in Keras layers are used, so saved models load with ``safe_mode=True``.
"""

from collections.abc import Callable, Sequence

import keras

from .scaling import DataScaling
from .seeding import SeedStream


def _dense(units: int, activation: str, name: str, seeds: SeedStream):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seeds.next_seed()),
        name=name,
    )


def dense_encoder_core(
    n_features: int,
    n_components: int,
    hidden_layer_sizes: Sequence[int],
    activation: str,
    seeds: SeedStream,
) -> keras.Sequential:
    """Dense layers from ``n_features`` through ``hidden_layer_sizes`` to a linear code."""
    layers = [keras.Input((n_features,))]
    for i, units in enumerate(hidden_layer_sizes, start=1):
        layers.append(_dense(units, activation, f"encoder_hidden_{i}", seeds))
    layers.append(_dense(n_components, "linear", "code", seeds))
    return keras.Sequential(layers, name="encoder_network")


def dense_decoder_core(
    n_components: int,
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    activation: str,
    seeds: SeedStream,
) -> keras.Sequential:
    """The mirror of the encoder: code through reversed widths to ``n_features``.

    The last layer is linear; the output activation is added by `wrap_decoder`.
    """
    layers = [keras.Input((n_components,))]
    for i, units in enumerate(reversed(hidden_layer_sizes), start=1):
        layers.append(_dense(units, activation, f"decoder_hidden_{i}", seeds))
    layers.append(_dense(n_features, "linear", "reconstruction", seeds))
    return keras.Sequential(layers, name="decoder_network")


def build_with(builder: Callable, role: str, input_dim, n_components: int):
    """Call a user's ``builder(input_dim_or_shape, n_components)`` and check its model.

    Parameters
    ----------
    builder : callable
        The ``encoder`` or ``decoder`` parameter.
    role : {"encoder", "decoder"}
        Which of the two it builds, for messages and for the expected shapes.
    input_dim : int or tuple
        The data's feature count (or image shape), passed through to the builder.
    n_components : int
        The code size.
    """
    if isinstance(builder, keras.Model):
        raise TypeError(
            f"{role} must be a callable that builds a new keras.Model, not a built "
            f"model: a built model would be shared between clones and refits. Pass a "
            f"function such as `lambda input_dim, n_components: keras.Sequential(...)`."
        )
    model = builder(input_dim, n_components)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"The {role} builder must return a keras.Model; it returned "
            f"{type(model).__name__}."
        )
    n_features = input_dim if isinstance(input_dim, int) else None
    if role == "encoder":
        expected_in, expected_out = n_features, n_components
    else:
        expected_in, expected_out = n_components, n_features
    in_width, out_width = model.input_shape[-1], model.output_shape[-1]
    if (expected_in is not None and in_width != expected_in) or (
        expected_out is not None and out_width != expected_out
    ):
        raise ValueError(
            f"The {role} builder's model maps width {in_width} to {out_width}; "
            f"expected {expected_in} to {expected_out}."
        )
    return model


def wrap_encoder(core: keras.Model, scaling: DataScaling, n_features: int):
    """The public encoder: input standardisation (when any) then the core network."""
    layers = [keras.Input((n_features,), name="rows")]
    if scaling.input_mean is not None:
        layers.append(
            keras.layers.Normalization(
                mean=scaling.input_mean,
                variance=scaling.input_variance,
                name="standardize_input",
            )
        )
    layers.append(core)
    return keras.Sequential(layers, name="encoder")


def wrap_decoder(
    core: keras.Model, scaling: DataScaling, n_components: int, output_activation: str
):
    """The public decoder: core network, output activation, back to data units."""
    return keras.Sequential(
        [
            keras.Input((n_components,), name="code"),
            core,
            keras.layers.Activation(output_activation, name="output_activation"),
            keras.layers.Normalization(
                mean=scaling.output_mean,
                variance=scaling.output_variance,
                invert=True,
                name="to_data_units",
            ),
        ],
        name="decoder",
    )


def join_autoencoder(encoder: keras.Model, decoder: keras.Model) -> keras.Model:
    """``decoder(encoder(rows))`` as one model that shares both models' layers."""
    rows = keras.Input(encoder.input_shape[1:], name="rows")
    return keras.Model(rows, decoder(encoder(rows)), name="autoencoder")
