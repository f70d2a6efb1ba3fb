"""The training loss: squared reconstruction error in scaled units.

Each feature's error is multiplied by its `DataScaling.error_scale` before squaring, so
the loss is a pure number (1.0 is the error of predicting the mean row) whatever X's
magnitude, and nothing overflows float32: errors are scaled before they are squared.
Registered as serializable Keras objects, so saved models load with ``safe_mode=True``.

Every loss and metric here scores the reconstructions against the first rows of the
targets, as many as there are reconstructions (`reconstructed_rows`): a map's training
step decodes the heads of its edge batch only, the batch's first half
(`skae.layers.UMAPNeighborLoss`), while its targets are the whole batch. Everywhere
else the two have the same rows.
"""

import keras
import numpy as np
from keras import ops


def reconstructed_rows(y_true, y_pred):
    """The rows of ``y_true`` that ``y_pred`` reconstructs: its first ``len(y_pred)``."""
    return y_true[: ops.shape(y_pred)[0]]


def _scaled_squared_error(y_true, y_pred, error_scale):
    # A backend tensor, not NumPy: a PyTorch tensor that needs gradients refuses to be
    # combined with a NumPy array.
    error_scale = ops.convert_to_tensor(error_scale, dtype=y_pred.dtype)
    y_true = reconstructed_rows(y_true, y_pred)
    return ops.mean(ops.square((y_true - y_pred) * error_scale), axis=-1)


def _as_constant(error_scale) -> np.ndarray:
    return np.asarray(error_scale, dtype=np.float32)


@keras.saving.register_keras_serializable(package="skae")
class ScaledMeanSquaredError(keras.losses.Loss):
    """Mean over features of ``((y_true - y_pred) * error_scale) ** 2``.

    Parameters
    ----------
    error_scale : array-like of shape (n_features,)
        Each feature's multiplier (see `skae.scaling`).
    """

    def __init__(self, error_scale, name="scaled_mse", **kwargs):
        super().__init__(name=name, **kwargs)
        self.error_scale = _as_constant(error_scale)

    def call(self, y_true, y_pred):
        return _scaled_squared_error(y_true, y_pred, self.error_scale)

    def get_config(self):
        return {**super().get_config(), "error_scale": self.error_scale.tolist()}


@keras.saving.register_keras_serializable(package="skae")
class ScaledMeanSquaredErrorMetric(keras.metrics.MeanMetricWrapper):
    """`ScaledMeanSquaredError` as a metric, for losses that add other terms (a VAE's)."""

    def __init__(self, error_scale, name="reconstruction_loss", dtype=None):
        self.error_scale = _as_constant(error_scale)
        super().__init__(
            _scaled_squared_error, name=name, dtype=dtype, error_scale=self.error_scale
        )

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "error_scale": self.error_scale.tolist(),
        }


@keras.saving.register_keras_serializable(package="skae")
class RowsBinaryCrossentropy(keras.losses.BinaryCrossentropy):
    """Keras' `BinaryCrossentropy` loss against the `reconstructed_rows` of the targets."""

    def call(self, y_true, y_pred):
        return super().call(reconstructed_rows(y_true, y_pred), y_pred)


@keras.saving.register_keras_serializable(package="skae")
class RowsBinaryCrossentropyMetric(keras.metrics.BinaryCrossentropy):
    """Keras' `BinaryCrossentropy` metric against the `reconstructed_rows`."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = reconstructed_rows(y_true, y_pred)
        return super().update_state(y_true, y_pred, sample_weight=sample_weight)
