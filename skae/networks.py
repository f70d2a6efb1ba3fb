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
from numbers import Integral

import keras
import numpy as np

from . import losses
from .backends import backend
from .layers import (
    FeatureScaling,
    GaussianCode,
    InfoNCENeighborLoss,
    LinearSkip,
    UMAPNeighborLoss,
    kernel_penalty,
)
from .scaling import DataScaling
from .seeding import SeedStream
from .spec import FitSpec


def _seeded(seeds: SeedStream, activation: str = "linear"):
    # SELU keeps activations normalised only from LeCun's start (Klambauer et al. 2017).
    if activation == "selu":
        return keras.initializers.LecunNormal(seed=seeds.next_seed())
    return keras.initializers.GlorotUniform(seed=seeds.next_seed())


# The code and the reconstruction are computed in float32 whatever the hidden layers'
# dtype policy: they are what users read, and cheap beside the hidden layers.
_OUTPUT_DTYPE = "float32"


def _dense(units: int, activation: str, name: str, initializer, spec: FitSpec, dtype=None):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=initializer,
        kernel_regularizer=kernel_penalty(spec.alpha),
        name=name,
        dtype=dtype or spec.dtype_policy,
    )


def _code_layer(spec: FitSpec, seeds: SeedStream):
    if spec.kl_weight is not None:
        return GaussianCode(
            spec.n_components,
            kl_weight=spec.kl_weight,
            alpha=spec.alpha,
            seed=seeds.next_seed(),
            name="code",
            dtype=_OUTPUT_DTYPE,
        )
    # Beside PCA's linear map, the code starts at zero, so the start is PCA; a zero
    # start draws no seed.
    initializer = "zeros" if spec.starts_at_pca else _seeded(seeds)
    return _dense(
        spec.n_components,
        spec.code_activation,
        "code",
        initializer,
        spec,
        _OUTPUT_DTYPE,
    )


def _conv(
    layer_class, filters: int, strides: int, name: str, spec: FitSpec, seeds: SeedStream
):
    """A 3x3 convolution (or transposed convolution) that keeps the size or, at stride
    2, halves (or doubles) it."""
    return layer_class(
        filters,
        3,
        strides=strides,
        padding="same",
        activation=spec.activation,
        kernel_initializer=_seeded(seeds, spec.activation),
        kernel_regularizer=kernel_penalty(spec.alpha),
        name=name,
        dtype=spec.dtype_policy,
    )


def _convolutions(spec: FitSpec) -> list[tuple[int, int, int]]:
    """The encoder's convolutions, image first, as (channels in, channels out, stride):
    at each scale, ``conv_depth - 1`` that keep the size, then one that halves it."""
    channels = spec.image_shape[-1]
    convolutions = []
    for filters in spec.conv_filters:
        strides = [1] * (spec.conv_depth - 1) + [2]
        for stride in strides:
            convolutions.append((channels, filters, stride))
            channels = filters
    return convolutions


def _hidden_denses(widths: Sequence[int], prefix: str, spec: FitSpec, seeds: SeedStream):
    activation = spec.activation
    return [
        _dense(units, activation, f"{prefix}_hidden_{i}", _seeded(seeds, activation), spec)
        for i, units in enumerate(widths, start=1)
    ]


def dense_encoder_core(spec: FitSpec, seeds: SeedStream) -> keras.Sequential:
    """Dense layers from ``n_features`` through ``hidden_layer_sizes`` to the code."""
    return keras.Sequential(
        [
            keras.Input((spec.pca_components or spec.n_features,)),
            *_hidden_denses(spec.hidden_layer_sizes, "encoder", spec, seeds),
            _code_layer(spec, seeds),
        ],
        name="encoder_network",
    )


def dense_decoder_core(spec: FitSpec, seeds: SeedStream) -> keras.Sequential:
    """The encoder's mirror, ending in a linear layer of ``n_features`` units."""
    widths = reversed(spec.hidden_layer_sizes)
    return keras.Sequential(
        [
            keras.Input((spec.n_components,)),
            *_hidden_denses(widths, "decoder", spec, seeds),
            # Zero weights: training starts from the mean row.
            _dense(
                spec.n_features,
                "linear",
                "reconstruction",
                "zeros",
                spec,
                _OUTPUT_DTYPE,
            ),
        ],
        name="decoder_network",
    )


def _padding(size: int, multiple: int) -> tuple[int, int]:
    extra = -size % multiple
    return extra // 2, extra - extra // 2


def conv_encoder_core(spec: FitSpec, seeds: SeedStream) -> keras.Sequential:
    """Convolutions (``conv_depth`` a scale, the last of each of stride 2), then dense
    layers, to the code.

    The image is zero-padded to a multiple of ``2 ** len(conv_filters)`` on each side, so
    any height and width work; the decoder crops the padding off again.
    """
    height, width, _ = spec.image_shape
    conv_filters = spec.conv_filters
    multiple = 2 ** len(conv_filters)
    padding = (_padding(height, multiple), _padding(width, multiple))
    layers = [keras.Input(spec.image_shape)]
    if any(sum(side) for side in padding):
        layers.append(keras.layers.ZeroPadding2D(padding, name="pad"))
    for i, (_, filters, stride) in enumerate(_convolutions(spec), start=1):
        name = f"encoder_conv_{i}"
        layers.append(_conv(keras.layers.Conv2D, filters, stride, name, spec, seeds))
    layers += [
        keras.layers.Flatten(name="flatten", dtype=spec.dtype_policy),
        *_hidden_denses(spec.hidden_layer_sizes, "encoder", spec, seeds),
        _code_layer(spec, seeds),
    ]
    return keras.Sequential(layers, name="encoder_network")


# The layer that undoes a convolution of each stride, and its name in the decoder.
_UNDOING = {1: (keras.layers.Conv2D, "conv"), 2: (keras.layers.Conv2DTranspose, "deconv")}


def conv_decoder_core(spec: FitSpec, seeds: SeedStream) -> keras.Sequential:
    """The encoder's mirror: dense layers, the convolutions in reverse, a crop.

    Each of the encoder's convolutions is undone by one that maps its output channels
    back to its input's (transposed, to double the size, where it halved it), so the
    last one, the reconstruction, maps straight back to the image's channels.
    """
    height, width, channels = spec.image_shape
    activation, conv_filters = spec.activation, spec.conv_filters
    multiple = 2 ** len(conv_filters)
    padding = (_padding(height, multiple), _padding(width, multiple))
    smallest = (
        (height + sum(padding[0])) // multiple,
        (width + sum(padding[1])) // multiple,
        conv_filters[-1],
    )
    layers = [
        keras.Input((spec.n_components,)),
        *_hidden_denses(reversed(spec.hidden_layer_sizes), "decoder", spec, seeds),
        _dense(
            math.prod(smallest),
            activation,
            "decoder_expand",
            _seeded(seeds, activation),
            spec,
        ),
        keras.layers.Reshape(smallest, name="to_feature_maps", dtype=spec.dtype_policy),
    ]
    *mirrored, (_, _, first_stride) = _convolutions(spec)[::-1]
    for i, (channels_in, _, stride) in enumerate(mirrored, start=1):
        layer_class, kind = _UNDOING[stride]
        name = f"decoder_{kind}_{i}"
        layers.append(_conv(layer_class, channels_in, stride, name, spec, seeds))
    # Zero weights, as in the dense decoder: training starts from the mean image.
    # Transposed at either stride (from zero weights it learns as a convolution would,
    # its kernel flipped): PyTorch's CPU convolution to one channel fails its backward
    # pass on a batch of one row ("slow_conv2d: grad_weight must be contiguous").
    layers.append(
        keras.layers.Conv2DTranspose(
            channels,
            3,
            strides=first_stride,
            padding="same",
            kernel_initializer="zeros",
            kernel_regularizer=kernel_penalty(spec.alpha),
            name="reconstruction",
            dtype=_OUTPUT_DTYPE,
        )
    )
    if any(sum(side) for side in padding):
        layers.append(keras.layers.Cropping2D(padding, name="crop"))
    return keras.Sequential(layers, name="decoder_network")


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


def wrap_encoder(
    core: keras.Model,
    spec: FitSpec,
    scaling: DataScaling,
    seeds: SeedStream,
    input_projection=None,
) -> keras.Sequential:
    """The public encoder: scaling, principal components, training noise, reshape to
    images, core, sparsity.

    ``input_projection`` is the fixed ``(kernel, bias)`` of the principal components
    (`skae.scaling.encoder_input_projection`), required when the spec reads them.
    """
    layers = [keras.Input((spec.n_features,), name="rows")]
    if scaling.input_offset is not None:
        layers.append(
            FeatureScaling(scaling.input_offset, scaling.input_scale, name="scale_input")
        )
    if spec.pca_components is not None:
        # Fixed and in float32; its weights are set below (an initializer would write
        # them into the model's config).
        layers.append(
            keras.layers.Dense(
                spec.pca_components,
                trainable=False,
                name="principal_components",
                dtype=_OUTPUT_DTYPE,
            )
        )
    # After a projection the noise is drawn on the components: the rows' Gaussian noise
    # seen through orthonormal axes is the same Gaussian, for a fraction of the draws.
    if spec.noise > 0:
        # Active in training only: transform stays deterministic.
        layers.append(
            keras.layers.GaussianNoise(
                spec.noise, seed=seeds.next_seed(), name="training_noise"
            )
        )
    if spec.image_shape is not None:
        layers.append(keras.layers.Reshape(spec.image_shape, name="to_images"))
    layers.append(core)
    if spec.sparsity > 0:
        layers.append(
            keras.layers.ActivityRegularization(l1=spec.sparsity, name="sparsity")
        )
    encoder = keras.Sequential(layers, name="encoder")
    if spec.pca_components is not None:
        kernel, bias = input_projection
        encoder.get_layer("principal_components").set_weights([kernel, bias])
    return encoder


def wrap_decoder(
    core: keras.Model, spec: FitSpec, scaling: DataScaling
) -> keras.Sequential:
    """The public decoder: core, flatten images, output activation, to data units."""
    layers = [keras.Input((spec.n_components,), name="code"), core]
    if spec.image_shape is not None:
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
        keras.layers.Activation(spec.output_activation, name="output_activation"),
        FeatureScaling(
            scaling.output_offset, scaling.output_scale, invert=True, name="to_data_units"
        ),
    ]
    return keras.Sequential(layers, name="decoder")


def join_autoencoder(
    encoder: keras.Model, decoder: keras.Model, neighbor_term=None
) -> keras.Model:
    """``decoder(encoder(rows))`` as one model that shares both models' layers.

    ``neighbor_term`` (a `UMAPNeighborLoss` or `InfoNCENeighborLoss`) sits between
    them: the identity, adding its loss in training only, so the encoder and decoder
    stay as they are.
    """
    rows = keras.Input(encoder.input_shape[1:], name="rows")
    codes = encoder(rows)
    if neighbor_term is not None:
        codes = neighbor_term(codes)
    return keras.Model(rows, decoder(codes), name="autoencoder")


def _neighbor_term(spec: FitSpec, seeds: SeedStream):
    from .neighbors import curve_parameters

    a, b = curve_parameters(spec.min_dist)
    if spec.neighbor_loss == "infonce":
        return InfoNCENeighborLoss(
            spec.neighbor_weight,
            a,
            b,
            decoded_heads=spec.decoded_heads,
            name="neighbor_loss",
        )
    return UMAPNeighborLoss(
        spec.neighbor_weight,
        a,
        b,
        decoded_heads=spec.decoded_heads,
        seed=seeds.next_seed(),
        name="neighbor_loss",
    )


def _cores(spec: FitSpec, seeds: SeedStream, encoder_builder, decoder_builder):
    """The encoder and decoder networks, from the spec or the user's builders."""
    data_shape = spec.n_features if spec.image_shape is None else spec.image_shape
    dense = spec.image_shape is None
    if encoder_builder is not None:
        encoder = build_with(encoder_builder, "encoder", data_shape, spec.n_components)
    else:
        encoder = (dense_encoder_core if dense else conv_encoder_core)(spec, seeds)
    if decoder_builder is not None:
        decoder = build_with(decoder_builder, "decoder", data_shape, spec.n_components)
    else:
        decoder = (dense_decoder_core if dense else conv_decoder_core)(spec, seeds)
    return encoder, decoder


def build(
    spec: FitSpec,
    scaling: DataScaling,
    seeds: SeedStream,
    *,
    pca_axes: np.ndarray | None = None,
    input_projection: tuple[np.ndarray, np.ndarray] | None = None,
    encoder_builder: Callable | None = None,
    decoder_builder: Callable | None = None,
) -> keras.Model:
    """The compiled autoencoder ``spec`` describes, its weights drawn from ``seeds``.

    ``pca_axes`` (`skae.scaling.principal_axes`) are required when the spec starts at
    PCA, ``input_projection`` (`skae.scaling.encoder_input_projection`) when its encoder
    reads principal components; the builders are the estimator's ``encoder`` and
    ``decoder`` parameters.
    """
    encoder_core, decoder_core = _cores(spec, seeds, encoder_builder, decoder_builder)
    if spec.starts_at_pca:
        encoder_kernel, decoder_kernel = pca_kernels(pca_axes, scaling)
        encoder_core = with_linear_path(encoder_core, encoder_kernel)
        decoder_core = with_linear_path(decoder_core, decoder_kernel)
    encoder = wrap_encoder(encoder_core, spec, scaling, seeds, input_projection)
    decoder = wrap_decoder(decoder_core, spec, scaling)
    neighbor_term = None if spec.neighbor_loss is None else _neighbor_term(spec, seeds)
    autoencoder = join_autoencoder(encoder, decoder, neighbor_term)
    compile_autoencoder(autoencoder, spec, scaling)
    return autoencoder


def compile_autoencoder(
    autoencoder: keras.Model, spec: FitSpec, scaling: DataScaling
) -> None:
    """Compile with the spec's optimizer and loss (scaled MSE or cross-entropy)."""
    optimizer = keras.optimizers.get(
        {"class_name": spec.optimizer, "config": {"learning_rate": spec.learning_rate}}
    )
    if spec.loss == "mse":
        loss = losses.ScaledMeanSquaredError(scaling.error_scale)
        reconstruction_metric = losses.ScaledMeanSquaredErrorMetric(scaling.error_scale)
    else:
        loss = losses.RowsBinaryCrossentropy()
        reconstruction_metric = losses.RowsBinaryCrossentropyMetric(
            name="reconstruction_loss"
        )
    # With a KL, neighbour or weight penalty in the loss, the reconstruction part is
    # logged on its own.
    extra_terms = (
        spec.kl_weight is not None or spec.neighbor_loss is not None or spec.alpha > 0
    )
    metrics = [reconstruction_metric] if extra_terms else None
    # JAX runs steps only through XLA (anything else is op by op); on TensorFlow, XLA
    # measured no faster, and PyTorch's compiler costs more than short fits gain.
    jit_compile = backend() == "jax"
    autoencoder.compile(
        optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=jit_compile
    )
