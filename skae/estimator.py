"""`AutoencoderReducer`: a scikit-learn transformer on a Keras encoder and decoder.

The estimator keeps the parameters, their constraints and the scikit-learn methods; it
imports no Keras. `fit` resolves a `skae.spec.FitSpec` from the parameters and the data,
`skae.networks` builds and compiles the networks from it, and one
`skae.fitted.FittedNetworks` holds them (training, fast forward passes, bytes, export).
`save` hands `skae.persistence` a document of the parameters and fitted state.
"""

import warnings
from contextlib import contextmanager
from dataclasses import replace
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)

from . import checks
from ._sklearn import Interval, StrOptions, _fit_context, check_is_fitted
from .activations import CODE_ACTIVATIONS, HIDDEN_ACTIVATIONS
from .convergence import error_share_of_mean_row, warn_if_at_mean_row
from .penalty import chosen_alpha
from .precision import bfloat16_native
from .rows import RowSubset, dense_chunks
from .scaling import (
    FEATURE_WEIGHTINGS,
    encoder_input_projection,
    fit_scaling,
    principal_axes,
)
from .seeding import SeedStream
from .spec import (
    ARCHITECTURES,
    DTYPE_POLICIES,
    LEARNING_RATE_SCHEDULES,
    LOSSES,
    NEIGHBOR_LOSSES,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    DataFacts,
    FitSpec,
    resolve_spec,
    structural_params,
)

# What a document of the fitted state holds (`_document`); feature_names_in_ optional.
_FITTED_STATE = ("n_features_in_", "n_iter_", "history_", "spec_", "structure", "seeds")


def _validation_size(n_samples: int, fraction: float) -> int:
    """Rows early stopping holds out of ``n_samples``: at least 1, and 1 fewer than all."""
    return min(max(1, round(fraction * n_samples)), n_samples - 1)


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
        The kind of network.
        ``"dense"``: fully connected layers. ``"conv"``: rows are images (see
        ``input_shape``); convolutions at the scales of ``conv_filters`` (``conv_depth``
        at each), then the dense ``hidden_layer_sizes`` (none by default), then the
        code; the decoder mirrors it, with transposed convolutions where the encoder
        halved the size. Any image size works: images are padded to a multiple of
        ``2 ** len(conv_filters)`` and the reconstruction is cropped back.
        The parameters whose default is ``"auto"`` take the architecture's settings,
        measured on validation rows (`skae.spec.AUTO_SETTINGS`).
    hidden_layer_sizes : tuple of int or "auto", default="auto"
        Widths of the encoder's hidden dense layers (after the convolutions for
        ``"conv"``); the decoder mirrors them. ``()`` gives a single-layer dense
        encoder and decoder. ``"auto"`` is ``(256, 128, 64)`` for ``"dense"`` and
        ``()`` for ``"conv"``, which learned better without dense layers.
    pca_components : int, "auto" or None, default="auto"
        The dense encoder reads this many of the training rows' leading principal
        components, a fixed projection fitted once per fit (PCA's, on the rows the
        network trains on: in `partial_fit`, the first call's), instead of the rows;
        the decoder still reconstructs every feature. ``noise`` is added to the
        components, which is the same in distribution as adding it to the rows. None
        reads the rows. ``"auto"`` is 50 for dense maps with InfoNCE's neighbour loss
        on rows of more than 50 features, and None otherwise: on MNIST's validation
        split such a map fitted in about two thirds of the time, at a slightly lower
        trustworthiness and the same 5-NN accuracy and error, and on digits scored
        higher on both (user guide, "2-D maps"). An int raises ValueError for
        ``"conv"``, an ``encoder`` builder and tables whose networks start at PCA (see
        Notes). The choice is ``spec_.pca_components``.
    conv_filters : tuple of int or "auto", default="auto"
        Filters of the encoder's convolutions (``"conv"`` only; the decoder mirrors
        them). Each entry is a scale: its last convolution halves the image's height
        and width. ``"auto"`` is ``(20, 40)``: on MNIST's validation split, at two
        convolutions a scale, ``(24, 48)`` reconstructed about as well as ``(32, 64)``
        in three quarters of the time, and ``(20, 40)`` as well as ``(24, 48)`` in nine
        tenths of its time. Maps (``neighbor_loss``) keep ``(32, 64)``, the network
        their other defaults were chosen with.
    conv_depth : int or "auto", default="auto"
        Convolutions at each scale of ``conv_filters`` (``"conv"`` only): ``conv_depth
        - 1`` that keep the size, then the one that halves it, as in VGG's blocks. The
        decoder mirrors the encoder layer by layer. ``"auto"`` is 2 (on MNIST's
        validation split it reconstructed better than 1 per fit second) and 1 for
        maps (``neighbor_loss``), whose epochs encode each row about 40 times. With
        dense ``hidden_layer_sizes`` after the convolutions, lower ``learning_rate``
        too: on the 8x8 digits, two convolutions a scale and a layer of 64 stayed at
        the mean row at the conv default of 3e-3 and trained at 1e-3.
    input_shape : tuple of int or None, default=None
        ``(height, width, channels)`` of the images in each row, for ``"conv"``. None
        reads rows as square one-channel images (784 features: 28x28); one entry may be
        -1, inferred as in `numpy.reshape`.
    activation : str, default="auto"
        Activation of the hidden layers (``"relu"``, ``"elu"``, ``"selu"``, ``"gelu"``,
        ``"silu"``, ``"tanh"``, ``"sigmoid"``, ``"softplus"``, ``"leaky_relu"`` or
        ``"linear"``). ``"auto"`` is ``"selu"`` for ``"dense"`` networks on data in
        [0, 1] with codes of 24 or more components (in 60 epochs it reconstructed
        MNIST better than ReLU in 200) and ``"relu"`` otherwise (SELU did worse on
        narrower codes). ``"selu"`` layers start from Keras' ``lecun_normal``, as
        self-normalising networks need; the others from ``glorot_uniform``.
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
        deviations, as after ``StandardScaler`` (the user guide's "Scaling" page compares
        them). Either way 1.0 is the error of predicting the mean row.
    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd"}, default="adam"
        Keras optimizer.
    learning_rate : float or "auto", default="auto"
        The optimizer's learning rate. ``"auto"`` is 1e-3 for ``"dense"`` (2e-3 for
        codes of 24 or more components on data in [0, 1]), 3e-3 for ``"conv"`` and
        3e-4 for tabular rows (see Notes), each measured best on validation rows; 1e-2
        with the neighbour loss. ``learning_rate_schedule`` says how it moves.
    learning_rate_schedule : {"auto", "plateau", "linear", "warmup_linear"}, default="auto"
        How the learning rate moves over a fit's epochs. ``"plateau"``: halved
        whenever the monitored loss (see ``early_stopping``) has not improved for
        ``n_iter_no_change // 2`` epochs. ``"linear"``: lowered linearly from
        ``learning_rate`` to 0 over the fit's ``epochs``, each epoch at its midpoint's
        rate (a continued fit starts again from ``learning_rate``; a fit of one epoch,
        as `partial_fit`'s, keeps it under every schedule). ``"warmup_linear"``: the
        same fall, after a linear rise from 0 over the first two epochs (one in fits
        of two or three). ``"auto"`` is ``"warmup_linear"`` for ``"conv"``, ``"linear"``
        with InfoNCE's neighbour loss, whose fixed few epochs are fewer than a
        plateau's patience, and ``"plateau"`` otherwise: on MNIST validation rows the
        conv network's 40 epochs reconstructed better with the linear fall, and the
        rise kept Adam's first steps from leaving it at the mean image; the UMAP
        loss's maps kept better neighbours with plateaus.
    batch_size : int or "auto", default="auto"
        Rows per gradient step (capped at the number of rows); under a
        ``tf.distribute`` strategy, over all replicas together. ``"auto"`` is 128,
        and 1024 (512 edges) with the neighbour loss.
    epochs : int or "auto", default="auto"
        Passes over the training data; a maximum when training stops early. With the
        neighbour loss, an epoch draws as many edges as the neighbour graph has
        (about 20 per row for ``n_neighbors=15``), so it encodes each row about 40
        times and reconstructs it about 20 (about 10 in dense InfoNCE maps of 6,000
        rows or more, which reconstruct half of each batch's heads). ``"auto"`` is 200
        for ``"dense"`` (60 for codes of 24 or more components on data in [0, 1]), 40
        for ``"conv"``, whose epochs cost more and learn more, and 12 with the
        neighbour loss (6 with InfoNCE's from 6,000 training rows, where it measured
        as good in half the time, and 7 for dense ones, which decode half as much;
        rows held out by ``early_stopping`` do not count). With
        ``warm_start=True`` this is the total over all fits,
        as ``n_estimators`` is in scikit-learn's ensembles.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows (a shuffled, seeded split), stop when
        their loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch (or the starting weights, if no epoch beat
        them). The held-out rows are never seen in training: the input scaling, the
        PCA start and the neighbour graph are fitted on the other rows. When False,
        the training loss is monitored instead and the last weights are kept. The
        monitored loss also paces ``learning_rate_schedule="plateau"``.
    validation_fraction : float, default=0.1
        Share of rows held out when ``early_stopping=True``.
    n_iter_no_change : int or "auto", default="auto"
        Epochs without improvement before training stops (the learning rate halves
        after half as many, with ``learning_rate_schedule="plateau"``). ``"auto"`` is
        10, and 30 for tabular rows (see Notes), which take only a few gradient steps
        an epoch.
    tol : float, default=0.0
        Smallest decrease of the monitored loss that counts as an improvement.
    noise : float or "auto", default="auto"
        Denoising: the standard deviation of Gaussian noise added to the encoder's
        input in training only (``transform`` is deterministic). In data units for data
        in [0, 1], otherwise in each feature's standard deviations; 0 turns it off.
        ``"auto"`` is 0.3 for ``"dense"`` on data in [0, 1] (images; 0.1 for codes of
        24 or more components, for the UMAP loss's maps and for conv maps) and 0
        otherwise: on MNIST validation rows it lowered the dense network's error and
        raised its 2-D trustworthiness, while it raised the error on raw tables and of
        the conv network (user guide, "Variants" and "2-D maps").
    sparsity : float, default=0.0
        Sparse code: the weight of an L1 penalty on the code's activations.
    alpha : float or "auto", default="auto"
        Strength of an L2 penalty on the weights, as in scikit-learn's
        `~sklearn.neural_network.MLPRegressor`: ``alpha`` times the sum of the squared
        kernel weights of skae's layers (dense and convolutional; not an ``encoder`` or
        ``decoder`` builder's, which take their own regularizers) is added to each
        batch's loss, whose unit is the error of predicting the mean row. Large values
        hold tabular networks at PCA (see Notes). ``"auto"`` is 0, except on tables,
        where `fit` lets held-out rows choose between 0 and 3e-4: both train on the
        rows early stopping would train on (the same seeded split), and 3e-4 is
        fitted only if it reconstructs the other ``validation_fraction`` of the rows
        better by more than two standard errors (three fits in all; 0 without trials
        when fewer than 20 rows would be held out, and in `partial_fit`). The choice
        is ``spec_.alpha``.
    variational : bool, default=False
        Learn a Gaussian code (a variational autoencoder): the encoder gives a mean and
        a variance, training decodes draws from it, and a KL term pulls it towards the
        standard normal prior, so that `sample` can generate new rows. `transform`
        returns the mean. ``history_`` records ``reconstruction_loss`` and ``kl_loss``.
    beta : float, default=1.0
        Weight of the KL term (``variational`` only), per data value, relative to the
        reconstruction loss.
    neighbor_loss : {"auto", "umap", "infonce"} or None, default="auto"
        A neighbour-preserving term trained with the reconstruction, so that the code
        keeps the training rows' neighbourhoods as UMAP's map does. ``"umap"`` is
        UMAP's fuzzy-set cross-entropy on the nearest-neighbour graph of the training
        rows, with negative sampling, on batches of the graph's edges. Each batch's
        rows are the two ends of its edges, and the heads are reconstructed too (the
        graph is symmetric, so every row is a head as often as a tail).
        ``"infonce"`` trains on the same edges and curve with InfoNCE, every other
        tail of the batch a negative sample: a contrastive t-SNE (Damrich et al.
        2023), whose maps kept classes apart better on MNIST (the user guide's
        "Maps" page). None is a plain autoencoder. ``"auto"`` is ``"infonce"`` for
        ``n_components`` up to 3, and None otherwise: for more components, for tables
        whose networks start at PCA (see Notes) and for ``variational=True``, whose
        random draws it cannot train. ``history_`` records the term as
        ``neighbor_loss``; validation losses leave it out. See the user guide's "Maps"
        page.
    neighbor_weight : float or "auto", default="auto"
        Weight of the neighbour term against the scaled reconstruction loss;
        ``"auto"`` is 1.0.
    n_neighbors : int, default=15
        Neighbours of each row in the graph (the row itself included), as in
        umap-learn; at most the number of training rows minus one (a larger value is
        lowered, with a warning).
    min_dist : float, default=0.1
        How tightly the map packs neighbours, as in umap-learn.
    encoder, decoder : callable or None, default=None
        ``builder(input_dim_or_shape, n_components) -> keras.Model`` to replace the
        built-in networks; ``input_dim_or_shape`` is ``n_features`` for ``"dense"`` and
        the image shape for ``"conv"``. The encoder maps scaled rows (or images) to the
        code; the decoder maps the code to rows (or images) before
        ``output_activation``. A sigmoid output first adds the logit of each feature's
        training mean, so a decoder that outputs zeros reconstructs the mean row. Pass
        the function, never a built model, so that clones and refits get fresh weights.
    dtype_policy : {"auto", "float32", "mixed_bfloat16"}, default="auto"
        The Keras dtype policy of the hidden layers, as Keras' mixed precision names
        it: ``"mixed_bfloat16"`` computes them in bfloat16 on float32 weights; the code
        and the reconstruction are computed in float32 either way. ``"auto"`` is
        ``"mixed_bfloat16"`` for the built-in ``"conv"`` codes and conv InfoNCE maps of
        6,000 or more rows where the backend computes bfloat16 natively (TensorFlow and
        PyTorch on a CPU with AVX512_BF16 or AMX, `skae.precision.bfloat16_native`), and
        ``"float32"`` otherwise: on MNIST's validation split these then trained as well
        in less time, while dense networks, and JAX's convolutions, gained nothing or
        too little to tell (user guide, "Training" and "2-D maps"). The choice is
        ``spec_.dtype_policy``. Builders (``encoder``, ``decoder``) set their own layers'
        dtype.
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
    spec_ : skae.spec.FitSpec
        What the last fit from scratch resolved from the parameters and the data
        (every "auto" replaced, the output activation, loss, noise and image shape
        chosen), as PCA keeps the solver it chose; a continued fit updates its training
        settings. The networks are built from it.
    encoder_ : keras.Model
        Rows in data units to codes; ``encoder_(X)`` equals ``transform(X)`` up to
        float32 rounding. For dense networks `transform` runs on a NumPy copy of the
        weights taken when training ends (`skae.inference`): weights changed by hand
        reach it after further training or a pickle round trip.
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
    is PCA, and training learns what PCA misses (user guide, "Scaling"). A weight
    penalty (``alpha``) pulls what they learn back towards PCA: without it, 1,000 noisy
    MNIST images (784 features) were learnt by heart, noise included, while on clean
    tables a penalty (even 1e-5) cost the gain over PCA, so ``"auto"`` asks held-out
    rows.

    **Scaling.** `fit` and `partial_fit` called inside a ``tf.distribute`` strategy's
    scope build and train the networks under it (``MirroredStrategy`` for several
    devices, ``MultiWorkerMirroredStrategy`` for several machines); ``batch_size`` is
    then the global batch. Training reads X one batch at a time, so X may be a
    ``numpy.memmap`` larger than memory (user guide, "Scaling up").

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
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "hidden_layer_sizes": ["array-like", StrOptions({"auto"})],
        "pca_components": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "conv_filters": ["array-like", StrOptions({"auto"})],
        "conv_depth": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "input_shape": [None, tuple, list],
        "activation": [StrOptions(set(HIDDEN_ACTIVATIONS) | {"auto"})],
        "code_activation": [StrOptions(set(CODE_ACTIVATIONS))],
        "output_activation": [StrOptions(set(OUTPUT_ACTIVATIONS))],
        "loss": [StrOptions(set(LOSSES))],
        "feature_weighting": [StrOptions(set(FEATURE_WEIGHTINGS))],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "learning_rate_schedule": [StrOptions(set(LEARNING_RATE_SCHEDULES))],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
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
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "variational": ["boolean"],
        "beta": [Interval(Real, 0, None, closed="neither")],
        "neighbor_loss": [None, StrOptions(set(NEIGHBOR_LOSSES))],
        "neighbor_weight": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "min_dist": [Interval(Real, 0, None, closed="left")],
        "encoder": [None, callable],
        "decoder": [None, callable],
        "dtype_policy": [StrOptions(set(DTYPE_POLICIES))],
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
        pca_components="auto",
        conv_filters="auto",
        conv_depth="auto",
        input_shape=None,
        activation="auto",
        code_activation="linear",
        output_activation="auto",
        loss="auto",
        feature_weighting="variance",
        optimizer="adam",
        learning_rate="auto",
        learning_rate_schedule="auto",
        batch_size="auto",
        epochs="auto",
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=0.0,
        noise="auto",
        sparsity=0.0,
        alpha="auto",
        variational=False,
        beta=1.0,
        neighbor_loss="auto",
        neighbor_weight="auto",
        n_neighbors=15,
        min_dist=0.1,
        encoder=None,
        decoder=None,
        dtype_policy="auto",
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.architecture = architecture
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pca_components = pca_components
        self.conv_filters = conv_filters
        self.conv_depth = conv_depth
        self.input_shape = input_shape
        self.activation = activation
        self.code_activation = code_activation
        self.output_activation = output_activation
        self.loss = loss
        self.feature_weighting = feature_weighting
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.noise = noise
        self.sparsity = sparsity
        self.alpha = alpha
        self.variational = variational
        self.beta = beta
        self.neighbor_loss = neighbor_loss
        self.neighbor_weight = neighbor_weight
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.encoder = encoder
        self.decoder = decoder
        self.dtype_policy = dtype_policy
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ training

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows.
        y : None
            Ignored: training is unsupervised.

        Returns
        -------
        self : AutoencoderReducer
            The fitted reducer.

        Warns
        -----
        ConvergenceWarning
            If the fitted reconstructions of the training rows are no better than their
            mean row (an untrained decoder's): the fit learnt nothing.
        """
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        with self._rollback_on_failure(continuing):
            X = self._start_or_continue(
                X, continuing, self.early_stopping, choose_alpha=True
            )
            epochs_left = self.spec_.epochs - self.n_iter_
            if epochs_left <= 0:
                warnings.warn(
                    f"warm_start fit without raising epochs trains nothing: "
                    f"{self.n_iter_} of epochs={self.spec_.epochs} are done. "
                    "Raise epochs to train more, or call partial_fit for one more pass.",
                    UserWarning,
                    stacklevel=3,
                )
                return self
            self._train(X, epochs_left, early_stopping=self.spec_.early_stopping)
        # After the fit is kept: a warning raised as an error leaves it usable.
        warn_if_at_mean_row(
            error_share_of_mean_row(self._networks, X, self.spec_.feature_weighting),
            stacklevel=4,
        )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass over X, starting the networks on the first call.

        Early stopping does not apply: each call is exactly one epoch, as in
        `MLPRegressor.partial_fit`. The input scaling is fixed by the first call's rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
            # One pass cannot try penalties: "auto" is none on a table.
            X = self._start_or_continue(
                X, continuing, early_stopping=False, choose_alpha=False
            )
            self._train(X, 1, early_stopping=False)
        return self

    def _start_or_continue(
        self, X, continuing: bool, early_stopping: bool, *, choose_alpha: bool
    ):
        """Validate training rows; build fresh networks unless continuing fitted ones."""
        X, facts = checks.training_rows(self, X, reset=not continuing)
        params = self.get_params(deep=False)
        if early_stopping:
            # The rows left to train on (the neighbour graph's) choose the "auto"
            # epochs, not the held-out ones.
            held_out = _validation_size(facts.n_rows, params["validation_fraction"])
            facts = replace(facts, n_rows=facts.n_rows - held_out)
        if continuing:
            self._check_structure_unchanged(params)
            self._networks = self._networks.under_current_strategy()
            self.spec_ = self.spec_.with_training(params, facts.n_rows)
        else:
            self._initialize(X, facts, params, early_stopping, choose_alpha)
        return X

    def _initialize(
        self, X, facts: DataFacts, params: dict, early_stopping: bool, choose_alpha: bool
    ):
        """Resolve the spec for X, build and compile fresh networks, reset the record.

        With early stopping the scaling and the PCA start are fitted on the training
        rows only, as the network is: the validation rows stay unseen. A table's "auto"
        ``alpha`` is chosen first (`skae.penalty`) when ``choose_alpha``, else 0.
        """
        self.spec_ = spec = resolve_spec(params, facts, bfloat16_native=bfloat16_native())
        seeds = SeedStream(self.random_state)
        # Drawn before the networks' seeds: the split must be known to fit the scaling.
        self._seeds = {"shuffle": seeds.next_seed(), "split": seeds.next_seed()}
        if spec.alpha is None:  # "auto" on a table
            alpha = 0.0
            if choose_alpha and X.shape[0] >= 2:
                alpha = chosen_alpha(
                    X,
                    spec,
                    self._validation_split(X.shape[0]),
                    seeds,
                    self._seeds["shuffle"],
                    self._built,
                )
            self.spec_ = spec = replace(spec, alpha=alpha)
        rows = X
        if early_stopping:
            rows = RowSubset(X, self._validation_split(X.shape[0])[0])
        self._networks, _ = self._built(rows, spec, seeds)
        self._structure = structural_params(params)
        self.history_ = {}
        self.n_iter_ = 0

    def _built(self, rows, spec: FitSpec, seeds: SeedStream):
        """Fresh compiled networks for ``spec``, scaled to ``rows``; and their scaling."""
        from .fitted import FittedNetworks
        from .networks import build

        scaling = fit_scaling(
            rows, spec.unit_interval, spec.output_activation, spec.feature_weighting
        )
        pca_axes = None
        if spec.starts_at_pca:
            # Tabular inputs are standardised: their offset is the feature mean.
            pca_axes = principal_axes(
                rows, scaling.input_offset, scaling.error_scale, spec.n_components
            )
        input_projection = None
        if spec.pca_components is not None:
            input_projection = encoder_input_projection(rows, scaling, spec.pca_components)
        autoencoder = build(
            spec,
            scaling,
            seeds,
            pca_axes=pca_axes,
            input_projection=input_projection,
            encoder_builder=self.encoder,
            decoder_builder=self.decoder,
        )
        return FittedNetworks(autoencoder), scaling

    def _check_structure_unchanged(self, params: dict):
        changed = [
            name
            for name, value in structural_params(params).items()
            if not checks.same_value(value, self._structure.get(name, value))
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
        n_validation = _validation_size(n_samples, self.spec_.validation_fraction)
        order = np.random.RandomState(self._seeds["split"]).permutation(n_samples)
        return np.sort(order[n_validation:]), np.sort(order[:n_validation])

    def _train(self, X, epochs: int, early_stopping: bool):
        """Run up to ``epochs`` epochs and add them to the training record.

        X is read one batch at a time and converted to float32 batch by batch, so a
        memory-mapped X is never loaded whole.
        """
        train_indices = validation_indices = None
        if early_stopping:
            train_indices, validation_indices = self._validation_split(X.shape[0])
        history = self._networks.train(
            X,
            self.spec_,
            epochs=epochs,
            seed=self._seeds["shuffle"],
            first_epoch=self.n_iter_,
            train_indices=train_indices,
            validation_indices=validation_indices,
            verbose=self.verbose,
        )
        names = [*self.history_, *(name for name in history if name not in self.history_)]
        self.history_ = {
            name: self.history_.get(name, []) + history.get(name, []) for name in names
        }
        self.n_iter_ += len(history["loss"])

    @contextmanager
    def _rollback_on_failure(self, continuing: bool):
        """Leave the estimator exactly as it was if training fails or is interrupted.

        Only continued training changes the fitted networks' weights, so only then are
        they saved: a fresh fit builds new networks and leaves the old ones untouched.
        """
        saved_state = dict(self.__dict__)
        snapshot = self._networks.snapshot() if continuing else None
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            if snapshot is not None:
                self._networks.restore(snapshot)
            raise

    # ------------------------------------------------------------ fitted state

    def __sklearn_is_fitted__(self) -> bool:
        return "_networks" in self.__dict__

    def _fitted(self):
        if not self.__sklearn_is_fitted__():
            raise AttributeError(f"This {type(self).__name__} is not fitted yet.")
        return self._networks

    autoencoder_ = property(lambda self: self._fitted().autoencoder)
    encoder_ = property(lambda self: self._fitted().encoder)
    decoder_ = property(lambda self: self._fitted().decoder)

    # Read by get_feature_names_out (ClassNamePrefixFeaturesOutMixin).
    _n_features_out = property(lambda self: self._fitted().n_components)

    @property
    def loss_curve_(self):
        self._fitted()
        return self.history_["loss"]

    @property
    def validation_scores_(self):
        self._fitted()
        validation_loss = self.history_.get("val_loss")
        return [-value for value in validation_loss] if validation_loss else None

    @property
    def n_components_(self) -> int:
        """The size of the code, as PCA's fitted attribute of the same name."""
        check_is_fitted(self)
        return self._networks.n_components

    # ----------------------------------------------------------------- inference

    def transform(self, X):
        """Encode rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in data units.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The codes, in X's floating dtype (float64 for other dtypes).
        """
        check_is_fitted(self)
        codes = self._networks.encode(checks.rows_to_encode(self, X))
        return checks.finite(codes, "transform")

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
        codes = checks.codes_to_decode(self, X, self._networks.n_components)
        return checks.finite(self._networks.decode(codes), "inverse_transform")

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each row (anomaly scores).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in data units.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((x - inverse_transform(transform(x)))**2)`` per row: the lower, the
            less typical the row.
        """
        check_is_fitted(self)
        X = checks.rows_to_encode(self, X)
        # In chunks: the squared errors' temporaries stay small, a sparse X is made
        # dense one chunk at a time.
        errors = np.concatenate(
            [self._reconstruction_errors(rows) for rows in dense_chunks(X)]
        )
        return checks.finite(errors, "score_samples")

    def _reconstruction_errors(self, X: np.ndarray) -> np.ndarray:
        networks = self._networks
        reconstruction = checks.finite(networks.decode(networks.encode(X)), "score_samples")
        # Squared errors of large float32 rows can overflow even when both are finite.
        return -np.mean((X - reconstruction) ** 2, axis=1)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error, so that higher is better.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows in data units.
        y : None
            Ignored.

        Returns
        -------
        score : float
            The mean of `score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    @checks.variational_only
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
            (n_samples, self._networks.n_components)
        )
        return checks.finite(self._networks.decode(codes), "sample")

    # --------------------------------------------------------------- persistence

    def _document(self) -> dict:
        """The parameters and fitted state `skae.persistence` frames into a file."""
        fitted = {
            "n_features_in_": self.n_features_in_,
            "n_iter_": self.n_iter_,
            "history_": self.history_,
            "spec_": self.spec_.to_dict(),
            "structure": self._structure,
            "seeds": self._seeds,
        }
        if hasattr(self, "feature_names_in_"):
            fitted["feature_names_in_"] = self.feature_names_in_
        # What set_output chose ({"transform": "pandas"}); scikit-learn keeps it here.
        output_config = getattr(self, "_sklearn_output_config", None)
        if output_config:
            fitted["output_config"] = output_config
        params = self.get_params(deep=False)
        return {"estimator": type(self).__name__, "params": params, "fitted": fitted}

    @classmethod
    def _from_document(cls, document: dict, networks, source: str):
        """The fitted reducer a `_document` describes, with its networks."""
        params, fitted = document["params"], document["fitted"]
        # Files written before conv_depth existed built one convolution a scale.
        params = {"conv_depth": 1, **params}
        unknown = sorted(set(params) - set(cls().get_params(deep=False)))
        if unknown:
            raise ValueError(
                f"{source} sets parameters this skae does not know ({', '.join(unknown)})"
                ": it was written by a newer skae; upgrade skae."
            )
        missing = [name for name in _FITTED_STATE if name not in fitted]
        if missing:
            raise ValueError(
                f"{source} is corrupted: its fitted state lacks {', '.join(missing)}."
            )
        if networks.n_features != fitted["n_features_in_"]:
            raise ValueError(
                f"{source} is corrupted: its model reads rows of {networks.n_features} "
                f"features, but n_features_in_ is {fitted['n_features_in_']!r}."
            )
        reducer = cls(**params)
        if fitted["spec_"] is None:
            # Files of format version 1 kept no spec: resolve it again from the
            # parameters and what the model shows of the data.
            facts = DataFacts(networks.n_features, not networks.scales_input, 0.0, 1.0)
            # Their networks have no neighbour term and no weight penalty.
            spec = resolve_spec(
                {
                    **reducer.get_params(deep=False),
                    **fitted["structure"],
                    "neighbor_loss": None,
                    "alpha": 0.0,
                },
                facts,
                starts_at_pca=fitted.get("profile") == "tabular",
            )
        else:
            spec = FitSpec.from_dict(fitted["spec_"])
        reducer.spec_ = spec
        reducer.n_features_in_ = fitted["n_features_in_"]
        if "feature_names_in_" in fitted:
            reducer.feature_names_in_ = fitted["feature_names_in_"]
        reducer.n_iter_ = fitted["n_iter_"]
        reducer.history_ = fitted["history_"]
        reducer._structure = fitted["structure"]
        reducer._seeds = fitted["seeds"]
        reducer._networks = networks
        if fitted.get("output_config"):
            reducer.set_output(**fitted["output_config"])
        return reducer

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

        Pickle (fastest, same versions only, never from an untrusted source), `save`
        (safe and portable) and `export` (serving) are compared in the user guide's
        page on saving models.

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
        >>> reducer = AutoencoderReducer(8, hidden_layer_sizes=(8,), epochs=10)
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

        write_reducer(path, self._document(), self._networks.to_bytes())

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
        >>> reducer = AutoencoderReducer(8, hidden_layer_sizes=(8,), epochs=10)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = os.path.join(folder, "digits.skae")
        ...     reducer.fit(X).save(path)
        ...     loaded = AutoencoderReducer.load(path)
        >>> loaded.partial_fit(X).n_iter_
        11
        """
        from .fitted import FittedNetworks
        from .persistence import read_reducer

        document, model = read_reducer(path)
        networks = FittedNetworks.from_bytes(model, source=str(path))
        return cls._from_document(document, networks, source=str(path))

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
        >>> reducer = AutoencoderReducer(8, hidden_layer_sizes=(8,), epochs=10)
        >>> reducer = reducer.fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     reducer.export(os.path.join(folder, "encoder"))
        ...     served = tf.saved_model.load(os.path.join(folder, "encoder"))
        ...     codes = served.serve(tf.constant(X[:3], tf.float32)).numpy()
        >>> codes.shape
        (3, 8)
        """
        if part not in ("encoder", "decoder"):
            raise ValueError(f"part must be 'encoder' or 'decoder'; got {part!r}.")
        check_is_fitted(self)
        self._networks.export(path, part)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = True
        return tags
