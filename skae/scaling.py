"""How raw rows are scaled on the way into the network and back out of it.

Every feature keeps its own scale, so that a feature in thousandths is learnt as well as
one in thousands (as after ``StandardScaler``), and X's overall magnitude never changes
the model:

- inputs not already in [0, 1] are standardised per feature (centred, divided by the
  feature's standard deviation) before the encoder; data in [0, 1] (images) enter as
  they are;
- the decoder's output is mapped back to each feature's units: with a linear output, by
  the feature's mean and standard deviation; with a sigmoid output, from [0, 1] to the
  feature's training range ([0, 1] itself for data in [0, 1]), so reconstructions never
  leave it;
- a sigmoid output is shifted by the logit of each feature's mean, so that an untrained
  decoder, whose last layer outputs about zero, reconstructs every row as the mean row
  (a linear output starts there already). Starting at sigmoid(0) = 0.5 instead, a conv
  network on MNIST spent its first five epochs near the mean image's error;
- the training loss multiplies each feature's error by a constant before squaring it
  (`DataScaling.error_scale`), so that it is a pure number: 1.0 is the error of
  predicting the mean row. ``feature_weighting="variance"`` weighs features by their
  variance, as PCA's objective and `score` do (the raw squared error divided by the mean
  feature variance); ``"equal"`` weighs them alike (the squared error in each feature's
  own standard deviations).

Constants are stored as offsets and scales (not variances, which overflow float32 for
features of order 1e19, nor floored at an epsilon, which breaks features of order 1e-8).
All statistics are computed in float64, in chunks of rows, so large or memory-mapped
inputs are never copied whole.
"""

from dataclasses import dataclass

import numpy as np

# Statistics read X in chunks of about this many bytes of float64 temporaries.
_CHUNK_BYTES = 8 * 2**20
_OFFSET_CLIP = 0.01

FEATURE_WEIGHTINGS = ("variance", "equal")


@dataclass(frozen=True)
class DataScaling:
    """Per-feature constants of the network's scaling layers and its loss.

    Attributes
    ----------
    input_offset, input_scale : ndarray of shape (n_features,) or None
        The encoder sees ``(x - input_offset) / input_scale``; ``None`` when inputs
        enter as they are.
    output_offset, output_scale : ndarray of shape (n_features,)
        The decoder's output ``o`` becomes ``output_offset + output_scale * o``.
    logit_offset : ndarray of shape (n_features,) or None
        Added to the decoder's last layer before a sigmoid output; ``None`` for a linear
        output.
    error_scale : ndarray of shape (n_features,)
        The loss squares ``(x - reconstruction) * error_scale``.
    """

    input_offset: np.ndarray | None
    input_scale: np.ndarray | None
    output_offset: np.ndarray
    output_scale: np.ndarray
    logit_offset: np.ndarray | None
    error_scale: np.ndarray


def _row_chunks(X):
    chunk_rows = max(1, _CHUNK_BYTES // (8 * X.shape[1]))
    for start in range(0, X.shape[0], chunk_rows):
        yield X[start : start + chunk_rows]


def column_moments(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and variance in float64, reading X in chunks of rows.

    Chunks are sized in bytes, so the temporaries stay small however wide X is.
    """
    total = np.zeros(X.shape[1])
    for chunk in _row_chunks(X):
        total += chunk.sum(axis=0, dtype=np.float64)
    mean = total / X.shape[0]
    squares = np.zeros(X.shape[1])
    for chunk in _row_chunks(X):
        centred = chunk - mean
        squares += np.einsum("ij,ij->j", centred, centred)
    return mean, squares / X.shape[0]


def column_range(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum in float64, reading X in chunks of rows."""
    low = np.full(X.shape[1], np.inf)
    high = np.full(X.shape[1], -np.inf)
    for chunk in _row_chunks(X):
        low = np.minimum(low, chunk.min(axis=0))
        high = np.maximum(high, chunk.max(axis=0))
    return low, high


def _positive(scale: np.ndarray) -> np.ndarray:
    """``scale`` with zeros (constant features) replaced by the others' mean.

    A constant feature carries no information; any positive scale serves, and one taken
    from the other features keeps the model the same when X is multiplied by a constant.
    """
    varying = scale[scale > 0]
    fallback = float(varying.mean()) if varying.size else 1.0
    return np.where(scale > 0, scale, fallback)


def fit_scaling(
    X, unit_interval: bool, output_activation: str, feature_weighting: str
) -> DataScaling:
    """Choose the scaling for training data X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite training rows.
    unit_interval : bool
        Whether X lies in [0, 1] (`skae.spec.DataFacts`, which the caller has read).
    output_activation : {"sigmoid", "linear"}
        The decoder's last activation (resolved from ``"auto"`` by `skae.spec`).
    feature_weighting : {"variance", "equal"}
        What the loss weighs.
    """
    mean, variance = column_moments(X)
    std = _positive(np.sqrt(variance))

    input_offset = input_scale = None
    if not unit_interval:
        input_offset, input_scale = mean, std

    logit_offset = None
    if output_activation == "sigmoid":
        if unit_interval:
            low, high = np.zeros_like(mean), np.ones_like(mean)
        else:
            low, high = column_range(X)
        span = _positive(high - low)
        output_offset, output_scale = low, span
        # Clipped: a feature that is always at its minimum would otherwise need an
        # infinite logit, and a saturated sigmoid would barely learn from other rows.
        unit_mean = np.clip((mean - low) / span, _OFFSET_CLIP, 1 - _OFFSET_CLIP)
        logit_offset = np.log(unit_mean / (1 - unit_mean))
    else:
        output_offset, output_scale = mean, std

    if feature_weighting == "equal":
        error_scale = 1.0 / std
    else:
        # The mean feature variance, a constant feature counting as a typical one.
        error_scale = np.full_like(mean, 1.0 / np.sqrt(np.mean(std**2)))
    return DataScaling(
        input_offset,
        input_scale,
        output_offset,
        output_scale,
        logit_offset,
        error_scale,
    )


def principal_axes(X, mean, error_scale, n_components: int) -> np.ndarray:
    """PCA's top ``n_components`` axes of X in the loss's units, as columns.

    In these units (``(x - mean) * error_scale``) the loss is the plain squared error,
    so these axes give the best linear autoencoder for the loss: the point a tabular
    network starts from. Columns beyond ``n_features`` are zero. The covariance matrix
    is accumulated over chunks of rows: memory grows with ``n_features ** 2``, not with
    the number of rows.
    """
    n_features = X.shape[1]
    covariance = np.zeros((n_features, n_features))
    for chunk in _row_chunks(X):
        units = (chunk - mean) * error_scale
        covariance += units.T @ units
    _, vectors = np.linalg.eigh(covariance)
    axes = np.zeros((n_features, n_components))
    kept = min(n_components, n_features)
    axes[:, :kept] = vectors[:, ::-1][:, :kept]
    return axes
