"""The one custom Keras layer skae needs: the variational autoencoder's Gaussian code.

It is registered as a serializable Keras object, so a saved model that contains it loads
with ``safe_mode=True`` (no `Lambda`, no code in the file).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="skae")
class GaussianCode(keras.layers.Layer):
    """A Gaussian code: the mean at inference, a reparameterised draw in training.

    It adds ``kl_weight * KL(q(z|x) || N(0, I))`` to the model's losses (the KL
    divergence summed over code units, averaged over the batch) and records the
    unweighted KL as the ``kl_loss`` metric; only training draws from q(z|x).

    Parameters
    ----------
    units : int
        Size of the code.
    kl_weight : float
        Weight of the KL term relative to the model's own loss.
    seed : int
        Seeds the two projections' initialisers and the draws.
    """

    def __init__(self, units: int, kl_weight: float = 1.0, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kl_weight = kl_weight
        self.seed = seed
        initializer = keras.initializers.GlorotUniform
        self.mean = keras.layers.Dense(
            units, kernel_initializer=initializer(seed=seed), name="code_mean"
        )
        self.log_variance = keras.layers.Dense(
            units, kernel_initializer=initializer(seed=seed + 1), name="code_log_variance"
        )
        self.draws = keras.random.SeedGenerator(seed + 2)
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
            "seed": self.seed,
        }
