"""Keras network builders: encoder and decoder cores, and the wrappers in data units.

An autoencoder here is three Keras models sharing layers, as in Keras' own tutorial:

- ``encoder``: rows in data units -> code (scaling, training noise and the image reshape
  included as layers);
- ``decoder``: code -> rows in data units (output activation and unscaling included);
- ``autoencoder``: ``decoder(encoder(rows))``, the model that is trained.

The cores work on what the network sees: flat scaled rows for ``"dense"``, images of
``image_shape`` for ``"conv"``. Only built-in layers and the registered `GaussianCode`
are used, so saved models load with ``safe_mode=True``.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral

import keras
import numpy as np

from .layers import FeatureScaling, GaussianCode, LinearSkip
from .scaling import DataScaling
from .seeding import SeedStream


@dataclass(frozen=True)
class CodeSpec:
    """How the code layer is made: its size, activation and, for a VAE, its KL weight."""

    n_components: int
    activation: str = "linear"
    kl_weight: float | None = None  # None: a deterministic code
    zero_start: bool = False  # the code layer starts at zero (beside a linear path)


def _seeded(seeds: SeedStream):
    return keras.initializers.GlorotUniform(seed=seeds.next_seed())


def _dense(units: int, activation: str, name: str, seeds: SeedStream):
    return keras.layers.Dense(
        units, activation=activation, kernel_initializer=_seeded(seeds), name=name
    )


def _code_layer(code: CodeSpec, seeds: SeedStream):
    if code.kl_weight is not None:
        return GaussianCode(
            code.n_components, kl_weight=code.kl_weight, seed=seeds.next_seed(), name="code"
        )
    if code.zero_start:
        return keras.layers.Dense(
            code.n_components,
            activation=code.activation,
            kernel_initializer="zeros",
            name="code",
        )
    return _dense(code.n_components, code.activation, "code", seeds)


def _stride_two(layer_class, filters: int, activation: str, name: str, seeds: SeedStream):
    """A 3x3 convolution (or transposed convolution) that halves (or doubles) the size."""
    return layer_class(
        filters,
        3,
        strides=2,
        padding="same",
        activation=activation,
        kernel_initializer=_seeded(seeds),
        name=name,
    )


def _hidden_denses(widths: Sequence[int], activation: str, prefix: str, seeds: SeedStream):
    return [
        _dense(units, activation, f"{prefix}_hidden_{i}", seeds)
        for i, units in enumerate(widths, start=1)
    ]


def dense_encoder_core(
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    activation: str,
    code: CodeSpec,
    seeds: SeedStream,
) -> keras.Sequential:
    """Dense layers from ``n_features`` through ``hidden_layer_sizes`` to the code."""
    return keras.Sequential(
        [
            keras.Input((n_features,)),
            *_hidden_denses(hidden_layer_sizes, activation, "encoder", seeds),
            _code_layer(code, seeds),
        ],
        name="encoder_network",
    )


def dense_decoder_core(
    n_components: int,
    n_features: int,
    hidden_layer_sizes: Sequence[int],
    activation: str,
    seeds: SeedStream,
) -> keras.Sequential:
    """The encoder's mirror, ending in a linear layer of ``n_features`` units."""
    return keras.Sequential(
        [
            keras.Input((n_components,)),
            *_hidden_denses(reversed(hidden_layer_sizes), activation, "decoder", seeds),
            keras.layers.Dense(
                n_features, kernel_initializer="zeros", name="reconstruction"
            ),
        ],
        name="decoder_network",
    )


def _padding(size: int, multiple: int) -> tuple[int, int]:
    extra = -size % multiple
    return extra // 2, extra - extra // 2


def conv_encoder_core(
    image_shape: tuple[int, int, int],
    conv_filters: Sequence[int],
    hidden_layer_sizes: Sequence[int],
    activation: str,
    code: CodeSpec,
    seeds: SeedStream,
) -> keras.Sequential:
    """Stride-2 convolutions, then dense layers, to the code.

    The image is zero-padded to a multiple of ``2 ** len(conv_filters)`` on each side, so
    any height and width work; the decoder crops the padding off again.
    """
    height, width, _ = image_shape
    multiple = 2 ** len(conv_filters)
    padding = (_padding(height, multiple), _padding(width, multiple))
    layers = [keras.Input(image_shape)]
    if any(sum(side) for side in padding):
        layers.append(keras.layers.ZeroPadding2D(padding, name="pad"))
    for i, filters in enumerate(conv_filters, start=1):
        layers.append(
            _stride_two(
                keras.layers.Conv2D, filters, activation, f"encoder_conv_{i}", seeds
            )
        )
    layers += [
        keras.layers.Flatten(name="flatten"),
        *_hidden_denses(hidden_layer_sizes, activation, "encoder", seeds),
        _code_layer(code, seeds),
    ]
    return keras.Sequential(layers, name="encoder_network")


def conv_decoder_core(
    n_components: int,
    image_shape: tuple[int, int, int],
    conv_filters: Sequence[int],
    hidden_layer_sizes: Sequence[int],
    activation: str,
    seeds: SeedStream,
) -> keras.Sequential:
    """The encoder's mirror: dense layers, stride-2 transposed convolutions, a crop.

    Each transposed convolution undoes one of the encoder's convolutions, so the last
    one, the reconstruction, maps straight back to the image's channels. (Ending
    instead with ``conv_filters[0]`` maps at full resolution and a convolution over
    them took 1.65x as long per epoch on MNIST.)
    """
    height, width, channels = image_shape
    multiple = 2 ** len(conv_filters)
    padding = (_padding(height, multiple), _padding(width, multiple))
    smallest = (
        (height + sum(padding[0])) // multiple,
        (width + sum(padding[1])) // multiple,
        conv_filters[-1],
    )
    layers = [
        keras.Input((n_components,)),
        *_hidden_denses(reversed(hidden_layer_sizes), activation, "decoder", seeds),
        _dense(math.prod(smallest), activation, "decoder_expand", seeds),
        keras.layers.Reshape(smallest, name="to_feature_maps"),
    ]
    for i, filters in enumerate(reversed(conv_filters[:-1]), start=1):
        name = f"decoder_deconv_{i}"
        layers.append(
            _stride_two(keras.layers.Conv2DTranspose, filters, activation, name, seeds)
        )
    # Zero weights, as in the dense decoder: training starts from the mean image.
    layers.append(
        keras.layers.Conv2DTranspose(
            channels,
            3,
            strides=2,
            padding="same",
            kernel_initializer="zeros",
            name="reconstruction",
        )
    )
    if any(sum(side) for side in padding):
        layers.append(keras.layers.Cropping2D(padding, name="crop"))
    return keras.Sequential(layers, name="decoder_network")


def with_linear_path(core: keras.Model, kernel: np.ndarray) -> LinearSkip:
    """``core`` beside a fixed linear map (PCA's, see `skae.scaling.principal_axes`)."""
    return LinearSkip(core, kernel, name=f"{core.name}_beside_pca")


def pca_kernels(axes: np.ndarray, scaling: DataScaling) -> tuple[np.ndarray, np.ndarray]:
    """The encoder's and decoder's linear maps that make the network PCA at the start.

    ``axes`` are PCA's axes in the loss's units, ``(x - mean) * error_scale``; the
    encoder's input and the decoder's output are in standardised units,
    ``(x - mean) / scale``.
    """
    to_loss_units = scaling.input_scale * scaling.error_scale
    return to_loss_units[:, None] * axes, axes.T / to_loss_units[None, :]


def build_with(builder: Callable, role: str, input_dim_or_shape, n_components: int):
    """Call a user's ``builder(input_dim_or_shape, n_components)`` and check its model.

    Parameters
    ----------
    builder : callable
        The ``encoder`` or ``decoder`` parameter.
    role : {"encoder", "decoder"}
        Which of the two it builds, for messages and for the expected shapes.
    input_dim_or_shape : int or tuple of int
        ``n_features`` for dense rows, ``(height, width, channels)`` for images.
    n_components : int
        The code size.
    """
    if isinstance(builder, keras.Model):
        raise TypeError(
            f"{role} must be a callable that builds a new keras.Model, not a built "
            f"model: a built model would be shared between clones and refits. Pass a "
            f"function such as `lambda input_dim, n_components: keras.Sequential(...)`."
        )
    model = builder(input_dim_or_shape, n_components)
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"The {role} builder must return a keras.Model; it returned "
            f"{type(model).__name__}."
        )
    data_shape = (
        (input_dim_or_shape,)
        if isinstance(input_dim_or_shape, Integral)
        else input_dim_or_shape
    )
    expected = ((None, *data_shape), (None, n_components))
    if role == "decoder":
        expected = expected[::-1]
    found = (tuple(model.input_shape), tuple(model.output_shape))
    if found != expected:
        raise ValueError(
            f"The {role} builder's model maps shape {found[0]} to {found[1]}; "
            f"expected {expected[0]} to {expected[1]}."
        )
    return model


def wrap_encoder(
    core: keras.Model,
    scaling: DataScaling,
    n_features: int,
    *,
    image_shape: tuple[int, int, int] | None = None,
    noise: float = 0.0,
    sparsity: float = 0.0,
    seeds: SeedStream,
) -> keras.Sequential:
    """The public encoder: scaling, training noise, reshape to images, core, sparsity."""
    layers = [keras.Input((n_features,), name="rows")]
    if scaling.input_offset is not None:
        layers.append(
            FeatureScaling(scaling.input_offset, scaling.input_scale, name="scale_input")
        )
    if noise > 0:
        # Active in training only: transform stays deterministic.
        layers.append(
            keras.layers.GaussianNoise(noise, seed=seeds.next_seed(), name="training_noise")
        )
    if image_shape is not None:
        layers.append(keras.layers.Reshape(image_shape, name="to_images"))
    layers.append(core)
    if sparsity > 0:
        layers.append(keras.layers.ActivityRegularization(l1=sparsity, name="sparsity"))
    return keras.Sequential(layers, name="encoder")


def wrap_decoder(
    core: keras.Model,
    scaling: DataScaling,
    n_components: int,
    output_activation: str,
    *,
    image_shape: tuple[int, int, int] | None = None,
) -> keras.Sequential:
    """The public decoder: core, flatten images, output activation, to data units."""
    layers = [keras.Input((n_components,), name="code"), core]
    if image_shape is not None:
        layers.append(keras.layers.Flatten(name="to_rows"))
    if scaling.logit_offset is not None:
        # Starts a sigmoid output at the mean row (see skae.scaling).
        layers.append(
            FeatureScaling(
                scaling.logit_offset,
                np.ones_like(scaling.logit_offset),
                invert=True,
                name="start_at_mean",
            )
        )
    layers += [
        keras.layers.Activation(output_activation, name="output_activation"),
        FeatureScaling(
            scaling.output_offset, scaling.output_scale, invert=True, name="to_data_units"
        ),
    ]
    return keras.Sequential(layers, name="decoder")


def join_autoencoder(encoder: keras.Model, decoder: keras.Model) -> keras.Model:
    """``decoder(encoder(rows))`` as one model that shares both models' layers."""
    rows = keras.Input(encoder.input_shape[1:], name="rows")
    return keras.Model(rows, decoder(encoder(rows)), name="autoencoder")


def resolve_image_shape(input_shape, n_features: int) -> tuple[int, int, int]:
    """The ``(height, width, channels)`` of rows of ``n_features`` pixels.

    ``None`` means square one-channel images; one entry of ``input_shape`` may be -1, to
    be inferred as in `numpy.reshape` (``(1, -1, 1)`` reads any row as a 1-pixel-high
    image).
    """
    if input_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"architecture='conv' cannot infer an image shape from {n_features} "
                "features: it is not a square number of pixels. Pass "
                "input_shape=(height, width, channels), for example (1, -1, 1) to read "
                "each row as a one-pixel-high image."
            )
        return side, side, 1
    shape = tuple(input_shape)
    valid = (
        len(shape) == 3
        and all(
            isinstance(size, Integral)
            and not isinstance(size, bool)
            and (size > 0 or size == -1)
            for size in shape
        )
        and shape.count(-1) <= 1
    )
    if not valid:
        raise ValueError(
            "input_shape must be None or (height, width, channels) of positive ints, at "
            f"most one of them -1; got {input_shape!r}."
        )
    shape = tuple(int(size) for size in shape)
    known = math.prod(size for size in shape if size != -1)
    if -1 in shape and n_features % known == 0:
        shape = tuple(n_features // known if size == -1 else size for size in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"input_shape={input_shape!r} does not hold rows of {n_features} features."
        )
    return shape
