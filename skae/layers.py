"""skae's custom Keras layers: per-feature scaling and the variational Gaussian code.

They are registered as serializable Keras objects, so a saved model that contains them
loads with ``safe_mode=True`` (no `Lambda`, no code in the file).
"""

import math

import keras
import numpy as np
from keras import ops

from .backends import backend

# Keras' JAX trainer runs a layer's call without its metrics' state, so a metric updated
# there fails (keras-team/keras#21639): on JAX the KL and neighbour terms still train
# but are not logged in ``history_``.
TRACKERS_IN_LAYERS = backend() != "jax"


@keras.saving.register_keras_serializable(package="skae")
class FeatureScaling(keras.layers.Layer):
    """``(x - offset) / scale`` per feature, or with ``invert=True`` ``offset + scale * x``.

    Unlike `keras.layers.Normalization`, it stores scales rather than variances (which
    overflow float32 for features of order 1e19) and does not floor them at an epsilon
    (which breaks features of order 1e-8). Like it, it keeps the constants in its
    config, not as weights: they are part of the model's definition, not parameters.

    Parameters
    ----------
    offset, scale : array-like of shape (n_features,)
        The constants, stored in float32.
    invert : bool
        Apply the inverse map, from scaled units back to data units.
    """

    def __init__(self, offset, scale, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.offset = np.asarray(offset, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)
        self.invert = invert

    def call(self, inputs):
        offset = ops.convert_to_tensor(self.offset, dtype=self.compute_dtype)
        scale = ops.convert_to_tensor(self.scale, dtype=self.compute_dtype)
        if self.invert:
            return offset + inputs * scale
        return (inputs - offset) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "offset": self.offset.tolist(),
            "scale": self.scale.tolist(),
            "invert": self.invert,
        }


def kernel_penalty(alpha: float):
    """The L2 regularizer of ``alpha`` for a layer's kernel, or None for 0."""
    return keras.regularizers.L2(alpha) if alpha > 0 else None


@keras.saving.register_keras_serializable(package="skae")
class GaussianCode(keras.layers.Layer):
    """A Gaussian code: the mean at inference, a reparameterised draw in training.

    It adds ``kl_weight * KL(q(z|x) || N(0, I))`` to the model's losses (the KL
    divergence summed over code units, averaged over the batch) and records the
    unweighted KL as the ``kl_loss`` metric (not on JAX: see `TRACKERS_IN_LAYERS`);
    only training draws from q(z|x).

    Parameters
    ----------
    units : int
        Size of the code.
    kl_weight : float
        Weight of the KL term relative to the model's own loss.
    alpha : float
        L2 penalty on the two projections' kernels (0: none).
    seed : int
        Seeds the two projections' initialisers and the draws.
    """

    def __init__(
        self,
        units: int,
        kl_weight: float = 1.0,
        alpha: float = 0.0,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.kl_weight = kl_weight
        self.alpha = alpha
        self.seed = seed
        initializer = keras.initializers.GlorotUniform
        penalty = kernel_penalty(alpha)
        self.mean = keras.layers.Dense(
            units,
            kernel_initializer=initializer(seed=seed),
            kernel_regularizer=penalty,
            name="code_mean",
        )
        self.log_variance = keras.layers.Dense(
            units,
            kernel_initializer=initializer(seed=seed + 1),
            kernel_regularizer=penalty,
            name="code_log_variance",
        )
        self.draws = keras.random.SeedGenerator(seed + 2)
        if TRACKERS_IN_LAYERS:
            self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    def build(self, input_shape):
        self.mean.build(input_shape)
        self.log_variance.build(input_shape)

    def call(self, inputs, training=None):
        mean = self.mean(inputs)
        log_variance = self.log_variance(inputs)
        # The KL term is added outside training too, so that validation losses include it.
        kl = -0.5 * ops.mean(
            ops.sum(1.0 + log_variance - ops.square(mean) - ops.exp(log_variance), axis=-1)
        )
        self.add_loss(self.kl_weight * kl)
        if TRACKERS_IN_LAYERS:
            self.kl_tracker.update_state(kl)
        if not training:
            return mean
        noise = keras.random.normal(ops.shape(mean), seed=self.draws)
        return mean + ops.exp(0.5 * log_variance) * noise

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kl_weight": self.kl_weight,
            "alpha": self.alpha,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="skae")
class LinearSkip(keras.layers.Layer):
    """``network(x) + x @ kernel``: a network that learns on top of a fixed linear map.

    skae's tabular networks start from PCA this way (see `skae.scaling.principal_axes`):
    the kernel holds PCA's projection (in the encoder) or reconstruction (in the
    decoder) and is not trained, and the network, whose last layer starts at zero,
    learns what PCA misses.

    Parameters
    ----------
    network : keras.Model
        The trained part.
    kernel : array-like of shape (n_inputs, n_outputs) or None
        The fixed linear map; None when rebuilt from a saved model, whose weights then
        fill it.
    """

    def __init__(self, network, kernel=None, **kwargs):
        super().__init__(**kwargs)
        self.network = network
        self._initial_kernel = kernel

    def build(self, input_shape):
        if not self.network.built:
            self.network.build(input_shape)
        kernel = self._initial_kernel
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.network.output_shape[-1]),
            initializer="zeros"
            if kernel is None
            else keras.initializers.Constant(np.asarray(kernel, dtype=np.float32)),
            trainable=False,
            name="linear_kernel",
        )

    def call(self, inputs, training=None):
        return self.network(inputs, training=training) + ops.matmul(inputs, self.kernel)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.network.output_shape[-1])

    def get_config(self):
        network = keras.saving.serialize_keras_object(self.network)
        return {**super().get_config(), "network": network}

    @classmethod
    def from_config(cls, config):
        network = keras.saving.deserialize_keras_object(config.pop("network"))
        return cls(network, **config)


# umap-learn's offset of squared distances in its repulsive gradient.
_REPULSION_OFFSET = 0.001


def _power(positive, exponent: float):
    """``positive ** exponent`` as ``exp(exponent * log(positive))``.

    The same values, but TensorFlow and JAX vectorise exp and log and not pow: on a
    batch's 512 x 512 InfoNCE distances the loss and its gradient took half the time
    (benchmarks/results/infonce_arithmetic.md).
    """
    return ops.exp(exponent * ops.log(positive))


class _NeighborTerm(keras.layers.Layer):
    """The identity on codes, adding a neighbour-preserving loss in training.

    In training, a batch holds the two ends of sampled neighbour edges: its first half
    the heads, its second half the tails (`skae.batches` builds them so). The layer adds
    ``weight`` times its subclass's ``_cross_entropy(heads, tails)``, built on UMAP's
    curve ``p(d) = 1 / (1 + a * d ** (2 * b))`` of code distances, and passes on the
    first ``decoded_heads`` of the heads' codes only: the decoder reconstructs those,
    which `skae.losses` scores against the batch's first rows. The graph is symmetric,
    so a row is drawn as often as a head as as a tail; leaving the tails'
    reconstruction out shortened an epoch by about an eighth at the same validation
    scores (benchmarks/results/edge_heads.md). Edges are drawn at random, so the first
    heads are a random sample of them. Outside training it is the identity and adds
    nothing, so validation losses are reconstruction losses.

    Parameters
    ----------
    weight : float
        Weight of the term against the reconstruction loss.
    a, b : float
        UMAP's curve for ``min_dist`` (`skae.neighbors.curve_parameters`).
    decoded_heads : float
        The share of the heads the decoder reconstructs, ``1 / k`` for a whole ``k``
        (rounded up to whole rows, so at least one).
    """

    def __init__(self, weight, a, b, decoded_heads=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = float(weight)
        self.a = float(a)
        self.b = float(b)
        self.decoded_heads = float(decoded_heads)
        # Whole-number arithmetic on the batch size, which is a tensor in a traced step.
        whole = 0 < self.decoded_heads <= 1
        self._heads_per_decoded = round(1.0 / self.decoded_heads) if whole else 0
        if not math.isclose(self._heads_per_decoded * self.decoded_heads, 1.0):
            raise ValueError(
                f"decoded_heads must be 1 / k for a whole k; got {decoded_heads}."
            )
        if TRACKERS_IN_LAYERS:
            self.tracker = keras.metrics.Mean(name="neighbor_loss")

    def _cross_entropy(self, heads, tails):
        raise NotImplementedError

    def call(self, codes, training=None):
        if not training:
            return codes
        half = ops.shape(codes)[0] // 2
        heads = codes[:half]
        cross_entropy = self._cross_entropy(heads, codes[half : 2 * half])
        self.add_loss(self.weight * cross_entropy)
        if TRACKERS_IN_LAYERS:
            self.tracker.update_state(cross_entropy)
        k = self._heads_per_decoded
        if k == 1:
            return heads  # no further slice, which TensorFlow would compute otherwise
        return heads[: (half + k - 1) // k]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "weight": self.weight,
            "a": self.a,
            "b": self.b,
            "decoded_heads": self.decoded_heads,
        }


@keras.saving.register_keras_serializable(package="skae")
class UMAPNeighborLoss(_NeighborTerm):
    """UMAP's fuzzy-set cross-entropy (``neighbor_loss="umap"``), with negative sampling.

    Each edge's ends are pulled together, and ``negative_sample_rate`` random pairs
    (each head against tails of other edges, as in Parametric UMAP) are pushed apart.

    Parameters
    ----------
    weight, a, b : float
        As in the base: the term's weight and UMAP's curve.
    negative_sample_rate : int
        Random pairs pushed apart per edge.
    seed : int
        Seeds the random pairs.
    """

    def __init__(
        self, weight, a, b, negative_sample_rate: int = 5, seed: int = 0, **kwargs
    ):
        super().__init__(weight, a, b, **kwargs)
        self.negative_sample_rate = int(negative_sample_rate)
        self.seed = int(seed)
        self.pairs = keras.random.SeedGenerator(seed)

    def _attraction(self, heads, tails):
        """``-log p`` of UMAP's curve ``p = 1 / (1 + a * d ** (2 * b))`` at the pairs."""
        squared = ops.maximum(ops.sum(ops.square(heads - tails), axis=-1), 1e-10)
        return ops.log1p(self.a * _power(squared, self.b))

    def _repulsion(self, heads, others):
        """``-log (1 - p)`` at the pairs, ``d ** 2`` offset by UMAP's own 0.001.

        Without the offset two codes drawn together give a gradient of order
        ``1 / d ** 2``, whose spikes stall Adam (umap-learn offsets it the same way).
        """
        squared = ops.sum(ops.square(heads - others), axis=-1) + _REPULSION_OFFSET
        return ops.log1p(1.0 / (self.a * _power(squared, self.b)))

    def _cross_entropy(self, heads, tails):
        attraction = ops.sum(self._attraction(heads, tails))
        repulsion = 0.0
        for _ in range(self.negative_sample_rate):
            others = keras.random.shuffle(tails, axis=0, seed=self.pairs)
            repulsion = repulsion + ops.sum(self._repulsion(heads, others))
        # Parametric UMAP's mean over the edges and the random pairs together.
        pairs = ops.shape(heads)[0] * (1 + self.negative_sample_rate)
        return (attraction + repulsion) / ops.cast(pairs, heads.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "negative_sample_rate": self.negative_sample_rate,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="skae")
class InfoNCENeighborLoss(_NeighborTerm):
    """InfoNCE on the neighbour edges (``neighbor_loss="infonce"``).

    Each head is scored against every tail of the batch by the log of UMAP's curve, and
    the loss is the cross-entropy of picking its own edge's tail among them: the
    contrastive form of t-SNE's normalised objective with the batch's tails as negative
    samples (Damrich, Böhm, Hamprecht and Kobak, ICLR 2023). With hundreds of negatives
    rather than UMAP's 5, the map comes nearer t-SNE's.
    """

    def _cross_entropy(self, heads, tails):
        # Squared distances of every head to every tail, as |h|^2 + |t|^2 - 2 h.t (no
        # heads x tails x components array).
        squared = (
            ops.sum(ops.square(heads), axis=1, keepdims=True)
            + ops.sum(ops.square(tails), axis=1)[None, :]
            - 2.0 * ops.matmul(heads, ops.transpose(tails))
        )
        squared = ops.maximum(squared, 1e-10)  # rounding can go below 0
        log_p = -ops.log1p(self.a * _power(squared, self.b))
        # Each head's own tail is on the diagonal: only it is picked, so only its row's
        # normaliser is subtracted (not from the whole matrix).
        return -ops.mean(ops.diagonal(log_p) - ops.logsumexp(log_p, axis=1))
