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
All statistics are computed in float64, in chunks of rows, so large, memory-mapped or
sparse inputs are never copied (or densified) whole.
"""

from dataclasses import dataclass

import numpy as np

from .rows import RowSubset, dense, dense_chunks

_OFFSET_CLIP = 0.01
# Above this many features the covariance matrix (n_features ** 2 float64 values, 32 MiB
# here) and its full eigendecomposition cost more than finding the top axes alone.
_COVARIANCE_MAX_FEATURES = 2_048

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


def column_moments(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and variance in float64, reading X in chunks of rows."""
    total = np.zeros(X.shape[1])
    for chunk in dense_chunks(X):
        total += chunk.sum(axis=0, dtype=np.float64)
    mean = total / X.shape[0]
    squares = np.zeros(X.shape[1])
    for chunk in dense_chunks(X):
        centred = chunk - mean
        squares += np.einsum("ij,ij->j", centred, centred)
    return mean, squares / X.shape[0]


def column_range(X) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum in float64, reading X in chunks of rows."""
    low = np.full(X.shape[1], np.inf)
    high = np.full(X.shape[1], -np.inf)
    for chunk in dense_chunks(X):
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
    network starts from. Columns beyond ``n_features`` (or beyond the rank of a table
    with fewer rows) are zero. X is never copied whole: up to
    `_COVARIANCE_MAX_FEATURES` features the covariance matrix is accumulated over
    chunks of rows; wider X (word counts, for example) has only its top axes found, by
    ARPACK, through products with X (so a sparse X stays sparse).
    """
    n_rows, n_features = X.shape
    kept = min(n_components, n_features)
    if n_features <= _COVARIANCE_MAX_FEATURES:
        vectors = _covariance_axes(X, mean, error_scale)[:, :kept]
    elif kept < n_rows:
        if isinstance(X, RowSubset):
            # Products need X whole: the one pass that copies the rows it reads (wide
            # inputs are sparse in practice, so the copy is of their nonzeros).
            X = X.materialized()
        vectors = _iterative_axes(X, mean, error_scale, kept)
    else:  # as few rows as axes: the rows are small
        units = (dense(X[:n_rows]) - mean) * error_scale
        vectors = np.linalg.svd(units, full_matrices=False)[2].T
    axes = np.zeros((n_features, n_components))
    axes[:, : vectors.shape[1]] = vectors
    return axes


def encoder_input_projection(
    X, scaling: DataScaling, n_components: int
) -> tuple[np.ndarray, np.ndarray]:
    """PCA's projection of the encoder's input onto its top axes, as kernel and bias.

    The encoder's input is X itself for data in [0, 1], else X standardised by
    ``scaling``; for an input row u the projection is ``(u - mean(u)) @ kernel``, its
    ``n_components`` leading principal components (`principal_axes`, in those units).
    """
    if scaling.input_offset is not None:
        # Standardised rows are centred already: their offset is the feature mean.
        to_input_units = 1.0 / scaling.input_scale
        kernel = principal_axes(X, scaling.input_offset, to_input_units, n_components)
        return kernel, np.zeros(n_components)
    mean, _ = column_moments(X)
    kernel = principal_axes(X, mean, np.ones_like(mean), n_components)
    return kernel, -mean @ kernel


def _covariance_axes(X, mean, error_scale) -> np.ndarray:
    """All axes, largest first, from the covariance matrix accumulated over chunks."""
    n_features = X.shape[1]
    covariance = np.zeros((n_features, n_features))
    for chunk in dense_chunks(X):
        units = (chunk - mean) * error_scale
        covariance += units.T @ units
    _, vectors = np.linalg.eigh(covariance)
    return vectors[:, ::-1]


def _iterative_axes(X, mean, error_scale, n_axes: int) -> np.ndarray:
    """The top ``n_axes`` axes, largest first, by a truncated SVD of the units.

    The centred, scaled rows are never formed: products with them are products with
    X minus the mean's share.
    """
    from scipy.sparse.linalg import LinearOperator, svds

    shift = mean * error_scale

    def times(vectors):
        return X @ (error_scale[:, None] * vectors) - shift @ vectors

    def transposed_times(vectors):
        return error_scale[:, None] * (X.T @ vectors) - np.outer(shift, vectors.sum(0))

    units = LinearOperator(
        X.shape,
        matvec=lambda v: times(v.reshape(-1, 1)),
        rmatvec=lambda u: transposed_times(u.reshape(-1, 1)),
        matmat=times,
        rmatmat=transposed_times,
        dtype=np.float64,
    )
    # A fixed start makes the axes (and so the fit) reproducible.
    start = np.random.default_rng(0).standard_normal(min(X.shape))
    _, values, rows = svds(units, k=n_axes, v0=start)
    return rows[np.argsort(values)[::-1]].T
