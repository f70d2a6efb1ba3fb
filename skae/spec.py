"""What one fit builds and how it trains, resolved once from the parameters and the data.

`resolve_spec` turns an `AutoencoderReducer`'s parameters and a `DataFacts` reading of
the training rows into a `FitSpec`: every "auto" replaced by its value, widths checked,
the image shape inferred, the output activation, loss and noise chosen for the data. The
estimator stores it as ``spec_`` (as PCA stores the solver it chose); the network
builders (`skae.networks`) and training (`skae.training`) read it and nothing else. A
continued fit keeps the network's settings and re-reads the training ones
(`FitSpec.with_training`), since ``learning_rate`` or ``epochs`` may change between
warm-started fits. Nothing here imports Keras.
"""

import math
from dataclasses import asdict, dataclass, fields, replace
from numbers import Integral

ARCHITECTURES = ("dense", "conv")
OUTPUT_ACTIVATIONS = ("auto", "sigmoid", "linear")
LOSSES = ("auto", "mse", "binary_crossentropy")
OPTIMIZERS = ("adam", "adamw", "nadam", "rmsprop", "sgd")
NEIGHBOR_LOSSES = ("auto", "umap", "infonce")  # and None
# How the learning rate moves over a fit's epochs: halved on plateaus of the monitored
# loss, or lowered linearly to 0, after a linear rise for "warmup_linear".
LEARNING_RATE_SCHEDULES = ("auto", "plateau", "linear", "warmup_linear")
# Keras dtype policies of the networks' hidden layers: float32 throughout, or bfloat16
# arithmetic on float32 weights.
DTYPE_POLICIES = ("auto", "float32", "mixed_bfloat16")
# "auto" turns the neighbour loss on for maps: codes of at most this many components.
MAP_MAX_COMPONENTS = 3
# Dense networks on [0, 1] rows train by the "wide_code" profile from this code width.
WIDE_CODE_MIN_COMPONENTS = 24
# The neighbour term's weight against the scaled reconstruction loss, for "auto".
AUTO_NEIGHBOR_WEIGHT = 1.0
# With the rate falling linearly, InfoNCE's 6 epochs scored as its 12 on 6,000 MNIST rows
# (three seeds each; 5-NN accuracy within their spread) in half the time, while 3,000
# rows and digits' 1,400, with fewer edge batches an epoch, kept the better map with 12
# (benchmarks/results/infonce_epochs.md), as umap-learn gives small data more.
INFONCE_FEW_EPOCHS_MIN_ROWS = 6000
__all__ = ["AUTO_SETTINGS", "DataFacts", "FitSpec", "resolve_spec"]

# What "auto" means for each kind of network: dense and conv measured on MNIST
# (benchmarks/results/defaults_mnist.md), "tabular" (the dense networks that start at
# PCA, on rows not in [0, 1]) on raw tables (benchmarks/results/tabular.md). Noise
# applies to data in [0, 1] only. "wide_code" overrides "dense" from
# WIDE_CODE_MIN_COMPONENTS: in 60 epochs SELU passed ReLU's 200-epoch error at 24 to
# 64 components but fell short at 20 and fewer (benchmarks/results/dense_code.md).
# conv's two convolutions a scale reconstructed better per fit second than one
# (benchmarks/results/conv_depth.md), and better again with the rate falling linearly
# over its 40 epochs, filters of (24, 48) about as well as (32, 64) in three quarters
# of the time (benchmarks/results/conv_schedule.md); a rise of the rate over its first
# two epochs kept every seed tried from staying at the mean image
# (benchmarks/results/conv_warmup_*.md), and its hidden layers computed in bfloat16 as
# well in three quarters of the time, where that is native
# (benchmarks/results/conv_precision_*.md); under that training (20, 40) reconstructed
# as well as (24, 48) in nine tenths of the time (benchmarks/results/conv_width.md).
# "umap" overrides the training settings of any of them when a neighbour loss is on
# (and keeps maps' conv networks at one convolution a scale: their epochs are long),
# "infonce" overrides "umap" for that loss (its fixed few epochs are fewer than a
# plateau's patience: a linear fall gave lower errors with as good neighbours, where the
# UMAP loss's neighbours got worse, benchmarks/results/map_schedule.md),
# "infonce_dense" overrides "infonce" for dense networks, where it was measured: more
# noise closed most of the gap between the trustworthiness of training rows and of new
# ones (benchmarks/results/map_noise.md), and their encoder reads the rows' leading
# principal components, which took a map's fit on MNIST to about two thirds of the time
# (benchmarks/results/map_input.md); and
# "infonce_many_rows" overrides them from INFONCE_FEW_EPOCHS_MIN_ROWS rows, chosen
# on MNIST's validation split (benchmarks/results/neighbor_tuning.md); their epochs
# are passes over the graph's edges. Their decoder reconstructs half of each edge
# batch's heads (decoded_heads, no parameter; on digits' fewer rows it cost 4% more
# error, benchmarks/results/map_decoded_heads*.md), and their hidden layers compute in
# bfloat16 where that is native: conv maps trained to the same validation scores in
# less time (benchmarks/results/map_precision.md). "infonce_dense_many_rows" overrides
# it for dense ones: the decoder's saved time paid for a seventh epoch, every score as
# good or a little better, and bfloat16 saved too little to be told from noise.
AUTO_SETTINGS = {
    "dense": {
        "pca_components": None,
        "hidden_layer_sizes": (256, 128, 64),
        "activation": "relu",
        "learning_rate": 1e-3,
        "learning_rate_schedule": "plateau",
        "epochs": 200,
        "noise": 0.3,
        "n_iter_no_change": 10,
        "batch_size": 128,
        "dtype_policy": "float32",
    },
    "tabular": {
        "pca_components": None,
        "hidden_layer_sizes": (256, 128, 64),
        "activation": "relu",
        "learning_rate": 3e-4,
        "learning_rate_schedule": "plateau",
        "epochs": 200,
        "noise": 0.0,
        "n_iter_no_change": 30,
        "batch_size": 128,
        "dtype_policy": "float32",
    },
    "conv": {
        "pca_components": None,
        "hidden_layer_sizes": (),
        "conv_filters": (20, 40),
        "conv_depth": 2,
        "activation": "relu",
        "learning_rate": 3e-3,
        "learning_rate_schedule": "warmup_linear",
        "epochs": 40,
        "noise": 0.0,
        "n_iter_no_change": 10,
        "batch_size": 128,
        "dtype_policy": "mixed_bfloat16",
    },
    "wide_code": {
        "activation": "selu",
        "learning_rate": 2e-3,
        "epochs": 60,
        "noise": 0.1,
    },
    "umap": {
        "conv_filters": (32, 64),
        "conv_depth": 1,
        "activation": "relu",
        "learning_rate": 1e-2,
        "learning_rate_schedule": "plateau",
        "epochs": 12,
        "noise": 0.1,
        "batch_size": 1024,
        "dtype_policy": "float32",
    },
    "infonce": {"learning_rate_schedule": "linear"},
    "infonce_dense": {"noise": 0.3, "pca_components": 50},
    "infonce_many_rows": {
        "epochs": 6,
        "decoded_heads": 0.5,
        "dtype_policy": "mixed_bfloat16",
    },
    "infonce_dense_many_rows": {"epochs": 7, "dtype_policy": "float32"},
}

# Parameters a continued fit may change: they steer training, not the network.
TRAINING_PARAMS = (
    "learning_rate",
    "learning_rate_schedule",
    "batch_size",
    "epochs",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
)
# Parameters that say how to fit, not what: neither the network nor its training.
_RUN_PARAMS = ("warm_start", "random_state", "verbose")


def structural_params(params: dict) -> dict:
    """The parameters that fix the network's shape or objective (not `warm_start`-able)."""
    return {
        name: value
        for name, value in params.items()
        if name not in TRAINING_PARAMS and name not in _RUN_PARAMS
    }


@dataclass(frozen=True)
class DataFacts:
    """What the spec needs to know of the training rows, read in one pass."""

    n_features: int
    unit_interval: bool  # in [0, 1] and reaching 0.5: images, proportions
    low: float
    high: float
    n_rows: int = 0

    @classmethod
    def of(cls, X) -> "DataFacts":
        low, high = float(X.min()), float(X.max())
        # Reaching 0.5 keeps a table in tiny units (breast cancer times 1e-12 lies in
        # [0, 1e-8]) a table, scaled like the same table in its usual units.
        unit_interval = low >= 0.0 and 0.5 <= high <= 1.0
        return cls(X.shape[1], unit_interval, low, high, X.shape[0])


@dataclass(frozen=True)
class FitSpec:
    """Every setting of one fit, "auto" resolved: what `skae.networks` builds from.

    Network settings (fixed once the networks are built):

    Attributes
    ----------
    n_features, n_components : int
        Widths of the rows and of the code.
    unit_interval : bool
        Whether the training rows lay in [0, 1] (enter unscaled, decode by a sigmoid).
    image_shape : tuple of int or None
        ``(height, width, channels)`` for ``architecture="conv"``, else None.
    hidden_layer_sizes, conv_filters : tuple of int
        Dense widths (encoder side; the decoder mirrors them) and convolution filters.
    conv_depth : int
        Convolutions at each scale of ``conv_filters``.
    activation, code_activation, output_activation : str
    loss : {"mse", "binary_crossentropy"}
    feature_weighting : {"variance", "equal"}
    noise, sparsity : float
    alpha : float or None
        The L2 penalty on the kernels of skae's own layers; None until a fit chooses
        the tables' "auto" penalty on held-out rows (`skae.penalty`).
    kl_weight : float or None
        The KL term's weight per data value for a variational code, else None.
    neighbor_loss : {"umap", "infonce"} or None
        The neighbour-preserving term trained with the reconstruction.
    neighbor_weight : float
        Its weight against the reconstruction loss.
    n_neighbors, min_dist : int, float
        Of the neighbour graph and UMAP's curve (`skae.neighbors`).
    starts_at_pca : bool
        Whether encoder and decoder learn beside PCA's fixed linear map.
    pca_components : int or None
        How many of the rows' leading principal components the dense encoder reads
        through a fixed projection; None when it reads the rows.
    decoded_heads : float
        The share of each edge batch's heads a map's decoder reconstructs
        (`skae.layers.InfoNCENeighborLoss`); 1.0 without a neighbour loss.
    custom_encoder, custom_decoder : bool
        Whether the user's builders make the networks.
    optimizer : str
    dtype_policy : {"float32", "mixed_bfloat16"}
        The Keras dtype policy of the hidden layers (the code and the reconstruction
        are computed in float32 either way).
    profile : {"dense", "tabular", "conv"}
        Which column of `AUTO_SETTINGS` the "auto" values came from.

    Training settings (read again at every fit): ``learning_rate``,
    ``learning_rate_schedule`` ({"plateau", "linear"}), ``epochs``,
    ``n_iter_no_change``, ``batch_size``, ``tol``, ``early_stopping``,
    ``validation_fraction``.
    """

    n_features: int
    n_components: int
    unit_interval: bool
    image_shape: tuple | None
    hidden_layer_sizes: tuple
    conv_filters: tuple
    conv_depth: int
    activation: str
    code_activation: str
    output_activation: str
    loss: str
    feature_weighting: str
    noise: float
    sparsity: float
    alpha: float | None
    kl_weight: float | None
    neighbor_loss: str | None
    neighbor_weight: float
    n_neighbors: int
    min_dist: float
    starts_at_pca: bool
    pca_components: int | None
    decoded_heads: float
    custom_encoder: bool
    custom_decoder: bool
    optimizer: str
    dtype_policy: str
    profile: str
    learning_rate: float
    learning_rate_schedule: str
    epochs: int
    n_iter_no_change: int
    batch_size: int
    tol: float
    early_stopping: bool
    validation_fraction: float

    @property
    def architecture(self) -> str:
        return "dense" if self.image_shape is None else "conv"

    def with_training(self, params: dict, n_rows: int) -> "FitSpec":
        """This spec with the training settings read again for ``n_rows`` new rows."""
        profiles = _profiles(
            self.profile, self.neighbor_loss, self.n_components, self.unit_interval, n_rows
        )
        return replace(self, **_training_settings(params, profiles))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "FitSpec":
        # Specs saved before conv_depth existed built one convolution per scale; before
        # learning_rate_schedule, only InfoNCE's maps lowered the rate linearly; before
        # dtype_policy, every layer computed in float32; before pca_components, every
        # encoder read the rows; before decoded_heads, maps decoded all their heads.
        schedule = "linear" if values.get("neighbor_loss") == "infonce" else "plateau"
        values = {
            "conv_depth": 1,
            "learning_rate_schedule": schedule,
            "dtype_policy": "float32",
            "pca_components": None,
            "decoded_heads": 1.0,
            **values,
        }
        names = {field.name for field in fields(cls)}
        if set(values) != names:
            raise ValueError(
                f"not a fit specification: fields {sorted(set(values) ^ names)} differ."
            )
        return cls(**values)


def resolve_spec(
    params: dict, facts: DataFacts, *, starts_at_pca=None, bfloat16_native=False
) -> FitSpec:
    """The `FitSpec` for an `AutoencoderReducer`'s ``params`` on data with ``facts``.

    ``starts_at_pca`` overrides the rule (files from skae 0.1.0 never started at PCA).
    ``bfloat16_native`` says whether this machine's backend computes bfloat16 natively
    (`skae.precision.bfloat16_native`); without it "auto" keeps float32.
    Raises ValueError, naming the parameter, for combinations that cannot be built.
    """
    image_shape = None
    if params["architecture"] == "conv":
        image_shape = image_shape_of(params["input_shape"], facts.n_features)
    output_activation = params["output_activation"]
    if output_activation == "auto":
        output_activation = "sigmoid" if facts.unit_interval else "linear"
    loss = _checked_loss(params, facts, output_activation)
    if params["variational"] and params["code_activation"] != "linear":
        raise ValueError(
            "variational=True learns a Gaussian code, whose mean is linear; got "
            f"code_activation={params['code_activation']!r}. Use code_activation='linear'."
        )
    if starts_at_pca is None:
        starts_at_pca = _starts_at_pca(params, image_shape, facts, output_activation)
    neighbor_loss = _checked_neighbor_loss(params, starts_at_pca)
    profile = "tabular" if starts_at_pca else params["architecture"]
    profiles = _profiles(
        profile,
        neighbor_loss,
        int(params["n_components"]),
        facts.unit_interval,
        facts.n_rows,
    )
    pca_components = _checked_pca_components(
        params, profiles, image_shape, facts, starts_at_pca
    )
    noise = params["noise"]
    if noise == "auto":
        noise = _auto(params, "noise", profiles) if facts.unit_interval else 0.0
    hidden = _auto(params, "hidden_layer_sizes", profiles)
    # Dense networks have no scales: conv's settings are recorded and not used.
    scale_profiles = (*profiles, "conv")
    return FitSpec(
        n_features=facts.n_features,
        n_components=int(params["n_components"]),
        unit_interval=facts.unit_interval,
        image_shape=image_shape,
        hidden_layer_sizes=checked_widths(hidden, "hidden_layer_sizes"),
        conv_filters=checked_widths(
            _auto(params, "conv_filters", scale_profiles), "conv_filters"
        ),
        conv_depth=int(_auto(params, "conv_depth", scale_profiles)),
        activation=_auto(params, "activation", profiles),
        code_activation=params["code_activation"],
        output_activation=output_activation,
        loss=loss,
        feature_weighting=params["feature_weighting"],
        noise=float(noise),
        sparsity=float(params["sparsity"]),
        alpha=_checked_alpha(params, starts_at_pca),
        # Weighed per data value, against the scaled reconstruction loss.
        kl_weight=params["beta"] / facts.n_features if params["variational"] else None,
        neighbor_loss=neighbor_loss,
        neighbor_weight=float(
            AUTO_NEIGHBOR_WEIGHT
            if params["neighbor_weight"] == "auto"
            else params["neighbor_weight"]
        ),
        n_neighbors=int(params["n_neighbors"]),
        min_dist=float(params["min_dist"]),
        starts_at_pca=bool(starts_at_pca),
        pca_components=pca_components,
        decoded_heads=_auto_only("decoded_heads", profiles, default=1.0),
        custom_encoder=params["encoder"] is not None,
        custom_decoder=params["decoder"] is not None,
        optimizer=params["optimizer"],
        dtype_policy=_checked_dtype_policy(params, profiles, bfloat16_native),
        profile=profile,
        **_training_settings(params, profiles),
    )


def _profiles(
    profile: str,
    neighbor_loss: str | None,
    n_components: int,
    unit_interval: bool,
    n_rows: int,
) -> tuple[str, ...]:
    """The AUTO_SETTINGS profiles that apply, the first that sets a value winning."""
    profiles = (profile,)
    wide = n_components >= WIDE_CODE_MIN_COMPONENTS
    if profile == "dense" and unit_interval and wide:
        profiles = ("wide_code", *profiles)
    if neighbor_loss is None:
        return profiles
    profiles = ("umap", *profiles)
    if neighbor_loss == "umap":
        return profiles
    profiles = ("infonce", *profiles)
    if profile == "dense":
        profiles = ("infonce_dense", *profiles)
    if n_rows < INFONCE_FEW_EPOCHS_MIN_ROWS:
        return profiles
    profiles = ("infonce_many_rows", *profiles)
    if profile == "dense":
        return ("infonce_dense_many_rows", *profiles)
    return profiles


def _auto_only(name: str, profiles: tuple[str, ...], default):
    """A setting that is no parameter: the first of ``profiles`` that sets it, else
    ``default``."""
    return next(
        (AUTO_SETTINGS[p][name] for p in profiles if name in AUTO_SETTINGS[p]), default
    )


def _auto(params: dict, name: str, profiles: tuple[str, ...]):
    value = params[name]
    if isinstance(value, str) and value == "auto":
        return next(AUTO_SETTINGS[p][name] for p in profiles if name in AUTO_SETTINGS[p])
    return value


def _training_settings(params: dict, profiles: tuple[str, ...]) -> dict:
    return {
        "learning_rate": float(_auto(params, "learning_rate", profiles)),
        "learning_rate_schedule": _auto(params, "learning_rate_schedule", profiles),
        "epochs": int(_auto(params, "epochs", profiles)),
        "n_iter_no_change": int(_auto(params, "n_iter_no_change", profiles)),
        "batch_size": int(_auto(params, "batch_size", profiles)),
        "tol": float(params["tol"]),
        "early_stopping": bool(params["early_stopping"]),
        "validation_fraction": float(params["validation_fraction"]),
    }


def _starts_at_pca(params, image_shape, facts: DataFacts, output_activation) -> bool:
    """Whether the networks learn beside PCA's linear map, starting at PCA.

    For standardised (tabular) rows decoded linearly by the built-in dense networks:
    on small tables, a network alone reconstructed the features that carry the variance
    worse than PCA (wine: 79x PCA's held-out error).
    """
    return (
        image_shape is None
        and not facts.unit_interval
        and output_activation == "linear"
        and not params["variational"]
        and params["code_activation"] == "linear"
        and params["encoder"] is None
        and params["decoder"] is None
    )


def _checked_neighbor_loss(params: dict, starts_at_pca: bool) -> str | None:
    """The neighbour loss ``params`` ask for, "auto" resolved; ValueError if impossible.

    "auto" is InfoNCE for maps: on MNIST's validation split its 5-NN accuracy beat the
    UMAP loss's for three seeds of three (benchmarks/results/neighbor_tuning.md). It
    leaves tables (the networks that start at PCA) without the term: its gain was
    measured on images and digits only, and tables keep PCA's reconstruction.
    """
    choice = params["neighbor_loss"]
    if choice == "auto":
        small = int(params["n_components"]) <= MAP_MAX_COMPONENTS
        plain = params["variational"] or starts_at_pca
        return "infonce" if small and not plain else None
    if choice is not None and params["variational"]:
        raise ValueError(
            f"neighbor_loss={choice!r} cannot train a variational code: its draws would "
            "blur the neighbourhoods the term keeps. Set neighbor_loss=None with "
            "variational=True."
        )
    return choice


def _checked_alpha(params: dict, starts_at_pca: bool) -> float | None:
    """The L2 penalty; None for "auto" on tables, where fitting chooses it.

    ValueError where a penalty cannot reach the layers (the user's builders').
    """
    if params["alpha"] == "auto":
        return None if starts_at_pca else 0.0
    if params["alpha"] > 0 and (
        params["encoder"] is not None or params["decoder"] is not None
    ):
        raise ValueError(
            f"alpha={params['alpha']!r} penalises the kernels of skae's own layers, and "
            "an encoder or decoder builder makes its own. Set alpha=0 and give the "
            "builder's layers a kernel_regularizer instead."
        )
    return float(params["alpha"])


def _checked_pca_components(
    params: dict, profiles, image_shape, facts: DataFacts, starts_at_pca: bool
):
    """How many principal components skae's dense encoder reads; None for the rows.

    "auto" projects only where it was measured (dense InfoNCE maps) and only rows wider
    than the projection; ValueError for a projection skae cannot build.
    """
    choice = params["pca_components"]
    if choice is None:
        return None
    where = None
    if image_shape is not None:
        where = "the conv architecture, whose encoder reads images"
    elif params["encoder"] is not None:
        where = "an encoder builder, which reads the rows"
    elif starts_at_pca:
        where = "tables, whose networks start at PCA"
    if choice == "auto":
        chosen = None if where else _auto(params, "pca_components", profiles)
        return chosen if chosen is not None and chosen < facts.n_features else None
    if where:
        raise ValueError(
            f"pca_components={choice!r} sets what skae's dense encoder reads, and cannot "
            f"apply to {where}. Set pca_components=None."
        )
    if choice > facts.n_features:
        raise ValueError(
            f"pca_components={choice} exceeds the {facts.n_features} features of X. "
            f"Set it to at most {facts.n_features}, or to None."
        )
    return int(choice)


def _checked_dtype_policy(params: dict, profiles, bfloat16_native: bool) -> str:
    """The hidden layers' dtype policy; ValueError where it cannot reach them.

    "auto" takes bfloat16 arithmetic only where it was measured faster at the same
    error: skae's own conv network and conv maps of many rows, on a backend that
    computes bfloat16 natively.
    """
    custom = params["encoder"] is not None or params["decoder"] is not None
    choice = params["dtype_policy"]
    if choice == "auto":
        native = bfloat16_native and not custom
        return _auto(params, "dtype_policy", profiles) if native else "float32"
    if choice != "float32" and custom:
        raise ValueError(
            f"dtype_policy={choice!r} sets the policy of skae's own layers, and an "
            "encoder or decoder builder makes its own. Set dtype_policy='float32' and "
            "give the builder's layers a dtype instead."
        )
    return choice


def _checked_loss(params: dict, facts: DataFacts, output_activation: str) -> str:
    if params["loss"] != "binary_crossentropy":
        return "mse"
    if not facts.unit_interval:
        raise ValueError(
            "loss='binary_crossentropy' needs X in [0, 1], reaching at least 0.5; got "
            f"values from {facts.low:g} to {facts.high:g}. Scale X (for example with "
            "MinMaxScaler) or use loss='mse'."
        )
    if output_activation != "sigmoid":
        raise ValueError(
            "loss='binary_crossentropy' needs a sigmoid output; got "
            f"output_activation={params['output_activation']!r} for this data. Use "
            "loss='mse', or output_activation='sigmoid' with data in [0, 1]."
        )
    return "binary_crossentropy"


def checked_widths(value, name: str) -> tuple[int, ...]:
    """A tuple of positive ints from a width parameter's value, or a clear error."""
    widths = (value,) if isinstance(value, Integral) else tuple(value)
    if not all(
        isinstance(width, Integral) and not isinstance(width, bool) and width > 0
        for width in widths
    ):
        raise ValueError(f"{name} must be a tuple of positive ints; got {value!r}.")
    # NumPy integers (from np.arange grids) become ints, which Keras requires.
    return tuple(int(width) for width in widths)


def image_shape_of(input_shape, n_features: int) -> tuple[int, int, int]:
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
