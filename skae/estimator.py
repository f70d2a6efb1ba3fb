"""`AutoencoderReducer`: a scikit-learn transformer on a Keras encoder and decoder.

The estimator holds parameters and fitted state; building networks (`networks`), training
(`training`), running fitted models (`inference`) and serialising them (`persistence`)
live in their own modules, which import Keras only when a model is built or loaded.
"""

import functools
import types
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_array

from ._sklearn import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)
from .activations import CODE_ACTIVATIONS, HIDDEN_ACTIVATIONS
from .scaling import FEATURE_WEIGHTINGS
from .seeding import SeedStream

FLOAT_DTYPES = [np.float64, np.float32]

OPTIMIZERS = {"adam", "adamw", "nadam", "rmsprop", "sgd"}

# Parameters that fix the network's shape or objective: `warm_start` cannot change them.
_STRUCTURAL_PARAMS = (
    "n_components",
    "architecture",
    "hidden_layer_sizes",
    "conv_filters",
    "input_shape",
    "activation",
    "code_activation",
    "output_activation",
    "loss",
    "feature_weighting",
    "optimizer",
    "noise",
    "sparsity",
    "variational",
    "beta",
    "encoder",
    "decoder",
)

# What "auto" means for each kind of network: dense and conv measured on MNIST
# (benchmarks/results/defaults_mnist.md), "tabular" (the dense networks that start at
# PCA, on rows not in [0, 1]) on raw tables (benchmarks/results/tabular.md). Noise
# applies to data in [0, 1] only.
AUTO_SETTINGS = {
    "dense": {
        "hidden_layer_sizes": (256, 128, 64),
        "learning_rate": 1e-3,
        "epochs": 200,
        "noise": 0.3,
        "n_iter_no_change": 10,
    },
    "tabular": {
        "hidden_layer_sizes": (256, 128, 64),
        "learning_rate": 3e-4,
        "epochs": 200,
        "noise": 0.0,
        "n_iter_no_change": 30,
    },
    "conv": {
        "hidden_layer_sizes": (),
        "learning_rate": 3e-3,
        "epochs": 40,
        "noise": 0.0,
        "n_iter_no_change": 10,
    },
}

# The networks compute in float32 (training scales errors before squaring them).
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Training subtracts values (from the feature means, from reconstructions) in float32:
# the difference of two values below half of float32's largest stays finite.
_TRAINABLE_MAX = _FLOAT32_MAX / 2
_BEYOND_FLOAT32 = (
    f"beyond float32's range ({_FLOAT32_MAX:.2g}) that the network computes in"
)


def _same_value(first, second) -> bool:
    """Equality of parameter values, arrays (``hidden_layer_sizes``) included."""
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.array_equal(first, second)
    return bool(first == second)


def _check_magnitude(X, limit: float, reason: str) -> None:
    """Refuse finite X with a value beyond ``limit`` in magnitude, saying why."""
    largest = max(-float(X.min()), float(X.max()))
    if largest > limit:
        raise ValueError(
            f"X has values up to {largest:.3g} in magnitude, {reason}. Rescale X, for "
            "example with StandardScaler."
        )


class _variational_only:
    """A method that exists only on variational reducers, like `available_if`.

    `available_if` raises a generic "has no attribute" and hides the reason in the
    exception's cause; this says why in the message itself.
    """

    def __init__(self, method):
        self.method = method
        functools.update_wrapper(self, method)

    def __get__(self, reducer, owner=None):
        if reducer is None:
            return self.method
        if not reducer.variational:
            raise AttributeError(
                f"{type(reducer).__name__} has no method {self.method.__name__!r} with "
                "variational=False: a plain autoencoder only compresses, it learns no "
                "distribution of codes to draw new rows from. Set variational=True."
            )
        return types.MethodType(self.method, reducer)


class AutoencoderReducer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Nonlinear dimensionality reduction with an autoencoder, used like `PCA`.

    A Keras encoder maps each row to a code of ``n_components`` values (`transform`) and
    a mirrored decoder maps codes back to rows (`inverse_transform`). Both are trained
    together, without labels, to reconstruct the training rows.

    Inputs need no scaling: the encoder sees each feature standardised on its own (data
    in [0, 1], such as images, enter as they are), the decoder returns each feature in
    its own units, and the training loss is computed in scaled units, so X's overall
    magnitude never changes the model. On tabular rows (not in [0, 1]) the dense networks
    start at PCA's solution and learn what PCA misses (see Notes).

    Parameters
    ----------
    n_components : int, default=2
        Size of the code.
    architecture : {"dense", "conv"}, default="dense"
        ``"dense"``: fully connected layers. ``"conv"``: rows are images (see
        ``input_shape``); stride-2 convolutions with ``conv_filters``, then the dense
        ``hidden_layer_sizes`` (none by default), then the code; the decoder mirrors it
        with transposed convolutions. Any image size works: images are padded to a
        multiple of ``2 ** len(conv_filters)`` and the reconstruction is cropped back.
        The parameters whose default is ``"auto"`` take the architecture's measured
        settings (``benchmarks/results/defaults_mnist.md``).
    hidden_layer_sizes : tuple of int or "auto", default="auto"
        Widths of the encoder's hidden dense layers (after the convolutions for
        ``"conv"``); the decoder mirrors them. ``()`` gives a single-layer dense
        encoder and decoder. ``"auto"`` is ``(256, 128, 64)`` for ``"dense"`` and ``()``
        for ``"conv"``: on MNIST at 36 components, the conv network with those three
        dense layers reached 0.0128 held-out MSE after 60 epochs, against 0.0053
        without them (both at a learning rate of 1e-3).
    conv_filters : tuple of int, default=(32, 64)
        Filters of the encoder's convolutions (``"conv"`` only; the decoder mirrors
        them). Each halves the image's height and width.
    input_shape : tuple of int or None, default=None
        ``(height, width, channels)`` of the images in each row, for ``"conv"``. None
        reads rows as square one-channel images (784 features: 28x28); one entry may be
        -1, inferred as in `numpy.reshape`.
    activation : str, default="relu"
        Activation of the hidden layers (``"relu"``, ``"elu"``, ``"selu"``, ``"gelu"``,
        ``"silu"``, ``"tanh"``, ``"sigmoid"``, ``"softplus"``, ``"leaky_relu"`` or
        ``"linear"``).
    code_activation : {"linear", "relu", "sigmoid", "tanh"}, default="linear"
        Activation of the code layer. A linear code spreads the embedding best; the
        original study's simple network used ``"relu"``.
    output_activation : {"auto", "sigmoid", "linear"}, default="auto"
        The decoder's last activation. ``"auto"`` picks ``"sigmoid"`` when the training
        data lie in [0, 1] and ``"linear"`` otherwise. A sigmoid output is mapped to the
        training data's range, so reconstructions never leave it.
    loss : {"auto", "mse", "binary_crossentropy"}, default="auto"
        Training loss. ``"auto"`` is ``"mse"``. ``"binary_crossentropy"`` needs data in
        [0, 1] and a sigmoid output.
    feature_weighting : {"variance", "equal"}, default="variance"
        What the squared error weighs. ``"variance"``: each feature's error in the
        data's units, so features weigh by their variance: PCA's objective, and what
        `score` reports. ``"equal"``: each feature's error in its own standard
        deviations, as after ``StandardScaler``. On raw breast cancer at 2 components
        (validation rows inside the training split, ``benchmarks/results/tabular.md``),
        ``"variance"`` gave errors of 15.19 (raw) and 0.6415 (standardised) against PCA's
        21.55 and 0.6516; ``"equal"`` gave 1851 and 0.3312. The loss is divided by the
        mean feature variance either way, so that 1.0 is the error of predicting the
        mean row.
    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer.
    learning_rate : float or "auto", default="auto"
        The optimizer's learning rate. ``"auto"`` is 1e-3 for ``"dense"``, 3e-3 for
        ``"conv"`` and 3e-4 for tabular rows (see Notes): on MNIST, 3e-3 overfitted the
        dense network sooner, while the conv network reached in 20 epochs the error that
        1e-3 reached in 60; on small raw tables, a network learning on top of PCA
        overfitted sooner at 1e-3 (``benchmarks/results/tabular.md``).
    batch_size : int, default=128
        Rows per gradient step (capped at the number of rows); under a
        ``tf.distribute`` strategy, over all replicas together.
    epochs : int or "auto", default="auto"
        Passes over the training data; a maximum when training stops early.
        ``"auto"`` is 200 for ``"dense"`` and 40 for ``"conv"``, whose epochs cost
        more and learn more. With
        ``warm_start=True`` this is the total over all fits, as ``n_estimators`` is in
        scikit-learn's ensembles.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (a shuffled, seeded split), stop when
        their loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch (or the starting weights, if no epoch beat
        them). When False, the training loss is monitored instead and the last weights
        are kept. Either way the learning rate is
        halved whenever the monitored loss has not improved for
        ``n_iter_no_change // 2`` epochs.
    validation_fraction : float, default=0.1
        Share of rows held out when ``early_stopping=True``.
    n_iter_no_change : int or "auto", default="auto"
        Epochs without improvement before training stops (the learning rate halves
        after half as many). ``"auto"`` is 10, and 30 for tabular rows (see Notes),
        which take only a few gradient steps an epoch.
    tol : float, default=0.0
        Smallest decrease of the monitored loss that counts as an improvement.
    noise : float or "auto", default="auto"
        Denoising: the standard deviation of Gaussian noise added to the encoder's
        input in training only (``transform`` is deterministic). In data units for data
        in [0, 1], otherwise in each feature's standard deviations; 0 turns it off.
        ``"auto"`` is 0.3 for ``"dense"`` on data in [0, 1] (images) and 0 otherwise: on
        MNIST (fitted on 6,000 training images, scored on the other 2,000 of the
        training rows), 0.3 lowered the dense network's validation error at 36
        components from 0.01246 (no noise) to 0.01002 and raised 2-D trustworthiness from
        0.904 to 0.939 (``benchmarks/results/defaults_mnist.md``), while on raw tables
        it raised the error (``benchmarks/results/tabular.md``), and the conv network,
        which shares its weights across the image, did slightly better without it.
    sparsity : float, default=0.0
        Sparse code: the weight of an L1 penalty on the code's activations.
    variational : bool, default=False
        Learn a Gaussian code (a variational autoencoder): the encoder gives a mean and
        a variance, training decodes draws from it, and a KL term pulls it towards the
        standard normal prior, so that `sample` can generate new rows. `transform`
        returns the mean. ``history_`` records ``reconstruction_loss`` and ``kl_loss``.
    beta : float, default=1.0
        Weight of the KL term (``variational`` only), per data value, relative to the
        reconstruction loss.
    encoder, decoder : callable or None, default=None
        ``builder(input_dim_or_shape, n_components) -> keras.Model`` to replace the
        built-in networks; ``input_dim_or_shape`` is ``n_features`` for ``"dense"`` and
        the image shape for ``"conv"``. The encoder maps scaled rows (or images) to the
        code; the decoder maps the code to rows (or images) before
        ``output_activation``. A sigmoid output first adds the logit of each feature's
        training mean, so a decoder that outputs zeros reconstructs the mean row. Pass
        the function, never a built model, so that clones and refits get fresh weights.
    warm_start : bool, default=False
        When True, `fit` continues training the fitted networks instead of starting
        anew, until ``n_iter_`` reaches ``epochs``: raise ``epochs`` to train further
        (a fit with nothing left to do warns and changes nothing, so that refitting is
        idempotent). `partial_fit` always trains one more pass.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. The same int
        gives the same result; the global random state of Python, NumPy, TensorFlow and
        Keras is neither used nor changed.
    verbose : int, default=0
        Keras' verbosity during training: 0 silent, 1 progress bar, 2 one line per epoch.

    Attributes
    ----------
    encoder_ : keras.Model
        Rows in data units to codes; ``encoder_(X)`` equals ``transform(X)`` up to
        float32 rounding. For dense networks `transform` runs on a NumPy copy of the
        weights taken when training ends (one row then costs microseconds, not a Keras
        call): weights you change by hand reach `transform` and `inverse_transform`
        after further training (`partial_fit`, a warm-started `fit`) or a pickle round
        trip. Other networks run through a traced TensorFlow function of the model
        itself.
    decoder_ : keras.Model
        Codes to rows in data units; ``decoder_(Z)`` equals ``inverse_transform(Z)``.
    autoencoder_ : keras.Model
        ``decoder_(encoder_(X))``, sharing their layers: the model that is trained.
    history_ : dict of str to list of float
        Keras' per-epoch logs, accumulated over `fit` with ``warm_start`` and
        `partial_fit`: ``"loss"``, ``"val_loss"`` with early stopping, and
        ``"learning_rate"``. ``"mse"`` losses are in scaled units (see
        ``feature_weighting``): 1.0 is the error of predicting the mean row.
    loss_curve_ : list of float
        The training loss of each epoch.
    validation_scores_ : list of float or None
        The negated validation loss of each epoch (higher is better) with early
        stopping, else None.
    n_iter_ : int
        Epochs trained so far.
    n_features_in_ : int
        Number of features seen during `fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during `fit`, when X had string column names.

    See Also
    --------
    sklearn.decomposition.PCA : The linear reducer this one mirrors.
    sklearn.neural_network.MLPRegressor : Whose training parameters these follow.

    Notes
    -----
    **Tabular rows.** For rows not in [0, 1] decoded linearly (``output_activation``
    ``"auto"`` or ``"linear"``) by the built-in dense networks with a linear code, the
    encoder and decoder each add a fixed linear map to their network: PCA's projection
    and reconstruction for the loss (`skae.scaling.principal_axes`), computed once from
    the training rows. The networks' last layers start at zero, so an untrained reducer
    is PCA, and training learns what PCA misses. Without it, on small tables the
    networks reconstructed the features that carry the variance far worse than PCA
    (wine, validation rows inside the training split: MSE 216.4 against PCA's 1.508,
    ``benchmarks/results/tabular.md``).

    **Scaling.** `fit` and `partial_fit` called inside a ``tf.distribute`` strategy's
    scope build and train the networks under it (``MirroredStrategy`` for several
    devices, ``MultiWorkerMirroredStrategy`` for several machines); ``batch_size`` is
    then the global batch. Training reads X one batch at a time, so X may be a
    ``numpy.memmap`` larger than memory; `transform` reads it in chunks of rows. See
    the user guide's page on scaling up.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderReducer
    >>> X = load_digits().data / 16
    >>> reducer = AutoencoderReducer(n_components=2, epochs=5, random_state=0)
    >>> codes = reducer.fit_transform(X)
    >>> codes.shape
    (1797, 2)
    >>> reducer.inverse_transform(codes).shape
    (1797, 64)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"dense", "conv"})],
        "hidden_layer_sizes": ["array-like", StrOptions({"auto"})],
        "conv_filters": ["array-like"],
        "input_shape": [None, tuple, list],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS))],
        "code_activation": [StrOptions(set(CODE_ACTIVATIONS))],
        "output_activation": [StrOptions({"auto", "sigmoid", "linear"})],
        "loss": [StrOptions({"auto", "mse", "binary_crossentropy"})],
        "feature_weighting": [StrOptions(set(FEATURE_WEIGHTINGS))],
        "optimizer": [StrOptions(OPTIMIZERS)],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "sparsity": [Interval(Real, 0, None, closed="left")],
        "variational": ["boolean"],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "encoder": [None, callable],
        "decoder": [None, callable],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        architecture="dense",
        hidden_layer_sizes="auto",
        conv_filters=(32, 64),
        input_shape=None,
        activation="relu",
        code_activation="linear",
        output_activation="auto",
        loss="auto",
        feature_weighting="variance",
        optimizer="adam",
        learning_rate="auto",
        batch_size=128,
        epochs="auto",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=0.0,
        noise="auto",
        sparsity=0.0,
        variational=False,
        beta=1.0,
        encoder=None,
        decoder=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.architecture = architecture
        self.hidden_layer_sizes = hidden_layer_sizes
        self.conv_filters = conv_filters
        self.input_shape = input_shape
        self.activation = activation
        self.code_activation = code_activation
        self.output_activation = output_activation
        self.loss = loss
        self.feature_weighting = feature_weighting
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise = noise
        self.sparsity = sparsity
        self.variational = variational
        self.beta = beta
        self.encoder = encoder
        self.decoder = decoder
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ training

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored: training is unsupervised.

        Returns
        -------
        self : AutoencoderReducer
            The fitted reducer.
        """
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        with self._rollback_on_failure(continuing):
            X = self._start_or_continue(X, continuing)
            epochs_left = int(self._resolved("epochs")) - self.n_iter_
            if epochs_left <= 0:
                warnings.warn(
                    f"warm_start fit without raising epochs trains nothing: "
                    f"{self.n_iter_} of epochs={self._resolved('epochs')} are done. "
                    "Raise epochs to train more, or call partial_fit for one more pass.",
                    UserWarning,
                    stacklevel=3,
                )
                return self
            self._train_epochs(X, epochs_left, early_stopping=self.early_stopping)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass over X, starting the networks on the first call.

        Early stopping does not apply: each call is exactly one epoch, as in
        `MLPRegressor.partial_fit`. The input scaling is fixed by the first call's rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored: training is unsupervised.

        Returns
        -------
        self : AutoencoderReducer
            The updated reducer.
        """
        continuing = self.__sklearn_is_fitted__()
        with self._rollback_on_failure(continuing):
            X = self._start_or_continue(X, continuing)
            self._train_epochs(X, 1, early_stopping=False)
        return self

    def _start_or_continue(self, X, continuing: bool):
        """Validate training rows; build fresh networks unless continuing fitted ones."""
        X = self._validated_training_rows(X, reset=not continuing)
        if continuing:
            self._check_structure_unchanged()
            self._move_to_current_strategy()
        else:
            self._initialize(X)
        return X

    def _move_to_current_strategy(self):
        """Rebuild the networks under the caller's `tf.distribute` strategy if needed.

        Networks made under one strategy (or none) cannot train under another; a copy
        with the same weights and optimizer state made under the current one can.
        """
        from .distribution import under_current_strategy

        autoencoder = under_current_strategy(self.autoencoder_)
        if autoencoder is not self.autoencoder_:
            self._attach_autoencoder(autoencoder)

    def _validated_training_rows(self, X, reset: bool):
        """`validate_data` for training rows, refusing values float32 training overflows."""
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=reset)
        _check_magnitude(
            X,
            _TRAINABLE_MAX,
            f"too large to train on: training subtracts values in float32, so they must "
            f"stay below {_TRAINABLE_MAX:.2g}, half of float32's largest value",
        )
        return X

    def _resolved_output_activation(self, unit_interval: bool) -> str:
        if self.output_activation != "auto":
            return self.output_activation
        return "sigmoid" if unit_interval else "linear"

    def _resolved(self, name: str):
        """The parameter ``name``, with "auto" replaced by the architecture's setting."""
        value = getattr(self, name)
        if not (isinstance(value, str) and value == "auto"):
            return value
        # Fitted reducers know their kind of network; files from skae 0.1.0 do not.
        profile = getattr(self, "_auto_profile", self.architecture)
        return AUTO_SETTINGS[profile][name]

    def _resolved_noise(self, unit_interval: bool) -> float:
        if self.noise != "auto":
            return float(self.noise)
        return self._resolved("noise") if unit_interval else 0.0

    def _resolved_loss(self, X, output_activation: str, unit_interval: bool) -> str:
        if self.loss != "binary_crossentropy":
            return "mse"
        if not unit_interval:
            raise ValueError(
                "loss='binary_crossentropy' needs X in [0, 1], reaching at least 0.5; "
                "got values from "
                f"{X.min():g} to {X.max():g}. Scale X (for example with MinMaxScaler) "
                "or use loss='mse'."
            )
        if output_activation != "sigmoid":
            raise ValueError(
                "loss='binary_crossentropy' needs a sigmoid output; got "
                f"output_activation={self.output_activation!r} for this data. Use "
                "loss='mse', or output_activation='sigmoid' with data in [0, 1]."
            )
        return "binary_crossentropy"

    @staticmethod
    def _checked_widths(value, name: str) -> tuple[int, ...]:
        """A tuple of positive ints from a width parameter's value, or a clear error."""
        widths = (value,) if isinstance(value, Integral) else tuple(value)
        if not all(
            isinstance(width, Integral) and not isinstance(width, bool) and width > 0
            for width in widths
        ):
            raise ValueError(f"{name} must be a tuple of positive ints; got {value!r}.")
        # NumPy integers (from np.arange grids) become ints, which Keras requires.
        return tuple(int(width) for width in widths)

    def _initialize(self, X):
        """Build and compile fresh networks for X; reset the training record."""
        import keras

        from . import losses, networks
        from .scaling import fit_scaling, in_unit_interval, principal_axes

        seeds = SeedStream(self.random_state)
        n_features = X.shape[1]
        unit_interval = in_unit_interval(X)
        output_activation = self._resolved_output_activation(unit_interval)
        loss = self._resolved_loss(X, output_activation, unit_interval)
        scaling = fit_scaling(X, unit_interval, output_activation, self.feature_weighting)
        image_shape = None
        if self.architecture == "conv":
            image_shape = networks.resolve_image_shape(self.input_shape, n_features)
        pca_start = self._starts_at_pca(image_shape, unit_interval, output_activation)
        self._auto_profile = "tabular" if pca_start else self.architecture
        encoder_core, decoder_core = self._build_cores(
            n_features, image_shape, seeds, zero_code=pca_start
        )
        if pca_start:
            # Tabular inputs are standardised: their offset is the feature mean.
            axes = principal_axes(
                X, scaling.input_offset, scaling.error_scale, int(self.n_components)
            )
            encoder_kernel, decoder_kernel = networks.pca_kernels(axes, scaling)
            encoder_core = networks.with_linear_path(encoder_core, encoder_kernel)
            decoder_core = networks.with_linear_path(decoder_core, decoder_kernel)
        encoder = networks.wrap_encoder(
            encoder_core,
            scaling,
            n_features,
            image_shape=image_shape,
            noise=self._resolved_noise(unit_interval),
            sparsity=self.sparsity,
            seeds=seeds,
        )
        decoder = networks.wrap_decoder(
            decoder_core,
            scaling,
            int(self.n_components),
            output_activation,
            image_shape=image_shape,
        )
        autoencoder = networks.join_autoencoder(encoder, decoder)
        optimizer = keras.optimizers.get(
            {
                "class_name": self.optimizer,
                "config": {"learning_rate": self._resolved("learning_rate")},
            }
        )
        if loss == "mse":
            loss = losses.ScaledMeanSquaredError(scaling.error_scale)
            reconstruction_metric = losses.ScaledMeanSquaredErrorMetric(scaling.error_scale)
        else:
            reconstruction_metric = keras.metrics.BinaryCrossentropy(
                name="reconstruction_loss"
            )
        # With a KL term in the loss, the reconstruction part is logged on its own.
        metrics = [reconstruction_metric] if self.variational else None
        autoencoder.compile(
            optimizer=optimizer, loss=loss, metrics=metrics, jit_compile=False
        )

        self.encoder_, self.decoder_, self.autoencoder_ = encoder, decoder, autoencoder
        self._shuffle_seed = seeds.next_seed()
        self._split_seed = seeds.next_seed()
        self._structure = self._structural_params()
        self.history_ = {}
        self.n_iter_ = 0

    def _starts_at_pca(self, image_shape, unit_interval: bool, output_activation: str):
        """Whether the networks learn beside PCA's linear map, starting at PCA.

        For standardised (tabular) rows decoded linearly by the built-in dense
        networks: on small tables, a network alone reconstructed the features that
        carry the variance worse than PCA (wine: 79x PCA's held-out error).
        """
        return (
            image_shape is None
            and not unit_interval
            and output_activation == "linear"
            and not self.variational
            and self.code_activation == "linear"
            and self.encoder is None
            and self.decoder is None
        )

    def _build_cores(self, n_features, image_shape, seeds, zero_code=False):
        """The encoder and decoder networks, from the parameters or the user's builders."""
        from . import networks

        hidden = self._checked_widths(
            self._resolved("hidden_layer_sizes"), "hidden_layer_sizes"
        )
        if self.variational and self.code_activation != "linear":
            raise ValueError(
                "variational=True learns a Gaussian code, whose mean is linear; got "
                f"code_activation={self.code_activation!r}. Use code_activation='linear'."
            )
        # The KL term is weighed per data value, against the scaled reconstruction loss.
        kl_weight = self.beta / n_features if self.variational else None
        code = networks.CodeSpec(
            int(self.n_components), self.code_activation, kl_weight, zero_start=zero_code
        )
        data_shape = n_features if image_shape is None else image_shape
        if self.encoder is not None:
            encoder_core = networks.build_with(
                self.encoder, "encoder", data_shape, code.n_components
            )
        elif image_shape is None:
            encoder_core = networks.dense_encoder_core(
                n_features, hidden, self.activation, code, seeds
            )
        else:
            encoder_core = networks.conv_encoder_core(
                image_shape,
                self._checked_widths(self.conv_filters, "conv_filters"),
                hidden,
                self.activation,
                code,
                seeds,
            )
        if self.decoder is not None:
            decoder_core = networks.build_with(
                self.decoder, "decoder", data_shape, code.n_components
            )
        elif image_shape is None:
            decoder_core = networks.dense_decoder_core(
                code.n_components, n_features, hidden, self.activation, seeds
            )
        else:
            decoder_core = networks.conv_decoder_core(
                code.n_components,
                image_shape,
                self._checked_widths(self.conv_filters, "conv_filters"),
                hidden,
                self.activation,
                seeds,
            )
        return encoder_core, decoder_core

    def _structural_params(self) -> dict:
        return {name: getattr(self, name) for name in _STRUCTURAL_PARAMS}

    def _check_structure_unchanged(self):
        changed = [
            name
            for name, value in self._structural_params().items()
            if not _same_value(value, self._structure[name])
        ]
        if changed:
            raise ValueError(
                f"Cannot continue training after changing {', '.join(changed)}: these "
                "fix the network. Set warm_start=False (or clone the reducer) to refit."
            )

    def _validation_split(self, n_samples: int):
        """Shuffled, seeded (train, validation) row indices for early stopping.

        Indices, not rows: training reads rows from X by index, so that no subset of X
        is copied.
        """
        if n_samples < 2:
            raise ValueError(
                "early_stopping=True holds out validation rows and needs at least 2 "
                f"samples; got n_samples = {n_samples}."
            )
        n_validation = min(
            max(1, round(self.validation_fraction * n_samples)), n_samples - 1
        )
        order = np.random.RandomState(self._split_seed).permutation(n_samples)
        return np.sort(order[n_validation:]), np.sort(order[:n_validation])

    def _train_epochs(self, X, epochs: int, early_stopping: bool):
        """Run up to ``epochs`` epochs, then record history and refresh fast paths.

        X is read one batch at a time and converted to float32 batch by batch, so a
        memory-mapped X is never loaded whole.
        """
        from .training import train

        self.autoencoder_.optimizer.learning_rate = self._resolved("learning_rate")
        train_indices = validation_indices = None
        if early_stopping:
            train_indices, validation_indices = self._validation_split(X.shape[0])
        history = train(
            self.autoencoder_,
            X,
            epochs=epochs,
            batch_size=int(self.batch_size),
            seed=self._shuffle_seed,
            first_epoch=self.n_iter_,
            train_indices=train_indices,
            validation_indices=validation_indices,
            patience=int(self._resolved("n_iter_no_change")) if epochs > 1 else None,
            tol=self.tol,
            verbose=self.verbose,
        )
        names = [*self.history_, *(name for name in history if name not in self.history_)]
        self.history_ = {
            name: self.history_.get(name, []) + history.get(name, []) for name in names
        }
        self.n_iter_ += len(history["loss"])
        self.loss_curve_ = self.history_["loss"]
        validation_loss = self.history_.get("val_loss")
        self.validation_scores_ = (
            [-value for value in validation_loss] if validation_loss else None
        )
        self._refresh_fast_paths()

    @contextmanager
    def _rollback_on_failure(self, continuing: bool):
        """Leave the estimator exactly as it was if training fails or is interrupted.

        Only continued training changes the fitted networks' weights, so only then are
        they saved: a fresh fit builds new networks and leaves the old ones untouched.
        """
        saved_state = dict(self.__dict__)
        saved_weights = None
        if continuing:
            from .distribution import check_continuable_here

            # Before reading the weights: TensorFlow refuses to read them inside the
            # scope of another strategy than theirs.
            check_continuable_here(self.autoencoder_)
            optimizer = self.autoencoder_.optimizer
            saved_weights = (
                self.autoencoder_.get_weights(),
                [variable.numpy() for variable in optimizer.variables],
            )
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            if saved_weights is not None:
                model_weights, optimizer_values = saved_weights
                self.autoencoder_.set_weights(model_weights)
                for variable, value in zip(
                    self.autoencoder_.optimizer.variables, optimizer_values, strict=True
                ):
                    variable.assign(value)
            raise

    # ----------------------------------------------------------------- inference

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "autoencoder_")

    @property
    def n_components_(self) -> int:
        """The size of the code, as PCA's fitted attribute of the same name."""
        check_is_fitted(self)
        return self._n_features_out

    @property
    def _n_features_out(self) -> int:
        return self._encode.n_outputs

    def _validated_rows(self, X):
        """`validate_data` for rows to encode, skipping its overhead for plain arrays.

        A C- or F-ordered float ndarray of the fitted width, with no column names to
        compare, needs only the range check; the full validation costs more than
        encoding one row. The range check reads X's minimum and maximum (False for NaN),
        so that no temporary the size of X is made.
        """
        plain = (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in FLOAT_DTYPES
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        )
        if plain and X.min() >= -_FLOAT32_MAX and X.max() <= _FLOAT32_MAX:
            return X
        X = validate_data(self, X, dtype=FLOAT_DTYPES, reset=False)
        _check_magnitude(X, _FLOAT32_MAX, _BEYOND_FLOAT32)
        return X

    def transform(self, X):
        """Encode rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in data units.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The codes, in X's floating dtype (float64 for other dtypes).
        """
        check_is_fitted(self)
        return self._finite(self._encode(self._validated_rows(X)), "transform")

    def inverse_transform(self, X):
        """Decode codes back to rows in data units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by `transform`.

        Returns
        -------
        rows : ndarray of shape (n_samples, `n_features_in_`)
            Reconstructed rows, in the codes' floating dtype.
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=FLOAT_DTYPES, input_name="X")
        _check_magnitude(codes, _FLOAT32_MAX, _BEYOND_FLOAT32)
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {codes.shape[1]} columns, but {type(self).__name__} decodes "
                f"codes of {self._n_features_out} components."
            )
        return self._finite(self._decode(codes), "inverse_transform")

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each row (anomaly scores).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in data units.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((x - inverse_transform(transform(x)))**2)`` per row: the lower, the
            less typical the row.
        """
        check_is_fitted(self)
        X = self._validated_rows(X)
        reconstruction = self._finite(self._decode(self._encode(X)), "score_samples")
        # Squared errors of large float32 rows can overflow even when both are finite.
        return self._finite(-np.mean((X - reconstruction) ** 2, axis=1), "score_samples")

    def score(self, X, y=None):
        """Negative mean squared reconstruction error, so that higher is better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows in data units.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean of `score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    @_variational_only
    def sample(self, n_samples=1, random_state=None):
        """Generate new rows by decoding draws from the standard normal prior.

        Only for ``variational=True``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws, without touching any global generator.

        Returns
        -------
        rows : ndarray of shape (n_samples, `n_features_in_`)
            Generated rows, in data units.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int; got {n_samples!r}.")
        seed = SeedStream(random_state).next_seed()
        codes = np.random.RandomState(seed).standard_normal(
            (n_samples, self._n_features_out)
        )
        return self._finite(self._decode(codes), "sample")

    def _finite(self, values: np.ndarray, method: str) -> np.ndarray:
        if not np.isfinite(values).all():
            raise ValueError(
                f"{method} produced non-finite values: the input is too large for the "
                "network's float32 arithmetic. Check X for extreme values."
            )
        return values

    # --------------------------------------------------------------- persistence

    def __getstate__(self):
        state = dict(super().__getstate__())
        if "autoencoder_" in state:
            from .persistence import model_to_bytes

            state["autoencoder_"] = model_to_bytes(self.autoencoder_)
            for derived in ("encoder_", "decoder_", "_encode", "_decode"):
                state.pop(derived, None)
        return state

    def __setstate__(self, state):
        archive = state.get("autoencoder_")
        super().__setstate__(state)
        if isinstance(archive, bytes):
            from .persistence import model_from_bytes

            self._attach_autoencoder(model_from_bytes(archive))

    def _attach_autoencoder(self, autoencoder):
        """Set ``autoencoder_`` and what derives from it: the encoder, decoder, fast paths.

        Shared by unpickling and `load`, which both rebuild only the autoencoder.
        """
        self.autoencoder_ = autoencoder
        self.encoder_ = autoencoder.get_layer("encoder")
        self.decoder_ = autoencoder.get_layer("decoder")
        self._refresh_fast_paths()

    def _refresh_fast_paths(self):
        """Snapshot the current weights into the transform and inverse_transform paths."""
        from .inference import ForwardPass

        self._encode = ForwardPass(self.encoder_)
        self._decode = ForwardPass(self.decoder_)

    def save(self, path) -> None:
        """Write the fitted reducer to one file that loads without running code.

        The file is a zip archive holding the compiled ``autoencoder_`` (with
        ``encoder_``, ``decoder_`` and the optimizer state) in Keras' ``.keras`` format
        and the parameters and fitted state as JSON, with a format version.
        `load` reads it with Keras' ``safe_mode=True`` and never unpickles, so a file
        from an untrusted source cannot run code, and files stay readable by later
        skae versions that read their format version.

        Code is not stored: custom ``encoder`` and ``decoder`` builder functions are
        saved as None (the networks they built are saved, so the loaded reducer
        transforms and continues training identically, but a refit from scratch uses
        the built-in networks; set the builders again before refitting). A
        ``RandomState`` instance given as ``random_state`` is saved as None too.

        Which way to keep a reducer:

        - ``pickle`` / ``joblib.dump``: fastest, for the same versions of skae, Keras
          and scikit-learn; unpickling runs code, so never load an untrusted pickle.
        - ``save`` / `load`: safe to load from anywhere (JSON and a ``.keras`` model in
          safe mode) and portable across skae versions.
        - `export`: a TensorFlow SavedModel of the encoder or decoder, for serving
          without skae or scikit-learn.

        Parameters
        ----------
        path : str or path-like
            The file to write (conventionally ending in ``.skae``); replaced if it
            exists.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the reducer is not fitted.

        See Also
        --------
        load : Read a file written by `save`.
        export : A TensorFlow SavedModel for serving.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderReducer
        >>> X = load_digits().data / 16
        >>> reducer = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0)
        >>> reducer = reducer.fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "digits.skae")
        ...     reducer.save(path)
        ...     loaded = AutoencoderReducer.load(path)
        >>> bool((loaded.transform(X) == reducer.transform(X)).all())
        True
        """
        check_is_fitted(self)
        from .persistence import write_reducer

        write_reducer(self, path)

    @classmethod
    def load(cls, path) -> "AutoencoderReducer":
        """Read a reducer written by `save`, without running code from the file.

        The Keras model is loaded with ``safe_mode=True`` and nothing is unpickled, so
        a file that would run code (a ``Lambda`` layer, for example) is refused.

        Parameters
        ----------
        path : str or path-like
            A file written by `save`.

        Returns
        -------
        reducer : AutoencoderReducer
            The fitted reducer, ready to transform or to continue training.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ValueError
            If the file is not a skae model file, is truncated or corrupted, was
            written by a newer skae (a newer format version), or holds a Keras model
            that would run code when loaded.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderReducer
        >>> X = load_digits().data / 16
        >>> reducer = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "digits.skae")
        ...     reducer.fit(X).save(path)
        ...     loaded = AutoencoderReducer.load(path)
        >>> loaded.partial_fit(X).n_iter_
        3
        """
        from .persistence import read_reducer

        return read_reducer(cls, path)

    def export(self, path, *, part="encoder") -> None:
        """Write the encoder or decoder as a TensorFlow SavedModel, for serving.

        The SavedModel runs without skae or scikit-learn (TensorFlow Serving, or
        ``tf.saved_model.load(path).serve(rows)``): its ``serve`` endpoint takes float32
        rows in data units and returns codes (``part="encoder"``, as `transform`), or
        takes codes and returns rows in data units (``part="decoder"``, as
        `inverse_transform`), equal to them up to float32 rounding. It cannot be
        loaded back into a reducer: use `save` and `load` for that.

        Parameters
        ----------
        path : str or path-like
            The folder to write the SavedModel to.
        part : {"encoder", "decoder"}, default="encoder"
            Which network to export.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the reducer is not fitted.

        Examples
        --------
        >>> import os, tempfile
        >>> import tensorflow as tf
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderReducer
        >>> X = load_digits().data / 16
        >>> reducer = AutoencoderReducer(hidden_layer_sizes=(8,), epochs=2, random_state=0)
        >>> reducer = reducer.fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     reducer.export(os.path.join(folder, "encoder"))
        ...     served = tf.saved_model.load(os.path.join(folder, "encoder"))
        ...     codes = served.serve(tf.constant(X[:3], tf.float32)).numpy()
        >>> codes.shape
        (3, 2)
        """
        if part not in ("encoder", "decoder"):
            raise ValueError(f"part must be 'encoder' or 'decoder'; got {part!r}.")
        check_is_fitted(self)
        model = self.encoder_ if part == "encoder" else self.decoder_
        model.export(path, format="tf_saved_model", verbose=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
