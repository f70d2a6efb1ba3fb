"""How raw rows are scaled on the way into the network and back out of it.

PCA centres its input and works in the user's units; skae does the same, plus one global
scale so that the network sees values of order one:

- inputs not already in [0, 1] are centred per feature and divided by one global scale
  (the root mean feature variance) before the encoder;
- the decoder's output is mapped back to data units: with a sigmoid output, from [0, 1] to
  the data's range; with a linear output, by the same means and global scale;
- a sigmoid output is shifted by the logit of each feature's mean, so that an untrained
  decoder, whose last layer outputs about zero, reconstructs every row as the mean row
  (a linear output starts there already). Starting at sigmoid(0) = 0.5 instead, a conv
  network on MNIST spent its first five epochs near the mean image's error.

One global scale, not one per feature, keeps the training loss proportional to the mean
squared error in the user's units, the quantity `score` reports, just as PCA minimises
error in the units it was given; it also keeps the encoder's attention on the features
that carry the variance, which measured better on held-out raw data (breast cancer, wine)
than per-feature standardisation. Features on very different scales are the user's choice
to standardise, exactly as with PCA (for example ``StandardScaler`` in a pipeline).

All statistics are computed in float64, in chunks of rows, so large or memory-mapped
inputs are never copied whole.
"""

from dataclasses import dataclass

import numpy as np

# Statistics read X in chunks of about this many bytes of float64 temporaries.
_CHUNK_BYTES = 8 * 2**20
_OFFSET_CLIP = 0.01


@dataclass(frozen=True)
class DataScaling:
    """Per-feature constants that become Keras `Normalization` layers.

    Attributes
    ----------
    input_mean, input_variance : ndarray of shape (n_features,) or None
        Scaling applied before the encoder; ``None`` when inputs enter as they are.
    output_mean, output_variance : ndarray of shape (n_features,)
        The decoder's output ``o`` becomes ``output_mean + sqrt(output_variance) * o``.
    output_offset : ndarray of shape (n_features,) or None
        Added to the decoder's last layer before a sigmoid output; ``None`` for a linear
        output.
    unit_interval : bool
        Whether the training data lay in [0, 1].
    """

    input_mean: np.ndarray | None
    input_variance: np.ndarray | None
    output_mean: np.ndarray
    output_variance: np.ndarray
    unit_interval: bool
    output_offset: np.ndarray | None = None


def column_moments(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and variance in float64, reading X in chunks of rows.

    Chunks are sized in bytes, so the temporaries stay small however wide X is.
    """
    n_samples, n_features = X.shape
    chunk_rows = max(1, _CHUNK_BYTES // (8 * n_features))
    total = np.zeros(n_features)
    for start in range(0, n_samples, chunk_rows):
        total += X[start : start + chunk_rows].sum(axis=0, dtype=np.float64)
    mean = total / n_samples
    squares = np.zeros(n_features)
    for start in range(0, n_samples, chunk_rows):
        centred = X[start : start + chunk_rows] - mean
        squares += np.einsum("ij,ij->j", centred, centred)
    return mean, squares / n_samples


def in_unit_interval(X) -> bool:
    """Whether every value of X lies in [0, 1]."""
    return float(X.min()) >= 0.0 and float(X.max()) <= 1.0


def fit_scaling(X, output_activation: str) -> DataScaling:
    """Choose the scaling for training data X and an output activation.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite training rows.
    output_activation : {"sigmoid", "linear"}
        The decoder's last activation (already resolved from ``"auto"``).
    """
    n_features = X.shape[1]
    unit_interval = in_unit_interval(X)
    mean, variance = column_moments(X)
    global_variance = float(variance.mean())
    # Constant data would divide by zero; it carries no information either way.
    centred_variance = np.full(n_features, global_variance if global_variance > 0 else 1.0)

    if unit_interval:
        input_mean = input_variance = None
    else:
        input_mean, input_variance = mean, centred_variance

    if output_activation == "sigmoid":
        low, high = (0.0, 1.0) if unit_interval else (float(X.min()), float(X.max()))
        span = high - low if high > low else 1.0
        output_mean = np.full(n_features, low)
        output_variance = np.full(n_features, span**2)
        # Clipped: a feature that is always 0 would otherwise need an infinite logit,
        # and a saturated sigmoid would barely learn from the rows where it is not.
        unit_mean = np.clip((mean - low) / span, _OFFSET_CLIP, 1 - _OFFSET_CLIP)
        output_offset = np.log(unit_mean / (1 - unit_mean))
    else:
        output_mean, output_variance = mean, centred_variance
        output_offset = None
    return DataScaling(
        input_mean,
        input_variance,
        output_mean,
        output_variance,
        unit_interval,
        output_offset,
    )
