"""Whether a fit learnt anything: a warning for reconstructions no better than the mean.

An untrained decoder reconstructs every row as the mean row (`skae.scaling`), so a fit
whose reconstructions are no better than that stayed where it started, whatever its
loss curve shows. It happens when the ReLU units feeding the reconstruction all die in
the first steps (a conv code ended so on MNIST at one seed in three before its rate
rose at the start: benchmarks/results/conv_warmup_*.md), and when the learning rate is
far too small. Such a reducer transforms without error but every code decodes to about
the same row; scikit-learn's `ConvergenceWarning` says so instead of staying silent.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .rows import RowSubset, dense_chunks

# The training rows scored: evenly spaced, so that the check needs no random draw and
# costs a small forward pass whatever the size of X (in chunks: wide rows stay small).
SAMPLE_ROWS = 2_048
# Reconstructions whose error is at least this share of the mean row's count as the mean
# row: the stuck conv fits measured 1.0008 of it (0.07282 against MNIST's 0.07276).
MEAN_ROW_SHARE = 0.99


def error_share_of_mean_row(networks, X, feature_weighting: str):
    """The reconstruction error of rows of X over their mean row's, or None.

    Both errors are weighed as the training loss weighs features: summed over features
    (``"variance"``), or each divided by the feature's variance (``"equal"``). None when
    the sampled rows do not vary, where every reconstruction is the mean row.
    """
    n_rows = X.shape[0]
    positions = np.unique(np.linspace(0, n_rows - 1, min(n_rows, SAMPLE_ROWS)).astype(int))
    squared_errors = shifted_sums = shifted_squares = 0.0
    shift = None
    for rows in dense_chunks(RowSubset(X, positions)):
        reconstruction = networks.decode(networks.encode(rows.astype(np.float32)))
        squared_errors = squared_errors + ((rows - reconstruction) ** 2).sum(axis=0)
        # Variances from sums about the first row: exact zeros for constant features,
        # and no cancellation for features far from zero.
        shift = rows[0] if shift is None else shift
        shifted = rows - shift
        shifted_sums = shifted_sums + shifted.sum(axis=0)
        shifted_squares = shifted_squares + (shifted**2).sum(axis=0)
    n_sampled = len(positions)
    errors = squared_errors / n_sampled
    variances = shifted_squares / n_sampled - (shifted_sums / n_sampled) ** 2
    varying = variances > 0
    if not varying.any():
        return None
    if feature_weighting == "equal":
        return float(np.mean(errors[varying] / variances[varying]))
    return float(errors[varying].sum() / variances[varying].sum())


def warn_if_at_mean_row(share, stacklevel: int) -> None:
    """A `ConvergenceWarning` if ``share`` (`error_share_of_mean_row`) is at the mean."""
    if share is None or share < MEAN_ROW_SHARE:
        return
    warnings.warn(
        f"The fit reconstructs its training rows no better than their mean row does "
        f"(error {share:.3f} of the mean row's): training stayed where an untrained "
        "decoder starts, so every code decodes to about the same row. Fit again with "
        "another random_state, another learning_rate or more epochs.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
